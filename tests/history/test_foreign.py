"""Issue 20, robustness beyond the model's own data: a history made by another simulator (Ciw,
``experiments/foreign_history.py``) with traits the project's model does not have -- agents
joining and leaving inside intervals, staggered breaks and lunches, handle time lognormal with
CV 1.2 and a mean that varies by hour (+-15 %), Weibull patience, immediate hang-ups, a gamma
day factor, outage days -- is calibrated from its per-call log and from its 30- and 60-minute interval reports, and each calibrated scenario
(its weekday staffing table, handle time and patience) is compared with the history's hourly
abandonment (tolerance 10 %) and service level (15 %, relative).

What this test asserts, per busy hour (at least half the calls of the busiest hour): (1) no hour
is *significantly* beyond the tolerance (its 95 % CI lies wholly outside it), and (2) the issue's
tolerance hour by hour: the point estimate within 10 % (abandonment) / 15 % (service level) plus
one standard error of the comparison. The allowance: the relative error of an hour is estimated
from the days' paired differences (delta method, ``foreign_check._ratio``) with a standard error
``se`` = CI half-width / 1.96 (for abandonment 5-13 % relative on 8 weeks of 3 000 calls a day, so a
bare 10 % would judge the data's noise, not the model); a model whose true error in an hour is
exactly the tolerance passes that hour with probability 84 % (one-sided normal), one within it
with more, and the busy hours' mean |error| must still be within the bare tolerance. No hour is
exempt (before this test's commit the call log's 16 h was a named exception at -16.5 %+-10 %: the
lower bound of the last half hour counted the calls agents finish after leaving at 16:40 as
agents available to new callers, see :func:`sim.history.staffing.busy_from_calls`; now +3.6 %).
Before the fixes of the earlier commit the model abandoned 15-47 % too much at 10, 11, 12 and 14 h:
the outage days were in the pooled staffing fit.

The comparison (``experiments/foreign_check.py``): every non-outage day of the history is
simulated with its observed calls per interval, 4 replications; per hour of day the relative
error model / observed - 1 is pooled over days with a 95 % CI from the paired day-to-day
differences. A busy hour (at least half the calls of the busiest) fails when its whole CI lies
outside the tolerance: the data show a miss beyond it. (The stricter "point estimate within the
tolerance" cannot be judged for abandonment on 8 weeks of 3 000 calls a day: the CI half-widths
are 10-25 % relative; see the module docstring of foreign_check.py.)

Eight weeks of 3 000 calls a day: about 25 s of Ciw, then per export about 35 s of calibration
and 25 s of checking (on an idle core).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "experiments"))

import foreign_check  # noqa: E402
import foreign_history  # noqa: E402

WEEKS = 8
SEED = 1


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("foreign")
    foreign_history.write_history(out, weeks=WEEKS, seed=SEED)
    return out


@pytest.fixture(scope="module", params=["calls", "intervals_30", "intervals_60"])
def check(history: Path, request: pytest.FixtureRequest) -> foreign_check.Check:
    (res,) = foreign_check.run_check(history, [request.param], ["scenario"], check_weeks=WEEKS, replications=4, backtest_days=0)
    assert res.calibration is not None, res.error
    return res


def test_the_history_has_the_traits_the_model_lacks(history: Path) -> None:
    st = pd.read_csv(history / "true_staffing_30.csv")
    # agents join and leave inside intervals: many time-averages are not whole agents
    assert (st["agents"] % 1 != 0).mean() > 0.5
    aht = pd.read_csv(history / "true_aht_by_hour.csv")
    spread = aht["aht_realised_s"] / aht["aht_realised_s"].mean()
    assert spread.max() > 1.10 and spread.min() < 0.90
    log = pd.read_csv(history / "call_log.csv", sep=";", dtype=str, keep_default_na=False)
    ans = log[log["Result"] == "Answered"]
    h = sum(pd.to_timedelta(ans[c]).dt.total_seconds() for c in ("Talk Time", "Hold Time", "ACW")).to_numpy()
    # handle CV 1.2 overall, plus the hour-of-day variation of the mean; SE of a CV ~ cv/sqrt(2n) x (heavy tail) is < 0.05 here
    cv = h.std() / h.mean()
    assert 1.1 < cv < 1.35, cv
    days = pd.read_csv(history / "true_days.csv")
    assert days["outage"].sum() == len(foreign_history.Centre().outages)
    # a gamma day factor with CV 0.12: the days' factors' SD within its 95 % chi-square interval
    n = len(days)
    sd = float(np.std(days["day_factor"], ddof=1))
    lo, hi = (0.12 * math.sqrt(stats.chi2.ppf(q, n - 1) / (n - 1)) for q in (0.025, 0.975))
    assert lo < sd < hi, (lo, sd, hi)


def _table(check: foreign_check.Check) -> str:
    return foreign_check.render(check.hourly["scenario"], f"[{check.export}] calibrated scenario vs the Ciw history, per hour")


@pytest.mark.parametrize("kpi", ["abandon", "service_level"])
def test_the_calibrated_scenario_reproduces_every_busy_hour(check: foreign_check.Check, kpi: str) -> None:
    h = check.hourly["scenario"]
    busy = h[h["busy"]]
    assert len(busy) >= 6  # the test judges most of the day
    off = busy[busy[f"status_{kpi}"] == "OFF"]
    assert off.empty, f"{kpi}: hours {off['hour'].tolist()} off by more than {foreign_check.TOL[kpi]:.0%}\n{_table(check)}"


@pytest.mark.parametrize("kpi", ["abandon", "service_level"])
def test_every_busy_hour_is_within_the_tolerance(check: foreign_check.Check, kpi: str) -> None:
    h = check.hourly["scenario"]
    beyond = foreign_check.beyond_tolerance(h, kpi)
    assert not beyond, f"{kpi}: hours {beyond} beyond {foreign_check.TOL[kpi]:.0%} + 1 SE\n{_table(check)}"
    busy = h[h["busy"]]
    # the hours that meet it are well inside: the mean |error| of the busy hours is within the tolerance
    assert busy[f"rel_{kpi}"].abs().mean() <= foreign_check.TOL[kpi], _table(check)


def test_outage_days_are_found_and_left_out_of_the_staffing_fit(check: foreign_check.Check) -> None:
    assert check.calibration is not None
    per = check.calibration.staffing.per_interval
    days = set(per.loc[per["outlier"], "date"].dt.strftime("%Y-%m-%d"))
    outages = {d for d, _, _ in foreign_history.Centre().outages}
    # every outage found and no other day (before the overdispersed tail of staffing_outliers: one
    # ordinary day besides the outages in each export)
    assert days == outages

"""Round trip: a call log simulated from known parameters is calibrated back, and every
parameter's CI covers the true value.

Each estimate's 95 % CI half-width is widened to the Bonferroni level over the parameters
checked (a family-wise 95 %), the tolerance derived from the CI, not tuned."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
import yaml
from scipy import stats

from tests.history.conftest import ROUND_TRIP as T

FAMILY = 18
Z_FAMILY = float(stats.norm.ppf(1 - 0.05 / (2 * FAMILY)))


def _covers(est, truth: float) -> bool:
    half = {"low": est.value - est.low, "high": est.high - est.value}
    widen = Z_FAMILY / 1.959963984540054
    return est.value - widen * half["low"] <= truth <= est.value + widen * half["high"]


def _truths() -> dict[str, float]:
    f = T.normalised_factors
    mean_f = sum(v for v in T.weekday_factor.values() if v > 0) / 5
    out = {
        "volume": T.volume * mean_f,
        "day_cv": T.day_cv,
        "talk_s.mean": T.talk_mean,
        "talk_s.cv": T.talk_cv,
        "hold_s.mean": T.hold_mean,
        "hold_s.cv": T.hold_cv,
        "wrap_s.mean": T.wrap_mean,
        "wrap_s.cv": T.wrap_cv,
        "balking_share": T.balk,
        "patience.exp_mean": T.patience_mean,
        "patience.km_median": T.patience_mean * math.log(2 * (1 - T.balk)),  # 8 % zeros, then exponential
    }
    out.update({f"weekday_factor.{w}": f[w] for w in ("mon", "tue", "wed", "thu", "fri")})
    return out


def test_every_ci_covers_the_truth(round_trip) -> None:
    est = {
        e.name: e
        for e in round_trip.demand.estimates()
        + [x for f in round_trip.handling.values() for x in (f.mean, f.cv)]
        + round_trip.patience.estimates()
    }
    truths = _truths()
    if math.isnan(est["patience.km_median"].value):
        # waits too short for the KM curve to reach 1/2: no median to estimate
        assert round_trip.patience.km["survival"].min() > 0.5
        truths.pop("patience.km_median")
    assert len(truths) <= FAMILY
    missed = {k: (est[k].value, est[k].low, est[k].high, v) for k, v in truths.items() if not _covers(est[k], v)}
    assert not missed, missed


def test_fitted_families(round_trip) -> None:
    h = round_trip.handling
    assert h["talk_s"].dist == "lognormal" and h["wrap_s"].dist == "lognormal"
    # hold: a gamma with CV 2 has many values that round to 0.0 s in the export: kept empirical
    assert h["hold_s"].dist in ("gamma", "empirical")


def test_profile_pooled_and_covers_the_truth(round_trip) -> None:
    from sim.scenario.compose import load_scenario

    d = round_trip.demand
    assert d.pooled  # the synthetic centre uses one profile for every weekday
    w = load_scenario("default").demand.profile["all"]
    truth = [x / sum(w) for x in w]
    prof = d.profile.sort_values("minute")
    widen = Z_FAMILY / 1.959963984540054
    z = stats.norm.ppf(1 - 0.05 / (2 * len(truth))) / 1.959963984540054
    half = (prof["ci_high"] - prof["ci_low"]) / 2 * max(widen, z)
    assert ((prof["share"] - truth).abs() <= half).all()


def test_counts_add_up(round_trip) -> None:
    d = round_trip.drops
    assert d.kept + sum(d.by_reason.values()) == d.read
    assert d.by_reason["ivr"] > 0 and d.by_reason["duplicate"] == 25 and d.by_reason["impossible"] == 12


def test_scenario_uses_km_patience_and_the_balking_share(round_trip) -> None:
    p = round_trip.scenario.patience
    assert p.dist == "empirical" and p.balk_share == round(round_trip.patience.balk.value, 4)
    # the Kaplan-Meier quantiles above the balking share: the others' exponential patience, whose
    # mean is within the (family-wise) CI of the exponential MLE, which the values' mean is (below)
    assert _covers(round_trip.patience.exp_mean, T.patience_mean), round_trip.patience.exp_mean
    # the patience the model draws has the mean the report prints (the tail beyond the last
    # observed wait is chosen so; the values are rounded to 0.01 s)
    assert sum(p.values) / len(p.values) == pytest.approx(round_trip.patience.exp_mean.value, abs=0.01)
    assert sum(v == 0 for v in p.values) / len(p.values) < 0.01


@pytest.fixture(scope="module")
def round_trip_report(round_trip_calls, tmp_path_factory: pytest.TempPathFactory):
    """The same history as an interval report (logged-in agents = truth + 3, no agent column)."""
    from sim.history.calibration import calibrate
    from sim.history.synthetic import INTERVAL_MAP, interval_report

    out = Path(tmp_path_factory.mktemp("round_trip_report"))
    interval_report(round_trip_calls, truth=T).to_csv(out / "report.csv", index=False)
    (out / "map.yaml").write_text(yaml.safe_dump(INTERVAL_MAP, allow_unicode=True), encoding="utf-8")
    return calibrate(out / "report.csv", "intervals", out / "map.yaml", name="round_trip_report", scenarios=out / "scen", backtest_days=0)


def _with_truth(pooled: pd.DataFrame) -> pd.DataFrame:
    from sim.history.synthetic import true_staffing

    t = true_staffing(T)
    t["minute"] = t["interval_start"].str.slice(0, 2).astype(int) * 60 + t["interval_start"].str.slice(3, 5).astype(int)
    return pooled.merge(t[["weekday", "minute", "agents"]].rename(columns={"agents": "truth"}), on=["weekday", "minute"])


def test_staffing_cis_cover_the_true_agents(round_trip, round_trip_report) -> None:
    """Item 8 of issue 20: the 95 % CIs of the effective staffing cover the true agents (before:
    69 % and 79 % of the cells, with many one-value CIs). Per input (the call log's and the
    interval report's 90 cells, weekday x half hour) the cells covered are, if each CI holds its
    95 % and the cells are independent, Binomial(90, 0.95): at least its 0.05 % quantile (77, 86 %),
    a family-wise 99.9 % over the two inputs (Bonferroni). (Was: 85 % each and 90 % of the 180
    together; the two inputs come from one history, so their 180 cells are not independent and
    have no binomial bound of their own.)"""
    for name, c in (("calls", round_trip), ("intervals", round_trip_report)):
        p = _with_truth(c.staffing.pooled)
        assert len(p) == len(c.staffing.pooled) == 90
        covered = int(((p["ci_low"] <= p["truth"]) & (p["truth"] <= p["ci_high"])).sum())
        assert covered >= stats.binom.ppf(0.001 / 2, len(p), 0.95), (name, covered, len(p))
        assert (p["ci_high"] > p["ci_low"]).mean() >= 0.9  # not "6 (6-6)"

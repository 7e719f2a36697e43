"""The model with days that close at 24:00.

With every day 00:00-24:00 the closing of one day is the opening of the next: the line stays
open through midnight, the queue is not "served after closing", nobody goes home and nobody
is counted twice. Checked here on the call records, the agent log and the KPIs, and against
Erlang A for a stationary week round the clock (the confidence-interval test of
tests/study/test_validation.py, over the whole run and over the hours around midnight).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.scenario.compose import load_scenario
from sim.schema import WEEKDAYS, Scenario
from sim.study.validation import LoadPoint, formulas
from tests.helpers import ALL_DAY, ROOT
from tests.model.test_engine import check_invariants

EVERY_DAY = "demand.weekday_factor={mon: 1, tue: 1, wed: 1, thu: 1, fri: 1, sat: 1, sun: 1}"
FLAT_48 = ("demand.profile_start='00:00'", "demand.profile={all: [" + ", ".join(["1"] * 48) + "]}")
POINT = LoadPoint("occupancy 0.89, Erlang A", 300, 300, 28, patience_s=180)
EVENING_PEAK = "demand.profile={all: [" + ", ".join(["1"] * 46 + ["2", "2"]) + "]}"  # 23:00-24:00 twice as busy
START, DAYS = pd.Timestamp("2026-12-07"), 3  # Monday to Wednesday, no red day


@lru_cache(maxsize=16)
def round_the_clock(*overrides: str) -> Scenario:
    """The steady-state experiment (exponential handle time and patience, no displaced demand,
    no day factor) open 00:00-24:00 every day at :data:`POINT`'s load, from :data:`START`."""
    return load_scenario("steady_state", [
        *(f"calendar.hours.{d}={ALL_DAY}" for d in WEEKDAYS), EVERY_DAY, *FLAT_48,
        f"demand.volume={POINT.calls_per_hour * 24}", f"handling.talk.mean={POINT.aht_s}", f"staffing.agents={POINT.agents}",
        f"patience.mean={POINT.patience_s}", f"run.start={START.date()}", f"run.end={(START + pd.Timedelta(days=DAYS - 1)).date()}",
        *overrides,
    ], config_dir=ROOT / "scenarios")


@lru_cache(maxsize=4)
def one_run(seed: int = 5) -> sim.SimResult:
    """Nobody abandons and 23:00-24:00 is overloaded (about 530 calls/h for 28 agents who
    answer 336/h): a queue of about 200 callers at every midnight, served in the small hours."""
    return sim.simulate(round_the_clock("patience.dist=infinite", "patience.mean=null", EVENING_PEAK), seed=seed)


def run_end() -> pd.Timestamp:
    return START + pd.Timedelta(days=DAYS)


# --------------------------------------------------------------------------- (a), (b): the calls


def test_callers_queued_at_midnight_are_served_once() -> None:
    c = one_run().calls
    midnights = [START + pd.Timedelta(days=k) for k in range(1, DAYS)]
    across = pd.Series(False, index=c.index)
    for m in midnights:
        across |= (c["arrival"] < m) & (c["answered_at"] >= m)
    assert across.sum() > 2 * 100, "a queue at the midnights (the test needs one)"
    assert (c["fate"] == "answered").all()  # no caller is stranded (nobody abandons)
    # first come, first served through midnight
    assert c.sort_values("arrival")["answered_at"].is_monotonic_increasing
    # the line did not close at midnight: no call counts as answered after closing, and the
    # only closing of the opening is the end of the run
    assert (c["closes_at"] == run_end()).all()
    assert not c.loc[c["answered_at"] < run_end(), "after_close"].any()
    # every call is one row, and answered by one agent at a time
    assert c["call_id"].is_unique and c["call_id"].tolist() == list(range(len(c)))
    for _, g in c[c["answered_at"].notna()].groupby("agent"):
        g = g.sort_values("answered_at")
        assert (g["answered_at"].iloc[1:].to_numpy() >= g["ended_at"].iloc[:-1].to_numpy()).all()


def test_calls_are_conserved_per_day_and_interval() -> None:
    r = sim.simulate(round_the_clock(), seed=5)  # with abandonment
    c = r.calls
    assert set(c["fate"]) == {"answered", "abandoned"}
    assert (c["arrival"] >= START).all() and (c["arrival"] < run_end()).all()
    for freq in ("D", "30min"):
        k = r.kpis(freq)
        k = k[k["offered"] > 0]
        assert k["offered"].sum() == len(c), freq
        assert (k["answered"] + k["abandoned"] == k["offered"]).all(), freq
    day = r.kpis("D").set_index("period")
    by_arrival = c.groupby(c["arrival"].dt.normalize()).size()
    assert (day.loc[by_arrival.index, "offered"] == by_arrival).all()
    assert len(by_arrival) == DAYS


# --------------------------------------------------------------------------- (c): the agent log


def test_agent_log_has_every_interval_and_no_phantom_closing() -> None:
    r = one_run()
    a = r.agents
    step = 1800.0
    inside = a[a["interval_start"] < run_end()]
    expected = pd.date_range(START, run_end(), freq="30min", inclusive="left")
    assert inside["interval_start"].tolist() == expected.tolist()  # none missing, none twice
    np.testing.assert_allclose(inside["staffed_s"], POINT.agents * step)
    np.testing.assert_allclose(inside["present_s"], POINT.agents * step)  # nobody went home at midnight
    assert (inside["overtime_s"] == 0).all()
    assert (a["busy_s"] <= a["present_s"] + 1e-6).all()
    np.testing.assert_allclose(a["idle_s"], a["present_s"] - a["busy_s"])
    after = a[a["interval_start"] >= run_end()]
    assert (after["staffed_s"] == 0).all() and (after["overtime_s"] == after["present_s"]).all()
    answered = r.calls["answered_at"].notna()
    assert a["busy_s"].sum() == pytest.approx(r.calls.loc[answered, "handle_s"].sum())
    # the daily overtime is the queue served after the run's last closing only
    day = r.kpis("D").set_index("period")
    assert (day.loc[day.index < run_end(), "overtime_s"] == 0).all()


# --------------------------------------------------------------------------- (d): Erlang A


REPS = 20
WINDOWS = ("run", "midnight")
CHECKS = 4 * len(WINDOWS)
LEVEL = 1 - 0.01 / CHECKS  # Bonferroni: the test fails by chance with probability <= 1 %
WARMUP = pd.Timedelta(hours=2)


def _kpis(c: pd.DataFrame) -> dict[str, float]:
    answered = c["answered_at"].notna()
    return {
        "p_wait": float((c["wait_s"] > 0).mean()),
        "service_level": float((answered & (c["wait_s"] <= POINT.target_s)).mean()),
        "asa_s": float(c.loc[answered, "wait_s"].mean()),
        "p_abandon": float((c["fate"] == "abandoned").mean()),
    }


def _window(c: pd.DataFrame, name: str) -> pd.DataFrame:
    if name == "run":
        return c[c["arrival"] >= START + WARMUP]
    clock = c["arrival"] - c["arrival"].dt.normalize()
    near = (clock >= pd.Timedelta(hours=23)) | (clock < pd.Timedelta(hours=1))
    return c[near & (c["arrival"] >= START + WARMUP)]  # 23:00-01:00 around both inner midnights


def test_round_the_clock_matches_erlang_a() -> None:
    s = round_the_clock()
    runs: dict[str, list[dict[str, float]]] = {w: [] for w in WINDOWS}
    for child in np.random.SeedSequence(2400).spawn(REPS):
        c = sim.simulate(s, child).calls
        for w in WINDOWS:
            runs[w].append(_kpis(_window(c, w)))
    theory = formulas(POINT)
    t = stats.t.ppf(0.5 + LEVEL / 2, REPS - 1)
    missed = []
    for w in WINDOWS:
        frame = pd.DataFrame(runs[w])
        for kpi, x in frame.items():
            mean, half = float(x.mean()), float(t * x.std(ddof=1) / math.sqrt(REPS))
            if not mean - half <= theory[kpi] <= mean + half:
                missed.append(f"{w} {kpi}: formula {theory[kpi]:.4f} outside [{mean - half:.4f}, {mean + half:.4f}]")
    assert not missed, missed


# --------------------------------------------------------------------------- (e): the 15:00 rule


def test_the_1500_rule_closes_a_24_hour_day_at_1500() -> None:
    s = round_the_clock("calendar.early_close='15:00'", "run.start=2026-12-22", "run.end=2026-12-27", "staffing.agents=25")
    r = sim.simulate(s, seed=3)
    c = r.calls
    day = c["arrival"].dt.normalize()
    eve = pd.Timestamp("2026-12-23 15:00")
    assert (c.loc[day == "2026-12-23", "arrival"] < eve).all()
    assert not day.isin(pd.to_datetime(["2026-12-24", "2026-12-25", "2026-12-26"])).any()
    assert (c.loc[day == "2026-12-27", "arrival"] >= pd.Timestamp("2026-12-27")).all() and (day == "2026-12-27").any()
    # 22nd 00:00 to 23rd 15:00 is one opening, then Sunday the 27th round the clock
    assert set(c["closes_at"]) == {eve, pd.Timestamp("2026-12-28")}
    assert (c.loc[day <= "2026-12-23", "closes_at"] == eve).all()
    a = r.agents.set_index("interval_start")
    assert a.loc[:"2026-12-23 14:30", "overtime_s"].sum() == 0  # not at the midnight of the 22nd
    assert a.loc["2026-12-23 15:00":"2026-12-23 23:30", "overtime_s"].sum() > 0  # the queue at 15:00 is served
    assert a.loc["2026-12-23 15:00":"2026-12-23 23:30", "staffed_s"].sum() == 0
    assert r.calls.loc[r.calls["after_close"], "closes_at"].eq(eve).all()
    np.testing.assert_allclose(r.calendar["open_h"], [24.0, 15.0, 0.0, 0.0, 0.0, 24.0])


# --------------------------------------------------------------------------- mixed weeks and features


def test_a_mixed_week_runs() -> None:
    """Mon-Fri 08:00-24:00, the weekend closed, the default demand, handling and patience."""
    evenings = [f"calendar.hours.{d}={{opens: '08:00', closes: '24:00'}}" for d in WEEKDAYS[:5]]
    s = load_scenario(overrides=[*evenings, "calendar.hours.sat=null", "calendar.hours.sun=null", *FLAT_48,
                                 "staffing=flat", "staffing.agents=8", "run.start=2026-12-03", "run.end=2026-12-08"],
                      config_dir=ROOT / "scenarios")
    r = sim.simulate(s, seed=2)
    check_invariants(r)
    c = r.calls
    assert c["arrival"].dt.day_of_week.isin([5, 6]).sum() == 0
    assert (c["arrival"].dt.hour >= 8).all()
    assert (c["arrival"].dt.hour == 23).sum() > 0
    # Friday's queue at 24:00 is served after the closing, on Saturday's clock
    assert (c["closes_at"] == pd.Timestamp("2026-12-05")).any()
    np.testing.assert_allclose(r.calendar["open_h"], [16.0, 16.0, 0.0, 0.0, 16.0, 16.0])
    a = r.agents
    assert (a["busy_s"] <= a["present_s"] + 1e-6).all()
    displaced = c[c["displaced"]]
    # night callers ring again in the first two hours after 08:00 (demand.displaced_intervals: 4)
    assert len(displaced) > 0 and displaced["arrival"].dt.hour.isin([8, 9]).all()


@pytest.mark.parametrize("pending", ["serve", "next_opening"])
def test_callbacks_transfers_and_repeats_round_the_clock(pending: str) -> None:
    s = round_the_clock("callbacks=on", f"callbacks.pending_at_close={pending}", "transfers=warm", "repeats=on",
                        "run.end=2026-12-08")
    r = sim.simulate(s, seed=4)
    c = r.calls
    assert len(c) > 10_000
    assert c["call_id"].is_unique
    assert (c["callback_offered"] & c["callback_accepted_at"].notna()).sum() > 0
    assert (c["fate"] == "transferred_warm").sum() > 0 and (c["attempt"] > 1).sum() > 0
    k = r.kpis("D")
    assert k["offered"].sum() == len(c)
    assert (r.agents["busy_s"] <= r.agents["present_s"] + 1e-6).all()
    inside = r.agents[(r.agents["interval_start"] < pd.Timestamp("2026-12-09")) & (r.agents["group"] == "first_line")]
    np.testing.assert_allclose(inside["present_s"], POINT.agents * 1800.0)
    assert (inside["overtime_s"] == 0).all()


def test_cases_are_due_on_the_wall_clock_when_the_office_never_closes() -> None:
    s = round_the_clock("cases=on", "staffing.agents=34", "run.end=2026-12-08")
    r = sim.simulate(s, seed=6)
    cases = r.cases
    assert cases is not None and len(cases) > 100
    due = cases["arrival"] + pd.to_timedelta(cases["target_h"], unit="h")
    np.testing.assert_allclose((cases["due_at"] - due).dt.total_seconds(), 0.0, atol=1e-3)
    handled = cases["status"] == "handled"
    hours = (cases.loc[handled, "finished_at"] - cases.loc[handled, "arrival"]).dt.total_seconds() / 3600
    np.testing.assert_allclose(cases.loc[handled, "work_h"], hours, atol=1e-6)

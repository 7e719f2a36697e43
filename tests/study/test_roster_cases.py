"""The roster loop with case work on: a weekday whose cases miss a case target gets one agent
more in every interval, and the loop ends only when the phones and the cases both meet."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
import sim.study.roster as roster_mod
from sim.schema import Scenario
from sim.study.roster import build_roster, roster_loop, with_roster
from sim.study.runner import run_replications
from sim.study.search import cell_kpis, erlang_table

# two weeks (Tue 1 to Mon 14 December, two Mondays with their weekends' cases), one agent in a
# case team, and blended phone agents who take a case only while 5 others stay idle: the roster
# of the phone requirement (Erlang A) leaves the cases far behind
CASES = ["run.end=2026-12-14", "cases=on", "cases.dedicated={mode:constant,agents:1}", "cases.reserve=5"]
FRESH = 424_242  # never used by the loop (seed 1)


def weekday_shares(s: Scenario, days: pd.DataFrame) -> pd.DataFrame:
    """Per weekday (Saturday and Sunday with Monday, as the loop counts them) and replication:
    the mean share within target of each case kind over that weekday's days."""
    wd = days["period"].dt.strftime("%a").str.lower().replace({"sat": "mon", "sun": "mon"})
    cols = [f"within_target_{k}" for k in s.cases.kinds]
    return days.assign(weekday=wd)[["weekday", "replication", *cols]].groupby(["weekday", "replication"]).mean()


def bounds(shares: pd.DataFrame, q: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(mean − t·SE, mean + t·SE) per weekday and kind over the replications (t at quantile ``q``)."""
    g = shares.groupby(level="weekday")
    mean, se, n = g.mean(), g.std(ddof=1) / np.sqrt(g.count()), g.count()
    t = stats.t.ppf(q, n - 1)
    return mean - t * se.fillna(0), mean + t * se.fillna(0)


def test_the_phone_roster_misses_the_cases_and_the_loop_roster_meets_them() -> None:
    s = sim.load_scenario("default", CASES)
    need = erlang_table(s)  # the phones' requirement
    t = s.targets
    # fresh seeds: the roster of the phone requirement leaves some weekday's cases short for sure (one-sided 95 %)
    phone_only = run_replications(with_roster(s, build_roster(s, need)), 4, FRESH, levels=("day",), workers=1)
    _, upper = bounds(weekday_shares(s, phone_only.level("day")), 0.95)
    assert (upper < t.case_share_min).any(axis=None), upper

    loop = roster_loop(s, need, replications=3, seed=1, confidence=0.9, rounds=6, workers=1)
    assert loop.met and loop.case_days_short == [], loop.history
    assert any(h["case_days_short"] for h in loop.history), "the loop raised the requirement for the cases"
    assert loop.history[-1]["intervals_missing"] == 0 and loop.history[-1]["case_days_short"] == ""
    assert all(a >= b for d in need for a, b in zip(loop.roster.requirement[d], need[d], strict=True))

    # fresh seeds: no weekday's cases and no phone interval miss a target for sure (one-sided 95 %, Bonferroni)
    reps = 6
    mc = run_replications(with_roster(s, loop.roster), reps, FRESH, levels=("interval", "day", "run"), workers=1)
    shares = weekday_shares(s, mc.level("day"))
    tests = shares.index.get_level_values("weekday").nunique() * shares.shape[1]  # weekdays × kinds
    _, upper = bounds(shares, 1 - 0.05 / tests)
    assert not (upper < t.case_share_min).any(axis=None), upper
    run = mc.level("run")
    for k in s.cases.kinds:
        assert run[f"within_target_{k}"].mean() >= t.case_share_min
    cells = cell_kpis(mc.level("interval"), t, 0.5)
    cells = cells[cells["offered"] > 0]
    z = stats.t.ppf(1 - 0.05 / len(cells), reps - 1)
    assert not ((cells["service_level"] + z * cells["service_level_se"]) < t.service_level_min).any()
    assert not ((cells["availability"] + z * cells["availability_se"]) < t.availability_min).any()
    assert not ((cells["asa_s"] - z * cells["asa_s_se"]) > t.asa_max_s).any()


# --------------------------------------------------------------------------- the rule, with the simulation stubbed


def _stub(monkeypatch: pytest.MonkeyPatch, short_rounds: int, short_day: str = "tue") -> list[dict[str, list[int]]]:
    """Every interval meets the phone targets; ``short_day``'s cases miss in the first
    ``short_rounds`` evaluations. Returns the requirement each evaluation saw."""
    seen: list[dict[str, list[int]]] = []

    def evaluate_staffed(staffed: Scenario, *args: object, **kwargs: object) -> tuple[pd.DataFrame, pd.DataFrame]:
        rnd = len(seen)
        seen.append({d: list(v) for d, v in seen_req.items()})
        cells = pd.DataFrame({"weekday": ["tue", "wed"], "interval_start": ["08:00", "08:00"], "meets": [True, True]})
        low = 0.5 if rnd < short_rounds else 0.99
        days = pd.DataFrame({"weekday": ["tue", "wed"], "within_target_fault_report": [low if short_day == "tue" else 0.99, 0.99],
                             "within_target_case_order": [0.99, 0.99], "case_met": [True, True]})
        return cells, days

    real_build = roster_mod.build_roster
    seen_req: dict[str, list[int]] = {}

    def build(s: Scenario, req: dict[str, list[int]], solved: dict | None = None) -> roster_mod.Roster:
        seen_req.clear()
        seen_req.update(req)
        return real_build(s, req, solved)

    monkeypatch.setattr(roster_mod, "evaluate_staffed", evaluate_staffed)
    monkeypatch.setattr(roster_mod, "build_roster", build)
    return seen


def _tiny(*overrides: str) -> tuple[Scenario, dict[str, list[int]]]:
    s = sim.load_scenario("tiny", ["staffing=fibra", *overrides])
    return s, {d: v for d, v in erlang_table(s).items() if d in ("tue", "wed")}


def test_a_short_case_day_gets_one_agent_more_in_every_interval_until_its_cases_meet(monkeypatch: pytest.MonkeyPatch) -> None:
    s, need = _tiny("cases=on")
    seen = _stub(monkeypatch, short_rounds=2)
    loop = roster_loop(s, need, replications=2, seed=1, rounds=5)
    assert [h["case_days_short"] for h in loop.history] == ["tue", "tue", ""]  # the phones met from the start
    assert loop.met and len(seen) == 3
    assert seen[1]["tue"] == [n + 1 for n in need["tue"]] and seen[2]["tue"] == [n + 2 for n in need["tue"]]
    assert seen[2]["wed"] == need["wed"]


def test_the_round_cap_with_cases_short_is_not_met(monkeypatch: pytest.MonkeyPatch) -> None:
    s, need = _tiny("cases=on")
    _stub(monkeypatch, short_rounds=10)
    loop = roster_loop(s, need, replications=2, seed=1, rounds=2)
    assert not loop.met and loop.case_days_short == ["tue"] and len(loop.history) == 2


def test_without_blending_the_roster_cannot_help_the_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    # cases.blend false: the case team alone works the cases, so raising the roster is no use:
    # the loop stops when the phones meet and reports the shortfall
    s, need = _tiny("cases=on", "cases.blend=false", "cases.dedicated={mode:constant,agents:1}")
    seen = _stub(monkeypatch, short_rounds=10)
    loop = roster_loop(s, need, replications=2, seed=1, rounds=4)
    assert not loop.met and loop.case_days_short == ["tue"] and len(seen) == 1


# --------------------------------------------------------------------------- cases off: exactly as before

# The loop of tests/study/test_roster.py (two days at 600 calls), 3 replications of seed 5, 3 rounds,
# computed with the loop before case work was added to it (commit 1d489cc).
BEFORE = [
    (159.5, 148.5, 16, "tue 08:30, tue 10:00, tue 10:30, tue 11:00, tue 13:30, tue 15:00, tue 16:30, wed 08:00, wed 09:00, "
                       "wed 09:30, wed 10:00, wed 11:30, wed 12:00, wed 12:30, wed 13:00, wed 13:30"),
    (170.0, 156.5, 8, "tue 08:30, tue 10:00, tue 15:00, tue 15:30, wed 09:30, wed 12:00, wed 12:30, wed 13:30"),
    (175.0, 160.5, 2, "wed 09:30, wed 12:00"),
]
BEFORE_REQUIREMENT = {"tue": [7, 11, 10, 11, 13, 11, 11, 9, 8, 8, 9, 10, 9, 8, 10, 8, 6, 6],
                      "wed": [7, 8, 11, 12, 11, 10, 9, 9, 9, 9, 9, 11, 8, 8, 7, 7, 6, 5]}


def test_with_cases_off_the_loop_is_unchanged(variant) -> None:
    # roster.break_gap_min=0: the templates of that commit (no gap between an agent's breaks)
    s = variant(**{"demand.volume": 600.0, "roster.break_gap_min": 0})
    s = sim.validate({**s.model_dump(mode="json"), "staffing": sim.load_scenario().staffing.model_dump(mode="json")})
    assert not s.cases.enabled
    need = {d: v for d, v in erlang_table(s).items() if d in ("tue", "wed")}
    loop = roster_loop(s, need, replications=3, seed=5, confidence=0.9, rounds=3, workers=1)
    assert all(set(h) == {"round", "paid_h", "lower_bound_h", "gap", "solve_s", "intervals_missing", "missing"} for h in loop.history)
    assert [(h["paid_h"], h["lower_bound_h"], h["intervals_missing"], h["missing"]) for h in loop.history] == BEFORE
    assert loop.roster.requirement == BEFORE_REQUIREMENT and not loop.met and loop.case_days_short == []

"""Rostering a scenario: coverage, the schedule the model sees, errors, and the simulation loop."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import sim
from sim.errors import ScenarioError
from sim.study.roster import build_roster, roster_loop, with_roster
from sim.study.runner import run_replications
from sim.study.search import cell_kpis, erlang_table
from sim.world.calendar import day_plans
from sim.world.staffing import build_schedule


@pytest.fixture(scope="module")
def default_roster():
    s = sim.load_scenario()
    return s, build_roster(s, erlang_table(s))


def test_roster_covers_the_requirement_in_every_slot(default_roster) -> None:
    s, r = default_roster
    cov = r.coverage()
    assert len(cov) == 5 * 36 and (cov["on_phones"] >= cov["required"]).all()
    assert (cov["scheduled"] >= cov["on_phones"]).all() and (cov["scheduled"] > cov["on_phones"]).any()
    assert r.paid_h >= r.lower_bound_h and 0 <= r.gap < 0.05
    frame = r.frame()
    assert list(frame.columns) == ["weekday", "shift_start", "shift_end", "lunch", "breaks", "agents", "paid_h"]
    assert frame["agents"].sum() == sum(int(d.counts.sum()) for d in r.days.values())
    long = frame[frame["paid_h"] >= 5.5]  # shifts of 6 h or more have an (unpaid) lunch
    assert (long["lunch"] != "").all() and (frame.loc[frame["paid_h"] < 5.5, "lunch"] == "").all()


def test_the_model_schedule_is_the_roster(default_roster) -> None:
    # the staffing the simulation follows = agents on the phones of the roster, slot by slot
    s, r = default_roster
    staffed = with_roster(s, r)
    plans = day_plans(s.calendar, s.run.start, s.run.end)
    sch = build_schedule(staffed, plans)
    cov = r.coverage()
    checked = 0
    for k, p in enumerate(plans[:7]):
        if p.opens is None or p.closes != p.regular_closes:
            continue
        day = cov[cov["weekday"] == p.date.strftime("%a").lower()]
        for clock, phones in zip(day["slot_start"], day["on_phones"], strict=True):
            h, m = map(int, clock.split(":"))
            j = np.searchsorted(sch.times, k * 86400.0 + 3600 * h + 60 * m + 1, side="right") - 1
            assert sch.counts[j] == phones
            assert sch.on_break is not None and sch.counts[j] + sch.on_break[j] == day.loc[day["slot_start"] == clock, "scheduled"].item()
            checked += 1
    assert checked == 5 * 36


def test_uncoverable_intervals_are_named() -> None:
    s = sim.load_scenario("default", ['roster.start_earliest="09:00"'])
    with pytest.raises(ScenarioError) as e:
        build_roster(s, erlang_table(s))
    text = str(e.value)
    assert "on mon at 08:00-08:30, 08:30-09:00" in text and "no allowed shift is on the phones" in text and "roster.start_earliest" in text


def test_max_agents_names_the_intervals() -> None:
    s = sim.load_scenario("default", ["roster.limits.all.max_agents=5"])
    with pytest.raises(ScenarioError) as e:
        build_roster(s, erlang_table(s))
    assert "more than max_agents = 5" in str(e.value) and "roster.limits.mon.max_agents" in str(e.value)


def test_loop_ends_with_a_roster_meeting_the_targets_with_fresh_seeds(variant) -> None:
    # two days (Tue, Wed) at 600 calls a day; roster the Erlang A table and let the loop raise it
    s = variant(**{"demand.volume": 600.0})
    s = sim.validate({**s.model_dump(mode="json"), "staffing": sim.load_scenario().staffing.model_dump(mode="json")})
    need = {d: v for d, v in erlang_table(s).items() if d in ("tue", "wed")}  # the run's weekdays
    loop = roster_loop(s, need, replications=6, seed=1, confidence=0.9, rounds=6, workers=1)
    assert len(loop.history) > 1, "the Erlang A requirement misses somewhere: the loop had to raise it"
    assert loop.met and loop.history[-1]["intervals_missing"] == 0
    assert all(h["paid_h"] >= h["lower_bound_h"] for h in loop.history)
    # fresh seeds: no interval misses a target for sure (one-sided 95 %, Bonferroni over the intervals)
    mc = run_replications(with_roster(s, loop.roster), 12, 987_654, levels=("interval", "run"), workers=1)
    cells = cell_kpis(mc.level("interval"), s.targets, 0.5)
    cells = cells[cells["offered"] > 0]
    z = stats.t.ppf(1 - 0.05 / len(cells), 11)
    t = s.targets
    assert not ((cells["service_level"] + z * cells["service_level_se"]) < t.service_level_min).any()
    assert not ((cells["availability"] + z * cells["availability_se"]) < t.availability_min).any()
    assert not ((cells["asa_s"] - z * cells["asa_s_se"]) > t.asa_max_s).any()
    run = mc.level("run")
    assert run["service_level"].mean() > t.service_level_min and run["availability"].mean() > t.availability_min

"""Agents on the phones per interval, one definition (sim.world.staffing.phones_per_slot): the
time-average over the interval, what an Erlang requirement per interval is compared with, and
the same number wherever a plan, a roster or a schedule is turned into agents per interval."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.roster import Pattern
from sim.analysis.roster import on_phones as roster_on_phones
from sim.analysis.schedule_check import Limits, check
from sim.analysis.schedule_check import on_phones as schedule_on_phones
from sim.history.followup import read_plan_staffing
from sim.schema import TeamConfig
from sim.world.staffing import Duty, agent_counts, phones_per_slot

H = 60


def test_a_shift_starting_off_the_grid_is_half_an_agent_in_its_first_interval() -> None:
    # 08:15-10:00 on a 30-minute grid from 08:00: on the phones 15 of the 30 minutes of 08:00-08:30
    assert phones_per_slot([Duty(8 * H + 15, 10 * H)], 8 * H, 4, 30).tolist() == [0.5, 1.0, 1.0, 1.0]
    # counting the agent at the slot's start would say 0 (or 1, stepping from the shift's start); whole slots only, 0


def test_a_break_takes_its_share_of_the_interval() -> None:
    d = Duty(8 * H, 10 * H, ((9 * H, 9 * H + 15),), agents=2.0)
    assert phones_per_slot([d], 8 * H, 4, 30).tolist() == [2.0, 2.0, 1.0, 2.0]
    assert phones_per_slot([d], 8 * H, 8, 15).tolist() == [2.0, 2.0, 2.0, 2.0, 0.0, 2.0, 2.0, 2.0]


def test_overlapping_breaks_count_once_and_a_break_outside_its_shift_takes_nothing() -> None:
    d = Duty(8 * H, 10 * H, ((8 * H + 30, 9 * H), (8 * H + 45, 9 * H), (11 * H, 11 * H + 30)))
    assert phones_per_slot([d], 8 * H, 4, 30).tolist() == [1.0, 0.0, 1.0, 1.0]


def test_a_shift_is_clipped_to_the_slots_asked_for() -> None:
    # 06:00-09:15 seen from 08:00: nothing wraps around to other slots
    assert phones_per_slot([Duty(6 * H, 9 * H + 15)], 8 * H, 4, 30).tolist() == [1.0, 1.0, 0.5, 0.0]


def test_agent_minutes_on_the_phones_are_kept_exactly() -> None:
    """The definition's point: Σ slots (agents × slot length) = agent-minutes on the phones, the
    capacity an Erlang requirement per interval asks for; counting at the slot start does not keep it."""
    rng = np.random.default_rng(7)
    duties = []
    for _ in range(200):
        a = int(rng.integers(0, 20 * H))
        b = int(rng.integers(a + 1, 24 * H + 1))
        lo = int(rng.integers(a, b))
        duties.append(Duty(a, b, ((lo, min(b, lo + int(rng.integers(1, 45)))),), float(rng.integers(1, 4))))
    minutes_on = sum(d.agents * ((d.end - d.start) - (d.off[0][1] - d.off[0][0])) for d in duties)
    for slot in (15, 30, 60):
        assert phones_per_slot(duties, 0, 24 * H // slot, slot).sum() * slot == pytest.approx(minutes_on, rel=1e-12)


def test_whole_counts_stay_integers() -> None:
    assert agent_counts(np.array([2.0, 3.0])).dtype == np.int64
    assert agent_counts(np.array([2.0, 2.5])).tolist() == [2.0, 2.5]
    assert agent_counts(np.array([1 / 3])).tolist() == [0.33]


# one schedule, off the 30-minute grid: a1 08:15-12:00 with a break 10:00-10:15, a2 08:00-10:45
DAY = dt.date(2026, 11, 2)
OPEN = (8 * H, 12 * H)
TIME_AVERAGE = [1.5, 2.0, 2.0, 2.0, 1.5, 1.5, 1.0, 1.0]
SCHEDULE = pd.DataFrame({"agent": ["a1", "a2"], "name": ["A1", "A2"], "date": [DAY, DAY], "shift_start": ["08:15", "08:00"],
                         "shift_end": ["12:00", "10:45"], "lunch": ["", ""], "breaks": ["10:00-10:15", ""], "paid_h": [3.75, 2.75]})


def test_the_follow_up_the_checker_and_the_roster_count_an_off_grid_schedule_alike(tmp_path: Path) -> None:
    """The follow-up's plan (sim.history.followup), the schedule's coverage (sim.analysis.schedule_check)
    and the roster's (sim.analysis.roster) give the same time-average; the checker used to count an
    agent at each slot start stepped from the shift's start, [2, 2, 2, 2, 2, 2, 1, 1]."""
    SCHEDULE.to_csv(tmp_path / "schedule.csv", index=False)
    plan, kind = read_plan_staffing(tmp_path / "schedule.csv", 30)
    assert kind == "schedule"
    inside = plan[(plan["minute"] >= OPEN[0]) & (plan["minute"] < OPEN[1])]
    assert inside["agents"].tolist() == TIME_AVERAGE
    assert plan["agents"].sum() == sum(TIME_AVERAGE)
    assert schedule_on_phones(SCHEDULE, {DAY: OPEN}, 30)[DAY].tolist() == TIME_AVERAGE
    pats = [Pattern(8 * H + 15, 225, ((10 * H, 15),), 225, False), Pattern(8 * H, 165, (), 165, False)]
    assert roster_on_phones(pats, np.array([1, 1]), *OPEN, 30).tolist() == TIME_AVERAGE


def test_the_checker_judges_coverage_by_the_time_average() -> None:
    team = TeamConfig.model_validate({"agents": [{"id": "a1", "name": "A1", "contract": 1.0}, {"id": "a2", "name": "A2", "contract": 1.0}]})
    need = {DAY: np.array([2, 2, 2, 2, 1, 1, 1, 1])}
    found = check(SCHEDULE, team, {DAY: OPEN}, need, 30, Limits())
    assert list(found["rule"]) == ["coverage"] and found["detail"].iloc[0].startswith("08:00: 1.5 on the phones, 2 needed"), found
    assert check(SCHEDULE, team, {DAY: OPEN}, need, 30, Limits(), declared_short={DAY: np.array([0.5] + [0] * 7)}).empty

"""The independent schedule checker: silent on a schedule that keeps the rules, loud on each hand-made violation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sim.analysis.roster import BreakRule, Shift
from sim.analysis.schedule import legal_shift
from sim.analysis.schedule_check import Limits, check
from sim.schema import TeamConfig

D = [dt.date(2026, 12, 7) + dt.timedelta(days=k) for k in range(7)]  # Monday to Sunday
TEAM = TeamConfig.model_validate({"agents": [
    {"id": "a", "name": "A", "contract": 1.0},
    {"id": "b", "name": "B", "contract": 1.0, "skills": ["cases"]},
    {"id": "c", "name": "C", "contract": 0.5, "days_off": ["fri"], "vacations": [{"start": "2026-12-09", "end": "2026-12-09"}],
     "earliest_start": "09:00"},
]})
HOURS = {d: (6 * 60, 23 * 60) for d in D}  # long opening hours, so that the rest rules can be broken
SLOT = 60


def _row(agent: str, day: int, start: str, end: str, lunch: str = "", breaks: str = "", paid: float | None = None) -> dict:
    length = (int(end[:2]) * 60 + int(end[3:]) - int(start[:2]) * 60 - int(start[3:])) / 60
    unpaid = sum((int(b[:2]) * 60 + int(b[3:5]) - int(a[:2]) * 60 - int(a[3:5])) / 60 for a, b in
                 (s.split("-") for s in lunch.split())) if lunch else 0.0
    return {"agent": agent, "name": agent.upper(), "date": D[day], "shift_start": start, "shift_end": end, "lunch": lunch,
            "breaks": breaks, "paid_h": length - unpaid if paid is None else paid}


GOOD = [_row("a", k, "08:00", "17:00", "12:00-12:30", "10:00-10:15 14:00-14:15") for k in range(5)]


def _need(frame_rows: list[dict]) -> dict[dt.date, np.ndarray]:
    return {d: np.zeros((HOURS[d][1] - HOURS[d][0]) // SLOT) for d in D}


def _check(rows: list[dict], need: dict | None = None, band: dict | None = None) -> pd.DataFrame:
    return check(pd.DataFrame(rows), TEAM, HOURS, need or _need(rows), SLOT, Limits(), band)


def test_a_legal_week_passes() -> None:
    assert _check(GOOD, band={"a": (40.0, 45.0)}).empty


@pytest.mark.parametrize(("rows", "rule"), [
    ([*GOOD[:1], _row("a", 0, "18:00", "20:00")], "one shift a day"),
    ([_row("a", 0, "12:00", "22:00", "16:00-16:30"), _row("a", 1, "06:00", "10:00")], "daily rest"),
    ([_row("a", k, "08:00", "16:00", "12:00-12:30") for k in range(7)], "weekly rest"),
    ([_row("a", 0, "08:00", "17:00", "11:00-11:30")], "work without a break"),
    ([_row("b", 0, "08:00", "12:00")], "skills"),
    ([_row("c", 2, "09:00", "13:00")], "vacation"),
    ([_row("c", 4, "09:00", "13:00")], "day off"),
    ([_row("c", 0, "08:00", "12:00")], "earliest start"),
    ([_row("a", 0, "05:00", "09:00")], "opening hours"),
    ([_row("a", 0, "08:00", "12:00", paid=4.5)], "paid hours"),
    ([_row("a", 0, "08:00", "12:00", "", "09:00-09:30 09:15-09:45")], "breaks"),
])
def test_each_violation_is_found(rows: list[dict], rule: str) -> None:
    found = _check(rows)
    assert rule in set(found["rule"]), found


def test_weekly_rest_is_judged_per_week_not_per_rolling_window() -> None:
    # Monday to Friday, then Monday again: a rolling 7-day window from Tuesday to the next Monday
    # holds its 63 h of rest only across the weekend (so it passes too), and each Mon-Sun week has
    # Saturday and Sunday free. A second week of work after the weekend must not be read as a
    # week without rest.
    days = [*D, D[-1] + dt.timedelta(days=1)]
    hours = {d: (6 * 60, 23 * 60) for d in days}
    rows = [*GOOD, {**GOOD[0], "date": days[7]}]
    found = check(pd.DataFrame(rows), TEAM, hours, {d: np.zeros((23 - 6) * 60 // SLOT) for d in days}, SLOT, Limits(), None)
    assert found.empty, found
    # the same two weeks with the weekend worked as well: now the first week has no 36 h of rest
    worked = [*rows, {**GOOD[0], "date": D[5]}, {**GOOD[0], "date": D[6]}]
    found = check(pd.DataFrame(worked), TEAM, hours, {d: np.zeros((23 - 6) * 60 // SLOT) for d in days}, SLOT, Limits(), None)
    assert "weekly rest" in set(found["rule"])


def test_contract_hours_outside_the_band() -> None:
    found = _check(GOOD[:2], band={"a": (40.0, 45.0)})
    assert list(found["rule"]) == ["contract hours"]


def test_coverage_after_breaks_and_declared_shortage() -> None:
    need = _need(GOOD)
    need[D[0]][(12 * 60 - 6 * 60) // SLOT] = 1  # 12:00-13:00: agent a is at lunch 12:00-12:30, half an agent in the hour
    found = _check(GOOD[:1], need)
    assert list(found["rule"]) == ["coverage"] and "12:00: 0.5 on the phones, 1 needed" in found["detail"].iloc[0]
    declared = {D[0]: need[D[0]].copy()}
    assert check(pd.DataFrame(GOOD[:1]), TEAM, HOURS, need, SLOT, Limits(), None, declared).empty


def test_break_windows_are_narrowed_to_keep_five_hours() -> None:
    lunch = BreakRule(30, 180, 270, 360, paid=False)
    brk = BreakRule(15, 60, 120, 240, paid=True)
    nine = legal_shift(Shift(480, 540, (brk, lunch)), 300, True, 15)
    assert nine is not None and (nine.rules[1].earliest_min, nine.rules[1].latest_min) == (210, 270)  # 3.5-4.5 h
    assert legal_shift(Shift(480, 600, (brk, lunch)), 300, True, 15).rules[1].earliest_min == 270  # 10 h: lunch at 4.5 h only
    assert legal_shift(Shift(480, 630, (brk, lunch)), 300, True, 15) is None  # 10.5 h with one 30-min lunch: impossible
    assert legal_shift(Shift(480, 300, (brk,)), 300, True, 15) is not None  # 5 h without a rast is allowed
    assert legal_shift(Shift(480, 330, (brk,)), 300, True, 15) is None


@pytest.mark.parametrize(("start", "end", "lunch", "rule", "words"), [
    ("25:99", "08:00", "", "shift times", "'25:99' is not a clock time"),  # read as 1599 minutes before: only "paid hours" was found
    ("12:00", "08:00", "", "shift times", "does not end after it starts"),
    ("24:00", "24:00", "", "shift times", "allowed only as an end"),
    ("08:00", "12:00", "10:30-10:00", "breaks", "ends before it starts"),
    ("08:00", "12:00", "10:00", "breaks", "not a span"),
])
def test_a_row_that_does_not_read_is_reported_not_judged(start: str, end: str, lunch: str, rule: str, words: str) -> None:
    found = _check([{**_row("a", 0, "08:00", "12:00"), "shift_start": start, "shift_end": end, "lunch": lunch}])
    assert list(found["rule"]) == [rule] and words in found["detail"].iloc[0], found


def test_on_phones_of_a_shift_outside_the_opening_hours_does_not_wrap_around() -> None:
    # 05:00-09:00 with the line open from 06:00: the hour before opening used to land in the last slot (22:00)
    from sim.analysis.schedule_check import on_phones

    on = on_phones(pd.DataFrame([_row("a", 0, "05:00", "09:00")]), {D[0]: HOURS[D[0]]}, SLOT)[D[0]]
    assert on.tolist() == [1, 1, 1] + [0] * 14


def test_a_bad_break_is_reported_and_the_shift_still_judged() -> None:
    """A break that is not one (``12:30-12:00``) is a "breaks" violation; the shift is still
    judged (its fixed day off found) with the breaks that read (it used to be skipped whole)."""
    row = {**_row("c", 4, "09:00", "13:00"), "breaks": "12:30-12:00 10:00-10:15"}
    found = _check([row])
    assert sorted(found["rule"]) == ["breaks", "day off"], found
    assert "'12:30-12:00'" in found.loc[found["rule"] == "breaks", "detail"].iloc[0]

"""Working hours: weekends, red days, the 15:00 days, closures and the year end."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario.compose import load_scenario
from sim.schema import Scenario
from sim.world.workhours import add_working_time, scenario_office_calendar, work_clock, working_hours_between

ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=16)
def scen(*overrides: str) -> Scenario:
    return load_scenario(overrides=["cases=on", *overrides], config_dir=ROOT / "scenarios")


def due(start: str, hours: float, *overrides: str, scope: str | None = None) -> str:
    return f"{add_working_time(scen(*overrides), start, hours, early_close_scope=scope):%Y-%m-%d %H:%M}"  # type: ignore[arg-type]


def test_friday_afternoon_fault_report_due_monday_eleven() -> None:
    # 2026-12-04 is a Friday: one hour left on Friday (16-17), three on Monday (08-11)
    assert due("2026-12-04 16:00", 4) == "2026-12-07 11:00"


def test_weekend_arrival_counts_from_monday_opening() -> None:
    assert due("2026-12-05 10:00", 4) == "2026-12-07 12:00"
    assert due("2026-12-06 23:30", 8) == "2026-12-07 16:00"


def test_evening_of_23_december_due_on_28_december() -> None:
    # 24 Julafton (closed eve), 25 Juldagen, 26 Annandag jul (Saturday), 27 Sunday
    assert due("2026-12-23 19:00", 4) == "2026-12-28 12:00"
    assert due("2026-12-23 19:00", 8) == "2026-12-28 16:00"


def test_the_1500_rule_closes_phones_only_by_default() -> None:
    # 23 December is the day before Julafton: the phones close at 15:00, the office at 17:00
    assert due("2026-12-23 14:00", 3) == "2026-12-23 17:00"
    assert due("2026-12-23 16:00", 4) == "2026-12-28 11:00"


def test_the_1500_rule_can_close_the_whole_office() -> None:
    assert due("2026-12-23 14:00", 3, scope="office") == "2026-12-28 10:00"
    assert due("2026-12-23 14:00", 3, "cases.early_close_scope=office") == "2026-12-28 10:00"
    assert due("2026-12-23 16:00", 4, scope="office") == "2026-12-28 12:00"


def test_year_end() -> None:
    # 30 Dec (day before Nyårsafton), 31 Dec Nyårsafton, 1 Jan Nyårsdagen, 2-3 Jan weekend
    assert due("2026-12-30 16:00", 8) == "2027-01-04 15:00"
    assert due("2026-12-30 16:00", 8, scope="office") == "2027-01-04 16:00"
    # 6 January (Trettondedag jul, a Wednesday) is a red day; the 5th closes early
    assert due("2027-01-05 16:30", 4) == "2027-01-07 11:30"


def test_red_day_midweek() -> None:
    # 2027-05-06 is Kristi himmelfärdsdag (Thursday)
    assert due("2027-05-05 16:00", 4) == "2027-05-07 11:00"


def test_limit_reached_at_closing_is_due_at_closing() -> None:
    assert due("2026-12-04 13:00", 4) == "2026-12-04 17:00"
    assert due("2026-12-07 08:00", 0) == "2026-12-07 08:00"


def test_closures_are_not_working_time() -> None:
    whole = 'calendar.closures=[{start: "2026-12-07", reason: Utbildning}]'
    assert due("2026-12-04 16:00", 4, whole) == "2026-12-08 11:00"
    morning = 'calendar.closures=[{start: "2026-12-07", from_time: "08:00", to_time: "12:00", reason: APT}]'
    assert due("2026-12-04 16:00", 4, morning) == "2026-12-07 15:00"


def test_office_hours_of_their_own() -> None:
    week = ", ".join(f"{d}: {{opens: '07:00', closes: '18:00'}}" for d in ("mon", "tue", "wed", "thu", "fri"))
    longer = f"cases.office_hours={{{week}, sat: {{opens: '10:00', closes: '14:00'}}, sun: null}}"
    assert due("2026-12-04 16:00", 4, longer) == "2026-12-05 12:00"


def test_working_hours_between() -> None:
    s = scen()
    assert working_hours_between(s, "2026-12-04 16:00", "2026-12-07 11:00") == pytest.approx(4.0)
    assert working_hours_between(s, "2026-12-23 19:00", "2026-12-28 12:00") == pytest.approx(4.0)
    assert working_hours_between(s, "2026-12-07 12:00", "2026-12-07 09:00") == 0.0


def test_bad_hours_refused() -> None:
    with pytest.raises(ValueError, match="hours must be"):
        add_working_time(scen(), "2026-12-04 16:00", -1)


@settings(max_examples=60, deadline=None)
@given(
    start=st.integers(min_value=0, max_value=40 * 96 - 1),
    hours=st.one_of(st.just(0.0), st.floats(min_value=1e-3, max_value=60.0, allow_nan=False)),
)
def test_add_and_between_are_inverse(start: int, hours: float) -> None:
    # vectorised clock: worked(add(t, h)) - worked(t) == h, and the due time is a working instant
    s = scen()
    origin = dt.date(2026, 12, 1)
    clock = work_clock(scenario_office_calendar(s), origin, dt.date(2027, 1, 10), ahead_h=hours)
    t = start * 900.0
    d = float(clock.add(np.array([t]), np.array([hours]))[0])
    assert d >= t
    assert float(clock.between_h(t, d)) == pytest.approx(hours, abs=1e-9)
    if hours > 0:
        j = int(np.searchsorted(clock.opens, d, side="left")) - 1
        assert clock.opens[j] < d <= clock.closes[j]
    stamp = pd.Timestamp(origin) + pd.Timedelta(seconds=t)
    assert add_working_time(s, stamp, hours) == pd.Timestamp(origin) + pd.to_timedelta(round(d * 1e6), unit="us")

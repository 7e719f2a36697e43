"""History: opening hours inferred up to midnight are a closing at 24:00."""

from __future__ import annotations

import pandas as pd

import sim
from sim.history.demand import calendar_check, calendar_with
from sim.schema import END_OF_DAY, WEEKDAYS
from sim.world.calendar import opening_hours


def test_hours_until_midnight_become_2400() -> None:
    cal = calendar_with(sim.load_scenario().calendar, {d: (8 * 60, 24 * 60) for d in WEEKDAYS})
    assert all(cal.hours_of(i).closes is END_OF_DAY for i in range(7))  # type: ignore[union-attr]
    assert opening_hours(cal, "2026-12-07", "2026-12-07")["open_h"].tolist() == [16.0]


def test_calendar_check_of_an_early_closing_24_hour_day() -> None:
    days = pd.DataFrame({"date": [pd.Timestamp("2026-12-23")], "weekday": ["wed"], "reason": ["day before Julafton"],
                         "closes": [END_OF_DAY], "offered": [10.0], "kind": ["early"]})
    table = pd.DataFrame({"date": [pd.Timestamp("2026-12-23")] * 2, "minute": [23 * 60, 23 * 60 + 30], "offered": [0.0, 2.0]})
    row = calendar_check(days, table).iloc[0]
    assert row["expected"] == "closes 24:00" and row["after_closing"] == 0.0 and row["data_agrees"]

"""Closing at 24:00 in what people read: the web page's hours text and inputs, its calendar,
and the report's scenario description."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sim.faces.app import logic as L
from sim.faces.scenario_words import describe_scenario
from sim.scenario.compose import load_scenario
from sim.schema import END_OF_DAY, WEEKDAYS, Scenario

ROOT = Path(__file__).resolve().parents[2]
FLAT_48 = ("demand.profile_start='00:00'", "demand.profile={all: [" + ", ".join(["1"] * 48) + "]}")


@pytest.fixture(scope="module")
def evening() -> Scenario:
    """The default scenario (staffing table 08:00-17:00) with a profile over the whole day."""
    return load_scenario(overrides=[*FLAT_48, "run.end=2026-12-07"], config_dir=ROOT / "scenarios")


@pytest.fixture(scope="module")
def always() -> Scenario:
    return load_scenario(overrides=[*(f"calendar.hours.{d}={{opens: '00:00', closes: '24:00'}}" for d in WEEKDAYS), *FLAT_48,
                                    "staffing=flat", "run.end=2026-12-07",
                                    "calendar.closures=[{start: '2026-12-02', from_time: '12:00', to_time: '24:00', reason: kick-off}]"],
                         config_dir=ROOT / "scenarios")


def test_the_page_shows_2400(always: Scenario) -> None:
    ch = L.choices_of(always)
    assert ch.hours == dict.fromkeys(WEEKDAYS, "00:00-24:00")
    assert ch.closures == "2026-12-02 12:00-24:00 kick-off"
    b = L.build(always, ch)  # the page's own text gives the scenario back
    assert b.ok, b.errors
    assert b.variant == b.baseline and b.baseline.calendar == always.calendar


def test_the_page_accepts_a_closing_at_2400_and_refits_the_table(evening: Scenario) -> None:
    ch = dataclasses.replace(L.choices_of(evening), hours={**L.choices_of(evening).hours, "tue": "08:00-24:00"}, replications=2)
    b = L.build(evening, ch)
    assert b.ok, b.errors
    tue = b.variant.calendar.hours["tue"]
    assert tue is not None and tue.closes is END_OF_DAY
    old = evening.staffing.table.get("tue", evening.staffing.table.get("all"))  # type: ignore[union-attr]
    new = b.variant.staffing.table["tue"]  # type: ignore[index]
    assert len(new) == 32 and new[:18] == old and new[18:] == [old[-1]] * 14  # later intervals: the last one's agents
    assert "Tue 08:00–17:00 → 08:00–24:00" in L.changes_text(b.baseline, b.variant)  # 24:00, not 23:59


def test_the_page_refuses_an_opening_at_2400(evening: Scenario) -> None:
    ch = dataclasses.replace(L.choices_of(evening), hours={**L.choices_of(evening).hours, "mon": "24:00-24:00"})
    b = L.build(evening, ch)
    assert not b.ok
    assert "calendar.hours.mon.opens: 24:00 (the end of the day) is allowed only as a closing time" in b.errors["hours_mon"]


def test_the_calendar_grid_and_counts(always: Scenario) -> None:
    grid = L.calendar_html({"always": always})
    assert grid.count("<small>00:00–24:00</small>") == 6 and "<small>00:00–12:00</small>" in grid  # 1-7 Dec; the 2nd closes at 12:00
    assert L.calendar_counts(always) == {"open": 6, "shortened": 1, "closed": 0}


def test_the_report_describes_round_the_clock_hours(always: Scenario) -> None:
    text = " ".join(describe_scenario(always))
    assert "Opening hours: Mon–Sun 00:00–24:00" in text
    assert "kick-off: 2 Dec 2026, 12:00–24:00" in text  # dates in the report's locale (en_GB)

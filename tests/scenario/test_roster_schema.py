"""Shift templates (roster.*) and shift breaks: bad values give one-paragraph errors naming the key."""

from __future__ import annotations

import pytest

import sim
from sim.errors import ScenarioError


def error_of(overrides: list[str]) -> str:
    with pytest.raises(ScenarioError) as e:
        sim.load_scenario("tiny", overrides)
    text = str(e.value)
    assert "\n" not in text and "Traceback" not in text
    return text


@pytest.mark.parametrize(("override", "key", "words"), [
    ("roster.lunch.latest_h=6", "roster.lunch.latest_h", "outside the shortest shift"),
    ("roster.lengths_h=[4,6.1]", "roster.lengths_h.1", "not on the 15-minute grid"),
    ("roster.lengths_h=[4,6.75]", "roster.lengths_h.1", "not on the 30-minute interval grid"),
    ("roster.start_latest=\"12:45\"", "roster.start_latest", "not on the 30-minute interval grid"),
    ("roster.breaks.0.latest_h=3", "roster.breaks.0", "overlaps the window of lunch"),
    ("roster.breaks.0.minutes=20", "roster.breaks.0.minutes", "not a multiple of slot_min"),
    ("roster.lunch.latest_h=2", "roster.lunch.latest_h", "before earliest_h"),
    ("roster.start_step_min=20", "roster.start_step_min", "not a multiple of slot_min"),
    ("roster.break_gap_min=240", "roster.break_gap_min", "240 minutes cannot lie between breaks.0"),
    ("roster.break_gap_min=-5", "roster.break_gap_min", ">= 0"),
])
def test_bad_templates(override: str, key: str, words: str) -> None:
    text = error_of([override])
    assert key in text and words in text


def test_break_outside_its_shift() -> None:
    shifts = '[{start: "08:00", end: "12:00", count: 2, breaks: [{start: "11:45", minutes: 30}]}]'
    text = error_of(["staffing.mode=shifts", "staffing.agents=null", f"+staffing.shifts={shifts}"])
    assert "staffing.shifts[0].breaks.0" in text and "inside the shift" in text


def test_default_templates_are_valid() -> None:
    r = sim.load_scenario().roster
    assert [k for k, _ in r.rules()] == ["breaks.0", "lunch", "breaks.1"]
    assert r.limits_of("mon").part_time_share == 0.3


@pytest.mark.parametrize(("step", "start_step"), [(15, 30), (30, 30), (60, 60)])
def test_the_default_start_step_follows_the_interval_grid(step: int, start_step: int) -> None:
    """Hourly intervals were refused for a roster setting nobody set (start_step_min: 30)."""
    s = sim.load_scenario("default", [f"demand.interval_min={step}", "staffing=flat", "staffing.agents=10"])
    assert s.roster.start_step_min is None and s.roster.start_step(step) == start_step


def test_an_explicit_start_step_off_the_grid_is_still_an_error() -> None:
    text = error_of(["demand.interval_min=60", "staffing=flat", "staffing.agents=10", "roster.start_step_min=30"])
    assert "roster.start_step_min" in text and "not a multiple of the interval length (60 minutes" in text


def test_breaks_are_spread_by_default() -> None:
    """roster.break_gap_min: an hour between an agent's breaks unless set (issue 23.14)."""
    assert sim.load_scenario("tiny").roster.break_gap_min == 60
    assert sim.load_scenario("tiny", ["roster.break_gap_min=0"]).roster.break_gap_min == 0

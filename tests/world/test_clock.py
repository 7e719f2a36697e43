"""The one parser of clock times and spans (sim.world.clock): what it reads, what it refuses and why."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from sim.schema import END_OF_DAY, hhmm
from sim.world.clock import DAY_MIN, clock_minutes, span_minutes, spans_minutes


@pytest.mark.parametrize(("text", "minute"), [
    ("08:15", 495), ("8:15", 495), (" 08:15 ", 495), ("08:15:00", 495), ("00:00", 0), ("23:59", 1439),
    (dt.time(8, 15), 495), (dt.time(0, 0), 0),
])
def test_a_clock_time_is_minutes_after_midnight(text: object, minute: int) -> None:
    assert clock_minutes(text) == minute
    assert clock_minutes(text, end=True) == minute


@pytest.mark.parametrize("text", ["24:00", "24:00:00", " 24:00", END_OF_DAY])
def test_24_00_is_the_end_of_the_day_and_only_an_end(text: object) -> None:
    assert clock_minutes(text, end=True) == DAY_MIN == 1440
    with pytest.raises(ValueError, match="allowed only as an end"):
        clock_minutes(text)


@pytest.mark.parametrize(("text", "why"), [
    # what the old parsers silently read as something (25:99 was 1599 minutes, 08:15:30 was 08:15, 08 was 08:00)
    ("25:99", "not a clock time"), ("08:60", "not a clock time"), ("24:01", "not a clock time"), ("24:30", "not a clock time"),
    ("08:15:30", "whole minutes"), ("08", "not a clock time"), ("T08:15", "not a clock time"), ("08:15+01:00", "not a clock time"),
    ("0815", "not a clock time"), ("8:5", "not a clock time"), ("", "not a clock time"), ("١٢:٠٠", "not a clock time"),
    (1050, "quote times"), (8.25, "quote times"), (None, "not a clock time"), (dt.time(8, 15, 30), "whole minutes"),
])
def test_anything_else_is_refused_with_the_reason(text: object, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        clock_minutes(text, end=True)


def test_formatting_reads_back() -> None:
    for m in range(0, DAY_MIN + 1, 7):
        assert clock_minutes(hhmm(m), end=True) == m


@pytest.mark.parametrize(("text", "span"), [
    ("08:00-12:00", (480, 720)), ("8:00-12:00", (480, 720)), ("08:00 – 12:00", (480, 720)), (" 20:00-24:00 ", (1200, 1440)),
])
def test_a_span_is_start_and_end_minutes(text: str, span: tuple[int, int]) -> None:
    assert span_minutes(text) == span


@pytest.mark.parametrize(("text", "why"), [
    ("12:00-08:00", "ends before it starts"), ("12:00-12:00", "ends before it starts"), ("12:00", "not a span"),
    ("12:00-", "not a clock time"), ("24:00-24:00", "only as an end"), ("10:00-11:00-12:00", "not a span"),
    ("25:00-26:00", "not a clock time"),
])
def test_a_bad_span_is_refused_with_the_reason(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        span_minutes(text)


@pytest.mark.parametrize("text", [
    "10:00-10:15 12:00-12:30", "10:00-10:15,12:00-12:30", "10:00-10:15, 12:00-12:30", " 10:00 - 10:15   12:00-12:30 ",
])
def test_spans_are_separated_by_spaces_or_commas(text: str) -> None:
    assert spans_minutes(text) == [(600, 615), (720, 750)]


@pytest.mark.parametrize("empty", ["", "   ", None, math.nan])
def test_an_empty_cell_is_no_span(empty: object) -> None:
    assert spans_minutes(empty) == []


@pytest.mark.parametrize("text", ["10:00-10:15 junk", "10:00-10:15 11:00-10:45", 3])
def test_one_bad_span_refuses_the_list(text: object) -> None:
    with pytest.raises(ValueError):
        spans_minutes(text)

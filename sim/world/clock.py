"""Clock times and spans as planners write them: text to minutes after midnight.

One parser for every file and text box that holds a time of day: staffing tables, rosters and
schedules (``shift_start``, ``shift_end``, ``lunch``, ``breaks``), interval starts of data
files, the opening hours of the managers' page. It accepts

* a clock time ``"HH:MM"`` or ``"H:MM"``, optionally with seconds ``":00"`` (``"08:15:00"``;
  other seconds are refused: every schedule here is in whole minutes), surrounding spaces
  ignored, or a :class:`datetime.time`; 00:00-23:59, and ``"24:00"`` (1440, the end of the day)
  only where an end is allowed (``end=True``);
* a span ``"HH:MM-HH:MM"`` (a hyphen or an en dash, spaces around it allowed) whose end is
  after its start; its end may be 24:00;
* a list of spans separated by spaces or commas (``"10:00-10:15 12:00-12:30"``); empty is none.

Numbers are refused (an unquoted 17:30 in YAML is the number 1050). The functions raise
:class:`ValueError` with a short reason; each caller turns it into its own message naming the
file, line and column or the key. The reverse, minutes to ``"HH:MM"``, is :func:`sim.schema.hhmm`.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from sim.schema import minutes

DAY_MIN = 24 * 60
"""Minutes in a day: the value of ``"24:00"``."""

_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_DASH = re.compile(r"\s*[-–]\s*")


def clock_minutes(text: object, *, end: bool = False) -> int:
    """Minutes after midnight of a clock time (see the module docstring): 0..1439, or 1440 for
    ``"24:00"`` when ``end`` is true (a shift, a break or opening hours ending at midnight)."""
    if isinstance(text, dt.time):
        if text != dt.time.max and (text.second or text.microsecond):
            raise ValueError(f"{text.isoformat()} has seconds; clock times are whole minutes (HH:MM)")
        m = minutes(text)
    elif isinstance(text, str):
        got = _CLOCK.fullmatch(text.strip())
        if got is None:
            raise ValueError(f"{text.strip()!r} is not a clock time HH:MM")
        h, mm, ss = int(got.group(1)), int(got.group(2)), int(got.group(3) or 0)
        if ss:
            raise ValueError(f"{text.strip()!r} has seconds; clock times are whole minutes (HH:MM)")
        if mm > 59 or h > 24 or (h == 24 and mm):
            raise ValueError(f"{text.strip()!r} is not a clock time (00:00-23:59{' or 24:00' if end else ''})")
        m = h * 60 + mm
    else:
        raise ValueError(f"{text!r} is not a clock time HH:MM (in YAML quote times: an unquoted 17:30 is a number)")
    if m == DAY_MIN and not end:
        raise ValueError("24:00 (the end of the day) is allowed only as an end; a start is 00:00-23:59")
    return m


def span_minutes(text: str) -> tuple[int, int]:
    """``(start, end)`` minutes of a span ``"HH:MM-HH:MM"``; the end is after the start and may be 24:00."""
    parts = _DASH.split(text.strip())
    if len(parts) != 2:
        raise ValueError(f"{text.strip()!r} is not a span HH:MM-HH:MM")
    lo, hi = clock_minutes(parts[0]), clock_minutes(parts[1], end=True)
    if hi <= lo:
        raise ValueError(f"{text.strip()!r} ends before it starts; a span ends after its start, on the same day")
    return lo, hi


def spans_minutes(text: object) -> list[tuple[int, int]]:
    """The spans of a list ``"HH:MM-HH:MM HH:MM-HH:MM"`` (spaces or commas between them), in the
    order given; an empty text, None or NaN (an empty cell) is no span."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return []
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a list of spans HH:MM-HH:MM")
    return [span_minutes(part) for part in span_texts(text)]


def span_texts(text: str) -> list[str]:
    """The spans of a list ``"HH:MM-HH:MM HH:MM-HH:MM"`` as texts, unparsed (for a caller that
    judges each span on its own)."""
    return _DASH.sub("-", text).replace(",", " ").split()

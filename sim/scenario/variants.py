"""Variants of a scenario: k agents more or fewer, staffing scaled, other opening hours, dated
closures, and one historical day. One rule each, used by the sweep (:mod:`sim.study.sweep`),
the managers' page (:mod:`sim.faces.app.logic`) and the back-test (:mod:`sim.history.backtest`).

The functions take and return a scenario's raw dump (``scenario.model_dump(mode="json")`` or
a dict on its way to :func:`sim.scenario.compose.validate`), so that the caller validates once
and reports a bad value in the schema's own words.

The rules:

- **k agents more** (:func:`add_agents`, ``k`` a whole number): k more agents on the phones in
  every open interval. A constant gets ``agents + k``; a table gets ``+ k`` on every
  interval; shifts get one more shift of ``k`` agents from the earliest opening to the latest
  closing of the week, on every open weekday (adding ``k`` to every shift would add ``2k``
  where two shifts overlap and nothing where none works). Fewer agents (``k < 0``) stop at 0
  for a constant or a table, and are refused for shifts (which shift would lose them?).
- **Scaled** (:func:`scale_agents`, a factor ``m >= 0``): every count times ``m``; a whole
  count rounds half up (2.5 → 3, always, not Python's half to even), a fraction (a
  time-average) keeps its fraction to :data:`sim.schema.AGENT_DECIMALS` decimals, like the
  schema.
- **Opening hours** (:func:`with_hours`): ``"HH:MM-HH:MM"`` or ``closed`` per weekday; a
  staffing table (first line and transfer groups) is refitted: each interval keeps the agents
  the old table had at that clock time, intervals outside the old hours take the nearest edge
  interval's.
- **Closures** (:func:`with_closures`): one dated closure per line,
  ``YYYY-MM-DD[..YYYY-MM-DD] [HH:MM-HH:MM] [reason]``.
- **One historical day** (:func:`day_variant`): the base scenario on one date, with that
  day's observed calls per interval as the demand and its staffing table.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sim.errors import ScenarioError
from sim.schema import AGENT_DECIMALS, WEEKDAYS, Scenario, hhmm
from sim.world.clock import clock_minutes

Raw = dict[str, Any]

MAX_CLOSURE_LINES = 50
"""The most dated closures one text may hold (the page's text box)."""

CLOSED_WORDS: frozenset[str] = frozenset({"", "-", "closed", "stängt", "stängd"})
"""What a manager may type for a closed weekday, in either language of the page."""

_CLOCK = r"\d{1,2}:\d{2}"
_HOURS = re.compile(rf"^\s*({_CLOCK})\s*[-–]\s*({_CLOCK})\s*$")
_CLOSURE = re.compile(
    rf"^\s*(?P<start>\d{{4}}-\d{{2}}-\d{{2}})(?:\s*\.\.\s*(?P<end>\d{{4}}-\d{{2}}-\d{{2}}))?"
    rf"(?:\s+(?P<from>{_CLOCK})\s*[-–]\s*(?P<to>{_CLOCK}))?(?:\s+(?P<reason>.*?))?\s*$"
)


# --------------------------------------------------------------------------- agents


def agent_level(value: object) -> int | float:
    """A staffing value as the schema keeps it: a whole count as an ``int``, a fraction to
    :data:`~sim.schema.AGENT_DECIMALS` decimals, never below 0 (a missing or NaN value: 0)."""
    x = float(value) if value is not None else 0.0  # type: ignore[arg-type]
    x = max(0.0, round(x, AGENT_DECIMALS)) if math.isfinite(x) else 0.0
    return int(x) if x.is_integer() else x


def _half_up(x: float) -> int:
    return max(0, math.floor(x + 0.5))


def _plus(n: int | float, k: int) -> int | float:
    return agent_level(n + k) if not float(n).is_integer() else max(0, int(n) + k)


def _times(n: int | float, m: float) -> int | float:
    return agent_level(n * m) if not float(n).is_integer() else _half_up(int(n) * m)


def _open_days(raw: Raw) -> list[tuple[str, int, int]]:
    hours = raw["calendar"]["hours"]
    out = []
    for d in WEEKDAYS:
        h = hours.get(d)
        if h:
            out.append((d, *_hours_of(h)))
    return out


def add_agents(raw: Raw, k: float, key: str = "staffing") -> Raw:
    """The scenario with ``k`` agents more (or fewer) in every open interval (see the module
    docstring); ``key`` names the staffing in error messages."""
    if float(k) != int(k):
        raise ScenarioError(f"Invalid staffing change: {k:g} agents; give a whole number of agents, e.g. +2 or -1 ({key}).")
    n = int(k)
    out = copy.deepcopy(raw)
    st = out["staffing"]
    if st["mode"] == "constant":
        st["agents"] = _plus(st["agents"], n)
    elif st["mode"] == "table":
        st["table"] = {d: [_plus(v, n) for v in row] for d, row in st["table"].items()}
    elif n < 0:
        raise ScenarioError(f"Invalid staffing change: {n} agents: fewer agents are not defined for a shift staffing "
                            f"(which shift would lose them?); scale it instead (multiply, or a percentage) ({key}).")
    elif n > 0:
        days = _open_days(out)
        if days:
            first, last = min(o for _, o, _ in days), max(c for _, _, c in days)
            st["shifts"] = [*st["shifts"], {"start": hhmm(first), "end": hhmm(last), "count": n, "days": [d for d, _, _ in days]}]
    return out


def scale_agents(raw: Raw, factor: float) -> Raw:
    """The scenario with every agent count times ``factor`` (whole counts half up; see the
    module docstring)."""
    if not factor >= 0:
        raise ScenarioError(f"Invalid staffing change: a factor of {factor:g}; it must be >= 0 (staffing).")
    out = copy.deepcopy(raw)
    st = out["staffing"]
    if st["mode"] == "constant":
        st["agents"] = _times(st["agents"], factor)
    elif st["mode"] == "table":
        st["table"] = {d: [_times(n, factor) for n in row] for d, row in st["table"].items()}
    else:
        st["shifts"] = [{**sh, "count": _half_up(int(sh["count"]) * factor)} for sh in st["shifts"]]
    return out


# --------------------------------------------------------------------------- hours and closures


def _hours_of(entry: Mapping[str, Any]) -> tuple[int, int]:
    """(opens, closes) minutes of a ``calendar.hours.<day>`` entry (closes may be 24:00)."""
    return clock_minutes(entry["opens"]), clock_minutes(entry["closes"], end=True)


def _refit(st: Raw, day: str, old: tuple[int, int] | None, new: tuple[int, int], step: int) -> Raw:
    """A ``table`` staffing refitted to new hours of ``day``: each interval keeps the agents
    the old table had at that clock time; intervals outside the old hours get the nearest
    edge interval's agents. Other modes are clock-based (shifts) or flat (constant)."""
    table = st.get("table")
    if st.get("mode") != "table" or not table or old is None:
        return st
    old_row = table.get(day, table.get("all"))
    if not old_row:
        return st
    o_old = old[0]
    row = []
    for m in range(new[0], new[1], step):
        i = min(max((m - o_old) // step, 0), len(old_row) - 1)
        row.append(old_row[i])
    return {**st, "table": {**table, day: row}}


def with_hours(raw: Raw, hours: Mapping[str, str]) -> Raw:
    """Set ``calendar.hours`` from ``"HH:MM-HH:MM"`` / ``closed`` per weekday, refitting
    per-interval staffing tables (first line and transfer groups) to the new hours."""
    out = copy.deepcopy(raw)
    step = int(out["demand"]["interval_min"])
    for day in WEEKDAYS:
        text = str(hours.get(day, "")).strip()
        old_entry = out["calendar"]["hours"].get(day)
        old = _hours_of(old_entry) if old_entry else None
        if text.lower() in CLOSED_WORDS:
            out["calendar"]["hours"][day] = None
            continue
        m = _HOURS.match(text)
        if not m:
            raise ScenarioError(
                f"Invalid opening hours for {day}: {text!r}; write opening-closing as HH:MM-HH:MM "
                f"(e.g. 08:00-17:00), or 'closed' (calendar.hours.{day})."
            )
        out["calendar"]["hours"][day] = {"opens": m.group(1).zfill(5), "closes": m.group(2).zfill(5)}
        try:
            new = (clock_minutes(m.group(1)), clock_minutes(m.group(2), end=True))
        except ValueError:
            continue  # the schema names the bad time
        if new != old and new[0] < new[1]:
            out["staffing"] = _refit(out["staffing"], day, old, new, step)
            groups = out.get("transfers", {}).get("groups", {})
            for g, st in groups.items():
                groups[g] = _refit(st, day, old, new, step)
    return out


def parse_closures(text: str) -> list[Raw]:
    """One closure per line: ``YYYY-MM-DD[..YYYY-MM-DD] [HH:MM-HH:MM] [reason]``."""
    lines = [ln for ln in str(text).splitlines() if ln.strip()]
    if len(lines) > MAX_CLOSURE_LINES:
        raise ScenarioError(f"Invalid dated closures: at most {MAX_CLOSURE_LINES} lines, got {len(lines)} (calendar.closures).")
    out = []
    for n, line in enumerate(lines, 1):
        m = _CLOSURE.match(line)
        if not m:
            raise ScenarioError(
                f"Invalid dated closure on line {n}: {line.strip()!r}; write YYYY-MM-DD for a whole day, "
                "YYYY-MM-DD..YYYY-MM-DD for several days, optionally HH:MM-HH:MM for a part of each day "
                "(it must start at opening or end at closing), then a reason, e.g. "
                "'2026-12-10 13:00-17:00 training' (calendar.closures)."
            )
        c: Raw = {"start": m.group("start"), "reason": (m.group("reason") or "closure")[:80]}
        if m.group("end"):
            c["end"] = m.group("end")
        if m.group("from"):
            c["from_time"], c["to_time"] = m.group("from").zfill(5), m.group("to").zfill(5)
        out.append(c)
    return out


def with_closures(raw: Raw, text: str) -> Raw:
    """Replace ``calendar.closures`` with the lines of ``text``."""
    out = copy.deepcopy(raw)
    out["calendar"]["closures"] = parse_closures(text)
    return out


# --------------------------------------------------------------------------- one historical day


def day_variant(base: Raw, date: pd.Timestamp, counts: pd.Series, agents: pd.Series, hours: tuple[int, int],
                step: int, seed: int) -> Scenario:
    """The scenario of one historical day: ``counts`` (calls per interval start, indexed by
    minutes since midnight) as the demand, exactly as observed, ``agents`` (the same index)
    as its staffing table over ``hours`` (opens, closes in minutes), and ``seed`` as its run
    seed; every other setting is the base's, but failure demand is off (the observed calls
    already hold the repeat contacts)."""
    cfg = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
    w = WEEKDAYS[date.weekday()]
    grid = range(hours[0], hours[1], step)
    prof = [float(counts.get(m, 0.0)) for m in grid]
    if sum(prof) <= 0:
        prof = [1.0] * len(prof)
    cfg["demand"] = {
        **cfg["demand"],
        "volume": float(counts.sum()),
        "volume_per": "day",
        "weekday_factor": {x: (1.0 if x == w else 0.0) for x in WEEKDAYS},
        "day_cv": 0.0,
        "arrival_counts": "expected",  # the day's observed calls per interval, not a Poisson draw around them
        "profile_start": hhmm(hours[0]),
        "profile": {"all": prof},
        "profile_file": None,
        "displaced_share": 0.0,
        "closed_day_factor": 0.0,
    }
    cfg["staffing"] = {"mode": "table", "table": {"all": [agent_level(agents.get(m, 0.0)) for m in grid]}}
    cfg["run"] = {"start": date.date().isoformat(), "end": date.date().isoformat(), "seed": seed}
    # the observed calls already hold the failure demand: no repeats of the model's own on top
    cfg["resolution"] = {**cfg.get("resolution", {}), "fcr": 1.0, "case_share": 0.0}
    return Scenario.model_validate(cfg)

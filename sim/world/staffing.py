"""Agents on duty over time, from a constant, a weekday × interval table, or shifts.

Shifts may have breaks (lunch, short breaks): an agent on a break is off the phones, so the
schedule's target drops for the break's length. The model lets an agent above the target
finish the call in hand before leaving, so a break that falls due mid-call starts when the
call ends (and ends at its scheduled time: it is shortened, never moved).

Staffing only matters while the line is open: the schedule is clipped to each day's open
period. At closing the target drops to zero, but the model keeps every agent who is on duty
until the queue is empty (the overtime it records). A day that closes at 24:00 followed by
one that opens at 00:00 does not close at midnight: the next day's staffing takes over there.

Agents on the phones per interval of shifts with breaks have one definition here,
:func:`phones_per_slot` (the time-average over the interval), used by the monthly follow-up's
plan, the schedule checker and the roster's and the schedule's coverage tables.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from sim.schema import AGENT_DECIMALS, WEEKDAYS, Scenario, ShiftConfig, StaffingConfig, hhmm, minutes
from sim.world.calendar import DayPlan


@dataclass(frozen=True)
class Schedule:
    """Step function of the number of agents wanted, in seconds since the run's origin.

    ``times[j]``: when the target becomes ``counts[j]``; ``open_[j]``: whether the line is
    open from then on (False at a closing, where ``counts[j]`` is 0).
    """

    times: np.ndarray
    counts: np.ndarray
    open_: np.ndarray
    on_break: np.ndarray | None = None  # agents on shift but on a break (not in ``counts``)

    @property
    def max_agents(self) -> int:
        """Most agents ever wanted at once."""
        return int(self.counts.max(initial=0))


@dataclass(frozen=True)
class Duty:
    """One shift of a day in minutes after midnight: on duty from ``start`` to ``end``, off the
    phones during each ``off`` span ``(start, end)`` (lunch, breaks), worked by ``agents`` agents."""

    start: int
    end: int
    off: tuple[tuple[int, int], ...] = ()
    agents: float = 1.0


def phones_per_slot(duties: Iterable[Duty], first: int, slots: int, slot_min: int) -> np.ndarray:
    """Agents on the phones in each of ``slots`` slots ``[first + i·slot_min, first + (i+1)·slot_min)``:
    the time-average, agent-minutes on the phones in the slot ÷ ``slot_min``.

    This is the one definition of "agents on the phones per interval" (the follow-up's plan, the
    schedule checker's coverage, the roster's and the schedule's coverage tables). It is what an
    Erlang requirement per interval is compared with: Erlang C's agents are servers working
    through the whole interval, and what an interval offers is agent-time. A shift starting 08:15
    gives the interval 08:00-08:30 half an agent (counting the agents on the phones at the slot's
    start would give it one, counting only whole slots none), and a 15-minute break in a 30-minute
    interval takes half an agent. A staffing table's fraction means the same
    (:func:`interval_steps`). When every shift and break starts and ends on the slot grid each value
    is the whole number of agents on the phones all through the slot. A break outside its shift
    takes nothing; overlapping breaks count once. Use ``off=()`` for the agents on shift.
    """
    width = slots * slot_min
    total = np.zeros(slots)
    for d in duties:
        on = np.zeros(width)
        on[_inside(d.start - first, width):_inside(d.end - first, width)] = 1.0
        for lo, hi in d.off:
            on[_inside(lo - first, width):_inside(hi - first, width)] = 0.0
        total += d.agents * on.reshape(slots, slot_min).mean(axis=1)
    return total


def _inside(m: int, width: int) -> int:
    return min(max(m, 0), width)


def agent_counts(x: np.ndarray) -> np.ndarray:
    """Agents per slot as a table shows them: whole numbers as integers (what every slot of a
    roster or schedule on the slot grid holds), otherwise time-averages rounded to
    :data:`~sim.schema.AGENT_DECIMALS` decimals."""
    r = np.round(np.asarray(x, dtype=float), AGENT_DECIMALS)
    return r.astype(np.int64) if np.all(r == np.rint(r)) else r


def regular_steps(st: StaffingConfig, weekday: int, opens: int, closes: int, step: int) -> list[tuple[int | float, int]]:
    """(minute, agents) changes over a weekday's regular hours ``[opens, closes)``. A table's
    fractional count becomes two steps within its interval (:func:`interval_steps`), so the minute
    of a change need not be whole."""
    if st.mode == "constant":
        assert st.agents is not None
        return [(opens, st.agents)]
    if st.mode == "table":
        assert st.table is not None
        name = WEEKDAYS[weekday]
        row = st.table.get(name, st.table.get("all", []))  # type: ignore[call-overload]
        out: list[tuple[int | float, int]] = []
        for i, v in enumerate(row):
            out += interval_steps(opens + i * step, v, step)
        return out
    return [(m, on - off) for m, on, off in shift_steps(st, weekday, opens, closes)]


def interval_steps(start: int, agents: float, step: int) -> list[tuple[int | float, int]]:
    """The step function of one table interval holding ``agents`` (a time-average).

    A whole count is one step, ``(start, n)``. A fraction ``n + f`` (0 < f < 1) is ``n + 1`` agents
    for the first ``f`` of the interval, then ``n``: the interval's agent-time is exactly
    ``(n + f) × step`` (to the second), and the extra agent comes first so that a queue left by the
    previous interval is worked off. The split time is rounded to the whole second.
    """
    n = math.floor(agents)
    frac = float(agents) - n
    if frac <= 0:
        return [(start, int(n))]
    split = round(frac * step * 60) / 60  # minutes, to the second
    if split <= 0:
        return [(start, int(n))]
    if split >= step:
        return [(start, int(n) + 1)]
    return [(start, int(n) + 1), (start + split, int(n))]


def _on_break(s: ShiftConfig, m: int) -> bool:
    return any(minutes(b.start) <= m < minutes(b.start) + b.minutes for b in s.breaks)


def shift_steps(st: StaffingConfig, weekday: int, opens: int, closes: int) -> list[tuple[int, int, int]]:
    """(minute, agents on shift, of whom on a break) changes of a ``shifts`` staffing over a
    weekday's regular hours ``[opens, closes)``. Agents on a break are off the phones."""
    assert st.shifts is not None
    name = WEEKDAYS[weekday]
    shifts = [s for s in st.shifts if name in s.days]
    edges = {m for s in shifts for m in (minutes(s.start), minutes(s.end))}
    edges |= {m for s in shifts for b in s.breaks for m in (minutes(b.start), minutes(b.start) + b.minutes)}
    cuts = sorted({opens} | {m for m in edges if opens < m < closes})
    out = []
    for m in cuts:
        on = [s for s in shifts if minutes(s.start) <= m < minutes(s.end)]
        out.append((m, sum(s.count for s in on), sum(s.count for s in on if _on_break(s, m))))
    return out


def break_steps(st: StaffingConfig, weekday: int, opens: int, closes: int) -> list[tuple[int | float, int]]:
    """(minute, agents on a break) changes over a weekday's regular hours (none unless shifts)."""
    if st.mode != "shifts":
        return [(opens, 0)]
    return [(m, off) for m, _, off in shift_steps(st, weekday, opens, closes)]


def clip_steps(steps: list[tuple[int | float, int]], opens: int, closes: int) -> list[tuple[int | float, int]]:
    """Restrict a step function to ``[opens, closes)``, dropping repeats."""
    current = 0
    for m, n in steps:
        if m <= opens:
            current = n
    out: list[tuple[int | float, int]] = [(opens, current)]
    for m, n in steps:
        if opens < m < closes and n != out[-1][1]:
            out.append((m, n))
    return out


def agents_at_open_intervals(s: Scenario) -> Iterator[tuple[str, str, int]]:
    """(weekday, HH:MM, agents) for every staffing change within each weekday's regular hours."""
    for wd, name in enumerate(WEEKDAYS):
        hours = s.calendar.hours_of(wd)
        if hours is None:
            continue
        o, c = minutes(hours.opens), minutes(hours.closes)
        for m, n in clip_steps(regular_steps(s.staffing, wd, o, c, s.demand.interval_min), o, c):
            yield name, hhmm(int(m)), n


def build_schedule(s: Scenario, plans: list[DayPlan], staffing: StaffingConfig | None = None) -> Schedule:
    """The run's agent schedule (of ``staffing``, default the first line's): changes within
    each open period, then a closing."""
    st = staffing or s.staffing
    times: list[float] = []
    counts: list[int] = []
    breaks: list[int] = []
    opens_flags: list[bool] = []
    for k, p in enumerate(plans):
        if p.opens is None or p.closes is None or p.regular_opens is None or p.regular_closes is None:
            continue
        base = k * 86400.0
        o, c = minutes(p.opens), minutes(p.closes)
        ro, rc = minutes(p.regular_opens), minutes(p.regular_closes)
        phones = clip_steps(regular_steps(st, p.date.weekday(), ro, rc, s.demand.interval_min), o, c)
        off = clip_steps(break_steps(st, p.date.weekday(), ro, rc), o, c)
        for m in sorted({m for m, _ in phones} | {m for m, _ in off}):
            times.append(base + 60.0 * m)
            counts.append(_at(phones, m))
            breaks.append(_at(off, m))
            opens_flags.append(True)
        times.append(base + 60.0 * c)
        counts.append(0)
        breaks.append(0)
        opens_flags.append(False)
    _through_midnight(times, counts, breaks, opens_flags)
    return Schedule(np.asarray(times, dtype=float), np.asarray(counts, dtype=np.int64), np.asarray(opens_flags, dtype=bool),
                    np.asarray(breaks, dtype=np.int64))


def _through_midnight(times: list[float], counts: list[int], breaks: list[int], opens_flags: list[bool]) -> None:
    """Drop (in place) every closing at the very time the line opens again -- a day closing
    at 24:00 before a day opening at 00:00: the line stays open and the agents on duty stay,
    so there is no closing, overtime or queue left to serve at midnight."""
    for j in range(len(times) - 2, -1, -1):
        if not opens_flags[j] and opens_flags[j + 1] and times[j] == times[j + 1]:
            del times[j], counts[j], breaks[j], opens_flags[j]


def _at(steps: list[tuple[int | float, int]], m: int | float) -> int:
    """Value of a step function at minute ``m``."""
    value = 0
    for t, n in steps:
        if t <= m:
            value = n
    return value

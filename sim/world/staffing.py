"""Agents on duty over time, from a constant, a weekday × interval table, or shifts.

Staffing only matters while the line is open: the schedule is clipped to each day's open
period. At closing the target drops to zero, but the model keeps every agent who is on duty
until the queue is empty (the overtime it records).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from sim.schema import WEEKDAYS, Scenario, StaffingConfig, minutes
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

    @property
    def max_agents(self) -> int:
        """Most agents ever wanted at once."""
        return int(self.counts.max(initial=0))


def regular_steps(st: StaffingConfig, weekday: int, opens: int, closes: int, step: int) -> list[tuple[int, int]]:
    """(minute, agents) changes over a weekday's regular hours ``[opens, closes)``."""
    if st.mode == "constant":
        assert st.agents is not None
        return [(opens, st.agents)]
    if st.mode == "table":
        assert st.table is not None
        name = WEEKDAYS[weekday]
        row = st.table.get(name, st.table.get("all", []))  # type: ignore[call-overload]
        return [(opens + i * step, int(v)) for i, v in enumerate(row)]
    assert st.shifts is not None
    name = WEEKDAYS[weekday]
    shifts = [s for s in st.shifts if name in s.days]
    cuts = sorted({opens} | {m for s in shifts for m in (minutes(s.start), minutes(s.end)) if opens < m < closes})
    return [(m, sum(s.count for s in shifts if minutes(s.start) <= m < minutes(s.end))) for m in cuts]


def clip_steps(steps: list[tuple[int, int]], opens: int, closes: int) -> list[tuple[int, int]]:
    """Restrict a step function to ``[opens, closes)``, dropping repeats."""
    current = 0
    for m, n in steps:
        if m <= opens:
            current = n
    out = [(opens, current)]
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
            yield name, f"{m // 60:02d}:{m % 60:02d}", n


def build_schedule(s: Scenario, plans: list[DayPlan], staffing: StaffingConfig | None = None) -> Schedule:
    """The run's agent schedule (of ``staffing``, default the first line's): changes within
    each open period, then a closing."""
    st = staffing or s.staffing
    times: list[float] = []
    counts: list[int] = []
    opens_flags: list[bool] = []
    for k, p in enumerate(plans):
        if p.opens is None or p.closes is None or p.regular_opens is None or p.regular_closes is None:
            continue
        base = k * 86400.0
        o, c = minutes(p.opens), minutes(p.closes)
        reg = regular_steps(st, p.date.weekday(), minutes(p.regular_opens), minutes(p.regular_closes), s.demand.interval_min)
        for m, n in clip_steps(reg, o, c):
            times.append(base + 60.0 * m)
            counts.append(n)
            opens_flags.append(True)
        times.append(base + 60.0 * c)
        counts.append(0)
        opens_flags.append(False)
    return Schedule(np.asarray(times, dtype=float), np.asarray(counts, dtype=np.int64), np.asarray(opens_flags, dtype=bool))

"""Working hours ("arbetstimmar"): the clock that case targets run on.

The agreement gives case limits in working hours (agreement 4.2: fault reports within 4,
other cases and orders within 8). A working hour passes only while the office works:

- the office's hours per weekday (``cases.office_hours``; ``null`` means the phone opening
  hours of ``calendar.hours``);
- red days (Swedish public holidays) and the closed eves (``calendar.closed_eves``) are off;
- dated closures (``calendar.closures``) are off, whole days or the part of a day they cover;
- the 15:00 rule ("Dag före röd dag stängs telefonerna kl. 15:00") closes only the phones by
  default (``cases.early_close_scope: phones``: the office works on with cases until its normal
  closing); ``office`` makes it close the whole office at 15:00.

The office calendar is the phone calendar with those two changes, so every rule of
:mod:`sim.world.calendar` applies to it unchanged. :class:`WorkClock` holds its working
periods as seconds since an origin and maps clock time to cumulative working seconds and back
(piecewise linear, vectorised), which is all the case model needs. The public helpers
:func:`add_working_time` and :func:`working_hours_between` answer the same questions for
dates, e.g. a case arriving at 16:00 on a Friday with a 4-hour target is due at 11:00 on
Monday.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sim.errors import ScenarioError
from sim.schema import CalendarConfig, HoursConfig, Scenario, Weekday, minutes
from sim.world.calendar import DayPlan, day_plans

DAY_S = 86400.0
Scope = Literal["phones", "office"]
_MAX_DAYS = 3 * 366  # how far ahead a due time is looked for before giving up


def office_calendar(
    cal: CalendarConfig,
    office_hours: dict[Weekday, HoursConfig | None] | None = None,
    early_close_scope: Scope = "phones",
) -> CalendarConfig:
    """The office's calendar: the phone calendar with the office's own weekday hours (default
    the phone hours) and, with scope ``phones``, without the 15:00 rule."""
    update: dict[str, object] = {}
    if office_hours is not None:
        update["hours"] = dict(office_hours)
    if early_close_scope == "phones":
        update["early_close"] = None
    return cal.model_copy(update=update)


def scenario_office_calendar(s: Scenario) -> CalendarConfig:
    """The office calendar of a scenario (its ``cases`` settings applied)."""
    c = s.cases
    return office_calendar(s.calendar, c.office_hours, c.early_close_scope)


@dataclass(frozen=True)
class WorkClock:
    """Working periods ``[opens[j], closes[j])`` in seconds since ``origin`` (midnight of the
    first date), sorted and disjoint; ``cum[j]`` is the working time before period ``j``."""

    origin: dt.date
    opens: np.ndarray
    closes: np.ndarray

    @property
    def cum(self) -> np.ndarray:
        """Working seconds before each period."""
        return np.concatenate([[0.0], np.cumsum(self.closes - self.opens)])[:-1]

    @property
    def total_s(self) -> float:
        """All working seconds the clock covers."""
        return float((self.closes - self.opens).sum())

    def worked(self, t: np.ndarray | float) -> np.ndarray:
        """Cumulative working seconds from the origin to clock time(s) ``t``."""
        t = np.asarray(t, dtype=float)
        if self.opens.size == 0:
            return np.zeros_like(t)
        j = np.searchsorted(self.opens, t, side="right") - 1
        jj = np.clip(j, 0, None)
        inside = np.clip(t - self.opens[jj], 0.0, self.closes[jj] - self.opens[jj])
        return np.where(j >= 0, self.cum[jj] + inside, 0.0)

    def at_worked(self, w: np.ndarray | float) -> np.ndarray:
        """The earliest clock time at which ``w`` working seconds have passed since the origin
        (``inf`` beyond the clock's horizon). A limit reached exactly at a closing is due at
        that closing, not at the next opening."""
        w = np.asarray(w, dtype=float)
        if self.opens.size == 0:
            return np.full_like(w, np.inf)
        ends = self.cum + (self.closes - self.opens)
        j = np.searchsorted(ends, w, side="left")
        jj = np.clip(j, 0, self.opens.size - 1)
        t = self.opens[jj] + (w - self.cum[jj])
        return np.where(j < self.opens.size, t, np.inf)

    def add(self, start: np.ndarray | float, hours: np.ndarray | float) -> np.ndarray:
        """Clock time(s) when ``hours`` working hours have passed after ``start``."""
        start, hours = np.asarray(start, dtype=float), np.asarray(hours, dtype=float)
        due = self.at_worked(self.worked(start) + 3600.0 * hours)
        # zero hours: due at the start itself (a limit is never before the arrival)
        return np.where(hours > 0, np.maximum(due, start), start)

    def between_h(self, a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
        """Working hours between clock times ``a`` and ``b`` (0 when ``b <= a``)."""
        return np.maximum(self.worked(b) - self.worked(a), 0.0) / 3600.0

    def is_working(self, t: float) -> bool:
        """Whether the office works at clock time ``t``."""
        j = int(np.searchsorted(self.opens, t, side="right")) - 1
        return j >= 0 and t < float(self.closes[j])


def clock_from_plans(plans: list[DayPlan], origin: dt.date | None = None) -> WorkClock:
    """The working periods of a list of consecutive day plans."""
    origin = origin or (plans[0].date if plans else dt.date(1970, 1, 1))
    opens, closes = [], []
    for p in plans:
        if p.opens is None or p.closes is None:
            continue
        base = (p.date - origin).days * DAY_S
        opens.append(base + 60.0 * minutes(p.opens))
        closes.append(base + 60.0 * minutes(p.closes))
    return WorkClock(origin, np.asarray(opens, dtype=float), np.asarray(closes, dtype=float))


def work_clock(cal: CalendarConfig, start: dt.date, end: dt.date, ahead_h: float = 0.0) -> WorkClock:
    """The office clock from ``start`` to ``end``, extended past ``end`` until it holds at
    least ``ahead_h`` working hours after ``end`` (so that every due time of a case arriving in
    the run can be computed)."""
    last = end
    while True:
        clock = clock_from_plans(day_plans(cal, start, last), start)
        after = clock.total_s - float(clock.worked((end - start).days * DAY_S + DAY_S))
        if after >= 3600.0 * ahead_h:
            return clock
        if (last - end).days > _MAX_DAYS:
            raise ScenarioError(
                f"Invalid scenario: the office never works after {end} (within {_MAX_DAYS} days), "
                "so case due times in working hours cannot be computed; check cases.office_hours "
                "and calendar.closures."
            )
        last = last + dt.timedelta(days=max(14, (last - end).days * 2))


def _calendar(cal: Scenario | CalendarConfig, early_close_scope: Scope | None) -> CalendarConfig:
    if isinstance(cal, Scenario):
        c = cal.cases
        return office_calendar(cal.calendar, c.office_hours, early_close_scope or c.early_close_scope)
    return office_calendar(cal, None, early_close_scope or "phones")


def _stamp(x: dt.datetime | str | pd.Timestamp) -> pd.Timestamp:
    t = pd.Timestamp(x)
    if t.tzinfo is not None:
        raise ValueError(f"expected a local time without a time zone, got {t}")
    return t


def add_working_time(
    calendar: Scenario | CalendarConfig,
    start: dt.datetime | str | pd.Timestamp,
    hours: float,
    *,
    early_close_scope: Scope | None = None,
) -> pd.Timestamp:
    """When ``hours`` working hours have passed after ``start``.

    ``calendar`` is a scenario (its office calendar: ``cases.office_hours`` and
    ``cases.early_close_scope`` applied) or a :class:`~sim.schema.CalendarConfig` (its hours are
    the office hours). ``early_close_scope`` overrides whether the 15:00 rule closes the whole
    office (``office``) or only the phones (``phones``, the default). A case arriving while
    the office is closed starts counting at the next opening; a limit reached exactly at a
    closing time is due then.

    >>> import sim
    >>> s = sim.load_scenario()
    >>> add_working_time(s, "2026-12-04 16:00", 4)   # a Friday
    Timestamp('2026-12-07 11:00:00')
    """
    if not np.isfinite(hours) or hours < 0:
        raise ValueError(f"hours must be a finite number >= 0, got {hours}")
    t0 = _stamp(start)
    day0 = t0.date()
    clock = work_clock(_calendar(calendar, early_close_scope), day0, day0, ahead_h=hours)
    s0 = (t0 - pd.Timestamp(day0)).total_seconds()
    due = float(clock.add(np.array([s0]), np.array([hours]))[0])
    return pd.Timestamp(day0) + pd.to_timedelta(round(due * 1e6), unit="us")


def working_hours_between(
    calendar: Scenario | CalendarConfig,
    start: dt.datetime | str | pd.Timestamp,
    end: dt.datetime | str | pd.Timestamp,
    *,
    early_close_scope: Scope | None = None,
) -> float:
    """Working hours between ``start`` and ``end`` (0 if ``end`` is not after ``start``)."""
    a, b = _stamp(start), _stamp(end)
    if b <= a:
        return 0.0
    clock = clock_from_plans(day_plans(_calendar(calendar, early_close_scope), a.date(), b.date()), a.date())
    origin = pd.Timestamp(a.date())
    return float(clock.between_h((a - origin).total_seconds(), (b - origin).total_seconds()))

"""Which days the line is open and when it closes.

Public holidays come from the ``holidays`` package (``calendar.country``, default SE with
Swedish names; ``calendar.subdiv`` for a state or Land); the days it lists outside the public
holidays (in SE the eves Midsommarafton, Julafton and Nyårsafton, from its ``de_facto``
category) are closed when listed in ``calendar.closed_eves``. On the day before a closed red
day the phones close at ``calendar.early_close`` (15:00 in SE; no such rule elsewhere unless
set; see :func:`sim.schema.country_defaults`). Dated closure windows close whole days or trim the start
or the end of a day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import holidays
import pandas as pd

from sim.errors import ScenarioError
from sim.schema import CalendarConfig, ClosureConfig, Scenario, eve_categories, minutes


@dataclass(frozen=True, slots=True)
class DayPlan:
    """One calendar date: its regular hours, the hours actually open and why they differ.

    ``opens``/``closes`` are ``None`` when the line is closed all day. ``red`` marks a closed
    red day (public holiday or closed eve): demand on such days is scaled by
    ``demand.closed_day_factor``.
    """

    date: dt.date
    regular_opens: dt.time | None
    regular_closes: dt.time | None
    opens: dt.time | None
    closes: dt.time | None
    reason: str
    red: bool

    @property
    def is_open(self) -> bool:
        """True when the line is open at some time of the day."""
        return self.opens is not None


@lru_cache(maxsize=64)
def _holiday_names(
    country: str, subdiv: str | None, years: tuple[int, ...], language: str, categories: tuple[str, ...]
) -> dict[dt.date, str]:
    cls = getattr(holidays, country)
    # Sundays are not holidays for this purpose (older releases list every Swedish "Söndag").
    extra = {"include_sundays": False} if country == "SE" else {}
    table = cls(years=years, subdiv=subdiv, language=language, categories=categories, **extra)
    return dict(table.items())


def _eve_names(cal: CalendarConfig, years: tuple[int, ...]) -> dict[dt.date, str]:
    """The closed eves by date, labelled in ``calendar.language``. Eves are matched on their
    names in the country's own language (Swedish in SE) whatever language labels the output;
    a date that carries two names ("A; B") matches on either."""
    if not cal.closed_eves:
        return {}
    own = getattr(holidays, cal.country).default_language
    wanted = set(cal.closed_eves)
    out: dict[dt.date, str] = {}
    for cat in eve_categories(cal.country):
        ref = _holiday_names(cal.country, cal.subdiv, years, own, (cat,))
        local = _holiday_names(cal.country, cal.subdiv, years, cal.language, (cat,))
        for d, name in ref.items():
            parts, labels = name.split("; "), local.get(d, name).split("; ")
            hit = [i for i, n in enumerate(parts) if n in wanted]
            if hit and d not in out:
                out[d] = labels[hit[0]] if len(labels) == len(parts) else local.get(d, name)
    return out


def _closure_on(closures: tuple[ClosureConfig, ...], day: dt.date) -> list[ClosureConfig]:
    return [c for c in closures if c.start <= day <= c.last_day]


def _red_days(cal: CalendarConfig, years: tuple[int, ...]) -> tuple[dict[dt.date, str], dict[dt.date, str]]:
    """(public holidays, closed eves) by date."""
    public = _holiday_names(cal.country, cal.subdiv, years, cal.language, ("public",))
    return public, _eve_names(cal, years)


def _is_rule_day(cal: CalendarConfig, day: dt.date, public: dict, eves: dict) -> str | None:
    """Name of the closed day that triggers the early-close rule on the day before, if any."""
    if "public_holidays" in cal.early_close_before and day in public:
        return public[day]
    if "closed_eves" in cal.early_close_before and day in eves:
        return eves[day]
    if "closures" in cal.early_close_before:
        whole = [c for c in _closure_on(tuple(cal.closures), day) if c.from_time is None]
        if whole:
            return whole[0].reason
    return None


def _apply_closures(
    day: dt.date,
    opens: dt.time,
    closes: dt.time,
    closures: list[ClosureConfig],
    all_closures: tuple[ClosureConfig, ...] = (),
) -> tuple[dt.time | None, dt.time | None, list[str]]:
    reasons: list[str] = []
    for c in closures:
        if c.from_time is None or c.to_time is None:
            return None, None, [c.reason]
        if c.to_time <= opens or c.from_time >= closes:
            continue  # outside today's hours
        if c.from_time <= opens:
            opens = c.to_time
        elif c.to_time >= closes:
            closes = c.from_time
        else:
            where = f"[{all_closures.index(c)}]" if c in all_closures else ""
            raise ScenarioError(
                f"Invalid scenario: calendar.closures{where} ({c.reason}, {day}) closes "
                f"{c.from_time:%H:%M}-{c.to_time:%H:%M}, in the middle of the day "
                f"({opens:%H:%M}-{closes:%H:%M}); a closure window must start at opening or end "
                "at closing (split it into a late opening or an early closing)."
            )
        reasons.append(f"{c.reason} {c.from_time:%H:%M}-{c.to_time:%H:%M}")
        if opens >= closes:
            return None, None, reasons
    return opens, closes, reasons


def day_plan(cal: CalendarConfig, day: dt.date, public: dict, eves: dict) -> DayPlan:
    """The plan of one date (``public``/``eves`` from :func:`_red_days` for its years)."""
    hours = cal.hours_of(day.weekday())
    reg_o = hours.opens if hours else None
    reg_c = hours.closes if hours else None
    red_name = public.get(day) or eves.get(day)
    if red_name is not None:
        return DayPlan(day, reg_o, reg_c, None, None, red_name, True)
    if hours is None:
        return DayPlan(day, None, None, None, None, "weekend" if day.weekday() >= 5 else "closed weekday", False)
    opens, closes = hours.opens, hours.closes
    reasons: list[str] = []
    before = _is_rule_day(cal, day + dt.timedelta(days=1), public, eves)
    if before is not None and cal.early_close is not None and cal.early_close < closes:
        closes = max(cal.early_close, opens)
        reasons.append(f"day before {before}")
    o, c, more = _apply_closures(day, opens, closes, _closure_on(tuple(cal.closures), day), tuple(cal.closures))
    reasons += more
    if o is None or c is None or o >= c:
        return DayPlan(day, reg_o, reg_c, None, None, "; ".join(reasons) or "closed", False)
    return DayPlan(day, reg_o, reg_c, o, c, "; ".join(reasons) or "open", False)


def day_plans(cal: CalendarConfig, start: dt.date, end: dt.date) -> list[DayPlan]:
    """One :class:`DayPlan` per date from ``start`` to ``end`` inclusive."""
    if end < start:
        raise ScenarioError(f"Invalid date range: end {end} is before start {start}.")
    years = tuple(range(start.year, end.year + 2))
    public, eves = _red_days(cal, years)
    n = (end - start).days + 1
    return [day_plan(cal, start + dt.timedelta(days=k), public, eves) for k in range(n)]


def _as_date(x: dt.date | str | pd.Timestamp) -> dt.date:
    return pd.Timestamp(x).date()


def opening_hours(
    scenario: Scenario | CalendarConfig,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> pd.DataFrame:
    """Opening hours per date: columns ``date``, ``weekday``, ``opens``, ``closes`` (NaT when
    closed all day), ``open_h`` and ``reason`` (``open``, ``weekend``, a holiday's name,
    ``day before Julafton``, a closure's reason…).

    ``start``/``end`` default to the scenario's run dates.
    """
    cal = scenario.calendar if isinstance(scenario, Scenario) else scenario
    if start is None or end is None:
        if not isinstance(scenario, Scenario):
            raise TypeError("start and end are required when passing a CalendarConfig")
        start = start or scenario.run.start
        end = end or scenario.run.end
    plans = day_plans(cal, _as_date(start), _as_date(end))
    return plans_frame(plans)


def plans_frame(plans: list[DayPlan]) -> pd.DataFrame:
    """Tidy frame of day plans (see :func:`opening_hours`)."""

    def at(p: DayPlan, t: dt.time | None) -> pd.Timestamp:
        # through minutes(): a closing at 24:00 is the next midnight, not 23:59:59.999999
        return pd.Timestamp(p.date) + pd.Timedelta(minutes=minutes(t)) if t is not None else pd.NaT

    frame = pd.DataFrame(
        {
            "date": pd.to_datetime([p.date for p in plans]),
            "weekday": [p.date.strftime("%a") for p in plans],
            "opens": pd.to_datetime([at(p, p.opens) for p in plans]),
            "closes": pd.to_datetime([at(p, p.closes) for p in plans]),
            "reason": [p.reason for p in plans],
        }
    )
    frame["open_h"] = ((frame["closes"] - frame["opens"]).dt.total_seconds() / 3600).fillna(0.0)
    return frame

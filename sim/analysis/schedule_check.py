"""An independent check of a published schedule against the rules, written from the rules.

It reads the schedule as a planner sees it (``schedule.csv``: ``agent, date, shift_start,
shift_end, lunch, breaks, paid_h`` with times ``HH:MM`` and spans ``HH:MM-HH:MM``) and
shares no code with the integer program of :mod:`sim.analysis.schedule`, so that a mistake
in the program's constraints cannot hide in the check. :func:`check` returns one row per
violation (``rule, agent, date, detail``); empty means the schedule keeps every rule:

* shift times and breaks that read as clock times ``HH:MM`` (24:00 as an end) and end after they start
  (a row that does not is reported and not judged further);
* one shift per agent and date; shifts inside the date's opening hours;
* breaks inside their shift, not overlapping; paid hours = length − unpaid breaks;
* daily rest (§13): between the end of a shift and the start of the agent's next one;
* weekly rest (§14): in every whole week (from ``week_starts``) of the period, a free stretch that long;
* work without a break (§15): no stretch between counting breaks longer than the limit;
* the agent's vacations, unavailable dates and fixed days off; earliest start, latest end;
* skills: only agents with the phones skill are rostered on the phones;
* contract hours: each agent's paid hours within the band given;
* coverage after breaks: per date and slot, agents on the phones ≥ the requirement minus
  the shortage the schedule declares (``declared_short``, default none). Agents on the phones
  are the time-average over the slot (:func:`sim.world.staffing.phones_per_slot`, the measure
  the follow-up uses too): a shift starting 08:15 is half an agent in the slot 08:00-08:30.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.schema import WEEKDAYS, TeamConfig, hhmm, minutes
from sim.world.clock import clock_minutes, span_minutes, span_texts, spans_minutes
from sim.world.staffing import Duty, agent_counts, phones_per_slot

COLUMNS = ("rule", "agent", "date", "detail")


@dataclass(frozen=True)
class Limits:
    """The rules to check, in hours (``rest_breaks``: ``unpaid`` or ``all`` count for §15)."""

    daily_rest_h: float = 11.0
    weekly_rest_h: float = 36.0
    max_work_without_break_h: float = 5.0
    rest_breaks: str = "unpaid"
    lunch_paid: bool = False
    week_starts: str = "mon"


def _as_date(x: object) -> dt.date:
    return pd.Timestamp(x).date()  # type: ignore[arg-type]


def _spans_judged(text: object, what: str, agent: str, d: dt.date, bad: list[tuple[str, str, object, str]]) -> list[tuple[int, int]]:
    """The spans of a lunch or breaks cell; a span that is not one (``12:30-12:00``, ``25:99``)
    is a "breaks" violation and left out, and the shift is still judged with the others."""
    try:
        return spans_minutes(text)
    except ValueError:
        pass
    kept = []
    for part in span_texts(text) if isinstance(text, str) else [str(text)]:
        try:
            kept.append(span_minutes(part))
        except ValueError as exc:
            bad.append(("breaks", agent, d, f"{what} {part!r}: {exc}"))
    return kept


def check(schedule: pd.DataFrame, team: TeamConfig, hours: Mapping[dt.date, tuple[int, int] | None],
          need: Mapping[dt.date, np.ndarray], slot_min: int, limits: Limits,
          band_h: Mapping[str, tuple[float, float]] | None = None,
          declared_short: Mapping[dt.date, np.ndarray] | None = None) -> pd.DataFrame:
    """Every violation of ``schedule`` (see the module docstring). ``hours``: each date of the
    period with its (opens, closes) minutes or None; ``need``: agents per slot of each open date."""
    bad: list[tuple[str, str, object, str]] = []
    agents = {a.id: a for a in team.agents}
    rows = []
    for r in schedule.itertuples(index=False):
        d = _as_date(r.date)
        try:
            start, end = clock_minutes(r.shift_start), clock_minutes(r.shift_end, end=True)
        except ValueError as exc:
            bad.append(("shift times", str(r.agent), d, f"shift {r.shift_start}-{r.shift_end}: {exc}"))
            continue
        if end <= start:
            bad.append(("shift times", str(r.agent), d, f"shift {r.shift_start}-{r.shift_end} does not end after it starts"))
            continue
        lunch, short = (_spans_judged(text, what, str(r.agent), d, bad) for what, text in (("lunch", r.lunch), ("breaks", r.breaks)))
        rows.append((str(r.agent), d, start, end, lunch, short, float(r.paid_h)))
    seen: dict[tuple[str, dt.date], int] = {}
    for agent, d, start, end, lunch, short, paid in rows:
        seen[(agent, d)] = seen.get((agent, d), 0) + 1
        a = agents.get(agent)
        if a is None:
            bad.append(("team", agent, d, "not in the team"))
            continue
        if "phones" not in a.skills:
            bad.append(("skills", agent, d, f"rostered on the phones without the phones skill ({', '.join(a.skills)})"))
        if any(v.start <= d <= v.end for v in a.vacations):
            bad.append(("vacation", agent, d, "works during a vacation"))
        if d in a.unavailable:
            bad.append(("unavailable", agent, d, "works on an unavailable date"))
        if WEEKDAYS[d.weekday()] in a.days_off:
            bad.append(("day off", agent, d, f"works on a fixed day off ({WEEKDAYS[d.weekday()]})"))
        if a.earliest_start is not None and start < minutes(a.earliest_start):
            bad.append(("earliest start", agent, d, f"starts {hhmm(start)} before {a.earliest_start:%H:%M}"))
        if a.latest_end is not None:
            latest = minutes(a.latest_end)
            if end > latest:
                bad.append(("latest end", agent, d, f"ends {hhmm(end)} after {hhmm(latest)}"))
        h = hours.get(d)
        if h is None:
            bad.append(("opening hours", agent, d, "works on a date the line is closed or outside the period"))
        elif start < h[0] or end > h[1]:
            bad.append(("opening hours", agent, d, f"shift {hhmm(start)}-{hhmm(end)} outside {hhmm(h[0])}-{hhmm(h[1])}"))
        brk = sorted([(b0, b1, False) for b0, b1 in lunch] + [(b0, b1, True) for b0, b1 in short])
        last = start
        for b0, b1, _ in brk:
            if b0 < last or b1 > end or b1 <= b0:
                bad.append(("breaks", agent, d, f"break {hhmm(b0)}-{hhmm(b1)} outside the shift or overlapping another"))
            last = max(last, b1)
        unpaid = 0 if limits.lunch_paid else sum(b1 - b0 for b0, b1 in lunch)
        if abs((end - start - unpaid) / 60 - paid) > 1e-6:
            bad.append(("paid hours", agent, d, f"paid_h {paid:g} but the shift pays {(end - start - unpaid) / 60:g} h"))
        rest = lunch + short if limits.rest_breaks == "all" else ([] if limits.lunch_paid else lunch)
        t, longest = start, 0
        for b0, b1 in sorted(rest):
            longest, t = max(longest, b0 - t), b1
        longest = max(longest, end - t)
        if longest > limits.max_work_without_break_h * 60 + 1e-9:
            bad.append(("work without a break", agent, d, f"{longest / 60:g} h in a row (at most {limits.max_work_without_break_h:g} h)"))
    for (agent, d), k in seen.items():
        if k > 1:
            bad.append(("one shift a day", agent, d, f"{k} shifts"))
    bad += _rests(rows, sorted(hours), limits)
    bad += _hours(rows, band_h or {})
    bad += _coverage(rows, hours, need, slot_min, declared_short or {})
    return pd.DataFrame(bad, columns=list(COLUMNS))


def _rests(rows: list, dates: list[dt.date], limits: Limits) -> list[tuple[str, str, object, str]]:
    out: list[tuple[str, str, object, str]] = []
    if not dates:
        return out
    origin = dates[0]
    spans: dict[str, list[tuple[int, int]]] = {}
    for agent, d, start, end, *_ in rows:
        base = (d - origin).days * 1440
        spans.setdefault(agent, []).append((base + start, base + end))
    n_days = (dates[-1] - origin).days + 1
    for agent, sp in spans.items():
        sp.sort()
        for (_, e1), (s2, _) in zip(sp, sp[1:], strict=False):
            if s2 - e1 < limits.daily_rest_h * 60 - 1e-9:
                when = origin + dt.timedelta(days=s2 // 1440)
                out.append(("daily rest", agent, when, f"{(s2 - e1) / 60:g} h between shifts (at least {limits.daily_rest_h:g} h)"))
        for k in range(0, n_days - 6):
            if WEEKDAYS[(origin + dt.timedelta(days=k)).weekday()] != limits.week_starts:
                continue  # §14's 7-day periods are the weeks from week_starts; partial weeks at the ends are not judged
            lo, hi = k * 1440, (k + 7) * 1440
            t, free = lo, 0
            for s, e in sp:
                if e <= lo or s >= hi:
                    continue
                free, t = max(free, max(s, lo) - t), max(t, min(e, hi))
            free = max(free, hi - t)
            if free < limits.weekly_rest_h * 60 - 1e-9:
                out.append(("weekly rest", agent, origin + dt.timedelta(days=k),
                            f"longest rest {free / 60:g} h in the 7 days from this date (at least {limits.weekly_rest_h:g} h)"))
    return out


def _hours(rows: list, band: Mapping[str, tuple[float, float]]) -> list[tuple[str, str, object, str]]:
    paid: dict[str, float] = {a: 0.0 for a in band}
    for agent, _d, _s, _e, _l, _b, p in rows:
        paid[agent] = paid.get(agent, 0.0) + p
    out: list[tuple[str, str, object, str]] = []
    for agent, (lo, hi) in band.items():
        if not lo - 1e-6 <= paid[agent] <= hi + 1e-6:
            out.append(("contract hours", agent, None, f"{paid[agent]:g} h paid, the band is {lo:g}-{hi:g} h"))
    return out


def _coverage(rows: list, hours: Mapping, need: Mapping, slot_min: int, declared: Mapping) -> list[tuple[str, str, object, str]]:
    on = _phones(((d, Duty(start, end, tuple(lunch + short))) for _agent, d, start, end, lunch, short, _p in rows), hours, slot_min)
    out = []
    for d, req in need.items():
        have = on.get(d, np.zeros(len(req)))
        allowed = np.asarray(declared.get(d, np.zeros(len(req))))
        miss = np.asarray(req, dtype=float) - have - allowed
        for i in np.flatnonzero(miss > 1e-6):
            o = hours[d][0] if hours.get(d) else 0
            out.append(("coverage", "", d, f"{hhmm(o + int(i) * slot_min)}: {have[i]:g} on the phones, {req[i]:g} needed, "
                                           f"{allowed[i]:g} declared short"))
    return out


def on_phones(schedule: pd.DataFrame, hours: Mapping[dt.date, tuple[int, int] | None], slot_min: int) -> dict[dt.date, np.ndarray]:
    """Agents on the phones (on shift, not on a break) per slot of every open date: the
    time-average of :func:`sim.world.staffing.phones_per_slot` (a whole number on the slot grid)."""
    duties = ((_as_date(r.date), Duty(clock_minutes(r.shift_start), clock_minutes(r.shift_end, end=True),
                                      tuple(spans_minutes(r.lunch) + spans_minutes(r.breaks))))
              for r in schedule.itertuples(index=False))
    return {d: agent_counts(v) for d, v in _phones(duties, hours, slot_min).items()}


def _phones(duties: Iterable[tuple[dt.date, Duty]], hours: Mapping[dt.date, tuple[int, int] | None],
            slot_min: int) -> dict[dt.date, np.ndarray]:
    """Agents on the phones per slot of every open date (of the ``(date, duty)`` pairs on it)."""
    by: dict[dt.date, list[Duty]] = {d: [] for d, h in hours.items() if h is not None}
    for d, duty in duties:
        if d in by:
            by[d].append(duty)
    out = {}
    for d, ds in by.items():
        o, c = hours[d]  # type: ignore[misc]
        out[d] = phones_per_slot(ds, o, (c - o) // slot_min, slot_min)
    return out

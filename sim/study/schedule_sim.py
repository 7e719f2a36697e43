"""The dated schedule checked by simulation, with sick absence drawn per agent and day.

Each open date of the period is simulated on its own (``run.start = run.end =`` the date,
staffing ``mode: shifts`` with the date's shifts and their breaks), ``replications`` times:
in replication ``r`` every rostered agent is off sick that day with probability
``schedule.absence.sick_share`` (their shift is removed; nobody replaces them), and the day's
demand is drawn with seed ``seed + r`` (its day-to-day variation, ``demand.day_cv``, included).
Per date: P(each target met) and P(all met) over the replications, the days at risk (P(all)
below ``confidence``); for the month: per replication the pooled KPIs of all its dates, and
P(the month meets each target). A date that follows closed dates is simulated from the
first of them, or from the open date before them when that one closed early (at most six days
back, with that date's schedule as rostered): the callers the closures push into its opening
(the displaced callers, the heavy first opening after Christmas) are in its check; the KPIs
are the date's alone. :func:`repair_schedule` adds extra or longer shifts on the dates at risk
until the month meets the targets with the required confidence or no agent can take more.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis import schedule as ip
from sim.analysis.roster import Shift, Template
from sim.catalogue import TARGET_KPIS, target_bound
from sim.model.simulate import simulate
from sim.scenario.compose import validate
from sim.schema import WEEKDAYS, Scenario, hhmm
from sim.study.roster import template
from sim.study.schedule import Schedule, people_of, program_days, rules_of
from sim.world.calendar import day_plans
from sim.world.clock import clock_minutes, span_minutes, spans_minutes

TARGETS = TARGET_KPIS  # the agreement's call KPIs with a target


def _met(s: Scenario, k: pd.Series | dict) -> dict[str, bool]:
    out = {}
    for name in TARGETS:  # strict, as the agreement words them (sim.catalogue)
        b = target_bound(name, s.targets)
        assert b is not None and not b[2]
        out[name] = k[name] > b[0] if b[1] else k[name] < b[0]
    return out


def _shifts(rows: pd.DataFrame, weekday: str) -> list[dict]:
    """The rows of one date as ``staffing.shifts`` entries (identical shifts merged)."""
    count: Counter = Counter()
    for r in rows.itertuples(index=False):
        spans = [x for x in f"{r.lunch or ''} {r.breaks or ''}".split() if x]
        brk = tuple(sorted(spans))
        count[(r.shift_start, r.shift_end, brk)] += 1
    out = []
    for (start, end, brk), n in sorted(count.items()):
        breaks = []
        for span in brk:
            lo, hi = span_minutes(span)
            breaks.append({"start": hhmm(lo), "minutes": hi - lo})
        out.append({"start": start, "end": end, "count": n, "days": [weekday], "breaks": breaks})
    return out


def simulate_schedule(sch: Schedule, replications: int = 20, seed: int = 1, confidence: float = 0.9,
                      sick_share: float | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(per date: P(each target met), P(all), at risk; per replication × date: KPIs, absent
    agents, on-phone hours; the month: P(each target met) of the pooled month)."""
    s = sch.scenario
    p_sick = s.schedule.absence.sick_share if sick_share is None else sick_share
    frame = sch.frame()
    base = s.model_dump(mode="json")
    rows = []
    for dn in sch.dated:
        if dn.opens is None:
            continue
        d = dn.plan.date
        day_rows = frame[frame["date"] == d].reset_index(drop=True)
        for r in range(replications):
            rng = np.random.default_rng([seed, d.toordinal(), r])
            sick = rng.random(len(day_rows)) < p_sick
            present = day_rows[~sick]
            raw = dict(base)
            first = closed_from(s, d)
            before = [x for e in sorted(set(frame["date"])) if first <= e < d
                      for x in _shifts(frame[frame["date"] == e], WEEKDAYS[e.weekday()])]
            raw["run"] = {"start": first.isoformat(), "end": d.isoformat(), "seed": seed + r}
            raw["staffing"] = {"mode": "shifts", "agents": None, "table": None, "table_file": None,
                               "shifts": before + _shifts(present, WEEKDAYS[d.weekday()])}
            k = simulate(validate(raw), seed=seed + r).kpis("D").iloc[-1]
            met = _met(s, k)
            rows.append({"date": d, "replication": r, "absent": int(sick.sum()), "rostered": len(day_rows),
                         "staffed_h": float(k["staffed_s"]) / 3600, "offered": int(k["offered"]), "answered": int(k["answered"]),
                         "within_threshold": int(k["within_threshold"]),
                         **{c: float(k[c]) for c in TARGETS}, **{f"{c}_met": v for c, v in met.items()},
                         "all_met": all(met.values()), "wait_sum_s": float(k["asa_s"]) * int(k["answered"]),
                         "handle_sum_s": float(k["aht_s"]) * int(k["answered"])})
    reps = pd.DataFrame(rows)
    if reps.empty:
        return pd.DataFrame(), reps, pd.DataFrame()
    met_cols = [f"{c}_met" for c in TARGETS] + ["all_met"]
    days = reps.groupby("date")[met_cols + ["absent"]].mean().reset_index()
    days = days.rename(columns={c: f"p_{c}" for c in met_cols} | {"absent": "mean_absent"})
    days["at_risk"] = days["p_all_met"] < confidence
    month_rows = []
    for _r, g in reps.groupby("replication"):
        off, ans = g["offered"].sum(), g["answered"].sum()
        k = {"availability": ans / off if off else 1.0, "service_level": g["within_threshold"].sum() / off if off else 1.0,
             "asa_s": g["wait_sum_s"].sum() / ans if ans else 0.0, "aht_s": g["handle_sum_s"].sum() / ans if ans else 0.0,
             "logging_share": float(np.average(g["logging_share"], weights=g["answered"])) if ans else 1.0}
        month_rows.append(_met(s, k))
    month = pd.DataFrame(month_rows).mean().rename("p_met").rename_axis("target").reset_index()
    month.loc[len(month)] = ["all", float(pd.DataFrame(month_rows).all(axis=1).mean())]
    return days, reps, month


def closed_from(s: Scenario, d: dt.date) -> dt.date:
    """Where the run checking ``d`` starts: the first of the closed dates just before it, or
    the open date before those when it closed before its regular hour (the 15:00 rule; at
    most six days back: the shifts of the simulated run are per weekday); ``d`` itself when
    the day before is an ordinary open day."""
    back = day_plans(s.calendar, d - dt.timedelta(days=6), d - dt.timedelta(days=1))
    first = d
    for p in reversed(back):
        if p.opens is not None:
            if p.closes is not None and p.regular_closes is not None and p.closes < p.regular_closes:
                first = p.date
            break
        first = p.date
    return first


def on_phone_hours(sch: Schedule) -> dict[dt.date, float]:
    """The schedule's on-phone hours per date (shifts less lunch and breaks)."""
    out: dict[dt.date, float] = {}
    for r in sch.frame().itertuples(index=False):
        mins = clock_minutes(r.shift_end, end=True) - clock_minutes(r.shift_start)
        for lo, hi in spans_minutes(f"{r.lunch or ''} {r.breaks or ''}"):
            mins -= hi - lo
        out[r.date] = out.get(r.date, 0.0) + mins / 60
    return out


@dataclass
class Repair:
    """The repair step's outcome: the schedule with the extra shifts, the shifts added (round,
    agent, date, ``kind`` extra (a shift on a free day) or longer (an overtime offer: the shift
    ``was`` replaced by a longer one containing it), shift, paid hours, hours added), one row
    per round (P(month meets all), the dates at risk, shifts added), the last simulation
    (days, replications, month), whether the month meets the targets with the required
    confidence, and why it stopped."""

    schedule: Schedule
    added: pd.DataFrame
    rounds: pd.DataFrame
    simulated: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
    met: bool
    stopped: str


def _p_month(month: pd.DataFrame) -> float:
    return float(month.set_index("target").loc["all", "p_met"]) if len(month) else 1.0


def repair_schedule(sch: Schedule, replications: int = 20, seed: int = 1, confidence: float = 0.9, rounds: int = 10,
                    overtime_h_max: float = 8.0, sick_share: float | None = None) -> Repair:
    """Simulate the schedule with sick absence; while P(the month meets all targets) is below
    ``confidence``, add one extra shift on each date at risk (the riskiest first; when no
    single date is at risk, the three with the lowest P(all)) and simulate again, at most
    ``rounds`` times. An extra shift goes to the available agent (phones skill, not off, not
    working that date, daily and weekly rest kept, inside their hours) with the most paid
    time left below their band's top plus ``overtime_h_max``, or as an overtime offer to an
    agent working that date: a longer shift containing theirs. The offer chosen keeps the
    agent within their band if any can, then covers most slots where the agents on the phones
    are at most the requirement (one absence leaves them short). Stops when met, when no agent can take a shift on any
    risky date (the report says so), or after ``rounds``."""
    s = sch.scenario
    t = template(s)
    rules = rules_of(s)
    days = {d.index: d for d in program_days(s, sch.dated, t.slot_min)}
    people = people_of(s, sch.team, sch.dated, sch.targets)
    sw = s.schedule.weights
    weights = ip.Weights(sw.shortage, sw.hours, sw.fairness, sw.preference)
    sim = simulate_schedule(sch, replications, seed, confidence, sick_share)
    history: list[dict] = []
    added: list[dict] = []
    met, stopped = _p_month(sim[2]) >= confidence, "met"
    for r in range(rounds):
        if met:
            break
        dd = sim[0].sort_values("p_all_met", kind="stable")
        risky = list(dd[dd["at_risk"]]["date"]) or list(dd["date"][:3])
        new: list[tuple[ip.Work, ip.Work | None]] = []  # (the shift now, the one it replaced)
        for d in risky:
            w = _extra_shift(sch, days[(d - sch.start).days], people, t, rules, overtime_h_max)
            if w is not None:
                was = next((x for x in sch.result.work if (x.person, x.day) == (w.person, w.day)), None)
                kept = [x for x in sch.result.work if (x.person, x.day) != (w.person, w.day)]
                placed = rebreak([*kept, w], days[w.day], t, rules, weights)
                w = next(x for x in placed if (x.person, x.day) == (w.person, w.day))
                sch = _with_work(sch, placed, list(days.values()), people, t.slot_min)
                new.append((w, was))
        history.append({"round": r + 1, "p_month_all": _p_month(sim[2]), "dates_at_risk": int(sim[0]["at_risk"].sum()),
                        "shifts_added": len(new)})
        if not new:
            stopped = "no agent can take another shift on the dates at risk"
            break
        for w, was in new:
            a = sch.team.agents[w.person]
            added.append({"round": r + 1, "agent": a.id, "name": a.name, "date": sch.start + dt.timedelta(days=w.day),
                          "kind": "extra" if was is None else "longer", "shift_start": hhmm(w.start), "shift_end": hhmm(w.end),
                          "was": "" if was is None else f"{hhmm(was.start)}-{hhmm(was.end)}",
                          "paid_h": w.paid_min / 60, "added_h": (w.paid_min - (was.paid_min if was else 0)) / 60})
        sim = simulate_schedule(sch, replications, seed, confidence, sick_share)
        met = _p_month(sim[2]) >= confidence
    else:
        stopped = "met" if met else f"not met after {rounds} round(s) (schedule.repair_rounds)"
    if met:
        stopped = "met"
    risk = int(sim[0]["at_risk"].sum()) if len(sim[0]) else 0
    history.append({"round": len(history) + 1, "p_month_all": _p_month(sim[2]), "dates_at_risk": risk, "shifts_added": 0})
    cols = ["round", "agent", "name", "date", "kind", "shift_start", "shift_end", "was", "paid_h", "added_h"]
    return Repair(sch, pd.DataFrame(added, columns=cols), pd.DataFrame(history), sim, met, stopped)


def rebreak(work: list[ip.Work], day: ip.Day, t: Template, rules: ip.Rules, weights: ip.Weights) -> list[ip.Work]:
    """``work`` with the breaks of every shift on ``day`` placed anew, to leave the fewest
    slots short (:func:`sim.analysis.schedule._place_breaks`, as stage 3 of the schedule does):
    a shift added or lengthened by the repair does not move a break into a covered slot."""
    shs = ip.day_shifts(t, day, rules)[0]
    index = {(sh.start, sh.length): k for k, sh in enumerate(shs)}
    mine = sorted((w for w in work if w.day == day.index), key=lambda w: w.person)
    if not mine or any((w.start, w.length) not in index for w in mine):
        return work
    counts = np.zeros(len(shs), dtype=int)
    for w in mine:
        counts[index[(w.start, w.length)]] += 1
    pos = ip._place_breaks(t, day, shs, counts, weights, 20.0)
    seen: Counter = Counter()
    out = [w for w in work if w.day != day.index]
    for w in mine:
        k = index[(w.start, w.length)]
        i = seen[k]
        seen[k] += 1
        brk = tuple((ip._position(pos.get((k, b), []), i, shs[k], b, t.slot_min), r.minutes, r.paid) for b, r in enumerate(shs[k].rules))
        out.append(dataclasses.replace(w, breaks=brk))
    return out


def _with_work(sch: Schedule, work: list[ip.Work], days: list[ip.Day], people: list[ip.Person], slot_min: int) -> Schedule:
    """The schedule with ``work``: shortage recounted, overtime (paid hours above the band) noted."""
    work = sorted(work, key=lambda w: (w.person, w.day))
    paid: dict[int, float] = {}
    for w in work:
        paid[w.person] = paid.get(w.person, 0.0) + w.paid_min
    over = {p.key: (paid.get(a, 0.0) - p.hi) / 60 for a, p in enumerate(people) if paid.get(a, 0.0) > p.hi + 1e-6}
    res = dataclasses.replace(sch.result, work=work, short=ip.recount_short(work, days, slot_min))
    return dataclasses.replace(sch, result=res, overtime=over)


def _extra_shift(sch: Schedule, day: ip.Day, people: list[ip.Person], t: Template, rules: ip.Rules,
                 overtime_h_max: float) -> ip.Work | None:
    """One more shift on ``day`` for the agent with the most room, or None when nobody can."""
    slot = t.slot_min
    shs, _ = ip.day_shifts(t, day, rules)
    assert day.opens is not None
    short = ip.recount_short([w for w in sch.result.work if w.day == day.index], [day], slot)[day.index]
    on = day.need - short  # agents on the phones, up to the need
    thin = (on <= day.need + 1e-9) & (day.need > 0)  # one absence makes these short
    mine: dict[int, dict[int, ip.Work]] = {}
    for w in sch.result.work:
        mine.setdefault(w.person, {})[w.day] = w
    paid = {a: sum(w.paid_min for w in ws.values()) for a, ws in mine.items()}
    week = next((k for k in rules.weeks if k <= day.index < k + 7), None)
    best: tuple[bool, float, float, int, Shift] | None = None
    for a, p in enumerate(people):
        ws = mine.get(a, {})
        if not p.phones or day.index not in p.days:
            continue
        now = ws.get(day.index)  # already working: the offer is a longer shift containing theirs (overtime)
        if now is None and week is not None and sum(1 for d in ws if week <= d < week + 7) >= 6:
            continue
        room = p.hi + 60 * overtime_h_max - paid.get(a, 0.0) + (now.paid_min if now else 0)
        for sh in shs:
            if sh.start < p.earliest or sh.end > p.latest or sh.paid_min > room + 1e-6:
                continue
            if now is not None and not (sh.start <= now.start and sh.end >= now.end and sh.length > now.length):
                continue
            before, after = ws.get(day.index - 1), ws.get(day.index + 1)
            if before is not None and 24 * 60 + sh.start - before.end < rules.daily_rest:
                continue
            if after is not None and 24 * 60 + after.start - sh.end < rules.daily_rest:
                continue
            span = np.zeros(len(thin), dtype=bool)
            span[(sh.start - day.opens) // slot:(sh.end - day.opens) // slot] = True
            if now is not None:
                span[(now.start - day.opens) // slot:(now.end - day.opens) // slot] = False
            covered = float((thin & span).sum())
            within = paid.get(a, 0.0) - (now.paid_min if now else 0) + sh.paid_min <= p.hi + 1e-6
            key = (within, covered, room, -a, sh)
            if covered > 0 and (best is None or key[:4] > best[:4]):
                best = key
    if best is None:
        return None
    *_, neg_a, sh = best
    brk = tuple((ip._position([], 0, sh, k, slot), r.minutes, r.paid) for k, r in enumerate(sh.rules))
    return ip.Work(-neg_a, day.index, sh.start, sh.length, brk, sh.paid_min)

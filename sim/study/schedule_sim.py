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
are the date's alone.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pandas as pd

from sim.model.simulate import simulate
from sim.scenario.compose import validate
from sim.schema import WEEKDAYS, Scenario
from sim.study.schedule import Schedule
from sim.world.calendar import day_plans

TARGETS = ("availability", "service_level", "asa_s", "aht_s", "logging_share")


def _met(s: Scenario, k: pd.Series | dict) -> dict[str, bool]:
    t = s.targets
    return {"availability": k["availability"] > t.availability_min, "service_level": k["service_level"] > t.service_level_min,
            "asa_s": k["asa_s"] < t.asa_max_s, "aht_s": k["aht_s"] < t.aht_max_s, "logging_share": k["logging_share"] > t.logging_min}


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
            a, b = span.split("-")
            breaks.append({"start": a, "minutes": (int(b[:2]) * 60 + int(b[3:])) - (int(a[:2]) * 60 + int(a[3:]))})
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
        mins = _clock(r.shift_end) - _clock(r.shift_start)
        for span in f"{r.lunch or ''} {r.breaks or ''}".split():
            a, b = span.split("-")
            mins -= _clock(b) - _clock(a)
        out[r.date] = out.get(r.date, 0.0) + mins / 60
    return out


def _clock(t: str) -> int:
    return int(t[:2]) * 60 + int(t[3:5])

"""A dated roster for named agents: from the team file and the staffing table to who works when.

:func:`build_schedule` takes the scenario's requirement (agents on the phones per weekday ×
interval: ``schedule.requirement_file`` or the scenario's ``staffing.table``), lays it on the
calendar of the planning period (``schedule.start``..``schedule.end``, default the run's
dates: red days closed, the 15:00 rule and closures clip a date's intervals), computes each
agent's paid-hour band from the contract (:func:`targets`) and solves the integer program of
:mod:`sim.analysis.schedule` with the shift templates (``roster.*``) and the working-time
rules (``schedule.rules``). Where the team cannot cover the requirement the shortfall is
part of the answer (:attr:`Schedule.shortage`), and :func:`extra_agents` re-solves with
hypothetical extra agents of each contract to say how many would close it.
:func:`check_schedule` runs the independent checker of :mod:`sim.analysis.schedule_check`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import schedule as ip
from sim.analysis.erlang import required_agents
from sim.analysis.schedule_check import Limits, check
from sim.errors import ScenarioError
from sim.scenario.compose import scenarios_dir, validate
from sim.scenario.datafiles import resolve_file
from sim.scenario.team import read_team
from sim.schema import WEEKDAYS, AgentConfig, Scenario, TeamConfig, hhmm, minutes
from sim.study.roster import slot_need, template
from sim.world.calendar import DayPlan, day_plans
from sim.world.case_arrivals import expected_per_day, kind_shares
from sim.world.clock import clock_minutes
from sim.world.demand import daily_volumes, interval_rates
from sim.world.staffing import Duty, agent_counts, phones_per_slot

Table = dict[str, list[float]]  # agents per interval; a fraction is a time-average (slot_need)
SCHEDULE_COLUMNS = ("agent", "name", "date", "shift_start", "shift_end", "lunch", "breaks", "paid_h")


def period_of(s: Scenario) -> tuple[dt.date, dt.date]:
    """The planning period: ``schedule.start``..``schedule.end``, default the run's dates."""
    start, end = s.schedule.start or s.run.start, s.schedule.end or s.run.end
    if end < start:
        raise ScenarioError(f"Invalid scenario: schedule.end: {end} is before the period's start {start}.")
    if (end - start).days > 366:
        raise ScenarioError(f"Invalid scenario: schedule.end: a planning period covers at most a year ({start} to {end}).")
    return start, end


def load_team(s: Scenario, base_dir: Path | None = None) -> TeamConfig:
    """The scenario's team file (``schedule.team_file``), checked against the planning period."""
    path = resolve_file(s.schedule.team_file, base_dir or scenarios_dir(), "schedule.team_file")
    return read_team(path, period_of(s), s.schedule.dates_outside_period)


def weekday_table(s: Scenario, base_dir: Path | None = None) -> Table:
    """Agents on the phones per weekday × interval of the regular hours: ``schedule.requirement_file``
    (read and checked like ``staffing.table_file``) or the scenario's own staffing."""
    st = s.staffing
    if s.schedule.requirement_file is not None:
        raw = s.model_dump(mode="json")
        raw["staffing"] = {"mode": "table", "agents": None, "table": None, "shifts": None, "table_file": s.schedule.requirement_file}
        try:
            st = validate(raw, base_dir).staffing
        except ScenarioError as exc:
            raise ScenarioError(str(exc).replace("staffing.table_file", "schedule.requirement_file")) from None
    out: Table = {}
    for wd, name in enumerate(WEEKDAYS):
        h = s.calendar.hours_of(wd)
        if h is None:
            continue
        n = (minutes(h.closes) - minutes(h.opens)) // s.demand.interval_min
        if st.mode == "constant":
            out[name] = [float(st.agents or 0)] * n
        elif st.mode == "table" and st.table is not None:
            out[name] = [float(v) for v in st.table.get(name, st.table.get("all", []))]  # type: ignore[call-overload]
        else:
            raise ScenarioError("Invalid scenario: schedule.requirement_file: the scenario is staffed by shifts, so it has no "
                                "requirement per interval; give a staffing table (schedule.requirement_file=FILE.csv, e.g. "
                                "staffing_table_simulation.csv of python -m sim.staff) or use staffing=fibra.")
    return out


@dataclass(frozen=True)
class DatedNeed:
    """One date: its plan, opening hours in minutes (None when closed) and agents per interval."""

    plan: DayPlan
    opens: int | None
    closes: int | None
    need: list[float]
    peak: list[float] = dataclasses.field(default_factory=list)  # agents added for displaced callers (in need already)
    cases: list[float] = dataclasses.field(default_factory=list)  # case-work agents (skill cases), per interval


def dated_requirement(s: Scenario, table: Table, plans: list[DayPlan], peaks: bool = True) -> list[DatedNeed]:
    """The weekday table laid on the dates: closed dates need nobody, a shortened day (the
    15:00 rule, a closure window) keeps the intervals of its weekday that it is open. With
    ``peaks``, the first opening after a closure longer than usual (after Christmas, a red
    day, a closure window) gets the agents its extra displaced callers need
    (:func:`closure_peaks`) on top of its weekday's table."""
    step = s.demand.interval_min
    extra = closure_peaks(s, plans) if peaks and plans else {}
    out = []
    for p in plans:
        row = table.get(WEEKDAYS[p.date.weekday()])
        if p.opens is None or p.closes is None or row is None or p.regular_opens is None:
            out.append(DatedNeed(p, None, None, []))
            continue
        o, c, reg = minutes(p.opens), minutes(p.closes), minutes(p.regular_opens)
        base = [float(row[(m - reg) // step]) for m in range(o, c, step)]
        add = extra.get(p.date, [0.0] * len(base))
        out.append(DatedNeed(p, o, c, [b + e for b, e in zip(base, add, strict=True)], list(add)))
    return out


def case_requirement(s: Scenario, dated: list[DatedNeed], team: TeamConfig | None = None) -> list[DatedNeed]:
    """``dated`` with the case work (``cases.enabled``) in each open date's requirement, for
    the agents with the cases skill: the channel cases of the date (and those that arrived
    since the last opening: overnight, closed days) × their kind's mean handle time, worked at
    the lowest constant rate over the date's opening hours that finishes every case before its
    limit in working hours (``targets.case_hours``: 4 h a fault report, 8 h an order; work
    due after the close counts towards the date's whole load, the rate is at least the date's
    work over its hours), less the agents who do cases and not phones (present that date, by
    contract). Per interval in agents, kept in :attr:`DatedNeed.cases` and added to ``need``."""
    c = s.cases
    if not c.enabled or not c.channels:
        return dated
    step = s.demand.interval_min
    kinds = list(c.kinds)
    mean_h = np.array([c.kinds[k].handle.mean_value for k in kinds]) / 3600.0
    limit = np.array([s.targets.case_hours.get(k, 8.0) for k in kinds])
    only = [a for a in (team.agents if team else []) if "cases" in a.skills and "phones" not in a.skills]
    start = dated[0].plan.date
    lead = day_plans(s.calendar, start - dt.timedelta(days=7), start - dt.timedelta(days=1))
    backlog = np.zeros(len(kinds))  # agent-hours per kind waiting for the next opening
    out = []
    for p in [*lead, *(dn.plan for dn in dated)]:
        hourly = np.zeros((24, len(kinds)))
        for ch in c.channels.values():
            w = np.asarray(ch.profile, dtype=float)
            hourly += np.outer(expected_per_day(ch, p) * w / w.sum(), kind_shares(s, ch) * mean_h)
        dn = next((x for x in dated if x.plan.date == p.date), None)
        if p.opens is None or p.closes is None or (dn is not None and dn.opens is None):
            backlog += hourly.sum(axis=0)
            if dn is not None:
                out.append(dn)
            continue
        o, cl = minutes(p.opens), minutes(p.closes)
        hours = (cl - o) / 60
        before = hourly[: o // 60].sum(axis=0) + backlog
        grid = np.arange(o, cl, step)
        inside = np.array([hourly[int(m) // 60] * step / 60 for m in grid])  # work arriving per interval
        elapsed = (grid - o + step) / 60.0
        due = np.zeros(len(grid))
        for k in range(len(kinds)):
            arrive_t = np.concatenate([[0.0], (grid - o) / 60.0 + step / 120.0])
            work = np.concatenate([[before[k]], inside[:, k]])
            for at, wk in zip(arrive_t, work, strict=True):
                due += wk * (elapsed >= at + limit[k])
        rate = max(float(np.max(due / elapsed)), float((before.sum() + inside.sum()) / hours))
        backlog = hourly[(cl + 59) // 60:].sum(axis=0)
        present = sum(a.contract for a in only if a.off_on(p.date) is None and p.date.weekday() < 5)
        need = max(rate - present, 0.0)
        if dn is not None:
            out.append(dataclasses.replace(dn, need=[x + need for x in dn.need], cases=[need] * len(grid)))
    return out


def _closed_calls(s: Scenario, p: DayPlan, volume: float) -> tuple[float, float]:
    """Expected potential calls of a date (``volume``) while its line is closed: (before its
    opening, after its closing); a closed date's calls are all 'after'."""
    starts, lam = interval_rates(s, p, volume)
    step = s.demand.interval_min
    if p.opens is None or p.closes is None:
        return 0.0, float(lam.sum())
    o, c = minutes(p.opens), minutes(p.closes)
    before = sum(float(n) * min(max(o - a, 0), step) / step for a, n in zip(starts, lam, strict=True))
    after = sum(float(n) * min(max(a + step - c, 0), step) / step for a, n in zip(starts, lam, strict=True))
    return before, after


def displaced_calls(s: Scenario, plans: list[DayPlan], volumes: list[float]) -> dict[dt.date, np.ndarray]:
    """Expected displaced callers per interval of every open date of the consecutive
    ``plans`` (expected potential calls ``volumes``), as the demand model routes them
    (:mod:`sim.world.demand`): a potential call while the line is closed comes back at the
    next opening with probability ``demand.displaced_share``, uniformly over its first
    ``demand.displaced_intervals`` intervals (at most the opening's length)."""
    d = s.demand
    step = d.interval_min
    pending = 0.0
    out: dict[dt.date, np.ndarray] = {}
    for p, v in zip(plans, volumes, strict=True):
        before, after = _closed_calls(s, p, v)
        pending += before
        if p.opens is not None and p.closes is not None:
            o, c = minutes(p.opens), minutes(p.closes)
            spread = min(d.displaced_intervals * step, c - o)
            grid = np.arange(o, c, step)
            share = np.clip(np.minimum(grid + step, o + spread) - grid, 0, None) / spread
            out[p.date] = d.displaced_share * pending * share
            pending = 0.0
        pending += after
    return out


def _regular(s: Scenario, day: dt.date) -> DayPlan:
    h = s.calendar.hours_of(day.weekday())
    return DayPlan(day, h.opens if h else None, h.closes if h else None, h.opens if h else None, h.closes if h else None,
                   "open" if h else "weekend", False)


def closure_peaks(s: Scenario, plans: list[DayPlan]) -> dict[dt.date, list[float]]:
    """Agents to add per interval of each open date for the displaced callers it gets beyond
    an ordinary day of its weekday (whose table already carries the ordinary night's and
    weekend's): Erlang A's requirement (the scenario's handle time, patience and targets) for
    the date's expected calls plus its displaced callers, less that for the calls plus an
    ordinary day's displaced callers, never below 0. The closures before the period count
    (the calendar is read from 14 days before its start)."""
    start = plans[0].date
    lead = day_plans(s.calendar, start - dt.timedelta(days=14), start - dt.timedelta(days=1))
    chain = [*lead, *plans]
    vols = [float(v) for v in daily_volumes(s, chain)]
    actual = displaced_calls(s, chain, vols)
    step = s.demand.interval_min
    f = s.demand.weekday_factor
    out: dict[dt.date, list[float]] = {}
    for p, v in zip(chain[len(lead):], vols[len(lead):], strict=True):
        if p.opens is None or p.closes is None or p.date not in actual:
            continue
        wd = WEEKDAYS[p.date.weekday()]
        ref_days = [_regular(s, p.date - dt.timedelta(days=k)) for k in range(7, 0, -1)]
        fd = f[wd] or 1.0  # type: ignore[index]
        ref_vols = [v * f[WEEKDAYS[r.date.weekday()]] / fd for r in ref_days]  # type: ignore[index]
        ordinary = displaced_calls(s, [*ref_days, dataclasses.replace(p, red=False)], [*ref_vols, v])[p.date]
        if float(actual[p.date].sum()) <= float(ordinary.sum()) + 1e-9:
            continue
        o, c = minutes(p.opens), minutes(p.closes)
        starts, lam = interval_rates(s, p, v)
        calls = np.array([float(lam[starts == m].sum()) for m in range(o, c, step)])
        grid = np.arange(o, c, step)
        more = _erlang_a(s, calls + actual[p.date], grid) - _erlang_a(s, calls + ordinary, grid)
        out[p.date] = [float(max(x, 0)) for x in more]
    return out


def _erlang_a(s: Scenario, calls: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Erlang A's fewest agents per interval for ``calls`` (the scenario's targets)."""
    aht = s.handling.mean_handle_s * np.array([s.handling.factor_at(int(m)) for m in grid])
    patience = np.inf if s.patience.infinite else s.patience.as_distribution().mean_value
    t = s.targets
    r = required_agents(calls, 60.0 * s.demand.interval_min, aht, model="erlang_a", patience_s=patience,
                        sl_target=t.service_level_min, target_s=t.threshold_s, max_abandon=1.0 - t.availability_min,
                        max_asa_s=t.asa_max_s)
    return np.asarray(r.agents, dtype=float)


@dataclass(frozen=True)
class Target:
    """An agent's paid hours over the period: the contract's ``target`` (after meetings) and
    the band ``lo``..``hi`` (± ``schedule.hours_tolerance``); ``workdays`` it counts."""

    target_h: float
    lo_h: float
    hi_h: float
    workdays: int


def targets(s: Scenario, team: TeamConfig, dated: list[DatedNeed]) -> dict[str, Target]:
    """Contract hours over the period: ``contract × week_h / 5`` per working day (Monday to
    Friday, not a red day, not on vacation or unavailable; fixed days off are part of the
    contract and do not reduce it), at most the date's opening hours, less the meetings
    (``absence.meetings_h_per_week × contract`` per five working days)."""
    sc = s.schedule
    out = {}
    for a in team.agents:
        hours, days = 0.0, 0
        for dn in dated:
            p = dn.plan
            if p.date.weekday() >= 5 or p.red or a.off_on(p.date) in ("vacation", "unavailable"):
                continue
            days += 1
            open_h = (dn.closes - dn.opens) / 60 if dn.opens is not None and dn.closes is not None else 0.0
            hours += a.contract * min(sc.week_h / 5, open_h) if open_h else 0.0
        hours = max(0.0, hours - a.contract * sc.absence.meetings_h_per_week * days / 5)
        if "phones" not in a.skills:
            hours = 0.0
        tol = sc.hours_tolerance
        out[a.id] = Target(hours, hours * (1 - tol), hours * (1 + tol), days)
    return out


@dataclass
class Schedule:
    """The dated roster of a team and everything reported about it."""

    scenario: Scenario
    team: TeamConfig
    dated: list[DatedNeed]
    targets: dict[str, Target]
    result: ip.Result
    slot_min: int
    lunch_index: dict[int, int | None]
    extra: pd.DataFrame | None = None  # the extra-agent re-solves (extra_agents)
    overtime: dict[str, float] = dataclasses.field(default_factory=dict)  # hours above the band granted by the repair step

    @property
    def start(self) -> dt.date:
        return self.dated[0].plan.date

    def frame(self) -> pd.DataFrame:
        """``schedule.csv``: one row per agent and working date."""
        rows = []
        for w in self.result.work:
            a = self.team.agents[w.person]
            li = self.lunch_index.get(w.length)
            lunch = [(b, m) for k, (b, m, _) in enumerate(w.breaks) if k == li]
            other = [(b, m) for k, (b, m, _) in enumerate(w.breaks) if k != li]
            rows.append({"agent": a.id, "name": a.name, "date": self.start + dt.timedelta(days=w.day),
                         "shift_start": hhmm(w.start), "shift_end": hhmm(w.end),
                         "lunch": " ".join(f"{hhmm(b)}-{hhmm(b + m)}" for b, m in lunch),
                         "breaks": " ".join(f"{hhmm(b)}-{hhmm(b + m)}" for b, m in other), "paid_h": w.paid_min / 60})
        frame = pd.DataFrame(rows, columns=list(SCHEDULE_COLUMNS))
        return frame.sort_values(["agent", "date"], kind="stable").reset_index(drop=True)

    def hours(self) -> dict[dt.date, tuple[int, int] | None]:
        return {dn.plan.date: (dn.opens, dn.closes) if dn.opens is not None and dn.closes is not None else None for dn in self.dated}

    def need(self) -> dict[dt.date, np.ndarray]:
        """Agents needed per slot of every open date."""
        return {dn.plan.date: slot_need(dn.need, self.scenario.demand.interval_min, self.slot_min) for dn in self.dated
                if dn.opens is not None}

    def declared_short(self) -> dict[dt.date, np.ndarray]:
        return {self.start + dt.timedelta(days=d): v for d, v in self.result.short.items()}

    def coverage(self) -> pd.DataFrame:
        """Per open date and slot: required, on shift, on the phones (after breaks), short; agents are
        time-averages over the slot (:func:`sim.world.staffing.phones_per_slot`), whole numbers on the slot grid."""
        from sim.analysis.schedule_check import on_phones  # noqa: PLC0415

        frame = self.frame()
        phones = on_phones(frame, self.hours(), self.slot_min)
        need, short = self.need(), self.declared_short()
        parts = []
        for dn in self.dated:
            d = dn.plan.date
            if dn.opens is None or dn.closes is None:
                continue
            slots = np.arange(dn.opens, dn.closes, self.slot_min)
            duties = [Duty(clock_minutes(r.shift_start), clock_minutes(r.shift_end, end=True))
                      for r in frame[frame["date"] == d].itertuples(index=False)]
            shift = agent_counts(phones_per_slot(duties, dn.opens, len(slots), self.slot_min))
            parts.append(pd.DataFrame({"date": d, "slot_start": [hhmm(int(m)) for m in slots], "required": need[d].astype(int),
                                       "on_shift": shift, "on_phones": phones[d],
                                       "short": np.round(short.get(d, np.zeros(len(slots))), 3)}))
        cols = ["date", "slot_start", "required", "on_shift", "on_phones", "short"]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)

    def shortage(self) -> pd.DataFrame:
        """Per date and interval that stays short: agents missing (most in a slot) and agent-hours."""
        step = self.scenario.demand.interval_min
        rows = []
        for dn in self.dated:
            if dn.opens is None:
                continue
            sh = self.result.short.get((dn.plan.date - self.start).days)
            if sh is None or not (sh > 1e-6).any():
                continue
            k = step // self.slot_min
            for i in range(len(dn.need)):
                part = sh[i * k:(i + 1) * k]
                if (part > 1e-6).any():
                    rows.append({"date": dn.plan.date, "interval_start": hhmm(dn.opens + i * step), "required": dn.need[i],
                                 "short_agents": float(np.ceil(part.max() - 1e-6)),
                                 "short_agent_h": float(part.sum() * self.slot_min / 60)})
        return pd.DataFrame(rows, columns=["date", "interval_start", "required", "short_agents", "short_agent_h"])

    def agents(self) -> pd.DataFrame:
        """Per agent: contract, skills, target and band, paid hours, shifts, early and late shifts, days off by reason."""
        frame = self.frame()
        rules = self.scenario.schedule
        early, late = minutes(rules.early_before), minutes(rules.late_after)
        rows = []
        for a in self.team.agents:
            mine = frame[frame["agent"] == a.id]
            t = self.targets[a.id]
            starts = mine["shift_start"].map(clock_minutes)
            ends = mine["shift_end"].map(partial(clock_minutes, end=True))
            rows.append({"agent": a.id, "name": a.name, "contract": a.contract, "skills": " ".join(a.skills),
                         "phones": "phones" in a.skills, "workdays": t.workdays, "target_h": round(t.target_h, 2),
                         "band_h": f"{t.lo_h:.1f}-{t.hi_h:.1f}", "paid_h": float(mine["paid_h"].sum()), "shifts": len(mine),
                         "early_shifts": int((starts < early).sum()), "late_shifts": int((ends > late).sum()),
                         "vacation_days": sum(a.off_on(dn.plan.date) == "vacation" for dn in self.dated),
                         **self._wishes(a, mine, early, late)})
        return pd.DataFrame(rows)

    def _wishes(self, a: AgentConfig, mine: pd.DataFrame, early: int, late: int) -> dict[str, object]:
        """An agent's wishes: how many could be honoured (shifts for early/late, open available
        dates on a preferred weekday off) and how many were."""
        asked = kept = 0
        for r in mine.itertuples(index=False):
            if a.prefers is not None:
                asked += 1
                start = clock_minutes(r.shift_start)
                kept += (clock_minutes(r.shift_end, end=True) <= late) if a.prefers == "early" else (start >= early)
        worked = set(mine["date"])
        for dn in self.dated:
            d = dn.plan.date
            if dn.opens is not None and WEEKDAYS[d.weekday()] in a.preferred_days_off and a.off_on(d) is None:
                asked += 1
                kept += d not in worked
        return {"wishes": asked, "wishes_honoured": kept}

    def wishes_honoured(self) -> float | None:
        """The share of the agents' wishes honoured (None: nobody has one)."""
        ag = self.agents()
        asked = int(ag["wishes"].sum())
        return float(ag["wishes_honoured"].sum()) / asked if asked else None

    def summary(self) -> dict[str, float | int | str]:
        """The figures of the solve: paid hours, requirement, shortage, gap, time, size."""
        r = self.result
        paid = sum(w.paid_min for w in r.work) / 60
        need = sum(sum(dn.need) for dn in self.dated) * self.scenario.demand.interval_min / 60
        short = sum(float(v.sum()) for v in r.short.values()) * self.slot_min / 60
        return {"shifts": len(r.work), "paid_h": paid, "required_agent_h": need, "short_agent_h": short,
                "short_dates": int(sum(bool((v > 1e-6).any()) for v in r.short.values())),
                "under_band_h": float(r.under.sum() / 60), "objective": r.objective, "dual_bound": r.bound,
                "gap": r.gap, "seconds": r.seconds, "status": r.status, "variables": r.variables, "constraints": r.constraints,
                "expected_sick_h": paid * self.scenario.schedule.absence.sick_share}


def _lunch_index(s: Scenario, lengths: tuple[int, ...]) -> dict[int, int | None]:
    out = {}
    for n in lengths:
        keys = [k for k, r in s.roster.rules() if round(60 * r.min_shift_h) <= n]
        out[n] = keys.index("lunch") if "lunch" in keys else None
    return out


def program_days(s: Scenario, dated: list[DatedNeed], slot_min: int) -> list[ip.Day]:
    """The open dates in the program's terms (agents needed per slot, of them for case work)."""
    return [ip.Day(k, dn.opens, dn.closes, slot_need(dn.need, s.demand.interval_min, slot_min),
                   slot_need(dn.cases, s.demand.interval_min, slot_min) if dn.cases else None)
            for k, dn in enumerate(dated) if dn.opens is not None]


def people_of(s: Scenario, team: TeamConfig, dated: list[DatedNeed], tg: dict[str, Target]) -> list[ip.Person]:
    """The agents in the program's terms."""
    out = []
    for a in team.agents:
        days = frozenset(k for k, dn in enumerate(dated) if dn.opens is not None and a.off_on(dn.plan.date) is None)
        t = tg[a.id]
        out.append(ip.Person(a.id, 60 * t.lo_h, 60 * t.hi_h, days,
                             minutes(a.earliest_start) if a.earliest_start is not None else 0,
                             minutes(a.latest_end) if a.latest_end is not None else 24 * 60,
                             "phones" in a.skills, 60 * t.target_h, "cases" in a.skills, a.prefers,
                             frozenset(k for k, dn in enumerate(dated) if WEEKDAYS[dn.plan.date.weekday()] in a.preferred_days_off)))
    return out


def rules_of(s: Scenario) -> ip.Rules:
    """The working-time rules in the program's terms; the rest periods of §14 are the whole
    weeks (from ``schedule.rules.week_starts``) inside the planning period."""
    r = s.schedule.rules
    start, end = period_of(s)
    n = (end - start).days + 1
    weeks = tuple(k for k in range(n - 6) if WEEKDAYS[(start + dt.timedelta(days=k)).weekday()] == r.week_starts)
    return ip.Rules(round(60 * r.daily_rest_h), round(60 * r.weekly_rest_h), round(60 * r.max_work_without_break_h),
                    r.rest_breaks == "unpaid", minutes(s.schedule.early_before), minutes(s.schedule.late_after), weeks)


def build_schedule(s: Scenario, team: TeamConfig | None = None, table: Table | None = None, base_dir: Path | None = None,
                   time_limit_s: float | None = None) -> Schedule:
    """The dated roster of ``team`` (default: the scenario's team file) for the planning period."""
    team = team if team is not None else load_team(s, base_dir)
    table = table if table is not None else weekday_table(s, base_dir)
    start, end = period_of(s)
    dated = case_requirement(s, dated_requirement(s, table, day_plans(s.calendar, start, end)), team)
    tg = targets(s, team, dated)
    t = template(s)
    sc = s.schedule
    days = program_days(s, dated, t.slot_min)
    w = sc.weights
    try:
        solver = ip.solve_two_stage if sc.method == "two_stage" else ip.solve
        res = solver(t, days, people_of(s, team, dated, tg), rules_of(s), ip.Weights(w.shortage, w.hours, w.fairness, w.preference),
                     time_limit_s or sc.time_limit_s, sc.mip_rel_gap)
    except ValueError as exc:
        raise ScenarioError(f"Invalid scenario: schedule.rules.weekly_rest_h: {exc}.") from None
    except RuntimeError as exc:
        raise ScenarioError(f"Invalid scenario: schedule.time_limit_s: {exc}; raise schedule.time_limit_s.") from None
    return Schedule(s, team, dated, tg, res, t.slot_min, _lunch_index(s, t.lengths))


def overall_gap(sch: Schedule, time_limit_s: float | None = None) -> dict:
    """The optimality gap of the schedule for the whole problem (whichever method made it):
    its value in the joint program's terms (:func:`sim.analysis.schedule.joint_terms`) against
    a lower bound of the joint program's optimum (the dual bound of
    :func:`sim.analysis.schedule.plan_period`, solved anew). Also by term: ``value_terms``
    (the schedule's) and ``bound_terms`` (those of the relaxation's solution, whose sum is the
    bound up to HiGHS's tolerance: where the schedule pays more than the relaxation)."""
    s = sch.scenario
    t = template(s)
    days = program_days(s, sch.dated, t.slot_min)
    people = people_of(s, sch.team, sch.dated, sch.targets)
    w = s.schedule.weights
    weights = ip.Weights(w.shortage, w.hours, w.fairness, w.preference)
    rules = rules_of(s)
    terms = ip.joint_terms(sch.result.work, days, people, rules, weights, t.slot_min)
    value = float(sum(terms.values()))
    plan = ip.plan_period(t, days, people, rules, weights, time_limit_s or s.schedule.time_limit_s)
    gap = (value - plan.bound) / abs(value) if value else 0.0
    return {"value": value, "bound": plan.bound, "gap_overall": gap, "bound_status": plan.status, "seconds": plan.seconds,
            "value_terms": terms, "bound_terms": plan.terms}


def check_schedule(sch: Schedule) -> pd.DataFrame:
    """Every rule the schedule breaks, by the independent checker (empty: none). The shortage
    the schedule reports is allowed; an agent below the band is a violation."""
    r = sch.scenario.schedule.rules
    lunch_paid = bool(sch.scenario.roster.lunch.paid) if sch.scenario.roster.lunch is not None else False
    limits = Limits(r.daily_rest_h, r.weekly_rest_h, r.max_work_without_break_h, r.rest_breaks, lunch_paid, r.week_starts)
    band = {a: (t.lo_h, t.hi_h + sch.overtime.get(a, 0.0)) for a, t in sch.targets.items()}
    return check(sch.frame(), sch.team, sch.hours(), sch.need(), sch.slot_min, limits, band, sch.declared_short())


def extra_agents(s: Scenario, sch: Schedule, contracts: tuple[float, ...] | None = None, table: Table | None = None,
                 base_dir: Path | None = None) -> pd.DataFrame:
    """How many more agents of each contract make the schedule cover the requirement.

    Method: a lower bound ``lower_bound``, the short agent-hours over one extra agent's target
    hours (rounded up, at least one: no fewer can add the missing hours), and a constructed
    upper bound ``constructed``: the existing schedule kept, the cheapest cover of each date's
    shortage by new shifts (:func:`sim.analysis.schedule.cover_residual`, the day program of
    stage 1), its shifts dealt to new agents (:func:`sim.analysis.schedule.deal`: one a day
    each, within the contract's hours) and the shortage recounted: that many close it. Between
    the two, the real solver re-solves with ``n`` hypothetical agents (phones skill, no
    restrictions, that contract) from the lower bound up; the answer ``agents`` is the first
    ``n`` it closes, or the constructed number when none below it does. ``fewer_fail``: one
    agent fewer was tried (or is below the lower bound) and leaves a slot short."""
    contracts = contracts or tuple(sorted({a.contract for a in sch.team.agents if "phones" in a.skills}, reverse=True)) or (1.0,)
    short_h = sch.summary()["short_agent_h"]
    rows: list[dict] = []
    cols = ["contract", "agents", "short_agent_h_left", "short_dates_left", "lower_bound", "constructed", "fewer_fail", "solves"]
    if not short_h:
        return pd.DataFrame(rows, columns=cols)
    t = template(s)
    days = program_days(s, sch.dated, t.slot_min)
    for c in contracts:
        probe = AgentConfig(id="probe", name="probe", contract=c)
        tg = targets(s, TeamConfig(agents=[probe]), sch.dated)["probe"]
        per_agent = tg.target_h
        n0 = max(math.ceil(float(short_h) / per_agent - 1e-6) if per_agent > 0 else 1, 1)
        w = s.schedule.weights
        built = ip.constructed_extra(t, days, sch.result, rules_of(s), 60 * tg.hi_h,
                                     ip.Weights(w.shortage, w.hours, w.fairness, w.preference), s.schedule.time_limit_s)
        cap = min(s.schedule.extra_agents_max, built - 1 if built is not None else s.schedule.extra_agents_max)
        n, solves, left, dates_left, found = n0, 0, float("nan"), -1, None
        failed: set[int] = set()
        while n <= cap:
            more = [AgentConfig(id=f"new{c:g}_{i + 1}", name=f"new agent {i + 1} ({c:g})", contract=c) for i in range(n)]
            trial = build_schedule(s, TeamConfig(agents=[*sch.team.agents, *more]), table, base_dir,
                                   time_limit_s=max(5.0, s.schedule.time_limit_s / 2))
            solves += 1
            summ = trial.summary()
            left, dates_left = float(summ["short_agent_h"]), int(summ["short_dates"])
            if left < 1e-6:
                found = n
                break
            failed.add(n)
            n += 1
        if found is None and built is not None and built <= s.schedule.extra_agents_max:
            found, left, dates_left = built, 0.0, 0
        fewer = found is not None and (found - 1 < n0 or found - 1 in failed)
        rows.append({"contract": c, "agents": found, "short_agent_h_left": left if found is None else 0.0,
                     "short_dates_left": dates_left if found is None else 0, "lower_bound": n0, "constructed": built,
                     "fewer_fail": bool(fewer), "solves": solves})
    return pd.DataFrame(rows, columns=cols)


def with_extra(sch: Schedule, extra: pd.DataFrame) -> Schedule:
    """The schedule with its extra-agent report attached."""
    return dataclasses.replace(sch, extra=extra)

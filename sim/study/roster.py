"""Rostering: from agents per interval to shifts with breaks, and the simulation loop.

:func:`build_roster` turns a weekday × interval requirement (agents on the phones) into
shifts with lunch and breaks by the integer program of :mod:`sim.analysis.roster`, from the
scenario's templates (``roster.*``), one weekday at a time. :func:`roster_loop` simulates the
roster (``staffing.mode: shifts`` with breaks), raises the requirement by one agent in every
interval that misses a target with the required confidence (the same per-interval test as
the staffing search, :func:`sim.study.search.cell_kpis`), and solves again, for at most
``rounds`` rounds. With case work on, a weekday whose cases miss a case target (the search's
rule, :func:`sim.study.search.case_shortfall`) also gets one agent more in every interval
(:func:`sim.study.search.case_fix`), and the loop ends only when the phones and the cases
both meet their targets.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import roster as ip
from sim.errors import ScenarioError
from sim.scenario.compose import validate
from sim.schema import WEEKDAYS, Scenario, hhmm, minutes
from sim.study.search import Table, case_fix, case_shortfall, evaluate_staffed

log = logging.getLogger(__name__)




def template(s: Scenario) -> ip.Template:
    """The scenario's shift templates in the integer program's terms (minutes)."""
    r = s.roster
    starts = tuple(range(minutes(r.start_earliest), minutes(r.start_latest) + 1, r.start_step(s.demand.interval_min)))
    rules = tuple(ip.BreakRule(b.minutes, round(60 * b.earliest_h), round(60 * b.latest_h), round(60 * b.min_shift_h), b.paid)
                  for _, b in r.rules())
    return ip.Template(r.slot_min, starts, tuple(round(60 * h) for h in r.lengths_h), rules, round(60 * r.part_time_below_h),
                       r.break_gap_min)


def open_hours(s: Scenario) -> dict[str, tuple[int, int]]:
    """(opens, closes) in minutes of every weekday with regular opening hours."""
    out = {}
    for wd, name in enumerate(WEEKDAYS):
        h = s.calendar.hours_of(wd)
        if h is not None:
            out[name] = (minutes(h.opens), minutes(h.closes))
    return out


@dataclass
class Roster:
    """Per weekday the solution of the integer program, and the requirement it covers."""

    requirement: Table
    days: dict[str, ip.Solution]
    slot_min: int
    interval_min: int
    hours: dict[str, tuple[int, int]]
    lunch_index: dict[int, int | None] = field(default_factory=dict)  # shift length -> index of the lunch in its breaks

    @property
    def paid_h(self) -> float:
        """Paid hours of one week (each weekday once)."""
        return sum(d.paid_min for d in self.days.values()) / 60

    @property
    def lp_bound_h(self) -> float:
        return sum(d.lp_bound_min for d in self.days.values()) / 60

    @property
    def lower_bound_h(self) -> float:
        """Agent-hours of the interval requirement itself: what interval staffing would pay."""
        return sum(map(sum, self.requirement.values())) * self.interval_min / 60

    @property
    def gap(self) -> float:
        """Gap of the week's paid hours to the LP relaxation's bound."""
        return (self.paid_h - self.lp_bound_h) / self.paid_h if self.paid_h > 0 else 0.0

    @property
    def seconds(self) -> float:
        return sum(d.seconds for d in self.days.values())

    def frame(self) -> pd.DataFrame:
        """The roster: weekday, shift_start, shift_end, lunch, breaks, agents, paid_h."""
        rows = []
        for day, sol in self.days.items():
            for p, n in zip(sol.patterns, sol.counts, strict=True):
                li = self.lunch_index.get(p.length)
                lunch = [b for k, b in enumerate(p.breaks) if k == li]
                short = [b for k, b in enumerate(p.breaks) if k != li]
                rows.append({"weekday": day, "shift_start": hhmm(p.start), "shift_end": hhmm(p.end),
                             "lunch": " ".join(f"{hhmm(b)}-{hhmm(b + m)}" for b, m in lunch),
                             "breaks": " ".join(f"{hhmm(b)}-{hhmm(b + m)}" for b, m in short),
                             "agents": int(n), "paid_h": p.paid_min / 60})
        return pd.DataFrame(rows, columns=["weekday", "shift_start", "shift_end", "lunch", "breaks", "agents", "paid_h"])

    def shifts(self) -> list[dict]:
        """The roster as ``staffing.shifts`` entries (one per weekday and pattern)."""
        out = []
        for day, sol in self.days.items():
            for p, n in zip(sol.patterns, sol.counts, strict=True):
                out.append({"start": hhmm(p.start), "end": hhmm(p.end), "count": int(n), "days": [day],
                            "breaks": [{"start": hhmm(b), "minutes": m} for b, m in p.breaks]})
        return out

    def coverage(self) -> pd.DataFrame:
        """Per weekday and slot: required, scheduled (on shift) and on the phones (after breaks)."""
        parts = []
        for day, (o, c) in self.hours.items():
            if day not in self.requirement:
                continue
            slots = np.arange(o, c, self.slot_min)
            need = slot_need(self.requirement[day], self.interval_min, self.slot_min)
            sol = self.days.get(day)
            phones = ip.on_phones(sol.patterns, sol.counts, o, c, self.slot_min) if sol else np.zeros(len(slots), int)
            shift = ip.on_shift(sol.patterns, sol.counts, o, c, self.slot_min) if sol else np.zeros(len(slots), int)
            parts.append(pd.DataFrame({"weekday": day, "slot_start": [hhmm(int(m)) for m in slots], "required": need,
                                       "scheduled": shift, "on_phones": phones}))
        return pd.concat(parts, ignore_index=True)

    def summary(self) -> pd.DataFrame:
        """Per weekday: agents, paid hours, LP bound, gap, solve time, variables."""
        rows = [{"weekday": d, "agents": int(s.counts.sum()), "paid_h": s.paid_min / 60, "lp_bound_h": s.lp_bound_min / 60,
                 "gap": s.gap, "interval_lower_bound_h": sum(self.requirement[d]) * self.interval_min / 60,
                 "seconds": s.seconds, "variables": s.variables, "status": s.status} for d, s in self.days.items()]
        return pd.DataFrame(rows)


def slot_need(row: list[int] | list[float], interval_min: int, slot_min: int) -> np.ndarray:
    """A weekday's requirement per interval spread over its slots. A fractional requirement is a
    time-average (``n + f``: ``n + 1`` agents for the first share ``f`` of the interval, as the
    engine runs a fractional staffing table): the slots that overlap that first share need
    ``n + 1``, the others ``n``. Whole numbers need the same in every slot."""
    k = interval_min // slot_min
    v = np.asarray(row, dtype=float)
    n = np.floor(v + 1e-9)
    split = (v - n) * interval_min  # minutes of the interval with n + 1 agents
    starts = np.arange(k) * slot_min
    return (n[:, None] + (starts[None, :] < split[:, None] - 1e-9)).ravel()


def build_roster(s: Scenario, requirement: Table, solved: dict | None = None) -> Roster:
    """The cheapest roster of the scenario's templates covering ``requirement`` (agents on the
    phones per weekday × interval) in every slot. An infeasible requirement is a
    :class:`~sim.errors.ScenarioError` naming the intervals that cannot be covered.

    Weekdays with the same problem share one solve; pass the same ``solved`` dict to several
    calls (the rounds of the loop) to reuse their solutions too."""
    t = template(s)
    hours = open_hours(s)
    days: dict[str, ip.Solution] = {}
    solved = {} if solved is None else solved  # problem -> (first weekday, solution)
    for day, (o, c) in hours.items():
        row = requirement.get(day)
        if row is None or not any(row):
            continue
        lim = s.roster.limits_of(day)
        key = (o, c, tuple(row), lim.max_agents, lim.part_time_share)
        if key in solved:
            first, sol = solved[key]
            again = "solved before" if first == day else f"same problem as {first}"
            days[day] = dataclasses.replace(sol, seconds=0.0, status=f"{sol.status.split(' (')[0]} ({again})")
            continue
        need = slot_need(row, s.demand.interval_min, t.slot_min)
        try:
            days[day] = ip.solve(t, o, c, need, lim.max_agents, lim.part_time_share, s.roster.time_limit_s)
        except ip.Infeasible as exc:
            raise ScenarioError(_infeasible_text(s, day, o, t.slot_min, exc)) from None
        solved[key] = (day, days[day])
    lunch = {}
    for n in t.lengths:
        keys = [k for k, r in s.roster.rules() if round(60 * r.min_shift_h) <= n]
        lunch[n] = keys.index("lunch") if "lunch" in keys else None
    return Roster({d: list(v) for d, v in requirement.items()}, days, t.slot_min, s.demand.interval_min, hours, lunch)


def _infeasible_text(s: Scenario, day: str, opens: int, slot_min: int, exc: ip.Infeasible) -> str:
    r = s.roster
    what = (f"shifts start {r.start_earliest:%H:%M}-{r.start_latest:%H:%M} every {r.start_step(s.demand.interval_min)} min, last "
            f"{', '.join(f'{h:g}' for h in r.lengths_h)} h and lie inside the opening hours")
    step = s.demand.interval_min
    if exc.slots:
        starts = sorted({(opens + i * slot_min) // step * step for i in exc.slots})
        where = ", ".join(f"{hhmm(m)}-{hhmm(m + step)}" for m in starts)
        return (f"Invalid scenario: roster: the requirement cannot be covered on {day} at {where}: {exc.reason}. The templates "
                f"allow: {what}. Widen roster.start_earliest/roster.start_latest or roster.lengths_h, move the break windows "
                f"(roster.lunch, roster.breaks), or raise roster.limits.{day}.max_agents.")
    return (f"Invalid scenario: roster.limits.{day}: {exc.reason} on {day}. The templates allow: {what}. Raise "
            f"roster.limits.{day}.max_agents or roster.limits.{day}.part_time_share (or the 'all' entry).")


def with_roster(s: Scenario, roster: Roster) -> Scenario:
    """The scenario staffed by the roster (``staffing.mode: shifts`` with breaks)."""
    raw = s.model_dump(mode="json")
    raw["staffing"] = {"mode": "shifts", "agents": None, "table": None, "table_file": None, "shifts": roster.shifts()}
    return validate(raw)


@dataclass
class LoopResult:
    """The final roster, its evaluation (cells, and the day rows), one history row per round,
    and whether it met the targets (the phones' in every interval and, with cases on, the
    case targets on every weekday)."""

    roster: Roster
    cells: pd.DataFrame
    history: list[dict]
    met: bool
    days: pd.DataFrame | None = None
    case_days_short: list[str] = field(default_factory=list)  # with cases on: weekdays whose cases miss a target


def roster_loop(s: Scenario, requirement: Table, replications: int, seed: int, confidence: float = 0.9,
                rounds: int = 4, out_dir: str | Path | None = None,
                on_round: Callable[[dict], None] | None = None, **kwargs: object) -> LoopResult:
    """Roster, simulate, raise the requirement where an interval misses a target, repeat.

    Ends when every interval meets the targets with one-sided ``confidence`` over
    ``replications`` replications (seed ``seed``, the same every round: common random
    numbers), or after ``rounds`` rosters. ``kwargs`` go to the runner (``workers``).

    With cases on (``cases.enabled``) each round also finds the weekdays whose cases miss a
    case target (:func:`sim.study.search.case_shortfall`: mean share within target over the
    weekday's replication-days below ``targets.case_share_min``, weekend cases counted with
    Monday) and raises every interval of them by one agent (:func:`sim.study.search.case_fix`;
    on top of a phone miss in the same interval), so the loop ends only when both are met; the
    history rows then carry ``case_days_short``. With ``cases.blend: false`` the roster's agents
    take no cases, so raising them cannot help: the loop ends when the phones meet and reports
    the case shortfall (``met`` False) for the case team (``cases.dedicated``) to fix."""
    req = {d: list(v) for d, v in requirement.items()}
    history: list[dict] = []
    roster = cells = days = None
    short: list[str] = []
    solved: dict = {}  # weekdays whose requirement did not change are not solved again
    for rnd in range(rounds):
        roster = build_roster(s, req, solved)
        cells, days = evaluate_staffed(with_roster(s, roster), replications, seed, confidence, out_dir=out_dir, **kwargs)
        miss = cells[~cells["meets"]]
        history.append({"round": rnd, "paid_h": roster.paid_h, "lower_bound_h": roster.lower_bound_h, "gap": roster.gap,
                        "solve_s": roster.seconds, "intervals_missing": len(miss),
                        "missing": ", ".join(f"{d} {t}" for d, t in zip(miss["weekday"], miss["interval_start"], strict=True))})
        if s.cases.enabled:  # cases off: the rows and the rounds are exactly those of the phones alone
            short = [d for d in case_shortfall(s, days) if d in req]
            history[-1]["case_days_short"] = ", ".join(short)
        if on_round is not None:
            on_round(history[-1])
        log.debug("roster round %d: %.1f paid hours, %d intervals missing, cases short on %s", rnd, roster.paid_h, len(miss),
                  short or "no day")
        fixable = short if s.cases.blend else []
        if miss.empty and not fixable:
            return LoopResult(roster, cells, history, not short, days, short)
        starts = {d: [hhmm(hours[0] + i * s.demand.interval_min) for i in range(len(req[d]))]
                  for d, hours in open_hours(s).items() if d in req}
        for d, t in zip(miss["weekday"], miss["interval_start"], strict=True):
            req[d][starts[d].index(t)] += 1
        if fixable:
            _raise_case_days(s, req, starts, days)
    assert roster is not None and cells is not None
    return LoopResult(roster, cells, history, False, days, short)


def _raise_case_days(s: Scenario, req: Table, starts: dict[str, list[str]], days: pd.DataFrame) -> None:
    """One agent more in every interval of each weekday whose cases miss a target (in place)."""
    keyed = pd.DataFrame(index=pd.MultiIndex.from_tuples([(d, t) for d, clocks in starts.items() for t in clocks]))
    fix = case_fix(s, days, keyed)
    for (d, t), n in fix[fix > 0].items():
        req[d][starts[d].index(t)] += int(n)

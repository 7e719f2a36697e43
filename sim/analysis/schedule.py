"""A dated roster for named agents as one integer program: numbers in, numbers out.

The period is a list of :class:`Day` (open hours in minutes and the agents needed on the
phones in every slot of ``slot_min`` minutes); the team a list of :class:`Person` (paid-minute
band over the period, the days and hours they can work). The shifts of each day are the
templates of :mod:`sim.analysis.roster` that lie inside its opening hours, with the break
windows narrowed so that no stretch of work is longer than ``max_stretch_min``
(:func:`legal_shift`). Variables:

* ``x[a,d,s]`` ∈ {0, 1}: agent ``a`` works shift ``s`` on day ``d`` (only where allowed:
  the phones skill, not on vacation, unavailable or a fixed day off, inside their hours);
* ``y[d,s,k,w]`` ∈ ℕ: agents of shift ``s`` on day ``d`` taking break ``k`` at ``w`` (the
  implicit break model of Bechtold and Jacobs 1990 / Aykin 1996, per day: which agent of the
  shift takes which position does not matter, so they are numbered afterwards);
* ``short[d,t]`` ≥ 0: agents missing in slot ``t`` of day ``d`` (penalised: the program
  always has a solution, and the slack is the shortage report);
* ``under[a]`` ≥ 0: paid minutes below the agent's lower bound (penalised);
* ``emax, emin, lmax, lmin``: the most and fewest early and late shifts per agent (scaled by
  their target hours), for fairness.

    minimise  Σ paid_s x + w_short·slot·Σ short + w_hours/60·Σ under + w_fair·(emax−emin + lmax−lmin)
    s.t.      Σ_{a,s} on_s(t) x[a,d,s] − Σ brk(t) y[d,s,k,w] + short[d,t] ≥ need[d,t]
              Σ_w y[d,s,k,w] = Σ_a x[a,d,s]                       (every day, shift, break)
              Σ_s x[a,d,s] ≤ 1                                     (one shift a day)
              x[a,d,s] + Σ_{s' too soon after s} x[a,d+1,s'] ≤ 1   (daily rest)
              Σ_{d ∈ W} Σ_s x[a,d,s] ≤ 6 for every 7-day rest period W (a week),
                  (enough when a day off between the latest end and the earliest start
                  gives the weekly rest; other opening hours are refused)
              lo_a ≤ Σ paid_s x[a,·,s] + under_a,  Σ paid_s x[a,·,s] ≤ hi_a

Solved by HiGHS through :func:`scipy.optimize.milp`; its dual bound gives the gap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, milp

from sim.analysis.roster import BreakRule, Shift, Template, shifts

SPREAD = 3.0
"""A second agent missing in the same slot costs this many times the first: a shortage is
spread over the day rather than piled into one slot (the total alone would not care)."""


@dataclass(frozen=True)
class Day:
    """One date of the period: ``index`` (days since the period's first date), opening hours
    in minutes (``None`` when closed) and the agents needed on the phones per slot."""

    index: int
    opens: int | None
    closes: int | None
    need: np.ndarray
    cases: np.ndarray | None = None  # of ``need``: agents with the cases skill needed per slot (case work)


@dataclass(frozen=True)
class Person:
    """One agent: the paid-minute band over the period (``lo``..``hi``), the days they can work
    (indices), their earliest start and latest end (minutes), and whether they take calls."""

    key: str
    lo: float
    hi: float
    days: frozenset[int]
    earliest: int = 0
    latest: int = 24 * 60
    phones: bool = True
    target: float = 0.0
    cases: bool = False  # has the cases skill (covers the case work of ``Day.cases``)
    prefers: str | None = None  # "early" or "late": a wish (soft)
    avoid: frozenset[int] = frozenset()  # days they would rather not work (soft)


@dataclass(frozen=True)
class Rules:
    """Working-time rules in minutes: daily rest, weekly rest, longest stretch without a
    counting break (``unpaid_only``: only unpaid breaks count), and fairness's bounds."""

    daily_rest: int = 11 * 60
    weekly_rest: int = 36 * 60
    max_stretch: int = 5 * 60
    unpaid_only: bool = True
    early_before: int = 9 * 60
    late_after: int = 16 * 60
    weeks: tuple[int, ...] = ()  # first day index of every whole 7-day rest period inside the period


@dataclass(frozen=True)
class Weights:
    shortage: float = 20.0
    hours: float = 200.0
    fairness: float = 30.0
    preference: float = 60.0  # per shift against an agent's wish


def against_wish(p: Person, day: int, sh: Shift | Work, rules: Rules) -> bool:
    """A shift the agent would rather not work: on a preferred day off, late for one who
    prefers early (ends after ``late_after``), early for one who prefers late."""
    return (day in p.avoid or (p.prefers == "early" and sh.end > rules.late_after)
            or (p.prefers == "late" and sh.start < rules.early_before))


@dataclass(frozen=True)
class Work:
    """One agent's shift on one day: start, length, breaks ``(start, minutes, paid)`` in time order."""

    person: int
    day: int
    start: int
    length: int
    breaks: tuple[tuple[int, int, bool], ...]
    paid_min: int

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass
class Result:
    """The schedule, the shortage per day and slot, the agents' minutes below their band, the
    objective, HiGHS's dual bound and gap, its status and time."""

    work: list[Work]
    short: dict[int, np.ndarray]
    under: np.ndarray
    objective: float
    bound: float
    gap: float
    seconds: float
    status: str
    variables: int
    constraints: int
    dropped: list[tuple[int, int]] = field(default_factory=list)  # (day, length) of shifts no break placement makes legal


def counts_as_rest(rule: BreakRule, unpaid_only: bool) -> bool:
    return not rule.paid or not unpaid_only


def legal_shift(sh: Shift, max_stretch: int, unpaid_only: bool, slot_min: int) -> Shift | None:
    """``sh`` with the windows of its counting breaks narrowed so that wherever each break
    falls, no stretch of work exceeds ``max_stretch`` minutes; None when no placement can.

    Going forward, break ``k`` may start at most ``max_stretch`` after the earliest end of the
    counting break before it (or the shift start), and the last must end no earlier than
    ``max_stretch`` before the shift end: the worst pairing of positions then still holds."""
    rules = list(sh.rules)
    idx = [k for k, r in enumerate(rules) if counts_as_rest(r, unpaid_only)]
    prev_end = 0  # earliest end of the previous counting break, minutes after the start
    for j, k in enumerate(idx):
        r = rules[k]
        latest = min(r.latest_min, prev_end + max_stretch)
        earliest = r.earliest_min
        if j == len(idx) - 1:
            need = sh.length - max_stretch - r.minutes  # the last break must end at or after length − max_stretch
            earliest = max(earliest, -(-need // slot_min) * slot_min if need > 0 else earliest)
        latest = latest // slot_min * slot_min
        if earliest > latest:
            return None
        rules[k] = BreakRule(r.minutes, earliest, latest, r.min_shift_min, r.paid)
        prev_end = earliest + r.minutes
    if not idx and sh.length > max_stretch:
        return None
    return Shift(sh.start, sh.length, tuple(rules))


def day_shifts(t: Template, day: Day, rules: Rules) -> tuple[list[Shift], list[int]]:
    """The legal shifts of a day (inside its hours) and the lengths dropped as illegal."""
    if day.opens is None or day.closes is None:
        return [], []
    out, dropped = [], []
    for sh in shifts(t, day.opens, day.closes):
        ok = legal_shift(sh, rules.max_stretch, rules.unpaid_only, t.slot_min)
        if ok is None:
            dropped.append(sh.length)
        else:
            out.append(ok)
    return out, sorted(set(dropped))


class _Builder:
    """Sparse rows in COO form."""

    def __init__(self) -> None:
        self.r: list[int] = []
        self.c: list[int] = []
        self.v: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def row(self, cols: list[int], vals: list[float] | float, lo: float, hi: float) -> None:
        i = len(self.lo)
        vv = vals if isinstance(vals, list) else [vals] * len(cols)
        self.r += [i] * len(cols)
        self.c += cols
        self.v += vv
        self.lo.append(lo)
        self.hi.append(hi)

    def constraint(self, n: int) -> LinearConstraint:
        a = sparse.csr_matrix((self.v, (self.r, self.c)), shape=(len(self.lo), n))
        return LinearConstraint(a, np.array(self.lo), np.array(self.hi))


def solve(t: Template, days: list[Day], people: list[Person], rules: Rules = Rules(), weights: Weights = Weights(),
          time_limit_s: float = 60.0, mip_rel_gap: float = 0.02) -> Result:
    """The cheapest dated roster (see the module docstring)."""
    slot = t.slot_min
    by_day = {d.index: day_shifts(t, d, rules) for d in days}
    day_of = {d.index: d for d in days}
    # ---- variables
    xs: list[tuple[int, int, int]] = []  # (person, day, shift index)
    x_at: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (person, day) -> [(shift, var)]
    for a, p in enumerate(people):
        if not p.phones:
            continue
        for dy in days:
            if dy.index not in p.days:
                continue
            for s, sh in enumerate(by_day[dy.index][0]):
                if sh.start >= p.earliest and sh.end <= p.latest:
                    x_at.setdefault((a, dy.index), []).append((s, len(xs)))
                    xs.append((a, dy.index, s))
    ys: list[tuple[int, int, int, int]] = []  # (day, shift, break k, position)
    for dy in days:
        for s, sh in enumerate(by_day[dy.index][0]):
            for k in range(len(sh.rules)):
                ys += [(dy.index, s, k, w) for w in sh.positions(k, slot)]
    shorts: list[tuple[int, int]] = [(d.index, i) for d in days for i in range(len(d.need))]
    nx, ny, ns, na = len(xs), len(ys), len(shorts), len(people)
    ox, oy, osh, ou = 0, nx, nx + ny, nx + ny + 2 * ns  # two slacks per slot: the first agent missing, the further ones
    of = ou + na  # emax, emin, lmax, lmin
    n = of + 4
    cost = np.zeros(n)
    integrality = np.zeros(n)
    upper = np.full(n, np.inf)
    for j, (pa, d, s) in enumerate(xs):
        cost[ox + j] = by_day[d][0][s].paid_min + weights.preference * against_wish(people[pa], d, by_day[d][0][s], rules)
    integrality[: nx + ny] = 1
    upper[:nx] = 1
    cost[osh: osh + ns] = weights.shortage * slot
    cost[osh + ns: osh + 2 * ns] = SPREAD * weights.shortage * slot
    upper[osh: osh + ns] = 1.0
    cost[ou: ou + na] = weights.hours / 60.0
    cost[of: of + 4] = weights.fairness * np.array([1, -1, 1, -1])
    b = _Builder()
    # ---- coverage
    slot_row: dict[tuple[int, int], int] = {}
    cover_terms: dict[int, tuple[list[int], list[float]]] = {}
    for j, (d, i) in enumerate(shorts):
        slot_row[(d, i)] = j
        cover_terms[j] = ([osh + j, osh + ns + j], [1.0, 1.0])
    for j, (_, d, s) in enumerate(xs):
        sh, o = by_day[d][0][s], day_of[d].opens
        assert o is not None
        for m in range(sh.start, sh.end, slot):
            cols, vals = cover_terms[slot_row[(d, (m - o) // slot)]]
            cols.append(ox + j)
            vals.append(1.0)
    for j, (d, s, k, w) in enumerate(ys):
        o = day_of[d].opens
        assert o is not None
        for m in range(w, w + by_day[d][0][s].rules[k].minutes, slot):
            cols, vals = cover_terms[slot_row[(d, (m - o) // slot)]]
            cols.append(oy + j)
            vals.append(-1.0)
    for j, (d, i) in enumerate(shorts):
        cols, vals = cover_terms[j]
        b.row(cols, vals, float(day_of[d].need[i]), np.inf)
    # ---- breaks link to shifts
    link: dict[tuple[int, int, int], list[int]] = {}
    for j, (d, s, k, _) in enumerate(ys):
        link.setdefault((d, s, k), []).append(oy + j)
    x_of_shift: dict[tuple[int, int], list[int]] = {}
    for j, (_, d, s) in enumerate(xs):
        x_of_shift.setdefault((d, s), []).append(ox + j)
    for (d, s, _), cols in link.items():
        xc = x_of_shift.get((d, s), [])
        b.row(cols + xc, [1.0] * len(cols) + [-1.0] * len(xc), 0.0, 0.0)
    # ---- one shift a day; daily rest
    for (a, d), lst in x_at.items():
        if len(lst) > 1:
            b.row([ox + v for _, v in lst], 1.0, -np.inf, 1.0)
        nxt = x_at.get((a, d + 1), [])
        for s, v in lst:
            end = by_day[d][0][s].end
            clash = [ox + v2 for s2, v2 in nxt if 24 * 60 + by_day[d + 1][0][s2].start - end < rules.daily_rest]
            if clash:
                b.row([ox + v, *clash], 1.0, -np.inf, 1.0)
    # ---- weekly rest
    _weekly_rest(b, people, days, by_day, x_at, rules)
    # ---- contract hours, fairness
    for off in _hours_and_fairness(b, people, x_at, xs, by_day, rules, ou, of):
        upper[of + off + 1] = 0.0  # nobody sets the fewest: it is 0 (joint_terms), not unbounded
    constraint = b.constraint(n)
    bounds = Bounds(np.zeros(n), upper)
    t0 = time.perf_counter()
    res, bound = restricted_milp(cost, constraint, integrality, bounds, time_limit_s, mip_rel_gap)
    seconds = time.perf_counter() - t0
    if res.x is None:
        raise RuntimeError(f"HiGHS returned no schedule within {time_limit_s:g} s ({res.message})")
    sol = np.asarray(res.x)
    work = _expand(xs, ys, sol[:nx], sol[oy: oy + ny], by_day)
    short = recount_short(work, days, slot)
    gap = (float(res.fun) - bound) / abs(float(res.fun)) if res.fun else 0.0
    dropped = [(d, length) for d, (_, lens) in by_day.items() for length in lens]
    return Result(work, short, np.maximum(sol[ou: ou + na], 0.0), float(res.fun), bound, gap, seconds,
                  "optimal" if res.status == 0 else str(res.message), n, len(b.lo), dropped)


def _weekly_rest(b: _Builder, people: list[Person], days: list[Day], by_day: dict, x_at: dict, rules: Rules) -> None:
    """At least one day off in every 7-day rest period (``rules.weeks``): enough for the weekly
    rest when any day off lies ``rules.weekly_rest`` or more between the latest shift end and
    the earliest shift start; other opening hours are refused (:class:`ValueError`)."""
    if not days or rules.weekly_rest <= 0:
        return
    starts = [sh.start for shs, _ in by_day.values() for sh in shs]
    ends = [sh.end for shs, _ in by_day.values() for sh in shs]
    if not starts or not rules.weeks:
        return
    if (24 * 60 - max(ends)) + 24 * 60 + min(starts) < rules.weekly_rest:
        raise ValueError(f"one day off between a shift ending at {max(ends) // 60:02d}:{max(ends) % 60:02d} and one starting at "
                         f"{min(starts) // 60:02d}:{min(starts) % 60:02d} gives less than the weekly rest of "
                         f"{rules.weekly_rest / 60:g} h; such opening hours are not supported by the dated roster")
    for a in range(len(people)):
        for k in rules.weeks:
            window = [x_at.get((a, d), []) for d in range(k, k + 7)]
            if all(window):  # a day without any allowed shift is a day off anyway
                b.row([v for lst in window for _, v in lst], 1.0, -np.inf, 6.0)


def _expand(xs: list[tuple[int, int, int]], ys: list[tuple[int, int, int, int]], x: np.ndarray, y: np.ndarray,
            by_day: dict, ox: int = 0) -> list[Work]:
    """Named shifts with break positions: the agents of a day's shift (in their order) take
    its break positions in time order (any pairing is valid: the windows do not overlap)."""
    on: dict[tuple[int, int], list[int]] = {}
    for j, (a, d, s) in enumerate(xs):
        if x[j] > 0.5:
            on.setdefault((d, s), []).append(a)
    pos: dict[tuple[int, int, int], list[int]] = {}
    for j, (d, s, k, w) in enumerate(ys):
        c = int(round(y[j]))
        if c > 0:
            pos.setdefault((d, s, k), []).extend([w] * c)
    out = []
    for (d, s), agents in on.items():
        sh = by_day[d][0][s]
        for i, a in enumerate(sorted(agents)):
            brk = tuple((sorted(pos[(d, s, k)])[i], r.minutes, r.paid) for k, r in enumerate(sh.rules))
            out.append(Work(a, d, sh.start, sh.length, brk, sh.paid_min))
    return sorted(out, key=lambda w: (w.person, w.day))


# --------------------------------------------------------------------------- two stages

def _day_mix(t: Template, day: Day, shs: list[Shift], cap: list[int], agents: int, lo: float, hi: float, weights: Weights,
             time_limit_s: float, mip_rel_gap: float,
             fixed: np.ndarray | None = None, spread: float = 1.0) -> tuple[np.ndarray, dict[tuple[int, int], list[int]], float, float]:
    """Stage 1 for one day: how many agents on each shift (at most ``cap`` each and ``agents``
    in all) and where their breaks fall, covering the need at the least paid time with the
    day's share ``lo``..``hi`` of the agents' paid minutes. Returns (counts, break positions
    per (shift, break), objective, dual bound)."""
    slot = t.slot_min
    o = day.opens
    assert o is not None
    ys = [(s, k, w) for s, sh in enumerate(shs) for k in range(len(sh.rules)) for w in sh.positions(k, slot)]
    ns, ny, nt = len(shs), len(ys), len(day.need)
    n = ns + ny + 2 * nt + 1
    cost = np.zeros(n)
    cost[:ns] = [sh.paid_min for sh in shs]
    cost[ns + ny: ns + ny + nt] = weights.shortage * slot  # the first agent missing in a slot
    cost[ns + ny + nt: ns + ny + 2 * nt] = spread * weights.shortage * slot  # every further one (spread > 1: spread it out)
    cost[-1] = weights.hours / 60.0
    upper = np.full(n, np.inf)
    upper[:ns] = cap
    upper[ns + ny: ns + ny + nt] = 1.0
    lower = np.zeros(n)
    if fixed is not None:
        lower[:ns] = upper[:ns] = fixed
    integrality = np.zeros(n)
    integrality[: ns + ny] = 1
    b = _Builder()
    terms: list[tuple[list[int], list[float]]] = [([ns + ny + i, ns + ny + nt + i], [1.0, 1.0]) for i in range(nt)]
    for s, sh in enumerate(shs):
        for m in range(sh.start, sh.end, slot):
            terms[(m - o) // slot][0].append(s)
            terms[(m - o) // slot][1].append(1.0)
    for j, (s, k, w) in enumerate(ys):
        for m in range(w, w + shs[s].rules[k].minutes, slot):
            terms[(m - o) // slot][0].append(ns + j)
            terms[(m - o) // slot][1].append(-1.0)
    for i, (cols, vals) in enumerate(terms):
        b.row(cols, vals, float(day.need[i]), np.inf)
    link: dict[tuple[int, int], list[int]] = {}
    for j, (s, k, _) in enumerate(ys):
        link.setdefault((s, k), []).append(ns + j)
    for (s, _), cols in link.items():
        b.row([*cols, s], [1.0] * len(cols) + [-1.0], 0.0, 0.0)
    b.row(list(range(ns)), 1.0, -np.inf, float(agents))
    paid = [float(sh.paid_min) for sh in shs]
    b.row([*range(ns), n - 1], [*paid, 1.0], lo, np.inf)
    b.row(list(range(ns)), paid, -np.inf, max(hi, 0.0))
    res = milp(cost, constraints=[b.constraint(n)], integrality=integrality, bounds=Bounds(lower, upper),
               options={"time_limit": time_limit_s, "mip_rel_gap": mip_rel_gap / 4})
    if res.x is None:
        raise RuntimeError(f"HiGHS returned no day plan within {time_limit_s:g} s ({res.message})")
    counts = np.rint(res.x[:ns]).astype(int)
    pos: dict[tuple[int, int], list[int]] = {}
    for j, (s, k, w) in enumerate(ys):
        pos.setdefault((s, k), []).extend([w] * int(round(res.x[ns + j])))
    bound = float(getattr(res, "mip_dual_bound", np.nan) or res.fun)
    return counts, pos, float(res.fun), bound


def solve_two_stage(t: Template, days: list[Day], people: list[Person], rules: Rules = Rules(), weights: Weights = Weights(),
                    time_limit_s: float = 60.0, mip_rel_gap: float = 0.02) -> Result:
    """The dated roster in two stages, each an integer program solved by HiGHS:

    1. the shift mix and the break positions of every day (:func:`plan_period`: the joint
       program without agent identity, all days at once; its dual bound is a lower bound of
       the joint program's optimum);
    2. over the period, which agent works which of those shifts (:func:`_assign`: the
       program of :func:`solve` with the planned shifts to fill instead of the coverage rows;
       a planned shift left unfilled costs its on-phone minutes as shortage), solved by
       :func:`restricted_milp`; then each day's breaks placed anew for the shifts worked.

    When the schedule's value in the joint program's terms (:func:`joint_terms`) is more than
    ``mip_rel_gap`` above the plan's bound and time is left, stage 1 is tried again day by day
    (:func:`_day_plans`: each day with its share of the agents' bands, which small teams can
    fill more easily) and the better schedule kept. The gap reported is the schedule's value
    against the plan's bound: the whole problem's, not one stage's."""
    t0 = time.perf_counter()
    by_day = {d.index: day_shifts(t, d, rules) for d in days}
    plan = plan_period(t, days, people, rules, weights, time_limit_s / 4, mip_rel_gap / 4)
    if not plan.counts and any(by_day[d.index][0] for d in days):
        raise RuntimeError(f"HiGHS returned no plan of the period's shifts within {time_limit_s / 4:g} s ({plan.status})")
    mixes = {d: (plan.counts[d], plan.positions[d]) for d in plan.counts}
    best = _assign(t, days, people, rules, weights, by_day, mixes, t0 + 0.6 * time_limit_s, mip_rel_gap, "the period's")
    left = t0 + time_limit_s - time.perf_counter()
    if best.value - plan.bound > mip_rel_gap * best.value and left > 0.2 * time_limit_s:
        day_mixes = _day_plans(t, days, people, by_day, weights, max(left / (4 * max(len(days), 1)), 1.0), mip_rel_gap)
        other = _assign(t, days, people, rules, weights, by_day, day_mixes, t0 + time_limit_s, mip_rel_gap, "the days'")
        if other.value < best.value - 1e-6:
            best = other
    value = best.value
    status = (f"{best.status}; the period's plan within {100 * (plan.value - plan.bound) / max(plan.value, 1e-9):.2f} % of its bound, "
              f"{best.plan} plan assigned within {100 * best.stage2:.2f} % of its relaxation")
    dropped = [(d, length) for d, (_, lens) in by_day.items() for length in lens]
    return Result(best.work, recount_short(best.work, days, t.slot_min), best.under, value, plan.bound,
                  (value - plan.bound) / value if value else 0.0, time.perf_counter() - t0, status, best.variables, best.constraints,
                  dropped)


def _day_plans(t: Template, days: list[Day], people: list[Person], by_day: dict, weights: Weights, time_limit_s: float,
               mip_rel_gap: float) -> dict[int, tuple[np.ndarray, dict]]:
    """Stage 1 day by day (:func:`_day_mix`, each within ``time_limit_s``): each day's shift mix with at most as many shifts
    as agents available, each shift at most as often as agents may work it, and the day's
    share of the agents' bands (spread over the days they can work, none on a day they wish
    off when they have others)."""
    mixes: dict[int, tuple[np.ndarray, dict]] = {}
    for dy in days:
        shs = by_day[dy.index][0]
        able = [a for a, p in enumerate(people) if p.phones and dy.index in p.days]
        if not shs:
            continue
        cap = [sum(1 for a in able if sh.start >= people[a].earliest and sh.end <= people[a].latest) for sh in shs]
        lo = sum(_day_share(people[a], people[a].lo, dy.index) for a in able)
        hi = sum(_day_share(people[a], people[a].hi, dy.index) for a in able)
        counts, pos, _, _ = _day_mix(t, dy, shs, cap, len(able), lo, hi, weights, time_limit_s, mip_rel_gap)
        mixes[dy.index] = (counts, pos)
    return mixes


def _day_share(p: Person, minutes: float, day: int) -> float:
    """A day's share of an agent's paid minutes for the day plans: spread over the days they
    can work, none on a day they wish off (when they have other days)."""
    keep = p.days - p.avoid
    if not keep:
        return minutes / max(1, len(p.days))
    return minutes / len(keep) if day in keep else 0.0


@dataclass
class _Assigned:
    """Stage 2's outcome for one plan: the schedule, the minutes below the bands, its value
    in the joint program's terms, stage 2's gap to its relaxation, HiGHS's status, the size."""

    work: list[Work]
    under: np.ndarray
    value: float
    stage2: float
    status: str
    plan: str
    variables: int
    constraints: int


def _assign(t: Template, days: list[Day], people: list[Person], rules: Rules, weights: Weights, by_day: dict,
            mixes: dict[int, tuple[np.ndarray, dict]], deadline: float, mip_rel_gap: float, label: str) -> _Assigned:
    """Stage 2 and 3 for the planned shifts ``mixes`` (day -> (agents per shift, break
    positions)): which agent works which shift (any allowed shift may be worked, for the
    contract hours; a worked shift stands in for a planned one it contains, ``g[d,s2,s]``;
    a planned shift left unfilled costs its on-phone minutes), then the breaks of the shifts
    worked placed anew per day (:func:`_place_breaks`)."""
    slot = t.slot_min
    xs: list[tuple[int, int, int]] = []
    x_at: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for a, p in enumerate(people):
        if not p.phones:
            continue
        for dy in days:
            if dy.index not in p.days or dy.index not in mixes:
                continue
            for s, sh in enumerate(by_day[dy.index][0]):
                if sh.start >= p.earliest and sh.end <= p.latest:
                    x_at.setdefault((a, dy.index), []).append((s, len(xs)))
                    xs.append((a, dy.index, s))
    planned = [(d, int(s)) for d, (mix, _) in sorted(mixes.items()) for s in np.flatnonzero(mix)]
    pairs = [(d, s2, s) for d, s in planned for s2, sh2 in enumerate(by_day[d][0])
             if sh2.start <= by_day[d][0][s].start and sh2.end >= by_day[d][0][s].end]
    nx, na, nf, ng = len(xs), len(people), len(planned), len(pairs)
    ofill, og = nx, nx + nf
    ou = og + ng
    of = ou + na
    n = of + 4
    cost = np.zeros(n)
    for j, (pa, d, s) in enumerate(xs):
        cost[j] = by_day[d][0][s].paid_min + weights.preference * against_wish(people[pa], d, by_day[d][0][s], rules)
    for j, (d, s) in enumerate(planned):
        sh = by_day[d][0][s]
        cost[ofill + j] = weights.shortage * (sh.length - sum(r.minutes for r in sh.rules))  # per planned shift left unfilled
    cost[ou: ou + na] = weights.hours / 60.0
    cost[of: of + 4] = weights.fairness * np.array([1, -1, 1, -1])
    integrality = np.zeros(n)
    integrality[:nx] = 1
    upper = np.full(n, np.inf)
    upper[:nx] = 1
    for j, (d, s) in enumerate(planned):
        upper[ofill + j] = float(mixes[d][0][s])
    b = _Builder()
    of_shift: dict[tuple[int, int], list[int]] = {}
    for j, (_, d, s) in enumerate(xs):
        of_shift.setdefault((d, s), []).append(j)
    g_for: dict[tuple[int, int], list[int]] = {}
    g_by: dict[tuple[int, int], list[int]] = {}
    for j, (d, s2, s) in enumerate(pairs):
        g_for.setdefault((d, s), []).append(og + j)
        g_by.setdefault((d, s2), []).append(og + j)
    for j, (d, s) in enumerate(planned):
        b.row([ofill + j, *g_for.get((d, s), [])], 1.0, float(mixes[d][0][s]), np.inf)
    for (d, s2), gs in g_by.items():
        cols = of_shift.get((d, s2), [])
        b.row([*gs, *cols], [1.0] * len(gs) + [-1.0] * len(cols), -np.inf, 0.0)
    for (a, d), lst in x_at.items():
        if len(lst) > 1:
            b.row([v for _, v in lst], 1.0, -np.inf, 1.0)
        for s, v in lst:
            end = by_day[d][0][s].end
            clash = [v2 for s2, v2 in x_at.get((a, d + 1), []) if 24 * 60 + by_day[d + 1][0][s2].start - end < rules.daily_rest]
            if clash:
                b.row([v, *clash], 1.0, -np.inf, 1.0)
    _weekly_rest(b, people, days, by_day, x_at, rules)
    for off in _hours_and_fairness(b, people, x_at, xs, by_day, rules, ou, of):
        upper[of + off + 1] = 0.0
    n_case = _case_rows(b, people, days, by_day, xs, n, slot)
    if n_case:
        cost = np.concatenate([cost, np.full(n_case, weights.shortage * slot)])
        integrality = np.concatenate([integrality, np.zeros(n_case)])
        upper = np.concatenate([upper, np.full(n_case, np.inf)])
        n += n_case
    left = max(deadline - time.perf_counter(), 5.0)
    res, lp_bound = restricted_milp(cost, b.constraint(n), integrality, Bounds(np.zeros(n), upper), left, mip_rel_gap)
    if res.x is None:
        raise RuntimeError(f"HiGHS returned no assignment within {left:.0f} s ({res.message})")
    sol = np.asarray(res.x)
    placed = dict(mixes)
    worked: dict[int, dict[int, int]] = {}
    for (d, s), cols in of_shift.items():
        k = sum(1 for j in cols if sol[j] > 0.5)
        if k:
            worked.setdefault(d, {})[s] = k
    day_of = {d.index: d for d in days}
    for d, per_shift in worked.items():  # stage 3: the breaks of the shifts actually worked, placed anew
        shs = by_day[d][0]
        fixed = np.zeros(len(shs), dtype=int)
        for s, k in per_shift.items():
            fixed[s] = k
        placed[d] = (fixed, _place_breaks(t, day_of[d], shs, fixed, weights, max(deadline - time.perf_counter(), 5.0) / 4))
    work = []
    for (d, s), cols in sorted(of_shift.items()):
        agents = sorted(xs[j][0] for j in cols if sol[j] > 0.5)
        sh = by_day[d][0][s]
        pos = placed[d][1]
        for i, a in enumerate(agents):
            brk = tuple((_position(pos.get((s, k), []), i, sh, k, slot), r.minutes, r.paid) for k, r in enumerate(sh.rules))
            work.append(Work(a, d, sh.start, sh.length, brk, sh.paid_min))
    work.sort(key=lambda w: (w.person, w.day))
    stage2 = (float(res.fun) - lp_bound) / abs(float(res.fun)) if res.fun else 0.0
    return _Assigned(work, np.maximum(sol[ou: ou + na], 0.0), joint_objective(work, days, people, rules, weights, slot), stage2,
                     "optimal" if res.status == 0 else str(res.message), label, n, len(b.lo))


def restricted_milp(cost: np.ndarray, constraint: LinearConstraint, integrality: np.ndarray, bounds: Bounds, time_limit_s: float,
                    mip_rel_gap: float) -> tuple[OptimizeResult, float]:
    """HiGHS on the program with its integer columns restricted to those its linear
    relaxation uses (the relaxation-enforced neighbourhood search, RENS, of Berthold 2014): a
    column at 0 in the relaxation stays 0. Far smaller, and when the relaxation is nearly
    integral (an assignment's is) HiGHS finds a near-optimal solution in seconds where the whole
    program's heuristics take minutes. The restricted program's own bound lies above the
    relaxation's, so HiGHS is asked for a quarter of ``mip_rel_gap`` there. When the solution
    is still more than ``mip_rel_gap`` above the relaxation (small, tight programs, whose
    relaxation is far from integral) the whole program is solved in the time left and the
    better solution kept. Returns (the solve, a lower bound of the whole program: the
    relaxation's value or the whole solve's dual bound)."""
    t0 = time.perf_counter()
    lp = milp(cost, constraints=[constraint], integrality=np.zeros_like(integrality), bounds=bounds,
              options={"time_limit": time_limit_s / 2})
    if lp.x is None:
        res = milp(cost, constraints=[constraint], integrality=integrality, bounds=bounds,
                   options={"time_limit": time_limit_s, "mip_rel_gap": mip_rel_gap})
        return res, float(getattr(res, "mip_dual_bound", np.nan))
    bound = float(lp.fun)
    upper = np.array(bounds.ub, dtype=float, copy=True)
    upper[(integrality > 0) & (lp.x < 1e-6)] = 0.0
    left = max(time_limit_s - (time.perf_counter() - t0), 1.0)
    res = milp(cost, constraints=[constraint], integrality=integrality, bounds=Bounds(bounds.lb, upper),
               options={"time_limit": left, "mip_rel_gap": mip_rel_gap / 4})
    left = time_limit_s - (time.perf_counter() - t0)
    if (res.x is None or res.fun - bound > mip_rel_gap * abs(res.fun)) and left > 1.0:
        whole = milp(cost, constraints=[constraint], integrality=integrality, bounds=bounds,
                     options={"time_limit": left, "mip_rel_gap": mip_rel_gap})
        bound = max(bound, float(getattr(whole, "mip_dual_bound", -np.inf) or -np.inf))
        if whole.x is not None and (res.x is None or whole.fun < res.fun):
            res = whole
    return res, bound


def _case_rows(b: _Builder, people: list[Person], days: list[Day], by_day: dict, xs: list[tuple[int, int, int]], n: int,
               slot: int) -> int:
    """Soft rows: per day and slot with case work, the agents with the cases skill on shift
    cover it (``Σ x + case_short ≥ cases``); the slack columns follow column ``n``. Returns
    their number."""
    on: dict[tuple[int, int], list[int]] = {}
    for j, (a, d, s) in enumerate(xs):
        if people[a].cases:
            sh = by_day[d][0][s]
            for m in range(sh.start, sh.end, slot):
                on.setdefault((d, m), []).append(j)
    k = 0
    for dy in days:
        if dy.cases is None or dy.opens is None:
            continue
        for i, need in enumerate(dy.cases):
            if need > 1e-9:
                b.row([*on.get((dy.index, dy.opens + i * slot), []), n + k], 1.0, float(need), np.inf)
                k += 1
    return k


def _place_breaks(t: Template, day: Day, shs: list[Shift], counts: np.ndarray, weights: Weights,
                  time_limit_s: float) -> dict[tuple[int, int], list[int]]:
    """The break positions of a day's worked shifts (``counts`` agents each) that leave the
    fewest agent-slots short: :func:`_day_mix` with the shift counts fixed."""
    _, pos, _, _ = _day_mix(t, day, shs, list(counts), int(counts.sum()), 0.0, np.inf, weights, time_limit_s, 0.0,
                            fixed=counts, spread=SPREAD)
    return pos


def _position(planned: list[int], i: int, sh: Shift, k: int, slot_min: int) -> int:
    """The i-th planned position of break k, or (for a shift beyond the day plan) the middle of its window."""
    if i < len(planned):
        return sorted(planned)[i]
    window = list(sh.positions(k, slot_min))
    return window[len(window) // 2]


def _hours_and_fairness(b: _Builder, people: list[Person], x_at: dict, xs: list, by_day: dict, rules: Rules, ou: int,
                        of: int) -> list[int]:
    """Rows of every agent's band (the top hard, the bottom with the slack ``under`` at
    column ``ou + a``) and of fairness: ``emax, emin, lmax, lmin`` at columns ``of..of+3``
    bound the early and late shifts per agent, scaled by their target hours. Returns the
    offsets (0 early, 2 late) that no agent may set the fewest of (their ``min`` must be 0)."""
    mean_target = [q.target for q in people if q.phones and q.target > 0]
    unset = {0, 2}
    for a, p in enumerate(people):
        cols = [v for d in sorted(p.days) for _, v in x_at.get((a, d), [])]
        if not cols:
            continue
        paid = [float(by_day[xs[c][1]][0][xs[c][2]].paid_min) for c in cols]
        b.row(cols, paid, -np.inf, p.hi)
        b.row([*cols, ou + a], [*paid, 1.0], p.lo, np.inf)
        if p.target <= 0:
            continue
        scale = float(np.mean(mean_target)) / p.target
        for off, test, able in ((0, lambda sh: sh.start < rules.early_before, p.earliest < rules.early_before and p.prefers != "late"),
                                (2, lambda sh: sh.end > rules.late_after, p.latest > rules.late_after and p.prefers != "early")):
            mark = [c for c in cols if test(by_day[xs[c][1]][0][xs[c][2]])]
            b.row([*mark, of + off], [scale] * len(mark) + [-1.0], -np.inf, 0.0)
            if able:  # an agent who may not (or wishes not to) work early (late) shifts does not set the fewest
                b.row([*mark, of + off + 1], [scale] * len(mark) + [-1.0], 0.0, np.inf)
                unset.discard(off)
    return sorted(unset)


def recount_short(work: list[Work], days: list[Day], slot_min: int) -> dict[int, np.ndarray]:
    """Agents missing per slot of every day: the need minus the agents on the phones."""
    on = {d.index: np.zeros(len(d.need)) for d in days}
    opens = {d.index: d.opens for d in days}
    for w in work:
        o = opens[w.day]
        assert o is not None
        for m in range(w.start, w.end, slot_min):
            if not any(b <= m < b + mm for b, mm, _ in w.breaks):
                on[w.day][(m - o) // slot_min] += 1
    return {d.index: np.maximum(d.need - on[d.index], 0.0) for d in days}


def constructed_extra(t: Template, days: list[Day], result: Result, rules: Rules, hi_min: float, weights: Weights,
                      time_limit_s: float) -> int | None:
    """A number of new agents (each at most ``hi_min`` paid minutes) that closes the shortage
    of ``result`` with its schedule kept: per day, the cheapest cover of the agents missing by
    new shifts with breaks (:func:`_day_mix`), the shifts dealt to the fewest agents who can
    take them (:func:`deal`), and the shortage recounted to confirm. None when no cover exists."""
    extra: dict[int, list[Work]] = {}
    for dy in days:
        miss = result.short.get(dy.index)
        if miss is None or not (miss > 1e-6).any():
            continue
        shs = day_shifts(t, dy, rules)[0]
        if not shs:
            return None
        residual = Day(dy.index, dy.opens, dy.closes, np.ceil(miss - 1e-9))
        counts, pos, _, _ = _day_mix(t, residual, shs, [10_000] * len(shs), 10_000, 0.0, np.inf, weights, time_limit_s / 4, 0.0)
        extra[dy.index] = []
        for s, k in enumerate(counts):
            sh = shs[s]
            for i in range(int(k)):
                brk = tuple((_position(pos.get((s, b), []), i, sh, b, t.slot_min), r.minutes, r.paid) for b, r in enumerate(sh.rules))
                extra[dy.index].append(Work(-1, dy.index, sh.start, sh.length, brk, sh.paid_min))
    if not extra:
        return 0
    need = max(len(v) for v in extra.values())
    total = sum(w.paid_min for v in extra.values() for w in v)
    n = max(need, int(np.ceil(total / hi_min - 1e-9)) if hi_min > 0 else need, 1)
    while n <= 10 * need + 10:
        dealt = deal(extra, n, hi_min, rules)
        if dealt is not None:
            short = recount_short([*result.work, *dealt], days, t.slot_min)
            if all(not (v > 1e-6).any() for v in short.values()):
                return n
        n += 1
    return None


def _week_days(work: list[Work], person: int, day: int, weeks: tuple[int, ...]) -> int:
    """Days ``person`` works in the rest week holding ``day`` (0 outside the weeks)."""
    k = next((k for k in weeks if k <= day < k + 7), None)
    return 0 if k is None else sum(1 for x in work if x.person == person and k <= x.day < k + 7)


def deal(extra: dict[int, list[Work]], n: int, hi_min: float, rules: Rules) -> list[Work] | None:
    """The shifts of each day given to ``n`` new agents (numbered −1, −2, ...): one a day each,
    at most ``hi_min`` paid minutes each, six days in a rest week, the daily rest kept; the
    agent with the fewest minutes first. None when they cannot all be placed."""
    paid = [0.0] * n
    last: dict[int, Work] = {}
    out: list[Work] = []
    for d in sorted(extra):
        taken: set[int] = set()
        for w in sorted(extra[d], key=lambda x: -x.paid_min):
            ok = [a for a in range(n) if a not in taken and paid[a] + w.paid_min <= hi_min + 1e-6
                  and not (a in last and last[a].day == d - 1 and 24 * 60 + w.start - last[a].end < rules.daily_rest)
                  and _week_days(out, -1 - a, d, rules.weeks) < 6]
            if not ok:
                return None
            a = min(ok, key=lambda i: paid[i])
            taken.add(a)
            paid[a] += w.paid_min
            placed = Work(-1 - a, d, w.start, w.length, w.breaks, w.paid_min)
            last[a] = placed
            out.append(placed)
    return out


# --------------------------------------------------------------------------- a bound for the whole problem

@dataclass
class Plan:
    """The shift mix of every day at once (:func:`plan_period`): agents per shift of each day
    (``counts[day][s]``, the shifts of :func:`day_shifts`), the break positions per day and
    (shift, break), the terms of its objective (``paid``, ``short_first``, ``short_further``,
    ``under``: minutes weighted as in :func:`joint_terms`), HiGHS's dual bound and status."""

    counts: dict[int, np.ndarray]
    positions: dict[int, dict[tuple[int, int], list[int]]]
    terms: dict[str, float]
    bound: float
    status: str
    seconds: float

    @property
    def value(self) -> float:
        return float(sum(self.terms.values()))


def plan_period(t: Template, days: list[Day], people: list[Person], rules: Rules, weights: Weights,
                time_limit_s: float, mip_rel_gap: float = 1e-4) -> Plan:
    """The relaxation of the joint program (:func:`solve`) that forgets who works: all days'
    shift mixes and break positions at once (stage 1's day programs) with at most as many
    shifts a day as agents can work and each shift at most as often as agents may work it,
    and the agents' bands summed (paid minutes plus the minutes below the bands at least the
    sum of the lower ends, at most the sum of the upper ends). Agent identity, rest, fairness,
    wishes and case rows are left out: each only adds cost, so its dual bound (HiGHS) is a
    lower bound of the joint program's optimum, and its solution is a plan of the shifts for
    :func:`solve_two_stage` to give to agents."""
    t0 = time.perf_counter()
    slot = t.slot_min
    cost: list[float] = []
    integ: list[int] = []
    upper: list[float] = []
    b = _Builder()
    paid_cols: list[int] = []
    paid_vals: list[float] = []
    kinds: dict[str, list[int]] = {"short_first": [], "short_further": []}
    z_of: dict[int, list[int]] = {}
    y_of: dict[int, list[tuple[int, int, int, int]]] = {}  # day -> (shift, break, position, column)

    def col(c: float, integer: bool, up: float) -> int:
        cost.append(c)
        integ.append(int(integer))
        upper.append(up)
        return len(cost) - 1

    for dy in days:
        shs = day_shifts(t, dy, rules)[0]
        if not shs or dy.opens is None:
            continue
        able = [p for p in people if p.phones and dy.index in p.days]
        zs = [col(float(sh.paid_min), True, float(sum(1 for p in able if sh.start >= p.earliest and sh.end <= p.latest)))
              for sh in shs]
        z_of[dy.index] = zs
        y_of[dy.index] = []
        paid_cols += zs
        paid_vals += [float(sh.paid_min) for sh in shs]
        terms: list[tuple[list[int], list[float]]] = []
        for _ in range(len(dy.need)):
            s1, s2 = col(weights.shortage * slot, False, 1.0), col(SPREAD * weights.shortage * slot, False, np.inf)
            kinds["short_first"].append(s1)
            kinds["short_further"].append(s2)
            terms.append(([s1, s2], [1.0, 1.0]))
        for s, sh in enumerate(shs):
            for m in range(sh.start, sh.end, slot):
                terms[(m - dy.opens) // slot][0].append(zs[s])
                terms[(m - dy.opens) // slot][1].append(1.0)
            for k, r in enumerate(sh.rules):
                ys = []
                for w in sh.positions(k, slot):
                    y = col(0.0, True, np.inf)
                    ys.append(y)
                    y_of[dy.index].append((s, k, w, y))
                    for m in range(w, w + r.minutes, slot):
                        terms[(m - dy.opens) // slot][0].append(y)
                        terms[(m - dy.opens) // slot][1].append(-1.0)
                b.row([*ys, zs[s]], [1.0] * len(ys) + [-1.0], 0.0, 0.0)
        for i, (cols, vals) in enumerate(terms):
            b.row(cols, vals, float(dy.need[i]), np.inf)
        b.row(zs, 1.0, -np.inf, float(len(able)))
    under = col(weights.hours / 60.0, False, np.inf)
    phones = [p for p in people if p.phones]
    b.row([*paid_cols, under], [*paid_vals, 1.0], float(sum(p.lo for p in phones)), np.inf)
    b.row(paid_cols, paid_vals, -np.inf, float(sum(p.hi for p in phones)))
    n = len(cost)
    c = np.array(cost)
    res, bound = restricted_milp(c, b.constraint(n), np.array(integ, dtype=float), Bounds(np.zeros(n), np.array(upper)), time_limit_s,
                                 mip_rel_gap)
    if not np.isfinite(bound):
        bound = res.fun if res.x is not None and res.status == 0 else -np.inf
    counts: dict[int, np.ndarray] = {}
    positions: dict[int, dict[tuple[int, int], list[int]]] = {}
    terms_out = {"paid": 0.0, "short_first": 0.0, "short_further": 0.0, "under": 0.0}
    if res.x is not None:
        x = np.asarray(res.x)
        for d, zs in z_of.items():
            counts[d] = np.rint(x[zs]).astype(int)
            pos: dict[tuple[int, int], list[int]] = {}
            for s, k, w, j in y_of[d]:
                pos.setdefault((s, k), []).extend([w] * int(round(x[j])))
            positions[d] = pos
        terms_out = {"paid": float(c[paid_cols] @ x[paid_cols]),
                     **{k: float(c[v] @ x[v]) for k, v in kinds.items()}, "under": float(c[under] * x[under])}
    status = "optimal" if res.status == 0 else str(res.message)
    return Plan(counts, positions, terms_out, float(bound), status, time.perf_counter() - t0)


def joint_terms(work: list[Work], days: list[Day], people: list[Person], rules: Rules, weights: Weights,
                slot_min: int = 15) -> dict[str, float]:
    """The joint program's objective (:func:`solve`, plus the case rows) of a schedule, by
    term: ``paid`` minutes, ``wishes`` (shifts against a wish, :func:`against_wish`),
    ``short_first`` and ``short_further`` (the first agent missing in a slot, then ``SPREAD``
    times for every further one), ``under`` (minutes below the bands), ``cases`` (case-work
    shortage) and ``fair_early``, ``fair_late`` (the spread of early and late shifts)."""
    short = recount_short(work, days, slot_min)
    terms = {k: 0.0 for k in ("paid", "wishes", "short_first", "short_further", "under", "cases", "fair_early", "fair_late")}
    terms["paid"] = float(sum(w.paid_min for w in work))
    terms["wishes"] = weights.preference * sum(against_wish(people[w.person], w.day, w, rules) for w in work)
    for v in short.values():
        terms["short_first"] += float(weights.shortage * slot_min * np.minimum(v, 1.0).sum())
        terms["short_further"] += float(SPREAD * weights.shortage * slot_min * np.maximum(v - 1.0, 0.0).sum())
    paid = np.zeros(len(people))
    for w in work:
        paid[w.person] += w.paid_min
    terms["under"] = weights.hours / 60.0 * float(sum(max(p.lo - paid[a], 0.0) for a, p in enumerate(people) if p.phones))
    cases_on: dict[int, list[Work]] = {}
    for w in work:
        if people[w.person].cases:
            cases_on.setdefault(w.day, []).append(w)
    for dy in days:
        if dy.cases is None or dy.opens is None:
            continue
        for i, need in enumerate(dy.cases):
            m = dy.opens + i * slot_min
            have = sum(1 for w in cases_on.get(dy.index, []) if w.start <= m < w.end)
            terms["cases"] += weights.shortage * slot_min * max(float(need) - have, 0.0)
    targets = [q.target for q in people if q.phones and q.target > 0]
    if targets:
        mean = float(np.mean(targets))
        for key, test, able_of in (("fair_early", lambda w: w.start < rules.early_before,
                                    lambda p: p.earliest < rules.early_before and p.prefers != "late"),
                                   ("fair_late", lambda w: w.end > rules.late_after,
                                    lambda p: p.latest > rules.late_after and p.prefers != "early")):
            scaled = {a: mean / p.target * sum(1 for w in work if w.person == a and test(w))
                      for a, p in enumerate(people) if p.phones and p.target > 0}
            lows = [v for a, v in scaled.items() if able_of(people[a])]
            if scaled:
                terms[key] = weights.fairness * (max(scaled.values()) - (min(lows) if lows else 0.0))
    return terms


def joint_objective(work: list[Work], days: list[Day], people: list[Person], rules: Rules, weights: Weights,
                    slot_min: int = 15) -> float:
    """The joint program's objective of a schedule: the sum of :func:`joint_terms`."""
    return float(sum(joint_terms(work, days, people, rules, weights, slot_min).values()))

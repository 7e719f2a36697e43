"""Shift rostering as an integer program: numbers in, numbers out.

Time is cut into slots of ``slot_min`` minutes. A *shift* is a start and a length; each of
its breaks (the lunch is one, usually unpaid) starts at one of the slots of its window. The
program chooses ``x_s`` agents per shift and ``y_skw`` of them taking break ``k`` at
position ``w`` (the implicit break model of Bechtold and Jacobs 1990 / Aykin 1996):

    minimise    Σ_s paid_s · x_s                                       (paid minutes)
    subject to  Σ_s on_s(t) · x_s − Σ_skw brk_kw(t) · y_skw ≥ need_t   for every slot t
                Σ_w y_skw = x_s                                        every shift s, break k
                Σ_s x_s ≤ max_agents                                   (optional)
                Σ_{s part-time} x_s ≤ share · Σ_s x_s                   (optional)
                x, y ∈ {0, 1, 2, …}

where ``on_s(t)`` is 1 while shift ``s`` runs and ``brk_kw(t)`` while a break of rule ``k``
started at ``w`` lasts. When the break windows of a shift do not overlap in time (the
templates are validated so), pairing the chosen break positions in time order gives each
agent a valid day, and the model is exact. A minimum gap ``g`` between an agent's
consecutive breaks (``gap_min``) adds, for every position ``w`` of break ``k+1``,

                Σ_{v ≤ w} y_{s,k+1,v} ≤ Σ_{u ≤ w − m_k − g} y_{s,k,u}

(no more agents have started break ``k+1`` by ``w`` than can have ended break ``k`` at
least ``g`` minutes before), which is exactly what the time-order pairing needs; it has far fewer variables than one per combination of
break positions, which is what lets HiGHS prove optimality in about a second per day.

It is solved with HiGHS through :func:`scipy.optimize.milp`; the linear relaxation (real
``x, y ≥ 0``) gives a lower bound, and ``gap = (paid − bound) / paid`` bounds how far the
integer roster can be from the best possible one.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from sim.world.staffing import Duty, agent_counts, phones_per_slot


@dataclass(frozen=True)
class BreakRule:
    """A break of ``minutes`` starting between ``earliest_min`` and ``latest_min`` after the
    shift start, in every shift of at least ``min_shift_min`` minutes."""

    minutes: int
    earliest_min: int
    latest_min: int
    min_shift_min: int = 0
    paid: bool = True


@dataclass(frozen=True)
class Template:
    """The shifts allowed on one day: starts (minutes since midnight), lengths (minutes) and
    break rules (in the order of their windows), on a grid of ``slot_min`` minutes. Shifts
    shorter than ``part_time_below_min`` are part-time. Between the end of one break of an
    agent and the start of the next lie at least ``gap_min`` minutes."""

    slot_min: int
    starts: tuple[int, ...]
    lengths: tuple[int, ...]
    breaks: tuple[BreakRule, ...] = ()
    part_time_below_min: int = 0
    gap_min: int = 0


@dataclass(frozen=True)
class Shift:
    """A start and a length with the break rules that apply to it."""

    start: int
    length: int
    rules: tuple[BreakRule, ...]

    @property
    def end(self) -> int:
        return self.start + self.length

    @property
    def paid_min(self) -> int:
        return self.length - sum(r.minutes for r in self.rules if not r.paid)

    def positions(self, k: int, slot_min: int) -> range:
        r = self.rules[k]
        return range(self.start + r.earliest_min, self.start + r.latest_min + 1, slot_min)


@dataclass(frozen=True)
class Pattern:
    """One agent's day: a shift and where each of its breaks falls (absolute minutes)."""

    start: int
    length: int
    breaks: tuple[tuple[int, int], ...]  # (start, minutes) in time order
    paid_min: int
    part_time: bool

    @property
    def end(self) -> int:
        return self.start + self.length


def shifts(t: Template, opens: int, closes: int) -> list[Shift]:
    """Every start × length of the template that lies inside ``[opens, closes)``."""
    return [Shift(s, n, tuple(r for r in t.breaks if n >= r.min_shift_min))
            for s in t.starts for n in t.lengths if s >= opens and s + n <= closes]


def overlapping_windows(t: Template) -> list[tuple[int, int, int]]:
    """(length, k, k+1) where break ``k`` may still run when break ``k+1`` may start, or a
    break may run past the end of the shift: templates where this list is not empty are refused."""
    bad = []
    for n in t.lengths:
        rules = [r for r in t.breaks if n >= r.min_shift_min]
        for k, r in enumerate(rules):
            nxt = rules[k + 1].earliest_min if k + 1 < len(rules) else n
            if r.latest_min + r.minutes > nxt:
                bad.append((n, k, k + 1))
    return bad


class Infeasible(ValueError):
    """No roster covers the requirement; ``slots`` are the slot indices that cannot be
    covered (empty when only the limits together make it impossible)."""

    def __init__(self, slots: list[int], reason: str) -> None:
        super().__init__(reason)
        self.slots = slots
        self.reason = reason


@dataclass(frozen=True)
class Solution:
    """The roster of one day: agents per pattern, paid minutes, LP bound, gap, solve time."""

    patterns: list[Pattern]
    counts: np.ndarray
    paid_min: float
    lp_bound_min: float
    gap: float
    seconds: float
    status: str
    variables: int


def _model(sh: list[Shift], slots: np.ndarray, slot_min: int,
           gap_min: int = 0) -> tuple[sparse.csr_matrix, sparse.csr_matrix, sparse.csr_matrix, list[tuple[int, int, int]]]:
    """(coverage matrix slots × variables, linking rows, gap rows (<= 0), the y variables as
    (shift, k, position))."""
    ys = [(i, k, w) for i, s in enumerate(sh) for k in range(len(s.rules)) for w in s.positions(k, slot_min)]
    n = len(sh) + len(ys)
    cover = np.zeros((len(slots), n))
    for i, s in enumerate(sh):
        cover[:, i] = (slots >= s.start) & (slots < s.end)
    links = np.zeros((sum(len(s.rules) for s in sh), n))
    row_of: dict[tuple[int, int], int] = {}
    for i, s in enumerate(sh):
        for k in range(len(s.rules)):
            row_of[(i, k)] = len(row_of)
            links[row_of[(i, k)], i] = -1.0
    for j, (i, k, w) in enumerate(ys, start=len(sh)):
        m = sh[i].rules[k].minutes
        cover[:, j] = -((slots >= w) & (slots < w + m)).astype(float)
        links[row_of[(i, k)], j] = 1.0
    return sparse.csr_matrix(cover), sparse.csr_matrix(links), _gap_rows(sh, ys, n, slot_min, gap_min), ys


def _gap_rows(sh: list[Shift], ys: list[tuple[int, int, int]], n: int, slot_min: int, gap_min: int) -> sparse.csr_matrix:
    """The rows ``Σ_{v<=w} y_{k+1,v} − Σ_{u<=w−m_k−gap} y_{k,u} <= 0`` that keep ``gap_min``
    minutes between consecutive breaks; only the binding ones (none when the windows are far
    enough apart)."""
    col = {y: j for j, y in enumerate(ys, start=len(sh))}
    rows: list[dict[int, float]] = []
    for i, s in enumerate(sh):
        for k in range(len(s.rules) - 1):
            before, after = s.positions(k, slot_min), s.positions(k + 1, slot_min)
            for w in after:
                allowed = [u for u in before if u + s.rules[k].minutes + gap_min <= w]
                if len(allowed) == len(before):
                    continue  # every position of break k ends early enough
                row = {col[(i, k + 1, v)]: 1.0 for v in after if v <= w}
                for u in allowed:
                    row[col[(i, k, u)]] = -1.0
                rows.append(row)
    out = sparse.lil_matrix((len(rows), n))
    for r, row in enumerate(rows):
        for j, v in row.items():
            out[r, j] = v
    return out.tocsr()


def solve(t: Template, opens: int, closes: int, need: np.ndarray, max_agents: int | None = None,
          part_time_share: float | None = None, time_limit_s: float = 60.0) -> Solution:
    """The cheapest integer roster of one day covering ``need`` (agents on the phones per
    slot of ``[opens, closes)``); raises :class:`Infeasible` naming the slots it cannot cover."""
    need = np.asarray(need, dtype=float)
    slots = np.arange(opens, closes, t.slot_min)
    if len(need) != len(slots):
        raise ValueError(f"need has {len(need)} slots, the day has {len(slots)}")
    sh = shifts(t, opens, closes)
    _check_coverable(sh, slots, need, max_agents, t.slot_min)
    cover, links, gaps, ys = _model(sh, slots, t.slot_min, t.gap_min)
    n = cover.shape[1]
    cost = np.zeros(n)
    cost[: len(sh)] = [s.paid_min for s in sh]
    rows = [LinearConstraint(cover, lb=need, ub=np.inf)]
    if links.shape[0]:
        rows.append(LinearConstraint(links, lb=0.0, ub=0.0))
    if gaps.shape[0]:
        rows.append(LinearConstraint(gaps, lb=-np.inf, ub=0.0))
    is_x = np.zeros(n)
    is_x[: len(sh)] = 1.0
    if max_agents is not None:
        rows.append(LinearConstraint(is_x[None, :], lb=-np.inf, ub=max_agents))
    part = np.zeros(n)
    part[: len(sh)] = [s.length < t.part_time_below_min for s in sh]
    if part_time_share is not None and part.any():
        rows.append(LinearConstraint((part - part_time_share * is_x)[None, :], lb=-np.inf, ub=0.0))
    t0 = time.perf_counter()
    opts = {"time_limit": time_limit_s}
    lp = milp(cost, constraints=rows, integrality=np.zeros(n), bounds=Bounds(0, np.inf), options=opts)
    if lp.status == 2:
        raise Infeasible([], "the limits (max_agents, part-time share) leave no roster that covers the requirement")
    ip = milp(cost, constraints=rows, integrality=np.ones(n), bounds=Bounds(0, np.inf), options=opts)
    seconds = time.perf_counter() - t0
    if ip.x is None:
        raise Infeasible([], f"HiGHS found no integer roster within {time_limit_s:g} s ({ip.message})")
    x = np.rint(ip.x).astype(np.int64)
    pats, counts = _expand(sh, ys, x, t.part_time_below_min)
    obj = float(sum(p.paid_min * c for p, c in zip(pats, counts, strict=True)))
    gap = (obj - float(lp.fun)) / obj if obj > 0 else 0.0
    return Solution(pats, counts, obj, float(lp.fun), max(gap, 0.0), seconds,
                    "optimal" if ip.status == 0 else ip.message, n)


def _check_coverable(sh: list[Shift], slots: np.ndarray, need: np.ndarray, max_agents: int | None, slot_min: int) -> None:
    # a slot no shift can staff: inside no shift, or inside breaks of every shift that covers it
    can = np.zeros(len(slots), dtype=bool)
    for s in sh:
        on = (slots >= s.start) & (slots < s.end)
        for k, r in enumerate(s.rules):
            pos = s.positions(k, slot_min)
            if len(pos) == 1:  # a fixed break is always off the phones
                on &= ~((slots >= pos[0]) & (slots < pos[0] + r.minutes))
        can |= on
    uncovered = [int(i) for i in np.flatnonzero((need > 0) & ~can)]
    if uncovered:
        raise Infeasible(uncovered, "no allowed shift is on the phones then")
    if max_agents is not None:
        over = [int(i) for i in np.flatnonzero(need > max_agents)]
        if over:
            raise Infeasible(over, f"they need more than max_agents = {max_agents} agents at once")


def _expand(sh: list[Shift], ys: list[tuple[int, int, int]], x: np.ndarray, part_below: int) -> tuple[list[Pattern], np.ndarray]:
    """Agents per shift and break positions -> agents per pattern (any pairing is valid)."""
    per: dict[tuple[int, int], list[int]] = {}
    for j, (i, k, w) in enumerate(ys, start=len(sh)):
        per.setdefault((i, k), []).extend([w] * int(x[j]))
    days: Counter[Pattern] = Counter()
    for i, s in enumerate(sh):
        for a in range(int(x[i])):
            spans = tuple(sorted((sorted(per[(i, k)])[a], r.minutes) for k, r in enumerate(s.rules)))
            days[Pattern(s.start, s.length, spans, s.paid_min, s.length < part_below)] += 1
    pats = sorted(days, key=lambda p: (p.start, p.length, p.breaks))
    return pats, np.array([days[p] for p in pats], dtype=np.int64)


def on_phones(pats: list[Pattern], counts: np.ndarray, opens: int, closes: int, slot_min: int) -> np.ndarray:
    """Agents on the phones (on shift and not on a break) per slot: the time-average of
    :func:`sim.world.staffing.phones_per_slot` (whole counts, as the patterns lie on the slot grid)."""
    duties = [Duty(p.start, p.end, tuple((b, b + m) for b, m in p.breaks), float(c)) for p, c in zip(pats, counts, strict=True)]
    return agent_counts(phones_per_slot(duties, opens, len(range(opens, closes, slot_min)), slot_min))


def on_shift(pats: list[Pattern], counts: np.ndarray, opens: int, closes: int, slot_min: int) -> np.ndarray:
    """Agents on shift (on the phones or on a break) per slot, by the same definition."""
    duties = [Duty(p.start, p.end, (), float(c)) for p, c in zip(pats, counts, strict=True)]
    return agent_counts(phones_per_slot(duties, opens, len(range(opens, closes, slot_min)), slot_min))

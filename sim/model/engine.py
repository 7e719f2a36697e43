"""The SimPy model of one replication.

Design for speed: one process feeds arrivals, one process per agent group follows its
staffing schedule, and each agent is a process that *pulls* the next entry from its group's
queue. Abandonment needs no event: a caller whose patience ran out before an agent reached
them is skipped when popped (and recorded as abandoned at ``arrival + patience``), which
gives exactly the same fates and times as a timer per caller. An arriving call goes straight
to the agent who has been idle longest; otherwise it joins the queue.

Queues are heaps ordered by *queue position*: the caller's original arrival time. Fresh
callers therefore queue first come, first served; a caller who accepted a callback keeps
their entry (and place) while off the line, so callbacks and live callers are served in
queue-position order; a transferred caller enters the target group's queue with their
original position, ahead of anyone who arrived later (Kontakta: "Kund ska prioriteras
utifrån sin köplats i nummerordning"; "behålla sin prioritet och köplats").

At closing the schedule's target drops to zero, but agents on duty keep taking callers until
the queue is empty (Kontakta: the existing queue is served); pending callbacks are either
made then (``callbacks.pending_at_close: serve``) or carried to the next opening. An agent
whose shift ends mid-call finishes that call first.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.world.demand import Calls, route_to_opening
from sim.world.staffing import Schedule

# entry kinds in a group's queue: (position, seq, kind, call)
CALL, CONSULT, BLIND, CALLBACK = 0, 1, 2, 3
# final fates (codes; names in FATES)
DERIVE, ANSWERED, ABANDONED, CALLBACK_MADE, CALLBACK_FAILED, WARM, BLIND_DONE, TRANSFER_ABANDONED, FALLBACK, CALLBACK_PENDING = range(-1, 9)
FATES: tuple[str, ...] = (
    "answered", "abandoned", "callback_made", "callback_failed_case", "transferred_warm",
    "transferred_blind", "transfer_abandoned", "transfer_fallback_case", "callback_requested",
)
_WAITING, _TAKEN, _GAVE_UP = 1, 2, 3


@dataclass(frozen=True)
class Features:
    """The rules of callbacks, transfers and repeat contacts, in the model's terms."""

    callbacks: bool = False
    cb_after_wait: bool = False
    cb_threshold_s: float = 0.0
    cb_ring_s: float = 0.0
    cb_answer_p: float = 1.0
    cb_retry_gap_s: float = 0.0
    cb_max_attempts: int = 1
    cb_failed_s: float = 0.0
    cb_next_opening: bool = False
    transfer: int = 0  # 0 off, 1 warm, 2 blind
    transfer_to: tuple[int, ...] = ()  # target group per case type (-1: none)
    consult_limit_s: float = 0.0
    repeats: bool = False
    repeat_p: float = 0.0
    repeat_max: int = 1
    repeat_spread_s: float = 1800.0
    mean_handle_s: float = 300.0


@dataclass
class Outcome:
    """What the model adds to the calls: who answered when, what happened, agent presence.

    Lists are per call (index = call); calls created during the run (repeat contacts) are
    appended to ``extra``.
    """

    answered_at: np.ndarray
    agent: np.ndarray
    fate: np.ndarray
    ended_at: np.ndarray
    agent2: np.ndarray
    answered2_at: np.ndarray
    consult_wait: np.ndarray
    first_handle: np.ndarray
    second_handle: np.ndarray
    cb_accepted_at: np.ndarray
    cb_first_attempt: np.ndarray
    cb_attempts: np.ndarray
    logged_case: np.ndarray
    present_agent: list[int] = field(default_factory=list)
    present_group: list[int] = field(default_factory=list)
    present_start: list[float] = field(default_factory=list)
    present_end: list[float] = field(default_factory=list)
    busy_agent: list[int] = field(default_factory=list)
    busy_start: list[float] = field(default_factory=list)
    busy_end: list[float] = field(default_factory=list)
    extra: dict[str, list] = field(default_factory=dict)


class _Group:
    """One agent group: its queue (a heap by queue position), idle agents, staffing state."""

    __slots__ = ("gid", "offset", "schedule", "queue", "idle", "present", "target", "closed", "carried", "pending")

    def __init__(self, gid: int, offset: int, schedule: Schedule) -> None:
        self.gid = gid
        self.offset = offset
        self.schedule = schedule
        self.queue: list[tuple[float, int, int, int]] = []
        self.idle: deque[tuple[int, simpy.Event]] = deque()
        self.present = [False] * max(schedule.max_agents, 1)
        self.target = 0
        self.closed = True
        self.carried: list[tuple[float, int, int, int]] = []
        self.pending = 0  # callback retries scheduled but not yet due


class _CallCentre:
    """State of one replication (no module globals; one instance per run)."""

    def __init__(self, env: simpy.Environment, calls: Calls, schedules: list[Schedule], f: Features,
                 opens: np.ndarray, closes: np.ndarray, repeat_rng: np.random.Generator | None, repeat_delay) -> None:  # noqa: ANN001
        self.env = env
        self.f = f
        self.n0 = len(calls)
        self.arrival = calls.arrival.tolist()
        self.patience = calls.patience.tolist()
        self.deadline = (calls.arrival + calls.patience).tolist()
        self.handle = calls.handle.tolist()
        self.wrap = calls.wrap.tolist()
        offsets = np.concatenate([[0], np.cumsum([max(s.max_agents, 1) for s in schedules])])
        self.groups = [_Group(g, int(offsets[g]), s) for g, s in enumerate(schedules)]
        self.seq = 0
        n = self.n0
        self.answered_at = [float("nan")] * n
        self.agent_of = [-1] * n
        self.fate = [DERIVE] * n
        self.ended_at = [float("nan")] * n
        self.agent2 = [-1] * n
        self.answered2_at = [float("nan")] * n
        self.consult_wait = [float("nan")] * n
        self.first_handle = [float("nan")] * n
        self.second_handle = [float("nan")] * n
        self.cb_accepted_at = [float("nan")] * n
        self.cb_first_attempt = [float("nan")] * n
        self.cb_attempts = [0] * n
        self.logged_case = [False] * n
        self.out = Outcome(*(np.empty(0) for _ in range(13)))
        self._features_init(calls, opens, closes, repeat_rng, repeat_delay)

    def _features_init(self, calls: Calls, opens: np.ndarray, closes: np.ndarray, rng, delay) -> None:  # noqa: ANN001
        f = self.f
        self.transfer_to = [f.transfer_to[c] for c in calls.case.tolist()] if f.transfer else []
        self.first_talk = calls.first_talk.tolist()
        self.handover = calls.handover.tolist()
        self.first_wrap = calls.first_wrap.tolist()
        self.prefer_cb = calls.prefer_callback.tolist()
        self.blind_patience = calls.blind_patience.tolist()
        self.deadline2 = [float("inf")] * self.n0  # set when blind-transferred
        self.cb_accept = calls.callback_accept.tolist()
        self.cb_answer_u = calls.callback_answer_u.tolist() if f.callbacks else []  # (calls × attempts): costly, only if used
        self.cb_flag = [False] * self.n0
        self.cb_offered = [False] * self.n0
        self.consult_state = [0] * self.n0
        self.consult_ev: dict[int, simpy.Event] = {}
        self.repeat = calls.repeat.tolist()
        self.customer = list(range(self.n0))
        self.source = list(range(self.n0))
        self.attempt = [1] * self.n0
        self.closes_at = calls.closes_at.tolist()
        self.opens_arr, self.closes_arr = opens, closes
        self.repeat_rng, self.repeat_delay = rng, delay
        self.logged = calls.logged.tolist()
        self.case = calls.case.tolist()

    # -- queue ---------------------------------------------------------------------------

    def push(self, g: _Group, position: float, kind: int, i: int) -> None:
        self.seq += 1
        entry = (position, self.seq, kind, i)
        if g.idle:
            g.idle.popleft()[1].succeed(entry)
        else:
            heapq.heappush(g.queue, entry)

    def _is_callback(self, i: int, now: float) -> bool:
        """A queued entry that is (by now) a callback: the caller accepted and hung up."""
        if self.cb_flag[i]:
            return True
        f = self.f
        if f.cb_after_wait and self.cb_accept[i] and now - self.arrival[i] >= f.cb_threshold_s and self.patience[i] >= f.cb_threshold_s:
            self.cb_flag[i] = True
            self.cb_accepted_at[i] = self.arrival[i] + f.cb_threshold_s
            return True
        return False

    def next_entry(self, g: _Group) -> tuple[float, int, int, int] | None:
        """Pop the first entry that still needs an agent; expired callers are skipped."""
        queue, now, cb = g.queue, self.env.now, self.f.callbacks
        while queue:
            e = heapq.heappop(queue)
            kind, i = e[2], e[3]
            if kind == CALL:
                if cb and self._is_callback(i, now):  # from now on it is a callback to make
                    e = (e[0], e[1], CALLBACK, i)
                    if g.closed and self.f.cb_next_opening:
                        g.carried.append(e)
                        continue
                    return e
                if self.deadline[i] >= now:
                    return e
            elif kind == CALLBACK:
                if g.closed and self.f.cb_next_opening:
                    g.carried.append(e)
                    continue
                return e
            elif kind == CONSULT:
                if self.consult_state[i] == _WAITING:
                    return e
            elif self.deadline2[i] >= now:  # BLIND
                return e
        return None

    def ewt(self, g: _Group) -> float:
        """Estimated wait on arrival: entries still needing an agent × mean handle / agents."""
        now = self.env.now
        ahead = sum(1 for _, _, kind, i in g.queue if kind != CALL or self.cb_flag[i] or self.deadline[i] >= now)
        agents = sum(g.present)
        return (ahead + 1) * self.f.mean_handle_s / agents if agents else float("inf")

    # -- processes -----------------------------------------------------------------------

    def arrivals(self) -> Generator[simpy.Event, None, None]:
        env, first = self.env, self.groups[0]
        plain = not (self.f.callbacks or self.f.repeats)
        for i, t in enumerate(self.arrival[: self.n0]):
            if t > env.now:
                yield env.timeout(t - env.now)
            if plain:
                self.push(first, t, CALL, i)
            else:
                self.offer(i)

    def offer(self, i: int) -> None:
        """A call arrives at the first line (with callback offer and repeat watch)."""
        f, g, now = self.f, self.groups[0], self.env.now
        if f.callbacks and not f.cb_after_wait and not g.idle and self.ewt(g) > f.cb_threshold_s:
            self.cb_offered[i] = True
            if self.cb_accept[i]:
                self.cb_flag[i] = True
                self.cb_accepted_at[i] = now
        if f.repeats and self.repeat[i] and self.attempt[i] < f.repeat_max and self.patience[i] < float("inf"):
            self.env.timeout(self.patience[i]).callbacks.append(lambda _e, i=i: self._abandon_check(i))
        self.push(g, self.arrival[i], CALL, i)

    def staffing(self, g: _Group) -> Generator[simpy.Event, None, None]:
        env, sch = self.env, g.schedule
        for t, n, is_open in zip(sch.times.tolist(), sch.counts.tolist(), sch.open_.tolist(), strict=True):
            if t > env.now:
                yield env.timeout(t - env.now)
            g.closed = not is_open
            g.target = n
            for k in range(n):
                if not g.present[k]:
                    g.present[k] = True
                    env.process(self.agent(g, k))
            self._release_idle(g)
            if is_open and g.carried:
                carried, g.carried = g.carried, []
                for e in carried:
                    self.push(g, e[0], e[2], e[3])

    def _release_idle(self, g: _Group) -> None:
        """Idle agents above the target go home now."""
        if not any(k >= g.target for k, _ in g.idle):
            return
        staying = [(k, ev) for k, ev in g.idle if k < g.target]
        for k, ev in g.idle:
            if k >= g.target:
                ev.succeed(None)
        g.idle.clear()  # mutate in place: other processes hold a reference
        g.idle.extend(staying)

    def agent(self, g: _Group, k: int) -> Generator[simpy.Event, object, None]:
        env, f = self.env, self.f
        start, gk = env.now, g.offset + k
        while True:
            e = self.next_entry(g)
            if e is None:
                if k >= g.target and not (g.closed and g.pending and not f.cb_next_opening):
                    break
                ev = env.event()
                g.idle.append((k, ev))
                e = yield ev
                if e is None:
                    break
            kind, i = e[2], e[3]  # type: ignore[index]
            if kind == CALL:
                self.answered_at[i] = env.now
                self.agent_of[i] = gk
                if f.transfer and self.transfer_to[i] >= 0:
                    yield from self.transfer(gk, i)
                else:
                    yield env.timeout(self.handle[i])
            elif kind == CONSULT:
                yield from self.take_consult(gk, i)
            elif kind == BLIND:
                yield from self.take_blind(gk, i)
            else:  # CALLBACK: a callback to make (first attempt or retry)
                yield from self.callback_attempt(g, gk, i)
            if k >= g.target and not g.closed:
                break  # shift over: the call in hand is finished, the queue is left to others
        g.present[k] = False
        o = self.out
        o.present_agent.append(gk)
        o.present_group.append(g.gid)
        o.present_start.append(start)
        o.present_end.append(env.now)

    def _busy(self, gk: int, t0: float) -> None:
        o = self.out
        o.busy_agent.append(gk)
        o.busy_start.append(t0)
        o.busy_end.append(self.env.now)

    # -- transfers -----------------------------------------------------------------------

    def transfer(self, gk: int, i: int) -> Generator[simpy.Event, object, None]:
        """The first agent's side of a transfer (warm with fallback, or blind)."""
        env, f = self.env, self.f
        t0 = env.now
        target = self.groups[self.transfer_to[i]]
        yield env.timeout(self.first_talk[i])
        if f.transfer == 2:  # blind: into the target queue at the original position
            self.deadline2[i] = env.now + self.blind_patience[i]
            self.fate[i] = TRANSFER_ABANDONED  # until an agent there takes the call
            self.push(target, self.arrival[i], BLIND, i)
            yield env.timeout(self.first_wrap[i])
        elif self.prefer_cb[i]:
            self._fallback(i)
            yield env.timeout(self.first_wrap[i])
        else:
            ev = env.event()
            self.consult_ev[i] = ev
            self.consult_state[i] = _WAITING
            asked = env.now
            self.push(target, self.arrival[i], CONSULT, i)
            yield ev | env.timeout(f.consult_limit_s)
            self.consult_wait[i] = env.now - asked
            if ev.triggered:
                yield env.timeout(self.handover[i] + self.first_wrap[i])
                self.fate[i] = WARM
            else:
                self.consult_state[i] = _GAVE_UP
                self._fallback(i)
                yield env.timeout(self.first_wrap[i])
        self.first_handle[i] = env.now - t0
        self._busy(gk, t0)

    def _fallback(self, i: int) -> None:
        self.fate[i] = FALLBACK
        self.ended_at[i] = self.env.now
        self.logged_case[i] = True

    def take_consult(self, gk: int, i: int) -> Generator[simpy.Event, object, None]:
        """A colleague answers the consultation, takes the hand-over, then the customer."""
        env = self.env
        self.consult_state[i] = _TAKEN
        self.consult_ev.pop(i).succeed()
        t0 = env.now
        self.agent2[i], self.answered2_at[i] = gk, t0
        yield env.timeout(self.handover[i] + self.handle[i])
        self.second_handle[i] = env.now - t0
        self.ended_at[i] = env.now
        self._busy(gk, t0)

    def take_blind(self, gk: int, i: int) -> Generator[simpy.Event, object, None]:
        env = self.env
        t0 = env.now
        self.agent2[i], self.answered2_at[i] = gk, t0
        self.fate[i] = BLIND_DONE
        yield env.timeout(self.handle[i])
        self.second_handle[i] = env.now - t0
        self.ended_at[i] = env.now
        self._busy(gk, t0)

    # -- callbacks -----------------------------------------------------------------------

    def callback_attempt(self, g: _Group, gk: int, i: int) -> Generator[simpy.Event, object, None]:
        """Dial a callback; on answer handle the call, else retry later or create a case."""
        env, f = self.env, self.f
        t0 = env.now
        n = self.cb_attempts[i]
        self.cb_attempts[i] = n + 1
        if n == 0:
            self.cb_first_attempt[i] = t0
        yield env.timeout(f.cb_ring_s)
        if self.cb_answer_u[i][n] < f.cb_answer_p:
            self.answered_at[i] = env.now
            self.agent_of[i] = gk
            self.fate[i] = CALLBACK_MADE
            if f.transfer and self.transfer_to[i] >= 0:
                self._busy(gk, t0)
                yield from self.transfer(gk, i)
                return
            yield env.timeout(self.handle[i])
            self.ended_at[i] = env.now
        else:
            yield env.timeout(f.cb_failed_s)
            if n + 1 < f.cb_max_attempts:
                g.pending += 1
                env.timeout(f.cb_retry_gap_s).callbacks.append(lambda _e, g=g, i=i: self._retry_due(g, i))
            else:
                self.fate[i] = CALLBACK_FAILED
                self.ended_at[i] = env.now
                self.logged_case[i] = True
                if f.repeats and self.repeat[i] and self.attempt[i] < f.repeat_max:
                    self._new_attempt(i, env.now)
        self._busy(gk, t0)

    def _retry_due(self, g: _Group, i: int) -> None:
        """A callback retry falls due: back in the queue at its original position. After
        closing (policy serve) agents wait for pending retries; the last one releases them."""
        g.pending -= 1
        self.push(g, self.arrival[i], CALLBACK, i)
        if g.closed and not g.pending:
            self._release_idle(g)

    # -- repeat contacts -----------------------------------------------------------------

    def _abandon_check(self, i: int) -> None:
        """At the caller's patience deadline: if still unanswered (and not a callback), they
        abandoned now and will call again."""
        if self.answered_at[i] != self.answered_at[i] and not self.cb_flag[i] and not self._is_callback(i, self.env.now):
            self._new_attempt(i, self.env.now)

    def _new_attempt(self, i: int, now: float) -> None:
        """Create the caller's next attempt after a delay (at the next opening if closed)."""
        assert self.repeat_rng is not None
        rng = self.repeat_rng
        wanted = now + float(self.repeat_delay.sample(rng, 1)[0])
        at, period, _, reachable = route_to_opening(np.array([wanted]), rng.random(1), self.opens_arr, self.closes_arr, self.f.repeat_spread_s)
        if not reachable[0]:
            return  # no opening left in the run
        t = float(at[0])
        j = len(self.arrival)
        self._append_copy(i, t, float(self.closes_arr[period[0]]))
        self.env.timeout(t - now).callbacks.append(lambda _e, j=j: self.offer(j))

    def _append_copy(self, i: int, t: float, closes_at: float) -> None:
        """A new call by the same customer with the same need; new patience and decisions."""
        rng = self.repeat_rng
        assert rng is not None
        patience = self.patience[i]  # the same customer with the same need and patience
        for name, value in (
            ("arrival", t), ("patience", patience), ("deadline", t + patience), ("handle", self.handle[i]),
            ("wrap", self.wrap[i]), ("first_talk", self.first_talk[i]), ("handover", self.handover[i]),
            ("first_wrap", self.first_wrap[i]), ("prefer_cb", self.prefer_cb[i]),
            ("blind_patience", self.blind_patience[i]), ("deadline2", float("inf")),
            ("cb_accept", self.cb_accept[i]), ("cb_answer_u", rng.random(self.f.cb_max_attempts).tolist()),
            ("cb_flag", False), ("cb_offered", False), ("consult_state", 0), ("repeat", bool(rng.random() < self.f.repeat_p)),
            ("customer", self.customer[i]), ("source", self.source[i]), ("attempt", self.attempt[i] + 1),
            ("closes_at", closes_at), ("logged", self.logged[i]), ("case", self.case[i]),
            ("answered_at", float("nan")), ("agent_of", -1), ("fate", DERIVE), ("ended_at", float("nan")),
            ("agent2", -1), ("answered2_at", float("nan")), ("consult_wait", float("nan")),
            ("first_handle", float("nan")), ("second_handle", float("nan")), ("cb_accepted_at", float("nan")),
            ("cb_first_attempt", float("nan")), ("cb_attempts", 0), ("logged_case", False),
        ):
            getattr(self, name).append(value)
        if self.f.transfer:
            self.transfer_to.append(self.transfer_to[i])


def run(calls: Calls, schedules: list[Schedule], features: Features | None = None,
        opens: np.ndarray | None = None, closes: np.ndarray | None = None,
        repeat_rng: np.random.Generator | None = None, repeat_delay: object = None) -> Outcome:
    """Simulate until every call has ended and every agent has gone home."""
    env = simpy.Environment()
    f = features or Features()
    empty = np.empty(0)
    centre = _CallCentre(env, calls, schedules, f, opens if opens is not None else empty,
                         closes if closes is not None else empty, repeat_rng, repeat_delay)
    env.process(centre.arrivals())
    for g in centre.groups:
        env.process(centre.staffing(g))
    env.run()
    return _outcome(calls, centre)


def _outcome(calls: Calls, c: _CallCentre) -> Outcome:
    out = c.out
    arrival = np.asarray(c.arrival, dtype=float)
    # the clock accumulates timeouts, so "answered on arrival" can read 1e-11 s early
    out.answered_at = np.maximum(np.asarray(c.answered_at, dtype=float), arrival)
    out.agent = np.asarray(c.agent_of, dtype=np.int64)
    out.fate = np.asarray(c.fate, dtype=np.int64)
    out.ended_at = np.asarray(c.ended_at, dtype=float)
    out.agent2 = np.asarray(c.agent2, dtype=np.int64)
    out.answered2_at = np.asarray(c.answered2_at, dtype=float)
    out.consult_wait = np.asarray(c.consult_wait, dtype=float)
    out.first_handle = np.asarray(c.first_handle, dtype=float)
    out.second_handle = np.asarray(c.second_handle, dtype=float)
    out.cb_accepted_at = np.asarray(c.cb_accepted_at, dtype=float)
    out.cb_first_attempt = np.asarray(c.cb_first_attempt, dtype=float)
    out.cb_attempts = np.asarray(c.cb_attempts, dtype=np.int64)
    out.logged_case = np.asarray(c.logged_case, dtype=bool)
    out.extra = {name: getattr(c, name) for name in ("arrival", "patience", "closes_at", "customer", "source", "attempt", "cb_flag", "cb_offered")}
    _check_no_stranded(out, np.asarray(c.patience, dtype=float), np.asarray(c.cb_flag, dtype=bool))
    return out


def _check_no_stranded(out: Outcome, patience: np.ndarray, callback: np.ndarray) -> None:
    """Every caller left without an answer must have run out of patience (or be a callback
    still pending when the run ends)."""
    stranded = np.isnan(out.answered_at) & ~np.isfinite(patience) & (out.fate == DERIVE) & ~callback
    if stranded.any():
        raise RuntimeError(
            f"{int(stranded.sum())} callers with infinite patience were never answered: "
            "no agent was on duty to serve them"
        )

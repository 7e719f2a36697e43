"""The SimPy model of one replication: arrivals, staffing, agents; :func:`run`.

Design for speed: one process feeds arrivals, one process per agent group follows its
staffing schedule, and each agent is a process that *pulls* the next entry from its group's
queue (:mod:`sim.model.queue`). An arriving call goes straight to the agent who has been idle
longest; otherwise it joins the queue. The rooms of the model: the per-call state
(:mod:`~sim.model.callstate`), the queue, callbacks, transfers and repeat contacts each
have their own module; :class:`CallCentre` puts them together.

At closing the schedule's target drops to zero, but agents on duty keep taking callers until
the queue is empty (Kontakta: the existing queue is served); pending callbacks are either
made then (``callbacks.pending_at_close: serve``) or carried to the next opening. An agent
whose shift ends mid-call finishes that call first.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from sim.model.callstate import Fate, Outcome
from sim.model.cases import CasePlan, CaseWork
from sim.model.queue import BLIND, CALL, CASE, CONSULT, DONE, Entry, Group
from sim.model.repeats import Repeats
from sim.model.rules import Features
from sim.world.demand import Calls
from sim.world.distributions import Distribution
from sim.world.staffing import Schedule


class CallCentre(Repeats):
    """State of one replication (no module globals; one instance per run)."""

    def __init__(self, env: simpy.Environment, calls: Calls, schedules: list[Schedule], f: Features,
                 opens: np.ndarray, closes: np.ndarray, repeat_rng: np.random.Generator | None,
                 repeat_delay: Distribution | None) -> None:
        self.env = env
        self.f = f
        self.init_calls(calls, f)
        offsets = np.concatenate([[0], np.cumsum([max(s.max_agents, 1) for s in schedules])])
        self.groups = [Group(g, int(offsets[g]), s) for g, s in enumerate(schedules)]
        self.seq = 0
        self.nxt = 0
        self.armed = False  # stream mode: an arrival wake-up is scheduled
        self.groups[0].stream = not (f.callbacks or f.repeats or f.balk_share)
        self.groups[0].counted = f.callbacks and not f.cb_after_wait
        self.live, self.expiry = 0, []
        self.consult_ev = {}
        self.opens_arr, self.closes_arr = opens, closes
        self.repeat_rng, self.repeat_delay = repeat_rng, repeat_delay
        self.present_log: tuple[list[int], list[int], list[float], list[float]] = ([], [], [], [])
        self.busy_log = ([], [], [])
        self.casework: CaseWork | None = None  # case backlog (sim.model.cases), when cases are on

    # -- processes -----------------------------------------------------------------------

    def arrivals(self) -> Generator[simpy.Event, None, None]:
        """Every call's arrival is an event (callbacks and repeat contacts act on it)."""
        env = self.env
        for i, t in enumerate(self.arrival[: self.n0]):
            if t > env.now:
                yield env.timeout(t - env.now)
            self.offer(i)

    def arm_arrivals(self) -> None:
        """Stream mode: with an agent idle, wake up at the next arrival (once)."""
        if self.armed or self.nxt >= self.n0:
            return
        self.armed = True
        ev = simpy.Event(self.env)
        ev._ok = True
        ev.callbacks.append(self.arrived)
        self.env.schedule(ev, delay=max(self.arrival[self.nxt] - self.env.now, 0.0))

    def arrived(self, _event: simpy.Event) -> None:
        """Stream mode: calls arrived by now go to the idle agents, longest idle first."""
        self.armed = False
        g = self.groups[0]
        while g.idle:
            e = self.next_arrived()
            if e is None:
                break
            i = e[3]
            k, ev = g.idle.popleft()
            if self.f.transfer and self.transfer_to[i] >= 0:
                ev.succeed(e)
            else:
                self.start_call(g, k, ev, i)
        if g.idle:
            self.arm_arrivals()

    def offer(self, i: int, _event: simpy.Event | None = None) -> None:
        """A call arrives at the first line: it may balk, be offered a callback, or queue;
        a repeater is watched for hanging up."""
        f, g = self.f, self.groups[0]
        if f.balk_share and not g.idle and self.balk_u[i] < f.balk_share:
            self.balk(i)
        else:
            if f.callbacks:
                self.offer_callback(g, i)
            self.push(g, self.arrival[i], CALL, i)
        if f.repeats:  # after the push: an idle agent's answer comes before a deadline at +0 s
            self.watch_for_repeat(i)

    def balk(self, i: int) -> None:
        """The caller finds no free agent and hangs up at once: abandoned with zero patience."""
        self.balked[i] = True
        self.patience[i] = 0.0
        self.deadline[i] = float("-inf")

    def staffing(self, g: Group) -> Generator[simpy.Event, None, None]:
        env, sch = self.env, g.schedule
        for t, n, is_open in zip(sch.times.tolist(), sch.counts.tolist(), sch.open_.tolist(), strict=True):
            if t > env.now:
                yield env.timeout(t - env.now)
            g.closed = not is_open
            g.target = n
            for k in range(n):
                if not g.present[k]:
                    g.present[k] = True
                    env.process(self.agent_shift(g, k))
            self.release_idle(g)
            if is_open and g.carried:
                carried, g.carried = g.carried, []
                for e in carried:
                    self.push(g, e[0], e[2], e[3])

    def release_idle(self, g: Group) -> None:
        """Idle agents above the target go home now -- except after closing while callback
        retries are pending and the policy is to serve them: then they wait for the last one."""
        if g.closed and g.pending and not self.f.cb_next_opening:
            return
        if not any(k >= g.target for k, _ in g.idle):
            return
        staying = [(k, ev) for k, ev in g.idle if k < g.target]
        for k, ev in g.idle:
            if k >= g.target:
                ev.succeed(None)
        g.idle.clear()  # mutate in place: other processes hold a reference
        g.idle.extend(staying)

    def agent_shift(self, g: Group, k: int) -> Generator[simpy.Event, Entry | None, None]:
        """Agent ``k`` of group ``g`` from coming on duty until going home."""
        env, f = self.env, self.f
        start, gk = env.now, g.offset + k
        while True:
            e = self.next_entry(g)
            if e is None and self.casework is not None and k < g.target:
                e = self.casework.take(g)  # no caller waiting: a case, if the reserve allows
            if e is None:
                if k >= g.target and not (g.closed and g.pending and not f.cb_next_opening):
                    break
                ev = env.event()
                g.idle.append((k, ev))
                if g.stream:
                    self.arm_arrivals()
                e = yield ev
                if e is None:
                    break
                if e is DONE:  # handed a plain call, now finished (Queues.start_call)
                    if k >= g.target and not g.closed:
                        break
                    continue
            kind, i = e[2], e[3]
            if kind == CALL:
                self.answered_at[i] = env.now
                self.agent[i] = gk
                if f.transfer and self.transfer_to[i] >= 0:
                    yield from self.transfer(gk, i)
                else:
                    yield env.timeout(self.handle[i])
            elif kind == CASE:
                yield from self.casework.work(g, gk, i, self.log_busy)  # type: ignore[union-attr]
            elif kind == CONSULT:
                yield from self.take_consult(gk, i)
            elif kind == BLIND:
                yield from self.take_blind(gk, i)
            else:  # CALLBACK: a callback to make (first attempt or retry)
                yield from self.callback_attempt(g, gk, i)
            if k >= g.target and not g.closed:
                break  # shift over: the call in hand is finished, the queue is left to others
        g.present[k] = False
        agent, group, t0, t1 = self.present_log
        agent.append(gk)
        group.append(g.gid)
        t0.append(start)
        t1.append(env.now)


def run(calls: Calls, schedules: list[Schedule], features: Features | None = None,
        opens: np.ndarray | None = None, closes: np.ndarray | None = None,
        repeat_rng: np.random.Generator | None = None, repeat_delay: Distribution | None = None,
        cases: CasePlan | None = None) -> Outcome:
    """Simulate until every call has ended and every agent has gone home. With ``cases``, the
    last schedule is the dedicated case team's when ``cases.team`` is set; the case state is
    returned as ``outcome.casework``."""
    env = simpy.Environment()
    f = features or Features()
    empty = np.empty(0)
    centre = CallCentre(env, calls, schedules, f, opens if opens is not None else empty,
                        closes if closes is not None else empty, repeat_rng, repeat_delay)
    if not centre.groups[0].stream:
        env.process(centre.arrivals())
    if cases is not None:
        centre.casework = CaseWork(env, cases, len(calls), centre.groups[0], centre.groups[-1] if cases.team is not None else None)
        env.process(centre.casework.feed())
        env.process(centre.casework.openings())
    for g in centre.groups:
        env.process(centre.staffing(g))
    env.run()
    return outcome(centre)


def outcome(c: CallCentre) -> Outcome:
    """The exported per-call arrays and the agent logs of a finished run."""
    arrays = c.exported()
    # the clock accumulates timeouts, so "answered on arrival" can read 1e-11 s early
    arrays["answered_at"] = np.maximum(arrays["answered_at"], arrays["arrival"])
    out = Outcome(arrays, c.present_log, c.busy_log)
    out.casework = c.casework
    _check_no_stranded(out)
    return out


def _check_no_stranded(out: Outcome) -> None:
    """Every caller left without an answer must have run out of patience (or be a callback
    still pending when the run ends)."""
    stranded = np.isnan(out.answered_at) & ~np.isfinite(out.patience) & (out.fate == Fate.DERIVE) & ~out.cb_flag
    if stranded.any():
        raise RuntimeError(
            f"{int(stranded.sum())} callers with infinite patience were never answered: "
            "no agent was on duty to serve them"
        )

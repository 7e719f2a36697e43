"""The SimPy model of one replication: arrivals, staffing, agents; :func:`run`.

Design for speed: one chain of events feeds arrivals, one process per agent group follows its
staffing schedule, and each agent is a process that *pulls* the next entry from its group's
queue (:mod:`sim.model.queue`). An arriving call goes straight to the agent who has been idle
longest; otherwise it joins the queue. :class:`CallCentre` owns the per-call state
(:mod:`~sim.model.callstate`) and the queues (:mod:`~sim.model.queue`), and one object per
optional part that the scenario turns on: callbacks, transfers, repeat contacts, case work
(the protocols between them: :mod:`~sim.model.parts`). An agent answers a plain call itself
(:meth:`CallCentre.start_call`, one event per call) and hands any other entry to the part that
owns its kind (a table, :attr:`CallCentre.work`).

At closing the schedule's target drops to zero, but agents on duty keep taking callers until
the queue is empty (Kontakta: the existing queue is served); pending callbacks are either
made then (``callbacks.pending_at_close: serve``) or carried to the next opening. An agent
whose shift ends mid-call finishes that call first.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from functools import partial

import numpy as np
import simpy

from sim.model.callbacks import Callbacks
from sim.model.callstate import CallState, Fate, Outcome
from sim.model.cases import CasePlan, CaseWork
from sim.model.nextcontact import NextContact
from sim.model.parts import CallbackPart, CasePart, RepeatPart, ResolutionPart, TransferPart, Work
from sim.model.queue import BLIND, CALL, CALLBACK, CASE, CONSULT, DONE, Entry, Group, Queues
from sim.model.repeats import Repeats
from sim.model.resolution import Resolution
from sim.model.rules import Rules
from sim.model.transfers import Transfers
from sim.world.demand import Calls
from sim.world.distributions import Distribution
from sim.world.staffing import Schedule


class CallCentre:
    """State of one replication (no module globals; one instance per run): the per-call
    state, the groups and their queues, and the parts the rules turn on."""

    def __init__(self, env: simpy.Environment, calls: Calls, schedules: list[Schedule], rules: Rules,
                 opens: np.ndarray, closes: np.ndarray, repeat_rng: np.random.Generator | None,
                 repeat_delay: Distribution | None, resolution: tuple[np.random.Generator, Distribution] | None = None) -> None:
        self.env = env
        self.rules = rules
        self.calls = CallState(calls, rules)
        offsets = np.concatenate([[0], np.cumsum([max(s.max_agents, 1) for s in schedules])])
        self.groups = [Group(g, int(offsets[g]), s) for g, s in enumerate(schedules)]
        self.queues = Queues(env, self.calls, self.groups, self.start_call)
        self.armed = False  # stream mode: an arrival wake-up is scheduled
        self.next_arrival = 0  # event mode: the next pre-drawn call to arrive (arrivals)
        self.present_log: tuple[list[int], list[int], list[float], list[float]] = ([], [], [], [])
        self.busy_log: tuple[list[int], list[float], list[float]] = ([], [], [])
        self.callbacks: CallbackPart | None = None
        self.transfers: TransferPart | None = None
        self.repeats: RepeatPart | None = None
        self.resolution: ResolutionPart | None = None
        self.casework: CasePart | None = None  # case backlog (sim.model.cases), set by run() when cases are on
        self.handled: Callable[[int, float], None] | None = None
        """The answered/handled hook: ``handled(i, ended)`` once per call an agent handles to its
        end (a plain call or callback when answered, a transferred call when the target group
        has finished it), with the time its handling ends; the failure-demand part listens."""
        c = self.calls
        self.work: dict[int, Work] = {CALL: self.take_call}
        """What an agent does with an entry, by its :class:`~sim.model.queue.Kind`."""
        if rules.callbacks is not None:
            self.callbacks = self.queues.callbacks = cb = Callbacks(self, rules.callbacks)
            self.work[CALLBACK] = cb.attempt
        if rules.transfers is not None:
            self.transfers = tr = Transfers(self, rules.transfers)
            self.work[CONSULT], self.work[BLIND] = tr.take_consult, tr.take_blind
        nxt = NextContact(self, rules.contact, opens, closes)  # a customer's next call (repeats, failure demand)
        if rules.repeats is not None:
            assert repeat_rng is not None and repeat_delay is not None, "repeat contacts need their stream and delay"
            self.repeats = Repeats(self, rules.repeats, repeat_rng, repeat_delay, nxt)
        if rules.resolution is not None:
            assert resolution is not None, "failure demand needs its stream and delay (in working days)"
            self.resolution = res = Resolution(self, rules.resolution, *resolution, nxt, opens, closes)
            self.handled = res.settle
        self.serve_pending = self.callbacks is not None and self.callbacks.serve_pending
        self.groups[0].stream = not (self.callbacks or self.repeats or self.resolution or rules.balk_share)
        self.groups[0].counted = rules.callbacks is not None and not rules.callbacks.after_wait
        self.arrival, self.answered_at, self.agent, self.handle = c.arrival, c.answered_at, c.agent, c.handle
        self.transfer_to, self.balk_u = c.transfer_to, c.balk_u
        self.env_schedule = env.schedule  # bound once: start_call runs per call

    def add_casework(self, casework: CaseWork) -> None:
        """Turn case work on: agents take cases from its backlog."""
        self.casework = casework
        self.work[CASE] = partial(casework.work, log_busy=self.log_busy)

    # -- processes -----------------------------------------------------------------------

    def arrivals(self, _event: simpy.Event | None = None) -> None:
        """Every call's arrival is an event (callbacks and repeat contacts act on it): a chain
        of plain events, not a process (cheaper per call): each offers the calls arrived by now
        and schedules the next arrival."""
        i, n, arrival, now = self.next_arrival, self.calls.n0, self.arrival, self.env.now
        while i < n and arrival[i] <= now:
            self.offer(i)
            i += 1
        self.next_arrival = i
        if i < n:
            ev = simpy.Event(self.env)
            ev._ok = True
            ev._value = None
            ev.callbacks.append(self.arrivals)
            self.env_schedule(ev, delay=arrival[i] - now)

    def arm_arrivals(self) -> None:
        """Stream mode: with an agent idle, wake up at the next arrival (once)."""
        q = self.queues
        if self.armed or q.nxt >= q.n0:
            return
        self.armed = True
        ev = simpy.Event(self.env)
        ev._ok = True
        ev.callbacks.append(self.arrived)
        self.env.schedule(ev, delay=max(self.arrival[q.nxt] - self.env.now, 0.0))

    def arrived(self, _event: simpy.Event) -> None:
        """Stream mode: calls arrived by now go to the idle agents, longest idle first."""
        self.armed = False
        g, q = self.groups[0], self.queues
        while g.idle:
            e = q.next_arrived()
            if e is None:
                break
            i = e[3]
            k, ev = g.idle.popleft()
            if self.transfer_to[i] >= 0:
                ev.succeed(e)
            else:
                self.start_call(g, k, ev, i)
        if g.idle:
            self.arm_arrivals()

    def offer(self, i: int, _event: simpy.Event | None = None) -> None:
        """A call arrives at the first line: it may balk, be offered a callback, or queue;
        a repeater is watched for hanging up."""
        g, share = self.groups[0], self.rules.balk_share
        if share and not g.idle and self.balk_u[i] < share:
            self.balk(i)
        else:
            if self.callbacks is not None:
                self.callbacks.offer(g, i)
            self.queues.push(g, self.arrival[i], CALL, i)
        if self.repeats is not None:  # after the push: an idle agent's answer comes before a deadline at +0 s
            self.repeats.watch(i)

    def balk(self, i: int) -> None:
        """The caller finds no free agent and hangs up at once: abandoned with zero patience."""
        c = self.calls
        c.balked[i] = True
        c.patience[i] = 0.0
        c.deadline[i] = float("-inf")

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
                for position, _seq, kind, i in carried:
                    self.queues.push(g, position, kind, i)

    def release_idle(self, g: Group) -> None:
        """Idle agents above the target go home now -- except after closing while callback
        retries are pending and the policy is to serve them: then they wait for the last one."""
        if g.closed and g.pending and self.serve_pending:
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
        env, work, next_entry, cases = self.env, self.work, self.queues.next_entry, self.casework
        start_call, transfer_to, event = self.start_call, self.transfer_to, env.event
        start, gk = env.now, g.offset + k
        while True:
            e = next_entry(g)
            if e is None and cases is not None and k < g.target:
                e = cases.take(g)  # no caller waiting: a case, if the reserve allows
            if e is None:
                if k >= g.target and not (g.closed and g.pending and self.serve_pending):
                    break
                ev = env.event()
                g.idle.append((k, ev))
                if g.stream:
                    self.arm_arrivals()
                e = yield ev
                if e is None:
                    break
                if e is DONE:  # handed a plain call, now finished (start_call)
                    if k >= g.target and not g.closed:
                        break
                    continue
            _position, _seq, kind, i = e
            if kind == CALL and transfer_to[i] < 0:  # a plain call: answered as on the idle agent's fast path
                ev = event()
                start_call(g, k, ev, i)
                yield ev
            else:
                yield from work[kind](g, gk, i)
            if k >= g.target and not g.closed:
                break  # shift over: the call in hand is finished, the queue is left to others
        g.present[k] = False
        agent, group, t0, t1 = self.present_log
        agent.append(gk)
        group.append(g.gid)
        t0.append(start)
        t1.append(env.now)

    def start_call(self, g: Group, k: int, ev: simpy.Event, i: int) -> None:
        """Agent ``k`` of ``g`` answers plain call ``i`` now -- the one place a call without a
        transfer is answered (an idle agent handed it, an agent who took it from the queue, an
        answered callback): the agent's event ``ev`` fires at the end of the call with the value
        DONE, so the call costs one event (what ``Event.succeed`` does, with a delay)."""
        now, d = self.env.now, self.handle[i]
        self.answered_at[i] = now
        self.agent[i] = g.offset + k
        if self.handled is not None:
            self.handled(i, now + d)
        ev._ok = True
        ev._value = DONE
        self.env_schedule(ev, delay=d)

    def take_call(self, g: Group, gk: int, i: int) -> Generator[simpy.Event, object, None]:
        """An agent answers a caller of a case type with a transfer (:meth:`agent_shift` answers
        a plain call itself, by :meth:`start_call`): the transfer part takes it from here."""
        self.answered_at[i] = self.env.now
        self.agent[i] = gk
        assert self.transfers is not None, "only a transfer case reaches take_call"
        yield from self.transfers.transfer(gk, i)

    # -- services for the parts ------------------------------------------------------------

    def phone_case(self, i: int, source: int) -> None:
        """Call ``i`` ended as a case (``source``: 0 failed callback, 1 transfer fallback):
        with cases on it enters the backlog (:mod:`sim.model.cases`)."""
        if self.casework is not None:
            self.casework.from_phone(i, source)

    def log_busy(self, gk: int, t0: float) -> None:
        """Agent ``gk`` worked from ``t0`` until now (work the records cannot derive)."""
        agent, start, end = self.busy_log
        agent.append(gk)
        start.append(t0)
        end.append(self.env.now)


def run(calls: Calls, schedules: list[Schedule], rules: Rules | None = None,
        opens: np.ndarray | None = None, closes: np.ndarray | None = None,
        repeat_rng: np.random.Generator | None = None, repeat_delay: Distribution | None = None,
        cases: CasePlan | None = None, resolution: tuple[np.random.Generator, Distribution] | None = None) -> Outcome:
    """Simulate until every call has ended and every agent has gone home. With ``cases``, the
    last schedule is the dedicated case team's when ``cases.team`` is set; the case state is
    returned as ``outcome.casework``. ``resolution``: the failure-demand stream and the delay
    (in working days) when ``rules.resolution`` is set."""
    env = simpy.Environment()
    empty = np.empty(0)
    centre = CallCentre(env, calls, schedules, rules or Rules(), opens if opens is not None else empty,
                        closes if closes is not None else empty, repeat_rng, repeat_delay, resolution)
    if not centre.groups[0].stream:
        centre.arrivals()
    if cases is not None:
        casework = CaseWork(env, cases, len(calls), centre.groups[0], centre.groups[-1] if cases.team is not None else None)
        centre.add_casework(casework)
        env.process(casework.feed())
        env.process(casework.openings())
    for g in centre.groups:
        env.process(centre.staffing(g))
    env.run()
    return outcome(centre)


def outcome(c: CallCentre) -> Outcome:
    """The exported per-call arrays and the agent logs of a finished run."""
    arrays = c.calls.exported()
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

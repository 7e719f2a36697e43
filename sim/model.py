"""The SimPy model of one replication.

Design for speed: one process feeds arrivals, one process follows the staffing schedule, and
each agent is a process that *pulls* the next caller from a FIFO queue. Abandonment needs no
event: a caller whose patience ran out before an agent reached them is skipped when popped
(and recorded as abandoned at ``arrival + patience``), which gives exactly the same fates and
times as a timer per caller. An arriving call goes straight to the agent who has been idle
longest; otherwise it joins the queue.

At closing the schedule's target drops to zero, but agents on duty keep taking callers until
the queue is empty (Kontakta: the existing queue is served). An agent whose shift ends
mid-call finishes that call first.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.arrivals import Calls
from sim.staffing import Schedule

_LEAVE = -1


@dataclass
class Outcome:
    """What the model adds to the pre-drawn calls: who answered when, and agent presence."""

    answered_at: np.ndarray
    agent: np.ndarray
    present_start: list[float] = field(default_factory=list)
    present_end: list[float] = field(default_factory=list)


class _CallCentre:
    """State of one replication (no module globals; one instance per run)."""

    def __init__(self, env: simpy.Environment, calls: Calls, schedule: Schedule) -> None:
        self.env = env
        self.arrival = calls.arrival.tolist()
        self.deadline = (calls.arrival + calls.patience).tolist()
        self.handle = calls.handle.tolist()
        self.schedule = schedule
        self.queue: deque[int] = deque()
        self.idle: deque[tuple[int, simpy.Event]] = deque()
        self.present = [False] * max(schedule.max_agents, 1)
        self.target = 0
        self.closed = True
        n = len(self.arrival)
        self.answered_at = [float("nan")] * n
        self.agent_of = [-1] * n
        self.out = Outcome(np.empty(0), np.empty(0))

    # -- processes ---------------------------------------------------------------------

    def arrivals(self) -> Generator[simpy.Event, None, None]:
        env, idle, queue = self.env, self.idle, self.queue
        for i, t in enumerate(self.arrival):
            if t > env.now:
                yield env.timeout(t - env.now)
            if idle:
                idle.popleft()[1].succeed(i)
            else:
                queue.append(i)

    def staffing(self) -> Generator[simpy.Event, None, None]:
        env, sch = self.env, self.schedule
        for t, n, is_open in zip(sch.times.tolist(), sch.counts.tolist(), sch.open_.tolist(), strict=True):
            if t > env.now:
                yield env.timeout(t - env.now)
            self.closed = not is_open
            self.target = n
            for k in range(n):
                if not self.present[k]:
                    self.present[k] = True
                    env.process(self.agent(k))
            self._release_idle()

    def _release_idle(self) -> None:
        """Idle agents above the target go home now."""
        if not any(k >= self.target for k, _ in self.idle):
            return
        staying = [(k, ev) for k, ev in self.idle if k < self.target]
        for k, ev in self.idle:
            if k >= self.target:
                ev.succeed(_LEAVE)
        self.idle.clear()  # mutate in place: the arrivals process holds a reference
        self.idle.extend(staying)

    def _next_live(self) -> int:
        """Pop the first caller still waiting; callers whose patience ran out are skipped."""
        queue, deadline, now = self.queue, self.deadline, self.env.now
        while queue:
            i = queue.popleft()
            if deadline[i] >= now:
                return i
        return _LEAVE

    def agent(self, k: int) -> Generator[simpy.Event, int, None]:
        env = self.env
        start = env.now
        while True:
            i = self._next_live()
            if i == _LEAVE:
                if k >= self.target:
                    break
                ev = env.event()
                self.idle.append((k, ev))
                i = yield ev
                if i == _LEAVE:
                    break
            self.answered_at[i] = env.now
            self.agent_of[i] = k
            yield env.timeout(self.handle[i])
            if k >= self.target and not self.closed:
                break  # shift over: the call in hand is finished, the queue is left to others
        self.present[k] = False
        self.out.present_start.append(start)
        self.out.present_end.append(env.now)


def run(calls: Calls, schedule: Schedule) -> Outcome:
    """Simulate until every call has ended and every agent has gone home."""
    env = simpy.Environment()
    centre = _CallCentre(env, calls, schedule)
    env.process(centre.arrivals())
    env.process(centre.staffing())
    env.run()
    out = centre.out
    # the clock accumulates timeouts, so "answered on arrival" can read 1e-11 s early
    out.answered_at = np.maximum(np.asarray(centre.answered_at, dtype=float), calls.arrival)
    out.agent = np.asarray(centre.agent_of, dtype=np.int64)
    _check_no_stranded(calls, out)
    return out


def _check_no_stranded(calls: Calls, out: Outcome) -> None:
    """Every unanswered caller must have run out of patience (nobody is left in a queue)."""
    stranded = np.isnan(out.answered_at) & ~np.isfinite(calls.patience)
    if stranded.any():
        raise RuntimeError(
            f"{int(stranded.sum())} callers with infinite patience were never answered: "
            "no agent was on duty to serve them"
        )

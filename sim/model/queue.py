"""Agent groups and their queues.

A group's queue is a heap ordered by *queue position*: the caller's original arrival time.
Fresh callers therefore queue first come, first served; a caller who accepted a callback
keeps their entry (and place) while off the line, so callbacks and live callers are served in
queue-position order; a transferred caller enters the target group's queue with their
original position, ahead of anyone who arrived later (Kontakta: "Kund ska prioriteras
utifrån sin köplats i nummerordning"; "behålla sin prioritet och köplats").

Abandonment needs no event: a caller whose patience ran out before an agent reached them is
skipped when popped (and recorded as abandoned at ``arrival + patience``), which gives exactly
the same fates and times as a timer per caller. An entry pushed while an agent is idle goes
straight to the agent who has been idle longest; a plain call handed over that way costs one
event only: the agent's wake-up is scheduled at the end of the call (:meth:`sim.model.engine.CallCentre.start_call`).

When nothing happens on a call's arrival but joining the queue (no callbacks, no repeat
contacts), the first line's queue is the arrival list itself (``Group.stream``): the calls
arrived by now after a pointer ``nxt`` are the queue, in arrival order, and an arrival costs an
event only when an agent is idle to take it (:mod:`sim.model.engine`).
"""

from __future__ import annotations

import heapq
from collections import deque
from enum import IntEnum
from typing import TYPE_CHECKING

import simpy

from sim.model.callstate import CallState, Consult
from sim.world.staffing import Schedule

if TYPE_CHECKING:
    from collections.abc import Callable

    from sim.model.parts import CallbackPart


class Kind(IntEnum):
    """What an entry in a group's queue (or an agent's hand) asks of the agent."""

    CALL = 0  # a caller on the line (or, by now, a callback: Callbacks.is_callback)
    CONSULT = 1  # a colleague's warm-transfer consultation
    BLIND = 2  # a blind-transferred customer
    CALLBACK = 3  # a callback to make (first attempt or retry)
    CASE = 4  # a case from the backlog (sim.model.cases; never queued, handed to the agent)


CALL, CONSULT, BLIND, CALLBACK, CASE = Kind  # module names: a global look-up is faster than Kind.CALL in the loops
Entry = tuple[float, int, int, int]  # (queue position, sequence number, Kind, call or case index)
WAITING = Consult.WAITING
DONE: Entry = (0.0, 0, -1, -1)  # an agent's wake-up value: the call handed over is finished


class Group:
    """One agent group: its queue (a heap by queue position), idle agents, staffing state."""

    __slots__ = ("gid", "offset", "schedule", "queue", "idle", "present", "target", "closed", "carried", "pending", "stream",
                 "counted")

    def __init__(self, gid: int, offset: int, schedule: Schedule) -> None:
        self.gid = gid
        self.offset = offset  # global id of the group's agent 0
        self.schedule = schedule
        self.queue: list[Entry] = []
        self.idle: deque[tuple[int, simpy.Event]] = deque()
        self.present = [False] * max(schedule.max_agents, 1)
        self.target = 0
        self.closed = True
        self.carried: list[Entry] = []  # callbacks held for the next opening
        self.pending = 0  # callback retries scheduled but not yet due
        self.stream = False  # the queue is the arrival list after Queues.nxt (first line only)
        self.counted = False  # live entries are counted (Queues.ahead: on-arrival callback offers)


class Queues:
    """The groups' queues: pushing an entry (or handing it to the agent idle longest) and
    popping the next entry that still needs an agent; the count of live entries behind the
    on-arrival callback estimate."""

    def __init__(self, env: simpy.Environment, calls: CallState, groups: list[Group],
                 start_call: Callable[[Group, int, simpy.Event, int], None]) -> None:
        self.env, self.groups = env, groups
        self.start_call = start_call  # the centre's: idle agent k of g answers plain call i, wake-up at its end
        self.seq = 0
        self.n0 = calls.n0
        self.nxt = 0  # stream mode: first call of the arrival list not yet taken or skipped
        self.live = 0  # entries of the counted queue still needing an agent (Queues.ahead)
        self.expiry: list[tuple[float, int]] = []  # deadlines of the counted queue's live callers
        self.callbacks: CallbackPart | None = None  # set by the centre when callbacks are on
        # the per-call lists the queue reads (the same list objects as the centre's)
        self.arrival, self.deadline, self.blind_deadline = calls.arrival, calls.deadline, calls.blind_deadline
        self.transfer_to, self.queued, self.cb_flag = calls.transfer_to, calls.queued, calls.cb_flag
        self.consult_state = calls.consult_state

    def push(self, g: Group, position: float, kind: int, i: int) -> None:
        self.seq += 1
        if g.idle:
            k, ev = g.idle.popleft()
            if kind == CALL and self.transfer_to[i] < 0:
                self.start_call(g, k, ev, i)
            else:
                ev.succeed((position, self.seq, kind, i))
        else:
            heapq.heappush(g.queue, (position, self.seq, kind, i))
            if g.counted:
                self.live += 1
                self.queued[i] = True
                if kind == CALL and not self.cb_flag[i] and self.deadline[i] < float("inf"):
                    heapq.heappush(self.expiry, (self.deadline[i], i))

    def next_arrived(self) -> Entry | None:
        """Stream mode: the first call that has arrived by now and is still waiting."""
        i, n, now = self.nxt, self.n0, self.env.now
        arrival, deadline = self.arrival, self.deadline
        while i < n and arrival[i] <= now:
            if deadline[i] >= now:
                self.nxt = i + 1
                return (arrival[i], i, CALL, i)
            i += 1
        self.nxt = i
        return None

    def next_entry(self, g: Group) -> Entry | None:
        """Pop the first entry that still needs an agent; expired callers are skipped, a
        caller who is by now a callback is handed over as one (or carried to the next opening:
        the callback part decides)."""
        if g.stream:
            return self.next_arrived()
        queue, now, cb = g.queue, self.env.now, self.callbacks
        while queue:
            e = heapq.heappop(queue)
            _position, _seq, kind, i = e
            if g.counted and self.queued[i]:
                self.queued[i] = False
                self.live -= 1
            if kind == CALL:
                if cb is not None and cb.is_callback(i, now):  # from now on it is a callback to make
                    e = (e[0], e[1], CALLBACK, i)
                    if not cb.carry(g, e):
                        return e
                elif self.deadline[i] >= now:
                    return e
            elif kind == CALLBACK:
                if not cb.carry(g, e):  # type: ignore[union-attr]  # only the callback part queues callbacks
                    return e
            elif kind == CONSULT:
                if self.consult_state[i] == WAITING:
                    return e
            elif self.blind_deadline[i] >= now:  # BLIND
                return e
        return None

    def ahead(self, g: Group) -> int:
        """Entries in the (counted) queue still needing an agent: a live count, less the
        callers whose patience has run out by now (a heap of their deadlines): O(log n)."""
        expiry, now = self.expiry, self.env.now
        while expiry and expiry[0][0] < now:
            i = heapq.heappop(expiry)[1]
            if self.queued[i]:  # hung up while still queued
                self.queued[i] = False
                self.live -= 1
        return self.live

    def ahead_by_scan(self, g: Group) -> int:
        """The same count by scanning the queue (O(n); kept to test :meth:`ahead`)."""
        now = self.env.now
        return sum(1 for _, _, kind, i in g.queue if kind != CALL or self.cb_flag[i] or self.deadline[i] >= now)

"""Transfers to another agent group (warm with fallback, or blind).

``warm``: after ``first_talk`` the first agent phones a colleague in the target group, whose
queue the consultation enters at the customer's original queue position, while the customer
holds; when a colleague answers, both talk for ``handover``, then the first agent wraps up.
No colleague within ``consult_limit_s`` (or a customer who prefers it) -> a case for a later
callback (``transfer_fallback_case``). ``blind``: the customer enters the target queue at the
original position with a new patience and the first agent is released after wrapping up.
"""

from __future__ import annotations

from collections.abc import Generator

import simpy

from sim.model.callbacks import Callbacks
from sim.model.callstate import Consult, Fate
from sim.model.queue import BLIND, CONSULT
from sim.model.rules import TransferPolicy


class Transfers(Callbacks):
    """Both agents' sides of a transfer."""

    consult_ev: dict[int, simpy.Event]

    def transfer(self, gk: int, i: int) -> Generator[simpy.Event, object, None]:
        """The first agent's side of a transfer (warm with fallback, or blind)."""
        env, f = self.env, self.f
        t0 = env.now
        target = self.groups[self.transfer_to[i]]
        yield env.timeout(self.first_talk[i])
        if f.transfer == TransferPolicy.BLIND:  # blind: into the target queue at the original position
            self.deadline2[i] = env.now + self.blind_patience[i]
            self.fate[i] = Fate.TRANSFER_ABANDONED  # until an agent there takes the call
            self.push(target, self.arrival[i], BLIND, i)
            yield env.timeout(self.first_wrap[i])
        elif self.prefer_cb[i]:
            self.fallback(i)
            yield env.timeout(self.first_wrap[i])
        else:
            ev = env.event()
            self.consult_ev[i] = ev
            self.consult_state[i] = Consult.WAITING
            asked = env.now
            self.push(target, self.arrival[i], CONSULT, i)
            yield ev | env.timeout(f.consult_limit_s)
            self.consult_wait[i] = env.now - asked
            if ev.triggered:
                yield env.timeout(self.handover[i] + self.first_wrap[i])
                self.fate[i] = Fate.TRANSFERRED_WARM
            else:
                self.consult_state[i] = Consult.GAVE_UP
                self.fallback(i)
                yield env.timeout(self.first_wrap[i])
        self.first_handle[i] = env.now - t0
        self.log_busy(gk, t0)

    def fallback(self, i: int) -> None:
        """No transfer after all: a case is logged for a later callback."""
        self.fate[i] = Fate.TRANSFER_FALLBACK_CASE
        self.ended_at[i] = self.env.now
        self.logged_case[i] = True
        self.phone_case(i, 1)

    def take_consult(self, gk: int, i: int) -> Generator[simpy.Event, object, None]:
        """A colleague answers the consultation, takes the hand-over, then the customer."""
        env = self.env
        self.consult_state[i] = Consult.TAKEN
        self.consult_ev.pop(i).succeed()
        t0 = env.now
        self.agent2[i], self.answered2_at[i] = gk, t0
        yield env.timeout(self.handover[i] + self.handle[i])
        self.second_handle[i] = env.now - t0
        self.ended_at[i] = env.now
        self.log_busy(gk, t0)

    def take_blind(self, gk: int, i: int) -> Generator[simpy.Event, object, None]:
        """An agent of the target group takes a blind-transferred customer."""
        env = self.env
        t0 = env.now
        self.agent2[i], self.answered2_at[i] = gk, t0
        self.fate[i] = Fate.TRANSFERRED_BLIND
        yield env.timeout(self.handle[i])
        self.second_handle[i] = env.now - t0
        self.ended_at[i] = env.now
        self.log_busy(gk, t0)

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
from dataclasses import dataclass
from enum import IntEnum

import simpy

from sim.model.callstate import CallState, Consult, Fate
from sim.model.parts import Centre
from sim.model.queue import BLIND, CONSULT, Group
from sim.schema import TransferConfig


class TransferPolicy(IntEnum):
    """``transfers.policy``."""

    OFF = 0
    WARM = 1
    BLIND = 2


@dataclass(frozen=True)
class TransferRules:
    """``transfers.*`` (policy warm or blind)."""

    policy: TransferPolicy = TransferPolicy.WARM
    to: tuple[int, ...] = ()  # target group per case type (-1: none)
    consult_limit_s: float = 0.0

    @classmethod
    def from_config(cls, tr: TransferConfig, groups: tuple[str, ...]) -> TransferRules | None:
        """The rules of ``transfers.*``; None when the policy is off."""
        policy = TransferPolicy[tr.policy.upper()]
        if policy == TransferPolicy.OFF:
            return None
        return cls(policy, tuple(groups.index(c.transfer_to) if c.transfer_to else -1 for c in tr.case_types.values()),
                   tr.consult_limit_s)


class Transfers:
    """Both agents' sides of a transfer: the transfer part of a call centre."""

    def __init__(self, centre: Centre, rules: TransferRules) -> None:
        self.centre, self.rules, self.env = centre, rules, centre.env
        self.calls: CallState = centre.calls
        self.blind = rules.policy == TransferPolicy.BLIND
        self.consult_ev: dict[int, simpy.Event] = {}

    def transfer(self, gk: int, i: int) -> Generator[simpy.Event, object, None]:
        """The first agent's side of a transfer (warm with fallback, or blind)."""
        env, c, centre = self.env, self.calls, self.centre
        t0 = env.now
        target = centre.groups[c.transfer_to[i]]
        yield env.timeout(c.first_talk[i])
        if self.blind:  # into the target queue at the original position
            c.blind_deadline[i] = env.now + c.blind_patience[i]
            c.fate[i] = Fate.TRANSFER_ABANDONED  # until an agent there takes the call
            centre.queues.push(target, c.arrival[i], BLIND, i)
            yield env.timeout(c.first_wrap[i])
        elif c.prefer_cb[i]:
            self.fallback(i)
            yield env.timeout(c.first_wrap[i])
        else:
            ev = env.event()
            self.consult_ev[i] = ev
            c.consult_state[i] = Consult.WAITING
            asked = env.now
            centre.queues.push(target, c.arrival[i], CONSULT, i)
            yield ev | env.timeout(self.rules.consult_limit_s)
            c.consult_wait[i] = env.now - asked
            if ev.triggered:
                yield env.timeout(c.handover[i] + c.first_wrap[i])
                c.fate[i] = Fate.TRANSFERRED_WARM
            else:
                c.consult_state[i] = Consult.GAVE_UP
                self.fallback(i)
                yield env.timeout(c.first_wrap[i])
        c.first_handle[i] = env.now - t0
        centre.log_busy(gk, t0)

    def fallback(self, i: int) -> None:
        """No transfer after all: a case is logged for a later callback."""
        c = self.calls
        c.fate[i] = Fate.TRANSFER_FALLBACK_CASE
        c.ended_at[i] = self.env.now
        c.logged_case[i] = True
        self.centre.phone_case(i, 1)

    def take_consult(self, g: Group, gk: int, i: int) -> Generator[simpy.Event, object, None]:
        """A colleague answers the consultation, takes the hand-over, then the customer."""
        env, c = self.env, self.calls
        c.consult_state[i] = Consult.TAKEN
        self.consult_ev.pop(i).succeed()
        t0 = env.now
        c.agent2[i], c.answered2_at[i] = gk, t0
        yield env.timeout(c.handover[i] + c.handle[i])
        self.finished(gk, i, t0)

    def take_blind(self, g: Group, gk: int, i: int) -> Generator[simpy.Event, object, None]:
        """An agent of the target group takes a blind-transferred customer."""
        env, c = self.env, self.calls
        t0 = env.now
        c.agent2[i], c.answered2_at[i] = gk, t0
        c.fate[i] = Fate.TRANSFERRED_BLIND
        yield env.timeout(c.handle[i])
        self.finished(gk, i, t0)

    def finished(self, gk: int, i: int, t0: float) -> None:
        """Agent ``gk`` of the target group, who took call ``i`` at ``t0``, has finished it."""
        c, centre, now = self.calls, self.centre, self.env.now
        c.second_handle[i] = now - t0
        c.ended_at[i] = now
        centre.log_busy(gk, t0)
        if centre.handled is not None:
            centre.handled(i, now)

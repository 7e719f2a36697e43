"""Callbacks (virtual queue): a queued caller hangs up and keeps their place.

``on_arrival``: a caller who finds no idle agent and an estimated wait above the threshold
is offered a callback; ``after_wait``: a caller still waiting at the threshold is. One who
accepts keeps their queue entry; when an agent reaches it, the agent dials. An answered
callback (after ``ring_s``) is handled like a call; an unanswered attempt costs the agent
``failed_attempt_s`` in all (ringing until giving up, a note), and is retried ``retry_gap_s`` later
(at the original queue position) until ``max_attempts``, then becomes a case. Pending
retries at closing are made then (``pending_at_close: serve``: agents wait for them) or
carried to the next opening.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import simpy

from sim.model.callstate import CallState, Fate
from sim.model.parts import Centre
from sim.model.queue import CALLBACK, Entry, Group
from sim.schema import Scenario


@dataclass(frozen=True)
class CallbackRules:
    """``callbacks.*`` (on): when a callback is offered and how it is made."""

    after_wait: bool = False  # trigger after_wait (else on_arrival)
    threshold_s: float = 0.0
    ring_s: float = 0.0
    answer_p: float = 1.0
    retry_gap_s: float = 0.0
    max_attempts: int = 1
    failed_s: float = 0.0
    next_opening: bool = False  # pending_at_close: next_opening (else serve)
    mean_handle_s: float = 300.0  # for the on-arrival wait estimate
    kpi_convention: str = "answered_when_made"
    promise_window_s: float = float("inf")

    @classmethod
    def from_scenario(cls, s: Scenario) -> CallbackRules | None:
        """The rules of ``callbacks.*``; None when off."""
        cb = s.callbacks
        if not cb.enabled:
            return None
        return cls(
            after_wait=cb.trigger == "after_wait", threshold_s=cb.threshold_s, ring_s=cb.ring_s,
            answer_p=cb.answer_probability, retry_gap_s=cb.retry_gap_s, max_attempts=cb.max_attempts,
            failed_s=cb.failed_attempt_s, next_opening=cb.pending_at_close == "next_opening",
            mean_handle_s=s.handling.mean_handle_s, kpi_convention=cb.kpi_convention, promise_window_s=cb.promise_window_s,
        )


class Callbacks:
    """Offering, making and retrying callbacks: the callback part of a call centre."""

    def __init__(self, centre: Centre, rules: CallbackRules) -> None:
        self.centre, self.rules, self.env = centre, rules, centre.env
        self.calls: CallState = centre.calls
        self.serve_pending = not rules.next_opening
        c = self.calls
        self.cb_flag, self.cb_accept, self.cb_accepted_at = c.cb_flag, c.cb_accept, c.cb_accepted_at
        self.arrival, self.patience = c.arrival, c.patience
        self.ahead = centre.queues.ahead  # the queue's live count (bound once: it is asked on every arrival)

    def is_callback(self, i: int, now: float) -> bool:
        """A queued entry that is (by now) a callback: the caller accepted and hung up."""
        if self.cb_flag[i]:
            return True
        r = self.rules
        if r.after_wait and self.cb_accept[i] and now - self.arrival[i] >= r.threshold_s and self.patience[i] >= r.threshold_s:
            self.cb_flag[i] = True
            self.cb_accepted_at[i] = self.arrival[i] + r.threshold_s
            return True
        return False

    def offer(self, g: Group, i: int) -> None:
        """On arrival: offer a callback when no agent is idle and the estimated wait is long."""
        r = self.rules
        if not r.after_wait and not g.idle and self.ewt(g) > r.threshold_s:
            self.calls.cb_offered[i] = True
            if self.cb_accept[i]:
                self.cb_flag[i] = True
                self.cb_accepted_at[i] = self.env.now

    def ewt(self, g: Group) -> float:
        """Estimated wait on arrival: entries still needing an agent × mean handle / agents."""
        agents = sum(g.present)
        return (self.ahead(g) + 1) * self.rules.mean_handle_s / agents if agents else float("inf")

    def carry(self, g: Group, e: Entry) -> bool:
        """Hold a callback popped after closing for the next opening (``pending_at_close:
        next_opening``); False: it is made now."""
        if g.closed and not self.serve_pending:
            g.carried.append(e)
            return True
        return False

    def attempt(self, g: Group, gk: int, i: int) -> Generator[simpy.Event, object, None]:
        """Dial a callback; on answer handle the call, else retry later or create a case."""
        env, r, c, centre = self.env, self.rules, self.calls, self.centre
        t0 = env.now
        n = c.cb_attempts[i]
        c.cb_attempts[i] = n + 1
        if n == 0:
            c.cb_first_attempt[i] = t0
        if c.cb_answer_u[i][n] < r.answer_p:  # answered after ring_s
            yield env.timeout(r.ring_s)
            c.fate[i] = Fate.CALLBACK_MADE
            if c.transfer_to[i] >= 0:
                c.answered_at[i] = env.now
                c.agent[i] = gk
                centre.log_busy(gk, t0)
                yield from centre.transfers.transfer(gk, i)  # type: ignore[union-attr]  # transfer_to is set only with transfers on
                return
            ev = env.event()
            centre.start_call(g, gk - g.offset, ev, i)  # handled like a call
            yield ev
            c.ended_at[i] = env.now
        else:  # no answer: the whole attempt (ringing until giving up, a note) takes failed_attempt_s
            yield env.timeout(r.failed_s)
            if n + 1 < r.max_attempts:
                g.pending += 1
                env.timeout(r.retry_gap_s).callbacks.append(partial(self.retry_due, g, i))
            else:
                c.fate[i] = Fate.CALLBACK_FAILED_CASE
                c.ended_at[i] = env.now
                c.logged_case[i] = True
                centre.phone_case(i, 0)
                if centre.repeats is not None:
                    centre.repeats.call_again(i, env.now)
        centre.log_busy(gk, t0)

    def retry_due(self, g: Group, i: int, _event: simpy.Event | None = None) -> None:
        """A callback retry falls due: back in the queue at its original position. After
        closing (policy serve) agents wait for pending retries; the last one releases them."""
        g.pending -= 1
        self.centre.queues.push(g, self.arrival[i], CALLBACK, i)
        if g.closed and not g.pending:
            self.centre.release_idle(g)


def callback_columns(cb: CallbackRules | None, connected: np.ndarray, arrival: np.ndarray, patience: np.ndarray,
                     out_offered: np.ndarray, cb_flag: np.ndarray, accepted: np.ndarray,
                     first_attempt: np.ndarray) -> tuple[np.ndarray, np.ndarray, pd.arrays.BooleanArray]:
    """The call records' callback-dependent values: when a call counts as answered for the
    KPIs (``callbacks.kpi_convention``), whether a callback was offered, and whether the first
    attempt was within ``callbacks.promise_window_s``."""
    answered_at = connected
    if cb is not None and cb.kpi_convention != "answered_when_made":
        callback = ~np.isnan(accepted)
        answered_at = np.where(callback, accepted if cb.kpi_convention == "answered_at_request" else np.nan, connected)
    offered = out_offered
    if cb is not None and cb.after_wait:
        waited = np.where(np.isnan(connected), patience, connected - arrival)
        offered = cb_flag | (waited >= cb.threshold_s)
    tried = ~np.isnan(first_attempt)
    window = cb.promise_window_s if cb is not None else float("inf")
    return answered_at, offered, pd.arrays.BooleanArray(tried & (first_attempt <= accepted + window), ~tried)

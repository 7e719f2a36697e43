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
from functools import partial

import simpy

from sim.model.callstate import Fate
from sim.model.queue import CALLBACK, Group, Queues


class Callbacks(Queues):
    """Offering, making and retrying callbacks."""

    def is_callback(self, i: int, now: float) -> bool:
        """A queued entry that is (by now) a callback: the caller accepted and hung up."""
        if self.cb_flag[i]:
            return True
        f = self.f
        if f.cb_after_wait and self.cb_accept[i] and now - self.arrival[i] >= f.cb_threshold_s and self.patience[i] >= f.cb_threshold_s:
            self.cb_flag[i] = True
            self.cb_accepted_at[i] = self.arrival[i] + f.cb_threshold_s
            return True
        return False

    def offer_callback(self, g: Group, i: int) -> None:
        """On arrival: offer a callback when no agent is idle and the estimated wait is long."""
        f = self.f
        if not f.cb_after_wait and not g.idle and self.ewt(g) > f.cb_threshold_s:
            self.cb_offered[i] = True
            if self.cb_accept[i]:
                self.cb_flag[i] = True
                self.cb_accepted_at[i] = self.env.now

    def callback_attempt(self, g: Group, gk: int, i: int) -> Generator[simpy.Event, object, None]:
        """Dial a callback; on answer handle the call, else retry later or create a case."""
        env, f = self.env, self.f
        t0 = env.now
        n = self.cb_attempts[i]
        self.cb_attempts[i] = n + 1
        if n == 0:
            self.cb_first_attempt[i] = t0
        if self.cb_answer_u[i][n] < f.cb_answer_p:  # answered after ring_s
            yield env.timeout(f.cb_ring_s)
            self.answered_at[i] = env.now
            self.agent[i] = gk
            self.fate[i] = Fate.CALLBACK_MADE
            if f.transfer and self.transfer_to[i] >= 0:
                self.log_busy(gk, t0)
                yield from self.transfer(gk, i)
                return
            yield env.timeout(self.handle[i])
            self.ended_at[i] = env.now
        else:  # no answer: the whole attempt (ringing until giving up, a note) takes failed_attempt_s
            yield env.timeout(f.cb_failed_s)
            if n + 1 < f.cb_max_attempts:
                g.pending += 1
                env.timeout(f.cb_retry_gap_s).callbacks.append(partial(self.retry_due, g, i))
            else:
                self.fate[i] = Fate.CALLBACK_FAILED_CASE
                self.ended_at[i] = env.now
                self.logged_case[i] = True
                self.phone_case(i, 0)
                if f.repeats and self.repeat[i] and self.attempt[i] < f.repeat_max:
                    self.new_attempt(i, env.now)
        self.log_busy(gk, t0)

    def retry_due(self, g: Group, i: int, _event: simpy.Event | None = None) -> None:
        """A callback retry falls due: back in the queue at its original position. After
        closing (policy serve) agents wait for pending retries; the last one releases them."""
        g.pending -= 1
        self.push(g, self.arrival[i], CALLBACK, i)
        if g.closed and not g.pending:
            self.release_idle(g)

    # provided by the other rooms (sim.model.transfers, sim.model.repeats, sim.model.engine)
    def transfer(self, gk: int, i: int) -> Generator[simpy.Event, object, None]:
        raise NotImplementedError

    def new_attempt(self, i: int, now: float) -> None:
        raise NotImplementedError

    def release_idle(self, g: Group) -> None:
        raise NotImplementedError

"""Repeat contacts: a caller who abandoned (or whose last callback failed) calls again.

A caller drawn as a repeater (``repeats.probability``) who hangs up gets a new attempt after
``repeats.delay`` (at the next opening, spread over its first intervals, if the line is
closed by then), up to ``repeats.max_attempts``. The new attempt is a new call by the same
customer with the same need and patience; its decisions (repeat again, callback answers) are
drawn anew from the ``repeat_calls`` stream. What it copies and what it starts afresh is
declared per field in :mod:`sim.model.callstate`.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import simpy

from sim.model.transfers import Transfers
from sim.world.demand import route_to_opening
from sim.world.distributions import Distribution


class Repeats(Transfers):
    """Watching for hang-ups of repeaters and creating their next attempts."""

    repeat_rng: np.random.Generator | None
    repeat_delay: Distribution | None
    opens_arr: np.ndarray
    closes_arr: np.ndarray

    def watch_for_repeat(self, i: int) -> None:
        """On arrival of a repeater: check at their patience deadline whether they hung up."""
        f = self.f
        if self.repeat[i] and self.attempt[i] < f.repeat_max and self.patience[i] < float("inf"):
            self.env.timeout(self.patience[i]).callbacks.append(partial(self.abandon_check, i))

    def abandon_check(self, i: int, _event: simpy.Event | None = None) -> None:
        """At the caller's patience deadline: if still unanswered (and not a callback), they
        abandoned now and will call again."""
        if self.answered_at[i] != self.answered_at[i] and not self.cb_flag[i] and not self.is_callback(i, self.env.now):
            self.new_attempt(i, self.env.now)

    def new_attempt(self, i: int, now: float) -> None:
        """Create the caller's next attempt after a delay (at the next opening if closed)."""
        rng, delay = self.repeat_rng, self.repeat_delay
        assert rng is not None and delay is not None
        wanted = now + float(delay.sample(rng, 1)[0])
        at, period, _, reachable = route_to_opening(np.array([wanted]), rng.random(1), self.opens_arr, self.closes_arr,
                                                    self.f.repeat_spread_s)
        if not reachable[0]:
            return  # no opening left in the run
        t = float(at[0])
        j = self.append_copy(i, self.repeat_draws(i, t, float(self.closes_arr[period[0]]), rng))
        self.env.timeout(t - now).callbacks.append(partial(self.offer, j))

    def repeat_draws(self, i: int, t: float, closes_at: float, rng: np.random.Generator) -> dict[str, object]:
        """What is new about a repeat contact of call ``i`` arriving at ``t`` (the fields
        declared ``repeat="new"``); the draws in this order keep the stream reproducible."""
        answer_u = rng.random(self.f.cb_max_attempts).tolist()
        again = bool(rng.random() < self.f.repeat_p)
        return {
            "arrival": t, "deadline": t + self.patience[i], "closes_at": closes_at, "attempt": self.attempt[i] + 1,
            "cb_answer_u": answer_u, "repeat": again, "balk_u": float(rng.random()) if self.f.balk_share > 0 else 1.0,
        }

    # the first line's arrival, in sim.model.engine
    def offer(self, i: int, _event: simpy.Event | None = None) -> None:
        raise NotImplementedError

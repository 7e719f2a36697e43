"""Repeat contacts: a caller who abandoned (or whose last callback failed) calls again.

A caller drawn as a repeater (``repeats.probability``) who hangs up gets a new attempt after
``repeats.delay`` (at the next opening, spread over its first intervals, if the line is
closed by then), up to ``repeats.max_attempts``. The new attempt is a new call by the same
customer with the same need and patience; its decisions (repeat again, callback answers) are
drawn anew from the ``repeat_calls`` stream. What it copies and what it starts afresh is
declared per field in :mod:`sim.model.callstate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import simpy

from sim.model.callstate import CallState
from sim.model.parts import Centre
from sim.schema import Scenario
from sim.world.demand import route_to_opening
from sim.world.distributions import Distribution


@dataclass(frozen=True)
class RepeatRules:
    """``repeats.*`` (on)."""

    probability: float = 0.0
    max_attempts: int = 1
    spread_s: float = 1800.0  # a repeat routed to the next opening is spread over this
    answer_draws: int = 1  # callback-answer uniforms drawn per repeat contact (callbacks.max_attempts)
    balk_draw: bool = False  # a balking uniform is drawn per repeat contact (patience.balk_share > 0)

    @classmethod
    def from_scenario(cls, s: Scenario) -> RepeatRules | None:
        """The rules of ``repeats.*``; None when off."""
        rp = s.repeats
        if not rp.enabled:
            return None
        return cls(rp.probability, rp.max_attempts, 60.0 * s.demand.interval_min * s.demand.displaced_intervals,
                   s.callbacks.max_attempts, s.patience.balk_share > 0)


class Repeats:
    """Watching for hang-ups of repeaters and creating their next attempts: the repeat part
    of a call centre."""

    def __init__(self, centre: Centre, rules: RepeatRules, rng: np.random.Generator, delay: Distribution,
                 opens: np.ndarray, closes: np.ndarray) -> None:
        self.centre, self.rules, self.env = centre, rules, centre.env
        self.calls: CallState = centre.calls
        self.rng, self.delay, self.opens, self.closes = rng, delay, opens, closes

    def watch(self, i: int) -> None:
        """On arrival of a repeater: check at their patience deadline whether they hung up."""
        c = self.calls
        if c.repeat[i] and c.attempt[i] < self.rules.max_attempts and c.patience[i] < float("inf"):
            self.env.timeout(c.patience[i]).callbacks.append(partial(self.abandon_check, i))

    def abandon_check(self, i: int, _event: simpy.Event | None = None) -> None:
        """At the caller's patience deadline: if still unanswered (and not a callback), they
        abandoned now and will call again."""
        c, cb, now = self.calls, self.centre.callbacks, self.env.now
        if c.answered_at[i] != c.answered_at[i] and not c.cb_flag[i] and not (cb is not None and cb.is_callback(i, now)):
            self.new_attempt(i, now)

    def call_again(self, i: int, now: float) -> None:
        """Call ``i`` ended without help (a failed callback): a repeater calls again."""
        if self.calls.repeat[i] and self.calls.attempt[i] < self.rules.max_attempts:
            self.new_attempt(i, now)

    def new_attempt(self, i: int, now: float) -> None:
        """Create the caller's next attempt after a delay (at the next opening if closed)."""
        rng = self.rng
        wanted = now + float(self.delay.sample(rng, 1)[0])
        at, period, _, reachable = route_to_opening(np.array([wanted]), rng.random(1), self.opens, self.closes, self.rules.spread_s)
        if not reachable[0]:
            return  # no opening left in the run
        t = float(at[0])
        j = self.calls.append_copy(i, self.repeat_draws(i, t, float(self.closes[period[0]]), rng))
        self.env.timeout(t - now).callbacks.append(partial(self.centre.offer, j))

    def repeat_draws(self, i: int, t: float, closes_at: float, rng: np.random.Generator) -> dict[str, object]:
        """What is new about a repeat contact of call ``i`` arriving at ``t`` (the fields
        declared ``repeat="new"``); the draws in this order keep the stream reproducible."""
        r, c = self.rules, self.calls
        answer_u = rng.random(r.answer_draws).tolist()
        again = bool(rng.random() < r.probability)
        return {
            "arrival": t, "deadline": t + c.patience[i], "closes_at": closes_at, "attempt": c.attempt[i] + 1,
            "cb_answer_u": answer_u, "repeat": again, "balk_u": float(rng.random()) if r.balk_draw else 1.0,
        }

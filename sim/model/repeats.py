"""Repeat contacts: a caller who abandoned (or whose last callback failed) calls again.

A caller drawn as a repeater (``repeats.probability``) who hangs up gets a new attempt after
``repeats.delay`` (at the next opening, spread over its first intervals, if the line is
closed by then), up to ``repeats.max_attempts``. The new attempt is a new call by the same
customer with the same need and patience; its decisions (repeat again, callback answers) are
drawn anew from the ``repeat_calls`` stream (:class:`sim.model.nextcontact.NextContact`, the helper
failure demand uses too).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import simpy

from sim.model.callstate import CallState
from sim.model.nextcontact import NextContact
from sim.model.parts import Centre
from sim.schema import Scenario
from sim.world.distributions import Distribution


@dataclass(frozen=True)
class RepeatRules:
    """``repeats.*`` (on). What the new attempt draws is the shared
    :class:`~sim.model.nextcontact.ContactRules` (``Rules.contact``)."""

    max_attempts: int = 1

    @classmethod
    def from_scenario(cls, s: Scenario) -> RepeatRules | None:
        """The rules of ``repeats.*``; None when off."""
        rp = s.repeats
        if not rp.enabled:
            return None
        return cls(rp.max_attempts)


class Repeats:
    """Watching for hang-ups of repeaters and creating their next attempts: the repeat part
    of a call centre."""

    def __init__(self, centre: Centre, rules: RepeatRules, rng: np.random.Generator, delay: Distribution,
                 next_contact: NextContact) -> None:
        self.centre, self.rules, self.env = centre, rules, centre.env
        self.calls: CallState = centre.calls
        self.rng, self.delay, self.next_contact = rng, delay, next_contact

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
        """The caller's next attempt after the delay (at the next opening if closed then)."""
        self.next_contact.call(i, now + float(self.delay.sample(self.rng, 1)[0]), self.rng)

"""A customer's next contact by phone: the one helper behind repeat contacts and failure demand.

A caller who abandoned (:mod:`sim.model.repeats`) and a customer whose answered call did not
resolve the matter (:mod:`sim.model.resolution`) call again the same way: the part that decides
it gives the wanted time and its random stream, and :class:`NextContact` routes the time to the
next opening when the line is closed then (spread over the opening's first intervals,
:func:`sim.world.demand.route_to_opening`), creates the new call by the same customer (same
need and patience, ``attempt`` + 1; what it copies and what it starts afresh is declared per
field in :mod:`sim.model.callstate`), draws its own decisions (callback answers, a repeat after
abandoning, balking) from that stream, and offers it to the first line at its arrival.
:class:`ContactRules` holds what these draws need of the scenario, once for both parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from sim.model.callstate import CallState
from sim.model.parts import Centre
from sim.schema import Scenario
from sim.world.demand import route_to_opening


@dataclass(frozen=True)
class ContactRules:
    """What a new contact by the same customer draws, and how one after closing is spread."""

    spread_s: float = 1800.0  # a contact routed to the next opening is spread over this
    answer_draws: int = 1  # callback-answer uniforms per new contact (callbacks.max_attempts)
    balk_draw: bool = False  # a balking uniform per new contact (patience.balk_share > 0)
    repeat_probability: float = 0.0  # the new contact would call again after abandoning (repeats.probability; 0 when off)

    @classmethod
    def from_scenario(cls, s: Scenario) -> ContactRules:
        """The rules of a new contact under ``s`` (whether or not a part creates any)."""
        return cls(60.0 * s.demand.interval_min * s.demand.displaced_intervals, s.callbacks.max_attempts,
                   s.patience.balk_share > 0, s.repeats.probability if s.repeats.enabled else 0.0)


class NextContact:
    """Scheduling a customer's next call: shared by the repeat and the failure-demand parts."""

    def __init__(self, centre: Centre, rules: ContactRules, opens: np.ndarray, closes: np.ndarray) -> None:
        self.centre, self.rules, self.env = centre, rules, centre.env
        self.calls: CallState = centre.calls
        self.opens, self.closes = opens, closes

    def call(self, i: int, wanted: float, rng: np.random.Generator) -> int | None:
        """The customer of call ``i`` calls again at ``wanted`` (at the next opening if the line
        is closed then), with new draws from ``rng``; the new call's index, or None when no
        opening is left in the run. The draws, in this order, keep the stream reproducible."""
        at, period, _, reachable = route_to_opening(np.array([wanted]), rng.random(1), self.opens, self.closes, self.rules.spread_s)
        if not reachable[0]:
            return None
        t = float(at[0])
        j = self.calls.append_copy(i, self.draws(i, t, float(self.closes[period[0]]), rng))
        self.env.timeout(t - self.env.now).callbacks.append(partial(self.centre.offer, j))
        return j

    def draws(self, i: int, t: float, closes_at: float, rng: np.random.Generator) -> dict[str, object]:
        """What is new about the next call of call ``i``'s customer, arriving at ``t`` (the fields
        declared ``repeat="new"``)."""
        r, c = self.rules, self.calls
        return {
            "arrival": t, "deadline": t + c.patience[i], "closes_at": closes_at, "attempt": c.attempt[i] + 1,
            "cb_answer_u": rng.random(r.answer_draws).tolist(), "repeat": bool(rng.random() < r.repeat_probability),
            "balk_u": float(rng.random()) if r.balk_draw else 1.0,
        }

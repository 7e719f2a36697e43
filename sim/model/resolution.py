"""Failure demand: an answered call that did not resolve the customer's matter brings them back.

When a call is answered live or by a callback, or a transferred call is finished by the target
group, the ``resolution`` stream decides whether it resolved the matter: with probability
``resolution.fcr`` of its case type (first-contact resolution; a call that ended as a case — a
transfer fallback, a failed callback — is left to the case work). An unresolved call is marked
``unresolved`` in the records and, unless it was the customer's ``resolution.max_contacts``-th
contact (``attempt``), the same customer (same ``customer_id``, same need and patience) calls again
``resolution.delay_days`` working days after the call ended: the whole days skip days without
an opening, and a contact falling outside the opening hours comes at the next opening, spread
over its first intervals, like a repeat after an abandonment (:mod:`sim.model.repeats`; both
use :class:`sim.model.nextcontact.NextContact`). The new contact's own draws (callback answers,
a repeat after abandoning, balking) come from the same ``resolution`` stream, so with every
``fcr`` at 1.0 the part is off and no other stream shifts.

With ``resolution.case_share`` above 0 (case work on), that share of the repeat contacts is made
in writing (e-mail or the web form) instead: a case arriving at the wanted time itself (written
contacts need no opening), of kind ``resolution.case_kind`` (or drawn by the shares of
``cases.kinds``) with its kind's handle time and working-hours target
(:meth:`sim.model.cases.CaseWork.from_customer`). The case resolves the matter when an agent has handled it (a case is
worked until it is solved; it is not decided by ``fcr`` again), so a written contact is a
matter's last. Whether a contact is written is one more uniform from the stream, drawn only when
the share is above 0: ``case_share: 0`` leaves the records exactly as they were.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.model.callstate import CallState
from sim.model.nextcontact import NextContact
from sim.model.parts import Centre
from sim.schema import Scenario
from sim.world.distributions import Distribution

DAY_S = 86400.0


@dataclass(frozen=True)
class ResolutionRules:
    """``resolution.*`` (some ``fcr`` below 1). What the new call draws is the shared
    :class:`~sim.model.nextcontact.ContactRules` (``Rules.contact``)."""

    fcr: tuple[float, ...]  # per case type (index into transfers.case_types)
    max_contacts: int = 3
    case_share: float = 0.0  # share of repeat contacts made in writing: a case for the case work

    @classmethod
    def from_scenario(cls, s: Scenario) -> ResolutionRules | None:
        """The rules of ``resolution.*``; None when every answered call resolves its matter."""
        r = s.resolution
        if not r.enabled:
            return None
        return cls(tuple(r.share_of(name) for name in s.transfers.case_types), r.max_contacts, r.case_share)


def open_days(opens: np.ndarray, closes: np.ndarray) -> set[int]:
    """The day numbers (0: the run's first day) on which the line is open at some time."""
    days: set[int] = set()
    for o, c in zip(opens.tolist(), closes.tolist(), strict=True):
        days.update(range(int(o // DAY_S), int(math.ceil(c / DAY_S))))
    return days


def after_working_days(t: float, days: float, open_day: set[int], last_day: int) -> float:
    """``t`` moved on by ``days`` working days: each whole day steps to the next day with an
    opening (closed days are skipped), the fraction is added in clock time."""
    whole = int(days)
    day = int(t // DAY_S)
    while whole > 0 and day <= last_day:
        day += 1
        if day in open_day:
            whole -= 1
    return t + (day - int(t // DAY_S)) * DAY_S + (days - int(days)) * DAY_S


class Resolution:
    """Deciding whether an answered call resolved its matter, and bringing the unresolved back:
    the failure-demand part of a call centre (it listens to the centre's ``handled`` hook)."""

    def __init__(self, centre: Centre, rules: ResolutionRules, rng: np.random.Generator, delay: Distribution,
                 next_contact: NextContact, opens: np.ndarray, closes: np.ndarray) -> None:
        self.centre, self.rules, self.env = centre, rules, centre.env
        self.calls: CallState = centre.calls
        self.rng, self.delay, self.next_contact = rng, delay, next_contact
        self.open_day = open_days(opens, closes)
        self.last_day = max(self.open_day, default=-1)

    def settle(self, i: int, ended: float) -> None:
        """Call ``i`` was answered and its handling ends at ``ended``: resolved, or the customer
        contacts again after the delay (at the next opening if the line is closed then)."""
        c, rng = self.calls, self.rng
        if rng.random() < self.rules.fcr[c.case[i]]:
            return
        c.unresolved[i] = True
        if c.attempt[i] < self.rules.max_contacts:
            days = float(self.delay.sample(rng, 1)[0])
            wanted = after_working_days(ended, days, self.open_day, self.last_day)
            share = self.rules.case_share
            if share and rng.random() < share:  # in writing: a case (no draw at all when the share is 0)
                self.write(i, wanted)
            else:
                self.next_contact.call(i, wanted, rng)

    def write(self, i: int, t: float) -> None:
        """The customer of unresolved call ``i`` contacts again in writing at ``t``: a case for
        the case work, resolved when an agent has handled it. After the run's last open day
        the contact is dropped, as a call is when no opening is left."""
        if t >= (self.last_day + 1) * DAY_S:
            return
        cases = self.centre.casework
        assert cases is not None, "resolution.case_share > 0 needs the case work (the scenario refuses it otherwise)"
        cases.from_customer(i, t, self.rng)

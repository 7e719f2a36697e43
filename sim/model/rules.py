"""The scenario's rules in the model's terms: one :class:`Rules` object, built once per run.

:meth:`Rules.from_scenario` translates a scenario once; the engine and its parts read only
this, and so do the call records (names of groups and case types, the callback conventions).
Each optional part declares and translates its own rules, beside its code
(:class:`~sim.model.callbacks.CallbackRules`, :class:`~sim.model.transfers.TransferRules`,
:class:`~sim.model.repeats.RepeatRules`, :class:`~sim.model.resolution.ResolutionRules`); ``None`` means the feature is
off. What a customer's next call draws, after an abandonment or an unresolved call, is one
:class:`~sim.model.nextcontact.ContactRules`. Tests build one by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.callbacks import CallbackRules
from sim.model.nextcontact import ContactRules
from sim.model.repeats import RepeatRules
from sim.model.resolution import ResolutionRules
from sim.model.transfers import TransferRules
from sim.schema import Scenario


@dataclass(frozen=True)
class Rules:
    """Everything the model and its records take from the scenario besides the drawn calls
    and the schedules."""

    callbacks: CallbackRules | None = None
    transfers: TransferRules | None = None
    repeats: RepeatRules | None = None
    resolution: ResolutionRules | None = None
    contact: ContactRules = ContactRules()  # what a customer's next call draws (repeats, failure demand)
    balk_share: float = 0.0
    groups: tuple[str, ...] = ("first_line",)
    case_types: tuple[str, ...] = ("general",)
    case_targets: tuple[str | None, ...] = (None,)  # target group name per case type

    @property
    def transfer_policy(self) -> str:
        """``transfers.policy`` as the records name it."""
        return "off" if self.transfers is None else self.transfers.policy.name.lower()

    @classmethod
    def from_scenario(cls, s: Scenario) -> Rules:
        tr = s.transfers
        groups = tuple(s.staffing_by_group())
        return cls(
            callbacks=CallbackRules.from_scenario(s),
            transfers=TransferRules.from_config(tr, groups),
            repeats=RepeatRules.from_scenario(s),
            resolution=ResolutionRules.from_scenario(s),
            contact=ContactRules.from_scenario(s),
            balk_share=s.patience.balk_share,
            groups=groups,
            case_types=tuple(tr.case_types),
            case_targets=tuple(c.transfer_to for c in tr.case_types.values()),
        )

"""The scenario's rules in the model's terms: one :class:`Rules` object, built once per run.

:meth:`Rules.from_scenario` translates a scenario once; the engine and its parts read only
this, and so do the call records (names of groups and case types, the callback conventions).
Each optional part has its own rules (:class:`CallbackRules`, :class:`TransferRules`,
:class:`RepeatRules`); ``None`` means the feature is off. Tests build one by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from sim.schema import CallbackConfig, Scenario


class TransferPolicy(IntEnum):
    """``transfers.policy``."""

    OFF = 0
    WARM = 1
    BLIND = 2


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
    def from_config(cls, cb: CallbackConfig, mean_handle_s: float) -> CallbackRules:
        return cls(
            after_wait=cb.trigger == "after_wait", threshold_s=cb.threshold_s, ring_s=cb.ring_s,
            answer_p=cb.answer_probability, retry_gap_s=cb.retry_gap_s, max_attempts=cb.max_attempts,
            failed_s=cb.failed_attempt_s, next_opening=cb.pending_at_close == "next_opening",
            mean_handle_s=mean_handle_s, kpi_convention=cb.kpi_convention, promise_window_s=cb.promise_window_s,
        )


@dataclass(frozen=True)
class TransferRules:
    """``transfers.*`` (policy warm or blind)."""

    policy: TransferPolicy = TransferPolicy.WARM
    to: tuple[int, ...] = ()  # target group per case type (-1: none)
    consult_limit_s: float = 0.0


@dataclass(frozen=True)
class RepeatRules:
    """``repeats.*`` (on)."""

    probability: float = 0.0
    max_attempts: int = 1
    spread_s: float = 1800.0  # a repeat routed to the next opening is spread over this
    answer_draws: int = 1  # callback-answer uniforms drawn per repeat contact (callbacks.max_attempts)
    balk_draw: bool = False  # a balking uniform is drawn per repeat contact (patience.balk_share > 0)


@dataclass(frozen=True)
class Rules:
    """Everything the model and its records take from the scenario besides the drawn calls
    and the schedules."""

    callbacks: CallbackRules | None = None
    transfers: TransferRules | None = None
    repeats: RepeatRules | None = None
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
        cb, tr, rp = s.callbacks, s.transfers, s.repeats
        groups = tuple(s.staffing_by_group())
        targets = tuple(c.transfer_to for c in tr.case_types.values())
        policy = TransferPolicy[tr.policy.upper()]
        return cls(
            callbacks=CallbackRules.from_config(cb, s.handling.mean_handle_s) if cb.enabled else None,
            transfers=TransferRules(policy, tuple(groups.index(t) if t else -1 for t in targets), tr.consult_limit_s)
            if policy != TransferPolicy.OFF else None,
            repeats=RepeatRules(rp.probability, rp.max_attempts, 60.0 * s.demand.interval_min * s.demand.displaced_intervals,
                                cb.max_attempts, s.patience.balk_share > 0) if rp.enabled else None,
            balk_share=s.patience.balk_share,
            groups=groups,
            case_types=tuple(tr.case_types),
            case_targets=targets,
        )

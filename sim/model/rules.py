"""The rules of callbacks, transfers and repeat contacts, in the model's terms.

:func:`sim.model.simulate.features` translates a scenario into :class:`Features`; the engine
reads only this (tests build one by hand).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class TransferPolicy(IntEnum):
    """``transfers.policy``."""

    OFF = 0
    WARM = 1
    BLIND = 2


@dataclass(frozen=True)
class Features:
    """The rules of callbacks, transfers and repeat contacts, in the model's terms."""

    callbacks: bool = False
    cb_after_wait: bool = False
    cb_threshold_s: float = 0.0
    cb_ring_s: float = 0.0
    cb_answer_p: float = 1.0
    cb_retry_gap_s: float = 0.0
    cb_max_attempts: int = 1
    cb_failed_s: float = 0.0
    cb_next_opening: bool = False
    transfer: TransferPolicy = TransferPolicy.OFF
    transfer_to: tuple[int, ...] = ()  # target group per case type (-1: none)
    consult_limit_s: float = 0.0
    repeats: bool = False
    repeat_p: float = 0.0
    repeat_max: int = 1
    repeat_spread_s: float = 1800.0
    mean_handle_s: float = 300.0
    balk_share: float = 0.0

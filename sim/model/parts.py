"""The small protocols between the call centre and its parts.

:class:`~sim.model.engine.CallCentre` owns the per-call state (:mod:`~sim.model.callstate`),
the groups' queues (:mod:`~sim.model.queue`) and, when the scenario turns them on, one
object per optional part: callbacks (:mod:`~sim.model.callbacks`), transfers
(:mod:`~sim.model.transfers`), repeat contacts (:mod:`~sim.model.repeats`), failure demand
(:mod:`~sim.model.resolution`) and case work
(:mod:`~sim.model.cases`). A part that is off is ``None``; nothing stands in for it. An agent
answers a plain call itself (:meth:`Centre.start_call`, the one place a call without a transfer
is answered, callbacks included) and hands any other entry it takes to the part that owns the
entry's :class:`~sim.model.queue.Kind` (:data:`Work`); a part reaches the centre and the other
parts only through :class:`Centre`. Every call an agent handles to its end is reported once
through the centre's answered/handled hook (:attr:`Centre.handled`), which the failure-demand
part listens to; the repeat and failure-demand parts create the customer's next call with one
helper (:class:`sim.model.nextcontact.NextContact`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Protocol

import simpy

if TYPE_CHECKING:
    import numpy as np

    from sim.model.callstate import CallState
    from sim.model.queue import Entry, Group, Queues

Work = Callable[["Group", int, int], Generator[simpy.Event, object, None]]
"""What an agent does with an entry: ``work(group, agent's global id, call or case index)``."""


class CallbackPart(Protocol):
    """Offering, making and retrying callbacks (:class:`sim.model.callbacks.Callbacks`)."""

    serve_pending: bool  # agents stay after closing for pending retries (pending_at_close: serve)

    def is_callback(self, i: int, now: float) -> bool: ...
    def offer(self, g: Group, i: int) -> None: ...
    def carry(self, g: Group, e: Entry) -> bool: ...
    def attempt(self, g: Group, gk: int, i: int) -> Generator[simpy.Event, object, None]: ...


class TransferPart(Protocol):
    """Both agents' sides of a transfer (:class:`sim.model.transfers.Transfers`)."""

    def transfer(self, gk: int, i: int) -> Generator[simpy.Event, object, None]: ...
    def take_consult(self, g: Group, gk: int, i: int) -> Generator[simpy.Event, object, None]: ...
    def take_blind(self, g: Group, gk: int, i: int) -> Generator[simpy.Event, object, None]: ...


class RepeatPart(Protocol):
    """Repeat contacts (:class:`sim.model.repeats.Repeats`)."""

    def watch(self, i: int) -> None: ...
    def call_again(self, i: int, now: float) -> None: ...


class ResolutionPart(Protocol):
    """Failure demand (:class:`sim.model.resolution.Resolution`): listens to ``Centre.handled``."""

    def settle(self, i: int, ended: float) -> None: ...


class CasePart(Protocol):
    """The case backlog (:class:`sim.model.cases.CaseWork`)."""

    def take(self, g: Group) -> Entry | None: ...
    def from_phone(self, i: int, source: int) -> None: ...
    def from_customer(self, i: int, t: float, rng: np.random.Generator) -> None: ...


class Centre(Protocol):
    """What the parts use of the call centre."""

    env: simpy.Environment
    calls: CallState
    groups: list[Group]
    queues: Queues
    callbacks: CallbackPart | None
    transfers: TransferPart | None
    repeats: RepeatPart | None
    resolution: ResolutionPart | None
    casework: CasePart | None

    handled: Callable[[int, float], None] | None  # the answered/handled hook (CallCentre.handled)

    def offer(self, i: int, _event: simpy.Event | None = None) -> None: ...
    def start_call(self, g: Group, k: int, ev: simpy.Event, i: int) -> None: ...
    def release_idle(self, g: Group) -> None: ...
    def log_busy(self, gk: int, t0: float) -> None: ...
    def phone_case(self, i: int, source: int) -> None: ...

"""The one declaration of per-call state, and the fate codes.

Every attribute the model keeps per call is declared once in :data:`FIELDS`: its name, dtype,
meaning, where its value comes from for a pre-drawn call (``start``), what a repeat contact
gets (``repeat``) and whether it is handed to the records (``export``): ``True`` for the
records' own use, or the :class:`Column` it becomes in the call records (name, dtype, unit,
meaning). The engine's working lists, a repeat contact's copy, the :class:`Outcome` arrays
and the record columns taken from a field (:mod:`sim.model.records`) are all derived from it,
so a new per-call attribute is one new line here (``tests/model/test_callstate.py`` checks that
nothing is kept per call outside this list and that a repeat contact copies every field).

``start`` is the name of a :class:`~sim.world.demand.Calls` field (its values are copied), a
function ``(calls, rules) -> list``, or a constant. ``repeat`` is ``"same"`` (the same
customer with the same need: the first attempt's value), ``"fresh"`` (the ``start``
constant again: state and outcomes begin anew) or ``"new"`` (given by
:mod:`sim.model.repeats` when it creates the contact: a new arrival, new draws).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from sim.world.demand import Calls

if TYPE_CHECKING:
    from sim.model.rules import Rules


class Fate(IntEnum):
    """A call's final fate; the records name it in lower case (``Fate.TRANSFERRED_WARM`` ->
    ``transferred_warm``). DERIVE: the records derive answered / abandoned / callback_requested
    from the times."""

    DERIVE = -1
    ANSWERED = 0
    ABANDONED = 1
    CALLBACK_MADE = 2
    CALLBACK_FAILED_CASE = 3
    TRANSFERRED_WARM = 4
    TRANSFERRED_BLIND = 5
    TRANSFER_ABANDONED = 6
    TRANSFER_FALLBACK_CASE = 7
    CALLBACK_REQUESTED = 8


FATES: tuple[str, ...] = tuple(f.name.lower() for f in Fate if f >= 0)
"""The fate names of the records, indexed by code."""


class Consult(IntEnum):
    """Where a warm transfer's consultation stands."""

    NONE = 0
    WAITING = 1
    TAKEN = 2
    GAVE_UP = 3

INF = float("inf")
NAN = float("nan")

Start = str | Callable[[Calls, "Rules"], list] | float | int | bool | None


@dataclass(frozen=True)
class Column:
    """One column of a record table (the call records, the case records)."""

    name: str
    dtype: str  # pandas dtype of the column
    unit: str  # "s", "h" or "" (none)
    meaning: str
    core: bool = False  # one of the first model's call-record columns (records.CALL_COLUMNS)


@dataclass(frozen=True)
class Field:
    """One per-call attribute of the model."""

    name: str
    dtype: type  # of the exported array: float, int, bool or object
    meaning: str
    start: Start
    repeat: Literal["same", "fresh", "new"]
    export: bool | Column = False  # handed to the records; a Column: becomes that record column

    @property
    def column(self) -> Column | None:
        """The record column this field becomes, if any."""
        return self.export if isinstance(self.export, Column) else None

    def initial(self, calls: Calls, f: Rules) -> list:
        """The working list for the pre-drawn calls."""
        if isinstance(self.start, str):
            return getattr(calls, self.start).tolist()
        if callable(self.start):
            return self.start(calls, f)
        return [self.start] * len(calls)


def _handle(c: Calls, f: Rules) -> list[float]:
    return c.handle.tolist()


def _deadline(c: Calls, f: Rules) -> list[float]:
    return (c.arrival + c.patience).tolist()


def _transfer_to(c: Calls, r: Rules) -> list[int]:
    return [r.transfers.to[k] for k in c.case.tolist()] if r.transfers is not None else [-1] * len(c)


def _answer_u(c: Calls, f: Rules) -> list:
    # calls x attempts: costly as Python lists, so only when callbacks are on
    return c.callback_answer_u.tolist() if f.callbacks is not None else [None] * len(c)


def _index(c: Calls, f: Rules) -> list[int]:
    return list(range(len(c)))


FIELDS: tuple[Field, ...] = (
    # -- who, when, with what need ------------------------------------------------------
    Field("arrival", float, "when the call is offered (s since the run's origin)", "arrival", "new",
          export=Column("arrival", "datetime64[ns]", "", "when the call was offered", core=True)),
    Field("patience", float, "how long the caller waits before hanging up (inf: never)", "patience", "same",
          export=Column("patience_s", "float64", "s", "the caller's patience (inf: never abandons)", core=True)),
    Field("deadline", float, "arrival + patience: the caller hangs up after this", _deadline, "new"),
    Field("closes_at", float, "closing time of the opening the call arrived in", "closes_at", "new",
          export=Column("closes_at", "datetime64[ns]", "", "closing time of the opening the call arrived in (a day closing at 24:00 "
                        "and the next opening at 00:00 are one opening)", core=True)),
    Field("customer", int, "index of the customer's first attempt", _index, "same",
          export=Column("customer_id", "int64", "", "call_id of the customer's first attempt")),
    Field("source", int, "index of the pre-drawn call whose draws this row uses", _index, "same", export=True),
    Field("attempt", int, "1 for a first call, 2.. for repeat contacts", 1, "new",
          export=Column("attempt", "int64", "", "1 for a first call, 2.. for repeat contacts")),
    Field("handle", float, "talk + hold + wrap of the call", _handle, "same"),
    Field("wrap", float, "after-call work", "wrap", "same"),
    Field("logged", bool, "the agent logs a case when handling it", "logged", "same"),
    Field("case", int, "case type (index into transfers.case_types)", "case", "same"),
    # -- transfers ------------------------------------------------------------------------
    Field("transfer_to", int, "target group of the case type (-1: none)", _transfer_to, "same"),
    Field("first_talk", float, "first agent's talk before a transfer", "first_talk", "same"),
    Field("handover", float, "warm transfer: talk of both agents with the customer", "handover", "same"),
    Field("first_wrap", float, "first agent's wrap after a transfer", "first_wrap", "same"),
    Field("prefer_cb", bool, "prefers a case to a warm transfer", "prefer_callback", "same"),
    Field("blind_patience", float, "patience in the target queue after a blind transfer", "blind_patience", "same"),
    Field("blind_deadline", float, "blind transfer: hangs up in the target queue after this", INF, "fresh"),
    Field("consult_state", int, "warm transfer consultation (a Consult)", Consult.NONE.value, "fresh"),
    # -- callbacks ------------------------------------------------------------------------
    Field("cb_accept", bool, "would accept a callback offer", "callback_accept", "same"),
    Field("cb_answer_u", object, "uniforms deciding whether each callback attempt is answered", _answer_u, "new"),
    Field("cb_flag", bool, "accepted a callback: off the line, keeps the queue place", False, "fresh", export=True),
    Field("cb_offered", bool, "a callback was offered on arrival", False, "fresh",
          export=Column("callback_offered", "bool", "", "a callback was offered")),
    Field("queued", bool, "has an entry in the first line's counted queue (callback wait estimate)", False, "fresh"),
    # -- repeat contacts ------------------------------------------------------------------
    Field("repeat", bool, "would call again after abandoning / a failed callback", "repeat", "new"),
    # -- failure demand (sim.model.resolution) -------------------------------------------------
    Field("unresolved", bool, "answered, but the matter was not resolved (resolution.fcr)", False, "fresh",
          export=Column("unresolved", "bool", "", "answered, but the customer's matter was not resolved (resolution.fcr): "
                        "they contact again")),
    # -- balking --------------------------------------------------------------------------
    Field("balk_u", float, "uniform: balks on finding no free agent if below patience.balk_share", "balk_u", "new"),
    Field("balked", bool, "hung up at once on finding no free agent (patience then 0)", False, "fresh",
          export=Column("balked", "bool", "", "hung up at once on finding no free agent (patience.balk_share; fate "
                        "abandoned, wait and patience_s 0)")),
    # -- outcome ------------------------------------------------------------------------------
    Field("answered_at", float, "when an agent connected (NaN: never)", NAN, "fresh",
          export=Column("connected_at", "datetime64[ns]", "", "when an agent first talked to the customer (live answer or callback "
                        "connected)")),
    Field("agent", int, "first agent who handled the call (-1: none)", -1, "fresh",
          export=Column("agent", "Int64", "", "first agent who handled the call", core=True)),
    Field("fate", int, "fate code (Fate.DERIVE: from the times)", Fate.DERIVE.value, "fresh", export=True),
    Field("ended_at", float, "end of the last work on the call, when not derived", NAN, "fresh", export=True),
    Field("agent2", int, "agent of the target group (transfers)", -1, "fresh",
          export=Column("agent2", "Int64", "", "agent of the target group (transfers)")),
    Field("answered2_at", float, "when the target group took over", NAN, "fresh",
          export=Column("answered2_at", "datetime64[ns]", "", "when the target group took over")),
    Field("consult_wait", float, "warm transfer: first agent's wait for a colleague", NAN, "fresh",
          export=Column("consult_wait_s", "float64", "s", "warm transfer: time the first agent waited for a colleague "
                        "(customer on hold)")),
    Field("first_handle", float, "first agent's time on a transferred call", NAN, "fresh",
          export=Column("first_handle_s", "float64", "s", "first agent's time on a transferred call")),
    Field("second_handle", float, "target agent's time", NAN, "fresh",
          export=Column("second_handle_s", "float64", "s", "target agent's time (incl. hand-over)")),
    Field("cb_accepted_at", float, "when the caller accepted a callback", NAN, "fresh",
          export=Column("callback_accepted_at", "datetime64[ns]", "", "when the caller accepted a callback and hung up")),
    Field("cb_first_attempt", float, "first outbound callback attempt", NAN, "fresh",
          export=Column("callback_first_attempt_at", "datetime64[ns]", "", "first outbound callback attempt")),
    Field("cb_attempts", int, "outbound callback attempts made", 0, "fresh",
          export=Column("callback_attempts", "int64", "", "outbound callback attempts made")),
    Field("logged_case", bool, "a case was created without a handled call (fallback, failed callback)", False, "fresh",
          export=True),
)
NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
FIELD_COLUMNS: dict[str, Column] = {fd.column.name: fd.column for fd in FIELDS if fd.column is not None}
"""The record columns taken from a field, by column name (:mod:`sim.model.records` orders them)."""
COLUMN_FIELD: dict[str, str] = {fd.column.name: fd.name for fd in FIELDS if fd.column is not None}
"""The field each of those columns comes from (``callback_accepted_at`` -> ``cb_accepted_at``)."""
NEW: frozenset[str] = frozenset(f.name for f in FIELDS if f.repeat == "new")
"""The fields :mod:`sim.model.repeats` must give a repeat contact."""


class CallState:
    """The per-call working lists (one attribute per :data:`FIELDS` entry; index = call), owned
    by the call centre and shared by its parts. A list is only ever changed in place (a part
    may keep a reference to it)."""

    def __init__(self, calls: Calls, rules: Rules) -> None:
        self.n0 = len(calls)  # the pre-drawn calls; repeat contacts are appended after them
        for fd in FIELDS:
            setattr(self, fd.name, fd.initial(calls, rules))

    def append_copy(self, i: int, new: dict[str, object]) -> int:
        """Add call ``j`` by the same customer as call ``i``: same need, fresh state, and the
        ``new`` values (exactly the fields declared ``repeat="new"``). Returns ``j``."""
        if new.keys() != NEW:
            raise ValueError(f"a repeat contact needs exactly {sorted(NEW)}, got {sorted(new)}")
        j = len(self.arrival)
        for fd in FIELDS:
            column = getattr(self, fd.name)
            if fd.repeat == "same":
                column.append(column[i])
            elif fd.repeat == "fresh":
                column.append(fd.start)
            else:
                column.append(new[fd.name])
        return j

    def exported(self) -> dict[str, np.ndarray]:
        """The exported fields as arrays (for :class:`Outcome`)."""
        return {fd.name: np.asarray(getattr(self, fd.name), dtype=fd.dtype) for fd in FIELDS if fd.export}

    if TYPE_CHECKING:  # the lists are set from FIELDS; this tells mypy they exist
        def __getattr__(self, name: str) -> list[Any]: ...


class Outcome:
    """What the model hands to the records: every exported per-call field as an array
    (``out.answered_at``, ``out.fate`` …, index = call, repeat contacts after the pre-drawn
    calls), the presence log (one row per agent stint) and the busy log of the work the
    records cannot derive themselves (transfers, callbacks)."""

    casework: object = None  # with cases on: the backlog's final state (sim.model.cases.CaseWork)

    def __init__(self, arrays: dict[str, np.ndarray], present: tuple[list, list, list, list],
                 busy: tuple[list, list, list]) -> None:
        self.__dict__.update(arrays)
        self.present_agent, self.present_group, self.present_start, self.present_end = present
        self.busy_agent, self.busy_start, self.busy_end = busy

    def __len__(self) -> int:
        return int(self.arrival.size)

    if TYPE_CHECKING:
        def __getattr__(self, name: str) -> np.ndarray: ...

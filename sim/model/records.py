"""Tidy tables of one replication: the call records and the per-interval agent log.

Call records: one row per offered call, sorted by arrival (a repeat contact is a new row).

==========================  ==============  ====  ================================================
column                      dtype           unit  meaning
==========================  ==============  ====  ================================================
call_id                     int64                 0..n-1 in arrival order
arrival                     datetime64[ns]        when the call was offered
answered_at                 datetime64[ns]        when it counts as answered for the KPIs (NaT if
                                                  not); for callbacks per callbacks.kpi_convention
ended_at                    datetime64[ns]        end of the last agent's work, or hang-up time
fate                        str                   exactly one of: answered, abandoned,
                                                  callback_made, callback_failed_case,
                                                  transferred_warm, transferred_blind,
                                                  transfer_abandoned, transfer_fallback_case,
                                                  callback_requested; callback_requested: still
                                                  pending when the run ended
wait_s                      float64         s     queue time: to answered_at, or to hanging up
talk_s                      float64         s     talk (NaN if nobody handled it); a transfer adds
                                                  the first line's talk
hold_s                      float64         s     hold (NaN if nobody handled it); a warm transfer
                                                  adds the consultation
wrap_s                      float64         s     after-call work (NaN if nobody handled it); a
                                                  transfer adds the first line's wrap
handle_s                    float64         s     talk + hold + wrap
patience_s                  float64         s     the caller's patience (inf: never abandons)
agent                       Int64                 first agent who handled the call
logged                      bool                  logged as a case (handled and logged, or a
                                                  fallback/failed-callback case)
after_close                 bool                  answered after the line had closed
closes_at                   datetime64[ns]        closing time of the opening the call arrived in
                                                  (a day closing at 24:00 and the next opening at
                                                  00:00 are one opening)
displaced                   bool                  caller who first tried while the line was closed
customer_id                 int64                 call_id of the customer's first attempt
attempt                     int64                 1 for a first call, 2.. for repeat contacts
connected_at                datetime64[ns]        when an agent first talked to the customer (live
                                                  answer or callback connected)
case_type                   str                   from transfers.case_types
group                       str                   agent group the call entered (first_line)
transfer                    str                   none, warm or blind (attempted)
group2                      str                   the case type's target group (None: no transfer)
agent2                      Int64                 agent of the target group (transfers)
answered2_at                datetime64[ns]        when the target group took over
consult_wait_s              float64         s     warm transfer: time the first agent waited for a
                                                  colleague (customer on hold)
first_handle_s              float64         s     first agent's time on a transferred call
second_handle_s             float64         s     target agent's time (incl. hand-over)
callback_offered            bool                  a callback was offered
callback_accepted_at        datetime64[ns]        when the caller accepted a callback and hung up
callback_first_attempt_at   datetime64[ns]        first outbound callback attempt
callback_attempts           int64                 outbound callback attempts made
callback_on_time            boolean               first attempt within callbacks.promise_window_s
balked                      bool                  hung up at once on finding no free agent
                                                  (patience.balk_share; fate abandoned, wait and
                                                  patience_s 0)
unresolved                  bool                  answered, but the customer's matter was not
                                                  resolved (resolution.fcr): they contact again
==========================  ==============  ====  ================================================

The table is generated from the declarations (:data:`RECORD`, :func:`schema_table`; a test keeps
it equal to them).

Agent log: one row per agent group and interval with any staffed or present agent time, all
in agent-seconds: ``group``, ``interval_start``, ``staffed_s`` (scheduled), ``present_s``
(actually there, including finishing a call after a shift and serving the queue after
closing), ``busy_s``, ``idle_s`` (present − busy), ``overtime_s`` (present after closing) and
``break_s`` (scheduled on a break of a shift: on shift but off the phones, not in ``staffed_s``).
"""

from __future__ import annotations

import datetime as dt
import textwrap

import numpy as np
import pandas as pd

from sim.errors import ScenarioError
from sim.model.callbacks import callback_columns
from sim.model.callstate import COLUMN_FIELD, FATES, FIELD_COLUMNS, Column, Fate, Outcome
from sim.model.rules import Rules
from sim.world.demand import Calls
from sim.world.staffing import Schedule

T = "datetime64[ns]"
F = FIELD_COLUMNS  # the columns declared on a per-call field (sim.model.callstate.FIELDS)

RECORD: tuple[Column, ...] = (
    Column("call_id", "int64", "", "0..n-1 in arrival order", core=True),
    F["arrival"],
    Column("answered_at", T, "", "when it counts as answered for the KPIs (NaT if not); for callbacks per "
           "callbacks.kpi_convention", core=True),
    Column("ended_at", T, "", "end of the last agent's work, or hang-up time", core=True),
    Column("fate", "str", "", "exactly one of: " + ", ".join(FATES) + "; callback_requested: still pending when the "
           "run ended", core=True),
    Column("wait_s", "float64", "s", "queue time: to answered_at, or to hanging up", core=True),
    Column("talk_s", "float64", "s", "talk (NaN if nobody handled it); a transfer adds the first line's talk", core=True),
    Column("hold_s", "float64", "s", "hold (NaN if nobody handled it); a warm transfer adds the consultation", core=True),
    Column("wrap_s", "float64", "s", "after-call work (NaN if nobody handled it); a transfer adds the first "
           "line's wrap", core=True),
    Column("handle_s", "float64", "s", "talk + hold + wrap", core=True),
    F["patience_s"],
    F["agent"],
    Column("logged", "bool", "", "logged as a case (handled and logged, or a fallback/failed-callback case)", core=True),
    Column("after_close", "bool", "", "answered after the line had closed", core=True),
    F["closes_at"],
    Column("displaced", "bool", "", "caller who first tried while the line was closed", core=True),
    F["customer_id"],
    F["attempt"],
    F["connected_at"],
    Column("case_type", "str", "", "from transfers.case_types"),
    Column("group", "str", "", "agent group the call entered (first_line)"),
    Column("transfer", "str", "", "none, warm or blind (attempted)"),
    Column("group2", "str", "", "the case type's target group (None: no transfer)"),
    F["agent2"],
    F["answered2_at"],
    F["consult_wait_s"],
    F["first_handle_s"],
    F["second_handle_s"],
    F["callback_offered"],
    F["callback_accepted_at"],
    F["callback_first_attempt_at"],
    F["callback_attempts"],
    Column("callback_on_time", "boolean", "", "first attempt within callbacks.promise_window_s"),
    F["balked"],
    F["unresolved"],
)
"""The call records' columns in order: each declared once, here or (taken from a per-call
field) in :data:`sim.model.callstate.FIELDS`; every list below is derived from it."""

ALL_COLUMNS: tuple[str, ...] = tuple(c.name for c in RECORD)
CALL_COLUMNS: tuple[str, ...] = tuple(c.name for c in RECORD if c.core)
"""The core columns (the first model's schema); :data:`ALL_COLUMNS` adds the feature columns."""
FEATURE_COLUMNS: tuple[str, ...] = tuple(c.name for c in RECORD if not c.core)
STAMP_COLUMNS: tuple[str, ...] = tuple(c.name for c in RECORD if c.dtype == T)
"""The columns held as seconds since the run's start in the model and stamped in the records."""


def schema_table(columns: tuple[Column, ...] = RECORD, width: int = 48) -> str:
    """The columns as the RST table of the module docstrings (:mod:`sim.model.records`,
    :mod:`sim.model.cases`): column, dtype, unit, meaning (wrapped to ``width``)."""
    name_w = max(26, *(len(c.name) for c in columns))
    rule = f"{'=' * name_w}  {'=' * 14}  {'=' * 4}  {'=' * width}"
    rows = [rule, f"{'column':<{name_w}}  {'dtype':<14}  {'unit':<4}  meaning", rule]
    for c in columns:
        lines = textwrap.wrap(c.meaning, width) or [""]
        rows.append(f"{c.name:<{name_w}}  {c.dtype:<14}  {c.unit:<4}  {lines[0]}".rstrip())
        rows += [f"{'':<{name_w + 22}}  {ln}" for ln in lines[1:]]
    rows.append(rule)
    return "\n".join(rows)


def markdown_table(columns: tuple[Column, ...]) -> str:
    """The columns as a Markdown table (the README's)."""
    rows = ["| column | dtype | unit | meaning |", "|---|---|---|---|"]
    rows += [f"| `{c.name}` | {c.dtype} | {c.unit} | {c.meaning} |" for c in columns]
    return "\n".join(rows)


PHONE_CASES = (Fate.TRANSFER_FALLBACK_CASE, Fate.CALLBACK_FAILED_CASE)  # calls that ended as a case


def _ints(values: np.ndarray, valid: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.where(valid, values, 0).astype(np.int64), ~valid)


def _fates(out: Outcome, cb_flag: np.ndarray) -> np.ndarray:
    code = out.fate.copy()
    derive = code == Fate.DERIVE
    answered = ~np.isnan(out.answered_at)
    code[derive & answered] = Fate.ANSWERED
    code[derive & ~answered] = Fate.ABANDONED
    code[derive & ~answered & cb_flag] = Fate.CALLBACK_REQUESTED
    return code


def _parts(calls: Calls, out: Outcome, src: np.ndarray, code: np.ndarray) -> dict[str, np.ndarray]:
    """talk/hold/wrap as the customer experienced them (see the module docstring)."""
    talk, hold, wrap = calls.talk[src], calls.hold[src], calls.wrap[src]
    ft, fw, ho = calls.first_talk[src], calls.first_wrap[src], calls.handover[src]
    cw = np.nan_to_num(out.consult_wait)
    handled_by_2 = ~np.isnan(out.answered2_at)
    first_only = np.isin(code, (Fate.TRANSFER_FALLBACK_CASE, Fate.TRANSFER_ABANDONED))
    transferred = handled_by_2 | first_only
    not_handled = np.isin(code, (Fate.ABANDONED, Fate.CALLBACK_FAILED_CASE, Fate.CALLBACK_REQUESTED))
    t = np.where(transferred, ft + np.where(handled_by_2, talk + np.where(code == Fate.TRANSFERRED_WARM, ho, 0.0), 0.0), talk)
    consulted = np.isin(code, (Fate.TRANSFERRED_WARM, Fate.TRANSFER_FALLBACK_CASE))
    h = np.where(transferred, np.where(handled_by_2, hold, 0.0) + np.where(consulted, cw, 0.0), hold)
    w = np.where(transferred, fw + np.where(handled_by_2, wrap, 0.0), wrap)
    nan = np.full(src.size, np.nan)
    return {"talk_s": np.where(not_handled, nan, t), "hold_s": np.where(not_handled, nan, h), "wrap_s": np.where(not_handled, nan, w)}


def check_stampable(origin: np.datetime64 | dt.date, seconds: np.ndarray) -> None:
    """Refuse, in words, times (seconds since ``origin``) that nanosecond timestamps cannot
    hold (after the year 2262): the work of the run went on for centuries."""
    finite = seconds[np.isfinite(seconds)]
    if finite.size == 0:
        return
    start = pd.Timestamp(origin)
    room_s = (pd.Timestamp.max - start).total_seconds() - 86400.0
    latest = float(finite.max())
    if latest > room_s:
        raise ScenarioError(
            f"Invalid scenario: the simulated work goes on for {latest / (365.25 * 86400):.3g} years after {start.date()} "
            f"(the records' timestamps end in the year {pd.Timestamp.max.year}): the queue cannot be served with these "
            "durations and this staffing; lower the duration means (handling.*, patience.*, cases.kinds.*.handle) "
            "or add agents."
        )


def _stamp_columns(origin: np.datetime64, seconds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Seconds since ``origin`` -> datetime64[ns] (NaN -> NaT), every column in one conversion
    (pandas' own float-seconds rounding, so the stamps are those of ``pd.to_timedelta``)."""
    names = list(seconds)
    n = next(iter(seconds.values())).size
    flat = np.concatenate([np.asarray(seconds[k], dtype=float) for k in names]) if n else np.empty(0)
    check_stampable(origin, flat)
    ns = pd.to_timedelta(flat, unit="s").as_unit("ns").asi8
    nat = np.isnan(flat)
    stamps = np.where(nat, np.iinfo(np.int64).min, ns + origin.astype("datetime64[ns]").astype(np.int64)).view("M8[ns]")
    return {k: stamps[j * n:(j + 1) * n] for j, k in enumerate(names)}


def _strings(names: tuple[str | None, ...], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A ``str`` column of ``names[codes]`` (a code of -1 or a name None: missing)."""
    known = [x if x is not None else "" for x in names]
    codes = np.asarray(codes, dtype=np.int64)
    missing = np.asarray([x is None for x in names] + [True])[codes] if codes.size else np.zeros(0, bool)
    return pd.array(known, dtype="str").take(np.where(missing, -1, codes), allow_fill=True)


def calls_frame(calls: Calls, out: Outcome, start: dt.date, rules: Rules | None = None) -> pd.DataFrame:
    """The call records (see the module docstring for the schema)."""
    lab = rules or Rules()
    cb = lab.callbacks
    src = out.source  # the pre-drawn call each row copies (repeats: the first)
    arrival, patience, closes = out.arrival, out.patience, out.closes_at
    attempt, cb_flag = out.attempt, out.cb_flag
    code = _fates(out, cb_flag)
    connected = out.answered_at
    parts = _parts(calls, out, src, code)
    handle = parts["talk_s"] + parts["hold_s"] + parts["wrap_s"]
    plain_end = np.where(np.isnan(connected), arrival + patience, connected + np.nan_to_num(handle))
    ended = np.where(np.isnan(out.ended_at), plain_end, out.ended_at)
    ended = np.where(code == Fate.CALLBACK_REQUESTED, np.nan, ended)
    accepted = out.cb_accepted_at
    answered_at, offered, on_time = callback_columns(cb, connected, arrival, patience, out.cb_offered, cb_flag, accepted,
                                                     out.cb_first_attempt)
    wait = np.where(np.isnan(answered_at), np.where(np.isnan(accepted), patience, accepted - arrival), answered_at - arrival)
    transferred = ~np.isnan(out.first_handle) | (code == Fate.TRANSFER_FALLBACK_CASE)
    case = calls.case[src]
    derived = {  # the columns not taken as they are from a per-call field
        "call_id": np.arange(src.size, dtype=np.int64),
        "answered_at": answered_at,
        "ended_at": ended,
        "fate": _strings(FATES, code),
        "wait_s": wait,
        **parts,
        "handle_s": handle,
        "logged": (calls.logged[src] & ~np.isnan(connected) & ~np.isin(code, PHONE_CASES)) | out.logged_case,
        "after_close": ~np.isnan(answered_at) & (answered_at >= closes),
        "displaced": calls.displaced[src] & (attempt == 1),
        "case_type": _strings(lab.case_types, case),
        "group": _strings(lab.groups[:1], np.zeros(src.size, dtype=np.int64)),
        "transfer": _strings(("none", lab.transfer_policy), transferred.astype(np.int64)),
        "group2": _strings(lab.case_targets, np.where(transferred, case, -1)) if transferred.any() else np.full(src.size, None),
        "callback_offered": offered,
        "callback_on_time": on_time,
    }
    values = {c.name: derived[c.name] if c.name in derived else getattr(out, COLUMN_FIELD[c.name]) for c in RECORD}
    stamps = _stamp_columns(np.datetime64(start, "ns"), {k: values[k] for k in STAMP_COLUMNS})
    columns = {c.name: stamps[c.name] if c.dtype == T else _ints(values[c.name], values[c.name] >= 0) if c.dtype == "Int64"
               else values[c.name] for c in RECORD}
    if src.size and (np.diff(arrival) < 0).any():  # repeat contacts were appended: sort by arrival
        order = np.argsort(arrival, kind="stable")
        new_id = np.empty(order.size, dtype=np.int64)
        new_id[order] = np.arange(order.size)
        columns = {k: (v if k == "call_id" else v[order]) for k, v in columns.items()}
        columns["customer_id"] = new_id[columns["customer_id"]]
    return pd.DataFrame(columns, copy=False)


def bin_segments(starts: np.ndarray, ends: np.ndarray, edges: np.ndarray, weights: np.ndarray | None = None,
                 rows: np.ndarray | None = None, n_rows: int = 1) -> np.ndarray:
    """Total (weighted) length of the segments ``[starts, ends)`` falling in each bin
    ``[edges[j], edges[j+1])``; with ``rows`` (0..n_rows-1 per segment) one row of bins each.

    Each segment adds its own overlap with the bins it touches: its two end pieces (each
    shorter than a bin) and whole bins in between (counted as integers), so the result is
    exact to the rounding of one piece wherever it lies in the run -- no running sums that
    drift with the run's length -- and a bin no segment touches is exactly zero.
    """
    edges = np.asarray(edges, dtype=float)
    m = edges.size - 1
    s = np.clip(np.asarray(starts, dtype=float), edges[0], edges[-1])
    e = np.clip(np.asarray(ends, dtype=float), edges[0], edges[-1])
    w = np.ones(s.size) if weights is None else np.asarray(weights, dtype=float)
    r = np.zeros(s.size, dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
    keep = (e > s) & (w != 0)
    s, e, w, r = s[keep], e[keep], w[keep], r[keep]
    a = np.minimum(np.searchsorted(edges, s, side="right") - 1, m - 1)  # bin holding the start
    b = np.searchsorted(edges, e, side="right") - 1  # bin holding the end (m: the last edge)
    size = n_rows * (m + 1)
    one = a == b
    head = np.where(one, e - s, edges[a + 1] - s)
    tail = np.where(one, 0.0, e - edges[np.minimum(b, m)])
    out = np.bincount(r * (m + 1) + a, w * head, size) + np.bincount(r * (m + 1) + b, w * tail, size)
    inner = b > a + 1  # whole bins a+1 .. b-1, as counts times the bin width
    steps = np.bincount(r[inner] * (m + 1) + a[inner] + 1, w[inner], size) - np.bincount(r[inner] * (m + 1) + b[inner], w[inner], size)
    whole = np.cumsum(steps.reshape(n_rows, m + 1), axis=1)[:, :m] * np.diff(edges)
    out = out.reshape(n_rows, m + 1)[:, :m] + whole
    return out[0] if rows is None else out


def _staffed(schedule: Schedule, edges: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """Scheduled agent-seconds per interval from the step function (of ``counts``, default
    the agents on the phones)."""
    t = schedule.times
    counts = schedule.counts if counts is None else counts
    if t.size == 0:
        return np.zeros(edges.size - 1)
    return bin_segments(t[:-1], t[1:], edges, counts[:-1])


def _overtime_segments(schedule: Schedule, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The parts of presence segments after the closing that follows their start."""
    closes = schedule.times[~schedule.open_]
    if closes.size == 0 or start.size == 0:
        return np.empty(0), np.empty(0)
    c = closes[np.clip(np.searchsorted(closes, start, side="right"), 0, closes.size - 1)]
    lo = np.maximum(start, c)
    keep = end > lo
    return lo[keep], end[keep]


def busy_segments(calls: Calls, out: Outcome) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(agent, start, end) of every busy period: plain answered calls are derived from the
    records; the model logs the others (transfers, callbacks) explicitly."""
    plain = (out.fate == Fate.DERIVE) & ~np.isnan(out.answered_at)  # repeat contacts included
    starts = out.answered_at[plain]
    handle = calls.handle[out.source[plain]]
    return (
        np.concatenate([out.agent[plain], np.asarray(out.busy_agent, dtype=np.int64)]),
        np.concatenate([starts, np.asarray(out.busy_start, dtype=float)]),
        np.concatenate([starts + handle, np.asarray(out.busy_end, dtype=float)]),
    )


def agent_log(
    calls: Calls, out: Outcome, schedules: Schedule | list[Schedule], start: dt.date, interval_min: int,
    groups: tuple[str, ...] = ("first_line",),
) -> pd.DataFrame:
    """Per agent group and interval: agent-seconds staffed, present, busy, idle, overtime."""
    schedules = [schedules] if isinstance(schedules, Schedule) else schedules
    step = 60.0 * interval_min
    p_agent = np.asarray(out.present_agent, dtype=np.int64)
    p_group = np.asarray(out.present_group, dtype=np.int64)
    p_start = np.asarray(out.present_start, dtype=float)
    p_end = np.asarray(out.present_end, dtype=float)
    horizon = max([float(p_end.max(initial=0.0)), *(float(s.times.max(initial=0.0)) for s in schedules)])
    edges = step * np.arange(int(np.ceil(horizon / step)) + 2, dtype=float)
    b_agent, b_start, b_end = busy_segments(calls, out)
    group_of = np.zeros(int(max(p_agent.max(initial=0), b_agent.max(initial=0))) + 1, dtype=np.int64)
    group_of[p_agent] = p_group
    n = len(schedules)
    staffed = np.stack([_staffed(sch, edges) for sch in schedules])
    breaks = np.stack([_staffed(sch, edges, sch.on_break) if sch.on_break is not None else np.zeros(edges.size - 1) for sch in schedules])
    present = bin_segments(p_start, p_end, edges, rows=p_group, n_rows=n)
    busy = bin_segments(b_start, b_end, edges, rows=group_of[b_agent], n_rows=n)
    o_start, o_end, o_group = [], [], []
    for g, sch in enumerate(schedules):
        mine = p_group == g
        lo, hi = _overtime_segments(sch, p_start[mine], p_end[mine])
        o_start.append(lo)
        o_end.append(hi)
        o_group.append(np.full(lo.size, g, dtype=np.int64))
    overtime = bin_segments(np.concatenate(o_start), np.concatenate(o_end), edges, rows=np.concatenate(o_group), n_rows=n)
    # busy and overtime periods lie within presence; the minimum only removes rounding
    busy, overtime = np.minimum(busy, present), np.minimum(overtime, present)
    row, col = np.nonzero((staffed > 0) | (present > 0) | (breaks > 0))
    stamps = _stamp_columns(np.datetime64(start, "ns"), {"interval_start": edges[col]})
    return pd.DataFrame(
        {
            "group": _strings(tuple(groups), row),
            "interval_start": stamps["interval_start"],
            "staffed_s": staffed[row, col],
            "present_s": present[row, col],
            "busy_s": busy[row, col],
            "idle_s": present[row, col] - busy[row, col],
            "overtime_s": overtime[row, col],
            "break_s": breaks[row, col],
        },
        copy=False,
    )

"""Tidy tables of one replication: the call records and the per-interval agent log.

Call records (one row per offered call, sorted by arrival):

=============  ================  ===========================================================
column         dtype             meaning
=============  ================  ===========================================================
call_id        int64             0..n-1 in arrival order
arrival        datetime64[ns]    when the call was offered
answered_at    datetime64[ns]    when an agent picked it up (NaT if not answered)
ended_at       datetime64[ns]    answered: end of after-call work; abandoned: hang-up time
fate           str               ``answered`` or ``abandoned``
wait_s         float64           time in queue (to answer or to hanging up)
talk_s         float64           talk time (NaN if not answered)
hold_s         float64           hold time (NaN if not answered)
wrap_s         float64           after-call work (NaN if not answered)
handle_s       float64           talk + hold + wrap (NaN if not answered)
patience_s     float64           the caller's patience (inf: never abandons)
agent          Int64             agent who answered (<NA> if not answered)
logged         bool              handled call logged as a case (False if not answered)
after_close    bool              answered after the line had closed (queue served late)
closes_at      datetime64[ns]    closing time of the open period the call arrived in
displaced      bool              caller who first tried while the line was closed
=============  ================  ===========================================================

Agent log (one row per interval with any staffed or present agent time), all in
agent-seconds: ``interval_start``, ``staffed_s`` (scheduled), ``present_s`` (actually there,
including finishing a call after a shift and serving the queue after closing), ``busy_s``,
``idle_s`` (present − busy) and ``overtime_s`` (present after closing).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sim.arrivals import Calls
from sim.model import Outcome
from sim.staffing import Schedule

CALL_COLUMNS: tuple[str, ...] = (
    "call_id", "arrival", "answered_at", "ended_at", "fate", "wait_s", "talk_s", "hold_s",
    "wrap_s", "handle_s", "patience_s", "agent", "logged", "after_close", "closes_at", "displaced",
)


def _stamps(origin: np.datetime64, seconds: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(origin + pd.to_timedelta(seconds, unit="s"))


def calls_frame(calls: Calls, out: Outcome, start: dt.date) -> pd.DataFrame:
    """The call records (see the module docstring for the schema)."""
    origin = np.datetime64(start, "ns")
    answered = ~np.isnan(out.answered_at)
    handle = np.where(answered, calls.handle, np.nan)
    ended = np.where(answered, out.answered_at + calls.handle, calls.arrival + calls.patience)
    wait = np.where(answered, out.answered_at - calls.arrival, calls.patience)

    def part(a: np.ndarray) -> np.ndarray:
        return np.where(answered, a, np.nan)

    return pd.DataFrame(
        {
            "call_id": np.arange(len(calls), dtype=np.int64),
            "arrival": _stamps(origin, calls.arrival),
            "answered_at": _stamps(origin, out.answered_at),
            "ended_at": _stamps(origin, ended),
            "fate": np.where(answered, "answered", "abandoned"),
            "wait_s": wait,
            "talk_s": part(calls.talk),
            "hold_s": part(calls.hold),
            "wrap_s": part(calls.wrap),
            "handle_s": handle,
            "patience_s": calls.patience,
            "agent": pd.arrays.IntegerArray(np.where(answered, out.agent, 0), ~answered),
            "logged": calls.logged & answered,
            "after_close": answered & (out.answered_at >= calls.closes_at),
            "closes_at": _stamps(origin, calls.closes_at),
            "displaced": calls.displaced,
        },
        columns=list(CALL_COLUMNS),
    )


def bin_segments(starts: np.ndarray, ends: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Total length of the segments ``[starts, ends)`` falling in each ``[edges[j], edges[j+1])``.

    Uses F(x) = Σ max(0, min(x, e) − s), the overlap integral up to x, evaluated at the
    edges with sorted cumulative sums: O((n + m) log n), no loop over segments.
    """
    s = np.sort(np.asarray(starts, dtype=float) - edges[0])
    e = np.sort(np.asarray(ends, dtype=float) - edges[0])
    x = edges - edges[0]
    cs = np.concatenate([[0.0], np.cumsum(s)])
    ce = np.concatenate([[0.0], np.cumsum(e)])
    ks = np.searchsorted(s, x, side="right")
    ke = np.searchsorted(e, x, side="right")
    big_f = (ks * x - cs[ks]) - (ke * x - ce[ke])
    return np.diff(big_f)


def _staffed(schedule: Schedule, edges: np.ndarray) -> np.ndarray:
    """Scheduled agent-seconds per interval from the step function."""
    t = schedule.times
    if t.size == 0:
        return np.zeros(edges.size - 1)
    integral = np.concatenate([[0.0], np.cumsum(schedule.counts[:-1] * np.diff(t))])
    return np.diff(np.interp(edges, t, integral))


def _overtime_segments(schedule: Schedule, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The parts of presence segments after the closing that follows their start."""
    closes = schedule.times[~schedule.open_]
    if closes.size == 0 or start.size == 0:
        return np.empty(0), np.empty(0)
    c = closes[np.clip(np.searchsorted(closes, start, side="right"), 0, closes.size - 1)]
    lo = np.maximum(start, c)
    keep = end > lo
    return lo[keep], end[keep]


def agent_log(
    calls: Calls, out: Outcome, schedule: Schedule, start: dt.date, interval_min: int
) -> pd.DataFrame:
    """Per-interval agent-seconds staffed, present, busy, idle and overtime."""
    step = 60.0 * interval_min
    p_start = np.asarray(out.present_start, dtype=float)
    p_end = np.asarray(out.present_end, dtype=float)
    horizon = max(float(p_end.max(initial=0.0)), float(schedule.times.max(initial=0.0)))
    edges = step * np.arange(int(np.ceil(horizon / step)) + 2, dtype=float)
    answered = ~np.isnan(out.answered_at)
    busy_start = out.answered_at[answered]
    o_start, o_end = _overtime_segments(schedule, p_start, p_end)
    frame = pd.DataFrame(
        {
            "interval_start": _stamps(np.datetime64(start, "ns"), edges[:-1]),
            "staffed_s": _staffed(schedule, edges),
            "present_s": bin_segments(p_start, p_end, edges),
            "busy_s": bin_segments(busy_start, busy_start + calls.handle[answered], edges),
            "overtime_s": bin_segments(o_start, o_end, edges),
        }
    )
    frame["idle_s"] = frame["present_s"] - frame["busy_s"]
    frame = frame[(frame["staffed_s"] > 0) | (frame["present_s"] > 0)].reset_index(drop=True)
    return frame[["interval_start", "staffed_s", "present_s", "busy_s", "idle_s", "overtime_s"]]

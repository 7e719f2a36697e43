"""One interval table from either export: offered, answered, abandoned and waits per interval.

Demand, forecast, staffing and the back-test all work on this table, so a call log and an
interval report are calibrated by the same code; only patience, balking and handle-time
distributions need the per-call rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.history.readers import CallLog, IntervalReport

COLUMNS: tuple[str, ...] = ("period", "date", "minute", "offered", "answered", "abandoned", "within", "wait_all_s", "aht_s", "agents")
"""``wait_all_s``: total time waited by all callers of the interval (answered and abandoned);
``within``: answered within the threshold (NaN when the report does not say)."""


def from_calls(log: CallLog, step: int) -> pd.DataFrame:
    """Aggregate a call log onto a ``step``-minute grid (sums over runs of equal intervals of
    the log in arrival order: no grouping table is built)."""
    c = log.calls
    arrival = c["arrival"].to_numpy(dtype="datetime64[ns]")
    period = arrival.astype("datetime64[m]").astype(np.int64) // step * step  # minutes since 1970, floored
    order = np.argsort(period, kind="stable") if (period[1:] < period[:-1]).any() else slice(None)
    period = period[order]
    starts = np.flatnonzero(np.r_[True, period[1:] != period[:-1]]) if len(period) else np.array([], dtype=int)
    ans = (c["fate"] == "answered").to_numpy(dtype=bool)[order]
    wait = c["wait_s"].to_numpy(dtype=float)[order]

    def total(x: np.ndarray) -> np.ndarray:
        return np.add.reduceat(x, starts) if len(starts) else x[:0]

    answered = total(ans.astype(np.int64))
    handle = total(np.where(ans, c["handle_s"].to_numpy(dtype=float)[order], 0.0))
    g = pd.DataFrame(
        {
            "period": pd.to_datetime(period[starts], unit="m"),
            "offered": np.diff(np.r_[starts, len(period)]),
            "answered": answered,
            "abandoned": total((~ans).astype(np.int64)),
            "within": total((ans & (wait <= log.threshold_s)).astype(np.int64)),
            "wait_all_s": total(wait),
            "aht_s": handle / np.where(answered > 0, answered, np.nan),
            "agents": np.nan,
        }
    )
    g["period"] = g["period"].astype("datetime64[ns]")
    return _finish(g)


def from_report(rep: IntervalReport) -> pd.DataFrame:
    """The report's rows in the common form (total wait from ASA and, when given, the
    abandoned callers' mean wait; without it abandoned callers are counted with the ASA)."""
    r = rep.intervals
    ab_wait = r["abandon_wait_s"].where(r["abandon_wait_s"].notna(), r["asa_s"])
    g = pd.DataFrame(
        {
            "period": r["period"],
            "offered": r["offered"],
            "answered": r["answered"],
            "abandoned": r["abandoned"],
            "within": r["within"],
            "wait_all_s": r["asa_s"].fillna(0.0) * r["answered"] + ab_wait.fillna(0.0) * r["abandoned"],
            "aht_s": r["aht_s"],
            "agents": r["agents"],
        }
    )
    return _finish(g)


def _finish(g: pd.DataFrame) -> pd.DataFrame:
    g["date"] = g["period"].dt.normalize()
    g["minute"] = g["period"].dt.hour * 60 + g["period"].dt.minute
    for c in ("offered", "answered", "abandoned"):
        g[c] = g[c].astype(float)
    return g[list(COLUMNS)].reset_index(drop=True)


def daily(table: pd.DataFrame) -> pd.DataFrame:
    """Per-date totals and KPIs of an interval table."""
    d = table.groupby("date").agg(
        offered=("offered", "sum"),
        answered=("answered", "sum"),
        abandoned=("abandoned", "sum"),
        within=("within", lambda s: s.sum(min_count=1)),
        wait_all_s=("wait_all_s", "sum"),
    )
    d["availability"] = d["answered"] / d["offered"]
    d["abandon_share"] = d["abandoned"] / d["offered"]
    d["service_level"] = d["within"] / d["offered"]
    d["mean_wait_all_s"] = d["wait_all_s"] / d["offered"]
    return d.reset_index()

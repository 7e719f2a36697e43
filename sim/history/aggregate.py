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
    """Aggregate a call log onto a ``step``-minute grid."""
    c = log.calls
    period = c["arrival"].dt.floor(f"{step}min")
    ans = c["fate"].eq("answered")
    frame = pd.DataFrame(
        {
            "period": period,
            "offered": 1,
            "answered": ans.astype(int),
            "abandoned": (~ans).astype(int),
            "within": (ans & (c["wait_s"] <= log.threshold_s)).astype(int),
            "wait_all_s": c["wait_s"],
            "handle": c["handle_s"].where(ans, 0.0),
        }
    )
    g = frame.groupby("period", sort=True).sum()
    g["aht_s"] = g.pop("handle") / g["answered"].where(g["answered"] > 0)
    g["agents"] = np.nan
    return _finish(g.reset_index())


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

"""The case KPIs, as pure functions of the case record table.

The case records (one row per case) are declared and built on the model's side
(:data:`sim.model.cases.CASE_RECORD`, with their invariants, :func:`sim.model.cases.check_case_records`);
the functions here need only the columns they read.

KPIs per period P (a case belongs to the period of its ``arrival`` unless said otherwise):

========================  ==================================================================
cases_arrived             cases that arrived in P
cases_handled             cases *finished* in P
case_within_target        met / (cases whose ``met_target`` is known), all kinds
within_target_<kind>      the same per kind (NaN when the kind had no known case in P)
work_h_mean, work_h_p90   mean and 90th percentile (type 7) of ``work_h`` of cases finished
                          in P: time to resolution in working hours
backlog_end               cases arrived before the end of P and not finished by then
case_busy_s               agent-seconds spent on cases that started in P (a case's time is
                          put in the period it started; intervals shorter than a case get it
                          whole)
========================  ==================================================================
"""

from __future__ import annotations

import pandas as pd
from pandas.tseries.frequencies import to_offset

from sim.analysis.kpis import PERCENTILE, period_start
from sim.catalogue import KIND_SHARE


def _share(flags: pd.Series) -> float:
    known = flags.dropna()
    return float(known.astype(bool).mean()) if len(known) else float("nan")


def _period_ends(starts: pd.Index, freq: str) -> pd.DatetimeIndex:
    # the end of a labelled period is the start of the next one
    return pd.DatetimeIndex([s + to_offset(freq) for s in starts])


def case_kpis(cases: pd.DataFrame, freq: str = "D", kinds: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Case KPI table per period (see the module docstring), indexed by period start."""
    kinds = kinds if kinds is not None else tuple(dict.fromkeys(cases["kind"]))
    arr = period_start(cases["arrival"], freq)
    fin = period_start(cases["finished_at"].dropna(), freq)
    start = period_start(cases["started_at"].dropna(), freq)
    labels = pd.DatetimeIndex(sorted(set(arr.dropna()) | set(fin.dropna())), name="period")
    out = pd.DataFrame(index=labels)
    out["cases_arrived"] = arr.value_counts().reindex(labels, fill_value=0).astype("int64")
    out["cases_handled"] = fin.value_counts().reindex(labels, fill_value=0).astype("int64")
    met = cases["met_target"].astype("boolean")
    out["case_within_target"] = [_share(met[arr == p]) for p in labels]
    for k in kinds:
        sel = cases["kind"] == k
        out[f"{KIND_SHARE}{k}"] = [_share(met[(arr == p) & sel]) for p in labels]
    work = cases.loc[fin.index, "work_h"]
    out["work_h_mean"] = work.groupby(fin).mean().reindex(labels)
    out["work_h_p90"] = work.groupby(fin).quantile(PERCENTILE).reindex(labels)
    ends = _period_ends(labels, freq)
    a = cases["arrival"].to_numpy()
    f = cases["finished_at"].to_numpy()
    out["backlog_end"] = [int(((a < e) & ~(f < e)).sum()) for e in ends.to_numpy()]
    busy = cases.loc[start.index, "handle_s"].groupby(start).sum()
    out["case_busy_s"] = busy.reindex(labels, fill_value=0.0).astype(float)
    return out


def case_summary(cases: pd.DataFrame, kinds: tuple[str, ...], share_min: float, run_end: pd.Timestamp | None = None) -> dict[str, float]:
    """One replication's case KPIs over the whole run, and whether the case targets are met
    (``case_targets_met``: every kind's share within target is at least ``share_min``; a
    kind without any known case does not count against it)."""
    met = cases["met_target"].astype("boolean")
    done = cases["status"] == "handled"
    row: dict[str, float] = {
        "cases_arrived": float(len(cases)),
        "cases_handled": float(done.sum()),
        "cases_open": float((~done).sum()),
        "case_within_target": _share(met),
        "work_h_mean": float(cases.loc[done, "work_h"].mean()) if done.any() else float("nan"),
        "work_h_p90": float(cases.loc[done, "work_h"].quantile(PERCENTILE)) if done.any() else float("nan"),
    }
    ok = True
    for k in kinds:
        share = _share(met[cases["kind"] == k])
        row[f"{KIND_SHARE}{k}"] = share
        ok = ok and not (share == share and share < share_min)
    row["case_targets_met"] = float(ok)
    if run_end is not None:
        row["backlog_end"] = float(((cases["arrival"] < run_end) & ~(cases["finished_at"] < run_end)).sum())
    return row


__all__ = ["CASE_KPI_COLUMNS", "KIND_SHARE", "add_case_kpis", "case_kpis", "case_met", "case_summary"]


# KIND_SHARE, the prefix of a case kind's share handled within its limit (within_target_fault_report),
# is declared with the KPI catalogue (sim.catalogue) and imported above.

CASE_KPI_COLUMNS: tuple[str, ...] = (
    "cases_arrived", "cases_handled", "case_within_target", "work_h_mean", "work_h_p90", "backlog_end", "case_busy_s",
)
"""Case KPI columns added to a replication's KPI rows (plus ``within_target_<kind>``)."""


def case_met(table: pd.DataFrame, kinds: tuple[str, ...], share_min: float) -> pd.Series:
    """Per row: every kind's share within target is at least ``share_min`` (True), one is
    below (False), or no kind had a known case (NA)."""
    out = pd.Series(pd.NA, index=table.index, dtype="boolean")
    for k in kinds:
        share = table[f"{KIND_SHARE}{k}"].astype(float)
        met = pd.Series(pd.arrays.BooleanArray((share >= share_min).to_numpy(), share.isna().to_numpy()), index=table.index)
        out = met if out.isna().all() and k == kinds[0] else out & met
    return out


def add_case_kpis(
    judged: pd.DataFrame, cases: pd.DataFrame, freq: str | None, kinds: tuple[str, ...], share_min: float,
    run_start: pd.Timestamp, run_end: pd.Timestamp,
) -> pd.DataFrame:
    """Judged phone KPI rows (column ``period``) with the case KPIs merged in, ``case_met``
    and ``all_met`` requiring the case targets too (three-valued, like the phone targets).
    Periods with cases but no calls (weekends, red days) get a row with NaN phone KPIs.
    ``freq=None`` is the whole run: one row at ``run_start``, backlog at ``run_end``."""
    if freq is None:
        row = case_summary(cases, kinds, share_min, run_end)
        table = pd.DataFrame([{k: row[k] for k in (*CASE_KPI_COLUMNS[:-1], *(f"{KIND_SHARE}{k}" for k in kinds)) if k in row}])
        table["case_busy_s"] = float(cases.loc[cases["started_at"].notna(), "handle_s"].sum())
        table["period"] = run_start
    else:
        table = case_kpis(cases, freq, kinds).rename_axis("period").reset_index()
    table["case_met"] = case_met(table, kinds, share_min)
    # outer: a day without phone calls (a weekend) still carries the cases that arrived on it
    out = judged.merge(table, on="period", how="outer").sort_values("period", kind="stable").reset_index(drop=True)
    out["case_met"] = out["case_met"].astype("boolean")
    out["all_met"] = out["all_met"].astype("boolean") & out["case_met"].fillna(True)
    return out

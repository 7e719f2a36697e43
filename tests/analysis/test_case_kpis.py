"""Case KPIs on hand-built case tables."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.analysis.case_kpis import case_kpis, case_summary
from sim.model.cases import CASE_COLUMNS, check_case_records, met_target

T = pd.Timestamp


def table(rows: list[tuple]) -> pd.DataFrame:
    """rows: (kind, arrival, due, started, finished, handle_s, work_h)."""
    recs = []
    for i, (kind, arr, due, st, fin, h, w) in enumerate(rows):
        recs.append({
            "case_id": i, "channel": "email", "source": "email", "kind": kind, "call_id": pd.NA,
            "arrival": T(arr), "due_at": T(due), "target_h": 4.0 if kind == "fault_report" else 8.0,
            "started_at": T(st) if st else pd.NaT, "finished_at": T(fin) if fin else pd.NaT,
            "agent": 1 if st else pd.NA, "group": "first_line" if st else None, "handle_s": h,
            "status": "handled" if fin else "open", "work_h": w, "met_target": pd.NA,
        })
    f = pd.DataFrame(recs, columns=list(CASE_COLUMNS))
    f["call_id"] = f["call_id"].astype("Int64")
    f["agent"] = f["agent"].astype("Int64")
    f["met_target"] = met_target(f, T("2026-12-03 00:00"))
    return f


CASES = table([
    # day 1: two fault reports (one late), one order on time
    ("fault_report", "2026-12-01 09:00", "2026-12-01 13:00", "2026-12-01 10:00", "2026-12-01 10:10", 600.0, 1 + 1 / 6),
    ("fault_report", "2026-12-01 10:00", "2026-12-01 14:00", "2026-12-01 15:00", "2026-12-01 15:20", 1200.0, 5 + 1 / 3),
    ("case_order", "2026-12-01 22:00", "2026-12-02 16:00", "2026-12-02 08:00", "2026-12-02 08:30", 1800.0, 0.5),
    # day 2: an order still open, due after the run end (unknown); a fault report open and overdue
    ("case_order", "2026-12-02 12:00", "2026-12-03 11:00", None, None, 900.0, float("nan")),
    ("fault_report", "2026-12-02 09:00", "2026-12-02 13:00", None, None, 300.0, float("nan")),
])


def test_met_target_handled_open_overdue_and_unknown() -> None:
    assert CASES["met_target"].tolist() == [True, False, True, pd.NA, False]


def test_daily_case_kpis() -> None:
    k = case_kpis(CASES, "D", kinds=("fault_report", "case_order"))
    d1, d2 = k.loc[T("2026-12-01")], k.loc[T("2026-12-02")]
    assert (d1["cases_arrived"], d1["cases_handled"]) == (3, 2)
    assert (d2["cases_arrived"], d2["cases_handled"]) == (2, 1)
    assert d1["case_within_target"] == pytest.approx(2 / 3)
    assert d1["within_target_fault_report"] == 0.5 and d1["within_target_case_order"] == 1.0
    assert d2["case_within_target"] == 0.0  # the open order is unknown, the overdue fault report missed
    assert pd.isna(d2["within_target_case_order"])
    assert d1["work_h_mean"] == pytest.approx((1 + 1 / 6 + 5 + 1 / 3) / 2)
    assert d1["work_h_p90"] == pytest.approx(1 + 1 / 6 + 0.9 * (5 + 1 / 3 - 1 - 1 / 6))
    assert d2["work_h_mean"] == 0.5
    assert d1["backlog_end"] == 1  # the 22:00 order
    assert d2["backlog_end"] == 2  # the two open cases
    assert d1["case_busy_s"] == 1800.0 and d2["case_busy_s"] == 1800.0


def test_monthly_case_kpis() -> None:
    k = case_kpis(CASES, "MS")
    assert len(k) == 1
    m = k.iloc[0]
    assert (m["cases_arrived"], m["cases_handled"], m["backlog_end"]) == (5, 3, 2)
    assert m["case_within_target"] == pytest.approx(2 / 4)


def test_summary_and_targets_met() -> None:
    s = case_summary(CASES, ("fault_report", "case_order"), 0.9, T("2026-12-03"))
    assert s["cases_arrived"] == 5 and s["cases_handled"] == 3 and s["cases_open"] == 2
    assert s["within_target_fault_report"] == pytest.approx(1 / 3)
    assert s["within_target_case_order"] == 1.0
    assert s["case_targets_met"] == 0.0
    assert s["backlog_end"] == 2
    ok = case_summary(CASES[CASES["kind"] == "case_order"], ("fault_report", "case_order"), 0.9)
    assert ok["case_targets_met"] == 1.0  # no known fault report does not count against it


def test_record_invariants_catch_a_lost_state() -> None:
    check_case_records(CASES)
    bad = CASES.copy()
    bad.loc[0, "status"] = "dropped"
    with pytest.raises(AssertionError, match="final state"):
        check_case_records(bad)
    bad = CASES.copy()
    bad.loc[3, "started_at"] = T("2026-12-02 13:00")
    with pytest.raises(AssertionError, match="open case was started"):
        check_case_records(bad)

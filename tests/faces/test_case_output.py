"""The single run with cases on: the case files and the summary lines."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import sim
from sim.faces.output import write_run
from sim.model.cases import CASE_COLUMNS


def test_run_folder_and_summary_with_cases(tmp_path: Path) -> None:
    s = sim.load_scenario(overrides=["cases=on", "run.end=2026-12-03", "staffing=flat", "staffing.agents=14"])
    summary = write_run(s, tmp_path, seed=4)
    cases = pd.read_parquet(tmp_path / "cases.parquet")
    assert list(cases.columns) == list(CASE_COLUMNS)
    day = pd.read_csv(tmp_path / "kpi_cases_day.csv")
    assert day["cases_arrived"].sum() == len(cases)
    assert (tmp_path / "kpi_cases_month.csv").is_file()
    text = summary.text
    assert f"Cases: {len(cases)} arrived, {(cases['status'] == 'handled').sum()} handled" in text
    assert "fault_report     within 4 working h" in text and "case_order       within 8 working h" in text
    assert "days on which a case target was missed" in text and "targets.case_share_min, an assumption" in text
    assert (tmp_path / "daily_cases.png").stat().st_size > 10_000


def test_case_files_judge_each_kind_and_count_the_days_missed(tmp_path: Path) -> None:
    # 2 agents on the phones cannot keep up with the cases: some days miss a case target
    s = sim.load_scenario(overrides=["cases=on", "run.end=2026-12-04", "staffing=flat", "staffing.agents=2"])
    write_run(s, tmp_path, seed=4)
    day = pd.read_csv(tmp_path / "kpi_cases_day.csv", parse_dates=["period"])
    share_min = s.targets.case_share_min
    for kind in s.cases.kinds:
        share, met = day[f"within_target_{kind}"], day[f"within_target_{kind}_met"]
        known = share.notna()
        assert (met[known].astype(bool) == (share[known] >= share_min)).all()
        assert met[~known].isna().all()
    expected = pd.concat([day[f"within_target_{k}"] >= share_min for k in s.cases.kinds], axis=1)
    rows = day[[f"within_target_{k}" for k in s.cases.kinds]].notna().all(axis=1)
    assert (day.loc[rows, "case_met"].astype(bool) == expected[rows].all(axis=1)).all()
    assert (day["case_share_min"] == share_min).all()
    month = pd.read_csv(tmp_path / "kpi_cases_month.csv", parse_dates=["period"])
    assert month["case_days_missed"].sum() == int(day["case_met"].eq(False).sum()) > 0


def test_no_case_files_or_lines_with_cases_off(tmp_path: Path) -> None:
    s = sim.load_scenario(overrides=["run.end=2026-12-02"])
    summary = write_run(s, tmp_path, seed=4)
    assert not (tmp_path / "cases.parquet").exists()
    assert "Cases:" not in summary.text


STRESS_2 = ["cases=on", "transfers=warm", "transfers.prefer_callback_share=1", "staffing=flat", "staffing.agents=1",
            "patience.dist=infinite", "patience.mean=null", "demand.volume=6000", "run.start=2026-12-01", "run.end=2026-12-01"]


def test_days_after_the_runs_end_are_no_days_of_the_run(tmp_path: Path) -> None:
    """Issue 23, stress item 2: one day run, one agent, infinite patience: the phone queue is
    served for three weeks and its calls make cases on those days. The summary said "1 of 21
    days" with 919 cases open and printed nan for the second line's agent time per call."""
    s = sim.load_scenario(overrides=STRESS_2)
    text = write_run(s, tmp_path).text
    day = pd.read_csv(tmp_path / "kpi_cases_day.csv", parse_dates=["period"])
    after = day[day["after_run_end"]]
    assert len(after) > 5 and (after["period"] > pd.Timestamp("2026-12-01")).all()
    assert not day.loc[~day["after_run_end"], "period"].gt(pd.Timestamp("2026-12-01")).any()
    cases = pd.read_parquet(tmp_path / "cases.parquet")
    n_open = int((cases["status"] == "open").sum())
    assert n_open > 500
    last = pd.read_parquet(tmp_path / "calls.parquet")["ended_at"].max()
    assert f"{n_open} still open when the simulation ended on {last:%Y-%m-%d}" in text, text
    assert "days on which a case target was missed: 1 of 1 day of the run with cases" in text, text
    assert (f"{int(after['cases_arrived'].sum())} cases arrived on {len(after)} days after the run's end "
            f"(2026-12-02 to {after['period'].max():%Y-%m-%d})") in text, text
    month = pd.read_csv(tmp_path / "kpi_cases_month.csv")
    assert month["case_days_missed"].tolist() == [1]
    assert "nan" not in text and "second_line: 0 calls handled, so no agent time per call" in text, text
    assert "no consultation, so no consultation wait" in text and "2026-12: 1 open day;" in text


def test_no_case_resolved_is_said_in_words(tmp_path: Path) -> None:
    s = sim.load_scenario(overrides=["cases=on", "staffing=flat", "staffing.agents=0", "run.start=2026-12-01", "run.end=2026-12-01"])
    text = write_run(s, tmp_path).text
    assert "nan" not in text and "0 handled" in text and "no case resolved in the run, so no time to resolution" in text, text
    assert "(no busy time)" in text and " open at the end;" in text

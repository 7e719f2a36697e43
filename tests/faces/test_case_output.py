"""The single run with cases on: the case files and the summary lines."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import sim
from sim.analysis.cases import CASE_COLUMNS
from sim.faces.output import write_run


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


def test_no_case_files_or_lines_with_cases_off(tmp_path: Path) -> None:
    s = sim.load_scenario(overrides=["run.end=2026-12-02"])
    summary = write_run(s, tmp_path, seed=4)
    assert not (tmp_path / "cases.parquet").exists()
    assert "Cases:" not in summary.text

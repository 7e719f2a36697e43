"""``python -m sim.staff`` with case work on: the case KPIs of every plan and whether they meet the case targets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.faces.test_staff_cli import run_staff

# two days, one agent in a case team and blended agents who take a case only while 5 others stay
# idle: the phone plan (Erlang A) leaves the cases short; no search, the roster from Erlang A
CASES = ["+experiment=tiny", "staffing=fibra", "cases=on", "cases.reserve=5", "cases.dedicated={mode:constant,agents:1}",
         "staff.search=false", "staff.roster_from=erlang_a", "staff.replications=3", "staff.verify_replications=3",
         "staff.roster_rounds=4", "staff.workers=1"]
KINDS = ("fault report", "case order")


@pytest.fixture(scope="module")
def staffed(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("staff_cases") / "tiny"
    return run_staff(*CASES, f"staff.out_dir={out}"), out


def test_the_loop_goes_on_while_the_cases_miss(staffed) -> None:
    proc, out = staffed
    assert proc.returncode == 0, proc.stderr
    hist = pd.read_csv(out / "roster_history.csv", keep_default_na=False)
    assert "case_days_short" in hist.columns
    phones_met = hist[hist["intervals_missing"] == 0]
    # a round whose phones all met but whose cases did not: the phone-only loop stopped there
    assert (phones_met["case_days_short"] != "").any() and phones_met.index[0] < hist.index[-1]
    assert hist["case_days_short"].iloc[-1] == "" and hist["intervals_missing"].iloc[-1] == 0
    assert "every interval meets the targets and every weekday the case targets" in proc.stdout


def test_plans_show_the_case_kpis_and_verdicts(staffed) -> None:
    proc, out = staffed
    plans = pd.read_csv(out / "plans.csv", keep_default_na=False).set_index("plan")
    for kind in KINDS:
        col = f"{kind} cases within their limit (≥ 90 %)"
        assert plans.loc["Erlang A", col].endswith("misses") and plans.loc["roster (shifts with breaks)", col].endswith("meets")
        assert "%" in plans.loc["Erlang A", col] and "[" in plans.loc["Erlang A", col]  # mean [CI]
    assert plans.loc["Erlang A", "case targets"].startswith("NOT met") and plans.loc["roster (shifts with breaks)", "case targets"] == "met"
    assert plans.loc["Erlang A", "weekdays with cases short"] == "tue, wed"
    assert plans.loc["roster (shifts with breaks)", "weekdays with cases short"] == "none"
    assert "open cases at the end of the run" in plans.columns and "P(run meets the case targets)" in plans.columns
    cases = pd.read_csv(out / "plans_cases.csv")
    assert set(cases["plan"]) == {"erlang_a", "roster"}
    kinds = cases[cases["kpi"].str.startswith("within_target_")]
    assert set(kinds["target"]) == {"≥ 90 %"} and kinds[["ci_low", "ci_high", "verdict"]].notna().all().all()
    # the verdicts agree with the CIs: a kind misses when its whole CI is below 90 %, meets when none of it is
    assert (kinds.loc[kinds["verdict"] == "misses", "ci_high"] < 0.9).all()
    assert (kinds.loc[kinds["verdict"] == "meets", "ci_low"] >= 0.9).all()
    assert "cases within their limit: fault report" in proc.stdout and "case targets NOT met (misses)" in proc.stdout


def test_report_has_the_case_columns(staffed) -> None:
    _, out = staffed
    html = (out / "report.html").read_text()
    assert "Case work is on" in html and "case order cases within their limit" in html and "weekdays with cases short" in html
    assert "case_days_short" in html  # the loop's history


def test_cases_off_writes_no_case_columns(tmp_path: Path) -> None:
    # the cases-off check of sim.staff prints and writes what it did before (tests/faces/test_staff_cli.py runs the rest)
    from tests.faces.test_staff_cli import SMALL

    proc = run_staff(*SMALL, "staff.search=false", "staff.roster_from=erlang_a", "staff.roster_rounds=1", f"staff.out_dir={tmp_path}")
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "plans_cases.csv").exists() and "cases within their limit" not in proc.stdout
    assert list(pd.read_csv(tmp_path / "plans.csv").columns) == [
        "plan", "agent-hours per week", "on-phone hours (run)", "availability", "service_level", "asa_s", "aht_s", "occupancy",
        "P(run meets each target)", "P(all targets)", "days meeting all targets", "intervals missing (of)"]
    assert "case_days_short" not in pd.read_csv(tmp_path / "roster_history.csv").columns
    assert "Case work is on" not in (tmp_path / "report.html").read_text()

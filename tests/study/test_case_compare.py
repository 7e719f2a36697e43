"""Case KPIs in the comparison and its HTML report: each kind's share within its limit is judged
against ``targets.case_share_min`` ("at least": met at the bound), the other case KPIs are
compared as paired differences."""

from __future__ import annotations

import pytest

import sim
from sim.faces.report import comparison_report
from sim.study.compare import Comparison, compare

SHORT = ["run.end=2026-12-04", "staffing=flat", "staffing.agents=13", "cases=on"]


@pytest.fixture(scope="module")
def teams() -> Comparison:
    """Blended agents against a one-agent dedicated case team that cannot keep up."""
    scenarios = {
        "blended": sim.load_scenario(overrides=SHORT),
        "one_case_agent": sim.load_scenario(overrides=[*SHORT, "cases.blend=false", "cases.dedicated={mode: constant, agents: 1}"]),
    }
    return compare(scenarios, reps=3, seed=5, workers=1, levels=("day", "run"))


def test_each_case_kind_is_judged_against_the_case_share(teams: Comparison) -> None:
    t = teams.table.set_index(["scenario", "kpi"])
    kinds = [k for k in t.index.get_level_values("kpi").unique() if k.startswith("within_target_")]
    assert sorted(kinds) == ["within_target_case_order", "within_target_fault_report"]
    for label in teams.labels:
        for kind in kinds:
            row = t.loc[(label, kind)]
            assert row["target"] == "≥ 90 %"
            assert row["mean_met"] == (row["mean"] >= 0.9)
    assert t.loc[("one_case_agent", "within_target_case_order"), "verdict"] == "misses"
    for kpi in ("cases_arrived", "cases_handled", "case_within_target", "work_h_mean", "backlog_end"):
        assert (teams.labels[0], kpi) in t.index, kpi


def test_case_differences_are_paired_and_assessed(teams: Comparison) -> None:
    d = teams.differences.set_index("kpi")
    assert d.loc["cases_arrived", "assessment"] == "identical", "the same case arrivals in both (common random numbers)"
    assert d.loc["backlog_end", "difference"] > 0 and d.loc["backlog_end", "assessment"] in ("worse", "no clear difference")
    assert d.loc["within_target_case_order", "difference"] < 0


def test_the_report_shows_the_case_kinds(teams: Comparison, tmp_path) -> None:
    html = comparison_report(teams, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "fault report cases within their limit" in html and "within_target_case_order" in html
    assert "open cases at the end of the run" in html and "≥ 90 %" in html

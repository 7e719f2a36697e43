"""Replication rows with cases on: case KPIs per level, and all_met needs the case targets."""

from __future__ import annotations

import pandas as pd

import sim
from sim.analysis.stats import summarize
from sim.study.runner import result_kpis, run_replications

SHORT = ["run.end=2026-12-11", "staffing=flat", "staffing.agents=13"]


def test_case_targets_join_all_met() -> None:
    # a one-agent case team cannot keep up; the phones are untouched and meet their targets
    s = sim.load_scenario(overrides=[*SHORT, "cases=on", "cases.blend=false", "cases.dedicated={mode: constant, agents: 1}"])
    r = sim.simulate(s, seed=2)
    rows = result_kpis(r, ("day", "month", "run"))
    phones = result_kpis(sim.simulate(sim.load_scenario(overrides=SHORT), seed=2), ("month",))
    month = rows[rows["level"] == "month"].iloc[0]
    assert bool(phones.iloc[0]["all_met"]) and not bool(month["case_met"]) and not bool(month["all_met"])
    run = rows[rows["level"] == "run"].iloc[0]
    assert run["cases_arrived"] == len(r.cases)
    assert run["backlog_end"] == (r.cases["status"] == "open").sum()
    days = rows[rows["level"] == "day"]
    assert days["cases_arrived"].sum() == len(r.cases)  # every case counted on its arrival day
    assert pd.api.types.is_bool_dtype(days["case_met"].dtype)


def test_summaries_carry_case_kpis_with_p_met() -> None:
    s = sim.load_scenario(overrides=[*SHORT, "cases=on", "staffing.agents=15"])
    mc = run_replications(s, 3, 5, workers=1)
    table = summarize(mc.kpis, "month").set_index("kpi")
    assert {"case_within_target", "work_h_mean", "work_h_p90", "backlog_end"} <= set(table.index)
    assert 0.0 <= table.loc["case_within_target", "p_met"] <= 1.0
    assert table.loc["case_within_target", "replications"] == 3

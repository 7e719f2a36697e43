"""The staffing search with case work on: which weekdays get agents for case work."""

from __future__ import annotations

import pandas as pd

import sim
from sim.study.search import case_fix, case_shortfall, erlang_table, evaluate


def days_frame(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["weekday", "within_target_fault_report", "within_target_case_order"]).assign(case_met=True)


def test_case_shortfall_pools_replication_days_and_counts_weekends_with_monday() -> None:
    s = sim.load_scenario(overrides=["cases=on"])  # case_share_min 0.90
    days = days_frame([
        ("mon", 0.95, 0.95), ("mon", 0.95, 0.95),   # Monday alone meets ...
        ("sat", 0.70, float("nan")),                # ... but Saturday's cases are worked on Monday
        ("tue", 0.95, 0.86), ("tue", 0.95, 0.95),   # mean 0.905: meets
        ("wed", 0.89, 0.99),                        # fault reports short
        ("thu", float("nan"), 0.99),                # no fault report known: not judged short
    ])
    assert sorted(case_shortfall(s, days)) == ["mon", "wed"]
    assert case_shortfall(sim.load_scenario(), days) == []  # cases off: nothing to fix


def test_case_fix_adds_one_agent_to_every_cell_of_a_short_weekday() -> None:
    s = sim.load_scenario(overrides=["cases=on"])
    keyed = pd.DataFrame(index=pd.MultiIndex.from_product([["mon", "tue"], ["08:00", "08:30", "09:00"]]))
    fix = case_fix(s, days_frame([("mon", 0.5, 0.5), ("tue", 1.0, 1.0)]), keyed)
    assert fix.loc["mon"].tolist() == [1, 1, 1] and fix.loc["tue"].tolist() == [0, 0, 0]


def test_the_phone_plan_leaves_the_cases_short() -> None:
    # the Erlang A table is planned for the phones: with cases on, some weekday's cases miss
    s = sim.load_scenario("default", ["run.end=2026-12-14", "cases=on"])
    _, days = evaluate(s, erlang_table(s), 3, 3, confidence=0.5, workers=1)
    assert case_shortfall(s, days)


def test_no_phone_agents_are_added_for_cases_a_dedicated_team_works() -> None:
    """cases.blend false: the agents on the phones take no cases, so a case-short weekday gets
    no agent from the search (the team's size, cases.dedicated, decides the case targets)."""
    s = sim.load_scenario(overrides=["cases=on", "cases.blend=false", "cases.dedicated={mode: constant, agents: 1}"])
    keyed = pd.DataFrame(index=pd.MultiIndex.from_product([["mon", "tue"], ["08:00", "08:30", "09:00"]]))
    days = days_frame([("mon", 0.5, 0.5), ("tue", 1.0, 1.0)])
    assert case_shortfall(s, days) == ["mon"], "the shortfall is still reported"
    assert (case_fix(s, days, keyed) == 0).all()

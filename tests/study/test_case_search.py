"""The staffing search with case work on: the plan meets the case targets too."""

from __future__ import annotations

import sim
from sim.study.search import case_shortfall, erlang_table, evaluate, search


def total(table: dict[str, list[int]]) -> int:
    return sum(sum(row) for row in table.values())


def test_search_adds_agents_until_the_cases_meet_their_targets() -> None:
    s = sim.load_scenario("default", ["run.end=2026-12-14", "cases=on"])
    start = erlang_table(s)
    _, days = evaluate(s, start, 4, 3, confidence=0.5, workers=1)
    assert case_shortfall(s, days)  # the phone plan leaves the cases short (so the check can fail)
    found = search(s, replications=4, seed=3, confidence=0.5, workers=1)
    assert case_shortfall(s, found.days) == []
    assert found.cells["meets"].all()
    assert total(found.table) > total(start)

"""One rule for "+k agents", scaling, hours and closures (sim.scenario.variants): the sweep, the page and the back-test agree."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import sim
from sim.errors import ScenarioError
from sim.faces.app import logic as L
from sim.history import backtest
from sim.scenario import variants
from sim.schema import Scenario
from sim.study.sweep import staffing_variant

SHIFTS = ["staffing.mode=shifts", "staffing.agents=null",
          "+staffing.shifts=[{start: '08:00', end: '13:00', count: 5}, {start: '12:00', end: '17:00', count: 3}]"]


def _page(base: Scenario, mode: str, delta: float) -> Scenario:
    ch = L.choices_of(base)
    built = L.build(base, dataclasses.replace(ch, staffing_mode=mode, staffing_delta=delta))
    assert built.ok, built.errors
    assert built.variant is not None
    return built.variant


MONDAY = [7, 10, 11, 12, 12, 11, 11, 10, 8, 8, 10, 10, 10, 9, 8, 8, 7, 5]
"""The default scenario's Monday staffing (08:00-17:00, 30-minute intervals), written out."""
FRIDAY = [6, 8, 9, 9, 9, 9, 8, 8, 7, 7, 8, 8, 8, 7, 7, 6, 5, 4]
WEEK_DAYS = ["mon", "tue", "wed", "thu", "fri"]


def _shifts(st: object) -> list[tuple[str, str, int, list[str]]]:
    return [(f"{x.start:%H:%M}", f"{x.end:%H:%M}", x.count, list(x.days)) for x in st.shifts]  # type: ignore[attr-defined]


@pytest.mark.parametrize("overrides", [[], ["staffing.agents=7"], SHIFTS], ids=["table", "constant", "shifts"])
@pytest.mark.parametrize("k", [2, 0, -3])
def test_the_sweep_and_the_page_add_the_same_agents(overrides: list[str], k: int) -> None:
    """Both add k agents as the rule says, by hand: a constant 7 becomes 9, 7 or 4; a table gets
    k on every interval (stopping at 0); shifts get one more shift of k agents over the opening
    hours (and cannot lose agents)."""
    base = sim.load_scenario("tiny" if overrides == SHIFTS else "default", overrides)
    if base.staffing.mode == "shifts" and k < 0:
        raw = base.model_dump(mode="json")
        for call in (lambda: staffing_variant(base, k, "add"), lambda: L.apply_staffing(raw, "agents", k, None, None)):
            with pytest.raises(ScenarioError, match="fewer agents are not defined for a shift staffing"):
                call()
        return
    sweep, page = staffing_variant(base, k, "add").staffing, _page(base, "agents", k).staffing
    if overrides == ["staffing.agents=7"]:
        assert sweep.agents == page.agents == {2: 9, 0: 7, -3: 4}[k]
    elif overrides == SHIFTS:
        expected = [("08:00", "13:00", 5, WEEK_DAYS), ("12:00", "17:00", 3, WEEK_DAYS)]
        if k:
            expected.append(("08:00", "17:00", k, WEEK_DAYS))
        assert _shifts(sweep) == _shifts(page) == expected
    else:
        plus = {2: [9, 12, 13, 14, 14, 13, 13, 12, 10, 10, 12, 12, 12, 11, 10, 10, 9, 7], 0: MONDAY,
                -3: [4, 7, 8, 9, 9, 8, 8, 7, 5, 5, 7, 7, 7, 6, 5, 5, 4, 2]}[k]
        assert sweep.table is not None and page.table is not None
        assert sweep.table["mon"] == page.table["mon"] == plus
        assert sweep.table["fri"] == page.table["fri"] == {2: [8, 10, 11, 11, 11, 11, 10, 10, 9, 9, 10, 10, 10, 9, 9, 8, 7, 6],
                                                           0: FRIDAY, -3: [3, 5, 6, 6, 6, 6, 5, 5, 4, 4, 5, 5, 5, 4, 4, 3, 2, 1]}[k]
    assert sweep == page


def test_k_agents_more_is_k_more_on_every_open_interval_of_a_shift_staffing() -> None:
    base = sim.load_scenario("tiny", SHIFTS)
    plus = staffing_variant(base, 2, "add")
    assert plus.staffing.shifts is not None and base.staffing.shifts is not None
    assert plus.staffing.shifts[:-1] == base.staffing.shifts  # the shifts as they were, and one of 2 agents over the opening hours
    extra = plus.staffing.shifts[-1]
    assert extra.count == 2
    for i, day in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun")):
        hours = base.calendar.hours_of(i)
        assert (day in extra.days) == (hours is not None)
        if hours is not None:
            assert extra.start <= hours.opens and extra.end >= hours.closes


@pytest.mark.parametrize("overrides", [[], ["staffing.agents=7"], SHIFTS], ids=["table", "constant", "shifts"])
def test_the_sweep_multiplies_as_the_page_scales_by_a_percentage(overrides: list[str]) -> None:
    """× 1.5 and × 0.5 (+50 % and −50 % on the page), whole counts rounded half up, by hand:
    7 → 10.5 → 11 and 3.5 → 4; shifts of 5 and 3 → 8 and 5, or 3 and 2."""
    base = sim.load_scenario("tiny" if overrides == SHIFTS else "default", overrides)
    more, less = staffing_variant(base, 1.5, "multiply").staffing, staffing_variant(base, 0.5, "multiply").staffing
    assert more == _page(base, "percent", 50).staffing and less == _page(base, "percent", -50).staffing
    if overrides == ["staffing.agents=7"]:
        assert (more.agents, less.agents) == (11, 4)
    elif overrides == SHIFTS:
        assert _shifts(more) == [("08:00", "13:00", 8, WEEK_DAYS), ("12:00", "17:00", 5, WEEK_DAYS)]
        assert _shifts(less) == [("08:00", "13:00", 3, WEEK_DAYS), ("12:00", "17:00", 2, WEEK_DAYS)]
    else:
        assert more.table is not None and less.table is not None
        assert more.table["mon"] == [11, 15, 17, 18, 18, 17, 17, 15, 12, 12, 15, 15, 15, 14, 12, 12, 11, 8]
        assert less.table["mon"] == [4, 5, 6, 6, 6, 6, 6, 5, 4, 4, 5, 5, 5, 5, 4, 4, 4, 3]


def test_whole_counts_round_half_up_and_fractions_keep_the_schemas_two_decimals() -> None:
    raw = sim.load_scenario("default").model_dump(mode="json")
    raw["staffing"]["table"] = {"all": [5, 7, 5.45, 3.333]}
    half = variants.scale_agents(raw, 0.5)["staffing"]["table"]["all"]
    assert half == [3, 4, 2.73, 1.67]  # 2.5 -> 3 and 3.5 -> 4 (not Python's 2 and 4); 2.725 -> 2.73, 1.6665 -> 1.67
    assert variants.add_agents(raw, 1)["staffing"]["table"]["all"] == [6, 8, 6.45, 4.33]
    assert variants.add_agents(raw, -6)["staffing"]["table"]["all"] == [0, 1, 0, 0]
    assert variants.agent_level(float("nan")) == 0 and variants.agent_level(4.0) == 4 and isinstance(variants.agent_level(4.0), int)


def test_the_back_test_days_staffing_keeps_the_schemas_decimals() -> None:
    """The back-test's day (the third caller) writes its staffing by the same rule: 5.44 agents stay 5.44 (not 5.4)."""
    base = sim.load_scenario("default")
    date = pd.Timestamp("2026-12-07")  # a Monday
    h = (8 * 60, 17 * 60)
    grid = range(h[0], h[1], 30)
    counts = pd.Series([10.0] * len(grid), index=list(grid))
    agents = pd.Series([5.44] * len(grid), index=list(grid))
    day = backtest.day_scenario(base.model_dump(mode="json"), date, counts, agents, h, 30, 3)
    assert backtest.day_scenario is variants.day_variant
    assert day.staffing.table == {"all": [5.44] * len(grid)}
    assert day.run.start == date.date() == day.run.end and day.demand.volume == 10.0 * len(grid)


def test_the_page_sets_hours_and_closures_by_the_variants_rules() -> None:
    base = sim.load_scenario("default")
    raw = base.model_dump(mode="json")
    ch = L.choices_of(base)
    hours = {**ch.hours, "mon": "09:00-16:00"}
    closures = "2026-12-10 13:00-17:00 training"
    built = L.build(base, dataclasses.replace(ch, hours=hours, closures=closures))
    assert built.variant is not None
    expected = sim.validate(variants.with_closures(variants.with_hours(raw, hours), closures))
    assert built.variant.calendar == expected.calendar and built.variant.staffing == expected.staffing
    # the rules by hand: Monday 09:00-16:00 (the other days as they were), one closure of the
    # afternoon, and Monday's table refitted to the 14 intervals (each keeps its clock time's agents)
    cal = built.variant.calendar.model_dump(mode="json")
    assert cal["hours"]["mon"] == {"opens": "09:00:00", "closes": "16:00:00"}
    assert cal["hours"]["tue"] == {"opens": "08:00:00", "closes": "17:00:00"} and cal["hours"]["sat"] is None
    assert [(c["start"], c["end"], c["from_time"], c["to_time"], c["reason"]) for c in cal["closures"]] == [
        ("2026-12-10", None, "13:00:00", "17:00:00", "training")]  # one day: no end
    assert built.variant.staffing.table is not None
    assert built.variant.staffing.table["mon"] == MONDAY[2:16]
    assert built.variant.staffing.table["tue"] == base.staffing.table["tue"]  # type: ignore[index]
    with pytest.raises(ScenarioError, match=r"on line 1: 'tomorrow'"):
        variants.parse_closures("tomorrow")


def test_a_fractional_table_keeps_two_decimals_in_the_sweep_and_on_the_page() -> None:
    """A calibrated table's 5.45 agents: half of it is 2.73 (the schema's two decimals), not 2.7."""
    raw = sim.load_scenario("default").model_dump(mode="json")
    raw["staffing"]["table"] = {"all": [5.45] * 18}  # 08:00-17:00 in 30-minute intervals, every open weekday
    base = sim.validate(raw)
    assert base.staffing.table == {"all": [5.45] * 18}
    half = staffing_variant(base, 0.5, "multiply")
    assert half.staffing.table == {"all": [2.73] * 18} == _page(base, "percent", -50).staffing.table
    assert staffing_variant(base, 1, "add").staffing.table == {"all": [6.45] * 18} == _page(base, "agents", 1).staffing.table


def test_a_historical_day_replays_without_failure_demand_of_its_own() -> None:
    """The observed calls already hold the repeat contacts: the replayed day adds none."""
    fd = sim.load_scenario("default", ["resolution=fcr70", "cases=on", "resolution.case_share=0.3"])
    grid = range(480, 1020, 30)
    day = variants.day_variant(fd.model_dump(mode="json"), pd.Timestamp("2026-11-02"), pd.Series({m: 10.0 for m in grid}),
                               pd.Series({m: 3.0 for m in grid}), (480, 1020), 30, 1)
    assert not day.resolution.enabled and day.resolution.case_share == 0.0

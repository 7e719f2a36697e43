"""Staffing sweeps: variants of each staffing mode, and common random numbers across levels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.errors import ScenarioError
from sim.study.sweep import run_sweep, staffing_variant, sweep_summary
from sim.world.staffing import agents_at_open_intervals

OPEN_DAYS = ("mon", "tue", "wed", "thu", "fri")


def agents_by_clock(s: sim.Scenario, weekday: str = "tue") -> dict[str, int]:
    """Agents on duty per 30-minute interval of a weekday's regular hours."""
    steps = [(clock, n) for day, clock, n in agents_at_open_intervals(s) if day == weekday]
    out: dict[str, int] = {}
    current = 0
    for i in range(18):
        clock = f"{8 + i // 2:02d}:{30 * (i % 2):02d}"
        current = dict(steps).get(clock, current)
        out[clock] = current
    return out


@pytest.fixture(scope="module")
def constant() -> sim.Scenario:
    return sim.load_scenario("tiny")  # staffing=flat: 12 agents


@pytest.fixture(scope="module")
def table() -> sim.Scenario:
    return sim.load_scenario("default", ["run.end=2026-12-02"])  # the Erlang A table


@pytest.fixture(scope="module")
def shifts() -> sim.Scenario:
    return sim.load_scenario(
        "tiny",
        ["staffing.mode=shifts", "staffing.agents=null",
         "+staffing.shifts=[{start: '08:00', end: '13:00', count: 5}, {start: '12:00', end: '17:00', count: 4}]"],
    )


# --------------------------------------------------------------------------- variants


@pytest.mark.parametrize(("level", "mode", "expected"), [
    (2, "add", 14), (-3, "add", 9), (-20, "add", 0), (0, "add", 12),
    (1.5, "multiply", 18), (0.25, "multiply", 3), (0.5, "multiply", 6), (0, "multiply", 0),
])
def test_constant_variant(constant: sim.Scenario, level: float, mode: str, expected: int) -> None:
    v = staffing_variant(constant, level, mode)  # type: ignore[arg-type]
    assert v.staffing.mode == "constant" and v.staffing.agents == expected
    assert v.model_dump(exclude={"staffing"}) == constant.model_dump(exclude={"staffing"})


def test_table_variant_add(table: sim.Scenario) -> None:
    base = table.staffing.table
    assert base is not None and set(base) == set(OPEN_DAYS)
    for level in (-2, 3):
        v = staffing_variant(table, level, "add")
        assert v.staffing.mode == "table"
        assert v.staffing.table == {d: [max(0, n + level) for n in row] for d, row in base.items()}
    floor = staffing_variant(table, -100, "add")
    assert floor.staffing.table is not None
    assert all(n == 0 for row in floor.staffing.table.values() for n in row)  # clamped at zero


def test_table_variant_multiply_rounds_half_up(table: sim.Scenario) -> None:
    base = table.staffing.table
    assert base is not None
    v = staffing_variant(table, 1.5, "multiply")
    assert v.staffing.table == {d: [int(np.floor(n * 1.5 + 0.5)) for n in row] for d, row in base.items()}
    odd = [n for row in base.values() for n in row if n % 2]
    assert odd, "the default table has odd counts, so half-up rounding is exercised"
    half = staffing_variant(table, 0.5, "multiply")
    assert half.staffing.table is not None
    assert half.staffing.table["mon"] == [(n + 1) // 2 for n in base["mon"]]


def test_shift_variant_add_puts_agents_on_every_open_interval(shifts: sim.Scenario) -> None:
    before = agents_by_clock(shifts)
    assert before["08:00"] == 5 and before["12:00"] == 9 and before["16:30"] == 4
    v = staffing_variant(shifts, 2, "add")
    assert v.staffing.mode == "shifts" and v.staffing.shifts is not None
    assert len(v.staffing.shifts) == 3  # the original two and one covering the opening hours
    for day in OPEN_DAYS:
        after = agents_by_clock(v, day)
        assert after == {c: n + 2 for c, n in agents_by_clock(shifts, day).items()}
    assert staffing_variant(shifts, 0, "add") == shifts


def test_shift_variant_multiply_scales_each_shift(shifts: sim.Scenario) -> None:
    v = staffing_variant(shifts, 2, "multiply")
    assert v.staffing.shifts is not None
    assert [s.count for s in v.staffing.shifts] == [10, 8]
    assert agents_by_clock(v) == {c: 2 * n for c, n in agents_by_clock(shifts).items()}
    third = staffing_variant(shifts, 1 / 3, "multiply")
    assert third.staffing.shifts is not None and [s.count for s in third.staffing.shifts] == [2, 1]


def test_negative_add_for_shifts_is_refused(shifts: sim.Scenario) -> None:
    with pytest.raises(ScenarioError, match="fewer agents are not defined for a shift staffing"):
        staffing_variant(shifts, -1, "add")


def test_sweep_levels_are_validated() -> None:
    with pytest.raises(ScenarioError, match=r"montecarlo\.sweep\.levels.*whole numbers"):
        sim.load_scenario("tiny", ["montecarlo.sweep={mode: add, levels: [0.5, 1]}"])
    with pytest.raises(ScenarioError, match=r"montecarlo\.sweep\.levels.*>= 0"):
        sim.load_scenario("tiny", ["montecarlo.sweep={mode: multiply, levels: [-1]}"])
    ok = sim.load_scenario("tiny", ["montecarlo.sweep={levels: [-1, 0, 1]}"])
    assert ok.montecarlo.sweep is not None and ok.montecarlo.sweep.mode == "add"


# --------------------------------------------------------------------------- sweeps

LEVELS = [-3, -2, -1, 0, 1, 2]
REPS = 12


@pytest.fixture(scope="module")
def loaded() -> sim.Scenario:
    """One busy day with 12 agents: the service level is well inside (0, 1) around 9-14 agents."""
    return sim.load_scenario("tiny", ["run.end=2026-12-22", "demand.volume=900"])


@pytest.fixture(scope="module")
def sweep(loaded: sim.Scenario) -> pd.DataFrame:
    return run_sweep(loaded, LEVELS, REPS, "add", seed=17, workers=2)


def test_sweep_has_every_level_and_replication(sweep: pd.DataFrame) -> None:
    run = sweep[sweep["level"] == "run"]
    assert sorted(run["staffing_level"].unique()) == LEVELS
    assert (run.groupby("staffing_level")["replication"].nunique() == REPS).all()


def test_levels_see_the_same_calls(sweep: pd.DataFrame) -> None:
    # common random numbers: demand does not depend on staffing
    run = sweep[sweep["level"] == "run"].pivot(index="replication", columns="staffing_level", values="offered")
    assert (run.nunique(axis=1) == 1).all()
    assert run[0].nunique() > 1, "replications differ from each other"


def test_more_agents_never_worse_on_average_under_crn(sweep: pd.DataFrame, loaded: sim.Scenario) -> None:
    table = sweep_summary(sweep, "run")
    mean = table.pivot(index="staffing_level", columns="kpi", values="mean").sort_index()
    assert mean["service_level"].is_monotonic_increasing, mean["service_level"]
    assert mean["availability"].is_monotonic_increasing, mean["availability"]
    assert mean["asa_s"].is_monotonic_decreasing, mean["asa_s"]
    # and the sweep spans the target, so the comparison is not between saturated levels
    assert mean["service_level"].iloc[0] < loaded.targets.service_level_min < mean["service_level"].iloc[-1]
    staffed = mean["staffed_s"]
    assert np.allclose(np.diff(staffed.to_numpy()), 9 * 3600)  # one agent more for the 9 open hours


def test_sweep_summary_columns(sweep: pd.DataFrame) -> None:
    table = sweep_summary(sweep, "run")
    expected = ["staffing_level", "period", "kpi", "replications", "mean", "sd", "ci_low", "ci_high",
                "half_width", "p_met", "p_met_low", "p_met_high"]
    assert list(table.columns) == expected
    assert {"availability", "service_level", "asa_s", "aht_s", "staffed_s"} <= set(table["kpi"])
    assert (table["replications"] == REPS).all()
    judged = table[table["kpi"].isin(["availability", "service_level", "asa_s", "aht_s"])]
    assert judged["p_met"].between(0, 1).all()
    assert (judged["p_met_low"] <= judged["p_met"]).all() and (judged["p_met"] <= judged["p_met_high"]).all()
    assert (table["ci_low"] <= table["mean"] + 1e-12).all() and (table["mean"] <= table["ci_high"] + 1e-12).all()
    month = sweep_summary(sweep, "month")
    assert set(month["staffing_level"]) == set(LEVELS)


def test_sweep_with_out_dir_resumes_to_the_same_result(loaded: sim.Scenario, sweep: pd.DataFrame, tmp_path: Path) -> None:
    first = run_sweep(loaded, [-1, 1], 3, "add", seed=17, workers=1, out_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["add_-1", "add_1"]
    (tmp_path / "add_1" / "replications" / "rep_000002.parquet").unlink()
    again = run_sweep(loaded, [-1, 1], 3, "add", seed=17, workers=1, out_dir=tmp_path)
    pd.testing.assert_frame_equal(first, again)
    same = sweep[sweep["staffing_level"].isin([-1, 1]) & (sweep["replication"] < 3)].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, same)

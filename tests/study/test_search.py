"""Simulation-based staffing: the search's plan meets the targets when checked with fresh seeds.

The search (:func:`sim.study.search.search`) staffs each weekday × 30-minute cell so that the
cell's pooled service level, availability and queue time meet the agreement with one-sided
90 % confidence over its own replications. The verification below re-simulates the plan with
replication seeds the search never saw.

Tolerances come from confidence intervals, not from tuning:

* **cells**: the plan passes when no cell's fresh estimate is *significantly* below a target,
  judged with Bonferroni-corrected one-sided 99 % bounds over all cells and KPIs: if every cell
  truly met its targets, the chance that any bound excludes the target is at most 1 %;
* **the whole run** (pooled over all cells and dates, what the agreement judges per month):
  the 99 % t-interval over the fresh replications must lie entirely on the good side of each
  target;
* **the check can fail**: with one agent fewer in the plan's binding cell (the one closest to
  its target in the verification) the same fresh replications put that cell below the target
  with one-sided 99 % confidence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.analysis.stats import summarize
from sim.study.runner import run_replications
from sim.study.search import SearchResult, cell_kpis, erlang_table, evaluate, search, with_table

SEARCH_REPS, SEARCH_SEED = 8, 7
VERIFY_REPS, VERIFY_SEED = 40, 20_261_214  # fresh: replication seeds the search never used
ALPHA = 0.01


def total(table: dict[str, list[int]]) -> int:
    return sum(sum(row) for row in table.values())


@pytest.fixture(scope="module")
def scenario() -> sim.Scenario:
    """The default scenario (Erlang A table, December demand) cut to two weeks, 1-14 December."""
    return sim.load_scenario("default", ["run.end=2026-12-14"])


@pytest.fixture(scope="module")
def found(scenario: sim.Scenario) -> SearchResult:
    return search(scenario, replications=SEARCH_REPS, seed=SEARCH_SEED, workers=2)


@pytest.fixture(scope="module")
def verified(scenario: sim.Scenario, found: SearchResult) -> pd.DataFrame:
    cells, _ = evaluate(scenario, found.table, VERIFY_REPS, VERIFY_SEED, confidence=0.5, workers=2)
    return cells


def slack_z(cells: pd.DataFrame, targets: object) -> pd.DataFrame:
    """Per cell and KPI: (estimate − target) / SE, signed so that negative means 'worse'."""
    t = targets
    z = pd.DataFrame({
        "service_level": (cells["service_level"] - t.service_level_min) / cells["service_level_se"],  # type: ignore[attr-defined]
        "availability": (cells["availability"] - t.availability_min) / cells["availability_se"],  # type: ignore[attr-defined]
        "asa_s": (t.asa_max_s - cells["asa_s"]) / cells["asa_s_se"],  # type: ignore[attr-defined]
    })
    z.index = pd.MultiIndex.from_frame(cells[["weekday", "interval_start"]])
    return z.replace([np.inf, -np.inf], np.nan)


def test_search_meets_every_cell_on_its_own_replications(found: SearchResult) -> None:
    assert found.cells["meets"].all()
    phases = [h["phase"] for h in found.history]
    assert phases[0] == "add" and "remove" in phases
    assert found.history[0]["cells_missing"] > 0, "the Erlang A start misses somewhere, so the search had work to do"


def test_plan_meets_the_targets_with_fresh_seeds(scenario: sim.Scenario, found: SearchResult, verified: pd.DataFrame) -> None:
    z = slack_z(verified, scenario.targets)
    bound = stats.t.ppf(1 - ALPHA / z.count().sum(), VERIFY_REPS - 1)  # Bonferroni over every judged cell x KPI
    worst = z.stack().sort_values()
    assert worst.iloc[0] > -bound, f"significantly below target (z < -{bound:.2f}):\n{worst.head()}"
    # The whole run, pooled over every call: the 99 % CI over fresh replications lies on the good side.
    mc = run_replications(with_table(scenario, found.table), VERIFY_REPS, VERIFY_SEED, workers=2, levels=("run",))
    run = summarize(mc.kpis, "run", ["availability", "service_level", "asa_s"], conf=1 - 2 * ALPHA).set_index("kpi")
    t = scenario.targets
    assert run.loc["availability", "ci_low"] > t.availability_min
    assert run.loc["service_level", "ci_low"] > t.service_level_min
    assert run.loc["asa_s", "ci_high"] < t.asa_max_s


def test_plan_is_no_more_expensive_than_erlang_c(scenario: sim.Scenario, found: SearchResult) -> None:
    erlang_c, erlang_a = erlang_table(scenario, "erlang_c"), erlang_table(scenario, "erlang_a")
    assert total(found.table) <= total(erlang_c)
    assert total(erlang_a) <= total(erlang_c)
    assert set(found.table) == set(erlang_a) and all(len(found.table[d]) == len(erlang_a[d]) for d in erlang_a)


def test_one_agent_fewer_in_the_binding_cell_misses(scenario: sim.Scenario, found: SearchResult, verified: pd.DataFrame) -> None:
    z = slack_z(verified, scenario.targets)
    (day, clock), kpi = z.stack().idxmin()[:2], z.stack().idxmin()[2]
    frame = found.table_frame(scenario)
    i = frame.loc[frame["weekday"] == day, "interval_start"].tolist().index(clock)
    fewer = {d: list(row) for d, row in found.table.items()}
    assert fewer[day][i] > 0
    fewer[day][i] -= 1
    cells, _ = evaluate(scenario, fewer, VERIFY_REPS, VERIFY_SEED, confidence=0.5, workers=2)
    z_fewer = slack_z(cells, scenario.targets).loc[(day, clock), kpi]
    assert z_fewer < -stats.t.ppf(1 - ALPHA, VERIFY_REPS - 1), f"{day} {clock} {kpi}: z = {z_fewer:.2f} with one agent fewer"
    assert not cells.set_index(["weekday", "interval_start"]).loc[(day, clock), "meets"]


def test_cell_kpis_pool_totals_and_use_replication_spread() -> None:
    """Two replications of one cell: ratio of totals, delta-method SE, bounds at t(0.9, 1)."""
    period = pd.Timestamp("2026-12-01 10:00")  # a Tuesday
    iv = pd.DataFrame({
        "period": [period, period], "replication": [0, 1], "offered": [100, 50], "answered": [95, 40],
        "within_threshold": [90, 30], "asa_s": [10.0, 40.0],
    })
    t = sim.load_scenario("tiny").targets
    cells = cell_kpis(iv, t, confidence=0.9)
    row = cells.iloc[0]
    assert (row["weekday"], row["interval_start"]) == ("tue", "10:00")
    assert row["service_level"] == pytest.approx(120 / 150)
    assert row["availability"] == pytest.approx(135 / 150)
    assert row["asa_s"] == pytest.approx((950 + 1600) / 135)
    resid = np.array([90 - 0.8 * 100, 30 - 0.8 * 50])
    se = np.sqrt((resid**2).sum() / 2) / 75
    assert row["service_level_se"] == pytest.approx(se)
    assert row["service_level_bound"] == pytest.approx(0.8 - stats.t.ppf(0.9, 1) * se)
    assert not row["meets"]
    point = cell_kpis(iv, t, confidence=0.5).iloc[0]
    assert point["service_level_bound"] == pytest.approx(0.8)


def test_a_run_without_some_weekdays_leaves_their_cells_as_they_are() -> None:
    """1-4 December 2026 holds no Monday (nor a weekend): the search must not fail on the
    weekday it cannot judge, and must leave Monday's cells as the Erlang table had them."""
    s = sim.load_scenario("default", ["run.start=2026-12-01", "run.end=2026-12-04"])
    found = search(s, replications=2, seed=1, workers=1)
    assert found.table["mon"] == erlang_table(s)["mon"]
    assert found.history[-1]["cells_missing"] == 0
    assert found.table != erlang_table(s), "the days it can judge were refined"

"""Effective staffing recovered from the interval report of a simulated history."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.history import aggregate
from sim.history.calibrate import calibrate
from sim.history.columns import ColumnMap
from sim.history.demand import estimate_demand
from sim.history.patience import patience_from_intervals
from sim.history.readers import read_intervals
from sim.history.staffing import effective_staffing, given_staffing
from sim.history.synthetic import INTERVAL_MAP, Truth, interval_report, simulate_history, true_staffing
from sim.scenario.compose import load_scenario

TRUTH = Truth(balk=0.0, exponential_handling=True, storms=(), closures=())


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    calls = simulate_history("2026-01-01", "2026-04-30", TRUTH, seed=5, yearly=False)
    path = Path(tmp_path_factory.mktemp("staff")) / "report.csv"
    interval_report(calls, truth=TRUTH).to_csv(path, index=False)
    rep = read_intervals(path, ColumnMap(kind="intervals", columns=INTERVAL_MAP["columns"], source="test map"))
    return aggregate.from_report(rep)


def test_patience_from_abandonment_and_average_wait(report: pd.DataFrame) -> None:
    est = patience_from_intervals(report)
    assert est.covers(TRUTH.patience_mean), est


def test_effective_staffing_recovered(report: pd.DataFrame) -> None:
    dem = estimate_demand(report, 30, load_scenario("default").calendar)
    regular = dem.days.loc[dem.days["kind"].eq("regular") & ~dem.days["outlier"], "date"]
    aht = float((report["aht_s"] * report["answered"]).sum() / report["answered"].sum())
    st = effective_staffing(report, 30, aht, patience_from_intervals(report).value, 0.0, regular)
    p = st.pooled.assign(truth=true_staffing(TRUTH)["agents"].to_numpy())
    err = p["agents"] - p["truth"]
    # Erlang A (steady state) is the model's own M/M/n+M here, but each interval starts from the
    # previous one's queue (the morning from an empty one), so a given n abandons less than in
    # steady state: the inversion overstates, never understates, and mostly by at most one agent.
    assert (err >= 0).all()
    assert (err.abs() <= 1).mean() >= 0.9
    assert (err == 0).mean() >= 0.4


def test_simulation_correction_removes_the_erlang_a_bias(tmp_path: Path) -> None:
    """The realistic case: lognormal handle times (CV 0.8) and balkers the report cannot show."""
    truth = Truth(storms=(), closures=())
    calls = simulate_history("2026-01-01", "2026-04-30", truth, seed=6, yearly=False)
    path = tmp_path / "report.csv"
    interval_report(calls, truth=truth).to_csv(path, index=False)
    (tmp_path / "map.yaml").write_text(yaml.safe_dump(INTERVAL_MAP), encoding="utf-8")
    c = calibrate(path, "intervals", tmp_path / "map.yaml", name="staff_test", scenarios=tmp_path / "scen", backtest_days=0)
    p = c.staffing.pooled.assign(truth=true_staffing(truth)["agents"].to_numpy())
    plain, corrected = p["erlang_a"] - p["truth"], p["agents"] - p["truth"]
    assert plain.mean() > 0.3  # Erlang A alone: about half the intervals one agent too many
    assert abs(corrected.mean()) < 0.25  # corrected: no systematic error left
    assert (corrected == 0).mean() > (plain == 0).mean()
    assert (corrected.abs() <= 1).mean() >= 0.9


def test_given_staffing_is_used_as_is(report: pd.DataFrame) -> None:
    table = true_staffing(TRUTH)
    st = given_staffing(report, table)
    assert st.pooled["agents"].tolist() == table["agents"].tolist()
    mon_0830 = st.per_interval[(st.per_interval["date"] == "2026-01-05") & (st.per_interval["minute"] == 510)]
    assert (
        mon_0830["agents_eff"].tolist() == table.loc[(table["weekday"] == "mon") & (table["interval_start"] == "08:30"), "agents"].tolist()
    )

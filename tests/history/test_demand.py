"""Demand: calendar days recognised, outlier days flagged and left out, displaced callers."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.history import aggregate
from sim.history.columns import ColumnMap
from sim.history.demand import estimate_demand
from sim.history.readers import read_intervals
from sim.history.synthetic import INTERVAL_MAP, Truth, interval_report, simulate_history
from sim.scenario.compose import load_scenario


@pytest.fixture(scope="module")
def demand(tmp_path_factory: pytest.TempPathFactory):
    calls = simulate_history("2025-12-01", "2026-03-31", Truth(), seed=8)  # a storm on 2026-02-04, training on 2026-03-11
    path = tmp_path_factory.mktemp("demand") / "report.csv"
    interval_report(calls).to_csv(path, index=False)
    rep = read_intervals(path, ColumnMap(kind="intervals", columns=INTERVAL_MAP["columns"], source="test map"))
    return estimate_demand(aggregate.from_report(rep), rep.interval_min, load_scenario("default").calendar)


def test_calendar_days_recognised(demand) -> None:
    d = demand.days.set_index("date")
    assert d.loc[pd.Timestamp("2026-01-05"), "kind"] == "early"  # the day before Trettondedag jul: 15:00
    assert d.loc[pd.Timestamp("2026-01-06"), "kind"] == "closed"
    assert d.loc[pd.Timestamp("2026-01-07"), "kind"] == "after_closure"
    assert d.loc[pd.Timestamp("2026-03-11"), "kind"] == "unplanned"  # the training day is not in the calendar
    check = demand.calendar_check.set_index("date")
    assert check.loc[pd.Timestamp("2026-01-05"), "after_closing"] == 0  # no call after 15:00
    assert check["data_agrees"].drop(pd.Timestamp("2026-03-11")).all()
    assert demand.hours["mon"] == (480, 1020) and demand.hours["sat"] is None


def test_storm_day_is_flagged_and_left_out(demand) -> None:
    d = demand.days
    flagged = set(d.loc[d["outlier"], "date"])
    assert pd.Timestamp("2026-02-04") in flagged
    assert len(flagged) <= 2  # the storm and at most one false flag (any false flag: 10 % of clean histories)
    assert any("2026-02-04" in n for n in demand.notes)


def test_displaced_callers_make_a_bump_after_closures(demand) -> None:
    # half of the callers who ring while the line is closed call again in the first intervals
    assert demand.bump is not None and demand.bump.low > 0

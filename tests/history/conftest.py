"""Shared synthetic histories (session-scoped: simulated once)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.history.synthetic import CALL_MAP, Truth, call_log, simulate_history

ROUND_TRIP = Truth(volume=3000.0, staffing_scale=4.0, staffing_delta=0, storms=(), closures=(), day_cv=0.12)
"""A few hundred calls per interval, no yearly pattern: two months of a big centre."""


@pytest.fixture(scope="session")
def round_trip_calls() -> pd.DataFrame:
    """The model's call records behind the round-trip log."""
    return simulate_history("2026-09-01", "2026-10-31", ROUND_TRIP, seed=3, yearly=False)


@pytest.fixture(scope="session")
def round_trip_files(round_trip_calls: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("round_trip")
    log, cmap = out / "call_log.csv", out / "call_map.yaml"
    call_log(round_trip_calls, seed=3).to_csv(log, sep=";", index=False)
    cmap.write_text(yaml.safe_dump(CALL_MAP, allow_unicode=True), encoding="utf-8")
    return log, cmap


@pytest.fixture(scope="session")
def round_trip(round_trip_files: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory):
    from sim.history.calibration import calibrate

    log, cmap = round_trip_files
    scen = tmp_path_factory.mktemp("scenarios")
    return calibrate(log, "calls", cmap, name="round_trip", scenarios=scen, backtest_days=0)

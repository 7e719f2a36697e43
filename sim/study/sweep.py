"""Staffing sweeps with common random numbers.

A sweep evaluates a scenario at several staffing levels: ``add`` puts ``k`` agents more (or
fewer) on every open interval, ``multiply`` scales every interval's agents by ``m`` (whole
counts rounded half up), by the rules of :mod:`sim.scenario.variants`, which the managers'
page follows too. Every level reuses the same replication seeds, so the levels see the same calls
(arrival, handle time, patience) and their differences are due to staffing alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import pandas as pd

from sim.analysis.stats import summarize
from sim.scenario.compose import validate
from sim.scenario.variants import add_agents, scale_agents
from sim.schema import Scenario
from sim.study.runner import run_replications

SweepMode = Literal["add", "multiply"]


def staffing_variant(scenario: Scenario, level: float, mode: SweepMode = "add") -> Scenario:
    """The scenario with its staffing changed by ``level``: ``add`` k agents on every open
    interval, ``multiply`` every count by m (the rules of :mod:`sim.scenario.variants`)."""
    raw = scenario.model_dump(mode="json")
    return validate(add_agents(raw, int(level), "montecarlo.sweep.levels") if mode == "add" else scale_agents(raw, level))


def run_sweep(
    scenario: Scenario,
    levels: Sequence[float],
    replications: int,
    mode: SweepMode = "add",
    seed: int | None = None,
    out_dir: str | Path | None = None,
    **kwargs: object,
) -> pd.DataFrame:
    """Per-replication KPI rows for every staffing level (column ``staffing_level``)."""
    frames = []
    for level in levels:
        variant = staffing_variant(scenario, level, mode)
        sub = Path(out_dir) / f"{mode}_{level:g}" if out_dir else None
        mc = run_replications(variant, replications, seed, out_dir=sub, **kwargs)  # type: ignore[arg-type]
        frames.append(mc.kpis.assign(staffing_level=level))
    return pd.concat(frames, ignore_index=True)


def sweep_summary(kpis: pd.DataFrame, level: str = "run", conf: float = 0.95) -> pd.DataFrame:
    """Per staffing level: the :func:`sim.analysis.stats.summarize` table (column ``staffing_level``)."""
    parts = [summarize(g, level, conf=conf).assign(staffing_level=lv) for lv, g in kpis.groupby("staffing_level", sort=True)]
    out = pd.concat(parts, ignore_index=True)
    return out[["staffing_level", *[c for c in out.columns if c != "staffing_level"]]]

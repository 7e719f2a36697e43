"""Staffing sweeps with common random numbers.

A sweep evaluates a scenario at several staffing levels: ``add`` puts ``k`` agents more (or
fewer) on every open interval, ``multiply`` scales every interval's agents by ``m`` (rounded
half up). Every level reuses the same replication seeds, so the levels see the same calls
(arrival, handle time, patience) and their differences are due to staffing alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import pandas as pd

from sim.analysis.stats import summarize
from sim.errors import ScenarioError
from sim.scenario.compose import validate
from sim.schema import WEEKDAYS, Scenario, minutes
from sim.study.runner import run_replications

SweepMode = Literal["add", "multiply"]


def _scale(n: int | float, level: float, mode: SweepMode) -> int | float:
    if not float(n).is_integer():  # a fractional (time-average) count keeps its fraction
        return max(0.0, round(n + level if mode == "add" else n * level, 1))
    value = n + level if mode == "add" else math.floor(n * level + 0.5)
    return max(0, int(value))


def staffing_variant(scenario: Scenario, level: float, mode: SweepMode = "add") -> Scenario:
    """The scenario with its staffing changed by ``level`` (see the module docstring)."""
    raw = scenario.model_dump(mode="json")
    st = raw["staffing"]
    if st["mode"] == "constant":
        st["agents"] = _scale(st["agents"], level, mode)
    elif st["mode"] == "table":
        st["table"] = {day: [_scale(n, level, mode) for n in row] for day, row in st["table"].items()}
    else:
        st["shifts"] = _shift_variant(scenario, st["shifts"], level, mode)
    return validate(raw)


def _shift_variant(scenario: Scenario, shifts: list[dict], level: float, mode: SweepMode) -> list[dict]:
    if mode == "multiply":
        return [{**s, "count": _scale(s["count"], level, mode)} for s in shifts]
    if level < 0:
        raise ScenarioError("staffing sweep: 'add' with a negative level is not defined for shifts; use mode multiply.")
    if level == 0:
        return shifts
    open_days = [(d, scenario.calendar.hours_of(i)) for i, d in enumerate(WEEKDAYS) if scenario.calendar.hours_of(i)]
    first = min(minutes(h.opens) for _, h in open_days)
    last = max(minutes(h.closes) for _, h in open_days)
    extra = {"start": f"{first // 60:02d}:{first % 60:02d}", "end": f"{last // 60:02d}:{last % 60:02d}",
             "count": int(level), "days": [d for d, _ in open_days]}
    return [*shifts, extra]


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

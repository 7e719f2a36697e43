"""Add replications until every chosen KPI's confidence interval is narrow enough."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from sim.analysis.stats import summarize
from sim.schema import Scenario
from sim.study.runner import MonteCarlo, run_replications


def run_until_precise(
    scenario: Scenario,
    tolerance: dict[str, float],
    *,
    level: str = "run",
    min_reps: int = 10,
    max_reps: int = 1000,
    conf: float = 0.95,
    seed: int | None = None,
    out_dir: str | Path | None = None,
    **kwargs: object,
) -> tuple[MonteCarlo, pd.DataFrame]:
    """Add replications until the CI half-width of every KPI in ``tolerance`` (absolute, in
    the KPI's units) is at most its tolerance, for every period of ``level``.

    Each round projects the replications needed from the current spread
    (``R · (half-width / tolerance)²``, at least 20 % more) and runs only the new ones:
    replication ``k`` is the same whatever the round, so the result equals a single run of
    the final size. Returns the Monte Carlo result and the final precision table.
    """
    n, done = min_reps, 0
    parts: list[pd.DataFrame] = []
    while True:
        mc = run_replications(scenario, n, seed, out_dir=out_dir, first=done, **kwargs)  # type: ignore[arg-type]
        parts.append(mc.kpis)
        done = n
        mc = MonteCarlo(mc.scenario, mc.seed, pd.concat(parts, ignore_index=True), mc.out_dir)
        table = summarize(mc.kpis, level, list(tolerance), conf)
        table["tolerance"] = table["kpi"].map(tolerance)
        worst = (table["half_width"] / table["tolerance"]).max()
        if not math.isfinite(worst) or worst <= 1.0 or n >= max_reps:
            table["precise"] = table["half_width"] <= table["tolerance"]
            return mc, table
        n = min(max_reps, max(math.ceil(n * worst**2), math.ceil(n * 1.2)))

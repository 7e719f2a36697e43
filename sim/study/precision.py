"""Add replications until every chosen KPI's confidence interval is narrow enough."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import pandas as pd

from sim.analysis.stats import summarize
from sim.schema import Scenario
from sim.study.runner import MonteCarlo, run_replications
from sim.study.store import DEFAULT_LEVELS, Store, scenario_digest

log = logging.getLogger(__name__)


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
    the final size. With ``out_dir`` the first round takes every replication already there
    (``0 .. R-1`` without a gap), so a folder never reports fewer than it holds. Each round
    logs the half-widths reached. Returns the Monte Carlo result and the final precision table.
    """
    n, done = max(min_reps, _on_disk(scenario, seed, out_dir, kwargs.get("levels", DEFAULT_LEVELS))), 0  # type: ignore[arg-type]
    n = min(n, max(max_reps, min_reps))
    parts: list[pd.DataFrame] = []
    while True:
        mc = run_replications(scenario, n, seed, out_dir=out_dir, first=done, **kwargs)  # type: ignore[arg-type]
        parts.append(mc.kpis)
        done = n
        mc = MonteCarlo(mc.scenario, mc.seed, pd.concat(parts, ignore_index=True), mc.out_dir)
        table = precision_table(mc.kpis, tolerance, level, conf)
        worst = (table["half_width"] / table["tolerance"]).max()
        log.info("precision: %d replications; CI half-width %s", n, ", ".join(
            f"{r.kpi} {r.half_width:.4g} (goal {r.tolerance:g})" for r in table.itertuples()))
        if not math.isfinite(worst) or worst <= 1.0 or n >= max_reps:
            return mc, table
        n = min(max_reps, max(math.ceil(n * worst**2), math.ceil(n * 1.2)))


def precision_table(kpis: pd.DataFrame, tolerance: dict[str, float], level: str = "run", conf: float = 0.95) -> pd.DataFrame:
    """The :func:`summarize` rows of the KPIs in ``tolerance`` with columns ``tolerance`` and
    ``precise`` (CI half-width within it)."""
    table = summarize(kpis, level, list(tolerance), conf)
    table["tolerance"] = table["kpi"].map(tolerance)
    table["precise"] = table["half_width"] <= table["tolerance"]
    return table


def _on_disk(scenario: Scenario, seed: int | None, out_dir: str | Path | None, levels: object) -> int:
    """How many replications ``0 .. R-1`` (without a gap) ``out_dir`` already holds."""
    if not out_dir or not (Path(out_dir) / "replications").is_dir():
        return 0
    seed = scenario.run.seed if seed is None else seed
    done = Store.scan(Path(out_dir) / "replications", scenario_digest(scenario, seed, levels), seed, quiet=True)  # type: ignore[arg-type]
    n = 0
    while n in done:
        n += 1
    return n

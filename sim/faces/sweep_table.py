"""The side-by-side table of a Hydra multirun sweep of ``python -m sim`` (``-m key=a,b,c``).

Hydra runs one job per combination of swept values, each in its own folder
``<sweep dir>/<job number>``. At the end of the sweep, :class:`SweepSummary` (a Hydra callback,
``hydra.callbacks`` in ``scenarios/config.yaml``) reads each job's ``kpi_run.csv`` and
``.hydra/overrides.yaml`` and writes into the sweep folder:

- ``sweep_summary.csv``: one row per job, the swept overrides (one column each) and the run's
  pooled KPIs (with a ``<kpi>_met`` column per target);
- ``sweep_summary.png``: the KPIs that have a target, per job, against the target.

A job that failed (no ``kpi_run.csv``) is listed with empty KPIs, not left out.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

log = logging.getLogger(__name__)

SUMMARY_CSV = "sweep_summary.csv"
SUMMARY_PNG = "sweep_summary.png"


def _job_row(job: Path, swept: set[str]) -> dict[str, Any]:
    overrides = yaml.safe_load((job / ".hydra" / "overrides.yaml").read_text(encoding="utf-8")) or []
    row: dict[str, Any] = {"job": job.name}
    for item in overrides:
        key, _, value = str(item).partition("=")
        if key.lstrip("+~") in swept:
            row[key.lstrip("+~")] = value
    kpis = job / "kpi_run.csv"
    if kpis.is_file():
        table = pd.read_csv(kpis)
        for r in table.itertuples(index=False):
            row[str(r.kpi)] = r.value
            if isinstance(r.target, str):
                row[f"{r.kpi}_met"] = r.met
    return row


def _swept_keys(jobs: list[Path]) -> set[str]:
    """The override keys whose value differs between jobs (the swept ones)."""
    values: dict[str, set[str]] = {}
    for job in jobs:
        for item in yaml.safe_load((job / ".hydra" / "overrides.yaml").read_text(encoding="utf-8")) or []:
            key, _, value = str(item).partition("=")
            values.setdefault(key.lstrip("+~"), set()).add(value)
    return {k for k, v in values.items() if len(v) > 1} or set(values)


def sweep_table(sweep_dir: Path) -> pd.DataFrame:
    """One row per job folder of ``sweep_dir`` (see the module docstring)."""
    jobs = sorted((p for p in sweep_dir.iterdir() if (p / ".hydra" / "overrides.yaml").is_file()),
                  key=lambda p: (not p.name.isdigit(), int(p.name) if p.name.isdigit() else 0, p.name))
    swept = _swept_keys(jobs)
    return pd.DataFrame([_job_row(j, swept) for j in jobs])


def write_sweep_summary(sweep_dir: Path) -> Path | None:
    """Write ``sweep_summary.csv`` and its plot into ``sweep_dir``; None without any job."""
    table = sweep_table(sweep_dir)
    if table.empty or "availability" not in table.columns:  # no job of python -m sim (e.g. a sim.mc sweep)
        return None
    path = sweep_dir / SUMMARY_CSV
    table.to_csv(path, index=False)
    from sim.faces.plots import sweep_jobs  # matplotlib only when there is something to draw

    sweep_jobs(table, sweep_dir / SUMMARY_PNG)
    return path


class SweepSummary(Callback):
    """Hydra callback: the side-by-side table at the end of a multirun."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        path = write_sweep_summary(Path(config.hydra.sweep.dir))
        if path is not None:
            log.info("Sweep summary (one row per job): %s", path)

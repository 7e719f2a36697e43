"""The side-by-side table of a Hydra multirun sweep (``-m key=a,b,c``) of ``python -m sim`` or
``python -m sim.mc``.

Hydra runs one job per combination of swept values, each in its own folder
``<sweep dir>/<job number>``. At the end of the sweep, :class:`SweepSummary` (a Hydra callback,
``hydra.callbacks`` in ``scenarios/config.yaml``) reads each job's results and
``.hydra/overrides.yaml`` and writes into the sweep folder:

- ``sweep_summary.csv``: one row per job, the swept overrides (one column each) and the run's
  KPIs: for a job of ``python -m sim`` its pooled KPIs (``kpi_run.csv``, with a ``<kpi>_met``
  column per target); for a job of ``python -m sim.mc``, whose results are in its own results
  folder (column ``results``; the job folder names it in :data:`JOB_RESULTS`), the mean over
  replications of each KPI with ``<kpi>_ci_low``, ``<kpi>_ci_high`` and ``<kpi>_p_met`` from
  its ``summary_run.csv`` (and ``replications``);
- ``sweep_summary.png``: the KPIs that have a target, per job (labelled with its swept values,
  e.g. ``staffing.agents=10``), against the target or with their confidence intervals;

and prints where they are. A job that failed (no results) is listed with empty KPIs, not left out.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

SUMMARY_CSV = "sweep_summary.csv"
SUMMARY_PNG = "sweep_summary.png"
JOB_RESULTS = "results_folder.txt"
"""The file in a Hydra job folder of ``python -m sim.mc`` that names the job's results folder."""
MC_SUMMARY = "summary_run.csv"
"""A ``python -m sim.mc`` run's summary, copied into its Hydra job folder in a multirun."""


def note_job_results(folder: Path) -> Path | None:
    """In a job of a Hydra multirun, write the results folder's path into the job folder
    (:data:`JOB_RESULTS`) and copy the job's ``summary_run.csv`` beside it for the sweep's
    summary; nothing (None) outside a multirun. The copy is the job's own figures: jobs that
    differ only in keys outside the results folder's fingerprint (``montecarlo.replications``,
    ``montecarlo.conf``, the workers) share one results folder, which holds the last job's
    summary when the sweep ends."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    if not HydraConfig.initialized() or HydraConfig.get().mode != RunMode.MULTIRUN:
        return None
    job = Path(HydraConfig.get().runtime.output_dir)
    path = job / JOB_RESULTS
    path.write_text(f"{folder.resolve()}\n", encoding="utf-8")
    if (folder / MC_SUMMARY).is_file():
        shutil.copyfile(folder / MC_SUMMARY, job / MC_SUMMARY)
    return path


def _overrides(job: Path) -> list[tuple[str, str]]:
    items = yaml.safe_load((job / ".hydra" / "overrides.yaml").read_text(encoding="utf-8")) or []
    return [(key.lstrip("+~"), value) for key, _, value in (str(item).partition("=") for item in items)]


def _mc_columns(job: Path, folder: Path) -> dict[str, Any]:
    """The run-level summary of a ``python -m sim.mc`` job (its copy in the job folder,
    :func:`note_job_results`; ``folder`` is the results folder it names) as one row's columns."""
    row: dict[str, Any] = {"results": str(folder)}
    summary = job / MC_SUMMARY
    if not summary.is_file():
        return row
    table = pd.read_csv(summary)
    row["replications"] = int(table["replications"].max()) if len(table) else 0
    for r in table.to_dict("records"):
        kpi = str(r["kpi"])
        if kpi != "all_targets":
            row[kpi], row[f"{kpi}_ci_low"], row[f"{kpi}_ci_high"] = r["mean"], r["ci_low"], r["ci_high"]
        if pd.notna(r.get("p_met")):
            row[f"{kpi}_p_met"] = r["p_met"]
    return row


def _job_row(job: Path, swept: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {"job": job.name}
    row.update((key, value) for key, value in _overrides(job) if key in swept)
    kpis = job / "kpi_run.csv"
    if kpis.is_file():
        table = pd.read_csv(kpis)
        for r in table.itertuples(index=False):
            row[str(r.kpi)] = r.value
            if isinstance(r.target, str):
                row[f"{r.kpi}_met"] = r.met
    elif (job / JOB_RESULTS).is_file():
        row.update(_mc_columns(job, Path((job / JOB_RESULTS).read_text(encoding="utf-8").strip())))
    return row


def _swept_keys(jobs: list[Path]) -> list[str]:
    """The override keys whose value differs between jobs (the swept ones), in the order given."""
    values: dict[str, set[str]] = {}
    for job in jobs:
        for key, value in _overrides(job):
            values.setdefault(key, set()).add(value)
    return [k for k, v in values.items() if len(v) > 1] or list(values)


def _jobs(sweep_dir: Path) -> list[Path]:
    return sorted((p for p in sweep_dir.iterdir() if (p / ".hydra" / "overrides.yaml").is_file()),
                  key=lambda p: (not p.name.isdigit(), int(p.name) if p.name.isdigit() else 0, p.name))


def sweep_table(sweep_dir: Path) -> pd.DataFrame:
    """One row per job folder of ``sweep_dir`` (see the module docstring); the swept keys are
    the columns after ``job`` (also in ``table.attrs["swept"]``)."""
    jobs = _jobs(sweep_dir)
    swept = _swept_keys(jobs)
    table = pd.DataFrame([_job_row(j, swept) for j in jobs])
    table.attrs["swept"] = [k for k in swept if k in table.columns]
    return table


def write_sweep_summary(sweep_dir: Path) -> Path | None:
    """Write ``sweep_summary.csv`` and its plot into ``sweep_dir``; None without any job's results."""
    table = sweep_table(sweep_dir)
    if table.empty or "availability" not in table.columns:  # no job left results (every job failed)
        return None
    path = sweep_dir / SUMMARY_CSV
    table.to_csv(path, index=False)
    from sim.faces.plots import sweep_jobs  # matplotlib only when there is something to draw

    sweep_jobs(table, sweep_dir / SUMMARY_PNG, table.attrs["swept"])
    return path


class SweepSummary(Callback):
    """Hydra callback: the side-by-side table at the end of a multirun."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        if not _summarised(config):
            return  # python -m sim.staff, sim.schedule, sim.capacity: their jobs write their own reports
        path = write_sweep_summary(sweep_dir) if sweep_dir.is_dir() else None
        if path is not None:
            text = f"\nSweep summary, one row per job: {path} (and {path.with_name(SUMMARY_PNG).name})\n"
        else:
            text = f"\nNo job of the sweep left results to put side by side; the job folders are in {sweep_dir}\n"
        sys.stdout.write(text)  # the end of the command's output: where the sweep's results are
        sys.stdout.flush()


SUMMARISED = ("run", "mc")
"""Hydra's job names (``hydra.job.name``: the app's module, ``sim/faces/run.py`` and
``sim/faces/mc.py``) of the commands whose sweeps get a side-by-side summary."""


def _summarised(config: DictConfig) -> bool:
    """Whether the sweep is of ``python -m sim`` or ``python -m sim.mc`` (:data:`SUMMARISED`)."""
    return str(config.hydra.job.name) in SUMMARISED

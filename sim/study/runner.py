"""Monte Carlo replications: KPIs per level of each replication, run in parallel, same seed ⇒ same result.

Replication ``k`` of a run with seed ``s`` always uses ``SeedSequence(s, spawn_key=(k,))``
(:func:`replication_seed`), whatever the number of workers, the backend or the order in which
replications finish, so results are identical for 1 or 2 workers and for local processes or
Dask. Where they run is :mod:`sim.study.executors`; with an output folder each finished
replication is written at once and a rerun resumes (:mod:`sim.study.store`); progress is
:mod:`sim.study.progress`. This module keeps what one replication yields (:func:`result_kpis`
per KPI level) and :func:`run_replications`, which ties them together; the names of the
results folder and the executors are re-exported here, the Monte Carlo API's one door.

The runner knows nothing of the model's internals: it calls :func:`sim.simulate` and the
pure KPI functions.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.case_kpis import add_case_kpis
from sim.analysis.kpis import feature_kpis, judge, kpi_table
from sim.model.simulate import SimResult, simulate
from sim.schema import Scenario
from sim.study.executors import SCHEDULER_ENV, Task, close_pool, default_workers, execute, forked_pool
from sim.study.progress import progress_bar
from sim.study.store import DEFAULT_LEVELS, ResultsFolder, Store, folder_name, make_folder, results_folder, scenario_digest, slug

__all__ = [  # the Monte Carlo API; the results folder and the executors are re-exported from their modules
    "DEFAULT_LEVELS", "LEVELS", "SCHEDULER_ENV", "MonteCarlo", "ResultsFolder", "Store", "close_pool", "default_workers",
    "folder_name", "load_folder", "make_folder", "replication_seed", "result_kpis", "results_folder", "run_and_save",
    "run_one", "run_replications", "scenario_digest", "slug",
]


LEVELS = {"interval": None, "day": "D", "month": "MS", "run": None}


def replication_seed(seed: int, k: int) -> np.random.SeedSequence:
    """The seed of replication ``k``: independent of how many run and where."""
    return np.random.SeedSequence(seed, spawn_key=(k,))


def _whole_run(result: SimResult) -> pd.DataFrame:
    """One KPI row pooling every call of the run (period = first date)."""
    start = pd.Timestamp(result.scenario.run.start)
    calls = result.calls.assign(arrival=start)
    agents = result.agents.assign(interval_start=start)
    return kpi_table(calls, "D", agents, result.scenario.targets.threshold_s)


def result_kpis(result: SimResult, levels: Sequence[str] = ("day", "month", "run")) -> pd.DataFrame:
    """Tidy KPI rows of one replication: column ``level`` (interval/day/month/run) and
    ``period``, every KPI of :func:`sim.analysis.kpis.kpi_table` and its ``*_met`` flags."""
    s = result.scenario
    parts = []
    for level in levels:
        whole = pd.Timestamp(s.run.start) if level == "run" else None
        if level == "run":
            table, freq = _whole_run(result), "D"
        else:
            freq = LEVELS[level] or f"{s.demand.interval_min}min"
            table = kpi_table(result.calls, freq, result.agents, s.targets.threshold_s)
        if s.features_on:  # callbacks, transfers, repeat contacts and failure demand per period
            extra = feature_kpis(result.calls, freq, whole, result.cases).drop(columns="offered")
            extra["period"] = extra["period"].astype(table["period"].dtype)  # no calls: an empty object column
            table = table.merge(extra, on="period", how="left")
        judged = judge(table, s.targets)
        if result.cases is not None:  # case KPIs; all_met then needs the case targets too
            judged = add_case_kpis(judged, result.cases, None if level == "run" else freq, tuple(s.cases.kinds),
                                   s.targets.case_share_min, pd.Timestamp(s.run.start), pd.Timestamp(s.run.end) + pd.Timedelta(days=1))
        parts.append(judged.assign(level=level))
    out = pd.concat(parts, ignore_index=True)
    return out[["level", *[c for c in out.columns if c != "level"]]]


def run_one(scenario: Scenario, seed: int, k: int, levels: tuple[str, ...],
            keep_calls: bool) -> tuple[int, pd.DataFrame, pd.DataFrame | None]:
    """Replication ``k`` (a top-level function so that joblib and Dask can ship it)."""
    result = simulate(scenario, replication_seed(seed, k))
    kpis = result_kpis(result, levels).assign(replication=k)
    return k, kpis, (result.calls.assign(replication=k) if keep_calls else None)



def run_and_save(store: Store, scenario: Scenario, seed: int, k: int, levels: tuple[str, ...],
                 keep_calls: bool) -> tuple[int, pd.DataFrame, pd.DataFrame | None]:
    """Replication ``k``, written to ``store`` by the worker itself (local workers share the
    folder), so that the parent only collects the KPI rows and the writing runs in parallel."""
    k, kpis, calls = run_one(scenario, seed, k, levels, keep_calls)
    store.save(k, kpis, calls)
    return k, kpis, None




@dataclass(frozen=True)
class MonteCarlo:
    """Per-replication KPI rows of a scenario (column ``replication``; see :func:`result_kpis`)."""

    scenario: Scenario
    seed: int
    kpis: pd.DataFrame
    out_dir: Path | None = None
    count: int | None = None  # replications run (a run with no open period has no KPI rows)

    @property
    def replications(self) -> int:
        """How many replications these rows come from."""
        return self.count if self.count is not None else int(self.kpis["replication"].nunique())

    def level(self, level: str) -> pd.DataFrame:
        """The rows of one level (``day``, ``month``, ``run`` or ``interval``)."""
        return self.kpis[self.kpis["level"] == level].reset_index(drop=True)


def run_replications(
    scenario: Scenario,
    replications: int,
    seed: int | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    out_dir: str | Path | None = None,
    levels: Sequence[str] = DEFAULT_LEVELS,
    keep_calls: bool = False,
    progress: bool = False,
    first: int = 0,
) -> MonteCarlo:
    """Replications ``first .. replications-1`` of ``scenario`` (by default all from 0).

    ``workers`` defaults to all local cores. ``scheduler`` (or the
    ``DASK_SCHEDULER_ADDRESS`` environment variable) runs them on a Dask cluster instead.
    With ``out_dir`` every replication is written as it finishes and a rerun resumes.
    """
    if not 0 <= first < replications:
        raise ValueError(f"need 0 <= first < replications, got first={first}, replications={replications}")
    bad = [lv for lv in levels if lv not in LEVELS]
    if bad:
        raise ValueError(f"unknown KPI level(s) {bad}; allowed: {list(LEVELS)}")
    seed = scenario.run.seed if seed is None else seed
    scheduler = scheduler or os.environ.get(SCHEDULER_ENV) or None
    workers = workers or default_workers()
    store = Store(Path(out_dir), scenario_digest(scenario, seed, levels), seed) if out_dir else None
    wanted = range(first, replications)
    done = store.done() if store else set()
    frames: dict[int, pd.DataFrame] = {}
    for _attempt in range(2):  # a second round only for files found damaged while reading
        todo = [k for k in wanted if k not in done]
        _simulate(scenario, seed, todo, len(wanted), tuple(levels), keep_calls, workers, scheduler, progress, store, frames)
        if not store:
            break
        kpis, bad = store.load(wanted)
        if not bad:
            break
        done = set(wanted) - set(bad)
    if store:
        assert kpis is not None
    else:
        kpis = pd.concat([frames[k] for k in sorted(frames)], ignore_index=True)
    return MonteCarlo(scenario, seed, kpis, Path(out_dir) if out_dir else None, len(wanted))


def load_folder(scenario: Scenario, out_dir: str | Path, seed: int | None = None,
                levels: Sequence[str] = DEFAULT_LEVELS) -> MonteCarlo | None:
    """Every valid replication of ``scenario`` and ``seed`` in ``out_dir`` (None if none):
    what a results folder holds, whoever wrote it."""
    seed = scenario.run.seed if seed is None else seed
    store = Store(Path(out_dir), scenario_digest(scenario, seed, levels), seed)
    kpis, _bad = store.load(store.done())
    return None if kpis is None else MonteCarlo(scenario, seed, kpis, Path(out_dir), len(store.done()))


def _simulate(scenario: Scenario, seed: int, todo: list[int], wanted: int, levels: tuple[str, ...], keep_calls: bool,
              workers: int, scheduler: str | None, progress: bool, store: Store | None,
              frames: dict[int, pd.DataFrame]) -> None:
    """Run replications ``todo``; save each (or keep it in ``frames``) as it finishes."""
    args = [(scenario, seed, k, levels, keep_calls) for k in todo]
    # Local workers write their own files; a Dask worker may be on another machine, so the
    # parent writes what it sends back.
    local_save = store is not None and not scheduler
    task: Task = run_and_save if local_save else run_one
    if local_save:
        assert store is not None
        absolute = store.absolute()
        args = [(absolute, *a) for a in args]
    if not scheduler and workers > 1 and len(todo) > 1:
        forked_pool(workers)  # before the progress bar, whose monitor thread would make forking unsafe
    bar = progress_bar(len(todo), progress, initial=wanted - len(todo), total=wanted)
    try:
        for k, kpis, calls in execute(task, args, workers, scheduler):
            if store and not local_save:
                store.save(k, kpis, calls)
            if not store:
                frames[k] = kpis
            bar.update(1)
    finally:
        bar.close()

"""Monte Carlo replications: parallel (local processes or Dask), resumable, same seed ⇒ same result.

Replication ``k`` of a run with seed ``s`` always uses ``SeedSequence(s, spawn_key=(k,))``,
whatever the number of workers, the backend or the order in which replications finish, so
results are identical for 1 or 2 workers and for local processes or Dask. Local workers are
forked processes on Linux (a warm pool, started in milliseconds) and joblib's loky processes
elsewhere or when forking is unsafe (see :func:`_forked_pool`).

With an output folder, each finished replication is written at once to
``<out>/replications/rep_<k>.parquet`` (written to a temporary name, then renamed, so a
killed process never leaves half a file). A rerun with the same scenario and seed skips the
replications already on disk; ``<out>/manifest.json`` guards against mixing scenarios.

The runner knows nothing of the model's internals: it calls :func:`sim.simulate` and the
pure KPI functions.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import json
import logging
import multiprocessing as mp
import os
import signal
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.kpis import feature_kpis, judge, kpi_table
from sim.errors import ScenarioError
from sim.model.simulate import SimResult, simulate
from sim.schema import Scenario

log = logging.getLogger(__name__)

LEVELS = {"interval": None, "day": "D", "month": "MS", "run": None}
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"


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
        if level == "run":
            table = _whole_run(result)
            calls, freq = result.calls.assign(arrival=pd.Timestamp(s.run.start)), "D"
        else:
            freq = LEVELS[level] or f"{s.demand.interval_min}min"
            table = kpi_table(result.calls, freq, result.agents, s.targets.threshold_s)
            calls = result.calls
        if s.features_on:  # callbacks, transfers and repeat contacts per period
            extra = feature_kpis(calls, freq).drop(columns="offered")
            extra["period"] = extra["period"].astype(table["period"].dtype)  # no calls: an empty object column
            table = table.merge(extra, on="period", how="left")
        parts.append(judge(table, s.targets).assign(level=level))
    out = pd.concat(parts, ignore_index=True)
    return out[["level", *[c for c in out.columns if c != "level"]]]


def run_one(scenario: Scenario, seed: int, k: int, levels: tuple[str, ...],
            keep_calls: bool) -> tuple[int, pd.DataFrame, pd.DataFrame | None]:
    """Replication ``k`` (a top-level function so that joblib and Dask can ship it)."""
    result = simulate(scenario, replication_seed(seed, k))
    kpis = result_kpis(result, levels).assign(replication=k)
    return k, kpis, (result.calls.assign(replication=k) if keep_calls else None)


# --------------------------------------------------------------------------- storage


# Scenario keys that do not change what a replication computes: how many replications, on
# how many workers, where the results go (a rerun with more replications or other workers
# must resume the same folder), the scenario's name and description, and the settings of
# rostering and of sim.staff (they do not change a replication).
_NOT_IN_DIGEST = ("montecarlo", "name", "description", "roster", "staff")


def scenario_digest(scenario: Scenario, seed: int, levels: Sequence[str]) -> str:
    """A fingerprint of what a folder's replications were computed from."""
    model = scenario.model_dump(mode="json", exclude=set(_NOT_IN_DIGEST))
    blob = json.dumps({"scenario": model, "seed": seed, "levels": list(levels)}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class Store:
    """A folder of per-replication Parquet files."""

    def __init__(self, out_dir: Path, digest: str) -> None:
        self.reps = out_dir / "replications"
        self.calls = out_dir / "calls"
        self.reps.mkdir(parents=True, exist_ok=True)
        manifest = out_dir / "manifest.json"
        if manifest.exists():
            old = json.loads(manifest.read_text()).get("digest")
            if old != digest:
                raise ScenarioError(
                    f"{out_dir} holds replications of a different scenario, seed or KPI levels "
                    f"(fingerprint {old}, now {digest}); use another output folder or delete it to start over."
                )
        else:
            manifest.write_text(json.dumps({"digest": digest}))

    def path(self, k: int) -> Path:
        return self.reps / f"rep_{k:06d}.parquet"

    def done(self) -> set[int]:
        return {int(p.stem.split("_")[1]) for p in self.reps.glob("rep_*.parquet")}

    @staticmethod
    def _write(frame: pd.DataFrame, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)

    def save(self, k: int, kpis: pd.DataFrame, calls: pd.DataFrame | None) -> None:
        if calls is not None:
            self.calls.mkdir(exist_ok=True)
            self._write(calls, self.calls / f"rep_{k:06d}.parquet")
        self._write(kpis, self.path(k))  # last: its presence marks the replication done

    def load(self, ks: Iterable[int]) -> pd.DataFrame:
        return pd.concat([pd.read_parquet(self.path(k)) for k in sorted(ks)], ignore_index=True)


# --------------------------------------------------------------------------- execution


def _execute(args: list[tuple], workers: int, scheduler: str | None) -> Iterator[tuple[int, pd.DataFrame, pd.DataFrame | None]]:
    """Run ``run_one(*a)`` for each task; yield results as they finish."""
    if not args:
        return
    if scheduler:
        from distributed import Client
        from distributed import as_completed as dask_completed

        with Client(scheduler) as client:
            futures = [client.submit(run_one, *a, pure=False) for a in args]
            for fut in dask_completed(futures):
                yield fut.result()
        return
    if workers == 1 or len(args) == 1:
        for a in args:
            yield run_one(*a)
        return
    pool = _forked_pool(workers)
    if pool is None:
        from joblib import Parallel, delayed

        yield from Parallel(n_jobs=workers, return_as="generator_unordered")(delayed(run_one)(*a) for a in args)
        return
    futures = [pool.submit(run_one, *a) for a in args]
    try:
        for fut in as_completed(futures):
            yield fut.result()
    except BaseException:  # interrupted, a worker died, or the consumer stopped: drop the pool
        for fut in futures:
            fut.cancel()
        _close_pool()
        raise


# Local workers. spawn-based pools (joblib's loky) start fresh interpreters that import numpy,
# pandas, pyarrow, hydra and sim again: about a second on 2 cores, 15 % of a 100-replication
# month. On Linux, forked workers inherit the parent's imports and start in milliseconds; the
# pool is kept between calls (a sweep or the staffing search calls run_replications many
# times). Forking is only safe in a single-threaded parent, so with other threads running
# (a Dask client, a Jupyter kernel, a tqdm monitor) or off Linux, or with the environment
# variable SIM_NO_FORK set, joblib's loky backend is used instead. Either way replication k
# gets the same seed: results are identical.
_POOL: tuple[int, int, ProcessPoolExecutor] | None = None  # (workers, parent pid, pool)


def _fork_is_safe() -> bool:
    return sys.platform.startswith("linux") and "fork" in mp.get_all_start_methods() and threading.active_count() == 1


def _forked_pool(workers: int) -> ProcessPoolExecutor | None:
    """A warm pool of ``workers`` forked processes, or None when forking is not safe here."""
    global _POOL
    if os.environ.get("SIM_NO_FORK"):
        return None
    if _POOL is not None and _POOL[:2] == (workers, os.getpid()):
        return _POOL[2]  # its processes were forked when it started; its manager thread is ours
    _close_pool()
    if not _fork_is_safe():
        return None
    pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"), initializer=_die_with_parent, initargs=(os.getpid(),))
    # Fork every worker now, while this is the only thread. The parent's objects are frozen
    # for the fork, so that the workers' garbage collector skips them (and does not copy
    # their memory pages by touching them).
    gc.collect()
    gc.freeze()
    try:
        pool.submit(int).result()
    finally:
        gc.unfreeze()
    _POOL = (workers, os.getpid(), pool)
    return pool


def _die_with_parent(parent: int) -> None:
    """Initializer of a forked worker: end when the parent ends, even by SIGKILL (Linux
    ``prctl(PR_SET_PDEATHSIG)``); otherwise the worker would wait for work forever."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _close_pool() -> None:
    global _POOL
    if _POOL is not None and _POOL[1] == os.getpid():
        _POOL[2].shutdown(wait=False, cancel_futures=True)
    _POOL = None


atexit.register(_close_pool)


def default_workers() -> int:
    """All local cores."""
    return os.cpu_count() or 1


@dataclass(frozen=True)
class MonteCarlo:
    """Per-replication KPI rows of a scenario (column ``replication``; see :func:`result_kpis`)."""

    scenario: Scenario
    seed: int
    kpis: pd.DataFrame
    out_dir: Path | None = None

    @property
    def replications(self) -> int:
        return int(self.kpis["replication"].nunique())

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
    levels: Sequence[str] = ("day", "month", "run"),
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
    store = Store(Path(out_dir), scenario_digest(scenario, seed, levels)) if out_dir else None
    done = store.done() if store else set()
    wanted = range(first, replications)
    todo = [k for k in wanted if k not in done]
    args = [(scenario, seed, k, tuple(levels), keep_calls) for k in todo]
    frames: dict[int, pd.DataFrame] = {}
    if not scheduler and workers > 1 and len(todo) > 1:
        _forked_pool(workers)  # before the progress bar, whose monitor thread would make forking unsafe
    bar = _progress(len(todo), progress, initial=len(wanted) - len(todo), total=len(wanted))
    try:
        for k, kpis, calls in _execute(args, workers, scheduler):
            if store:
                store.save(k, kpis, calls)
            else:
                frames[k] = kpis
            bar.update(1)
    finally:
        bar.close()
    if store:
        kpis = store.load(wanted)
    else:
        kpis = pd.concat([frames[k] for k in sorted(frames)], ignore_index=True)
    return MonteCarlo(scenario, seed, kpis, Path(out_dir) if out_dir else None)


class _NoBar:
    def update(self, n: int) -> None:  # noqa: D102
        pass

    def close(self) -> None:  # noqa: D102
        pass


def _progress(n: int, show: bool, initial: int, total: int):  # noqa: ANN202
    if not show or n == 0:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, unit="rep", desc="replications")

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
import copy
import gc
import hashlib
import json
import logging
import math
import multiprocessing as mp
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.cases import add_case_kpis
from sim.analysis.kpis import feature_kpis, judge, kpi_table
from sim.errors import ScenarioError
from sim.model.simulate import SimResult, simulate
from sim.schema import Scenario

log = logging.getLogger(__name__)

LEVELS = {"interval": None, "day": "D", "month": "MS", "run": None}
DEFAULT_LEVELS: tuple[str, ...] = ("day", "month", "run")
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


# --------------------------------------------------------------------------- storage


# Scenario keys that do not change what a replication computes: how many replications, on
# how many workers, where the results go (a rerun with more replications or other workers
# must resume the same folder), the scenario's name and description, and the settings of
# rostering, sim.staff and the dated schedule, and the Excel copies of the tables (they do not
# change a replication).
_NOT_IN_DIGEST = ("montecarlo", "name", "description", "roster", "staff", "schedule", "capacity", "output")
_REP_FILE = re.compile(r"rep_(\d{6})\.parquet")
_META_KEY = b"sim.replication"


def scenario_digest(scenario: Scenario, seed: int, levels: Sequence[str]) -> str:
    """A fingerprint of what a folder's replications were computed from: the resolved
    scenario (without ``montecarlo``, ``name``, ``description``), the seed and the KPI levels."""
    model = scenario.model_dump(mode="json", exclude=set(_NOT_IN_DIGEST))
    blob = json.dumps({"scenario": model, "seed": seed, "levels": list(levels)}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def slug(label: str) -> str:
    """A folder name for a label."""
    text = re.sub(r"[^A-Za-z0-9_.=-]+", "_", label).strip("_") or "scenario"
    return text[:80]


def folder_name(scenario: Scenario, seed: int | None = None, levels: Sequence[str] = DEFAULT_LEVELS,
                label: str | None = None) -> str:
    """``<label or name>_seed<seed>_<8 hex digits of the fingerprint>``: a changed scenario
    gets its own folder, the same scenario resumes in the same one."""
    seed = scenario.run.seed if seed is None else seed
    return f"{slug(label or scenario.name)}_seed{seed}_{scenario_digest(scenario, seed, levels)[:8]}"


@dataclass(frozen=True)
class ResultsFolder:
    """Where a scenario's replications live and how many of them are there."""

    path: Path
    done: frozenset[int]
    replications: int

    @property
    def complete(self) -> bool:
        """Every replication ``0 .. replications-1`` is on disk (and belongs to the scenario)."""
        return all(k in self.done for k in range(self.replications))


def results_folder(scenario: Scenario, seed: int | None = None, *, replications: int | None = None,
                   root: str | Path | None = None, levels: Sequence[str] = DEFAULT_LEVELS) -> ResultsFolder:
    """The results folder of ``python -m sim.mc`` for ``scenario`` and ``seed`` (default
    ``run.seed``) under ``root`` (default ``montecarlo.out_dir``) and whether it holds all
    ``replications`` (default ``montecarlo.replications``). Reads only the files' metadata;
    a rerun of :func:`run_replications` with ``out_dir=path`` loads them without simulating."""
    seed = scenario.run.seed if seed is None else seed
    path = Path(root or scenario.montecarlo.out_dir) / folder_name(scenario, seed, levels)
    digest = scenario_digest(scenario, seed, levels)
    done = Store.scan(path / "replications", digest, seed, quiet=True) if path.is_dir() else set()
    return ResultsFolder(path, frozenset(done), replications or scenario.montecarlo.replications)


def make_folder(out: Path) -> None:
    """Make the results folder ``out`` (and its parents); a file in the way is one error
    paragraph naming it, not a traceback."""
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"{out} is a file, not a folder: choose another output folder (montecarlo.out_dir) or move the file.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScenarioError(f"cannot make the results folder {out} ({exc.strerror or exc}): "
                            "choose another output folder (montecarlo.out_dir).") from None


class Store:
    """A folder of per-replication Parquet files, each carrying the fingerprint of its
    scenario, its seed and its replication number in the Parquet metadata; a file that is
    damaged, has a stray name or belongs to something else is set aside and recomputed."""

    def __init__(self, out_dir: Path, digest: str, seed: int) -> None:
        self.out_dir = out_dir
        self.digest, self.seed = digest, seed
        self.reps = out_dir / "replications"
        self.calls = out_dir / "calls"
        self._folders()
        self._manifest()

    def _folders(self) -> None:
        """Make the folder and ``replications/``; a plain file where ``replications`` or
        ``calls`` belongs is set aside to ``rejected/`` like a damaged replication."""
        out = self.out_dir
        make_folder(out)
        try:
            for sub in (self.reps, self.calls):
                if sub.exists() and not sub.is_dir():
                    self._reject(sub, "a plain file where a folder belongs", folder=out, then="the folder is made again")
            self.reps.mkdir(exist_ok=True)
        except OSError as exc:
            raise ScenarioError(f"cannot make the results folder {out} ({exc.strerror or exc}): "
                                "choose another output folder (montecarlo.out_dir) or repair its files.") from None

    def _manifest(self) -> None:
        manifest = self.out_dir / "manifest.json"
        old = None
        if manifest.exists():
            try:
                old = json.loads(manifest.read_text(encoding="utf-8"))["digest"]
            except (ValueError, KeyError, TypeError, OSError):
                log.warning("%s is damaged or empty; writing it again (each replication file is checked on its own).", manifest)
        if old is not None and old != self.digest:
            if self._holds(old):
                raise ScenarioError(
                    f"{self.out_dir} holds replications of a different scenario, seed or KPI levels "
                    f"(fingerprint {old}, now {self.digest}); use another output folder or delete it to start over."
                )
            # no replication file carries the manifest's fingerprint: the manifest is the odd one out
            self._reject(manifest, f"of another fingerprint ({old}) than every replication file in the folder", folder=self.out_dir,
                         then="written again (each replication file is checked on its own)")
            old = None
        if old is None:
            tmp = manifest.with_suffix(".tmp")
            tmp.write_text(json.dumps({"digest": self.digest, "seed": self.seed}), encoding="utf-8")
            os.replace(tmp, manifest)

    def _holds(self, digest: str) -> bool:
        """Whether some replication file of the folder carries ``digest`` (read from its metadata)."""
        import pyarrow.parquet as pq

        for p in sorted(self.reps.glob("rep_*.parquet")):
            try:
                meta = json.loads((pq.read_schema(p).metadata or {}).get(_META_KEY, b"null"))
            except Exception:  # noqa: BLE001 - damaged files are dealt with by scan()
                continue
            if isinstance(meta, dict) and meta.get("digest") == digest:
                return True
        return False

    def path(self, k: int) -> Path:
        return self.reps / f"rep_{k:06d}.parquet"

    def absolute(self) -> Store:
        """The same store with absolute paths, for workers: a warm worker was forked earlier and
        may have another working directory than the run that hands it a relative folder."""
        twin = copy.copy(self)
        twin.out_dir, twin.reps, twin.calls = self.out_dir.resolve(), self.reps.resolve(), self.calls.resolve()
        return twin

    def _meta(self, k: int) -> dict[bytes, bytes]:
        return {_META_KEY: json.dumps({"digest": self.digest, "seed": self.seed, "replication": k}).encode()}

    @staticmethod
    def scan(reps: Path, digest: str, seed: int, quiet: bool = False) -> set[int]:
        """Replication numbers whose files are readable and carry ``digest``, ``seed`` and
        their own number; others are reported (and, unless ``quiet``, moved to ``rejected/``)."""
        import pyarrow.parquet as pq

        good: set[int] = set()
        for p in sorted(reps.glob("*.parquet")):
            m = _REP_FILE.fullmatch(p.name)
            problem = None if m else "a stray file name (expected rep_<6 digits>.parquet)"
            if m:
                try:
                    meta = json.loads((pq.read_schema(p).metadata or {}).get(_META_KEY, b"null"))
                except Exception:  # noqa: BLE001 - truncated, empty or not Parquet at all
                    meta, problem = None, "damaged (not a readable Parquet file)"
                else:
                    want = {"digest": digest, "seed": seed, "replication": int(m.group(1))}
                    if meta != want:
                        problem = "not a replication of this scenario and seed (fingerprint differs)"
            if problem is None:
                good.add(int(m.group(1)))  # type: ignore[union-attr]
            elif not quiet:
                Store._reject(p, problem, recompute=m is not None)
        return good

    @staticmethod
    def _reject(p: Path, problem: str, recompute: bool = True, *, folder: Path | None = None, then: str | None = None) -> None:
        """Move ``p`` (a replication file, or with ``folder`` a file of the results folder
        itself) to the folder's ``rejected/`` and say so (``then``: what happens next)."""
        aside = (folder or p.parent.parent) / "rejected"
        if aside.exists() and not aside.is_dir():
            raise ScenarioError(f"{p} is {problem}, and {aside} is a file, so it cannot be set aside there: move {aside} away.")
        aside.mkdir(exist_ok=True)
        os.replace(p, aside / p.name)
        then = then or ("the replication is recomputed" if recompute else "it is not used")
        log.warning("%s is %s; moved to %s, %s.", p, problem, aside, then)

    def done(self) -> set[int]:
        return self.scan(self.reps, self.digest, self.seed)

    def _write(self, frame: pd.DataFrame, path: Path, k: int) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **self._meta(k)})
        tmp = path.with_suffix(".tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, path)

    def save(self, k: int, kpis: pd.DataFrame, calls: pd.DataFrame | None) -> None:
        if calls is not None:
            self.calls.mkdir(exist_ok=True)
            self._write(calls, self.calls / f"rep_{k:06d}.parquet", k)
        self._write(kpis, self.path(k), k)  # last: its presence marks the replication done

    def load(self, ks: Iterable[int]) -> tuple[pd.DataFrame | None, list[int]]:
        """The rows of replications ``ks``, and the numbers of files that failed to read
        (moved aside, to be recomputed)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        tables, bad = [], []
        for k in sorted(ks):
            try:
                tables.append(pq.read_table(self.path(k)))
            except Exception:  # noqa: BLE001 - a damaged page the footer check did not see
                self._reject(self.path(k), "damaged (not a readable Parquet file)")
                bad.append(k)
        if not tables:
            return None, bad
        try:  # one conversion of all rows: about 3x faster than a read_parquet per file
            return pa.concat_tables(tables, promote_options="default").to_pandas(), bad
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # schemas that do not unify: pandas decides
            return pd.concat([t.to_pandas() for t in tables], ignore_index=True), bad


# --------------------------------------------------------------------------- execution


def run_and_save(store: Store, scenario: Scenario, seed: int, k: int, levels: tuple[str, ...],
                 keep_calls: bool) -> tuple[int, pd.DataFrame, pd.DataFrame | None]:
    """Replication ``k``, written to ``store`` by the worker itself (local workers share the
    folder), so that the parent only collects the KPI rows and the writing runs in parallel."""
    k, kpis, calls = run_one(scenario, seed, k, levels, keep_calls)
    store.save(k, kpis, calls)
    return k, kpis, None


Task = Callable[..., tuple[int, pd.DataFrame, pd.DataFrame | None]]


def _execute(task: Task, args: list[tuple], workers: int,
             scheduler: str | None) -> Iterator[tuple[int, pd.DataFrame, pd.DataFrame | None]]:
    """Run ``task(*a)`` for each task; yield results as they finish."""
    if not args:
        return
    if scheduler:
        from distributed import as_completed as dask_completed

        with _dask_client(scheduler) as client:
            futures = [client.submit(task, *a, pure=False) for a in args]
            for fut in dask_completed(futures):
                yield fut.result()
        return
    if workers == 1 or len(args) == 1:
        for a in args:
            yield task(*a)
        return
    pool = _forked_pool(workers)
    if pool is None:
        from joblib import Parallel, delayed

        yield from Parallel(n_jobs=workers, return_as="generator_unordered")(delayed(task)(*a) for a in args)
        return
    futures = [pool.submit(task, *a) for a in args]
    try:
        for fut in as_completed(futures):
            yield fut.result()
    except BaseException:  # interrupted, a worker died, or the consumer stopped: drop the pool
        for fut in futures:
            fut.cancel()
        _close_pool()
        raise


DASK_TIMEOUT_S = 10


def _dask_client(scheduler: str):  # noqa: ANN202
    """A Dask client of ``scheduler``; one paragraph (not a traceback) when it cannot be reached."""
    from distributed import Client

    log.info("connecting to the Dask scheduler at %s (waiting up to %d s) ...", scheduler, DASK_TIMEOUT_S)
    try:
        return Client(scheduler, timeout=DASK_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ScenarioError(
            f"could not reach a Dask scheduler at {scheduler} within {DASK_TIMEOUT_S} s ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else 'no answer'}). The address comes from montecarlo.scheduler "
            f"or the environment variable {SCHEDULER_ENV}; start a scheduler and a worker there "
            "(`dask scheduler` and `dask worker ADDRESS`), or leave both unset to run on local processes."
        ) from None


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


def close_pool() -> None:
    """Stop the warm local pool now (a command that ends a job, e.g. in Hydra's joblib
    launcher, whose worker process lives on, must not leave forked workers behind)."""
    global _POOL
    if _POOL is not None and _POOL[1] == os.getpid():
        _POOL[2].shutdown(wait=True, cancel_futures=True)
    _POOL = None


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
        _forked_pool(workers)  # before the progress bar, whose monitor thread would make forking unsafe
    bar = _progress(len(todo), progress, initial=wanted - len(todo), total=wanted)
    try:
        for k, kpis, calls in _execute(task, args, workers, scheduler):
            if store and not local_save:
                store.save(k, kpis, calls)
            if not store:
                frames[k] = kpis
            bar.update(1)
    finally:
        bar.close()


class _NoBar:
    def update(self, n: int) -> None:  # noqa: D102
        pass

    def close(self) -> None:  # noqa: D102
        pass


class LogProgress:
    """Progress as log lines, one per ``step`` (a share of the total) and one at the end:
    what a long run shows when its output is not a terminal (a log file, a pipe, CI)."""

    def __init__(self, total: int, initial: int = 0, desc: str = "replications", step: float = 0.05,
                 logger: logging.Logger | None = None) -> None:
        self.total, self.n, self.desc = total, initial, desc
        self.every = max(1, math.ceil(total * step))
        self.log = logger or log
        self.t0 = time.perf_counter()
        self._last = initial

    def update(self, n: int = 1) -> None:
        self.n += n
        if self.n - self._last >= self.every or self.n >= self.total:
            self._last = self.n
            elapsed = time.perf_counter() - self.t0
            self.log.info("%s: %d of %d done (%.0f %%), %.1f s", self.desc, self.n, self.total,
                          100 * self.n / max(self.total, 1), elapsed)

    def close(self) -> None:
        pass


def _progress(n: int, show: bool, initial: int, total: int):  # noqa: ANN202
    """A tqdm bar on a terminal, log lines otherwise (``show``), or nothing."""
    if not show or n == 0:
        return _NoBar()
    if not sys.stderr.isatty():
        return LogProgress(total, initial)
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, unit="rep", desc="replications")

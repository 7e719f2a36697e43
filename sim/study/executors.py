"""Where replications run: in this process, on a warm pool of forked local workers, with
joblib's loky processes, or on a Dask cluster; results are yielded as they finish.

Replication ``k`` gets the same seed whichever executor runs it (:func:`sim.study.runner.replication_seed`),
so the executors only change the wall time, never the results.
"""

from __future__ import annotations

import atexit
import gc
import logging
import multiprocessing as mp
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed

import pandas as pd

from sim.errors import ScenarioError

log = logging.getLogger(__name__)

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"

Task = Callable[..., tuple[int, pd.DataFrame, pd.DataFrame | None]]


def execute(task: Task, args: list[tuple], workers: int,
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
    pool = forked_pool(workers)
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


def forked_pool(workers: int) -> ProcessPoolExecutor | None:
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

"""Speed of the Monte Carlo runner (``sim.study.runner.run_replications``) on the default scenario.

Workloads (the default scenario: December 2026, the Erlang A staffing table, ~12,000 calls
per replication; and the same with ``run=year_2027``, ~150,000 calls):

* **month x 100**: 100 replications with 1 worker and with 2 workers; parallel efficiency =
  T(1 worker) / (2 · T(2 workers)). T(2 workers) is measured *cold* (the first parallel call
  in the process, which starts the worker processes) and *warm* (later calls reuse them, as a
  sweep or the staffing search do); T(1 worker) and the warm time are the median of
  ``--repeats`` runs. The same is measured once with joblib's loky workers (``SIM_NO_FORK=1``)
  for reference: they are fresh interpreters that import numpy, pandas, pyarrow, hydra and
  ``sim`` again, where the default forked workers on Linux inherit the parent's imports.
* **year x 100**: 100 replications of a year with 2 workers (cold).

Every call writes its replications to a temporary folder, as ``python -m sim.mc`` does, and
computes the day/month/run KPIs of each replication. Timings are wall clock
(``time.perf_counter``) in a fresh interpreter (a subprocess), so that worker start-up is
included. The machine's load average is recorded before and after each measurement: on a
shared 2-core machine any other process running at the same time slows the 2-worker runs
most, so read the efficiency together with the load.

``python benchmarks/bench_runner.py [--reps 100] [--no-year]``; ``main()`` returns the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_EFFICIENCY = 0.90
GOAL_YEAR_S = 120.0


def _timed(scenario: Any, reps: int, workers: int) -> dict[str, Any]:
    from sim.study.runner import run_replications

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        mc = run_replications(scenario, reps, seed=1, workers=workers, out_dir=tmp)
        wall = time.perf_counter() - t
    calls = float(mc.level("run")["offered"].mean())
    return {"wall_s": round(wall, 3), "per_rep_s": round(wall / reps, 4), "calls_per_rep": round(calls),
            "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2)}


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    best = sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]
    return {**best, "all_wall_s": [r["wall_s"] for r in runs]}


def child(what: str, reps: int, repeats: int) -> dict[str, Any]:
    """Runs in a fresh interpreter: the measurements of one workload."""
    import sim

    if what in ("month", "month_loky"):
        s = sim.load_scenario("default")
        sim.simulate(s, 0)  # warm this process (caches, first-call costs) so T1 is steady-state
        one = _median([_timed(s, reps, 1) for _ in range(repeats if what == "month" else 1)])
        cold = _timed(s, reps, 2)  # the first parallel call: starts the worker processes
        warm = _median([_timed(s, reps, 2) for _ in range(repeats if what == "month" else 1)])
        return {"workers_1": one, "workers_2_cold": cold, "workers_2_warm": warm,
                "efficiency_cold": round(one["wall_s"] / (2 * cold["wall_s"]), 3),
                "efficiency_warm": round(one["wall_s"] / (2 * warm["wall_s"]), 3)}
    s = sim.load_scenario("default", ["run=year_2027"])
    return {"workers_2_cold": _timed(s, reps, 2)}


def _run_child(what: str, reps: int, repeats: int) -> dict[str, Any]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("DASK_SCHEDULER_ADDRESS", None)
    if what == "month_loky":
        env["SIM_NO_FORK"] = "1"  # joblib's loky workers (spawned) instead of the forked pool
    proc = subprocess.run([sys.executable, __file__, "--child", what, "--reps", str(reps), "--repeats", str(repeats)],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"bench_runner child {what} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(reps: int = 100, year: bool = True, repeats: int = 3) -> dict[str, Any]:
    """Month x ``reps`` with 1 and 2 workers (median of ``repeats`` runs; the cold run once),
    the same with joblib's loky workers for reference, and (``year``) a year x ``reps`` with
    2 workers."""
    out: dict[str, Any] = {"reps": reps, "repeats": repeats, "cpus": os.cpu_count()}
    month = _run_child("month", reps, repeats)
    out["month"] = month
    print(f"  month x {reps}: 1 worker {month['workers_1']['wall_s']:.1f} s, 2 workers {month['workers_2_cold']['wall_s']:.1f} s "
          f"cold / {month['workers_2_warm']['wall_s']:.1f} s warm -> efficiency {month['efficiency_cold']:.0%} cold, "
          f"{month['efficiency_warm']:.0%} warm (goal >= {GOAL_EFFICIENCY:.0%}); load "
          f"{month['workers_1']['load_before']:.2f}..{month['workers_2_warm']['load_after']:.2f}", flush=True)
    loky = _run_child("month_loky", reps, 1)
    out["month_loky"] = loky
    print(f"  month x {reps}, joblib/loky workers instead (SIM_NO_FORK=1): 2 workers {loky['workers_2_cold']['wall_s']:.1f} s cold / "
          f"{loky['workers_2_warm']['wall_s']:.1f} s warm -> efficiency {loky['efficiency_cold']:.0%} cold, "
          f"{loky['efficiency_warm']:.0%} warm", flush=True)
    goals = {"efficiency_cold_ge_90": month["efficiency_cold"] >= GOAL_EFFICIENCY,
             "efficiency_warm_ge_90": month["efficiency_warm"] >= GOAL_EFFICIENCY}
    if year:
        y = _run_child("year", reps, 1)["workers_2_cold"]
        out["year"] = y
        goals["year_x100_le_120s"] = y["wall_s"] <= GOAL_YEAR_S * reps / 100
        print(f"  year x {reps} with 2 workers: {y['wall_s']:.1f} s ({y['per_rep_s']:.2f} s per replication, "
              f"{y['calls_per_rep']:,} calls each; goal <= {GOAL_YEAR_S * reps / 100:.0f} s); load "
              f"{y['load_before']:.2f}..{y['load_after']:.2f}", flush=True)
    out["goals"] = goals
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=3, help="runs per month measurement, the median is reported")
    ap.add_argument("--no-year", action="store_true", help="skip the year x reps measurement")
    ap.add_argument("--child", choices=["month", "month_loky", "year"], help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(child(a.child, a.reps, a.repeats)))
    else:
        print(json.dumps(main(a.reps, not a.no_year, a.repeats), indent=2))

"""Capacity-plan benchmark: the year 2027 from the example history, every date kind checked by simulation.

    python benchmarks/bench_capacity.py [--workers N] [--replications R]

Times :func:`sim.faces.capacity.make_plan` on the default scenario: reading the daily history
(``scenarios/data/history_days_example.csv``), the statsmodels forecast of 2027 with its
prediction interval, Erlang A for every date at three volumes, the one-day staffing search of
each date kind (18 kinds; ``staff.replications`` 10, processes ``staff.workers``, default all
cores), shrinkage, FTE and the hiring plan. Prints the wall time, the CPU seconds of this
process and its workers, the load average, and a reference measured in the same run: one
simulated day of the default scenario (``sim.simulate``, median of 5), so that the ratio
holds on a busier or faster machine. Goal (issue 22): the year's plan in under 2 minutes on
2 cores. ``main()`` returns the figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time

import sim
from sim.faces.capacity import make_plan

GOAL_S = 120.0


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def reference_day(repeats: int = 5) -> float:
    """Median wall seconds of one simulated day of the default scenario."""
    s = sim.load_scenario("default", ["run.start=2027-03-09", "run.end=2027-03-09"])
    sim.simulate(s, 1)  # warm-up
    times = []
    for k in range(repeats):
        t0 = time.perf_counter()
        sim.simulate(s, 2 + k)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    ap.add_argument("--replications", type=int, default=10)
    args = ap.parse_args([] if argv is None else argv)  # run.py calls main() without arguments
    overrides = [f"staff.replications={args.replications}"] + ([f"staff.workers={args.workers}"] if args.workers else [])
    s = sim.load_scenario("default", overrides)
    ref = reference_day()
    cpu0, t0 = _cpu(), time.perf_counter()
    plan, _ = make_plan(s)
    wall, cpu = time.perf_counter() - t0, _cpu() - cpu0
    m = plan.months
    workers = args.workers or os.cpu_count()
    print(f"Capacity plan {s.capacity.year}: {len(plan.kinds)} date kinds checked by simulation ({args.replications} replications, "
          f"{workers} workers), load average {os.getloadavg()[0]:.2f}")
    print(f"  wall {wall:.1f} s (requirement {plan.seconds['requirement']:.1f} s), CPU {cpu:.1f} s; goal < {GOAL_S:.0f} s: "
          f"{'met' if wall < GOAL_S else 'MISSED'}")
    print(f"  reference: one simulated day {ref:.3f} s; the plan = {wall / ref:,.0f} simulated days of wall time")
    print(f"  required FTE {m['required_fte_mean'].min():.1f}-{m['required_fte_mean'].max():.1f} by month, "
          f"{int(m['hires'].sum())} hires")
    return {"wall_s": wall, "cpu_s": cpu, "reference_day_s": ref, "ratio": wall / ref, "kinds": len(plan.kinds),
            "goal_met": wall < GOAL_S}


if __name__ == "__main__":
    main(sys.argv[1:])

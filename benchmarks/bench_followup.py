"""Speed of the monthly follow-up: one month's call log (about 13 000 calls, 21 open days)
against its plan, with the default 8 replications per factor combination in the attribution of
the missed days (docs/followup.md). Goal: under 30 s on 2 cores.

    python benchmarks/bench_followup.py [--replications 8] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from sim.history.followup import follow_up
from sim.history.month_example import write_month

GOAL_S = 30.0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replications", type=int, default=8)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_month(Path(tmp))
        times, steps = [], {}
        for _ in range(args.repeat):
            t = time.perf_counter()
            f = follow_up(paths["calls"], "calls", paths["call_map"], plan=paths["plan"], replications=args.replications)
            times.append(time.perf_counter() - t)
            steps = f.timings
    med = statistics.median(times)
    print(f"follow-up of {f.month}: {int(f.days['offered'].sum())} calls, {len(f.days)} open days, "
          f"{f.attribution['date'].nunique()} missed days attributed ({len(f.attribution_runs)} simulated days), "
          f"{os.cpu_count()} CPUs")
    print(f"  wall time: median {med:.1f} s over {args.repeat} runs (min {min(times):.1f} s, max {max(times):.1f} s); "
          f"goal < {GOAL_S:.0f} s: {'met' if med < GOAL_S else 'MISSED'}")
    prev = 0.0
    for k, v in steps.items():
        print(f"  {k:<20} {v - prev:6.2f} s")
        prev = v


if __name__ == "__main__":
    main()

"""Start-up cost of the everyday commands (``python benchmarks/bench_startup.py [--repeats 5]``).

Issue 23 item 16: short work is dominated by start-up. Each command runs in a fresh process,
``--repeats`` times, interleaved with the reference ``python -c pass`` so that machine noise
hits both alike; the figures are the median wall time, its difference to the reference, and the
median CPU time (user + sys of the child, from ``getrusage(RUSAGE_CHILDREN)``), which a shared,
loaded machine inflates much less than the wall time. The load average is printed with them.
Goals (idle machine): ``import sim`` under 0.5 s, a one-day ``python -m sim`` under 1.2 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def commands(tmp: Path) -> dict[str, list[str]]:
    py = sys.executable
    return {
        "python -c pass": [py, "-c", "pass"],
        "import sim": [py, "-c", "import sim"],
        "python -m sim, one day": [py, "-m", "sim", "run.end=2026-12-01", f"hydra.run.dir={tmp / 'run'}"],
        "python -m sim.plan (tiny)": [py, "-m", "sim.plan", "--scenario", "tiny", "--out", str(tmp / "plan")],
    }


def main(repeats: int) -> None:
    with tempfile.TemporaryDirectory() as d:
        cmds = commands(Path(d))
        times: dict[str, list[float]] = {k: [] for k in cmds}
        cpus: dict[str, list[float]] = {k: [] for k in cmds}
        load = os.getloadavg()[0]
        for _ in range(repeats):
            for name, cmd in cmds.items():
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.perf_counter()
                subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True)
                times[name].append(time.perf_counter() - t)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        load = max(load, os.getloadavg()[0])
    ref = statistics.median(times["python -c pass"])
    print(f"Start-up, median of {repeats} fresh processes (reference python -c pass: {ref:.2f} s; load average up to {load:.1f})")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"  {name:<28} {med:6.2f} s   (+{med - ref:.2f} s over python -c pass)   CPU {statistics.median(cpus[name]):5.2f} s")
    print("goals on an idle machine: import sim < 0.5 s, one-day python -m sim < 1.2 s")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    main(ap.parse_args().repeats)

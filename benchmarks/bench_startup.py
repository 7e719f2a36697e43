"""Start-up cost of the everyday commands (``python benchmarks/bench_startup.py [--repeats 5]``).

Issue 23 item 16: short work is dominated by start-up. Each command runs in a fresh process,
``--repeats`` times, interleaved with the reference ``python -c pass`` so that machine noise
hits both alike; the figures are the minimum and the median wall time, the minimum's difference
to the reference, and the minimum CPU time (user + sys of the child and of the processes it
waited for, e.g. the plots' painter of ``python -m sim``, from ``getrusage(RUSAGE_CHILDREN)``),
which a shared, loaded machine inflates much less than the wall time. The load average (1 min)
before and after is printed with them: the goals are for an idle machine.
Goals (idle machine): ``import sim`` under 0.5 s, a one-day ``python -m sim`` under 1.2 s.
The project's bytecode is compiled first (as a run writes it; ``--cold`` measures without it,
the project's modules compiled in every process).

``--timeline`` runs one one-day ``python -m sim`` with marks instead: seconds since the start and
CPU seconds of each process (the run, the plot painter and its helper) at each step, i.e. where
the remaining time goes.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
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


TIMELINE = r"""
import atexit, os, resource, sys, time
T0 = float(sys.argv[1])
sys.argv = ["sim", *sys.argv[2:]]
def mark(what):
    r = resource.getrusage(resource.RUSAGE_SELF)
    print(f"  {os.getpid():>7} {time.time() - T0:6.3f} s  CPU {r.ru_utime + r.ru_stime:5.2f} s  {what}", file=sys.stderr, flush=True)
mark("interpreter up; imports")
from sim.faces.door import ended, loading
with loading("__main__"):  # as the door sim/__main__.py imports the command
    import sim.faces.output as O, sim.faces.painter as P, sim.faces.run as R
mark("imports done; the painter is forked")
def wrap(owner, name, before=None, after=None):
    f = getattr(owner, name)
    def w(*a, **k):
        if before: mark(before)
        try: return f(*a, **k)
        finally:
            if after: mark(after)
    setattr(owner, name, w)
wrap(R, "validate", "overrides checked, Hydra composed, job folder set up; validating", "validated")
wrap(O, "simulate", None, "simulated")
wrap(O, "plot_jobs", "plot tables computed: handed to the painter", None)
wrap(O, "excel_copies", "month and run KPIs computed, files written", None)
wrap(P.ForkedPainter, "finish", "waiting for the painter", "painter done")
wrap(P, "draw_here", "painter: matplotlib imported, tables received; drawing", "painter: drawn")
child = P._child
def forked(*a):
    mark("painter: forked")
    child(*a)
P._child = forked
atexit.register(lambda: mark("exit"))
ended(R.main())
"""


def timeline() -> None:
    """One one-day run with marks (stderr of the instrumented run)."""
    with tempfile.TemporaryDirectory() as d:
        cmd = [sys.executable, "-c", TIMELINE, repr(time.time()), "run.end=2026-12-01", f"hydra.run.dir={Path(d) / 'run'}"]
        done = subprocess.run(cmd, cwd=ROOT, env=bytecode(False, Path(d)), capture_output=True, text=True, check=True)
    print(f"One-day python -m sim, one run (load average {os.getloadavg()[0]:.1f}): pid, seconds since start, CPU of that process")
    print(done.stderr, end="")


def bytecode(cold: bool, tmp: Path) -> dict[str, str]:
    """The environment of the measured processes. Warm (the default): the project's bytecode is
    compiled first, as any run writes it unless ``PYTHONDONTWRITEBYTECODE`` is set (this
    sandbox sets it, so without this step every command would compile the simulator's 130
    modules again, about 0.18 s). Cold (``--cold``): the project's bytecode removed and none
    written: its modules compiled in every process (the installed libraries keep theirs)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if cold:
        for cache in (ROOT / "sim").rglob("__pycache__"):
            shutil.rmtree(cache)
        return {**env, "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "sim")], env=env, check=True, capture_output=True)
    return env


def main(repeats: int, cold: bool = False) -> None:
    with tempfile.TemporaryDirectory() as d:
        env = bytecode(cold, Path(d))
        cmds = commands(Path(d))
        times: dict[str, list[float]] = {k: [] for k in cmds}
        cpus: dict[str, list[float]] = {k: [] for k in cmds}
        load = os.getloadavg()[0]
        for _ in range(repeats):
            for name, cmd in cmds.items():
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.perf_counter()
                subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=True)
                times[name].append(time.perf_counter() - t)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        load_after = os.getloadavg()[0]
    ref = min(times["python -c pass"])
    cache = "the project's modules compiled in every process" if cold else "the project's bytecode compiled first"
    print(f"Start-up, {repeats} fresh processes each (reference python -c pass: {ref:.2f} s; "
          f"load average {load:.1f} before, {load_after:.1f} after; {cache})")
    print(f"  {'command':<28} {'min wall':>8}  {'median':>6}  {'min - reference':>15}  {'min CPU':>7}")
    for name, ts in times.items():
        best = min(ts)
        print(f"  {name:<28} {best:6.2f} s  {statistics.median(ts):6.2f}  {best - ref:+13.2f} s  {min(cpus[name]):5.2f} s")
    print("goals on an idle machine: import sim < 0.5 s, one-day python -m sim < 1.2 s")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--timeline", action="store_true", help="one one-day run with marks: where its time goes")
    ap.add_argument("--cold", action="store_true", help="no bytecode of the project: its modules compiled in every process")
    args = ap.parse_args()
    timeline() if args.timeline else main(args.repeats, args.cold)

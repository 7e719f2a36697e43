"""Calibration speed and the effective-staffing recovery (``python benchmarks/bench_calibrate.py``).

1. A year of per-call history (2026, the synthetic centre of :mod:`sim.history.synthetic`,
   about 150 000 calls with IVR hang-ups, duplicates and impossible rows) is written as an ACD
   export and calibrated: the core (read, demand, handle time, patience, Erlang A staffing,
   scenario) without simulation, then with the default simulation correction of the staffing
   (40 days) and the back-test (30 days x 4 replications). Goal: well under a minute.
2. The effective staffing against the true weekday table: share of weekday x interval cells
   within half an agent and within one agent, the mean error, for Erlang A alone and corrected,
   and the share of cells whose 95 % interval covers the truth.

``--big [ROWS]``: instead, a big per-call log (default 2.3 million rows, about 200 MB: the
year's export repeated with shifted ids and times) is read and aggregated onto the interval
grid in a fresh process, which prints the time and its peak memory (RSS) above the memory
before reading, as a multiple of the file's size. Goal: under a minute and under 3x the file.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.history.calibration import calibrate
from sim.history.synthetic import CALL_MAP, Truth, call_log, simulate_history, true_staffing


def main() -> dict[str, Any]:
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        calls = simulate_history("2026-01-01", "2026-12-31", Truth(), seed=4)
        log = root / "call_log.csv"
        call_log(calls, seed=4).to_csv(log, sep=";", index=False)
        (root / "map.yaml").write_text(yaml.safe_dump(CALL_MAP, allow_unicode=True), encoding="utf-8")
        out["history_s"] = time.perf_counter() - t
        out["rows"] = sum(1 for _ in log.open(encoding="utf-8")) - 1
        out["calls"] = len(calls)
        for label, kw in (("core", {"backtest_days": 0, "refine_days": 0}), ("full", {})):
            t = time.perf_counter()
            c = calibrate(log, "calls", root / "map.yaml", name=f"bench_{label}", scenarios=root / "scenarios", **kw)
            out[f"{label}_s"] = time.perf_counter() - t
            out[f"{label}_timings"] = {k: round(v, 2) for k, v in c.timings.items()}
        truth = true_staffing(Truth())["agents"].to_numpy()
        p = c.staffing.pooled
        for name, col in (("erlang_a", "erlang_a"), ("corrected", "agents")):
            err = p[col].to_numpy() - truth
            out[f"{name}_exact"] = float((abs(err) <= 0.5).mean())
            out[f"{name}_within_1"] = float((abs(err) <= 1).mean())
            out[f"{name}_mean_error"] = float(err.mean())
        out["coverage"] = float(((p["ci_low"] <= truth) & (truth <= p["ci_high"])).mean())
        out["identified"] = float(p["identified"].mean()) if "identified" in p.columns else float("nan")
        out["backtest"] = {r.kpi: r.verdict for r in c.backtest.summary.itertuples()} if c.backtest is not None else {}
        out["verdict"] = c.backtest.verdict if c.backtest is not None else ""
        out["hours_off"] = int((c.backtest.hours["off"] != "").sum()) if c.backtest is not None else 0
    return out


def report(r: dict[str, Any]) -> None:
    print(f"history: {r['calls']} calls simulated, {r['rows']} export rows written in {r['history_s']:.1f} s")
    print(f"calibrate, core (no simulation):           {r['core_s']:5.1f} s   {r['core_timings']}")
    print(f"calibrate, full (correction + back-test):  {r['full_s']:5.1f} s   {r['full_timings']}")
    for name in ("erlang_a", "corrected"):
        print(
            f"staffing {name:<10} within 0.5 {100 * r[f'{name}_exact']:4.0f} %   within 1 agent {100 * r[f'{name}_within_1']:4.0f} %   "
            f"mean error {r[f'{name}_mean_error']:+.2f} agents"
        )
    print(f"staffing 95 % CIs cover the truth in {100 * r['coverage']:.0f} % of cells; identified {100 * r['identified']:.0f} %")
    for k, v in r["backtest"].items():
        print(f"back-test {k:<16} {v}")
    print(f"back-test verdict: {r['verdict']} ({r['hours_off']} hour(s) of the day off)")


def big_log(path: Path, rows: int) -> Path:
    """A call log of about ``rows`` rows: a synthetic year's export repeated, each copy with
    other call ids and its times 52 weeks earlier (same weekdays); its column map beside it."""
    base = call_log(simulate_history("2026-01-01", "2026-12-31", Truth(), seed=4), seed=4)
    (path.parent / "map.yaml").write_text(yaml.safe_dump(CALL_MAP, allow_unicode=True), encoding="utf-8")
    copies = max(1, round(rows / len(base)))
    with path.open("w", encoding="utf-8") as f:
        for k in range(copies):
            part = base.copy()
            part["SamtalsID"] = f"R{k:03d}" + part["SamtalsID"]
            for c in ("Starttid", "KoStart", "KoSlut"):
                t = pd.to_datetime(part[c], format="%Y-%m-%d %H:%M:%S", errors="coerce") - pd.Timedelta(weeks=52 * k)
                part[c] = t.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")
            part.to_csv(f, sep=";", index=False, header=k == 0)
    return path


def _rss_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS"))


def measure(log: Path) -> str:
    """Read and aggregate ``log`` (in this process): seconds, peak RSS above the start, ratio."""
    from sim.history import aggregate
    from sim.history.columns import load_map
    from sim.history.readers import read_calls

    cmap = load_map(log.parent / "map.yaml", "calls")
    before = _rss_bytes()
    t = time.perf_counter()
    calls = read_calls(log, cmap)
    table = aggregate.from_calls(calls, 30)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    size = log.stat().st_size
    return (f"big log: {calls.drops.read:,} rows, {size / 1e6:.0f} MB read and aggregated ({len(table):,} intervals) in "
            f"{seconds:.1f} s; peak memory {peak / 1e6:.0f} MB above the start = {peak / size:.2f} x the file")


def main_big(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        log = big_log(Path(tmp) / "big_log.csv", rows)
        print(f"big log written in {time.perf_counter() - t:.0f} s")
        out = subprocess.run([sys.executable, __file__, "--measure", str(log)], capture_output=True, text=True, check=True)
        print(out.stdout.strip())


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big", nargs="?", type=int, const=2_300_000, default=None, metavar="ROWS", help="time a big call log instead")
    ap.add_argument("--measure", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure is not None:
        print(measure(args.measure))
    elif args.big is not None:
        main_big(args.big)
    else:
        report(main())
    sys.exit(0)

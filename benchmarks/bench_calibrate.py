"""Calibration speed and the effective-staffing recovery (``python benchmarks/bench_calibrate.py``).

1. A year of per-call history (2026, the synthetic centre of :mod:`sim.history.synthetic`,
   about 150 000 calls with IVR hang-ups, duplicates and impossible rows) is written as an ACD
   export and calibrated: the core (read, demand, handle time, patience, Erlang A staffing,
   scenario) without simulation, then with the default simulation correction of the staffing
   (40 days) and the back-test (30 days x 4 replications). Goal: well under a minute.
2. The effective staffing against the true weekday table: share of weekday x interval cells
   within half an agent and within one agent, the mean error, for Erlang A alone and corrected,
   and the share of cells whose 95 % interval covers the truth.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from sim.history.calibrate import calibrate
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


if __name__ == "__main__":
    report(main())
    sys.exit(0)

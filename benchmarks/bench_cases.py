"""Cost per call and per case with case work on, against the same month with cases off.

    python benchmarks/bench_cases.py [--reps 7]

The default month (December 2026, constant 14 agents: the team that meets the phone and the
case targets, see experiments/cases.py) is run through ``sim.simulate`` with ``cases=off``
and with ``cases=on`` (blended, reserve 0; about 4 000 cases beside 12 000 calls), interleaved
seed by seed in the same run. Figures are medians: µs per offered call with cases off, the
extra µs per case with cases on ((wall on − wall off) / cases), and the wall-clock ratio
on / off. Also times the canonical day with cases off (the phone-only hot path).

``--year``: the Monte Carlo runner's year (``run=year_2027``) x ``--year-reps`` (100)
replications on 2 workers, with cases on and with cases off, in the same run.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from typing import Any


def _timed(scenario: Any, seed: int) -> tuple[float, int, int]:
    import sim

    gc.collect()
    t0 = time.perf_counter()
    r = sim.simulate(scenario, seed)
    return time.perf_counter() - t0, len(r.calls), 0 if r.cases is None else len(r.cases)


def main(reps: int = 7, verbose: bool = True) -> dict[str, Any]:
    """Medians of wall time, cost per call and per case; ratio on/off."""
    import sim

    base = ["staffing=flat", "staffing.agents=14"]
    off = sim.load_scenario("default", [*base, "cases=off"])
    on = sim.load_scenario("default", [*base, "cases=on"])
    canonical = sim.load_scenario("canonical_day")
    for s in (off, on, canonical):
        _timed(s, 999)  # warm-up
    w_off, w_on, per_call, per_case, ratio, canon = [], [], [], [], [], []
    for seed in range(1, reps + 1):
        a, n_calls, _ = _timed(off, seed)
        b, _, n_cases = _timed(on, seed)
        c, n_canon, _ = _timed(canonical, seed)
        w_off.append(a)
        w_on.append(b)
        per_call.append(1e6 * a / n_calls)
        per_case.append(1e6 * (b - a) / n_cases)
        ratio.append(b / a)
        canon.append(1e6 * c / n_canon)
    res = {
        "reps": reps,
        "month_wall_s_off": statistics.median(w_off),
        "month_wall_s_on": statistics.median(w_on),
        "us_per_call_cases_off": statistics.median(per_call),
        "extra_us_per_case": statistics.median(per_case),
        "ratio_on_over_off": statistics.median(ratio),
        "canonical_day_us_per_call_cases_off": statistics.median(canon),
    }
    if verbose:
        print(f"Cases benchmark (default month, 14 agents, {reps} replications each, medians)")
        print(f"  cases off: {res['month_wall_s_off']:.3f} s per month, {res['us_per_call_cases_off']:.1f} µs per call")
        print(f"  cases on:  {res['month_wall_s_on']:.3f} s per month, {res['extra_us_per_case']:.1f} µs extra per case")
        print(f"  ratio on/off: {res['ratio_on_over_off']:.2f}x")
        print(f"  canonical day, cases off: {res['canonical_day_us_per_call_cases_off']:.1f} µs per call")
    return res


def year(reps: int = 100, workers: int = 2, verbose: bool = True) -> dict[str, Any]:
    """Wall time of the runner's year x ``reps`` with cases off and on (cold pool each)."""
    import tempfile

    import sim
    from sim.study.runner import run_replications

    res: dict[str, Any] = {"reps": reps, "workers": workers}
    for label in ("off", "on"):
        s = sim.load_scenario("default", ["run=year_2027", "staffing=flat", "staffing.agents=14", f"cases={label}"])
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            mc = run_replications(s, reps, seed=1, workers=workers, out_dir=tmp, progress=False)
            res[f"wall_s_{label}"] = time.perf_counter() - t0
        run = mc.level("run")
        res[f"calls_per_rep_{label}"] = float(run["offered"].mean())
        if label == "on":
            res["cases_per_rep"] = float(run["cases_arrived"].mean())
    res["ratio_on_over_off"] = res["wall_s_on"] / res["wall_s_off"]
    if verbose:
        print(f"Runner, year 2027 x {reps} replications on {workers} workers: cases off {res['wall_s_off']:.1f} s, "
              f"cases on {res['wall_s_on']:.1f} s ({res['cases_per_rep']:,.0f} cases and {res['calls_per_rep_on']:,.0f} calls "
              f"per replication); ratio {res['ratio_on_over_off']:.2f}x")
    return res


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--year", action="store_true", help="also the runner's year x --year-reps with cases on and off")
    ap.add_argument("--year-reps", type=int, default=100)
    a = ap.parse_args()
    main(a.reps)
    if a.year:
        year(a.year_reps)

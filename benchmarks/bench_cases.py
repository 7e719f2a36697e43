"""Cost per call and per case with case work on, against the same month with cases off.

    python benchmarks/bench_cases.py [--reps 7]

The default month (December 2026, constant 14 agents: the team that meets the phone and the
case targets, see experiments/cases.py) is run through ``sim.simulate`` with ``cases=off``
and with ``cases=on`` (blended, reserve 0; about 4 000 cases beside 12 000 calls), interleaved
seed by seed in the same run. Figures are medians: µs per offered call with cases off, the
extra µs per case with cases on ((wall on − wall off) / cases), and the wall-clock ratio
on / off. Also times the canonical day with cases off (the phone-only hot path).
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


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=7)
    main(ap.parse_args().reps)

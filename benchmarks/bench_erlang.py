"""Speed of ``sim.analysis.erlang.required_agents`` (Erlang C and Erlang A staffing) on 10,000 intervals.

Workload (fixed seed): 10,000 random 30-minute intervals with 5-2,000 offered calls, AHT
120-600 s and mean patience 60-600 s (all uniform), staffed to the default targets: service
level >= 90 % answered within 90 s, abandonment <= 9 % (Erlang A only), ASA <= 90 s.

What is timed (``time.perf_counter`` wall time): one ``required_agents`` call on all 10,000
intervals -- the search plus the KPIs at the answer and one agent below (for ``binding``).
Each model is run several times after a warm-up call; the median is reported (best too).

Reference, measured in the same run: the textbook scalar loop in pure Python -- for each
interval, ``n`` from ``floor(a) + 1`` upwards, Erlang C from the Erlang B recursion
``B(k) = a B(k-1) / (k + a B(k-1))`` (recomputed for each ``n``, as spreadsheet / VBA
implementations do), until the service level and ASA targets are met -- on a subset of the
intervals. Its answers are checked against ours on that subset.

``python benchmarks/bench_erlang.py`` runs it; ``main()`` returns the figures as a dict.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from sim.analysis.erlang import required_agents

SEED = 20_251_121
INTERVALS = 10_000
INTERVAL_S = 1800.0
SL_TARGET, TARGET_S, MAX_ABANDON, MAX_ASA_S = 0.90, 90.0, 0.09, 90.0
GOAL_C = 50_000.0  # intervals/s
GOAL_A = 2_000.0


def workload(n: int = INTERVALS, seed: int = SEED) -> dict[str, np.ndarray]:
    """Random intervals: calls, AHT and patience."""
    rng = np.random.default_rng(seed)
    return {
        "calls": rng.uniform(5.0, 2000.0, n),
        "aht_s": rng.uniform(120.0, 600.0, n),
        "patience_s": rng.uniform(60.0, 600.0, n),
    }


def textbook_erlang_c(a: float, n: int, aht_s: float, target_s: float) -> tuple[float, float]:
    """(service level, ASA) of Erlang C the textbook way; needs ``n > a``."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    c = n * b / (n - a * (1.0 - b))
    return 1.0 - c * math.exp(-(n - a) * target_s / aht_s), c * aht_s / (n - a)


def textbook_staffing(calls: float, aht_s: float) -> int:
    """Per-interval loop from ``floor(a) + 1`` upwards until SL and ASA targets are met."""
    a = calls * aht_s / INTERVAL_S
    n = math.floor(a) + 1
    while True:
        sl, asa = textbook_erlang_c(a, n, aht_s, TARGET_S)
        if sl >= SL_TARGET and asa <= MAX_ASA_S:
            return n
        n += 1


def _time(fn: Callable[[], Any], reps: int) -> list[float]:
    """Wall times of ``reps`` calls (after one warm-up call)."""
    fn()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def _summary(times: list[float], items: int) -> dict[str, float]:
    med, best = statistics.median(times), min(times)
    return {
        "reps": len(times),
        "seconds_median": med,
        "seconds_best": best,
        "intervals_per_s_median": items / med,
        "intervals_per_s_best": items / best,
    }


def main(
    reps_c: int = 7, reps_a: int = 5, reference_subset: int = 1000, verbose: bool = True
) -> dict[str, Any]:
    """Run the benchmark; print the figures (if ``verbose``) and return them as a dict."""
    w = workload()
    calls, aht, patience = w["calls"], w["aht_s"], w["patience_s"]
    common = {"sl_target": SL_TARGET, "target_s": TARGET_S, "max_asa_s": MAX_ASA_S}

    def run_c() -> Any:
        return required_agents(calls, INTERVAL_S, aht, model="erlang_c", **common)

    def run_a() -> Any:
        return required_agents(
            calls, INTERVAL_S, aht, model="erlang_a", patience_s=patience,
            max_abandon=MAX_ABANDON, **common,
        )

    c_stats = _summary(_time(run_c, reps_c), INTERVALS)
    a_stats = _summary(_time(run_a, reps_a), INTERVALS)
    res_c, res_a = run_c(), run_a()

    sub = np.arange(reference_subset)
    t0 = time.perf_counter()
    ref = [textbook_staffing(float(calls[i]), float(aht[i])) for i in sub]
    ref_s = time.perf_counter() - t0
    mismatches = int(np.sum(np.asarray(ref) != res_c.agents[sub]))
    ref_rate = reference_subset / ref_s

    result: dict[str, Any] = {
        "intervals": INTERVALS,
        "erlang_c": c_stats,
        "erlang_a": a_stats,
        "reference_scalar_erlang_c": {
            "intervals": reference_subset, "seconds": ref_s, "intervals_per_s": ref_rate
        },
        "speedup_c_vs_reference": c_stats["intervals_per_s_median"] / ref_rate,
        "speedup_a_vs_reference": a_stats["intervals_per_s_median"] / ref_rate,
        "reference_mismatches": mismatches,
        "goal_c_met": c_stats["intervals_per_s_median"] >= GOAL_C,
        "goal_a_met": a_stats["intervals_per_s_median"] >= GOAL_A,
        "agents_total_c": int(res_c.agents.sum()),
        "agents_total_a": int(res_a.agents.sum()),
        "binding_a": _counts(res_a.binding),
    }
    if verbose:
        _report(result)
    return result


def _counts(labels: np.ndarray) -> dict[str, int]:
    """How often each label occurs."""
    keys, counts = np.unique(labels, return_counts=True)
    return {str(k): int(v) for k, v in zip(keys, counts, strict=True)}


def _report(r: dict[str, Any]) -> None:
    """Print the figures."""
    c, a, ref = r["erlang_c"], r["erlang_a"], r["reference_scalar_erlang_c"]
    print(f"Erlang staffing: required_agents on {r['intervals']:,} random 30-min intervals")
    print(
        f"  targets: SL >= {SL_TARGET:.0%} in {TARGET_S:g} s, ASA <= {MAX_ASA_S:g} s, "
        f"abandon <= {MAX_ABANDON:.0%} (Erlang A)"
    )
    print(f"  {'':<34}{'reps':>5}{'intervals/s (best)':>26}{'ms per call':>14}")
    rows = (("Erlang C (vectorised)", c, GOAL_C), ("Erlang A (vectorised)", a, GOAL_A))
    for label, d, goal in rows:
        rate = f"{d['intervals_per_s_median']:,.0f} ({d['intervals_per_s_best']:,.0f})"
        met = "ok" if d["intervals_per_s_median"] >= goal else "MISSED"
        ms = 1e3 * d["seconds_median"]
        print(f"  {label:<34}{d['reps']:>5}{rate:>26}{ms:>14.1f}   goal >= {goal:,.0f}: {met}")
    ref_rate = f"{ref['intervals_per_s']:,.0f}"
    label = "reference: scalar Python Erlang C"
    print(f"  {label:<34}{1:>5}{ref_rate:>26}{'':>14}   ({ref['intervals']} intervals)")
    print(
        f"  speed-up vs reference: Erlang C {r['speedup_c_vs_reference']:,.0f}x, "
        f"Erlang A {r['speedup_a_vs_reference']:,.1f}x; "
        f"reference answers differing from ours: {r['reference_mismatches']}"
    )
    print(
        f"  agents (sum over intervals): Erlang C {r['agents_total_c']:,}, "
        f"Erlang A {r['agents_total_a']:,}; Erlang A binding targets: {r['binding_a']}"
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the figures as JSON at the end")
    args = ap.parse_args()
    out = main()
    if args.json:
        print(json.dumps(out, indent=2, default=str))

"""Cost per call with callbacks and warm transfers on, against the same day with them off.

    python benchmarks/bench_features.py

The canonical day (9 h, Poisson 300 calls/h, exponential handle 300 s, patience 180 s, 28
first-line agents) is run through ``sim.simulate`` with every feature off, and again with
callbacks (offered on arrival when the estimated wait exceeds 60 s, 30 % accept) and warm
transfers (12 % of calls to a second line of 4 agents) on. Both are timed in the same run,
interleaved seed by seed; the figure is the ratio of median cost per offered call.
Goal: at most 1.5x.

A second figure checks that the on-arrival wait estimate does not grow with the queue
(issue 10 item 4: it once scanned the whole queue at every arrival): one December day with
callbacks on and only 2 agents, so that the queue grows all day, at 400 and at 4,000 calls.
The figure is the ratio of cost per call, 4,000 against 400 (about 1x when the estimate is
O(log n) per arrival, about 10x when it is O(n)). Goal: at most 2x.
"""

from __future__ import annotations

import gc
import statistics
import time
from typing import Any

GOAL = 1.5
QUEUE_GOAL = 2.0
LONG_QUEUE = ["callbacks=on", "staffing=flat", "staffing.agents=2", "run.start=2026-12-01", "run.end=2026-12-01",
              "patience.mean=20000"]
FEATURES_ON = [
    "callbacks=on", "callbacks.threshold_s=60",
    "transfers=warm", "transfers.groups.second_line.agents=4",
]


def _cost(scenario: Any, seed: int) -> tuple[float, int]:
    import sim

    gc.collect()
    t0 = time.perf_counter()
    r = sim.simulate(scenario, seed)
    return time.perf_counter() - t0, len(r.calls)


def main(reps: int = 11, verbose: bool = True) -> dict[str, Any]:
    """Median µs per call, features off and on, and their ratio."""
    import sim

    off = sim.load_scenario("canonical_day")
    on = sim.load_scenario("canonical_day", FEATURES_ON)
    _cost(off, 999), _cost(on, 999)  # warm-up
    per_off, per_on = [], []
    for seed in range(1, reps + 1):
        for scenario, sink in ((off, per_off), (on, per_on)):
            wall, n = _cost(scenario, seed)
            sink.append(1e6 * wall / n)
    res = {
        "us_per_call_off": statistics.median(per_off),
        "us_per_call_on": statistics.median(per_on),
        "reps": reps,
        "features_on": FEATURES_ON,
    }
    res["ratio_on_over_off"] = res["us_per_call_on"] / res["us_per_call_off"]
    res["goal_le_1_5"] = res["ratio_on_over_off"] <= GOAL
    if verbose:
        print(f"Features benchmark (canonical day, {reps} replications each, medians)")
        print(f"  features off: {res['us_per_call_off']:.1f} µs/call")
        print(f"  callbacks + warm transfers on: {res['us_per_call_on']:.1f} µs/call")
        print(f"  ratio on/off: {res['ratio_on_over_off']:.2f}x (goal <= {GOAL:g}x: {'ok' if res['goal_le_1_5'] else 'MISSED'})")
    res.update(queue_growth(reps=max(3, reps // 3), verbose=verbose))
    return res


def queue_growth(reps: int = 3, verbose: bool = True) -> dict[str, Any]:
    """Cost per call with a long queue and callbacks on, at 10x the calls (best of ``reps``)."""
    import sim

    small = sim.load_scenario("default", [*LONG_QUEUE, "demand.volume=400"])
    large = sim.load_scenario("default", [*LONG_QUEUE, "demand.volume=4000"])
    _cost(small, 999)  # warm-up
    per_small, per_large = [], []
    for seed in range(1, reps + 1):
        for scenario, sink in ((small, per_small), (large, per_large)):
            wall, n = _cost(scenario, seed)
            sink.append(1e6 * wall / n)
    ratio = min(per_large) / min(per_small)
    if verbose:
        print("Long queue with callbacks on (one day, 2 agents, best of", reps, "runs)")
        print(f"  400 calls: {min(per_small):.1f} µs/call; 4,000 calls: {min(per_large):.1f} µs/call")
        print(f"  ratio 10x calls: {ratio:.2f}x per call (goal <= {QUEUE_GOAL:g}x: {'ok' if ratio <= QUEUE_GOAL else 'MISSED'})")
    return {"long_queue_us_per_call_400": min(per_small), "long_queue_us_per_call_4000": min(per_large),
            "long_queue_ratio": ratio, "goal_long_queue_le_2": ratio <= QUEUE_GOAL}


if __name__ == "__main__":
    main()

"""The simulation agrees with Erlang C and Erlang A in stationary conditions.

Each load point runs 30 replications of a 23.5-hour stationary day (2 h warm-up discarded)
and checks that the 99 % confidence interval across replications covers the formula value
for P(wait), service level, ASA and P(abandon). The seeds are fixed (a different one per load
point, so the points are independent evidence); under a correct model each check fails by
chance with probability 1 %, so a failure after a change that alters the random draws should
be re-checked with other seeds before it is believed — and a systematic one is a bug.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.records import bin_segments
from sim.validation import LoadPoint, compare, scenario_for

POINTS = [
    (LoadPoint("light, Erlang C", 100, 300, 12), 101),
    (LoadPoint("occupancy 0.89, Erlang C", 300, 300, 28), 102),
    (LoadPoint("light, Erlang A", 100, 300, 12, patience_s=180), 103),
    (LoadPoint("occupancy 0.89, Erlang A", 300, 300, 28, patience_s=180), 104),
    (LoadPoint("overloaded (a=30 > n=28), Erlang A", 360, 300, 28, patience_s=180), 105),
]


@pytest.mark.parametrize(("point", "seed"), POINTS, ids=[p.name for p, _ in POINTS])
def test_simulation_matches_erlang(point: LoadPoint, seed: int) -> None:
    table = compare(point, reps=30, seed=seed, warmup_h=2.0, level=0.99)
    missed = table[~table["covered"]]
    assert missed.empty, missed.to_string()
    if math.isinf(point.patience_s):
        assert (table.loc[table["kpi"] == "p_abandon", "sim_mean"] == 0).all()
    else:
        assert table.loc[table["kpi"] == "p_abandon", "sim_mean"].item() > 0


def test_littles_law_on_the_records() -> None:
    """L = λ W for the queue and for the system, over a window in steady state.

    L is the time-average number of callers waiting (or in the system) computed by
    integrating the records' intervals over [t0, t1); λ W is (Σ time spent inside the window
    by calls arriving in it) / (t1 − t0). The two differ only by callers who straddle the
    window's edges, so the tolerance is the time those callers spend outside the window.
    """
    p = LoadPoint("busy", 300, 300, 28, patience_s=180)
    c = sim.simulate(scenario_for(p), seed=7).calls
    day = c["arrival"].dt.normalize().iloc[0]
    t0, t1 = 2 * 3600.0, 22 * 3600.0
    arr = (c["arrival"] - day).dt.total_seconds().to_numpy()
    end_queue = arr + c["wait_s"].to_numpy()
    end_system = (c["ended_at"] - day).dt.total_seconds().to_numpy()
    inside = (arr >= t0) & (arr < t1)
    for end in (end_queue, end_system):
        area = bin_segments(arr, end, np.array([t0, t1]))[0]  # ∫ N(t) dt over the window
        lam_w = (end[inside] - arr[inside]).sum()  # Σ sojourn of calls arriving in the window
        straddle = (np.clip(end[inside] - t1, 0, None).sum()  # arrived inside, left after t1
                    + (np.minimum(end[~inside & (arr < t0)], t1) - t0).clip(min=0).sum())  # arrived before t0
        assert abs(area - lam_w) <= straddle + 1e-6
        # and the identity is tight: the edge terms are a tiny part of the total
        assert straddle < 0.02 * lam_w
    # mean number of busy agents = carried load = answered rate × mean handle time
    r = sim.simulate(scenario_for(p), seed=7)
    ans = r.calls["answered_at"].notna()
    assert r.agents["busy_s"].sum() == pytest.approx(r.calls.loc[ans, "handle_s"].sum())


def test_validation_resolves_one_agent() -> None:
    """The check is able to fail: the CIs of a 28-agent run exclude the 29-agent formulas."""
    from sim.validation import formulas

    point = POINTS[-1][0]
    table = compare(point, reps=30, seed=POINTS[-1][1]).set_index("kpi")
    one_more = formulas(LoadPoint("one more agent", point.calls_per_hour, point.aht_s, point.agents + 1, point.patience_s))
    for kpi in ("p_wait", "service_level", "asa_s", "p_abandon"):
        assert not (table.loc[kpi, "ci_low"] <= one_more[kpi] <= table.loc[kpi, "ci_high"]), kpi

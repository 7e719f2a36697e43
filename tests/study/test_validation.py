"""The simulation agrees with Erlang C and Erlang A in stationary conditions.

Each load point runs 30 replications of a 23.5-hour stationary day (2 h warm-up discarded)
and checks that the confidence interval across replications covers the formula value for
P(wait), service level, ASA and P(abandon). The seeds are fixed (a different one per load
point, so the points are independent evidence). There are 18 random checks (the two Erlang C
points have no abandonment to test), so each interval is at the Bonferroni level
1 − 0.01 / 18: under a correct model the whole test fails by chance with probability at most
1 % for a new set of draws.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.model.records import bin_segments
from sim.study.validation import LoadPoint, compare, scenario_for

CHECKS = 18  # 5 load points × 4 KPIs, less P(abandon) at the two Erlang C points (exactly 0)
LEVEL = 1 - 0.01 / CHECKS

POINTS = [
    (LoadPoint("light, Erlang C", 100, 300, 12), 101),
    (LoadPoint("occupancy 0.89, Erlang C", 300, 300, 28), 102),
    (LoadPoint("light, Erlang A", 100, 300, 12, patience_s=180), 103),
    (LoadPoint("occupancy 0.89, Erlang A", 300, 300, 28, patience_s=180), 104),
    (LoadPoint("overloaded (a=30 > n=28), Erlang A", 360, 300, 28, patience_s=180), 105),
]


@pytest.mark.parametrize(("point", "seed"), POINTS, ids=[p.name for p, _ in POINTS])
def test_simulation_matches_erlang(point: LoadPoint, seed: int) -> None:
    table = compare(point, reps=30, seed=seed, warmup_h=2.0, level=LEVEL)
    missed = table[~table["covered"]]
    assert missed.empty, missed.to_string()
    if math.isinf(point.patience_s):
        assert (table.loc[table["kpi"] == "p_abandon", "sim_mean"] == 0).all()
    else:
        assert table.loc[table["kpi"] == "p_abandon", "sim_mean"].item() > 0


def test_abandonment_hazard_matches_exponential_patience() -> None:
    """With exponential patience (rate θ) every waiting caller hangs up at rate θ, so the
    abandonments counted in a window are Poisson with mean θ × (time callers spent waiting
    in the window). The lazy abandonment of the model must reproduce that hazard; the
    tolerance is the 99.9 % normal bound of that Poisson count."""
    p = LoadPoint("busy", 360, 300, 28, patience_s=180)
    c = sim.simulate(scenario_for(p), seed=7).calls
    day = c["arrival"].dt.normalize().iloc[0]
    t0, t1 = 2 * 3600.0, 22 * 3600.0
    arr = (c["arrival"] - day).dt.total_seconds().to_numpy()
    end_wait = arr + c["wait_s"].to_numpy()
    waiting = bin_segments(arr, end_wait, np.array([t0, t1]))[0]  # ∫ queue length dt over the window
    gave_up = end_wait[(c["fate"] == "abandoned").to_numpy()]
    counted = int(((gave_up >= t0) & (gave_up < t1)).sum())
    expected = waiting / p.patience_s
    assert expected > 300, "enough abandonments for a sharp test"
    assert abs(counted - expected) < 3.29 * math.sqrt(expected), (counted, expected)


def test_busy_agent_time_is_the_handle_time_of_answered_calls() -> None:
    """The agent log (from the agents' own busy periods) and the call records agree."""
    r = sim.simulate(scenario_for(LoadPoint("busy", 300, 300, 28, patience_s=180)), seed=7)
    ans = r.calls["answered_at"].notna()
    assert r.agents["busy_s"].sum() == pytest.approx(r.calls.loc[ans, "handle_s"].sum())


def test_validation_resolves_one_agent() -> None:
    """The check is able to fail: the CIs of a 28-agent run exclude the 29-agent formulas."""
    from sim.study.validation import formulas

    point = POINTS[-1][0]
    table = compare(point, reps=30, seed=POINTS[-1][1]).set_index("kpi")
    one_more = formulas(LoadPoint("one more agent", point.calls_per_hour, point.aht_s, point.agents + 1, point.patience_s))
    for kpi in ("p_wait", "service_level", "asa_s", "p_abandon"):
        assert not (table.loc[kpi, "ci_low"] <= one_more[kpi] <= table.loc[kpi, "ci_high"]), kpi

"""Erlang planning with failure demand: the calls planned for include the repeat contacts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.analysis.planning import erlang_plan, phone_contacts_per_matter, repeat_landing
from sim.schema import DistributionConfig, minutes
from sim.world.calendar import DayPlan
from sim.world.demand import interval_rates
from sim.world.distributions import make


def test_contacts_per_matter_follow_fcr_case_share_and_max_contacts() -> None:
    assert phone_contacts_per_matter(sim.load_scenario("default")) == 1.0
    s = sim.load_scenario("default", ["resolution=fcr70"])
    assert np.isclose(phone_contacts_per_matter(s), 1 + 0.3 + 0.09)  # max_contacts 3
    four = sim.load_scenario("default", ["resolution=fcr70", "resolution.max_contacts=4"])
    assert np.isclose(phone_contacts_per_matter(four), 1 + 0.3 + 0.09 + 0.027)
    written = sim.load_scenario("default", ["resolution=fcr70", "cases=on", "resolution.case_share=0.5"])
    assert np.isclose(phone_contacts_per_matter(written), 1 + 0.15 + 0.15 ** 2)


def test_the_plan_counts_the_repeat_calls_of_failure_demand() -> None:
    base = erlang_plan(sim.load_scenario("default"))
    fd = erlang_plan(sim.load_scenario("default", ["resolution=fcr70"]))
    for day, g in fd.groupby("weekday"):
        assert np.isclose(g["calls"].sum(), 1.39 * base.loc[base["weekday"] == day, "calls"].sum())
    assert (fd["erlang_a_agents"] >= base["erlang_a_agents"]).all() and fd["erlang_a_agents"].sum() > base["erlang_a_agents"].sum()


def test_planned_calls_match_the_simulated_offered_calls_per_interval_in_a_steady_state() -> None:
    """Four weeks with fcr 0.7; on the last two weeks' weekdays (the repeats of earlier days
    have arrived by then) every interval offers the calls the plan counts: the t-interval of the
    daily ratio offered / planned covers 1 in each interval (Bonferroni over the intervals, 95 %).
    The repeats that land while the line is closed crowd the first opening hours, so the fresh
    volume × 1.39 spread like fresh calls is refused there."""
    s = sim.load_scenario("default", ["resolution=fcr70", "run.start=2026-11-02", "run.end=2026-11-27", "staffing.agents=30"])
    plan = erlang_plan(s).set_index(["weekday", "interval_start"])["calls"]
    flat = erlang_plan(sim.load_scenario("default")).set_index(["weekday", "interval_start"])["calls"] * 1.39
    calls = sim.simulate(s, seed=3).calls
    t = pd.to_datetime(calls["arrival"])
    t = t[t >= pd.Timestamp("2026-11-16")]
    frame = pd.DataFrame({"day": t.dt.normalize(), "weekday": t.dt.strftime("%a").str.lower(),
                          "interval_start": t.dt.strftime("%H:") + (t.dt.minute // 30 * 30).map("{:02d}".format)})
    counts = frame.groupby(["day", "weekday", "interval_start"]).size().rename("n").reset_index()
    keys = pd.MultiIndex.from_frame(counts[["weekday", "interval_start"]])
    counts["ratio"], counts["flat"] = counts["n"] / plan.reindex(keys).to_numpy(), counts["n"] / flat.reindex(keys).to_numpy()
    g = counts.groupby("interval_start")
    n = g.size()
    assert (n == 10).all()  # ten weekdays, each interval open
    q = stats.t.ppf(1 - 0.025 / len(n), n - 1)
    half = q * g["ratio"].std(ddof=1) / np.sqrt(n)
    assert ((g["ratio"].mean() - 1).abs() <= half).all(), pd.DataFrame({"mean": g["ratio"].mean(), "half": half})
    flat_half = q * g["flat"].std(ddof=1) / np.sqrt(n)
    assert ((g["flat"].mean() - 1).abs() > flat_half).any()


def _simulated_landing(s: sim.Scenario, starts: np.ndarray, opens: int, closes: int, draws: int, seed: int) -> np.ndarray:
    """The repeat landing shares by simulation of the model's rule (the Monte-Carlo estimate
    :func:`repeat_landing` used before its closed form): the repeat's time of day is the call's
    start, a uniform place in its interval, the mean handle time and the delay's fraction of a day;
    a time while the line is closed moves uniformly into the opening's first displaced intervals."""
    step = s.demand.interval_min
    rng = np.random.default_rng(seed)
    frac = np.modf(make(s.resolution.delay_days).sample(rng, draws))[0] * 1440.0
    jitter = step * rng.random(draws) + s.handling.mean_handle_s / 60.0
    moved = opens + rng.random(draws) * min(step * s.demand.displaced_intervals, closes - opens)
    n = starts.size
    out = np.zeros((n, n))
    for i in np.flatnonzero((starts >= opens) & (starts < closes)):
        tod = (starts[i] + jitter + frac) % 1440.0
        tod = np.where((tod >= opens) & (tod < closes), tod, moved)
        out[i] = np.bincount(np.clip(((tod - starts[0]) // step).astype(int), 0, n - 1), minlength=n)
    return out / draws


@pytest.mark.parametrize("delay", [
    None,  # the fcr70 file's exponential, mean 2 working days
    {"dist": "gamma", "mean": 1.5, "cv": 0.5},
    {"dist": "lognormal", "mean": 3.3, "cv": 2.0},
    {"dist": "empirical", "values": [0.5, 1.0, 1.25, 3.9]},
    {"dist": "deterministic", "mean": 0.3},
])
def test_repeat_landing_in_closed_form_matches_a_large_simulation(delay: dict | None) -> None:
    """Each row of ``repeat_landing`` is a distribution over the intervals; a simulation of N
    repeats estimates each share p with standard error √(p(1 − p)/N). Every cell of the
    closed form is within z of those errors of the simulated share, z = Φ⁻¹(1 − 0.001 / (2 m))
    for the m cells tested (Bonferroni: the test fails by chance once in a thousand seeds), plus
    1e-9 for the closed form's own rounding (a share near 0 or 1 has almost no sampling error)."""
    s = sim.load_scenario("default", ["resolution=fcr70", "demand.interval_min=15"])
    if delay is not None:
        s = s.model_copy(update={"resolution": s.resolution.model_copy(update={"delay_days": DistributionConfig(**delay)})})
    hours = s.calendar.hours_of(0)
    assert hours is not None
    plan = DayPlan(dt.date(2024, 1, 1), hours.opens, hours.closes, hours.opens, hours.closes, "open", False)
    starts, _ = interval_rates(s, plan, 1000.0)
    opens, closes = minutes(hours.opens), minutes(hours.closes)
    rows = (starts >= opens) & (starts < closes)
    exact = repeat_landing(s, starts, opens, closes)
    assert np.allclose(exact[rows].sum(axis=1), 1.0) and (exact >= 0).all() and not exact[~rows].any()
    draws = 200_000
    simulated = _simulated_landing(s, starts, opens, closes, draws, seed=11)
    cells = int(rows.sum()) * starts.size
    z = stats.norm.ppf(1 - 0.001 / (2 * cells))
    bound = z * np.sqrt(exact * (1 - exact) / draws) + 1e-9
    gap = np.abs(exact - simulated)
    assert (gap[rows] <= bound[rows]).all(), (gap / bound).max()
    # the first intervals carry the repeats that land while the line is closed (more than a uniform share)
    first = int(np.flatnonzero(rows)[0])
    assert exact[rows, first].sum() > 1.5  # a uniform landing would give it 1/(open intervals) of each row: 1 in all

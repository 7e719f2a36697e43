"""Erlang planning with failure demand: the calls planned for include the repeat contacts."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

import sim
from sim.analysis.planning import erlang_plan, phone_contacts_per_matter


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
    assert np.allclose(fd["calls"], 1.39 * base["calls"])
    assert (fd["erlang_a_agents"] >= base["erlang_a_agents"]).all() and fd["erlang_a_agents"].sum() > base["erlang_a_agents"].sum()


def test_planned_calls_match_the_simulated_offered_calls_in_a_steady_state() -> None:
    """Four weeks with fcr 0.7; the last two weeks' weekdays (repeats of earlier days have
    arrived by then) offer as many calls as the plan counts: the 95 % t-interval of the mean
    daily ratio offered / planned covers 1 (without the repeats the plan is 1.39× short)."""
    s = sim.load_scenario("default", ["resolution=fcr70", "run.start=2026-11-02", "run.end=2026-11-27", "staffing.agents=14"])
    plan = erlang_plan(s)
    per_weekday = plan.groupby("weekday")["calls"].sum()
    calls = sim.simulate(s, seed=3).calls
    day = pd.to_datetime(calls["arrival"]).dt.normalize()
    offered = calls.groupby(day).size()
    late = offered[offered.index >= pd.Timestamp("2026-11-16")]
    ratio = np.array([n / per_weekday[d.strftime("%a").lower()] for d, n in late.items()])
    half = stats.t.ppf(0.975, len(ratio) - 1) * ratio.std(ddof=1) / np.sqrt(len(ratio))
    assert abs(ratio.mean() - 1.0) <= half, (ratio.mean(), half)
    assert abs(ratio.mean() * 1.39 - 1.0) > half  # the fresh volume alone would be refused

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

"""handling.by_interval / handling.profile_file: the handle time's time-of-day profile."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.planning import erlang_plan
from sim.errors import ScenarioError
from sim.world.calendar import day_plans
from sim.world.demand import DAY_S, generate
from sim.world.streams import Streams

AFTERNOON = r"handling.by_interval={08\:00: 1.0, 13\:00: 2.0}"
WEEK = ["run.start=2026-12-07", "run.end=2026-12-11"]


def _calls(s: sim.Scenario, seed: int = 5):
    return generate(s, Streams(seed), day_plans(s.calendar, s.run.start, s.run.end))


def test_the_profile_scales_talk_hold_and_wrap_and_draws_nothing() -> None:
    """Arrivals, patience and every other draw are those of the scenario without the key (no
    stream shifts); each call's talk, hold and wrap are exactly the factor of its arrival
    interval times the draws without it."""
    off = _calls(sim.load_scenario("default", WEEK))
    on = _calls(sim.load_scenario("default", [*WEEK, AFTERNOON]))
    for name in ("arrival", "patience", "logged", "closes_at", "displaced", "balk_u"):
        np.testing.assert_array_equal(getattr(on, name), getattr(off, name))
    f = np.where(on.arrival % DAY_S >= 13 * 3600, 2.0, 1.0)
    assert 0.2 < (f == 2.0).mean() < 0.8
    for name in ("talk", "hold", "wrap"):
        np.testing.assert_array_equal(getattr(on, name), getattr(off, name) * f)


def test_factor_one_everywhere_gives_identical_records() -> None:
    s0 = sim.load_scenario("tiny")
    s1 = sim.load_scenario("tiny", [r"handling.by_interval={00\:00: 1.0}"])
    pd.testing.assert_frame_equal(sim.simulate(s0, seed=3).calls, sim.simulate(s1, seed=3).calls)


def test_doubling_the_afternoon_doubles_its_mean_handle_time_in_the_records() -> None:
    """Mean handle time of answered calls by arrival time: the afternoon's is 2 x 305 s and the
    morning's 305 s, each within its 99.9 % CI (the staffing is the Erlang A plan for the
    profile, so the afternoon is not swamped)."""
    c = sim.simulate(sim.load_scenario("default", [*WEEK, AFTERNOON, "staffing=plan"]), seed=2).calls
    ans = c[c["answered_at"].notna()]
    pm = ans["arrival"].dt.hour >= 13
    for part, want in ((ans[~pm], 305.0), (ans[pm], 610.0)):
        h = part["handle_s"]
        half = 3.29 * h.std() / math.sqrt(len(h))
        assert len(h) > 500 and abs(h.mean() - want) < half, (h.mean(), want, half)


def test_erlang_plan_takes_each_intervals_aht() -> None:
    s = sim.load_scenario("default", [AFTERNOON])
    plan = erlang_plan(s)
    pm = plan["interval_start"] >= "13:00"
    assert (plan.loc[pm, "aht_s"] == 610.0).all() and (plan.loc[~pm, "aht_s"] == 305.0).all()
    flat = erlang_plan(sim.load_scenario("default"))
    assert (plan.loc[~pm, "erlang_a_agents"] == flat.loc[~pm, "erlang_a_agents"]).all()
    assert (plan.loc[pm, "erlang_a_agents"] > flat.loc[pm, "erlang_a_agents"]).all()


def test_profile_file_is_read_into_by_interval(tmp_path: Path) -> None:
    f = tmp_path / "aht.csv"
    f.write_text("interval_start,factor\n08:00,1.0\n13:00,2.0\n", encoding="utf-8")
    s = sim.load_scenario("default", [f"handling.profile_file={f}"])
    assert s.handling == sim.load_scenario("default", [AFTERNOON]).handling
    assert s.handling.factor_at(12 * 60 + 30) == 1.0 and s.handling.factor_at(16 * 60 + 30) == 2.0


@pytest.mark.parametrize(
    ("overrides", "text", "csv"),
    [
        ([r"handling.by_interval={13\:15: 2.0}"], "handling.by_interval.13:15: 13:15 is not on the 30-minute interval grid", None),
        ([r"handling.by_interval={13\:00: 0}"], "handling.by_interval.13:00: input should be greater than 0", None),
        (["handling.by_interval={}"], "handling.by_interval: give at least one", None),
        ([AFTERNOON], "handling.profile_file", "interval_start,factor\n08:00,1\n"),
        ([], "handling.profile_file: line 2: column factor must hold numbers > 0", "interval_start,factor\n08:00,0\n"),
        ([], "handling.profile_file: interval_start 08:00 is listed more than once", "interval_start,factor\n08:00,1\n08:00,2\n"),
        ([], "handling.profile_file: one handle-time profile holds for every day", "weekday,interval_start,factor\nmon,08:00,1\n"),
        ([], "lacks column(s) factor", "interval_start,agents\n08:00,1\n"),
    ],
)
def test_bad_profiles_name_the_key(overrides: list[str], text: str, csv: str | None, tmp_path: Path) -> None:
    if csv is not None:
        f = tmp_path / "aht.csv"
        f.write_text(csv, encoding="utf-8")
        overrides = [*overrides, f"handling.profile_file={f}"]
    with pytest.raises(ScenarioError) as err:
        sim.load_scenario("default", overrides)
    assert text in str(err.value), str(err.value)


def test_a_profile_gets_a_result_folder_of_its_own() -> None:
    """Replications with a handle-time profile never resume a folder of the same scenario without one."""
    from sim.study.runner import scenario_digest

    s = sim.load_scenario("default")
    assert scenario_digest(sim.load_scenario("default", [AFTERNOON]), 1, ["day"]) != scenario_digest(s, 1, ["day"])

"""Case arrivals: volumes, weekday and hourly profile, kind mix, handle times, own streams."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from sim.scenario.compose import load_scenario
from sim.schema import Scenario
from sim.world.calendar import day_plans
from sim.world.case_arrivals import expected_per_day, generate_cases, kind_shares
from sim.world.streams import Streams

ROOT = Path(__file__).resolve().parents[2]
Z = 4.0  # |observed - expected| < 4 standard deviations: a false alarm about once in 16 000


@lru_cache(maxsize=8)
def scen(*overrides: str) -> Scenario:
    return load_scenario(overrides=["cases=on", *overrides], config_dir=ROOT / "scenarios")


def draw(s: Scenario, seed: int = 11):  # noqa: ANN201
    plans = day_plans(s.calendar, s.run.start, s.run.end)
    return plans, generate_cases(s, Streams(seed), plans)


def test_monthly_counts_per_channel_match_the_expected_volume() -> None:
    s = scen()
    plans, c = draw(s)
    for j, (name, ch) in enumerate(s.cases.channels.items()):
        expected = sum(expected_per_day(ch, p) for p in plans)
        got = int((c.channel == j).sum())
        assert abs(got - expected) < Z * math.sqrt(expected), (name, got, expected)


def test_cases_arrive_at_night_at_weekends_and_on_red_days() -> None:
    s = scen()
    plans, c = draw(s)
    day = (c.arrival // 86400).astype(int)
    hour = (c.arrival % 86400) // 3600
    weekend = np.array([plans[d].date.weekday() >= 5 for d in day])
    red = np.array([plans[d].red for d in day])
    assert (hour < 6).sum() > 0 and weekend.sum() > 0 and red.sum() > 0
    # night share (00-06) of e-mail against the profile
    ch = s.cases.channels["email"]
    email = c.channel == 0
    p = sum(ch.profile[:6]) / sum(ch.profile)
    n = int(email.sum())
    night = int((email & (hour < 6)).sum())
    assert abs(night - n * p) < Z * math.sqrt(n * p * (1 - p))


def test_red_day_factor_scales_the_volume() -> None:
    s = scen()
    plans, _ = draw(s)
    xmas = next(p for p in plans if p.date.day == 24)  # Julafton, a Thursday
    ch = s.cases.channels["email"]
    assert expected_per_day(ch, xmas) == ch.volume * ch.weekday_factor["thu"] * ch.red_day_factor


def test_kind_mix_and_handle_times() -> None:
    s = scen()
    _, c = draw(s)
    web = list(s.cases.channels).index("web")
    sel = c.channel == web
    p = kind_shares(s, s.cases.channels["web"])[0]
    n = int(sel.sum())
    assert abs(int((c.kind[sel] == 0).sum()) - n * p) < Z * math.sqrt(n * p * (1 - p))
    for k, kc in enumerate(s.cases.kinds.values()):
        h = c.handle[c.kind == k]
        mean, sd = kc.handle.mean_value, kc.handle.mean_value * (kc.handle.cv or 1.0)
        assert abs(h.mean() - mean) < Z * sd / math.sqrt(h.size), (k, h.mean(), mean)


def test_same_seed_same_cases_other_seed_other_cases() -> None:
    s = scen()
    _, a = draw(s, 5)
    _, b = draw(s, 5)
    _, c = draw(s, 6)
    assert np.array_equal(a.arrival, b.arrival) and np.array_equal(a.handle, b.handle)
    assert not (a.arrival.size == c.arrival.size and np.array_equal(a.arrival, c.arrival))


def test_a_channel_more_leaves_the_others_identical() -> None:
    s = scen()
    _, base = draw(s)
    ones = ",".join(["1"] * 24)
    factors = "{mon: 1, tue: 1, wed: 1, thu: 1, fri: 1, sat: 1, sun: 1}"
    t = scen(f"+cases.channels.chat={{volume: 30, weekday_factor: {factors}, profile: [{ones}]}}")
    _, more = draw(t)
    keep = more.channel < 3
    assert np.array_equal(more.arrival[keep], base.arrival)
    assert np.array_equal(more.handle[keep], base.handle)


def test_cases_off_draws_nothing() -> None:
    s = load_scenario(config_dir=ROOT / "scenarios")
    _, c = draw(s)
    assert len(c) == 0

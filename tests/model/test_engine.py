"""The SimPy model: fates, opening hours, closing rule, shifts, determinism and CRN."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.model.records import ALL_COLUMNS

FATES = {"answered", "abandoned"}


def check_invariants(result: sim.SimResult) -> None:
    """Properties every run must have, whatever the scenario."""
    c = result.calls
    assert list(c.columns) == list(ALL_COLUMNS)
    assert c["call_id"].tolist() == list(range(len(c)))
    assert set(c["fate"]) <= FATES
    answered = c["fate"] == "answered"
    assert (c["answered_at"].notna() == answered).all(), "answered_at set exactly for answered calls"
    assert (c["wait_s"] >= 0).all()
    assert (c["ended_at"] >= c["arrival"]).all()
    # an answered caller was still there; an abandoned one waited exactly their patience
    assert (c.loc[answered, "wait_s"] <= c.loc[answered, "patience_s"] + 1e-9).all()
    np.testing.assert_allclose(c.loc[~answered, "wait_s"], c.loc[~answered, "patience_s"])
    np.testing.assert_allclose(
        (c.loc[answered, "ended_at"] - c.loc[answered, "answered_at"]).dt.total_seconds(),
        c.loc[answered, "handle_s"], atol=1e-5,
    )
    assert c.loc[~answered, ["talk_s", "handle_s"]].isna().all().all()
    assert not c.loc[~answered, "logged"].any()
    # no call is accepted while the line is closed
    cal = result.calendar.set_index("date")
    day = c["arrival"].dt.normalize()
    opens, closes = cal.loc[day, "opens"].to_numpy(), cal.loc[day, "closes"].to_numpy()
    assert (c["arrival"].to_numpy() >= opens).all() and (c["arrival"].to_numpy() < closes).all()
    assert (c["closes_at"].to_numpy() == closes).all()
    assert (c["after_close"] == (answered & (c["answered_at"] >= c["closes_at"]))).all()
    # FCFS: answered calls are picked up in arrival order
    assert c.loc[answered, "answered_at"].is_monotonic_increasing
    # an agent handles one call at a time
    for _, g in c[answered].groupby("agent"):
        g = g.sort_values("answered_at")
        assert (g["answered_at"].iloc[1:].to_numpy() >= g["ended_at"].iloc[:-1].to_numpy()).all()


def test_default_month_invariants() -> None:
    r = sim.simulate(sim.load_scenario())
    check_invariants(r)
    assert 10_000 < len(r.calls) < 15_000
    assert r.calendar["date"].min() == pd.Timestamp("2026-12-01")
    assert not (r.calls["arrival"].dt.date == pd.Timestamp("2026-12-24").date()).any()


scenario_space = st.fixed_dictionaries(
    {
        "staffing.agents": st.integers(0, 8),
        "demand.volume": st.sampled_from([0.0, 5.0, 80.0, 300.0]),
        "patience": st.one_of(
            st.just({"dist": "infinite"}),
            st.builds(lambda m: {"dist": "exponential", "mean": m}, st.floats(5, 900)),
            st.builds(lambda m: {"dist": "deterministic", "mean": m}, st.floats(1, 300)),
        ),
        "handling.talk": st.builds(lambda m, cv: {"dist": "lognormal", "mean": m, "cv": cv}, st.floats(20, 900), st.floats(0.1, 2)),
        "demand.displaced_share": st.floats(0, 1),
        "demand.day_cv": st.sampled_from([0.0, 0.5]),
        "calendar.early_close": st.sampled_from(["14:00", "15:00", None]),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(updates=scenario_space, seed=st.integers(0, 2**32 - 1))
def test_every_call_has_exactly_one_fate(variant, updates: dict, seed: int) -> None:
    if updates["patience"]["dist"] == "infinite" and updates["staffing.agents"] == 0:
        updates["staffing.agents"] = 1  # rejected at validation (tested in test_config)
    r = sim.simulate(variant(**updates), seed=seed)
    check_invariants(r)
    if updates["patience"]["dist"] == "infinite":
        assert (r.calls["fate"] == "answered").all(), "nobody is dropped: queued callers are all served"


def test_queue_at_closing_is_served(variant) -> None:
    # one agent, heavy afternoon demand, infinite patience: many callers still queue at 17:00
    s = variant(**{"staffing.agents": 1, "patience": {"dist": "infinite"}, "demand.volume": 150.0})
    r = sim.simulate(s, seed=3)
    c = r.calls
    assert (c["fate"] == "answered").all()
    assert c["after_close"].sum() > 10
    last = c.groupby(c["arrival"].dt.date)["ended_at"].max()
    closes = r.calendar.set_index(r.calendar["date"].dt.date)["closes"]
    assert (last > closes.loc[last.index]).all(), "the agent stays after closing to empty the queue"
    # the overtime recorded is the agent's time after closing, until the last call ends
    overtime_h = r.agents["overtime_s"].sum() / 3600
    expected_h = ((last - closes.loc[last.index]).dt.total_seconds()).sum() / 3600
    assert overtime_h == pytest.approx(expected_h, rel=1e-6)


def test_abandon_queue_after_close_when_patience_finite(variant) -> None:
    """Callers still queued at closing are served after it or hang up; none is dropped."""
    s = variant(**{"staffing.agents": 1, "demand.volume": 200.0, "patience": {"dist": "exponential", "mean": 1800.0}})
    r = sim.simulate(s, seed=3)
    check_invariants(r)
    c = r.calls
    queued_at_close = c[(c["arrival"] < c["closes_at"]) & ~(c["answered_at"] < c["closes_at"])
                        & (c["arrival"] + pd.to_timedelta(c["patience_s"], unit="s") > c["closes_at"])]
    assert len(queued_at_close) > 0
    served_late = queued_at_close["fate"] == "answered"
    assert served_late.any() and queued_at_close.loc[served_late, "after_close"].all()
    gave_up = queued_at_close[~served_late]
    assert (gave_up["fate"] == "abandoned").all()
    assert (gave_up["ended_at"] > gave_up["closes_at"]).all(), "they hung up while queued after closing, not at it"


def test_same_seed_same_records(tiny) -> None:
    a, b = sim.simulate(tiny, seed=11), sim.simulate(tiny, seed=11)
    pd.testing.assert_frame_equal(a.calls, b.calls)
    pd.testing.assert_frame_equal(a.agents, b.agents)
    c = sim.simulate(tiny, seed=12)
    assert not c.calls["arrival"].equals(a.calls["arrival"])


def test_common_random_numbers_across_staffing(variant) -> None:
    low, high = variant(**{"staffing.agents": 2}), variant(**{"staffing.agents": 9})
    a, b = sim.simulate(low, seed=5), sim.simulate(high, seed=5)
    drawn = ["arrival", "patience_s", "closes_at", "displaced"]
    pd.testing.assert_frame_equal(a.calls[drawn], b.calls[drawn])
    both = a.calls["answered_at"].notna() & b.calls["answered_at"].notna()
    for col in ("talk_s", "hold_s", "wrap_s", "logged"):
        pd.testing.assert_series_equal(a.calls.loc[both, col], b.calls.loc[both, col])
    assert a.calls["wait_s"].mean() > b.calls["wait_s"].mean()


def test_crn_across_closing_time(variant) -> None:
    """Moving the closing time leaves the earlier calls of the day untouched."""
    s17 = variant(**{"calendar.early_close": None, "demand.displaced_share": 0.0})
    s15 = variant(**{"calendar.early_close": "15:00", "demand.displaced_share": 0.0})
    a, b = sim.simulate(s17, seed=8).calls, sim.simulate(s15, seed=8).calls
    cut = pd.Timestamp("2026-12-23 15:00")
    keep = a[a["arrival"] < cut].reset_index(drop=True)
    pd.testing.assert_series_equal(keep["arrival"], b["arrival"].reset_index(drop=True))
    assert len(a) > len(b)


def test_no_arrivals(variant) -> None:
    r = sim.simulate(variant(**{"demand.volume": 0.0}), seed=1)
    assert r.calls.empty and list(r.calls.columns) == list(ALL_COLUMNS)
    assert r.agents["busy_s"].sum() == 0
    assert r.agents["staffed_s"].sum() == pytest.approx(r.agents["present_s"].sum())


def test_unlimited_agents_means_no_wait(variant) -> None:
    r = sim.simulate(variant(**{"staffing.agents": 500, "demand.volume": 300.0}), seed=2)
    assert (r.calls["wait_s"][r.calls["fate"] == "answered"] == 0).all()
    assert (r.calls["fate"] == "answered").all()


def test_no_agents_everyone_abandons(variant) -> None:
    r = sim.simulate(variant(**{"staffing.agents": 0}), seed=2)
    assert len(r.calls) > 0 and (r.calls["fate"] == "abandoned").all()


def test_shift_end_finishes_call_in_hand(variant) -> None:
    shifts = [
        {"start": "08:00", "end": "12:00", "count": 3, "days": ["mon", "tue", "wed", "thu", "fri"]},
        {"start": "08:00", "end": "17:00", "count": 1, "days": ["mon", "tue", "wed", "thu", "fri"]},
    ]
    s = variant(**{"staffing.mode": "shifts", "staffing.agents": None, "staffing.shifts": shifts, "demand.volume": 250.0})
    r = sim.simulate(s, seed=4)
    check_invariants(r)
    c = r.calls[r.calls["fate"] == "answered"]
    noon = c["answered_at"].dt.normalize() + pd.Timedelta("12h")
    late_start = c[(c["agent"] > 0) & (c["answered_at"] >= noon) & (c["answered_at"] < c["closes_at"])]
    assert late_start.empty, "agents whose shift ended take no new call"
    overrun = c[(c["agent"] > 0) & (c["answered_at"] < noon) & (c["ended_at"] > noon)]
    assert len(overrun) > 0, "a call in hand at the shift end is finished"
    log = r.agents.set_index("interval_start")
    at_noon = log.loc[log.index.strftime("%H:%M") == "12:00"]
    assert (at_noon["staffed_s"] == 1800).all()
    assert (at_noon["present_s"] > at_noon["staffed_s"]).any()

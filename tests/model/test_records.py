"""Agent-log binning and record assembly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.model.records import bin_segments


def brute(starts, ends, edges):
    out = np.zeros(len(edges) - 1)
    for s, e in zip(starts, ends, strict=True):
        for j in range(len(edges) - 1):
            out[j] += max(0.0, min(e, edges[j + 1]) - max(s, edges[j]))
    return out


segment = st.tuples(st.floats(0, 1000), st.floats(0, 300)).map(lambda t: (t[0], t[0] + t[1]))


@given(st.lists(segment, max_size=30), st.floats(-100, 100), st.sampled_from([15.0, 60.0, 1800.0]))
def test_bin_segments_matches_brute_force(segments, origin, step) -> None:
    edges = origin + step * np.arange(int(1500 // step) + 2)
    starts = np.array([s for s, _ in segments])
    ends = np.array([e for _, e in segments])
    np.testing.assert_allclose(bin_segments(starts, ends, edges), brute(starts, ends, edges), atol=1e-6)


def test_agent_log_accounts_for_every_busy_second(variant) -> None:
    s = variant(**{"staffing.mode": "constant", "staffing.agents": 5, "staffing.table": None})
    r = sim.simulate(s, seed=3)
    answered = r.calls["fate"] == "answered"
    assert r.agents["busy_s"].sum() == pytest.approx(r.calls.loc[answered, "handle_s"].sum())
    assert (r.agents["idle_s"] > -1e-6).all()
    assert (r.agents["overtime_s"] <= r.agents["present_s"] + 1e-6).all()
    # staffed time is the schedule: 5 agents over the open hours (22 Dec 9 h, 23 Dec 7 h)
    assert r.agents["staffed_s"].sum() == pytest.approx(5 * 3600 * r.calendar["open_h"].sum())
    assert r.calendar["open_h"].sum() == 16
    # present = staffed + overtime after closing (no shift ends mid-day here)
    assert r.agents["present_s"].sum() == pytest.approx(r.agents["staffed_s"].sum() + r.agents["overtime_s"].sum())


def test_work_beyond_what_timestamps_hold_is_refused_in_words() -> None:
    """1,500 calls of 1e7 s talk (a tenth of the longest mean allowed) with one agent and no abandonment:
    the queue drains after the year 2262; one error paragraph instead of OutOfBoundsTimedelta
    (issue 23.3)."""
    from sim.errors import ScenarioError

    s = sim.load_scenario(overrides=["run.end=2026-12-01", "staffing=flat", "staffing.agents=1", "handling.talk.mean=1e7",
                                     "patience.dist=infinite", "patience.mean=null", "demand.volume=1500"])
    with pytest.raises(ScenarioError, match=r"years after 2026-12-01 \(the records' timestamps end in the year 2262\)") as info:
        sim.simulate(s)
    assert "\n" not in str(info.value) and "handling" in str(info.value)

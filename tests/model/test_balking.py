"""Balking (patience.balk_share): a caller who finds no free agent may hang up at once."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import sim
from sim.errors import ScenarioError
from tests.helpers import Z_TWO_SIDED

BUSY = ["staffing.agents=3", "demand.volume=400"]


def test_balk_share_zero_leaves_the_records_unchanged() -> None:
    s0 = sim.load_scenario("tiny", BUSY)
    s1 = sim.load_scenario("tiny", [*BUSY, "patience.balk_share=0.0"])
    pd.testing.assert_frame_equal(sim.simulate(s0, seed=3).calls, sim.simulate(s1, seed=3).calls)
    assert not sim.simulate(s0, seed=3).calls["balked"].any()


def test_callers_finding_no_free_agent_balk_with_the_given_share() -> None:
    b = 0.3
    r = sim.simulate(sim.load_scenario("default", [*BUSY, "staffing=flat", "patience.balk_share=0.3", "run.end=2026-12-10"]), seed=4)
    c = r.calls
    balked = c[c["balked"]]
    assert (balked["fate"] == "abandoned").all() and (balked["wait_s"] == 0).all() and (balked["patience_s"] == 0).all()
    assert (balked["ended_at"] == balked["arrival"]).all()
    # who found no free agent: balked, or waited (> 0 s) / hung up while queued
    found_busy = c["balked"] | (c["wait_s"] > 0)
    n = int(found_busy.sum())
    share = c.loc[found_busy, "balked"].mean()
    half_width = 3.29 * math.sqrt(b * (1 - b) / n)  # 99.9 % binomial interval
    assert n > 1000 and abs(share - b) < half_width, (share, n)


def test_no_caller_who_found_every_agent_busy_is_answered_at_0_s(monkeypatch: pytest.MonkeyPatch) -> None:
    """The balk decision is taken on arrival, on "no idle agent in the group" (DOMAIN.md 6); the
    callers it finds so are exactly those the records show balked or waiting (> 0 s): no one who
    found every agent busy is answered at the same instant, so a log's answers at 0 s are all
    callers who found an agent free."""
    from sim.model import engine

    found_busy: list[bool] = []
    offer = engine.CallCentre.offer

    def watched(self: engine.CallCentre, i: int, _event: object = None) -> None:
        found_busy.append(not self.groups[0].idle)
        offer(self, i, _event)

    monkeypatch.setattr(engine.CallCentre, "offer", watched)
    c = sim.simulate(sim.load_scenario("default", [*BUSY, "staffing=flat", "patience.balk_share=0.08", "run.end=2026-12-04"]), seed=4).calls
    busy = pd.Series(found_busy, index=c.index)  # no repeats: one offer per call, in arrival order
    assert len(found_busy) == len(c) and 1000 < busy.sum() < len(c)
    pd.testing.assert_series_equal(busy, c["balked"] | (c["wait_s"] > 0), check_names=False)


def test_balking_draws_its_own_stream() -> None:
    """Arrivals and the other callers' draws stay identical (common random numbers)."""
    a = sim.simulate(sim.load_scenario("tiny", BUSY), seed=5).calls
    b = sim.simulate(sim.load_scenario("tiny", [*BUSY, "patience.balk_share=0.5"]), seed=5).calls
    assert b["balked"].sum() > 20
    pd.testing.assert_series_equal(a["arrival"], b["arrival"])
    kept = ~b["balked"]
    pd.testing.assert_series_equal(a.loc[kept, "patience_s"], b.loc[kept, "patience_s"])
    assert b.loc[b["fate"] == "answered", "wait_s"].mean() < a.loc[a["fate"] == "answered", "wait_s"].mean()


def test_balkers_who_repeat_call_again() -> None:
    """With repeats.probability 1 every first-attempt balker is a repeater and calls again after
    the delay D (exponential, mean ``repeats.delay.mean``), at the next opening if the line is
    closed then, unless no opening is left: balker i (arriving rᵢ seconds before the run's last
    close) calls again with probability pᵢ = P(D < rᵢ) = 1 − exp(−rᵢ / mean), independently. The
    balkers who call again are a sum of independent Bernoulli(pᵢ): expectation Σ pᵢ, standard
    error √Σ pᵢ(1 − pᵢ); the count lies within its 99.9 % normal interval (z 3.29, n = 290
    balkers). The last day closes at 15:00 (the eve of Christmas Eve): its late balkers are the
    ones without a next call."""
    s = sim.load_scenario("tiny", [*BUSY, "patience.balk_share=0.5", "repeats=on", "repeats.probability=1.0"])
    assert s.repeats.delay.dist == "exponential" and s.repeats.max_attempts >= 2
    c = sim.simulate(s, seed=6).calls
    firsts = c[(c["attempt"] == 1) & c["balked"]]
    again = int(firsts["customer_id"].isin(c.loc[c["attempt"] == 2, "customer_id"]).sum())
    left = (c["closes_at"].max() - firsts["arrival"]).dt.total_seconds().to_numpy()
    p = 1 - np.exp(-left / s.repeats.delay.mean)
    expected, se = float(p.sum()), float(np.sqrt((p * (1 - p)).sum()))
    assert len(firsts) > 100 and se > 1  # a normal interval, not a degenerate one
    assert abs(again - expected) <= Z_TWO_SIDED * se, (again, expected, se)


@pytest.mark.parametrize("value", ["1.0", "-0.1"])
def test_balk_share_is_validated(value: str) -> None:
    with pytest.raises(ScenarioError, match=r"patience\.balk_share"):
        sim.load_scenario("tiny", [f"patience.balk_share={value}"])

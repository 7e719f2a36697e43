"""Callbacks (sim/model/callbacks.py) through whole runs; the hand-built cases are in test_features.py."""

from __future__ import annotations

import sim


def test_pending_callbacks_are_served_at_closing_when_every_agent_is_idle() -> None:
    """Issue 10, item 3: with pending_at_close=serve agents stay for retries even if idle at closing."""
    s = sim.load_scenario("default", [
        "callbacks=on", "callbacks.threshold_s=0", "callbacks.accept_share=1.0", "callbacks.answer_probability=0.0",
        "callbacks.retry_gap_s=7200", "callbacks.max_attempts=3", "callbacks.pending_at_close=serve", "~demand.profile",
        "+demand.profile={all: [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0]}", "staffing=flat", "staffing.agents=8",
        "run.start=2026-12-01", "run.end=2026-12-03"])
    r = sim.simulate(s, seed=1)
    c = r.calls
    failed = c[c["fate"] == "callback_failed_case"]
    assert len(failed) > 50
    assert (failed["callback_attempts"] == 3).all()
    assert (failed["ended_at"].dt.normalize() == failed["arrival"].dt.normalize()).all(), "all retries made that evening"
    assert not (c["fate"] == "callback_requested").any()
    assert (r.agents.groupby(r.agents["interval_start"].dt.date)["overtime_s"].sum() > 0).all()

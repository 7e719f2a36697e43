"""The groups' queues (sim/model/queue.py): the live count behind the on-arrival callback estimate."""

from __future__ import annotations

import pytest

import sim
from sim.model.queue import Queues


def test_on_arrival_callback_estimate_never_scans_the_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 10, item 4: the estimate scanned the whole queue on every arrival (run time ~ queue
    length squared). The run never calls the O(n) scan; the timing is in benchmarks/bench_features.py."""

    def refuse(self, g):  # noqa: ANN001, ANN202
        raise AssertionError("the queue was scanned on arrival")

    monkeypatch.setattr(Queues, "ahead_by_scan", refuse)
    s = sim.load_scenario("default", ["callbacks=on", "staffing=flat", "staffing.agents=2", "run.start=2026-12-01",
                                      "run.end=2026-12-01", "demand.volume=2000", "patience.mean=20000"])
    c = sim.simulate(s, seed=1).calls
    assert c["callback_offered"].sum() > 1000, "every arrival asked for the estimate"


def test_the_estimate_counts_exactly_the_live_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 10, item 4: the O(log n) count equals the scan it replaces, at every arrival."""
    seen: list[tuple[int, int]] = []
    scan, count = Queues.ahead_by_scan, Queues.ahead

    def both(self, g):  # noqa: ANN001, ANN202
        seen.append((count(self, g), scan(self, g)))
        return seen[-1][0]

    monkeypatch.setattr(Queues, "ahead", both)
    s = sim.load_scenario("tiny", ["callbacks=on", "callbacks.threshold_s=60", "staffing.agents=2", "demand.volume=300",
                                   "repeats=on"])
    sim.simulate(s, seed=2)
    assert len(seen) > 100 and max(a for a, _ in seen) > 5
    assert all(a == b for a, b in seen)

"""Model bugs found by a new user and a stress test (issue 10, items 1-7), each with its reproducer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.errors import ScenarioError
from sim.model.records import ALL_COLUMNS


def test_zero_patience_callers_who_are_answered_do_not_call_again() -> None:
    """Item 1: the patience-deadline check at +0 s ran before the idle agent took the call."""
    for extra in ([], ["transfers=warm"]):
        s = sim.load_scenario("tiny", ["staffing.agents=30", "repeats=on", "repeats.probability=1.0", "patience.dist=empirical",
                                       "patience.mean=null", "+patience.values=[0.0]", *extra])
        c = sim.simulate(s, seed=1).calls
        firsts = c[c["attempt"] == 1].set_index("call_id")
        again = c.loc[c["attempt"] == 2, "customer_id"]
        assert firsts.loc[again, "fate"].isin(["abandoned", "callback_failed_case"]).all(), extra
        assert (firsts["fate"] != "abandoned").sum() > 0.9 * len(firsts), "30 agents answer nearly everyone at once"


def test_infinite_patience_in_an_unstaffed_transfer_group_is_refused() -> None:
    """Item 2: the target groups are held to the first line's rule."""
    with pytest.raises(ScenarioError, match=r"transfers\.groups\.second_line\.agents.*infinite"):
        sim.load_scenario("default", ["transfers=blind", "transfers.groups.second_line.agents=0", "~transfers.blind_patience",
                                      "+transfers.blind_patience={dist: infinite}", "run.end=2026-12-07"])


def test_pending_callbacks_are_served_at_closing_when_every_agent_is_idle() -> None:
    """Item 3: with pending_at_close=serve agents stay for retries even if idle at closing."""
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


def test_on_arrival_callback_estimate_never_scans_the_queue() -> None:
    """Item 4: ewt() scanned the whole queue on every arrival (run time ~ queue length squared).
    The run never calls the O(n) scan; the timing is in benchmarks/bench_features.py."""
    from sim.model import queue as engine  # the queue owns the count

    def refuse(self, g):  # noqa: ANN001, ANN202
        raise AssertionError("the queue was scanned on arrival")

    scan = engine.Queues.ahead_by_scan
    engine.Queues.ahead_by_scan = refuse  # type: ignore[method-assign]
    try:
        s = sim.load_scenario("default", ["callbacks=on", "staffing=flat", "staffing.agents=2", "run.start=2026-12-01",
                                          "run.end=2026-12-01", "demand.volume=2000", "patience.mean=20000"])
        c = sim.simulate(s, seed=1).calls
    finally:
        engine.Queues.ahead_by_scan = scan  # type: ignore[method-assign]
    assert c["callback_offered"].sum() > 1000, "every arrival asked for the estimate"


def test_the_estimate_counts_exactly_the_live_entries() -> None:
    """Item 4: the O(log n) count equals the scan it replaces, at every arrival."""
    from sim.model import queue as engine  # the queue owns the count

    seen: list[tuple[int, int]] = []
    scan = engine.Queues.ahead_by_scan
    count = engine.Queues.ahead

    def both(self, g):  # noqa: ANN001, ANN202
        seen.append((count(self, g), scan(self, g)))
        return seen[-1][0]

    engine.Queues.ahead = both  # type: ignore[method-assign]
    try:
        s = sim.load_scenario("tiny", ["callbacks=on", "callbacks.threshold_s=60", "staffing.agents=2", "demand.volume=300",
                                       "repeats=on"])
        sim.simulate(s, seed=2)
    finally:
        engine.Queues.ahead = count  # type: ignore[method-assign]
    assert len(seen) > 100 and max(a for a, _ in seen) > 5
    assert all(a == b for a, b in seen)


@pytest.mark.parametrize("features", [["callbacks=on"], ["transfers=warm", "repeats=on"], ["callbacks=after_wait", "transfers=blind"]])
def test_a_run_without_calls_gives_empty_tables_with_features_on(features: list[str], tmp_path) -> None:  # noqa: ANN001
    """Item 5: empty runs are valid with every feature."""
    from sim.faces.output import summary_text, write_tables
    from sim.study.runner import result_kpis

    s = sim.load_scenario("default", ["demand.volume=0", "run.end=2026-12-03", *features])
    r = sim.simulate(s, seed=1)
    assert r.calls.empty and list(r.calls.columns) == list(ALL_COLUMNS)
    assert r.agents["busy_s"].sum() == 0
    k = result_kpis(r)
    assert (k.loc[k["level"] == "day", "offered"] == 0).all()
    text = summary_text(r, write_tables(r, tmp_path)["month"])
    assert "offered" in text and "Traceback" not in text
    s = sim.load_scenario("default", ["run.start=2026-12-05", "run.end=2026-12-06", *features])  # a closed weekend
    assert "offered" in result_kpis(sim.simulate(s, seed=1)).columns  # no crash; nothing to report


def test_agent_log_has_no_phantom_rows_and_busy_never_exceeds_present() -> None:
    """Item 6: rounding leftovers made rows for intervals nobody was staffed or present in."""
    r = sim.simulate(sim.load_scenario("default"), seed=0)
    a = r.agents
    assert ((a["staffed_s"] > 0) | (a["present_s"] > 1.0)).all(), a[(a["staffed_s"] == 0) & (a["present_s"] <= 1.0)]
    assert (a["busy_s"] <= a["present_s"]).all() and (a["idle_s"] >= 0).all()
    weekend = a["interval_start"].dt.day_of_week >= 5
    assert not weekend.any(), "nobody works on weekends in the default scenario"


def test_agent_log_does_not_drift_with_the_length_of_the_run() -> None:
    """Item 6: the same week simulated at the end of a two-year run gives the same agent log."""
    week = ["run.end=2026-12-11", "demand.volume=40", "staffing.agents=2"]
    short = sim.simulate(sim.load_scenario("tiny", [*week, "run.start=2026-12-07"]), seed=5).agents
    long = sim.simulate(sim.load_scenario("tiny", [*week, "run.start=2024-12-09"]), seed=5).agents
    long = long[long["interval_start"] >= pd.Timestamp("2026-12-07")].reset_index(drop=True)
    pd.testing.assert_frame_equal(short, long, check_exact=False, rtol=0, atol=1e-6)
    assert (long["busy_s"] <= long["present_s"]).all()


@pytest.mark.parametrize(("override", "key"), [
    ("demand.volume=1e308", "demand.volume"), ("demand.volume=1e19", "demand.volume"), ("demand.volume=1e12", "demand.volume"),
    ("demand.volume=3e7", "demand.volume"), ("+demand.profile.mon=[1e308,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]", "demand.profile.mon"),
])
def test_huge_inputs_are_refused_naming_the_key(override: str, key: str) -> None:
    """Item 7: huge volumes or profile values passed validation and then crashed."""
    with pytest.raises(ScenarioError, match=key.replace(".", r"\.")):
        s = sim.load_scenario("default", [override])
        sim.simulate(s, seed=1)


def test_a_busy_but_sane_run_is_still_allowed() -> None:
    s = sim.load_scenario("default", ["demand.volume=200000", "run.end=2026-12-01", "staffing=flat", "staffing.agents=0"])
    assert len(sim.simulate(s, seed=1).calls) > 100_000
    assert np.isfinite(s.demand.volume)

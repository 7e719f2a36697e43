"""Agent-log binning and record assembly."""

from __future__ import annotations

import numpy as np
import pandas as pd
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


# -- the record columns, declared once --------------------------------------------------------

def test_the_column_lists_follow_the_one_declaration() -> None:
    from sim.model.callstate import COLUMN_FIELD, FIELD_COLUMNS, FIELDS
    from sim.model.records import ALL_COLUMNS, CALL_COLUMNS, FEATURE_COLUMNS, RECORD, STAMP_COLUMNS

    names = [c.name for c in RECORD]
    assert len(set(names)) == len(names), "a column is declared twice"
    assert ALL_COLUMNS == (*CALL_COLUMNS, *FEATURE_COLUMNS) == tuple(names), "the core columns come first"
    assert CALL_COLUMNS[:3] == ("call_id", "arrival", "answered_at") and len(CALL_COLUMNS) == 16
    assert set(STAMP_COLUMNS) == {c.name for c in RECORD if c.dtype == "datetime64[ns]"} and "callback_accepted_at" in STAMP_COLUMNS
    taken = [c for c in RECORD if c.name in FIELD_COLUMNS]
    assert all(c is FIELD_COLUMNS[c.name] for c in taken), "a field's column is redeclared in records.py"
    assert len(taken) == sum(fd.column is not None for fd in FIELDS), "every field's column is a record column"
    assert COLUMN_FIELD["callback_accepted_at"] == "cb_accepted_at" and COLUMN_FIELD["connected_at"] == "answered_at"
    assert all(fd.export for fd in FIELDS if fd.column is not None)


def test_the_documented_schemas_are_generated_from_the_declarations() -> None:
    from pathlib import Path

    from sim.model import cases, records

    assert records.schema_table() in (records.__doc__ or ""), "regenerate the table in sim/model/records.py's docstring"
    assert records.schema_table(cases.CASE_RECORD) in (cases.__doc__ or ""), "regenerate the table in sim/model/cases.py"
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert records.markdown_table(tuple(c for c in records.RECORD if c.core)) in readme, "regenerate the README's call-record table"


def test_a_run_with_every_feature_has_the_declared_dtypes() -> None:
    from sim.model.cases import CASE_RECORD, check_case_records
    from sim.model.records import RECORD

    s = sim.load_scenario("tiny", ["callbacks=on", "transfers=warm", "repeats=on", "cases=on", "demand.volume=400"])
    r = sim.simulate(s, seed=2)
    assert (r.calls["attempt"] > 1).any() and (r.calls["transfer"] == "warm").any() and r.calls["callback_offered"].any()
    assert {c.name: c.dtype for c in RECORD} == {k: str(v) for k, v in r.calls.dtypes.items()}
    assert r.cases is not None and len(r.cases) > 0
    check_case_records(r.cases)
    assert {c.name: c.dtype for c in CASE_RECORD} == {k: str(v).replace("object", "str") for k, v in r.cases.dtypes.items()}


def test_no_callback_is_offered_when_callbacks_are_off() -> None:
    """A run with callbacks off but the after_wait trigger set reported every long wait as an
    offered callback (the records read the trigger without asking whether callbacks were on)."""
    s = sim.load_scenario("tiny", ["callbacks=after_wait", "callbacks.enabled=false", "callbacks.threshold_s=5", "staffing.agents=1"])
    c = sim.simulate(s, seed=1).calls
    assert (c["wait_s"] >= 5).sum() > 10
    assert not c["callback_offered"].any()


# -- the agent log (issue 10, item 6) ---------------------------------------------------------

def test_agent_log_has_no_phantom_rows_and_busy_never_exceeds_present() -> None:
    """Issue 10, item 6: rounding leftovers made rows for intervals nobody was staffed or present in."""
    r = sim.simulate(sim.load_scenario("default"), seed=0)
    a = r.agents
    assert ((a["staffed_s"] > 0) | (a["present_s"] > 1.0)).all(), a[(a["staffed_s"] == 0) & (a["present_s"] <= 1.0)]
    assert (a["busy_s"] <= a["present_s"]).all() and (a["idle_s"] >= 0).all()
    weekend = a["interval_start"].dt.day_of_week >= 5
    assert not weekend.any(), "nobody works on weekends in the default scenario"


def test_agent_log_does_not_drift_with_the_length_of_the_run() -> None:
    """Issue 10, item 6: the same week simulated at the end of a two-year run gives the same agent log."""
    week = ["run.end=2026-12-11", "demand.volume=40", "staffing.agents=2"]
    short = sim.simulate(sim.load_scenario("tiny", [*week, "run.start=2026-12-07"]), seed=5).agents
    long = sim.simulate(sim.load_scenario("tiny", [*week, "run.start=2024-12-09"]), seed=5).agents
    long = long[long["interval_start"] >= pd.Timestamp("2026-12-07")].reset_index(drop=True)
    pd.testing.assert_frame_equal(short, long, check_exact=False, rtol=0, atol=1e-6)
    assert (long["busy_s"] <= long["present_s"]).all()

"""Callbacks, warm and blind transfers, repeat contacts (issue: the centre's own rules)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.model import engine as model
from sim.model.callbacks import CallbackRules
from sim.model.callstate import FATES, Fate
from sim.model.records import CALL_COLUMNS
from sim.model.rules import Rules
from sim.model.transfers import TransferPolicy, TransferRules
from sim.world.demand import Calls
from sim.world.staffing import Schedule

INF = float("inf")


def hand_calls(arrival, talk, patience=None, *, case=None, first_talk=None, accept=None, answer=True, prefer=None,
               handover=30.0, first_wrap=20.0, closes=100_000.0) -> Calls:
    """Calls built by hand (seconds), all handled in ``talk`` with no hold or wrap."""
    n = len(arrival)
    z = np.zeros(n)
    return Calls(
        arrival=np.asarray(arrival, float), talk=np.asarray(talk, float), hold=z, wrap=z,
        patience=np.full(n, INF) if patience is None else np.asarray(patience, float),
        logged=np.ones(n, bool), closes_at=np.full(n, closes), displaced=np.zeros(n, bool),
        case=np.zeros(n, np.int64) if case is None else np.asarray(case, np.int64),
        first_talk=z if first_talk is None else np.asarray(first_talk, float),
        handover=np.full(n, handover), first_wrap=np.full(n, first_wrap),
        prefer_callback=np.zeros(n, bool) if prefer is None else np.asarray(prefer, bool),
        blind_patience=np.full(n, INF),
        callback_accept=np.zeros(n, bool) if accept is None else np.asarray(accept, bool),
        callback_answer_u=np.full((n, 3), 0.0 if answer else 1.0), repeat=np.zeros(n, bool), balk_u=np.ones(n),
    )


def constant(agents: int, close: float = 100_000.0) -> Schedule:
    return Schedule(np.array([0.0, close]), np.array([agents, 0]), np.array([True, False]))


def test_callbacks_are_made_in_queue_position_order() -> None:
    # one agent busy with call 0 until t=1000; then 1 (callback), 2 (live), 3 (callback), 4 (live)
    calls = hand_calls([0, 10, 20, 30, 40], [1000, 100, 100, 100, 100], accept=[False, True, False, True, False])
    f = Rules(callbacks=CallbackRules(threshold_s=0.0, ring_s=15.0, max_attempts=3, mean_handle_s=100))
    out = model.run(calls, [constant(1)], f)
    served_at = np.where(np.isnan(out.cb_first_attempt), out.answered_at, out.cb_first_attempt)
    assert np.argsort(served_at).tolist() == [0, 1, 2, 3, 4]
    assert served_at[1:].tolist() == [1000.0, 1115.0, 1215.0, 1330.0]  # callback: 15 s ring, then talk
    assert out.fate.tolist() == [Fate.DERIVE, Fate.CALLBACK_MADE, Fate.DERIVE, Fate.CALLBACK_MADE, Fate.DERIVE]
    assert out.cb_accepted_at[1] == 10.0 and out.cb_accepted_at[3] == 30.0


def test_callback_retries_then_becomes_a_case() -> None:
    calls = hand_calls([0, 10], [500, 100], accept=[False, True], answer=False)
    f = Rules(callbacks=CallbackRules(ring_s=20.0, retry_gap_s=300.0, max_attempts=3, failed_s=10.0))
    out = model.run(calls, [constant(1)], f)
    assert out.fate[1] == Fate.CALLBACK_FAILED_CASE and out.cb_attempts[1] == 3 and out.logged_case[1]
    # attempts at 500, then 300 s after each failed one ends: an unanswered attempt costs the agent
    # failed_attempt_s (10 s) in all, not ring_s + failed_attempt_s (issue 23.15)
    assert out.cb_first_attempt[1] == 500.0 and out.ended_at[1] == 500 + 3 * 10 + 2 * 300


def warm_case(**kw):
    """Two groups: first line (2 agents), second line (1 agent busy until t=1000)."""
    f = Rules(transfers=TransferRules(TransferPolicy.WARM, (-1, 1), kw.pop("limit", 5000.0)))
    return f


def test_transferred_caller_keeps_queue_position_in_the_second_line() -> None:
    # call 0 (position 0) needs the second line only after 300 s of first-line talk; call 1
    # (position 5) asks after 10 s; call 2 occupies the only second-line agent until ~1000 s
    calls = hand_calls([0, 5, 6], [100, 100, 800], case=[1, 1, 1], first_talk=[300, 10, 0], handover=30, first_wrap=20)
    f = Rules(transfers=TransferRules(TransferPolicy.WARM, (-1, 1), 5000.0))
    out = model.run(calls, [constant(3), constant(1)], f)
    assert out.answered2_at[2] == pytest.approx(6.0)  # took the free colleague at once
    assert out.answered2_at[0] < out.answered2_at[1], "the earlier position is served first"
    assert out.answered2_at[0] == pytest.approx(6 + 30 + 800)  # right after the colleague's call
    assert (out.fate == Fate.TRANSFERRED_WARM).all()


def test_first_agent_busy_for_the_whole_consultation() -> None:
    calls = hand_calls([0, 1, 2], [600, 100, 50], case=[1, 1, 0], first_talk=[0, 60, 0], handover=30, first_wrap=20)
    f = Rules(transfers=TransferRules(TransferPolicy.WARM, (-1, 1), 5000.0))
    # first line: agents 0,1; second line: agent 2, busy with call 0 until 30 + 600 = 630
    out = model.run(calls, [constant(2), constant(1)], f)
    consult = out.answered2_at[1] - (1 + 60)
    assert consult == pytest.approx(630 - 61)
    assert out.consult_wait[1] == pytest.approx(consult)
    assert out.first_handle[1] == pytest.approx(60 + consult + 30 + 20)
    busy = pd.DataFrame({"agent": out.busy_agent, "start": out.busy_start, "end": out.busy_end})
    a = out.agent[1]
    seg = busy[busy["agent"] == a].iloc[0]
    assert (seg["start"], seg["end"]) == pytest.approx((1.0, 1 + out.first_handle[1]))
    # the customer on hold meanwhile: call 2 went to the other first-line agent after its transfer
    assert out.agent[2] != a or out.answered_at[2] >= seg["end"]


def test_fallback_case_when_no_colleague_answers() -> None:
    calls = hand_calls([0, 1], [900, 100], case=[1, 1], first_talk=[0, 40], handover=30, first_wrap=20)
    f = Rules(transfers=TransferRules(TransferPolicy.WARM, (-1, 1), 60.0))
    out = model.run(calls, [constant(2), constant(1)], f)  # the colleague is busy with call 0
    assert out.fate[1] == Fate.TRANSFER_FALLBACK_CASE and out.logged_case[1]
    assert out.consult_wait[1] == pytest.approx(60.0) and out.agent2[1] == -1
    assert out.first_handle[1] == pytest.approx(40 + 60 + 20)
    assert out.ended_at[1] == pytest.approx(1 + 40 + 60)


def test_customer_preferring_a_callback_gets_a_case_without_consultation() -> None:
    calls = hand_calls([0], [100], case=[1], first_talk=[50], prefer=[True])
    out = model.run(calls, [constant(1), constant(1)], Rules(transfers=TransferRules(TransferPolicy.WARM, (-1, 1), 60.0)))
    assert out.fate[0] == Fate.TRANSFER_FALLBACK_CASE and np.isnan(out.consult_wait[0]) and out.agent2[0] == -1


def test_blind_transfer_releases_the_first_agent() -> None:
    calls = hand_calls([0, 1], [500, 100], case=[1, 1], first_talk=[10, 10], first_wrap=5)
    out = model.run(calls, [constant(1), constant(1)], Rules(transfers=TransferRules(TransferPolicy.BLIND, (-1, 1))))
    assert out.first_handle.tolist() == [15.0, 15.0]  # talk + wrap only, no consultation
    assert out.answered_at[1] == pytest.approx(15.0)  # the first agent was free after call 0's hand-off
    assert (out.fate == Fate.TRANSFERRED_BLIND).all()


def test_features_off_equal_the_core_model_records() -> None:
    """Back-test against records written by the core model before these features existed."""
    s = sim.load_scenario("tiny", ["demand.volume=300", "staffing.agents=4"])
    r = sim.simulate(s, seed=7)
    pd.testing.assert_frame_equal(r.calls[list(CALL_COLUMNS)], pd.read_parquet("tests/data/core_tiny_seed7_calls.parquet"))
    golden = pd.read_parquet("tests/data/core_tiny_seed7_agents.parquet")
    pd.testing.assert_frame_equal(r.agents[list(golden.columns)], golden)
    assert (r.agents["break_s"] == 0).all()  # no shifts, no breaks (a column added since)
    s = sim.load_scenario("default", ["run.end=2026-12-03"])
    pd.testing.assert_frame_equal(sim.simulate(s, seed=3).calls[list(CALL_COLUMNS)],
                                  pd.read_parquet("tests/data/core_default3d_seed3_calls.parquet"))


feature_space = st.fixed_dictionaries(
    {
        "callbacks": st.sampled_from(["off", "on", "after_wait"]),
        "transfers": st.sampled_from(["off", "warm", "blind"]),
        "repeats": st.sampled_from(["off", "on"]),
        "callbacks.pending_at_close": st.sampled_from(["serve", "next_opening"]),
        "callbacks.kpi_convention": st.sampled_from(["answered_when_made", "answered_at_request", "not_answered"]),
        "staffing.agents": st.integers(1, 9),
        "transfers.groups.second_line.agents": st.integers(0, 3),
        "calendar.early_close": st.sampled_from(["15:00", "null"]),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(choice=feature_space, seed=st.integers(0, 2**31))
def test_every_call_has_one_final_fate_with_all_features(choice: dict, seed: int) -> None:
    groups = [f"{k}={v}" for k, v in choice.items() if "." not in k]
    values = [f"{k}={v}" for k, v in choice.items() if "." in k and not (k.startswith("callbacks.") and choice["callbacks"] == "off")
              and not (k.startswith("transfers.") and choice["transfers"] == "off")]
    s = sim.load_scenario("tiny", [*groups, *values, "run.start=2026-12-21", "run.end=2026-12-23", "demand.volume=250"])
    r = sim.simulate(s, seed=seed)
    c = r.calls
    assert set(c["fate"]) <= set(FATES)
    assert c["call_id"].tolist() == list(range(len(c)))
    answered_kinds = {"answered", "callback_made", "transferred_warm", "transferred_blind", "transfer_abandoned", "transfer_fallback_case"}
    assert (c["connected_at"].notna() == c["fate"].isin(answered_kinds)).all()
    done = c[c["fate"] != "callback_requested"]
    assert (done["ended_at"] >= done["arrival"]).all()
    assert (c["wait_s"] >= 0).all()
    # callbacks pending at the very end exist only when carried past the last opening
    if choice["callbacks.pending_at_close"] == "serve" or choice["callbacks"] == "off":
        assert not (c["fate"] == "callback_requested").any()
    # every attempt of a customer is linked, numbered 1..k in time order
    for _, g in c.groupby("customer_id"):
        assert g["attempt"].tolist() == list(range(1, len(g) + 1))
    # repeat contacts only follow an abandoned call or a failed callback
    firsts = c[c["attempt"] == 1].set_index("call_id")
    again = c[c["attempt"] == 2]["customer_id"]
    assert firsts.loc[again, "fate"].isin(["abandoned", "callback_failed_case"]).all()
    # no call is offered while closed, nothing is lost: every agent leaves once the queue is empty
    cal = r.calendar.set_index("date")
    day = c["arrival"].dt.normalize()
    assert (c["arrival"].to_numpy() >= cal.loc[day, "opens"].to_numpy()).all()
    assert (c["arrival"].to_numpy() < cal.loc[day, "closes"].to_numpy()).all()
    if choice["callbacks.pending_at_close"] == "next_opening" and choice["callbacks"] != "off":
        tried = c["callback_first_attempt_at"].dropna()
        d = tried.dt.normalize()
        assert (tried.to_numpy() >= cal.loc[d, "opens"].to_numpy()).all()
        assert (tried.to_numpy() < cal.loc[d, "closes"].to_numpy()).all(), "carried callbacks wait for the opening"


def test_callbacks_carried_past_the_last_opening_stay_pending() -> None:
    s = sim.load_scenario("tiny", ["callbacks=on", "callbacks.pending_at_close=next_opening", "patience.dist=infinite",
                                   "patience.mean=null", "staffing.agents=2", "demand.volume=200"])
    c = sim.simulate(s, seed=1).calls
    pending = c[c["fate"] == "callback_requested"]
    assert len(pending) > 0 and pending["connected_at"].isna().all() and pending["ended_at"].isna().all()
    # nobody with infinite patience is left waiting on the line
    assert c.loc[c["callback_accepted_at"].isna(), "fate"].eq("answered").all()


def test_agent_log_counts_the_work_on_repeat_contacts() -> None:
    """Busy agent time = the handle time of every answered call, repeat contacts included."""
    s = sim.load_scenario("tiny", ["repeats=on", "staffing.agents=2", "demand.volume=200"])
    r = sim.simulate(s, seed=4)
    answered = r.calls["connected_at"].notna()
    assert (r.calls.loc[answered, "attempt"] > 1).any(), "the case must contain answered repeat calls"
    assert r.agents["busy_s"].sum() == pytest.approx(r.calls.loc[answered, "handle_s"].sum())

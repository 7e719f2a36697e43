"""Failure demand (issue 24 section 2): first-contact resolution, repeat contacts per matter, full
resolution time (sim.model.resolution, sim.analysis.kpis.matter_kpis)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.kpis import feature_kpis, matter_kpis
from sim.model.records import CALL_COLUMNS
from sim.model.resolution import after_working_days, open_days
from tests.helpers import Z_TWO_SIDED, expected_repeats, refusal

DAY = 86400.0


def test_fcr_one_leaves_the_records_as_they_were() -> None:
    """fcr 1.0 (the default, or given per case type) is off: the back-test records match bit for bit."""
    golden = pd.read_parquet("tests/data/core_tiny_seed7_calls.parquet")
    base = ["demand.volume=300", "staffing.agents=4"]
    plain = sim.simulate(sim.load_scenario("tiny", base), seed=7).calls
    for extra in (["resolution.fcr=1.0"], ["resolution.fcr={general: 1.0}"]):
        r = sim.simulate(sim.load_scenario("tiny", [*base, *extra]), seed=7)
        pd.testing.assert_frame_equal(r.calls[list(CALL_COLUMNS)], golden)
        pd.testing.assert_frame_equal(r.calls, plain)
        assert not r.calls["unresolved"].any()


def _hand_records() -> pd.DataFrame:
    t = pd.Timestamp("2026-12-01")
    h = pd.Timedelta(hours=1)
    m = pd.Timedelta(minutes=1)
    nat = pd.NaT
    rows = [  # customer, arrival, connected_at, ended_at, unresolved
        (0, t + 8 * h, t + 8 * h, t + 8 * h + 10 * m, True),  # A: unresolved, then resolved two days later
        (0, t + 2 * 24 * h + 9 * h, t + 57 * h, t + 57 * h + 5 * m, False),
        (2, t + 10 * h, t + 10 * h, t + 10 * h + 6 * m, False),  # B: resolved at once
        (3, t + 11 * h, nat, t + 11 * h + m, False),  # C: abandoned, then resolved by its first answered contact
        (3, t + 11 * h + 30 * m, t + 11 * h + 30 * m, t + 11 * h + 40 * m, False),
        (5, t + 12 * h, nat, t + 12 * h + m, False),  # D: abandoned only
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "arrival", "connected_at", "ended_at", "unresolved"])
    return frame.assign(answered_at=frame["connected_at"], fate=np.where(frame["connected_at"].notna(), "answered", "abandoned"))


def test_fcr_and_full_resolution_time_on_hand_built_records() -> None:
    calls = _hand_records()
    day = matter_kpis(calls, "D")
    assert day.index.tolist() == [pd.Timestamp("2026-12-01")]  # every matter began on 1 Dec
    row = day.iloc[0]
    assert row["matters"] == 4
    assert row["fcr"] == pytest.approx(2 / 3)  # B and C resolved by the first answered contact; D never answered
    assert row["repeat_contacts_per_matter"] == pytest.approx(2 / 4)
    hours = [2 * 24 + 1 + 5 / 60, 6 / 60, 40 / 60]  # A: 1 Dec 08:00 to 3 Dec 09:05; B; C from its first (abandoned) try
    assert row["resolution_time_h"] == pytest.approx(np.mean(hours))
    f = feature_kpis(calls, "D")  # the per-day rows carry them; A's repeat on 3 Dec counts on the matter's first day
    assert f["period"].tolist() == [pd.Timestamp("2026-12-01"), pd.Timestamp("2026-12-03")]
    assert f["matters"].tolist() == [4, 0] and f["fcr"].iloc[0] == pytest.approx(2 / 3) and np.isnan(f["fcr"].iloc[1])
    whole = feature_kpis(calls, "D", pd.Timestamp("2026-11-30"))
    assert whole["period"].tolist() == [pd.Timestamp("2026-11-30")]
    assert whole["resolution_time_h"].iloc[0] == pytest.approx(np.mean(hours))


def test_records_without_the_column_resolve_every_answered_matter() -> None:
    calls = _hand_records().drop(columns="unresolved")
    row = matter_kpis(calls, "D").iloc[0]
    assert row["fcr"] == 1.0
    assert row["resolution_time_h"] == pytest.approx(np.mean([10 / 60, 6 / 60, 40 / 60]))


def test_working_days_skip_the_closed_days() -> None:
    opens = np.array([0, 1, 4]) * DAY + 8 * 3600  # open days 0, 1 and 4 (2 and 3 closed: a weekend)
    closes = opens + 9 * 3600
    days = open_days(opens, closes)
    assert days == {0, 1, 4}
    t = 1 * DAY + 10 * 3600  # day 1 at 10:00
    assert after_working_days(t, 1.0, days, 4) == 4 * DAY + 10 * 3600  # next working day is day 4
    assert after_working_days(t, 0.25, days, 4) == t + 0.25 * DAY


@pytest.fixture(scope="module")
def fcr70() -> sim.SimResult:
    s = sim.load_scenario("default", ["run.end=2026-12-14", "resolution=fcr70",
                                      "resolution.delay_days={dist: deterministic, mean: 1.0}"])
    return sim.simulate(s, seed=11)


def test_measured_fcr_covers_the_configured_share(fcr70: sim.SimResult) -> None:
    """Each matter's first answered contact resolves it with probability 0.7: the measured share
    lies within its 99.9 % binomial interval around 0.7. The repeat contacts per matter are
    (repeat calls) / matters, and the repeat calls lie within the 99.9 % normal interval of
    their expectation given the answered calls (tests.helpers.expected_repeats: one draw of
    1 − fcr per answered call below the third contact, its repeat kept when the one-day delay
    ends before the run's last closing)."""
    row = feature_kpis(fcr70.calls, "D", pd.Timestamp("2026-12-01")).iloc[0]
    calls = fcr70.calls
    answered_matters = calls.loc[calls["connected_at"].notna(), "customer_id"].nunique()
    half = 3.29 * math.sqrt(0.7 * 0.3 / answered_matters)
    assert answered_matters > 3000
    assert abs(row["fcr"] - 0.7) < half
    repeats, expected, se = expected_repeats(fcr70.scenario, calls)
    assert row["repeat_contacts_per_matter"] == pytest.approx(repeats / row["matters"])
    assert abs(repeats - expected) <= Z_TWO_SIDED * se, (repeats, expected, se)
    assert (calls.loc[calls["unresolved"], "connected_at"].notna()).all()  # only answered calls are unresolved


def test_unresolved_customers_call_again_after_the_delay(fcr70: sim.SimResult) -> None:
    """With a deterministic delay of one working day, each unresolved call's customer calls again one
    working day after the call ended (or at the next opening when the line is closed then)."""
    calls = fcr70.calls.sort_values(["customer_id", "attempt"])
    nxt = calls.groupby("customer_id").shift(-1)
    un = calls["unresolved"] & nxt["arrival"].notna()
    assert un.sum() > 500
    gap = (nxt.loc[un, "arrival"] - calls.loc[un, "ended_at"]).dt.total_seconds()
    assert (gap >= DAY - 1e-3).all()
    assert (np.isclose(gap, DAY) | (gap > DAY)).all()
    assert (np.isclose(gap, DAY)).mean() > 0.5  # most land in the opening hours a day later
    # the new contact is the same customer with the same need, one attempt later
    assert (nxt.loc[un, "attempt"] == calls.loc[un, "attempt"] + 1).all()
    assert (nxt.loc[un, "patience_s"] == calls.loc[un, "patience_s"]).all()
    last = calls["unresolved"] & (calls["attempt"] == 3)
    assert nxt.loc[last, "arrival"].isna().all()  # max_contacts 3: the third contact is the last


@pytest.mark.parametrize(("override", "words"), [
    ("resolution.fcr=1.5", "resolution.fcr: got 1.5; allowed: a share from 0 to 1"),
    ("resolution.fcr={general: 2}", "resolution.fcr: case type 'general' has 2; allowed: a share from 0 to 1"),
    ("resolution.fcr={nosuch: 0.5}", "resolution.fcr.nosuch: unknown case type 'nosuch'"),
    ("resolution.max_contacts=1", "resolution.max_contacts"),
    ("resolution.delay_days={dist: exponential, mean: 400}", "resolution.delay_days.mean"),
    ("resolution.case_share=0.3", "resolution.case_share: got 0.3, but case work is off (cases.enabled false)"),
    ("resolution.case_share=1.2", "resolution.case_share"),
])
def test_bad_values_are_refused_in_one_paragraph(override: str, words: str) -> None:
    refusal(lambda: sim.load_scenario("tiny", [override]), words)


def test_every_feature_on_with_failure_demand() -> None:
    """Callbacks, warm transfers, repeats, cases and balking with failure demand per case type: the
    records keep their declared dtypes, transferred calls finished by the second line are decided by
    their own type's share, and only answered calls are unresolved."""
    from sim.model.records import RECORD

    s = sim.load_scenario("tiny", ["callbacks=on", "transfers=warm", "repeats=on", "cases=on", "demand.volume=600",
                                   "patience.balk_share=0.05", "resolution.fcr={general: 0.9, technical: 0.0}"])
    r = sim.simulate(s, seed=2)
    c = r.calls
    assert {col.name: col.dtype for col in RECORD} == {k: str(v) for k, v in c.dtypes.items()}
    assert c.loc[c["unresolved"], "connected_at"].notna().all()
    warm = c[(c["fate"] == "transferred_warm") & (c["case_type"] == "technical")]
    assert len(warm) > 5 and warm["unresolved"].all()  # technical: fcr 0
    assert not c.loc[c["case_type"] == "billing", "unresolved"].any()  # a type left out: 1.0
    assert (c["attempt"] > 1).any()


def test_an_unknown_written_case_kind_is_refused_in_one_paragraph() -> None:
    refusal(lambda: sim.load_scenario("tiny", ["cases=on", "resolution.case_share=0.3", "resolution.case_kind=complaint"]),
            "resolution.case_kind: unknown case kind 'complaint'; kinds: fault_report, case_order")


# -- by phone or as a case (resolution.case_share) -----------------------------------------------------

MIXED = ["resolution=fcr70", "cases=on", "callbacks=on", "repeats=on", "transfers=warm", "demand.volume=400", "staffing.agents=3"]


def test_case_share_zero_leaves_call_and_case_records_as_they_were() -> None:
    """Back-test files written by the model before written repeat contacts existed (failure demand with
    callbacks, repeats, warm transfers and case work): ``case_share: 0`` gives them bit for bit (the case
    records gained only the ``customer_id`` column)."""
    calls = pd.read_parquet("tests/data/resolution_tiny_seed5_calls.parquet")
    cases = pd.read_parquet("tests/data/resolution_tiny_seed5_cases.parquet")
    for extra in ([], ["resolution.case_share=0.0", "resolution.case_kind=fault_report"]):
        r = sim.simulate(sim.load_scenario("tiny", [*MIXED, *extra]), seed=5)
        assert r.cases is not None
        pd.testing.assert_frame_equal(r.calls, calls)
        pd.testing.assert_frame_equal(r.cases.drop(columns="customer_id"), cases)
        assert r.calls["unresolved"].sum() > 100 and not (r.cases["source"] == "unresolved_call").any()


@pytest.fixture(scope="module")
def written() -> sim.SimResult:
    s = sim.load_scenario("default", ["run.end=2026-12-14", "resolution=fcr70", "cases=on", "resolution.case_share=0.4",
                                      "resolution.delay_days={dist: deterministic, mean: 1.0}"])
    return sim.simulate(s, seed=11)


def test_the_share_of_repeat_contacts_made_in_writing(written: sim.SimResult) -> None:
    """With a one-working-day delay every unresolved call that was not the customer's third contact and
    did not end on the run's last day brings exactly one next contact: a call of the same customer one
    attempt later, or a written case that names the call. The written share lies within its 99.9 %
    binomial interval around 0.4."""
    calls, cases = written.calls, written.cases
    assert cases is not None
    w = cases[cases["source"] == "unresolved_call"]
    assert (w["channel"] == "written").all()
    last_day = calls["arrival"].max().normalize()
    due = calls[calls["unresolved"] & (calls["attempt"] < 3) & (calls["ended_at"] < last_day - pd.Timedelta(days=1))]
    key = set(zip(calls["customer_id"], calls["attempt"], strict=True))
    by_phone = np.array([(c, a + 1) in key for c, a in zip(due["customer_id"], due["attempt"], strict=True)])
    in_writing = due["call_id"].isin(w["call_id"]).to_numpy()
    assert not (by_phone & in_writing).any() and (by_phone | in_writing).all()  # exactly one next contact each
    n, k = len(due), int(in_writing.sum())
    assert n > 1000
    assert abs(k / n - 0.4) < 3.29 * math.sqrt(0.4 * 0.6 / n)


def test_a_written_contact_is_linked_timed_and_targeted_like_a_case(written: sim.SimResult) -> None:
    """A written repeat contact names the unresolved call and its customer, arrives one working day after
    the call ended (no opening needed), carries its kind's working-hours target and is worked in the
    backlog's order like any case."""
    calls, cases = written.calls, written.cases
    assert cases is not None
    w = cases[cases["source"] == "unresolved_call"]
    call = calls.set_index("call_id").loc[w["call_id"].to_numpy()]
    assert call["unresolved"].all()
    assert (w["customer_id"].to_numpy() == call["customer_id"].to_numpy()).all()
    gap = (w["arrival"].to_numpy() - call["ended_at"].to_numpy()) / np.timedelta64(1, "s")
    assert (gap >= DAY - 1e-3).all() and np.isclose(gap, DAY).mean() > 0.5  # a weekend adds whole days
    rest = np.mod(gap, DAY)
    assert (np.isclose(rest, 0.0, atol=1e-3) | np.isclose(rest, DAY, atol=1e-3)).all()  # whole days: never routed to an opening
    assert set(w["kind"]) == {"fault_report", "case_order"}
    assert (w["target_h"] == w["kind"].map({"fault_report": 4.0, "case_order": 8.0})).all()
    # worked in the one backlog's order (not a statistical claim, an exact property): the backlog is
    # ordered by due time and an agent takes its first case, so every case started after an open
    # written contact arrived was due no later than it (was: more than 80 % handled)
    assert written.scenario.cases.order == "earliest_due"
    started = cases.dropna(subset=["started_at"])
    still_open = w[w["status"] == "open"]
    assert 0 < len(still_open) < len(w) // 2, len(still_open)  # the check below is not vacuous
    for arrival, due in zip(still_open["arrival"], still_open["due_at"], strict=True):
        overtook = started[(started["started_at"] >= arrival) & (started["due_at"] > due)]
        assert overtook.empty, (arrival, due, overtook[["arrival", "due_at", "started_at"]])
    channel_cases = cases[cases["channel"].isin(["email", "web", "social"])]
    assert channel_cases["customer_id"].isna().all() and channel_cases["call_id"].isna().all()


def test_a_written_case_kind_is_the_one_given() -> None:
    s = sim.load_scenario("tiny", [*MIXED, "resolution.case_share=1.0", "resolution.case_kind=fault_report"])
    r = sim.simulate(s, seed=5)
    assert r.cases is not None
    w = r.cases[r.cases["source"] == "unresolved_call"]
    assert len(w) > 20 and (w["kind"] == "fault_report").all()
    assert not ((r.calls["attempt"] > 1) & r.calls["customer_id"].isin(w["customer_id"])
                & (r.calls["arrival"] > r.calls["customer_id"].map(w.groupby("customer_id")["arrival"].min()))).any()


def _hand_cases() -> pd.DataFrame:
    """Case records for :func:`_hand_records`: A's matter ends with a written contact handled on 4 Dec; E's
    written contact is still open; a channel case and a phone case carry no contact of a matter."""
    t = pd.Timestamp("2026-12-01")
    h = pd.Timedelta(hours=1)
    rows = [  # source, channel, customer_id, arrival, finished_at
        ("unresolved_call", "written", 0, t + 3 * 24 * h + 9 * h, t + 3 * 24 * h + 11 * h),
        ("unresolved_call", "written", 6, t + 2 * 24 * h + 8 * h, pd.NaT),
        ("email", "email", pd.NA, t + 9 * h, t + 10 * h),
        ("transfer_fallback_case", "phone", 2, t + 10 * h, t + 12 * h),
    ]
    f = pd.DataFrame(rows, columns=["source", "channel", "customer_id", "arrival", "finished_at"])
    return f.assign(customer_id=f["customer_id"].astype("Int64"))


def test_matters_count_contacts_in_both_channels_on_hand_built_records() -> None:
    """Kontakta's KPIs over calls and written contacts: A (unresolved, unresolved again by phone, then a
    written contact handled on 4 Dec 11:00), E (unresolved, then a written contact still open)."""
    t = pd.Timestamp("2026-12-01")
    h = pd.Timedelta(hours=1)
    m = pd.Timedelta(minutes=1)
    calls = _hand_records()
    calls.loc[1, "unresolved"] = True  # A's second call did not resolve it either
    e = pd.DataFrame([(6, t + 13 * h, t + 13 * h, t + 13 * h + 7 * m, True)],
                     columns=["customer_id", "arrival", "connected_at", "ended_at", "unresolved"])
    calls = pd.concat([calls, e.assign(answered_at=e["connected_at"], fate="answered")], ignore_index=True)
    row = matter_kpis(calls, "D", cases=_hand_cases()).iloc[0]
    assert row["matters"] == 5
    assert row["fcr"] == pytest.approx(2 / 4)  # B and C; A and E were not resolved by their first answered call
    assert row["repeat_contacts_per_matter"] == pytest.approx((2 + 1 + 1) / 5)  # A: a call and a case, C: a call, E: a case
    hours = [3 * 24 + 11 - 8, 6 / 60, 40 / 60]  # A: 1 Dec 08:00 to the case handled 4 Dec 11:00; B; C
    assert row["resolution_time_h"] == pytest.approx(np.mean(hours))
    phone_only = matter_kpis(calls, "D").iloc[0]  # without the case records A and E stay unresolved
    assert phone_only["repeat_contacts_per_matter"] == pytest.approx(2 / 5)
    assert phone_only["resolution_time_h"] == pytest.approx(np.mean(hours[1:]))
    f = feature_kpis(calls, "D", t, _hand_cases()).iloc[0]
    assert f["repeat_contacts_per_matter"] == pytest.approx(4 / 5) and f["matters"] == 5


def test_the_kpi_rows_of_a_run_count_the_written_contacts(written: sim.SimResult) -> None:
    from sim.study.runner import result_kpis

    run = result_kpis(written, ("run",)).iloc[0]
    both = matter_kpis(written.calls, "D", pd.Timestamp("2026-12-01"), written.cases).iloc[0]
    phone = matter_kpis(written.calls, "D", pd.Timestamp("2026-12-01")).iloc[0]
    assert run["repeat_contacts_per_matter"] == pytest.approx(both["repeat_contacts_per_matter"])
    assert both["repeat_contacts_per_matter"] > phone["repeat_contacts_per_matter"] + 0.05
    assert both["fcr"] == phone["fcr"]  # the first answered contact is always a call


def test_every_handled_call_reaches_the_hook_once_with_its_end(monkeypatch: pytest.MonkeyPatch) -> None:
    """The centre's answered/handled hook: each call an agent handled to its end (answered live or by a
    callback, or finished by the target group after a warm transfer) is reported exactly once, with the
    end of its handling; a call that ended as a case or was never answered is not."""
    from sim.model.resolution import Resolution

    seen: list[tuple[int, float]] = []
    settle = Resolution.settle

    def spy(self: Resolution, i: int, ended: float) -> None:
        seen.append((i, ended))
        settle(self, i, ended)

    monkeypatch.setattr(Resolution, "settle", spy)
    r = sim.simulate(sim.load_scenario("tiny", MIXED), seed=5)
    calls = r.calls
    handled = calls[calls["fate"].isin(["answered", "callback_made", "transferred_warm"])]
    assert len(handled) > 400 and set(calls["fate"]) >= {"abandoned", "transfer_fallback_case", "callback_failed_case"}
    assert len({i for i, _ in seen}) == len(seen) == len(handled)
    start = np.datetime64("2026-12-22")
    ended = np.sort((handled["ended_at"].to_numpy() - start) / np.timedelta64(1, "s"))
    np.testing.assert_allclose(np.sort([e for _, e in seen]), ended, atol=1e-5)

"""Tests for sim.kpis: hand-computed KPIs on hand-built records, target judging, properties."""

from __future__ import annotations

import dataclasses
import inspect
import math
from collections.abc import Iterable, Mapping
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.analysis import kpis
from sim.analysis.kpis import Targets, days_missed, judge, kpi_table, period_start, summary

NAN = float("nan")
T0 = pd.Timestamp("2024-03-04")  # a Monday


# --------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------


def make_calls(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Call records in the model's schema from a few fields per call.

    Each row: ``arrival`` (Timestamp or str), ``fate``, ``wait`` and, for answered calls,
    ``talk``/``hold``/``wrap`` and ``logged``. ``answered`` defaults to fate == "answered".
    """
    records = []
    for i, row in enumerate(rows):
        arrival = pd.Timestamp(row["arrival"])
        fate = row["fate"]
        wait = float(row["wait"])
        answered = row.get("answered", fate == "answered")
        talk = float(row.get("talk", 0.0)) if answered else NAN
        hold = float(row.get("hold", 0.0)) if answered else NAN
        wrap = float(row.get("wrap", 0.0)) if answered else NAN
        handle = talk + hold + wrap
        answered_at = arrival + pd.to_timedelta(wait, unit="s") if answered else pd.NaT
        ended_at = (
            answered_at + pd.to_timedelta(handle, unit="s")
            if answered
            else arrival + pd.to_timedelta(wait, unit="s")
        )
        records.append(
            {
                "call_id": i,
                "arrival": arrival,
                "answered_at": answered_at,
                "ended_at": ended_at,
                "fate": fate,
                "wait_s": wait,
                "talk_s": talk,
                "hold_s": hold,
                "wrap_s": wrap,
                "handle_s": handle,
                "patience_s": float(row.get("patience", math.inf)),
                "agent": 1 if answered else pd.NA,
                "logged": bool(row.get("logged", False)) if answered else False,
                "after_close": False,
                "closes_at": arrival.normalize() + pd.Timedelta(hours=17),
            }
        )
    return _typed_calls(pd.DataFrame.from_records(records, columns=CALL_COLUMNS))


CALL_COLUMNS = [
    "call_id",
    "arrival",
    "answered_at",
    "ended_at",
    "fate",
    "wait_s",
    "talk_s",
    "hold_s",
    "wrap_s",
    "handle_s",
    "patience_s",
    "agent",
    "logged",
    "after_close",
    "closes_at",
]


def _typed_calls(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(
        {
            "call_id": "int64",
            "arrival": "datetime64[ns]",
            "answered_at": "datetime64[ns]",
            "ended_at": "datetime64[ns]",
            "fate": "str",
            "wait_s": "float64",
            "talk_s": "float64",
            "hold_s": "float64",
            "wrap_s": "float64",
            "handle_s": "float64",
            "patience_s": "float64",
            "agent": "Int64",
            "logged": "bool",
            "after_close": "bool",
            "closes_at": "datetime64[ns]",
        }
    )


def make_agents(rows: Iterable[tuple[str, float, float, float, float]]) -> pd.DataFrame:
    """Agent log from (interval_start, staffed_s, present_s, busy_s, overtime_s) tuples."""
    frame = pd.DataFrame.from_records(
        list(rows), columns=["interval_start", "staffed_s", "present_s", "busy_s", "overtime_s"]
    )
    frame["interval_start"] = pd.to_datetime(frame["interval_start"]).astype("datetime64[ns]")
    frame = frame.astype({c: "float64" for c in ("staffed_s", "present_s", "busy_s", "overtime_s")})
    frame.insert(4, "idle_s", frame["present_s"] - frame["busy_s"])
    return frame


def assert_row(actual: pd.Series, expected: Mapping[str, float]) -> None:
    """Integers equal exactly, floats to 1e-12 relative (rounding only), NaN matches NaN."""
    for column, want in expected.items():
        got = actual[column]
        if isinstance(want, int):
            assert got == want, f"{column}: {got!r} != {want!r}"
        elif math.isnan(want):
            assert math.isnan(got), f"{column}: {got!r} is not NaN"
        else:
            assert math.isclose(got, want, rel_tol=1e-12, abs_tol=0.0), (
                f"{column}: {got!r} != {want!r}"
            )


def by_period(table: pd.DataFrame) -> dict[pd.Timestamp, pd.Series]:
    return {row["period"]: row for _, row in table.iterrows()}


# --------------------------------------------------------------------------------------------
# The hand-built example: two days; day 1 spans two 30-minute intervals
# --------------------------------------------------------------------------------------------

EXAMPLE = [
    # day 1, interval 08:00-08:30
    dict(arrival="2024-03-04 08:05", fate="answered", wait=30, talk=200, hold=20, wrap=60,
         logged=True),
    dict(arrival="2024-03-04 08:10", fate="answered", wait=90.0, talk=300, hold=0, wrap=100,
         logged=True),
    dict(arrival="2024-03-04 08:20", fate="abandoned", wait=15),  # a short abandon: still counts
    # day 1, interval 08:30-09:00
    dict(arrival="2024-03-04 08:40", fate="answered", wait=90.001, talk=150, hold=30, wrap=40,
         logged=False),
    dict(arrival="2024-03-04 08:50", fate="callback_requested", wait=120),  # a later fate
    # day 2, interval 09:00-09:30
    dict(arrival="2024-03-05 09:00", fate="answered", wait=10, talk=100, hold=0, wrap=20,
         logged=True),
    dict(arrival="2024-03-05 09:05", fate="abandoned", wait=200),
]

P1 = pd.Timestamp("2024-03-04 08:00")
P2 = pd.Timestamp("2024-03-04 08:30")
P3 = pd.Timestamp("2024-03-05 09:00")
D1 = pd.Timestamp("2024-03-04")
D2 = pd.Timestamp("2024-03-05")

# Computed by hand. Percentiles: linear interpolation, h = 0.9 * (n - 1) on the sorted values.
EXPECTED_30MIN = {
    P1: dict(
        offered=3, answered=2, abandoned=1, within_threshold=2,  # 30 s and exactly 90 s
        availability=2 / 3, abandon_share=1 / 3, service_level=2 / 3,
        asa_s=(30 + 90) / 2, mean_wait_all_s=(30 + 90 + 15) / 3,
        p90_wait_s=30 + 0.9 * (90 - 30),  # [30, 90], h = 0.9
        p90_wait_all_s=30 + 0.8 * (90 - 30),  # [15, 30, 90], h = 1.8
        aht_s=(280 + 400) / 2, talk_s=(200 + 300) / 2, hold_s=(20 + 0) / 2,
        wrap_s=(60 + 100) / 2, logging_share=2 / 2,
    ),
    P2: dict(
        offered=2, answered=1, abandoned=0, within_threshold=0,  # 90.001 s is late
        availability=1 / 2, abandon_share=0 / 2, service_level=0 / 2,
        asa_s=90.001, mean_wait_all_s=(90.001 + 120) / 2,
        p90_wait_s=90.001,
        p90_wait_all_s=90.001 + 0.9 * (120 - 90.001),  # [90.001, 120], h = 0.9
        aht_s=220.0, talk_s=150.0, hold_s=30.0, wrap_s=40.0, logging_share=0 / 1,
    ),
    P3: dict(
        offered=2, answered=1, abandoned=1, within_threshold=1,
        availability=1 / 2, abandon_share=1 / 2, service_level=1 / 2,
        asa_s=10.0, mean_wait_all_s=(10 + 200) / 2,
        p90_wait_s=10.0, p90_wait_all_s=10 + 0.9 * (200 - 10),
        aht_s=120.0, talk_s=100.0, hold_s=0.0, wrap_s=20.0, logging_share=1 / 1,
    ),
}

EXPECTED_DAY = {
    D1: dict(
        offered=5, answered=3, abandoned=1, within_threshold=2,
        availability=3 / 5, abandon_share=1 / 5, service_level=2 / 5,
        asa_s=(30 + 90 + 90.001) / 3, mean_wait_all_s=(30 + 90 + 15 + 90.001 + 120) / 5,
        p90_wait_s=90 + 0.8 * (90.001 - 90),  # [30, 90, 90.001], h = 1.8
        p90_wait_all_s=90.001 + 0.6 * (120 - 90.001),  # [15, 30, 90, 90.001, 120], h = 3.6
        aht_s=(280 + 400 + 220) / 3, talk_s=(200 + 300 + 150) / 3, hold_s=(20 + 0 + 30) / 3,
        wrap_s=(60 + 100 + 40) / 3, logging_share=2 / 3,
    ),
    D2: EXPECTED_30MIN[P3],
}

KPI_COLUMNS = ["period", *kpis.COUNT_COLUMNS, *kpis.CALL_KPI_COLUMNS]


@pytest.fixture
def calls() -> pd.DataFrame:
    return make_calls(EXAMPLE)


@pytest.fixture
def agents() -> pd.DataFrame:
    return make_agents(
        [
            ("2024-03-04 08:00", 1800.0, 1800.0, 900.0, 0.0),
            ("2024-03-04 08:15", 1800.0, 1700.0, 1000.0, 0.0),
            ("2024-03-04 08:30", 900.0, 900.0, 400.0, 0.0),
            ("2024-03-04 08:45", 900.0, 900.0, 200.0, 0.0),
            ("2024-03-04 17:00", 0.0, 300.0, 240.0, 300.0),  # overtime, no calls offered
            ("2024-03-05 09:00", 900.0, 900.0, 300.0, 0.0),
            ("2024-03-05 09:15", 900.0, 0.0, 0.0, 0.0),  # scheduled but absent
        ]
    )


# --------------------------------------------------------------------------------------------
# kpi_table
# --------------------------------------------------------------------------------------------


def test_interval_kpis_match_hand_computation(calls: pd.DataFrame) -> None:
    table = kpi_table(calls, "30min")
    assert list(table.columns) == KPI_COLUMNS
    assert list(table["period"]) == [P1, P2, P3]
    rows = by_period(table)
    for period, expected in EXPECTED_30MIN.items():
        assert_row(rows[period], expected)


def test_daily_kpis_match_hand_computation(calls: pd.DataFrame) -> None:
    table = kpi_table(calls, "D")
    assert list(table["period"]) == [D1, D2]
    rows = by_period(table)
    for period, expected in EXPECTED_DAY.items():
        assert_row(rows[period], expected)


def test_monthly_kpis_pool_all_calls(calls: pd.DataFrame) -> None:
    table = kpi_table(calls, "MS")
    assert list(table["period"]) == [pd.Timestamp("2024-03-01")]
    assert_row(
        table.iloc[0],
        dict(offered=7, answered=4, abandoned=2, within_threshold=3, availability=4 / 7,
             abandon_share=2 / 7, service_level=3 / 7, asa_s=(30 + 90 + 90.001 + 10) / 4,
             aht_s=(280 + 400 + 220 + 120) / 4, logging_share=3 / 4),
    )


def test_dtypes_and_tidy_index(calls: pd.DataFrame) -> None:
    table = kpi_table(calls, "15min")
    assert isinstance(table.index, pd.RangeIndex)
    assert table["period"].dtype == "datetime64[ns]"
    for column in kpis.COUNT_COLUMNS:
        assert table[column].dtype == "int64"
    for column in kpis.CALL_KPI_COLUMNS:
        assert table[column].dtype == "float64"
    assert table.attrs["threshold_s"] == 90.0


def test_fifteen_minute_periods(calls: pd.DataFrame) -> None:
    table = kpi_table(calls, "15min")
    assert list(table["period"]) == pd.to_datetime(
        ["2024-03-04 08:00", "2024-03-04 08:15", "2024-03-04 08:30", "2024-03-04 08:45",
         "2024-03-05 09:00"]
    ).tolist()
    assert list(table["offered"]) == [2, 1, 1, 1, 2]


def test_threshold_boundary_exactly_90_is_within() -> None:
    calls = make_calls(
        [
            dict(arrival=T0 + pd.Timedelta(minutes=1), fate="answered", wait=90.0),
            dict(arrival=T0 + pd.Timedelta(minutes=2), fate="answered", wait=90.001),
            dict(arrival=T0 + pd.Timedelta(minutes=3), fate="answered", wait=89.999),
        ]
    )
    row = kpi_table(calls, "D").iloc[0]
    assert row["within_threshold"] == 2
    assert row["service_level"] == 2 / 3
    # the threshold is a parameter
    assert kpi_table(calls, "D", threshold_s=90.001).iloc[0]["within_threshold"] == 3
    assert kpi_table(calls, "D", threshold_s=60.0).iloc[0]["within_threshold"] == 0


def test_abandoned_calls_count_in_service_level_denominator() -> None:
    calls = make_calls(
        [dict(arrival=T0 + pd.Timedelta(hours=8), fate="answered", wait=5.0)]
        + [
            dict(arrival=T0 + pd.Timedelta(hours=8, minutes=m), fate="abandoned", wait=2.0)
            for m in (1, 2, 3)  # short abandons: no exclusions
        ]
    )
    row = kpi_table(calls, "D").iloc[0]
    assert row["service_level"] == 1 / 4
    assert row["availability"] == 1 / 4
    assert row["abandon_share"] == 3 / 4
    assert row["asa_s"] == 5.0
    assert row["mean_wait_all_s"] == (5.0 + 3 * 2.0) / 4


def test_unknown_fates_do_not_break_counting() -> None:
    at = [T0 + pd.Timedelta(hours=9, minutes=m) for m in range(6)]
    calls = make_calls(
        [
            dict(arrival=at[0], fate="answered", wait=10, talk=100, logged=True),
            dict(arrival=at[1], fate="transferred_warm", answered=True, wait=20, talk=300,
                 logged=True),
            dict(arrival=at[2], fate="callback_requested", wait=30),
            dict(arrival=at[3], fate="callback_failed_to_case", wait=40),
            dict(arrival=at[4], fate="abandoned", wait=50),
            dict(arrival=at[5], fate="something_new", wait=60),
        ]
    )
    row = kpi_table(calls, "D").iloc[0]
    assert_row(
        row,
        dict(offered=6, answered=2, abandoned=1, within_threshold=2, availability=2 / 6,
             abandon_share=1 / 6, service_level=2 / 6, asa_s=15.0, aht_s=200.0,
             logging_share=1.0, mean_wait_all_s=35.0),
    )
    # availability is answered / offered, not 1 - abandon_share, once other fates exist
    assert row["availability"] != 1 - row["abandon_share"]


def test_categorical_and_object_fates() -> None:
    base = make_calls(EXAMPLE)
    for dtype in ("object", "category", "string"):
        calls = base.astype({"fate": dtype})
        table = kpi_table(calls, "30min")
        assert list(table["abandoned"]) == [1, 0, 1], dtype


def test_answer_time_wins_over_abandoned_label() -> None:
    calls = make_calls([dict(arrival=T0, fate="abandoned", answered=True, wait=5.0)])
    row = kpi_table(calls, "D").iloc[0]
    assert (row["offered"], row["answered"], row["abandoned"]) == (1, 1, 0)


def test_period_with_only_abandoned_calls() -> None:
    calls = make_calls(
        [
            dict(arrival=T0 + pd.Timedelta(hours=10), fate="abandoned", wait=40.0),
            dict(arrival=T0 + pd.Timedelta(hours=10, minutes=5), fate="abandoned", wait=80.0),
        ]
    )
    row = kpi_table(calls, "30min").iloc[0]
    assert_row(
        row,
        dict(offered=2, answered=0, abandoned=2, within_threshold=0, availability=0.0,
             abandon_share=1.0, service_level=0.0, asa_s=NAN, mean_wait_all_s=60.0,
             p90_wait_s=NAN, p90_wait_all_s=40 + 0.9 * 40, aht_s=NAN, talk_s=NAN, hold_s=NAN,
             wrap_s=NAN, logging_share=NAN),
    )


def test_empty_frame_gives_empty_table() -> None:
    empty = make_calls([])
    table = kpi_table(empty, "30min")
    assert table.empty
    assert list(table.columns) == KPI_COLUMNS
    with_agents = kpi_table(empty, "D", agents=make_agents([]))
    assert with_agents.empty
    assert list(with_agents.columns) == KPI_COLUMNS + list(kpis.AGENT_COLUMNS)
    assert judge(table).empty
    assert days_missed(empty).empty
    whole = summary(empty).set_index("kpi")
    assert whole.loc["offered", "value"] == 0
    assert math.isnan(whole.loc["service_level", "value"])
    assert whole["met"].isna().all()


def test_untyped_empty_frame_does_not_raise() -> None:
    frame = pd.DataFrame(columns=["arrival", "answered_at", "fate", "wait_s"])
    assert kpi_table(frame, "D").empty


def test_real_call_log_with_minimal_columns() -> None:
    """A telephony export: strings for times, object dtypes, no handle-time parts, no logging."""
    log = pd.DataFrame(
        {
            "arrival": ["2024-03-04 08:01:00", "2024-03-04 08:02:00", "2024-03-04 08:03:00"],
            "answered_at": ["2024-03-04 08:01:20", None, "2024-03-04 08:05:00"],
            "fate": ["answered", "abandoned", "answered"],
            "wait_s": ["20", "7", "120"],
            "handle_s": [300, None, 200],
        },
        dtype=object,
    )
    row = kpi_table(log, "D").iloc[0]
    assert_row(
        row,
        dict(offered=3, answered=2, abandoned=1, within_threshold=1, availability=2 / 3,
             service_level=1 / 3, asa_s=70.0, aht_s=250.0, talk_s=NAN, logging_share=NAN),
    )


def test_nat_arrival_is_left_out() -> None:
    calls = make_calls(EXAMPLE)
    calls.loc[0, "arrival"] = pd.NaT
    assert kpi_table(calls, "D")["offered"].sum() == len(EXAMPLE) - 1
    whole = summary(calls).set_index("kpi")["value"]
    assert whole["offered"] == len(EXAMPLE) - 1


def test_agents_aggregation_and_occupancy(calls: pd.DataFrame, agents: pd.DataFrame) -> None:
    table = kpi_table(calls, "30min", agents=agents)
    assert list(table.columns) == KPI_COLUMNS + list(kpis.AGENT_COLUMNS)
    rows = by_period(table)
    overtime_period = pd.Timestamp("2024-03-04 17:00")
    assert list(table["period"]) == [P1, P2, overtime_period, P3]
    assert_row(rows[P1], dict(staffed_s=3600.0, present_s=3500.0, busy_s=1900.0,
                              occupancy=1900 / 3500, overtime_s=0.0))
    assert_row(rows[P2], dict(staffed_s=1800.0, present_s=1800.0, busy_s=600.0,
                              occupancy=600 / 1800, overtime_s=0.0))
    assert_row(rows[P3], dict(staffed_s=1800.0, present_s=900.0, busy_s=300.0,
                              occupancy=300 / 900, overtime_s=0.0))
    # agent time but no calls: a row with zero counts and NaN ratios
    assert_row(rows[overtime_period], dict(offered=0, answered=0, availability=NAN,
                                           service_level=NAN, asa_s=NAN, present_s=300.0,
                                           busy_s=240.0, occupancy=0.8, overtime_s=300.0))
    # the call KPIs are unchanged by adding the agent log
    for period, expected in EXPECTED_30MIN.items():
        assert_row(rows[period], expected)


def test_agents_at_15min_absent_interval_has_nan_occupancy(
    calls: pd.DataFrame, agents: pd.DataFrame
) -> None:
    rows = by_period(kpi_table(calls, "15min", agents=agents))
    absent = rows[pd.Timestamp("2024-03-05 09:15")]
    assert absent["offered"] == 0
    assert absent["staffed_s"] == 900.0
    assert math.isnan(absent["occupancy"])


def test_agents_daily(calls: pd.DataFrame, agents: pd.DataFrame) -> None:
    rows = by_period(kpi_table(calls, "D", agents=agents))
    assert_row(rows[D1], dict(staffed_s=5400.0, present_s=5600.0, busy_s=2740.0,
                              occupancy=2740 / 5600, overtime_s=300.0))
    assert_row(rows[D2], dict(staffed_s=1800.0, present_s=900.0, busy_s=300.0,
                              occupancy=300 / 900, overtime_s=0.0))


def test_period_with_calls_but_no_agent_rows_gets_zero_agent_time(calls: pd.DataFrame) -> None:
    agents = make_agents([("2024-03-04 08:00", 900.0, 900.0, 450.0, 0.0)])
    rows = by_period(kpi_table(calls, "D", agents=agents))
    assert rows[D2]["present_s"] == 0.0
    assert math.isnan(rows[D2]["occupancy"])


def test_mixed_time_resolutions_join(calls: pd.DataFrame, agents: pd.DataFrame) -> None:
    coarse = agents.astype({"interval_start": "datetime64[s]"})
    pd.testing.assert_frame_equal(
        kpi_table(calls, "30min", agents=coarse), kpi_table(calls, "30min", agents=agents)
    )


def test_inputs_are_not_mutated(calls: pd.DataFrame, agents: pd.DataFrame) -> None:
    calls_before, agents_before = calls.copy(deep=True), agents.copy(deep=True)
    kpis_table = kpi_table(calls, "30min", agents=agents)
    kpis_before = kpis_table.copy(deep=True)
    judge(kpis_table)
    days_missed(calls, Targets(), agents=agents)
    summary(calls, agents=agents)
    pd.testing.assert_frame_equal(calls, calls_before)
    pd.testing.assert_frame_equal(agents, agents_before)
    pd.testing.assert_frame_equal(kpis_table, kpis_before)


def test_bad_inputs_raise_clear_errors(calls: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="missing column"):
        kpi_table(calls.drop(columns="wait_s"), "D")
    with pytest.raises(ValueError, match="unsupported freq"):
        kpi_table(calls, "ME")
    with pytest.raises(ValueError, match="threshold_s"):
        kpi_table(calls, "D", threshold_s=-1.0)


def test_period_start_calendar_frequencies() -> None:
    ts = pd.Series(pd.to_datetime(["2024-01-31 23:59", "2024-02-01 00:00", "2024-03-06 12:00"]))
    assert period_start(ts, "MS").tolist() == pd.to_datetime(
        ["2024-01-01", "2024-02-01", "2024-03-01"]
    ).tolist()
    assert period_start(ts, "W-MON").tolist() == pd.to_datetime(
        ["2024-01-29", "2024-01-29", "2024-03-04"]
    ).tolist()
    assert period_start(ts, "30min").tolist() == pd.to_datetime(
        ["2024-01-31 23:30", "2024-02-01 00:00", "2024-03-06 12:00"]
    ).tolist()


def test_library_does_not_print() -> None:
    assert "print(" not in inspect.getsource(kpis)


# --------------------------------------------------------------------------------------------
# Targets and judge
# --------------------------------------------------------------------------------------------


def test_targets_defaults_and_frozen() -> None:
    targets = Targets()
    assert (targets.availability_min, targets.service_level_min, targets.threshold_s) == (
        0.91, 0.90, 90.0)
    assert (targets.asa_max_s, targets.aht_max_s, targets.logging_min) == (90.0, 350.0, 0.90)
    with pytest.raises(dataclasses.FrozenInstanceError):
        targets.availability_min = 0.5  # type: ignore[misc]
    with pytest.raises(ValueError, match="availability_min"):
        Targets(availability_min=91.0)


BOUNDARY = pd.DataFrame(
    {
        #               exactly at target, just better,  no calls
        "availability": [0.91, 0.91 + 1e-9, NAN],
        "service_level": [0.90, 0.90 + 1e-9, NAN],
        "asa_s": [90.0, 90.0 - 1e-9, NAN],
        "aht_s": [350.0, 350.0 - 1e-9, NAN],
        "logging_share": [0.90, 0.90 + 1e-9, NAN],
    }
)


def test_judge_strict_inequalities_at_the_boundary() -> None:
    judged = judge(BOUNDARY, Targets())
    for column in kpis.MET_COLUMNS:
        assert judged[column].dtype == "boolean"
        assert judged[column][0] is not pd.NA and not judged[column][0], column
        assert judged[column][1] is not pd.NA and judged[column][1], column
        assert judged[column][2] is pd.NA, column


def test_availability_exactly_91_percent_from_counts_is_not_met() -> None:
    """91 of 100 answered: availability is exactly 0.91, not above it; SL 0.91 > 0.90 is met."""
    calls = make_calls(
        [
            dict(arrival=T0 + pd.Timedelta(hours=8, seconds=i),
                 fate="answered" if i < 91 else "abandoned", wait=1.0, talk=100.0, logged=True)
            for i in range(100)
        ]
    )
    judged = judge(kpi_table(calls, "D"), Targets()).iloc[0]
    assert judged["availability"] == 0.91 and judged["availability_met"] is np.False_
    assert judged["service_level"] == 0.91 and judged["service_level_met"] is np.True_
    assert judged["all_met"] is np.False_


def test_judge_all_met_three_valued() -> None:
    frame = pd.DataFrame(
        {
            "availability": [0.95, 0.0, 0.95],
            "service_level": [0.95, 0.0, 0.95],
            "asa_s": [10.0, NAN, 10.0],  # NaN: nobody answered
            "aht_s": [300.0, NAN, 400.0],
            "logging_share": [0.95, NAN, 0.95],
        }
    )
    judged = judge(frame)
    assert judged["all_met"].tolist() == [True, False, False]
    only_na = judge(frame.assign(availability=1.0, service_level=1.0).iloc[[1]])
    assert only_na["all_met"].iloc[0] is pd.NA


def test_judge_accepts_any_object_with_the_target_attributes() -> None:
    class Config:
        availability_min = 0.5
        service_level_min = 0.5
        threshold_s = 90.0
        asa_max_s = 100.0
        aht_max_s = 400.0
        logging_min = 0.5

    lenient = SimpleNamespace(**dataclasses.asdict(Targets()) | {"availability_min": 0.9})
    for targets in (Config(), lenient):
        judged = judge(BOUNDARY, targets)
        assert bool(judged["availability_met"][0]) is True


def test_judge_refuses_a_different_threshold(calls: pd.DataFrame) -> None:
    table = kpi_table(calls, "D", threshold_s=60.0)
    with pytest.raises(ValueError, match="threshold_s"):
        judge(table, Targets())
    assert judge(table, Targets(threshold_s=60.0))["all_met"].notna().all()


# --------------------------------------------------------------------------------------------
# days_missed and summary
# --------------------------------------------------------------------------------------------


def _day(date: str, n: int, *, abandoned: int = 0, wait: float = 10.0, talk: float = 300.0,
         logged: bool = True) -> list[dict[str, Any]]:
    start = pd.Timestamp(date) + pd.Timedelta(hours=9)
    return [
        dict(arrival=start + pd.Timedelta(minutes=i),
             fate="abandoned" if i < abandoned else "answered",
             wait=wait, talk=talk, logged=logged)
        for i in range(n)
    ]


def test_days_missed_counts_per_month() -> None:
    calls = make_calls(
        _day("2024-03-04", 10)  # all targets met
        + _day("2024-03-05", 10, talk=400.0)  # AHT 400 s: missed
        + _day("2024-03-06", 10, abandoned=1)  # availability = SL = 0.9: both missed
        + _day("2024-04-02", 10, logged=False)  # logging 0: missed
        + _day("2024-04-03", 3, abandoned=3)  # all abandoned: availability, SL missed; asa NaN
    )
    result = days_missed(calls, Targets())
    assert list(result["month"]) == pd.to_datetime(["2024-03-01", "2024-04-01"]).tolist()
    expected_counts = {
        "open_days": [3, 2],
        "availability_days_missed": [1, 1],
        "service_level_days_missed": [1, 1],
        "asa_days_missed": [0, 0],  # the all-abandoned day has no queue time to judge
        "aht_days_missed": [1, 0],
        "logging_days_missed": [0, 1],
        "all_days_missed": [2, 2],
    }
    for column, values in expected_counts.items():
        assert result[column].tolist() == values, column
        assert result[column].dtype == "int64"
    march = result.iloc[0]
    assert march["offered"] == 30 and march["answered"] == 29
    assert march["aht_s"] == (19 * 300 + 10 * 400) / 29
    assert march["availability"] == 29 / 30 and bool(march["availability_met"]) is True


def test_month_verdict_pools_calls_not_daily_means() -> None:
    # Day A: one call answered after 120 s -> daily SL 0.0 (missed).
    # Day B: 19 calls answered within 10 s -> daily SL 1.0 (met).
    # Mean of daily SL = 0.5 (would miss); pooled SL = 19 / 20 = 0.95 (met).
    calls = make_calls(_day("2024-03-04", 1, wait=120.0) + _day("2024-03-05", 19))
    daily = kpi_table(calls, "D")
    assert daily["service_level"].mean() == 0.5
    month = days_missed(calls, Targets()).iloc[0]
    assert month["service_level"] == 19 / 20
    assert bool(month["service_level_met"]) is True
    assert month["service_level_days_missed"] == 1
    assert month["open_days"] == 2
    # the queue-time mean is pooled too: (120 + 19 * 10) / 20, not (120 + 10) / 2
    assert month["asa_s"] == (120 + 19 * 10) / 20


def test_days_missed_with_agents_and_custom_targets(
    calls: pd.DataFrame, agents: pd.DataFrame
) -> None:
    result = days_missed(calls, Targets(threshold_s=95.0), agents=agents)
    month = result.iloc[0]
    assert month["within_threshold"] == 4  # 90.001 s is within 95 s
    assert month["overtime_s"] == 300.0
    assert month["open_days"] == 2


def test_summary_whole_run(calls: pd.DataFrame, agents: pd.DataFrame) -> None:
    table = summary(calls, agents=agents)
    assert list(table.columns) == ["kpi", "value", "target", "met"]
    assert table["kpi"].tolist() == [
        *kpis.COUNT_COLUMNS, *kpis.CALL_KPI_COLUMNS, *kpis.AGENT_COLUMNS
    ]
    by_kpi = table.set_index("kpi")
    assert by_kpi.loc["offered", "value"] == 7
    assert by_kpi.loc["availability", "value"] == 4 / 7
    assert by_kpi.loc["availability", "target"] == "> 91 %"  # in per cent, like the value beside it
    assert bool(by_kpi.loc["availability", "met"]) is False
    assert by_kpi.loc["asa_s", "target"] == "< 90 s"
    assert bool(by_kpi.loc["aht_s", "met"]) is True  # 1020 / 4 = 255 s
    assert by_kpi.loc["occupancy", "value"] == (1900 + 600 + 240 + 300) / (3500 + 1800 + 300 + 900)
    assert pd.isna(by_kpi.loc["offered", "target"]) and pd.isna(by_kpi.loc["offered", "met"])
    assert "occupancy" not in summary(calls)["kpi"].tolist()


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

FATES = ["answered", "abandoned", "callback_requested", "transferred_warm", "other"]

call_strategy = st.fixed_dictionaries(
    {
        "offset_s": st.integers(min_value=0, max_value=40 * 86_400),
        "fate": st.sampled_from(FATES),
        "answered": st.booleans(),  # used for fates other than answered/abandoned
        "wait": st.one_of(st.just(90.0), st.floats(min_value=0.0, max_value=900.0)),
        "talk": st.floats(min_value=0.0, max_value=1200.0),
        "logged": st.booleans(),
    }
)


def _records(specs: list[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for spec in specs:
        fate = spec["fate"]
        answered = {"answered": True, "abandoned": False}.get(fate, spec["answered"])
        rows.append(
            dict(arrival=pd.Timestamp("2024-03-01") + pd.Timedelta(seconds=spec["offset_s"]),
                 fate=fate, answered=answered, wait=spec["wait"], talk=spec["talk"],
                 logged=spec["logged"])
        )
    rows.sort(key=lambda r: r["arrival"])
    return make_calls(rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(call_strategy, max_size=40))
def test_kpi_invariants(specs: list[dict[str, Any]]) -> None:
    calls = _records(specs)
    before = calls.copy(deep=True)
    tables = {freq: kpi_table(calls, freq) for freq in ("15min", "30min", "D", "MS")}
    pd.testing.assert_frame_equal(calls, before)

    for freq, table in tables.items():
        assert (table["offered"] > 0).all(), freq
        availability, service_level = table["availability"], table["service_level"]
        assert availability.between(0.0, 1.0).all(), freq
        assert service_level.between(0.0, 1.0).all(), freq
        assert (service_level <= availability).all(), freq
        assert (table["answered"] + table["abandoned"] <= table["offered"]).all(), freq
        assert int(table["offered"].sum()) == len(calls), freq
        assert (table["period"].diff().dropna() > pd.Timedelta(0)).all(), freq

    daily = tables["D"].set_index("period")
    for freq in ("15min", "30min"):
        by_day = tables[freq].groupby(tables[freq]["period"].dt.normalize())
        for column in kpis.COUNT_COLUMNS:
            pd.testing.assert_series_equal(
                by_day[column].sum(), daily[column], check_names=False, check_index_type=False,
                check_freq=False,
            )
    monthly = tables["MS"].set_index("period")
    by_month = daily.groupby(period_start(daily.index.to_series(), "MS"))["offered"].sum()
    assert by_month.tolist() == monthly["offered"].tolist()

    whole = summary(calls).set_index("kpi")["value"]
    assert whole["offered"] == len(calls)
    if len(calls):
        assert whole["service_level"] <= whole["availability"]


def test_aht_from_the_parts_when_a_call_log_has_no_handle_s(caplog: pytest.LogCaptureFixture) -> None:
    """A real call log with talk/hold/wrap but no handle_s: AHT is their sum, not NaN."""
    import sim

    calls = sim.simulate(sim.load_scenario("tiny"), seed=3).calls
    full = kpi_table(calls, "D")
    parts = kpi_table(calls.drop(columns="handle_s"), "D")
    np.testing.assert_allclose(parts["aht_s"], full["aht_s"])
    with caplog.at_level("WARNING", logger="sim.analysis.kpis"):
        talk_only = kpi_table(calls.drop(columns=["handle_s", "hold_s", "wrap_s"]), "D")
    assert "sum of talk_s (no hold_s, wrap_s)" in caplog.text
    assert (talk_only["aht_s"] < full["aht_s"]).all()

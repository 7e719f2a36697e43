"""Closing at 24:00: the schema's end-of-day clock, day plans, the opening-hours frame, the
staffing schedule and open periods through midnight, and working hours on 24-hour days."""

from __future__ import annotations

import datetime as dt
import pickle
from functools import lru_cache

import pandas as pd
import pytest

from sim.errors import ScenarioError
from sim.scenario.compose import load_scenario
from sim.schema import END_OF_DAY, WEEKDAYS, CalendarConfig, ClosureConfig, HoursConfig, Scenario, ShiftConfig, clock, hhmm, minutes
from sim.world.calendar import day_plans, opening_hours
from sim.world.demand import open_periods
from sim.world.staffing import build_schedule
from sim.world.workhours import add_working_time, working_hours_between
from tests.helpers import ALL_DAY, ROOT, refusal

FLAT_48 = "demand.profile={all: [" + ", ".join(["1"] * 48) + "]}"


@lru_cache(maxsize=16)
def scen(*overrides: str) -> Scenario:
    return load_scenario(overrides=list(overrides), config_dir=ROOT / "scenarios")


def all_day(*days: str) -> list[str]:
    return [f"calendar.hours.{d}={ALL_DAY}" for d in days]


def round_the_clock(*overrides: str) -> Scenario:
    """Every day 00:00-24:00, a flat 48-interval profile, 10 agents on every interval."""
    return scen(*all_day(*WEEKDAYS), FLAT_48, "demand.profile_start='00:00'", "staffing=flat", "staffing.agents=10", *overrides)


def calendar(**hours: dict[str, str] | None) -> CalendarConfig:
    raw = scen().calendar.model_dump(mode="json")
    raw["hours"].update(hours)
    return CalendarConfig.model_validate(raw)


# --------------------------------------------------------------------------- the schema's clock


def test_closes_2400_is_the_end_of_day() -> None:
    h = HoursConfig(opens="00:00", closes="24:00")
    assert h.closes is END_OF_DAY and h.closes == dt.time.max
    assert minutes(h.closes) == 1440 and minutes(h.opens) == 0
    assert f"{h.closes:%H:%M}" == "24:00" and hhmm(h.closes) == "24:00" and hhmm(1440) == "24:00"
    assert str(h.closes) == "24:00:00" and h.closes.isoformat(timespec="minutes") == "24:00"
    assert all(dt.time(hh, mm) < END_OF_DAY for hh in range(24) for mm in (0, 59))
    assert clock(1440) is END_OF_DAY and clock(0) == dt.time(0, 0) and clock(17 * 60 + 30) == dt.time(17, 30)
    with pytest.raises(ValueError, match="0..1440"):
        clock(1441)


def test_end_of_day_survives_json_python_and_pickle_round_trips() -> None:
    h = HoursConfig(opens="08:00", closes="24:00")
    assert h.model_dump(mode="json") == {"opens": "08:00:00", "closes": "24:00:00"}
    assert HoursConfig(opens="08:00", closes="17:00").model_dump(mode="json") == {"opens": "08:00:00", "closes": "17:00:00"}
    for again in (HoursConfig.model_validate(h.model_dump(mode="json")), HoursConfig.model_validate(h.model_dump()),
                  HoursConfig.model_validate_json(h.model_dump_json()), pickle.loads(pickle.dumps(h))):
        assert again == h and type(again.closes) is type(END_OF_DAY)
        assert f"{again.closes:%H:%M}" == "24:00"
    # a plain dt.time.max (Python API) means the same
    assert HoursConfig(opens=dt.time(8), closes=dt.time.max).closes is END_OF_DAY
    assert HoursConfig(opens="08:00", closes="24:00:00").closes is END_OF_DAY


def test_a_whole_scenario_round_trips_through_json() -> None:
    s = round_the_clock()
    again = Scenario.model_validate(s.model_dump(mode="json"))
    assert again == s and again.calendar.hours_of(0).closes is END_OF_DAY  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("calendar.hours.mon={opens: '24:00', closes: '24:00'}", "calendar.hours.mon.opens"),
        ("calendar.early_close='24:00'", "calendar.early_close"),
        ("demand.profile_start='24:00'", "demand.profile_start"),
        ("calendar.closures=[{start: '2026-12-08', from_time: '24:00', to_time: '24:00'}]", "calendar.closures[0].from_time"),
        ("roster.start_latest='24:00'", "roster.start_latest"),
    ],
)
def test_2400_is_refused_as_an_opening_or_start(override: str, key: str) -> None:
    refusal(lambda: scen(override), f"{key}: 24:00 (the end of the day) is allowed only as a closing time")


def test_2400_is_refused_as_a_shift_start() -> None:
    with pytest.raises(ValueError, match="allowed only as a closing time"):
        ShiftConfig(start="24:00", end="24:00", count=1)
    assert ShiftConfig(start="16:00", end="24:00", count=1).end is END_OF_DAY


@pytest.mark.parametrize("text", ["24:30", "24:01", "25:00"])
def test_only_2400_is_allowed_after_2359(text: str) -> None:
    with pytest.raises(ScenarioError, match=r"calendar\.hours\.mon\.closes: "):
        scen(f"calendar.hours.mon={{opens: '08:00', closes: '{text}'}}", "staffing=flat")


def test_unquoted_2400_is_refused_as_the_number_1440() -> None:
    with pytest.raises(ScenarioError, match="got the number 1440"):
        scen("calendar.hours.mon={opens: '08:00', closes: 1440}")


def test_profile_must_cover_to_midnight() -> None:
    # the default profile covers 08:00-17:00 only
    with pytest.raises(ScenarioError, match=r"calendar\.hours\.mon is open 08:00-24:00; it must cover"):
        scen("calendar.hours.mon={opens: '08:00', closes: '24:00'}", "staffing=flat")
    s = scen("calendar.hours.mon={opens: '08:00', closes: '24:00'}", "staffing=flat", FLAT_48, "demand.profile_start='00:00'")
    assert minutes(s.calendar.hours_of(0).closes) == 1440  # type: ignore[union-attr]


def test_staffing_table_needs_one_value_per_interval_to_midnight() -> None:
    base = (*all_day("mon"), FLAT_48, "demand.profile_start='00:00'", "staffing.mode=table", "staffing.agents=null")
    with pytest.raises(ScenarioError, match=r"needs exactly 48 values .* of 00:00-24:00 on mon\), got 3"):
        scen(*base, "staffing.table_file=null", "+staffing.table={all: [1, 2, 3]}")
    nine_hours, whole_day = "[" + ", ".join(["2"] * 18) + "]", "[" + ", ".join(["3"] * 48) + "]"
    s = scen(*base, "staffing.table_file=null", f"+staffing.table={{all: {nine_hours}, mon: {whole_day}}}")
    assert len(s.staffing.table["mon"]) == 48  # type: ignore[index]


# --------------------------------------------------------------------------- day plans and the frame


def test_opening_hours_frame_closes_at_the_next_midnight() -> None:
    f = opening_hours(calendar(mon={"opens": "00:00", "closes": "24:00"}, tue={"opens": "08:00", "closes": "24:00"}),
                      "2026-12-07", "2026-12-09")
    assert f["closes"].tolist()[:2] == [pd.Timestamp("2026-12-08 00:00"), pd.Timestamp("2026-12-09 00:00")]
    assert f["opens"].tolist()[:2] == [pd.Timestamp("2026-12-07 00:00"), pd.Timestamp("2026-12-08 08:00")]
    assert f["open_h"].tolist() == [24.0, 16.0, 9.0]
    assert f["reason"].tolist() == ["open", "open", "open"]


def test_the_1500_rule_closes_a_24_hour_day_at_1500() -> None:
    cal = calendar(**{d: {"opens": "00:00", "closes": "24:00"} for d in WEEKDAYS})
    f = opening_hours(cal, "2026-12-22", "2026-12-27").set_index("date")
    assert f.loc["2026-12-22", "closes"] == pd.Timestamp("2026-12-23 00:00")
    assert f.loc["2026-12-23", "opens"] == pd.Timestamp("2026-12-23 00:00")
    assert f.loc["2026-12-23", "closes"] == pd.Timestamp("2026-12-23 15:00")
    assert f.loc["2026-12-23", "reason"] == "day before Julafton"
    assert f.loc["2026-12-23", "open_h"] == 15.0
    assert f.loc["2026-12-24":"2026-12-26", "open_h"].tolist() == [0.0, 0.0, 0.0]  # Julafton, Juldagen, Annandag jul
    assert f.loc["2026-12-27", "open_h"] == 24.0  # a Sunday, open round the clock
    plan = day_plans(cal, dt.date(2026, 12, 23), dt.date(2026, 12, 23))[0]
    assert plan.regular_closes is END_OF_DAY and plan.closes == dt.time(15, 0)


def test_a_closure_to_2400_shortens_the_day() -> None:
    raw = calendar(mon={"opens": "00:00", "closes": "24:00"}).model_dump(mode="json")
    raw["closures"] = [{"start": "2026-12-07", "from_time": "12:00", "to_time": "24:00", "reason": "kick-off"},
                       {"start": "2026-12-08", "from_time": "12:00", "to_time": "24:00", "reason": "training"}]
    cal = CalendarConfig.model_validate(raw)
    assert cal.closures[0].to_time is END_OF_DAY
    f = opening_hours(cal, "2026-12-07", "2026-12-08").set_index("date")
    assert f.loc["2026-12-07", "closes"] == pd.Timestamp("2026-12-07 12:00")
    assert f.loc["2026-12-07", "reason"] == "kick-off 12:00-24:00"
    # Tuesday is 08:00-17:00: a closure from 12:00 to the end of the day ends it at 12:00 too
    assert f.loc["2026-12-08", "closes"] == pd.Timestamp("2026-12-08 12:00")
    whole = ClosureConfig(start=dt.date(2026, 12, 7), from_time="00:00", to_time="24:00")
    cal2 = cal.model_copy(update={"closures": [whole]})
    assert opening_hours(cal2, "2026-12-07", "2026-12-07")["open_h"].tolist() == [0.0]


# --------------------------------------------------------------------------- schedule and open periods


def test_round_the_clock_schedule_has_no_closing_at_midnight() -> None:
    s = round_the_clock("run.start=2026-12-07", "run.end=2026-12-09")
    plans = day_plans(s.calendar, s.run.start, s.run.end)
    sch = build_schedule(s, plans)
    assert (~sch.open_).sum() == 1 and sch.times[~sch.open_].tolist() == [3 * 86400.0]
    assert sch.times.tolist() == [0.0, 86400.0, 2 * 86400.0, 3 * 86400.0]
    assert sch.counts.tolist() == [10, 10, 10, 0]
    opens, closes = open_periods(plans)
    assert opens.tolist() == [0.0] and closes.tolist() == [3 * 86400.0]


def test_mixed_week_schedule_closes_where_the_line_closes() -> None:
    evenings = [f"calendar.hours.{d}={{opens: '08:00', closes: '24:00'}}" for d in WEEKDAYS[:5]]
    s = scen(*evenings, f"calendar.hours.sun={ALL_DAY}", FLAT_48, "demand.profile_start='00:00'", "staffing=flat",
             "run.start=2026-12-04", "run.end=2026-12-08")
    plans = day_plans(s.calendar, s.run.start, s.run.end)  # Fri, Sat (closed), Sun 00-24, Mon 08-24, Tue
    opens, closes = open_periods(plans)
    h = 3600.0
    assert opens.tolist() == [8 * h, 48 * h, 80 * h, 104 * h]
    assert closes.tolist() == [24 * h, 72 * h, 96 * h, 120 * h]
    sch = build_schedule(s, plans)
    assert sch.times[~sch.open_].tolist() == closes.tolist()


def test_shifts_to_2400_hand_over_to_shifts_from_0000() -> None:
    shifts = ("staffing.mode=shifts", "staffing.agents=null", "+staffing.shifts=[]",
              "staffing.shifts=[{start: '00:00', end: '08:00', count: 2, days: [mon, tue, wed, thu, fri, sat, sun]}, "
              "{start: '08:00', end: '16:00', count: 6, days: [mon, tue, wed, thu, fri, sat, sun]}, "
              "{start: '16:00', end: '24:00', count: 4, days: [mon, tue, wed, thu, fri, sat, sun]}]")
    s = scen(*all_day(*WEEKDAYS), FLAT_48, "demand.profile_start='00:00'", "staffing=flat", *shifts,
             "run.start=2026-12-07", "run.end=2026-12-08")
    sch = build_schedule(s, day_plans(s.calendar, s.run.start, s.run.end))
    h = 3600.0
    assert sch.times.tolist() == [0, 8 * h, 16 * h, 24 * h, 32 * h, 40 * h, 48 * h]
    assert sch.counts.tolist() == [2, 6, 4, 2, 6, 4, 0]
    assert sch.open_.tolist() == [True] * 6 + [False]


# --------------------------------------------------------------------------- working hours


def test_working_hours_run_through_midnight() -> None:
    cal = calendar(**{d: {"opens": "00:00", "closes": "24:00"} for d in WEEKDAYS})
    assert add_working_time(cal, "2026-12-07 22:00", 4) == pd.Timestamp("2026-12-08 02:00")
    assert add_working_time(cal, "2026-12-07 20:00", 4) == pd.Timestamp("2026-12-08 00:00")
    assert add_working_time(cal, "2026-12-07 22:00", 48) == pd.Timestamp("2026-12-09 22:00")
    assert working_hours_between(cal, "2026-12-07 22:00", "2026-12-08 03:30") == pytest.approx(5.5)
    # the 15:00 rule closes only the phones by default; the whole office with scope office
    assert add_working_time(cal, "2026-12-23 14:00", 4) == pd.Timestamp("2026-12-23 18:00")
    assert add_working_time(cal, "2026-12-23 14:00", 4, early_close_scope="office") == pd.Timestamp("2026-12-27 03:00")


def test_working_hours_of_a_mixed_week() -> None:
    cal = calendar(**{d: {"opens": "08:00", "closes": "24:00"} for d in WEEKDAYS[:5]}, sat=None, sun=None)
    # Friday 22:00 + 4 h: two hours on Friday, two from Monday 08:00
    assert add_working_time(cal, "2026-12-04 22:00", 4) == pd.Timestamp("2026-12-07 10:00")
    assert add_working_time(cal, "2026-12-07 22:00", 2) == pd.Timestamp("2026-12-08 00:00")  # due at the closing
    assert working_hours_between(cal, "2026-12-07 20:00", "2026-12-08 09:00") == pytest.approx(5.0)

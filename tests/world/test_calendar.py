"""Opening hours: Swedish public holidays, closed eves, the 15:00 rule and closure windows."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import holidays
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import ScenarioError
from sim.scenario.compose import load_scenario
from sim.schema import CalendarConfig, Scenario
from sim.world.calendar import day_plans, opening_hours

ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=16)
def _load(*overrides: str) -> Scenario:
    return load_scenario(overrides=list(overrides), config_dir=ROOT / "scenarios")


def hours(start: str, end: str, *overrides: str) -> pd.DataFrame:
    return opening_hours(_load(*overrides), start, end).set_index("date")


def day(frame: pd.DataFrame, date: str) -> pd.Series:
    return frame.loc[pd.Timestamp(date)]


def closes_at(frame: pd.DataFrame, date: str) -> str | None:
    c = day(frame, date)["closes"]
    return None if pd.isna(c) else f"{c:%H:%M}"


def opens_at(frame: pd.DataFrame, date: str) -> str | None:
    o = day(frame, date)["opens"]
    return None if pd.isna(o) else f"{o:%H:%M}"


def with_calendar(**changes: Any) -> CalendarConfig:
    raw = _load().calendar.model_dump(mode="json")
    raw.update(changes)
    return CalendarConfig.model_validate(raw)


# --------------------------------------------------------------------------- the Swedish calendar


def test_frame_columns_and_types() -> None:
    f = opening_hours(_load(), "2026-12-21", "2026-12-27")
    assert list(f.columns) == ["date", "weekday", "opens", "closes", "reason", "open_h"]
    assert len(f) == 7
    assert f["weekday"].tolist() == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert f.loc[0, "open_h"] == pytest.approx(9.0)
    assert f.loc[2, "open_h"] == pytest.approx(7.0)  # 2026-12-23 closes 15:00
    assert f.loc[3, "open_h"] == 0.0


def test_defaults_to_the_run_dates() -> None:
    s = _load()
    f = opening_hours(s)
    assert f["date"].iloc[0] == pd.Timestamp(s.run.start) and f["date"].iloc[-1] == pd.Timestamp(s.run.end)


def test_day_before_good_friday_closes_at_15() -> None:
    f = hours("2026-04-01", "2026-04-07")
    assert closes_at(f, "2026-04-01") == "17:00" and day(f, "2026-04-01")["reason"] == "open"
    assert opens_at(f, "2026-04-02") == "08:00"
    assert closes_at(f, "2026-04-02") == "15:00"
    assert day(f, "2026-04-02")["reason"] == "day before Långfredagen"
    assert closes_at(f, "2026-04-03") is None and day(f, "2026-04-03")["reason"] == "Långfredagen"
    assert day(f, "2026-04-04")["reason"] == "weekend"  # Påskafton is not a closed eve
    assert closes_at(f, "2026-04-06") is None and day(f, "2026-04-06")["reason"] == "Annandag påsk"
    assert closes_at(f, "2026-04-07") == "17:00"


def test_christmas_2026() -> None:
    f = hours("2026-12-21", "2026-12-31")
    assert closes_at(f, "2026-12-22") == "17:00"
    assert closes_at(f, "2026-12-23") == "15:00" and day(f, "2026-12-23")["reason"] == "day before Julafton"
    assert closes_at(f, "2026-12-24") is None and day(f, "2026-12-24")["reason"] == "Julafton"
    assert closes_at(f, "2026-12-25") is None and day(f, "2026-12-25")["reason"] == "Juldagen"
    assert closes_at(f, "2026-12-26") is None and day(f, "2026-12-26")["reason"] == "Annandag jul"
    assert day(f, "2026-12-27")["reason"] == "weekend"
    assert closes_at(f, "2026-12-30") == "15:00" and day(f, "2026-12-30")["reason"] == "day before Nyårsafton"
    assert closes_at(f, "2026-12-31") is None and day(f, "2026-12-31")["reason"] == "Nyårsafton"


def test_across_the_year_end() -> None:
    f = hours("2026-12-28", "2027-01-08")
    assert len(f) == 12
    assert closes_at(f, "2026-12-28") == "17:00" and closes_at(f, "2026-12-29") == "17:00"
    assert closes_at(f, "2027-01-01") is None and day(f, "2027-01-01")["reason"] == "Nyårsdagen"
    assert day(f, "2027-01-02")["reason"] == "weekend" and day(f, "2027-01-03")["reason"] == "weekend"
    assert closes_at(f, "2027-01-04") == "17:00"
    assert closes_at(f, "2027-01-05") == "15:00" and day(f, "2027-01-05")["reason"] == "day before Trettondedag jul"
    assert closes_at(f, "2027-01-06") is None and day(f, "2027-01-06")["reason"] == "Trettondedag jul"
    assert closes_at(f, "2027-01-07") == "17:00"


def test_range_ending_on_new_years_eve_sees_next_years_holidays() -> None:
    # 2027-12-31 is Nyårsafton (closed); the rule on 2027-12-30 needs it, and a range ending
    # on 2026-12-31 must still know that 2027-01-01 is a holiday.
    f = hours("2026-12-31", "2026-12-31")
    assert day(f, "2026-12-31")["reason"] == "Nyårsafton"
    f = hours("2027-12-30", "2027-12-30")
    assert closes_at(f, "2027-12-30") == "15:00"


def test_midsummer() -> None:
    f = hours("2026-06-17", "2026-06-22")
    assert closes_at(f, "2026-06-17") == "17:00"
    assert closes_at(f, "2026-06-18") == "15:00" and day(f, "2026-06-18")["reason"] == "day before Midsommarafton"
    assert closes_at(f, "2026-06-19") is None and day(f, "2026-06-19")["reason"] == "Midsommarafton"
    assert day(f, "2026-06-20")["reason"] == "Midsommardagen"
    assert closes_at(f, "2026-06-22") == "17:00"


def test_holiday_on_a_saturday_closes_friday_at_15() -> None:
    # The rule is per calendar day ("dag före röd dag"): Alla helgons dag is Saturday
    # 2026-10-31, so Friday 2026-10-30 is the day before a red day.
    f = hours("2026-10-29", "2026-11-02")
    assert closes_at(f, "2026-10-29") == "17:00"
    assert closes_at(f, "2026-10-30") == "15:00" and day(f, "2026-10-30")["reason"] == "day before Alla helgons dag"
    assert day(f, "2026-10-31")["reason"] == "Alla helgons dag"
    assert closes_at(f, "2026-11-02") == "17:00"
    # the same for Sveriges nationaldag, Saturday 2026-06-06
    f = hours("2026-06-05", "2026-06-06")
    assert closes_at(f, "2026-06-05") == "15:00"


def test_holiday_on_a_monday_does_not_shorten_the_friday() -> None:
    # Per calendar day: the day before Monday 2025-01-06 (Trettondedag jul) is a Sunday, so
    # Friday 2025-01-03 keeps its regular hours.
    f = hours("2025-01-03", "2025-01-06")
    assert closes_at(f, "2025-01-03") == "17:00" and day(f, "2025-01-03")["reason"] == "open"
    assert closes_at(f, "2025-01-06") is None


def test_ascension_day_and_may_day() -> None:
    f = hours("2026-04-30", "2026-05-15")
    assert closes_at(f, "2026-04-30") == "15:00" and day(f, "2026-04-30")["reason"] == "day before Första maj"
    assert closes_at(f, "2026-05-13") == "15:00"
    assert day(f, "2026-05-14")["reason"] == "Kristi himmelsfärdsdag"
    assert closes_at(f, "2026-05-15") == "17:00"


def test_sundays_are_never_holidays() -> None:
    # Open every day of the week: an ordinary Sunday must be an ordinary open day, and the
    # Saturday before it must not close at 15:00.
    weekend = ("calendar.hours.sat={opens: '08:00', closes: '17:00'}", "calendar.hours.sun={opens: '08:00', closes: '17:00'}")
    s = _load("staffing=flat", *weekend)
    f = opening_hours(s, "2026-01-01", "2026-12-31").set_index("date")
    sundays = f[f.index.day_of_week == 6]
    assert "Söndag" not in set(f["reason"])
    plain = sundays[sundays["reason"] == "open"]
    assert len(plain) >= 45  # all but the Sundays that are holidays (Påskdagen, Pingstdagen...)
    assert (plain["closes"].dt.strftime("%H:%M") == "17:00").all()
    saturdays_before_plain_sundays = f.loc[plain.index - pd.Timedelta(days=1)]
    regular = saturdays_before_plain_sundays[saturdays_before_plain_sundays["reason"] == "open"]
    assert len(regular) >= 40 and (regular["closes"].dt.strftime("%H:%M") == "17:00").all()
    # A Sunday that is a public holiday is closed and shortens the Saturday
    assert day(f, "2026-04-05")["reason"] == "Påskdagen" and closes_at(f, "2026-04-05") is None
    assert closes_at(f, "2026-04-04") == "15:00"


def test_weekends_are_closed_with_reason_weekend() -> None:
    f = hours("2026-03-01", "2026-03-31")
    weekend = f[f.index.day_of_week >= 5]
    assert len(weekend) == 9
    assert (weekend["reason"] == "weekend").all() and weekend["opens"].isna().all()
    assert (weekend["open_h"] == 0).all()


def test_english_names() -> None:
    f = hours("2026-12-23", "2027-01-01", "calendar.language=en_US")
    assert day(f, "2026-12-24")["reason"] == "Christmas Eve"
    assert day(f, "2026-12-25")["reason"] == "Christmas Day"
    assert day(f, "2026-12-23")["reason"] == "day before Christmas Eve"
    assert day(f, "2026-12-31")["reason"] == "New Year's Eve"
    assert day(f, "2027-01-01")["reason"] == "New Year's Day"
    # the same days close, whatever the language
    sv = hours("2026-12-23", "2027-01-01")
    assert f["closes"].equals(sv["closes"])


# --------------------------------------------------------------------------- configurability


def test_julafton_open_when_not_a_closed_eve() -> None:
    f = hours("2026-12-22", "2026-12-31", "calendar.closed_eves=[]")
    # Julafton is not closed, so 12-23 is not the day before a closed day: regular hours
    assert closes_at(f, "2026-12-23") == "17:00" and day(f, "2026-12-23")["reason"] == "open"
    # Julafton itself is open, and closes at 15:00 because Juldagen follows
    assert opens_at(f, "2026-12-24") == "08:00"
    assert closes_at(f, "2026-12-24") == "15:00" and day(f, "2026-12-24")["reason"] == "day before Juldagen"
    assert closes_at(f, "2026-12-25") is None
    # Nyårsafton: open, closing 15:00 before Nyårsdagen; 12-30 keeps regular hours
    assert closes_at(f, "2026-12-30") == "17:00"
    assert closes_at(f, "2026-12-31") == "15:00" and day(f, "2026-12-31")["reason"] == "day before Nyårsdagen"


def test_only_some_eves_closed() -> None:
    f = hours("2026-06-18", "2026-12-31", "calendar.closed_eves=[Julafton]")
    # Midsommarafton is open, and closes at 15:00: Midsommardagen (Saturday) is a red day
    assert closes_at(f, "2026-06-19") == "15:00" and day(f, "2026-06-19")["reason"] == "day before Midsommardagen"
    assert closes_at(f, "2026-06-18") == "17:00"
    assert closes_at(f, "2026-12-24") is None
    assert closes_at(f, "2026-12-31") == "15:00"  # open, before Nyårsdagen


def test_early_close_null_disables_the_rule() -> None:
    f = hours("2026-12-01", "2026-12-31", "calendar.early_close=null")
    is_open = f["closes"].notna()
    assert (f.loc[is_open, "closes"].dt.strftime("%H:%M") == "17:00").all()
    assert not f["reason"].str.startswith("day before").any()
    assert closes_at(f, "2026-12-24") is None  # the eves stay closed


def test_early_close_time_is_configurable() -> None:
    f = hours("2026-12-23", "2026-12-23", "calendar.early_close=13:00")
    assert closes_at(f, "2026-12-23") == "13:00"


def test_early_close_only_before_public_holidays() -> None:
    f = hours("2026-06-18", "2026-12-31", "calendar.early_close_before=[public_holidays]")
    # the eves stay closed but no longer shorten the day before them
    assert closes_at(f, "2026-06-18") == "17:00" and closes_at(f, "2026-06-19") is None
    assert closes_at(f, "2026-12-23") == "17:00" and closes_at(f, "2026-12-24") is None
    assert closes_at(f, "2026-12-30") == "17:00"
    # public holidays still do
    assert closes_at(f, "2026-10-30") == "15:00"


def test_early_close_only_before_closed_eves() -> None:
    f = hours("2026-04-02", "2026-12-31", "calendar.early_close_before=[closed_eves]")
    assert closes_at(f, "2026-04-02") == "17:00"  # before Långfredagen: not any more
    assert closes_at(f, "2026-12-23") == "15:00"


def test_opening_hours_per_weekday() -> None:
    # Constant staffing: the default's staffing table is anchored at the regular 08:00-17:00
    # hours (its own anchoring rules are tested in test_config.py).
    f = hours("2026-03-02", "2026-03-06", "staffing=flat", "calendar.hours.wed.opens=09:00", "calendar.hours.fri.closes=16:00")
    assert opens_at(f, "2026-03-04") == "09:00" and closes_at(f, "2026-03-04") == "17:00"
    assert closes_at(f, "2026-03-06") == "16:00"
    assert day(f, "2026-03-06")["open_h"] == pytest.approx(8.0)


def test_closed_weekday() -> None:
    f = hours("2026-03-02", "2026-03-06", "calendar.hours.wed=null")
    assert closes_at(f, "2026-03-04") is None and day(f, "2026-03-04")["reason"] == "closed weekday"


# --------------------------------------------------------------------------- closure windows


def closures(*items: dict[str, Any], **more: Any) -> list[Any]:
    cal = with_calendar(closures=list(items), **more)
    return day_plans(cal, dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def plan_on(plans: list[Any], date: str) -> Any:
    return next(p for p in plans if p.date == dt.date.fromisoformat(date))


def test_whole_day_closure() -> None:
    plans = closures({"start": "2026-03-10", "end": "2026-03-11", "reason": "Utbildning"})
    for d in ("2026-03-10", "2026-03-11"):
        p = plan_on(plans, d)
        assert not p.is_open and p.reason == "Utbildning" and not p.red
    assert plan_on(plans, "2026-03-12").closes == dt.time(17, 0)
    # without closures in early_close_before the day before is a normal day
    assert plan_on(plans, "2026-03-09").closes == dt.time(17, 0)


def test_late_opening_closure() -> None:
    p = plan_on(closures({"start": "2026-03-10", "from_time": "08:00", "to_time": "10:00", "reason": "APT"}), "2026-03-10")
    assert p.opens == dt.time(10, 0) and p.closes == dt.time(17, 0)
    assert p.reason == "APT 08:00-10:00"


def test_early_closing_closure() -> None:
    p = plan_on(closures({"start": "2026-03-10", "from_time": "15:00", "to_time": "17:00", "reason": "Teamdag"}), "2026-03-10")
    assert p.opens == dt.time(8, 0) and p.closes == dt.time(15, 0)
    assert p.reason == "Teamdag 15:00-17:00"


def test_closure_window_over_several_days() -> None:
    plans = closures({"start": "2026-03-09", "end": "2026-03-13", "from_time": "08:00", "to_time": "09:00"})
    assert [plan_on(plans, f"2026-03-{d:02d}").opens for d in range(9, 14)] == [dt.time(9, 0)] * 5
    assert plan_on(plans, "2026-03-16").opens == dt.time(8, 0)


def test_closure_covering_the_whole_day_closes_it() -> None:
    p = plan_on(closures({"start": "2026-03-10", "from_time": "07:00", "to_time": "18:00", "reason": "Flytt"}), "2026-03-10")
    assert not p.is_open and "Flytt" in p.reason


def test_mid_day_closure_is_rejected() -> None:
    with pytest.raises(ScenarioError) as info:
        closures({"start": "2026-03-10", "from_time": "11:00", "to_time": "13:00", "reason": "Lunchmöte"})
    msg = str(info.value)
    assert "calendar.closures[0]" in msg and "Lunchmöte" in msg and "11:00-13:00" in msg
    assert "must start at opening or end at closing" in msg
    assert "\n" not in msg


def test_mid_day_closure_is_rejected_when_the_scenario_loads() -> None:
    with pytest.raises(ScenarioError, match=r"calendar\.closures\[0\].*middle of the day"):
        load_scenario(
            overrides=["calendar.closures=[{start: '2026-12-10', from_time: '11:00', to_time: '13:00'}]"], config_dir=ROOT / "scenarios"
        )


def test_closure_outside_the_run_is_not_checked_at_load() -> None:
    s = load_scenario(
        overrides=["calendar.closures=[{start: '2027-03-10', from_time: '11:00', to_time: '13:00'}]"], config_dir=ROOT / "scenarios"
    )
    assert len(s.calendar.closures) == 1


def test_closures_count_as_red_days_when_listed() -> None:
    item = {"start": "2026-03-11", "reason": "Utbildning"}
    normal = closures(item)
    assert plan_on(normal, "2026-03-10").closes == dt.time(17, 0)
    ruled = closures(item, early_close_before=["public_holidays", "closed_eves", "closures"])
    p = plan_on(ruled, "2026-03-10")
    assert p.closes == dt.time(15, 0) and p.reason == "day before Utbildning"
    # a partial closure is not a closed day: it does not trigger the rule
    partial = closures({"start": "2026-03-11", "from_time": "08:00", "to_time": "10:00"}, early_close_before=["closures"])
    assert plan_on(partial, "2026-03-10").closes == dt.time(17, 0)


def test_early_closing_closure_on_a_day_before_a_holiday() -> None:
    cal = with_calendar(closures=[{"start": "2026-12-23", "from_time": "08:00", "to_time": "10:00", "reason": "APT"}])
    (p,) = day_plans(cal, dt.date(2026, 12, 23), dt.date(2026, 12, 23))
    assert p.opens == dt.time(10, 0) and p.closes == dt.time(15, 0)
    assert p.reason == "day before Julafton; APT 08:00-10:00"


def test_bad_date_range() -> None:
    with pytest.raises(ScenarioError, match="before start"):
        day_plans(_load().calendar, dt.date(2026, 3, 2), dt.date(2026, 3, 1))


# --------------------------------------------------------------------------- property


def _red_oracle(years: range) -> set[dt.date]:
    """Closed red days by default, computed independently of sim.calendar: public holidays
    (never plain Sundays) and the three eves, by their dates."""
    public = holidays.SE(years=list(years), categories=("public",), include_sundays=False)
    red = set(public)
    for y in years:
        red |= {dt.date(y, 12, 24), dt.date(y, 12, 31)}
        red |= {dt.date(y, 6, d) for d in range(19, 26) if dt.date(y, 6, d).weekday() == 4}  # Midsommarafton
    return red


RED = _red_oracle(range(2025, 2032))


@settings(max_examples=150, deadline=None)
@given(
    start=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2030, 12, 31)),
    length=st.integers(min_value=0, max_value=120),
)
def test_opening_hours_properties(start: dt.date, length: int) -> None:
    end = min(start + dt.timedelta(days=length), dt.date(2030, 12, 31))
    f = opening_hours(_load(), start, end)
    dates = [d.date() for d in f["date"]]
    assert dates == [start + dt.timedelta(days=k) for k in range((end - start).days + 1)]
    is_open = f["opens"].notna()
    assert (is_open == f["closes"].notna()).all()
    assert (f.loc[is_open, "opens"] < f.loc[is_open, "closes"]).all()
    for row in f.itertuples():
        d = row.date.date()
        if d.weekday() >= 5:
            assert pd.isna(row.opens)
            assert row.reason == "weekend" or d in RED
            continue
        if d in RED:
            assert pd.isna(row.opens), (d, row.reason)
            continue
        assert row.opens.time() == dt.time(8, 0)
        assert row.closes.time() <= dt.time(17, 0)
        if row.closes.time() < dt.time(17, 0):
            assert row.reason.startswith("day before"), (d, row.reason)
        # independent oracle: 15:00 exactly on the day before a closed red day
        expected = dt.time(15, 0) if d + dt.timedelta(days=1) in RED else dt.time(17, 0)
        assert row.closes.time() == expected, (d, row.reason)
    assert (f["open_h"] == ((f["closes"] - f["opens"]).dt.total_seconds() / 3600).fillna(0)).all()


@st.composite
def closure_windows(draw: st.DrawFn) -> list[dict[str, Any]]:
    items = []
    for k in range(draw(st.integers(min_value=0, max_value=5))):
        first = dt.date(2026, 12, 1) + dt.timedelta(days=draw(st.integers(min_value=0, max_value=40)))
        item: dict[str, Any] = {
            "start": first.isoformat(),
            "end": (first + dt.timedelta(days=draw(st.integers(min_value=0, max_value=3)))).isoformat(),
            "reason": f"R{k}",
        }
        kind = draw(st.sampled_from(["whole", "late", "early"]))
        if kind == "late":
            item |= {"from_time": "08:00", "to_time": f"{draw(st.integers(min_value=9, max_value=16)):02d}:00"}
        elif kind == "early":
            item |= {"from_time": f"{draw(st.integers(min_value=9, max_value=16)):02d}:00", "to_time": "17:00"}
        items.append(item)
    return items


@settings(max_examples=80, deadline=None)
@given(windows=closure_windows(), with_rule=st.booleans())
def test_every_shortened_day_has_a_reason(windows: list[dict[str, Any]], with_rule: bool) -> None:
    rule = ["public_holidays", "closed_eves", "closures"] if with_rule else ["public_holidays", "closed_eves"]
    cal = with_calendar(closures=windows, early_close_before=rule)
    f = opening_hours(cal, dt.date(2026, 11, 28), dt.date(2027, 1, 20))
    names = {w["reason"] for w in windows}
    for row in f.itertuples():
        d = row.date.date()
        if d.weekday() >= 5 or d in RED:
            assert pd.isna(row.opens)
            continue
        if pd.isna(row.opens):  # an ordinary weekday closed all day: by a closure
            assert any(n in row.reason for n in names), (d, row.reason)
            continue
        assert dt.time(8, 0) <= row.opens.time() < row.closes.time() <= dt.time(17, 0)
        if row.closes.time() < dt.time(17, 0):
            assert row.reason.startswith("day before") or any(f"{n} " in row.reason for n in names), (d, row.reason)
        if row.opens.time() > dt.time(8, 0):
            assert any(f"{n} 08:00-" in row.reason for n in names), (d, row.reason)
        if row.reason == "open":
            assert (row.opens.time(), row.closes.time()) == (dt.time(8, 0), dt.time(17, 0))


# --------------------------------------------------------------------------- other countries


SUN_THU = (
    "calendar.country=IL",
    "calendar.hours.fri=null",
    *(f"calendar.hours.{d}={{opens:'07:00',closes:'24:00'}}" for d in ("sun", "mon", "tue", "wed", "thu")),
    "demand.weekday_factor={sun:1.1,mon:1.0,tue:1.0,wed:1.0,thu:0.9,fri:0,sat:0}",
    "demand.profile_start=07:00",
    "demand.profile.all=[" + ",".join(["5"] * 34) + "]",
    "staffing=flat",
    "staffing.agents=12",
)
"""A centre open Sunday to Thursday 07:00-24:00 (Israeli holidays)."""


def test_another_country_closes_its_own_holidays_and_no_swedish_eves() -> None:
    de = hours("2026-10-01", "2026-12-31", "calendar.country=DE")
    assert pd.isna(day(de, "2026-10-05")["opens"]) is False  # an ordinary Monday
    assert day(de, "2026-12-25")["reason"] == "Erster Weihnachtstag" and pd.isna(day(de, "2026-12-25")["opens"])
    # Julafton and Nyårsafton are ordinary weekdays in Germany, and there is no 15:00 rule
    assert (opens_at(de, "2026-12-24"), closes_at(de, "2026-12-24")) == ("08:00", "17:00")
    assert closes_at(de, "2026-12-31") == "17:00" and closes_at(de, "2026-12-23") == "17:00"
    # Epiphany (6 January) is a holiday in Bavaria, not in Germany as a whole
    assert closes_at(hours("2027-01-06", "2027-01-06", "calendar.country=DE"), "2027-01-06") == "17:00"
    bavaria = hours("2027-01-06", "2027-01-06", "calendar.country=DE", "calendar.subdiv=BY")
    assert day(bavaria, "2027-01-06")["reason"] == "Heilige Drei Könige"


def test_the_early_closing_rule_is_swedish_by_default_and_a_key_elsewhere() -> None:
    assert _load("calendar.country=DE").calendar.early_close is None
    assert _load("calendar.country=DE").calendar.closed_eves == []
    assert _load().calendar.early_close == dt.time(15, 0)
    assert _load().calendar.closed_eves == ["Midsommarafton", "Julafton", "Nyårsafton"]
    de = hours("2026-12-22", "2026-12-28", "calendar.country=DE", "calendar.early_close=15:00")
    assert closes_at(de, "2026-12-24") == "15:00"  # the day before Erster Weihnachtstag
    us = hours("2026-12-22", "2026-12-28", "calendar.country=US", "calendar.closed_eves=['Christmas Eve']")
    assert day(us, "2026-12-24")["reason"] == "Christmas Eve" and pd.isna(day(us, "2026-12-24")["opens"])


def test_observed_holidays_close_the_weekday_they_move_to() -> None:
    us = hours("2026-07-01", "2026-07-06", "calendar.country=US")
    assert pd.isna(day(us, "2026-07-03")["opens"]) and "Independence Day" in day(us, "2026-07-03")["reason"]


def test_the_language_follows_the_country_and_can_be_chosen() -> None:
    assert _load("calendar.country=DE").calendar.language == "de"
    en = hours("2026-12-25", "2026-12-25", "calendar.country=DE", "calendar.language=en_US")
    assert day(en, "2026-12-25")["reason"] == "Christmas Day"


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        (["calendar.country=XX"], ["calendar.country", "'XX'", "list_supported_countries"]),
        (["calendar.country=DE", "calendar.subdiv=XY"], ["calendar.subdiv", "'XY'", "BY"]),
        (["calendar.country=DE", "calendar.language=sv"], ["calendar.language", "'sv'", "'de'"]),
        (["calendar.country=DE", "calendar.closed_eves=[Julafton]"], ["calendar.closed_eves", "'Julafton'", "DE"]),
    ],
    ids=["unknown-country", "unknown-subdivision", "language-of-another-country", "swedish-eve-in-germany"],
)
def test_bad_calendar_keys_are_one_paragraph(overrides: list[str], words: list[str]) -> None:
    with pytest.raises(ScenarioError) as err:
        _load(*overrides)
    text = str(err.value)
    assert "\n" not in text
    for w in words:
        assert w in text, text


def test_a_week_open_sunday_to_thursday_until_midnight() -> None:
    f = hours("2026-11-01", "2026-11-14", *SUN_THU)
    open_days = f[f["open_h"] > 0]
    assert set(open_days["weekday"]) == {"Sun", "Mon", "Tue", "Wed", "Thu"}
    assert (open_days["open_h"] == 17.0).all()
    assert (open_days["closes"] == open_days.index + pd.Timedelta(days=1)).all()  # 24:00

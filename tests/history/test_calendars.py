"""Calibrating a centre outside Sweden or open on other weekdays: the history is read with the
calendar of the scenario the planner names, and the written scenario carries it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.calibrate import main
from sim.history import aggregate
from sim.history.calibration import calibrate
from sim.history.columns import ColumnMap
from sim.history.demand import estimate_demand
from sim.history.readers import read_intervals
from sim.history.synthetic import INTERVAL_MAP, interval_report
from sim.model.simulate import simulate
from sim.scenario.compose import load_scenario, scenarios_dir

GERMAN = (
    "calendar.country=DE",
    "calendar.hours.sat={opens:'08:00',closes:'17:00'}",
    "demand.weekday_factor.sat=0.6",
    "demand.day_cv=0.05",
    "staffing=flat",
    "staffing.agents=12",
)
"""A German centre open Monday to Saturday 08:00-17:00."""
SUN_THU = (
    "calendar.country=IL",
    "calendar.hours.fri=null",
    *(f"calendar.hours.{d}={{opens:'07:00',closes:'24:00'}}" for d in ("sun", "mon", "tue", "wed", "thu")),
    "demand.weekday_factor={sun:1.1,mon:1.0,tue:1.0,wed:1.0,thu:0.9,fri:0,sat:0}",
    "demand.profile_start=07:00",
    "demand.profile.all=[" + ",".join(["5"] * 34) + "]",
    "demand.day_cv=0.05",
    "staffing=flat",
    "staffing.agents=10",
)
"""A centre open Sunday to Thursday 07:00-24:00 (Israeli holidays)."""


def _history(root: Path, overrides: tuple[str, ...], start: str, end: str) -> tuple[Path, Path, Path]:
    """An interval report of the model run with ``overrides``, its column map and a scenarios copy."""
    s = load_scenario(overrides=[*overrides, f"run.start={start}", f"run.end={end}"])
    report, cmap, scen = root / "report.csv", root / "map.yaml", root / "scenarios"
    interval_report(simulate(s, seed=4).calls).to_csv(report, index=False)
    cmap.write_text(yaml.safe_dump(INTERVAL_MAP, allow_unicode=True), encoding="utf-8")
    shutil.copytree(scenarios_dir(), scen)
    return report, cmap, scen


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory):
    # 3 October 2026 (Tag der Deutschen Einheit) is a Saturday; 31 October (Alla helgons dag) is
    # a Swedish red day and a German working Saturday, 30 October a Swedish 15:00 day
    report, cmap, scen = _history(tmp_path_factory.mktemp("german"), GERMAN, "2026-09-21", "2026-11-08")
    # the opening hours come from the data; the scenario gives the holidays, eves and early closing
    c = calibrate(
        report, "intervals", cmap, name="german", scenarios=scen, overrides=["calendar.country=DE"], backtest_days=0, refine_days=0
    )
    return report, c, scen


def _kind(days: pd.DataFrame, date: str) -> str:
    return str(days.set_index("date").loc[pd.Timestamp(date), "kind"])


def test_a_german_history_is_read_with_the_german_calendar(german) -> None:
    report, c, _ = german
    days = c.demand.days
    assert _kind(days, "2026-10-03") == "closed"  # a German holiday on an open Saturday
    assert _kind(days, "2026-10-31") == "regular" and _kind(days, "2026-10-30") == "regular"  # Swedish red and 15:00 days
    assert not days["kind"].eq("unplanned").any()
    assert c.demand.hours["sat"] == (480, 1020) and c.demand.weekday_factor.set_index("weekday").loc["sat", "factor"] > 0
    assert c.demand.calendar_check["data_agrees"].all()
    # the same history read with the Swedish calendar: a working Saturday "closed", a 15:00 day
    rep = read_intervals(report, ColumnMap(kind="intervals", columns=INTERVAL_MAP["columns"], source="test map"))
    se = estimate_demand(aggregate.from_report(rep), rep.interval_min, load_scenario("default").calendar)
    assert (_kind(se.days, "2026-10-31"), _kind(se.days, "2026-10-30")) == ("closed", "early")
    assert _kind(se.days, "2026-10-03") == "unplanned"


def test_the_written_scenario_carries_the_calendar_and_runs(german) -> None:
    _, c, scen = german
    text = yaml.safe_load((scen / "experiment" / "german.yaml").read_text(encoding="utf-8"))
    assert text["calendar"]["country"] == "DE" and text["calendar"]["closed_eves"] == [] and text["calendar"]["early_close"] is None
    s = load_scenario("german", ["run.start=2026-12-21", "run.end=2026-12-27"], config_dir=scen)
    assert s.calendar.country == "DE" and s.calendar.hours["sat"] is not None
    calls = simulate(s, seed=2).calls
    days = set(calls["arrival"].dt.normalize())
    assert pd.Timestamp("2026-12-24") in days  # Julafton: a German working day, open all day
    assert calls.loc[calls["arrival"].dt.normalize() == pd.Timestamp("2026-12-24"), "arrival"].dt.hour.max() == 16  # no 15:00 rule
    assert pd.Timestamp("2026-12-25") not in days and pd.Timestamp("2026-12-26") not in days  # both German holidays (a Fri and a Sat)


def test_a_week_open_sunday_to_thursday_until_midnight_calibrates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report, cmap, scen = _history(tmp_path, SUN_THU, "2026-10-11", "2026-11-21")
    args = [str(report), "--kind", "intervals", "--columns", str(cmap), "--out", str(tmp_path / "out"), "--name", "sun_thu",
            "--scenarios", str(scen), "--backtest-days", "3", "--replications", "1", "--refine-days", "0"]
    assert main([*args, "calendar.country=IL"]) == 0, capsys.readouterr()  # the opening hours come from the data
    s = load_scenario("sun_thu", ["run.start=2026-11-29", "run.end=2026-12-05"], config_dir=scen)
    assert s.calendar.country == "IL"
    open_days = [d for d in ("sun", "mon", "tue", "wed", "thu", "fri", "sat") if s.calendar.hours[d] is not None]
    assert open_days == ["sun", "mon", "tue", "wed", "thu"]
    assert all(f"{s.calendar.hours[d].opens:%H:%M}-{s.calendar.hours[d].closes:%H:%M}" == "07:00-24:00" for d in ("sun", "thu"))
    calls = simulate(s, seed=2).calls
    assert set(calls["arrival"].dt.day_name()) == {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday"}
    assert calls["arrival"].dt.hour.max() == 23


# --------------------------------------------------------------------------- excluded dates on the command line


def test_excluded_dates_from_the_command_line(german, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report, _, scen = german
    cmap = report.parent / "map.yaml"
    dates = tmp_path / "dates.csv"
    dates.write_text("date,reason\n2026-10-14,telephony outage\n", encoding="utf-8")
    out = tmp_path / "out"
    args = [str(report), "--kind", "intervals", "--columns", str(cmap), "--out", str(out), "--name", "german_ex", "--scenarios", str(scen),
            "--backtest-days", "0", "--refine-days", "0", "--exclude", "2026-10-06", "--exclude-file", str(dates), "calendar.country=DE"]
    assert main(args) == 0, capsys.readouterr()
    days = pd.read_csv(out / "days.csv", parse_dates=["date"]).set_index("date")
    assert days.loc[pd.Timestamp("2026-10-06"), "kind"] == "excluded"
    assert days.loc[pd.Timestamp("2026-10-14"), ["kind", "reason"]].tolist() == ["excluded", "excluded: telephony outage"]
    assert days.loc[pd.Timestamp("2026-10-07"), "kind"] == "regular" and days.loc[pd.Timestamp("2026-10-15"), "kind"] == "regular"
    assert "telephony outage" in (out / "calibration_report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("option", "content", "words"),
    [
        ("--exclude", None, ["--exclude", "'2026-13-01'", "YYYY-MM-DD"]),
        ("--exclude-file", "date,reason\n2026-10-06,ok\n6.10.2026,bad\n", ["dates.csv, line 3, column 1", "'6.10.2026'"]),
    ],
    ids=["bad-date-option", "bad-date-in-file"],
)
def test_a_bad_excluded_date_is_one_line_and_exit_2(
    german, tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, content: str | None, words: list[str]
) -> None:
    report, _, scen = german
    value = "2026-10-06,2026-13-01"
    if content is not None:
        value = str(tmp_path / "dates.csv")
        Path(value).write_text(content, encoding="utf-8")
    code = main([str(report), "--kind", "intervals", "--columns", str(report.parent / "map.yaml"), "--out", str(tmp_path / "o"),
                 "--scenarios", str(scen), option, value])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1
    for w in words:
        assert w in err, err


def test_a_date_missing_from_a_report_that_prints_empty_intervals(german, tmp_path: Path) -> None:
    report, _, scen = german
    rows = pd.read_csv(report, dtype={"Intervall": str})
    dates = pd.date_range(rows["Datum"].min(), rows["Datum"].max(), freq="D")
    dates = [f"{d:%Y-%m-%d}" for d in dates if d.day_of_week < 6]  # every Monday..Saturday, the holiday too
    grid = pd.MultiIndex.from_product([dates, [f"{m // 60:02d}:{m % 60:02d}" for m in range(480, 1020, 30)]], names=["Datum", "Intervall"])
    dense = rows.set_index(["Datum", "Intervall"]).reindex(grid, fill_value=0).reset_index()  # the empty intervals printed
    dense = dense[dense["Datum"] != "2026-10-14"]  # a Wednesday the export left out
    path = tmp_path / "dense.csv"
    dense.to_csv(path, index=False)
    c = calibrate(
        path, "intervals", report.parent / "map.yaml", name="german_dense", scenarios=scen, overrides=["calendar.country=DE"],
        backtest_days=0, refine_days=0,
    )
    assert (_kind(c.demand.days, "2026-10-14"), _kind(c.demand.days, "2026-10-15")) == ("missing", "regular")
    assert any("not in the export" in n for n in c.notes)

"""Scenario loading and validation: every bad value gives one clear paragraph naming the key.

Each bad input goes through :func:`sim.scenario.compose.load_scenario` with Hydra overrides, exactly as
a planner would type them on the command line (``python -m sim <override>``).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

from sim.errors import ScenarioError
from sim.scenario.compose import load_scenario, validate
from sim.scenario.messages import format_errors, schema_has
from sim.schema import WEEKDAYS, Scenario

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENTS = sorted(p.stem for p in (ROOT / "scenarios" / "experiment").glob("*.yaml"))
OPEN_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
HALF_HOURS = [f"{8 + i // 2:02d}:{30 * (i % 2):02d}" for i in range(18)]  # 08:00 .. 16:30
# The default staffing is the Erlang A table (scenarios/staffing/fibra.yaml, mode table); tests
# of constant staffing select the group option scenarios/staffing/flat.yaml (12 agents).
FLAT = "staffing=flat"
DEFAULT_TABLE = ROOT / "scenarios" / "data" / "staffing_fibra_erlang_a.csv"


def load(*overrides: str, name: str = "default") -> Scenario:
    return load_scenario(name, overrides=list(overrides), config_dir=ROOT / "scenarios")


def error_of(*overrides: str) -> str:
    with pytest.raises(ScenarioError) as info:
        load(*overrides)
    return str(info.value)


def assert_one_paragraph(msg: str) -> None:
    assert "\n" not in msg and "\r" not in msg, msg
    assert "Traceback" not in msg, msg
    # pydantic's union-branch labels and class names must not leak into keys
    assert not re.search(r"function-(after|before|wrap)|\[key\]|[A-Z][a-z]+Config\b", msg), msg
    assert len(msg) < 1000, msg


# --------------------------------------------------------------------------- bad inputs

# (overrides, the full key as it must appear, the allowed range/values, what was given)
BAD = [
    pytest.param([FLAT, "staffing.agents=-1"], "staffing.agents:", ">= 0 and <= 100000", "-1", id="negative-agents"),
    pytest.param([FLAT, "staffing.agents=abc"], "staffing.agents:", "a whole number >= 0", "'abc'", id="agents-not-int"),
    pytest.param([FLAT, "staffing.agents=true"], "staffing.agents:", "number", "boolean true", id="agents-bool"),
    pytest.param([FLAT, "staffing.agents=2.5"], "staffing.agents:", "a whole number", "2.5", id="agents-fraction"),
    pytest.param(["handling.talk.mean=0"], "handling.talk.mean:", "> 0", "got 0", id="zero-talk-time"),
    pytest.param(["handling.talk.mean=-5"], "handling.talk.mean:", ">= 0", "-5", id="negative-talk-time"),
    pytest.param(["handling.wrap.mean=inf"], "handling.wrap.mean:", "finite", "inf", id="infinite-wrap"),
    pytest.param(["handling.hold.mean=nan"], "handling.hold.mean:", "finite", "nan", id="nan-hold"),
    pytest.param(["patience.mean=0"], "patience.mean:", "> 0", "got 0", id="zero-patience"),
    pytest.param(["demand.displaced_share=1.5"], "demand.displaced_share:", ">= 0 and <= 1", "1.5", id="share-above-1"),
    pytest.param(["demand.displaced_share=-0.1"], "demand.displaced_share:", ">= 0 and <= 1", "-0.1", id="share-below-0"),
    pytest.param(["handling.logging_share=2"], "handling.logging_share:", ">= 0 and <= 1", "2", id="logging-share"),
    pytest.param(["targets.availability_min=91"], "targets.availability_min:", "<= 1", "91", id="percent-not-share"),
    pytest.param(["demand.volume=-10"], "demand.volume:", ">= 0", "-10", id="negative-volume"),
    pytest.param(["demand.weekday_factor.mon=-1"], "demand.weekday_factor.mon:", ">= 0", "-1", id="weekday-factor"),
    pytest.param(["demand.day_cv=6"], "demand.day_cv:", ">= 0 and <= 5", "6", id="day-cv"),
    pytest.param(["demand.interval_min=20"], "demand.interval_min:", "15, 30 or 60", "20", id="interval-length"),
    pytest.param(["demand.profile.all=[1,-2,3]"], "demand.profile.all[1]:", ">= 0", "-2", id="negative-weight"),
    pytest.param(["run.seed=-3"], "run.seed:", ">= 0", "-3", id="negative-seed"),
    pytest.param(["calendar.hours.mon.opens=18:00"], "calendar.hours.mon.opens:", "before closing 17:00", "18:00", id="opens-after-closes"),
    pytest.param(["calendar.hours.fri.closes=07:00"], "calendar.hours.fri.opens:", "before closing 07:00", "08:00",
                 id="closes-before-opens"),
    pytest.param(["calendar.hours.mon.opens=08:15"], "calendar.hours.mon.opens:", "30-minute interval grid", "08:15",
                 id="off-grid-opening"),
    pytest.param(["calendar.hours.tue.closes=abc"], "calendar.hours.tue.closes:", '"HH:MM"', "'abc'", id="time-not-a-time"),
    pytest.param(["calendar.hours.mon.closes=1050"], "calendar.hours.mon.closes:", '"HH:MM"', "1050", id="unquoted-yaml-time"),
    pytest.param(["calendar.early_close=25:00"], "calendar.early_close:", '"HH:MM"', "'25:00'", id="hour-25"),
    pytest.param(["calendar.hours.mon=5"], "calendar.hours.mon:", "opens, closes", "got 5", id="hours-not-a-group"),
    pytest.param(["calendar.closed_eves=[Julafton,Nyarsafton]"], "calendar.closed_eves: item 1", "'Julafton', 'Klämdag', 'Midsommarafton'",
                 "'Nyarsafton'", id="unknown-eve"),
    pytest.param(["calendar.early_close_before=[holidays]"], "calendar.early_close_before[0]:",
                 "'public_holidays', 'closed_eves' or 'closures'", "'holidays'", id="unknown-rule-days"),
    pytest.param(["calendar.language=de"], "calendar.language:", "'en_US', 'sv', 'th', 'uk' or 'default'", "'de'", id="unknown-language"),
    pytest.param(["handling.talk.dist=weibull"], "handling.talk.dist:",
                 "'exponential', 'lognormal', 'gamma', 'deterministic' or 'empirical'", "'weibull'", id="unknown-distribution"),
    pytest.param(["patience.dist=pareto"], "patience.dist:", "'infinite'", "'pareto'", id="unknown-patience-distribution"),
    pytest.param(["handling.talk.cv=null"], "handling.talk.cv:", "needs a cv", "lognormal", id="lognormal-without-cv"),
    pytest.param(["handling.talk.cv=25"], "handling.talk.cv:", ">= 1e-06 and <= 20", "25", id="cv-too-large"),
    # durations the records' nanosecond timestamps could not hold (issue 23.3)
    pytest.param(["handling.talk.mean=1e308"], "handling.talk.mean:", ">= 0 and <= 1e+08", "1e+308", id="talk-mean-1e308"),
    pytest.param(["handling.talk.mean=1e23"], "handling.talk.mean:", ">= 0 and <= 1e+08", "1e+23", id="talk-mean-1e23"),
    pytest.param([FLAT, "staffing.agents=0", "patience.mean=1e10"], "patience.mean:", "> 0 and <= 1e+08", "10000000000",
                 id="patience-1e10"),
    pytest.param(["handling.wrap.dist=empirical", "handling.wrap.mean=null", "+handling.wrap.values=[1,1e9]"], "handling.wrap.values[1]:",
                 "<= 1e+08", "1000000000", id="empirical-value-too-long"),
    pytest.param(["callbacks=on", "callbacks.retry_gap_s=1e12"], "callbacks.retry_gap_s:", "<= 1e+08", "1000000000000",
                 id="retry-gap-too-long"),
    pytest.param(["demand.day_cv=1e-320"], "demand.day_cv:", "0 (no day-to-day variation) or 1e-06 to 5", "e-321", id="day-cv-tiny"),
    pytest.param(["handling.talk.cv=1e-320"], "handling.talk.cv:", ">= 1e-06", "1e-320", id="cv-tiny"),
    pytest.param(["handling.wrap.dist=exponential"], "handling.wrap.cv:", "takes no cv", "exponential", id="exponential-with-cv"),
    pytest.param(["demand.profile.all=[1,2,3]"], "demand.profile.all:", "must cover the opening hours", "08:00-09:30",
                 id="profile-too-short"),
    pytest.param(["demand.profile_start=09:00"], "demand.profile.all:", "calendar.hours.mon is open 08:00-17:00", "09:00-18:00",
                 id="profile-starts-late"),
    pytest.param(["+demand.profile.mon=[1,1]"], "demand.profile.mon:", "08:00-17:00", "08:00-09:00", id="weekday-profile-short"),
    pytest.param(["run.end=2026-11-01"], "run.end:", "before start 2026-12-01", "2026-11-01", id="end-before-start"),
    pytest.param(["run.start=2026-13-01"], "run.start:", '"YYYY-MM-DD"', "'2026-13-01'", id="month-13"),
    pytest.param(["run.start=20261201"], "run.start:", "YYYY-MM-DD", "20261201", id="date-as-number"),
    pytest.param(["run.end=2030-12-31"], "run.end:", "at most three years", "", id="run-too-long"),
    pytest.param(["~run.start"], "'run.start'", '"YYYY-MM-DD"', "missing", id="missing-key"),
    pytest.param(["+staffing.tabel=3"], "'staffing.tabel'", "mode, agents, table, shifts, table_file", "unknown key",
                 id="unknown-key-added"),
    pytest.param(["staffing.tabel=3"], "'staffing.tabel'", "mode, agents, table, shifts, table_file", "unknown key",
                 id="override-of-missing-key"),
    pytest.param(["+calendar.hours.mon.lunch=12:00"], "'calendar.hours.mon.lunch'", "opens, closes", "unknown key",
                 id="unknown-nested-key"),
    pytest.param(["+demand.profile.holiday=[1]"], "demand.profile.holiday:", "'all', 'mon'", "'holiday'", id="unknown-profile-day"),
    pytest.param(["mc.replications=3"], "'mc.replications'", "'mc' is not a key of the scenario; its top-level keys: name, ",
                 "montecarlo", id="unknown-group"),  # named sim/config.py, which does not exist
    pytest.param(["+_target_=os.system"], "'_target_'", "calendar, demand, handling", "unknown key", id="target-top-level"),
    pytest.param(["+staffing._target_=sim.model.engine.Model"], "'staffing._target_'", "mode, agents", "unknown key", id="target-nested"),
    pytest.param([FLAT, "staffing.mode=table"], "staffing.table:", "table_file", "mode table", id="table-mode-without-table"),
    pytest.param([FLAT, "+staffing.table={all: [1]}"], "staffing.table:", "staffing.mode=table", "mode is constant",
                 id="table-but-constant-mode"),
    pytest.param([FLAT, "staffing.mode=table", "staffing.agents=null", "+staffing.table={all: [1, 2]}"], "staffing.table.all:",
                 "exactly 18 values", "got 2", id="table-wrong-length"),
    pytest.param([FLAT, "staffing.mode=shifts", "staffing.agents=null", "+staffing.shifts=[{start: '12:00', end: '09:00', count: 3}]"],
                 "staffing.shifts[0].start:", "before end 09:00", "12:00", id="shift-ends-before-start"),
    pytest.param([FLAT, "patience.dist=infinite", "patience.mean=null", "staffing.agents=0"], "staffing.agents:", ">= 1 agent", "0 agents",
                 id="infinite-patience-no-agents"),
    pytest.param([FLAT, "patience.dist=infinite", "patience.mean=null", "staffing.mode=shifts", "staffing.agents=null",
                  "+staffing.shifts=[{start: '09:00', end: '17:00', count: 3}]"],
                 "staffing.shifts:", ">= 1 agent", "08:00", id="infinite-patience-unstaffed-hour"),
    pytest.param(["patience.dist=infinite"], "patience.dist:", "patience.mean=null", "mean=300", id="infinite-patience-with-mean"),
    pytest.param(["staffing.mode=shifts", "staffing.table_file=null", "staffing.agents=14"], "staffing.shifts:", "mode shifts needs", "",
                 id="agents-with-shifts-mode"),
    pytest.param(["staffing.mode=constant"], "staffing.table_file", "staffing.table_file=null", "staffing.mode is 'constant'",
                 id="constant-mode-keeps-the-table-file"),
    pytest.param(["staffing=[1,2]"], "'staffing'", "fibra, flat", "[1, 2]", id="group-given-a-list"),
    pytest.param(["calendar=5"], "'calendar'", "sweden", "got 5", id="group-given-a-number"),
    pytest.param(["calendar.closures=[{start: '2026-12-10', from_time: '11:00', to_time: '12:00', reason: Kurs}]"], "calendar.closures[0]",
                 "start at opening or end at closing", "11:00-12:00", id="mid-day-closure"),
    pytest.param(["calendar.closures=[{start: '2026-12-10', end: '2026-12-01'}]"], "calendar.closures[0].end:", "before start 2026-12-10",
                 "2026-12-01", id="closure-ends-before-start"),
    pytest.param(["calendar.closures=[{start: '2026-12-10', from_time: '15:00'}]"], "calendar.closures[0].from_time:",
                 "both from_time and to_time", "", id="closure-half-window"),
]


@pytest.mark.parametrize(("overrides", "key", "allowed", "given"), BAD)
def test_bad_value_is_one_paragraph_naming_key_and_range(overrides: list[str], key: str, allowed: str, given: str) -> None:
    msg = error_of(*overrides)
    assert key in msg, msg
    assert allowed in msg, msg
    assert given in msg, msg
    assert msg.startswith("Invalid scenario"), msg
    assert_one_paragraph(msg)


def test_enough_bad_inputs_are_covered() -> None:
    assert len(BAD) >= 12


def test_nested_optional_model_error_names_the_leaf_key() -> None:
    # calendar.hours.mon is `HoursConfig | None` and closes runs before/after validators
    msg = error_of("calendar.hours.mon={opens: '08:00', closes: 17}")
    assert "calendar.hours.mon.closes: expected a time" in msg and "17" in msg
    assert_one_paragraph(msg)


@pytest.mark.parametrize(
    ("loc", "key"),
    [
        (("calendar", "hours", "mon", "HoursConfig", "opens"), "calendar.hours.mon.opens"),
        (("staffing", "table", "function-after[_check(), dict[str,list[int]]]", "all", 3), "staffing.table.all[3]"),
        (("demand", "volume", "float"), "demand.volume"),
        (("demand", "profile", "mon", "[key]"), "demand.profile.mon"),
        (("calendar", "closures", 0, "function-before[_x(), date]", "start"), "calendar.closures[0].start"),
    ],
)
def test_union_labels_do_not_leak_into_keys(loc: tuple, key: str) -> None:
    from sim.scenario.messages import _describe

    err = {"loc": loc, "type": "greater_than_equal", "msg": "Input should be greater than or equal to 0", "input": -1}
    text = _describe(err)
    assert text.startswith(f"{key}: input should be greater than or equal to 0 (got -1)"), text


def test_several_errors_are_reported_together_in_one_paragraph() -> None:
    msg = error_of(FLAT, "staffing.agents=-1", "demand.displaced_share=2", "handling.talk.dist=weibull")
    for key in ("staffing.agents:", "demand.displaced_share:", "handling.talk.dist:"):
        assert key in msg
    assert msg.count("; ") >= 2
    assert_one_paragraph(msg)


def test_format_errors_names_full_key_given_value_and_range() -> None:
    raw = load(FLAT).model_dump(mode="json")
    raw["staffing"]["agents"] = 100_001
    raw["demand"]["weekday_factor"]["sat"] = "many"
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(raw)
    msg = format_errors(info.value)
    assert "staffing.agents: input should be less than or equal to 100000 (got 100001)" in msg
    assert ">= 0 and <= 100000" in msg
    assert "demand.weekday_factor.sat:" in msg and "'many'" in msg
    assert_one_paragraph(msg)


def test_validate_accepts_a_plain_dict_and_rejects_booleans_there_too() -> None:
    raw = load().model_dump(mode="json")
    assert validate(raw) == load()
    raw["demand"]["volume"] = True
    with pytest.raises(ScenarioError, match=r"demand\.volume: expected a number, got the boolean true"):
        validate(raw)


def test_schema_has_knows_optional_keys_and_rejects_typos() -> None:
    assert schema_has("staffing.table_file")
    assert schema_has("calendar.closures[0].from_time")
    assert schema_has("calendar.closures.0.from_time")
    assert schema_has("handling.talk.values")
    assert not schema_has("staffing.tabel")
    assert not schema_has("handling.talk.mean.x")


def test_scenario_is_frozen() -> None:
    s = load()
    with pytest.raises(ValidationError):
        s.staffing.agents = 3  # type: ignore[misc]


# --------------------------------------------------------------------------- data files


def _profile_csv(path: Path, counts: list[int] | None = None, days: int = 3) -> tuple[Path, list[int]]:
    counts = counts or [20 + 3 * i for i in range(18)]
    lines = ["date,interval_start,calls"]
    for d in range(days):
        day = dt.date(2026, 11, 2) + dt.timedelta(days=d)
        lines += [f"{day},{t},{c}" for t, c in zip(HALF_HOURS, counts, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, counts


def _table_csv(path: Path, start: int = 0, per_day: dict[str, list[int]] | None = None) -> tuple[Path, dict[str, list[int]]]:
    per_day = per_day or {d: [k + 1 + (i % 4) for i in range(18)] for k, d in enumerate(OPEN_WEEKDAYS)}
    lines = ["weekday,interval_start,agents"]
    for day, row in per_day.items():
        for i, n in enumerate(row):
            m = 8 * 60 + start + 30 * i
            lines.append(f"{day},{m // 60:02d}:{m % 60:02d},{n}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, per_day


def test_profile_from_csv_of_historic_counts(tmp_path: Path) -> None:
    path, counts = _profile_csv(tmp_path / "history.csv")
    s = load("demand.profile=null", f"demand.profile_file={path}")
    assert s.demand.profile_file is None  # the file was read into the profile
    assert s.demand.profile_start == dt.time(8, 0)
    assert s.demand.profile == {"all": [3.0 * c for c in counts]}  # summed over the three dates
    assert s.demand.weights_for(0) == [3.0 * c for c in counts]


def test_profile_csv_with_seconds_in_interval_start(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("interval_start,calls\n" + "".join(f"{t}:00,{i + 1}\n" for i, t in enumerate(HALF_HOURS)))
    s = load("demand.profile=null", f"demand.profile_file={path}")
    assert s.demand.profile == {"all": [float(i + 1) for i in range(18)]}


def table_file(path: Path, via: str = "default") -> list[str]:
    """Overrides that staff from a CSV: replace the default's table file, or switch the
    constant option ``flat`` to a table."""
    if via == "default":
        return [f"staffing.table_file={path}"]
    return [FLAT, "staffing.mode=table", "staffing.agents=null", f"+staffing.table_file={path}"]


@pytest.mark.parametrize("via", ["default", "flat"])
def test_staffing_table_from_csv(tmp_path: Path, via: str) -> None:
    path, per_day = _table_csv(tmp_path / "staff.csv")
    s = load(*table_file(path, via))
    assert s.staffing.mode == "table"
    assert s.staffing.table == per_day
    assert s.staffing.table_file is None


def test_staffing_table_csv_with_all_row(tmp_path: Path) -> None:
    path, per_day = _table_csv(tmp_path / "staff.csv", per_day={"all": [5] * 18})
    s = load(*table_file(path))
    assert s.staffing.table == {"all": [5] * 18}


def test_staffing_table_must_start_at_opening(tmp_path: Path) -> None:
    path, _ = _table_csv(tmp_path / "late.csv", start=30)
    msg = error_of(*table_file(path))
    assert "staffing.table_file" in msg
    assert "start at 08:30" in msg and "calendar.hours.mon.opens is 08:00" in msg
    assert_one_paragraph(msg)


def test_staffing_table_anchor_follows_the_weekday_opening(tmp_path: Path) -> None:
    # Tuesday opens at 09:00: its rows must start at 09:00, the other days' at 08:00.
    per_day = {d: [4] * 18 for d in OPEN_WEEKDAYS}
    path, _ = _table_csv(tmp_path / "staff.csv", per_day=per_day)
    msg = error_of("calendar.hours.tue.opens=09:00", *table_file(path))
    assert "tue" in msg and "calendar.hours.tue.opens is 09:00" in msg
    lines = ["weekday,interval_start,agents"]
    for d in OPEN_WEEKDAYS:
        first = 9 * 60 if d == "tue" else 8 * 60
        lines += [f"{d},{(first + 30 * i) // 60:02d}:{(first + 30 * i) % 60:02d},4" for i in range((17 * 60 - first) // 30)]
    (tmp_path / "ok.csv").write_text("\n".join(lines) + "\n")
    s = load("calendar.hours.tue.opens=09:00", *table_file(tmp_path / "ok.csv"))
    assert s.staffing.table is not None
    assert len(s.staffing.table["tue"]) == 16 and len(s.staffing.table["mon"]) == 18


# (group, file text, what the message says, where: "line N, column C" as an editor counts; None: the whole file)
BAD_CSV = [
    pytest.param("demand", "date,interval_start,count\n2026-11-02,08:00,5\n", "lacks column(s) calls", "line 1",
                 id="profile-missing-column"),
    pytest.param("demand", "date,interval_start,calls\n2026-11-02,08:00,many\n", "must hold numbers >= 0, found 'many'",
                 "line 2, column calls", id="profile-non-numeric"),
    pytest.param("demand", "date,interval_start,calls\n2026-11-02,08:00,4\n\n2026-11-02,08:30,-4\n", "must hold numbers >= 0, found -4",
                 "line 4, column calls", id="profile-negative-after-a-blank-line"),
    pytest.param("demand", "interval_start,calls\n08:00,4\n08:30,\n", "must hold numbers >= 0, found an empty cell",
                 "line 3, column calls", id="profile-empty-cell"),
    pytest.param("demand", "date,interval_start,calls\n2026-11-02,8 o'clock,4\n", "is not a time HH:MM", "line 2, column interval_start",
                 id="profile-bad-time"),
    pytest.param("demand", "interval_start,calls\n08:15,4\n08:30,4\n08:45,4\n", "not on the 30-minute grid",
                 "line 2, column interval_start",
                 id="profile-off-the-grid"),
    pytest.param("demand", "interval_start,calls\n08:00,4\n08:30,4\n09:15,4\n", "evenly spaced", "line 4, column interval_start",
                 id="profile-uneven"),
    pytest.param("demand", "interval_start,calls\n08:00,4\n08:30,4,7\n", "3 fields, but the header (line 1) names 2", "line 3",
                 id="profile-extra-field"),
    pytest.param("demand", "interval_start,calls\n08:00,4\n08:30,4\n08:00,5\n", "interval 08:00 is listed more than once (lines 2 and 4)",
                 "line 4, column interval_start", id="profile-duplicate-without-date"),
    pytest.param("demand", "weekday,interval_start,calls\nmon,08:00,4\ntue,08:00,4\nmon,08:00,5\n",
                 "mon interval 08:00 is listed more than once (lines 2 and 4)", "line 4, column interval_start",
                 id="profile-duplicate-weekday"),
    pytest.param("demand", "", "the file is empty", None, id="profile-empty-file"),
    pytest.param("demand", "date,interval_start,calls\n", "no rows", None, id="profile-header-only"),
    pytest.param("staffing", "weekday,interval_start,people\nall,08:00,3\n", "lacks column(s) agents", "line 1", id="table-missing-column"),
    pytest.param("staffing", "weekday,interval_start,agents\nall,08:00,x\n", "must hold numbers >= 0, found 'x'", "line 2, column agents",
                 id="table-non-numeric"),
    pytest.param("staffing", "weekday,interval_start,agents\nall,08:00,-2.5\n", "must hold numbers >= 0, found -2.5",
                 "line 2, column agents", id="table-negative"),
    pytest.param("staffing", "weekday,interval_start,agents\nfunday,08:00,2\n", "unknown weekday 'funday'", "line 2, column weekday",
                 id="table-unknown-weekday"),
    pytest.param("staffing", "weekday,interval_start,agents\nall,08:00,2\nall,08:30,2\n", "has 2 rows (lines 2-3, 08:00-09:00)",
                 "line 3, column interval_start", id="table-too-short"),
    pytest.param("staffing", "weekday,interval_start,agents\nmon,08:00,2\nmon,09:00,2\ntue,08:00,2\ntue,08:30,2\n",
                 "no row for the interval after 08:00", "line 3, column interval_start", id="table-gap"),
    pytest.param("staffing", "weekday,interval_start,agents\nall,08:00,2\nall,08:00,3\nall,08:30,2\n",
                 "interval 08:00 is listed more than once (lines 2 and 3)", "line 3, column interval_start", id="table-duplicate"),
]


@pytest.mark.parametrize(("group", "text", "expected", "where"), BAD_CSV)
def test_bad_csv_names_the_file_line_and_column(tmp_path: Path, group: str, text: str, expected: str, where: str | None) -> None:
    """Every reader error names the key, the file, the line (as an editor counts: the header is
    line 1, blank lines count) and the column (issue 23.5)."""
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    if group == "demand":
        key = "demand.profile_file"
        msg = error_of("demand.profile=null", f"demand.profile_file={path}")
    else:
        key = "staffing.table_file"
        msg = error_of(*table_file(path))
    assert f"{key} = {str(path)!r}" in msg, msg
    assert expected in msg, msg
    if where is not None:
        assert f"{str(path)!r}, {where}:" in msg or f"{str(path)!r}, {where} " in msg, msg
    assert_one_paragraph(msg)


@pytest.mark.parametrize("group", ["demand", "staffing"])
def test_a_binary_file_is_not_a_text_csv_and_its_bytes_are_not_shown(tmp_path: Path, group: str) -> None:
    path = tmp_path / "profile.xlsx"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb2\x8f\xffinterval_start,calls")
    msg = error_of("demand.profile=null", f"demand.profile_file={path}") if group == "demand" else error_of(*table_file(path))
    assert "is not a text CSV file" in msg and str(path) in msg, msg
    assert "\x00" not in msg and "PK" not in msg, msg
    assert_one_paragraph(msg)


def test_a_windows_1252_profile_from_swedish_excel_is_read(tmp_path: Path) -> None:
    path, _ = _profile_csv(tmp_path / "history.csv")
    text = path.read_text(encoding="utf-8").splitlines()
    (tmp_path / "sv.csv").write_bytes(("\n".join([text[0] + ",kö", *(row + ",Växel" for row in text[1:])]) + "\n").encode("cp1252"))
    assert load("demand.profile=null", f"demand.profile_file={tmp_path / 'sv.csv'}").demand.profile == \
        load("demand.profile=null", f"demand.profile_file={path}").demand.profile


def test_missing_profile_file(tmp_path: Path) -> None:
    msg = error_of("demand.profile=null", f"demand.profile_file={tmp_path / 'nope.csv'}")
    assert "demand.profile_file" in msg and "file not found" in msg and "nope.csv" in msg
    assert_one_paragraph(msg)


def test_missing_table_file(tmp_path: Path) -> None:
    msg = error_of(*table_file(tmp_path / "nope.csv"))
    assert "staffing.table_file" in msg and "file not found" in msg and "nope.csv" in msg
    assert_one_paragraph(msg)


def test_profile_file_replaces_the_profile_of_the_base_file(tmp_path: Path) -> None:
    path, _ = _profile_csv(tmp_path / "history.csv")
    with_file = load_scenario("default", [f"demand.profile_file={path}"])  # the base file still sets demand.profile
    assert with_file.demand.profile == load_scenario("default", [f"demand.profile_file={path}", "demand.profile=null"]).demand.profile


def test_table_file_needs_table_mode(tmp_path: Path) -> None:
    path, _ = _table_csv(tmp_path / "staff.csv")
    msg = error_of(FLAT, f"+staffing.table_file={path}")  # flat is mode constant
    assert "staffing.table_file" in msg and "staffing.mode=table" in msg and "'constant'" in msg
    assert_one_paragraph(msg)


def test_csv_profile_must_cover_opening_hours(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("interval_start,calls\n" + "".join(f"{t},5\n" for t in HALF_HOURS[:10]))
    msg = error_of("demand.profile=null", f"demand.profile_file={path}")
    assert f"demand.profile_file = {str(path)!r}, line 11, column interval_start:" in msg, msg
    assert "the rows cover 08:00-13:00" in msg and "08:00-17:00" in msg


# --------------------------------------------------------------------------- valid scenarios


def test_default_scenario_loads() -> None:
    s = load()
    assert s.name == "default"
    assert s.run.start == dt.date(2026, 12, 1) and s.run.end == dt.date(2026, 12, 31)
    assert s.calendar.hours_of(0) is not None and s.calendar.hours_of(6) is None
    # staffing: the Erlang A table from scenarios/data, one count per half hour 08:00-17:00
    assert s.staffing.mode == "table" and s.staffing.agents is None and s.staffing.table_file is None
    csv = pd.read_csv(DEFAULT_TABLE)
    assert s.staffing.table is not None and set(s.staffing.table) == set(OPEN_WEEKDAYS)
    for d in OPEN_WEEKDAYS:
        assert s.staffing.table[d] == csv.loc[csv["weekday"] == d, "agents"].tolist()
        assert len(s.staffing.table[d]) == 18 and min(s.staffing.table[d]) >= 1
    assert s.handling.mean_handle_s == pytest.approx(305.0)
    assert set(s.demand.weekday_factor) == set(WEEKDAYS)


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_each_experiment_loads(name: str) -> None:
    s = load(name=name)
    assert s.name == name
    assert s.run.start <= s.run.end


def test_experiments_include_tiny_and_canonical_day() -> None:
    assert {"tiny", "canonical_day"} <= set(EXPERIMENTS)
    tiny = load(name="tiny")
    assert (tiny.run.end - tiny.run.start).days == 1


def test_unknown_experiment_lists_known_ones() -> None:
    with pytest.raises(ScenarioError, match=r"Unknown scenario 'nope'.*tiny"):
        load(name="nope")


def test_flat_staffing_option_is_constant() -> None:
    s = load(FLAT)
    assert s.staffing.mode == "constant" and s.staffing.agents == 12 and s.staffing.table is None


def test_overrides_apply() -> None:
    s = load(FLAT, "staffing.agents=14", "run.seed=7", "demand.displaced_share=0", "calendar.hours.fri.closes=16:00")
    assert s.staffing.agents == 14 and s.run.seed == 7 and s.demand.displaced_share == 0.0
    assert s.calendar.hours_of(4).closes == dt.time(16, 0)  # type: ignore[union-attr]


def test_infinite_patience_with_agents_loads() -> None:
    s = load(FLAT, "patience.dist=infinite", "patience.mean=null", "staffing.agents=1")
    assert s.patience.infinite


def test_zero_agents_with_finite_patience_loads() -> None:
    # Zero agents is a legitimate (if bleak) scenario when callers can abandon.
    assert load(FLAT, "staffing.agents=0").staffing.agents == 0


def test_empirical_distribution_via_overrides() -> None:
    s = load("handling.talk.dist=empirical", "handling.talk.mean=null", "handling.talk.cv=null", "+handling.talk.values=[100,200,300]")
    assert s.handling.talk.mean_value == pytest.approx(200.0)


def test_shift_staffing_loads() -> None:
    s = load(FLAT, "staffing.mode=shifts", "staffing.agents=null", "+staffing.shifts=[{start: '08:00', end: '17:00', count: 5}]")
    assert s.staffing.shifts is not None and s.staffing.shifts[0].count == 5


def test_closures_load() -> None:
    s = load("calendar.closures=[{start: '2026-12-10', reason: Utbildning}, {start: '2026-12-11', from_time: '08:00', to_time: '10:00'}]")
    assert [c.reason for c in s.calendar.closures] == ["Utbildning", "closure"]

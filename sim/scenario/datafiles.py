"""The data files a scenario names, read once while composing, so the model never touches a file.

``demand.profile_file`` (calls per interval, optionally per weekday), ``staffing.table_file``
(agents per interval) and ``handling.profile_file`` (a handle-time factor per time of day) are
CSV files, UTF-8 with or without a byte-order mark or Windows-1252 as Swedish Excel saves them.
Each is read into the inline key it stands for (``demand.profile``, ``staffing.table``,
``handling.by_interval``); every problem is one paragraph naming the key, the file, the line
(as an editor counts, blank lines included) and the column.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ScenarioError
from sim.scenario.messages import one_line
from sim.scenario.planned import constant_over_table, planned_staffing
from sim.schema import WEEKDAYS, hhmm
from sim.world.clock import clock_minutes

log = logging.getLogger(__name__)

def resolve_file(path: str, base_dir: Path, key: str) -> Path:
    """The file a scenario key names: as given (absolute or from the working directory), else
    under ``base_dir`` (the scenarios folder); not found is one error naming ``key``."""
    p = Path(path).expanduser()
    for cand in ([p] if p.is_absolute() else [Path.cwd() / p, base_dir / p]):
        if cand.is_file():
            return cand
    raise ScenarioError(f"Invalid scenario: {key} = {path!r}: file not found (looked in {Path.cwd()} and {base_dir}).")


LINE = "_line"  # the column of a data file's frame holding each row's line number (as an editor counts)
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _at(key: str, path: Path, line: int | None = None, column: str | None = None) -> str:
    """``Invalid scenario: <key> = '<file>', line <n>, column <c>`` (the parts that are known)."""
    where = f"Invalid scenario: {key} = {str(path)!r}"
    if line is not None:
        where += f", line {line}"
    if column is not None:
        where += f", column {column}"
    return where


def decode_text(data: bytes) -> str | None:
    """A data file's bytes as text: UTF-8 (with or without a byte-order mark), else
    Windows-1252 as Swedish Excel saves a CSV; None for binary data (a NUL byte or control
    characters: an Excel workbook, UTF-16 text)."""
    if b"\x00" in data:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if _BINARY.search(text) else text
    return None


def _text_of(path: Path, key: str, columns: set[str]) -> str:
    """The file's text (UTF-8, with or without a byte-order mark, or Windows-1252 as Swedish
    Excel saves it); a binary file is refused without showing its bytes."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{_at(key, path)} could not be read ({exc.strerror or exc}).") from None
    text = decode_text(data)
    if text is None:
        raise ScenarioError(f"{_at(key, path)} is not a text CSV file (it holds binary data, e.g. an Excel workbook or "
                            f"UTF-16 text); save it as CSV (UTF-8) with the columns {', '.join(sorted(columns))}.")
    return text


def _read_csv(path: Path, key: str, columns: set[str]) -> pd.DataFrame:
    """The rows of a CSV data file as texts, with each row's line number in column ``LINE``;
    blank lines are skipped."""
    text = _text_of(path, key, columns)
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    header: list[str] | None = None
    header_line = 0
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for record in reader:
            if not any(field.strip() for field in record):
                continue
            if header is None:
                header, header_line = [field.strip() for field in record], reader.line_num
                continue
            if len(record) > len(header):
                raise ScenarioError(f"{_at(key, path, reader.line_num)}: {len(record)} fields, but the header (line {header_line}) "
                                    f"names {len(header)} columns ({', '.join(header)}).")
            rows.append([field.strip() for field in record] + [""] * (len(header) - len(record)))
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise ScenarioError(f"{_at(key, path, reader.line_num)} could not be read as CSV ({one_line(exc)}).") from None
    if header is None:
        raise ScenarioError(f"{_at(key, path)} could not be read as CSV (the file is empty: no header line).")
    missing = columns - set(header)
    if missing:
        raise ScenarioError(
            f"{_at(key, path, header_line)} lacks column(s) {', '.join(sorted(missing))}; "
            f"it has {', '.join(header) or 'none'} (needed: {', '.join(sorted(columns))})."
        )
    if not rows:
        raise ScenarioError(f"{_at(key, path)} has a header but no rows.")
    df = pd.DataFrame(rows, columns=header, dtype=object)
    df[LINE] = lines
    return df


def _plain(value: Any) -> Any:
    """A numpy scalar as a plain Python value (so messages show 2.5, not np.float64(2.5))."""
    return value.item() if hasattr(value, "item") else value


def _shown(value: Any) -> str:
    """A cell as the messages show it."""
    if value == "":
        return "an empty cell"
    if isinstance(value, str) and not math.isnan(_number(value)):
        return value  # a number as written (-4, 2.5)
    return repr(_plain(value))


def _number(text: str) -> float:
    """A cell as a number (NaN if it is none)."""
    try:
        return float(text)
    except ValueError:
        return math.nan


def _grid(df: pd.DataFrame, key: str, value: str, path: Path) -> tuple[pd.DataFrame, str, int]:
    """Parse interval_start (HH:MM), check values and the regular grid; return (df with a
    ``line`` column, start, step). Without a ``date`` column an interval may be listed once
    per weekday only."""
    mins = [_clock_minutes(v) for v in df["interval_start"].astype(str)]
    bad = next((i for i, m in enumerate(mins) if m is None or m >= 24 * 60), None)
    if bad is not None:
        row = df.iloc[bad]
        raise ScenarioError(f"{_at(key, path, row[LINE], 'interval_start')}: {_shown(row['interval_start'])} is not a time HH:MM.")
    vals = df[value].map(_number).astype(float)
    bad = vals.isna() | (vals < 0) | ~vals.map(math.isfinite)
    if bad.any():
        row = df[bad.to_numpy()].iloc[0]
        raise ScenarioError(f"{_at(key, path, row[LINE], value)}: must hold numbers >= 0, found {_shown(row[value])}.")
    out = pd.DataFrame({"minute": mins, value: vals, "line": df[LINE].astype(int)}, index=df.index)
    if "weekday" in df.columns:
        out["weekday"] = df["weekday"].astype(str).str.strip().str.lower().str[:3]
        unknown = ~out["weekday"].isin([*WEEKDAYS, "all"])
        if unknown.any():
            j = int(unknown.to_numpy().argmax())
            raise ScenarioError(f"{_at(key, path, int(out['line'].iloc[j]), 'weekday')}: unknown weekday "
                                f"{_shown(df['weekday'].iloc[j])}; use mon..sun or all.")
    else:
        out["weekday"] = "all"
    if "date" not in df.columns:
        twice = out.duplicated(["weekday", "minute"])
        if twice.any():
            again = out[twice.to_numpy()].iloc[0]
            same = out[(out["weekday"] == again["weekday"]) & (out["minute"] == again["minute"])]
            first = int(same["line"].iloc[0])
            day = "" if again["weekday"] == "all" else f"{again['weekday']} "
            raise ScenarioError(
                f"{_at(key, path, int(again['line']), 'interval_start')}: {day}interval {hhmm(int(again['minute']))} is listed "
                f"more than once (lines {first} and {int(again['line'])}); give one row per interval (only a file with a date "
                "column may list an interval once per date)."
            )
    uniq = sorted(out["minute"].unique())
    gaps = [(a, b) for a, b in zip(uniq, uniq[1:], strict=False)]
    step = min((b - a for a, b in gaps), default=0)
    uneven = next(((a, b) for a, b in gaps if b - a != step or step not in _INTERVALS), None)
    if uneven is not None:
        a, b = uneven
        line = int(out.loc[out["minute"] == b, "line"].min())
        raise ScenarioError(
            f"{_at(key, path, line, 'interval_start')}: {hhmm(int(b))} follows {hhmm(int(a))} after {b - a} minutes, but "
            f"interval starts must be evenly spaced 15, 30 or 60 minutes apart (the closest are {step} minutes apart), "
            "with a row for every interval."
        )
    first = uniq[0]
    return out, hhmm(int(first)), int(step)


def _per_weekday(out: pd.DataFrame, value: str, start_min: int, step: int, how: str) -> dict[str, list[float]]:
    table: dict[str, list[float]] = {}
    for day, grp in out.groupby("weekday", sort=False):
        agg = grp.groupby("minute")[value].agg(how)
        if step:
            full = range(start_min, int(agg.index.max()) + 1, step)
            agg = agg.reindex(full, fill_value=0)
        table[str(day)] = [float(v) for v in agg.to_numpy()]
    return table


def _clock_minutes(value: Any) -> int | None:
    """Minutes since midnight of an ``"HH:MM"`` string or a time, up to 24:00 (the end of the
    day); None if it is not one (the schema or the caller reports a bad value with its own message)."""
    try:
        return clock_minutes(value, end=True)
    except ValueError:
        return None


def _raw_hours(raw: Mapping[str, Any], day: str) -> tuple[int, int] | None:
    """Regular (opens, closes) minutes of a weekday from the raw config, None when closed/unknown."""
    cal = raw.get("calendar")
    hours = cal.get("hours") if isinstance(cal, Mapping) else None
    entry = hours.get(day) if isinstance(hours, Mapping) else None
    if not isinstance(entry, Mapping):
        return None
    o, c = _clock_minutes(entry.get("opens")), _clock_minutes(entry.get("closes"))
    return (o, c) if o is not None and c is not None and o < c else None




_INTERVALS = (15, 30, 60)  # demand.interval_min's allowed values (sim.schema.DemandConfig)


def _read_profile_file(raw: dict[str, Any], demand: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    key = "demand.profile_file"
    if demand.get("profile") is not None:
        log.info("%s = %s replaces demand.profile.", key, demand["profile_file"])
    path = resolve_file(str(demand["profile_file"]), base_dir, key)
    df = _read_csv(path, key, {"interval_start", "calls"})
    out, start, step = _grid(df, key, "calls", path)
    interval = demand.get("interval_min", 30)
    start_min = int(out["minute"].min())
    profile = _per_weekday(out, "calls", start_min, step, "sum")
    if step and step != interval and interval in _INTERVALS:
        if start_min % interval:
            line = int(out.loc[out["minute"] == start_min, "line"].min())
            raise ScenarioError(f"{_at(key, path, line, 'interval_start')}: the file starts at {start} with {step}-minute "
                                f"intervals, which is not on the {interval}-minute grid of demand.interval_min.")
        for d, w in profile.items():
            if step < interval and len(w) % (interval // step):
                last = int(out.loc[out["weekday"] == d, "line"].max())
                raise ScenarioError(f"{_at(key, path, last, 'interval_start')}: {len(w)} intervals of {step} minutes"
                                    f"{'' if d == 'all' else ' on ' + d} do not make whole {interval}-minute intervals "
                                    "(demand.interval_min).")
        profile = {d: _resample(w, step, interval, key) for d, w in profile.items()}
    _check_weekdays_covered(raw, profile, f"{key} = {str(path)!r}, column weekday")
    _check_hours_covered(raw, out, step or (interval if interval in _INTERVALS else 30), key, path)
    demand = {**demand, "profile_start": start, "profile": profile, "profile_file": None}
    return {**raw, "demand": demand}


def _check_hours_covered(raw: Mapping[str, Any], out: pd.DataFrame, step: int, key: str, path: Path) -> None:
    """The rows of every open weekday (its own, or those without a weekday) must cover its
    opening hours: the error names the file, the line and the column."""
    for d in WEEKDAYS:
        hours = _raw_hours(raw, d)
        if hours is None:
            continue
        rows = out[out["weekday"] == (d if (out["weekday"] == d).any() else "all")]
        if rows.empty:
            continue  # named by _check_weekdays_covered
        first, last = int(rows["minute"].min()), int(rows["minute"].max()) + step
        opens, closes = hours
        if first > opens or last < closes:
            line = int(rows.loc[rows["minute"] == (rows["minute"].min() if first > opens else rows["minute"].max()), "line"].min())
            which = "" if rows["weekday"].iloc[0] == "all" else f" for {d}"
            raise ScenarioError(f"{_at(key, path, line, 'interval_start')}: the rows{which} cover {hhmm(first)}-{hhmm(last)}, but "
                                f"calendar.hours.{d} is open {hhmm(opens)}-{hhmm(closes)}; the file must cover the opening hours.")


def _resample(values: list[float], step: int, interval: int, key: str) -> list[float]:
    """Counts (or weights) on a ``step``-minute grid re-cut to ``interval`` minutes: split
    evenly onto a finer grid, summed onto a coarser one."""
    if step > interval:
        k = step // interval
        return [v / k for v in values for _ in range(k)]
    k = interval // step
    if len(values) % k:
        raise ScenarioError(f"Invalid scenario: {key}: {len(values)} intervals of {step} minutes do not make whole "
                            f"{interval}-minute intervals (demand.interval_min).")
    return [sum(values[i : i + k]) for i in range(0, len(values), k)]


def _check_weekdays_covered(raw: Mapping[str, Any], profile: Mapping[str, list[float]], key: str) -> None:
    """A profile file with rows for some weekdays only must cover every open weekday."""
    if "all" in profile:
        return
    missing = [d for d in WEEKDAYS if d not in profile and _raw_hours(raw, d) is not None
               and _weekday_factor(raw, d) != 0]
    if missing:
        raise ScenarioError(
            f"Invalid scenario: {key}: the file has rows for {', '.join(d for d in WEEKDAYS if d in profile)} only, but "
            f"calendar.hours is open on {', '.join(missing)}; give rows for every open weekday, or rows without a "
            "weekday (or weekday 'all') for the days the file does not list."
        )


def _weekday_factor(raw: Mapping[str, Any], day: str) -> Any:
    demand = raw.get("demand")
    factors = demand.get("weekday_factor") if isinstance(demand, Mapping) else None
    return factors.get(day, 1.0) if isinstance(factors, Mapping) else 1.0


def _inline_profile_grid(raw: dict[str, Any]) -> dict[str, Any]:
    """``demand.profile_interval_min`` (compose-only): the grid of an inline ``demand.profile``
    when it differs from ``demand.interval_min``; the weights are re-cut to the KPI grid."""
    demand = raw.get("demand")
    if not isinstance(demand, dict) or "profile_interval_min" not in demand:
        return raw
    demand = dict(demand)
    grid, interval = demand.pop("profile_interval_min"), demand.get("interval_min", 30)
    key = "demand.profile_interval_min"
    if grid is not None and grid not in _INTERVALS:
        raise ScenarioError(f"Invalid scenario: {key}: must be one of 15, 30, 60 (got {grid!r}).")
    profile = demand.get("profile")
    if grid and grid != interval and interval in _INTERVALS and isinstance(profile, dict):
        if max(grid, interval) % min(grid, interval):
            raise ScenarioError(f"Invalid scenario: {key}={grid} and demand.interval_min={interval} do not divide each other.")
        demand["profile"] = {d: _resample(list(w), grid, interval, "demand.profile") for d, w in profile.items()}
    return {**raw, "demand": demand}


def _read_table_file(raw: dict[str, Any], staffing: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    key = "staffing.table_file"
    path = staffing["table_file"]
    if staffing.get("mode") != "table":
        raise ScenarioError(
            f"Invalid scenario: {key} = {path!r} is set but staffing.mode is {staffing.get('mode')!r}; "
            "set staffing.mode=table (and staffing.agents=null) to use the file, or staffing.table_file=null."
        )
    if staffing.get("table") is not None:
        raise ScenarioError(f"Invalid scenario: {key} = {path!r} and staffing.table are both set; give exactly one.")
    file = resolve_file(str(path), base_dir, key)
    df = _read_csv(file, key, {"interval_start", "agents"})
    out, _, step = _grid(df, key, "agents", file)
    demand = raw.get("demand")
    interval = demand.get("interval_min", 30) if isinstance(demand, Mapping) else 30
    if interval not in _INTERVALS:
        # An invalid demand.interval_min is the real error: read the file on its own grid
        # and let the schema name demand.interval_min and its allowed values.
        interval = step or 30
    if step and step < interval:
        second = int(out.loc[out["minute"] == int(out["minute"].min()) + step, "line"].min())
        raise ScenarioError(f"{_at(key, file, second, 'interval_start')}: the file has {step}-minute intervals but "
                            f"demand.interval_min is {interval}; "
                            "a staffing table cannot be coarsened (which agent count would hold?): give one on the "
                            f"{interval}-minute grid, or use staffing=plan to derive it from the demand.")
    if step and step > interval:  # a finer KPI grid: each interval's agents stay on for its parts
        k = step // interval
        out = pd.concat([out.assign(minute=out["minute"] + j * interval) for j in range(k)], ignore_index=True)
        step = interval
    table: dict[str, list[int | float]] = {}
    for day, grp in out.groupby("weekday", sort=False):
        grp = grp.sort_values(["minute", "line"], kind="stable")
        mins, lines = grp["minute"].tolist(), grp["line"].tolist()
        dup = next((j for j in range(1, len(mins)) if mins[j - 1] == mins[j]), None)
        if dup is not None:
            raise ScenarioError(f"{_at(key, file, lines[dup], 'interval_start')}: {day} interval {hhmm(mins[dup])} is listed "
                                f"more than once (lines {lines[dup - 1]} and {lines[dup]}); give one row per interval.")
        gap = next((j for j in range(1, len(mins)) if mins[j] - mins[j - 1] != interval), None)
        if gap is not None:
            raise ScenarioError(
                f"{_at(key, file, lines[gap], 'interval_start')}: {day} has no row for the interval after "
                f"{hhmm(mins[gap - 1])} (line {lines[gap - 1]}); give one row per {interval}-minute interval of the "
                "opening hours, without gaps."
            )
        # The table is anchored at opening: its first row is the interval that starts then.
        days = [day] if day != "all" else [d for d in WEEKDAYS if d not in set(out["weekday"])]
        for d in days:
            hours = _raw_hours(raw, d)
            if hours is None:
                continue
            opens, closes = hours
            if opens % interval or closes % interval:
                continue  # off the interval grid: the schema names calendar.hours.<day>
            if mins[0] != opens:
                raise ScenarioError(
                    f"{_at(key, file, lines[0], 'interval_start')}: the rows for {day} start at {hhmm(mins[0])}, but "
                    f"calendar.hours.{d}.opens is {hhmm(opens)}; the table is anchored at opening, "
                    f"so its first interval_start must be {hhmm(opens)}."
                )
            need = (closes - opens) // interval
            if len(mins) != need:
                raise ScenarioError(
                    f"{_at(key, file, lines[-1], 'interval_start')}: {day} has {len(mins)} rows (lines {lines[0]}-{lines[-1]}, "
                    f"{hhmm(mins[0])}-"
                    f"{hhmm(mins[-1] + interval)}), but calendar.hours.{d} is open "
                    f"{hhmm(opens)}-{hhmm(closes)}: {need} intervals of {interval} minutes."
                )
        # a whole count stays an int (integer tables are what they always were); a fraction is a
        # time-average the schema keeps to two decimals (sim.world.staffing.regular_steps)
        table[str(day)] = [int(v) if float(v).is_integer() else float(v) for v in grp["agents"]]
    return {**raw, "staffing": {**staffing, "table": table, "table_file": None}}


def _read_handling_file(raw: dict[str, Any], handling: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    """``handling.profile_file``: a CSV ``interval_start,factor`` read into ``handling.by_interval``."""
    key = "handling.profile_file"
    path = handling["profile_file"]
    if handling.get("by_interval") is not None:
        raise ScenarioError(f"Invalid scenario: {key} = {path!r} and handling.by_interval are both set; give exactly one "
                            "(or set handling.by_interval=null).")
    df = _read_csv(resolve_file(str(path), base_dir, key), key, {"interval_start", "factor"})
    if "weekday" in df.columns:
        raise ScenarioError(f"Invalid scenario: {key}: one handle-time profile holds for every day; remove the weekday column.")
    mins = [_clock_minutes(v) for v in df["interval_start"].astype(str)]
    lines = [int(x) for x in df[LINE]]  # as an editor counts them: blank lines are skipped, not forgotten
    for line, v, m in zip(lines, df["interval_start"], mins, strict=True):
        if m is None or m >= 24 * 60:
            raise ScenarioError(f"Invalid scenario: {key}: line {line}: interval_start {v!r} is not a time HH:MM (00:00-23:59).")
    factor = pd.to_numeric(df["factor"], errors="coerce")
    bad = ~(factor > 0) | ~factor.map(math.isfinite)
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise ScenarioError(f"Invalid scenario: {key}: line {lines[i]}: column factor must hold numbers > 0 (a multiplier of the "
                            f"handle time), found {_plain(df['factor'].iloc[i])!r}.")
    ms = [int(m) for m in mins if m is not None]
    dup = next((m for k, m in enumerate(ms) if m in ms[:k]), None)
    if dup is not None:
        raise ScenarioError(f"Invalid scenario: {key}: interval_start {hhmm(dup)} is listed more than once.")
    by = {hhmm(m): float(f) for m, f in sorted(zip(ms, factor, strict=True))}
    return {**raw, "handling": {**handling, "by_interval": by, "profile_file": None}}


def read_data_files(raw: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    raw = _inline_profile_grid(raw)
    handling = raw.get("handling")
    if isinstance(handling, dict) and handling.get("profile_file"):
        raw = _read_handling_file(raw, handling, base_dir)
    demand = raw.get("demand")
    if isinstance(demand, dict) and demand.get("profile_file"):
        raw = _read_profile_file(raw, demand, base_dir)
    staffing = raw.get("staffing")
    planned_for = None
    if isinstance(staffing, dict) and "planned_for" in staffing:
        staffing = dict(staffing)
        planned_for = staffing.pop("planned_for")
        raw = {**raw, "staffing": staffing}
    raw = constant_over_table(raw)
    staffing = raw.get("staffing")
    if isinstance(staffing, dict) and staffing.get("mode") == "plan":
        return planned_staffing(raw, staffing)
    if isinstance(staffing, dict) and staffing.get("table_file"):
        if isinstance(demand, dict) and demand.get("profile_file") and not _same_file(planned_for, demand["profile_file"], base_dir):
            log.warning("demand.profile_file %s is a new demand profile, but the staffing is still the table %s "
                        "(planned for another demand); staffing=plan derives the Erlang A table from this demand.",
                        demand["profile_file"], staffing["table_file"])
        raw = _read_table_file(raw, staffing, base_dir)
    return raw



def _same_file(a: object, b: object, base_dir: Path) -> bool:
    """Whether two data-file settings name the same file (relative paths from ``base_dir``)."""
    if not a or not b:
        return False
    return bool((base_dir / str(a)).resolve() == (base_dir / str(b)).resolve())

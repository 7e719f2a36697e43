"""Read a team file (YAML or CSV) into a validated :class:`~sim.schema.TeamConfig`.

YAML: a mapping with ``agents:``, a list of ``{id, name, contract, skills, days_off,
unavailable, vacations: [{start, end}], earliest_start, latest_end}``. CSV: one row per agent
with those columns (``id``, ``name`` and ``contract`` required; UTF-8, or Windows-1252 as Swedish
Excel saves it); list cells hold values
separated by spaces (``phones cases``, ``fri``, ``2026-12-07 2026-12-08``), vacations as
``START..END`` (``2026-12-21..2026-12-31``). Every problem is one :class:`ScenarioError`
paragraph naming the file, the row (line) and the column (key) and what is allowed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.errors import ScenarioError
from sim.scenario.datafiles import decode_text
from sim.schema import TeamConfig

CSV_COLUMNS = ("id", "name", "contract", "skills", "days_off", "unavailable", "vacations", "earliest_start", "latest_end",
               "prefers", "preferred_days_off")
_LISTS = ("skills", "days_off", "unavailable", "preferred_days_off")


def read_team(path: Path, period: tuple[dt.date, dt.date] | None = None, outside: str = "error") -> TeamConfig:
    """The team of ``path`` (``.yaml``/``.yml`` or ``.csv``); with ``period`` and ``outside``
    ``"error"``, a vacation or unavailable date that lies wholly outside it is an error."""
    if path.suffix.lower() in (".yaml", ".yml"):
        team, where = _read_yaml(path)
    elif path.suffix.lower() == ".csv":
        team, where = _read_csv(path)
    else:
        raise ScenarioError(f"Invalid team file {path}: unknown format {path.suffix!r}; give a .yaml, .yml or .csv file.")
    if period is not None and outside == "error":
        _check_period(path, team, period, where)
    return team


Where = dict[tuple[int, str], str]  # (agent index, key) -> "line L, column C" / "row R, column C"


def _fail(path: Path, place: str, text: str) -> ScenarioError:
    return ScenarioError(" ".join(f"Invalid team file {path}: {place}: {text}".split()))


def _validate(path: Path, data: Any, where: Where, agent_place: dict[int, str]) -> TeamConfig:
    try:
        return TeamConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [p for p in err["loc"] if not (isinstance(p, str) and (p.startswith("function-") or p in ("list", "str")))]
        msg = err["msg"].removeprefix("Value error, ")
        m = re.match(r"agents\.(\d+)\.(\w+): (.*)", msg)
        if not loc and m:  # a check of the whole team names its agent and key in the text
            loc, msg = ["agents", int(m.group(1)), m.group(2)], m.group(3)
        if len(loc) >= 2 and loc[0] == "agents" and isinstance(loc[1], int):
            i = loc[1]
            rel, sep, rest = msg.partition(": ")
            key = str(loc[2]) if len(loc) > 2 else (rel.split(".")[-1] if sep and " " not in rel else "")
            if sep and " " not in rel:
                msg = rest
            place = where.get((i, key), agent_place.get(i, f"agent {i + 1}"))
            given = err.get("input")
            shown = "" if isinstance(given, dict | list) or err["type"] == "value_error" else f" (got {given!r})"
            hint = _HINTS.get(key, "")
            return_text = f"{key or 'agent'}: {msg[0].lower() + msg[1:]}{shown}{hint}" if key else f"{msg}{shown}"
            raise _fail(path, place, return_text) from None
        raise _fail(path, "agents", f"{' '.join(map(str, loc))}: {msg}") from None


_HINTS = {
    "skills": "; allowed skills: phones, cases, second_line",
    "contract": "; a contract is the share of a full-time week, 0 < contract <= 1.0 (e.g. 1.0, 0.75, 0.5)",
    "days_off": "; weekdays are mon, tue, wed, thu, fri, sat, sun",
    "preferred_days_off": "; weekdays are mon, tue, wed, thu, fri, sat, sun",
    "prefers": "; early or late (or empty: no wish)",
    "earliest_start": '; a time "HH:MM"',
    "latest_end": '; a time "HH:MM" (up to "24:00")',
}


def _read_yaml(path: Path) -> tuple[TeamConfig, Where]:
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(" ".join(f"Invalid team file {path}: not valid YAML ({exc}).".split())) from None
    where: Where = {}
    agent_place: dict[int, str] = {}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == "agents" and isinstance(v, yaml.SequenceNode):
                for i, item in enumerate(v.value):
                    agent_place[i] = f"line {item.start_mark.line + 1} (agent {i + 1})"
                    if isinstance(item, yaml.MappingNode):
                        for kk, _ in item.value:
                            where[(i, str(kk.value))] = (f"line {kk.start_mark.line + 1}, column {kk.start_mark.column + 1} "
                                                         f"(agent {i + 1}, key {kk.value})")
    if not isinstance(data, dict) or "agents" not in data:
        raise _fail(path, "line 1", "expected a mapping with the key 'agents' (a list of agents: id, name, contract, skills, ...)")
    return _validate(path, data, where, agent_place), where


def _split(cell: str) -> list[str]:
    return [x for x in re.split(r"[\s,;]+", cell.strip()) if x]


def _read_csv(path: Path) -> tuple[TeamConfig, Where]:
    try:
        text = decode_text(path.read_bytes())  # UTF-8, or Windows-1252 as Swedish Excel saves a CSV
    except OSError as exc:
        raise ScenarioError(f"Invalid team file {path}: could not be read ({exc}).") from None
    if text is None:
        raise ScenarioError(f"Invalid team file {path}: not a text CSV file (it holds binary data, e.g. an Excel workbook or "
                            f"UTF-16 text); save it as CSV (UTF-8) with the columns {', '.join(CSV_COLUMNS)}.")
    sample = text[:4096]
    delim = ";" if sample.count(";") > sample.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:
        raise ScenarioError(f"Invalid team file {path}: could not be read as CSV ({exc}).") from None
    if not rows:
        raise _fail(path, "row 1", f"the file is empty; the header needs the columns {', '.join(CSV_COLUMNS)}")
    header = [h.strip() for h in rows[0]]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        col = header.index(unknown[0]) + 1
        raise _fail(path, f"row 1, column {col} ({unknown[0]})", f"unknown column; allowed: {', '.join(CSV_COLUMNS)}")
    missing = [c for c in ("id", "name", "contract") if c not in header]
    if missing:
        raise _fail(path, "row 1", f"missing column(s) {', '.join(missing)} (needed: id, name, contract)")
    agents: list[dict[str, Any]] = []
    where: Where = {}
    agent_place: dict[int, str] = {}
    for r, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        i = len(agents)
        agent_place[i] = f"row {r} (agent {i + 1})"
        a: dict[str, Any] = {}
        for c, (h, cell) in enumerate(zip(header, row, strict=False), start=1):
            where[(i, h)] = f"row {r}, column {c} ({h})"
            cell = cell.strip()
            if not cell:
                continue
            if h in _LISTS:
                a[h] = _split(cell)
            elif h == "vacations":
                spans = []
                for tok in _split(cell):
                    start, sep, end = tok.partition("..")
                    spans.append({"start": start, "end": end if sep else start})
                a[h] = spans
            else:
                a[h] = cell
        agents.append(a)
    return _validate(path, {"agents": agents}, where, agent_place), where


def _check_period(path: Path, team: TeamConfig, period: tuple[dt.date, dt.date], where: Where) -> None:
    first, last = period
    for i, a in enumerate(team.agents):
        for v in a.vacations:
            if v.end < first or v.start > last:
                raise _fail(path, where.get((i, "vacations"), f"agent {i + 1}"),
                            f"vacations: {v.start}..{v.end} of {a.id} lies outside the planning period {first} to {last}; "
                            "correct the dates, plan a period that includes it, or set schedule.dates_outside_period=ignore")
        for d in a.unavailable:
            if not first <= d <= last:
                raise _fail(path, where.get((i, "unavailable"), f"agent {i + 1}"),
                            f"unavailable: {d} of {a.id} lies outside the planning period {first} to {last}; correct the "
                            "date, plan a period that includes it, or set schedule.dates_outside_period=ignore")

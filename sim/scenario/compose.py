"""Compose scenarios with Hydra and validate them into a frozen :class:`~sim.schema.Scenario`.

``load_scenario("default")`` composes ``scenarios/config.yaml``; any other name applies the
experiment delta ``scenarios/experiment/<name>.yaml`` on top (the Hydra "configuring
experiments" pattern). Overrides use Hydra's syntax (``staffing.agents=30``).

Data files named in a scenario (``demand.profile_file``, ``staffing.table_file``,
``handling.profile_file``) are read here, once, so the model itself never touches a file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import os
import re
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import annotated_types
import pandas as pd
from hydra import compose, initialize_config_dir
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from sim.errors import ScenarioError
from sim.schema import WEEKDAYS, Scenario, hhmm, minutes
from sim.world.calendar import day_plans
from sim.world.staffing import agents_at_open_intervals

_PKG_ROOT = Path(__file__).resolve().parents[2]  # the project root (sim/scenario/compose.py -> .)


def scenarios_dir() -> Path:
    """Where scenarios live: ``$SIM_SCENARIOS``, else ``./scenarios``, else the project's."""
    env = os.environ.get("SIM_SCENARIOS")
    if env:
        return Path(env).resolve()
    local = Path.cwd() / "scenarios"
    if (local / "config.yaml").is_file():
        return local.resolve()
    return _PKG_ROOT / "scenarios"


def load_scenario(
    name: str = "default",
    overrides: Sequence[str] = (),
    config_dir: str | Path | None = None,
) -> Scenario:
    """Compose and validate a scenario (for notebooks, tests and scripts)."""
    root = Path(config_dir).resolve() if config_dir else scenarios_dir()
    if not (root / "config.yaml").is_file():
        raise ScenarioError(f"No scenarios found: {root}/config.yaml does not exist (set SIM_SCENARIOS or pass config_dir).")
    args = list(overrides)
    if name != "default":
        if not (root / "experiment" / f"{name}.yaml").is_file():
            known = sorted(p.stem for p in (root / "experiment").glob("*.yaml"))
            raise ScenarioError(f"Unknown scenario {name!r}: there is no {root}/experiment/{name}.yaml "
                                f"(known: default, {', '.join(known)}).")
        args.append(f"+experiment={name}")
    problem = check_overrides(args, root)
    if problem:
        raise ScenarioError(problem)
    try:
        with initialize_config_dir(version_base="1.3", config_dir=str(root)):
            cfg = compose(config_name="config", overrides=args)
    except (HydraException, OmegaConfBaseException, ValueError, TypeError, KeyError) as exc:
        # Hydra raises plain ValueError/TypeError for some malformed group overrides.
        raise ScenarioError(composition_error(exc, args)) from None
    return validate(cfg, base_dir=root)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def composition_error(exc: BaseException, args: Sequence[str]) -> str:
    """One paragraph for an error Hydra raised while composing (bad override syntax, a key
    that the scenario files do not set, a missing group option)."""
    text = _one_line(exc)
    head = f"Invalid scenario composition ({', '.join(args) or 'no overrides'}): "
    m = re.search(r"Could not override '([^']+)'", text)
    if m:
        key = m.group(1)
        if not schema_has(key):
            return head + f"unknown key '{key}': it is not in the scenario schema, so it cannot be set. {_allowed_keys_hint(key)}"
        return head + (
            f"'{key}' is a valid key, but the scenario files do not set it (or the value adds keys "
            f"they do not set), so Hydra cannot override it; add it with a leading '+' "
            f"(+{key}=...), or set each new sub-key with '+'. Hydra said: {text}"
        )
    if "LexerNoViableAlt" in text or "mismatched input" in text or "extraneous input" in text:
        return head + (
            f"{text} (override syntax is key=value; quote values that hold spaces or letters "
            "such as å, ä, ö: calendar.closed_eves=['Nyårsafton'])"
        )
    return head + text


def check_overrides(args: Sequence[str], root: Path | None = None) -> str | None:
    """Check command-line overrides before Hydra composes them; return an error text or None.

    Catches a key that is not in the schema (``staffing.tabel=3``: Hydra's own message would
    suggest adding it with ``+``, which the schema then refuses), a group override whose
    value is not a file name (``staffing=[1,2]``: Hydra crashes with a TypeError deep inside)
    and a decimal comma on a numeric key (``patience.mean=3,5``: Hydra reads a sweep and asks
    for ``--multirun``). Syntax errors are left to Hydra, which reports them with context."""
    root = root or scenarios_dir()
    if not root.is_dir():
        return None
    groups = {p.name: sorted(q.stem for q in p.glob("*.yaml")) for p in root.iterdir() if p.is_dir()}
    candidates = [a for a in args if not a.startswith("-") and "=" in a]
    try:
        parsed = OverridesParser.create().parse_overrides(candidates)
    except Exception:  # noqa: BLE001 - syntax errors are reported by Hydra itself, with context
        return None
    multirun = any(a in ("-m", "--multirun") for a in args)
    for o in parsed:
        key = o.key_or_group
        if re.split(r"[./]", key)[0] == "hydra" or o.package is not None:
            continue  # Hydra's own settings (hydra.run.dir, hydra/launcher=...)
        comma = None if multirun or key in groups else _decimal_comma(o.input_line or "", key)
        if comma:
            return comma
        if key not in groups:
            if not o.is_add() and not o.is_force_add() and not schema_has(key) and key not in COMPOSE_ONLY_KEYS:
                return (
                    f"Invalid scenario composition ({o.input_line}): unknown key '{key}': it is not "
                    f"in the scenario schema, so it cannot be set. {_allowed_keys_hint(key)}"
                )
            if not o.is_add() and not o.is_force_add() and not o.is_delete():
                try:
                    hint = _unset_group_key(o.input_line or key, key, root, groups, parsed)
                except Exception:  # noqa: BLE001 - only a hint: when unsure, Hydra reports
                    hint = None
                if hint:
                    return hint
            continue
        if o.is_delete():
            continue
        try:
            values = list(o.sweep_iterator()) if o.is_sweep_override() else [o.value()]
        except Exception:  # noqa: BLE001 - range/interval sweeps: leave them to Hydra
            continue
        for v in values:
            items = v if isinstance(v, list) else [v]
            bad = [x for x in items if not isinstance(x, str)]
            if bad or not items:
                known = ", ".join(groups[o.key_or_group]) or "none"
                return (
                    f"Invalid scenario composition ({o.input_line}): '{o.key_or_group}' is a config "
                    f"group, so its value must name a file in scenarios/{o.key_or_group}/ "
                    f"(one of: {known}), got {v!r}; to change a single key use e.g. "
                    f"{o.key_or_group}.<key>=<value>."
                )
    return None


def _decimal_comma(line: str, key: str) -> str | None:
    """The error for ``key=3,5`` on a numeric key (a decimal comma, as Swedish writes numbers),
    or None."""
    value = line.partition("=")[2].strip()
    if not re.fullmatch(r"[+-]?\d+,\d+", value):
        return None
    found = _schema_at(key.split("."))
    kind = _expected(found[0]) if found is not None else None
    if kind == "a whole number":
        return (f"Invalid scenario composition ({line}): {key} is a whole number, and {value} is not one; a comma "
                "separates the values of a sweep: add --multirun to run each of them.")
    if kind != "a number":
        return None
    return (f"Invalid scenario composition ({line}): {key} is a number, and {value} has a decimal comma; "
            f"write {value.replace(',', '.')} (a comma separates the values of a --multirun sweep).")


_ABSENT = object()
log = logging.getLogger(__name__)


def _yaml(path: Path) -> DictConfig | None:
    try:
        cfg = OmegaConf.load(path)
    except Exception:  # noqa: BLE001 - an unreadable file is Hydra's to report
        return None
    return cfg if isinstance(cfg, DictConfig) else None


def _lookup(cfg: Any, key: str) -> Any:
    """The raw value at a dotted key (interpolations unresolved), or ``_ABSENT``."""
    node = OmegaConf.to_container(cfg, resolve=False) if isinstance(cfg, DictConfig) else cfg
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _ABSENT
        node = node[part]
    return node


def _sets(cfg: Any, key: str) -> bool:
    return cfg is not None and _lookup(cfg, key) is not _ABSENT


def _unset_group_key(line: str, key: str, root: Path, groups: Mapping[str, list[str]], parsed: Sequence[Any]) -> str | None:
    """Explain an override of a schema key that the selected option of its group does not set
    while another option does (``staffing.agents=14`` on the table staffing ``fibra``: Hydra
    would only say "use +", and '+' then clashes with the table). None when unsure."""
    group, _, rest = key.partition(".")
    if group not in groups or not rest:
        return None
    base = _yaml(root / "config.yaml")
    if base is None:
        return None
    selected: str | None = None
    for item in base.get("defaults") or []:
        if isinstance(item, DictConfig) and group in item and isinstance(item[group], str):
            selected = item[group]
    bodies = [base.get(group)]
    for o in parsed:
        if o.key_or_group == "experiment" and not o.is_delete() and not o.is_sweep_override():
            exp = _yaml(root / "experiment" / f"{o.value()}.yaml")
            if exp is None:
                return None
            for item in exp.get("defaults") or []:
                if isinstance(item, DictConfig):
                    for k, v in item.items():
                        if str(k).replace("override", "").strip().strip("/") == group and isinstance(v, str):
                            selected = v
            bodies.append(exp.get(group))
    for o in parsed:
        if o.key_or_group == group and o.package is None:
            if o.is_sweep_override() or o.is_delete() or not isinstance(o.value(), str):
                return None  # several options (a sweep): Hydra reports per job
            selected = o.value()
    if selected is None or selected not in groups[group]:
        return None
    option = _yaml(root / group / f"{selected}.yaml")
    if option is None or _sets(option, rest) or any(isinstance(b, DictConfig) and _sets(b, rest) for b in bodies):
        return None
    value = line.partition("=")[2]
    parts = rest.split(".")
    for i in range(1, len(parts)):
        prefix = ".".join(parts[:i])
        if _lookup(option, prefix) is None:
            # a sub-key of a group that is null (montecarlo.sweep.levels while sweep: null)
            return (
                f"Invalid scenario composition ({line}): '{group}.{prefix}' is null in "
                f"scenarios/{group}/{selected}.yaml, so its sub-key '{key}' cannot be overridden; "
                f"set it as a whole, e.g. '{group}.{prefix}={{{parts[i]}: {value}}}' (adding any other "
                f"keys of {group}.{prefix} inside the braces)."
            )
    others = [g for g in groups[group] if g != selected and _sets(_yaml(root / group / f"{g}.yaml"), rest)]
    if not others:
        return None  # no option sets it: Hydra's own "use +" message is the right advice
    return (
        f"Invalid scenario composition ({line}): '{key}' is a valid key, but the selected "
        f"{group} option '{selected}' (scenarios/{group}/{selected}.yaml) does not set it, so it "
        f"cannot be overridden. Select an option that sets it, e.g. {group}={others[0]} "
        f"{key}={value}" + (f" (options that set it: {', '.join(others)})" if len(others) > 1 else "")
        + ("" if group == "staffing" else f"; or add it with a leading '+' (+{key}={value}) to combine it with '{selected}'.")
        + ("." if group == "staffing" else "")
    )


def validate(cfg: DictConfig | Mapping[str, Any], base_dir: Path | None = None) -> Scenario:
    """Validate a composed config; every problem becomes one :class:`ScenarioError` paragraph."""
    try:
        raw = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else dict(cfg)
    except OmegaConfBaseException as exc:
        raise ScenarioError(f"Invalid scenario: {_one_line(exc)}") from None
    assert isinstance(raw, dict)
    raw.pop("hydra", None)
    raw = _read_data_files(typing.cast(dict[str, Any], raw), base_dir or scenarios_dir())
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(format_errors(exc)) from None
    # Closure windows can only be checked against each date's actual hours (a window in the
    # middle of a day is refused): do it now rather than in the middle of a simulation.
    day_plans(scenario.calendar, scenario.run.start, scenario.run.end)
    if scenario.patience.infinite:
        _check_no_empty_interval(scenario)
    tr = scenario.transfers
    if tr.policy == "blind" and tr.blind_patience.infinite:  # the target groups obey the same rule
        for group in sorted({c.transfer_to for c in tr.case_types.values() if c.transfer_to}):
            _check_no_empty_interval(scenario.model_copy(update={"staffing": tr.groups[group]}), f"transfers.groups.{group}",
                                     "transfers.blind_patience.dist")
    return scenario


def _check_no_empty_interval(s: Scenario, prefix: str = "staffing", patience_key: str = "patience.dist") -> None:
    """With infinite patience, an open interval without agents would strand callers."""
    for name, clock, count in agents_at_open_intervals(s):
        if count == 0:
            st = s.staffing
            if st.mode == "constant":
                key = f"{prefix}.agents"
            elif st.mode == "table":
                key = f"{prefix}.table.{name if st.table and name in st.table else 'all'}"
            else:
                key = f"{prefix}.shifts"
            raise ScenarioError(
                f"Invalid scenario: {key}: no agent on duty on {name} at {clock} (0 agents), but {patience_key} is infinite, so "
                "callers would wait forever; staff every open interval with >= 1 agent or use a "
                f"finite patience (e.g. {patience_key}=exponential {patience_key.removesuffix('.dist')}.mean=300)."
            )


# --------------------------------------------------------------------------- error text

_TYPE_TAGS = {"int", "float", "str", "bool", "list", "dict", "none", "function-after", "function-before", "function-wrap"}


def _is_tag(part: str) -> bool:
    """pydantic's union-branch and validator labels in an error location are not keys."""
    return part in _TYPE_TAGS or "[" in part or part.endswith("Config") or part.startswith("lax-") or part.startswith("json-")


def _key(loc: Sequence[str | int]) -> str:
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        elif _is_tag(part):
            continue
        else:
            key += f".{part}" if key else part
    return key


def _unwrap(tp: Any) -> tuple[Any, list[Any]]:
    """Strip ``Annotated`` and ``None`` from a type; return (type, constraint metadata)."""
    meta: list[Any] = []
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            base, *extra = typing.get_args(tp)
            for m in extra:
                meta.extend(m.metadata if isinstance(m, FieldInfo) else [m])
            tp = base
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp, meta
            tp = args[0]
        else:
            return tp, meta


def _schema_at(loc: Sequence[str | int]) -> tuple[Any, list[Any]] | None:
    """The schema type (and its constraints) at an error location, or None if there is none."""
    tp: Any = Scenario
    meta: list[Any] = []
    for part in loc:
        if isinstance(part, str) and _is_tag(part):
            continue
        tp, _ = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
            field = tp.model_fields.get(part)
            if field is None:
                return None
            tp, meta = _unwrap(field.annotation)
            meta = [*field.metadata, *meta]
            continue
        if origin is dict and isinstance(part, str):
            tp, meta = _unwrap(typing.get_args(tp)[1])
            continue
        if origin is list and isinstance(part, int):
            tp, meta = _unwrap(typing.get_args(tp)[0])
            continue
        return None
    tp, more = _unwrap(tp)
    return tp, [*meta, *more]


def schema_has(key: str) -> bool:
    """True when a dotted key (``staffing.table_file``, ``demand.profile.mon``) is in the schema."""
    parts: list[str | int] = []
    for p in key.split("."):
        parts.extend(int(x) if x.isdigit() else x for x in re.split(r"\[(\d+)\]", p) if x != "")
    return _schema_at(parts) is not None


def _allowed_keys_hint(key: str) -> str:
    parent = key.rpartition(".")[0]
    found = _schema_at(parent.split(".")) if parent else (Scenario, [])
    if found is not None:
        tp = found[0]
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            where = f"in {parent}" if parent else "at the top level"
            return f"Allowed keys {where}: {', '.join(tp.model_fields)}."
        if typing.get_origin(tp) is dict:
            keys = typing.get_args(typing.get_args(tp)[0])
            if keys:
                return f"Allowed keys in {parent}: {', '.join(map(str, keys))}."
    return "Check the spelling against the schema in sim/config.py."


def _expected(tp: Any) -> str:
    """A short description of what a schema type accepts."""
    tp, _ = _unwrap(tp)
    origin = typing.get_origin(tp)
    if origin is typing.Literal:
        return "one of " + ", ".join(map(str, typing.get_args(tp)))
    if tp is bool:
        return "true or false"
    if tp is int:
        return "a whole number"
    if tp is float:
        return "a number"
    if tp is str:
        return "a text"
    if tp is dt.time:
        return 'a time "HH:MM"'
    if tp is dt.date:
        return 'a date "YYYY-MM-DD"'
    if origin is list:
        return f"a list of {_plural(typing.get_args(tp)[0])}"
    if origin is dict:
        return "a mapping"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "a group of keys (" + ", ".join(tp.model_fields) + ")"
    return "a valid value"


def _plural(tp: Any) -> str:
    text = _expected(tp)
    return {"a whole number": "whole numbers", "a number": "numbers", "a text": "texts"}.get(text, text)


def _bounds(meta: Sequence[Any]) -> str:
    parts = []
    for m in meta:
        for attr, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            v = getattr(m, attr, None)
            if v is not None and isinstance(m, annotated_types.BaseMetadata):
                parts.append(f"{sym} {v:g}" if isinstance(v, float) else f"{sym} {v}")
    return " and ".join(parts)


_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal", "finite_number"}


def _describe(err: Mapping[str, Any]) -> str:
    loc = list(err["loc"])
    msg: str = err["msg"]
    key = _key(loc)
    if err["type"] == "extra_forbidden":
        return f"unknown key '{key}' (check the spelling; scenarios may not add keys, and never '_target_'). {_allowed_keys_hint(key)}"
    if err["type"] == "value_error":
        text = msg.removeprefix("Value error, ")
        rel, sep, rest = text.partition(": ")
        if sep and " " not in rel:
            return f"{_key([*loc, *rel.split('.')])}: {rest}"
        return f"{key or 'scenario'}: {text}"
    found = _schema_at(loc)
    tp, meta = found if found is not None else (None, [])
    if err["type"] == "missing":
        want = f": {_expected(tp)}" if tp is not None else ""
        return f"missing required key '{key}'{want}"
    if err["type"] in ("model_type", "model_attributes_type", "dict_type"):
        msg = "expected a group of keys, not a single value"
    given = err.get("input")
    shown = f" (got {given!r})" if not isinstance(given, dict | list) else " (got a " + type(given).__name__ + ")"
    text = f"{key}: {msg[0].lower() + msg[1:]}{shown}"
    if tp is None or err["type"].startswith("literal") or err["type"] == "enum":
        return text  # pydantic already lists the allowed values
    allowed = _expected(tp)
    rng = _bounds(meta)
    if err["type"] in _RANGE_ERRORS:
        return f"{text}; allowed: {allowed} {rng}" if rng else f"{text}; allowed: {allowed}"
    return f"{text}; allowed: {allowed}" + (f" {rng}" if rng else "")


def format_errors(exc: ValidationError) -> str:
    """One paragraph naming each bad key, its value and the allowed range."""
    parts = [_describe(e).rstrip(".") for e in exc.errors()]
    return " ".join(("Invalid scenario: " + "; ".join(parts) + ".").split())


# --------------------------------------------------------------------------- data files


def _resolve(path: str, base_dir: Path, key: str) -> Path:
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


def _text_of(path: Path, key: str, columns: set[str]) -> str:
    """The file's text (UTF-8, with or without a byte-order mark, or Windows-1252 as Swedish
    Excel saves it); a binary file is refused without showing its bytes."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{_at(key, path)} could not be read ({exc.strerror or exc}).") from None
    text = None
    if b"\x00" not in data:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if text is None or _BINARY.search(text):
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
        raise ScenarioError(f"{_at(key, path, reader.line_num)} could not be read as CSV ({_one_line(exc)}).") from None
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
    text = df["interval_start"].astype(str).str.strip()
    text = text.where(~text.str.fullmatch(r"\d{1,2}:\d{2}:00"), text.str.slice(0, -3))  # HH:MM:00
    times = pd.to_datetime(text, format="%H:%M", errors="coerce")
    if times.isna().any():
        row = df[times.isna().to_numpy()].iloc[0]
        raise ScenarioError(f"{_at(key, path, row[LINE], 'interval_start')}: {_shown(row['interval_start'])} is not a time HH:MM.")
    vals = df[value].map(_number).astype(float)
    bad = vals.isna() | (vals < 0) | ~vals.map(math.isfinite)
    if bad.any():
        row = df[bad.to_numpy()].iloc[0]
        raise ScenarioError(f"{_at(key, path, row[LINE], value)}: must hold numbers >= 0, found {_shown(row[value])}.")
    mins = times.dt.hour * 60 + times.dt.minute
    out = pd.DataFrame({"minute": mins, value: vals, "line": df[LINE].astype(int)})
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
    """Minutes since midnight of an ``"HH:MM"`` string or a time; None if it is not one
    (the schema reports a bad value with its own message)."""
    if isinstance(value, dt.time):
        return minutes(value)
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})(?::00)?\s*", str(value)) if isinstance(value, str) else None
    if m is None or int(m.group(2)) > 59:
        return None
    total = int(m.group(1)) * 60 + int(m.group(2))
    return total if total <= 24 * 60 else None  # up to 24:00, the end of the day


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
    path = _resolve(str(demand["profile_file"]), base_dir, key)
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
    file = _resolve(str(path), base_dir, key)
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
    df = _read_csv(_resolve(str(path), base_dir, key), key, {"interval_start", "factor"})
    if "weekday" in df.columns:
        raise ScenarioError(f"Invalid scenario: {key}: one handle-time profile holds for every day; remove the weekday column.")
    mins = [_clock_minutes(v) for v in df["interval_start"].astype(str)]
    for line, (v, m) in enumerate(zip(df["interval_start"], mins, strict=True), start=2):
        if m is None or m >= 24 * 60:
            raise ScenarioError(f"Invalid scenario: {key}: line {line}: interval_start {v!r} is not a time HH:MM (00:00-23:59).")
    factor = pd.to_numeric(df["factor"], errors="coerce")
    bad = ~(factor > 0) | ~factor.map(math.isfinite)
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise ScenarioError(f"Invalid scenario: {key}: line {i + 2}: column factor must hold numbers > 0 (a multiplier of the "
                            f"handle time), found {_plain(df['factor'].iloc[i])!r}.")
    ms = [int(m) for m in mins if m is not None]
    dup = next((m for k, m in enumerate(ms) if m in ms[:k]), None)
    if dup is not None:
        raise ScenarioError(f"Invalid scenario: {key}: interval_start {hhmm(dup)} is listed more than once.")
    by = {hhmm(m): float(f) for m, f in sorted(zip(ms, factor, strict=True))}
    return {**raw, "handling": {**handling, "by_interval": by, "profile_file": None}}


def _read_data_files(raw: dict[str, Any], base_dir: Path) -> dict[str, Any]:
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
    raw = _constant_over_table(raw)
    staffing = raw.get("staffing")
    if isinstance(staffing, dict) and staffing.get("mode") == "plan":
        return _planned_staffing(raw, staffing)
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


PLAN_MODELS = ("erlang_a", "erlang_c")
# Read while composing (staffing=plan, the staffing table's provenance, an inline profile's grid), never by the schema.
COMPOSE_ONLY_KEYS = ("staffing.model", "staffing.planned_for", "demand.profile_interval_min")


def _constant_over_table(raw: dict[str, Any]) -> dict[str, Any]:
    """``staffing.agents=N`` on a table (or plan) staffing means N agents on every open
    interval: the table is replaced by a constant, and a log line says so."""
    staffing = raw.get("staffing")
    if not isinstance(staffing, dict) or staffing.get("agents") is None:
        return raw
    has_table = staffing.get("table") is not None or staffing.get("table_file") is not None
    if not (staffing.get("mode") == "plan" or (staffing.get("mode") == "table" and has_table)):
        return raw
    log.info("staffing.agents=%s: %s agents on every open interval instead of the %s staffing.",
             staffing["agents"], staffing["agents"], staffing["mode"])
    return {**raw, "staffing": {"mode": "constant", "agents": staffing["agents"]}}


def _planned_staffing(raw: dict[str, Any], staffing: dict[str, Any]) -> dict[str, Any]:
    """``staffing.mode: plan``: the Erlang A (or ``staffing.model: erlang_c``) table for the
    scenario's own demand, handling, patience and targets, as ``python -m sim.plan`` writes it
    (agents on the phones, no shrinkage). Resolved here, in the scenario layer, because the
    world may not import the analysis: the simulation then sees an ordinary table."""
    model = staffing.get("model", "erlang_a")
    if model not in PLAN_MODELS:
        raise ScenarioError(f"Invalid scenario: staffing.model: must be one of {', '.join(PLAN_MODELS)} (got {model!r}).")
    extra = set(staffing) - {"mode", "model", "agents", "table", "table_file", "shifts"}
    if extra or any(staffing.get(k) is not None for k in ("table", "table_file", "shifts")):
        bad = sorted(extra) or [k for k in ("table", "table_file", "shifts") if staffing.get(k) is not None]
        raise ScenarioError(f"Invalid scenario: staffing.{bad[0]}: not used with staffing.mode=plan (the table is "
                            "derived from the demand); allowed: staffing.model (erlang_a or erlang_c).")
    probe = {**raw, "staffing": {"mode": "constant", "agents": 0}}
    try:
        scenario = Scenario.model_validate(probe)
    except ValidationError as exc:
        raise ScenarioError(format_errors(exc)) from None
    from sim.analysis.planning import erlang_plan  # only for staffing.mode=plan: SciPy stays out of start-up

    try:
        plan = erlang_plan(scenario)
    except ValueError as exc:
        raise ScenarioError(f"Invalid scenario: staffing.mode: plan cannot derive a table here: {exc}.") from None
    table = {str(day): [int(v) for v in grp[f"{model}_agents"]] for day, grp in plan.groupby("weekday", sort=False)}
    if not table:
        raise ScenarioError("Invalid scenario: staffing.mode: plan needs at least one open weekday in calendar.hours.")
    return {**raw, "staffing": {"mode": "table", "table": table}}

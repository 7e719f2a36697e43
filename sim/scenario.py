"""Compose scenarios with Hydra and validate them into a frozen :class:`~sim.config.Scenario`.

``load_scenario("default")`` composes ``scenarios/config.yaml``; any other name applies the
experiment delta ``scenarios/experiment/<name>.yaml`` on top (the Hydra "configuring
experiments" pattern). Overrides use Hydra's syntax (``staffing.agents=30``).

Data files named in a scenario (``demand.profile_file``, ``staffing.table_file``) are read
here, once, so the model itself never touches a file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from hydra import compose, initialize_config_dir
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException
from pydantic import ValidationError

from sim.config import WEEKDAYS, Scenario
from sim.errors import ScenarioError

_PKG_ROOT = Path(__file__).resolve().parent.parent


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
            raise ScenarioError(f"Unknown scenario {name!r}: there is no {root}/experiment/{name}.yaml (known: default, {', '.join(known)}).")
        args.append(f"+experiment={name}")
    try:
        with initialize_config_dir(version_base="1.3", config_dir=str(root)):
            cfg = compose(config_name="config", overrides=args)
    except (HydraException, OmegaConfBaseException) as exc:
        raise ScenarioError(f"Invalid scenario composition ({', '.join(args) or 'no overrides'}): {_one_line(exc)}") from None
    return validate(cfg, base_dir=root)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def validate(cfg: DictConfig | Mapping[str, Any], base_dir: Path | None = None) -> Scenario:
    """Validate a composed config; every problem becomes one :class:`ScenarioError` paragraph."""
    try:
        raw = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else dict(cfg)
    except OmegaConfBaseException as exc:
        raise ScenarioError(f"Invalid scenario: {_one_line(exc)}") from None
    assert isinstance(raw, dict)
    raw.pop("hydra", None)
    raw = _read_data_files(raw, base_dir or scenarios_dir())
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(format_errors(exc)) from None


# --------------------------------------------------------------------------- error text

_TYPE_TAGS = {"int", "float", "str", "bool", "list", "dict", "none", "function-after", "function-before"}


def _key(loc: Sequence[str | int]) -> str:
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        elif part in _TYPE_TAGS or "[" in part or part.endswith("Config"):
            continue  # pydantic's union-branch labels are not keys
        else:
            key += f".{part}" if key else part
    return key


def _describe(err: Mapping[str, Any]) -> str:
    loc = list(err["loc"])
    msg: str = err["msg"]
    if err["type"] == "extra_forbidden":
        return f"unknown key '{_key(loc)}' (check the spelling; see the schema in sim/config.py or docs/scenarios.md)"
    if err["type"] == "value_error":
        text = msg.removeprefix("Value error, ")
        rel, sep, rest = text.partition(": ")
        if sep and " " not in rel:
            return f"{_key([*loc, *rel.split('.')])}: {rest}"
        return f"{_key(loc) or 'scenario'}: {text}"
    if err["type"] == "missing":
        return f"missing key '{_key(loc)}'"
    given = err.get("input")
    shown = f" (got {given!r})" if not isinstance(given, dict | list) else ""
    return f"{_key(loc)}: {msg[0].lower() + msg[1:]}{shown}"


def format_errors(exc: ValidationError) -> str:
    """One paragraph naming each bad key, its value and the allowed range."""
    parts = [_describe(e) for e in exc.errors()]
    return "Invalid scenario: " + "; ".join(parts) + "."


# --------------------------------------------------------------------------- data files


def _resolve(path: str, base_dir: Path, key: str) -> Path:
    p = Path(path).expanduser()
    for cand in ([p] if p.is_absolute() else [Path.cwd() / p, base_dir / p]):
        if cand.is_file():
            return cand
    raise ScenarioError(f"Invalid scenario: {key} = {path!r}: file not found (looked in {Path.cwd()} and {base_dir}).")


def _read_csv(path: Path, key: str, columns: set[str]) -> pd.DataFrame:
    try:
        df = pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ScenarioError(f"Invalid scenario: {key} = {str(path)!r} could not be read as CSV ({_one_line(exc)}).") from None
    missing = columns - set(df.columns)
    if missing:
        raise ScenarioError(
            f"Invalid scenario: {key} = {str(path)!r} lacks column(s) {', '.join(sorted(missing))}; "
            f"it has {', '.join(map(str, df.columns)) or 'none'}."
        )
    return df


def _grid(df: pd.DataFrame, key: str, value: str) -> tuple[pd.DataFrame, str, int]:
    """Parse interval_start (HH:MM), check values and the regular grid; return (df, start, step)."""
    times = pd.to_datetime(df["interval_start"].astype(str), format="%H:%M", errors="coerce")
    if times.isna().any():
        bad = df["interval_start"][times.isna()].iloc[0]
        raise ScenarioError(f"Invalid scenario: {key}: interval_start {bad!r} is not a time HH:MM.")
    vals = pd.to_numeric(df[value], errors="coerce")
    if vals.isna().any() or (vals < 0).any():
        bad = df[value][vals.isna() | (vals < 0)].iloc[0]
        raise ScenarioError(f"Invalid scenario: {key}: column {value} must hold numbers >= 0, found {bad!r}.")
    mins = times.dt.hour * 60 + times.dt.minute
    out = pd.DataFrame({"minute": mins, value: vals})
    if "weekday" in df.columns:
        out["weekday"] = df["weekday"].astype(str).str.lower().str[:3]
        bad_days = set(out["weekday"]) - set(WEEKDAYS) - {"all"}
        if bad_days:
            raise ScenarioError(f"Invalid scenario: {key}: unknown weekday(s) {sorted(bad_days)}; use mon..sun or all.")
    else:
        out["weekday"] = "all"
    uniq = sorted(out["minute"].unique())
    steps = {b - a for a, b in zip(uniq, uniq[1:], strict=False)}
    step = steps.pop() if len(steps) == 1 else 0
    if len(uniq) > 1 and (steps or step not in (15, 30, 60)):
        raise ScenarioError(f"Invalid scenario: {key}: interval starts must be evenly spaced 15, 30 or 60 minutes apart.")
    first = uniq[0]
    return out, f"{first // 60:02d}:{first % 60:02d}", step


def _per_weekday(out: pd.DataFrame, value: str, start_min: int, step: int, how: str) -> dict[str, list[float]]:
    table: dict[str, list[float]] = {}
    for day, grp in out.groupby("weekday", sort=False):
        agg = grp.groupby("minute")[value].agg(how)
        if step:
            full = range(start_min, int(agg.index.max()) + 1, step)
            agg = agg.reindex(full, fill_value=0)
        table[str(day)] = [float(v) for v in agg.to_numpy()]
    return table


def _read_data_files(raw: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    demand = raw.get("demand")
    if isinstance(demand, dict) and demand.get("profile_file"):
        key = "demand.profile_file"
        df = _read_csv(_resolve(str(demand["profile_file"]), base_dir, key), key, {"interval_start", "calls"})
        out, start, step = _grid(df, key, "calls")
        if step and step != demand.get("interval_min", 30):
            raise ScenarioError(f"Invalid scenario: {key}: the file has {step}-minute intervals but demand.interval_min is {demand.get('interval_min', 30)}.")
        start_min = int(out["minute"].min())
        demand = {**demand, "profile_start": start, "profile": _per_weekday(out, "calls", start_min, step, "sum"), "profile_file": None}
        raw = {**raw, "demand": demand}
    staffing = raw.get("staffing")
    if isinstance(staffing, dict) and staffing.get("table_file"):
        key = "staffing.table_file"
        df = _read_csv(_resolve(str(staffing["table_file"]), base_dir, key), key, {"interval_start", "agents"})
        out, _, step = _grid(df, key, "agents")
        table = {day: [int(round(v)) for v in grp.sort_values("minute")["agents"]] for day, grp in out.groupby("weekday", sort=False)}
        raw = {**raw, "staffing": {**staffing, "table": table, "table_file": None}}
    return raw

"""The calibrated scenario: a Hydra experiment delta plus its data CSVs.

``scenarios/experiment/<name>.yaml`` (``# @package _global_``) sets the calendar's opening
hours, the demand (volume, weekday factors, day CV, ``profile_file``), handle time, patience
(the Kaplan-Meier curve as an empirical list, balkers as zeros; or the exponential mean
from an interval report) and the staffing (``table_file``), and the run (the plan period).
The CSVs go to ``scenarios/data/<name>_profile.csv`` and ``<name>_staffing.csv``.
Every key a default group sets and the delta does not want is set to null explicitly
(e.g. ``patience.mean`` when the patience becomes empirical), so the composition validates.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.schema import WEEKDAYS, CalendarConfig, Scenario, hhmm
from sim.world.clock import clock_minutes


class _Dumper(yaml.SafeDumper):
    """Quotes clock times (an unquoted 08:00 is a number in YAML 1.1) and writes lists of
    numbers on one line."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "'" if re.fullmatch(r"\d{1,2}:\d{2}", value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list) -> yaml.Node:
    flow = all(isinstance(v, int | float) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)




def profile_csv(profile: pd.DataFrame, hours: dict[str, tuple[int, int] | None], step: int) -> pd.DataFrame:
    """``weekday,interval_start,calls`` (calls: the share × 10 000) over each open weekday's hours."""
    rows = []
    for w, h in hours.items():
        if h is None:
            continue
        key = "all" if (profile["weekday"] == "all").any() else w
        p = profile[profile["weekday"] == key].set_index("minute")["share"]
        for m in range(h[0], h[1], step):
            rows.append((w, hhmm(m), round(10_000 * float(p.get(m, 0.0)), 3)))
    return pd.DataFrame(rows, columns=["weekday", "interval_start", "calls"])


def _level(v: float) -> int | float:
    return int(v) if float(v).is_integer() else float(v)


def staffing_csv(pooled: pd.DataFrame, hours: dict[str, tuple[int, int] | None], step: int) -> pd.DataFrame:
    """``weekday,interval_start,agents`` over each open weekday's hours (missing intervals: 0).
    Agents keep one decimal (a time-average: see :func:`sim.world.staffing.interval_steps`)."""
    rows = []
    key = pooled.set_index(["weekday", "minute"])["agents"]
    for w, h in hours.items():
        if h is None:
            continue
        for m in range(h[0], h[1], step):
            v = float(key.get((w, m), 0.0))
            v = round(v, 1) if np.isfinite(v) else 0.0
            rows.append((w, hhmm(m), int(v) if v.is_integer() else v))
    return pd.DataFrame(rows, columns=["weekday", "interval_start", "agents"])


def hours_config(hours: dict[str, tuple[int, int] | None]) -> dict[str, Any]:
    """``calendar.hours`` of the delta."""
    return {w: None if hours[w] is None else {"opens": hhmm(hours[w][0]), "closes": hhmm(hours[w][1])} for w in WEEKDAYS}  # type: ignore[index]


def calendar_config(cal: CalendarConfig) -> dict[str, Any]:
    """The calendar the history was read with (country, subdivision, eves, early closing,
    closures; the hours are the inferred ones), so the written scenario carries it."""
    raw = cal.model_dump(mode="json")
    raw.pop("hours")
    if raw["early_close"] is not None:
        raw["early_close"] = raw["early_close"][:5]
    return raw


def delta(name: str, description: str, parts: dict[str, Any]) -> dict[str, Any]:
    """The experiment delta as a plain mapping (``parts``: calendar, demand, handling,
    patience, staffing, run)."""
    return {"name": name, "description": description, **parts}


def full_config(base: Scenario, d: dict[str, Any], profile: pd.DataFrame, staffing: pd.DataFrame) -> dict[str, Any]:
    """The whole scenario dict the delta composes to (data tables inlined), for validation
    and for simulating without writing files."""
    cfg = base.model_dump(mode="json")
    for k, v in d.items():
        if isinstance(v, dict) and isinstance(cfg.get(k), dict):
            cfg[k] = {**cfg[k], **v}
        else:
            cfg[k] = v
    step = cfg["demand"]["interval_min"]
    first = min(clock_minutes(t) for t in profile["interval_start"])
    cfg["demand"]["profile_start"] = hhmm(first)
    cfg["demand"]["profile"] = {}
    for w, g in profile.groupby("weekday", sort=False):
        mins = [clock_minutes(t) for t in g["interval_start"]]
        weights = dict(zip(mins, g["calls"], strict=True))
        cfg["demand"]["profile"][w] = [float(weights.get(m, 0.0)) for m in range(first, max(mins) + step, step)]
    cfg["demand"]["profile_file"] = None
    cfg["staffing"] = {
        "mode": "table",
        "table": {w: [_level(v) for v in g["agents"]] for w, g in staffing.groupby("weekday", sort=False)},
    }
    return cfg


def write(scenarios: str | Path, name: str, d: dict[str, Any], profile: pd.DataFrame, staffing: pd.DataFrame) -> dict[str, Path]:
    """Write the delta and its CSVs under ``scenarios`` (the folder with config.yaml)."""
    root = Path(scenarios)
    (root / "experiment").mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(parents=True, exist_ok=True)
    paths = {
        "experiment": root / "experiment" / f"{name}.yaml",
        "profile": root / "data" / f"{name}_profile.csv",
        "staffing": root / "data" / f"{name}_staffing.csv",
    }
    profile.to_csv(paths["profile"], index=False)
    staffing.to_csv(paths["staffing"], index=False)
    body = dict(d)
    body["demand"] = {**d["demand"], "profile": None, "profile_file": f"data/{name}_profile.csv"}
    body["staffing"] = {
        "mode": "table",
        "agents": None,
        "shifts": None,
        "table": None,
        "table_file": f"data/{name}_staffing.csv",
        "planned_for": f"data/{name}_profile.csv",  # fitted to this demand: no "planned for another demand" warning
    }
    head = (
        f"# @package _global_\n# Calibrated by `python -m sim.calibrate` on {dt.date.today():%Y-%m-%d}; "
        f"see the calibration report for every estimate and its CI.\n"
    )
    paths["experiment"].write_text(head + yaml.dump(body, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
    return paths

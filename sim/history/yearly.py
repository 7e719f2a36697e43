"""A year's daily forecast for the capacity plan, from a history of daily volumes.

:func:`read_days` reads a CSV with one row per date (``date`` and ``offered``, the calls
offered that day; optional ``kind`` and ``outlier``, as in ``days.csv`` of
``python -m sim.calibrate``). Without ``kind`` the day kinds come from the scenario's
calendar (:func:`sim.history.demand.kinds_of`); without ``outlier`` the days the day model
cannot explain are flagged (:func:`sim.history.demand.flag_outliers`) and left out of the
fit. :func:`forecast_year` fits the regression of :mod:`sim.history.forecast` (statsmodels
OLS on log calls: trend, weekdays, yearly Fourier terms, day kinds) and returns every date of
the year with its mean and the 95 % prediction interval (``low``, ``high``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import ScenarioError
from sim.history.demand import flag_outliers, kinds_of
from sim.history.forecast import plan_days, regression
from sim.schema import WEEKDAYS, CalendarConfig
from sim.world.calendar import day_plans

MIN_DAYS = 56
"""Fewest days of history a forecast is made from (eight weeks: every weekday eight times)."""


def resolve(path: str, base_dir: Path, key: str) -> Path:
    """The file of scenario key ``key``: as given (absolute or from the working directory), else under ``base_dir``."""
    p = Path(path).expanduser()
    for cand in ([p] if p.is_absolute() else [Path.cwd() / p, base_dir / p]):
        if cand.is_file():
            return cand
    raise ScenarioError(f"Invalid scenario: {key} = {path!r}: file not found (looked in {Path.cwd()} and {base_dir}).")


def read_days(path: Path, cal: CalendarConfig) -> pd.DataFrame:
    """The history's days: date, weekday, kind, offered, outlier (see the module docstring)."""
    try:
        raw = pd.read_csv(path, sep=None, engine="python", encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ScenarioError(f"Invalid history file {path}: could not be read ({' '.join(str(exc).split())}).") from None
    for col in ("date", "offered"):
        if col not in raw.columns:
            raise ScenarioError(f"Invalid history file {path}: row 1: missing column {col!r}; a daily history needs the columns "
                                f"date (YYYY-MM-DD) and offered (calls offered that day), optionally kind and outlier; "
                                f"found: {', '.join(map(str, raw.columns))}.")
    dates = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce")
    offered = pd.to_numeric(raw["offered"].astype(str).str.replace(",", ".", regex=False), errors="coerce")
    for col, bad in (("date", dates.isna()), ("offered", offered.isna() | (offered < 0))):
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            c = list(raw.columns).index(col) + 1
            allowed = "a date YYYY-MM-DD" if col == "date" else "a number of calls >= 0"
            raise ScenarioError(f"Invalid history file {path}: row {i + 2}, column {c} ({col}): {raw[col].iloc[i]!r} is not "
                                f"{allowed}.")
    if dates.duplicated().any():
        i = int(np.flatnonzero(dates.duplicated().to_numpy())[0])
        raise ScenarioError(f"Invalid history file {path}: row {i + 2}, column 1 (date): {dates.iloc[i]:%Y-%m-%d} appears twice; "
                            "give one row per date.")
    d = pd.DataFrame({"date": dates, "offered": offered.astype(float)}).sort_values("date").reset_index(drop=True)
    span = (d["date"].max() - d["date"].min()).days + 1
    if span < MIN_DAYS:
        raise ScenarioError(f"Invalid history file {path}: {span} days from {d['date'].min():%Y-%m-%d}; a forecast needs at least "
                            f"{MIN_DAYS} days of history (a year or more for the yearly pattern).")
    full = pd.DataFrame({"date": pd.date_range(d["date"].min(), d["date"].max(), freq="D")})
    d = full.merge(d, on="date", how="left")
    plans = day_plans(cal, d["date"].min().date(), d["date"].max().date())
    by_date = raw.assign(date=dates).set_index("date")
    if "kind" in raw.columns:
        d["kind"] = d["date"].map(by_date["kind"]).fillna("missing").astype(str)
    else:
        missing = frozenset(d.loc[d["offered"].isna(), "date"])
        d["kind"] = kinds_of(plans, d.set_index("date")["offered"].fillna(0.0), missing=missing)
    d["offered"] = d["offered"].fillna(0.0)
    d["weekday"] = [WEEKDAYS[x.weekday()] for x in d["date"]]
    if "outlier" in raw.columns:
        d["outlier"] = d["date"].map(by_date["outlier"]).astype(str).str.lower().isin(("true", "1", "yes"))
    else:
        d["outlier"] = flag_outliers(d.assign(outlier=False))["outlier"].to_numpy(dtype=bool)
    return d[["date", "weekday", "kind", "offered", "outlier"]]


def forecast_year(days: pd.DataFrame, cal: CalendarConfig, year: int) -> pd.DataFrame:
    """Every date of ``year``: date, weekday, kind, mean, low, high (calls offered; 0 on closed dates)."""
    target = plan_days(cal, pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31))
    reg = regression(days, target)
    out = target.assign(mean=reg["mean"].to_numpy(), low=reg["pi_low"].to_numpy(), high=reg["pi_high"].to_numpy())
    out[["mean", "low", "high"]] = out[["mean", "low", "high"]].fillna(0.0)
    return out

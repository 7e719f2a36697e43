"""Back-test: the calibrated model simulated over the history against what was observed.

Each historical day is simulated on its own with that day's observed calls per interval as
the demand (so the day-to-day and intraday volume is the history's, and what is tested is
the queue: handle time, patience, balking and staffing), the calibrated handle time and
patience, and the historical or effective staffing of that date. ``replications`` seeds per
day give the model's spread. Per day and KPI the observed value is compared with the
replications' mean: ``z = (observed - mean) / (sd * sqrt(1 + 1/R))``; a reproduced KPI has
|z| < 1.96 on about 95 % of days and a mean difference whose 95 % CI (t over days) is near 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.history.aggregate import daily
from sim.model.simulate import simulate
from sim.schema import WEEKDAYS, Scenario, minutes

KPIS: dict[str, tuple[str, float]] = {
    "availability": ("share", 0.02),
    "service_level": ("share", 0.03),
    "abandon_share": ("share", 0.02),
    "mean_wait_all_s": ("s", 10.0),
    "asa_s": ("s", 10.0),
}
"""KPI -> (unit, the difference a planner would still call "reproduced")."""


@dataclass(frozen=True)
class BacktestResult:
    """``days``: per date and KPI observed, sim_mean, sim_sd, z; ``intervals``: per minute of
    the day, observed and simulated abandonment and service level pooled over the days;
    ``summary``: per KPI the mean difference with its CI, share of days with |z| < 1.96 and a
    verdict."""

    days: pd.DataFrame
    intervals: pd.DataFrame
    summary: pd.DataFrame
    replications: int


def _day_kpis(calls: pd.DataFrame, threshold_s: float) -> dict[str, float]:
    n = len(calls)
    if n == 0:
        return {k: np.nan for k in KPIS}
    ans = calls["answered_at"].notna()
    w = calls["wait_s"].to_numpy()
    return {
        "availability": float(ans.mean()),
        "service_level": float((ans & (calls["wait_s"] <= threshold_s)).mean()),
        "abandon_share": float(1 - ans.mean()),
        "mean_wait_all_s": float(w.mean()),
        "asa_s": float(w[ans.to_numpy()].mean()) if ans.any() else np.nan,
    }


def _observed(table: pd.DataFrame) -> pd.DataFrame:
    """Per date the observed KPIs of the interval table (``asa_s`` filled by the caller when
    the export gives the ASA of answered calls)."""
    d = daily(table).set_index("date")
    return d[["availability", "service_level", "abandon_share", "mean_wait_all_s"]].assign(asa_s=np.nan)


def _level(v: object) -> int | float:
    """A staffing table value: a whole count as an int, a fraction to one decimal (NaN: 0)."""
    x = float(v) if v is not None else 0.0  # type: ignore[arg-type]
    x = 0.0 if not np.isfinite(x) else round(x, 1)
    return int(x) if x.is_integer() else x


def day_scenario(
    base: dict[str, Any], date: pd.Timestamp, counts: pd.Series, agents: pd.Series, hours: tuple[int, int], step: int, seed: int
) -> Scenario:
    """The scenario of one historical day: its observed counts as the demand profile."""
    cfg = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
    w = WEEKDAYS[date.weekday()]
    grid = range(hours[0], hours[1], step)
    prof = [float(counts.get(m, 0.0)) for m in grid]
    if sum(prof) <= 0:
        prof = [1.0] * len(prof)
    cfg["demand"] = {
        **cfg["demand"],
        "volume": float(counts.sum()),
        "volume_per": "day",
        "weekday_factor": {x: (1.0 if x == w else 0.0) for x in WEEKDAYS},
        "day_cv": 0.0,
        "profile_start": f"{hours[0] // 60:02d}:{hours[0] % 60:02d}",
        "profile": {"all": prof},
        "profile_file": None,
        "displaced_share": 0.0,
        "closed_day_factor": 0.0,
    }
    cfg["staffing"] = {"mode": "table", "table": {"all": [_level(agents.get(m, 0.0)) for m in grid]}}
    cfg["run"] = {"start": date.date().isoformat(), "end": date.date().isoformat(), "seed": seed}
    return Scenario.model_validate(cfg)


def run_backtest(
    base: Scenario,
    table: pd.DataFrame,
    staffing: pd.DataFrame,
    dates: list[pd.Timestamp],
    replications: int = 5,
    seed: int = 1,
    asa: pd.Series | None = None,
) -> BacktestResult:
    """Simulate each of ``dates`` ``replications`` times (``staffing``: the per-interval table
    with ``agents_eff``) and compare with the observed KPIs of ``table``."""
    cfg = base.model_dump(mode="json")
    step = base.demand.interval_min
    thr = base.targets.threshold_s
    obs = _observed(table)
    if asa is not None:
        obs["asa_s"] = asa.reindex(obs.index)
    rows, ivs = [], []
    for i, date in enumerate(dates):
        hours = base.calendar.hours_of(date.weekday())
        if hours is None:
            continue
        h = (minutes(hours.opens), minutes(hours.closes))
        day = table[table["date"] == date]
        counts = day.set_index("minute")["offered"]
        agents = staffing[staffing["date"] == date].set_index("minute")["agents_eff"]
        sims = []
        for r in range(replications):
            res = simulate(day_scenario(cfg, date, counts, agents, h, step, seed * 100_000 + i * 100 + r))
            c = res.calls
            sims.append(_day_kpis(c, thr))
            m = c["arrival"].dt.hour * 60 + c["arrival"].dt.minute
            minute = (m // step) * step
            ivs.append(
                pd.DataFrame(
                    {
                        "minute": minute,
                        "abandoned": c["answered_at"].isna(),
                        "within": c["answered_at"].notna() & (c["wait_s"] <= thr),
                        "rep": r,
                    }
                )
                .groupby("minute")
                .agg(offered=("rep", "size"), abandoned=("abandoned", "sum"), within=("within", "sum"))
                .assign(src="sim")
            )
        s = pd.DataFrame(sims)
        for k in KPIS:
            rows.append(
                (
                    date,
                    k,
                    float(obs.loc[date, k]) if date in obs.index else np.nan,
                    float(s[k].mean()),
                    float(s[k].std(ddof=1)) if replications > 1 else np.nan,
                )
            )
        ivs.append(day.set_index("minute")[["offered", "abandoned", "within"]].assign(src="obs"))
    days = pd.DataFrame(rows, columns=["date", "kpi", "observed", "sim_mean", "sim_sd"])
    days["z"] = (days["observed"] - days["sim_mean"]) / (days["sim_sd"] * np.sqrt(1 + 1 / replications))
    iv = pd.concat(ivs).reset_index().groupby(["src", "minute"])[["offered", "abandoned", "within"]].sum()
    intervals = pd.DataFrame(
        {
            "observed_abandon": (iv.loc["obs", "abandoned"] / iv.loc["obs", "offered"]),
            "sim_abandon": (iv.loc["sim", "abandoned"] / iv.loc["sim", "offered"]),
            "observed_service_level": (iv.loc["obs", "within"] / iv.loc["obs", "offered"]),
            "sim_service_level": (iv.loc["sim", "within"] / iv.loc["sim", "offered"]),
        }
    ).reset_index()
    return BacktestResult(days, intervals, summarise(days), replications)


def summarise(days: pd.DataFrame) -> pd.DataFrame:
    """Per KPI: mean observed, mean simulated, mean difference with a t CI, share of days
    within the model's spread, and a plain verdict."""
    out = []
    for k, (unit, tol) in KPIS.items():
        d = days[(days["kpi"] == k)].dropna(subset=["observed", "sim_mean"])
        if d.empty:
            continue
        diff = d["observed"] - d["sim_mean"]
        n = len(diff)
        half = float(stats.t.ppf(0.975, max(n - 1, 1)) * diff.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
        m = float(diff.mean())
        within = float((d["z"].abs() < 1.959963984540054).mean()) if d["z"].notna().any() else np.nan
        lo, hi = m - half, m + half
        fmt = (lambda v: f"{100 * v:+.1f} pp") if unit == "share" else (lambda v: f"{v:+.1f} s")
        if abs(lo) <= tol and abs(hi) <= tol:
            verdict = f"reproduced: observed − model {fmt(m)} (95 % CI {fmt(lo)} to {fmt(hi)}), within ±{fmt(tol)[1:]}"
        elif hi < 0 or lo > 0:
            verdict = f"{'over' if m < 0 else 'under'}-predicted by the model: observed − model {fmt(m)} (95 % CI {fmt(lo)} to {fmt(hi)})"
        else:
            verdict = (
                f"not clearly different, but uncertain beyond ±{fmt(tol)[1:]}: observed − model {fmt(m)} (95 % CI {fmt(lo)} to {fmt(hi)})"
            )
        out.append((k, float(d["observed"].mean()), float(d["sim_mean"].mean()), m, lo, hi, within, n, verdict))
    return pd.DataFrame(
        out, columns=["kpi", "observed", "model", "difference", "ci_low", "ci_high", "days_within_spread", "days", "verdict"]
    )

"""Summaries of replications with uncertainty, and adding replications until precise.

For each KPI and period: mean over replications, standard deviation, the ``conf`` (95 %)
confidence interval ``mean ± t(1 − α/2, R − 1) · sd / √R``, and for the KPIs with a target
the probability that the target is met, estimated as the share of replications that met it
(with a Wilson score interval).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.config import Scenario
from sim.runner import MonteCarlo, run_replications

MET_OF = {
    "availability": "availability_met",
    "service_level": "service_level_met",
    "asa_s": "asa_met",
    "aht_s": "aht_met",
    "logging_share": "logging_met",
}
DEFAULT_KPIS: tuple[str, ...] = (
    "offered", "availability", "service_level", "asa_s", "mean_wait_all_s", "p90_wait_s",
    "aht_s", "logging_share", "occupancy", "overtime_s", "staffed_s",
)


def t_half_width(sd: pd.Series | np.ndarray, n: pd.Series | np.ndarray, conf: float = 0.95) -> np.ndarray:
    """Half-width of the t confidence interval of a mean (NaN for fewer than 2 values)."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = stats.t.ppf(0.5 + conf / 2, np.where(n > 1, n - 1, np.nan))
        return q * np.asarray(sd, dtype=float) / np.sqrt(n)


def wilson(successes: np.ndarray, n: np.ndarray, conf: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion."""
    z = stats.norm.ppf(0.5 + conf / 2)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = successes / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # clipped: at p = 0 or 1 rounding leaves the bound a hair outside [0, 1] (or past p)
    lo, hi = np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)
    return np.minimum(lo, p), np.maximum(hi, p)


def summarize(kpis: pd.DataFrame, level: str = "month", kpis_to_show: Sequence[str] = DEFAULT_KPIS, conf: float = 0.95) -> pd.DataFrame:
    """One row per (period, KPI): replications, mean, sd, CI, and P(target met) with its CI."""
    rows = kpis[kpis["level"] == level]
    present = [k for k in kpis_to_show if k in rows.columns]
    long = rows.melt(id_vars=["period", "replication"], value_vars=present, var_name="kpi")
    g = long.groupby(["period", "kpi"], sort=False)["value"]
    out = g.agg(replications="count", mean="mean", sd="std").reset_index()
    half = t_half_width(out["sd"], out["replications"], conf)
    out["ci_low"], out["ci_high"], out["half_width"] = out["mean"] - half, out["mean"] + half, half
    met = _p_met(rows, conf)
    out = out.merge(met, on=["period", "kpi"], how="left")
    order = {k: i for i, k in enumerate(present)}
    out = out.sort_values(["period", "kpi"], key=lambda s: s.map(order) if s.name == "kpi" else s)
    return out.reset_index(drop=True)


def _p_met(rows: pd.DataFrame, conf: float) -> pd.DataFrame:
    parts = []
    for kpi, col in [*MET_OF.items(), ("all_targets", "all_met")]:
        if col not in rows.columns:
            continue
        flags = rows[col].astype("boolean")
        g = pd.DataFrame({"period": rows["period"], "met": flags.fillna(False).astype(int), "judged": flags.notna().astype(int)})
        agg = g.groupby("period", sort=False).sum().reset_index()
        lo, hi = wilson(agg["met"].to_numpy(), agg["judged"].to_numpy(), conf)
        parts.append(pd.DataFrame({"period": agg["period"], "kpi": kpi, "p_met": agg["met"] / agg["judged"].where(agg["judged"] > 0),
                                   "p_met_low": lo, "p_met_high": hi}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["period", "kpi", "p_met", "p_met_low", "p_met_high"])


def run_until_precise(
    scenario: Scenario,
    tolerance: dict[str, float],
    *,
    level: str = "run",
    min_reps: int = 10,
    max_reps: int = 1000,
    conf: float = 0.95,
    seed: int | None = None,
    out_dir: str | Path | None = None,
    **kwargs: object,
) -> tuple[MonteCarlo, pd.DataFrame]:
    """Add replications until the CI half-width of every KPI in ``tolerance`` (absolute, in
    the KPI's units) is at most its tolerance, for every period of ``level``.

    Each round projects the replications needed from the current spread
    (``R · (half-width / tolerance)²``, at least 20 % more) and runs only the new ones:
    replication ``k`` is the same whatever the round, so the result equals a single run of
    the final size. Returns the Monte Carlo result and the final precision table.
    """
    n, done = min_reps, 0
    parts: list[pd.DataFrame] = []
    while True:
        mc = run_replications(scenario, n, seed, out_dir=out_dir, first=done, **kwargs)  # type: ignore[arg-type]
        parts.append(mc.kpis)
        done = n
        mc = MonteCarlo(mc.scenario, mc.seed, pd.concat(parts, ignore_index=True), mc.out_dir)
        table = summarize(mc.kpis, level, list(tolerance), conf)
        table["tolerance"] = table["kpi"].map(tolerance)
        worst = (table["half_width"] / table["tolerance"]).max()
        if not math.isfinite(worst) or worst <= 1.0 or n >= max_reps:
            table["precise"] = table["half_width"] <= table["tolerance"]
            return mc, table
        n = min(max_reps, max(math.ceil(n * worst**2), math.ceil(n * 1.2)))

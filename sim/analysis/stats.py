"""Summaries of replications with uncertainty.

For each KPI and period: mean over replications, standard deviation, the ``conf`` (95 %)
confidence interval ``mean ± t(1 − α/2, R − 1) · sd / √R`` cut to the values the KPI can take
(:func:`cut_interval`: at 0 for a time, hours or a count, at 0 and 100 % for a share), and for the KPIs with a target
the probability that the target is met, estimated as the share of replications that met it
(with a Wilson score interval).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special  # t and normal quantiles: scipy.stats would cost ~0.45 s more start-up (issue 23 item 16)

from sim.catalogue import MET_OF as CATALOGUE_MET_OF
from sim.catalogue import value_range

MET_OF = dict(CATALOGUE_MET_OF)
"""KPI → its per-row met flag (from :data:`sim.catalogue.MET_OF`)."""

DEFAULT_KPIS: tuple[str, ...] = (
    "offered", "availability", "service_level", "asa_s", "mean_wait_all_s", "p90_wait_s",
    "aht_s", "logging_share", "occupancy", "overtime_s", "staffed_s",
    "case_within_target", "work_h_mean", "work_h_p90", "backlog_end",  # with cases on
)


def t_half_width(sd: pd.Series | np.ndarray, n: pd.Series | np.ndarray, conf: float = 0.95) -> np.ndarray:
    """Half-width of the t confidence interval of a mean (NaN for fewer than 2 values)."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = special.stdtrit(np.where(n > 1, n - 1, np.nan), 0.5 + conf / 2)  # = stats.t.ppf, bit for bit
        return q * np.asarray(sd, dtype=float) / np.sqrt(n)


def cut_interval(kpis: pd.Series, low: pd.Series | np.ndarray, high: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The confidence interval of each row's mean cut to the values its KPI can take
    (:func:`sim.catalogue.value_range`): at 0 for a time, hours or a count, at 0 and 1 for a
    share; a KPI that can be negative, or a name the catalogue does not know, is left as it is.

    Only for the interval of a level (a mean), never of a difference between scenarios: the
    mean of values in a range lies in it too, so the cut interval covers the mean exactly as
    often as the t-interval does (with 2 replications the t-interval alone can read
    "83.6 % to 107.3 %" or "−4.5 s to 20.2 s")."""
    ranges = {k: value_range(str(k)) for k in pd.unique(kpis)}
    lo_bound = np.array([ranges[k][0] for k in kpis], dtype=float)
    hi_bound = np.array([ranges[k][1] for k in kpis], dtype=float)
    lo, hi = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(lo < lo_bound, lo_bound, lo), np.where(hi > hi_bound, hi_bound, hi)


def cut_at(kpi: str, mean: float, half_width: float) -> tuple[float, ...]:
    """The bounds at which :func:`cut_interval` cut the interval ``mean ± half_width`` of a
    level of ``kpi`` (``(0.0,)``, ``(1.0,)``, both, or none), for the words "cut at 0"."""
    if pd.isna(mean) or pd.isna(half_width):
        return ()
    lo, hi = value_range(kpi)
    return tuple(b for b, cut in ((lo, mean - half_width < lo), (hi, mean + half_width > hi)) if cut)


def wilson(successes: np.ndarray, n: np.ndarray, conf: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion."""
    z = special.ndtri(0.5 + conf / 2)  # = stats.norm.ppf
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = successes / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # clipped: at p = 0 or 1 rounding leaves the bound a hair outside [0, 1] (or past p)
    lo, hi = np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)
    return np.minimum(lo, p), np.maximum(hi, p)


def summarize(kpis: pd.DataFrame, level: str = "month", kpis_to_show: Sequence[str] = DEFAULT_KPIS, conf: float = 0.95) -> pd.DataFrame:
    """One row per (period, KPI): replications, mean, sd, CI (:func:`cut_interval`; ``half_width``
    stays the t-interval's), and P(target met) with its CI."""
    rows = kpis[kpis["level"] == level]
    present = [k for k in kpis_to_show if k in rows.columns]
    long = rows.melt(id_vars=["period", "replication"], value_vars=present, var_name="kpi")
    g = long.groupby(["period", "kpi"], sort=False)["value"]
    out = g.agg(replications="count", mean="mean", sd="std").reset_index()
    half = t_half_width(out["sd"], out["replications"], conf)
    out["ci_low"], out["ci_high"] = cut_interval(out["kpi"], out["mean"] - half, out["mean"] + half)
    out["half_width"] = half
    met = _p_met(rows, conf)
    out = out.merge(met, on=["period", "kpi"], how="left")
    order = {k: i for i, k in enumerate(present)}
    out = out.sort_values(["period", "kpi"], key=lambda s: s.map(order) if s.name == "kpi" else s)
    return out.reset_index(drop=True)


def p_met(keys: pd.DataFrame, met: np.ndarray, judged: np.ndarray, conf: float = 0.95) -> pd.DataFrame:
    """P(target met) per group of ``keys`` (one row per key combination, in order of first
    appearance): ``met`` and ``judged`` counts, ``p_met`` = met / judged (NaN when nothing was
    judged) and its Wilson interval ``p_met_low``, ``p_met_high`` (NaN when nothing was judged).

    ``met`` and ``judged`` are per-row booleans (a row whose value or flag is missing is not
    judged). The one estimate of P(met) behind every summary: Monte Carlo, sweeps, comparisons
    (:mod:`sim.analysis.paired`).
    """
    names = list(keys.columns)
    g = keys.assign(met=np.asarray(met, dtype=bool).astype(int), judged=np.asarray(judged, dtype=bool).astype(int))
    agg = g.groupby(names, sort=False)[["met", "judged"]].sum().reset_index()
    lo, hi = wilson(agg["met"].to_numpy(), agg["judged"].to_numpy(), conf)
    agg["p_met"] = agg["met"] / agg["judged"].where(agg["judged"] > 0)
    agg["p_met_low"], agg["p_met_high"] = lo, hi
    agg.loc[agg["judged"] == 0, ["p_met_low", "p_met_high"]] = np.nan
    return agg


def p_met_of_flags(rows: pd.DataFrame, flag: str, by: Sequence[str] = ("period",), conf: float = 0.95) -> pd.DataFrame:
    """:func:`p_met` of a nullable-boolean met column (NA: not judged), per group of ``by``."""
    flags = rows[flag].astype("boolean")
    return p_met(rows[list(by)], flags.fillna(False).to_numpy(dtype=bool), flags.notna().to_numpy(dtype=bool), conf)


_P_MET_COLUMNS = ["period", "kpi", "p_met", "p_met_low", "p_met_high"]


def _p_met(rows: pd.DataFrame, conf: float) -> pd.DataFrame:
    parts = []
    for kpi, col in [*MET_OF.items(), ("all_targets", "all_met")]:
        if col not in rows.columns:
            continue
        agg = p_met_of_flags(rows, col, ("period",), conf).assign(kpi=kpi)
        parts.append(agg[_P_MET_COLUMNS])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_P_MET_COLUMNS)


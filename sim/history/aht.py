"""Handle time by time of day, and the handle time's spread when only an interval report is given.

**The profile.** Per interval of the day the mean handle time of the answered calls is pooled
over the regular days (answered-weighted: a call log's calls of the interval, or an interval
report's ``aht_s`` weighted by its answered calls). Its standard error treats days as clusters
(the ratio estimator's variance over days), floored at the per-call value ``cv × mean / √n``,
so a day with unusually long calls widens the interval instead of fooling the test. Whether the
intervals differ at all is a Wald test of equal means (``Q = Σ w (m − m̄)²``, ``w = 1/se²``,
chi-square with k − 1 degrees of freedom; like the demand profile's rule, no difference is
shown when p > 0.01, and then the handle time is one for the whole day). When they differ,
each interval is shrunk toward the overall mean by the DerSimonian-Laird random-effects
weight ``τ² / (τ² + se²)`` (``τ²`` the between-interval variance beyond the noise), so a quiet
interval with a few long calls does not get its own handle time. The factors (shrunk mean /
overall mean) are normalised to mean 1 over the history's answered calls, so the overall AHT
is the data's; the scenario gets them as ``handling.by_interval``.

**The spread from a report.** An interval report has no per-call times, so the handle time's
CV is an assumption: the default scenario's parts (talk 0.8, hold 2.0, wrap 0.6, together
about 0.65) unless the column map's ``aht_cv`` or ``--aht-cv`` says otherwise (real centres
show 1.1-1.3). :func:`handling_with_cv` scales the parts' CVs to a whole-handle CV, and
:func:`cv_sensitivity` simulates a few recent days at several CVs (the back-test's day
scenarios, common random numbers) so the report shows how much the assumption matters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.errors import ScenarioError
from sim.history.estimate import Z95
from sim.model.simulate import simulate
from sim.scenario.variants import day_variant
from sim.schema import Scenario, hhmm, minutes
from sim.study.runner import replication_seed

ALPHA = 0.01
"""No time-of-day profile unless the test of equal means rejects at this level."""


@dataclass(frozen=True)
class AhtProfile:
    """``table``: per minute of the day ``answered``, ``days``, ``aht_s`` (pooled mean),
    ``se``, ``ci_low``, ``ci_high``, ``shrunk_s`` and ``factor``; ``mean_s``: the overall
    answered-weighted AHT; ``p_equal``: the test of equal means; ``flat``: no difference shown
    (every factor 1, no ``by_interval``); ``tau_s``: the between-interval SD."""

    table: pd.DataFrame
    mean_s: float
    p_equal: float
    flat: bool
    tau_s: float

    def by_interval(self, grid: list[int] | None = None) -> dict[str, float] | None:
        """``handling.by_interval`` (None when flat): each minute of ``grid`` (default: the
        fitted intervals) with its factor, 1 where the history had no answered call."""
        if self.flat:
            return None
        f = dict(zip(self.table["minute"].astype(int), self.table["factor"], strict=True))
        mins = grid if grid is not None else sorted(f)
        return {hhmm(m): round(float(f.get(m, 1.0)), 4) for m in mins}

    def factors_at(self, minute: np.ndarray) -> np.ndarray:
        """The factor of each minute-of-day interval start (1 where not fitted, or flat)."""
        if self.flat:
            return np.ones(len(minute))
        f = pd.Series(self.table["factor"].to_numpy(), index=self.table["minute"].astype(int))
        return f.reindex(np.asarray(minute, dtype=int)).fillna(1.0).to_numpy()


def fit_aht_profile(table: pd.DataFrame, regular_dates: pd.Series | None, cv: float, alpha: float = ALPHA) -> AhtProfile | None:
    """The handle time's time-of-day profile from an interval table (``aht_s`` and ``answered``
    per date and minute; see the module docstring). ``cv``: the per-call handle-time CV used
    for the standard error's floor. None when the table has no handle time."""
    t = table
    if regular_dates is not None:
        t = t[t["date"].isin(regular_dates)]
    t = t[(t["answered"] > 0) & t["aht_s"].notna() & (t["aht_s"] > 0)]
    if t.empty:
        return None
    n_d, a_d = t["answered"].to_numpy(dtype=float), t["aht_s"].to_numpy(dtype=float)
    g = pd.DataFrame({"minute": t["minute"].to_numpy(), "n": n_d, "h": n_d * a_d})
    per = g.groupby("minute").agg(answered=("n", "sum"), handle=("h", "sum"), days=("n", "size"))
    per["aht_s"] = per["handle"] / per["answered"]
    m_row = per["aht_s"].reindex(t["minute"].to_numpy()).to_numpy()
    dev = pd.Series((n_d * (a_d - m_row)) ** 2).groupby(t["minute"].to_numpy()).sum().reindex(per.index).to_numpy()
    d = per["days"].to_numpy(dtype=float)
    n = per["answered"].to_numpy()
    m = per["aht_s"].to_numpy()
    cluster = np.where(d > 1, np.sqrt(d / np.maximum(d - 1, 1) * dev) / n, 0.0)
    se = np.maximum(cluster, cv * m / np.sqrt(n))
    mean = float(per["handle"].sum() / n.sum())
    k = len(per)
    w = 1.0 / se**2
    mw = float((w * m).sum() / w.sum())
    q = float((w * (m - mw) ** 2).sum())
    p = float(stats.chi2.sf(q, k - 1)) if k > 1 else 1.0
    flat = p > alpha
    tau2 = max(0.0, (q - (k - 1)) / float(w.sum() - (w**2).sum() / w.sum())) if k > 1 else 0.0
    if flat or tau2 == 0.0:
        shrunk = np.full(k, mean)
    else:
        b = tau2 / (tau2 + se**2)
        shrunk = mean + b * (m - mean)
    factor = shrunk / mean
    factor = factor / (float((n * factor).sum()) / n.sum())
    out = pd.DataFrame(
        {
            "minute": per.index.astype(int),
            "interval_start": [hhmm(int(x)) for x in per.index],
            "answered": n,
            "days": d.astype(int),
            "aht_s": m,
            "se": se,
            "ci_low": m - Z95 * se,
            "ci_high": m + Z95 * se,
            "shrunk_s": factor * mean,
            "factor": factor,
        }
    )
    return AhtProfile(out, mean, p, flat or tau2 == 0.0, math.sqrt(tau2))


# --------------------------------------------------------------------------- spread


def _part_var(d: dict[str, Any]) -> tuple[float, bool]:
    """(variance in s², whether its CV can be scaled) of a ``handling.<part>`` entry."""
    if d["dist"] == "empirical":
        v = np.asarray(d["values"], dtype=float)
        return float(v.var()), False
    mean = float(d["mean"])
    if d["dist"] == "exponential":
        return mean**2, False
    if d["dist"] == "deterministic":
        return 0.0, False
    return (float(d["cv"]) * mean) ** 2, True


def _part_mean(d: dict[str, Any]) -> float:
    return float(np.mean(d["values"])) if d["dist"] == "empirical" else float(d["mean"])


def handle_cv(parts: dict[str, dict[str, Any]]) -> float:
    """The CV of talk + hold + wrap (independent parts) of ``handling`` entries."""
    var = sum(_part_var(d)[0] for d in parts.values())
    return math.sqrt(var) / sum(_part_mean(d) for d in parts.values())


def handling_with_cv(parts: dict[str, dict[str, Any]], cv: float, key: str = "aht_cv") -> dict[str, dict[str, Any]]:
    """The ``talk``/``hold``/``wrap`` entries with the lognormal and gamma parts' CVs scaled by
    one factor so that the whole handle time has CV ``cv`` (means unchanged)."""
    total = sum(_part_mean(d) for d in parts.values())
    fixed = sum(_part_var(d)[0] for d in parts.values() if not _part_var(d)[1])
    scal = sum(_part_var(d)[0] for d in parts.values() if _part_var(d)[1])
    need = (cv * total) ** 2 - fixed
    if scal <= 0 or need <= 0:
        lowest = math.sqrt(fixed) / total
        raise ScenarioError(
            f"{key}: a handle-time CV of {cv:g} cannot be reached with these handle-time parts "
            f"(their fixed parts alone give a CV of {lowest:.3g}); give a larger value."
        )
    k = math.sqrt(need / scal)
    out = {}
    for name, d in parts.items():
        if _part_var(d)[1]:
            new_cv = float(d["cv"]) * k
            if new_cv > 20:
                raise ScenarioError(f"{key}: a handle-time CV of {cv:g} needs a {name} CV of {new_cv:.3g}, above the allowed 20.")
            out[name] = {**d, "cv": round(new_cv, 4)}
        else:
            out[name] = dict(d)
    return out


def cv_sensitivity(
    hist: Scenario,
    table: pd.DataFrame,
    staffing: pd.DataFrame,
    dates: list[pd.Timestamp],
    cvs: tuple[float, ...],
    replications: int = 3,
    seed: int = 11,
    ref: float = 0.8,
) -> pd.DataFrame:
    """Per handle-time CV: abandonment and service level of ``dates`` simulated with their
    observed calls per interval and effective staffing (as in the back-test; the same seeds
    for every CV), with the observed values of those days. Columns ``cv``, ``abandon_share``,
    ``service_level`` (pooled over the runs), ``abandon_diff``, ``abandon_diff_se``,
    ``service_level_diff``, ``service_level_diff_se`` (against the CV ``ref``, or the first:
    the mean difference of the paired day-replication runs and its standard error),
    ``observed_abandon_share``, ``observed_service_level``, ``days``, ``calls``."""
    cfg = hist.model_dump(mode="json")
    parts = {p: cfg["handling"][p] for p in ("talk", "hold", "wrap")}
    step = hist.demand.interval_min
    thr = hist.targets.threshold_s
    rows = []
    per_cv: list[np.ndarray] = []
    obs = table[table["date"].isin(dates)]
    o_off = float(obs["offered"].sum())
    o_ab = float(obs["abandoned"].sum()) / o_off if o_off else float("nan")
    o_sl = float(obs["within"].sum(min_count=1)) / o_off if o_off and obs["within"].notna().any() else float("nan")
    for cv in cvs:
        c = {**cfg, "handling": {**cfg["handling"], **handling_with_cv(parts, cv)}}
        off = ab = within = 0
        used = 0
        runs: list[tuple[float, float]] = []
        for i, date in enumerate(dates):
            hours = hist.calendar.hours_of(date.weekday())
            if hours is None:
                continue
            used += 1
            day = table[table["date"] == date]
            counts = day.set_index("minute")["offered"]
            agents = staffing[staffing["date"] == date].set_index("minute")["agents_eff"]
            h = (minutes(hours.opens), minutes(hours.closes))
            for r in range(replications):
                calls = simulate(day_variant(c, date, counts, agents, h, step, seed), replication_seed(seed, i * replications + r)).calls
                ans = calls["answered_at"].notna()
                off += len(calls)
                ab += int((~ans).sum())
                within += int((ans & (calls["wait_s"] <= thr)).sum())
                if len(calls):
                    runs.append((float((~ans).mean()), float((ans & (calls["wait_s"] <= thr)).mean())))
        per_cv.append(np.asarray(runs).reshape(-1, 2))
        rows.append((cv, ab / off if off else float("nan"), within / off if off else float("nan"), o_ab, o_sl, used, off))
    out = pd.DataFrame(
        rows, columns=["cv", "abandon_share", "service_level", "observed_abandon_share", "observed_service_level", "days", "calls"]
    )
    base = per_cv[cvs.index(ref) if ref in cvs else 0]
    for j, name in enumerate(("abandon", "service_level")):
        diffs = [r[:, j] - base[:, j] for r in per_cv]
        out.insert(3 + 2 * j, f"{name}_diff", [float(d.mean()) if d.size else float("nan") for d in diffs])
        out.insert(4 + 2 * j, f"{name}_diff_se",
                   [float(d.std(ddof=1) / np.sqrt(d.size)) if d.size > 1 else float("nan") for d in diffs])
    return out

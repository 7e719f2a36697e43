"""Back-test: the calibrated model simulated over the history against what was observed.

Each historical day is simulated on its own with that day's observed calls per interval as
the demand (so the day-to-day and intraday volume is the history's, and what is tested is
the queue: handle time, patience, balking and staffing), the calibrated handle time and
patience, and the historical or effective staffing of that date (in :func:`sim.history.calibration`
the days are held out of the staffing fit and carry the scenario's pooled weekday table, so an
inflated staffing cannot pass by construction). ``replications`` runs per day (the runner's
replication seeds, :func:`sim.study.runner.replication_seed`) give the model's spread. Per day
and KPI the observed value is compared with the replications' mean:
``z = (observed - mean) / (sd * sqrt(1 + 1/R))``; a reproduced KPI has |z| < 1.96 on about 95 % of
days and a mean difference whose 95 % CI (t over days) is near 0.
Per hour of the day (:func:`by_hour`) abandonment and service level are compared too; an hour
off by more than 15 % of the observed value, significantly (family-wise over the hours), blocks
the verdict "reproduced".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.history.aggregate import daily
from sim.model.simulate import simulate
from sim.scenario.variants import day_variant
from sim.schema import Scenario, minutes
from sim.study.runner import replication_seed

HOUR_REL_TOL = 0.15
"""An hour whose model abandonment or service level differs from the observed by more than this
share of the observed value (and significantly) is *off*: the verdict cannot be "reproduced"."""
HOUR_COLUMNS = [
    "hour", "calls", "observed_abandon", "model_abandon", "abandon_rel_diff", "abandon_significant",
    "observed_service_level", "model_service_level", "service_level_rel_diff", "service_level_significant", "off",
]

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
    hours: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=HOUR_COLUMNS))

    @property
    def verdict(self) -> str:
        """The overall verdict (see :func:`overall`)."""
        return overall(self.summary)


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


def _per_interval(calls: pd.DataFrame, step: int, threshold_s: float) -> pd.DataFrame:
    """A simulated day's calls per interval of arrival: ``minute``, ``offered``, ``abandoned``,
    ``within`` (answered within ``threshold_s``), with numpy (a pandas named aggregation per
    replication took a third of the back-test)."""
    t = calls["arrival"]
    m = ((t.dt.hour * 60 + t.dt.minute).to_numpy() // step) * step
    ans = calls["answered_at"].notna().to_numpy()
    within = ans & (calls["wait_s"].to_numpy() <= threshold_s)
    keys, inv = np.unique(m, return_inverse=True)
    return pd.DataFrame(
        {
            "minute": keys,
            "offered": np.bincount(inv, minlength=len(keys)),
            "abandoned": np.bincount(inv, weights=~ans, minlength=len(keys)).astype(np.int64),
            "within": np.bincount(inv, weights=within, minlength=len(keys)).astype(np.int64),
        }
    )


def _observed(table: pd.DataFrame) -> pd.DataFrame:
    """Per date the observed KPIs of the interval table (``asa_s`` filled by the caller when
    the export gives the ASA of answered calls)."""
    d = daily(table).set_index("date")
    return d[["availability", "service_level", "abandon_share", "mean_wait_all_s"]].assign(asa_s=np.nan)


day_scenario = day_variant
"""The scenario of one historical day: :func:`sim.scenario.variants.day_variant`."""


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
    per_day: list[pd.DataFrame] = []
    for i, date in enumerate(dates):
        hours = base.calendar.hours_of(date.weekday())
        if hours is None:
            continue
        h = (minutes(hours.opens), minutes(hours.closes))
        day = table[table["date"] == date]
        counts = day.set_index("minute")["offered"]
        agents = staffing[staffing["date"] == date].set_index("minute")["agents_eff"]
        sims = []
        scenario = day_scenario(cfg, date, counts, agents, h, step, seed)
        for r in range(replications):  # the runner's seeds: day i's replication r is replication i * R + r of the run
            res = simulate(scenario, replication_seed(seed, i * replications + r))
            c = res.calls
            sims.append(_day_kpis(c, thr))
            counts_r = _per_interval(c, step, thr)
            per_day.append(counts_r.assign(src="sim", unit=f"{i}/{r}"))
            ivs.append(counts_r.set_index("minute").assign(src="sim"))
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
        per_day.append(day[["minute", "offered", "abandoned", "within"]].assign(src="obs", unit=str(i)))
    days = pd.DataFrame(rows, columns=["date", "kpi", "observed", "sim_mean", "sim_sd"])
    days["z"] = (days["observed"] - days["sim_mean"]) / (days["sim_sd"] * np.sqrt(1 + 1 / replications))
    hours = by_hour(pd.concat(per_day, ignore_index=True)) if per_day else pd.DataFrame(columns=HOUR_COLUMNS)
    iv = pd.concat(ivs).reset_index().groupby(["src", "minute"])[["offered", "abandoned", "within"]].sum()
    intervals = pd.DataFrame(
        {
            "observed_abandon": (iv.loc["obs", "abandoned"] / iv.loc["obs", "offered"]),
            "sim_abandon": (iv.loc["sim", "abandoned"] / iv.loc["sim", "offered"]),
            "observed_service_level": (iv.loc["obs", "within"] / iv.loc["obs", "offered"]),
            "sim_service_level": (iv.loc["sim", "within"] / iv.loc["sim", "offered"]),
        }
    ).reset_index()
    return BacktestResult(days, intervals, summarise(days, hours), replications, hours)


def _ratio(num: pd.Series, den: pd.Series) -> tuple[float, float]:
    """A share over units (days, or day x replication) and its SE (the ratio estimator's)."""
    n, d = num.to_numpy(dtype=float), den.to_numpy(dtype=float)
    tot = d.sum()
    if tot <= 0:
        return np.nan, np.nan
    r = n.sum() / tot
    k = len(d)
    se = float(np.sqrt(((n - r * d) ** 2).sum() * k / max(k - 1, 1))) / tot if k > 1 else np.nan
    return float(r), se


def by_hour(units: pd.DataFrame) -> pd.DataFrame:
    """Per hour of the day: observed and model abandonment and service level, the difference's
    SE (days as units for the observed share, day x replication for the model's) and whether the
    hour is off: the difference is significant (|d| > z SE, z Bonferroni-corrected for a
    family-wise 5 % over the hours and the two KPIs: 2.99 for 9 hours) and more than
    :data:`HOUR_REL_TOL` of the observed value."""
    u = units.assign(hour=units["minute"] // 60).groupby(["src", "unit", "hour"])[["offered", "abandoned", "within"]].sum(min_count=1)
    u = u.reset_index()
    rows = []
    # family-wise 95 % over the hours x the two KPIs (Bonferroni): one hour in many that is off
    # by chance must not block the verdict
    z = float(stats.norm.ppf(1 - 0.05 / (2 * max(2 * u["hour"].nunique(), 1))))
    for h, g in u.groupby("hour"):
        o, m = g[g["src"] == "obs"], g[g["src"] == "sim"]
        row: dict[str, Any] = {"hour": f"{int(h):02d}:00", "calls": int(o["offered"].sum())}
        off = []
        for k, col in (("abandon", "abandoned"), ("service_level", "within")):
            if o[col].isna().all() or m.empty:
                row.update({f"observed_{k}": np.nan, f"model_{k}": np.nan, f"{k}_rel_diff": np.nan, f"{k}_significant": False})
                continue
            ov, ose = _ratio(o[col].fillna(0), o["offered"])
            mv, mse = _ratio(m[col].fillna(0), m["offered"])
            d = mv - ov
            sig = bool(np.isfinite(ose) and np.isfinite(mse) and abs(d) > z * np.hypot(ose, mse))
            rel = d / ov if ov > 0 else (np.inf if d > 0 else 0.0)
            row.update({f"observed_{k}": ov, f"model_{k}": mv, f"{k}_rel_diff": rel, f"{k}_significant": sig})
            if sig and abs(rel) > HOUR_REL_TOL:
                off.append(k)
        row["off"] = ", ".join(off)
        rows.append(row)
    return pd.DataFrame(rows, columns=HOUR_COLUMNS)


def summarise(days: pd.DataFrame, hours: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per KPI: mean observed, mean simulated, mean difference with a t CI, share of days
    within the model's spread, and a plain verdict. Abandonment and service level cannot be
    *reproduced* while an hour of the day is off (see :func:`by_hour`)."""
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
        hk = {"abandon_share": "abandon", "service_level": "service_level"}.get(k)
        if hk is not None and hours is not None and len(hours):
            bad = hours[hours["off"].str.contains(hk, regex=False)]
            if len(bad):
                verdict = f"not reproduced by hour of the day: {_hour_list(bad, hk)}; over the day {verdict}"
        out.append((k, float(d["observed"].mean()), float(d["sim_mean"].mean()), m, lo, hi, within, n, verdict))
    return pd.DataFrame(
        out, columns=["kpi", "observed", "model", "difference", "ci_low", "ci_high", "days_within_spread", "days", "verdict"]
    )


def _hour_list(bad: pd.DataFrame, k: str) -> str:
    return ", ".join(
        f"{r['hour']} observed {100 * r[f'observed_{k}']:.1f} % vs model {100 * r[f'model_{k}']:.1f} % ({100 * r[f'{k}_rel_diff']:+.0f} %)"
        for _, r in bad.iterrows()
    )


def overall(summary: pd.DataFrame) -> str:
    """One line: reproduced only when every KPI is."""
    if summary.empty:
        return "no back-test"
    bad = [k for k, v in zip(summary["kpi"], summary["verdict"], strict=True) if not str(v).startswith("reproduced")]
    if not bad:
        return "reproduced: every KPI and every hour of the day"
    unsure = [k for k, v in zip(summary["kpi"], summary["verdict"], strict=True) if str(v).startswith("not clearly different")]
    if len(unsure) == len(bad):  # nothing shown to differ: too few days to show agreement within the bands
        return f"not shown: no KPI or hour clearly differs, but too few days to show {', '.join(bad)} within the bands"
    return f"not reproduced: {', '.join(k for k in bad if k not in unsure)}" + (f" (uncertain: {', '.join(unsure)})" if unsure else "")

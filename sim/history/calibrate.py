"""Calibration: from a call log or an interval report to a scenario and a back-test.

:func:`calibrate` reads the export, fits demand, handle time, patience and balking (per-call
logs) or patience from abandonment and average wait (interval reports), infers the effective
staffing (or uses the planner's staffing CSV), forecasts the plan period, writes the
scenario delta and simulates the calibrated model over the history (the back-test).
Every step is in its own module of :mod:`sim.history`; this one only strings them together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim.errors import ScenarioError
from sim.history import aggregate
from sim.history.backtest import BacktestResult, run_backtest
from sim.history.columns import load_map
from sim.history.demand import DemandEstimate, calendar_with, estimate_demand
from sim.history.estimate import Estimate
from sim.history.forecast import Backtest, backtest, forecast, plan_days
from sim.history.handling import PartFit, fit_handling
from sim.history.patience import PatienceEstimate, estimate_patience, patience_from_intervals
from sim.history.readers import Drops, read_calls, read_intervals
from sim.history.refine import refine_staffing
from sim.history.staffing import Bias, StaffingEstimate, Uncertainty, agents_answering, effective_staffing, given_staffing
from sim.history.writer import delta, full_config, hours_config, profile_csv, staffing_csv, write
from sim.scenario.compose import load_scenario, scenarios_dir
from sim.schema import Scenario

Kind = Literal["calls", "intervals"]


@dataclass
class Calibration:
    """Everything a calibration found and wrote."""

    name: str
    kind: Kind
    source: str
    drops: Drops
    table: pd.DataFrame
    demand: DemandEstimate
    handling: dict[str, PartFit] | None
    patience: PatienceEstimate | None
    patience_interval: Estimate | None
    staffing: StaffingEstimate
    forecast_backtest: Backtest | None
    plan: pd.DataFrame
    plan_method: str
    plan_volume: float
    plan_day_cv: float
    scenario: Scenario
    delta: dict[str, Any]
    backtest: BacktestResult | None
    paths: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def estimates(self) -> pd.DataFrame:
        """All scalar estimates with their CIs, one row each."""
        ests = list(self.demand.estimates())
        if self.handling:
            for f in self.handling.values():
                ests += [f.mean, f.cv]
        if self.patience:
            ests += self.patience.estimates()
        if self.patience_interval:
            ests.append(self.patience_interval)
        return pd.DataFrame([e.row() for e in ests])


def _handling_from_report(base: Scenario, table: pd.DataFrame) -> tuple[dict[str, Any], str]:
    answered = table["answered"].to_numpy()
    aht = table["aht_s"].to_numpy()
    ok = np.isfinite(aht) & (answered > 0)
    if not ok.any():
        return {}, "the report has no handle time: the default scenario's handle time is kept"
    mean = float((aht[ok] * answered[ok]).sum() / answered[ok].sum())
    f = mean / base.handling.mean_handle_s
    parts = {}
    for name in ("talk", "hold", "wrap"):
        d = getattr(base.handling, name)
        parts[name] = {"dist": d.dist, "mean": round(d.mean_value * f, 2), "cv": d.cv, "values": None}
    return parts, (
        f"interval report: mean handle time {mean:.1f} s from the report; its split into talk/hold/wrap and the "
        "CVs are the default scenario's (a report has no per-call times)"
    )


def _held_out(days: pd.DataFrame, backtest_days: int) -> list[pd.Timestamp]:
    """The back-test's days: the last ``backtest_days`` open, non-outlier days, at most half of the
    regular days (the staffing is fitted on the regular days before them)."""
    if backtest_days <= 0:
        return []
    ok = days["kind"].isin(("regular", "early", "after_closure")) & ~days["outlier"]
    n_regular = int((days["kind"].eq("regular") & ~days["outlier"]).sum())
    k = min(backtest_days, n_regular // 2)
    return list(days.loc[ok, "date"].iloc[-k:]) if k > 0 else []


def _aht_ci(hfit: dict[str, PartFit] | None, table: pd.DataFrame, aht: float) -> tuple[float, float] | None:
    """95 % CI of the mean handle time: the parts' CIs in quadrature (call log), or a t interval
    over the days' mean handle times (interval report)."""
    if hfit:
        half = math.sqrt(sum(((f.mean.high - f.mean.low) / 2) ** 2 for f in hfit.values()))
        return (aht - half, aht + half)
    t = table[table["aht_s"].notna() & (table["answered"] > 0)]
    if t.empty:
        return None
    g = t.assign(h=t["aht_s"] * t["answered"]).groupby("date")[["h", "answered"]].sum()
    d = (g["h"] / g["answered"]).to_numpy()
    if len(d) < 3:
        return None
    half = 1.959963984540054 * float(np.std(d, ddof=1)) / math.sqrt(len(d))
    return (aht - half, aht + half)


def _patience_ci(pat: PatienceEstimate | None, pat_iv: Estimate | None) -> tuple[float, float] | None:
    e = pat.exp_mean if pat is not None else pat_iv
    if e is None or not (math.isfinite(e.low) and math.isfinite(e.high)) or e.low <= 0:
        return None
    return (e.low, e.high)


def _plan_period(days: pd.DataFrame, start: str | None, end: str | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    if start is None:
        last = days["date"].max()
        s = (last + pd.offsets.MonthBegin(1)).normalize()
    else:
        s = pd.Timestamp(start)
    e = pd.Timestamp(end) if end is not None else (s + pd.offsets.MonthEnd(0)).normalize()
    return s, e


def calibrate(
    path: str | Path,
    kind: Kind,
    columns: str | Path | None = None,
    *,
    name: str = "calibrated",
    out: str | Path | None = None,
    scenarios: str | Path | None = None,
    staffing: str | Path | None = None,
    start: str | None = None,
    end: str | None = None,
    plan_start: str | None = None,
    plan_end: str | None = None,
    staffing_target: Literal["abandonment", "wait"] = "abandonment",
    backtest_days: int = 30,
    refine_days: int = 40,
    replications: int = 4,
    seed: int = 0,
) -> Calibration:
    """Calibrate a scenario from a telephony export (see the module docstring).

    ``out``: folder for the tables (None: nothing written but the scenario);
    ``scenarios``: where the delta goes (default: the project's scenarios folder);
    ``staffing``: a CSV ``date|weekday,interval_start,agents`` of the historical staffing.
    """
    import time

    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    if kind not in ("calls", "intervals"):
        raise ScenarioError(f"--kind must be calls or intervals, got {kind!r}.")
    cmap = load_map(columns, kind)
    base = load_scenario("default")
    notes: list[str] = []
    log = rep = None
    if kind == "calls":
        log = read_calls(path, cmap, start, end)
        step = cmap.interval_min or base.demand.interval_min
        table = aggregate.from_calls(log, step)
        drops = log.drops
    else:
        rep = read_intervals(path, cmap, start, end)
        step = rep.interval_min
        table = aggregate.from_report(rep)
        drops = rep.drops
    if table["offered"].sum() <= 0:
        raise ScenarioError(f"Cannot use {path}: no calls left after dropping rows ({drops.by_reason}).")
    timings["read"] = time.perf_counter() - t0
    dem = estimate_demand(table, step, base.calendar, seed)
    notes += dem.notes
    timings["demand"] = time.perf_counter() - t0
    handling_cfg: dict[str, Any]
    hfit = pat = None
    pat_iv = None
    if log is not None:
        hfit = fit_handling(log.calls, seed)
        handling_cfg = {
            p.removesuffix("_s"): {"dist": None, "mean": None, "cv": None, "values": None, **f.config()} for p, f in hfit.items()
        }
        pat = estimate_patience(log.calls)
        aht = sum(f.mean.value for f in hfit.values())
        mean_pat = pat.exp_mean.value
        balk = pat.balk.value
        if pat.values is not None:
            patience_cfg: dict[str, Any] = {
                "dist": "empirical",
                "mean": None,
                "cv": None,
                "values": pat.values,
                "balk_share": round(balk, 4),
            }
        else:
            patience_cfg = {"dist": "exponential", "mean": round(mean_pat, 1), "cv": None, "values": None, "balk_share": round(balk, 4)}
    else:
        handling_cfg, note = _handling_from_report(base, table)
        notes.append(note)
        pat_iv = patience_from_intervals(table, seed)
        mean_pat = pat_iv.value
        balk = 0.0
        aht = (
            float((table["aht_s"] * table["answered"]).sum() / table.loc[table["aht_s"].notna(), "answered"].sum())
            if table["aht_s"].notna().any()
            else base.handling.mean_handle_s
        )
        patience_cfg = {"dist": "exponential", "mean": round(mean_pat, 1), "cv": None, "values": None, "balk_share": 0.0}
        notes.append(
            "interval report: patience is the exponential mean from total waiting time / abandonments; "
            "balkers cannot be told apart without per-call waits, so they are inside this mean"
        )
    timings["handling_patience"] = time.perf_counter() - t0
    regular = dem.days.loc[dem.days["kind"].eq("regular") & ~dem.days["outlier"], "date"]
    held = _held_out(dem.days, backtest_days)
    if held:  # the back-test judges the staffing on days its fit did not see
        regular = regular[regular < min(held)]
    if staffing is not None:
        st_path = Path(staffing)
        try:
            st = given_staffing(table, pd.read_csv(st_path))
        except (OSError, ValueError, KeyError) as exc:
            raise ScenarioError(
                f"Cannot use the staffing CSV {st_path}: {' '.join(str(exc).split())} "
                "(expected columns date or weekday, interval_start, agents)."
            ) from None
    else:
        if not math.isfinite(mean_pat):
            raise ScenarioError(
                f"Cannot infer staffing from {path}: no call was abandoned, so abandonment says nothing about the agents; give --staffing."
            )

        seen = agents_answering(log.calls, step) if log is not None else None
        unc = Uncertainty(_aht_ci(hfit, table, aht), _patience_ci(pat, pat_iv))

        def estimate(bias: Bias | None, ci: bool = True) -> StaffingEstimate:
            return effective_staffing(
                table, step, aht, mean_pat, balk, regular, staffing_target, cmap.threshold_s, bias,
                hours=dem.hours, seen=seen, uncertainty=unc if ci else None,
            )

        st = estimate(None)
    timings["staffing"] = time.perf_counter() - t0
    fb = None
    try:
        fb = backtest(dem.days)
    except ValueError as exc:
        notes.append(f"forecast back-test skipped: {exc}")
    p_start, p_end = _plan_period(dem.days, plan_start, plan_end)
    cal = calendar_with(base.calendar, dem.hours)
    target = plan_days(cal, p_start, p_end)
    method = fb.best if fb is not None else "history"
    wf = dict(zip(dem.weekday_factor["weekday"], dem.weekday_factor["factor"], strict=True))
    plan = target
    plan_cv = dem.day_cv.value
    if fb is not None:
        plan = forecast(dem.days, target)
        reg = plan[plan["kind"].eq("regular")]
        per = reg[method] / reg["weekday"].map(wf)
        volume = float(per.mean())
        mu = reg["regression"].to_numpy()
        cv2 = np.exp(reg["log_sd"].to_numpy() ** 2) - 1 - 1 / mu
        plan_cv = float(np.sqrt(max(float(np.mean(cv2)), 0.0)))
    else:
        volume = dem.volume.value
    timings["forecast"] = time.perf_counter() - t0
    prof = profile_csv(dem.profile, dem.hours, step)
    st_table = staffing_csv(st.pooled, dem.hours, step)
    parts = {
        "calendar": {"hours": hours_config(dem.hours)},
        "demand": {
            "interval_min": step,
            "volume": round(volume, 2),
            "volume_per": "day",
            "weekday_factor": {w: round(float(v), 4) for w, v in wf.items()},
            "day_cv": round(min(plan_cv, 5.0), 4),
            "profile_start": prof["interval_start"].min(),
        },
        "handling": handling_cfg,
        "patience": patience_cfg,
        "staffing": {},
        "run": {"start": p_start.date().isoformat(), "end": p_end.date().isoformat(), "seed": seed},
    }
    d = delta(
        name,
        f"Calibrated from {Path(path).name} ({kind}, {table['date'].min():%Y-%m-%d} to {table['date'].max():%Y-%m-%d}); "
        f"plan {p_start:%Y-%m-%d} to {p_end:%Y-%m-%d}, volume by {method}.",
        parts,
    )
    try:
        scenario = Scenario.model_validate(full_config(base, d, prof, st_table))
    except ValueError as exc:
        raise ScenarioError(f"The calibrated scenario from {path} does not validate: {' '.join(str(exc).split())}") from None
    hist = scenario.model_copy(update={"calendar": cal})
    if staffing is None and refine_days > 0 and staffing_target == "abandonment":
        sample = list(regular.iloc[-refine_days:])
        st = refine_staffing(hist, table, estimate, sample, aht, mean_pat, balk, seed=seed + 7, plain=st)
        st_table = staffing_csv(st.pooled, dem.hours, step)
        scenario = Scenario.model_validate(full_config(base, d, prof, st_table))
        hist = scenario.model_copy(update={"calendar": cal})
    timings["refine"] = time.perf_counter() - t0
    paths = write(scenarios or scenarios_dir(), name, d, prof, st_table)
    notes += st.notes
    bt = None
    if held:
        dates = held
        asa = None
        if rep is not None:
            r = rep.intervals.assign(date=rep.intervals["period"].dt.normalize())
            asa = (r["asa_s"] * r["answered"]).groupby(r["date"]).sum() / r.groupby("date")["answered"].sum()
        elif log is not None:
            c = log.calls[log.calls["fate"].eq("answered")]
            asa = c.groupby(c["arrival"].dt.normalize())["wait_s"].mean()
        bt = run_backtest(hist, table, st.per_interval, dates, replications, seed + 1, asa)
    timings["backtest"] = time.perf_counter() - t0
    result = Calibration(
        name,
        kind,
        str(path),
        drops,
        table,
        dem,
        hfit,
        pat,
        pat_iv,
        st,
        fb,
        plan,
        method,
        volume,
        plan_cv,
        scenario,
        d,
        bt,
        paths,
        notes,
        timings,
    )
    if out is not None:
        result.paths.update(write_tables(result, Path(out)))
    return result


def write_tables(c: Calibration, out: Path) -> dict[str, Path]:
    """The calibration's tables as CSVs in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    tables: dict[str, pd.DataFrame | None] = {
        "estimates": c.estimates(),
        "dropped_counts": c.drops.table(),
        "dropped_rows": c.drops.rows,
        "days": c.demand.days,
        "weekday_factors": c.demand.weekday_factor,
        "monthly": c.demand.monthly,
        "profile": c.demand.profile,
        "calendar_check": c.demand.calendar_check,
        "staffing_pooled": c.staffing.pooled,
        "staffing_intervals": c.staffing.per_interval,
        "patience_km": c.patience.km if c.patience else None,
        "forecast_backtest": c.forecast_backtest.table if c.forecast_backtest else None,
        "forecast_scores": c.forecast_backtest.scores if c.forecast_backtest else None,
        "forecast_plan": c.plan,
        "backtest_days": c.backtest.days if c.backtest else None,
        "backtest_intervals": c.backtest.intervals if c.backtest else None,
        "backtest_summary": c.backtest.summary if c.backtest else None,
        "backtest_hours": c.backtest.hours if c.backtest else None,
    }
    paths = {}
    for k, t in tables.items():
        if t is not None:
            paths[k] = out / f"{k}.csv"
            t.to_csv(paths[k], index=False)
    return paths

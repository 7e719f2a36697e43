"""Calibration: from a call log or an interval report to a scenario and a back-test.

:func:`calibrate` reads the export, fits demand, handle time, patience and balking (per-call
logs) or patience from abandonment and average wait (interval reports), infers the effective
staffing (or uses the planner's staffing CSV), forecasts the plan period, writes the
scenario delta and simulates the calibrated model over the history (the back-test).
Every step is in its own module of :mod:`sim.history`; this one only strings them together.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim.errors import ScenarioError
from sim.history import aggregate
from sim.history.aht import AhtProfile, cv_sensitivity, fit_aht_profile, handle_cv, handling_with_cv
from sim.history.backtest import BacktestResult, run_backtest
from sim.history.columns import load_map
from sim.history.demand import DemandEstimate, as_excluded, calendar_with, estimate_demand
from sim.history.estimate import Estimate
from sim.history.fcr import FcrEstimate, estimate_fcr, not_estimated_note, replayed
from sim.history.forecast import Backtest, backtest, forecast, plan_days
from sim.history.handling import PartFit, fit_handling
from sim.history.patience import PatienceEstimate, estimate_patience, patience_from_intervals
from sim.history.readers import Drops, read_calls, read_intervals
from sim.history.refine import refine_staffing
from sim.history.staffing import (
    Bias,
    StaffingEstimate,
    Uncertainty,
    agents_answering,
    busy_from_calls,
    effective_staffing,
    given_staffing,
)
from sim.history.writer import calendar_config, delta, full_config, hours_config, profile_csv, staffing_csv, write
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
    aht_profile: AhtProfile | None = None
    """The handle time by time of day (:mod:`sim.history.aht`)."""
    aht_cv: float | None = None
    """The whole handle time's CV in the scenario (fitted from a log; assumed for a report)."""
    aht_cv_assumed: bool = False
    """True when ``aht_cv`` is an assumption (an interval report has no per-call times)."""
    cv_sensitivity: pd.DataFrame | None = None
    """A report's abandonment and service level simulated at several handle-time CVs."""
    fcr: FcrEstimate | None = None
    """First-contact resolution and the repeat delay (a call log with a customer column)."""

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
        if self.fcr:
            ests += self.fcr.estimates()
        return pd.DataFrame([e.row() for e in ests])


def _handling_from_report(base: Scenario, table: pd.DataFrame, cv: float | None = None) -> tuple[dict[str, Any], str]:
    """The report's handle time: its mean split as the default scenario's parts; their CVs
    the default's, or scaled so the whole handle time has CV ``cv`` (the ``aht_cv`` option)."""
    answered = table["answered"].to_numpy()
    aht = table["aht_s"].to_numpy()
    ok = np.isfinite(aht) & (answered > 0)
    base_parts = {n: getattr(base.handling, n).model_dump() for n in ("talk", "hold", "wrap")}
    if not ok.any():
        if cv is None:
            return {}, "the report has no handle time: the default scenario's handle time is kept"
        return handling_with_cv(base_parts, cv), (
            f"the report has no handle time: the default scenario's mean handle time is kept, with a CV of {cv:g} (aht_cv)"
        )
    mean = float((aht[ok] * answered[ok]).sum() / answered[ok].sum())
    f = mean / base.handling.mean_handle_s
    parts = {}
    for name in ("talk", "hold", "wrap"):
        d = getattr(base.handling, name)
        parts[name] = {"dist": d.dist, "mean": round(d.mean_value * f, 2), "cv": d.cv, "values": None}
    if cv is not None:
        parts = handling_with_cv(parts, cv)
    spread = (
        f"the handle time's CV {cv:g} is the planner's (aht_cv), spread over the default parts"
        if cv is not None
        else f"the CVs are the default scenario's (the whole handle time's CV {handle_cv(parts):.2f}, an assumption: "
        "set aht_cv in the column map or --aht-cv; real centres show 1.1-1.3)"
    )
    return parts, (
        f"interval report: mean handle time {mean:.1f} s from the report; its split into talk/hold/wrap is the "
        f"default scenario's and {spread} (a report has no per-call times)"
    )


def _open_grid(hours: dict[str, tuple[int, int] | None], step: int) -> list[int]:
    """Every interval start (minutes) in some weekday's opening hours."""
    return sorted({m for h in hours.values() if h is not None for m in range(h[0], h[1], step)})


MIN_ANSWERED = 10
"""Answered calls a call log needs for the handle-time fit (:func:`sim.history.handling.fit_part`)."""


def _enough_answered(path: str | Path, log: Any, cmap: Any) -> None:
    n = int(log.calls["fate"].eq("answered").sum())
    if n >= MIN_ANSWERED:
        return
    raise ScenarioError(
        f"Cannot use {path}: only {n} answered call(s) are left ({log.drops.kept} of {log.drops.read} rows kept); fitting talk, "
        f"hold and wrap times needs at least {MIN_ANSWERED} answered calls, and a calibration worth using some weeks of calls. "
        f"Give a longer history, or check the column map's answered (or answered_at) column and answered_values "
        f"({', '.join(cmap.answered_values)})."
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
    aht_cv: float | None = None,
    sensitivity_days: int = 3,
    scenario: str = "default",
    overrides: Sequence[str] = (),
    exclude: Mapping[Any, str] | Iterable[Any] | None = None,
) -> Calibration:
    """Calibrate a scenario from a telephony export (see the module docstring).

    ``out``: folder for the tables (None: nothing written but the scenario);
    ``scenarios``: where the delta goes (default: the project's scenarios folder);
    ``staffing``: a CSV ``date|weekday,interval_start,agents`` of the historical staffing;
    ``aht_cv``: an interval report's handle-time CV (overrides the column map's ``aht_cv``;
    default: the default scenario's parts); ``sensitivity_days``: recent days simulated at
    handle-time CVs 0.8 and 1.2 for a report (0: none).
    ``scenario``/``overrides``: the scenario whose calendar (country, eves, early closing,
    closures) sorts the history's days and goes into the written scenario;
    ``exclude``: dates left out of the fit (a list, or a mapping date -> reason), not closures.
    """
    import time

    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    if kind not in ("calls", "intervals"):
        raise ScenarioError(f"--kind must be calls or intervals, got {kind!r}.")
    if sensitivity_days < 0:
        raise ScenarioError(f"--sensitivity-days must be >= 0 (0: no handle-time CV sensitivity), got {sensitivity_days}.")
    cmap = load_map(columns, kind)
    where = scenarios if scenarios is not None and (Path(scenarios) / "config.yaml").is_file() else None
    named = load_scenario(scenario, overrides, where)
    # the written experiment applies to the default configuration: only the calendar is the named one's
    base = named if scenario == "default" and not overrides else load_scenario("default", (), where)
    base = base.model_copy(update={"calendar": named.calendar})
    excluded = as_excluded(exclude)
    notes: list[str] = []
    log = rep = None
    if kind == "calls":
        log = read_calls(path, cmap, start, end)
        _enough_answered(path, log, cmap)
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
    dense = rep is not None and bool((rep.intervals["offered"] == 0).any())  # a report that prints empty intervals
    fcr = estimate_fcr(path, log, cmap, base, table, step, excluded, seed) if log is not None else None
    fresh = fcr is not None and fcr.estimated  # the demand is the fresh calls: the model makes the failure demand
    dem = estimate_demand(fcr.fresh_table if fresh else table, step, base.calendar, seed, excluded, dense)  # type: ignore[union-attr]
    kept = table[~table["date"].isin(list(excluded))]  # handle times and patience without the excluded days
    notes += dem.notes + (fcr.notes if fcr is not None else [not_estimated_note(kind)])
    timings["demand"] = time.perf_counter() - t0
    handling_cfg: dict[str, Any]
    hfit = pat = None
    pat_iv = None
    regular = dem.days.loc[dem.days["kind"].eq("regular") & ~dem.days["outlier"], "date"]
    cv_given = aht_cv if aht_cv is not None else cmap.aht_cv
    if cv_given is not None and not (isinstance(cv_given, int | float) and 0 < cv_given <= 20):
        raise ScenarioError(f"aht_cv (--aht-cv or the column map's aht_cv): must be a number > 0 and <= 20, got {cv_given!r}.")
    grid = _open_grid(dem.hours, step)
    aht_prof: AhtProfile | None = None
    if log is not None:
        if cv_given is not None:
            notes.append(f"aht_cv {cv_given:g} not used: a call log's handle-time CV is fitted from its calls")
        calls = log.calls[~log.calls["arrival"].dt.normalize().isin(list(excluded))]
        answered = calls[calls["fate"].eq("answered")]
        hs = answered["handle_s"].to_numpy(dtype=float)
        hs = hs[np.isfinite(hs)]
        cv_log = float(hs.std(ddof=1) / hs.mean()) if hs.size > 1 and hs.mean() > 0 else 1.0
        aht_prof = fit_aht_profile(kept, regular, cv_log)
        scale = None
        if aht_prof is not None and not aht_prof.flat:
            a = answered["arrival"]
            scale = aht_prof.factors_at(((a.dt.hour * 60 + a.dt.minute) // step * step).to_numpy())
        hfit = fit_handling(calls, seed, scale)
        handling_cfg = {
            p.removesuffix("_s"): {"dist": None, "mean": None, "cv": None, "values": None, **f.config()} for p, f in hfit.items()
        }
        pat = estimate_patience(calls)
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
        handling_cfg, note = _handling_from_report(base, kept, cv_given)
        notes.append(note)
        cv_rep = handle_cv(handling_cfg or {n: getattr(base.handling, n).model_dump() for n in ("talk", "hold", "wrap")})
        aht_prof = fit_aht_profile(kept, regular, cv_rep)
        pat_iv = patience_from_intervals(kept, seed)
        mean_pat = pat_iv.value
        balk = 0.0
        aht = (
            float((kept["aht_s"] * kept["answered"]).sum() / kept.loc[kept["aht_s"].notna(), "answered"].sum())
            if kept["aht_s"].notna().any()
            else base.handling.mean_handle_s
        )
        patience_cfg = {"dist": "exponential", "mean": round(mean_pat, 1), "cv": None, "values": None, "balk_share": 0.0}
        notes.append(
            "interval report: patience is the exponential mean from total waiting time / abandonments; "
            "balkers cannot be told apart without per-call waits, so they are inside this mean"
        )
    if aht_prof is not None and not aht_prof.flat:
        handling_cfg = {**handling_cfg, "by_interval": aht_prof.by_interval(grid)}
        notes.append(
            f"handle time by time of day: the intervals' AHTs differ (test of equal means p = {aht_prof.p_equal:.2g}); "
            f"factors {aht_prof.table['factor'].min():.2f}-{aht_prof.table['factor'].max():.2f} (shrunk toward the mean, "
            "mean 1 over the answered calls) go to handling.by_interval"
        )
    timings["handling_patience"] = time.perf_counter() - t0
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
        busy = busy_from_calls(log.calls, step) if log is not None else None
        unc = Uncertainty(_aht_ci(hfit, table, aht), _patience_ci(pat, pat_iv))

        cv_h = handle_cv({n: handling_cfg.get(n) or getattr(base.handling, n).model_dump() for n in ("talk", "hold", "wrap")})

        def estimate(bias: Bias | None, ci: bool = True) -> StaffingEstimate:
            return effective_staffing(
                table, step, aht, mean_pat, balk, regular, staffing_target, cmap.threshold_s, bias,
                hours=dem.hours, seen=seen, uncertainty=unc if ci else None, handle_cv=cv_h, busy=busy,
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
        "calendar": {**calendar_config(base.calendar), "hours": hours_config(dem.hours)},
        "demand": {
            "interval_min": step,
            "volume": round(volume, 2),
            "volume_per": "day",
            "weekday_factor": {w: round(float(v), 4) for w, v in wf.items()},
            "day_cv": round(min(plan_cv, 5.0), 4),
            "profile_start": prof["interval_start"].min(),
            # the displaced callers' window keeps its length in hours on another grid
            **({"displaced_intervals": max(1, round(base.demand.displaced_intervals * base.demand.interval_min / step))}
               if step != base.demand.interval_min else {}),
        },
        "handling": handling_cfg,
        "patience": patience_cfg,
        "staffing": {},
        "run": {"start": p_start.date().isoformat(), "end": p_end.date().isoformat(), "seed": seed},
        **({"resolution": fcr.config(base.resolution)} if fresh else {}),  # type: ignore[union-attr]
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
    hist = replayed(scenario, cal)
    if staffing is None and refine_days > 0 and staffing_target == "abandonment":
        sample = list(regular.iloc[-refine_days:])
        st = refine_staffing(hist, table, estimate, sample, aht, mean_pat, balk, seed=seed + 7, plain=st)
        st_table = staffing_csv(st.pooled, dem.hours, step)
        scenario = Scenario.model_validate(full_config(base, d, prof, st_table))
        hist = replayed(scenario, cal)
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
    scen_parts = {n: getattr(scenario.handling, n).model_dump() for n in ("talk", "hold", "wrap")}
    cv_now = handle_cv(scen_parts)
    sens = None
    if rep is not None and sensitivity_days > 0:
        s_dates = list(regular.iloc[-sensitivity_days:])
        cvs = tuple(sorted({round(cv_now, 2), 0.8, 1.2}))
        sens = cv_sensitivity(hist, table, st.per_interval, s_dates, cvs, seed=seed + 11)
    timings["cv_sensitivity"] = time.perf_counter() - t0
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
        aht_prof,
        cv_now,
        rep is not None and cv_given is None,
        sens,
        fcr=fcr,
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
        "aht_profile": c.aht_profile.table if c.aht_profile else None,
        "cv_sensitivity": c.cv_sensitivity,
        "backtest_hours": c.backtest.hours if c.backtest else None,
        "contacts": c.fcr.contacts if c.fcr else None,
    }
    paths = {}
    for k, t in tables.items():
        if t is not None:
            paths[k] = out / f"{k}.csv"
            t.to_csv(paths[k], index=False)
    return paths

"""``python -m sim.calibrate LOG.csv --kind calls|intervals [--columns map.yaml] --out DIR``.

Calibrates a scenario from a telephony export (:mod:`sim.history.calibration`), writes the
tables, the plots and an HTML report (estimates with CIs, dropped rows, forecast back-test,
the simulated back-test and its verdict) to ``--out``, and the scenario delta to
``scenarios/experiment/<name>.yaml`` (run it with ``python -m sim +experiment=<name>``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from sim.errors import ScenarioError  # noqa: E402
from sim.faces.folders import folder_for  # noqa: E402
from sim.faces.htmlkit import Section, bullets, frame_html, image, paragraph, render, table_html  # noqa: E402
from sim.history.calibration import Calibration, calibrate  # noqa: E402
from sim.schema import WEEKDAYS, hhmm  # noqa: E402


def _save(fig: plt.Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------- plots


def plot_profile(c: Calibration, path: Path) -> Path:
    """Intraday shares with 95 % CIs (pooled or per weekday)."""
    fig, ax = plt.subplots(figsize=(9, 3.8))
    for w, g in c.demand.profile.groupby("weekday", sort=False):
        ax.plot(g["minute"] / 60, 100 * g["share"], "o-", ms=3, label=w)
        ax.fill_between(g["minute"] / 60, 100 * g["ci_low"], 100 * g["ci_high"], alpha=0.2)
    ax.set_xlabel("interval start (hour)")
    ax.set_ylabel("% of the day's calls")
    ax.set_title("Intraday profile" + (" (weekdays pooled)" if c.demand.pooled else " per weekday"))
    ax.legend(fontsize=8, ncol=7)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_days(c: Calibration, path: Path) -> Path:
    """Daily calls by day kind, outliers marked; monthly mean per open day with CI."""
    d = c.demand.days
    fig, ax = plt.subplots(figsize=(10, 4))
    for kind, mk in (("regular", "."), ("early", "v"), ("after_closure", "^"), ("unplanned", "x"), ("excluded", "s")):
        s = d[d["kind"] == kind]
        ax.plot(s["date"], s["offered"], mk, ms=4, ls="none", label=kind)
    o = d[d["outlier"]]
    ax.plot(o["date"], o["offered"], "o", mfc="none", mec="red", ms=9, ls="none", label="outlier (left out)")
    m = c.demand.monthly
    ax.errorbar(
        m["month"] + pd.Timedelta(days=14),
        m["mean"],
        yerr=[m["mean"] - m["ci_low"], m["ci_high"] - m["mean"]],
        fmt="s-",
        color="k",
        ms=4,
        lw=1,
        capsize=2,
        label="monthly mean per open day (95 % CI)",
    )
    ax.set_ylabel("calls offered per day")
    ax.set_title("Daily volume")
    ax.legend(fontsize=7, ncol=3)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    return _save(fig, path)


def plot_weekdays(c: Calibration, path: Path) -> Path:
    """Weekday factors with 95 % CIs."""
    f = c.demand.weekday_factor
    f = f[f["factor"] > 0]
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.bar(f["weekday"], f["factor"], yerr=[f["factor"] - f["ci_low"], f["ci_high"] - f["factor"]], capsize=4, color="C0", alpha=0.8)
    ax.axhline(1, color="k", lw=0.8)
    ax.set_ylabel("factor (mean 1)")
    ax.set_title("Weekday factors (95 % bootstrap CI)")
    return _save(fig, path)


def plot_handling(c: Calibration, path: Path) -> Path:
    """Goodness of fit of each handle-time part: histogram and the fitted densities."""
    assert c.handling is not None
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
    for ax, (name, f) in zip(axes, c.handling.items(), strict=True):
        x = f.values[np.isfinite(f.values)]
        hi = float(np.quantile(x, 0.99))
        ax.hist(x[x <= hi], bins=60, density=True, color="0.75", label="observed")
        grid = np.linspace(max(hi / 500, 1e-3), hi, 300)
        m, cv = f.mean.value, f.cv.value
        s2 = np.log1p(cv**2)
        curves = {
            "lognormal": stats.lognorm.pdf(grid, np.sqrt(s2), scale=m * np.exp(-s2 / 2)),
            "gamma": stats.gamma.pdf(grid, 1 / cv**2, scale=m * cv**2),
            "exponential": stats.expon.pdf(grid, scale=m),
        }
        for fam, y in curves.items():
            lw = 2.2 if fam == f.dist else 1.0
            ax.plot(grid, y, lw=lw, label=fam + (" (chosen)" if fam == f.dist else ""))
        ax.set_title(f"{name}: {f.dist}, mean {m:.0f} s, CV {cv:.2f}", fontsize=9)
        ax.set_xlabel("seconds")
        ax.legend(fontsize=7)
    return _save(fig, path)


def plot_aht_profile(c: Calibration, path: Path) -> Path:
    """AHT per interval of the day with 95 % CIs, and the shrunk profile the scenario gets."""
    assert c.aht_profile is not None
    t = c.aht_profile.table
    fig, ax = plt.subplots(figsize=(9, 3.6))
    step = int(c.scenario.demand.interval_min)
    x = (t["minute"] + step / 2) / 60  # each interval's middle
    ax.errorbar(x, t["aht_s"], yerr=[t["aht_s"] - t["ci_low"], t["ci_high"] - t["aht_s"]], fmt="o", ms=3, capsize=2,
                label="pooled over regular days (95 % CI)")
    ax.hlines(t["shrunk_s"], t["minute"] / 60, (t["minute"] + step) / 60, color="C1", lw=2,
              label="scenario (shrunk; flat when no difference is shown)")
    ax.axhline(c.aht_profile.mean_s, color="k", lw=0.8, ls=":", label=f"overall {c.aht_profile.mean_s:.0f} s")
    ax.set_xlabel("interval start (hour)")
    ax.set_ylabel("mean handle time (s)")
    ax.set_title(f"Handle time by time of day (test of equal means p = {c.aht_profile.p_equal:.2g})")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def sensitivity_line(c: Calibration) -> str | None:
    """One line: the report's abandonment and service level at each handle-time CV simulated."""
    s = c.cv_sensitivity
    if s is None or s.empty:
        return None
    cvs = ", ".join(f"{v:g}" for v in s["cv"])
    ab = ", ".join(f"{100 * v:.1f} %" for v in s["abandon_share"])
    sl = ", ".join(f"{100 * v:.1f} %" for v in s["service_level"])
    r = s.iloc[0]
    what = f"assumed {c.aht_cv:.2f}" if c.aht_cv_assumed else f"{c.aht_cv:.2f} (aht_cv)"
    text = (
        f"handle-time CV {what}; the last {int(r['days'])} regular days simulated at CV {cvs}: abandonment {ab} "
        f"(observed {100 * r['observed_abandon_share']:.1f} %), service level {sl} (observed {100 * r['observed_service_level']:.1f} %)"
    )
    if {0.8, 1.2} <= set(s["cv"]):
        hi = s[s["cv"] == 1.2].iloc[0]

        def diff(name: str) -> str:
            m, h = 100 * hi[f"{name}_diff"], 196 * hi[f"{name}_diff_se"]
            return f"{m:+.1f} pp (95 % CI {m - h:+.1f} to {m + h:+.1f})"

        text += f"; CV 1.2 against 0.8 (paired runs): abandonment {diff('abandon')}, service level {diff('service_level')}"
    return text


def plot_patience(c: Calibration, path: Path) -> Path:
    """Kaplan-Meier survival of patience with its CI, and the exponential MLE."""
    assert c.patience is not None and c.patience.km is not None
    km = c.patience.km
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.step(km["time"], km["survival"], where="post", label="Kaplan-Meier (callers who found no agent free)")
    ax.fill_between(km["time"], km["ci_low"], km["ci_high"], step="post", alpha=0.25, label="95 % CI")
    t = np.linspace(0, float(km["time"].max()), 200)
    b = c.patience.balk.value
    ax.plot(
        t,
        (1 - b) * np.exp(-t / c.patience.exp_mean.value),
        "--",
        label=f"balking {100 * b:.1f} % + exponential, mean {c.patience.exp_mean.value:.0f} s",
    )
    ax.set_xlabel("seconds in queue")
    ax.set_ylabel("P(still waiting)")
    ax.set_title(f"Patience (balking share {100 * c.patience.balk.value:.1f} %)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_staffing(c: Calibration, path: Path) -> Path:
    """Pooled effective (or given) agents per weekday and interval, with CIs."""
    p = c.staffing.pooled
    fig, ax = plt.subplots(figsize=(9, 3.8))
    for w in WEEKDAYS:
        g = p[p["weekday"] == w]
        if g.empty:
            continue
        ax.step(g["minute"] / 60, g["agents"], where="post", label=w)
        ax.fill_between(g["minute"] / 60, g["ci_low"], g["ci_high"], step="post", alpha=0.15)
    ax.set_xlabel("interval start (hour)")
    ax.set_ylabel("agents")
    ax.set_title(f"Staffing: {c.staffing.source}")
    ax.legend(fontsize=8, ncol=7)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_forecast(c: Calibration, path: Path) -> Path:
    """Held-out stretch: observed against each method, the regression's prediction interval."""
    assert c.forecast_backtest is not None
    f = c.forecast_backtest.table
    f = f[f["kind"] != "closed"]
    fig, ax = plt.subplots(figsize=(10, 3.8))
    ax.fill_between(f["date"], f["pi_low"], f["pi_high"], color="C2", alpha=0.15, label="regression 95 % prediction interval")
    ax.plot(f["date"], f["observed"], "k.", label="observed")
    for m, st in (("seasonal_naive", ":"), ("same_as_last_year", "--"), ("regression", "-")):
        ax.plot(f["date"], f[m], st, lw=1, label=m)
    ax.set_ylabel("calls per day")
    ax.set_title("Forecast back-test on the held-out stretch")
    ax.legend(fontsize=7, ncol=3)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    return _save(fig, path)


def plot_backtest(c: Calibration, path: Path) -> Path:
    """Per day: observed availability and service level against the model's mean ± 2 SD."""
    assert c.backtest is not None
    d = c.backtest.days
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    for ax, k in zip(axes, ("availability", "service_level"), strict=True):
        s = d[d["kpi"] == k]
        ax.errorbar(s["date"], 100 * s["sim_mean"], yerr=200 * s["sim_sd"].fillna(0), fmt="o", ms=3, capsize=2, label="model (mean ± 2 SD)")
        ax.plot(s["date"], 100 * s["observed"], "kx", label="observed")
        ax.set_title(k.replace("_", " "))
        ax.set_ylabel("%")
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
        ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    return _save(fig, path)


# --------------------------------------------------------------------------- report


def _est_rows(frame: pd.DataFrame) -> list[list[str]]:
    def f(v: float) -> str:
        return "–" if pd.isna(v) else f"{v:.4g}"

    return [[r.parameter, f(r.estimate), f"{f(r.ci_low)} – {f(r.ci_high)}", f(r.se), r.unit, r.method] for r in frame.itertuples()]


def sections(c: Calibration, plots: dict[str, Path]) -> list[Section]:
    """The report's sections."""
    est = c.estimates()
    head = ["parameter", "estimate", "95 % CI", "SE", "unit", "method"]
    out = []
    summary = [
        f"Source: {c.source} ({c.kind}); {c.drops.read} rows read, {c.drops.kept} kept.",
        f"Scenario written: {c.paths.get('experiment', '')} — run it with `python -m sim +experiment={c.name}`.",
        f"Plan period {c.delta['run']['start']} to {c.delta['run']['end']}: volume {c.plan_volume:.1f} calls per factor-1 day "
        f"by {c.plan_method}, day CV {c.plan_day_cv:.3f}.",
    ]
    if c.backtest is not None:
        summary += [f"Back-test verdict: {c.backtest.verdict}."]
        summary += [f"{r.kpi}: {r.verdict}" for r in c.backtest.summary.itertuples()]
    out.append(Section("Summary", bullets(summary) + (bullets(c.notes) if c.notes else ""), "summary"))
    out.append(
        Section(
            "Rows read and dropped",
            paragraph("Every row of the file is kept or dropped for exactly one reason; the counts add up to the rows read.")
            + frame_html(c.drops.table()),
            "drops",
        )
    )
    d = c.demand
    body = table_html(head, _est_rows(est[est["parameter"].str.match(r"volume|day_cv|weekday_factor|displaced")]))
    body += image(plots["days"], "Daily calls by kind of day; outliers (robust z) circled; monthly means with 95 % CIs")
    body += image(plots["weekdays"], "Weekday factors")
    body += image(plots["profile"], "Intraday profile with 95 % CIs")
    body += paragraph(
        f"Weekday profiles {'pooled' if d.pooled else 'kept apart'}: chi-square test of equal shapes p = {d.pooling_p:.3g} "
        f"(pooled when p > 0.01 and the opening hours agree). Opening hours found: "
        + ", ".join(f"{w} {hhmm(int(h[0]))}-{hhmm(int(h[1]))}" if h else f"{w} closed" for w, h in d.hours.items())
        + "."
    )
    cal = c.scenario.calendar
    early = f"{cal.early_close:%H:%M}" if cal.early_close is not None else "early-closing"
    where = cal.country + (f"-{cal.subdiv}" if cal.subdiv else "")
    body += frame_html(d.calendar_check, f"Closed and {early} days of the calendar ({where}) against the data")
    left = d.days[d.days["kind"].isin(("excluded", "missing"))]
    if len(left):
        body += frame_html(
            left[["date", "weekday", "kind", "reason", "offered"]],
            "Days left out of the fit: excluded by the planner (with the reason) or missing from the export; not closures",
        )
    out.append(Section("Demand", body, "demand"))
    if c.handling is not None:
        rows = [
            [
                p,
                f.dist,
                f"{f.mean.value:.1f} ({f.mean.low:.1f} – {f.mean.high:.1f})",
                f"{f.cv.value:.3f} ({f.cv.low:.3f} – {f.cv.high:.3f})",
                ", ".join(f"{k} {v:.0f}" for k, v in f.loglik.items()) or "zeros present: empirical",
            ]
            for p, f in c.handling.items()
        ]
        out.append(
            Section(
                "Handle time",
                table_html(["part", "chosen", "mean s (95 % CI)", "CV (95 % CI)", "log-likelihood"], rows)
                + image(plots["handling"], "Histograms with the fitted densities (the chosen family bold)"),
                "handling",
            )
        )
    if c.aht_profile is not None:
        ap = c.aht_profile
        body = paragraph(
            f"Mean handle time per interval of the day (the interval a call arrives in), pooled over the regular days: "
            f"{'a call log' if c.kind == 'calls' else 'the report’s aht_s weighted by answered calls'}; SE over days, at least "
            f"CV × mean / √n. Test of equal means: p = {ap.p_equal:.3g}; "
            + (
                "no difference shown (p > 0.01): one handle time for the whole day."
                if ap.flat
                else f"the intervals differ: each is shrunk toward the overall {ap.mean_s:.0f} s by the random-effects weight "
                f"(between-interval SD {ap.tau_s:.0f} s) and the factors (mean 1 over the answered calls) are the scenario's "
                "handling.by_interval."
            )
        )
        body += image(plots["aht_profile"], "AHT per interval with 95 % CIs and the scenario's profile")
        body += frame_html(ap.table, "Per interval of the day")
        line = sensitivity_line(c)
        if line is not None:
            body += paragraph(
                "An interval report has no per-call times, so the handle time's spread is an assumption (set aht_cv in "
                "the column map or --aht-cv). How much it matters: " + line + "."
            )
            body += frame_html(c.cv_sensitivity, "Simulated at each handle-time CV (same staffing, same random numbers)")
        out.append(Section("Handle time by time of day", body, "aht_profile"))
    pat = est[est["parameter"].str.match(r"patience|balking")]
    body = table_html(head, _est_rows(pat))
    if "patience" in plots:
        body += image(
            plots["patience"],
            "Kaplan-Meier patience of the callers who found no agent free (its drop at 0 is the balkers) and the balking + exponential fit",
        )
        body += paragraph(
            "Kaplan-Meier by statsmodels' SurvfuncRight: lifelines pins pandas < 3, which this project needs. "
            "The scenario gets the balking share as patience.balk_share and the Kaplan-Meier curve above it as an empirical patience."
        )
    out.append(Section("Patience and balking", body, "patience"))
    out.append(
        Section(
            "Staffing",
            paragraph(f"Source: {c.staffing.source}; target: {c.staffing.target}; dispersion factor {c.staffing.dispersion:.2f}.")
            + (bullets(c.staffing.notes) if c.staffing.notes else "")
            + image(plots["staffing"], "Agents per interval with 95 % profile-likelihood CIs")
            + frame_html(c.staffing.pooled, "Per weekday and interval (the scenario's staffing table)"),
            "staffing",
        )
    )
    if c.forecast_backtest is not None:
        fb = c.forecast_backtest
        out.append(
            Section(
                "Forecast",
                frame_html(fb.scores, "MAPE on the held-out days (lower is better); relative to seasonal naive")
                + paragraph(
                    f"Default method: {fb.best}. Regression prediction-interval coverage on the held-out days: "
                    f"{100 * fb.coverage:.0f} % (nominal 95 %)."
                )
                + image(plots["forecast"], "Held-out stretch: observed calls and each method"),
                "forecast",
            )
        )
    if c.backtest is not None:
        out.append(
            Section(
                "Back-test: the calibrated model over the history",
                paragraph(
                    f"Each of {c.backtest.summary['days'].max()} recent days, held out of the staffing fit, simulated "
                    f"{c.backtest.replications} times with its observed calls per interval and the scenario's staffing table "
                    f"({c.staffing.source}, fitted on the days before). 'days within spread': share of days with "
                    "|observed − model| < 1.96 model SD. An hour of the day whose abandonment or service level differs "
                    "significantly (|difference| > z SE, z Bonferroni-corrected over the hours and the two KPIs) and by more "
                    "than 15 % of the observed value is off, and the "
                    f"verdict cannot be 'reproduced'. Verdict: {c.backtest.verdict}."
                )
                + frame_html(c.backtest.summary, "Observed against model, per KPI")
                + frame_html(c.backtest.hours, "Per hour of the day: observed against model")
                + image(plots["backtest"], "Per day: observed and model")
                + frame_html(c.backtest.intervals, "Per interval of the day, pooled over the days"),
                "backtest",
            )
        )
    out.append(Section("Estimates (all)", table_html(head, _est_rows(est)), "estimates"))
    return out


def write_report(c: Calibration, out: Path) -> Path:
    """Plots and the HTML report in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    plots = {
        "profile": plot_profile(c, out / "profile.png"),
        "days": plot_days(c, out / "days.png"),
        "weekdays": plot_weekdays(c, out / "weekdays.png"),
        "staffing": plot_staffing(c, out / "staffing.png"),
    }
    if c.handling is not None:
        plots["handling"] = plot_handling(c, out / "handling.png")
    if c.aht_profile is not None:
        plots["aht_profile"] = plot_aht_profile(c, out / "aht_profile.png")
    if c.patience is not None and c.patience.km is not None:
        plots["patience"] = plot_patience(c, out / "patience.png")
    if c.forecast_backtest is not None:
        plots["forecast"] = plot_forecast(c, out / "forecast.png")
    if c.backtest is not None:
        plots["backtest"] = plot_backtest(c, out / "backtest.png")
    path = out / "calibration_report.html"
    path.write_text(render(f"Calibration: {c.name}", sections(c, plots), subtitle=c.source), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- command


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sim.calibrate", description="Calibrate a scenario from a call log or an interval report.")
    p.add_argument("log", type=Path, help="the export (CSV)")
    p.add_argument("--kind", required=True, choices=("calls", "intervals"), help="per-call log or interval report")
    p.add_argument("--columns", type=Path, default=None, help="column map YAML (see docs/calibration.md)")
    p.add_argument("--out", type=Path, default=Path("outputs/calibration"), help="folder for tables, plots and the report")
    p.add_argument("--name", default="calibrated", help="scenario name: scenarios/experiment/<name>.yaml (default calibrated)")
    p.add_argument("--scenarios", type=Path, default=None, help="scenarios folder to write into (default: the project's)")
    p.add_argument("--staffing", type=Path, default=None, help="historical staffing CSV (date|weekday,interval_start,agents)")
    p.add_argument("--start", default=None, help="first date to use (YYYY-MM-DD)")
    p.add_argument("--end", default=None, help="last date to use (YYYY-MM-DD)")
    p.add_argument("--plan-start", default=None, help="first date of the plan period (default: the month after the history)")
    p.add_argument("--plan-end", default=None, help="last date of the plan period (default: the end of that month)")
    p.add_argument("--staffing-target", choices=("abandonment", "wait"), default="abandonment", help="what effective staffing reproduces")
    p.add_argument(
        "--backtest-days",
        type=int,
        default=30,
        help="recent days held out of the staffing fit and simulated in the back-test (0: none; at most half the regular days)",
    )
    p.add_argument("--replications", type=int, default=4, help="replications per back-test day")
    p.add_argument("--refine-days", type=int, default=40, help="regular days simulated to correct the Erlang A staffing (0: Erlang A only)")
    p.add_argument("--aht-cv", type=float, default=None,
                   help="interval report: the handle time's CV (default: the map's aht_cv, else the default parts, about 0.65)")
    p.add_argument("--sensitivity-days", type=int, default=3,
                   help="interval report: recent days simulated at handle-time CVs 0.8 and 1.2 (0: none)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scenario", default="default", help="the scenario whose calendar reads the history (default or an experiment)")
    p.add_argument("--exclude", default=None, help="dates to leave out of the fit, not closures: 2026-11-10,2026-11-12")
    p.add_argument("--exclude-file", type=Path, default=None, help="CSV of dates to leave out: date[,reason]")
    p.add_argument("overrides", nargs="*", help="Hydra overrides of that scenario's calendar, e.g. calendar.country=DE")
    return p


def read_exclude(dates: str | None, path: Path | None) -> dict[str, str]:
    """Excluded dates (date -> reason) from ``--exclude`` and ``--exclude-file`` (``date[,reason]``
    or ``date[;reason]``, a header line ``date,reason`` optional); a bad date names the option or
    the file, line and column."""
    out: dict[str, str] = {}

    def add(text: str, reason: str, where: str) -> None:
        try:
            day = dt.date.fromisoformat(text.strip())
        except ValueError:
            raise ScenarioError(f"{where}: {text.strip()!r} is not a date; expected YYYY-MM-DD (e.g. 2026-11-10).") from None
        out[day.isoformat()] = reason.strip() or "excluded by the planner"

    for item in (dates or "").split(","):
        if item.strip():
            add(item, "", "--exclude")
    if path is not None:
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"Cannot read --exclude-file {path}: {' '.join(str(exc).split())}.") from None
        for n, line in enumerate(lines, start=1):
            first, _, reason = line.replace(";", ",", 1).partition(",")  # a Swedish Excel CSV separates with ";"
            if not first.strip() or (n == 1 and first.strip().lower() == "date"):
                continue
            add(first, reason.strip().strip('"'), f"{path}, line {n}, column 1")
    return out


SHOWN = r"volume|day_cv|talk_s.mean|hold_s.mean|wrap_s.mean|balking|patience|fcr|resolution"
"""The estimates the terminal lists (all of them are in ``estimates.csv`` and the report)."""


def shown_estimates(est: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``est`` the command prints: demand, handle times, balking, patience and,
    when a customer column gave them, first-contact resolution and the repeat delay."""
    return est[est["parameter"].str.match(SHOWN)]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_intermixed_args(argv)
    t = time.perf_counter()
    try:
        exclude = read_exclude(args.exclude, args.exclude_file)
        with folder_for(args.out, "--out"):  # removed again when the inputs cannot be read
            c = calibrate(
                args.log,
                args.kind,
                args.columns,
                name=args.name,
                out=args.out,
                scenarios=args.scenarios,
                staffing=args.staffing,
                start=args.start,
                end=args.end,
                plan_start=args.plan_start,
                plan_end=args.plan_end,
                staffing_target=args.staffing_target,
                backtest_days=args.backtest_days,
                replications=args.replications,
                refine_days=args.refine_days,
                seed=args.seed,
                aht_cv=args.aht_cv,
                sensitivity_days=args.sensitivity_days,
                scenario=args.scenario,
                overrides=args.overrides,
                exclude=exclude,
            )
            report = write_report(c, args.out)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    dr = c.drops
    dropped = ", ".join(f"{k} {v}" for k, v in dr.by_reason.items() if v or k != "junk")  # junk only when there was some
    print(f"Read {dr.read} rows from {args.log}: kept {dr.kept}, dropped {dropped}.")
    est = c.estimates()
    show = shown_estimates(est)
    print("\nEstimates (95 % CI):")
    for r in show.itertuples():
        print(f"  {r.parameter:<20} {r.estimate:10.4g}   ({r.ci_low:.4g} – {r.ci_high:.4g}) {r.unit}")
    if c.forecast_backtest is not None:
        print("\nForecast back-test (MAPE on the held-out days):")
        for r in c.forecast_backtest.scores.itertuples():
            print(f"  {r.method:<18} {r.mape:5.1f} %   ({r.relative_to_naive:.2f} x seasonal naive)")
        print(f"  default: {c.forecast_backtest.best}")
    if c.backtest is not None:
        bt = c.backtest
        days = bt.summary["days"].max() if len(bt.summary) else 0
        print(f"\nBack-test ({days} held-out days, simulated with the scenario's staffing table fitted on the days before):")
        for r in bt.summary.itertuples():
            print(f"  {r.kpi:<16} {r.verdict}")
        if len(bt.hours):
            print("  per hour: observed / model abandonment, service level")
            for h in bt.hours.itertuples():
                flag = f"  <- off ({h.off})" if h.off else ""
                print(
                    f"    {h.hour}  {h.calls:6d} calls  abandon {100 * h.observed_abandon:5.1f} / {100 * h.model_abandon:5.1f} %"
                    f"  service level {100 * h.observed_service_level:5.1f} / {100 * h.model_service_level:5.1f} %{flag}"
                )
        print(f"  verdict: {bt.verdict}")
    line = sensitivity_line(c)
    if line is not None:
        print(f"\nHandle-time spread: {line}")
    for n in c.notes:
        print(f"note: {n}")
    print(
        f"\nWrote {c.paths['experiment']} (run: python -m sim +experiment={c.name}), {report} and the tables in {args.out}/ "
        f"in {time.perf_counter() - t:.1f} s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

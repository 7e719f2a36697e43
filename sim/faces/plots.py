"""Plots of saved result tables (PNG). They read tables; they never run the model.

Figures are plain :class:`matplotlib.figure.Figure` objects drawn by the Agg canvas, not
``pyplot`` figures: nothing is registered globally (nothing to close, no GUI backend) and a
command that writes plots does not pay for importing ``pyplot`` (issue 23 item 16)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
from matplotlib.dates import DateFormatter, DayLocator  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from sim.analysis.case_kpis import KIND_SHARE  # noqa: E402
from sim.analysis.kpis import TargetsLike  # noqa: E402
from sim.faces.formats import number, percent  # noqa: E402
from sim.faces.i18n import N_, _  # noqa: E402
from sim.faces.scenario_words import num, share  # noqa: E402
from sim.schema import TargetsConfig  # noqa: E402


def _subplots(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float], **kwargs: Any) -> tuple[Figure, Any]:
    """``pyplot.subplots`` without ``pyplot``: a new figure of ``figsize`` inches and its axes
    (``kwargs``: ``sharex``, ``sharey``, ``squeeze``, ``height_ratios``, as ``Figure.subplots``)."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def _save(fig: Figure, path: Path, dpi: int = 110, rect: tuple[float, float, float, float] | None = None) -> Path:
    """Lay out (``tight_layout`` within ``rect``) and write a figure.

    ``tight_layout`` leaves a placeholder layout engine behind, for which ``savefig`` would lay
    out a dry run of the whole drawing again before drawing it; the figure is laid out already,
    so the engine is removed (the same pixels, one drawing fewer)."""
    if rect is None:
        fig.tight_layout()
    else:
        fig.tight_layout(rect=rect)
    fig.set_layout_engine(None)
    fig.savefig(path, dpi=dpi)
    return path


def daily_targets(days: pd.DataFrame, targets: TargetsLike, path: Path) -> Path:
    """Daily service level and availability against the agreement's targets."""
    fig, ax = _subplots(figsize=(10, 4.5))
    # one row per calendar date, so that closed days break the lines instead of bridging them
    by_date = days.assign(period=pd.to_datetime(days["period"])).set_index("period")
    by_date = by_date.reindex(pd.date_range(by_date.index.min(), by_date.index.max(), freq="D")) if len(by_date) else by_date
    x = by_date.index
    ax.plot(x, 100 * by_date["availability"], "o-", label="availability (answered / offered)")
    ax.plot(x, 100 * by_date["service_level"], "s-", label=f"answered within {targets.threshold_s:g} s / offered")
    ax.axhline(100 * targets.availability_min, color="C0", ls="--", lw=1,
               label=f"availability target > {100 * targets.availability_min:g} %")
    ax.axhline(100 * targets.service_level_min, color="C1", ls=":", lw=1.5,
               label=f"service-level target > {100 * targets.service_level_min:g} %")
    ax.set_ylabel("% of offered calls")
    ax.set_ylim(max(0.0, min(50.0, 100 * float(days[["availability", "service_level"]].min().min()) - 5)), 100.5)
    ax.set_title("Daily service level and availability")
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    return _save(fig, path)


def worst_days(intervals: pd.DataFrame) -> pd.DataFrame:
    """Per clock time of day (index ``clock``): the interval with the longest mean queue time of
    answered calls (``period``, ``asa_s``); the earliest such day on a tie."""
    frame = intervals.assign(period=pd.to_datetime(intervals["period"]))
    frame = frame.assign(clock=frame["period"].dt.strftime("%H:%M")).loc[lambda f: f["asa_s"].notna()]
    rows = frame.sort_values(["asa_s", "period"], ascending=[False, True], kind="stable").groupby("clock").head(1)
    return rows.set_index("clock")[["period", "asa_s"]].sort_index()


def intraday_queue(intervals: pd.DataFrame, targets: TargetsLike, path: Path) -> Path:
    """Mean queue time of answered calls by time of day (mean over days), and the worst day of
    each interval, labelled with its date (once, in the legend, when one date is the worst of
    every interval). Scaled to the data: the target is drawn when it is
    within reach of the bars, otherwise named in the title."""
    frame = intervals.assign(period=pd.to_datetime(intervals["period"]))
    frame = frame.assign(clock=frame["period"].dt.strftime("%H:%M"))
    by = frame.groupby("clock")
    mean = by.apply(lambda g: (g["asa_s"] * g["answered"]).sum() / max(g["answered"].sum(), 1), include_groups=False)
    worst_rows = worst_days(frame)
    worst = worst_rows["asa_s"].reindex(mean.index)
    fig, ax = _subplots(figsize=(10, 4.8))
    pos = list(range(len(mean)))
    ax.bar(pos, mean.to_numpy(), color="C0", alpha=0.8, label="mean queue time of answered calls (all days)")
    dates = pd.to_datetime(worst_rows["period"]).dropna().dt.normalize().unique()
    if len(dates) == 1:  # one date is the worst of every interval (always so in a one-day run): said once
        ax.plot(pos, worst.to_numpy(), "k.", label=f"worst day: {pd.Timestamp(dates[0]):%d %b}, in every interval")
    else:
        ax.plot(pos, worst.to_numpy(), "k.", label="worst day (its date beside the dot)")
        for x, clock in zip(pos, mean.index, strict=True):
            if clock in worst_rows.index and pd.notna(worst.loc[clock]):
                ax.annotate(f"{worst_rows.loc[clock, 'period']:%d %b}", (x, worst.loc[clock]), xytext=(2, 3),
                            textcoords="offset points", fontsize=6, rotation=60)
    ax.set_xticks(pos, list(mean.index))
    top = float(worst.max()) if worst.notna().any() else 0.0
    title = "Intraday queue time"
    upper = max(top, float(mean.max()) if len(mean) else 0.0, 1.0) * 1.25
    if top >= 0.5 * targets.asa_max_s:
        ax.axhline(targets.asa_max_s, color="C3", ls="--", lw=1, label=f"target < {targets.asa_max_s:g} s")
        upper = max(upper, 1.1 * targets.asa_max_s)
    else:
        title += f" (target < {targets.asa_max_s:g} s, far above every interval)"
    ax.set_ylim(0, upper)
    ax.set_ylabel("seconds")
    ax.set_xlabel("interval start")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.tick_params(axis="x", rotation=90)
    ax.grid(alpha=0.3, axis="y")
    return _save(fig, path)


def weekday_steps(frame: pd.DataFrame, lines: list[tuple[str, str]], path: Path, *, title: str, ylabel: str,
                  fill: tuple[str, str] | None = None, clock: str = "interval_start", tick_every: int = 4) -> Path:
    """One panel per weekday (in the order of ``frame["weekday"]``): a step line for each
    ``(column, label)`` of ``lines`` against the ``clock`` column, and a grey area for ``fill``."""
    days = list(dict.fromkeys(frame["weekday"]))
    fig, axes = _subplots(1, len(days), figsize=(3.2 * len(days), 4), sharey=True, squeeze=False)
    for ax, day in zip(axes[0], days, strict=True):
        d = frame[frame["weekday"] == day]
        x = range(len(d))
        if fill is not None:
            ax.fill_between(x, d[fill[0]], step="mid", color="0.85", label=fill[1])
        for column, label in lines:
            ax.step(x, d[column], where="mid", label=label)
        ticks = list(range(0, len(d), tick_every))
        ax.set_xticks(ticks, [d[clock].iloc[i] for i in ticks], rotation=90)
        ax.set_title(day)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel(ylabel)
    axes[0][0].legend(fontsize=7, loc="upper right")
    fig.suptitle(title)
    return _save(fig, path)


def staffing_plan(plan: pd.DataFrame, path: Path) -> Path:
    """Agents per interval under Erlang C and Erlang A, one panel per weekday."""
    lines = [("erlang_c_agents", "Erlang C (no abandonment)"), ("erlang_a_agents", "Erlang A (exp. patience)")]
    return weekday_steps(plan, lines, path, title="Agents needed per interval for the agreement's targets",
                         ylabel="agents on the phones", fill=("traffic_erlangs", "offered load (Erlangs)"))


def daily_probability(day_summary: pd.DataFrame, targets: TargetsLike, path: Path) -> Path:
    """Per day: mean service level and availability with CI bands, and P(target met)."""
    fig, (ax, bx) = _subplots(2, 1, figsize=(10, 6.5), sharex=True)
    for kpi, colour, bound in (("availability", "C0", targets.availability_min), ("service_level", "C1", targets.service_level_min)):
        d = day_summary[day_summary["kpi"] == kpi]
        x = pd.to_datetime(d["period"])
        ax.plot(x, 100 * d["mean"], "o-", color=colour, ms=3, label=f"{kpi} (mean)")
        ax.fill_between(x, 100 * d["ci_low"], 100 * d["ci_high"], color=colour, alpha=0.25, label="95 % CI of the mean")
        ax.axhline(100 * bound, color=colour, ls="--", lw=1)
        bx.plot(x, 100 * d["p_met"], "o-", color=colour, ms=3, label=f"P({kpi} target met)")
    ax.set_ylabel("% of offered calls")
    ax.legend(fontsize=7, loc="lower left")
    ax.grid(alpha=0.3)
    bx.set_ylabel("% of replications")
    bx.set_ylim(-3, 103)
    bx.legend(fontsize=7, loc="lower left")
    bx.grid(alpha=0.3)
    fig.suptitle("Daily KPIs over the replications")
    fig.autofmt_xdate()
    return _save(fig, path)


_SWEEP_PANELS = (
    ("availability", "availability", 100.0, "availability_min", "%"),
    ("service_level", "answered within threshold / offered", 100.0, "service_level_min", "%"),
    ("asa_s", "mean queue time of answered calls", 1.0, "asa_max_s", "s"),
)


def sweep(table: pd.DataFrame, targets: TargetsLike, mode: str, path: Path) -> Path:
    """Each KPI against the staffing level with 95 % CI bands and the target lines, plus
    the probability of meeting each target."""
    fig, axes = _subplots(1, 4, figsize=(17, 4))
    for ax, (kpi, title, scale, target_attr, unit) in zip(axes, _SWEEP_PANELS, strict=False):
        d = table[table["kpi"] == kpi].sort_values("staffing_level")
        ax.plot(d["staffing_level"], scale * d["mean"], "o-")
        ax.fill_between(d["staffing_level"], scale * d["ci_low"], scale * d["ci_high"], alpha=0.3, label="95 % CI")
        ax.axhline(scale * getattr(targets, target_attr), color="C3", ls="--", lw=1, label="target")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit)
        ax.set_xlabel(f"staffing ({mode})")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    bx = axes[3]
    for kpi, *_rest in _SWEEP_PANELS:
        d = table[table["kpi"] == kpi].sort_values("staffing_level")
        bx.plot(d["staffing_level"], 100 * d["p_met"], "o-", label=kpi)
    bx.set_title("P(target met over the run)", fontsize=10)
    bx.set_ylabel("% of replications")
    bx.set_xlabel(f"staffing ({mode})")
    bx.set_ylim(-3, 103)
    bx.grid(alpha=0.3)
    bx.legend(fontsize=7)
    return _save(fig, path)


# ----------------------------------------------------------------------------------------------
# Scenario comparison plots (sim.study.compare, sim.faces.report, experiments/opening_hours.py). They read
# the tidy tables of sim.study.compare.Comparison (table, differences, daily, intraday) or a calendar.
# ----------------------------------------------------------------------------------------------


def _scenario_colours(labels: list[str]) -> dict[str, str]:
    return {lb: f"C{i % 10}" for i, lb in enumerate(labels)}


def _every_date(d: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``d`` (one scenario and KPI) on every calendar date from the first to the last,
    NaN on the dates without a row (closed days), so that lines break there instead of
    bridging weekends and holidays."""
    x = d.assign(period=pd.to_datetime(d["period"])).drop_duplicates("period").set_index("period").sort_index()
    if len(x) == 0:
        return x
    return x.reindex(pd.date_range(x.index.min().normalize(), x.index.max(), freq="D"))


def compare_daily(daily: pd.DataFrame, targets: TargetsLike, path: Path) -> Path:
    """Daily service level and availability per scenario (mean over replications, 95 % CI
    band), one panel per KPI, with the target lines; the lines break on closed days and the
    legend sits beside the panels."""
    labels = list(dict.fromkeys(daily["scenario"]))
    colours = _scenario_colours(labels)
    panels = (("service_level", _("answered within {s} s / offered").format(s=num(targets.threshold_s)), targets.service_level_min),
              ("availability", _("availability (answered / offered)"), targets.availability_min))
    fig, axes = _subplots(2, 1, figsize=(11, 6.5), sharex=True)
    lowest = 100.0
    for ax, (kpi, title, bound) in zip(axes, panels, strict=True):
        for lb in labels:
            d = _every_date(daily[(daily["scenario"] == lb) & (daily["kpi"] == kpi)])
            x = d.index
            ax.plot(x, 100 * d["mean"], "o-", ms=2.5, lw=1, color=colours[lb], label=lb)
            ax.fill_between(x, 100 * d["ci_low"].clip(upper=1), 100 * d["ci_high"].clip(upper=1), color=colours[lb], alpha=0.15, lw=0)
            if d["mean"].notna().any():
                lowest = min(lowest, float(100 * d["mean"].min()))
        ax.axhline(100 * bound, color="k", ls="--", lw=1, label=_("target > {bound}").format(bound=share(bound)))
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(_("% of offered calls"))
        ax.grid(alpha=0.3)
    for ax in axes:
        ax.set_ylim(max(0.0, min(85.0, lowest - 3)), 100.5)
    for ax in axes:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    dates = pd.to_datetime(daily["period"])
    days = (dates.max() - dates.min()).days + 1 if len(dates) else 1
    axes[-1].xaxis.set_major_locator(DayLocator(interval=max(1, -(-days // 14))))  # whole days, never hours (a short run)
    axes[-1].xaxis.set_major_formatter(DateFormatter("%Y-%m-%d"))
    fig.suptitle(_("Daily KPIs per scenario (mean over replications, band: 95 % CI; gaps: closed days)"))
    fig.autofmt_xdate()
    return _save(fig, path, dpi=100)


def compare_intraday(intraday: pd.DataFrame, targets: TargetsLike, path: Path, title: str | None = None) -> Path:
    """Mean queue time of answered calls by time of day per scenario (95 % CI band)."""
    title = _("Intraday queue time per scenario") if title is None else title
    labels = list(dict.fromkeys(intraday["scenario"]))
    colours = _scenario_colours(labels)
    d = intraday[intraday["kpi"] == "asa_s"]
    clocks = sorted(d["clock"].unique())
    pos = {c: i for i, c in enumerate(clocks)}
    fig, ax = _subplots(figsize=(11, 4.5))
    top = 0.0
    for lb in labels:
        s = d[d["scenario"] == lb].sort_values("clock")
        x = s["clock"].map(pos)
        ax.plot(x, s["mean"], "o-", ms=3, color=colours[lb], label=lb)
        ax.fill_between(x, s["ci_low"].clip(lower=0), s["ci_high"], color=colours[lb], alpha=0.15, lw=0)
        top = max(top, float(pd.concat([s["mean"], s["ci_high"]]).max(skipna=True) if len(s) else 0.0))
    top = top if top == top and top > 0 else 1.0  # noqa: PLR0124 - NaN
    ax.set_ylim(0, 1.12 * top)  # scaled to the data, so that small differences show
    target = _("target < {s} s (whole day)").format(s=num(targets.asa_max_s))
    if targets.asa_max_s <= 1.12 * top:
        ax.axhline(targets.asa_max_s, color="k", ls="--", lw=1, label=target)
    else:
        ax.plot([], [], " ", label=target + ":\n" + _("above the range shown"))
    ax.set_xticks(range(len(clocks)), clocks, rotation=90)
    ax.set_xlabel(_("interval start"))
    ax.set_ylabel(_("mean queue time of answered calls (s)"))
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return _save(fig, path, dpi=100)


def compare_agent_time(table: pd.DataFrame, path: Path, differences: pd.DataFrame | None = None) -> Path:
    """Agent-hours on the phones and overtime after closing per scenario (mean, 95 % CI);
    with ``differences`` (:attr:`sim.study.compare.Comparison.differences`) each scenario's
    paired difference to the baseline is written over its bar, so that a difference of 1 %
    shows although the bars start at zero."""
    labels = list(dict.fromkeys(table["scenario"]))
    colours = _scenario_colours(labels)
    panels = (("staffed_s", _("scheduled agent-hours")), ("present_s", _("agent-hours present (incl. overtime)")),
              ("overtime_s", _("overtime after closing (agent-hours)")))
    panels = tuple(p for p in panels if p[0] in set(table["kpi"]))
    fig, axes = _subplots(1, len(panels), figsize=(4.2 * len(panels), 4), squeeze=False)
    for ax, (kpi, title) in zip(axes[0], panels, strict=True):
        d = table[table["kpi"] == kpi].set_index("scenario").reindex(labels)
        mean = d["mean"].to_numpy() / 3600
        err = (d["ci_high"].fillna(d["mean"]).to_numpy()) / 3600 - mean  # the interval as cut at 0 (sim.analysis.stats.cut_interval)
        below = mean - (d["ci_low"].fillna(d["mean"]).to_numpy()) / 3600
        ax.bar(range(len(labels)), mean, yerr=[below, err], capsize=4, color=[colours[lb] for lb in labels], alpha=0.85)
        ax.set_xticks(range(len(labels)), labels, rotation=20, ha="right", fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(_("hours"))
        ax.grid(alpha=0.3, axis="y")
        for i, (v, e) in enumerate(zip(mean, err, strict=True)):
            text = number(v, 0) if v >= 100 else number(v, 1)
            diff = _difference_text(differences, labels[i], kpi) if differences is not None and i > 0 else ""
            ax.annotate(text + (f"\n{diff}" if diff else ""), (i, v + e), ha="center", va="bottom", fontsize=8,
                        xytext=(0, 2), textcoords="offset points", fontweight="bold" if diff else "normal")
        ax.set_ylim(0, max(1e-9, float(max(mean + err, default=0))) * (1.3 if differences is not None else 1.12))
    note = _("; bold: paired difference to {baseline}").format(baseline=labels[0]) if differences is not None and len(labels) > 1 else ""
    fig.suptitle(_("Agent time per scenario over the run (mean over replications, bars: 95 % CI{note})").format(note=note))
    return _save(fig, path, dpi=100)


def _difference_text(differences: pd.DataFrame, label: str, kpi: str) -> str:
    """``−18.0 h (−1.3 %)``: one scenario's paired agent-time difference to the baseline, or ``""``."""
    d = differences[(differences["scenario"] == label) & (differences["kpi"] == kpi)]
    if not len(d) or pd.isna(d["difference"].iloc[0]):
        return ""
    r = d.iloc[0]
    h = float(r["difference"]) / 3600
    rel = f" ({percent(float(r['relative']), 1, sign=True)})" if pd.notna(r.get("relative")) and r["baseline_mean"] else ""
    return f"{number(h, 1, sign=True)} h{rel}".replace("-", "−")


_DIFF_PANELS = (
    ("service_level", N_("service level (pp)"), 100.0),
    ("availability", N_("availability (pp)"), 100.0),
    ("asa_s", N_("queue time of answered (s)"), 1.0),
    ("staffed_s", N_("agent-hours"), 1 / 3600),
    ("overtime_s", N_("overtime (h)"), 1 / 3600),
    ("days_missed_any", N_("days missing a target"), 1.0),
)


def compare_differences(differences: pd.DataFrame, path: Path) -> Path:
    """Paired differences to the baseline with 95 % CIs (common random numbers)."""
    labels = list(dict.fromkeys(differences["scenario"]))
    panels = [p for p in _DIFF_PANELS if p[0] in set(differences["kpi"])]
    fig, axes = _subplots(1, max(1, len(panels)), figsize=(3.1 * max(1, len(panels)), 0.6 * len(labels) + 1.8), squeeze=False)
    colours = _scenario_colours([str(differences["baseline"].iloc[0]) if len(differences) else "", *labels])
    for ax, (kpi, title, scale) in zip(axes[0], panels, strict=False):
        d = differences[differences["kpi"] == kpi].set_index("scenario").reindex(labels)
        y = list(range(len(labels)))[::-1]
        mean = scale * d["difference"].to_numpy(float)
        lo, hi = scale * d["ci_low"].to_numpy(float), scale * d["ci_high"].to_numpy(float)
        for yi, m, a, b, lb in zip(y, mean, lo, hi, labels, strict=True):
            ax.plot([a, b], [yi, yi], "-", color=colours[lb], lw=2)
            ax.plot([m], [yi], "o", color=colours[lb])
        ax.axvline(0, color="k", lw=0.8)
        ax.set_yticks(y, labels if ax is axes[0][0] else [""] * len(labels), fontsize=8)
        ax.set_title(_(title), fontsize=9)
        ax.grid(alpha=0.3, axis="x")
        ax.set_ylim(-0.7, len(labels) - 0.3)
    base = differences["baseline"].iloc[0] if len(differences) else "baseline"
    fig.suptitle(_("Difference to {baseline} (paired, 95 % CI)").format(baseline=base), fontsize=10)
    return _save(fig, path, dpi=100)


def calendar_heatmap(calendars: pd.DataFrame, path: Path, title: str = "Open hours per date") -> Path:
    """One calendar per scenario (weeks × weekdays), coloured by hours open; closed days grey.

    ``calendars`` has columns ``scenario``, ``date``, ``open_h`` (e.g. from
    :func:`sim.opening_hours` per scenario).
    """
    import numpy as np
    from matplotlib.colors import BoundaryNorm, ListedColormap

    labels = list(dict.fromkeys(calendars["scenario"]))
    cal = calendars.assign(date=pd.to_datetime(calendars["date"]))
    first = cal["date"].min()
    origin = first - pd.Timedelta(days=first.weekday())
    cal = cal.assign(col=((cal["date"] - origin).dt.days // 7), row=cal["date"].dt.day_of_week)
    ncols = int(cal["col"].max()) + 1
    levels = [0.0, 0.01, 6.5, 7.5, 8.5, 24.0]
    cmap = ListedColormap(["#dddddd", "#d7301f", "#fc8d59", "#fdcc8a", "#41ab5d"])
    norm = BoundaryNorm(levels, cmap.N)
    fig, axes = _subplots(len(labels), 1, figsize=(min(16, 2 + 0.26 * ncols), 1.55 * len(labels) + 0.8), squeeze=False)
    for ax, lb in zip(axes[:, 0], labels, strict=True):
        d = cal[cal["scenario"] == lb]
        grid = np.full((7, ncols), np.nan)
        grid[d["row"].to_numpy(), d["col"].to_numpy()] = d["open_h"].to_numpy()
        ax.imshow(np.ma.masked_invalid(grid), aspect="auto", cmap=cmap, norm=norm, interpolation="nearest")
        ax.set_yticks(range(7), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], fontsize=7)
        months = pd.date_range(first.normalize(), cal["date"].max(), freq="MS")
        if first.day != 1:
            months = months.insert(0, first.normalize())
        ax.set_xticks([int((m - origin).days // 7) for m in months], [m.strftime("%b") for m in months], fontsize=7)
        ax.set_ylabel(lb, rotation=0, ha="right", va="center", fontsize=9)
        ax.tick_params(length=0)
    handles = [Rectangle((0, 0), 1, 1, color=c) for c in cmap.colors]
    names = ["closed", "open < 6.5 h", "≈ 7 h (15:00 closing)", "≈ 8 h (16:00 closing)", "≥ 8.5 h (regular day)"]
    fig.legend(handles, names, loc="lower center", ncol=5, fontsize=8, frameon=False)
    fig.suptitle(title)
    return _save(fig, path, dpi=100, rect=(0, 0.06, 1, 1))


def daily_cases(days: pd.DataFrame, kinds: tuple[str, ...], targets: TargetsConfig, path: Path) -> Path:
    """Per day of arrival: each case kind's share handled within its limit against
    ``targets.case_share_min`` (top), and the backlog at the end of the day (bottom)."""
    by_date = days.assign(period=pd.to_datetime(days["period"])).set_index("period")
    if len(by_date):
        by_date = by_date.reindex(pd.date_range(by_date.index.min(), by_date.index.max(), freq="D"))
    fig, (ax, bx) = _subplots(2, 1, figsize=(10, 6), sharex=True, height_ratios=(3, 2))
    for i, k in enumerate(kinds):
        label = f"{k} within {targets.case_hours[k]:g} working h" if k in targets.case_hours else k
        ax.plot(by_date.index, 100 * by_date[f"{KIND_SHARE}{k}"], "o-", ms=3, color=f"C{i}", label=label)
    share_min = targets.case_share_min
    ax.axhline(100 * share_min, color="C3", ls="--", lw=1, label=f"target >= {100 * share_min:g} % (an assumption)")
    ax.set_ylabel("% of the day's cases")
    ax.set_title("Cases handled within their limit, by day of arrival")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.3)
    bx.bar(by_date.index, by_date["backlog_end"].fillna(0), color="0.5")
    bx.set_ylabel("open cases")
    bx.set_title("Backlog at the end of the day")
    bx.grid(alpha=0.3, axis="y")
    fig.autofmt_xdate()
    return _save(fig, path)


_SWEEP_JOB_PANELS = (("availability", 100.0, "%"), ("service_level", 100.0, "%"), ("asa_s", 1.0, "s"), ("aht_s", 1.0, "s"))


def sweep_jobs(table: pd.DataFrame, path: Path, swept: Sequence[str] = ()) -> Path:
    """A multirun sweep side by side: one panel per KPI with a target, one point per job
    labelled with its swept values (``swept``: the columns that hold them; the keys, e.g.
    ``staffing.agents``, name the axis and the values, ``10``, the points), a red cross where the target is missed (``<kpi>_met``), with its
    95 % CI as an error bar (``<kpi>_ci_low``/``_ci_high``, a job of ``python -m sim.mc``).
    Each axis is scaled to the data (points, not bars, as it need not start at 0); a
    percentage never runs past 100 %."""
    value_cols = [c for c in swept if c in table.columns]
    labels = [", ".join(str(r[c]) for c in value_cols) or f"job {r['job']}" for _, r in table.iterrows()]
    axis_label = ", ".join(value_cols) or "job"  # the swept keys once, under the axis; their values at the points
    rotation = 0 if max((len(lb) for lb in labels), default=0) <= 8 else 45
    panels = [p for p in _SWEEP_JOB_PANELS if p[0] in table.columns]
    fig, axes = _subplots(1, max(len(panels), 1), figsize=(3.6 * max(len(panels), 1), 4.2), squeeze=False)
    for ax, (kpi, scale, unit) in zip(axes[0], panels, strict=False):
        judged = f"{kpi}_met" in table.columns
        met = table.get(f"{kpi}_met", pd.Series(True, index=table.index)).fillna(True).astype(bool)
        values = scale * pd.to_numeric(table[kpi], errors="coerce")
        low_end, high_end = values, values
        yerr = None
        if f"{kpi}_ci_low" in table.columns and f"{kpi}_ci_high" in table.columns:
            low_end = scale * pd.to_numeric(table[f"{kpi}_ci_low"], errors="coerce").fillna(values / scale)
            high_end = scale * pd.to_numeric(table[f"{kpi}_ci_high"], errors="coerce").fillna(values / scale)
            yerr = [(values - low_end).clip(lower=0).fillna(0), (high_end - values).clip(lower=0).fillna(0)]
        x = pd.Series(range(len(table)), index=table.index, dtype=float)
        if yerr is not None:
            ax.errorbar(x, values, yerr=yerr, fmt="none", ecolor="0.4", capsize=3, lw=1)
        ax.plot(x[met], values[met], "o", color="C0", ms=7, clip_on=False)
        ax.plot(x[~met], values[~met], "X", color="C3", ms=9, clip_on=False)
        low, high = float(low_end.min()), float(high_end.max())
        if pd.notna(low) and pd.notna(high):
            pad = 0.1 * (high - low) if high > low else 0.05 * max(abs(high), 1.0)
            top = high + pad
            if unit == "%":
                top = min(top, 100.0)
            ax.set_ylim(max(0.0, low - pad), max(top, high))
        ax.set_xticks(range(len(table)), labels, rotation=rotation, ha="right" if rotation else "center", fontsize=7)
        ax.set_xlabel(axis_label, fontsize=8)
        ax.set_title(f"{kpi} ({unit})" + ("; red ×: target missed" if judged else "; mean, 95 % CI"), fontsize=9)
        ax.set_xlim(-0.5, len(table) - 0.5)
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle("Multirun sweep: the whole run of each job")
    return _save(fig, path)

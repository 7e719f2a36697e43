"""Plots of saved result tables (PNG). They read tables; they never run the model."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.kpis import TargetsLike  # noqa: E402


def daily_targets(days: pd.DataFrame, targets: TargetsLike, path: Path) -> Path:
    """Daily service level and availability against the agreement's targets."""
    fig, ax = plt.subplots(figsize=(10, 4.5))
    x = pd.to_datetime(days["period"])
    ax.plot(x, 100 * days["availability"], "o-", label="availability (answered / offered)")
    ax.plot(x, 100 * days["service_level"], "s-", label=f"answered within {targets.threshold_s:g} s / offered")
    ax.axhline(100 * targets.availability_min, color="C0", ls="--", lw=1, label=f"availability target > {100 * targets.availability_min:g} %")
    ax.axhline(100 * targets.service_level_min, color="C1", ls=":", lw=1.5, label=f"service-level target > {100 * targets.service_level_min:g} %")
    ax.set_ylabel("% of offered calls")
    ax.set_ylim(max(0.0, min(50.0, 100 * float(days[["availability", "service_level"]].min().min()) - 5)), 100.5)
    ax.set_title("Daily service level and availability")
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def intraday_queue(intervals: pd.DataFrame, targets: TargetsLike, path: Path) -> Path:
    """Mean queue time of answered calls by time of day (mean over days, and the worst day)."""
    frame = intervals.assign(clock=pd.to_datetime(intervals["period"]).dt.strftime("%H:%M"))
    by = frame.groupby("clock")
    mean = by.apply(lambda g: (g["asa_s"] * g["answered"]).sum() / max(g["answered"].sum(), 1), include_groups=False)
    worst = by["asa_s"].max()
    fig, ax = plt.subplots(figsize=(10, 4.5))
    pos = range(len(mean))
    ax.bar(pos, mean.to_numpy(), color="C0", alpha=0.8, label="mean queue time of answered calls (all days)")
    ax.plot(pos, worst.reindex(mean.index).to_numpy(), "k.", label="worst day")
    ax.set_xticks(list(pos), list(mean.index))
    ax.axhline(targets.asa_max_s, color="C3", ls="--", lw=1, label=f"target < {targets.asa_max_s:g} s")
    ax.set_ylabel("seconds")
    ax.set_xlabel("interval start")
    ax.set_title("Intraday queue time")
    ax.legend(fontsize=8)
    ax.tick_params(axis="x", rotation=90)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def staffing_plan(plan: pd.DataFrame, path: Path) -> Path:
    """Agents per interval under Erlang C and Erlang A, one panel per weekday."""
    days = list(dict.fromkeys(plan["weekday"]))
    fig, axes = plt.subplots(1, len(days), figsize=(3.2 * len(days), 4), sharey=True, squeeze=False)
    for ax, day in zip(axes[0], days, strict=True):
        d = plan[plan["weekday"] == day]
        x = range(len(d))
        ax.step(x, d["erlang_c_agents"], where="mid", label="Erlang C (no abandonment)")
        ax.step(x, d["erlang_a_agents"], where="mid", label="Erlang A (exp. patience)")
        ax.fill_between(x, d["traffic_erlangs"], step="mid", color="0.85", label="offered load (Erlangs)")
        ticks = list(range(0, len(d), 4))
        ax.set_xticks(ticks, [d["interval_start"].iloc[i] for i in ticks], rotation=90)
        ax.set_title(day)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("agents on the phones")
    axes[0][0].legend(fontsize=7, loc="upper right")
    fig.suptitle("Agents needed per interval for the agreement's targets")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def daily_probability(day_summary: pd.DataFrame, targets: TargetsLike, path: Path) -> Path:
    """Per day: mean service level and availability with CI bands, and P(target met)."""
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True)
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
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


_SWEEP_PANELS = (
    ("availability", "availability", 100.0, "availability_min", "%"),
    ("service_level", "answered within threshold / offered", 100.0, "service_level_min", "%"),
    ("asa_s", "mean queue time of answered calls", 1.0, "asa_max_s", "s"),
)


def sweep(table: pd.DataFrame, targets: TargetsLike, mode: str, path: Path) -> Path:
    """Each KPI against the staffing level with 95 % CI bands and the target lines, plus
    the probability of meeting each target."""
    fig, axes = plt.subplots(1, 4, figsize=(17, 4))
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
    for kpi, *_ in _SWEEP_PANELS:
        d = table[table["kpi"] == kpi].sort_values("staffing_level")
        bx.plot(d["staffing_level"], 100 * d["p_met"], "o-", label=kpi)
    bx.set_title("P(target met over the run)", fontsize=10)
    bx.set_ylabel("% of replications")
    bx.set_xlabel(f"staffing ({mode})")
    bx.set_ylim(-3, 103)
    bx.grid(alpha=0.3)
    bx.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

"""The headline study: how many agents does the default scenario need to meet the agreement?

    python experiments/headline.py [--reps 40] [--verify-reps 100] [--search-reps 10]
                                   [--workers N] [--out outputs/headline]

(``make headline`` runs it with the defaults.) For the default scenario (December 2026, the
Erlang A staffing table of ``scenarios/staffing/fibra.yaml``):

1. **Sweep**: the Erlang A table plus k agents on every open interval, k = -3..+3, ``--reps``
   replications per level with common random numbers (every level sees the same calls).
   Per level: month KPIs (mean, 95 % CI), agent-hours, and the probability that the month
   meets each target and all of them (share of replications, Wilson 95 % CI).
2. **Simulation-based staffing**: :func:`sim.study.search.search` refines the Erlang A table
   cell by cell (weekday × 30 min) until every cell meets the targets with one-sided 90 %
   confidence over ``--search-reps`` replications, and removes agents where it can.
3. **Verification with fresh seeds**: the Erlang C plan, the Erlang A plan and the
   simulation plan, ``--verify-reps`` replications each with seeds the search never used
   (common random numbers across the three): agent-hours, month KPIs, P(the month meets all
   targets) and the share of open days meeting all targets.

Writes to ``--out``: ``sweep_month.csv`` (tidy: level × KPI), ``sweep_table.csv`` (wide),
``sweep.png``, ``plans.csv``, ``plans_month.csv``, ``plans_cells.csv`` (each plan's KPIs per
weekday × interval), ``staffing_plans.csv`` (the three tables
side by side), ``staffing_table_simulation.csv`` (usable as ``staffing.table_file``),
``staffing_plans.png``, ``search_history.csv`` and ``headline.md`` (tables, the conclusion
written from the numbers, run time and hardware), which is also printed. Replications are
stored under ``sweep/`` and ``verify/``; a rerun with the same arguments resumes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import sim  # noqa: E402
from sim.analysis.stats import summarize, t_half_width, wilson  # noqa: E402
from sim.study.runner import default_workers, run_replications  # noqa: E402
from sim.study.search import cell_kpis, erlang_table, plan_frame, search, with_table  # noqa: E402
from sim.study.sweep import run_sweep, sweep_summary  # noqa: E402

LEVELS = [-3, -2, -1, 0, 1, 2, 3]
SWEEP_SEED, SEARCH_SEED, VERIFY_SEED = 20_261_201, 1, 20_261_231  # independent seed sequences
TARGET_P = 0.90
TARGETS = {  # summary KPI name -> label; "all_targets" = all five of the agreement at once
    "availability": "availability", "service_level": "service level", "asa_s": "queue time",
    "aht_s": "handle time", "all_targets": "all targets",
}
SHOWN = ["availability", "service_level", "asa_s", "aht_s", "logging_share", "staffed_s"]
PACKAGES = ["numpy", "pandas", "scipy", "simpy", "joblib", "distributed", "hydra-core", "pydantic", "pyarrow", "matplotlib"]


# --------------------------------------------------------------------------- formatting


def pct(x: float, digits: int = 1) -> str:
    return "n/a" if pd.isna(x) else f"{100 * x:.{digits}f} %"


def fmt_kpi(kpi: str, mean: float, lo: float, hi: float) -> str:
    if kpi in ("availability", "service_level", "logging_share"):
        return f"{100 * mean:.2f} % [{100 * lo:.2f}, {100 * hi:.2f}]"
    if kpi == "staffed_s":
        return f"{mean / 3600:,.0f}"
    return f"{mean:.1f} s [{lo:.1f}, {hi:.1f}]"


def fmt_p(p: float, lo: float, hi: float) -> str:
    return f"{100 * p:.0f} % [{100 * lo:.0f}, {100 * hi:.0f}]"


def md_table(frame: pd.DataFrame) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def hours(table: dict[str, list[int]], interval_min: int) -> float:
    """Agent-hours of one week of the table (each weekday once)."""
    return sum(map(sum, table.values())) * interval_min / 60


# --------------------------------------------------------------------------- the study


def month_view(kpis: pd.DataFrame, by: str) -> pd.DataFrame:
    """Month-level summary per ``by`` group: mean/CI per KPI, P(met) with Wilson CI, and a
    row ``all_targets`` with P(the month meets every target at once)."""
    parts = []
    for key, g in kpis.groupby(by, sort=False):
        s = summarize(g, "month", SHOWN)
        parts += [s.assign(**{by: key}), _p_all(g).assign(kpi="all_targets", **{by: key})]
    return pd.concat(parts, ignore_index=True)


def _p_all(kpis: pd.DataFrame) -> pd.DataFrame:
    rows = kpis[kpis["level"] == "month"]
    flags = rows["all_met"].astype("boolean")
    agg = pd.DataFrame({"period": rows["period"], "met": flags.fillna(False).astype(int),
                        "n": flags.notna().astype(int)}).groupby("period").sum()
    lo, hi = wilson(agg["met"].to_numpy(), agg["n"].to_numpy())
    return pd.DataFrame({"period": agg.index, "p_met": (agg["met"] / agg["n"]).to_numpy(), "p_met_low": lo, "p_met_high": hi})


def day_share(kpis: pd.DataFrame) -> tuple[float, float, float]:
    """Mean over replications of the share of open days meeting all targets, with a 95 % t-CI."""
    days = kpis[(kpis["level"] == "day") & (kpis["offered"] > 0)]
    flags = days["all_met"].astype("boolean")
    per_rep = pd.DataFrame({"rep": days["replication"], "met": flags.fillna(False).astype(float)}).groupby("rep")["met"].mean()
    mean, half = float(per_rep.mean()), float(t_half_width(per_rep.std(), len(per_rep)))
    return mean, max(0.0, mean - half), min(1.0, mean + half)


def worst_days(kpis: pd.DataFrame, n: int = 3) -> str:
    """The ``n`` open days least often meeting all targets: "2026-12-28 (Mon, 12 %), ..."."""
    days = kpis[(kpis["level"] == "day") & (kpis["offered"] > 0)]
    share = days.assign(met=days["all_met"].astype("boolean").fillna(False).astype(float)).groupby("period")["met"].mean()
    worst = share.sort_values(kind="stable").head(n)
    return ", ".join(f"{pd.Timestamp(d):%Y-%m-%d} ({pd.Timestamp(d):%a}, {p:.0%})" for d, p in worst.items())


def run_sweep_part(s: sim.Scenario, reps: int, workers: int, out: Path) -> pd.DataFrame:
    kpis = run_sweep(s, LEVELS, reps, "add", seed=SWEEP_SEED, workers=workers, out_dir=out / "sweep")
    month = sweep_summary(kpis, "month")
    allm = pd.concat([_p_all(g).assign(staffing_level=lv) for lv, g in kpis.groupby("staffing_level")], ignore_index=True)
    month = pd.concat([month, allm.assign(kpi="all_targets", replications=reps)], ignore_index=True)
    return month.sort_values(["staffing_level", "period"], kind="stable").reset_index(drop=True)


def sweep_wide(month: pd.DataFrame) -> pd.DataFrame:
    """One row per level (the worst month if the run spans several)."""
    rows = []
    for lv, g in month.groupby("staffing_level", sort=True):
        r = {"level": f"{int(lv):+d}"}
        k = g.set_index("kpi")
        k = k[~k.index.duplicated()] if k["period"].nunique() == 1 else g.sort_values("p_met").drop_duplicates("kpi").set_index("kpi")
        r["agent-hours"] = f"{k.loc['staffed_s', 'mean'] / 3600:,.0f}"
        for kpi in ("availability", "service_level", "asa_s", "aht_s"):
            r[kpi] = fmt_kpi(kpi, k.loc[kpi, "mean"], k.loc[kpi, "ci_low"], k.loc[kpi, "ci_high"])
        for kpi, label in TARGETS.items():
            r[f"P({label})"] = fmt_p(k.loc[kpi, "p_met"], k.loc[kpi, "p_met_low"], k.loc[kpi, "p_met_high"])
        rows.append(r)
    return pd.DataFrame(rows)


def plot_sweep(month: pd.DataFrame, s: sim.Scenario, path: Path) -> None:
    t = s.targets
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.4))
    staffed = month[month["kpi"] == "staffed_s"].drop_duplicates("staffing_level").set_index("staffing_level")["mean"] / 3600
    ticks = [f"{int(lv):+d}\n{staffed[lv]:,.0f} h" for lv in staffed.index]
    ax = axes[0]
    for i, (kpi, label) in enumerate(TARGETS.items()):
        d = month[month["kpi"] == kpi].sort_values("p_met").drop_duplicates("staffing_level").sort_values("staffing_level")
        style = "k-o" if kpi == "all_targets" else f"C{i}-o"
        ax.errorbar(d["staffing_level"] + 0.04 * (i - 2), 100 * d["p_met"],
                    yerr=[100 * (d["p_met"] - d["p_met_low"]), 100 * (d["p_met_high"] - d["p_met"])],
                    fmt=style, ms=4, capsize=3, lw=2.2 if kpi == "all_targets" else 1.2, label=label)
    ax.axhline(100 * TARGET_P, color="grey", ls=":", lw=1, label=f"{TARGET_P:.0%}")
    ax.set_title("P(the month meets the target), Wilson 95 % CI", fontsize=10)
    ax.set_ylabel("% of replications")
    ax.set_ylim(-3, 103)
    ax.legend(fontsize=7, loc="lower right")
    panels = (("service_level", "availability", "% of offered calls"), ("asa_s", None, "seconds"))
    for ax, (k1, k2, unit) in zip(axes[1:], panels, strict=True):
        for kpi, colour in ((k1, "C1"), (k2, "C0")):
            if kpi is None:
                continue
            d = month[month["kpi"] == kpi].drop_duplicates("staffing_level").sort_values("staffing_level")
            scale = 100.0 if kpi != "asa_s" else 1.0
            ax.errorbar(d["staffing_level"], scale * d["mean"],
                        yerr=[scale * (d["mean"] - d["ci_low"]), scale * (d["ci_high"] - d["mean"])],
                        fmt="o-", color=colour, capsize=3, label=f"{kpi} (mean, 95 % CI)")
            bound = {"service_level": t.service_level_min, "availability": t.availability_min, "asa_s": t.asa_max_s}[kpi]
            ax.axhline(scale * bound, color=colour, ls="--", lw=1, label=f"target {scale * bound:g}")
        ax.set_ylabel(unit)
        ax.legend(fontsize=7)
        names = {"service_level": "service level", "availability": "availability", "asa_s": "queue time of answered calls"}
        ax.set_title("month " + " and ".join(names[k] for k in (k1, k2) if k), fontsize=10)
    for ax in axes:
        ax.set_xticks(list(staffed.index), ticks, fontsize=8)
        ax.set_xlabel("agents added per interval of the Erlang A table\n(agent-hours in the month)", fontsize=9)
        ax.grid(alpha=0.3)
    fig.suptitle(f"{s.name}: {s.run.start} to {s.run.end}, staffing sweep with common random numbers")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_plans(frame: pd.DataFrame, path: Path) -> None:
    days = list(dict.fromkeys(frame["weekday"]))
    fig, axes = plt.subplots(1, len(days), figsize=(3.3 * len(days), 3.6), sharey=True)
    for ax, day in zip(np.atleast_1d(axes), days, strict=True):
        d = frame[frame["weekday"] == day]
        x = np.arange(len(d) + 1)  # interval edges: the last interval is drawn to closing
        for col, colour in (("erlang_c", "C0"), ("erlang_a", "C1"), ("simulation", "C2")):
            y = d[col].to_numpy()
            ax.step(x, np.append(y, y[-1]), where="post", color=colour, label=NAMES[col])
        ax.set_xticks(x[::4], d["interval_start"].iloc[::4], rotation=90, fontsize=7)
        ax.set_title(day)
        ax.grid(alpha=0.3)
    np.atleast_1d(axes)[0].set_ylabel("agents on the phones")
    np.atleast_1d(axes)[0].legend(fontsize=7)
    fig.suptitle("Staffing plans per weekday and 30-minute interval")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


NAMES = {"erlang_c": "Erlang C", "erlang_a": "Erlang A", "simulation": "simulation"}


Tables = dict[str, dict[str, list[int]]]


def verify(s: sim.Scenario, plans: Tables, reps: int, workers: int, out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(KPI rows, per-cell KPIs) of every plan over the same fresh replications."""
    frames, cells = [], []
    for name, table in plans.items():
        mc = run_replications(with_table(s, table), reps, VERIFY_SEED, workers=workers, out_dir=out / "verify" / name,
                              levels=("interval", "day", "month", "run"))
        frames.append(mc.kpis[mc.kpis["level"] != "interval"].assign(plan=name))
        keys = plan_frame(s, table)[["weekday", "interval_start"]]  # the table's cells (not overtime after closing)
        cells.append(keys.merge(cell_kpis(mc.level("interval"), s.targets, confidence=0.5), how="left").assign(plan=name))
    return pd.concat(frames, ignore_index=True), pd.concat(cells, ignore_index=True)


def cells_missing(cells: pd.DataFrame, targets: object, z: float = 1.645) -> tuple[int, int, str]:
    """(cells whose pooled estimate misses a target, cells missing one with one-sided 95 %
    confidence, where the misses are: "08:00 (3 weekdays), 10:00 (mon)")."""
    t = targets
    sl, av, asa = cells["service_level"], cells["availability"], cells["asa_s"]
    point = (sl <= t.service_level_min) | (av <= t.availability_min) | (asa >= t.asa_max_s)  # type: ignore[attr-defined]
    sure = ((sl + z * cells["service_level_se"] <= t.service_level_min) | (av + z * cells["availability_se"] <= t.availability_min)  # type: ignore[attr-defined]
            | (asa - z * cells["asa_s_se"] >= t.asa_max_s))  # type: ignore[attr-defined]
    point &= cells["offered"] > 0
    sure &= cells["offered"] > 0
    missed = cells[point].groupby("interval_start", sort=True)["weekday"].agg(list)
    where = ", ".join(f"{clock} ({', '.join(days) if len(days) < 3 else f'{len(days)} weekdays'})" for clock, days in missed.items())
    return int(point.sum()), int(sure.sum()), where


def plan_rows(kpis: pd.DataFrame, cells: pd.DataFrame, plans: Tables, s: sim.Scenario) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    interval_min = s.demand.interval_min
    month = month_view(kpis, by="plan")
    rows, facts = [], {}
    for name in plans:
        g = month[month["plan"] == name]
        worst = g.sort_values("p_met").drop_duplicates("kpi").set_index("kpi")
        share = day_share(kpis[kpis["plan"] == name])
        facts[name] = {"agent_hours": worst.loc["staffed_s", "mean"] / 3600, "p_all": worst.loc["all_targets", "p_met"],
                       "p_all_low": worst.loc["all_targets", "p_met_low"], "p_all_high": worst.loc["all_targets", "p_met_high"],
                       "day_share": share[0], "day_low": share[1], "day_high": share[2],
                       "service_level": worst.loc["service_level", "mean"], "availability": worst.loc["availability", "mean"],
                       "asa_s": worst.loc["asa_s", "mean"], "week_hours": hours(plans[name], interval_min)}
        facts[name]["worst_days"] = worst_days(kpis[kpis["plan"] == name])
        miss, sure, where = cells_missing(cells[cells["plan"] == name], s.targets)
        facts[name].update(cells_missing=miss, cells_missing_sure=sure, cells=int((cells["plan"] == name).sum()), missed_at=where)
        r = {"plan": NAMES[name], "agent-hours (month)": f"{facts[name]['agent_hours']:,.0f}",
             "agent-hours (one week of the table)": f"{facts[name]['week_hours']:,.1f}"}
        for kpi in ("availability", "service_level", "asa_s", "aht_s"):
            r[kpi] = fmt_kpi(kpi, worst.loc[kpi, "mean"], worst.loc[kpi, "ci_low"], worst.loc[kpi, "ci_high"])
        r["P(month meets all targets)"] = fmt_p(facts[name]["p_all"], facts[name]["p_all_low"], facts[name]["p_all_high"])
        r["days meeting all targets"] = f"{pct(share[0])} [{pct(share[1])}, {pct(share[2])}]"
        r["cells missing a target (of which surely)"] = f"{miss} ({sure}) of {facts[name]['cells']}"
        rows.append(r)
    return pd.DataFrame(rows), month, facts


def conclusion(s: sim.Scenario, month: pd.DataFrame, facts: dict, reps: int, verify_reps: int) -> list[str]:
    """Sentences built from the figures."""
    out = []
    allm = (month[month["kpi"] == "all_targets"].sort_values("p_met").drop_duplicates("staffing_level")
            .set_index("staffing_level").sort_index())
    staffed = month[month["kpi"] == "staffed_s"].drop_duplicates("staffing_level").set_index("staffing_level")["mean"] / 3600
    ok = allm[allm["p_met"] >= TARGET_P]
    if len(ok):
        k = int(ok.index.min())
        r = ok.loc[k]
        plural = "s" if abs(k) > 1 else ""
        what = "the Erlang A table itself (level 0)" if k == 0 else f"the Erlang A table {k:+d} agent{plural} per interval"
        out.append(f"The smallest uniform level meeting all the agreement's targets in the month with probability "
                   f"≥ {TARGET_P:.0%} is {what}: {staffed[k]:,.0f} agent-hours, "
                   f"P = {fmt_p(r['p_met'], r['p_met_low'], r['p_met_high'])} over {reps} replications.")
        if k - 1 in allm.index:
            below = allm.loc[k - 1]
            out.append(f"One agent fewer per interval ({staffed[k - 1]:,.0f} agent-hours) meets them with probability "
                       f"{fmt_p(below['p_met'], below['p_met_low'], below['p_met_high'])}.")
    else:
        out.append(f"No level from {min(LEVELS):+d} to {max(LEVELS):+d} meets all targets with probability ≥ {TARGET_P:.0%} "
                   f"(best: {allm['p_met'].max():.0%} at {int(allm['p_met'].idxmax()):+d}).")
    if 0 in allm.index:
        zero = month[month["staffing_level"] == 0].sort_values("p_met").drop_duplicates("kpi").set_index("kpi")
        t = s.targets
        bound = {"availability": t.availability_min, "service_level": t.service_level_min, "asa_s": t.asa_max_s, "aht_s": t.aht_max_s}
        # lowest P(met) first; among equals the smallest relative margin of the month mean to its target
        margin = {k: (zero.loc[k, "mean"] - b) / b * (1 if k in ("availability", "service_level") else -1) for k, b in bound.items()}
        weakest = min(bound, key=lambda x: (zero.loc[x, "p_met"], margin[x]))
        out.append(f"The Erlang A table as it is (level 0) meets all targets in the month with probability {allm.loc[0, 'p_met']:.0%}; "
                   f"its tightest target is {TARGETS[weakest]} (met in {zero.loc[weakest, 'p_met']:.0%} of replications, "
                   f"month mean {fmt_kpi(weakest, zero.loc[weakest, 'mean'], zero.loc[weakest, 'ci_low'], zero.loc[weakest, 'ci_high'])}).")
        sd = zero.loc["service_level", "sd"]
        out.append(f"Month KPIs vary little between replications (service level sd {100 * sd:.2f} percentage points at level 0), "
                   "so the probability that the month meets a target changes from near 0 to near 1 within about one agent per "
                   "interval; the risk is in single days, not in the month.")
    sim_, a, c = facts["simulation"], facts["erlang_a"], facts["erlang_c"]

    def rel(x: float, y: float) -> str:
        d = (x - y) / y
        return f"{abs(d):.1%} {'fewer' if d < 0 else 'more'}" if abs(d) >= 0.0005 else "the same"

    out.append(f"The simulation-based plan needs {sim_['agent_hours']:,.0f} agent-hours in the month: "
               f"{rel(sim_['agent_hours'], c['agent_hours'])} "
               f"than the Erlang C plan ({c['agent_hours']:,.0f}) and {rel(sim_['agent_hours'], a['agent_hours'])} than the Erlang A plan "
               f"({a['agent_hours']:,.0f}).")
    out.append(f"Checked with {verify_reps} fresh replications, the month meets all targets with probability "
               f"{sim_['p_all']:.0%} under the simulation plan, {a['p_all']:.0%} under Erlang A and {c['p_all']:.0%} under Erlang C; "
               f"the share of open days meeting all targets is {pct(sim_['day_share'])}, {pct(a['day_share'])} and "
               f"{pct(c['day_share'])} respectively.")
    out.append(f"Per weekday × 30-minute interval (pooled over the fresh replications), {a['cells_missing']} of {a['cells']} "
               f"intervals miss a target under Erlang A ({a['cells_missing_sure']} with one-sided 95 % confidence), "
               f"{c['cells_missing']} ({c['cells_missing_sure']}) under Erlang C and {sim_['cells_missing']} "
               f"({sim_['cells_missing_sure']}) under the simulation plan, which the search built to meet the targets in "
               "every interval." + (f" Erlang A misses at {a['missed_at']}" if a["missed_at"] else "")
               + (f"; Erlang C at {c['missed_at']}." if c["missed_at"] else "."))
    cheapest = min((n for n in facts if facts[n]["p_all"] >= TARGET_P), key=lambda n: facts[n]["agent_hours"], default=None)
    if cheapest:
        out.append(f"Of the three plans, the cheapest that meets all month targets with probability ≥ {TARGET_P:.0%} is "
                   f"{NAMES[cheapest]} ({facts[cheapest]['agent_hours']:,.0f} agent-hours).")
    else:
        out.append(f"None of the three plans meets all month targets with probability ≥ {TARGET_P:.0%}.")
    if min(f["day_share"] for f in facts.values()) < TARGET_P:
        out.append("Meeting every target on every single day is a stricter goal than meeting them over the month. "
                   f"The days least often meeting all targets (share of replications) are {a['worst_days']} under Erlang A "
                   f"and {sim_['worst_days']} under the simulation plan.")
    return out


def hardware() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for p in PACKAGES:
        try:
            versions.append(f"{p} {metadata.version(p)}")
        except metadata.PackageNotFoundError:
            pass
    return [f"{platform.platform()}, {cpu}, {os.cpu_count()} logical CPUs", f"Python {platform.python_version()}; " + ", ".join(versions)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=40, help="replications per sweep level (default 40)")
    ap.add_argument("--search-reps", type=int, default=10, help="replications per evaluation in the staffing search (default 10)")
    ap.add_argument("--verify-reps", type=int, default=100, help="fresh replications per plan in the verification (default 100)")
    ap.add_argument("--workers", type=int, default=None, help="parallel workers (default: all cores)")
    ap.add_argument("--out", type=Path, default=Path("outputs/headline"))
    args = ap.parse_args(argv)
    if min(args.reps, args.search_reps, args.verify_reps) < 2:
        ap.error("every replication count must be >= 2 (confidence intervals need two)")
    workers = args.workers or default_workers()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    load0, t0 = os.getloadavg(), time.perf_counter()
    timings: dict[str, float] = {}

    s = sim.load_scenario("default")
    print(f"Headline study: {s.name}, {s.run.start} to {s.run.end}; {workers} worker(s)", flush=True)

    t = time.perf_counter()
    month = run_sweep_part(s, args.reps, workers, out)
    month.to_csv(out / "sweep_month.csv", index=False)
    wide = sweep_wide(month)
    wide.to_csv(out / "sweep_table.csv", index=False)
    plot_sweep(month, s, out / "sweep.png")
    timings["sweep"] = time.perf_counter() - t
    print(f"  sweep: {len(LEVELS)} levels x {args.reps} replications in {timings['sweep']:.0f} s", flush=True)

    t = time.perf_counter()
    found = search(s, replications=args.search_reps, seed=SEARCH_SEED, workers=workers)
    pd.DataFrame(found.history).to_csv(out / "search_history.csv", index=False)
    found.table_frame(s).to_csv(out / "staffing_table_simulation.csv", index=False)
    timings["search"] = time.perf_counter() - t
    print(f"  staffing search: {len(found.history)} evaluations of {args.search_reps} replications "
          f"in {timings['search']:.0f} s", flush=True)

    plans = {"erlang_c": erlang_table(s, "erlang_c"), "erlang_a": erlang_table(s, "erlang_a"), "simulation": found.table}
    frame = plan_frame(s, plans["erlang_a"]).rename(columns={"agents": "erlang_a"})
    frame["erlang_c"] = plan_frame(s, plans["erlang_c"])["agents"].to_numpy()
    frame["simulation"] = plan_frame(s, plans["simulation"])["agents"].to_numpy()
    frame = frame[["weekday", "interval_start", "erlang_c", "erlang_a", "simulation"]]
    frame.to_csv(out / "staffing_plans.csv", index=False)
    plot_plans(frame, out / "staffing_plans.png")

    t = time.perf_counter()
    kpis, cells = verify(s, plans, args.verify_reps, workers, out)
    cells.to_csv(out / "plans_cells.csv", index=False)
    table, plan_month, facts = plan_rows(kpis, cells, plans, s)
    table.to_csv(out / "plans.csv", index=False)
    plan_month.to_csv(out / "plans_month.csv", index=False)
    timings["verify"] = time.perf_counter() - t
    print(f"  verification: 3 plans x {args.verify_reps} replications in {timings['verify']:.0f} s", flush=True)

    total = time.perf_counter() - t0
    load1 = os.getloadavg()
    words = conclusion(s, month, facts, args.reps, args.verify_reps)
    cells = frame.assign(diff_a=frame["simulation"] - frame["erlang_a"])
    moved = cells[cells["diff_a"] != 0]
    md = [
        f"# Headline study: staffing for {s.name} ({s.run.start} to {s.run.end})",
        "",
        f"Generated by `python experiments/headline.py --reps {args.reps} --search-reps {args.search_reps} "
        f"--verify-reps {args.verify_reps}` on {dt.datetime.now():%Y-%m-%d %H:%M}. Targets (per month): availability "
        f"> {s.targets.availability_min:.0%}, service level > {s.targets.service_level_min:.0%} answered within "
        f"{s.targets.threshold_s:g} s, mean queue time of answered calls < {s.targets.asa_max_s:g} s, AHT < "
        f"{s.targets.aht_max_s:g} s, logging > {s.targets.logging_min:.0%}. Means with 95 % t-intervals over "
        "replications; probabilities are the share of replications whose month met the target, with Wilson 95 % intervals.",
        "",
        "## Conclusion",
        "",
        *[f"- {w}" for w in words],
        "",
        f"## Staffing level vs probability of meeting each target ({args.reps} replications per level, common random numbers)",
        "",
        "Level k = the Erlang A table (`scenarios/data/staffing_fibra_erlang_a.csv`) with k agents more on every open interval.",
        "",
        md_table(wide),
        "",
        "![sweep](sweep.png)",
        "",
        f"## Simulation-based plan vs Erlang C and Erlang A ({args.verify_reps} fresh replications per plan)",
        "",
        f"The search started from the Erlang A plan and took {len(found.history)} evaluations of {args.search_reps} replications; "
        f"it changed {len(moved)} of {len(frame)} weekday × interval cells "
        f"({int((moved['diff_a'] > 0).sum())} up, {int((moved['diff_a'] < 0).sum())} down). "
        "Month agent-hours follow the calendar (open days, 15:00 closings); the week column counts each weekday of the table once.",
        "",
        md_table(table),
        "",
        "![plans](staffing_plans.png)",
        "",
        "## Run time and hardware",
        "",
        f"- total {total:.0f} s: sweep {timings['sweep']:.0f} s, search {timings['search']:.0f} s, verification {timings['verify']:.0f} s; "
        f"{workers} local worker process(es)",
        f"- load average at start {load0[0]:.2f}, at end {load1[0]:.2f} (other processes share the machine, so times vary)",
        *[f"- {h}" for h in hardware()],
        "",
    ]
    text = "\n".join(md)
    (out / "headline.md").write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"Wrote {out}/headline.md, sweep.png, staffing_plans.png and the CSV tables.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

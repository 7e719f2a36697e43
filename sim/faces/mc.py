"""``python -m sim.mc``: Monte Carlo replications of a scenario, with confidence intervals.

    python -m sim.mc montecarlo.replications=100
    python -m sim.mc montecarlo.scheduler=tcp://127.0.0.1:8786      # on a Dask cluster
    python -m sim.mc 'montecarlo.precision={service_level: 0.005}'   # until precise enough
    python -m sim.mc 'montecarlo.sweep={mode: add, levels: [-2,-1,0,1,2]}'   # a staffing sweep
    python -m sim.mc -m staffing=flat staffing.agents=10,12,14       # Hydra multirun

Results go to ``<montecarlo.out_dir>/<name>_seed<seed>_<fingerprint>``: one folder per
resolved scenario and seed (see :func:`sim.study.runner.results_folder`), so a rerun of the
same scenario after an interruption resumes, and a changed scenario (also each job of a
Hydra multirun) gets a folder of its own. It holds per-replication Parquet files, summaries
as CSV and plots; the summaries report every replication the folder holds.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import hydra
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.analysis.stats import cut_at, p_met_of_flags, summarize
from sim.catalogue import kpi as catalogue_entry
from sim.catalogue import value_range
from sim.errors import ScenarioError
from sim.faces import plots
from sim.faces.cli import fail, hydra_entry
from sim.faces.excel import excel_copies
from sim.faces.folders import output_folder
from sim.faces.sweep_table import note_job_results
from sim.scenario.compose import scenarios_dir, validate
from sim.schema import Scenario
from sim.study.executors import close_pool, default_workers
from sim.study.precision import precision_table, run_until_precise
from sim.study.runner import MonteCarlo, load_folder, run_replications
from sim.study.store import make_folder, results_folder
from sim.study.sweep import run_sweep, sweep_summary


def _options(s: Scenario) -> dict:
    m = s.montecarlo
    return {"workers": m.workers or default_workers(), "scheduler": m.scheduler, "keep_calls": m.keep_calls,
            "progress": True}


def run_montecarlo(s: Scenario, out: Path) -> tuple[MonteCarlo, pd.DataFrame | None]:
    """Replications (or until the precision goal is met) into ``out/replications``; returns
    every replication the folder holds (also those of an earlier, longer run)."""
    m = s.montecarlo
    precision = None
    if m.precision:
        mc, precision = run_until_precise(s, dict(m.precision), level="run", min_reps=m.replications,
                                          max_reps=m.max_replications, conf=m.conf, out_dir=out, **_options(s))
    else:
        mc = run_replications(s, m.replications, out_dir=out, **_options(s))
    held = load_folder(s, out) or mc
    if m.precision and held.replications != mc.replications:
        precision = precision_table(held.kpis, dict(m.precision), "run", m.conf)
    return held, precision


def with_all_targets(summary: pd.DataFrame, kpis: pd.DataFrame, level: str, conf: float) -> pd.DataFrame:
    """``summary`` plus, per period, the row ``all_targets``: P(every target met at once)."""
    rows = kpis[kpis["level"] == level]
    if "all_met" not in rows.columns or rows.empty:
        return summary
    agg = p_met_of_flags(rows, "all_met", ("period",), conf)
    extra = pd.DataFrame({"period": agg["period"], "kpi": "all_targets", "replications": agg["judged"],
                          "p_met": agg["p_met"], "p_met_low": agg["p_met_low"], "p_met_high": agg["p_met_high"]})
    out = pd.concat([summary, extra], ignore_index=True)
    return out.sort_values("period", kind="stable").reset_index(drop=True)


def _fmt_row(r: pd.Series) -> str:
    entry = catalogue_entry(r["kpi"])
    pct, hours = entry is not None and entry.fmt == "percent", entry is not None and entry.fmt == "agent_hours"
    scale, unit = (100.0, " %") if pct else ((1 / 3600, " h") if hours else (1.0, " s" if r["kpi"].endswith("_s") else ""))
    p = "" if pd.isna(r.get("p_met")) else f"{100 * r['p_met']:.0f} %"
    half = r.get("half_width", float("nan"))
    if pd.isna(half):  # a row without it: the t-interval's half-width from the bounds
        half = max(r["mean"] - r["ci_low"], r["ci_high"] - r["mean"])
    low_end, high_end = value_range(r["kpi"])  # cut to what the KPI can be (a share 0–100 %, a time, hours or a count ≥ 0)
    lo, hi = max(r["ci_low"], low_end), min(r["ci_high"], high_end)
    bounds = cut_at(r["kpi"], r["mean"], half)
    cut = "".join(f"  (cut at {scale * b:g}{unit.rstrip()})" for b in bounds)
    return (f"{r['kpi']:<16}{scale * r['mean']:>11.2f}{unit:<3} [{scale * lo:.2f}, {scale * hi:.2f}]"
            f"{'':4}{p:>6}{cut}")


_NOTHING = {"work_h_mean": "no case resolved", "work_h_p90": "no case resolved", "occupancy": "no agent on duty",
            "availability": "no call offered", "service_level": "no call offered", "mean_wait_all_s": "no call offered"}


def _none_row(kpi: str) -> str:
    """A KPI that no replication could measure (no call answered, no case resolved): said in
    words, not ``nan``."""
    return f"{kpi:<16}{'none':>11}    ({_NOTHING.get(kpi, 'no call answered')} in any replication)"


def write_montecarlo(s: Scenario, mc: MonteCarlo, out: Path) -> str:
    """Write the summaries and plots; return the text to print."""
    conf = s.montecarlo.conf
    mc.kpis.to_parquet(out / "kpis.parquet", index=False)
    month = with_all_targets(summarize(mc.kpis, "month", conf=conf), mc.kpis, "month", conf)
    run = with_all_targets(summarize(mc.kpis, "run", conf=conf), mc.kpis, "run", conf)
    day = summarize(mc.kpis, "day", kpis_to_show=["service_level", "availability", "asa_s"], conf=conf)
    day = with_all_targets(day, mc.kpis, "day", conf)
    month.to_csv(out / "summary_month.csv", index=False)
    run.to_csv(out / "summary_run.csv", index=False)
    day.to_csv(out / "summary_day.csv", index=False)
    plots.daily_probability(day[day["kpi"] != "all_targets"], s.targets, out / "daily_p_met.png")
    lines = [f"{s.name}: {mc.replications} replications, {s.run.start} to {s.run.end}; mean [{conf:.0%} CI]  P(target met)"]
    lines += [_fmt_row(r) if pd.notna(r["mean"]) else _none_row(r["kpi"]) for _, r in run.iterrows() if r["kpi"] != "all_targets"]
    if run.empty:
        lines.append(f"No calls in any replication: the line is closed on every day from {s.run.start} to {s.run.end} "
                     "(see calendar.csv of python -m sim, or sim.opening_hours).")
    lines.append("")
    for period, g in month.groupby("period"):
        lines.append(month_line(pd.Timestamp(period), g.set_index("kpi")["p_met"]))
    return "\n".join(lines)


MONTH_LINE = (("availability", "availability"), ("service level", "service_level"), ("queue time", "asa_s"),
              ("handle time", "aht_s"), ("logging", "logging_share"), ("all targets", "all_targets"))


def month_line(period: pd.Timestamp, p_met: pd.Series) -> str:
    """``2026-12: P(month meets availability) 100 %, service level 95 %, …, all targets 90 %``."""
    parts = [f"{name} {p_met[kpi]:.0%}" for name, kpi in MONTH_LINE if kpi in p_met.index and pd.notna(p_met[kpi])]
    return f"{period:%Y-%m}: P(month meets) " + ", ".join(parts) if parts else f"{period:%Y-%m}: no open day"


def write_sweep(s: Scenario, out: Path) -> str:
    """Run the configured staffing sweep; write its table and plot."""
    sw = s.montecarlo.sweep
    assert sw is not None
    kpis = run_sweep(s, sw.levels, s.montecarlo.replications, sw.mode, out_dir=out / "sweep", **_options(s))
    table = sweep_summary(kpis, "run", s.montecarlo.conf)
    table.to_csv(out / "sweep_summary.csv", index=False)
    plots.sweep(table, s.targets, sw.mode, out / "sweep.png")
    keep = table[table["kpi"].isin(["availability", "service_level", "asa_s", "staffed_s"])]
    wide = keep.pivot(index="staffing_level", columns="kpi", values="mean")
    pm = keep.pivot(index="staffing_level", columns="kpi", values="p_met")
    lines = [f"Staffing sweep ({sw.mode}), {s.montecarlo.replications} replications per level; mean and P(target met over the run):"]
    for lv, r in wide.iterrows():
        lines.append(f"  {sw.mode} {lv:+g}: agent-hours {r['staffed_s'] / 3600:8.0f}  availability {100 * r['availability']:5.1f} % "
                     f"(P {pm.loc[lv, 'availability']:.0%})  service level {100 * r['service_level']:5.1f} % "
                     f"(P {pm.loc[lv, 'service_level']:.0%})  queue time {r['asa_s']:5.1f} s (P {pm.loc[lv, 'asa_s']:.0%})")
    return "\n".join(lines)


@hydra.main(version_base="1.3", config_path=str(scenarios_dir()), config_name="config")
def app(cfg: DictConfig) -> None:
    """Validate, replicate, summarise."""
    out: Path | None = None
    try:
        s = validate(cfg)
        output_folder(s.montecarlo.out_dir, "montecarlo.out_dir")
        out = results_folder(s).path
        make_folder(out)
        OmegaConf.save(cfg, out / "config.yaml", resolve=True)
        t0 = time.perf_counter()
        if s.montecarlo.sweep:
            text = write_sweep(s, out)
        else:
            mc, precision = run_montecarlo(s, out)
            text = write_montecarlo(s, mc, out)
            (out / "precision.csv").unlink(missing_ok=True)  # never an old one beside new summaries
            if precision is not None:
                precision.to_csv(out / "precision.csv", index=False)
                text += "\n" + precision_text(precision)
        excel_copies(out, s.output.excel)
        note_job_results(out)  # a job of a multirun (-m): the sweep's summary finds its results from the job folder
    except ScenarioError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        saved = f"{sum(1 for _ in out.rglob('rep_*.parquet'))} replications are saved in {out}; " if out else ""
        print(f"\ninterrupted: {saved}run the same command again to resume.", file=sys.stderr)
        sys.exit(130)
    finally:
        close_pool()  # a job of Hydra's joblib launcher must not leave forked workers behind
    print(text)
    print(f"\nDone in {time.perf_counter() - t0:.1f} s; results in {out}")


def precision_text(table: pd.DataFrame) -> str:
    """One line per KPI of precision mode: the CI half-width reached against the goal."""
    return "\n".join(f"precision {r.kpi}: CI half-width {r.half_width:.4g} (goal {r.tolerance:g}) "
                     f"{'reached' if r.precise else 'NOT reached (montecarlo.max_replications)'}"
                     for r in table.itertuples())


main = hydra_entry(app)


if __name__ == "__main__":
    main()

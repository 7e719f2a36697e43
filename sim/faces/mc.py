"""``python -m sim.mc``: Monte Carlo replications of a scenario, with confidence intervals.

    python -m sim.mc montecarlo.replications=100
    python -m sim.mc montecarlo.scheduler=tcp://127.0.0.1:8786      # on a Dask cluster
    python -m sim.mc 'montecarlo.precision={service_level: 0.005}'   # until precise enough
    python -m sim.mc 'montecarlo.sweep={mode: add, levels: [-2,-1,0,1,2]}'   # a staffing sweep
    python -m sim.mc -m staffing=flat staffing.agents=10,12,14       # Hydra multirun

Results go to ``montecarlo.out_dir`` (a fixed folder per scenario and seed, so that a rerun
after an interruption resumes): per-replication Parquet files, summaries as CSV, plots. In a
Hydra multirun (``-m``) each job writes to ``<out_dir>/<its overrides>`` instead, so that
jobs do not share a folder and each resumes on its own.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import hydra
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from sim.analysis.stats import summarize
from sim.errors import ScenarioError
from sim.faces import plots
from sim.faces.cli import run_hydra_app
from sim.scenario.compose import scenarios_dir, validate
from sim.schema import Scenario
from sim.study.precision import run_until_precise
from sim.study.runner import MonteCarlo, default_workers, run_replications
from sim.study.sweep import run_sweep, sweep_summary


def _options(s: Scenario) -> dict:
    m = s.montecarlo
    return {"workers": m.workers or default_workers(), "scheduler": m.scheduler, "keep_calls": m.keep_calls,
            "progress": sys.stderr.isatty()}


def run_montecarlo(s: Scenario, out: Path) -> tuple[MonteCarlo, pd.DataFrame | None]:
    """Replications (or until the precision goal is met) into ``out/replications``."""
    m = s.montecarlo
    if m.precision:
        return run_until_precise(s, dict(m.precision), level="run", min_reps=m.replications,
                                 max_reps=m.max_replications, conf=m.conf, out_dir=out, **_options(s))
    return run_replications(s, m.replications, out_dir=out, **_options(s)), None


def _fmt_row(r: pd.Series) -> str:
    pct = r["kpi"] in ("availability", "service_level", "logging_share", "occupancy")
    scale, unit = (100.0, " %") if pct else ((1 / 3600, " h") if r["kpi"] in ("overtime_s", "staffed_s") else (1.0, ""))
    p = "" if pd.isna(r.get("p_met")) else f"{100 * r['p_met']:.0f} %"
    return (f"{r['kpi']:<16}{scale * r['mean']:>11.2f}{unit:<3} [{scale * r['ci_low']:.2f}, {scale * r['ci_high']:.2f}]"
            f"{'':4}{p:>6}")


def write_montecarlo(s: Scenario, mc: MonteCarlo, out: Path) -> str:
    """Write the summaries and plots; return the text to print."""
    conf = s.montecarlo.conf
    mc.kpis.to_parquet(out / "kpis.parquet", index=False)
    month = summarize(mc.kpis, "month", conf=conf)
    run = summarize(mc.kpis, "run", conf=conf)
    day = summarize(mc.kpis, "day", kpis_to_show=["service_level", "availability", "asa_s"], conf=conf)
    month.to_csv(out / "summary_month.csv", index=False)
    run.to_csv(out / "summary_run.csv", index=False)
    day.to_csv(out / "summary_day.csv", index=False)
    plots.daily_probability(day, s.targets, out / "daily_p_met.png")
    lines = [f"{s.name}: {mc.replications} replications, {s.run.start} to {s.run.end}; mean [{conf:.0%} CI]  P(target met)"]
    lines += [_fmt_row(r) for _, r in run.iterrows()]
    lines.append("")
    for period, g in month.groupby("period"):
        allm = g.set_index("kpi")
        lines.append(f"{pd.Timestamp(period):%Y-%m}: P(month meets availability) {allm.loc['availability', 'p_met']:.0%}, "
                     f"service level {allm.loc['service_level', 'p_met']:.0%}, queue time {allm.loc['asa_s', 'p_met']:.0%}, "
                     f"handle time {allm.loc['aht_s', 'p_met']:.0%}")
    return "\n".join(lines)


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


# Overrides that do not change a job's replications: left out of its folder name, so that a
# rerun with more replications or other workers resumes the same folder.
_NOT_IN_JOB_DIR = ("hydra", "montecarlo.out_dir", "montecarlo.replications", "montecarlo.max_replications",
                   "montecarlo.workers", "montecarlo.scheduler")


def job_out_dir(out: Path) -> Path:
    """``out`` for a single run; ``out/<the job's overrides>`` for a job of a multirun."""
    hc = HydraConfig.get()
    if hc.mode != RunMode.MULTIRUN:
        return out
    keep = [o for o in hc.overrides.task if not o.lstrip("+~").startswith(_NOT_IN_JOB_DIR)]
    name = ",".join(sorted(keep)).replace("/", "_").replace(" ", "") or f"job{hc.job.num}"
    return out / name


@hydra.main(version_base="1.3", config_path=str(scenarios_dir()), config_name="config")
def app(cfg: DictConfig) -> None:
    """Validate, replicate, summarise."""
    out: Path | None = None
    try:
        s = validate(cfg)
        out = job_out_dir(Path(s.montecarlo.out_dir))
        out.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(cfg, out / "config.yaml", resolve=True)
        t0 = time.perf_counter()
        if s.montecarlo.sweep:
            text = write_sweep(s, out)
        else:
            mc, precision = run_montecarlo(s, out)
            text = write_montecarlo(s, mc, out)
            if precision is not None:
                precision.to_csv(out / "precision.csv", index=False)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        saved = f"{sum(1 for _ in out.rglob('rep_*.parquet'))} replications are saved in {out}; " if out else ""
        print(f"\ninterrupted: {saved}run the same command again to resume.", file=sys.stderr)
        sys.exit(130)
    print(text)
    print(f"\nDone in {time.perf_counter() - t0:.1f} s; results in {out}")


def main() -> None:
    """Entry point: check the overrides first (one clear paragraph, exit 2), then run."""
    run_hydra_app(app)


if __name__ == "__main__":
    main()

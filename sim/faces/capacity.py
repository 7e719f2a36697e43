"""``python -m sim.capacity``: the year's capacity plan, from a daily history to headcount and hires.

    python -m sim.capacity                                   # 2027, the example history and team
    python -m sim.capacity capacity.history_file=outputs/calibration/intervals/days.csv
    python -m sim.capacity capacity.hiring.lead_months=4 capacity.shrinkage.sick_share=0.06

Writes to ``capacity.out_dir`` (default ``outputs/capacity/<name>``): ``capacity_months.csv``
(per month: volume, on-phone hours, one FTE's hours by shrinkage category, required FTE with
its interval, the team, the gap, hires and the costs in hours), ``capacity_weeks.csv``,
``capacity_dates.csv``, ``capacity_kinds.csv`` (the requirement of each date kind, Erlang A
and simulated), ``hiring_plan.csv``, ``forecast.csv`` and the plot ``capacity.png``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import hydra
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from omegaconf import DictConfig, OmegaConf  # noqa: E402

from sim.errors import ScenarioError  # noqa: E402
from sim.faces.cli import run_hydra_app  # noqa: E402
from sim.faces.folders import output_folder  # noqa: E402
from sim.history.yearly import forecast_year, read_days, resolve  # noqa: E402
from sim.scenario.compose import scenarios_dir, validate  # noqa: E402
from sim.scenario.team import read_team  # noqa: E402
from sim.schema import Scenario  # noqa: E402
from sim.study.capacity import CapacityPlan, capacity_plan  # noqa: E402


def make_plan(s: Scenario, base_dir: Path | None = None, progress: bool = False) -> tuple[CapacityPlan, Path]:
    """Read the history and the team of ``s.capacity``, forecast the year, plan it."""
    base = base_dir or scenarios_dir()
    cap = s.capacity
    hist_path = resolve(cap.history_file, base, "capacity.history_file")
    days = read_days(hist_path, s.calendar)
    fc = forecast_year(days, s.calendar, cap.year)
    team = read_team(resolve(cap.team_file, base, "capacity.team_file"))

    def tell(label: str, k: int, n: int) -> None:
        if progress and s.capacity.simulate:
            print(f"  checked by simulation: {label} ({k}/{n})", file=sys.stderr, flush=True)

    return capacity_plan(s, fc, team, tell), hist_path


def plot(plan: CapacityPlan, path: Path) -> Path:
    """Required FTE (point and interval) against the team's FTE, with and without the hires."""
    m = plan.months
    x = list(range(1, 13))
    fig, ax = plt.subplots(figsize=(9, 4.8))
    ax.fill_between(x, m["required_fte_low"], m["required_fte_high"], color="tab:blue", alpha=0.18,
                    label="required, forecast's 95 % interval")
    ax.plot(x, m["required_fte_mean"], "o-", color="tab:blue", label="required (forecast mean)")
    ax.plot(x, m["team_fte"], "s--", color="tab:gray", label="current team, after attrition")
    if (m["temp_fte"] > 0).any():
        ax.bar(x, m["temp_fte"], bottom=m["available_fte"], color="tab:orange", alpha=0.5, width=0.5,
               label="temporary staff (capacity.hiring.temp_months)")
    ax.step(x, m["available_fte"], where="mid", color="tab:green", label="with the hiring plan")
    ax.set_ylabel("FTE (phone agents, full-time equivalents)")
    ax.set_xticks(x, [lb[5:] for lb in m["month_label"]])
    ax.set_xlabel(f"month of {plan.scenario.capacity.year}")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    ax.set_title(f"Required vs available FTE, {plan.scenario.capacity.year}")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def summary_lines(plan: CapacityPlan, hist_path: Path) -> list[str]:
    """The terminal summary."""
    s = plan.scenario
    cap = s.capacity
    m = plan.months
    k = plan.kinds
    sim_txt = (f"{len(k)} date kinds each checked by simulation ({s.staff.replications} replications, confidence "
               f"{s.staff.confidence:g}): Erlang A {k['erlang_h'].sum():,.0f} h -> {k['checked_h'].sum():,.0f} h on the "
               "representative dates" if cap.simulate else f"{len(k)} date kinds, Erlang A only (capacity.simulate=false)")
    lines = [f"{s.name}: capacity plan {cap.year} from {hist_path.name} ({int(m['open_days'].sum())} open days)",
             f"  {sim_txt}",
             f"  on-phone hours {m['phone_h_mean'].sum():,.0f} (95 % interval {m['phone_h_low'].sum():,.0f}-"
             f"{m['phone_h_high'].sum():,.0f}); shrinkage {100 * (1 - m['fte_phone_h'].sum() / m['fte_paid_h'].sum()):.0f} % of "
             f"paid hours over the year ({100 * m['shrinkage'].min():.0f}-{100 * m['shrinkage'].max():.0f} % by month)",
             f"  team: {plan.team_agents} phone agents, {plan.team_fte:.2f} FTE; attrition {100 * cap.hiring.attrition:g} %/year",
             "",
             "  month    req FTE (95 % interval)  shrinkage  team FTE    gap  hires  with hires  short  temps"]
    for r in m.itertuples(index=False):
        lines.append(f"  {r.month_label}  {r.required_fte_mean:6.1f} ({r.required_fte_low:5.1f}-{r.required_fte_high:5.1f})"
                     f"       {100 * r.shrinkage:4.0f} %   {r.team_fte:7.1f} {r.gap_fte:+6.1f}  {int(r.hires):5d}  "
                     f"{r.available_fte:10.1f} {r.short_fte:6.1f} {r.temp_fte:6.1f}")
    lines.append("")
    if plan.hires.empty:
        lines.append("  hiring plan: no hires needed")
    else:
        lines.append(f"  hiring plan (lead time {cap.hiring.lead_months} months, the last {cap.hiring.training_months} paid training; "
                     f"hiring for the {'upper end of the interval' if cap.hiring.hire_to == 'high' else 'point requirement'}):")
        for r in plan.hires.itertuples(index=False):
            lines.append(f"    decide {r.decide_in}: {r.hires} x contract {r.contract:g}, productive from {r.productive_from}")
    short = m[m["short_fte"] > 1e-9]
    lines.append(f"  cost: {m['paid_h'].sum():,.0f} paid hours of productive agents, {m['trainee_h'].sum():,.0f} h of paid training "
                 f"in {cap.year}" + (f" (+{plan.training_before_fte_months:.1f} FTE-months before it)"
                                     if plan.training_before_fte_months else "")
                 + f", {m['short_phone_h'].sum():,.0f} on-phone hours short"
                 + (f" in {', '.join(short['month_label'])} (too late to hire: overtime or temporary staff)" if len(short) else "")
                 + f", {m['temp_fte'].sum():.1f} FTE-months of temporary staff ({m['temp_paid_h'].sum():,.0f} paid h)"
                 + f", {m['surplus_phone_h'].sum():,.0f} h of surplus")
    return lines


def write_outputs(plan: CapacityPlan, out: Path, forecast_days: bool = True) -> list[Path]:
    """The CSV tables and the plot."""
    paths = []
    for name, frame in (("capacity_months", plan.months), ("capacity_weeks", plan.weeks), ("capacity_dates", plan.dates),
                        ("capacity_kinds", plan.kinds), ("hiring_plan", plan.hires)):
        p = out / f"{name}.csv"
        frame.round(4).to_csv(p, index=False)
        paths.append(p)
    paths.append(plot(plan, out / "capacity.png"))
    return paths


@hydra.main(version_base="1.3", config_path=str(scenarios_dir()), config_name="config")
def app(cfg: DictConfig) -> None:
    """Validate, forecast, plan, write."""
    t0 = time.perf_counter()
    try:
        s = validate(cfg)
        out = output_folder(s.capacity.out_dir, "capacity.out_dir")
        OmegaConf.save(cfg, out / "config.yaml", resolve=True)
        plan, hist = make_plan(s, progress=True)
        paths = write_outputs(plan, out)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    print("\n".join(summary_lines(plan, hist)))
    print(f"\nDone in {time.perf_counter() - t0:.1f} s; {', '.join(p.name for p in paths)} in {out}")


def main() -> None:
    """Entry point: check the overrides first (one clear paragraph, exit 2), then run."""
    run_hydra_app(app)


if __name__ == "__main__":
    main()

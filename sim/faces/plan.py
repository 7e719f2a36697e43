"""``python -m sim.plan``: write the Erlang C / Erlang A staffing table of a scenario."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from sim.analysis.planning import binding_summary, erlang_plan, table_file_frame
from sim.errors import ScenarioError
from sim.faces import plots
from sim.faces.cli import fail
from sim.faces.excel import excel_copies
from sim.faces.folders import output_folder
from sim.scenario.compose import load_scenario


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m sim.plan",
        description="Erlang C and Erlang A agents per weekday and interval for the agreement's targets.",
    )
    p.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. demand.volume=700")
    p.add_argument("--scenario", default="default", help="default or an experiment name in scenarios/experiment/")
    p.add_argument("--shrinkage", type=float, default=0.0, help="share of paid time off the phones, 0 <= s < 1 (default 0)")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default: a new folder outputs/plan/<scenario name>/<date>_<time>, never an old one)")
    return p


def new_folder(parent: Path) -> Path:
    """``parent/<date>_<time>`` like Hydra's run folders, with ``_2``, ``_3``... when taken, so a
    second run never overwrites the first one's tables."""
    stamp = dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    path, k = parent / stamp, 1
    while path.exists():
        k += 1
        path = parent / f"{stamp}_{k}"
    return path


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not 0.0 <= args.shrinkage < 1.0:
        fail(f"--shrinkage must be in [0, 1), got {args.shrinkage}")
    try:
        scenario = load_scenario(args.scenario, args.overrides)
        plan = erlang_plan(scenario, args.shrinkage)  # (a second or less: the folder is made once it has succeeded)
        out: Path = output_folder(args.out if args.out is not None else new_folder(Path("outputs") / "plan" / scenario.name), "--out")
    except (ScenarioError, ValueError) as exc:
        fail(str(exc))
    plan.to_csv(out / "staffing_plan.csv", index=False)
    for model in ("erlang_a", "erlang_c"):
        table_file_frame(plan, model).to_csv(out / f"staffing_table_{model}.csv", index=False)
    plots.staffing_plan(plan, out / "staffing_plan.png")
    excel_copies(out, scenario.output.excel)
    hours = plan.groupby("weekday", sort=False)[["erlang_c_agents", "erlang_a_agents", "erlang_c_scheduled", "erlang_a_scheduled"]].sum()
    hours = hours * scenario.demand.interval_min / 60
    print(f"Agent-hours on the phones (scheduled with shrinkage {args.shrinkage:g}) per weekday:")
    print(hours.round(1).to_string())
    print("\nWhich target decides the staffing (share of intervals):")
    print(binding_summary(plan).to_string(index=False))
    print(f"\nWrote {out}/staffing_plan.csv, staffing_table_erlang_a.csv, staffing_table_erlang_c.csv, staffing_plan.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())

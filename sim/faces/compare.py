"""``python -m sim.compare``: compare scenarios with common random numbers.

    python -m sim.compare default close_1600 no_early_close --reps 20 --out outputs/compare
    python -m sim.compare default no_early_close -o run=year_2027            # every scenario over 2027
    python -m sim.compare tiny "more=tiny:staffing.agents=14"                # an ad-hoc variant
    python -m sim.compare default close_1600 --set close_1600 staffing.agents=13

Each positional argument is a scenario spec ``[label=]name[:override,override…]``: ``name``
is ``default`` or an experiment of ``scenarios/experiment/``, overrides use Hydra's syntax
(``key=value``, ``group=option``); commas inside brackets or quotes do not split. The first
scenario is the baseline. ``-o/--override`` applies an override to every scenario,
``--set LABEL OVERRIDE`` to one of them.

Writes to ``--out`` (default ``outputs/compare/<labels>``): each scenario's replications in a
subfolder (a rerun with the same arguments resumes), ``kpis.parquet``, ``table.csv``,
``differences.csv``, ``daily.csv``, ``month.csv``, ``intraday.csv``, ``scenarios.json``,
``meta.json``, the plots and ``report.html``; prints the tables.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.analysis.stats import cut_at
from sim.errors import ScenarioError
from sim.faces.cli import fail
from sim.faces.excel import excel_copies
from sim.faces.folders import output_folder
from sim.faces.formats import fmt, fmt_diff, fmt_p
from sim.faces.report import DIFF_KPIS, KPI_LABELS, NOT_COMPARED, NOT_MODELLED, TARGET_KPIS, comparison_report, judged, one_sided_notes
from sim.scenario.specs import parse_spec, scenarios_from_specs
from sim.study.compare import Comparison, compare
from sim.study.store import slug

SHOWN = (*TARGET_KPIS, "offered", "staffed_s", "overtime_s", "days_missed_service_level", "days_missed_any")
FAILURE_SHOWN = ("fcr", "repeat_contacts_per_matter", "resolution_time_h")
"""Shown too when a scenario models failure demand (``resolution.fcr`` below 1)."""


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(
        prog="python -m sim.compare",
        description="Compare scenarios side by side with common random numbers (the same replication seeds); "
        "differences to the first (baseline) scenario are paired per replication.",
        epilog="Scenario spec: [label=]name[:key=value,key=value]. Examples: close_1600, "
        "default:staffing=flat,staffing.agents=14, more=default:staffing.agents=14.",
    )
    p.add_argument("scenarios", nargs="+", metavar="SPEC", help="scenario specs; the first is the baseline")
    p.add_argument("--reps", type=int, default=20, help="replications per scenario (default 20)")
    p.add_argument("--seed", type=int, default=None, help="root seed shared by all scenarios (default: the baseline's run.seed)")
    p.add_argument("--workers", type=int, default=None, help="parallel processes (default: all cores)")
    p.add_argument("--out", default=None, help="output folder (default outputs/compare/<labels>)")
    p.add_argument("-o", "--override", action="append", default=[], metavar="OVERRIDE",
                   help="an override for every scenario, e.g. run=year_2027 (repeatable)")
    p.add_argument("--set", action="append", nargs=2, default=[], metavar=("LABEL", "OVERRIDE"),
                   help="an override for one scenario (repeatable)")
    p.add_argument("--no-interval", action="store_true", help="skip interval-level KPIs (no intraday plot; faster, smaller)")
    p.add_argument("--no-report", action="store_true", help="write tables only, no plots or report.html")
    p.add_argument("--conf", type=float, default=0.95, help="confidence level (default 0.95)")
    p.add_argument("--lang", choices=("en", "sv"), default="en", help="language of report.html: en (default) or sv (Swedish)")
    return p


def _grid(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt_row = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))  # noqa: E731
    return [fmt_row(header), *[fmt_row(r) for r in rows]]


def text_tables(cmp: Comparison) -> str:
    """The whole-run table and the differences as plain text for the terminal."""
    labels = cmp.labels
    t = cmp.table.set_index(["scenario", "kpi"])
    lines = [f"{len(labels)} scenarios × {cmp.replications} replications, seed {cmp.seed} (common random numbers); "
             "whole run: mean [95 % CI]; P(target met) and verdict", ""]
    shown = [*SHOWN, *(FAILURE_SHOWN if any(s.resolution.enabled for s in cmp.scenarios.values()) else ())]
    shown = [k for k in shown if (labels[0], k) in t.index and cmp.modelled(k)]  # a KPI no scenario models has no row
    diff_kpis = [k for k in DIFF_KPIS if cmp.modelled(k)]
    rows = []
    for kpi in shown:
        row, row2 = [kpi], [""]
        for lb in labels:
            if lb not in cmp.modelled(kpi):
                row.append(NOT_MODELLED)
                row2.append("")
                continue
            r = t.loc[(lb, kpi)]
            ci = f"[{fmt(kpi, r['ci_low'])}, {fmt(kpi, r['ci_high'])}]" if pd.notna(r["half_width"]) and r["half_width"] > 0 else ""
            ci += "".join(f" (cut at {fmt(kpi, b)})" for b in cut_at(kpi, r["mean"], r["half_width"])) if ci else ""
            row.append(f"{fmt(kpi, r['mean'])} {ci}".strip())
            row2.append(f"P {fmt_p(r['p_met'])} {r['verdict']}" if pd.notna(r.get("p_met")) else "")
        rows.append(row)
        if any(row2[1:]):
            rows.append(row2)
    lines += _grid(["KPI", *labels], rows)
    if len(labels) > 1:
        d = cmp.differences.set_index(["scenario", "kpi"])
        lines += ["", f"Paired differences to {cmp.baseline}: difference [95 % CI] assessment", ""]
        rows = []
        for kpi in diff_kpis:
            if (labels[1], kpi) not in d.index:
                continue
            row = [kpi]
            for lb in labels[1:]:
                if not {lb, cmp.baseline} <= set(cmp.modelled(kpi)):
                    row.append(f"– {NOT_COMPARED}")
                    continue
                r = d.loc[(lb, kpi)]
                wide = pd.notna(r["half_width"]) and r["half_width"] > 0
                ci = f" [{fmt_diff(kpi, r['ci_low'])}, {fmt_diff(kpi, r['ci_high'])}]" if wide else ""
                row.append(f"{fmt_diff(kpi, r['difference'])}{ci} {judged(r)}")
            rows.append(row)
        lines += _grid(["KPI", *[f"{lb} − {cmp.baseline}" for lb in labels[1:]]], rows)
    notes = one_sided_notes(cmp, list(dict.fromkeys([*shown, *(diff_kpis if len(labels) > 1 else [])])))
    lines += ["", *notes] if notes else []
    lines += ["", "KPIs: " + "; ".join(f"{k} = {KPI_LABELS[k]}" for k in shown if k in KPI_LABELS)]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse, compare, write, print."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        specs = [parse_spec(s) for s in args.scenarios]
        extra: dict[str, list[str]] = {}
        for label, override in args.set:
            extra.setdefault(label, []).append(override)
        scenarios = scenarios_from_specs(specs, args.override, extra)
        out = Path(args.out) if args.out else Path("outputs") / "compare" / slug("__".join(s.label for s in specs))
        levels = ("day", "month", "run") if args.no_interval else ("interval", "day", "month", "run")
        if args.reps < 1:
            raise ScenarioError(f"--reps must be >= 1, got {args.reps}")
        output_folder(out, "--out")
        t0 = time.perf_counter()
        cmp = compare(scenarios, args.reps, args.seed, workers=args.workers, levels=levels, out_dir=out,
                      conf=args.conf, progress=sys.stderr.isatty())
        command = "python -m sim.compare " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
        cmp.meta["command"] = command
        cmp.save(out)
        excel_copies(out, next(iter(scenarios.values())).output.excel)  # the baseline's setting
        report = None
        if not args.no_report:
            report = comparison_report(cmp, out, run_time_s=time.perf_counter() - t0, command=command, lang=args.lang)
    except ScenarioError as exc:
        fail(str(exc))
    sys.stdout.write(text_tables(cmp) + "\n")
    sys.stdout.write(f"\nDone in {time.perf_counter() - t0:.1f} s; results in {out}" + (f"; report {report}" if report else "") + "\n")


if __name__ == "__main__":
    main()

"""``python -m sim.staff``: staffing tables and a shift roster for any scenario.

    python -m sim.staff                                        # the default scenario
    python -m sim.staff +experiment=tiny staff.replications=5  # any scenario, any override
    python -m sim.staff staff.search=false staff.roster_from=erlang_a   # roster the Erlang A table
    python -m sim.staff roster.lengths_h=[4,8] 'roster.limits={all: {max_agents: 20}}'

Writes to ``staff.out_dir`` (default ``outputs/staff/<name>``; a rerun resumes): the
staffing tables as ``staffing_table_<plan>.csv`` (usable as ``staffing.table_file``),
``staffing_plans.csv/.png``, ``search_history.csv``, the roster as ``roster.csv``
(weekday, shift start, end, lunch, breaks, agents), ``roster_summary.csv`` (paid hours,
LP bound, gap, solve time per weekday), ``roster_coverage.csv/.png``, ``roster_history.csv``,
``experiment_roster.yaml`` (copy it to ``scenarios/experiment/`` to run the roster with
``python -m sim +experiment=<file name>`` or ``python -m sim.compare``), the fresh-seed
check ``plans_kpis.csv`` and ``plans_cells.csv`` (with cases on also ``plans_cases.csv``: each
plan's case KPIs with CIs and verdicts), and ``report.html``.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import hydra
import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
from hydra.core.hydra_config import HydraConfig  # noqa: E402
from omegaconf import DictConfig, OmegaConf  # noqa: E402

from sim.analysis.stats import cut_at  # noqa: E402
from sim.catalogue import KIND_SHARE, is_share, value_range  # noqa: E402
from sim.errors import ScenarioError  # noqa: E402
from sim.faces.cli import run_hydra_app  # noqa: E402
from sim.faces.excel import excel_copies  # noqa: E402
from sim.faces.folders import output_folder  # noqa: E402
from sim.faces.formats import fmt, fmt_p  # noqa: E402
from sim.faces.htmlkit import Section, esc, frame_html, image, paragraph, render  # noqa: E402
from sim.faces.plots import weekday_steps  # noqa: E402
from sim.faces.report import kpi_label  # noqa: E402
from sim.faces.scenario_words import describe_scenario  # noqa: E402
from sim.scenario.compose import scenarios_dir, validate  # noqa: E402
from sim.schema import Scenario  # noqa: E402
from sim.study.search import plan_frame  # noqa: E402
from sim.study.staffing_study import StaffStudy, run_study  # noqa: E402

log = logging.getLogger("sim.staff")
NAMES = {"erlang_a": "Erlang A", "simulation": "simulation search", "roster": "roster (shifts with breaks)"}
SHOWN = ("availability", "service_level", "asa_s", "aht_s", "occupancy")
_LOOP_OFF = {True: "meets the targets in every interval", False: "stopped at the round cap with intervals missing"}  # report, cases off


# --------------------------------------------------------------------------- plots


def plot_plans(frame: pd.DataFrame, path: Path) -> Path:
    """Agents on the phones per interval under every plan, one panel per weekday."""
    plans = [c for c in frame.columns if c not in ("weekday", "interval_start")]
    lines = [(p, NAMES.get(p, p.replace("_", " "))) for p in plans]
    return weekday_steps(frame, lines, path, title="Staffing per interval", ylabel="agents on the phones")


def plot_coverage(cov: pd.DataFrame, path: Path) -> Path:
    """Per weekday: required vs scheduled (on shift) vs on the phones after breaks."""
    lines = [("scheduled", "scheduled (on shift)"), ("on_phones", "on the phones (after breaks)")]
    return weekday_steps(cov, lines, path, title="Roster coverage", ylabel="agents", fill=("required", "required"),
                         clock="slot_start", tick_every=8)


# --------------------------------------------------------------------------- tables and text


def _pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def _kpi(kpi: str, m: float, lo: float, hi: float, half: float) -> str:
    """The mean and its 95 % CI, cut to what the KPI can be (a share to 0–100 %, a time to ≥ 0;
    as :func:`sim.analysis.stats.summarize` cuts it), saying where it was cut, as
    ``sim.mc``, ``sim.compare``, the report and the page do."""
    floor, ceiling = value_range(kpi)
    lo, hi, cut = max(lo, floor), min(hi, ceiling), cut_at(kpi, m, half)
    if is_share(kpi):
        return f"{_pct(m)} [{100 * lo:.2f}, {100 * hi:.2f}]" + "".join(f" (cut at {100 * b:g} %)" for b in cut)
    return f"{m:.1f} s [{lo:.1f}, {hi:.1f}]" + "".join(f" (cut at {b:g} s)" for b in cut)


def plans_table(st: StaffStudy) -> pd.DataFrame:
    """One row per plan: hours, KPIs with CIs, P(target met), days meeting all, intervals missing."""
    rows = []
    for name in st.week_hours:
        summ = st.run_summary[st.run_summary["plan"] == name].set_index("kpi")
        m, lo, hi, half = (summ[c].astype(float) for c in ("mean", "ci_low", "ci_high", "half_width"))
        share = st.day_share.set_index("plan").loc[name].to_dict()
        cells = st.cells[st.cells["plan"] == name]
        r = {"plan": NAMES.get(name, name), "agent-hours per week": f"{st.week_hours[name]:,.1f}",
             "on-phone hours (run)": f"{m['staffed_s'] / 3600:,.0f}"}
        for k in SHOWN:
            r[k] = _kpi(k, m[k], lo[k], hi[k], half[k])
        p = summ["p_met"].dropna()
        r["P(run meets each target)"] = ", ".join(f"{k} {100 * v:.0f} %" for k, v in p.items() if k != "all_targets")
        r["P(all targets)"] = f"{100 * share['p_run_all_met']:.0f} %"
        r["days meeting all targets"] = (f"{100 * share['days_all_met']:.0f} % of {int(share['days_judged'])} "
                                         f"(open days × {st.scenario.staff.verify_replications} replications)")
        r["intervals missing (of)"] = f"{int((~cells['meets']).sum())} ({len(cells)})"
        if st.cases is not None:
            r.update(case_columns(st, name))
        rows.append(r)
    return pd.DataFrame(rows)


def _with_ci(kpi: str, row: pd.Series) -> str:
    text = fmt(kpi, row["mean"])
    if pd.notna(row["half_width"]) and row["half_width"] > 0:
        text += f" [{fmt(kpi, row['ci_low'])}, {fmt(kpi, row['ci_high'])}]"
    return text


def _case_parts(st: StaffStudy, name: str) -> tuple[dict[str, str], pd.Series]:
    """A plan's case KPIs as text (kind shares ``mean [CI] verdict``, ``backlog_end``) and its verdict row."""
    assert st.cases is not None
    summ = st.cases[st.cases["plan"] == name].set_index("kpi")
    texts = {}
    for kpi, row in summ.iterrows():
        k = str(kpi)
        if k.startswith(KIND_SHARE):
            verdict = row["verdict"] if isinstance(row["verdict"], str) else ""
            texts[k] = f"{_with_ci(k, row)} {verdict}".rstrip()
        elif k == "backlog_end":
            texts[k] = _with_ci(k, row)
    return texts, st.day_share.set_index("plan").loc[name]


def _case_targets(share: pd.Series) -> str:
    return "met" if share["case_targets_met"] else f"NOT met ({share['case_verdict']})"


def case_columns(st: StaffStudy, name: str) -> dict[str, str]:
    """With cases on: each kind's share within its limit (mean [CI], verdict), open cases at
    the end, P(the run meets the case targets), the weekdays short, and the verdict."""
    texts, share = _case_parts(st, name)
    target = f"≥ {100 * st.scenario.targets.case_share_min:g} %"
    out = {f"{kpi_label(k)} ({target})" if k.startswith(KIND_SHARE) else kpi_label(k): v for k, v in texts.items()}
    out["P(run meets the case targets)"] = fmt_p(share["p_run_case_met"])
    out["weekdays with cases short"] = share["case_days_short"] or "none"
    out["case targets"] = _case_targets(share)
    return out


def _case_line(st: StaffStudy, name: str) -> str:
    texts, share = _case_parts(st, name)
    kinds = ", ".join(f"{k[len(KIND_SHARE):].replace('_', ' ')} {v}" for k, v in texts.items() if k.startswith(KIND_SHARE))
    return (f"    cases within their limit: {kinds}; open at the end {texts.get('backlog_end', '–')}; "
            f"weekdays short: {share['case_days_short'] or 'none'}; case targets {_case_targets(share)}")


def _shift_line(sh: dict) -> str:
    brk = ", ".join(f'{{start: "{b["start"]}", minutes: {b["minutes"]}}}' for b in sh["breaks"])
    return (f'  - {{start: "{sh["start"]}", end: "{sh["end"]}", count: {sh["count"]}, days: [{", ".join(sh["days"])}], '
            f"breaks: [{brk}]}}")


def roster_yaml(st: StaffStudy, overrides: list[str]) -> str:
    """An experiment delta that staffs the scenario with the roster (times quoted, one shift a line)."""
    assert st.loop is not None
    s, r = st.scenario, st.loop.roster
    shifts = r.shifts()
    base = [o.split("=", 1)[1] for o in overrides if o.startswith("+experiment=")]
    others = [o for o in overrides if not o.startswith(("+experiment=", "staff.", "roster.", "hydra"))]
    lines = ["# @package _global_",
             f"# Roster written by: python -m sim.staff {' '.join(overrides)}".rstrip(),
             "# Copy to scenarios/experiment/<name>.yaml and run: python -m sim +experiment=<name>, or compare it:",
             "# python -m sim.compare default <name>. One line per weekday and shift pattern:",
             f"# {len(shifts)} entries, {int(sum(x['count'] for x in shifts))} shifts, paid {r.paid_h:,.1f} h per week.",
             *([f"# Built with the overrides {' '.join(others)}: add them when you run it."] if others else []),
             *(["defaults:", f"  - {base[0]}", "  - _self_"] if base else []),
             f"name: {'roster' if s.name == 'default' else f'roster_{s.name}'}   # by convention the file's name",
             f'description: "{s.name} staffed by the roster of python -m sim.staff"',
             "staffing:", "  mode: shifts", "  agents: null", "  table: null", "  table_file: null", "  shifts:"]
    lines += ["  " + _shift_line(x) for x in shifts]
    return "\n".join(lines) + "\n"


def write_outputs(st: StaffStudy, out: Path, overrides: list[str]) -> tuple[str, Path]:
    """Write the tables, plots and report; return the text to print and the report's path."""
    s = st.scenario
    for name, t in st.tables.items():
        plan_frame(s, t).to_csv(out / f"staffing_table_{name}.csv", index=False)
    frame = st.plans_frame()
    frame.to_csv(out / "staffing_plans.csv", index=False)
    figs = [(plot_plans(frame, out / "staffing_plans.png"),
             "Agents on the phones per interval: every plan (the roster: fewest on the phones in the interval)")]
    if st.search is not None:
        pd.DataFrame(st.search.history).to_csv(out / "search_history.csv", index=False)
    table = plans_table(st)
    table.to_csv(out / "plans.csv", index=False)
    st.run_summary.to_csv(out / "plans_kpis.csv", index=False)
    st.cells.to_csv(out / "plans_cells.csv", index=False)
    if st.cases is not None:
        st.cases.to_csv(out / "plans_cases.csv", index=False)
    lines = [f"{s.name}: {s.run.start} to {s.run.end}; fresh-seed check with {s.staff.verify_replications} replications "
             f"(seed {s.staff.verify_seed}); mean [{s.montecarlo.conf:.0%} CI]"]
    for name, (_, r) in zip(st.week_hours, table.iterrows(), strict=True):
        lines.append(f"  {r['plan']}: {r['agent-hours per week']} agent-hours per week; availability {r['availability']}, "
                     f"service level {r['service_level']}, queue time {r['asa_s']}; P(all targets) {r['P(all targets)']}; "
                     f"days meeting all {r['days meeting all targets']}; intervals missing {r['intervals missing (of)']}")
        if st.cases is not None:
            lines.append(_case_line(st, name))
    sections = [Section("Plans checked with fresh seeds", paragraph(
        f"Each plan simulated with {s.staff.verify_replications} replications of seed {s.staff.verify_seed}, which neither "
        "the search nor the roster loop used (common random numbers across plans). KPIs over the whole run with "
        f"{s.montecarlo.conf:.0%} t-intervals; P(target met) is the share of replications whose run met it; an interval "
        f"misses when a target fails its one-sided {s.staff.confidence:.0%} bound.") + _case_paragraph(st) + frame_html(table), "plans")]
    if st.search is not None:
        sections.append(Section("Simulation search", paragraph(
            f"{len(st.search.history)} evaluations of {s.staff.replications} replications (seed {s.staff.seed}).")
            + frame_html(pd.DataFrame(st.search.history)), "search"))
    if st.loop is not None:
        text, more = _roster_outputs(st, out, overrides)
        lines += text
        figs.append(more)
        ro = st.loop.roster
        sections.append(Section("Roster", paragraph(
            f"Shifts with lunch and breaks from the templates (roster.*), solved per weekday by HiGHS. Paid {ro.paid_h:,.1f} h per "
            f"week against {ro.lower_bound_h:,.1f} agent-hours of the interval requirement (the price of shifts: "
            f"{100 * (ro.paid_h / ro.lower_bound_h - 1):+.1f} %); gap to the LP relaxation {100 * ro.gap:.2f} %, solved in "
            f"{ro.seconds:.1f} s. Loop: {len(st.loop.history)} round(s), "
            f"{_loop_verdict(st) if s.cases.enabled else _LOOP_OFF[st.loop.met]}.")
            + frame_html(ro.summary()) + frame_html(pd.DataFrame(st.loop.history)) + frame_html(ro.frame()), "roster"))
    sections.append(Section("Plots", "".join(image(p, alt) for p, alt in figs), "plots"))
    sections.append(Section("Scenario", "".join(paragraph(x) for x in describe_scenario(s)), "scenario"))
    report = out / "report.html"
    report.write_text(render(f"Staffing and roster: {esc(s.name)}", sections, f"{s.run.start} to {s.run.end}"), encoding="utf-8")
    return "\n".join(lines), report


def _roster_outputs(st: StaffStudy, out: Path, overrides: list[str]) -> tuple[list[str], tuple[Path, str]]:
    assert st.loop is not None
    r = st.loop.roster
    r.frame().to_csv(out / "roster.csv", index=False)
    r.summary().to_csv(out / "roster_summary.csv", index=False)
    cov = r.coverage()
    cov.to_csv(out / "roster_coverage.csv", index=False)
    pd.DataFrame(st.loop.history).to_csv(out / "roster_history.csv", index=False)
    (out / "experiment_roster.yaml").write_text(roster_yaml(st, overrides), encoding="utf-8")
    fig = plot_coverage(cov, out / "roster_coverage.png")
    verdict = _loop_verdict(st)
    text = [f"Roster: {int(r.frame()['agents'].sum())} shifts per week, paid {r.paid_h:,.1f} h vs {r.lower_bound_h:,.1f} h of "
            f"interval staffing (price of shifts {100 * (r.paid_h / r.lower_bound_h - 1):+.1f} %); LP gap {100 * r.gap:.2f} %, "
            f"solve {r.seconds:.1f} s; loop {len(st.loop.history)} round(s): {verdict}."]
    return text, (fig, "Roster coverage per weekday: required vs scheduled vs on the phones after breaks")


def _loop_verdict(st: StaffStudy) -> str:
    """How the roster loop ended, in words (with cases on, the case targets too)."""
    assert st.loop is not None
    left, short = st.loop.history[-1]["intervals_missing"], st.loop.case_days_short
    if not st.scenario.cases.enabled:
        return "every interval meets the targets" if st.loop.met else f"{left} intervals still miss (round cap)"
    if st.loop.met:
        return "every interval meets the targets and every weekday the case targets"
    misses = ([f"{left} intervals still miss"] if left else []) + ([f"the cases miss on {', '.join(short)}"] if short else [])
    if not left and not st.scenario.cases.blend:
        return f"{misses[0]}: the roster's agents take no cases (cases.blend false); staff the case team (cases.dedicated)"
    return f"{' and '.join(misses)} (round cap)"


def _case_paragraph(st: StaffStudy) -> str:
    if st.cases is None:
        return ""
    share = st.scenario.targets.case_share_min
    return paragraph(
        f"Case work is on: each case kind's share handled within its limit over the run (mean [CI]) is judged against "
        f"≥ {100 * share:g} % (targets.case_share_min) by its CI: meets, misses or uncertain when the CI straddles it. A weekday's "
        "cases are short when the mean share over its replication-days misses (Saturday and Sunday counted with Monday; the "
        "rule the search and the roster loop raise staffing by). The case targets are met when every kind meets and no weekday "
        "is short. P(all targets) and the days meeting all targets include the case targets.")


# --------------------------------------------------------------------------- the command


class _Progress:
    """A tqdm bar per stage on a terminal, log lines otherwise."""

    def __init__(self, s: Scenario) -> None:
        self.tty = sys.stderr.isatty()
        self.caps = {"search": s.staff.max_rounds, "roster": s.staff.roster_rounds}
        self.bars: dict = {}

    def __call__(self, stage: str, row: dict) -> None:
        if stage == "search":
            msg = f"{row['cells_missing']} intervals missing, {row['agent_intervals']} agent-intervals ({row['phase']})"
        else:
            msg = f"{row['intervals_missing']} intervals missing, paid {row['paid_h']:.1f} h"
            if row.get("case_days_short"):
                msg += f", cases short on {row['case_days_short']}"
        if not self.tty:
            print(f"{stage} round {row['round']}: {msg}", file=sys.stderr, flush=True)
            return
        from tqdm.auto import tqdm  # noqa: PLC0415 (only on a terminal)

        tqdm.monitor_interval = 0  # no monitor thread: the runner forks its workers
        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = tqdm(total=self.caps[stage], desc=stage, unit="round")
        bar.set_postfix_str(msg)
        bar.update(1)

    def close(self) -> None:
        for b in self.bars.values():
            b.close()


@hydra.main(version_base="1.3", config_path=str(scenarios_dir()), config_name="config")
def app(cfg: DictConfig) -> None:
    """Validate, study, write."""
    out: Path | None = None
    progress = None
    try:
        s = validate(cfg)
        out = output_folder(s.staff.out_dir, "staff.out_dir")
        OmegaConf.save(cfg, out / "config.yaml", resolve=True)
        t0 = time.perf_counter()
        progress = _Progress(s)
        study = run_study(s, out, on_round=progress, progress=sys.stderr.isatty())
        progress.close()
        text, report = write_outputs(study, out, list(HydraConfig.get().overrides.task))
        excel_copies(out, s.output.excel)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print(f"\ninterrupted: the simulations done so far are saved in {out}; run the same command again to resume.", file=sys.stderr)
        sys.exit(130)
    print(text)
    print(f"\nDone in {time.perf_counter() - t0:.1f} s; results and {report.name} in {out}")


def main() -> None:
    """Entry point: check the overrides first (one clear paragraph, exit 2), then run."""
    run_hydra_app(app)


if __name__ == "__main__":
    main()

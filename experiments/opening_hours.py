"""Opening-hours study: what the 15:00 closures before red days, and other closing times,
cost and save over a year.

    python experiments/opening_hours.py [--reps 30] [--workers 2] [--out outputs/opening_hours]
    python experiments/opening_hours.py --reps 5 -o run.end=2027-03-31     # a quick look

Four scenarios over 2027 (``run=year_2027``), all with the same replication seeds (common
random numbers), so their differences are paired per replication:

==================  ====================================================================
baseline            the agreement's rule: close at 15:00 on the day before a red day
no_early_close      no early closing: open to 17:00 on those days too
early_close_1600    close at 16:00 (not 15:00) on the day before a red day
close_1600          close at 16:00 every day (and at 15:00 before red days)
==================  ====================================================================

For each: agent-hours and overtime over the year, the KPIs pooled over three groups of days
of the baseline calendar — the early-closing days, the first opening after a closed red day
(where the displaced callers arrive) and all other open days — and the days missing the
targets. Writes ``conclusion.md`` (generated from the numbers), tables (CSV), plots (a
calendar heat-map of open hours per date, the daily KPIs, the morning queue after red days)
and a self-contained ``report.html``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

import sim
from sim.faces import plots
from sim.faces.formats import fmt, fmt_diff, fmt_p
from sim.faces.htmlkit import Section, esc, markdown_html, table_html
from sim.faces.report import comparison_report
from sim.schema import Scenario
from sim.study.compare import Comparison, compare, paired_differences, summarize_replications
from sim.world.calendar import day_plans

SCENARIOS: dict[str, tuple[str, str]] = {
    "baseline": ("default", "15:00 closing on the day before a red day (the agreement's rule)"),
    "no_early_close": ("no_early_close", "no early closing: open to 17:00 before red days too"),
    "early_close_1600": ("early_close_1600", "16:00 closing on the day before a red day"),
    "close_1600": ("close_1600", "16:00 closing every day (15:00 before red days)"),
}
GROUPS: dict[str, str] = {
    "early_close_days": "days the baseline closes at 15:00 (day before a red day)",
    "after_red_day": "first opening after a closed red day (displaced callers arrive)",
    "other_days": "all other open days",
    "all_days": "every open day of the run",
}
GROUP_KPIS: tuple[str, ...] = (
    "days", "offered", "answered", "service_level", "availability", "asa_s", "mean_wait_all_s", "staffed_s",
    "present_s", "overtime_s", "days_missed_service_level", "days_missed_availability", "days_missed_asa", "days_missed_any",
)
DEFAULT_REPS = 30


def load(common: Sequence[str] = ("run=year_2027",)) -> dict[str, Scenario]:
    """The study's scenarios, labelled as in :data:`SCENARIOS`."""
    return {label: sim.load_scenario(name, list(common)) for label, (name, _) in SCENARIOS.items()}


def day_groups(s: Scenario) -> dict[str, list[dt.date]]:
    """Groups of open dates of ``s``'s calendar (see :data:`GROUPS`)."""
    plans = day_plans(s.calendar, s.run.start, s.run.end)
    early, after, other, every = [], [], [], []
    red_since_open = False  # a closed red day since the last open day (a day both before and after one counts as early)
    for p in plans:
        if not p.is_open:
            red_since_open = red_since_open or p.red
            continue
        every.append(p.date)
        if p.reason.startswith("day before"):
            early.append(p.date)
        elif red_since_open:
            after.append(p.date)
        else:
            other.append(p.date)
        red_since_open = False
    return {"early_close_days": early, "after_red_day": after, "other_days": other, "all_days": every}


def calendars(scenarios: dict[str, Scenario]) -> pd.DataFrame:
    """Opening hours per date of every scenario (column ``scenario``)."""
    return pd.concat([sim.opening_hours(s).assign(scenario=lb) for lb, s in scenarios.items()], ignore_index=True)


# --------------------------------------------------------------------------- numbers → text


def _row(frame: pd.DataFrame, **where: str) -> pd.Series:
    m = pd.Series(True, index=frame.index)
    for k, v in where.items():
        m &= frame[k] == v
    rows = frame[m]
    if len(rows) != 1:
        raise KeyError(f"expected one row for {where}, got {len(rows)}")
    return rows.iloc[0]


def _ci(kpi: str, r: pd.Series) -> str:
    if not pd.isna(r["half_width"]) and r["half_width"] == 0:
        return f"{fmt_diff(kpi, r['difference'])} (the same in every replication)"
    return f"{fmt_diff(kpi, r['difference'])} (95 % CI {fmt_diff(kpi, r['ci_low'])} to {fmt_diff(kpi, r['ci_high'])})"


def _clear(r: pd.Series) -> bool:
    return bool(r["ci_low"] > 0 or r["ci_high"] < 0)


def _reused(cmp: Comparison) -> str:
    n = int(cmp.meta.get("reused_replications") or 0)
    total = cmp.replications * len(cmp.labels)
    return f" ({min(n, total)} of {total} replications were already on disk and reused)" if n else ""


def conclusion(cmp: Comparison, groups: pd.DataFrame, gdiff: pd.DataFrame, dates: dict[str, list[dt.date]], run_time_s: float) -> str:
    """The study's conclusion in Markdown, every figure taken from the tables."""
    t, d = cmp.table, cmp.differences
    base = cmp.baseline
    n_early, n_after = len(dates["early_close_days"]), len(dates["after_red_day"])
    s0 = cmp.scenarios[base]
    rule = s0.calendar.early_close
    hours_early = ((17 * 60 - (rule.hour * 60 + rule.minute)) / 60) if rule else 0

    def mean(label: str, kpi: str) -> float:
        return float(_row(t, scenario=label, kpi=kpi)["mean"])

    def diff(label: str, kpi: str) -> pd.Series:
        return _row(d, scenario=label, kpi=kpi)

    def gmean(label: str, group: str, kpi: str) -> float:
        return float(_row(groups, scenario=label, group=group, kpi=kpi)["mean"])

    def gdiff_row(label: str, group: str, kpi: str) -> pd.Series:
        return _row(gdiff, scenario=label, group=group, kpi=kpi)

    def neg(kpi: str, r: pd.Series) -> str:
        """Baseline − scenario (what the baseline saves relative to the scenario)."""
        flipped = r.copy()
        flipped["difference"], flipped["ci_low"], flipped["ci_high"] = -r["difference"], -r["ci_high"], -r["ci_low"]
        return _ci(kpi, flipped)

    years = f"{s0.run.start} to {s0.run.end}"
    per, over, whole_name = span_words(s0)
    lines = [
        "# Conclusion",
        "",
        f"Study period {years}; {cmp.replications} replications per scenario with common random numbers "
        f"(seed {cmp.seed}); run time {run_time_s:.0f} s{_reused(cmp)}. Differences are paired per replication; "
        "“±” ranges are 95 % confidence intervals.",
        "",
        "## What the 15:00 rule saves and costs (baseline vs no early closing)",
        "",
    ]
    if "no_early_close" in cmp.scenarios and n_early:
        st, ot, off = diff("no_early_close", "staffed_s"), diff("no_early_close", "overtime_s"), diff("no_early_close", "offered")
        total = mean("no_early_close", "staffed_s")
        lines += [
            f"- The rule closes the phones {hours_early:g} h early on **{n_early} days** "
            f"({', '.join(x.strftime('%d %b') for x in dates['early_close_days'])}).",
            f"- It saves **{fmt('staffed_s', st['difference'])} of scheduled agent time** {per} "
            f"({100 * st['difference'] / total:.1f} % of the {fmt('staffed_s', total)} scheduled without it); overtime after "
            f"closing, with − without the rule: {neg('overtime_s', ot)}.",
            f"- Calls lost: with the rule the line is offered {off['difference']:,.0f} fewer calls {per} (95 % CI "
            f"{off['ci_low']:,.0f} to {off['ci_high']:,.0f}) — the afternoon callers of those days who do not call back "
            f"(share 1 − {s0.demand.displaced_share:g}).",
        ]
        e_sl = gmean(base, "early_close_days", "service_level")
        e_sl_n = gmean("no_early_close", "early_close_days", "service_level")
        a_sl = gmean(base, "after_red_day", "service_level") if n_after else float("nan")
        a_sl_n = gmean("no_early_close", "after_red_day", "service_level") if n_after else float("nan")
        r_e = gdiff_row("no_early_close", "early_close_days", "service_level")
        lines.append(
            f"- On the 15:00 days themselves the service level is {fmt('service_level', e_sl)} with the rule and "
            f"{fmt('service_level', e_sl_n)} without it (difference without − with: {_ci('service_level', r_e)})."
        )
        if n_after:
            r_a = gdiff_row("no_early_close", "after_red_day", "service_level")
            r_q = gdiff_row("no_early_close", "after_red_day", "asa_s")
            effect = "measurably better" if _clear(r_a) and r_a["difference"] > 0 else (
                "measurably worse" if _clear(r_a) else "not measurably different")
            lines.append(
                f"- On the first opening after a red day ({n_after} days), where the displaced callers arrive, the "
                f"service level is {fmt('service_level', a_sl)} with the rule and {fmt('service_level', a_sl_n)} without "
                f"it: without the rule it is {effect} ({_ci('service_level', r_a)}; queue time {_ci('asa_s', r_q)})."
            )
        dm = diff("no_early_close", "days_missed_any")
        lines.append(
            f"- Days missing at least one target {over}: {fmt('days_missed_any', mean(base, 'days_missed_any'))} with "
            f"the rule, {fmt('days_missed_any', mean('no_early_close', 'days_missed_any'))} without "
            f"(without − with: {_ci('days_missed_any', dm)})."
        )
        sl = diff("no_early_close", "service_level")
        lines.append(
            f"- {whole_name}: service level {fmt('service_level', mean(base, 'service_level'))} with the rule vs "
            f"{fmt('service_level', mean('no_early_close', 'service_level'))} without (without − with: {_ci('service_level', sl)})."
        )
    if n_early or n_after:
        where = [f"{gmean(base, g, 'days_missed_any'):.1f} of the {len(dates[g])} {name}"
                 for g, name in (("after_red_day", "first openings after a red day"), ("early_close_days", "early-closing days"),
                                 ("other_days", "other open days")) if dates[g]]
        lines.append(f"- Where the baseline misses: of its {fmt('days_missed_any', mean(base, 'days_missed_any'))} days {per} "
                     f"missing a target, " + ", ".join(where) + ".")
    lines += ["", "## Alternatives", ""]
    intra = cmp.intraday() if "interval" in cmp.levels else None
    first = s0.calendar.hours_of(0)
    morning: list[str] = []
    if intra is not None and first is not None:
        start = pd.Timestamp.combine(pd.Timestamp("2000-01-03"), first.opens)
        step = pd.Timedelta(minutes=s0.demand.interval_min)
        morning = [(start + k * step).strftime("%H:%M") for k in range(s0.demand.displaced_intervals)]

    def morning_asa(label: str) -> float:
        assert intra is not None
        rows = intra[(intra["scenario"] == label) & (intra["kpi"] == "asa_s") & intra["clock"].isin(morning)]
        return float(rows["mean"].mean())

    for label in cmp.labels[1:]:
        if label == "no_early_close":
            continue
        st, sl, dm = diff(label, "staffed_s"), diff(label, "service_level"), diff(label, "days_missed_any")
        av = diff(label, "availability")
        text = (f"- **{label}** ({SCENARIOS.get(label, (label, label))[1]}), differences to the baseline: agent time "
                f"{_ci('staffed_s', st)}; {whole_name.lower()} service level {fmt('service_level', mean(label, 'service_level'))} "
                f"({_ci('service_level', sl)}), availability {_ci('availability', av)}; days missing a target "
                f"{fmt('days_missed_any', mean(label, 'days_missed_any'))} ({_ci('days_missed_any', dm)}).")
        if n_after:
            r_a = gdiff_row(label, "after_red_day", "service_level")
            text += f" First opening after a red day: service level {_ci('service_level', r_a)}."
        if morning:
            text += (f" Mean queue time {morning[0]}–{morning[-1]} (when displaced callers return), all days: "
                     f"{morning_asa(label):.1f} s vs {morning_asa(base):.1f} s in the baseline.")
        lines.append(text)
    lines += ["", f"## Verdicts against the targets ({whole_name.lower()})", ""]
    for label in cmp.labels:
        verdicts = []
        for kpi, name in (("availability", "availability"), ("service_level", "service level"), ("asa_s", "queue time")):
            r = _row(t, scenario=label, kpi=kpi)
            verdicts.append(f"{name} {fmt(kpi, r['mean'])} ({r['verdict']}, P(met) {fmt_p(r['p_met'])})")
        lines.append(f"- {label}: " + "; ".join(verdicts) + ".")
    lines += ["", _bottom_line(cmp, gdiff, n_after), ""]
    return "\n".join(lines)


def span_words(s: Scenario) -> tuple[str, str, str]:
    """("a year", "over the year", "Whole year") for a run of a year, otherwise the words for
    the period actually run ("in the 90 days studied", "over the 90 days", "Whole period")."""
    days = (pd.Timestamp(s.run.end) - pd.Timestamp(s.run.start)).days + 1
    if 364 <= days <= 366:
        return "a year", "over the year", "Whole year"
    return f"in the {days} days studied", f"over the {days} days", "Whole period"


def _bottom_line(cmp: Comparison, gdiff: pd.DataFrame, n_after: int) -> str:
    """One paragraph: what the rule saves, what it costs, and which costs are measurable."""
    if "no_early_close" not in cmp.scenarios:
        return ""
    d = cmp.differences
    st = _row(d, scenario="no_early_close", kpi="staffed_s")
    total = float(_row(cmp.table, scenario="no_early_close", kpi="staffed_s")["mean"])
    off = _row(d, scenario="no_early_close", kpi="offered")
    sl = _row(d, scenario="no_early_close", kpi="service_level")
    dm = _row(d, scenario="no_early_close", kpi="days_missed_any")
    per, _over, whole_name = span_words(next(iter(cmp.scenarios.values())))
    costs = [f"about {off['difference']:,.0f} calls {per} that are never offered (callers who find the line closed "
             "and do not call back)"]
    if n_after:
        ra = _row(gdiff, scenario="no_early_close", group="after_red_day", kpi="service_level")
        if _clear(ra):
            size = fmt_diff("service_level", abs(ra["difference"])).lstrip("+")
            costs.append(f"a service level {size} lower on the first opening after a red day" if ra["difference"] > 0
                         else f"a service level {size} higher on the first opening after a red day")
        else:
            costs.append("no measurable change on the first opening after a red day")
    if _clear(dm):
        size = fmt_diff("days_missed_any", abs(dm["difference"])).lstrip("+")
        costs.append(f"{size} days more {per} missing a target" if dm["difference"] < 0 else f"{size} days fewer missing a target")
    else:
        costs.append("no measurable change in the number of days missing a target")
    change = fmt_diff("service_level", -sl["difference"])
    span = "whole-year" if whole_name == "Whole year" else "whole-period"
    whole = (f"The {span} KPIs change little (service level {change})" if abs(float(sl["difference"])) < 0.01
             else f"The {span} service level changes by {change}")
    return (f"**In short:** the 15:00 rule saves about {st['difference'] / 3600:,.0f} agent-hours {per} "
            f"({100 * st['difference'] / total:.1f} % of the scheduled time). Its costs: " + "; ".join(costs) + f". {whole}.")


# --------------------------------------------------------------------------- the study


def run(reps: int = DEFAULT_REPS, seed: int | None = None, workers: int | None = None, out: Path | None = None,
        common: Sequence[str] = ("run=year_2027",), command: str | None = None) -> dict[str, object]:
    """Run the study, write every output to ``out``, return the main tables and paths."""
    out = Path(out or "outputs/opening_hours")
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    scenarios = load(common)
    reused = len(list((out / "replications").glob("*/replications/rep_*.parquet")))
    cmp = compare(scenarios, reps, seed, workers=workers, out_dir=out / "replications", levels=("interval", "day", "run"),
                  progress=True)
    dates = day_groups(scenarios["baseline"])
    pooled = cmp.pooled(dates)
    groups = summarize_replications(pooled, GROUP_KPIS, ("scenario", "group"), cmp.targets, cmp.conf)
    gdiff = paired_differences(pooled, GROUP_KPIS, cmp.baseline, ("group",), cmp.conf)
    cal = calendars(scenarios)
    run_time = time.perf_counter() - t0
    cmp.meta["command"] = command
    cmp.meta["reused_replications"] = reused
    cmp.save(out)
    groups.to_csv(out / "groups.csv", index=False)
    gdiff.to_csv(out / "group_differences.csv", index=False)
    cal.to_csv(out / "calendar.csv", index=False)
    text = conclusion(cmp, groups, gdiff, dates, run_time)
    (out / "conclusion.md").write_text(text, encoding="utf-8")
    targets = scenarios["baseline"].targets
    cal_png = plots.calendar_heatmap(cal, out / "calendar.png", "Open hours per date in each scenario")
    extra_plots = [(cal_png, "Calendar: hours open per date (grey: closed; red/orange: early closing)")]
    if dates["after_red_day"]:
        morning = cmp.intraday(dates["after_red_day"])
        extra_plots.append((plots.compare_intraday(morning, targets, out / "intraday_after_red_day.png",
                                                   "Queue time on the first opening after a red day"),
                            "Mean queue time of answered calls by time of day, first openings after a red day only"))
    report = comparison_report(
        cmp, out, title="Opening hours: what the 15:00 closures and other closing times cost and save",
        objectives=(
            f"Quantify, {span_words(scenarios['baseline'])[1]} from {scenarios['baseline'].run.start} to "
            f"{scenarios['baseline'].run.end}, what closing the phones at 15:00 on the day before a red day saves "
            "(agent-hours, overtime) and costs (service on those days and on the first opening after the red day, "
            "when callers who found the line closed call again; calls lost; days missing the targets), and compare "
            "two alternatives: closing at 16:00 before red days, and closing at 16:00 every day."
        ),
        lead=[Section("Conclusion", markdown_html(text.split("\n", 1)[1]), "conclusion"), _scenario_table(scenarios)],
        extra=[_groups_section(groups, gdiff, dates)],
        extra_plots=extra_plots,
        run_time_s=run_time,
        command=command,
    )
    return {"comparison": cmp, "groups": groups, "group_differences": gdiff, "conclusion": text, "report": report,
            "run_time_s": run_time, "dates": dates}


def _scenario_table(scenarios: dict[str, Scenario]) -> Section:
    rows = []
    for lb, s in scenarios.items():
        cal = sim.opening_hours(s)
        rows.append([lb, SCENARIOS[lb][1], f"{(cal['open_h'] > 0).sum()}", f"{cal['open_h'].sum():,.0f} h",
                     f"{cal['reason'].str.startswith('day before').sum()}"])
    body = table_html(["scenario", "closing rule", "open days", "open hours in the year", "early-closing days"], rows)
    return Section("The four scenarios", body, "four")


def _groups_section(groups: pd.DataFrame, gdiff: pd.DataFrame, dates: dict[str, list[dt.date]]) -> Section:
    labels = list(dict.fromkeys(groups["scenario"]))
    body = "<p>" + esc("KPIs pooled over groups of days of the baseline calendar (per replication: e.g. service level = "
                       "calls answered within 90 s / calls offered over the group's days), mean over replications with "
                       "the 95 % CI; differences paired per replication.") + "</p>"
    body += table_html(["group", "meaning", "days"], [[g, GROUPS[g], str(len(dates[g]))] for g in GROUPS])
    for group in GROUPS:
        g = groups[groups["group"] == group].set_index(["scenario", "kpi"])
        dd = gdiff[gdiff["group"] == group].set_index(["scenario", "kpi"])
        rows = []
        for kpi in GROUP_KPIS:
            if (labels[0], kpi) not in g.index:
                continue
            cells = []
            for lb in labels:
                r = g.loc[(lb, kpi)]
                cell = f"<strong>{esc(fmt(kpi, r['mean']))}</strong>"
                if pd.notna(r["half_width"]) and r["half_width"] > 0:
                    cell += f' <span class="small">± {esc(fmt(kpi, r["half_width"]))}</span>'
                if (lb, kpi) in dd.index:
                    x = dd.loc[(lb, kpi)]
                    cell += f'<br><span class="small">Δ {esc(fmt_diff(kpi, x["difference"]))} [{esc(fmt_diff(kpi, x["ci_low"]))}, ' \
                            f'{esc(fmt_diff(kpi, x["ci_high"]))}] {esc(x["assessment"])}</span>'
                cells.append(cell)
            rows.append([esc(kpi), *cells])
        body += f"<h3>{esc(group)}: {esc(GROUPS[group])}</h3>"
        body += table_html(["KPI", *labels], rows, raw=True)
    return Section("Early-closing days, the following opening and the other days", body, "groups")


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reps", type=int, default=DEFAULT_REPS, help=f"replications per scenario (default {DEFAULT_REPS})")
    p.add_argument("--seed", type=int, default=None, help="root seed (default: run.seed of year_2027)")
    p.add_argument("--workers", type=int, default=None, help="parallel processes (default: all cores)")
    p.add_argument("--out", default="outputs/opening_hours", help="output folder")
    p.add_argument("-o", "--override", action="append", default=[], help="extra override for every scenario (repeatable)")
    args = p.parse_args(argv)
    # progress: a bar on a terminal, otherwise a log line per 5 % of each scenario's replications
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    command = "python experiments/opening_hours.py " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    try:
        res = run(args.reps, args.seed, args.workers, Path(args.out), ["run=year_2027", *args.override], command)
    except sim.ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    print(res["conclusion"])
    print(f"\nDone in {res['run_time_s']:.0f} s (simulation and tables); report: {res['report']}")


if __name__ == "__main__":
    main()

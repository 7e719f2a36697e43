"""Write one run's results to a folder and compose the terminal summary.

Files (all in the run folder, beside Hydra's ``.hydra/config.yaml``):

- ``calls.parquet``: the call records (schema in :mod:`sim.model.records`)
- ``agents.csv``: the per-interval agent log
- ``kpi_interval.csv``, ``kpi_day.csv``: KPIs per interval and per day, with met/missed flags
- ``kpi_month.csv``: per month, days each target was missed and the pooled month verdict
- ``kpi_run.csv``: the whole run pooled, one row per KPI with its target and verdict (what the
  terminal summary prints; a multirun sweep puts these side by side, :mod:`sim.faces.sweep_table`)
- ``calendar.csv``: opening hours per date and the reason for each closure
- ``scenario.json``: the validated scenario (data files already read in)
- with cases on: ``cases.parquet`` (case records, :mod:`sim.analysis.case_kpis`), ``kpi_cases_day.csv``
  (per day of arrival: each kind's share within its limit with a ``_met`` flag against
  ``targets.case_share_min``, ``case_met``, the backlog at the end of the day, and
  ``after_run_end``: a day after the run's last day, on which cases created by calls of the run
  answered late arrived; not a day of the run) and ``kpi_cases_month.csv`` (the same per month,
  plus ``case_days_missed``: days of the run whose cases missed a case target), and
  ``daily_cases.png``
- ``daily_targets.png``, ``intraday_queue.png``: plots
- with ``output.excel=xlsx`` or ``sv``: Excel copies of every table (:mod:`sim.faces.excel`)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analysis.case_kpis import KIND_SHARE, case_met, case_summary
from sim.analysis.kpis import days_missed, feature_kpis, group_kpis, judge, kpi_table, summary
from sim.catalogue import kpi as catalogue_entry
from sim.faces.excel import excel_copies
from sim.faces.painter import Draw, PlotJob, draw_here
from sim.model.simulate import SimResult, simulate
from sim.schema import Scenario


@dataclass(frozen=True)
class RunSummary:
    """What the CLI prints after a run."""

    text: str
    n_calls: int
    out_dir: Path


def write_tables(result: SimResult, out_dir: Path,
                 plot: Callable[[dict[str, pd.DataFrame]], None] | None = None) -> dict[str, pd.DataFrame]:
    """Write the run's tables; return the KPI tables for plotting and printing (``interval``,
    ``day``, ``month``, ``run`` and with cases ``case_day``). ``plot`` gets the tables the plots
    need (``interval``, ``day``, ``case_day``) as soon as they are computed, before the rest is
    computed and written (the plots may be drawn meanwhile, :mod:`sim.faces.painter`)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    s = result.scenario
    t = s.targets
    interval = judge(kpi_table(result.calls, f"{s.demand.interval_min}min", result.agents, t.threshold_s), t)
    day = judge(kpi_table(result.calls, "D", result.agents, t.threshold_s), t)
    tables = {"interval": interval, "day": day}
    if result.cases is not None:
        tables["case_day"] = judged_case_kpis(result, "D")
    if plot is not None:
        plot(dict(tables))
    result.calls.to_parquet(out_dir / "calls.parquet", index=False)
    result.agents.to_csv(out_dir / "agents.csv", index=False)
    result.calendar.to_csv(out_dir / "calendar.csv", index=False)
    (out_dir / "scenario.json").write_text(s.model_dump_json(indent=2), encoding="utf-8")
    month = days_missed(result.calls, t, result.agents)
    run = summary(result.calls, result.agents, t)
    run.to_csv(out_dir / "kpi_run.csv", index=False)
    tables.update(month=month, run=run)
    if s.features_on:
        feature_kpis(result.calls, "D", cases=result.cases).to_csv(out_dir / "kpi_features_day.csv", index=False)
        group_kpis(result.calls, result.agents).to_csv(out_dir / "kpi_groups.csv", index=False)
    if result.cases is not None:  # case work on: the case records and their KPIs
        result.cases.to_parquet(out_dir / "cases.parquet", index=False)
        case_day = tables["case_day"]
        case_day.to_csv(out_dir / "kpi_cases_day.csv", index=False)
        case_month = judged_case_kpis(result, "MS")
        case_month["case_days_missed"] = _case_days_missed(case_day, case_month["period"])
        _month_labels(case_month, "period").to_csv(out_dir / "kpi_cases_month.csv", index=False)
    interval.to_csv(out_dir / "kpi_interval.csv", index=False)
    day.to_csv(out_dir / "kpi_day.csv", index=False)
    _month_labels(month, "month").to_csv(out_dir / "kpi_month.csv", index=False)
    return tables


def judged_case_kpis(result: SimResult, freq: str) -> pd.DataFrame:
    """Case KPIs per period of arrival (column ``period``), each kind's share judged against
    ``targets.case_share_min`` (``within_target_<kind>_met``; NA without a known case),
    ``case_met`` (every kind met), the bound itself (``case_share_min``) and ``after_run_end``:
    the period begins after the run's last day (the phone queue was served past the run's end and
    its calls created cases then: their cases are counted, but the period is no period of the run
    and its cases, due after the run's end, are not judged)."""
    s = result.scenario
    kinds = tuple(s.cases.kinds)
    share_min = s.targets.case_share_min
    table = result.case_kpis(freq).rename_axis("period").reset_index()
    for k in kinds:
        table[f"{KIND_SHARE}{k}_met"] = case_met(table, (k,), share_min)
    table["case_met"] = case_met(table, kinds, share_min)
    table["case_share_min"] = share_min
    table["after_run_end"] = pd.to_datetime(table["period"]) > pd.Timestamp(s.run.end)
    return table


def _month_labels(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """A copy of ``table`` whose month-start ``column`` reads ``2026-12`` (not ``2026-12-01``)."""
    return table.assign(**{column: pd.to_datetime(table[column]).dt.strftime("%Y-%m")})


def _case_days_missed(day: pd.DataFrame, months: pd.Series) -> list[int]:
    """Per month start: the days of the run (of arrival) on which a case target was missed."""
    day = day[~day["after_run_end"]]
    month_of = pd.to_datetime(day["period"]).dt.to_period("M")
    missed = day["case_met"].eq(False).groupby(month_of).sum()
    return [int(missed.get(pd.Timestamp(m).to_period("M"), 0)) for m in months]


def _fmt(kpi: str, value: float) -> str:
    if pd.isna(value):
        return "-"
    entry = catalogue_entry(kpi)
    if entry is not None and entry.fmt == "percent":
        return f"{100 * value:.1f} %"
    if entry is not None and entry.fmt == "agent_hours":
        return f"{value / 3600:.1f} h"
    if kpi.endswith("_s"):
        return f"{value:.1f} s"
    return f"{value:.0f}"


def summary_text(result: SimResult, month: pd.DataFrame, run: pd.DataFrame | None = None,
                 case_day: pd.DataFrame | None = None) -> str:
    """A short plain-text table: whole-run KPIs against targets, and days missed per month."""
    s = result.scenario
    table = run if run is not None else summary(result.calls, result.agents, s.targets)
    keep = ["offered", "answered", "abandoned", "availability", "service_level", "asa_s",
            "mean_wait_all_s", "p90_wait_s", "aht_s", "logging_share", "occupancy", "overtime_s"]
    table = table[table["kpi"].isin(keep)]
    lines = [f"Scenario {s.name}: {s.run.start} to {s.run.end}, seed {result.seed}", ""]
    lines.append(f"{'KPI':<18}{'value':>12}  {'target':<26}{'met':>5}")
    for row in table.itertuples(index=False):
        met = "" if pd.isna(row.met) else ("yes" if row.met else "NO")
        target = "" if pd.isna(row.target) else str(row.target)
        lines.append(f"{row.kpi:<18}{_fmt(row.kpi, row.value):>12}  {target:<26}{met:>5}")
    lines.append("")
    in_run = pd.to_datetime(month["month"]) <= pd.Timestamp(s.run.end) if len(month) else pd.Series(dtype=bool)
    for m in month[in_run].itertuples(index=False):
        lines.append(
            f"{pd.Timestamp(m.month):%Y-%m}: {m.open_days} open day{'' if m.open_days == 1 else 's'}; days missing a target: "
            f"availability {m.availability_days_missed}, service level {m.service_level_days_missed}, "
            f"queue time {m.asa_days_missed}, handle time {m.aht_days_missed}, "
            f"logging {m.logging_days_missed} (any: {m.all_days_missed})"
        )
    if later := int((~in_run).sum()):  # the queue of the run's last day served into later months (a very long backlog)
        lines.append(f"({later} later month{'' if later == 1 else 's'} in which the run's queue was still being served, "
                     "with no open day of the run, left out here: see kpi_month.csv)")
    lines += _feature_lines(result)
    lines += case_lines(result, case_day)
    return "\n".join(lines)


def case_lines(result: SimResult, case_day: pd.DataFrame | None = None) -> list[str]:
    """The case KPIs of a run against the case targets (empty when cases are off)."""
    s, c = result.scenario, result.cases
    if c is None:
        return []
    t = s.targets
    kinds = tuple(s.cases.kinds)
    row = case_summary(c, kinds, t.case_share_min, pd.Timestamp(s.run.end) + pd.Timedelta(days=1))
    day = case_day if case_day is not None else judged_case_kpis(result, "D")
    after = day[day["after_run_end"]]
    lines = ["", f"Cases: {row['cases_arrived']:.0f} arrived, {row['cases_handled']:.0f} handled, "
             f"{_still_open(result, int(row['cases_open']), after.empty)}; "
             + (f"time to resolution {row['work_h_mean']:.1f} working h (90th percentile {row['work_h_p90']:.1f} h)"
                if row["cases_handled"] else "no case resolved in the run, so no time to resolution")]
    for k in kinds:
        share = row[f"within_target_{k}"]
        met = "" if share != share else ("yes" if share >= t.case_share_min else "NO")
        lines.append(f"  {k:<16} within {t.case_hours[k]:g} working h: {_fmt('availability', share):>8}  "
                     f"(target >= {100 * t.case_share_min:.0f} %) {met}")
    busy = result.agents["busy_s"].sum()
    case_s = c.loc[c["started_at"].notna(), "handle_s"].sum()
    in_run = day[~day["after_run_end"]]
    lines.append(f"  days on which a case target was missed: {int(in_run['case_met'].eq(False).sum())} of {_days(len(in_run))} "
                 f"{'of the run ' if len(after) else ''}with cases (the {100 * t.case_share_min:.0f} % share is "
                 "targets.case_share_min, an assumption: the agreement gives the limits, not the share)")
    if len(after):
        first, last = pd.to_datetime(after["period"]).agg(["min", "max"])
        lines.append(f"  {int(after['cases_arrived'].sum())} cases arrived on {_days(len(after))} after the run's end "
                     f"({first:%Y-%m-%d} to {last:%Y-%m-%d}), made by calls of the run answered that late: in the totals "
                     "above, but those days are no days of the run (after_run_end in kpi_cases_day.csv)")
    lines.append(f"  agent time: calls {(busy - case_s) / 3600:.0f} h, cases {case_s / 3600:.0f} h "
                 + (f"({_fmt('availability', case_s / busy)} of busy time)" if busy else "(no busy time)"))
    return lines


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _still_open(result: SimResult, n_open: int, within_run: bool) -> str:
    """``137 open at the end`` of a run whose work ended with it; when the phone queue was served
    past the run's end, the day the simulation ended."""
    if within_run:
        return f"{n_open} open at the end"
    ends = [result.calls["ended_at"].max(), result.cases["finished_at"].max() if result.cases is not None else pd.NaT]
    end = max(e for e in ends if pd.notna(e))
    return f"{n_open} still open when the simulation ended on {end:%Y-%m-%d}, with the last call of the run"


def _feature_lines(result: SimResult) -> list[str]:
    s = result.scenario
    if not s.features_on or result.calls.empty:
        return []
    f = feature_kpis(result.calls, "D", result.calls["arrival"].min().normalize(), result.cases)
    if f.empty:
        return []
    r = f.iloc[0]
    lines = [""]
    if s.callbacks.enabled:
        lines.append(f"Callbacks: {r.callbacks_offered} offered, {r.callbacks_accepted} accepted, {r.callbacks_made} made, "
                     f"{r.callbacks_failed} failed (case), on time {_fmt('availability', r.callback_on_time_share)}")
    if s.transfers.policy != "off":
        lines.append(f"Transfers ({s.transfers.policy}): {r.transfers} attempted, {r.transfers_warm} warm, {r.transfers_blind} blind, "
                     f"{r.transfer_fallbacks} fallback cases, {r.transfer_abandoned} hung up after transfer; "
                     + (f"mean consultation wait {_fmt('consult_s', r.mean_consult_wait_s)}" if pd.notna(r.mean_consult_wait_s)
                        else "no consultation, so no consultation wait"))
        for g in group_kpis(result.calls, result.agents).itertuples(index=False):
            per_call = f"{g.agent_time_per_call_s:.0f} s agent time per call" if g.handled else "so no agent time per call"
            lines.append(f"  {g.group}: {g.handled} calls handled, {per_call}, occupancy {_fmt('occupancy', g.occupancy)}")
    if s.repeats.enabled:
        lines.append(f"Repeat contacts: {r.repeat_calls} of {r.offered} offered calls ({_fmt('availability', r.repeat_contact_ratio)}) "
                     f"from {r.customers} customers")
    if s.resolution.enabled:
        resolved = (f"full resolution time {r.resolution_time_h:.1f} h" if pd.notna(r.resolution_time_h)
                    else "no matter fully resolved in the run, so no resolution time")
        lines.append(f"Failure demand: first-contact resolution {_fmt('availability', r.fcr)} of {r.matters} matters, "
                     f"{r.repeat_contacts_per_matter:.2f} repeat contacts per matter, {resolved}" if r.matters
                     else "Failure demand: no matter in the run")
    return lines


def plot_jobs(scenario: Scenario, tables: dict[str, pd.DataFrame], out_dir: Path) -> list[PlotJob]:
    """The PNG plots of a run (functions of :mod:`sim.faces.plots` and their arguments)."""
    jobs: list[PlotJob] = [
        ("daily_targets", (tables["day"], scenario.targets, out_dir / "daily_targets.png")),
        ("intraday_queue", (tables["interval"], scenario.targets, out_dir / "intraday_queue.png")),
    ]
    if "case_day" in tables:
        jobs.append(("daily_cases", (tables["case_day"], tuple(scenario.cases.kinds), scenario.targets, out_dir / "daily_cases.png")))
    return jobs


def write_run(scenario: Scenario, out_dir: Path, seed: int | None = None, draw: Draw = draw_here) -> RunSummary:
    """Simulate ``scenario`` once and write everything a planner reads. The plots go to ``draw``
    (:func:`~sim.faces.painter.draw_here` draws them at once; ``python -m sim`` hands them to a
    process drawing beside this one, :func:`~sim.faces.painter.forked_painter`)."""
    result = simulate(scenario, seed)
    tables = write_tables(result, out_dir, plot=lambda ready: draw(plot_jobs(scenario, ready, out_dir)))
    excel_copies(out_dir, scenario.output.excel)
    text = summary_text(result, tables["month"], tables["run"], tables.get("case_day"))  # the tables just written
    return RunSummary(text, len(result.calls), out_dir)

"""``python -m sim.schedule``: a dated roster for the named agents of a team file.

    python -m sim.schedule                                         # the default scenario and scenarios/team/team.yaml
    python -m sim.schedule schedule.start=2026-12-07 schedule.end=2026-12-20
    python -m sim.schedule schedule.team_file=my_team.csv schedule.requirement_file=staffing_table_simulation.csv

Writes to ``schedule.out_dir`` (default ``outputs/schedule/<name>``): ``schedule.csv`` (one
row per agent and working date), ``schedule_agents.csv`` (hours against the contract, early
and late shifts), ``coverage.csv`` (per date and slot: required, on shift, on the phones),
``shortage.csv`` and ``extra_agents.csv`` when the team cannot cover the requirement,
``violations.csv`` (the independent checker; empty when every rule holds), per agent
``agents/<id>.csv`` (``;`` and decimal comma with ``schedule.swedish_csv=true``) and
``ics/<id>.ics``, the workbook ``schedule.xlsx`` and the page ``report.html``.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import hydra
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.errors import ScenarioError
from sim.faces.cli import run_hydra_app
from sim.faces.excel import swedish_csv
from sim.faces.folders import output_folder
from sim.faces.htmlkit import Section, esc, frame_html, paragraph, render, table_html
from sim.scenario.compose import scenarios_dir, validate
from sim.schema import WEEKDAYS
from sim.study.schedule import Schedule, build_schedule, check_schedule, extra_agents, period_of, with_extra
from sim.study.schedule_sim import Repair, repair_schedule
from sim.world.clock import clock_minutes

TZ = "Europe/Stockholm"


# --------------------------------------------------------------------------- files


def agent_frame(sch: Schedule, agent_id: str) -> pd.DataFrame:
    """One agent's schedule: every date of the period with the shift or why there is none."""
    a = next(x for x in sch.team.agents if x.id == agent_id)
    mine = sch.frame()
    mine = mine[mine["agent"] == agent_id].set_index("date")
    rows = []
    for dn in sch.dated:
        d = dn.plan.date
        if d in mine.index:
            r = mine.loc[d]
            rows.append({"date": d, "weekday": WEEKDAYS[d.weekday()], "shift_start": r["shift_start"], "shift_end": r["shift_end"],
                         "lunch": r["lunch"], "breaks": r["breaks"], "paid_h": float(r["paid_h"]), "note": ""})
        else:
            why = a.off_on(d) or ("closed: " + dn.plan.reason if dn.opens is None else "free")
            rows.append({"date": d, "weekday": WEEKDAYS[d.weekday()], "shift_start": "", "shift_end": "", "lunch": "", "breaks": "",
                         "paid_h": 0.0, "note": why})
    return pd.DataFrame(rows)


def write_csv(frame: pd.DataFrame, path: Path, swedish: bool) -> Path:
    """A CSV; ``swedish``: as Swedish Excel opens it in columns (:func:`sim.faces.excel.swedish_csv`:
    ``;``, decimal comma, UTF-8 with BOM)."""
    if swedish:
        return swedish_csv(frame, path)
    frame.to_csv(path, index=False)
    return path


def write_xlsx(sch: Schedule, path: Path) -> Path:
    """A workbook: the whole schedule, the agents' hours, and one sheet per agent."""
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        sch.frame().to_excel(xl, sheet_name="schedule", index=False)
        sch.agents().to_excel(xl, sheet_name="agents", index=False)
        for a in sch.team.agents:
            if "phones" in a.skills:
                agent_frame(sch, a.id).to_excel(xl, sheet_name=a.id[:31], index=False)
    return path


def write_ics(sch: Schedule, agent_id: str, path: Path) -> Path:
    """An iCalendar file of one agent's shifts (local time, Europe/Stockholm)."""
    from icalendar import Calendar, Event  # noqa: PLC0415 (only this command needs it)

    tz = ZoneInfo(TZ)
    a = next(x for x in sch.team.agents if x.id == agent_id)
    cal = Calendar()
    cal.add("prodid", "-//callcentre-sim//schedule//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Schedule {a.name}")
    stamp = dt.datetime.combine(sch.start, dt.time(0, 0), tzinfo=dt.UTC)
    for r in agent_frame(sch, agent_id).itertuples(index=False):
        if not r.shift_start:
            continue
        ev = Event()
        midnight = dt.datetime.combine(r.date, dt.time(0, 0), tzinfo=tz)  # + minutes: wall-clock time, 24:00 the next midnight
        start = midnight + dt.timedelta(minutes=clock_minutes(r.shift_start))
        end = midnight + dt.timedelta(minutes=clock_minutes(r.shift_end, end=True))
        ev.add("uid", f"{agent_id}-{r.date.isoformat()}@callcentre-sim")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", start)
        ev.add("dtend", end)
        ev.add("summary", f"Shift {r.shift_start}-{r.shift_end}")
        ev.add("description", f"Lunch: {r.lunch or 'none'}; breaks: {r.breaks or 'none'}; paid {r.paid_h:g} h")
        cal.add_component(ev)
    path.write_bytes(cal.to_ical())
    return path


# --------------------------------------------------------------------------- the page


def _grid(sch: Schedule) -> str:
    """Agents × dates: the shift, or V (vacation), U (unavailable), – (day off), blank (closed)."""
    frame = sch.frame().set_index(["agent", "date"])
    dates = [dn for dn in sch.dated]
    head = ["agent", *[f"{dn.plan.date:%d/%m} {WEEKDAYS[dn.plan.date.weekday()]}" for dn in dates]]
    rows = []
    for a in sch.team.agents:
        if "phones" not in a.skills:
            continue
        cells = [esc(f"{a.id} {a.name}")]
        for dn in dates:
            d = dn.plan.date
            if (a.id, d) in frame.index:
                r = frame.loc[(a.id, d)]
                cells.append(f"<span title=\"lunch {esc(r['lunch'])}; breaks {esc(r['breaks'])}\">"
                             f"{esc(r['shift_start'])}–{esc(r['shift_end'])}</span>")
            else:
                why = a.off_on(d)
                cells.append({"vacation": "V", "unavailable": "U", "day off": "–"}.get(why or "", "") if dn.opens is not None
                             else '<span class="small">closed</span>')
        rows.append(cells)
    return table_html(head, rows, "Shifts per agent and date (V vacation, U unavailable, – fixed day off)", raw=True)


def _coverage_table(sch: Schedule) -> str:
    """Per date and interval: on the phones (fewest in the interval's slots) / required; short in red."""
    cov = sch.coverage()
    if cov.empty:
        return paragraph("The line is closed on every date of the period.")
    step = sch.scenario.demand.interval_min // sch.slot_min
    cov["interval"] = cov.groupby("date").cumcount() // step
    agg = cov.groupby(["date", "interval"], sort=True).agg(start=("slot_start", "first"), required=("required", "max"),
                                                            on_phones=("on_phones", "min")).reset_index()
    clocks = sorted(agg["start"].unique())
    head = ["date", *clocks]
    rows = []
    for d, g in agg.groupby("date", sort=True):
        by = dict(zip(g["start"], zip(g["on_phones"], g["required"], strict=True), strict=True))
        cells = [esc(f"{d:%a %d %b}")]
        for c in clocks:
            if c not in by:
                cells.append("")
                continue
            have, need = by[c]
            cls = "misses" if have < need else ""
            cells.append(f'<span class="{cls}">{have}/{need}</span>')
        rows.append(cells)
    return table_html(head, rows, "On the phones (fewest in the interval, after breaks) / required", raw=True)


def repair_html(rep: Repair, confidence: float) -> str:
    """The repair step on the page: P(the month meets all targets) before and after, one row
    per round, and every shift it added (date, agent, extra or longer, the shift it replaced)."""
    p = rep.rounds["p_month_all"]
    before, after = 100 * float(p.iloc[0]), 100 * float(p.iloc[-1])
    head = (f"P(the month meets all targets) {before:.0f} % as scheduled, {after:.0f} % after the repair (required "
            f"{100 * confidence:.0f} %): {esc(rep.stopped)}. ")
    if rep.added.empty:
        return paragraph(head + "No shift was added.") + frame_html(rep.rounds, "Rounds")
    added = rep.added.copy()
    extra, longer = int((added["kind"] == "extra").sum()), int((added["kind"] == "longer").sum())
    head += (f"{extra} extra shift(s) and {longer} longer shift(s) (overtime offers) on {added['date'].nunique()} date(s), "
             f"{added['added_h'].sum():.1f} paid hours added; also in repair.csv.")
    added["date"] = [f"{d:%a %d %b}" for d in added["date"]]
    return paragraph(head) + frame_html(rep.rounds, "Rounds: P(month meets all) before each round") + frame_html(
        added, "Shifts added (kind: extra on a free day, or longer replacing the shift in 'was')")


def write_html(sch: Schedule, violations: pd.DataFrame, lines: list[str], path: Path,
               simulated: tuple[pd.DataFrame, pd.DataFrame] | None = None, repair: Repair | None = None) -> Path:
    s = sch.scenario
    start, end = period_of(s)
    sections = [Section("Summary", "".join(paragraph(x) for x in lines), "summary"),
                Section("Schedule", _grid(sch), "grid"),
                Section("Coverage per date", _coverage_table(sch), "coverage"),
                Section("Agents", frame_html(sch.agents()), "agents")]
    short = sch.shortage()
    if not short.empty:
        body = frame_html(short)
        if sch.extra is not None and not sch.extra.empty:
            body += paragraph("Extra agents that would close the shortage (re-solved with hypothetical agents of each contract, "
                              "phones skill, no restrictions):") + frame_html(sch.extra)
        sections.append(Section("Shortage", body, "shortage"))
    if simulated is not None:
        days, month = simulated
        sections.append(Section("Checked by simulation", paragraph(
            f"Every open date simulated {s.schedule.simulate_replications} times (seed {s.schedule.simulate_seed}), each agent off "
            f"sick with probability {s.schedule.absence.sick_share:g} per day (the shift removed), the demand's day-to-day "
            f"variation included; a date is at risk when P(all targets met) < {s.schedule.confidence:g}. Dates are simulated one "
            "at a time, a date after closed dates from the first of them: the callers the closures push into its opening are included.")
            + frame_html(month, "The month (pooled KPIs per replication): P(target met)") + frame_html(days, "Per date"), "simulation"))
    if repair is not None:
        sections.append(Section("Repair", repair_html(repair, s.schedule.confidence), "repair"))
    found = paragraph(f"The independent checker (sim.analysis.schedule_check) found {len(violations)} violation(s).")
    sections.append(Section("Rule check", found + (frame_html(violations) if len(violations) else ""), "check"))
    path.write_text(render(f"Schedule: {esc(s.name)}", sections, f"{start} to {end}"), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- text


def summary_lines(sch: Schedule, violations: pd.DataFrame) -> list[str]:
    s = sch.scenario
    start, end = period_of(s)
    summ = sch.summary()
    phones = sum("phones" in a.skills for a in sch.team.agents)
    open_days = sum(dn.opens is not None for dn in sch.dated)
    lines = [f"{s.name}: schedule {start} to {end} ({open_days} open day{'' if open_days == 1 else 's'}) for {len(sch.team.agents)} agents "
             f"({phones} on the phones)",
             f"  {summ['shifts']} shifts, paid {summ['paid_h']:,.1f} h for {summ['required_agent_h']:,.1f} agent-hours on the phones "
             f"required; HiGHS {summ['seconds']:.1f} s, gap {100 * float(summ['gap']):.1f} % ({summ['status']})",
             f"  expected sick absence {summ['expected_sick_h']:,.1f} h ({100 * s.schedule.absence.sick_share:g} % of the paid "
             "hours; not covered by this schedule)"]
    under = sch.agents()
    ph = under[under["phones"] & (under["shifts"] > 0)]
    if len(ph):
        per = ph["shifts"].clip(lower=1)
        agents = {a.id: a for a in sch.team.agents}
        can_early = ph["agent"].map(lambda i: agents[i].earliest_start is None or agents[i].earliest_start < s.schedule.early_before)
        can_late = ph["agent"].map(lambda i: agents[i].latest_end is None or agents[i].latest_end > s.schedule.late_after)
        e, la = (100 * ph["early_shifts"] / per)[can_early], (100 * ph["late_shifts"] / per)[can_late]
        lines.append(f"  fairness: early shifts (before {s.schedule.early_before:%H:%M}) {e.min():.0f}-{e.max():.0f} % of an agent's "
                     f"shifts, late (after {s.schedule.late_after:%H:%M}) {la.min():.0f}-{la.max():.0f} % (agents who may work them; "
                     "per agent in schedule_agents.csv)")
    share = sch.wishes_honoured()
    if share is not None:
        lines.append(f"  wishes (preferred early/late shifts, days off): {100 * share:.0f} % honoured of {int(under['wishes'].sum())} "
                     "(per agent in schedule_agents.csv)")
    low = under[(under["phones"]) & (under["paid_h"] + 1e-6 < under["target_h"] * (1 - s.schedule.hours_tolerance))]
    if len(low):
        lines.append(f"  below their contract band: {', '.join(f'{r.agent} {r.paid_h:g} h (band {r.band_h})' for r in low.itertuples())}")
    short = sch.shortage()
    if short.empty:
        lines.append("  every interval of every date is covered")
    else:
        dates = sorted(set(short["date"]))
        lines.append(f"  SHORT: {summ['short_agent_h']:,.2f} agent-hours on {len(dates)} date(s): "
                     + ", ".join(f"{d:%Y-%m-%d} ({', '.join(short[short['date'] == d]['interval_start'])})" for d in dates[:6])
                     + (" ..." if len(dates) > 6 else ""))
        if sch.extra is not None:
            for r in sch.extra.itertuples(index=False):
                left = f", {r.short_agent_h_left:.2f} h still short with {s.schedule.extra_agents_max}" if r.solves else ""
                got = (f"{int(r.agents)} more agent(s)" if pd.notna(r.agents) else
                       f"more than {s.schedule.extra_agents_max} agents (schedule.extra_agents_max{left})")
                fewer = "; one fewer does not" if r.fewer_fail else ""
                lines.append(f"  with contract {r.contract:g}: {got} close it{fewer} (lower bound {r.lower_bound}, constructed "
                             f"{r.constructed}, {r.solves} re-solve(s))")
    lines.append(f"  rule check: {'every rule holds' if violations.empty else f'{len(violations)} violation(s), see violations.csv'}")
    return lines


def write_outputs(sch: Schedule, out: Path) -> tuple[list[str], Path]:
    """Every file of the command; returns the summary lines and the page's path."""
    sc = sch.scenario.schedule
    simulated = None
    rep = None
    sim_lines = []
    if sc.simulate_replications:
        rep = repair_schedule(sch, sc.simulate_replications, sc.simulate_seed, sc.confidence, sc.repair_rounds, sc.overtime_h_max)
        days, reps, month = rep.simulated
        if len(rep.added):
            sch = rep.schedule
            rep.added.to_csv(out / "repair.csv", index=False)
            p0 = 100 * float(rep.rounds["p_month_all"].iloc[0])
            dates = ", ".join(sorted({f"{d:%d/%m}" for d in rep.added["date"]}))
            sim_lines.append(f"  repair: {len(rep.added)} extra or longer shift(s) on the dates at risk ({dates}; "
                             f"overtime {sum(sch.overtime.values()):.1f} h for {len(sch.overtime)} agent(s)), P(month meets all) from "
                             f"{p0:.0f} % to {100 * float(rep.rounds['p_month_all'].iloc[-1]):.0f} %: {rep.stopped} (repair.csv)")
        elif not rep.met:
            sim_lines.append(f"  repair: {rep.stopped}")
        if not days.empty:
            days.to_csv(out / "simulation_days.csv", index=False)
            reps.to_csv(out / "simulation_replications.csv", index=False)
            month.to_csv(out / "simulation_month.csv", index=False)
            simulated = (days, month)
            p = dict(zip(month["target"], month["p_met"], strict=True))
            risk = days[days["at_risk"]]
            sim_lines.append(f"  simulated with sick absence ({sc.simulate_replications} replications per date): P(month meets "
                             + ", ".join(f"{k} {100 * v:.0f} %" for k, v in p.items()) + "); days at risk (P(all) < "
                             f"{sc.confidence:g}): " + (", ".join(f"{d:%Y-%m-%d} ({100 * v:.0f} %)" for d, v in
                                                                  zip(risk["date"], risk["p_all_met"], strict=True)) or "none"))
    violations = check_schedule(sch)
    sw = sch.scenario.schedule.swedish_csv
    sch.frame().to_csv(out / "schedule.csv", index=False)
    write_csv(sch.agents(), out / "schedule_agents.csv", sw)
    sch.coverage().to_csv(out / "coverage.csv", index=False)
    violations.to_csv(out / "violations.csv", index=False)
    short = sch.shortage()
    if not short.empty:
        short.to_csv(out / "shortage.csv", index=False)
        if sch.extra is not None:
            sch.extra.to_csv(out / "extra_agents.csv", index=False)
    (out / "agents").mkdir(exist_ok=True)
    (out / "ics").mkdir(exist_ok=True)
    for a in sch.team.agents:
        if "phones" in a.skills:
            write_csv(agent_frame(sch, a.id), out / "agents" / f"{a.id}.csv", sw)
            write_ics(sch, a.id, out / "ics" / f"{a.id}.ics")
    write_xlsx(sch, out / "schedule.xlsx")
    lines = summary_lines(sch, violations) + sim_lines
    return lines, write_html(sch, violations, lines, out / "report.html", simulated, rep)


@hydra.main(version_base="1.3", config_path=str(scenarios_dir()), config_name="config")
def app(cfg: DictConfig) -> None:
    """Validate, schedule, check, write."""
    try:
        s = validate(cfg)
        out = output_folder(s.schedule.out_dir, "schedule.out_dir")
        OmegaConf.save(cfg, out / "config.yaml", resolve=True)
        t0 = time.perf_counter()
        sch = build_schedule(s)
        if not sch.shortage().empty:
            sch = with_extra(sch, extra_agents(s, sch))
        lines, page = write_outputs(sch, out)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    print("\n".join(lines))
    print(f"\nDone in {time.perf_counter() - t0:.1f} s; schedule.csv, {page.name} and the per-agent files in {out}")


def main() -> None:
    """Entry point: check the overrides first (one clear paragraph, exit 2), then run."""
    run_hydra_app(app)


if __name__ == "__main__":
    main()

"""The staffing study behind ``python -m sim.staff``, for any scenario.

1. **Erlang A**: the analytical table (agents on the phones per weekday × interval).
2. **Simulation** (``staff.search``): :func:`sim.study.search.search` refines it until every
   interval meets the targets with one-sided ``staff.confidence`` over ``staff.replications``
   replications (common random numbers, seed ``staff.seed``).
3. **Roster** (``staff.roster``): shifts with lunch and breaks covering the requirement
   (``staff.roster_from``) at the least paid time, simulated and raised where it misses
   (:func:`sim.study.roster.roster_loop`, at most ``staff.roster_rounds`` rounds, seed
   ``staff.seed + 1000``: not the replications the search fitted its table to).
4. **Check with fresh seeds**: every plan is simulated again with ``staff.verify_replications``
   replications of seed ``staff.verify_seed`` (never used by the search or the loop; common
   random numbers across the plans): KPIs with CIs, P(target met) over the run, share of
   days meeting all targets, and the intervals that miss a target. With case work on, also
   the case KPIs of every plan (:attr:`StaffStudy.cases`: each kind's share within target and
   the backlog at the end, with CIs and the verdict of :func:`sim.study.compare.summarize_replications`)
   and whether the plan meets the case targets (``day_share``: ``case_verdict``, the weekdays
   whose cases miss by the search's and the loop's rule :func:`sim.study.search.case_shortfall`,
   and ``case_targets_met``).

Every simulation is stored under ``out`` (one folder per staffing plan, named by its
fingerprint), so an interrupted study resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.analysis.stats import summarize
from sim.schema import Scenario
from sim.study.compare import summarize_replications
from sim.study.executors import default_workers
from sim.study.roster import LoopResult, roster_loop, with_roster
from sim.study.runner import run_replications
from sim.study.search import SearchResult, Table, case_shortfall, cell_kpis, erlang_table, plan_frame, search, with_table
from sim.study.store import scenario_digest

VERIFY_LEVELS = ("interval", "day", "run")
LOOP_SEED_OFFSET = 1_000  # the roster loop uses seed staff.seed + 1000
KPIS = ("availability", "service_level", "asa_s", "aht_s", "logging_share", "occupancy", "staffed_s")
CASE_KPIS = ("case_within_target", "work_h_p90", "backlog_end")  # with cases on; each kind's share follows the first


@dataclass
class StaffStudy:
    """Everything ``python -m sim.staff`` writes."""

    scenario: Scenario
    tables: dict[str, Table]
    search: SearchResult | None
    loop: LoopResult | None
    run_summary: pd.DataFrame  # plan × KPI: mean, CI, P(met)
    day_share: pd.DataFrame  # plan: share of open days meeting all targets, P(the run meets all)
    cells: pd.DataFrame  # plan × weekday × interval: pooled KPIs of the fresh replications
    week_hours: dict[str, float] = field(default_factory=dict)
    cases: pd.DataFrame | None = None  # with cases on: plan × case KPI: mean, CI, target, verdict, P(met)

    def plans_frame(self) -> pd.DataFrame:
        """The tables side by side: weekday, interval_start, one column per plan."""
        first = next(iter(self.tables))
        out = plan_frame(self.scenario, self.tables[first]).rename(columns={"agents": first})
        for name, t in list(self.tables.items())[1:]:
            out[name] = plan_frame(self.scenario, t)["agents"].to_numpy()
        if self.loop is not None:
            cov = self.loop.roster.coverage()
            step = self.scenario.demand.interval_min // self.loop.roster.slot_min
            cov["interval"] = cov.groupby("weekday").cumcount() // step
            low = cov.groupby(["weekday", "interval"], sort=False)["on_phones"].min().reset_index()
            key = out.groupby("weekday", sort=False).cumcount()
            merged = out.assign(interval=key.to_numpy()).merge(low, on=["weekday", "interval"], how="left")
            out["roster_on_phones_min"] = merged["on_phones"].fillna(0).astype(int).to_numpy()
        return out


def _hours(table: Table, interval_min: int) -> float:
    return sum(map(sum, table.values())) * interval_min / 60


def run_study(s: Scenario, out: Path, on_round: Callable[[str, dict], None] | None = None,
              progress: bool = False) -> StaffStudy:
    """The whole study (see the module docstring); ``on_round(stage, row)`` reports progress."""
    st = s.staff
    workers = st.workers or default_workers()
    tables: dict[str, Table] = {"erlang_a": erlang_table(s, "erlang_a")}
    found = None
    if st.search:
        found = search(s, replications=st.replications, seed=st.seed, confidence=st.confidence, max_rounds=st.max_rounds,
                       out_dir=out / "search", workers=workers,
                       on_round=(lambda row: on_round("search", row)) if on_round else None)
        tables["simulation"] = found.table
    loop = None
    if st.roster:
        source = "simulation" if st.roster_from == "simulation" and "simulation" in tables else "erlang_a"
        # seeds the search did not fit the table to: the roster is judged on other replications
        loop = roster_loop(s, tables[source], st.replications, st.seed + LOOP_SEED_OFFSET, st.confidence, st.roster_rounds,
                           out_dir=out / "roster", workers=workers,
                           on_round=(lambda row: on_round("roster", row)) if on_round else None)
    staffed = {name: with_table(s, t) for name, t in tables.items()}
    week = {name: _hours(t, s.demand.interval_min) for name, t in tables.items()}
    if loop is not None:
        staffed["roster"] = with_roster(s, loop.roster)
        week["roster"] = loop.roster.paid_h
    summaries, shares, cells, case_rows = [], [], [], []
    for name, plan in staffed.items():
        folder = out / "verify" / f"{name}_{scenario_digest(plan, st.verify_seed, VERIFY_LEVELS)}"  # one per plan
        mc = run_replications(plan, st.verify_replications, st.verify_seed, levels=VERIFY_LEVELS, workers=workers,
                              out_dir=folder, progress=progress)
        summaries.append(summarize(mc.kpis, "run", kpis_to_show=KPIS, conf=s.montecarlo.conf).assign(plan=name))
        days = mc.level("day")
        met = days["all_met"].astype("boolean")
        run_met = mc.level("run")["all_met"].astype("boolean").fillna(False)
        shares.append({"plan": name, "days_judged": int(met.notna().sum()), "days_all_met": float(met.dropna().mean()),
                       "p_run_all_met": float(run_met.mean())})
        if s.cases.enabled:
            case_rows.append(case_summary(s, name, mc.level("run"), conf=s.montecarlo.conf))
            shares[-1].update(case_verdict(s, case_rows[-1], days, mc.level("run")))
        judged = cell_kpis(mc.level("interval"), s.targets, st.confidence)
        cells.append(judged[judged["offered"] > 0].assign(plan=name))  # intervals with calls
    return StaffStudy(s, tables, found, loop, pd.concat(summaries, ignore_index=True), pd.DataFrame(shares),
                      pd.concat(cells, ignore_index=True), week, pd.concat(case_rows, ignore_index=True) if case_rows else None)


def case_kpis(s: Scenario) -> list[str]:
    """The case KPIs of the check: all kinds' share within target, each kind's, time to handling, backlog at the end."""
    first, *rest = CASE_KPIS
    return [first, *(f"within_target_{k}" for k in s.cases.kinds), *rest]


def case_summary(s: Scenario, plan: str, run: pd.DataFrame, conf: float = 0.95) -> pd.DataFrame:
    """One plan's case KPIs over the run (the replications' run rows): mean, t-interval, and for
    each kind's share its target (``≥ case_share_min``), ``verdict`` (meets / misses /
    uncertain by the CI, as in a comparison) and P(met)."""
    rows = summarize_replications(run.assign(scenario=plan), case_kpis(s), by=("scenario",), targets={plan: s.targets}, conf=conf)
    return rows.rename(columns={"scenario": "plan"})


def case_verdict(s: Scenario, summary: pd.DataFrame, days: pd.DataFrame, run: pd.DataFrame) -> dict[str, object]:
    """Whether a plan meets the case targets on the fresh seeds: ``case_verdict`` (the worst of
    the kinds' verdicts in ``summary``: misses, uncertain, meets), ``case_days_short`` (weekdays
    whose cases miss by the loop's rule, from the replications' ``days``), ``p_run_case_met``
    (share of replications whose ``run`` meets every kind's target) and ``case_targets_met``
    (every kind meets with its whole CI and no weekday is short)."""
    kinds = summary[summary["kpi"].str.startswith("within_target_")]
    verdicts = set(kinds["verdict"].dropna())
    verdict = next((v for v in ("misses", "uncertain", "meets") if v in verdicts), "not judged")
    short = case_shortfall(s, days.assign(weekday=days["period"].dt.strftime("%a").str.lower()))
    met = run["case_met"].astype("boolean") if "case_met" in run.columns else pd.Series(dtype="boolean")
    return {"case_verdict": verdict, "case_days_short": ", ".join(short),
            "p_run_case_met": float(met.dropna().astype(bool).mean()) if met.notna().any() else float("nan"),
            "case_targets_met": verdict == "meets" and not short}

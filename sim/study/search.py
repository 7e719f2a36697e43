"""Simulation-based staffing: the fewest agents per weekday × interval meeting the targets.

Erlang A staffs each interval as if it were in steady state on its own. Under time-varying
demand the queue carries over from one interval to the next, displaced callers arrive in
bursts after closures, and handle times and patience are not exponential, so the Erlang
plan can be too low in some intervals and too high in others. This search starts from the
Erlang A plan and refines it by simulation, in the spirit of the iterative staffing
algorithm of Feldman, Mandelbaum, Massey and Whitt (2008), but judged directly on the
agreement's targets instead of a delay probability:

1. **Evaluate** the plan with ``R`` replications (common random numbers: the same seeds
   every time) and pool each weekday × interval cell over replications and dates:
   service level = Σ answered within threshold / Σ offered, availability = Σ answered /
   Σ offered, mean queue time = Σ waits of answered / Σ answered. A cell *meets* the
   targets when they hold with one-sided confidence ``confidence`` (default 90 %): the
   lower confidence bound of service level and availability is above its target and the
   upper bound of the queue time below. The bounds are ``estimate ∓ t(confidence, R − 1) ·
   SE``, where SE is the ratio estimator's standard error from the replications'
   per-cell totals (delta method; replications are independent, calls within one are
   not). Without this margin the search fits the noise of its own ``R`` replications:
   removing agents wherever the point estimate just passes gives a plan that misses in
   many cells when checked with fresh seeds.
2. **Add**: every cell that misses a target gets one agent more; repeat until none misses.
3. **Remove**: every cell with slack (it met the targets with one agent less in an
   earlier evaluation is unknown, so it is tried) loses one agent; cells that then miss get
   it back and are frozen. Repeat until nothing can be removed.

With ``goal="probability"`` the plan must in addition make each *day* meet every target
with probability ≥ ``probability`` (the share of replication-days that met them all);
while a weekday falls short, its cell with the lowest service level gets one agent more.

With case work on (``cases.enabled``) and blended agents (``cases.blend``; with a dedicated
case team only, the team's size decides the case targets and the search staffs the phones
alone) the plan must also meet the case targets: for every case kind, the mean share handled within target over a weekday's
replication-days (cases arriving on Saturday and Sunday counted with Monday, when they are
worked) must be at least ``targets.case_share_min``. While a weekday falls short, every cell
of that weekday gets one agent more (case work can be done in any idle time of the day, so a
whole day of one more blended agent is the unit); the remove phase then takes back what
neither the phones nor the cases need, freezing the cells of a weekday whose cases fail after a
removal. (``days["all_met"]`` includes the case targets too, so ``goal="probability"`` asks
for them per day as well.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.planning import erlang_plan
from sim.errors import StudyLimitError
from sim.scenario.compose import validate
from sim.schema import Scenario
from sim.study.runner import run_replications
from sim.study.store import scenario_digest

log = logging.getLogger(__name__)

Table = dict[str, list[int]]


@dataclass
class SearchResult:
    """The plan found, its evaluation, and the history of the search."""

    table: Table
    cells: pd.DataFrame
    days: pd.DataFrame
    history: list[dict] = field(default_factory=list)

    def table_frame(self, scenario: Scenario) -> pd.DataFrame:
        """The plan as a ``staffing.table_file`` frame (weekday, interval_start, agents)."""
        return plan_frame(scenario, self.table)


def with_table(scenario: Scenario, table: Table) -> Scenario:
    """The scenario staffed by a weekday table."""
    raw = scenario.model_dump(mode="json")
    raw["staffing"] = {"mode": "table", "agents": None, "shifts": None, "table_file": None, "table": table}
    return validate(raw)


def erlang_table(scenario: Scenario, model: str = "erlang_a") -> Table:
    """The Erlang C or Erlang A plan of the scenario as a weekday table."""
    plan = erlang_plan(scenario)
    return {day: [int(v) for v in g[f"{model}_agents"]] for day, g in plan.groupby("weekday", sort=False)}


def plan_frame(scenario: Scenario, table: Table) -> pd.DataFrame:
    """Weekday × interval rows of a table, with clock times."""
    plan = erlang_plan(scenario)[["weekday", "interval_start"]]
    plan["agents"] = np.concatenate([table[d] for d in dict.fromkeys(plan["weekday"])])
    return plan


_TOTALS = ["offered", "answered", "within_threshold", "wait_sum"]
# (KPI, numerator, denominator) of the pooled ratios judged per cell
_RATIOS = (("service_level", "within_threshold", "offered"), ("availability", "answered", "offered"),
           ("asa_s", "wait_sum", "answered"))


def cell_kpis(mc_intervals: pd.DataFrame, targets: object, confidence: float = 0.9) -> pd.DataFrame:
    """Pooled KPIs per weekday × interval cell with one-sided confidence bounds.

    ``mc_intervals`` are the interval-level rows of :func:`sim.study.runner.run_replications`
    (column ``replication``). Returns one row per cell: the totals, each ratio (service
    level, availability, queue time of answered calls), its standard error ``<kpi>_se``,
    its bound ``<kpi>_bound`` (lower for the shares, upper for the queue time) and ``meets``.
    """
    iv = mc_intervals.assign(weekday=mc_intervals["period"].dt.strftime("%a").str.lower(),
                             interval_start=mc_intervals["period"].dt.strftime("%H:%M"),
                             wait_sum=mc_intervals["asa_s"].fillna(0) * mc_intervals["answered"])
    keys = ["weekday", "interval_start"]
    per_rep = iv.groupby([*keys, "replication"], sort=False)[_TOTALS].sum()
    per_rep = per_rep.unstack("replication", fill_value=0).stack("replication", future_stack=True).fillna(0)
    reps = per_rep.index.get_level_values("replication").nunique()
    g = per_rep.groupby(level=keys, sort=False).sum()
    z = float(stats.t.ppf(confidence, reps - 1)) if reps > 1 and confidence > 0.5 else 0.0
    for kpi, num, den in _RATIOS:
        est = g[num] / g[den].where(g[den] > 0)
        resid = per_rep[num] - est.reindex(per_rep.index.droplevel("replication")).to_numpy() * per_rep[den]
        ss = (resid**2).groupby(level=keys, sort=False).sum()
        se = np.sqrt(ss / (reps * (reps - 1))) / (g[den] / reps) if reps > 1 else est * 0.0
        g[kpi], g[f"{kpi}_se"] = est, se
        g[f"{kpi}_bound"] = est + z * se if kpi == "asa_s" else est - z * se
    t = targets
    g["meets"] = ((g["service_level_bound"] > t.service_level_min) & (g["availability_bound"] > t.availability_min)  # type: ignore[attr-defined]
                  & (g["asa_s_bound"].fillna(0) < t.asa_max_s)) | (g["offered"] == 0)  # type: ignore[attr-defined]
    return g.reset_index()


def evaluate(scenario: Scenario, table: Table, replications: int, seed: int, confidence: float = 0.9,
             **kwargs: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cells, days): pooled KPIs per weekday × interval (see :func:`cell_kpis`), and the
    per-day target verdicts, of ``replications`` replications of the plan."""
    return evaluate_staffed(with_table(scenario, table), replications, seed, confidence, **kwargs)


def evaluate_staffed(staffed: Scenario, replications: int, seed: int, confidence: float = 0.9,
                     out_dir: str | Path | None = None, **kwargs: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`evaluate` of a scenario as it is staffed (a table, shifts …). With ``out_dir``
    the replications are kept in ``out_dir/plan_<fingerprint>``: one folder per staffing, so
    a rerun of a search or a roster loop resumes where it stopped."""
    levels = ("interval", "day")
    if out_dir is not None:
        out_dir = Path(out_dir) / f"plan_{scenario_digest(staffed, seed, levels)}"
    mc = run_replications(staffed, replications, seed, levels=levels, out_dir=out_dir, **kwargs)  # type: ignore[arg-type]
    cells = cell_kpis(mc.level("interval"), staffed.targets, confidence)
    days = mc.level("day")
    days = days.assign(weekday=days["period"].dt.strftime("%a").str.lower())
    return cells, days


def _cells_index(scenario: Scenario, table: Table) -> pd.DataFrame:
    return plan_frame(scenario, table).set_index(["weekday", "interval_start"])


def _apply(table: Table, frame: pd.DataFrame, delta: pd.Series) -> Table:
    new = {d: list(v) for d, v in table.items()}
    for (day, clock), d in delta[delta != 0].items():
        i = list(frame.loc[day].index).index(clock)
        new[day][i] = max(0, new[day][i] + int(d))
    return new


def search(
    scenario: Scenario,
    replications: int = 20,
    seed: int = 1,
    goal: Literal["mean", "probability"] = "mean",
    probability: float = 0.9,
    start: Table | None = None,
    max_rounds: int = 40,
    confidence: float = 0.9,
    on_round: Callable[[dict], None] | None = None,
    **kwargs: object,
) -> SearchResult:
    """Refine a weekday × interval staffing table by simulation (see the module docstring).

    ``confidence`` is the one-sided confidence with which each cell must meet the targets
    (0.5: the point estimate, no margin). ``on_round`` is called with each round's history
    row (for a progress bar). ``kwargs`` go to :func:`evaluate_staffed` (``out_dir``) and
    :func:`sim.study.runner.run_replications` (``workers``, ``scheduler``)."""
    table = start or erlang_table(scenario)
    frozen: set[tuple[str, str]] = set()
    history: list[dict] = []
    cells, days = evaluate(scenario, table, replications, seed, confidence, **kwargs)
    best: SearchResult | None = None
    phase = "add"
    for round_ in range(max_rounds):
        frame = _cells_index(scenario, table)
        keyed = cells.set_index(["weekday", "interval_start"]).reindex(frame.index)
        unseen = keyed["meets"].isna()  # weekdays the run does not contain: nothing to judge, left as they are
        frozen |= set(keyed.index[unseen.to_numpy()])
        keyed["meets"] = keyed["meets"].astype("boolean").fillna(True).astype(bool)
        delta = pd.Series(0, index=frame.index)
        delta[~keyed["meets"].to_numpy()] = 1
        if goal == "probability":
            delta = delta.add(_probability_fix(days, keyed, probability), fill_value=0)
        delta = delta.add(case_fix(scenario, days, keyed), fill_value=0)
        history.append({"round": round_, "phase": phase, "agent_intervals": int(frame["agents"].sum()),
                        "cells_missing": int((~keyed["meets"]).sum()),
                        "p_day_met": float(days["all_met"].astype("boolean").fillna(False).mean())})
        if on_round is not None:
            on_round(history[-1])
        if delta.any():
            if phase == "remove":  # a cell that fails after a removal gets its agent back for good
                frozen |= set(delta[delta > 0].index)
            table = _apply(table, frame, delta)
        else:
            best = SearchResult(table, cells, days, history)
            phase = "remove"
            candidates = [c for c in frame.index if c not in frozen and frame.loc[c, "agents"] > 0]
            if not candidates:
                break
            table = _apply(table, frame, pd.Series(-1, index=pd.MultiIndex.from_tuples(candidates)))
        cells, days = evaluate(scenario, table, replications, seed, confidence, **kwargs)
    if best is None:
        last = history[-1]
        raise StudyLimitError(
            f"The staffing search found no table meeting the targets in {max_rounds} rounds (max_rounds; "
            f"in sim.staff the key staff.max_rounds, now {max_rounds}): in the last round judged, {last['cells_missing']} "
            f"weekday x interval cells still missed a target with {round(100 * confidence)} % confidence. Allow more "
            "rounds, start from a larger table, or check that the targets can be met at all (e.g. a case team too "
            "small for the case targets, cases.blend false)."
        )
    best.history = history
    return best


def case_shortfall(scenario: Scenario, days: pd.DataFrame) -> list[str]:
    """Weekdays whose cases miss a case target (mean share within target over the weekday's
    replication-days below ``targets.case_share_min``; weekend cases count with Monday)."""
    c = scenario.cases
    if not c.enabled or "case_met" not in days.columns:
        return []
    d = days.assign(weekday=days["weekday"].replace({"sat": "mon", "sun": "mon"}))
    short = []
    for day, g in d.groupby("weekday", sort=False):
        shares = [g[f"within_target_{k}"].astype(float).mean() for k in c.kinds]
        if any(x < scenario.targets.case_share_min for x in shares if x == x):
            short.append(str(day))
    return short


def case_fix(scenario: Scenario, days: pd.DataFrame, keyed: pd.DataFrame) -> pd.Series:
    """One agent more in every cell of each weekday whose cases miss their targets; none when
    the agents do not take cases (``cases.blend`` false: the case team decides, so more phone
    agents cannot help)."""
    fix = pd.Series(0, index=keyed.index)
    if not scenario.cases.blend:
        return fix
    for day in case_shortfall(scenario, days):
        if day in keyed.index.get_level_values(0):
            fix.loc[day] = 1
    return fix


def _probability_fix(days: pd.DataFrame, keyed: pd.DataFrame, probability: float) -> pd.Series:
    """One agent more in the weakest cell of each weekday whose days meet all targets too rarely."""
    met = days.groupby("weekday")["all_met"].apply(lambda s: s.astype("boolean").fillna(False).mean())
    fix = pd.Series(0, index=keyed.index)
    for day, p in met.items():
        if p < probability and day in keyed.index.get_level_values(0):
            worst = keyed.loc[day, "service_level"].idxmin()
            fix[(day, worst)] = 1
    return fix

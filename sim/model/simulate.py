"""``simulate(scenario, seed)``: one replication, returned as tidy tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.case_kpis import case_kpis
from sim.analysis.kpis import kpi_table
from sim.model import cases as casework
from sim.model import engine as model
from sim.model import records
from sim.model.rules import Rules
from sim.schema import Scenario
from sim.world import demand as arrivals
from sim.world.calendar import day_plans, plans_frame
from sim.world.distributions import make
from sim.world.staffing import build_schedule
from sim.world.streams import Streams


@dataclass(frozen=True)
class SimResult:
    """One replication: ``calls`` (one row per offered call), ``agents`` (per-interval agent
    log per group), ``calendar`` (opening hours per date); see :mod:`sim.model.records`.
    With ``cases.enabled``: ``cases`` (one row per case, :mod:`sim.analysis.case_kpis`), else None."""

    scenario: Scenario
    seed: int | None
    calls: pd.DataFrame
    agents: pd.DataFrame
    calendar: pd.DataFrame
    cases: pd.DataFrame | None = None

    def kpis(self, freq: str = "D") -> pd.DataFrame:
        """KPI table per period (``"30min"``, ``"D"``, ``"MS"`` …) including agent figures."""
        return kpi_table(self.calls, freq, agents=self.agents, threshold_s=self.scenario.targets.threshold_s)

    def case_kpis(self, freq: str = "D") -> pd.DataFrame:
        """Case KPI table per period (:func:`sim.analysis.case_kpis.case_kpis`); cases must be on."""
        if self.cases is None:
            raise ValueError("this run has no cases (cases.enabled is false; use the group cases=on)")
        return case_kpis(self.cases, freq, kinds=tuple(self.scenario.cases.kinds))


def simulate(scenario: Scenario, seed: int | np.random.SeedSequence | None = None) -> SimResult:
    """Run one replication over the scenario's date range.

    ``seed`` defaults to ``scenario.run.seed``; a :class:`numpy.random.SeedSequence` (e.g. one
    spawned child per replication) is accepted too. Same seed, same records.
    """
    seed = scenario.run.seed if seed is None else seed
    streams = Streams(seed)
    plans = day_plans(scenario.calendar, scenario.run.start, scenario.run.end)
    calls = arrivals.generate(scenario, streams, plans)
    schedules = [build_schedule(scenario, plans, st) for st in scenario.staffing_by_group().values()]
    groups = tuple(scenario.staffing_by_group())
    cases = casework.case_plan(scenario, streams, plans, len(calls)) if scenario.cases.enabled else None
    if cases is not None:
        schedules, groups = casework.with_case_staffing(scenario, plans, cases, schedules, groups)
    opens, closes = arrivals.open_periods(plans)
    rp = scenario.repeats
    rules = Rules.from_scenario(scenario)
    out = model.run(
        calls, schedules, rules, opens, closes,
        streams.rng("repeat_calls", 0) if rp.enabled else None, make(rp.delay), cases,
        (streams.rng("resolution", 0), make(scenario.resolution.delay_days)) if rules.resolution is not None else None,
    )
    start = scenario.run.start
    return SimResult(
        scenario=scenario,
        seed=seed if isinstance(seed, int) else None,
        calls=records.calls_frame(calls, out, start, rules),
        agents=records.agent_log(calls, out, schedules, start, scenario.demand.interval_min, groups),
        calendar=plans_frame(plans),
        cases=None if cases is None else _case_records(out, start, groups, len(plans) * 86400.0),
    )


def _case_records(out: model.Outcome, start: dt.date, groups: tuple[str, ...], end_s: float) -> pd.DataFrame:
    assert isinstance(out.casework, casework.CaseWork)
    return casework.case_records(out.casework, out.arrival, start, groups, end_s, out.customer)

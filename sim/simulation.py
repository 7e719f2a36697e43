"""``simulate(scenario, seed)``: one replication, returned as tidy tables."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim import arrivals, model, records
from sim.calendar import day_plans, plans_frame
from sim.config import Scenario
from sim.kpis import kpi_table
from sim.staffing import build_schedule
from sim.streams import Streams


@dataclass(frozen=True)
class SimResult:
    """One replication: ``calls`` (one row per offered call), ``agents`` (per-interval agent
    log), ``calendar`` (opening hours per date); see :mod:`sim.records` for the schemas."""

    scenario: Scenario
    seed: int | None
    calls: pd.DataFrame
    agents: pd.DataFrame
    calendar: pd.DataFrame

    def kpis(self, freq: str = "D") -> pd.DataFrame:
        """KPI table per period (``"30min"``, ``"D"``, ``"MS"`` …) including agent figures."""
        return kpi_table(self.calls, freq, agents=self.agents, threshold_s=self.scenario.targets.threshold_s)


def simulate(scenario: Scenario, seed: int | np.random.SeedSequence | None = None) -> SimResult:
    """Run one replication over the scenario's date range.

    ``seed`` defaults to ``scenario.run.seed``; a :class:`numpy.random.SeedSequence` (e.g. one
    spawned child per replication) is accepted too. Same seed, same records.
    """
    seed = scenario.run.seed if seed is None else seed
    plans = day_plans(scenario.calendar, scenario.run.start, scenario.run.end)
    calls = arrivals.generate(scenario, Streams(seed), plans)
    schedule = build_schedule(scenario, plans)
    out = model.run(calls, schedule)
    start = scenario.run.start
    return SimResult(
        scenario=scenario,
        seed=seed if isinstance(seed, int) else None,
        calls=records.calls_frame(calls, out, start),
        agents=records.agent_log(calls, out, schedule, start, scenario.demand.interval_min),
        calendar=plans_frame(plans),
    )

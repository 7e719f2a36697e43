"""An analytical lower bound for the combined staffing of calls and cases.

Phones: the Erlang A agents per weekday × interval (:func:`sim.analysis.planning.erlang_plan`),
summed over the run's open intervals into agent-hours. Cases: the expected agent-hours of the
channel cases arriving in the run (volume × weekday × red-day factor × mean handle time of
the kind mix, :func:`sim.world.case_arrivals.workload_h`), spread evenly over the office's working
hours (:mod:`sim.world.workhours`). The bound ignores everything that makes blending cost
more than its workload: calls arriving while every agent is busy with a case (no
pre-emption), the reserve, case targets that need capacity at the right time of day, and the
cases the phone model creates (failed callbacks, transfer fallbacks). So the simulation needs
at least this many agents, usually more.

For a constant staffing of N agents over the phones' opening hours: N must cover the busiest
interval's Erlang A agents, and N × working hours must cover the phone and case agent-hours.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.analysis.planning import erlang_plan
from sim.schema import WEEKDAYS, Scenario, hhmm, minutes
from sim.world.calendar import day_plans
from sim.world.case_arrivals import workload_h
from sim.world.workhours import scenario_office_calendar, work_clock


def phone_agent_hours(s: Scenario, plan: pd.DataFrame | None = None) -> float:
    """Erlang A agent-hours over the run's open intervals (15:00 days and closures included)."""
    plan = erlang_plan(s) if plan is None else plan
    step = s.demand.interval_min
    keys = zip(plan["weekday"].tolist(), plan["interval_start"].tolist(), strict=True)
    agents: dict[tuple[str, str], int] = dict(zip(keys, plan["erlang_a_agents"].astype(int).tolist(), strict=True))
    total = 0.0
    for p in day_plans(s.calendar, s.run.start, s.run.end):
        if p.opens is None or p.closes is None:
            continue
        name = WEEKDAYS[p.date.weekday()]
        for m in range(minutes(p.opens), minutes(p.closes), step):
            total += agents.get((name, hhmm(m)), 0) * step / 60.0
    return total


def combined_bound(s: Scenario) -> dict[str, float]:
    """The bound's parts over the run: phone and case agent-hours, working hours, the mean
    agents they need, the busiest interval's Erlang A agents and the constant-staffing bound."""
    plan = erlang_plan(s)
    phone_h = phone_agent_hours(s, plan)
    plans = day_plans(s.calendar, s.run.start, s.run.end)
    case_h = workload_h(s, plans)
    clock = work_clock(scenario_office_calendar(s), s.run.start, s.run.end)
    working_h = clock.total_s / 3600.0
    mean_agents = (phone_h + case_h) / working_h if working_h > 0 else float("nan")
    peak = float(plan["erlang_a_agents"].max()) if len(plan) else 0.0
    return {
        "phone_agent_h": phone_h,
        "case_agent_h": case_h,
        "working_h": working_h,
        "case_agents": case_h / working_h if working_h > 0 else float("nan"),
        "mean_agents": mean_agents,
        "peak_phone_agents": peak,
        "constant_agents_bound": float(max(peak, math.ceil(mean_agents))) if np.isfinite(mean_agents) else peak,
    }


def bound_table(s: Scenario) -> pd.DataFrame:
    """Per weekday × interval: Erlang A agents, the case agents spread evenly over the working
    hours, and their sum (the combined lower bound per interval)."""
    plan = erlang_plan(s)
    b = combined_bound(s)
    out = plan[["weekday", "interval_start", "calls", "erlang_a_agents"]].copy()
    out["case_agents"] = b["case_agents"]
    out["combined_agents"] = out["erlang_a_agents"] + out["case_agents"]
    return out

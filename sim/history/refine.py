"""Correct the Erlang A inversion of the effective staffing by simulation.

Erlang A is a steady-state formula: each interval of a real day starts from the previous
interval's queue (the morning from an empty one), handle times are not exponential and
balkers are only approximated, so at a given number of agents the model's abandonment
differs from the formula's -- in the synthetic example the inversion overstates the
agents by one in about half the intervals. The correction simulates a sample of regular
historical days (each with its observed calls per interval, as in
:mod:`sim.history.backtest`) at the current effective staffing, measures per weekday and
interval ``ratio = simulated abandonment / Erlang A abandonment`` at that staffing, and
re-runs the maximum-likelihood inversion with ``p(n) = p_ErlangA(n) x ratio``. Two rounds.
Because the ratio is measured with the neighbouring intervals staffed as estimated, the
coupling between intervals (a queue spilling over) is in it; nothing is fitted per cell
against the observed abandonment twice, so it does not overfit.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from sim.history.backtest import day_scenario
from sim.history.staffing import StaffingEstimate, erlang_a_abandon
from sim.model.simulate import simulate
from sim.schema import WEEKDAYS, Scenario, minutes


def simulation_bias(
    base: Scenario,
    table: pd.DataFrame,
    est: StaffingEstimate,
    dates: list[pd.Timestamp],
    aht_s: float,
    patience_s: float,
    balk: float,
    replications: int = 2,
    seed: int = 7,
) -> dict[tuple[str, int], float]:
    """Per (weekday, minute): simulated over Erlang A abandonment at the current staffing."""
    cfg = base.model_dump(mode="json")
    step = base.demand.interval_min
    per = est.per_interval
    sims = []
    for i, date in enumerate(dates):
        hours = base.calendar.hours_of(date.weekday())
        if hours is None:
            continue
        h = (minutes(hours.opens), minutes(hours.closes))
        counts = table[table["date"] == date].set_index("minute")["offered"]
        agents = per[per["date"] == date].set_index("minute")["agents_eff"]
        for r in range(replications):
            c = simulate(day_scenario(cfg, date, counts, agents, h, step, seed * 10_000 + i * 10 + r)).calls
            minute = (c["arrival"].dt.hour * 60 + c["arrival"].dt.minute) // step * step
            sims.append(pd.DataFrame({"minute": minute, "ab": c["answered_at"].isna(), "weekday": WEEKDAYS[date.weekday()]}))
    if not sims:
        return {}
    s = pd.concat(sims).groupby(["weekday", "minute"])["ab"].agg(["size", "sum"])
    rows = per[per["date"].isin(dates)]
    p_a = erlang_a_abandon(rows, rows["agents_eff"].to_numpy(), step, aht_s, patience_s, balk)
    f = rows.assign(weekday=rows["date"].dt.day_of_week.map(dict(enumerate(WEEKDAYS))), exp_ab=rows["offered"] * p_a)
    e = f.groupby(["weekday", "minute"])[["exp_ab", "offered"]].sum()
    ratio = ((s["sum"] + 0.5) / s["size"]).reindex(e.index) / ((e["exp_ab"] + 0.5) / e["offered"])
    return {k: float(v) for k, v in ratio.dropna().items()}


def refine_staffing(
    base: Scenario,
    table: pd.DataFrame,
    estimate: Callable[[dict[tuple[str, int], float] | None], StaffingEstimate],
    dates: list[pd.Timestamp],
    aht_s: float,
    patience_s: float,
    balk: float,
    rounds: int = 2,
    replications: int = 2,
    seed: int = 7,
) -> StaffingEstimate:
    """Re-estimate with the simulation's correction (``estimate(bias)`` runs the inversion)."""
    est = estimate(None)
    total: dict[tuple[str, int], float] = {}
    for r in range(rounds):
        delta = simulation_bias(base, table, est, dates, aht_s, patience_s, balk, replications, seed + r)
        # the ratio is measured against Erlang A at the current staffing; the corrected curve is p_A x ratio
        total = delta
        est = estimate(total)
    pooled = est.pooled.assign(erlang_a=estimate(None).pooled["agents"].to_numpy())
    return StaffingEstimate(pooled, est.per_interval, est.source, est.target)

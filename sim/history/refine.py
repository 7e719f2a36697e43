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
The ratio is pooled per interval of the day over the weekdays (all the sampled days simulate
it), so weekdays with identical input get identical corrections, and its noise (the SE of the
log of the simulated count) is carried into the staffing's interval.
Because the ratio is measured with the neighbouring intervals staffed as estimated, the
coupling between intervals (a queue spilling over) is in it; nothing is fitted per cell
against the observed abandonment twice, so it does not overfit.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
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
) -> dict[tuple[str, int], tuple[float, float]]:
    """Per (weekday, minute): simulated over Erlang A abandonment at the current staffing, and
    the SE of its log. The ratio is pooled per interval of the day over all weekdays (the same
    for every weekday: weekdays with the same input must not differ by simulation noise)."""
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
            sims.append(pd.DataFrame({"minute": minute, "ab": c["answered_at"].isna()}))
    if not sims:
        return {}
    s = pd.concat(sims).groupby("minute")["ab"].agg(["size", "sum"])
    rows = per[per["date"].isin(dates) & per["agents_eff"].notna()]
    p_a = erlang_a_abandon(rows, rows["agents_eff"].to_numpy(), step, aht_s, patience_s, balk)
    f = rows.assign(exp_ab=rows["offered"] * p_a)
    e = f.groupby("minute")[["exp_ab", "offered"]].sum()
    sim = s.reindex(e.index)
    ratio = ((sim["sum"] + 0.5) / sim["size"]) / ((e["exp_ab"] + 0.5) / e["offered"])
    # the simulated count is Poisson-like (SE of its log 1/sqrt(count)); the Erlang A side is exact
    log_se = 1.0 / np.sqrt(sim["sum"] + 0.5)
    weekdays = sorted({WEEKDAYS[d.weekday()] for d in per["date"]})
    out = {}
    for m, r, se in zip(ratio.index, ratio, log_se, strict=True):
        if np.isfinite(r):
            out.update({(w, int(m)): (float(r), float(se)) for w in weekdays})
    return out


def refine_staffing(
    base: Scenario,
    table: pd.DataFrame,
    estimate: Callable[..., StaffingEstimate],
    dates: list[pd.Timestamp],
    aht_s: float,
    patience_s: float,
    balk: float,
    rounds: int = 2,
    replications: int = 2,
    seed: int = 7,
    plain: StaffingEstimate | None = None,
) -> StaffingEstimate:
    """Re-estimate with the simulation's correction (``estimate(bias, ci=...)`` runs the inversion;
    the intermediate rounds skip the propagation of the inputs' uncertainty into the intervals).
    ``plain``: the uncorrected estimate when already at hand."""
    plain = plain if plain is not None else estimate(None)
    est = plain
    for r in range(rounds):
        # the ratio is measured against Erlang A at the current staffing; the corrected curve is p_A x ratio
        bias = simulation_bias(base, table, est, dates, aht_s, patience_s, balk, replications, seed + r)
        est = estimate(bias, ci=r == rounds - 1)
    pooled = est.pooled.assign(erlang_a=plain.pooled["agents"].to_numpy())
    return StaffingEstimate(pooled, est.per_interval, est.source, est.target, est.dispersion, est.notes)

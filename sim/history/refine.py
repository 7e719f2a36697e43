"""Refine the effective staffing by simulation.

Erlang A is a steady-state, exponential-service approximation: with lognormal handle times
(CV < 1), balkers and queues that spill from one interval into the next, it misjudges the
agents behind an observed abandonment by about one. The refinement simulates a sample of
regular historical days with the calibrated model (each day with its observed calls per
interval, as in :mod:`sim.history.backtest`) at the Erlang A staffing shifted by ``k`` agents,
``k`` in ``shifts``, and picks per weekday and interval the shift whose simulated abandonment
gives the observed abandoned calls the highest binomial likelihood. Common random numbers
(the same seed at every shift) keep the comparison between shifts sharp.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.history.backtest import day_scenario
from sim.history.staffing import StaffingEstimate
from sim.model.simulate import simulate
from sim.schema import WEEKDAYS, Scenario


def refine_staffing(base: Scenario, table: pd.DataFrame, est: StaffingEstimate, dates: list[pd.Timestamp],
                    shifts: tuple[int, ...] = (-2, -1, 0, 1), seed: int = 7) -> StaffingEstimate:
    """The effective staffing shifted per weekday and interval by the best simulated ``k``."""
    cfg = base.model_dump(mode="json")
    step = base.demand.interval_min
    per = est.per_interval
    sims: dict[int, list[pd.DataFrame]] = {k: [] for k in shifts}
    for i, date in enumerate(dates):
        hours = base.calendar.hours_of(date.weekday())
        if hours is None:
            continue
        h = (hours.opens.hour * 60 + hours.opens.minute, hours.closes.hour * 60 + hours.closes.minute)
        counts = table[table["date"] == date].set_index("minute")["offered"]
        agents = per[per["date"] == date].set_index("minute")["agents_eff"]
        for k in shifts:
            c = simulate(day_scenario(cfg, date, counts, (agents + k).clip(lower=0), h, step, seed * 10_000 + i)).calls
            minute = (c["arrival"].dt.hour * 60 + c["arrival"].dt.minute) // step * step
            g = pd.DataFrame({"minute": minute, "ab": c["answered_at"].isna()}).groupby("minute")["ab"].agg(["size", "sum"])
            sims[k].append(g.assign(weekday=WEEKDAYS[date.weekday()]).reset_index())
    if not dates or not sims[shifts[0]]:
        return est
    obs = table[table["date"].isin(dates)].assign(weekday=lambda t: t["date"].dt.day_of_week.map(dict(enumerate(WEEKDAYS))))
    o = obs.groupby(["weekday", "minute"])[["offered", "abandoned"]].sum()
    ll = {}
    for k in shifts:
        s = pd.concat(sims[k]).groupby(["weekday", "minute"])[["size", "sum"]].sum()
        p = ((s["sum"] + 0.5) / (s["size"] + 1.0)).reindex(o.index)
        ll[k] = o["abandoned"] * np.log(p) + (o["offered"] - o["abandoned"]) * np.log1p(-p)
    frame = pd.DataFrame(ll).fillna(-np.inf)
    best = frame.idxmax(axis=1).where(frame.max(axis=1) > -np.inf, 0).astype(int).rename("shift")
    pooled = est.pooled.merge(best.reset_index(), on=["weekday", "minute"], how="left").fillna({"shift": 0})
    pooled["shift"] = pooled["shift"].astype(int)
    pooled["erlang_a"] = pooled["agents"]
    for c in ("agents", "ci_low", "ci_high"):
        pooled[c] = (pooled[c] + pooled["shift"]).clip(lower=0)
    wd = per["date"].dt.day_of_week.map(dict(enumerate(WEEKDAYS)))
    key = best.to_dict()
    sh = np.array([key.get((w, m), 0) for w, m in zip(wd, per["minute"], strict=True)], dtype=int)
    out = per.assign(agents_eff=(per["agents_eff"] + sh).clip(lower=0), eff_low=(per["eff_low"] + sh).clip(lower=0),
                     eff_high=(per["eff_high"] + sh).clip(lower=0), shift=sh)
    return StaffingEstimate(pooled, out, est.source + ", refined by simulation", est.target)

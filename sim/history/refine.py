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
The ratio is a smooth function of the load per agent (a weighted regression of its log over
the weekday x interval cells), so cells with identical input get identical corrections, and its
noise (the regression's prediction SE) is carried into the staffing's interval. What the load
does not explain but every weekday shares at a time of day (the queue inherited from a busy
interval, the empty start of the day) is kept as a per-interval-of-day shift of the log ratio,
shrunk by its between-interval variance against the simulation noise (DerSimonian-Laird).
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
from sim.study.runner import replication_seed


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
    """Per (weekday, minute): the factor on Erlang A's abandonment at the current staffing and the
    SE of its log, as a smooth function of the load per agent: ``log(simulated / Erlang A)`` of
    each weekday and interval (the sampled days pooled) is regressed on ``x`` = offered Erlangs /
    agents (weighted least squares, weights the simulated abandoned calls), and every cell gets
    the fitted value at its own ``x``. Cells with the same input get the same factor, so weekdays
    cannot differ by simulation noise, while a busier weekday gets the factor of its load."""
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
        scenario = day_scenario(cfg, date, counts, agents, h, step, seed)
        for r in range(replications):
            # the runner's seeds: day i's replication r is replication i * R + r of the run
            c = simulate(scenario, replication_seed(seed, i * replications + r)).calls
            minute = (c["arrival"].dt.hour * 60 + c["arrival"].dt.minute) // step * step
            sims.append(
                pd.DataFrame({"weekday": WEEKDAYS[date.weekday()], "minute": minute, "ab": c["answered_at"].isna(), "day": i, "rep": r})
            )
    if not sims:
        return {}
    runs = pd.concat(sims)
    s = runs.groupby(["weekday", "minute"])["ab"].agg(["size", "sum"])
    phi_sim = _replication_dispersion(runs, replications)
    ok = per["agents_eff"].notna() & (per["agents_eff"] > 0)
    rows = per[per["date"].isin(dates) & ok]
    p_a = erlang_a_abandon(rows, rows["agents_eff"].to_numpy(), step, aht_s, patience_s, balk)
    wd = rows["date"].dt.day_of_week.map(dict(enumerate(WEEKDAYS)))
    e = rows.assign(weekday=wd, exp_ab=rows["offered"] * p_a).groupby(["weekday", "minute"])[["exp_ab", "offered"]].sum()
    sim = s.reindex(e.index)
    y = np.log((sim["sum"] + 0.5) / sim["size"]) - np.log((e["exp_ab"] + 0.5) / e["offered"])
    w = (sim["sum"] + 0.5).to_numpy()
    x_all = _load_per_agent(per, step, aht_s)
    x = x_all.reindex(e.index).to_numpy()
    good = np.isfinite(y.to_numpy()) & np.isfinite(x) & np.isfinite(w)
    if good.sum() < 3:
        return {}
    X = np.column_stack([np.ones(good.sum()), x[good]])
    W = w[good]
    xtwx = X.T @ (X * W[:, None])
    beta = np.linalg.solve(xtwx, X.T @ (W * y.to_numpy()[good]))
    resid = y.to_numpy()[good] - X @ beta
    # Poisson-like counts give log-scale variance 1/count; excess scatter widens it
    sigma2 = max(float((W * resid**2).sum() / max(good.sum() - 2, 1)), 1.0)
    cov = sigma2 * np.linalg.inv(xtwx)
    minutes_good = np.asarray(e.index.get_level_values("minute"))[good]
    shift = _interval_of_day_shift(minutes_good, resid, W)
    # what is left is the cell's own: the queue a weekday's previous interval leaves depends on that
    # weekday's load and staffing there, which neither the load per agent nor the time of day carries
    left = resid - np.array([shift.get(int(m), (0.0, 0.0))[0] for m in minutes_good])
    own = _cell_shift(left, phi_sim / W)
    cells = [(str(k[0]), int(k[1])) for k in np.asarray(e.index)[good]]
    own_of = dict(zip(cells, zip(*own, strict=True), strict=True)) if len(cells) else {}
    out = {}
    for (wk, m), xv in x_all.items():
        if np.isfinite(xv):
            v = np.array([1.0, xv])
            d, dv = shift.get(int(m), (0.0, 0.0))
            o, ov = own_of.get((str(wk), int(m)), (0.0, 0.0))
            out[(str(wk), int(m))] = (float(np.exp(v @ beta + d + o)), float(np.sqrt(v @ cov @ v + dv + ov)))
    return out


def _replication_dispersion(runs: pd.DataFrame, replications: int) -> float:
    """The simulation's abandoned-call counts per cell against Poisson: the variance of a cell's
    total over the replications of the same days (which share the observed calls) over its mean,
    pooled over the cells, at least 1 (1 with a single replication)."""
    if replications < 2:
        return 1.0
    n = runs.groupby(["weekday", "minute", "day", "rep"])["ab"].sum()
    by = n.groupby(level=["weekday", "minute", "day"])
    var_total = (by.var(ddof=1) * replications).groupby(level=["weekday", "minute"]).sum()
    total = n.groupby(level=["weekday", "minute"]).sum()
    return max(float(var_total.sum() / max(total.sum(), 1.0)), 1.0)


def _cell_shift(resid: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per weekday x interval: the residual log ratio shrunk toward 0 by the DerSimonian-Laird
    weight ``tau^2 / (tau^2 + v)`` (``v`` the simulation's sampling variance of the cell's log
    ratio, ``tau^2`` the cells' variance beyond it), and the shrunk value's variance. Simulation
    noise alone gives ``tau^2 = 0``: no shift, so cells with the same input keep the same ratio."""
    if len(resid) < 3:
        return np.zeros(len(resid)), np.zeros(len(resid))
    u = 1.0 / v
    q = float((u * resid**2).sum())
    c = float(u.sum() - (u**2).sum() / u.sum())
    tau2 = max((q - (len(resid) - 1)) / c, 0.0) if c > 0 else 0.0
    b = tau2 / (tau2 + v)
    return b * resid, b * v


def _interval_of_day_shift(minute: np.ndarray, resid: np.ndarray, w: np.ndarray) -> dict[int, tuple[float, float]]:
    """Per interval of the day: the shrunk mean residual of the log ratio and its variance.

    The load per agent does not carry everything: an interval after a heavily loaded one inherits
    its queue, the first interval starts from an empty one, staffing that changes inside the
    interval matters -- effects of the time of day that every weekday shares. The residuals of
    the regression are pooled per interval of the day (weights ``w``, variance ``1 / sum w`` or, when the weekdays
    disagree more, their weighted scatter) and
    shrunk toward 0 by the DerSimonian-Laird weight ``tau^2 / (tau^2 + v)``, ``tau^2`` the
    between-interval variance beyond the simulation's noise (0 when the scatter is noise: no shift)."""
    keys = np.unique(minute)
    sw = np.array([w[minute == k].sum() for k in keys])
    mean = np.array([(w[minute == k] * resid[minute == k]).sum() for k in keys]) / np.maximum(sw, 1e-12)
    if len(keys) < 3 or sw.sum() <= 0:
        return {}
    # the weekdays of an interval may disagree beyond the noise (a busier weekday inherits more queue):
    # the pooled mean's variance is then their scatter's, not the counts' alone
    v = 1.0 / sw
    for i, k in enumerate(keys):
        m = minute == k
        if m.sum() > 1:
            scatter = float((w[m] * (resid[m] - mean[i]) ** 2).sum() / ((m.sum() - 1) * sw[i]))
            v[i] = max(v[i], scatter)
    u = 1.0 / v
    q = float((u * mean**2).sum())
    c = float(u.sum() - (u**2).sum() / u.sum())
    tau2 = max((q - (len(keys) - 1)) / c, 0.0) if c > 0 else 0.0
    if tau2 <= 0:
        return {}
    b = tau2 / (tau2 + v)
    return {int(k): (float(bk * mk), float(bk * vk)) for k, bk, mk, vk in zip(keys, b, mean, v, strict=True)}


def _load_per_agent(per: pd.DataFrame, step: int, aht_s: float) -> pd.Series:
    """Per (weekday, minute): mean offered Erlangs over the days / the cell's agents."""
    aht = per["aht_s"].fillna(aht_s).to_numpy(dtype=float)
    aht = np.where(aht > 0, aht, aht_s)
    a = per["offered"].to_numpy(dtype=float) * aht / (60.0 * step)
    wd = per["date"].dt.day_of_week.map(dict(enumerate(WEEKDAYS)))
    f = pd.DataFrame({"weekday": wd, "minute": per["minute"], "a": a, "n": per["agents_eff"]})
    g = f.groupby(["weekday", "minute"]).agg(a=("a", "mean"), n=("n", "mean"))
    return (g["a"] / g["n"].where(g["n"] > 0)).astype(float)


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

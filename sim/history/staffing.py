"""Effective staffing: the agents per interval that make the model reproduce what the queue did.

Interval reports and call logs rarely show how many agents were really on the phones. The
effective number ``n`` of a weekday and interval (the scenario's table: one value for all the
days with that input) is found by maximum likelihood under Erlang A (M/M/n+M with the
calibrated mean handle time and patience; balkers added as ``b * P(wait)``), pooled over the
regular days of that weekday: the abandoned calls of each day are binomial with probability
``p_abandon(n)`` (``target="abandonment"``, the default), or ``n`` makes the model's mean wait
of all callers closest to the observed one (``target="wait"``).

``n`` is continuous (a 0.1-agent grid): a fraction is a time-average, ``n + f`` agents being
``n + 1`` for a share ``f`` of the interval (as the engine realises it), so Erlang A is
interpolated between the whole numbers (:func:`sim.analysis.erlang.erlang_a_time_average`).

**Bounds from the data.** Below: the busy time within the interval averaged over the days (agents
cannot be fewer than the busy time needs): from a call log call by call while the agent is still
on duty (:func:`busy_from_calls`), from a report the carried load less what spills over
(:func:`busy_agents`). Above (when
the data has them): the most agents seen answering calls in that weekday and interval on any
day (a call log's ``agent`` column; every agent on the phones answers while callers wait), or
the agents an interval report says were logged in (median over the days). The estimate and its
interval are clipped into the bounds.

**Identified or not.** Where few callers hang up the likelihood is flat: any ``n`` above a
certain level fits "no abandonment". A cell is *identified* when its days had at least
:data:`MIN_ABANDONED` abandoned calls and its interval is narrower than :data:`MAX_REL_WIDTH` x
the estimate (plus one agent). Other cells fall back to the bound-based estimate: the agents
seen answering (call log), else the carried load at the occupancy of the identified cells of
the same weekday (at least the carried load, at most the upper bound); the report lists them.

**Honest intervals.** The profile-likelihood interval (``n`` within ``phi x 1.92`` of the
maximum) uses a dispersion factor ``phi`` (quasi-likelihood): abandonment counts vary more
between days than binomially (the queue is autocorrelated within an interval), so ``phi`` is
the Pearson chi-square of all pooled cells over its degrees of freedom (at least 1). The
uncertainty of the handle time and the patience (their 95 % CI ends) and of the simulation
correction (:mod:`sim.history.refine`) moves the estimate; each shift is added in quadrature.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse, stats

from sim.analysis.erlang import erlang_a, erlang_a_abandonment, erlang_a_time_average
from sim.schema import WEEKDAYS, hhmm
from sim.world.clock import clock_minutes

Target = Literal["abandonment", "wait"]
CHI2_1 = 1.920729410347062  # half the 95 % quantile of chi-square(1)
STEP = 0.1
"""Resolution of the effective staffing (agents); the scenario's table keeps one decimal."""
MIN_ABANDONED = 10
"""Fewer abandoned calls than this over a cell's days: the cell is not identified."""
MAX_REL_WIDTH = 0.5
"""A cell whose 95 % interval is wider than this share of the estimate (plus one agent) is not identified."""
OUTLIER_ALPHA = 0.05
"""Bonferroni level of :func:`staffing_outliers` over the rows (nominal: the residuals' tails are
heavier than normal, and histories without outages lose about one row each)."""
DISPERSION_CLASS = 200
"""Rows per class of similar expected abandoned calls, each with its own dispersion (:func:`staffing_outliers`)."""
DISPERSION_TRIM = 0.02
"""The share of the largest squared residuals of a class left out of its first dispersion estimate."""

Bias = Mapping[tuple[str, int], tuple[float, float]]
"""(weekday, minute) -> (ratio simulated / Erlang A abandonment, standard error of its log)."""


@dataclass(frozen=True)
class Uncertainty:
    """The 95 % CI ends of the inputs the inversion takes as known (None: not propagated)."""

    aht_s: tuple[float, float] | None = None
    patience_s: tuple[float, float] | None = None


@dataclass(frozen=True)
class StaffingEstimate:
    """``pooled``: weekday, minute, agents, ci_low, ci_high, days, lower_bound, upper_bound,
    identified, abandoned; ``per_interval``: the interval table with ``agents_eff`` (the pooled
    value of its weekday and interval), ``eff_low``, ``eff_high``; ``source``: effective or given;
    ``dispersion``: the quasi-likelihood factor; ``notes``: what a planner should know."""

    pooled: pd.DataFrame
    per_interval: pd.DataFrame
    source: str
    target: str
    dispersion: float = 1.0
    notes: list[str] = field(default_factory=list)

    def unidentified(self) -> pd.DataFrame:
        """The cells the data could not identify (they carry the bound-based estimate)."""
        if "identified" not in self.pooled.columns:
            return self.pooled.iloc[0:0]
        return self.pooled[~self.pooled["identified"].astype(bool)]


def agents_answering(calls: pd.DataFrame, step: int) -> pd.DataFrame:
    """Per date and interval the distinct agents who answered a call in it (``date``, ``minute``,
    ``seen``), from a call log's ``agent`` column (empty without one)."""
    if "agent" not in calls.columns or calls["agent"].isna().all():
        return pd.DataFrame(columns=["date", "minute", "seen"])
    c = calls[calls["fate"].eq("answered") & calls["agent"].notna()]
    c = c[c["agent"].astype(str).str.strip() != ""]
    at = c["arrival"] + pd.to_timedelta(c["wait_s"], unit="s")
    period = at.dt.floor(f"{step}min")
    g = pd.DataFrame({"period": period, "agent": c["agent"].astype(str)}).groupby("period")["agent"].nunique()
    p = g.index
    return pd.DataFrame({"date": p.normalize(), "minute": p.hour * 60 + p.minute, "seen": g.to_numpy().astype(float)})


def busy_from_calls(calls: pd.DataFrame, step: int) -> pd.DataFrame:
    """Per date and interval the agent-seconds the answered calls of a log kept agents busy *on
    duty* in it (``date``, ``minute``, ``busy_s``): each call from its answer (arrival + wait) for
    its handle time, cut at the interval boundaries (empty without handle times).

    An agent is evidently on duty while they still take calls: up to their last answer of the day.
    The call in hand after it is the one an agent finishes after logging off (the end of a shift,
    as the engine also lets its agents do), so with an ``agent`` column each agent's last call of a
    day is left out; counted, its overrun made agents who had gone home look available to new
    callers (a Ciw history: agents leaving at 16:40 put the busy time of 16:30-17:00 above the
    agents on duty on 68 % of days, and the staffing fit sat on that bound, 15 % short of the
    hour's abandonment). Calls without an agent are all counted."""
    c = calls[calls["fate"].eq("answered") & calls["handle_s"].notna()] if "handle_s" in calls.columns else calls.iloc[0:0]
    if c.empty:
        return pd.DataFrame(columns=["date", "minute", "busy_s"])
    t = 60.0 * step
    a = c["arrival"].to_numpy(dtype="datetime64[ns]").astype(np.int64) / 1e9 + c["wait_s"].to_numpy(dtype=float)
    e = a + c["handle_s"].to_numpy(dtype=float)
    if "agent" in c.columns:
        e = np.where(_last_answer(c["agent"], a), a, e)
    k0 = np.floor(a / t)
    span = int(np.max(np.floor(e / t) - k0)) if len(a) else 0
    keys, amounts = [], []
    for j in range(span + 1):
        k = k0 + j
        part = np.minimum(e, (k + 1) * t) - np.maximum(a, k * t)
        m = part > 0
        keys.append(k[m])
        amounts.append(part[m])
    g = pd.Series(np.concatenate(amounts)).groupby(np.concatenate(keys)).sum()
    start = pd.to_datetime((g.index.to_numpy() * t).astype(np.int64), unit="s")
    return pd.DataFrame({"date": start.normalize(), "minute": start.hour * 60 + start.minute, "busy_s": g.to_numpy()})


def _last_answer(agent: pd.Series, answer_s: np.ndarray) -> np.ndarray:
    """Whether each call is its agent's last answer of the (calendar) day; calls without an agent
    are not."""
    codes, names = pd.factorize(agent)
    blank = np.array([str(n).strip() == "" for n in names], dtype=bool)
    has = codes >= 0
    has[has] = ~blank[codes[has]]
    day = np.floor(answer_s / 86400.0).astype(np.int64)
    _, group = np.unique(codes.astype(np.int64) * (int(day.max() - day.min()) + 1) + (day - day.min()), return_inverse=True)
    last = np.full(int(group.max()) + 1, -np.inf)
    np.maximum.at(last, group, answer_s)
    return has & (answer_s >= last[group])


def busy_agents(rows: pd.DataFrame, aht_s: np.ndarray, step: int, handle_cv: float | None = None) -> np.ndarray:
    """Per row (date x interval) the agents the answered calls kept busy *within* the interval: the
    carried load (answered x handle time / interval length) less the work that runs on past the
    interval's end, plus what the previous interval of the same day left (the lower bound of the
    effective staffing). A call answered at a uniform time of the interval, after the mean wait,
    with handle time ``h`` runs ``E[h²] / 2T + wait x h / T`` past the end on average (``h`` short
    against ``T``); ``E[h²] = AHT² (1 + CV²)``. At the day's start nothing comes in (the morning's
    first interval carries less than its calls' work), and where the load is steady what leaves and
    what comes in cancel. What comes in counts only for the agents who stay: where the load drops
    from the previous interval (its ratio, at most 1), agents left and finish the call in hand off
    duty (as the engine's agents do); counted, a Ciw history's report kept its 16:30-17:00 at a
    bound 1.4 agents above what abandoned as Ciw did (-13 % of the hour's abandonment).
    ``handle_cv`` None: the plain carried load (no spill)."""
    t = 60.0 * step
    ans = rows["answered"].to_numpy(dtype=float)
    work = ans * aht_s
    if handle_cv is None or not np.isfinite(handle_cv):
        return work / t
    off = rows["offered"].to_numpy(dtype=float)
    delay = np.nan_to_num(rows["wait_all_s"].to_numpy(dtype=float) / np.maximum(off, 1.0))
    spill = np.minimum(ans * (aht_s**2 * (1 + handle_cv**2) / 2 + delay * aht_s) / t, work)
    out = pd.Series(spill, index=pd.MultiIndex.from_arrays([rows["date"], rows["minute"] + step]))
    here = pd.MultiIndex.from_arrays([rows["date"], rows["minute"]])
    spill_in = np.nan_to_num(out.groupby(level=[0, 1]).sum().reindex(here).to_numpy(dtype=float))
    # the previous interval's calls run on here on duty only for the agents who stay: where the load
    # drops, agents left and finish the call in hand off duty (as the engine's agents do)
    load = pd.Series(work, index=pd.MultiIndex.from_arrays([rows["date"], rows["minute"] + step]))
    before = np.nan_to_num(load.groupby(level=[0, 1]).sum().reindex(here).to_numpy(dtype=float))
    stay = np.clip(np.divide(work, before, out=np.ones_like(work), where=before > 0), 0.0, 1.0)
    return (work - spill + spill_in * stay) / t


def _open_rows(t: pd.DataFrame, hours: Mapping[str, tuple[int, int] | None] | None) -> np.ndarray:
    """Rows within their weekday's opening hours (calls queued just before closing make a row at
    or after closing: no agents are planned there)."""
    if hours is None:
        return np.ones(len(t), dtype=bool)
    wd = t["date"].dt.day_of_week.map(dict(enumerate(WEEKDAYS)))
    lo = wd.map(lambda w: hours.get(w)[0] if hours.get(w) else -1).to_numpy()  # type: ignore[index]
    hi = wd.map(lambda w: hours.get(w)[1] if hours.get(w) else -1).to_numpy()  # type: ignore[index]
    m = t["minute"].to_numpy()
    return (m >= lo) & (m < hi)


def _curves(
    off: np.ndarray, step: int, aht: np.ndarray, patience_s: float, balk: float, target_s: float, top: int, target: Target
) -> dict[str, np.ndarray]:
    """Erlang A per row on the integer grid 0..top+1 (rows x agents)."""
    n = np.arange(0, top + 2, dtype=float)
    if target == "wait":
        r = erlang_a(off[:, None], 60.0 * step, aht[:, None], n[None, :], patience_s, target_s)
        p_wait, p_ab, wait = r.p_wait, r.p_abandon, r.mean_wait_all_s
    else:  # abandonment only: without the ASA, the costliest part of Erlang A
        p_wait, p_ab = erlang_a_abandonment(off[:, None], 60.0 * step, aht[:, None], n[None, :], patience_s)
        wait = np.zeros_like(np.asarray(p_ab))
    return {
        "p_abandon": np.asarray(balk * np.asarray(p_wait) + (1 - balk) * np.asarray(p_ab), dtype=float),
        "mean_wait_all_s": np.asarray((1 - balk) * np.asarray(wait), dtype=float),
    }


def _fine(curve: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """A rows x integers curve on the fine grid, interpolated by the fraction (a time-average)."""
    lo = np.floor(grid + 1e-9).astype(int)
    f = grid - lo
    return curve[:, lo] * (1 - f) + curve[:, np.minimum(lo + 1, curve.shape[1] - 1)] * f


def _loglik(off: np.ndarray, ab: np.ndarray, wait: np.ndarray, k: np.ndarray, target: Target, bias: np.ndarray) -> np.ndarray:
    if target == "abandonment":
        p = np.clip(k * bias[:, None], 1e-12, 1 - 1e-12)
        return ab[:, None] * np.log(p) + (off - ab)[:, None] * np.log1p(-p)
    w = (wait / np.maximum(off, 1))[:, None]
    # Gaussian with the wait's sampling variance about (mean wait)^2 / offered, floored at 1 s^2
    var = np.maximum(k**2 + 1.0, 1.0) / np.maximum(off, 1)[:, None]
    return -((w - k) ** 2) / (2 * var)


def _pearson(off: np.ndarray, ab: np.ndarray, p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return (ab - off * p) ** 2 / (off * p * (1 - p))


def _deviance_residual(off: np.ndarray, ab: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Signed binomial deviance residuals of abandoned calls ``ab`` of ``off`` at probability ``p``."""
    mu = off * np.clip(p, 1e-12, 1 - 1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(ab > 0, ab * np.log(ab / mu), 0.0)
        b = np.where(off - ab > 0, (off - ab) * np.log((off - ab) / (off - mu)), 0.0)
    return np.sign(ab - mu) * np.sqrt(np.maximum(2 * (a + b), 0.0))


def staffing_outliers(off: np.ndarray, ab: np.ndarray, p: np.ndarray, alpha: float = OUTLIER_ALPHA) -> tuple[np.ndarray, float]:
    """Rows (date x interval) that abandoned far more than the pooled fit allows: an outage, agents
    called away, a staffing gap -- a different input, not a day of the same weekday and interval.

    A row is flagged when, at the pooled fit's ``p``, abandoning at least as many calls as it did
    has a probability below ``alpha`` over the rows (Bonferroni) under a count with the mean
    ``off x p`` and the variance ``phi x off x p x (1 - p)``: a negative binomial (binomial at
    ``phi`` 1), ``phi`` the dispersion of the rows with a similar expected count
    (:func:`_class_dispersion`). Returns the flags and the per-row tail probability they had to
    fall below.

    Abandoned calls come in clumps (a few long calls fill the queue and several callers hang up
    together), so an interval that expects 0.2 abandoned calls sees 4 far more often than a
    binomial says. The deviance residual over one robust dispersion for all rows (before) flagged
    about one row in every clean history of a busy centre (3 000 calls a day, 5 seeds: 9 rows, each
    history at least one, at a nominal 5 % family-wise): the pooled median of the squared residuals
    said 1-1.3 while the quiet rows' Pearson dispersion is about 2.5 (heavily loaded ones: 1.1),
    and the normal tail is far too thin for a clumped count of mean 0.2."""
    mu = off * np.clip(p, 1e-12, 1 - 1e-12)
    if len(mu) < 10:
        return np.zeros(len(mu), dtype=bool), 0.0
    level = alpha / len(mu)
    flag = np.zeros(len(mu), dtype=bool)
    for _ in range(10):
        phi = _class_dispersion(off, ab, p, flag)
        new = _upper_tail(ab, mu, p, phi) < level
        if (new == flag).all():
            break
        flag = new
    return flag, level


def _upper_tail(ab: np.ndarray, mu: np.ndarray, p: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """P(X >= ab) for a count of mean ``mu`` and variance ``phi x mu x (1 - p)``: a negative
    binomial of that mean and variance (binomial when it is not overdispersed)."""
    var = phi * mu * (1 - p)
    over = var > mu * (1 + 1e-9)
    out = np.ones(len(ab))
    n = np.rint(mu / np.maximum(p, 1e-12))
    out[~over] = stats.binom.sf(ab[~over] - 1, n[~over], p[~over])
    r = mu[over] ** 2 / (var[over] - mu[over])
    out[over] = stats.nbinom.sf(ab[over] - 1, r, r / (r + mu[over]))
    return out


def _class_dispersion(off: np.ndarray, ab: np.ndarray, p: np.ndarray, flagged: np.ndarray) -> np.ndarray:
    """Per row the Pearson dispersion of the rows with a similar expected count: the rows sorted
    by ``off x p`` in classes of at least :data:`DISPERSION_CLASS` rows, per class the mean squared
    Pearson residual of its rows not ``flagged`` (their largest :data:`DISPERSION_TRIM` share also
    left out while nothing is flagged yet: an outage cannot widen its own yardstick), at least 1."""
    mu = off * p
    r2 = _pearson(off, ab, p)
    order = np.argsort(mu, kind="stable")
    phi = np.ones(len(mu))
    first = not flagged.any()
    for rows in np.array_split(order, max(len(mu) // DISPERSION_CLASS, 1)):
        x = r2[rows][~flagged[rows]]
        if first:
            x = np.sort(x)[: max(int(np.ceil(len(x) * (1 - DISPERSION_TRIM))), 1)]
        if len(x):
            phi[rows] = max(float(x.mean()), 1.0)
    return phi


@dataclass
class _Fit:
    best: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    phi: float


def _pooled_fit(
    ll: np.ndarray,
    cell: np.ndarray,
    ncell: int,
    grid: np.ndarray,
    off: np.ndarray,
    ab: np.ndarray,
    p: np.ndarray,
    target: Target,
    keep: np.ndarray | None = None,
) -> _Fit:
    """Per cell: the maximum of the summed log-likelihood and the profile interval (with the
    dispersion factor of the Pearson residuals at the maxima); ``keep``: the rows in the fit."""
    keep = np.ones(len(cell), dtype=bool) if keep is None else keep
    s = np.zeros((ncell, ll.shape[1]))
    if target == "abandonment":
        # the cell's abandoned calls in total against the expected total over its days: the model
        # then abandons as many as the days did (a likelihood day by day weighs the quiet days'
        # steep Erlang A curve most and misses the total wherever the days' load shape differs)
        rows = np.flatnonzero(keep)
        member = sparse.csr_matrix((np.ones(len(rows)), (cell[rows], rows)), shape=(ncell, len(cell)))
        exp_ab = np.asarray(member @ (off[:, None] * p))
        o = np.bincount(cell[keep], weights=off[keep], minlength=ncell)[:, None]
        a = np.bincount(cell[keep], weights=ab[keep], minlength=ncell)[:, None]
        q = np.clip(exp_ab / np.maximum(o, 1e-12), 1e-12, 1 - 1e-12)
        s = a * np.log(q) + (o - a) * np.log1p(-q)
    else:
        np.add.at(s, cell[keep], ll[keep])
    j = s.argmax(axis=1)
    phi = 1.0
    if target == "abandonment":
        r = _pearson(off, ab, p[np.arange(len(cell)), j[cell]])[keep]
        dof = int(keep.sum()) - ncell
        if dof > 0:
            phi = max(float(r.sum() / dof), 1.0)
    ok = s >= s.max(axis=1, keepdims=True) - phi * CHI2_1
    lo = grid[ok.argmax(axis=1)]
    hi = grid[ok.shape[1] - 1 - ok[:, ::-1].argmax(axis=1)]
    return _Fit(grid[j], lo, hi, phi)


def effective_staffing(
    table: pd.DataFrame,
    step: int,
    aht_s: float,
    patience_s: float,
    balk: float = 0.0,
    regular_dates: pd.Series | None = None,
    target: Target = "abandonment",
    target_s: float = 90.0,
    bias: Bias | None = None,
    *,
    hours: Mapping[str, tuple[int, int] | None] | None = None,
    seen: pd.DataFrame | None = None,
    uncertainty: Uncertainty | None = None,
    handle_cv: float | None = None,
    busy: pd.DataFrame | None = None,
) -> StaffingEstimate:
    """Effective agents per weekday and interval (see the module docstring).

    ``bias`` (weekday, minute) -> the factor the simulation found on Erlang A's abandonment
    there and its log-scale SE (:mod:`sim.history.refine`); ``hours``: the opening hours per
    weekday (rows outside are not staffing rows); ``seen``: :func:`agents_answering`;
    ``uncertainty``: CI ends of the handle time and the patience to propagate; ``handle_cv``: the
    handle time's CV, for the work that spills from one interval into the next (:func:`busy_agents`);
    ``busy``: :func:`busy_from_calls`, the busy time itself (a call log), which then sets the lower bound."""
    t = table[table["offered"] > 0].reset_index(drop=True)
    t = t[_open_rows(t, hours)].reset_index(drop=True)
    wd = t["date"].dt.day_of_week.map(dict(enumerate(WEEKDAYS))).to_numpy()
    use = t["date"].isin(regular_dates).to_numpy() if regular_dates is not None else np.ones(len(t), dtype=bool)
    f = t[use].reset_index(drop=True)
    fwd = wd[use]
    keys = sorted({(w, int(m)) for w, m in zip(fwd, f["minute"], strict=True)}, key=lambda k: (WEEKDAYS.index(k[0]), k[1]))
    index = {k: i for i, k in enumerate(keys)}
    cell = np.array([index[(w, int(m))] for w, m in zip(fwd, f["minute"], strict=True)], dtype=int)
    ncell = len(keys)
    off = f["offered"].to_numpy(dtype=float)
    ab = f["abandoned"].to_numpy(dtype=float)
    wait = f["wait_all_s"].to_numpy(dtype=float)
    aht_row = f["aht_s"].fillna(aht_s).to_numpy(dtype=float)
    aht_row = np.where(aht_row > 0, aht_row, aht_s)
    carried = busy_agents(f, aht_row, step, handle_cv)
    if busy is not None and len(busy):  # a log's own busy time, call by call
        b = f[["date", "minute"]].merge(busy, on=["date", "minute"], how="left")["busy_s"].to_numpy(dtype=float)
        carried = np.nan_to_num(b) / (60.0 * step)
    lower = np.zeros(ncell)
    np.add.at(lower, cell, carried)
    days = np.bincount(cell, minlength=ncell).astype(float)
    lower = lower / np.maximum(days, 1)
    ab_cell = np.bincount(cell, weights=ab, minlength=ncell)
    upper = np.full(ncell, np.inf)
    upper_src = ""
    if seen is not None and len(seen):
        sm = f[["date", "minute"]].merge(seen, on=["date", "minute"], how="left")["seen"].to_numpy(dtype=float)
        u = np.full(ncell, -np.inf)
        np.maximum.at(u, cell, np.nan_to_num(sm, nan=-np.inf))
        upper = np.where(np.isfinite(u) & (u > 0), u, np.inf)
        upper_src = "the most agents seen answering calls on any day"
    elif "agents" in f.columns and f["agents"].notna().any():
        ag = f["agents"].to_numpy(dtype=float)
        med = pd.Series(ag).groupby(cell).median()
        upper = np.full(ncell, np.inf)
        upper[med.index.to_numpy()] = np.where(med.to_numpy() > 0, med.to_numpy(), np.inf)
        upper_src = "the agents logged in (median over the days)"
    upper = np.maximum(upper, np.ceil(lower * 10) / 10)
    a = off * aht_row / (60.0 * step)
    finite_up = upper[np.isfinite(upper)]
    top = int(np.ceil(max(float(np.nanmax(a + 6 * np.sqrt(a) + 6)) if len(a) else 1.0, float(finite_up.max()) if finite_up.size else 0.0)))
    grid = np.round(np.arange(0, top + 1 + 1e-9, STEP), 1)
    b_row = np.ones(len(f))
    b_se = np.zeros(len(f))
    if bias:
        br = [bias.get((w, int(m)), (1.0, 0.0)) for w, m in zip(fwd, f["minute"], strict=True)]
        b_row = np.array([x[0] for x in br])
        b_se = np.array([x[1] for x in br])

    keep = np.ones(len(f), dtype=bool)

    curves: dict[tuple[float, float], tuple[np.ndarray, np.ndarray]] = {}  # the refits change the rows or the bias, not Erlang A

    def fit(aht_scale: float = 1.0, pat: float = patience_s, bscale: np.ndarray | None = None) -> tuple[_Fit, np.ndarray]:
        if (aht_scale, pat) not in curves:
            k = _curves(off, step, aht_row * aht_scale, pat, balk, target_s, top, target)
            fine_p = _fine(k["p_abandon"], grid)
            curves[(aht_scale, pat)] = (fine_p, fine_p if target == "abandonment" else _fine(k["mean_wait_all_s"], grid))
        fine_p, kf = curves[(aht_scale, pat)]
        bb = b_row * (bscale if bscale is not None else 1.0)
        pf = fine_p * bb[:, None]
        # the abandonment target fits the cells' totals from pf (_pooled_fit); the day-by-day likelihood is the wait target's
        ll = _loglik(off, ab, wait, kf, target, bb) if target == "wait" else np.empty((0, 0))
        return _pooled_fit(ll, cell, ncell, grid, off, ab, pf, target, keep), pf

    main, pf = fit()
    tail_out = 0.0
    if target == "abandonment":  # rows far beyond the pooled fit (an outage) leave it; refit until none is new
        for _ in range(4):
            at = np.clip(np.rint(main.best / STEP).astype(int), 0, len(grid) - 1)
            flag, tail_out = staffing_outliers(off, ab, pf[np.arange(len(f)), at[cell]])
            new = keep & flag
            if not new.any():
                break
            keep &= ~flag
            main, pf = fit()
    ab_cell = np.bincount(cell, weights=ab * keep, minlength=ncell)
    best, lo, hi = main.best.copy(), main.lo.copy(), main.hi.copy()
    shifts = np.zeros(ncell)
    if uncertainty is not None and target == "abandonment":
        if uncertainty.aht_s is not None:
            ends = [fit(e / aht_s)[0].best for e in uncertainty.aht_s]
            shifts += ((ends[1] - ends[0]) / 2) ** 2
        if uncertainty.patience_s is not None and np.isfinite(patience_s):
            ends = [fit(1.0, e)[0].best for e in uncertainty.patience_s]
            shifts += ((ends[1] - ends[0]) / 2) ** 2
    if bias and target == "abandonment" and b_se.any():
        ends = [fit(bscale=np.exp(s * 1.959963984540054 * b_se))[0].best for s in (-1.0, 1.0)]
        shifts += ((ends[1] - ends[0]) / 2) ** 2
    lo = best - np.sqrt((best - lo) ** 2 + shifts)
    hi = best + np.sqrt((hi - best) ** 2 + shifts)
    width_ok = (hi - lo) <= MAX_REL_WIDTH * best + 1.0
    identified = (ab_cell >= MIN_ABANDONED) & width_ok & np.isfinite(hi)
    if target == "wait":
        identified = width_ok.copy()
    # fall back on the bounds where the data cannot tell
    cw = np.array([k[0] for k in keys])
    fallback = np.full(ncell, np.nan)
    if np.isfinite(upper).any() and seen is not None and len(seen):
        fallback = np.where(np.isfinite(upper), upper, np.nan)
    for w in set(cw):
        m = (cw == w) & identified
        occ = float(lower[m].sum() / best[m].sum()) if m.any() and best[m].sum() > 0 else np.nan
        if not np.isfinite(occ):
            m = identified
            occ = float(lower[m].sum() / best[m].sum()) if m.any() and best[m].sum() > 0 else np.nan
        need = (cw == w) & np.isnan(fallback)
        if np.isfinite(occ) and occ > 0:
            fallback[need] = lower[need] / occ
    fallback = np.where(np.isnan(fallback), np.maximum(best, lower), fallback)
    # the bound-based value stays within what the abandonment does say (the profile interval): few
    # abandoned calls leave the likelihood flat above some level, not silent about the level
    fallback = np.where(np.isfinite(lo) & np.isfinite(hi), np.clip(fallback, lo, hi), fallback)
    est = np.where(identified, best, fallback)
    lo = np.where(identified, lo, np.minimum(lo, est))
    hi = np.where(identified, hi, np.maximum(np.where(np.isfinite(upper), upper, hi), est))
    est = np.round(np.clip(est, lower, upper), 1)
    lo = np.round(np.clip(np.minimum(lo, est), np.floor(lower * 10) / 10, est), 1)
    hi = np.round(np.clip(np.maximum(hi, est), est, upper), 1)
    pooled = pd.DataFrame(
        {
            "weekday": cw,
            "minute": [k[1] for k in keys],
            "agents": est,
            "ci_low": lo,
            "ci_high": hi,
            "days": days.astype(int),
            "abandoned": ab_cell.astype(int),
            "lower_bound": np.round(lower, 2),
            "upper_bound": upper,
            "identified": identified,
            "mle": np.round(best, 1),
        }
    )
    pm = {k: i for i, k in enumerate(keys)}
    pi = np.array([pm.get((w, int(m)), -1) for w, m in zip(wd, t["minute"], strict=True)])
    has = pi >= 0
    pick = np.where(has, pi, 0)
    outlier = np.zeros(len(t), dtype=bool)
    outlier[np.flatnonzero(use)[~keep]] = True
    out = t.assign(
        agents_eff=np.where(has, est[pick], np.nan),
        eff_low=np.where(has, lo[pick], np.nan),
        eff_high=np.where(has, hi[pick], np.nan),
        outlier=outlier,
    )
    notes = []
    if (~keep).any():
        notes.append(
            f"effective staffing: {int((~keep).sum())} date-interval(s) abandoned far more than the same weekday and interval "
            f"on the other days allow (tail probability below {tail_out:.1e} under the overdispersed count of rows with a similar expected "
            f"count: Bonferroni {OUTLIER_ALPHA:.0%} over the rows): "
            "left out of the staffing fit as an outage or a staffing gap, not the planned staffing: "
            + _spans(f.loc[~keep, ["date", "minute"]], step)
        )
    un = pooled[~pooled["identified"]]
    if len(un):
        how = "the carried load at the occupancy of the identified cells"
        if seen is not None and len(seen):
            how = "the agents seen answering calls"
        notes.append(
            f"effective staffing: {len(un)} of {len(pooled)} weekday intervals have too few abandoned calls to identify the agents "
            f"(fewer than {MIN_ABANDONED}, or an interval wider than {MAX_REL_WIDTH:.0%} of the estimate): they use {how} instead: "
            + ", ".join(f"{r.weekday} {hhmm(int(r.minute))}" for r in un.head(12).itertuples())
            + (" …" if len(un) > 12 else "")
        )
    if upper_src:
        notes.append(f"effective staffing bounded below by the busy time within the interval and above by {upper_src}")
    src = "effective (Erlang A inversion" + (", simulation-corrected)" if bias else ")")
    return StaffingEstimate(pooled, out, src, target, main.phi, notes)


def _spans(rows: pd.DataFrame, step: int) -> str:
    """Date-intervals as runs: ``2026-08-26 10:00-12:00, ...``."""
    parts = []
    for d, g in rows.sort_values(["date", "minute"]).groupby("date"):
        m = g["minute"].to_numpy()
        starts = np.flatnonzero(np.diff(m, prepend=-10 * step) != step)
        ends = np.append(starts[1:], len(m)) - 1
        for a, b in zip(starts, ends, strict=True):
            lo, hi = int(m[a]), int(m[b]) + step
            parts.append(f"{pd.Timestamp(d):%Y-%m-%d} {hhmm(lo)}-{hhmm(hi)}")
    return ", ".join(parts)


def erlang_a_abandon(table: pd.DataFrame, agents: np.ndarray, step: int, aht_s: float, patience_s: float, balk: float) -> np.ndarray:
    """Erlang A abandonment probability of each row of an interval table at ``agents`` (a
    fractional count as a time-average)."""
    aht = table["aht_s"].fillna(aht_s).to_numpy()
    aht = np.where(aht > 0, aht, aht_s)
    r = erlang_a_time_average(table["offered"].to_numpy(), 60.0 * step, aht, agents.astype(float), patience_s)
    return np.asarray(balk * np.asarray(r["p_wait"]) + (1 - balk) * np.asarray(r["p_abandon"]))


def given_staffing(table: pd.DataFrame, staffing: pd.DataFrame) -> StaffingEstimate:
    """Use a planner's historical staffing CSV: ``date,interval_start,agents`` (per date) or
    ``weekday,interval_start,agents`` (per weekday)."""
    st = staffing.copy()
    st["minute"] = st["interval_start"].map(clock_minutes)  # a ValueError names the bad time
    t = table[table["offered"] > 0].reset_index(drop=True)
    wd = t["date"].dt.day_of_week.map(dict(enumerate(WEEKDAYS)))
    if "date" in st.columns:
        st["date"] = pd.to_datetime(st["date"])
        m = t.merge(st[["date", "minute", "agents"]], on=["date", "minute"], how="left")
        pooled = m.assign(weekday=wd).groupby(["weekday", "minute"])["agents"].mean().round(1).reset_index()
        agents = m["agents"].to_numpy()
    else:
        st["weekday"] = st["weekday"].astype(str).str.lower().str[:3]
        pooled = st[["weekday", "minute", "agents"]].copy()
        key = pooled.set_index(["weekday", "minute"])["agents"]
        agents = np.array([key.get((w, mm), np.nan) for w, mm in zip(wd, t["minute"], strict=True)], dtype=float)
    pooled["ci_low"] = pooled["ci_high"] = pooled["agents"]
    pooled["days"] = 0
    a = np.nan_to_num(agents.astype(float), nan=0.0)
    out = t.assign(agents_eff=a, eff_low=a, eff_high=a)
    return StaffingEstimate(pooled, out, "given (staffing CSV)", "given")

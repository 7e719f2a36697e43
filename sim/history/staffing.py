"""Effective staffing: the agents per interval that make the model reproduce what the queue did.

Interval reports and call logs rarely show how many agents were really on the phones. For
each interval the effective number ``n`` is found by maximum likelihood under Erlang A
(M/M/n+M with the calibrated mean handle time and patience; balkers added as
``b * P(wait)``): the abandoned calls are binomial with probability ``p_abandon(n)``
(``target="abandonment"``, the default), or ``n`` makes the model's mean wait of all
callers closest to the observed one (``target="wait"``).

Per weekday and interval the log-likelihoods of all regular days are summed (the pooled
table the scenario uses), with a profile-likelihood 95 % interval (``n`` within 1.92 of the
maximum). Per date and interval, the pooled value is clipped into that interval's own
likelihood interval: a day whose abandonment says otherwise gets its own value, a day
without information (no abandonment) keeps the pooled one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sim.analysis.erlang import erlang_a
from sim.schema import WEEKDAYS

Target = Literal["abandonment", "wait"]
CHI2_1 = 1.920729410347062  # half the 95 % quantile of chi-square(1)


@dataclass(frozen=True)
class StaffingEstimate:
    """``pooled``: weekday, minute, agents, ci_low, ci_high; ``per_interval``: the interval
    table with ``agents_eff``, ``eff_low``, ``eff_high``; ``source``: effective or given."""

    pooled: pd.DataFrame
    per_interval: pd.DataFrame
    source: str
    target: str


def _grid(
    table: pd.DataFrame, step: int, aht: np.ndarray, patience_s: float, balk: float, target_s: float
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    a = table["offered"].to_numpy() * aht / (60.0 * step)
    top = int(np.ceil(np.nanmax(a + 6 * np.sqrt(a) + 6))) if len(a) else 1
    n = np.arange(0, top + 1, dtype=float)
    r = erlang_a(table["offered"].to_numpy()[:, None], 60.0 * step, aht[:, None], n[None, :], patience_s, target_s)
    p_ab = balk * r.p_wait + (1 - balk) * r.p_abandon
    wait = (1 - balk) * r.mean_wait_all_s
    return n, {"p_abandon": np.asarray(p_ab), "mean_wait_all_s": np.asarray(wait)}


def _loglik(table: pd.DataFrame, k: dict[str, np.ndarray], target: Target, bias: np.ndarray | None = None) -> np.ndarray:
    off = table["offered"].to_numpy()[:, None]
    if target == "abandonment":
        p = k["p_abandon"] * (bias[:, None] if bias is not None else 1.0)
        p = np.clip(p, 1e-12, 1 - 1e-12)
        ab = table["abandoned"].to_numpy()[:, None]
        return ab * np.log(p) + (off - ab) * np.log1p(-p)
    w = (table["wait_all_s"].to_numpy() / np.maximum(table["offered"].to_numpy(), 1))[:, None]
    # Gaussian with the wait's sampling variance about (mean wait)^2 / offered, floored at 1 s^2
    var = np.maximum(k["mean_wait_all_s"] ** 2 + 1.0, 1.0) / np.maximum(off, 1)
    return -((w - k["mean_wait_all_s"]) ** 2) / (2 * var)


def _ci(ll: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    best = ll.argmax(axis=1)
    ok = ll >= ll.max(axis=1, keepdims=True) - CHI2_1
    lo = n[ok.argmax(axis=1)]
    hi = n[ok.shape[1] - 1 - ok[:, ::-1].argmax(axis=1)]
    return n[best], lo, hi


def effective_staffing(
    table: pd.DataFrame,
    step: int,
    aht_s: float,
    patience_s: float,
    balk: float = 0.0,
    regular_dates: pd.Series | None = None,
    target: Target = "abandonment",
    target_s: float = 90.0,
    bias: dict[tuple[str, int], float] | None = None,
) -> StaffingEstimate:
    """Effective agents per interval (see the module docstring). ``bias`` (weekday, minute) ->
    the factor the simulation found on Erlang A's abandonment probability there (see
    :mod:`sim.history.refine`)."""
    t = table[table["offered"] > 0].reset_index(drop=True)
    aht = t["aht_s"].fillna(aht_s).to_numpy()
    aht = np.where(aht > 0, aht, aht_s)
    n, k = _grid(t, step, aht, patience_s, balk, target_s)
    wd = t["date"].dt.day_of_week.map(dict(enumerate(WEEKDAYS)))
    b = np.array([bias.get((w, m), 1.0) for w, m in zip(wd, t["minute"], strict=True)]) if bias else None
    ll = _loglik(t, k, target, b)
    use = t["date"].isin(regular_dates) if regular_dates is not None else pd.Series(True, index=t.index)
    rows, keys = [], []
    for (w, m), idx in t[use.to_numpy()].groupby([wd[use], t.loc[use, "minute"]]).groups.items():
        s = ll[np.asarray(idx)].sum(axis=0, keepdims=True)
        best, lo, hi = _ci(s, n)
        rows.append((w, int(m), int(best[0]), int(lo[0]), int(hi[0]), len(idx)))
        keys.append((w, int(m)))
    pooled = pd.DataFrame(rows, columns=["weekday", "minute", "agents", "ci_low", "ci_high", "days"])
    best, lo, hi = _ci(ll, n)
    pool_map = pooled.set_index(["weekday", "minute"])["agents"]
    p = np.array([pool_map.get((w, m), np.nan) for w, m in zip(wd, t["minute"], strict=True)], dtype=float)
    p = np.where(np.isnan(p), best, p)
    out = t.assign(agents_eff=np.clip(p, lo, hi).astype(int), eff_low=lo.astype(int), eff_high=hi.astype(int), eff_mle=best.astype(int))
    order = {w: i for i, w in enumerate(WEEKDAYS)}
    pooled = pooled.sort_values(["weekday", "minute"], key=lambda s: s.map(order) if s.name == "weekday" else s).reset_index(drop=True)
    return StaffingEstimate(pooled, out, "effective (Erlang A inversion" + (", simulation-corrected)" if bias else ")"), target)


def erlang_a_abandon(table: pd.DataFrame, agents: np.ndarray, step: int, aht_s: float, patience_s: float, balk: float) -> np.ndarray:
    """Erlang A abandonment probability of each row of an interval table at ``agents``."""
    aht = table["aht_s"].fillna(aht_s).to_numpy()
    aht = np.where(aht > 0, aht, aht_s)
    r = erlang_a(table["offered"].to_numpy(), 60.0 * step, aht, agents.astype(float), patience_s)
    return np.asarray(balk * r.p_wait + (1 - balk) * r.p_abandon)


def given_staffing(table: pd.DataFrame, staffing: pd.DataFrame) -> StaffingEstimate:
    """Use a planner's historical staffing CSV: ``date,interval_start,agents`` (per date) or
    ``weekday,interval_start,agents`` (per weekday)."""
    st = staffing.copy()
    st["minute"] = (
        pd.to_datetime(st["interval_start"].astype(str).str.slice(0, 5), format="%H:%M").dt.hour * 60
        + pd.to_datetime(st["interval_start"].astype(str).str.slice(0, 5), format="%H:%M").dt.minute
    )
    t = table[table["offered"] > 0].reset_index(drop=True)
    wd = t["date"].dt.day_of_week.map(dict(enumerate(WEEKDAYS)))
    if "date" in st.columns:
        st["date"] = pd.to_datetime(st["date"])
        m = t.merge(st[["date", "minute", "agents"]], on=["date", "minute"], how="left")
        pooled = m.assign(weekday=wd).groupby(["weekday", "minute"])["agents"].median().round().astype(int).reset_index()
        agents = m["agents"].to_numpy()
    else:
        st["weekday"] = st["weekday"].astype(str).str.lower().str[:3]
        pooled = st[["weekday", "minute", "agents"]].copy()
        key = pooled.set_index(["weekday", "minute"])["agents"]
        agents = np.array([key.get((w, mm), np.nan) for w, mm in zip(wd, t["minute"], strict=True)], dtype=float)
    pooled["ci_low"] = pooled["ci_high"] = pooled["agents"]
    pooled["days"] = 0
    a = np.nan_to_num(agents, nan=0.0).astype(int)
    out = t.assign(agents_eff=a, eff_low=a, eff_high=a, eff_mle=a)
    return StaffingEstimate(pooled, out, "given (staffing CSV)", "given")

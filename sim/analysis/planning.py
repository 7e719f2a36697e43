"""Erlang staffing tables from a scenario's demand and handle time.

For every weekday the line is regularly open and every interval of its opening hours:
expected calls (the scenario's volume × weekday factor × profile), offered traffic, and the
fewest agents meeting the agreement's targets at once under Erlang C (no abandonment) and
Erlang A (exponential patience with the scenario's mean patience), then grossed up for
shrinkage. The targets come from ``scenario.targets``: service level ≥ ``service_level_min``
within ``threshold_s``, abandonment ≤ 1 − ``availability_min``, mean queue time of answered
calls ≤ ``asa_max_s``.

With failure demand on (``resolution.fcr`` below 1) the scenario's volume is the fresh demand;
the calls planned for are :func:`offered_calls`: the fresh calls plus the repeats in a steady
state (the repeats of earlier days arrive at the rate fresh matters make them, in all
:func:`phone_contacts_per_matter` calls per matter), placed in the day as the model places them
(:func:`repeat_landing`: the handled call's time of day moved on by the fraction of the working-day
delay; a repeat landing while the line is closed comes at the next opening, spread over its first
``demand.displaced_intervals`` intervals, which carry many). Abandoned calls are treated as
answered there (a small over-count when few callers hang up), and the repeats arriving on a date
are taken to come from dates with its hours.

Each interval's AHT is the scenario's mean handle time times its ``handling.by_interval``
factor. These formulas assume stationary Poisson arrivals within an interval, exponential handle
times (only the mean matters to them) and, for Erlang A, exponential patience with the
same mean as the scenario's patience. The simulation drops those assumptions.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable
from functools import lru_cache
from typing import cast

import numpy as np
import pandas as pd

from sim.analysis.erlang import ErlangAResult, required_agents
from sim.schema import WEEKDAYS, Scenario, hhmm, minutes
from sim.world.calendar import DayPlan
from sim.world.clock import clock_minutes
from sim.world.demand import interval_rates
from sim.world.distributions import Deterministic, Distribution, Empirical, Exponential, Gamma, LogNormal, make

PLAN_COLUMNS: tuple[str, ...] = (
    "weekday", "interval_start", "calls", "traffic_erlangs", "aht_s", "patience_s",
    "erlang_c_agents", "erlang_c_binding", "erlang_c_service_level", "erlang_c_asa_s",
    "erlang_a_agents", "erlang_a_binding", "erlang_a_service_level", "erlang_a_abandon",
    "erlang_a_asa_s", "erlang_c_scheduled", "erlang_a_scheduled",
)


def phone_contacts_per_matter(s: Scenario) -> float:
    """Expected phone calls per fresh matter under ``resolution``: an answered call leaves the
    matter unresolved with probability 1 − fcr (per case type, weighted by the case types'
    shares), the customer then calls again with probability 1 − ``case_share`` (else writes),
    up to ``max_contacts`` calls: Σ_{k < max_contacts} q^k with q = (1 − fcr)(1 − case_share).
    1.0 when failure demand is off."""
    r = s.resolution
    if not r.enabled:
        return 1.0
    total = 0.0
    for name, kind in s.transfers.case_types.items():
        q = (1.0 - r.share_of(name)) * (1.0 - r.case_share)
        total += kind.share * sum(q ** k for k in range(r.max_contacts))
    return total


def delay_cdf(d: Distribution, t: np.ndarray, left: bool = False) -> np.ndarray:
    """P(D ≤ t) of the repeat delay ``d`` in working days (P(D < t) with ``left``: they differ
    only at a point mass, of a deterministic or empirical delay)."""
    t = np.asarray(t, dtype=float)
    if isinstance(d, Empirical | Deterministic) or d.mean <= 0:
        v = np.asarray(d.values if isinstance(d, Empirical) else (max(d.mean, 0.0),), dtype=float)
        cmp = v[None, :] < t.reshape(-1, 1) if left else v[None, :] <= t.reshape(-1, 1)
        return np.asarray(cmp.mean(axis=1).reshape(t.shape), dtype=float)
    pos = np.maximum(t, 0.0)
    if isinstance(d, Exponential):
        return np.where(t > 0, -np.expm1(-pos / d.mean), 0.0)
    from scipy import special  # here, not at the top: only a gamma or lognormal delay needs it (start-up, issue 23 item 16)

    if isinstance(d, Gamma):
        shape = 1.0 / d.cv**2
        return np.where(t > 0, special.gammainc(shape, pos * shape / d.mean), 0.0)
    if isinstance(d, LogNormal):
        sigma = math.sqrt(math.log1p(d.cv**2))
        with np.errstate(divide="ignore"):
            return np.where(t > 0, special.ndtr((np.log(pos) - math.log(d.mean) + sigma**2 / 2) / sigma), 0.0)
    raise TypeError(f"no CDF for a repeat delay of type {type(d).__name__}")


def _delay_below(d: Distribution, t: np.ndarray) -> np.ndarray:
    """E[(t − D)⁺] = ∫₀ᵗ P(D ≤ u) du, the integral of :func:`delay_cdf`, in closed form."""
    t = np.asarray(t, dtype=float)
    pos = np.maximum(t, 0.0)
    if isinstance(d, Empirical | Deterministic) or d.mean <= 0:
        v = np.asarray(d.values if isinstance(d, Empirical) else (max(d.mean, 0.0),), dtype=float)
        return np.asarray(np.maximum(t.reshape(-1, 1) - v[None, :], 0.0).mean(axis=1).reshape(t.shape), dtype=float)
    if isinstance(d, Exponential):  # t − E[min(D, t)]
        return pos + d.mean * np.expm1(-pos / d.mean)
    from scipy import special  # only a gamma or lognormal delay needs it

    if isinstance(d, Gamma):  # t P(k, t/θ) − kθ P(k + 1, t/θ)
        shape = 1.0 / d.cv**2
        x = pos * shape / d.mean
        return np.asarray(pos * special.gammainc(shape, x) - d.mean * special.gammainc(shape + 1.0, x))
    if isinstance(d, LogNormal):  # t Φ(z) − E[D] Φ(z − σ), z = (ln t − μ)/σ
        sigma = math.sqrt(math.log1p(d.cv**2))
        with np.errstate(divide="ignore"):
            z = (np.log(pos) - math.log(d.mean) + sigma**2 / 2) / sigma
        return np.asarray(pos * special.ndtr(z) - d.mean * special.ndtr(z - sigma))
    raise TypeError(f"no CDF for a repeat delay of type {type(d).__name__}")


WHOLE_DAYS = 4096
"""Whole working days of the repeat delay summed exactly in :func:`_fraction_integral`; the
delay's tail beyond them (a long, heavy-tailed delay only) has its fraction of a day taken as
uniform, which it is to within the density's change over one day."""


def _fraction_integral(d: Distribution, x: np.ndarray) -> np.ndarray:
    """G(x) = ∫₋∞ˣ P(X ≤ y) dy for X = 1440 · frac(D) minutes, the delay's fraction of a day.

    P(X ≤ y) = Σₖ P(k ≤ D ≤ k + y/1440) for 0 ≤ y < 1440, so for 0 ≤ x ≤ 1440
    G(x) = Σₖ 1440 (E[(k + x/1440 − D)⁺] − E[(k − D)⁺]) − x P(D < k), and G grows by 1 a minute
    beyond 1440 (X < 1440)."""
    x = np.asarray(x, dtype=float)
    u = np.clip(x, 0.0, 1440.0) / 1440.0
    k = np.arange(WHOLE_DAYS, dtype=float)
    before_k = delay_cdf(d, k, left=True)
    whole = int(np.searchsorted(before_k, 1.0 - 1e-13)) + 1  # the days after which no delay (to 1e-13) is left
    k, before_k = k[:whole], before_k[:whole]
    below_k = _delay_below(d, k)
    g = np.zeros_like(u)
    for chunk in np.array_split(np.arange(k.size), max(1, k.size // 256)):
        kk = k[chunk][None, :]
        uu = u.reshape(-1, 1)
        part = 1440.0 * (_delay_below(d, kk + uu) - below_k[chunk][None, :] - uu * before_k[chunk][None, :])
        g += part.sum(axis=1).reshape(u.shape)
    tail = 1.0 - float(delay_cdf(d, np.array([float(k.size)]), left=True)[0])
    g += tail * 720.0 * u**2  # the tail's fraction uniform: ∫₀ˣ y/1440 dy
    return np.asarray(g + np.maximum(x - 1440.0, 0.0))


def _wrapped_share(d: Distribution, jitter_min: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """P(lo ≤ (X + V) mod 1440 < hi) for X of :func:`_fraction_integral` and V uniform on
    [0, ``jitter_min``), with 0 ≤ lo ≤ hi ≤ 1440 shifted by any whole days: the uniform V makes it
    (G(hi) − G(hi − s) − G(lo) + G(lo − s)) / s, summed over the days the sum X + V wraps."""
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    s = jitter_min
    edges = np.concatenate([lo + 1440.0 * m for m in range(-2, 3)] + [hi + 1440.0 * m for m in range(-2, 3)])
    points, where = np.unique(np.concatenate([edges, edges - s]), return_inverse=True)
    g = _fraction_integral(d, points)[where]
    n = edges.size
    g_e, g_s = g[:n], g[n:]
    mass = (g_e - g_s) / s  # P(X + V < edge)
    half = lo.size * 5
    return np.asarray((mass[half:] - mass[:half]).reshape(5, -1).sum(axis=0).reshape(lo.shape))


def repeat_landing(s: Scenario, starts: np.ndarray, opens: int, closes: int) -> np.ndarray:
    """``T[i, j]``: the share of the repeat contacts of calls arriving in interval ``i`` (starts
    ``starts``, the line open ``opens``..``closes`` minutes) that arrive in interval ``j``, by the
    model's rule (:func:`sim.model.resolution.after_working_days`): the call ends a handle time
    after it came, the customer calls again whole working days plus the delay's fraction of a
    day later; when the line is closed then, at the next opening, uniformly over its first
    ``demand.displaced_intervals`` intervals (:func:`sim.world.demand.route_to_opening`).

    In closed form: the time of day of the repeat is (start + mean handle time + V + X) mod 1440
    minutes, V uniform over the interval (the call's place in it), X the delay's fraction of a
    day (:func:`_wrapped_share`, from the delay's CDF and its integral). The share landing in
    the closed hours is spread over the opening's first intervals by their overlap."""
    starts = np.asarray(starts, dtype=float)
    delay = cast(Hashable, make(s.resolution.delay_days))  # the distributions are frozen dataclasses
    out = _landing(delay, s.demand.interval_min, s.demand.displaced_intervals,
                   s.handling.mean_handle_s / 60.0, tuple(starts.tolist()), opens, closes)
    return out.copy()


@lru_cache(maxsize=64)
def _landing(delay: Distribution, step: int, displaced: int, handle_min: float, start_list: tuple[float, ...],
             opens: int, closes: int) -> np.ndarray:
    """:func:`repeat_landing` of these inputs (the dates of a plan or follow-up share them)."""
    starts = np.asarray(start_list, dtype=float)
    inside = (starts >= opens) & (starts < closes)
    n = starts.size
    out = np.zeros((n, n))
    if not inside.any():
        return out
    # interval j holds the times of day in [edge j, edge j+1) of the open hours (the first and last catch the rest)
    edges = np.clip(starts[0] + step * np.arange(n + 1, dtype=float), opens, closes)
    edges[0], edges[-1] = opens, closes
    spread = min(step * displaced, closes - opens)
    moved = np.clip(np.minimum(edges[1:], opens + spread) - edges[:-1], 0.0, None) / spread
    rows = np.flatnonzero(inside)
    shift = (starts[rows] + handle_min)[:, None]  # (rows, 1)
    lo = np.broadcast_to(edges[:-1][None, :] - shift, (rows.size, n))
    hi = np.broadcast_to(edges[1:][None, :] - shift, (rows.size, n))
    land = _wrapped_share(delay, float(step), lo.ravel(), hi.ravel()).reshape(rows.size, n)
    land = np.clip(land, 0.0, None)
    closed = np.clip(1.0 - land.sum(axis=1, keepdims=True), 0.0, None)
    out[rows] = land + closed * moved[None, :]
    return out


def offered_calls(s: Scenario, p: DayPlan, volume: float) -> tuple[np.ndarray, np.ndarray]:
    """(interval start in minutes, expected calls offered) of date ``p`` whose fresh demand is
    ``volume``: :func:`sim.world.demand.interval_rates`, plus the failure demand's repeat calls
    in a steady state (Σ over case types of share × Σ_{k < max_contacts} q^k · c Tᵏ, ``T`` of
    :func:`repeat_landing`, q = (1 − fcr)(1 − case_share)). The fresh calls alone when ``fcr`` is 1."""
    starts, fresh = interval_rates(s, p, volume)
    r = s.resolution
    if not r.enabled or p.opens is None or p.closes is None:
        return starts, fresh
    opens, closes = minutes(p.opens), minutes(p.closes)
    inside = (starts >= opens) & (starts < closes)
    land = repeat_landing(s, starts, opens, closes)
    total = np.zeros_like(fresh)
    for name, kind in s.transfers.case_types.items():
        q = (1.0 - r.share_of(name)) * (1.0 - r.case_share)
        gen = np.where(inside, fresh, 0.0)
        for k in range(r.max_contacts):
            total += kind.share * q ** k * gen
            gen = gen @ land
    return starts, np.where(inside, total, fresh)


def _weekday_rows(s: Scenario) -> pd.DataFrame:
    """Expected calls per interval of each weekday's regular opening hours (:func:`offered_calls`)."""
    rows = []
    for wd, name in enumerate(WEEKDAYS):
        hours = s.calendar.hours_of(wd)
        if hours is None:
            continue
        # a representative regular day of that weekday (the date only selects the weekday)
        day = dt.date(2024, 1, 1) + dt.timedelta(days=wd)
        plan = DayPlan(day, hours.opens, hours.closes, hours.opens, hours.closes, "open", False)
        volume = s.demand.volume * s.demand.weekday_factor[name] if s.demand.volume_per == "day" else np.nan  # type: ignore[index]
        starts, calls = offered_calls(s, plan, volume)
        inside = (starts >= minutes(hours.opens)) & (starts < minutes(hours.closes))
        for m, c in zip(starts[inside], calls[inside], strict=True):
            rows.append({"weekday": name, "interval_start": hhmm(int(m)), "calls": float(c)})
    return pd.DataFrame(rows, columns=["weekday", "interval_start", "calls"])


def erlang_plan(s: Scenario, shrinkage: float = 0.0) -> pd.DataFrame:
    """Per weekday × interval: calls, traffic and the Erlang C and Erlang A staffing.

    ``*_agents`` are agents on the phones (what the simulation's staffing table means);
    ``*_scheduled`` = ``ceil(agents / (1 − shrinkage))`` are agents to roster.
    """
    if s.demand.volume_per != "day":
        raise ValueError("erlang_plan needs demand.volume_per: day (calls per day with weekday factor 1)")
    frame = _weekday_rows(s)
    interval_s = 60.0 * s.demand.interval_min
    # the interval's AHT: the mean handle time times its handling.by_interval factor (1 without one)
    start_min = frame["interval_start"].map(clock_minutes)
    aht = s.handling.mean_handle_s * start_min.map(s.handling.factor_at).to_numpy(dtype=float)
    patience = np.inf if s.patience.infinite else s.patience.as_distribution().mean_value
    t = s.targets
    common = {
        "calls": frame["calls"].to_numpy(), "interval_s": interval_s, "aht_s": aht,
        "sl_target": t.service_level_min, "target_s": t.threshold_s, "max_asa_s": t.asa_max_s,
        "shrinkage": shrinkage,
    }
    c = required_agents(model="erlang_c", max_abandon=None, **common)
    a = required_agents(model="erlang_a", patience_s=patience, max_abandon=1.0 - t.availability_min, **common)
    assert isinstance(a.kpis, ErlangAResult)  # model='erlang_a'
    out = frame.assign(
        traffic_erlangs=np.asarray(c.kpis.traffic),
        aht_s=aht,
        patience_s=patience,
        erlang_c_agents=np.asarray(c.agents),
        erlang_c_binding=np.asarray(c.binding),
        erlang_c_service_level=np.asarray(c.kpis.service_level),
        erlang_c_asa_s=np.asarray(c.kpis.asa_s),
        erlang_a_agents=np.asarray(a.agents),
        erlang_a_binding=np.asarray(a.binding),
        erlang_a_service_level=np.asarray(a.kpis.service_level),
        erlang_a_abandon=np.asarray(a.kpis.p_abandon),
        erlang_a_asa_s=np.asarray(a.kpis.asa_s),
        erlang_c_scheduled=np.asarray(c.agents_gross),
        erlang_a_scheduled=np.asarray(a.agents_gross),
    )
    return out[list(PLAN_COLUMNS)]


def table_file_frame(plan: pd.DataFrame, model: str = "erlang_a") -> pd.DataFrame:
    """The plan as a ``staffing.table_file`` CSV frame (weekday, interval_start, agents)."""
    col = f"{model}_agents"
    return plan[["weekday", "interval_start", col]].rename(columns={col: "agents"})


def binding_summary(plan: pd.DataFrame) -> pd.DataFrame:
    """How often each target decides the staffing, per model (share of intervals)."""
    parts = []
    for model in ("erlang_c", "erlang_a"):
        share = plan[f"{model}_binding"].value_counts(normalize=True)
        parts.append(pd.DataFrame({"model": model, "binding": share.index, "share": share.to_numpy()}))
    return pd.concat(parts, ignore_index=True)

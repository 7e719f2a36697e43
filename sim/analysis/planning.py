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

import numpy as np
import pandas as pd

from sim.analysis.erlang import ErlangAResult, required_agents
from sim.schema import WEEKDAYS, Scenario, hhmm, minutes
from sim.world.calendar import DayPlan
from sim.world.clock import clock_minutes
from sim.world.demand import interval_rates
from sim.world.distributions import make

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


REPEAT_DRAWS = 20_000
"""Draws of the repeat delay (fixed seed) behind :func:`repeat_landing`'s shares."""


def repeat_landing(s: Scenario, starts: np.ndarray, opens: int, closes: int) -> np.ndarray:
    """``T[i, j]``: the share of the repeat contacts of calls arriving in interval ``i`` (starts
    ``starts``, the line open ``opens``..``closes`` minutes) that arrive in interval ``j``, by the
    model's rule (:func:`sim.model.resolution.after_working_days`): the call ends a handle time
    after it came, the customer calls again whole working days plus the delay's fraction of a
    day later; when the line is closed then, at the next opening, uniformly over its first
    ``demand.displaced_intervals`` intervals (:func:`sim.world.demand.route_to_opening`)."""
    step = s.demand.interval_min
    rng = np.random.default_rng(0)
    frac = np.modf(make(s.resolution.delay_days).sample(rng, REPEAT_DRAWS))[0] * 1440.0
    jitter = step * rng.random(REPEAT_DRAWS) + s.handling.mean_handle_s / 60.0
    inside = (starts >= opens) & (starts < closes)
    n = starts.size
    out = np.zeros((n, n))
    if not inside.any():
        return out
    # a contact while closed comes at the next opening, uniformly over its first displaced intervals
    moved = opens + rng.random(REPEAT_DRAWS) * min(step * s.demand.displaced_intervals, closes - opens)
    for i in np.flatnonzero(inside):
        tod = (starts[i] + jitter + frac) % 1440.0
        tod = np.where((tod >= opens) & (tod < closes), tod, moved)
        j = np.clip(((tod - starts[0]) // step).astype(int), 0, n - 1)
        out[i] = np.bincount(j, minlength=n)
    return out / REPEAT_DRAWS


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

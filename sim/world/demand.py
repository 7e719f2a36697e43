"""Demand: non-homogeneous Poisson arrivals and every call's attributes, drawn up front.

The potential demand of a date is ``volume × weekday factor × day factor × profile weight``
per interval (a piecewise-constant rate, so Poisson counts per interval with uniform times
are exact). On a closed red day the weekday factor is scaled by ``demand.closed_day_factor``.
Potential callers who ring while the line is closed (after a 15:00 closing, on a holiday,
before opening) call again at the next opening with probability ``demand.displaced_share``,
spread uniformly over its first ``demand.displaced_intervals`` intervals.

Every potential call's talk, hold and wrap time, patience and logging flag are drawn from
their own per-date streams whether or not the call is finally offered, so changing the
staffing or a closing time leaves all other calls identical (common random numbers). With
``handling.by_interval`` the talk, hold and wrap of an offered call are then multiplied by the
factor of the interval it arrives in (:func:`scale_handling`; no draw is added).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sim.errors import ScenarioError
from sim.schema import WEEKDAYS, Scenario, minutes
from sim.world.calendar import DayPlan, day_plans
from sim.world.distributions import make
from sim.world.streams import Streams

DAY_S = 86400.0


FEATURE_FIELDS: tuple[str, ...] = (
    "case", "first_talk", "handover", "first_wrap", "prefer_callback", "blind_patience",
    "callback_accept", "callback_answer_u", "repeat", "balk_u",
)


@dataclass(frozen=True)
class Calls:
    """Offered calls sorted by arrival; times in seconds since the run's origin (midnight of
    ``run.start``).

    The feature fields are drawn only when the feature is on (else zeros / False):
    ``case`` (index into ``transfers.case_types``), ``first_talk``/``handover``/``first_wrap``
    (transfer timings), ``prefer_callback`` (warm transfer declined in favour of a case),
    ``blind_patience``, ``callback_accept`` (would accept a callback offer),
    ``callback_answer_u`` (uniforms deciding whether each callback attempt is answered,
    shape calls × max attempts), ``repeat`` (would call again after abandoning) and ``balk_u``
    (a uniform: the caller balks, finding no free agent, if it is below ``patience.balk_share``).
    """

    arrival: np.ndarray
    talk: np.ndarray
    hold: np.ndarray
    wrap: np.ndarray
    patience: np.ndarray
    logged: np.ndarray
    closes_at: np.ndarray
    displaced: np.ndarray
    case: np.ndarray
    first_talk: np.ndarray
    handover: np.ndarray
    first_wrap: np.ndarray
    prefer_callback: np.ndarray
    blind_patience: np.ndarray
    callback_accept: np.ndarray
    callback_answer_u: np.ndarray
    repeat: np.ndarray
    balk_u: np.ndarray

    def __len__(self) -> int:
        return int(self.arrival.size)

    @property
    def handle(self) -> np.ndarray:
        """Talk + hold + wrap."""
        return self.talk + self.hold + self.wrap


@dataclass(frozen=True)
class _Potential:
    t: np.ndarray
    attrs: dict[str, np.ndarray]
    ordinal: int


def _day_weight(s: Scenario, p: DayPlan) -> float:
    f = s.demand.weekday_factor[WEEKDAYS[p.date.weekday()]]  # type: ignore[index]
    return f * s.demand.closed_day_factor if p.red else f


def daily_volumes(s: Scenario, plans: list[DayPlan]) -> np.ndarray:
    """Expected potential calls of each date before the day-level random factor."""
    w = np.array([_day_weight(s, p) for p in plans])
    if s.demand.volume_per == "day":
        return s.demand.volume * w
    out = np.empty_like(w)
    for (y, m) in {(p.date.year, p.date.month) for p in plans}:
        first = dt.date(y, m, 1)
        last = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
        month_w = sum(_day_weight(s, p) for p in day_plans(s.calendar, first, last))
        idx = [k for k, p in enumerate(plans) if (p.date.year, p.date.month) == (y, m)]
        out[idx] = s.demand.volume * w[idx] / month_w if month_w > 0 else 0.0
    return out


def interval_rates(s: Scenario, p: DayPlan, volume: float) -> tuple[np.ndarray, np.ndarray]:
    """(interval start in minutes, expected calls) of a date's demand profile."""
    weights = np.asarray(s.demand.weights_for(p.date.weekday()), dtype=float)
    starts = minutes(s.demand.profile_start) + s.demand.interval_min * np.arange(weights.size)
    return starts, volume * weights / weights.sum()


def _potential_day(s: Scenario, streams: Streams, p: DayPlan, k: int, volume: float) -> _Potential:
    o = p.date.toordinal()
    if s.demand.day_cv > 0 and volume > 0:
        shape = 1.0 / s.demand.day_cv**2
        volume *= streams.rng("day_factor", o).gamma(shape, 1.0 / shape)
    starts, lam = interval_rates(s, p, volume)
    rng = streams.rng("arrivals", o)
    counts = rng.poisson(lam) if s.demand.arrival_counts == "poisson" else np.rint(lam).astype(np.int64)
    n = int(counts.sum())
    t = k * DAY_S + 60.0 * (np.repeat(starts, counts) + s.demand.interval_min * rng.random(n))
    t.sort()
    h = s.handling
    attrs = {
        "talk": make(h.talk).sample(streams.rng("talk", o), n),
        "hold": make(h.hold).sample(streams.rng("hold", o), n),
        "wrap": make(h.wrap).sample(streams.rng("wrap", o), n),
        "patience": make(s.patience).sample(streams.rng("patience", o), n),
        "logged": streams.rng("logging", o).random(n) < h.logging_share,
        **feature_draws(s, streams, o, n),
    }
    return _Potential(t, attrs, o)


def feature_draws(s: Scenario, streams: Streams, ordinal: int, n: int) -> dict[str, np.ndarray]:
    """Per-call draws for callbacks, transfers and repeats, each from its own stream."""
    tr, cb, rp = s.transfers, s.callbacks, s.repeats
    out: dict[str, np.ndarray] = {
        "case": np.zeros(n, dtype=np.int64), "first_talk": np.zeros(n), "handover": np.zeros(n),
        "first_wrap": np.zeros(n), "prefer_callback": np.zeros(n, dtype=bool), "blind_patience": np.zeros(n),
        "callback_accept": np.zeros(n, dtype=bool), "callback_answer_u": np.zeros((n, cb.max_attempts)),
        "repeat": np.zeros(n, dtype=bool), "balk_u": np.ones(n),
    }
    if tr.policy != "off":
        rng = streams.rng("transfer", ordinal)
        shares = np.array([c.share for c in tr.case_types.values()])
        out["case"] = np.minimum(np.searchsorted(np.cumsum(shares), rng.random(n), side="right"), shares.size - 1)
        out["prefer_callback"] = rng.random(n) < tr.prefer_callback_share
        out["first_talk"] = make(tr.first_talk).sample(rng, n)
        out["handover"] = make(tr.handover).sample(rng, n)
        out["first_wrap"] = make(tr.first_wrap).sample(rng, n)
        out["blind_patience"] = make(tr.blind_patience).sample(rng, n)
    if cb.enabled:
        rng = streams.rng("callback", ordinal)
        out["callback_accept"] = rng.random(n) < cb.accept_share
        out["callback_answer_u"] = rng.random((n, cb.max_attempts))
    if rp.enabled:
        out["repeat"] = streams.rng("repeat", ordinal).random(n) < rp.probability
    if s.patience.balk_share > 0:
        out["balk_u"] = streams.rng("balk", ordinal).random(n)
    return out


def open_periods(plans: list[DayPlan]) -> tuple[np.ndarray, np.ndarray]:
    """(opens, closes) in seconds since the origin of every opening of the consecutive day
    ``plans``. A day closing at 24:00 whose next day opens at 00:00 does not close: the two
    are one opening (the line is open through midnight)."""
    opens: list[float] = []
    closes: list[float] = []
    for k, p in enumerate(plans):
        if p.opens is not None and p.closes is not None:
            o, c = k * DAY_S + 60.0 * minutes(p.opens), k * DAY_S + 60.0 * minutes(p.closes)
            if closes and closes[-1] == o:
                closes[-1] = c
                continue
            opens.append(o)
            closes.append(c)
    return np.asarray(opens, dtype=float), np.asarray(closes, dtype=float)


def _period_of(t: np.ndarray, opens: np.ndarray, closes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the open period whose start is the last at or before t, and whether t is in it."""
    j = np.searchsorted(opens, t, side="right") - 1
    inside = (j >= 0) & (t < closes[np.clip(j, 0, None)])
    return j, inside


def route_to_opening(
    t: np.ndarray, u: np.ndarray, opens: np.ndarray, closes: np.ndarray, spread_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where callers ringing at times ``t`` get through: a call while the line is open stays;
    one while it is closed moves to the next opening, at ``u`` (uniform in [0, 1)) of the way
    through its first ``spread_s`` seconds. Returns (time, open period, was open, an opening
    exists); the time and period are meaningful only where the call was open or one exists."""
    j, inside = _period_of(t, opens, closes)
    nxt = np.clip(j + 1, 0, opens.size - 1)
    moved_t = opens[nxt] + u * np.minimum(spread_s, closes[nxt] - opens[nxt])
    return np.where(inside, t, moved_t), np.where(inside, j, j + 1), inside, inside | (j + 1 < opens.size)


MAX_CALLS = 20_000_000
"""Most potential calls (expected) one run may draw: every call costs memory in the model."""


def _check_size(s: Scenario, volumes: np.ndarray) -> None:
    expected = float(volumes.sum())
    if not expected <= MAX_CALLS:
        raise ScenarioError(
            f"Invalid scenario: demand.volume: {s.demand.volume:g} calls per {s.demand.volume_per} over {s.run.start} to "
            f"{s.run.end} means about {expected:.3g} potential calls, more than the {MAX_CALLS:,} one run may draw; "
            "lower demand.volume (or the weekday factors) or shorten the run."
        )


def generate(s: Scenario, streams: Streams, plans: list[DayPlan]) -> Calls:
    """All offered calls of the run, sorted by arrival time."""
    opens, closes = open_periods(plans)
    if opens.size == 0:
        return _assemble([], s)
    volumes = daily_volumes(s, plans)
    _check_size(s, volumes)
    step_s = 60.0 * s.demand.interval_min
    day_factors = s.handling.day_factors(s.demand.interval_min)
    factors = None if day_factors is None else np.asarray(day_factors, dtype=float)
    parts: list[dict[str, np.ndarray]] = []
    for k, p in enumerate(plans):
        pot = _potential_day(s, streams, p, k, float(volumes[k]))
        rng = streams.rng("displaced", pot.ordinal)
        u_keep, u_when = rng.random(pot.t.size), rng.random(pot.t.size)
        t, period, inside, reachable = route_to_opening(pot.t, u_when, opens, closes, s.demand.displaced_intervals * step_s)
        moved = ~inside & reachable & (u_keep < s.demand.displaced_share)
        keep = inside | moved
        part = {name: a[keep] for name, a in pot.attrs.items()}
        part["arrival"] = t[keep]
        part["closes_at"] = closes[period[keep]]
        part["displaced"] = moved[keep]
        if factors is not None:
            scale_handling(part, factors, step_s)
        parts.append(part)
    return _assemble(parts, s)


def scale_handling(part: dict[str, np.ndarray], factors: np.ndarray, step_s: float) -> None:
    """``handling.by_interval``: multiply the talk, hold and wrap of each call by the factor of
    the interval of the day it arrives in (after a displaced caller's move to the opening).
    Nothing is drawn, so every random stream stays as it is."""
    idx = np.minimum((part["arrival"] % DAY_S // step_s).astype(np.int64), factors.size - 1)
    f = factors[idx]
    for name in ("talk", "hold", "wrap"):
        part[name] = part[name] * f


def _assemble(parts: list[dict[str, np.ndarray]], s: Scenario | None = None) -> Calls:
    names = ("arrival", "talk", "hold", "wrap", "patience", "logged", "closes_at", "displaced", *FEATURE_FIELDS)
    if not parts:
        empty = {n: np.empty(0) for n in names}
        empty["logged"] = empty["displaced"] = np.empty(0, dtype=bool)
        empty["case"] = np.empty(0, dtype=np.int64)
        for flag in ("prefer_callback", "callback_accept", "repeat"):
            empty[flag] = np.empty(0, dtype=bool)
        empty["callback_answer_u"] = np.empty((0, s.callbacks.max_attempts if s else 1))
        return Calls(**empty)
    cols = {n: np.concatenate([p[n] for p in parts]) for n in names}
    order = np.argsort(cols["arrival"], kind="stable")
    return Calls(**{n: cols[n][order] for n in names})

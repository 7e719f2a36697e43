"""Demand: Poisson counts, profile shape, overdispersion and displaced callers.

Tolerances are confidence bounds: z = 3.29 is the two-sided 99.9 % normal quantile, so each
check fails by chance about once in a thousand runs (the seeds are fixed, so never in CI
unless the behaviour changes).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.schema import minutes
from sim.world.calendar import day_plans
from sim.world.demand import daily_volumes, generate, interval_rates
from sim.world.streams import Streams

Z = 3.29  # 99.9 % two-sided


def expected_counts(s: sim.Scenario) -> tuple[float, float]:
    """(expected calls in open time, expected potential calls in closed time that have a
    later opening within the run to come back to)."""
    plans = day_plans(s.calendar, s.run.start, s.run.end)
    vols = daily_volumes(s, plans)
    open_days = [k for k, p in enumerate(plans) if p.opens is not None]
    last_open = open_days[-1] if open_days else -1
    open_, closed = 0.0, 0.0
    for k, (p, v) in enumerate(zip(plans, vols, strict=True)):
        starts, lam = interval_rates(s, p, float(v))
        ends = starts + s.demand.interval_min
        if p.opens is None:
            closed += lam.sum() if k < last_open else 0.0
            continue
        o, c = minutes(p.opens), minutes(p.closes)
        before = np.clip((np.minimum(ends, o) - starts) / s.demand.interval_min, 0, 1)
        after = np.clip((ends - np.maximum(starts, c)) / s.demand.interval_min, 0, 1)
        open_ += (lam * (1 - before - after)).sum()
        closed += (lam * before).sum() + ((lam * after).sum() if k < last_open else 0.0)
    return open_, closed


def test_offered_calls_match_poisson_mean(variant) -> None:
    s = variant(**{"run.start": "2026-11-01", "run.end": "2026-12-31", "demand.displaced_share": 0.0})
    n = len(generate(s, Streams(1), day_plans(s.calendar, s.run.start, s.run.end)))
    mean, _ = expected_counts(s)
    assert abs(n - mean) < Z * math.sqrt(mean), (n, mean)


def test_intraday_shape_follows_profile(variant) -> None:
    s = variant(**{"run.start": "2027-02-01", "run.end": "2027-03-31", "demand.volume": 600.0})
    calls = sim.simulate(s, seed=2).calls
    counts = calls["arrival"].dt.floor("30min").dt.strftime("%H:%M").value_counts().sort_index()
    weights = np.asarray(s.demand.weights_for(0), dtype=float)
    expected = weights / weights.sum() * counts.sum()
    chi2, p = stats.chisquare(counts.to_numpy(), expected)
    assert p > 0.001, (chi2, p)


def test_day_level_overdispersion(variant) -> None:
    cv = 0.3
    s = variant(**{"run.start": "2027-01-01", "run.end": "2027-12-31", "demand.day_cv": cv,
                   "demand.weekday_factor": {d: 1.0 for d in ("mon", "tue", "wed", "thu", "fri")} | {"sat": 0.0, "sun": 0.0},
                   "calendar.early_close": None})
    calls = generate(s, Streams(9), day_plans(s.calendar, s.run.start, s.run.end))
    plans = {p.date: p for p in day_plans(s.calendar, s.run.start, s.run.end)}
    day = pd.Series(pd.to_datetime("2027-01-01") + pd.to_timedelta(calls.arrival, unit="s")).dt.date
    regular = [d for d, p in plans.items() if p.reason == "open"]
    n = day[~calls.displaced].value_counts().reindex(regular, fill_value=0).to_numpy()
    lam = s.demand.volume
    var = lam + (lam * cv) ** 2  # Poisson-gamma mixture
    # sample variance CI: Var(s²) ≈ σ⁴ (2/(k−1) + κ/k), κ the excess kurtosis (≈ gamma's 6 cv²)
    k = n.size
    kappa = 6 * cv**2 * ((lam * cv) ** 2 / var) ** 2
    se = var * math.sqrt(2 / (k - 1) + kappa / k)
    assert abs(n.var(ddof=1) - var) < Z * se, (n.var(ddof=1), var, se)
    assert n.var(ddof=1) > 5 * lam, "much more variable than Poisson"


def test_displaced_callers_come_back_at_next_opening(variant) -> None:
    share = 0.6
    s = variant(**{"run.start": "2026-12-01", "run.end": "2026-12-31", "demand.displaced_share": share,
                   "demand.closed_day_factor": 0.5})
    calls = sim.simulate(s, seed=21).calls
    moved = calls[calls["displaced"]]
    # where: the first displaced_intervals of an opening
    window = pd.Timedelta(minutes=s.demand.interval_min * s.demand.displaced_intervals)
    opens = calls["closes_at"].map(
        dict(zip(sim.opening_hours(s)["closes"], sim.opening_hours(s)["opens"], strict=False))
    )
    assert ((moved["arrival"] >= opens[moved.index]) & (moved["arrival"] < opens[moved.index] + window)).all()
    # how many: a thinned Poisson of the closed-time demand that has a later opening in the run
    _, closed = expected_counts(s)
    mean = share * closed
    assert abs(len(moved) - mean) < Z * math.sqrt(mean), (len(moved), mean)
    first_after_xmas = calls[calls["arrival"].dt.date == pd.Timestamp("2026-12-28").date()]
    assert first_after_xmas["displaced"].sum() > 50


def test_month_volume_spreads_over_the_month(variant) -> None:
    s = variant(**{"demand.volume_per": "month", "demand.volume": 12000.0,
                   "run.start": "2026-12-01", "run.end": "2026-12-31"})
    plans = day_plans(s.calendar, s.run.start, s.run.end)
    assert daily_volumes(s, plans).sum() == pytest.approx(12000.0)


def test_profile_from_csv(variant, tmp_path) -> None:
    rows = [{"date": "2026-11-02", "interval_start": f"{h:02d}:{m:02d}", "calls": 10 + h}
            for h in range(8, 17) for m in (0, 30)]
    path = tmp_path / "history.csv"
    pd.DataFrame(rows + rows).to_csv(path, index=False)
    s = sim.load_scenario("tiny", [f"demand.profile_file={path}", "demand.profile=null"])
    w = s.demand.weights_for(1)
    assert len(w) == 18 and w[0] == 36.0 and w[-1] == 52.0

"""Forecast accuracy on a synthetic series with known trend, weekly and yearly seasonality."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from sim.history.forecast import KINDS_FIT, METHODS, backtest, plan_days
from sim.scenario.compose import load_scenario

WF = {"mon": 1.2, "tue": 1.05, "wed": 1.0, "thu": 0.95, "fri": 0.8, "sat": 0.0, "sun": 0.0}


def series(seed: int = 11, base: float = 500.0) -> tuple[pd.DataFrame, np.ndarray]:
    """Three years of weekday volumes: 500 x weekday x (1 + 0.2 cos(yearly)) x 4 %/year trend,
    15:00 days at 70 %, Poisson noise; closed days by the Swedish calendar."""
    cal = load_scenario("default").calendar
    days = plan_days(cal, pd.Timestamp("2024-01-01"), pd.Timestamp("2026-12-31"))
    t = (days["date"] - days["date"].min()).dt.days.to_numpy()
    mu = (
        base
        * days["weekday"].map(WF).to_numpy()
        * (1 + 0.2 * np.cos(2 * np.pi * days["date"].dt.day_of_year.to_numpy() / 365.25))
        * (1 + 0.04 * t / 365.25)
    )
    mu = mu * np.where(days["kind"].eq("early"), 0.7, 1.0) * np.where(days["kind"].eq("closed"), 0.0, 1.0)
    rng = np.random.default_rng(seed)
    days["offered"] = rng.poisson(mu).astype(float)
    days["outlier"] = False
    return days, mu


def _mape_ratio(table: pd.DataFrame, method: str, reference: str) -> tuple[float, float, int]:
    """(MAPE of ``method`` / MAPE of ``reference``, its delta-method standard error, days) over the
    back-test's scored days (the kinds it fits, observed > 0, every method forecast)."""
    s = table[table["kind"].isin(KINDS_FIT) & ~table["outlier"] & (table["observed"] > 0) & table[list(METHODS)].notna().all(axis=1)]
    a = (s[method] - s["observed"]).abs().to_numpy() / s["observed"].to_numpy()
    b = (s[reference] - s["observed"]).abs().to_numpy() / s["observed"].to_numpy()
    r = float(a.mean() / b.mean())
    return r, float(np.std(a - r * b, ddof=1) / np.sqrt(len(a)) / b.mean()), len(a)


@pytest.fixture(scope="module")
def result():
    days, mu = series()
    return backtest(days, holdout_days=91), days, mu


def test_regression_beats_seasonal_naive_and_reaches_the_noise_floor(result) -> None:
    bt, days, mu = result
    s = bt.scores.set_index("method")
    assert bt.best == "regression"
    # regression beats seasonal naive: the ratio of their MAPEs R = ā / b̄ (a, b the days' absolute
    # percentage errors, paired) is below 1 at one-sided 99.9 % (z 3.09), its standard error by the
    # delta method √(var(a − R b) / n) / b̄ (days independent: Poisson noise; the weekly lag of the
    # naive errors' linearised terms has a negative autocovariance here, so this is conservative).
    # The 91 held-out days are too few for that (n = 58, SE 0.10): a held-out year, n = 228, SE 0.035
    # (was: relative_to_naive < 0.75 on the 91 days)
    year = backtest(days, holdout_days=364)
    r, se, n = _mape_ratio(year.table, "regression", "seasonal_naive")
    assert n > 200 and r == pytest.approx(year.scores.set_index("method").loc["regression", "relative_to_naive"])
    assert r + NormalDist().inv_cdf(0.999) * se < 1, (r, se, n)
    # the noise floor: a forecast equal to the true mean still errs by E|X - mu| / mu ~ sqrt(2 / (pi mu))
    test = bt.table[
        bt.table["kind"].isin(("regular", "early", "after_closure"))
        & bt.table[["seasonal_naive", "same_as_last_year", "regression"]].notna().all(axis=1)
    ]
    true_mu = pd.Series(mu, index=days["date"]).reindex(test["date"]).to_numpy()
    floor = 100 * np.mean(np.sqrt(2 / (np.pi * true_mu)))
    assert s.loc["regression", "mape"] < 1.5 * floor, (s, floor)


def test_same_as_last_year_beats_seasonal_naive(result) -> None:
    s = result[0].scores.set_index("method")
    assert s.loc["same_as_last_year", "mape"] < s.loc["seasonal_naive", "mape"]


def test_prediction_interval_coverage(result) -> None:
    bt = result[0]
    n = int(bt.scores["days"].iloc[0])
    # 95 % intervals over n held-out days: the covered share is within a binomial 99.9 % band
    half = 3.29 * np.sqrt(0.95 * 0.05 / n)
    assert 0.95 - half <= bt.coverage <= 1.0, (bt.coverage, n)


def test_too_short_history_is_refused() -> None:
    days, _ = series()
    with pytest.raises(ValueError, match="more than a year"):
        backtest(days[days["date"] >= "2026-01-01"])

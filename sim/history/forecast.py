"""Daily volume forecasts and their back-test on a held-out stretch of history.

Three methods, each a function of the history's days (:func:`sim.history.demand.day_kinds`)
and the calendar of the dates to forecast:

``seasonal_naive``     the same weekday 52 weeks earlier (364 days), when that was a day of
                       the same kind; the yardstick the others are judged against
``same_as_last_year``  the agreement's rule ("samma volym som år 2021"): last year's calls
                       of the same month per unit of day weight, spread over this year's days
                       by weekday factor and day kind -- so a month with one more holiday or
                       15:00 day gets correspondingly fewer calls, holiday by holiday
``regression``         statsmodels OLS on log daily calls: linear trend, weekday dummies,
                       yearly Fourier terms (3 harmonics) and day-kind dummies (15:00 day,
                       first day after a closure), with prediction intervals
                       (``exp`` of the log-scale interval; the mean carries the lognormal
                       smearing factor ``exp(s²/2)``)

:func:`backtest` fits on the history before a held-out stretch (default the last 91 days)
and reports each method's MAPE over the held-out open days on which every method has a
value, and its ratio to the seasonal-naive MAPE; the regression's interval coverage too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from sim.history.demand import kinds_of
from sim.schema import WEEKDAYS, CalendarConfig
from sim.world.calendar import day_plans

KINDS_FIT = ("regular", "early", "after_closure")
METHODS = ("seasonal_naive", "same_as_last_year", "regression")


@dataclass(frozen=True)
class Backtest:
    """Held-out comparison: ``table`` (date, observed, one column per method, pi_low/high),
    ``scores`` (method, mape, relative_to_naive, days) and the ``best`` method."""

    table: pd.DataFrame
    scores: pd.DataFrame
    best: str
    coverage: float


def plan_days(cal: CalendarConfig, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Calendar of dates to forecast: date, weekday, kind (regular/early/after_closure/closed)."""
    plans = day_plans(cal, start.date(), end.date())
    rows = [(pd.Timestamp(p.date), WEEKDAYS[p.date.weekday()], kind) for p, kind in zip(plans, kinds_of(plans), strict=True)]
    return pd.DataFrame(rows, columns=["date", "weekday", "kind"])


def _usable(days: pd.DataFrame) -> pd.DataFrame:
    return days[days["kind"].isin(KINDS_FIT) & ~days["outlier"] & (days["offered"] > 0)]


def _weights(history: pd.DataFrame) -> tuple[dict[str, float], dict[str, float]]:
    """Weekday factors and day-kind multipliers (relative to a regular day) of the history."""
    u = _usable(history)
    reg = u[u["kind"] == "regular"]
    wmean = reg.groupby("weekday")["offered"].mean()
    base = float(wmean.mean()) if len(wmean) else 1.0
    wf = {w: float(wmean.get(w, 0.0)) / base for w in WEEKDAYS}
    kf = {"regular": 1.0, "closed": 0.0}
    for k in ("early", "after_closure"):
        sub = u[u["kind"] == k]
        expect = sub["weekday"].map(wmean)
        kf[k] = float((sub["offered"] / expect).mean()) if len(sub) and expect.notna().all() else 1.0
    return wf, kf


def seasonal_naive(history: pd.DataFrame, target: pd.DataFrame) -> pd.Series:
    """The same weekday 364 days earlier, if it was of the same kind and not an outlier."""
    h = history.set_index("date")
    prev = target["date"] - pd.Timedelta(days=364)
    val = h["offered"].reindex(prev).to_numpy()
    same = (h["kind"].reindex(prev).to_numpy() == target["kind"].to_numpy()) & ~h["outlier"].reindex(prev).fillna(True).to_numpy().astype(
        bool
    )
    return pd.Series(np.where(same & (target["kind"] != "closed").to_numpy(), val, np.nan), index=target.index)


def same_as_last_year(history: pd.DataFrame, target: pd.DataFrame) -> pd.Series:
    """Last year's same-month calls per unit of day weight, times each target day's weight."""
    wf, kf = _weights(history)
    weight = lambda d: d["weekday"].map(wf) * d["kind"].map(kf).fillna(1.0)  # noqa: E731
    h = history[~history["kind"].isin(("unplanned", "missing", "excluded"))].assign(w=weight(history))
    h = h[~h["outlier"]]
    per_w = h.groupby(h["date"].dt.to_period("M")).apply(lambda g: g["offered"].sum() / g["w"].sum() if g["w"].sum() > 0 else np.nan)
    last = (target["date"].dt.to_period("M") - 12).map(per_w)
    return pd.Series((last * weight(target)).to_numpy(dtype=float), index=target.index)


def _design(d: pd.DataFrame, t0: pd.Timestamp, yearly: bool) -> pd.DataFrame:
    x = pd.DataFrame(index=d.index)
    x["const"] = 1.0
    x["trend"] = (d["date"] - t0).dt.days / 365.25
    for w in WEEKDAYS[1:]:
        x[f"wd_{w}"] = (d["weekday"] == w).astype(float)
    if yearly:
        doy = 2 * np.pi * d["date"].dt.day_of_year / 365.25
        for k in (1, 2, 3):
            x[f"sin{k}"], x[f"cos{k}"] = np.sin(k * doy), np.cos(k * doy)
    x["early"] = (d["kind"] == "early").astype(float)
    x["after_closure"] = (d["kind"] == "after_closure").astype(float)
    return x


def regression(history: pd.DataFrame, target: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """OLS on log calls; returns mean, pi_low, pi_high and the log-scale sd per target day."""
    u = _usable(history)
    t0 = u["date"].min()
    yearly = (u["date"].max() - t0).days >= 330
    x = _design(u, t0, yearly)
    x = x.loc[:, (x != 0).any(axis=0)]
    fit = sm.OLS(np.log(u["offered"].to_numpy()), x).fit()
    xt = _design(target, t0, yearly).reindex(columns=x.columns, fill_value=0.0)
    pr = fit.get_prediction(xt).summary_frame(alpha=alpha)
    sd = (pr["obs_ci_upper"] - pr["obs_ci_lower"]) / (2 * 1.959963984540054)
    open_ = (target["kind"] != "closed").to_numpy()
    out = pd.DataFrame(
        {
            "mean": np.exp(pr["mean"] + sd**2 / 2),
            "pi_low": np.exp(pr["obs_ci_lower"]),
            "pi_high": np.exp(pr["obs_ci_upper"]),
            "log_sd": sd,
        },
        index=target.index,
    )
    out[~open_] = np.nan
    out.loc[~open_, ["mean", "pi_low", "pi_high"]] = 0.0
    return out


def forecast(history: pd.DataFrame, target: pd.DataFrame) -> pd.DataFrame:
    """Every method's daily forecast for ``target`` (see the module docstring)."""
    reg = regression(history, target)
    return target.assign(
        seasonal_naive=seasonal_naive(history, target),
        same_as_last_year=same_as_last_year(history, target),
        regression=reg["mean"],
        pi_low=reg["pi_low"],
        pi_high=reg["pi_high"],
        log_sd=reg["log_sd"],
    )


def mape(obs: np.ndarray, pred: np.ndarray) -> float:
    """Mean absolute percentage error (%)."""
    return float(100 * np.mean(np.abs(pred - obs) / obs))


def backtest(days: pd.DataFrame, holdout_days: int = 91) -> Backtest:
    """Fit on the history before the last ``holdout_days`` days, score on them."""
    span = (days["date"].max() - days["date"].min()).days + 1
    if span < 364 + 28 + holdout_days:
        raise ValueError(
            f"a forecast back-test needs more than a year of history before the held-out {holdout_days} days "
            f"(at least {364 + 28 + holdout_days} days); the history has {span} days"
        )
    cut = days["date"].max() - pd.Timedelta(days=holdout_days - 1)
    train, test = days[days["date"] < cut], days[days["date"] >= cut]
    target = test[["date", "weekday", "kind"]].reset_index(drop=True)
    f = forecast(train, target)
    f["observed"] = test["offered"].to_numpy()
    f["outlier"] = test["outlier"].to_numpy()
    ok = f["kind"].isin(KINDS_FIT) & ~f["outlier"] & (f["observed"] > 0) & f[list(METHODS)].notna().all(axis=1)
    s = f[ok]
    scores = pd.DataFrame(
        [(m, mape(s["observed"].to_numpy(), s[m].to_numpy()), len(s)) for m in METHODS], columns=["method", "mape", "days"]
    )
    scores["relative_to_naive"] = scores["mape"] / float(scores.loc[scores["method"] == "seasonal_naive", "mape"].iloc[0])
    cands = scores[scores["method"] != "seasonal_naive"]
    best = str(cands.loc[cands["mape"].idxmin(), "method"])
    cover = float(((s["observed"] >= s["pi_low"]) & (s["observed"] <= s["pi_high"])).mean())
    return Backtest(f, scores, best, cover)

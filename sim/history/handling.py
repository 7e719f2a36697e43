"""Handle time: talk, hold and after-call work fitted per part.

Each part of the answered calls is fitted as lognormal, gamma and exponential by maximum
likelihood and the family with the highest log-likelihood is chosen (all three have few
parameters; the exponential's single one is a special case of the gamma). A part with
zeros (hold is often 0) cannot be lognormal or gamma: it is kept empirical. The scenario
gets the chosen family with the sample mean and CV (consistent under any family); their
CIs are bootstrap intervals over calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.history.estimate import Estimate, bootstrap

PARTS: tuple[str, ...] = ("talk_s", "hold_s", "wrap_s")
EMPIRICAL_VALUES = 400
MAX_FIT = 50_000  # calls used for the likelihood fit (a random subset beyond this)


@dataclass(frozen=True)
class PartFit:
    """One handle-time part: the chosen family, mean and CV with CIs, log-likelihoods."""

    part: str
    dist: str
    mean: Estimate
    cv: Estimate
    loglik: dict[str, float]
    values: np.ndarray
    quantiles: list[float]

    def config(self) -> dict[str, object]:
        """The scenario's ``handling.<part>`` entry."""
        if self.dist == "empirical":
            return {"dist": "empirical", "values": self.quantiles}
        if self.dist == "exponential":
            return {"dist": "exponential", "mean": round(self.mean.value, 2)}
        return {"dist": self.dist, "mean": round(self.mean.value, 2), "cv": round(self.cv.value, 4)}


def _logliks(x: np.ndarray) -> dict[str, float]:
    logs = np.log(x)
    mu, sd = logs.mean(), logs.std()
    out = {"lognormal": float(stats.norm.logpdf(logs, mu, sd).sum() - logs.sum())}
    a, _, scale = stats.gamma.fit(x, floc=0.0)
    out["gamma"] = float(stats.gamma.logpdf(x, a, 0.0, scale).sum())
    out["exponential"] = float(stats.expon.logpdf(x, 0.0, x.mean()).sum())
    return out


def fit_part(x: np.ndarray, part: str, rng: np.random.Generator) -> PartFit:
    """Fit one part (seconds of answered calls)."""
    x = x[np.isfinite(x)]
    if x.size < 10:
        raise ValueError(f"too few answered calls ({x.size}) to fit {part}")
    qs = [round(float(v), 2) for v in np.quantile(x, (np.arange(EMPIRICAL_VALUES) + 0.5) / EMPIRICAL_VALUES)]
    sub = x if x.size <= MAX_FIT else rng.choice(x, MAX_FIT, replace=False)
    lo, hi, se = bootstrap(sub, lambda v: float(v.mean()), rng, b=300)
    mean = Estimate(f"{part}.mean", float(x.mean()), lo, hi, se, "s", "sample mean (bootstrap CI)")
    cvf = lambda v: float(v.std(ddof=1) / v.mean()) if v.mean() > 0 else float("nan")  # noqa: E731
    lo, hi, se = bootstrap(sub, cvf, rng, b=300)
    cv = Estimate(f"{part}.cv", cvf(x), lo, hi, se, "", "sample CV (bootstrap CI)")
    if (x <= 0).any() or x.mean() == 0 or np.ptp(x) == 0:  # zeros or no spread (a fixed wrap timer): no parametric fit
        return PartFit(part, "empirical", mean, cv, {}, x, qs)
    ll = _logliks(sub)
    return PartFit(part, max(ll, key=ll.__getitem__), mean, cv, ll, x, qs)


def fit_handling(calls: pd.DataFrame, seed: int = 0, scale: np.ndarray | None = None) -> dict[str, PartFit]:
    """Fit talk, hold and wrap of the answered calls of a call log.

    ``scale`` (one per answered call: its interval's time-of-day factor, see
    :mod:`sim.history.aht`): each part is fitted to the times divided by it and rescaled to the
    sample mean, so the family and the CV are those within an interval -- the model multiplies
    its draws by the factor again -- and the mean is the data's."""
    rng = np.random.default_rng(seed)
    ans = calls[calls["fate"].eq("answered")]
    out = {}
    for p in PARTS:
        x = ans[p].to_numpy(dtype=float)
        if scale is not None:
            y = x / scale
            ok = np.isfinite(x)
            my = float(y[ok].mean()) if ok.any() else 0.0
            x = y * (float(x[ok].mean()) / my) if my > 0 else x
        out[p] = fit_part(x, p, rng)
    return out

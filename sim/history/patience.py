"""Patience from censored waits, the balking share, and patience from an interval report.

An answered caller's wait is a right-censored patience (they would have waited at least that
long); an abandoned caller's wait is their patience. Callers who hang up at once when told
to queue (wait <= ``balk_s``) are the **balking** share: among the callers who found no
agent free, the share who left immediately (Wilson CI), less the patient callers who hang up
that soon. A log cannot show who found an agent free: an answer at 0 s is taken as one, and
the queued callers answered so soon that they look the same are estimated from the answers
just after. How soon depends on the resolution of the waits (:func:`observed`): an ACD export
with stamps to the second gives waits in whole seconds (inferred by :func:`wait_tick`), where
a queued caller answered within a second shows 0 s with probability 1 - w and a patient
caller counts as a balker up to a true wait of ``balk_s + 1`` s. The patience of the others
is estimated from the callers who waited:

* exponential MLE: mean patience = total time waited / abandonments, with the CI
  ``exp(±1.96/sqrt(d))`` for ``d`` abandonments (the censored-exponential likelihood);
* Kaplan-Meier: statsmodels' ``SurvfuncRight``, with Greenwood CIs. (``lifelines`` is the
  usual tool but pins pandas < 3, which this project needs; statsmodels is already a
  dependency and gives the same product-limit estimate.)

From an interval report alone there are no per-call waits: for exponential patience
``P(abandon) = mean wait of all callers / mean patience`` (flow balance), so the mean
patience is total waiting time / abandonments summed over the intervals (the ratio
estimator of the regression of abandonment on mean wait through the origin), with a
bootstrap CI over days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.duration.survfunc import SurvfuncRight

from sim.analysis.stats import wilson
from sim.history.estimate import Z95, Estimate, bootstrap

BALK_S = 1.0
"""A caller who abandons within this many seconds of queueing counts as balking."""
RESOLUTION_S = 0.5
"""An answered caller who waited at most this long found an agent free (exports round times)."""
KM_VALUES = 400


@dataclass(frozen=True)
class PatienceEstimate:
    """Balking share, exponential MLE and the Kaplan-Meier curve of the non-balkers."""

    balk: Estimate
    exp_mean: Estimate
    km: pd.DataFrame | None
    km_median: Estimate | None
    values: list[float] | None
    abandoned: int
    waited: int

    def estimates(self) -> list[Estimate]:
        """The scalar estimates."""
        return [e for e in (self.balk, self.exp_mean, self.km_median) if e is not None]


def kaplan_meier(time: np.ndarray, event: np.ndarray) -> pd.DataFrame:
    """Kaplan-Meier survival of patience: ``time``, ``survival``, ``ci_low``, ``ci_high``,
    ``at_risk``, ``events`` at each distinct event time (Greenwood, log-log CI)."""
    sf = SurvfuncRight(np.asarray(time, dtype=float), np.asarray(event, dtype=int))
    se = sf.surv_prob_se
    s = sf.surv_prob
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = np.log(-np.log(s))
        half = Z95 * se / (s * np.abs(np.log(s)))
        low = np.exp(-np.exp(ll + half))
        high = np.exp(-np.exp(ll - half))
    return pd.DataFrame(
        {
            "time": sf.surv_times,
            "survival": s,
            "ci_low": np.nan_to_num(low, nan=0.0),
            "ci_high": np.nan_to_num(high, nan=1.0),
            "at_risk": sf.n_risk,
            "events": sf.n_events,
        }
    )


def km_values(km: pd.DataFrame, tail_mean: float, n: int = KM_VALUES, last_time: float | None = None, skip: float = 0.0) -> list[float]:
    """``n`` equally spaced quantiles of the KM patience distribution (an empirical patience).
    Beyond the last observed wait the KM curve stops above 0 and the data say nothing about that
    mass: it gets an exponential tail beyond the last wait whose mean is chosen so that the whole
    distribution's mean equals ``tail_mean`` (the censored-data MLE the report prints), so the
    patience the model draws has the estimated mean. When that is impossible (no mass beyond the
    last wait, or the observed part alone already has a larger mean) the tail's mean is
    ``tail_mean`` itself. ``skip``: leave out the lowest share of the mass (the balkers, who go
    to ``patience.balk_share``)."""
    p = skip + (1.0 - skip) * (np.arange(n) + 0.5) / n
    f = 1.0 - km["survival"].to_numpy()
    t = km["time"].to_numpy()
    idx = np.searchsorted(f, p, side="left")
    out = np.empty(n)
    inside = idx < t.size
    out[inside] = t[idx[inside]]
    last_t, last_f = (t[-1], f[-1]) if t.size else (0.0, 0.0)
    last_t = max(last_t, last_time) if last_time is not None else last_t
    tail_p = (p[~inside] - last_f) / max(1.0 - last_f, 1e-12)
    e = -np.log1p(-tail_p)
    tau = tail_mean
    if e.size and e.sum() > 0 and math.isfinite(tail_mean):
        fit = (n * tail_mean - out[inside].sum() - e.size * last_t) / e.sum()
        if fit > 0:
            tau = fit
    out[~inside] = last_t + tau * e
    return [round(float(v), 2) for v in out]


@dataclass(frozen=True)
class Observed:
    """What a call log shows of who found an agent free, given the resolution of its waits."""

    tick_s: float
    """Resolution of the waits: 0 exact; 1 when they are differences of stamps to the second."""
    found_free: np.ndarray
    """Answered callers who look as if they found an agent free."""
    hidden: float
    """Expected queued callers among ``found_free`` (answered so soon they look found-free)."""
    window_s: float
    """A patient caller is counted a balker with P = 1 - exp(-window_s / mean patience)."""


def wait_tick(wait: np.ndarray) -> float:
    """1.0 when every wait is a whole number of seconds (an export's stamps to the second), else 0
    (waits taken as exact)."""
    w = wait[np.isfinite(wait)]
    return 1.0 if w.size and bool(np.all(w == np.round(w))) else 0.0


def observed(wait: np.ndarray, answered: np.ndarray, balk_s: float, resolution_s: float, tick_s: float) -> Observed:
    """Who looks found-free and how many queued callers hide among them; the balking window.

    Near 0 the wait density of queued, answered callers is flat (``g`` per second). With exact
    waits the callers answered within ``resolution_s`` look found-free; as many again are answered
    in the next ``resolution_s``, so that count estimates them, and a patient caller is counted a
    balker if they hang up within ``balk_s``. With stamps truncated to ``tick_s`` (the difference
    of two such stamps: ``floor(w)`` or ``floor(w) + tick`` with probability ``frac(w)``) a caller
    with true wait ``w < tick`` shows 0 with probability ``1 - w``: ``g tick / 2`` of them look
    found-free, while ``g tick`` show one tick, so half the one-tick count estimates them; and a
    patient caller shows at most ``balk_s`` with P 1 for ``w < balk_s``, falling linearly to 0 at
    ``balk_s + tick``: an effective window of ``balk_s + tick / 2`` (for ``balk_s`` a whole
    number of ticks).
    """
    if tick_s <= 0:
        found_free = answered & (wait <= resolution_s)
        hidden = float((answered & (wait > resolution_s) & (wait <= 2 * resolution_s)).sum())
        return Observed(0.0, found_free, hidden, balk_s)
    found_free = answered & (wait < tick_s / 2)
    one = answered & (wait > tick_s / 2) & (wait < 1.5 * tick_s)
    return Observed(tick_s, found_free, float(one.sum()) / 2, math.floor(balk_s / tick_s + 1e-9) * tick_s + tick_s / 2)


def estimate_patience(
    calls: pd.DataFrame, balk_s: float = BALK_S, resolution_s: float = RESOLUTION_S, tick_s: float | None = None
) -> PatienceEstimate:
    """Patience and balking from a call log (``wait_s``, ``fate``). ``tick_s``: the resolution of
    the waits (None: inferred by :func:`wait_tick`)."""
    wait = calls["wait_s"].to_numpy(dtype=float)
    ab = calls["fate"].eq("abandoned").to_numpy()
    balked = ab & (wait <= balk_s)
    obs = observed(wait, ~ab, balk_s, resolution_s, wait_tick(wait) if tick_s is None else tick_s)
    found_free = obs.found_free
    nb, nq = int(balked.sum()), int((~found_free).sum()) + obs.hidden
    # A patient caller also hangs up within the window now and then (P = 1 - exp(-window / mean)):
    # those are not balkers. Iterate: balkers B -> mean patience of the rest -> corrected share.
    d_all, total = int(ab.sum()), float(wait.sum())  # balkers add no waiting time
    raw = float(nb / nq) if nq else 0.0
    share, eps = raw, 0.0
    for _ in range(5):
        d = d_all - share * nq
        tau = total / d if d > 0 else float("inf")
        eps = -math.expm1(-obs.window_s / tau)  # P(exponential patience < window)
        share = max((raw - eps) / (1 - eps), 0.0)
    n_wilson = max(int(round(nq)), 1)
    lo, hi = wilson(np.array([nb]), np.array([n_wilson]))
    lo_c, hi_c = (max((float(x) - eps) / (1 - eps), 0.0) for x in (lo[0], hi[0]))
    balk = Estimate(
        "balking_share",
        share,
        lo_c,
        hi_c,
        float(np.sqrt(raw * (1 - raw) / n_wilson)) / (1 - eps),
        "",
        _balk_method(balk_s, resolution_s, obs),
    )
    d = d_all - share * nq
    mean = total / d if d > 0 else float("inf")
    f = np.exp(Z95 / np.sqrt(d)) if d > 0 else float("nan")
    exp_mean = Estimate(
        "patience.exp_mean",
        mean,
        mean / f,
        mean * f,
        mean / np.sqrt(d) if d > 0 else float("nan"),
        "s",
        "exponential MLE of the non-balkers: total time waited / (abandonments - balkers)",
    )
    queued = ~found_free
    km = km_median = values = None
    if d >= 5:
        # KM over every caller who found no agent free: its drop at 0 is the balkers, so its
        # quantiles above the balking share are the others' patience (the scenario's empirical
        # patience, next to patience.balk_share).
        km = kaplan_meier(wait[queued], ab[queued])
        sf = SurvfuncRight(wait[queued], ab[queued].astype(int))
        med = float(sf.quantile(0.5))
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                mlo, mhi = sf.quantile_ci(0.5)
        except (ValueError, IndexError):
            mlo, mhi = float("nan"), float("nan")
        km_median = Estimate(
            "patience.km_median",
            med,
            float(mlo),
            float(mhi) if mhi is not None else float("inf"),
            unit="s",
            method="Kaplan-Meier median patience, balkers included (statsmodels SurvfuncRight)",
        )
        values = km_values(km, mean, last_time=float(wait[queued].max()), skip=share)
    return PatienceEstimate(balk, exp_mean, km, km_median, values, int(d_all), int(queued.sum()))


def _balk_method(balk_s: float, resolution_s: float, obs: Observed) -> str:
    if obs.tick_s <= 0:
        free = f"answered later than {resolution_s:g} s or hung up, plus as many as were answered in the next {resolution_s:g} s"
    else:
        free = f"answered after 0 s or hung up, plus half the callers answered at {obs.tick_s:g} s (waits to the {obs.tick_s:g} s)"
    return (
        f"immediate hang-ups (wait <= {balk_s:g} s) / callers who found no agent free ({free}), less the patient callers' "
        f"own share {obs.window_s:g} s / mean patience (Wilson CI)"
    )


def patience_from_intervals(table: pd.DataFrame, seed: int = 0) -> Estimate:
    """Mean exponential patience from an interval table: total wait / abandonments."""
    daily = table.groupby("date")[["wait_all_s", "abandoned"]].sum()
    daily = daily[daily["abandoned"] + daily["wait_all_s"] > 0]
    v = daily.to_numpy()
    ratio = lambda x: float(x[:, 0].sum() / x[:, 1].sum()) if x[:, 1].sum() > 0 else float("nan")  # noqa: E731
    lo, hi, se = bootstrap(v, ratio, np.random.default_rng(seed))
    return Estimate(
        "patience.exp_mean",
        ratio(v),
        lo,
        hi,
        se,
        "s",
        "interval report: total waiting time / abandonments (P(abandon) = mean wait / mean patience; bootstrap over days)",
    )

"""Patience from censored waits, the balking share, and patience from an interval report.

An answered caller's wait is a right-censored patience (they would have waited at least that
long); an abandoned caller's wait is their patience. Callers who hang up at once when told
to queue (wait <= ``balk_s``) are the **balking** share: among the callers who found no
agent free (all but those answered within ``balk_s``), the share who left immediately
(Wilson CI). The patience of the others is estimated from the callers who waited:

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
    Beyond the last observed wait the KM curve stops above 0; that mass gets an exponential
    tail with the MLE mean (memoryless, so it continues the curve's hazard). ``skip``: leave out the lowest share of the mass (the balkers,
    who go to ``patience.balk_share``)."""
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
    out[~inside] = last_t - tail_mean * np.log1p(-tail_p)
    return [round(float(v), 2) for v in out]


def estimate_patience(calls: pd.DataFrame, balk_s: float = BALK_S, resolution_s: float = RESOLUTION_S) -> PatienceEstimate:
    """Patience and balking from a call log (``wait_s``, ``fate``)."""
    wait = calls["wait_s"].to_numpy(dtype=float)
    ab = calls["fate"].eq("abandoned").to_numpy()
    balked = ab & (wait <= balk_s)
    found_free = ~ab & (wait <= resolution_s)
    # Queued callers answered within resolution_s look like callers who found an agent free; as
    # many again are answered in the next resolution_s (the wait density is flat near 0), so the
    # count in (r, 2r] estimates them and is added back to the callers who found no agent free.
    hidden = int((~ab & (wait > resolution_s) & (wait <= 2 * resolution_s)).sum())
    nb, nq = int(balked.sum()), int((~found_free).sum()) + hidden
    # A patient caller also hangs up within balk_s now and then (P ~ balk_s / mean patience):
    # those are not balkers. Iterate: balkers B -> mean patience of the rest -> corrected share.
    d_all, total = int(ab.sum()), float(wait.sum())  # balkers add no waiting time
    raw = nb / nq if nq else 0.0
    share, eps = raw, 0.0
    for _ in range(5):
        d = d_all - share * nq
        tau = total / d if d > 0 else float("inf")
        eps = balk_s / tau
        share = max((raw - eps) / (1 - eps), 0.0)
    lo, hi = wilson(np.array([nb]), np.array([max(nq, 1)]))
    lo_c, hi_c = (max((float(x) - eps) / (1 - eps), 0.0) for x in (lo[0], hi[0]))
    balk = Estimate(
        "balking_share",
        share,
        lo_c,
        hi_c,
        float(np.sqrt(raw * (1 - raw) / max(nq, 1))) / (1 - eps),
        "",
        f"immediate hang-ups (wait <= {balk_s:g} s) / callers who found no agent free (answered later than "
        f"{resolution_s:g} s or hung up, plus as many as were answered in the next {resolution_s:g} s), "
        "less the patient callers' own share balk_s / mean patience (Wilson CI)",
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

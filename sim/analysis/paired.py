"""Statistics of replications run with common random numbers: summaries against the targets
and paired differences to a baseline.

Every scenario of a comparison is run with the same replication seeds, so replication ``k``
of two scenarios sees the same callers wherever their demand is the same and the differences
``d_k = x_k(scenario) − x_k(baseline)`` are a paired sample: the 95 % confidence interval of a
difference is

    d̄ ± t(0.975, R − 1) · s_d / √R

which is usually much narrower than the interval of an unpaired comparison (reported beside it
as ``unpaired_half_width``). Targets, their strictness, which way is better and which KPIs are
shares all come from the KPI catalogue (:mod:`sim.catalogue`); P(target met) is
:func:`sim.analysis.stats.p_met`. The study that runs the scenarios is :mod:`sim.study.compare`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import special  # the t tail: scipy.stats would cost ~0.45 s more start-up (issue 23 item 16)

from sim.analysis.kpis import TargetsLike, meets
from sim.analysis.stats import cut_interval, p_met, t_half_width
from sim.catalogue import kpi as catalogue_entry
from sim.catalogue import target_bound, target_text

__all__ = [
    "NO_PRACTICAL",
    "paired_differences",
    "practical_assessment",
    "summarize_replications",
]

NO_PRACTICAL = "no practical difference"
"""The practical verdict of a difference smaller than its KPI's ``montecarlo.practical``."""


def _rule(targets: TargetsLike, name: str) -> tuple[float, bool, bool]:
    """(bound, met when above, met at the bound) of a KPI, from the catalogue
    (:func:`sim.catalogue.target_bound`); a KPI without a target has a NaN bound."""
    return target_bound(name, targets) or (np.nan, True, False)


def summarize_replications(
    frame: pd.DataFrame,
    kpis: Sequence[str],
    by: Sequence[str] = ("scenario", "period"),
    targets: Mapping[str, TargetsLike] | None = None,
    conf: float = 0.95,
) -> pd.DataFrame:
    """Per group of ``by`` and KPI: mean, sd and t-interval over replications; with
    ``targets`` (per scenario label) also the target, whether the mean meets it, the verdict
    of the CI and P(target met) = share of replications that met it (Wilson interval).

    ``verdict`` is ``meets`` when the whole CI is on the good side of the target, ``misses``
    when it is wholly on the bad side, ``uncertain`` when it straddles the target (with one
    replication, the mean decides).

    The interval is the t-interval cut to the values the KPI can take
    (:func:`sim.analysis.stats.cut_interval`): intersected with [0, 1] for a share, cut at 0 for
    a time, hours or a count. Their mean cannot lie outside, so the cut interval covers it
    exactly as often as the t-interval does (with 2 replications the t-interval alone can read
    "83.6 % to 107.3 %" or "−4.5 s to 20.2 s"). ``half_width`` stays the t-interval's. The
    intervals of differences (:func:`paired_differences`) are never cut: a difference can be negative.
    """
    by = list(by)
    present = [k for k in kpis if k in frame.columns]
    long = frame.melt(id_vars=[*by, "replication"], value_vars=present, var_name="kpi")
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    g = long.groupby([*by, "kpi"], sort=False)["value"]
    out = g.agg(replications="count", mean="mean", sd="std").reset_index()
    half = t_half_width(out["sd"].fillna(0.0).where(out["replications"] > 1), out["replications"], conf)
    out["ci_low"], out["ci_high"] = cut_interval(out["kpi"], out["mean"] - half, out["mean"] + half)
    out["half_width"] = half
    if targets is not None:
        out = _add_verdicts(out, long, by, targets, conf)
    order = {k: i for i, k in enumerate(present)}
    keys = [c for c in by if c != "scenario"]
    if "scenario" in by:
        labels = list(dict.fromkeys(frame["scenario"]))
        out["_s"] = out["scenario"].map({lb: i for i, lb in enumerate(labels)})
        keys = ["_s", *keys]
    out["_k"] = out["kpi"].map(order)
    out = out.sort_values([*keys, "_k"], kind="stable").drop(columns=[c for c in ("_s", "_k") if c in out.columns])
    return out.reset_index(drop=True)


def _add_verdicts(out: pd.DataFrame, long: pd.DataFrame, by: list[str], targets: Mapping[str, TargetsLike], conf: float) -> pd.DataFrame:
    fallback = next(iter(targets.values()))

    def rules(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per row: the bound, above and inclusive of its scenario's target (one catalogue look-up per scenario and KPI)."""
        labels = frame["scenario"] if "scenario" in frame.columns else pd.Series(None, index=frame.index)
        cache = {key: _rule(targets.get(key[0], fallback) if key[0] is not None else fallback, key[1])
                 for key in set(zip(labels, frame["kpi"], strict=True))}
        triples = [cache[key] for key in zip(labels, frame["kpi"], strict=True)]
        return (np.array([t[0] for t in triples], dtype=float), np.array([t[1] for t in triples], dtype=bool),
                np.array([t[2] for t in triples], dtype=bool))

    labels = out["scenario"] if "scenario" in out.columns else pd.Series(None, index=out.index)
    out["target"] = pd.array(
        [target_text(k, targets.get(lb, fallback) if lb is not None else fallback) for lb, k in zip(labels, out["kpi"], strict=True)],
        dtype="object",
    )
    bound, above, incl = rules(out)
    has = ~np.isnan(bound) & out["mean"].notna().to_numpy()
    mean = out["mean"].to_numpy(float)
    lo, hi = out["ci_low"].to_numpy(float), out["ci_high"].to_numpy(float)
    mean_met = meets(mean, bound, above, incl)
    good = meets(np.where(above, lo, hi), bound, above, incl)
    bad = ~meets(np.where(above, hi, lo), bound, above, incl) & ~np.isnan(lo) & ~np.isnan(hi)
    out["mean_met"] = pd.array([bool(m) if h else None for m, h in zip(mean_met, has, strict=True)], dtype="boolean")
    no_ci = np.isnan(lo) | np.isnan(hi)
    verdict = np.where(no_ci, np.where(mean_met, "meets", "misses"), np.where(good, "meets", np.where(bad, "misses", "uncertain")))
    out["verdict"] = pd.array([v if h else None for v, h in zip(verdict, has, strict=True)], dtype="object")
    # P(met): every replication's value judged with the same rule
    lb, la, li = rules(long)
    val = long["value"].to_numpy(float)
    judged = ~np.isnan(lb) & ~np.isnan(val)
    met = judged & meets(val, lb, la, li)
    agg = p_met(long[[*by, "kpi"]], met, judged, conf)
    return out.merge(agg.drop(columns=["met", "judged"]), on=[*by, "kpi"], how="left")


def _assess(kpi: str, lo: float, hi: float, diff: float, sd: float, same_offered: bool = True) -> str:
    if np.isnan(diff):
        return "n/a"
    if diff == 0 and (np.isnan(sd) or sd == 0):
        return "identical"
    if np.isnan(lo) or np.isnan(hi) or (lo <= 0 <= hi):
        return "no clear difference"
    higher = lo > 0
    entry = catalogue_entry(kpi)
    direction = "none" if entry is None else entry.direction
    if entry is not None and entry.unit == "calls" and not same_offered:
        direction = "none"  # more calls answered out of more calls offered is not better in itself: the shares say that
    if direction == "higher":
        return "better" if higher else "worse"
    if direction == "lower":
        return "worse" if higher else "better"
    if direction == "agent_time":
        return "costs more" if higher else "saves"
    return "higher" if higher else "lower"


def practical_assessment(assessment: str, lo: float, hi: float, diff: float, threshold: float | None) -> str:
    """The verdict in practice: :data:`NO_PRACTICAL` when the difference is smaller than
    ``threshold`` (the whole CI lies within ± threshold, or the CI excludes zero but the mean
    difference is below the threshold), else the statistical ``assessment``. Without a
    threshold (None or NaN) the statistical assessment stands."""
    if threshold is None or np.isnan(threshold) or assessment in ("n/a", "identical"):
        return assessment
    if not (np.isnan(lo) or np.isnan(hi)) and -threshold < lo and hi < threshold:
        return NO_PRACTICAL
    if assessment != "no clear difference" and abs(diff) < threshold:
        return NO_PRACTICAL
    return assessment


def paired_differences(
    frame: pd.DataFrame,
    kpis: Sequence[str],
    baseline: str,
    by: Sequence[str] = (),
    conf: float = 0.95,
    practical: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Per scenario ≠ ``baseline``, group of ``by`` and KPI: the paired differences
    ``x_k(scenario) − x_k(baseline)`` over the replications ``k`` both have.

    Columns: ``scenario``, ``baseline``, the ``by`` columns, ``kpi``, ``pairs``,
    ``baseline_mean``, ``scenario_mean``, ``difference`` (mean of the paired differences),
    ``sd``, ``ci_low``, ``ci_high``, ``half_width``, ``relative`` (difference / baseline mean),
    ``p_value`` (paired t-test), ``unpaired_half_width`` (the CI half-width had the runs been
    independent, for comparison) and ``assessment`` (``better``/``worse`` for KPIs with a
    direction — for counts of calls only when both scenarios were offered the same calls in
    every replication, else ``higher``/``lower``: more calls answered because more were
    offered, e.g. repeat calls, is not better in itself —, ``saves``/``costs more`` for agent time, ``no clear difference`` when the CI
    contains 0, ``identical`` when every pair is equal), ``practical`` (the KPI's threshold
    of ``practical``, e.g. ``montecarlo.practical``; NaN when it has none) and
    ``practical_assessment`` (:func:`practical_assessment`: ``no practical difference`` below
    the threshold, else the assessment).
    """
    practical = dict(practical or {})
    by = list(by)
    present = [k for k in kpis if k in frame.columns]
    index = [*by, "replication"]
    base = frame[frame["scenario"] == baseline].set_index(index)[present]
    if base.index.duplicated().any():
        raise ValueError(f"baseline rows are not unique per {index}")
    rows = []
    for label in dict.fromkeys(frame["scenario"]):
        if label == baseline:
            continue
        other = frame[frame["scenario"] == label].set_index(index)[present]
        joined = other.join(base.add_suffix("__base"), how="inner")
        groups = joined.groupby(level=by, sort=False) if by else [((), joined)]
        for key, g in groups:
            key = key if isinstance(key, tuple) else (key,)
            same_offered = "offered" not in present or bool((g["offered"] == g["offered__base"]).all())
            for kpi in present:
                x = pd.to_numeric(g[kpi], errors="coerce").to_numpy(float)
                y = pd.to_numeric(g[f"{kpi}__base"], errors="coerce").to_numpy(float)
                ok = ~np.isnan(x) & ~np.isnan(y)
                x, y = x[ok], y[ok]
                d = x - y
                n = d.size
                mean = float(d.mean()) if n else np.nan
                sd = float(d.std(ddof=1)) if n > 1 else np.nan
                # the paired interval, and the one had the runs been independent (the sd of x − y for independent x, y)
                half, unpaired = (t_half_width(np.array([sd, np.sqrt(x.var(ddof=1) + y.var(ddof=1))]), np.array([n, n]), conf)
                                  if n > 1 else (np.nan, np.nan))
                if n > 1 and sd > 0:
                    p = float(2 * special.stdtr(n - 1, -(abs(mean) / (sd / np.sqrt(n)))))  # = stats.t.sf
                else:
                    p = np.nan if n < 2 or mean == 0 else 0.0
                bmean = float(y.mean()) if n else np.nan
                assessment = _assess(kpi, mean - half, mean + half, mean, sd, same_offered)
                threshold = float(practical.get(kpi, np.nan))
                rows.append({
                    "scenario": label, "baseline": baseline, **dict(zip(by, key, strict=True)), "kpi": kpi,
                    "pairs": n, "baseline_mean": bmean, "scenario_mean": float(x.mean()) if n else np.nan,
                    "difference": mean, "sd": sd, "ci_low": mean - half, "ci_high": mean + half,
                    "half_width": half, "relative": mean / bmean if bmean else np.nan, "p_value": p,
                    "unpaired_half_width": unpaired, "assessment": assessment, "practical": threshold,
                    "practical_assessment": practical_assessment(assessment, mean - half, mean + half, mean, threshold),
                })
    cols = ["scenario", "baseline", *by, "kpi", "pairs", "baseline_mean", "scenario_mean", "difference", "sd",
            "ci_low", "ci_high", "half_width", "relative", "p_value", "unpaired_half_width", "assessment",
            "practical", "practical_assessment"]
    return pd.DataFrame(rows, columns=cols)

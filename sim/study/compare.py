"""Compare scenarios side by side with common random numbers (CRN).

Every scenario is run with the **same** replication seeds: replication ``k`` of every scenario
uses ``SeedSequence(seed, spawn_key=(k,))``, and the model draws each purpose (arrivals,
handle times, patience …) from its own stream per calendar date. Two scenarios therefore see
the same callers on every date where their demand is the same, and the difference between
them in replication ``k`` is due to the change alone. That makes the per-replication
differences a valid *paired* sample: the 95 % confidence interval of a difference is

    d̄ ± t(0.975, R − 1) · s_d / √R,    d_k = x_k(scenario) − x_k(baseline)

which is usually much narrower than the interval of an unpaired comparison (reported beside it
as ``unpaired_half_width`` so the gain from CRN is visible).

The first scenario is the baseline. The library returns tidy frames::

    from sim.study.compare import compare
    cmp = compare(["default", "close_1600", "no_early_close"], reps=20)
    cmp.table         # per scenario × KPI: mean, 95 % CI, P(target met), verdict
    cmp.differences   # per scenario × KPI: paired difference to the baseline with 95 % CI

Scenarios are given as a mapping ``{label: Scenario}`` or as *specs*
``[label=]name[:override,override…]``: ``name`` is an experiment in ``scenarios/experiment``
(or ``default``) and the overrides use Hydra's syntax, e.g.
``"more=default:staffing=flat,staffing.agents=14"``. Any scenario can be compared, including
ones with callbacks or transfers once the model has them: the comparison only reads the KPI
rows of :func:`sim.study.runner.result_kpis`.

The command line is :mod:`sim.faces.compare` (``python -m sim.compare``).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.case_kpis import CASE_KPI_COLUMNS, KIND_SHARE
from sim.analysis.kpis import TargetsLike
from sim.analysis.stats import t_half_width
from sim.errors import ScenarioError
from sim.scenario.compose import load_scenario, validate
from sim.schema import Scenario
from sim.study.runner import folder_name, run_replications

log = logging.getLogger(__name__)

__all__ = [
    "CASE_KPIS",
    "COMPARE_KPIS",
    "FEATURE_KPIS",
    "NO_PRACTICAL",
    "SHARES",
    "Comparison",
    "Spec",
    "compare",
    "is_share",
    "paired_differences",
    "parse_spec",
    "pool_days",
    "practical_assessment",
    "scenarios_from_specs",
    "split_overrides",
    "summarize_replications",
    "with_case_kinds",
]

LEVELS: tuple[str, ...] = ("interval", "day", "month", "run")
"""KPI levels a comparison computes by default (interval rows feed the intraday plot)."""

DAYS_MISSED: dict[str, str] = {
    "days_missed_availability": "availability_met",
    "days_missed_service_level": "service_level_met",
    "days_missed_asa": "asa_met",
    "days_missed_aht": "aht_met",
    "days_missed_logging": "logging_met",
    "days_missed_any": "all_met",
}
"""Per-replication counts of open days that missed a target (from the day-level flags)."""

FEATURE_KPIS: tuple[str, ...] = (
    "callbacks_offered", "callbacks_accepted", "callbacks_made", "callbacks_failed", "callback_accept_share",
    "callback_on_time_share", "transfers", "transfers_warm", "transfers_blind", "transfer_fallbacks",
    "transfer_abandoned", "mean_consult_wait_s", "repeat_calls", "repeat_contact_ratio",
)
"""Callback, transfer and repeat-contact KPIs (:func:`sim.analysis.kpis.feature_kpis`): compared
whenever the runner's KPI rows carry them."""

CASE_KPIS: tuple[str, ...] = CASE_KPI_COLUMNS
"""Case-work KPIs (:func:`sim.analysis.case_kpis.add_case_kpis`), compared whenever cases are on;
each case kind's ``within_target_<kind>`` share follows ``case_within_target``."""

COMPARE_KPIS: tuple[str, ...] = (
    "offered", "answered", "availability", "service_level", "asa_s", "mean_wait_all_s",
    "p90_wait_s", "aht_s", "logging_share", "abandon_share", "occupancy", "staffed_s",
    "present_s", "overtime_s", "open_days", *DAYS_MISSED, *FEATURE_KPIS, *CASE_KPIS,
)
"""KPIs in :attr:`Comparison.table` and :attr:`Comparison.differences` (those present)."""


def with_case_kinds(kpis: Sequence[str], columns: Iterable[str]) -> list[str]:
    """``kpis`` with each ``within_target_<kind>`` column of ``columns`` after ``case_within_target``
    (the kinds are the scenario's own, so they cannot be listed in advance)."""
    kinds = [c for c in columns if c.startswith(KIND_SHARE)]
    out = list(kpis)
    if kinds and "case_within_target" in out:
        at = out.index("case_within_target") + 1
        out[at:at] = [k for k in kinds if k not in out]
    return out

TARGETS: dict[str, tuple[str, bool]] = {
    "availability": ("availability_min", True),
    "service_level": ("service_level_min", True),
    "asa_s": ("asa_max_s", False),
    "aht_s": ("aht_max_s", False),
    "logging_share": ("logging_min", True),
}
"""KPI → (attribute of ``scenario.targets``, met when above the bound). Bounds are strict."""

HIGHER_IS_BETTER = frozenset({"availability", "service_level", "logging_share", "answered", "within_threshold",
                              "callback_on_time_share", "cases_handled", "case_within_target"})
LOWER_IS_BETTER = frozenset({
    "abandon_share", "abandoned", "asa_s", "mean_wait_all_s", "p90_wait_s", "p90_wait_all_s", "aht_s",
    "callbacks_failed", "transfer_fallbacks", "transfer_abandoned", "mean_consult_wait_s", *DAYS_MISSED,
    "work_h_mean", "work_h_p90", "backlog_end",
})
AGENT_TIME = frozenset({"staffed_s", "present_s", "busy_s", "overtime_s"})
"""Agent time: a lower value *saves* agent-hours, a higher one *costs* them."""

SHARES = frozenset({"availability", "service_level", "logging_share", "abandon_share", "occupancy",
                    "callback_accept_share", "callback_on_time_share", "case_within_target"})
"""KPIs that are shares of something (0 to 1), like each case kind's ``within_target_<kind>``:
their confidence intervals are cut to [0, 1] (see :func:`summarize_replications`)."""

NO_PRACTICAL = "no practical difference"
"""The practical verdict of a difference smaller than its KPI's ``montecarlo.practical``."""


def is_share(kpi: str) -> bool:
    """Whether a KPI is a share (its values and their mean lie in [0, 1])."""
    return kpi in SHARES or kpi.startswith(KIND_SHARE)


# --------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class Spec:
    """One scenario of a comparison: a label, an experiment name and Hydra overrides."""

    label: str
    name: str
    overrides: tuple[str, ...] = ()


_SPEC = re.compile(r"^(?:(?P<label>[^=:]+)=)?(?P<name>[A-Za-z0-9_.\-]+)(?::(?P<over>.*))?$")


def split_overrides(text: str) -> list[str]:
    """Split ``a=1,b=[x,y],c='p,q'`` on the commas outside brackets and quotes."""
    parts: list[str] = []
    depth, quote, current = 0, "", ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        current += ch
    if current.strip():
        parts.append(current.strip())
    return [p for p in parts if p]


def parse_spec(text: str) -> Spec:
    """``[label=]name[:override,override…]`` → :class:`Spec`.

    Without a label the spec text itself is the label: ``close_1600``,
    ``default:staffing.agents=14``, ``more=default:staffing.agents=14`` (label ``more``).
    """
    m = _SPEC.match(text.strip())
    if not m:
        raise ScenarioError(
            f"Cannot read the scenario {text!r}: write [label=]name[:key=value,key=value], e.g. "
            "close_1600, default:staffing.agents=14 or more=default:staffing.agents=14."
        )
    overrides = tuple(split_overrides(m.group("over") or ""))
    label = (m.group("label") or (text if overrides else m.group("name"))).strip()
    return Spec(label, m.group("name"), overrides)


def scenarios_from_specs(
    specs: Iterable[str | Spec],
    common: Sequence[str] = (),
    extra: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Scenario]:
    """Load each spec (``common`` overrides first, then the spec's, then ``extra[label]``)."""
    parsed = [s if isinstance(s, Spec) else parse_spec(s) for s in specs]
    labels = [p.label for p in parsed]
    dupes = sorted({lb for lb in labels if labels.count(lb) > 1})
    if dupes:
        raise ScenarioError(f"Scenario labels must be unique, got {dupes} more than once; name them with label=name.")
    extra = dict(extra or {})
    unknown = sorted(set(extra) - set(labels))
    if unknown:
        raise ScenarioError(f"--set names scenario(s) {unknown} that are not compared; the labels are {labels}.")
    out: dict[str, Scenario] = {}
    for p in parsed:
        try:
            out[p.label] = load_scenario(p.name, [*common, *p.overrides, *extra.get(p.label, ())])
        except ScenarioError as exc:
            raise ScenarioError(f"Scenario {p.label!r}: {exc}") from None
    return out


# --------------------------------------------------------------------------- statistics


def _bound(targets: TargetsLike, kpi: str) -> tuple[float, bool] | None:
    """(bound, met when above) of a KPI with a target; the call targets are strict."""
    if kpi.startswith(KIND_SHARE):  # a case kind's share within its working-hours limit
        share = getattr(targets, "case_share_min", None)
        return None if share is None else (float(share), True)
    rule = TARGETS.get(kpi)
    if rule is None:
        return None
    return float(getattr(targets, rule[0])), rule[1]


def _inclusive(kpi: str) -> bool:
    """The case targets are met at the bound (``case_share_min`` is an "at least")."""
    return kpi.startswith(KIND_SHARE)


def target_text(kpi: str, targets: TargetsLike) -> str | None:
    """``> 91 %``, ``< 90 s``, ``≥ 90 %`` … for a KPI with a target, else None."""
    b = _bound(targets, kpi)
    if b is None:
        return None
    bound, above = b
    percent = kpi in ("availability", "service_level", "logging_share") or kpi.startswith(KIND_SHARE)
    shown = f"{100 * bound:g} %" if percent else f"{bound:g} s"
    sign = ("≥" if above else "≤") if _inclusive(kpi) else (">" if above else "<")
    return f"{sign} {shown}"


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

    The interval of a share (:func:`is_share`) is the t-interval intersected with [0, 1]: the
    mean of a share cannot lie outside, so the cut interval covers it exactly as often as the
    t-interval does (with 2 replications the t-interval alone can read "83.6 % to 107.3 %").
    ``half_width`` stays the t-interval's.
    """
    by = list(by)
    present = [k for k in kpis if k in frame.columns]
    long = frame.melt(id_vars=[*by, "replication"], value_vars=present, var_name="kpi")
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    g = long.groupby([*by, "kpi"], sort=False)["value"]
    out = g.agg(replications="count", mean="mean", sd="std").reset_index()
    half = t_half_width(out["sd"].fillna(0.0).where(out["replications"] > 1), out["replications"], conf)
    out["ci_low"], out["ci_high"], out["half_width"] = out["mean"] - half, out["mean"] + half, half
    share = out["kpi"].map(is_share).to_numpy(bool)
    out.loc[share, "ci_low"] = out.loc[share, "ci_low"].clip(lower=0.0)
    out.loc[share, "ci_high"] = out.loc[share, "ci_high"].clip(upper=1.0)
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
    from sim.analysis.stats import wilson

    fallback = next(iter(targets.values()))

    def rule(label: Any, kpi: str) -> tuple[float, bool]:
        b = _bound(targets.get(label, fallback) if label is not None else fallback, kpi)
        return (np.nan, True) if b is None else b

    def rules(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        labels = frame["scenario"] if "scenario" in frame.columns else pd.Series(None, index=frame.index)
        cache = {key: rule(*key) for key in set(zip(labels, frame["kpi"], strict=True))}
        pairs = [cache[key] for key in zip(labels, frame["kpi"], strict=True)]
        return np.array([p[0] for p in pairs], dtype=float), np.array([p[1] for p in pairs], dtype=bool)

    labels = out["scenario"] if "scenario" in out.columns else pd.Series(None, index=out.index)
    out["target"] = pd.array(
        [target_text(k, targets.get(lb, fallback) if lb is not None else fallback) for lb, k in zip(labels, out["kpi"], strict=True)],
        dtype="object",
    )
    bound, above = rules(out)
    incl = out["kpi"].map(_inclusive).to_numpy(bool)
    has = ~np.isnan(bound) & out["mean"].notna().to_numpy()
    mean = out["mean"].to_numpy(float)
    lo, hi = out["ci_low"].to_numpy(float), out["ci_high"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        mean_met = _met(mean, bound, above, incl)
        good = _met(np.where(above, lo, hi), bound, above, incl)
        bad = ~_met(np.where(above, hi, lo), bound, above, incl) & ~np.isnan(lo) & ~np.isnan(hi)
    out["mean_met"] = pd.array([bool(m) if h else None for m, h in zip(mean_met, has, strict=True)], dtype="boolean")
    no_ci = np.isnan(lo) | np.isnan(hi)
    verdict = np.where(no_ci, np.where(mean_met, "meets", "misses"), np.where(good, "meets", np.where(bad, "misses", "uncertain")))
    out["verdict"] = pd.array([v if h else None for v, h in zip(verdict, has, strict=True)], dtype="object")
    # P(met): every replication's value judged with the same strict rule
    lb, la = rules(long)
    val = long["value"].to_numpy(float)
    judged = ~np.isnan(lb) & ~np.isnan(val)
    with np.errstate(invalid="ignore"):
        met = judged & _met(val, lb, la, long["kpi"].map(_inclusive).to_numpy(bool))
    agg = long[[*by, "kpi"]].assign(met=met.astype(int), judged=judged.astype(int))
    agg = agg.groupby([*by, "kpi"], sort=False)[["met", "judged"]].sum().reset_index()
    p_lo, p_hi = wilson(agg["met"].to_numpy(), agg["judged"].to_numpy(), conf)
    agg["p_met"] = agg["met"] / agg["judged"].where(agg["judged"] > 0)
    agg["p_met_low"], agg["p_met_high"] = p_lo, p_hi
    agg.loc[agg["judged"] == 0, ["p_met_low", "p_met_high"]] = np.nan
    return out.merge(agg.drop(columns=["met", "judged"]), on=[*by, "kpi"], how="left")


def _met(value: np.ndarray, bound: np.ndarray, above: np.ndarray, inclusive: np.ndarray) -> np.ndarray:
    """Whether ``value`` is on the good side of ``bound`` (strictly, unless ``inclusive``)."""
    strict = np.where(above, value > bound, value < bound)
    return np.where(inclusive, strict | (value == bound), strict)


def _assess(kpi: str, lo: float, hi: float, diff: float, sd: float) -> str:
    if np.isnan(diff):
        return "n/a"
    if diff == 0 and (np.isnan(sd) or sd == 0):
        return "identical"
    if np.isnan(lo) or np.isnan(hi) or (lo <= 0 <= hi):
        return "no clear difference"
    higher = lo > 0
    if kpi in HIGHER_IS_BETTER:
        return "better" if higher else "worse"
    if kpi in LOWER_IS_BETTER:
        return "worse" if higher else "better"
    if kpi in AGENT_TIME:
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
    direction, ``saves``/``costs more`` for agent time, ``no clear difference`` when the CI
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
    t_q = None
    for label in dict.fromkeys(frame["scenario"]):
        if label == baseline:
            continue
        other = frame[frame["scenario"] == label].set_index(index)[present]
        joined = other.join(base.add_suffix("__base"), how="inner")
        groups = joined.groupby(level=by, sort=False) if by else [((), joined)]
        for key, g in groups:
            key = key if isinstance(key, tuple) else (key,)
            for kpi in present:
                x = pd.to_numeric(g[kpi], errors="coerce").to_numpy(float)
                y = pd.to_numeric(g[f"{kpi}__base"], errors="coerce").to_numpy(float)
                ok = ~np.isnan(x) & ~np.isnan(y)
                x, y = x[ok], y[ok]
                d = x - y
                n = d.size
                mean = float(d.mean()) if n else np.nan
                sd = float(d.std(ddof=1)) if n > 1 else np.nan
                t_q = stats.t.ppf(0.5 + conf / 2, n - 1) if n > 1 else np.nan
                half = t_q * sd / np.sqrt(n) if n > 1 else np.nan
                unpaired = t_q * np.sqrt((x.var(ddof=1) + y.var(ddof=1)) / n) if n > 1 else np.nan
                if n > 1 and sd > 0:
                    p = float(2 * stats.t.sf(abs(mean) / (sd / np.sqrt(n)), n - 1))
                else:
                    p = np.nan if n < 2 or mean == 0 else 0.0
                bmean = float(y.mean()) if n else np.nan
                assessment = _assess(kpi, mean - half, mean + half, mean, sd)
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


# --------------------------------------------------------------------------- pooling days


def pool_days(day_rows: pd.DataFrame, groups: Mapping[str, Iterable[Any]] | None = None) -> pd.DataFrame:
    """Pool day-level KPI rows over groups of dates, per scenario and replication.

    ``groups`` maps a group name to its dates (None: one group ``all`` of every day). The
    pooled KPIs are the ratios of the pooled counts (service level = calls answered within
    the threshold / calls offered over the group's days; queue time weighted by answered
    calls; agent time summed), plus ``days`` (days with offered calls) and the number of those
    days that missed each target (``days_missed_*``). Percentiles cannot be pooled and are
    left out.
    """
    rows = day_rows.assign(date=pd.to_datetime(day_rows["period"]).dt.normalize())
    if groups is None:
        groups = {"all": rows["date"].unique()}
    parts = []
    for name, dates in groups.items():
        wanted = pd.DatetimeIndex(pd.to_datetime(list(dates))).normalize()
        g = rows[rows["date"].isin(wanted)]
        parts.append(_pool(g).assign(group=name))
    out = pd.concat(parts, ignore_index=True)
    keys = [c for c in ("scenario", "group", "replication") if c in out.columns]
    return out[[*keys, *[c for c in out.columns if c not in keys]]]


def _pool(g: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in ("scenario", "replication") if c in g.columns]
    w = g.assign(
        _asa=g["asa_s"].fillna(0) * g["answered"],
        _aht=g["aht_s"].fillna(0) * g["answered"],
        _log=g["logging_share"].fillna(0) * g["answered"],
        _wall=g["mean_wait_all_s"].fillna(0) * g["offered"],
        days=(g["offered"] > 0).astype(int),
        **{c: (g[m].eq(False).fillna(False) & (g["offered"] > 0)).astype(int) for c, m in DAYS_MISSED.items() if m in g.columns},
    )
    additive = ("offered", "answered", "abandoned", "within_threshold", "staffed_s", "present_s", "busy_s", "overtime_s")
    sums = [c for c in additive if c in w.columns]
    sums += ["_asa", "_aht", "_log", "_wall", "days", *[c for c in DAYS_MISSED if c in w.columns]]
    s = w.groupby(keys, sort=False)[sums].sum().reset_index()

    def ratio(a: pd.Series, b: pd.Series) -> pd.Series:
        return a.astype(float) / b.astype(float).where(b > 0)

    s["availability"] = ratio(s["answered"], s["offered"])
    s["service_level"] = ratio(s["within_threshold"], s["offered"])
    s["abandon_share"] = ratio(s["abandoned"], s["offered"])
    s["asa_s"] = ratio(s["_asa"], s["answered"])
    s["aht_s"] = ratio(s["_aht"], s["answered"])
    s["logging_share"] = ratio(s["_log"], s["answered"])
    s["mean_wait_all_s"] = ratio(s["_wall"], s["offered"])
    if "busy_s" in s.columns:
        s["occupancy"] = ratio(s["busy_s"], s["present_s"])
    return s.drop(columns=["_asa", "_aht", "_log", "_wall"])


# --------------------------------------------------------------------------- the comparison


@dataclass(frozen=True)
class Comparison:
    """Per-replication KPI rows of several scenarios run with the same seeds.

    ``kpis`` holds the rows of :func:`sim.study.runner.result_kpis` for every scenario (column
    ``scenario``, the label) and replication. The first scenario is the baseline.
    """

    scenarios: dict[str, Scenario]
    seed: int
    replications: int
    kpis: pd.DataFrame
    conf: float = 0.95
    run_time_s: float | None = None
    workers: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        """Scenario labels in order; the first is the baseline."""
        return list(self.scenarios)

    @property
    def baseline(self) -> str:
        """Label of the baseline (first) scenario."""
        return self.labels[0]

    @property
    def targets(self) -> dict[str, TargetsLike]:
        """Each scenario's targets (a scenario may change them)."""
        return {lb: s.targets for lb, s in self.scenarios.items()}

    @property
    def levels(self) -> list[str]:
        """KPI levels present in :attr:`kpis`."""
        return list(dict.fromkeys(self.kpis["level"]))

    def level(self, level: str) -> pd.DataFrame:
        """The rows of one level (``interval``, ``day``, ``month``, ``run``)."""
        if level not in self.levels:
            raise ValueError(f"level {level!r} was not computed; levels: {self.levels}")
        return self.kpis[self.kpis["level"] == level].reset_index(drop=True)

    def per_replication(self, level: str = "run") -> pd.DataFrame:
        """The rows of ``level``; at ``run`` level with the per-replication day counts
        ``open_days`` and ``days_missed_*`` (needs the ``day`` level)."""
        rows = self.level(level)
        if level != "run" or "day" not in self.levels:
            return rows
        days = pool_days(self.level("day"))[["scenario", "replication", "days", *DAYS_MISSED]]
        return rows.merge(days.rename(columns={"days": "open_days"}), on=["scenario", "replication"], how="left")

    def summary(self, level: str = "run", kpis: Sequence[str] = COMPARE_KPIS) -> pd.DataFrame:
        """Per scenario, period and KPI: mean, CI, target, verdict and P(met)."""
        frame = self.per_replication(level)
        by = ("scenario",) if level == "run" else ("scenario", "period")
        return summarize_replications(frame, with_case_kinds(kpis, frame.columns), by, self.targets, self.conf)

    def paired(self, level: str = "run", kpis: Sequence[str] = COMPARE_KPIS) -> pd.DataFrame:
        """Paired differences to the baseline (see :func:`paired_differences`), judged in
        practice with the baseline's ``montecarlo.practical``."""
        frame = self.per_replication(level)
        by = () if level == "run" else ("period",)
        practical = self.scenarios[self.baseline].montecarlo.practical
        return paired_differences(frame, with_case_kinds(kpis, frame.columns), self.baseline, by, self.conf, practical)

    @cached_property
    def table(self) -> pd.DataFrame:
        """Whole-run KPIs per scenario: mean with CI, target, verdict, P(target met)."""
        return self.summary("run")

    @cached_property
    def differences(self) -> pd.DataFrame:
        """Whole-run paired differences of every scenario to the baseline, with CIs."""
        return self.paired("run")

    def daily(self, kpis: Sequence[str] = ("service_level", "availability", "asa_s")) -> pd.DataFrame:
        """Per scenario and day: mean KPI over replications with CI and P(target met)."""
        return self.summary("day", kpis)

    def pooled(self, groups: Mapping[str, Iterable[Any]]) -> pd.DataFrame:
        """Per scenario, date group and replication: KPIs pooled over the group's days."""
        return pool_days(self.level("day"), groups)

    def intraday(self, dates: Iterable[Any] | None = None) -> pd.DataFrame:
        """Per scenario and time of day: mean queue time of answered calls (``asa_s``) and
        over all offered calls (``mean_wait_all_s``), pooled over the days (optionally only
        ``dates``) of each replication, then mean and CI over replications."""
        rows = self.level("interval")
        when = pd.to_datetime(rows["period"])
        if dates is not None:
            wanted = pd.DatetimeIndex(pd.to_datetime(list(dates))).normalize()
            keep = when.dt.normalize().isin(wanted)
            rows, when = rows[keep], when[keep]
        rows = rows[rows["offered"] > 0].assign(clock=when.dt.strftime("%H:%M"))
        w = rows.assign(_asa=rows["asa_s"].fillna(0) * rows["answered"], _wall=rows["mean_wait_all_s"].fillna(0) * rows["offered"])
        g = w.groupby(["scenario", "replication", "clock"], sort=True)[["_asa", "_wall", "answered", "offered"]].sum().reset_index()
        g["asa_s"] = g["_asa"] / g["answered"].where(g["answered"] > 0)
        g["mean_wait_all_s"] = g["_wall"] / g["offered"]
        g["offered_per_rep"] = g["offered"].astype(float)
        out = summarize_replications(g, ["asa_s", "mean_wait_all_s", "offered_per_rep"], ("scenario", "clock"), None, self.conf)
        rank = {lb: i for i, lb in enumerate(self.labels)}
        out = out.sort_values(["scenario", "kpi", "clock"], key=lambda s: s.map(rank) if s.name == "scenario" else s, kind="stable")
        return out.reset_index(drop=True)

    # ----------------------------------------------------------------- storage

    def save(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``kpis.parquet``, ``table.csv``, ``differences.csv``, ``daily.csv``,
        ``intraday.csv``, ``scenarios.json`` and ``meta.json``; return the paths."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"kpis": out / "kpis.parquet", "table": out / "table.csv", "differences": out / "differences.csv",
                 "scenarios": out / "scenarios.json", "meta": out / "meta.json"}
        self.kpis.to_parquet(paths["kpis"], index=False)
        self.table.to_csv(paths["table"], index=False)
        self.differences.to_csv(paths["differences"], index=False)
        if "day" in self.levels:
            paths["daily"] = out / "daily.csv"
            self.daily().to_csv(paths["daily"], index=False)
        if "month" in self.levels:
            paths["month"] = out / "month.csv"
            self.summary("month").to_csv(paths["month"], index=False)
        if "interval" in self.levels:
            paths["intraday"] = out / "intraday.csv"
            self.intraday().to_csv(paths["intraday"], index=False)
        dumps = {lb: s.model_dump(mode="json") for lb, s in self.scenarios.items()}
        paths["scenarios"].write_text(json.dumps(dumps, indent=1, ensure_ascii=False), encoding="utf-8")
        meta = {"labels": self.labels, "seed": self.seed, "replications": self.replications, "conf": self.conf,
                "run_time_s": self.run_time_s, "workers": self.workers, "levels": self.levels, **self.meta}
        paths["meta"].write_text(json.dumps(meta, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
        return paths

    @classmethod
    def load(cls, out_dir: str | Path) -> Comparison:
        """Read a comparison written by :meth:`save`."""
        out = Path(out_dir)
        meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
        raw = json.loads((out / "scenarios.json").read_text(encoding="utf-8"))
        scenarios = {lb: validate(raw[lb]) for lb in meta["labels"]}
        kpis = pd.read_parquet(out / "kpis.parquet")
        known = {"labels", "seed", "replications", "conf", "run_time_s", "workers", "levels"}
        return cls(scenarios, int(meta["seed"]), int(meta["replications"]), kpis, float(meta["conf"]),
                   meta.get("run_time_s"), meta.get("workers"), {k: v for k, v in meta.items() if k not in known})


def compare(
    scenarios: Mapping[str, Scenario] | Sequence[str | Spec],
    reps: int = 20,
    seed: int | None = None,
    *,
    workers: int | None = None,
    levels: Sequence[str] = LEVELS,
    out_dir: str | Path | None = None,
    conf: float = 0.95,
    common: Sequence[str] = (),
    progress: bool = False,
) -> Comparison:
    """Run every scenario with the same ``reps`` replication seeds and collect their KPIs.

    ``scenarios`` is ``{label: Scenario}`` (the first is the baseline) or a list of specs for
    :func:`scenarios_from_specs` (with ``common`` overrides for all of them). ``seed``
    defaults to the baseline's ``run.seed``; it is the same for every scenario, which is what
    makes the differences paired. With ``out_dir`` each scenario's replications are stored in
    ``out_dir/<label>_seed<seed>_<fingerprint>/`` as they finish, so an interrupted comparison
    resumes and a changed scenario gets a folder of its own.
    """
    if not isinstance(scenarios, Mapping):
        scenarios = scenarios_from_specs(scenarios, common)
    elif common:
        raise ValueError("common overrides apply to specs only; pass Scenario objects already overridden")
    if not scenarios:
        raise ValueError("compare needs at least one scenario")
    if reps < 1:
        raise ValueError(f"reps must be >= 1, got {reps}")
    labels = list(scenarios)
    seed = next(iter(scenarios.values())).run.seed if seed is None else int(seed)
    if "run" not in levels:
        levels = (*levels, "run")
    t0 = time.perf_counter()
    frames = []
    for label in labels:
        sub = Path(out_dir) / folder_name(scenarios[label], seed, levels, label=label) if out_dir else None
        log.info("scenario %s: %d replications, seed %d", label, reps, seed)
        mc = run_replications(scenarios[label], reps, seed, workers=workers, out_dir=sub, levels=levels, progress=progress)
        frames.append(mc.kpis.assign(scenario=label))
    kpis = pd.concat(frames, ignore_index=True)
    kpis = kpis[["scenario", *[c for c in kpis.columns if c != "scenario"]]]
    return Comparison(dict(scenarios), seed, reps, kpis, conf, time.perf_counter() - t0, workers)

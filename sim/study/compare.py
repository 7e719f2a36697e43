"""Compare scenarios side by side with common random numbers (CRN).

Every scenario is run with the **same** replication seeds: replication ``k`` of every scenario
uses ``SeedSequence(seed, spawn_key=(k,))``, and the model draws each purpose (arrivals,
handle times, patience …) from its own stream per calendar date. Two scenarios therefore see
the same callers on every date where their demand is the same, and the difference between
them in replication ``k`` is due to the change alone. That makes the per-replication
differences a valid *paired* sample; the statistics (summaries against the targets, paired
differences with their confidence intervals) are :mod:`sim.analysis.paired`.

The first scenario is the baseline. The library returns tidy frames::

    from sim.study.compare import compare
    cmp = compare(["default", "close_1600", "no_early_close"], reps=20)
    cmp.table         # per scenario × KPI: mean, 95 % CI, P(target met), verdict
    cmp.differences   # per scenario × KPI: paired difference to the baseline with 95 % CI

Scenarios are given as a mapping ``{label: Scenario}`` or as *specs*
``[label=]name[:override,override…]`` (:mod:`sim.scenario.specs`), e.g.
``"more=default:staffing=flat,staffing.agents=14"``. Any scenario can be compared, including
ones with callbacks or transfers: the comparison only reads the KPI rows of
:func:`sim.study.runner.result_kpis`. A feature's KPIs (callbacks, transfers, repeat calls,
failure demand, case work) are summarized and compared only for the scenarios that model the
feature (:func:`models`); a scenario without failure demand, say, assumes an FCR of 100 %,
which is not a result to compare. The names this module used to define (``parse_spec``,
``paired_differences`` …) are still importable from it.

The command line is :mod:`sim.faces.compare` (``python -m sim.compare``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.case_kpis import CASE_KPI_COLUMNS, KIND_SHARE
from sim.analysis.kpis import TargetsLike
from sim.analysis.paired import NO_PRACTICAL, paired_differences, practical_assessment, summarize_replications
from sim.catalogue import CATALOGUE, SHARES, TARGET_KPIS, is_share
from sim.errors import ScenarioError
from sim.scenario.compose import validate
from sim.scenario.specs import Spec, parse_spec, scenarios_from_specs, split_overrides
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
    "FEATURE_GROUPS",
    "Spec",
    "compare",
    "feature_of",
    "is_share",
    "models",
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
    **{f"days_missed_{k.short}": k.met for k in CATALOGUE if k.name in TARGET_KPIS and k.met is not None},
    "days_missed_any": "all_met",
}
"""Per-replication counts of open days that missed a target (from the day-level flags)."""

FEATURE_KPIS: tuple[str, ...] = (
    "callbacks_offered", "callbacks_accepted", "callbacks_made", "callbacks_failed", "callback_accept_share",
    "callback_on_time_share", "transfers", "transfers_warm", "transfers_blind", "transfer_fallbacks",
    "transfer_abandoned", "mean_consult_wait_s", "repeat_calls", "repeat_contact_ratio",
    "fcr", "repeat_contacts_per_matter", "resolution_time_h",
)
"""Callback, transfer and repeat-contact KPIs (:func:`sim.analysis.kpis.feature_kpis`): compared
whenever the runner's KPI rows carry them, for the scenarios that model them (:func:`models`)."""

FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "callbacks": ("callbacks_offered", "callbacks_accepted", "callbacks_made", "callbacks_failed", "callbacks_pending",
                  "callback_accept_share", "callback_on_time_share"),
    "transfers": ("transfers", "transfers_warm", "transfers_blind", "transfer_fallbacks", "transfer_abandoned", "mean_consult_wait_s"),
    "repeats": ("repeat_calls", "repeat_contact_ratio"),
    "resolution": ("matters", "fcr", "repeat_contacts_per_matter", "resolution_time_h"),
    "cases": CASE_KPI_COLUMNS,
}
"""The KPIs that only a scenario modelling the feature has (see :func:`models`; each case
kind's ``within_target_<kind>`` is a case KPI too)."""


def feature_of(kpi: str) -> str | None:
    """The optional feature whose KPI ``kpi`` is (a key of :data:`FEATURE_GROUPS`), or None."""
    if kpi.startswith(KIND_SHARE):
        return "cases"
    return next((f for f, kpis in FEATURE_GROUPS.items() if kpi in kpis), None)


def models(scenario: Scenario, kpi: str) -> bool:
    """Whether ``scenario`` models what ``kpi`` measures. Callbacks' KPIs need callbacks on,
    transfers' KPIs a transfer policy, repeat calls the redials of ``repeats`` or failure
    demand, and failure demand's KPIs (first-contact resolution, repeat contacts per matter,
    full resolution time) ``resolution.fcr`` below 1: a scenario without it *assumes* that
    every answered call resolves the customer's matter at its first contact, so its FCR of
    100 % is an assumption, not a result, and is not compared with a modelled one. The case
    KPIs need the case work on. Every other KPI is modelled by every scenario."""
    feature = feature_of(kpi)
    if feature == "callbacks":
        return scenario.callbacks.enabled
    if feature == "transfers":
        return scenario.transfers.policy != "off"
    if feature == "repeats":
        return scenario.repeats.enabled or scenario.resolution.enabled
    if feature == "resolution":
        return scenario.resolution.enabled
    if feature == "cases":
        return scenario.cases.enabled
    return True

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

    def modelled(self, kpi: str) -> list[str]:
        """The labels of the scenarios that model ``kpi`` (:func:`models`), in order."""
        return [lb for lb, s in self.scenarios.items() if models(s, kpi)]

    def per_replication(self, level: str = "run") -> pd.DataFrame:
        """The rows of ``level``; at ``run`` level with the per-replication day counts
        ``open_days`` and ``days_missed_*`` (needs the ``day`` level). A KPI that a scenario
        does not model (:func:`models`) is empty (NaN) in its rows, whatever the runner wrote
        (a scenario with another feature on has its count 0 or its FCR 100 %), so that it is
        summarized and compared for the scenarios that model it only."""
        rows = self._modelled_only(self.level(level))
        if level != "run" or "day" not in self.levels:
            return rows
        days = pool_days(self.level("day"))[["scenario", "replication", "days", *DAYS_MISSED]]
        return rows.merge(days.rename(columns={"days": "open_days"}), on=["scenario", "replication"], how="left")

    def _modelled_only(self, rows: pd.DataFrame) -> pd.DataFrame:
        cols = [c for c in rows.columns if feature_of(c) is not None]
        masks = {c: rows["scenario"].isin([lb for lb in self.labels if lb not in self.modelled(c)]) for c in cols}
        masks = {c: m for c, m in masks.items() if m.any()}
        if not masks:
            return rows
        rows = rows.copy()
        for c, m in masks.items():
            rows[c] = rows[c].astype(float).mask(m)
        return rows

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
        """Read a comparison written by :meth:`save`; a missing or damaged file of it is a
        :class:`ScenarioError` naming the folder and the file."""
        out = Path(out_dir)
        step = "meta.json"
        try:
            meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
            step = "scenarios.json"
            raw = json.loads((out / "scenarios.json").read_text(encoding="utf-8"))
            scenarios = {lb: validate(raw[lb]) for lb in meta["labels"]}
            step = "kpis.parquet"
            kpis = pd.read_parquet(out / "kpis.parquet")
            step = "meta.json"
            known = {"labels", "seed", "replications", "conf", "run_time_s", "workers", "levels"}
            return cls(scenarios, int(meta["seed"]), int(meta["replications"]), kpis, float(meta["conf"]),
                       meta.get("run_time_s"), meta.get("workers"), {k: v for k, v in meta.items() if k not in known})
        except ScenarioError:
            raise
        except (OSError, KeyError, TypeError, ValueError) as exc:  # JSON and parquet errors are ValueErrors (ArrowInvalid too)
            why = "it is missing" if isinstance(exc, FileNotFoundError) else f"it is damaged or incomplete ({type(exc).__name__}: {exc})"
            raise ScenarioError(f"Cannot read the comparison folder {out}: {step} — {why}. The folder is written by "
                                "python -m sim.compare --out; run the comparison again into it (or into another folder).") from None


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

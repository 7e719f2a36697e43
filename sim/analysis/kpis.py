"""Key performance indicators as pure functions of call records and the agent log.

The same functions serve a simulated run, a replication summary and a real telephony call log,
so every definition lives here once. Inputs are the two tidy tables the model produces:

``calls``
    one row per offered call: ``arrival``, ``answered_at`` (NaT when not answered), ``fate``,
    ``wait_s`` and, optionally, ``talk_s``, ``hold_s``, ``wrap_s``, ``handle_s``, ``logged``.
    Other columns (``patience_s``, ``agent``, ``closes_at`` …) are ignored.
``agents``
    the per-interval agent log: ``interval_start``, ``staffed_s``, ``present_s``, ``busy_s``,
    ``overtime_s`` (``idle_s`` is ignored; it is ``present_s - busy_s``).

Definitions (service agreement Fibra / Mälarenergi §4.2 and Kontakta annex 2), per period P,
where a call belongs to the period that contains its ``arrival``:

=====================  ==================================================================
offered                number of calls that arrived in P (every row, whatever its fate)
answered               calls with a non-missing ``answered_at`` (whatever the fate label:
                       later model versions add fates such as ``transferred_warm``)
abandoned              calls with ``fate == "abandoned"`` and no ``answered_at``; a row that
                       carries both is counted as answered, so answered + abandoned <= offered
within_threshold       answered calls with ``wait_s <= threshold_s`` (90 s; exactly 90 s is
                       within)
availability           answered / offered  ("Tillgänglighet", target > 91 %). With fates other
                       than answered/abandoned (callbacks …) it is *not* 1 - abandon_share.
abandon_share          abandoned / offered  ("Tappade samtal")
service_level          within_threshold / offered  ("Besvarade inom 90 s", target > 90 %).
                       The denominator is **all** offered calls: abandoned calls, short abandons
                       and callback requests all count, no exclusions (Kontakta annex 2 §5).
asa_s                  mean ``wait_s`` of answered calls ("Kötid", target < 90 s)
mean_wait_all_s        mean ``wait_s`` over all offered calls (an abandoned caller's wait is the
                       time until hanging up)
p90_wait_s             90th percentile of ``wait_s`` of answered calls
p90_wait_all_s         90th percentile of ``wait_s`` over all offered calls
aht_s                  mean ``handle_s`` (talk + hold + after-call work) of answered calls
                       ("Medelärendetid", target < 350 s)
talk_s, hold_s, wrap_s mean of each handle-time part over answered calls
logging_share          logged / answered: share of handled calls logged as a case
                       ("Loggning", target > 90 %); a missing ``logged`` value counts as not logged
staffed_s, present_s,  sums of the agent log over the intervals whose ``interval_start`` lies in
busy_s, overtime_s     P (0 when the log has no row there)
occupancy              busy_s / present_s
=====================  ==================================================================

Percentiles use linear interpolation between order statistics (Hyndman & Fan type 7, the
numpy/pandas default and what a spreadsheet's PERCENTILE.INC returns), so a planner can check a
figure by hand. Means and percentiles skip missing values. A ratio whose denominator is zero is
NaN (never a division error), and so is a mean or percentile over no calls. Calls whose
``arrival`` is missing cannot be placed in a period and are left out.

Periods are labelled by their start. ``freq`` is a pandas frequency string: fixed steps
(``"15min"``, ``"30min"``, ``"h"``) and ``"D"`` floor the timestamp onto a grid anchored at the
epoch, i.e. at midnight for steps that divide a day; the calendar frequencies ``"MS"``, ``"QS"``,
``"YS"`` and weekly ``"W-MON"`` label a timestamp with the latest period start at or before it.
Agent time is attributed by ``interval_start``, so ``freq`` should be a multiple of the agent-log
grid.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple, Protocol

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset
from pandas.tseries.offsets import BaseOffset, Day, MonthBegin, QuarterBegin, Tick, Week, YearBegin

from sim.catalogue import CATALOGUE, WRITTEN_REPEAT, target_text

log = logging.getLogger(__name__)

__all__ = [
    "AGENT_COLUMNS",
    "CALL_KPI_COLUMNS",
    "COUNT_COLUMNS",
    "DEFAULT_TARGETS",
    "MET_COLUMNS",
    "PERCENTILE",
    "Targets",
    "TargetsLike",
    "days_missed",
    "judge",
    "kpi_table",
    "period_start",
    "summary",
]

PERCENTILE: Final = 0.9
"""Quantile reported by ``p90_wait_s`` and ``p90_wait_all_s``."""

COUNT_COLUMNS: Final = ("offered", "answered", "abandoned", "within_threshold")
"""Integer count columns of a KPI table (additive: pool periods or replications by summing)."""

CALL_KPI_COLUMNS: Final = (
    "availability",
    "abandon_share",
    "service_level",
    "asa_s",
    "mean_wait_all_s",
    "p90_wait_s",
    "p90_wait_all_s",
    "aht_s",
    "talk_s",
    "hold_s",
    "wrap_s",
    "logging_share",
)
"""Float KPI columns computed from the call records."""

AGENT_COLUMNS: Final = ("staffed_s", "present_s", "busy_s", "occupancy", "overtime_s")
"""Columns added to a KPI table when an agent log is given."""

_REQUIRED_CALL_COLUMNS: Final = ("arrival", "answered_at", "fate", "wait_s")
_AGENT_SUM_COLUMNS: Final = ("staffed_s", "present_s", "busy_s", "overtime_s")
_REQUIRED_AGENT_COLUMNS: Final = ("interval_start", *_AGENT_SUM_COLUMNS)
_MEAN_COLUMNS: Final = (
    "asa_s",
    "mean_wait_all_s",
    "aht_s",
    "talk_s",
    "hold_s",
    "wrap_s",
    "logging_share",
)
_QUANTILE_COLUMNS: Final = ("p90_wait_s", "p90_wait_all_s")
_CALENDAR_OFFSETS: Final = (MonthBegin, QuarterBegin, YearBegin, Week)
_ABANDONED: Final = "abandoned"


# --------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------


class TargetsLike(Protocol):
    """Anything that carries the agreement's targets under these names (e.g. a config object)."""

    @property
    def availability_min(self) -> float: ...

    @property
    def service_level_min(self) -> float: ...

    @property
    def threshold_s(self) -> float: ...

    @property
    def asa_max_s(self) -> float: ...

    @property
    def aht_max_s(self) -> float: ...

    @property
    def logging_min(self) -> float: ...


_SHARE_BOUNDS: Final = tuple(k.target for k in CATALOGUE if k.target and k.unit == "share")
_TIME_BOUNDS: Final = tuple(k.target for k in CATALOGUE if k.target and k.unit == "s")


@dataclass(frozen=True, slots=True)
class Targets:
    """The service agreement's targets for incoming calls (all bounds are strict).

    availability > availability_min, service_level > service_level_min (calls answered within
    ``threshold_s`` seconds over all offered), asa_s < asa_max_s, aht_s < aht_max_s,
    logging_share > logging_min.
    """

    availability_min: float = 0.91
    service_level_min: float = 0.90
    threshold_s: float = 90.0
    asa_max_s: float = 90.0
    aht_max_s: float = 350.0
    logging_min: float = 0.90

    def __post_init__(self) -> None:
        for name in _SHARE_BOUNDS:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"targets.{name} must be in [0, 1], got {value!r}")
        for name in ("threshold_s", *_TIME_BOUNDS):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0.0):
                raise ValueError(f"targets.{name} must be a finite number >= 0, got {value!r}")


DEFAULT_TARGETS: Final = Targets()


class _Rule(NamedTuple):
    met_column: str
    kpi_column: str
    bound_attr: str
    above: bool  # True: met when kpi > bound; False: met when kpi < bound
    label: str
    inclusive: bool = False  # met at the bound too (the catalogue's strictness)


def _rules() -> tuple[_Rule, ...]:
    """The call targets :func:`judge` applies, from the KPI catalogue (entries with a target
    and a met column, with the catalogue's strictness)."""
    rules = []
    for k in CATALOGUE:
        if k.target is not None and k.met is not None and k.short is not None:
            rules.append(_Rule(k.met, k.name, k.target, k.above, k.short, k.inclusive))
    return tuple(rules)


_RULES: Final = _rules()

MET_COLUMNS: Final = (*(rule.met_column for rule in _RULES), "all_met")
"""Nullable-boolean columns added by :func:`judge`."""


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; has {list(frame.columns)}")


def _float(values: pd.Series) -> np.ndarray:
    """A float64 array of ``values`` with every missing value (NaN, None, pd.NA) as NaN."""
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _datetimes(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    return pd.to_datetime(values)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, NaN where the denominator is 0 (or missing)."""
    den = denominator.astype("float64")
    return numerator.astype("float64") / den.where(den > 0)


def _offset(freq: str) -> BaseOffset:
    offset = to_offset(freq)
    if isinstance(offset, Tick | Day):
        return offset
    if isinstance(offset, _CALENDAR_OFFSETS) and offset.n == 1:
        if isinstance(offset, Week) and offset.weekday is None:
            raise ValueError(f"weekly freq needs an anchor day, e.g. 'W-MON'; got {freq!r}")
        return offset
    raise ValueError(
        f"unsupported freq {freq!r}: use a fixed step ('15min', '30min', 'h', 'D') or a "
        "period-start calendar frequency ('W-MON', 'MS', 'QS', 'YS')"
    )


def period_start(timestamps: pd.Series, freq: str) -> pd.Series:
    """The start of the ``freq`` period that contains each timestamp (NaT stays NaT).

    Fixed steps and ``"D"`` floor onto an epoch-anchored grid (midnight-aligned for steps that
    divide a day); ``"MS"``, ``"QS"``, ``"YS"``,
    ``"W-<day>"`` return the latest period start at or before the timestamp. Returned at
    nanosecond resolution so tables built from differently-typed inputs join cleanly.
    """
    offset = _offset(freq)
    ts = _datetimes(timestamps)
    if isinstance(offset, Tick | Day):
        start = ts.dt.floor(offset)
    else:
        midnight = ts.dt.normalize()
        start = (midnight + offset) - offset  # next anchor strictly after, then one back
    return start.dt.as_unit("ns").rename("period")


# --------------------------------------------------------------------------------------------
# Aggregation
# --------------------------------------------------------------------------------------------


def _per_call(calls: pd.DataFrame, threshold_s: float) -> pd.DataFrame:
    """One row per call with 0/1 count flags and the values the means/percentiles average.

    Values that only concern answered calls are NaN on the other rows, so a plain mean over a
    group is the mean over its answered calls.
    """
    _require(calls, _REQUIRED_CALL_COLUMNS, "calls")
    answered = calls["answered_at"].notna().to_numpy(dtype=bool)
    fate_abandoned = calls["fate"].eq(_ABANDONED).astype("boolean").fillna(False)
    abandoned = fate_abandoned.to_numpy(dtype=bool) & ~answered
    wait = _float(calls["wait_s"])
    within = answered & (wait <= threshold_s)

    def answered_only(column: str) -> np.ndarray:
        if column not in calls.columns:
            return np.full(len(calls), np.nan)
        return np.where(answered, _float(calls[column]), np.nan)

    if "logged" in calls.columns:
        logged = calls["logged"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        logged_answered = np.where(answered, logged.astype("float64"), np.nan)
    else:
        logged_answered = np.full(len(calls), np.nan)

    return pd.DataFrame(
        {
            "offered": np.ones(len(calls), dtype="int64"),
            "answered": answered.astype("int64"),
            "abandoned": abandoned.astype("int64"),
            "within_threshold": within.astype("int64"),
            "asa_s": np.where(answered, wait, np.nan),
            "mean_wait_all_s": wait,
            "aht_s": np.where(answered, _handle_time(calls), np.nan),
            "talk_s": answered_only("talk_s"),
            "hold_s": answered_only("hold_s"),
            "wrap_s": answered_only("wrap_s"),
            "logging_share": logged_answered,
            "p90_wait_s": np.where(answered, wait, np.nan),
            "p90_wait_all_s": wait,
        },
        index=calls.index,
    )


def _aggregate_calls(per_call: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    """Counts, means and percentiles of ``per_call`` grouped by ``key`` (one vectorised pass)."""
    grouped = per_call.groupby(key, sort=True)
    counts = grouped[list(COUNT_COLUMNS)].sum()
    means = grouped[list(_MEAN_COLUMNS)].mean()
    quantiles = grouped[list(_QUANTILE_COLUMNS)].quantile(PERCENTILE)
    return pd.concat([counts, means, quantiles], axis=1)


def _aggregate_agents(agents: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    _require(agents, _REQUIRED_AGENT_COLUMNS, "agents")
    values = pd.DataFrame(
        {column: _float(agents[column]) for column in _AGENT_SUM_COLUMNS}, index=agents.index
    )
    return values.groupby(key, sort=True).sum()


def _assemble(
    call_agg: pd.DataFrame,
    agent_agg: pd.DataFrame | None,
    index: pd.Index | None = None,
) -> pd.DataFrame:
    """Join call and agent aggregates, fill empty periods, compute the ratio KPIs."""
    table = call_agg if agent_agg is None else call_agg.join(agent_agg, how="outer")
    if index is not None:
        table = table.reindex(index)
    table = table.copy()
    for column in COUNT_COLUMNS:
        table[column] = table[column].fillna(0).astype("int64")
    offered = table["offered"]
    table["availability"] = _ratio(table["answered"], offered)
    table["abandon_share"] = _ratio(table["abandoned"], offered)
    table["service_level"] = _ratio(table["within_threshold"], offered)
    columns = [*COUNT_COLUMNS, *CALL_KPI_COLUMNS]
    if agent_agg is not None:
        for column in _AGENT_SUM_COLUMNS:
            table[column] = table[column].fillna(0.0).astype("float64")
        table["occupancy"] = _ratio(table["busy_s"], table["present_s"])
        columns += list(AGENT_COLUMNS)
    for column in CALL_KPI_COLUMNS:
        table[column] = table[column].astype("float64")
    return table[columns]


def _check_threshold(threshold_s: float) -> None:
    if not (math.isfinite(threshold_s) and threshold_s >= 0.0):
        raise ValueError(f"threshold_s must be a finite number >= 0, got {threshold_s!r}")


HANDLE_PARTS = ("talk_s", "hold_s", "wrap_s")


def _handle_time(calls: pd.DataFrame) -> np.ndarray:
    """``handle_s``, or (a real call log often has only the parts) talk + hold + wrap; a log
    line says which parts were summed or that there are none (AHT then NaN)."""
    if "handle_s" in calls.columns:
        return _float(calls["handle_s"])
    parts = [c for c in HANDLE_PARTS if c in calls.columns]
    if not parts:
        if len(calls):
            log.warning("calls have no handle_s and none of talk_s, hold_s, wrap_s: aht_s is NaN.")
        return np.full(len(calls), np.nan)
    missing = [c for c in HANDLE_PARTS if c not in parts]
    if missing:
        log.warning("calls have no handle_s: aht_s is the sum of %s (no %s).", ", ".join(parts), ", ".join(missing))
    return np.sum([_float(calls[c]) for c in parts], axis=0)


def kpi_table(
    calls: pd.DataFrame,
    freq: str,
    agents: pd.DataFrame | None = None,
    threshold_s: float = 90.0,
) -> pd.DataFrame:
    """KPIs per period: one row per period that has offered calls (or agent time).

    Calls belong to the period of their ``arrival``; agent-log rows to the period of their
    ``interval_start``. Returns a tidy frame (default RangeIndex) with columns ``period``
    (period start), :data:`COUNT_COLUMNS`, :data:`CALL_KPI_COLUMNS` and, when ``agents`` is given,
    :data:`AGENT_COLUMNS`; formulas in the module docstring. Periods without calls have
    ``offered == 0`` and NaN ratios. ``threshold_s`` is kept in ``result.attrs["threshold_s"]``
    so :func:`judge` can refuse targets with a different threshold.
    """
    _check_threshold(threshold_s)
    per_call = _per_call(calls, threshold_s)
    call_agg = _aggregate_calls(per_call, period_start(calls["arrival"], freq))
    agent_agg = None
    if agents is not None:
        agent_agg = _aggregate_agents(agents, period_start(agents["interval_start"], freq))
    table = _assemble(call_agg, agent_agg)
    table.index.name = "period"
    result = table.reset_index()
    result.attrs = {"freq": freq, "threshold_s": float(threshold_s)}
    return result


# --------------------------------------------------------------------------------------------
# Judging against the targets
# --------------------------------------------------------------------------------------------


def meets(value: np.ndarray, bound: np.ndarray | float, above: np.ndarray | bool, inclusive: np.ndarray | bool) -> np.ndarray:
    """Whether each value is on the good side of its bound: above it (``above``) or below it,
    strictly (``>``/``<``: the agreement's call targets) or, where ``inclusive``, at the bound
    too (``>=``/``<=``: a case kind's ``case_share_min``); the strictness is the KPI catalogue's
    (:attr:`sim.catalogue.KPI.inclusive`). NaN is not met. The one rule of :func:`judge` and of
    :mod:`sim.analysis.paired`."""
    value = np.asarray(value, dtype=float)
    with np.errstate(invalid="ignore"):
        strict = np.where(above, value > bound, value < bound)
        return np.where(inclusive, strict | (value == bound), strict)


def _met(values: pd.Series, bound: float, above: bool, inclusive: bool = False) -> pd.Series:
    """:func:`meets` of each value of a column; NA where the value is NaN."""
    array = _float(values)
    missing = np.isnan(array)
    return pd.Series(pd.arrays.BooleanArray(meets(array, bound, above, inclusive).astype(bool), missing), index=values.index)


def judge(kpis: pd.DataFrame, targets: TargetsLike = DEFAULT_TARGETS) -> pd.DataFrame:
    """A copy of ``kpis`` with one nullable-boolean "met" column per target, plus ``all_met``.

    Strict, as the agreement words them: availability > availability_min ("över 91 %"),
    service_level > service_level_min, asa_s < asa_max_s ("under 90 s"), aht_s < aht_max_s,
    logging_share > logging_min. A KPI that is NaN (no offered / no answered calls in the
    period) is not judged: its met value is ``pd.NA``. ``all_met`` combines the five with
    three-valued logic: False if any target is missed, NA if none is missed but one is NA,
    else True. (In boolean indexing pandas treats NA as False.)

    Raises ValueError if ``kpis`` was built by :func:`kpi_table` with a service-level threshold
    different from ``targets.threshold_s``.
    """
    _require(kpis, [rule.kpi_column for rule in _RULES], "kpis")
    built_with = kpis.attrs.get("threshold_s")
    if built_with is not None and float(built_with) != float(targets.threshold_s):
        raise ValueError(
            f"kpis were computed with threshold_s={built_with}, "
            f"targets.threshold_s={targets.threshold_s}"
        )
    result = kpis.copy()
    all_met: pd.Series | None = None
    for rule in _RULES:
        met = _met(kpis[rule.kpi_column], float(getattr(targets, rule.bound_attr)), rule.above, rule.inclusive)
        result[rule.met_column] = met
        all_met = met if all_met is None else all_met & met
    assert all_met is not None
    result["all_met"] = all_met
    return result


def days_missed(
    calls: pd.DataFrame,
    targets: TargetsLike = DEFAULT_TARGETS,
    agents: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per month: open days, days each daily KPI missed its target, and the month's verdict.

    Columns: ``month`` (month start); ``open_days`` (days with offered calls);
    ``<target>_days_missed`` for availability, service_level, asa, aht, logging — days whose
    daily KPI was judged and missed (a day where the KPI is NaN, e.g. asa on a day when every
    caller abandoned, is not counted); ``all_days_missed`` (days that missed at least one
    target); then the month's own KPI row from :func:`kpi_table` with ``freq="MS"`` and its
    :func:`judge` columns. The month verdict pools the month's calls (e.g. service level =
    calls within threshold in the month / calls offered in the month), it is not a mean of
    daily values. Months with agent time but no calls have ``open_days == 0``.
    """
    threshold = float(targets.threshold_s)
    daily = judge(kpi_table(calls, "D", threshold_s=threshold), targets)
    daily = daily[daily["offered"] > 0]
    flags = {
        f"{rule.label}_days_missed": daily[rule.met_column].eq(False).fillna(False)
        for rule in _RULES
    }
    flags["all_days_missed"] = daily["all_met"].eq(False).fillna(False)
    per_day = pd.DataFrame({"open_days": 1, **flags}, index=daily.index).astype("int64")
    counts = per_day.groupby(period_start(daily["period"], "MS"), sort=True).sum()

    monthly = judge(kpi_table(calls, "MS", agents=agents, threshold_s=threshold), targets)
    counts = counts.reindex(pd.DatetimeIndex(monthly["period"])).fillna(0).astype("int64")
    counts = counts.reset_index(drop=True)
    result = pd.concat([monthly[["period"]], counts, monthly.drop(columns="period")], axis=1)
    result = result.rename(columns={"period": "month"})
    result.attrs = dict(monthly.attrs)
    return result


# --------------------------------------------------------------------------------------------
# Whole-run summary
# --------------------------------------------------------------------------------------------


def _target_texts(targets: TargetsLike) -> dict[str, str]:
    """The targets as the summary prints them: shares in per cent, like the values beside them."""
    texts = {rule.kpi_column: target_text(rule.kpi_column, targets, threshold=True) for rule in _RULES}
    return {name: text for name, text in texts.items() if text is not None}


def _whole_run_key(timestamps: pd.Series) -> pd.Series:
    """Group key 0 for every row; NA (left out, as in kpi_table) where the time is missing."""
    return pd.Series(0, index=timestamps.index, dtype="Int64").mask(timestamps.isna())


def summary(
    calls: pd.DataFrame,
    agents: pd.DataFrame | None = None,
    targets: TargetsLike = DEFAULT_TARGETS,
) -> pd.DataFrame:
    """Whole-run KPIs pooled over every call: one row per KPI, for the CLI to print.

    Columns ``kpi`` (str), ``value`` (float64), ``target`` (str, NA for KPIs without a target),
    ``met`` (nullable boolean, NA without a target or when the value is NaN). Rows follow
    :data:`COUNT_COLUMNS`, :data:`CALL_KPI_COLUMNS` and, with ``agents``, :data:`AGENT_COLUMNS`.
    """
    threshold = float(targets.threshold_s)
    _check_threshold(threshold)
    per_call = _per_call(calls, threshold)
    call_agg = _aggregate_calls(per_call, _whole_run_key(calls["arrival"]))
    agent_agg = None
    if agents is not None:
        _require(agents, _REQUIRED_AGENT_COLUMNS, "agents")
        agent_agg = _aggregate_agents(agents, _whole_run_key(agents["interval_start"]))
    row = judge(_assemble(call_agg, agent_agg, index=pd.Index([0])), targets).iloc[0]

    texts = _target_texts(targets)
    met_of = {rule.kpi_column: rule.met_column for rule in _RULES}
    kpis = [c for c in row.index if c not in MET_COLUMNS]
    return pd.DataFrame(
        {
            "kpi": pd.array(kpis, dtype="str"),
            "value": np.array([row[k] for k in kpis], dtype="float64"),
            "target": pd.array([texts.get(k) for k in kpis], dtype="str"),
            "met": pd.array(
                [row[met_of[k]] if k in met_of else pd.NA for k in kpis], dtype="boolean"
            ),
        }
    )


# --------------------------------------------------------------------------------------------
# Callbacks, transfers, repeat contacts, agent groups
# --------------------------------------------------------------------------------------------

FEATURE_KPI_COLUMNS: Final = (
    "offered", "callbacks_offered", "callbacks_accepted", "callbacks_made", "callbacks_failed",
    "callbacks_pending", "callback_on_time_share", "callback_accept_share", "transfers",
    "transfers_warm", "transfers_blind", "transfer_fallbacks", "transfer_abandoned",
    "mean_consult_wait_s", "repeat_calls", "customers", "repeat_contact_ratio",
    "matters", "fcr", "repeat_contacts_per_matter", "resolution_time_h",
)


def feature_kpis(calls: pd.DataFrame, freq: str, whole: pd.Timestamp | None = None,
                 cases: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per period: callbacks offered / accepted / made / failed / on time, transfers (warm,
    blind, fallback to a case, abandoned after a blind transfer), mean consultation wait,
    and repeat contacts.

    ``callback_on_time_share`` = callbacks whose first attempt came within the promised
    window / callbacks attempted (Kontakta annex 2 §11); ``repeat_contact_ratio`` = offered
    calls that were a customer's 2nd or later attempt / offered calls (each attempt still
    counts as offered in the agreement's KPIs). Columns that the records lack count as 0. The
    failure-demand KPIs are :func:`matter_kpis` (with ``cases``: written repeat contacts too).
    """
    def col(name: str, default: object) -> pd.Series:
        return calls[name] if name in calls.columns else pd.Series(default, index=calls.index)

    fate = calls["fate"].astype(str)
    accepted = _datetimes(col("callback_accepted_at", pd.NaT)).notna()
    attempted = _datetimes(col("callback_first_attempt_at", pd.NaT)).notna()
    connected = _datetimes(col("connected_at", pd.NaT)).notna()
    on_time = col("callback_on_time", pd.NA).astype("boolean").fillna(False)
    transfer = col("transfer", "none").astype(str)
    attempt = pd.to_numeric(col("attempt", 1))
    per = pd.DataFrame(
        {
            "offered": 1,
            "callbacks_offered": col("callback_offered", False).astype(bool).astype(int),
            "callbacks_accepted": accepted.astype(int),
            "callbacks_made": (accepted & fate.ne("callback_failed_case") & connected).astype(int),
            "callbacks_failed": fate.eq("callback_failed_case").astype(int),
            "callbacks_pending": fate.eq("callback_requested").astype(int),
            "callbacks_attempted": attempted.astype(int),
            "callbacks_on_time": (on_time & attempted).astype(int),
            "transfers": transfer.ne("none").astype(int),
            "transfers_warm": fate.eq("transferred_warm").astype(int),
            "transfers_blind": fate.eq("transferred_blind").astype(int),
            "transfer_fallbacks": fate.eq("transfer_fallback_case").astype(int),
            "transfer_abandoned": fate.eq("transfer_abandoned").astype(int),
            "consult_wait": pd.to_numeric(col("consult_wait_s", np.nan)),
            "repeat_calls": (attempt > 1).astype(int),
            "customer": col("customer_id", pd.Series(range(len(calls)), index=calls.index)),
        },
        index=calls.index,
    )
    if calls.empty:
        return pd.DataFrame(columns=["period", *FEATURE_KPI_COLUMNS])
    key = period_start(_datetimes(calls["arrival"]), freq) if whole is None else pd.Series(whole, index=calls.index)
    g = per.groupby(key, sort=True)
    out = g.sum(numeric_only=True).drop(columns=["consult_wait", "customer"])
    out["customers"] = g["customer"].nunique()
    out["mean_consult_wait_s"] = g["consult_wait"].mean()
    out["callback_on_time_share"] = _ratio(out["callbacks_on_time"], out["callbacks_attempted"])
    out["callback_accept_share"] = _ratio(out["callbacks_accepted"], out["callbacks_offered"])
    out["repeat_contact_ratio"] = _ratio(out["repeat_calls"], out["offered"])
    out = out.join(matter_kpis(calls, freq, whole, cases), how="left")
    out["matters"] = out["matters"].fillna(0).astype(int)
    out = out.rename_axis("period").reset_index()
    return out[["period", *FEATURE_KPI_COLUMNS]]


def matters(calls: pd.DataFrame, cases: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per matter (a customer's contacts, linked by ``customer_id``; without that column
    every call is its own matter): ``first_at`` (the first contact's arrival), ``contacts``,
    ``answered`` (some contact was answered), ``first_resolved`` (the first answered contact
    resolved it: not ``unresolved``), ``resolved_at`` (end of the resolving contact, the first
    answered one not ``unresolved``; NaT if none) and ``resolution_s`` (first contact to
    ``resolved_at``). Records without ``unresolved`` (resolution.fcr 1.0) resolve every matter
    at its first answered contact.

    ``cases``: the case records; a written repeat contact (``source`` unresolved_call, linked
    by ``customer_id``) is a contact of its matter in the other channel, handled when an agent
    finished it, and it resolves the matter then (``finished_at``; a case is worked until it
    is solved). Other cases (channel cases, the phone model's own cases) are not a customer's
    contact of a call's matter and are left out."""
    per = _contacts(calls)
    if cases is not None and "customer_id" in cases.columns and len(cases):
        written = cases[(cases["source"].astype(str) == WRITTEN_REPEAT) & cases["customer_id"].notna()]
        if len(written):
            done = _datetimes(written["finished_at"])
            per = pd.concat([per, pd.DataFrame({
                "customer": written["customer_id"].to_numpy(dtype=np.int64), "arrival": _datetimes(written["arrival"]).to_numpy(),
                "answered": done.notna().to_numpy(), "ended": done.to_numpy(),
                "first_answered_ok": np.where(done.notna(), 1.0, np.nan),
            })], ignore_index=True)
    per = per.sort_values(["customer", "arrival"], kind="stable")
    g = per.groupby("customer", sort=True)
    out = pd.DataFrame({
        "first_at": g["arrival"].min(), "contacts": g.size(), "answered": g["answered"].any(),
        "first_resolved": g["first_answered_ok"].first(),  # first non-NaN: the first answered contact
        "resolved_at": g["ended"].min(),
    })
    out["first_resolved"] = out["first_resolved"] == 1.0
    out["resolution_s"] = (out["resolved_at"] - out["first_at"]).dt.total_seconds()
    return out


def _contacts(calls: pd.DataFrame) -> pd.DataFrame:
    """One row per call as a contact of its matter (:func:`matters`)."""
    n = len(calls)
    customer = calls["customer_id"].to_numpy() if "customer_id" in calls.columns else np.arange(n)
    arrival = _datetimes(calls["arrival"])
    connected_col = calls["connected_at"] if "connected_at" in calls.columns else calls["answered_at"]
    answered = _datetimes(connected_col).notna().to_numpy()
    unresolved = calls["unresolved"].to_numpy(dtype=bool) if "unresolved" in calls.columns else np.zeros(n, dtype=bool)
    resolving = answered & ~unresolved
    return pd.DataFrame({
        "customer": customer, "arrival": arrival.to_numpy(), "answered": answered,
        "ended": np.where(resolving, _datetimes(calls["ended_at"]).to_numpy(), np.datetime64("NaT")),
        "first_answered_ok": np.where(answered, resolving, np.nan),
    })


def matter_kpis(calls: pd.DataFrame, freq: str, whole: pd.Timestamp | None = None,
                cases: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per period of the matter's first contact (Kontakta annex 2): ``matters``; ``fcr`` = matters
    whose first answered contact resolved them / matters with an answered contact (§3);
    ``repeat_contacts_per_matter`` = contacts after the first / matters (§7); ``resolution_time_h``
    = mean hours from the first contact to the end of the resolving one, over resolved matters
    (§4, full resolution time). Index: the period start (``whole``: one period for the whole run).
    ``cases``: the case records, whose written repeat contacts count as contacts of their matter
    in both the repeat contacts and the resolution time (:func:`matters`)."""
    m = matters(calls, cases)
    key = period_start(m["first_at"], freq) if whole is None else pd.Series(whole, index=m.index)
    g = m.groupby(key, sort=True)
    answered = g["answered"].sum()
    out = pd.DataFrame({
        "matters": g.size(),
        "fcr": _ratio((m["first_resolved"] & m["answered"]).groupby(key).sum(), answered),
        "repeat_contacts_per_matter": (g["contacts"].sum() - g.size()) / g.size(),
        "resolution_time_h": g["resolution_s"].mean() / 3600.0,
    })
    return out.rename_axis("period")


def group_kpis(calls: pd.DataFrame, agents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per agent group over the whole table: calls handled and mean agent time per handled
    call (a transferred call's first part counts for the group it entered, the hand-over and
    the rest for the target group ``group2``); with an agent log also staffed, present, busy
    and overtime agent-seconds and occupancy."""
    first = calls["agent"].notna()
    first_time = calls["first_handle_s"].fillna(calls["handle_s"]) if "first_handle_s" in calls else calls["handle_s"]
    parts = [pd.DataFrame({"group": calls.loc[first, "group"] if "group" in calls else "first_line",
                           "time": first_time[first]})]
    if "group2" in calls:
        second = calls["agent2"].notna()
        parts.append(pd.DataFrame({"group": calls.loc[second, "group2"], "time": calls.loc[second, "second_handle_s"]}))
    handled = pd.concat(parts, ignore_index=True)
    out = handled.groupby("group").agg(handled=("time", "size"), agent_time_per_call_s=("time", "mean"))
    if agents is not None and "group" in agents:
        a = agents.groupby("group")[["staffed_s", "present_s", "busy_s", "overtime_s"]].sum()
        a["occupancy"] = _ratio(a["busy_s"], a["present_s"])
        out = out.join(a, how="outer")
        out["handled"] = out["handled"].fillna(0).astype(int)
    return out.rename_axis("group").reset_index()

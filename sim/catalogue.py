"""The KPI catalogue: every KPI the toolkit computes, declared once.

Each :class:`KPI` says what a column of the KPI rows is: its ``name`` (the column
:func:`sim.analysis.kpis.kpi_table`, :func:`sim.analysis.kpis.feature_kpis`, the case KPIs
and the Monte Carlo rows emit), ``unit``, how it is shown (``fmt``), which way is better
(``direction``), the ``TargetsConfig`` attribute that holds its target (``target``, with
``above`` and ``inclusive`` saying which side meets it and whether the bound itself does), the
nullable-boolean column that says per row whether it met that target (``met``), a label in
words, and whether it may be a ``montecarlo.precision`` goal or carry a
``montecarlo.practical`` threshold. The lists the rest of the package used to keep by hand are
derived here (:data:`TARGET_KPIS`, :data:`MET_OF`, :data:`SHARES`, :func:`is_share`,
:func:`value_range`, :func:`target_text` …), so a new KPI is one new ``KPI(...)`` line plus the code that computes
it; ``tests/test_catalogue.py`` checks that every emitted column has an entry.

A case kind's share within its limit is a family, ``within_target_<kind>``
(:data:`KIND_SHARE`): the kinds are the scenario's own, so one entry (:data:`KIND_ENTRY`)
stands for all of them; :func:`kpi` resolves a name to its entry.

This module sits just above :mod:`sim.errors` in the layers: the scenario schema reads the
precision and practical keys from it, and it imports nothing of the package.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final, Literal

__all__ = [
    "CATALOGUE",
    "KIND_ENTRY",
    "KIND_SHARE",
    "KPI",
    "MET_OF",
    "NON_NEGATIVE_UNITS",
    "PRACTICAL_KPIS",
    "PRECISION_KPIS",
    "SHARES",
    "SIGNED_UNITS",
    "TARGET_KPIS",
    "by_format",
    "is_share",
    "kpi",
    "target_bound",
    "target_text",
    "value_range",
]

Format = Literal["percent", "seconds", "agent_hours", "working_hours", "count", "days", "number"]
"""How a value is shown: a share in per cent, seconds, agent-seconds as hours, working hours,
a whole count, a number of days (a mean over replications: one decimal), a plain number."""

Direction = Literal["higher", "lower", "agent_time", "none"]
"""Which way is better: ``higher``, ``lower``, ``agent_time`` (a lower value saves agent-hours,
a higher one costs them) or ``none`` (neither: offered calls, callbacks accepted …)."""

KIND_SHARE: Final = "within_target_"
"""Prefix of a case kind's share handled within its limit (``within_target_fault_report``)."""
NON_NEGATIVE_UNITS: Final = frozenset({
    "share",  # a share of something, 0 to 1
    "s", "agent-s", "h", "working h", "days",  # times, agent-hours, working hours, numbers of days
    "calls", "cases", "customers", "matters", "contacts",  # counts (and counts per matter)
})
"""Units whose values cannot be negative: shares, times, hours and counts. A KPI's unit decides
whether its values, hence their mean, are at least 0 (:attr:`KPI.non_negative`); a unit of a
KPI that can be negative (a balance, a difference) would be left out of this set.
``tests/test_catalogue.py`` checks that every unit of the catalogue is a known one."""
SIGNED_UNITS: Final = frozenset[str]()
"""Units whose values may be negative (none yet): a new unit goes here or into :data:`NON_NEGATIVE_UNITS`."""
WRITTEN_REPEAT: Final = "unresolved_call"
"""The ``source`` of a case that is a customer's written repeat contact after an unresolved call
(``resolution.case_share``): a contact of the matter in the failure-demand KPIs."""


@dataclass(frozen=True)
class KPI:
    """One KPI (see the module docstring)."""

    name: str
    unit: str
    fmt: Format
    direction: Direction
    label: str
    target: str | None = None  # attribute of TargetsConfig holding the bound
    inclusive: bool = False  # met at the bound itself (>= / <=); the call targets are strict (> / <)
    met: str | None = None  # per-row flag column whose share is P(target met)
    precision: bool = False  # may be a montecarlo.precision goal
    practical: bool = False  # may carry a montecarlo.practical threshold

    @property
    def above(self) -> bool:
        """Met when the value is above the bound (else below)."""
        return self.direction == "higher"

    @property
    def non_negative(self) -> bool:
        """Whether the KPI's values cannot be negative (from its unit: :data:`NON_NEGATIVE_UNITS`)."""
        return self.unit in NON_NEGATIVE_UNITS

    @property
    def value_range(self) -> tuple[float, float]:
        """The values the KPI (and the mean of its values) can take: [0, 1] for a share,
        [0, ∞) for a time, hours or a count, else (−∞, ∞)."""
        if self.unit == "share":
            return 0.0, 1.0
        return (0.0 if self.non_negative else -math.inf), math.inf

    @property
    def short(self) -> str | None:
        """The target's short name in the ``*_days_missed`` counts (``asa``), from ``met``."""
        return None if self.met is None else self.met.removesuffix("_met")


def _count(name: str, unit: str, label: str, direction: Direction = "none") -> KPI:
    return KPI(name, unit, "count", direction, label)


def _share(name: str, label: str, direction: Direction = "none", **kw: object) -> KPI:
    return KPI(name, "share", "percent", direction, label, **kw)  # type: ignore[arg-type]


def _seconds(name: str, label: str, direction: Direction = "lower", **kw: object) -> KPI:
    return KPI(name, "s", "seconds", direction, label, **kw)  # type: ignore[arg-type]


def _agent(name: str, label: str, **kw: object) -> KPI:
    return KPI(name, "agent-s", "agent_hours", "agent_time", label, **kw)  # type: ignore[arg-type]


def _days(name: str, label: str, direction: Direction = "lower") -> KPI:
    return KPI(name, "days", "days", direction, label)


CATALOGUE: Final[tuple[KPI, ...]] = (
    # calls (sim.analysis.kpis.kpi_table): counts, then the call KPIs in the table's order
    _count("offered", "calls", "calls offered"),
    _count("answered", "calls", "calls answered", "higher"),
    _count("abandoned", "calls", "calls abandoned", "lower"),
    _count("within_threshold", "calls", "calls answered within the target time", "higher"),
    _share("availability", "availability (answered / offered)", "higher", target="availability_min",
           met="availability_met", precision=True, practical=True),
    _share("abandon_share", "abandoned / offered", "lower", practical=True),
    _share("service_level", "service level (answered within the target time / all offered)", "higher",
           target="service_level_min", met="service_level_met", precision=True, practical=True),
    _seconds("asa_s", "queue time of answered calls (kötid)", target="asa_max_s", met="asa_met", precision=True,
             practical=True),
    _seconds("mean_wait_all_s", "mean wait of all offered calls", precision=True, practical=True),
    _seconds("p90_wait_s", "90th percentile wait of answered calls", practical=True),
    _seconds("p90_wait_all_s", "90th percentile wait of all offered calls"),
    _seconds("aht_s", "handle time (talk + hold + after-call work)", target="aht_max_s", met="aht_met", precision=True,
             practical=True),
    _seconds("talk_s", "talk time of answered calls", "none"),
    _seconds("hold_s", "hold time of answered calls", "none"),
    _seconds("wrap_s", "after-call work of answered calls", "none"),
    _share("logging_share", "handled calls logged as a case", "higher", target="logging_min", met="logging_met",
           precision=True, practical=True),
    # the agent log (kpi_table with agents)
    _agent("staffed_s", "scheduled agent-hours", practical=True),
    _agent("present_s", "agent-hours present (incl. overtime)", practical=True),
    _agent("busy_s", "agent-hours busy"),
    _share("occupancy", "agent occupancy (busy / present)", precision=True, practical=True),
    _agent("overtime_s", "overtime after closing (agent-hours)", precision=True, practical=True),
    # callbacks, transfers, repeat contacts (sim.analysis.kpis.feature_kpis)
    _count("callbacks_offered", "calls", "callbacks offered"),
    _count("callbacks_accepted", "calls", "callbacks accepted"),
    _count("callbacks_made", "calls", "callbacks made (customer reached)"),
    _count("callbacks_failed", "calls", "callbacks never reached (logged as a case)", "lower"),
    _count("callbacks_pending", "calls", "callbacks still waiting at the end"),
    _share("callback_on_time_share", "callbacks on time (first attempt within the promised window)", "higher",
           practical=True),
    _share("callback_accept_share", "callbacks accepted / offered"),
    _count("transfers", "calls", "calls transferred"),
    _count("transfers_warm", "calls", "warm transfers completed"),
    _count("transfers_blind", "calls", "blind transfers"),
    _count("transfer_fallbacks", "calls", "transfers turned into a case (no colleague in time)", "lower"),
    _count("transfer_abandoned", "calls", "callers lost after a blind transfer", "lower"),
    _seconds("mean_consult_wait_s", "mean wait for a colleague (warm transfer)"),
    _count("repeat_calls", "calls", "repeat contacts (2nd or later attempt)"),
    _count("customers", "customers", "distinct customers who called"),
    _share("repeat_contact_ratio", "repeat contacts / offered"),
    # failure demand (sim.analysis.kpis.matter_kpis): per matter, by the day of its first contact
    _count("matters", "matters", "customers' matters (contacts linked by customer_id)"),
    _share("fcr", "first-contact resolution (matters resolved by their first answered contact)", "higher", practical=True),
    KPI("repeat_contacts_per_matter", "contacts", "number", "lower", "repeat contacts per matter"),
    KPI("resolution_time_h", "h", "number", "lower", "full resolution time (first contact to the resolving one, hours)"),
    # cases (sim.analysis.case_kpis): per period and over the whole run
    _count("cases_arrived", "cases", "cases arrived (e-mail, web, social media)"),
    _count("cases_handled", "cases", "cases handled", "higher"),
    _count("cases_open", "cases", "cases still open at the end of the run"),
    _share("case_within_target", "cases handled within their limit (all kinds)", "higher", met="case_met",
           practical=True),
    KPI("work_h_mean", "working h", "working_hours", "lower", "mean case time to handling (working hours)"),
    KPI("work_h_p90", "working h", "working_hours", "lower", "90th percentile case time to handling (working hours)"),
    _count("backlog_end", "cases", "open cases at the end of the run", "lower"),
    _agent("case_busy_s", "agent-hours on cases"),
    # days (sim.study.compare: per replication, from the day rows)
    _days("open_days", "open days", "none"),
    _days("days", "days", "none"),
    _days("days_missed_availability", "days missing the availability target"),
    _days("days_missed_service_level", "days missing the service-level target"),
    _days("days_missed_asa", "days missing the queue-time target"),
    _days("days_missed_aht", "days missing the handle-time target"),
    _days("days_missed_logging", "days missing the logging target"),
    _days("days_missed_any", "days missing at least one target"),
)
"""Every KPI, in the order the KPI rows carry them."""

KIND_ENTRY: Final = _share(KIND_SHARE, "a case kind's cases handled within their limit", "higher",
                           target="case_share_min", inclusive=True)
"""The entry of every ``within_target_<kind>`` column (target ``case_share_min``, met at it)."""

_BY_NAME: Final = {k.name: k for k in CATALOGUE}
if len(_BY_NAME) != len(CATALOGUE):  # pragma: no cover - a declaration error
    raise RuntimeError("a KPI is declared twice in CATALOGUE")


def kpi(name: str) -> KPI | None:
    """The entry of a KPI column (a ``within_target_<kind>`` column gets :data:`KIND_ENTRY`), or None."""
    if name.startswith(KIND_SHARE):
        return KIND_ENTRY
    return _BY_NAME.get(name)


def by_format(fmt: Format) -> frozenset[str]:
    """The KPIs shown in format ``fmt`` (not the ``within_target_<kind>`` family)."""
    return frozenset(k.name for k in CATALOGUE if k.fmt == fmt)


TARGET_KPIS: Final[tuple[str, ...]] = tuple(k.name for k in CATALOGUE if k.target is not None)
"""The agreement's call KPIs with a target: availability, service_level, asa_s, aht_s, logging_share."""

MET_OF: Final[dict[str, str]] = {k.name: k.met for k in CATALOGUE if k.met is not None}
"""KPI → its per-row met flag (``case_within_target`` → ``case_met``: every kind at least
``case_share_min``)."""

SHARES: Final = frozenset(k.name for k in CATALOGUE if k.unit == "share")
"""KPIs that are shares of something (0 to 1); see :func:`is_share`."""


PRECISION_KPIS: Final = frozenset(k.name for k in CATALOGUE if k.precision)
"""KPIs a ``montecarlo.precision`` goal may name."""

PRACTICAL_KPIS: Final = frozenset(k.name for k in CATALOGUE if k.practical)
"""KPIs a ``montecarlo.practical`` threshold may be given for."""


def is_share(name: str) -> bool:
    """Whether a KPI is a share (its values and their mean lie in [0, 1])."""
    entry = kpi(name)
    return entry is not None and entry.unit == "share"


def value_range(name: str) -> tuple[float, float]:
    """The values a KPI's mean can take (:attr:`KPI.value_range`); (−∞, ∞) for an unknown name."""
    entry = kpi(name)
    return (-math.inf, math.inf) if entry is None else entry.value_range


def target_bound(name: str, targets: Any) -> tuple[float, bool, bool] | None:
    """(bound, met when above, met at the bound) of a KPI with a target in ``targets`` (a
    ``TargetsConfig`` or anything with its attribute names), else None."""
    entry = kpi(name)
    if entry is None or entry.target is None:
        return None
    bound = getattr(targets, entry.target, None)
    if bound is None:
        return None
    return float(bound), entry.above, entry.inclusive


def target_text(name: str, targets: Any, threshold: bool = False) -> str | None:
    """``> 91 %``, ``< 90 s``, ``≥ 90 %`` … for a KPI with a target, else None. With
    ``threshold`` the service level names its threshold: ``> 90 % (wait <= 90 s)``."""
    b = target_bound(name, targets)
    if b is None:
        return None
    bound, above, inclusive = b
    shown = f"{100 * bound:g} %" if is_share(name) else f"{bound:g} s"
    sign = ("≥" if above else "≤") if inclusive else (">" if above else "<")
    text = f"{sign} {shown}"
    if threshold and name == "service_level":
        text += f" (wait <= {float(targets.threshold_s):g} s)"
    return text

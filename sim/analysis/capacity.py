"""The arithmetic of the year's capacity plan: shrinkage, FTE and a hiring plan.

Pure functions of numbers (no simulation, no files), so that each step can be checked by hand
(docs/capacity.md works an example):

* :func:`fte_month`: the paid hours of one full-time person (FTE) in a month and where they
  go: vacation, training and team days, sick leave, meetings, paid breaks, and what is left
  on the phones. Planners' rule: FTE = on-phone hours ÷ (1 − shrinkage) ÷ contract hours.
* :func:`required_fte`: on-phone hours of a requirement (plus the roster's overhead) over the
  on-phone hours one FTE gives.
* :func:`hiring_plan`: month by month, the team's FTE after expected attrition, the hires
  that close the gap (whole people, decided ``lead`` months ahead, in paid training for the
  last ``training`` of them), and what stays short when a hire could not be decided in time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from sim.schema import ShrinkageConfig

FTE_COLUMNS = ("workdays", "paid_h", "vacation_h", "training_h", "sick_h", "meetings_h", "breaks_h", "phone_h", "shrinkage")


@dataclass(frozen=True)
class FteMonth:
    """One full-time person's month in hours (``day_h`` per working day)."""

    workdays: float
    paid_h: float
    vacation_h: float
    training_h: float
    sick_h: float
    meetings_h: float
    breaks_h: float
    phone_h: float

    @property
    def shrinkage(self) -> float:
        """Share of the paid hours not on the phones."""
        return 1.0 - self.phone_h / self.paid_h if self.paid_h > 0 else 0.0

    def row(self) -> dict[str, float]:
        return {c: float(getattr(self, c)) for c in FTE_COLUMNS}


def fte_month(workdays: float, vacation_days: float, training_days: float, sh: ShrinkageConfig, day_h: float) -> FteMonth:
    """Hours of one FTE in a month of ``workdays`` paid days (Monday-Friday, not red days):
    vacation and training/team days come off first, ``sick_share`` of the days left are
    sick days, and on the days at work the meetings (``meetings_h_per_week`` per five days)
    and paid breaks (``breaks_min_per_day``) are off the phones.

    Raises ``ValueError`` naming the key when vacation and training exceed the working days."""
    if vacation_days + training_days > workdays + 1e-9:
        raise ValueError(f"{vacation_days:.1f} vacation and {training_days:.1f} training/team days do not fit into the "
                         f"month's {workdays:g} working days")
    present = workdays - vacation_days - training_days
    sick_days = sh.sick_share * present
    at_work = present - sick_days
    meetings = sh.meetings_h_per_week / 5.0 * at_work
    breaks = sh.breaks_min_per_day / 60.0 * at_work
    phone = at_work * day_h - meetings - breaks
    if phone < 0:
        raise ValueError("meetings and breaks take more than the working day")
    return FteMonth(workdays, workdays * day_h, vacation_days * day_h, training_days * day_h, sick_days * day_h,
                    meetings, breaks, phone)


def required_fte(phone_h: float, phone_h_per_fte: float, roster_overhead: float = 0.0) -> float:
    """FTE needed for ``phone_h`` on-phone hours: ``phone_h × (1 + overhead) ÷ phone_h_per_fte``."""
    if phone_h <= 0:
        return 0.0
    if phone_h_per_fte <= 0:
        return math.inf
    return phone_h * (1.0 + roster_overhead) / phone_h_per_fte


def monthly_attrition(yearly: float) -> float:
    """The monthly leaving rate of a yearly attrition share: ``1 − (1 − yearly)^(1/12)``."""
    return 1.0 - (1.0 - yearly) ** (1.0 / 12.0)


@dataclass(frozen=True)
class HireRule:
    """How the plan hires: decided ``lead`` months before the month they are productive
    in, the last ``training`` of those months in paid training, ``contract`` FTE per hire,
    ``attrition`` per year, the first month a decision can be taken (``first_decision``,
    a month index: 0 the plan's first month, −1 the month before), and the months (indices)
    whose gap temporary staff cover (``temp_months``: summer temps, no permanent hires)."""

    lead: int
    training: int
    attrition: float
    contract: float
    first_decision: int = -1
    temp_months: frozenset[int] = frozenset()


def hiring_plan(required: Sequence[float], team_fte: float, rule: HireRule) -> pd.DataFrame:
    """Per month ``m`` (0, 1, ...): the FTE of the team without hires (``team_fte`` after expected
    attrition), the gap to ``required``, the hires productive from ``m`` (whole people of
    ``rule.contract``; decided in month ``m − lead``; none when that is before
    ``first_decision``), the FTE available with the hires (they leave at the same rate), what
    stays short (``temp_fte`` in the months of ``rule.temp_months``, which get no permanent
    hires; ``short_fte`` in the others: too late to hire), and the FTE in paid training that
    month (hires of later months).

    Columns: month, team_fte, gap_fte, decision_month, hires, available_fte, short_fte,
    temp_fte, surplus_fte, trainee_fte."""
    a = monthly_attrition(rule.attrition)
    team, pool = team_fte, team_fte
    rows = []
    for m, need in enumerate(required):
        team *= 1.0 - a
        pool *= 1.0 - a
        gap = need - team
        decision = m - rule.lead
        hires = 0
        if need - pool > 1e-9 and decision >= rule.first_decision and m not in rule.temp_months:
            hires = math.ceil((need - pool) / rule.contract - 1e-9)
            pool += hires * rule.contract
        rows.append({"month": m, "team_fte": team, "gap_fte": gap, "decision_month": decision, "hires": hires,
                     "available_fte": pool, "short_fte": 0.0 if m in rule.temp_months else max(0.0, need - pool),
                     "temp_fte": max(0.0, need - pool) if m in rule.temp_months else 0.0, "surplus_fte": max(0.0, pool - need)})
    out = pd.DataFrame(rows)
    trainee = [0.0] * len(rows)
    for m, r in enumerate(rows):
        for k in range(max(0, m - rule.training), m):
            trainee[k] += r["hires"] * rule.contract
    out["trainee_fte"] = trainee
    return out


def training_before(plan: pd.DataFrame, rule: HireRule) -> float:
    """FTE-months of paid training that fall before the plan's first month."""
    return float(sum(h * rule.contract * max(0, rule.training - m) for m, h in zip(plan["month"], plan["hires"], strict=True)))

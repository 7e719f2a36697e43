"""The capacity plan's arithmetic on hand-worked cases: shrinkage -> FTE, hiring with lead time and attrition."""

from __future__ import annotations

import math

import pytest

from sim.analysis.capacity import HireRule, fte_month, hiring_plan, monthly_attrition, required_fte, training_before
from sim.schema import ShrinkageConfig

SH = ShrinkageConfig(sick_share=0.05, meetings_h_per_week=1.0, breaks_min_per_day=30.0)


def test_shrinkage_to_fte_by_hand() -> None:
    # 20 working days of 8 h; 2 vacation and 1 training day leave 17; 5 % of them sick (0.85
    # days, 6.8 h) leaves 16.15 days at work; meetings 16.15 / 5 x 1 h = 3.23 h, breaks 16.15 x
    # 0.5 h = 8.075 h; on the phones 16.15 x 8 - 3.23 - 8.075 = 117.895 h of 160 paid.
    f = fte_month(20, 2, 1, SH, 8.0)
    assert f.paid_h == pytest.approx(160.0)
    assert (f.vacation_h, f.training_h) == pytest.approx((16.0, 8.0))
    assert f.sick_h == pytest.approx(6.8)
    assert f.meetings_h == pytest.approx(3.23)
    assert f.breaks_h == pytest.approx(8.075)
    assert f.phone_h == pytest.approx(117.895)
    assert f.paid_h == pytest.approx(f.vacation_h + f.training_h + f.sick_h + f.meetings_h + f.breaks_h + f.phone_h)
    assert f.shrinkage == pytest.approx(1 - 117.895 / 160)
    # 1000 on-phone hours: the planners' rule, on-phone hours / (1 - shrinkage) / contract hours
    assert required_fte(1000.0, f.phone_h) == pytest.approx(1000.0 / (1 - f.shrinkage) / 160.0)
    assert required_fte(1000.0, f.phone_h, 0.05) == pytest.approx(1050.0 / 117.895)
    assert required_fte(0.0, f.phone_h) == 0.0


def test_more_shrinkage_needs_more_fte() -> None:
    base = fte_month(20, 2, 1, SH, 8.0)
    sicker = fte_month(20, 2, 1, SH.model_copy(update={"sick_share": 0.1}), 8.0)
    more_vacation = fte_month(20, 5, 1, SH, 8.0)
    assert required_fte(1000, sicker.phone_h) > required_fte(1000, base.phone_h)
    assert required_fte(1000, more_vacation.phone_h) > required_fte(1000, base.phone_h)


def test_vacation_beyond_the_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        fte_month(20, 19, 2, SH, 8.0)


def test_hiring_with_lead_time_without_attrition() -> None:
    # need 10, 10, 12, 12, 13 with 10 FTE: month 2 needs 2 hires (decided in month 0), month 4 one more
    rule = HireRule(lead=2, training=1, attrition=0.0, contract=1.0, first_decision=0)
    p = hiring_plan([10, 10, 12, 12, 13], 10.0, rule)
    assert p["hires"].tolist() == [0, 0, 2, 0, 1]
    assert p["decision_month"].tolist() == [-2, -1, 0, 1, 2]
    assert p["available_fte"].tolist() == [10, 10, 12, 12, 13]
    assert p["gap_fte"].tolist() == [0, 0, 2, 2, 3]
    # the last month of the lead time is paid training: month 1 for the month-2 hires, month 3 for the month-4 hire
    assert p["trainee_fte"].tolist() == [0, 2, 0, 1, 0]
    assert p["short_fte"].sum() == 0


def test_a_gap_too_early_to_hire_for_stays_short() -> None:
    rule = HireRule(lead=3, training=1, attrition=0.0, contract=0.5, first_decision=-1)
    p = hiring_plan([11, 11, 11, 11], 10.0, rule)
    # months 0-1 would need decisions in months -3 and -2: too late; month 2 (decided in -1) hires 2 x 0.5
    assert p["hires"].tolist() == [0, 0, 2, 0]
    assert p["short_fte"].tolist() == [1, 1, 0, 0]
    assert training_before(p, rule) == 0.0
    early = HireRule(lead=3, training=2, attrition=0.0, contract=1.0, first_decision=-5)
    p2 = hiring_plan([11, 10, 10], 10.0, early)
    assert p2["hires"].tolist() == [1, 0, 0]
    assert training_before(p2, early) == 2.0  # both training months before the plan starts


def test_hiring_with_attrition_by_hand() -> None:
    a = monthly_attrition(0.12)
    assert (1 - a) ** 12 == pytest.approx(0.88)
    rule = HireRule(lead=1, training=0, attrition=0.12, contract=1.0, first_decision=-1)
    p = hiring_plan([10, 10, 10], 10.0, rule)
    # month 0: 10 (1 - a) = 9.894 < 10 -> one hire (decided in month -1) -> 10.894
    assert p.loc[0, "team_fte"] == pytest.approx(10 * (1 - a))
    assert p["hires"].tolist() == [1, 0, 0]
    assert p.loc[0, "available_fte"] == pytest.approx(10 * (1 - a) + 1)
    assert p.loc[2, "available_fte"] == pytest.approx((10 * (1 - a) + 1) * (1 - a) ** 2)
    assert p.loc[2, "team_fte"] == pytest.approx(10 * (1 - a) ** 3)
    assert p["surplus_fte"].iloc[-1] == pytest.approx(p.loc[2, "available_fte"] - 10)


def test_temp_months_get_temporary_staff_not_hires() -> None:
    rule = HireRule(lead=0, training=0, attrition=0.0, contract=1.0, temp_months=frozenset({1}))
    p = hiring_plan([10, 14.5, 10], 10.0, rule)
    assert p["hires"].tolist() == [0, 0, 0]
    assert p["temp_fte"].tolist() == [0, 4.5, 0] and p["short_fte"].sum() == 0


def test_monthly_attrition_edges() -> None:
    assert monthly_attrition(0.0) == 0.0
    assert math.isclose(monthly_attrition(1.0), 1.0)

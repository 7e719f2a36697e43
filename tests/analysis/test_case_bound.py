"""The analytical lower bound for calls plus cases."""

from __future__ import annotations

import pytest

import sim
from sim.analysis.case_bound import bound_table, combined_bound, phone_agent_hours
from sim.analysis.planning import erlang_plan
from sim.world.calendar import day_plans
from sim.world.case_arrivals import expected_per_day


def test_phone_agent_hours_count_each_open_day_once() -> None:
    s = sim.load_scenario(overrides=["cases=on", "calendar.early_close=null"])
    plan = erlang_plan(s)
    per_weekday = plan.groupby("weekday")["erlang_a_agents"].sum() * 0.5
    days = [p for p in day_plans(s.calendar, s.run.start, s.run.end) if p.opens is not None]
    expected = sum(per_weekday[p.date.strftime("%a").lower()] for p in days)
    assert phone_agent_hours(s, plan) == pytest.approx(expected)


def test_bound_parts_for_december() -> None:
    s = sim.load_scenario(overrides=["cases=on"])
    b = combined_bound(s)
    assert b["working_h"] == 20 * 9  # 20 working weekdays; the 15:00 rule closes the phones only
    plans = day_plans(s.calendar, s.run.start, s.run.end)
    mean_h = {k: v.handle.mean_value / 3600 for k, v in s.cases.kinds.items()}
    case_h = 0.0
    for ch in s.cases.channels.values():
        mix = ch.kinds or {k: v.share for k, v in s.cases.kinds.items()}
        case_h += sum(expected_per_day(ch, p) for p in plans) * sum(mix[k] * mean_h[k] for k in mix)
    assert b["case_agent_h"] == pytest.approx(case_h)
    assert b["mean_agents"] == pytest.approx((b["phone_agent_h"] + case_h) / 180)
    assert b["constant_agents_bound"] >= b["peak_phone_agents"] and b["constant_agents_bound"] >= b["mean_agents"]
    t = bound_table(s)
    assert (t["combined_agents"] - t["erlang_a_agents"]).round(9).eq(round(b["case_agents"], 9)).all()


def test_cases_off_adds_nothing() -> None:
    b = combined_bound(sim.load_scenario())
    assert b["case_agent_h"] == 0.0

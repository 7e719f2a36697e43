"""The dated roster for named agents: it keeps every rule (by the independent checker), is the
same for the same inputs, and says which dates stay short when the team cannot cover them."""

from __future__ import annotations

import datetime as dt

import pytest

import sim
from sim.schema import TeamConfig
from sim.study.roster import slot_need
from sim.study.schedule import build_schedule, check_schedule, dated_requirement, extra_agents, period_of, weekday_table
from sim.world.calendar import day_plans

WEEK = ["schedule.start=2026-12-07", "schedule.end=2026-12-13", "schedule.time_limit_s=20"]


def _team(*agents: dict) -> TeamConfig:
    return TeamConfig.model_validate({"agents": list(agents)})


TWO = _team({"id": "a1", "name": "Anna", "contract": 1.0},
            {"id": "a2", "name": "Bo", "contract": 1.0, "vacations": [{"start": "2026-12-09", "end": "2026-12-10"}]})
FOUR = _team({"id": "a1", "name": "Anna", "contract": 1.0, "earliest_start": "09:00"},
             {"id": "a2", "name": "Bo", "contract": 1.0, "latest_end": "16:00"},
             {"id": "a3", "name": "Cia", "contract": 0.75, "days_off": ["wed"]},
             {"id": "a4", "name": "Dan", "contract": 0.5, "unavailable": ["2026-12-08"]},
             {"id": "a5", "name": "Eva", "contract": 1.0, "skills": ["cases"]})


@pytest.fixture(scope="module")
def flat2() -> sim.Scenario:
    return sim.load_scenario("default", ["staffing=flat", "staffing.agents=2", *WEEK])


@pytest.mark.parametrize("method", ["two_stage", "joint"])
def test_the_schedule_keeps_every_rule(method: str) -> None:
    s = sim.load_scenario("default", ["staffing=flat", "staffing.agents=2", *WEEK, f"schedule.method={method}"])
    sch = build_schedule(s, FOUR)
    frame = sch.frame()
    assert list(frame.columns) == ["agent", "name", "date", "shift_start", "shift_end", "lunch", "breaks", "paid_h"]
    found = check_schedule(sch)
    hard = found[found["rule"] != "contract hours"]
    assert hard.empty, hard
    # the contract band is soft (penalised): the checker's list is exactly the agents the program reports below it
    below = {a.id for a, u in zip(sch.team.agents, sch.result.under, strict=True) if u > 1e-6}
    assert set(found.loc[found["rule"] == "contract hours", "agent"]) == below
    assert "a5" not in set(frame["agent"])  # no phones skill
    assert not ((frame["agent"] == "a3") & (frame["date"] == dt.date(2026, 12, 9))).any()  # fixed day off
    if method == "joint":  # the joint program finds the cover this team can give; two stages may leave an interval short
        assert sch.shortage().empty
    assert sch.shortage()["short_agent_h"].sum() <= 1.0


def test_same_inputs_same_schedule(flat2: sim.Scenario) -> None:
    a, b = build_schedule(flat2, FOUR).frame(), build_schedule(flat2, FOUR).frame()
    assert a.equals(b)


def test_a_team_too_small_gets_the_shortage_on_the_right_dates() -> None:
    s = sim.load_scenario("default", ["staffing=flat", "staffing.agents=1", *WEEK])
    sch = build_schedule(s, TWO)
    short = sch.shortage()
    # one agent alone cannot stay on the phones through the breaks: short exactly while Bo is on vacation
    assert sorted(set(short["date"])) == [dt.date(2026, 12, 9), dt.date(2026, 12, 10)]
    assert (short["short_agents"] == 1).all()
    found = check_schedule(sch)
    assert found[found["rule"] != "contract hours"].empty  # the declared shortage is the only gap in the coverage
    more = extra_agents(s, sch, contracts=(1.0, 0.5))
    assert list(more["contract"]) == [1.0, 0.5] and more["agents"].iloc[0] == 1 and more["agents"].iloc[1] >= 1
    assert (more["short_agent_h_left"] == 0).all() and (more["lower_bound"] == 1).all()


def test_the_requirement_follows_the_calendar() -> None:
    s = sim.load_scenario("default", ["schedule.start=2026-12-21", "schedule.end=2026-12-27"])
    table = weekday_table(s)
    dated = {dn.plan.date: dn for dn in dated_requirement(s, table, day_plans(s.calendar, *period_of(s)))}
    assert len(dated[dt.date(2026, 12, 21)].need) == 18  # 08:00-17:00
    assert len(dated[dt.date(2026, 12, 23)].need) == 14  # the day before Julafton closes at 15:00
    assert dated[dt.date(2026, 12, 23)].need == table["wed"][:14]
    assert dated[dt.date(2026, 12, 24)].opens is None and dated[dt.date(2026, 12, 26)].opens is None


def test_the_simulated_schedule_has_the_schedules_on_phone_hours(flat2: sim.Scenario) -> None:
    from sim.study.schedule_sim import on_phone_hours, simulate_schedule

    sch = build_schedule(flat2, FOUR)
    days, reps, month = simulate_schedule(sch, replications=2, sick_share=0.0)
    hours = on_phone_hours(sch)
    assert (reps["absent"] == 0).all()
    for d, h in reps.groupby("date")["staffed_h"]:
        assert h.tolist() == pytest.approx([hours[d]] * 2)
    again = simulate_schedule(sch, replications=2, sick_share=0.0)[1]
    assert reps.equals(again)  # same seed, same answer
    assert list(month["target"])[-1] == "all" and set(days["date"]) == set(hours)


def test_everyone_sick_puts_every_day_at_risk(flat2: sim.Scenario) -> None:
    from sim.study.schedule_sim import simulate_schedule

    sch = build_schedule(flat2, FOUR)
    days, reps, month = simulate_schedule(sch, replications=2, sick_share=1.0)
    assert (reps["absent"] == reps["rostered"]).all() and (reps["staffed_h"] == 0).all()
    assert days["at_risk"].all() and month.set_index("target").loc["all", "p_met"] == 0.0


def test_a_fractional_requirement_is_kept_as_a_time_average() -> None:
    """A calibrated table's 5.4 agents were cut to 5: the schedule must cover the engine's time split."""
    s = sim.load_scenario("default", ["staffing=flat", "staffing.mode=table", "staffing.agents=null",
                                      "+staffing.table={all: [" + ", ".join(["5.4"] * 18) + "]}",
                                      "schedule.start=2026-12-21", "schedule.end=2026-12-21"])
    table = weekday_table(s)
    assert table["mon"][0] == 5.4
    (dn,) = [d for d in dated_requirement(s, table, day_plans(s.calendar, *period_of(s))) if d.opens is not None]
    assert dn.need[0] == 5.4
    slots = slot_need(dn.need[:1], s.demand.interval_min, 15)
    assert slots.tolist() == [6.0, 5.0]  # six agents for the first 40 % (12 min) of the interval: the first slot

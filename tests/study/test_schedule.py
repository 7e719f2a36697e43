"""The dated roster for named agents: it keeps every rule (by the independent checker), is the
same for the same inputs, and says which dates stay short when the team cannot cover them."""

from __future__ import annotations

import datetime as dt

import numpy as np
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


def test_the_first_opening_after_christmas_needs_more_than_an_ordinary_monday() -> None:
    """Julafton (a Friday), Juldagen and Annandag jul closed: their displaced callers come on Monday 27 December 2027."""
    s = sim.load_scenario("default", ["schedule.start=2027-12-13", "schedule.end=2027-12-31"])
    table = weekday_table(s)
    dated = {dn.plan.date: dn for dn in dated_requirement(s, table, day_plans(s.calendar, *period_of(s)))}
    peak, ordinary = dated[dt.date(2027, 12, 27)], dated[dt.date(2027, 12, 20)]
    assert ordinary.need == table["mon"] and not any(ordinary.peak)
    assert sum(peak.need) > sum(ordinary.need) and peak.need[0] > ordinary.need[0]
    assert all(p >= o for p, o in zip(peak.need, ordinary.need, strict=True))
    assert dated_requirement(s, table, day_plans(s.calendar, *period_of(s)), peaks=False)[14].need == table["mon"]


def test_the_expected_displaced_callers_are_the_simulations() -> None:
    """The requirement's displaced callers on 27 December 2027 against 30 simulated runs from 23 December (15:00 close)."""
    import numpy as np
    import pandas as pd

    from sim.study.schedule import displaced_calls
    from sim.world.demand import daily_volumes

    s = sim.load_scenario("default", ["run.start=2027-12-23", "run.end=2027-12-27"])
    plans = day_plans(s.calendar, dt.date(2027, 12, 13), dt.date(2027, 12, 27))
    expected = float(displaced_calls(s, plans, list(daily_volumes(s, plans)))[dt.date(2027, 12, 27)].sum())
    counts = []
    for seed in range(30):
        c = sim.simulate(s, seed=seed).calls
        d = c[c["displaced"]]
        counts.append(int((pd.to_datetime(d["arrival"]).dt.date == dt.date(2027, 12, 27)).sum()))
    mean, half = float(np.mean(counts)), 3.0 * float(np.std(counts, ddof=1)) / np.sqrt(len(counts))
    assert abs(mean - expected) < half  # within 3 standard errors
    assert expected > 50


def test_case_work_is_in_the_requirement_of_the_agents_with_the_cases_skill() -> None:
    from sim.study.schedule import case_requirement, load_team

    s = sim.load_scenario("default", ["cases=on", "schedule.start=2026-12-07", "schedule.end=2026-12-13",
                                      "schedule.dates_outside_period=ignore", "schedule.time_limit_s=20"])
    team = load_team(s)
    plain = dated_requirement(s, weekday_table(s), day_plans(s.calendar, *period_of(s)))
    with_cases = {d.plan.date: d for d in case_requirement(s, plain, team)}
    mon, tue = with_cases[dt.date(2026, 12, 7)], with_cases[dt.date(2026, 12, 8)]
    assert mon.cases[0] > tue.cases[0] > 0  # the weekend's cases are due on Monday morning (fault reports within 4 h)
    assert mon.need == pytest.approx([p + c for p, c in zip(plain[0].need, mon.cases, strict=True)])
    fewer = case_requirement(s, plain, TeamConfig(agents=[a for a in team.agents if "phones" in a.skills]))
    assert fewer[0].cases[0] == pytest.approx(mon.cases[0] + 1.75)  # without the two case-only agents (1.0 + 0.75)
    sch = build_schedule(s, team)
    frame, skilled = sch.frame(), {a.id for a in team.agents if "cases" in a.skills}
    for dn in sch.dated:
        if dn.opens is None:
            continue
        mine = frame[(frame["date"] == dn.plan.date) & frame["agent"].isin(skilled)]
        starts = mine["shift_start"].map(lambda x: int(x[:2]) * 60 + int(x[3:]))
        ends = mine["shift_end"].map(lambda x: int(x[:2]) * 60 + int(x[3:]))
        for m in range(dn.opens, dn.closes, 15):
            assert ((starts <= m) & (ends > m)).sum() >= np.ceil(dn.cases[0] - 1e-9) - 1  # at most one short of the case need


def _repair_case(volume: int, sick: float):
    from sim.study.schedule_sim import repair_schedule

    s = sim.load_scenario("default", ["staffing=flat", "staffing.agents=2", f"demand.volume={volume}", "targets.aht_max_s=5000",
                                      "targets.logging_min=0", *WEEK])
    team = _team(*({"id": f"a{i}", "name": f"A{i}", "contract": c} for i, c in enumerate([1.0, 1.0, 0.5, 0.5, 0.5])))
    sch = build_schedule(s, team)
    return sch, repair_schedule(sch, replications=10, seed=1, confidence=0.9, rounds=6, overtime_h_max=8, sick_share=sick)


def test_the_repair_step_adds_overtime_on_the_risky_dates_until_the_month_meets_the_targets() -> None:
    from sim.faces.schedule import repair_html

    sch, rep = _repair_case(60, 0.1)  # 60 calls a day: the team can repair the week (it runs out at 70 since the leaner plan of 22)
    assert rep.rounds["p_month_all"].iloc[0] < 0.9 <= rep.rounds["p_month_all"].iloc[-1]
    assert rep.met and rep.stopped == "met" and len(rep.added) > 0
    assert set(rep.added["date"]) <= set(sch.frame()["date"])
    paid_before, paid_after = sch.frame()["paid_h"].sum(), rep.schedule.frame()["paid_h"].sum()
    assert paid_after > paid_before  # overtime offers (a longer shift) or extra shifts
    # the breaks of a date with a shift added are placed anew: no slot covered before is short after
    for d, before in sch.result.short.items():
        assert (rep.schedule.result.short[d] <= before + 1e-9).all()
    found = check_schedule(rep.schedule)
    assert found[found["rule"] != "contract hours"].empty  # every hard rule still holds
    below = {a.id for a, u in zip(sch.team.agents, sch.result.under, strict=True) if u > 1e-6}
    assert set(found["agent"]) <= below  # nobody above the band: the overtime is declared, within 8 h each
    assert all(0 < h <= 8 for h in rep.schedule.overtime.values())
    added = rep.added
    assert set(added["kind"]) <= {"extra", "longer"} and (added["added_h"] > 0).all()
    assert (added.loc[added["kind"] == "extra", "was"] == "").all() and (added.loc[added["kind"] == "extra", "added_h"] == added.loc[
        added["kind"] == "extra", "paid_h"]).all()
    for r in added[added["kind"] == "longer"].itertuples():  # the longer shift contains the one it replaced
        was_start, was_end = r.was.split("-")
        assert r.shift_start <= was_start and r.shift_end >= was_end and (r.shift_start, r.shift_end) != (was_start, was_end)
    # the page's repair table: P(month meets all) before and after, and every shift added with its date
    page = repair_html(rep, 0.9)
    p0, p1 = rep.rounds["p_month_all"].iloc[0], rep.rounds["p_month_all"].iloc[-1]
    assert f"{100 * p0:.0f} % as scheduled, {100 * p1:.0f} % after the repair" in page
    assert page.count("<tr>") >= len(added) + len(rep.rounds) + 2
    for r in added.itertuples():
        assert f"{r.date:%a %d %b}" in page and r.agent in page


def test_the_repair_step_says_when_no_agent_can_take_more() -> None:
    _, rep = _repair_case(150, 0.3)
    assert not rep.met and rep.stopped == "no agent can take another shift on the dates at risk"
    assert rep.rounds["shifts_added"].iloc[-2] == 0 and len(rep.added) > 0
    found = check_schedule(rep.schedule)
    assert set(found["rule"]) <= {"contract hours"} and all(h <= 8 for h in rep.schedule.overtime.values())


def test_the_extra_agents_are_enough_and_one_fewer_is_not() -> None:
    s = sim.load_scenario("default", ["staffing=flat", "staffing.agents=3", *WEEK])
    team = _team({"id": "a1", "name": "Anna", "contract": 1.0}, {"id": "a2", "name": "Bo", "contract": 0.5})
    sch = build_schedule(s, team)
    more = extra_agents(s, sch, contracts=(1.0,)).iloc[0]
    n = int(more["agents"])
    assert more["fewer_fail"] and more["lower_bound"] <= n <= more["constructed"]

    def short_with(k: int) -> float:
        extra = [{"id": f"n{i}", "name": f"N{i}", "contract": 1.0} for i in range(k)]
        return float(build_schedule(s, _team(*[a.model_dump() for a in team.agents], *extra)).summary()["short_agent_h"])

    assert short_with(n) == 0.0 and short_with(n - 1) > 0.0


def test_wishes_are_honoured_when_the_cover_allows_and_reported() -> None:
    team = _team({"id": "a1", "name": "Anna", "contract": 1.0, "prefers": "early"},
                 {"id": "a2", "name": "Bo", "contract": 0.75, "preferred_days_off": ["wed"]},
                 {"id": "a3", "name": "Cia", "contract": 1.0, "prefers": "late"},
                 {"id": "a4", "name": "Dan", "contract": 1.0})
    shares = {}
    for w in (0, 60):
        s = sim.load_scenario("default", ["staffing=flat", "staffing.agents=2", *WEEK, f"schedule.weights.preference={w}"])
        sch = build_schedule(s, team)
        ag = sch.agents().set_index("agent")
        assert ag.loc["a1", "wishes"] == ag.loc["a1", "shifts"] and ag.loc["a4", "wishes"] == 0
        assert ag.loc["a2", "wishes"] == 1  # one open Wednesday in the week
        shares[w] = sch.wishes_honoured()
        if w:
            frame = sch.frame()
            assert not ((frame["agent"] == "a2") & (frame["date"] == dt.date(2026, 12, 9))).any()
            assert (frame.loc[frame["agent"] == "a1", "shift_end"] <= "16:00").all()
            assert (frame.loc[frame["agent"] == "a3", "shift_start"] < "09:00").sum() <= 1  # soft: the cover may need one
            assert check_schedule(sch).query("rule != 'contract hours'").empty
    assert shares[60] >= 0.9 and shares[60] > shares[0]


def test_the_overall_gap_uses_a_valid_bound_and_the_joint_programs_objective() -> None:
    from sim.study.schedule import overall_gap

    joint = build_schedule(sim.load_scenario("default", ["staffing=flat", "staffing.agents=2", *WEEK, "schedule.method=joint"]), FOUR)
    two = build_schedule(sim.load_scenario("default", ["staffing=flat", "staffing.agents=2", *WEEK]), FOUR)
    gj, g2 = overall_gap(joint), overall_gap(two)
    assert gj["value"] == pytest.approx(joint.result.objective, abs=1e-3)  # the same objective, computed from the schedule
    assert gj["bound"] == pytest.approx(g2["bound"]) and gj["bound"] <= joint.result.objective + 1e-6
    assert gj["bound"] <= g2["value"] and 0 <= gj["gap_overall"] <= g2["gap_overall"]


@pytest.mark.parametrize("method", ["two_stage", "joint"])
def test_a_team_where_nobody_may_set_the_fewest_early_shifts_is_scheduled(method: str) -> None:
    # everyone wishes late shifts: no agent sets the fewest early shifts, whose column was then unbounded (HiGHS: no schedule)
    team = _team({"id": "a1", "name": "Anna", "contract": 1.0, "prefers": "late"},
                 {"id": "a2", "name": "Bo", "contract": 1.0, "prefers": "late"})
    sch = build_schedule(sim.load_scenario("default", ["staffing=flat", "staffing.agents=1", *WEEK, f"schedule.method={method}"]), team)
    assert sch.shortage().empty and check_schedule(sch).query("rule != 'contract hours'").empty


def test_the_month_for_30_agents_is_within_the_gap_and_the_bound_is_valid() -> None:
    """The benchmark's month (bench_schedule.py: December 2026, 30 agents): the two stages'
    value against the plan's bound within schedule.mip_rel_gap (2 %), the bound below the
    joint program's value of the schedule, every hard rule kept."""
    import importlib.util
    from pathlib import Path

    from sim.study.schedule import overall_gap

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_schedule.py"
    spec = importlib.util.spec_from_file_location("bench_schedule", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    team = bench.team

    s = sim.load_scenario("default", ["schedule.time_limit_s=60"])
    table = {d: [round(v * 30 / 17) for v in row] for d, row in weekday_table(s).items()}
    sch = build_schedule(s, team(30), table)
    g = overall_gap(sch, 60)
    assert g["value"] == pytest.approx(sch.result.objective) and g["bound"] == pytest.approx(sch.result.bound, rel=1e-3)
    assert 0 <= sch.result.gap <= 0.02 and g["bound"] <= g["value"]
    assert sum(g["value_terms"].values()) == pytest.approx(g["value"])
    assert check_schedule(sch).query("rule != 'contract hours'").empty

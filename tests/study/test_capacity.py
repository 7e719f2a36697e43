"""The year's capacity plan: more volume needs more FTE, the interval holds the point, kinds are checked once."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import sim
from sim.history.forecast import plan_days
from sim.history.yearly import forecast_year, read_days
from sim.scenario.compose import scenarios_dir
from sim.schema import AgentConfig, TeamConfig
from sim.study.capacity import capacity_plan, fte_months, requirement

WF = {"mon": 1.2, "tue": 1.05, "wed": 1.0, "thu": 0.95, "fri": 0.85, "sat": 0.0, "sun": 0.0}
TEAM = TeamConfig(agents=[AgentConfig(id=f"a{i}", name=f"A {i}", contract=c, skills=["phones"])
                          for i, c in enumerate([1.0] * 10 + [0.75, 0.5])]
                  + [AgentConfig(id="c1", name="Case only", contract=1.0, skills=["cases"])])


def scenario(*overrides: str) -> sim.Scenario:
    return sim.load_scenario("default", ["capacity.simulate=false", *overrides])


def year_forecast(s: sim.Scenario, scale: float = 1.0) -> pd.DataFrame:
    days = plan_days(s.calendar, pd.Timestamp(2027, 1, 1), pd.Timestamp(2027, 12, 31))
    mean = scale * 600 * days["weekday"].map(WF).to_numpy() * np.where(days["kind"].eq("closed"), 0.0, 1.0)
    return days.assign(mean=mean, low=0.8 * mean, high=1.25 * mean)


@pytest.fixture(scope="module")
def plans() -> tuple[object, object]:
    s = scenario()
    return capacity_plan(s, year_forecast(s), TEAM), capacity_plan(s, year_forecast(s, 1.2), TEAM)


def test_more_volume_needs_more_fte(plans) -> None:
    base, more = plans
    assert (more.months["required_fte_mean"] >= base.months["required_fte_mean"]).all()
    assert more.months["required_fte_mean"].sum() > 1.1 * base.months["required_fte_mean"].sum()
    assert (more.dates["phone_h_mean"] >= base.dates["phone_h_mean"]).all()
    hires = [int(p.hires["hires"].sum()) if len(p.hires) else 0 for p in (base, more)]
    assert hires[1] >= hires[0], hires  # (was `assert x if len(base.hires) else True`: true whenever base hired no one)


def test_the_interval_contains_the_point_estimate(plans) -> None:
    for p in plans:
        m = p.months
        assert (m["required_fte_low"] <= m["required_fte_mean"]).all() and (m["required_fte_mean"] <= m["required_fte_high"]).all()
        assert (m["required_fte_low"] < m["required_fte_high"]).all()
        w = p.weeks
        assert (w["required_fte_low"] <= w["required_fte_mean"] + 1e-12).all()
        assert (w["required_fte_mean"] <= w["required_fte_high"] + 1e-12).all()


def test_the_plan_adds_up(plans) -> None:
    p = plans[0]
    m = p.months
    assert len(m) == 12 and p.team_fte == pytest.approx(11.25) and p.team_agents == 12  # the case-only agent is not counted
    # the on-phone hours of the months are those of the dates; the weeks hold the same hours
    assert m["phone_h_mean"].sum() == pytest.approx(p.dates["phone_h_mean"].sum())
    assert p.weeks["phone_h_mean"].sum() == pytest.approx(p.dates["phone_h_mean"].sum())
    # FTE = on-phone hours x (1 + overhead) / an FTE's on-phone hours
    oh = p.scenario.capacity.shrinkage.roster_overhead
    assert m["required_fte_mean"].to_numpy() == pytest.approx((m["phone_h_mean"] * (1 + oh) / m["fte_phone_h"]).to_numpy())
    # the vacation key: 25 days, most in June-August
    vac = m["fte_vacation_h"] / 8
    assert vac.sum() == pytest.approx(25.0) and vac[m["month"].isin([6, 7, 8])].sum() == pytest.approx(20.0)
    assert m.loc[m["month"] == 7, "shrinkage"].iloc[0] > 0.5 > m.loc[m["month"] == 3, "shrinkage"].iloc[0]
    # closed dates need nobody; the 15:00 days need less than a regular day of the same volume
    d = p.dates
    assert (d.loc[d["kind"] == "closed", "phone_h_mean"] == 0).all()
    assert d.loc[d["day_kind"] == "early", "phone_h_mean"].max() < d.loc[d["day_kind"] == "regular", "phone_h_mean"].max()
    # gap = required - team; the months with temporary staff hire nobody
    assert m["gap_fte"].to_numpy() == pytest.approx((m["required_fte_mean"] - m["team_fte"]).to_numpy())
    assert (m.loc[m["month"].isin([6, 7, 8]), "hires"] == 0).all()


def test_a_bigger_team_needs_fewer_hires() -> None:
    s = scenario()
    f = year_forecast(s)
    big = TeamConfig(agents=[AgentConfig(id=f"a{i}", name=f"A {i}", contract=1.0) for i in range(20)])
    assert capacity_plan(s, f, big).hires.empty
    assert capacity_plan(s, f, TEAM).months["hires"].sum() > 0


def test_each_kind_is_checked_once_by_simulation() -> None:
    s = sim.load_scenario("default", ["staff.replications=4", "staff.workers=1"])
    # two regular Mondays and a 15:00 Thursday (Skärtorsdag 2027): two kinds, two one-day searches
    f = pd.DataFrame({"date": pd.to_datetime(["2027-03-15", "2027-03-22", "2027-03-25"]), "kind": ["regular", "regular", "early"],
                      "mean": [700.0, 760.0, 500.0]})
    f = f.assign(low=0.8 * f["mean"], high=1.2 * f["mean"])
    dates, kinds = requirement(s, f)
    assert kinds["kind"].tolist() == ["early", "regular mon"] and kinds["dates"].tolist() == [1, 2]
    assert kinds.loc[1, "representative_date"] in (dt.date(2027, 3, 15), dt.date(2027, 3, 22))
    assert (kinds["search_rounds"] > 0).all()
    # the kind's correction (simulated - Erlang A) is the same for both Mondays at every level
    mon = dates[dates["kind"] == "regular mon"]
    diff = mon["phone_h_mean"] - mon["erlang_h_mean"]
    assert diff.iloc[0] == pytest.approx(diff.iloc[1])
    assert (mon["phone_h_low"] <= mon["phone_h_mean"]).all() and (mon["phone_h_mean"] <= mon["phone_h_high"]).all()


def test_the_example_history_forecasts_a_year() -> None:
    s = scenario()
    days = read_days(scenarios_dir() / "data" / "history_days_example.csv", s.calendar)
    f = forecast_year(days, s.calendar, 2027)
    assert len(f) == 365 and (f["low"] <= f["mean"]).all() and (f["mean"] <= f["high"]).all()
    open_ = f[f["kind"] != "closed"]
    # the synthetic centre is busiest in January and quietest in July (docs/calibration.md)
    by_month = open_.groupby(open_["date"].dt.month)["mean"].mean()
    assert by_month.idxmax() in (1, 12) and by_month.idxmin() in (6, 7, 8)
    assert len(fte_months(s)) == 12


def test_a_calibration_days_file_is_read_with_its_kinds_and_outliers(tmp_path) -> None:
    # the days.csv of python -m sim.calibrate: its own kind and outlier columns are used as they are
    s = scenario()
    days = read_days(scenarios_dir() / "data" / "history_days_example.csv", s.calendar)
    storm = days["offered"].idxmax()
    days.loc[storm, "outlier"] = True
    days.assign(robust_z=0.0).to_csv(tmp_path / "days.csv", index=False)
    back = read_days(tmp_path / "days.csv", s.calendar)
    assert back["kind"].tolist() == days["kind"].tolist()
    assert back["outlier"].tolist() == days["outlier"].tolist() and bool(back.loc[storm, "outlier"])


def test_a_kinds_day_run_has_no_failure_demand_of_its_own() -> None:
    """The forecast counts every offered call, repeats included: the day's run and its Erlang
    table must not add failure demand on top."""
    import datetime as dt

    import sim
    from sim.study.capacity import day_scenario
    from sim.study.search import erlang_table
    from sim.world.calendar import day_plans

    base = sim.load_scenario("default")
    fd = sim.load_scenario("default", ["resolution=fcr70"])
    p = day_plans(fd.calendar, dt.date(2027, 3, 1), dt.date(2027, 3, 1))[0]
    day = day_scenario(fd, p, 600.0)
    assert not day.resolution.enabled
    assert erlang_table(day) == erlang_table(day_scenario(base, p, 600.0))

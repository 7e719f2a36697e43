"""Composition: staffing.agents over a table, staffing=plan, bringing one's own demand, 15-minute grids."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.analysis.planning import erlang_plan, table_file_frame


def test_agents_on_the_default_table_staffing_means_a_constant_level() -> None:
    s = sim.load_scenario("default", ["staffing.agents=13"])
    assert s.staffing.mode == "constant" and s.staffing.agents == 13 and s.staffing.table is None
    assert sim.load_scenario("close_1600", ["staffing.agents=13"]).staffing.agents == 13


def test_plan_staffing_is_the_erlang_a_table_of_the_scenarios_own_demand() -> None:
    default, planned = sim.load_scenario("default"), sim.load_scenario("default", ["staffing=plan"])
    assert planned.staffing.mode == "table"
    assert planned.staffing.table == default.staffing.table, "the committed table is this plan for the default demand"
    busier = sim.load_scenario("default", ["staffing=plan", "demand.volume=900"])
    expected = table_file_frame(erlang_plan(busier), "erlang_a")
    assert sum(map(sum, busier.staffing.table.values())) == expected["agents"].sum() > sum(map(sum, default.staffing.table.values()))
    c = sim.load_scenario("default", ["staffing=plan", "staffing.model=erlang_c"])
    assert all(x >= y for d in c.staffing.table for x, y in zip(c.staffing.table[d], planned.staffing.table[d], strict=True))
    with pytest.raises(sim.ScenarioError, match="staffing.model: must be one of erlang_a, erlang_c"):
        sim.load_scenario("default", ["staffing=plan", "staffing.model=erlang_b"])


def _profile_csv(path: Path, days: list[str] | None = None, step: int = 30) -> Path:
    rows = []
    for day in days or [None]:
        for i in range(9 * 60 // step):
            m = 8 * 60 + i * step
            row = {"interval_start": f"{m // 60:02d}:{m % 60:02d}", "calls": 10 + i % 5}
            rows.append(row if day is None else {"weekday": day, **row})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_profile_file_needs_no_profile_null_and_replaces_the_inline_profile(tmp_path: Path) -> None:
    f = _profile_csv(tmp_path / "my.csv")
    s = sim.load_scenario("default", [f"demand.profile_file={f}"])
    assert s.demand.profile == {"all": [float(10 + i % 5) for i in range(18)]}


def test_profile_file_with_some_weekdays_only_names_the_missing_ones(tmp_path: Path) -> None:
    f = _profile_csv(tmp_path / "mtw.csv", ["mon", "tue", "wed"])
    with pytest.raises(sim.ScenarioError, match=r"rows for mon, tue, wed only.*open on thu, fri"):
        sim.load_scenario("default", [f"demand.profile_file={f}"])


def test_a_15_minute_grid_recuts_the_profile_and_the_table() -> None:
    s30, s15 = sim.load_scenario("default"), sim.load_scenario("default", ["demand.interval_min=15"])
    w30, w15 = s30.demand.profile["all"], s15.demand.profile["all"]
    assert len(w15) == 2 * len(w30) and w15[0] == w15[1] == w30[0] / 2
    assert s15.staffing.table["mon"] == [n for n in s30.staffing.table["mon"] for _ in range(2)]
    r = sim.simulate(sim.load_scenario("default", ["demand.interval_min=15", "run.end=2026-12-01"]), seed=1)
    assert set(pd.to_datetime(r.agents["interval_start"]).dt.minute) == {0, 15, 30, 45}


def test_a_profile_file_on_a_finer_grid_is_summed_and_a_coarser_table_refused(tmp_path: Path) -> None:
    f = _profile_csv(tmp_path / "q.csv", step=15)
    s = sim.load_scenario("default", [f"demand.profile_file={f}"])
    q = pd.read_csv(f)["calls"].to_numpy()
    assert s.demand.profile["all"] == [float(a + b) for a, b in zip(q[::2], q[1::2], strict=True)]
    table = tmp_path / "t.csv"
    pd.DataFrame({"interval_start": [f"{8 + i // 4:02d}:{15 * (i % 4):02d}" for i in range(36)], "agents": 5}).to_csv(table, index=False)
    with pytest.raises(sim.ScenarioError, match="cannot be coarsened.*staffing=plan"):
        sim.load_scenario("default", [f"staffing.table_file={table}"])


def test_scenarios_are_found_from_any_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A notebook kernel (jupytext --execute) or a script may run elsewhere than the project root."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SIM_SCENARIOS", raising=False)
    assert sim.load_scenario("tiny").name == "tiny"


def test_a_run_covers_at_most_three_calendar_years() -> None:
    assert sim.load_scenario("default", ["run.start=2027-01-01", "run.end=2029-12-31"]).run.end.isoformat() == "2029-12-31"
    with pytest.raises(sim.ScenarioError, match=r"run.end: a run covers at most three years: from 2027-01-01 the last day is 2029-12-31"):
        sim.load_scenario("default", ["run.start=2027-01-01", "run.end=2030-01-01"])
    with pytest.raises(sim.ScenarioError, match="at most three years"):  # three years and three days used to pass
        sim.load_scenario("default", ["run.start=2027-01-01", "run.end=2030-01-03"])


@pytest.mark.parametrize(("override", "says"), [
    ("patience.mean=3,5", "patience.mean is a number, and 3,5 has a decimal comma; write 3.5"),
    ("targets.service_level_min=0,9", "write 0.9"),
    ("demand.weekday_factor.sat=0,5", "write 0.5"),
    ("staffing.agents=3,5", "staffing.agents is a whole number, and 3,5 is not one"),
    # a list of values with decimal commas, or a sweep without -m: Hydra said "Ambiguous value" (exit 1)
    ("patience.mean=3,5,7", "3,5,7 is not one: a comma separates the values of a sweep, so a decimal comma is written as a point "
     "(3.5 for 3,5); add --multirun"),
    ("staffing.agents=3,5,7", "staffing.agents is a whole number, and 3,5,7 is not one"),
])
def test_a_decimal_comma_on_a_numeric_key_says_write_a_point(override: str, says: str) -> None:
    """Swedish writes 3,5; Hydra reads a sweep and asks for --multirun (issue 23.11)."""
    from sim.scenario.compose import check_overrides

    msg = check_overrides(["staffing=flat", override]) or ""
    assert says in msg and "--multirun" in msg and "\n" not in msg, msg
    assert check_overrides(["--multirun", "staffing=flat", override]) is None  # a sweep, as asked
    assert check_overrides(["calendar.hours.mon.opens=08:00", "run.start=2026-12-01"]) is None

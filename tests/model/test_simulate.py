"""``simulate(scenario, seed)`` (sim/model/simulate.py) at the edges: no calls, huge inputs."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.errors import ScenarioError
from sim.model.records import ALL_COLUMNS


@pytest.mark.parametrize("features", [["callbacks=on"], ["transfers=warm", "repeats=on"], ["callbacks=after_wait", "transfers=blind"]])
def test_a_run_without_calls_gives_empty_tables_with_features_on(features: list[str], tmp_path) -> None:  # noqa: ANN001
    """Issue 10, item 5: empty runs are valid with every feature."""
    from sim.faces.output import summary_text, write_tables
    from sim.study.runner import result_kpis

    s = sim.load_scenario("default", ["demand.volume=0", "run.end=2026-12-03", *features])
    r = sim.simulate(s, seed=1)
    assert r.calls.empty and list(r.calls.columns) == list(ALL_COLUMNS)
    assert r.agents["busy_s"].sum() == 0
    k = result_kpis(r)
    assert (k.loc[k["level"] == "day", "offered"] == 0).all()
    text = summary_text(r, write_tables(r, tmp_path)["month"])
    assert "offered" in text and "Traceback" not in text
    s = sim.load_scenario("default", ["run.start=2026-12-05", "run.end=2026-12-06", *features])  # a closed weekend
    assert "offered" in result_kpis(sim.simulate(s, seed=1)).columns  # no crash; nothing to report


@pytest.mark.parametrize(("override", "key"), [
    ("demand.volume=1e308", "demand.volume"), ("demand.volume=1e19", "demand.volume"), ("demand.volume=1e12", "demand.volume"),
    ("demand.volume=3e7", "demand.volume"), ("+demand.profile.mon=[1e308,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]", "demand.profile.mon"),
])
def test_huge_inputs_are_refused_naming_the_key(override: str, key: str) -> None:
    """Issue 10, item 7: huge volumes or profile values passed validation and then crashed."""
    with pytest.raises(ScenarioError, match=key.replace(".", r"\.")):
        s = sim.load_scenario("default", [override])
        sim.simulate(s, seed=1)


def test_a_busy_but_sane_run_is_still_allowed() -> None:
    s = sim.load_scenario("default", ["demand.volume=200000", "run.end=2026-12-01", "staffing=flat", "staffing.agents=0"])
    assert len(sim.simulate(s, seed=1).calls) > 100_000
    assert np.isfinite(s.demand.volume)


def test_months_after_the_run_are_summarised_in_one_line(tmp_path) -> None:  # noqa: ANN001
    """A queue still served weeks after the run's last day (one agent, endless patience) spills
    into January: the summary lists the run's month and says in one line that later months are
    left out (it printed a "2027-01: 0 open days" line for each, 117 of them for a longer backlog)."""
    from sim.faces.output import summary_text, write_tables

    s = sim.load_scenario("default", ["staffing=flat", "staffing.agents=1", "patience.dist=infinite", "patience.mean=null",
                                      "demand.volume=6000", "run.start=2026-12-30", "run.end=2026-12-30"])
    r = sim.simulate(s, seed=1)
    month = write_tables(r, tmp_path)["month"]
    assert len(month) == 2  # kpi_month.csv keeps January
    text = summary_text(r, month)
    assert "2026-12: 1 open day;" in text and "2027-01" not in text
    assert "(1 later month in which the run's queue was still being served" in text

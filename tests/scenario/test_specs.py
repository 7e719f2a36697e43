"""Scenario specs of the command line (sim/scenario/specs.py)."""

from __future__ import annotations

import pytest

import sim
from sim.scenario.specs import parse_spec, scenarios_from_specs, split_overrides


def test_spec_parsing() -> None:
    assert parse_spec("close_1600") == parse_spec("close_1600:")
    s = parse_spec("more=default:staffing=flat,staffing.agents=14")
    assert (s.label, s.name, s.overrides) == ("more", "default", ("staffing=flat", "staffing.agents=14"))
    s = parse_spec("default:staffing.agents=14")
    assert s.label == "default:staffing.agents=14" and s.name == "default"
    assert split_overrides("calendar.closed_eves=[Julafton,Nyårsafton],x='a,b',y=1") == [
        "calendar.closed_eves=[Julafton,Nyårsafton]", "x='a,b'", "y=1"]
    with pytest.raises(sim.ScenarioError, match="label"):
        parse_spec("=:")



def test_spec_errors_name_the_scenario() -> None:
    with pytest.raises(sim.ScenarioError, match="unique"):
        scenarios_from_specs(["tiny", "tiny"])
    with pytest.raises(sim.ScenarioError, match="not compared"):
        scenarios_from_specs(["tiny"], extra={"other": ["staffing.agents=3"]})
    with pytest.raises(sim.ScenarioError, match="'bad'.*staffing.agents"):
        scenarios_from_specs(["tiny", "bad=tiny:staffing.agents=-3"])
    with pytest.raises(sim.ScenarioError, match="no_such_experiment"):
        scenarios_from_specs(["no_such_experiment"])

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


@pytest.mark.parametrize(("spec", "says"), [
    ("x=default:patience.mean=3,5", "patience.mean is a number, and 3,5 has a decimal comma; write 3.5"),
    ("x=default:patience.mean=3,5,staffing=flat", "write 3.5"),
    ("x=default:patience.mean=3,5,7", "3,5,7 is not one: a comma separates values, so a decimal comma is written as a point (3.5 for 3,5)"),
    ("x=default:staffing=flat,staffing.agents=3,5", "staffing.agents is a whole number, and 3,5 is not one"),
])
def test_a_decimal_comma_in_a_spec_says_write_a_point(spec: str, says: str) -> None:
    """``patience.mean=3,5`` in a spec was split into ``patience.mean=3`` and ``5``, which Hydra's
    lexer refused (``LexerNoViableAltException: 5 ^``, issue 23); a comparison runs no sweep, so
    the advice is a spec per value, not --multirun."""
    with pytest.raises(sim.ScenarioError) as err:
        scenarios_from_specs([spec])
    msg = str(err.value)
    assert msg.startswith("Scenario 'x': ") and says in msg and "scenario spec of its own" in msg and "--multirun" not in msg, msg
    assert "\n" not in msg and "Lexer" not in msg
    with pytest.raises(sim.ScenarioError, match="write 3.5"):
        scenarios_from_specs(["default"], common=["patience.mean=3,5"])


def test_a_bare_part_continues_the_value_before_it() -> None:
    assert parse_spec("a=default:patience.mean=3,5,~cases,x=1").overrides == ("patience.mean=3,5", "~cases", "x=1")

"""The cases=off / cases=on groups and every case key: bad values give one paragraph naming the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.scenario.compose import load_scenario
from sim.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
ON = "cases=on"


def load(*overrides: str) -> Scenario:
    return load_scenario(overrides=list(overrides), config_dir=ROOT / "scenarios")


BAD = [
    pytest.param([ON, "cases.reserve=-1"], "cases.reserve:", ">= 0", "-1", id="negative-reserve"),
    pytest.param([ON, "cases.reserve=1.5"], "cases.reserve:", "whole number", "1.5", id="fractional-reserve"),
    pytest.param([ON, "cases.order=lifo"], "cases.order:", "'earliest_due' or 'fifo'", "'lifo'", id="unknown-order"),
    pytest.param([ON, "cases.early_close_scope=all"], "cases.early_close_scope:", "'phones' or 'office'", "'all'", id="unknown-scope"),
    pytest.param([ON, "cases.channels.email.volume=-5"], "cases.channels.email.volume:", ">= 0", "-5", id="negative-volume"),
    pytest.param(
        [ON, "cases.channels.email.profile=[1,2,3]"],
        "cases.channels.email.profile:", "exactly 24 hourly weights", "got 3", id="short-profile"),
    pytest.param(
        [ON, "cases.channels.web.weekday_factor.sat=-1"],
        "cases.channels.web.weekday_factor.sat:", ">= 0", "-1", id="negative-weekday-factor"),
    pytest.param([ON, "cases.kinds.fault_report.share=0.5"], "cases.kinds:", "add up to 1", "1.15", id="kind-shares"),
    pytest.param(
        [ON, "+cases.channels.email.kinds={fault_report: 0.5, billing: 0.5}"],
        "cases.channels.email.kinds.billing:", "unknown case kind", "fault_report, case_order", id="unknown-channel-kind"),
    pytest.param(
        [ON, "cases.phone_cases.callback_failed_case.kind=other"],
        "cases.phone_cases.callback_failed_case.kind:", "unknown case kind", "'other'", id="unknown-phone-kind"),
    pytest.param(
        [ON, "cases.kinds.fault_report.handle.mean=-1"],
        "cases.kinds.fault_report.handle.mean:", ">= 0", "-1", id="negative-handle"),
    pytest.param([ON, "cases.blend=false"], "cases.blend:", "nobody works the cases", "", id="nobody-works-cases"),
    pytest.param(
        [ON, "~targets.case_hours.case_order"],
        "targets.case_hours.case_order:", "needs a target in working hours", "fault_report", id="kind-without-target"),
    pytest.param([ON, "targets.case_hours.fault_report=0"], "targets.case_hours.fault_report:", "> 0", "0", id="zero-target"),
    pytest.param([ON, "targets.case_share_min=90"], "targets.case_share_min:", "<= 1", "90", id="percent-share"),
    pytest.param(
        [ON, "cases.dedicated={mode: table, table: {all: [1, 2]}}"],
        "cases.dedicated.table.all:", "exactly 18 values", "got 2", id="dedicated-table-length"),
    pytest.param([ON, "cases.dedicated={mode: constant, agents: -2}"], "cases.dedicated.agents:", ">= 0", "-2", id="dedicated-negative"),
    pytest.param(
        [ON, "cases.office_hours={mon: {opens: '08:00', closes: '17:00'}}"],
        "cases.office_hours.tue:", "every weekday", "", id="office-hours-incomplete"),
    pytest.param([ON, "+cases.chunk_s=600"], "'cases.chunk_s'", "enabled", "unknown key", id="unknown-key"),
    pytest.param(["cases=maybe"], "'cases/maybe'", "off on", "Invalid scenario", id="unknown-group-option"),
]


@pytest.mark.parametrize(("overrides", "key", "allowed", "given"), BAD)
def test_bad_case_value_is_one_paragraph_naming_the_key(overrides: list[str], key: str, allowed: str, given: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load(*overrides)
    msg = str(info.value)
    assert key in msg and allowed in msg and given in msg, msg
    assert msg.startswith("Invalid scenario"), msg
    assert "\n" not in msg and "Traceback" not in msg and len(msg) < 1000, msg
    assert not re.search(r"[A-Z][a-z]+Config\b", msg), msg


def test_cases_are_off_by_default() -> None:
    s = load()
    assert not s.cases.enabled
    assert s.targets.case_hours == {"fault_report": 4.0, "case_order": 8.0}
    assert s.targets.case_share_min == 0.9


def test_cases_on_group() -> None:
    s = load(ON)
    assert s.cases.enabled and s.cases.blend and s.cases.reserve == 0
    assert list(s.cases.channels) == ["email", "web", "social"]
    assert s.cases.early_close_scope == "phones" and s.cases.order == "earliest_due"
    assert set(s.cases.phone_cases) == {"callback_failed_case", "transfer_fallback_case"}


def test_dedicated_team_loads() -> None:
    s = load(ON, "cases.blend=false", "cases.dedicated={mode: constant, agents: 3}")
    assert s.cases.dedicated is not None and s.cases.dedicated.agents == 3

"""Transfers (sim/model/transfers.py): the rules the transfer part relies on."""

from __future__ import annotations

import pytest

import sim
from sim.errors import ScenarioError


def test_infinite_patience_in_an_unstaffed_transfer_group_is_refused() -> None:
    """Issue 10, item 2: the target groups are held to the first line's rule."""
    with pytest.raises(ScenarioError, match=r"transfers\.groups\.second_line\.agents.*infinite"):
        sim.load_scenario("default", ["transfers=blind", "transfers.groups.second_line.agents=0", "~transfers.blind_patience",
                                      "+transfers.blind_patience={dist: infinite}", "run.end=2026-12-07"])

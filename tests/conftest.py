"""Shared fixtures: small scenarios built from the shipped ones."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

import sim
from sim.schema import Scenario


def deep_update(base: dict[str, Any], updates: dict[str, Any]) -> dict[str, Any]:
    """Return ``base`` with dotted-key ``updates`` applied (``{"staffing.agents": 3}``)."""
    out = copy.deepcopy(base)
    for dotted, value in updates.items():
        node = out
        *parents, leaf = dotted.split(".")
        for p in parents:
            node = node[p]
        node[leaf] = value
    return out


@pytest.fixture(scope="session")
def tiny() -> Scenario:
    """Two December days (22nd open, 23rd closes at 15:00), 120 calls per weekday."""
    return sim.load_scenario("tiny")


@pytest.fixture(scope="session")
def canonical() -> Scenario:
    """The benchmark's canonical day (300 calls/h, 28 agents, 9 h)."""
    return sim.load_scenario("canonical_day")


@pytest.fixture()
def variant(tiny: Scenario) -> Callable[..., Scenario]:
    """Build a validated variant of ``tiny`` (or of ``base=``) from dotted-key updates."""

    def make(base: Scenario | None = None, **updates: Any) -> Scenario:
        raw = (base or tiny).model_dump(mode="json")
        return sim.validate(deep_update(raw, {k.replace("__", "."): v for k, v in updates.items()}))

    return make

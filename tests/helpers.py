"""Helpers shared by test modules: the scenarios folder, the round-the-clock opening hours and
the check that bad input is refused with one clear paragraph."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sim.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
"""The checkout (its ``scenarios/`` folder holds the shipped scenario files)."""
ALL_DAY = "{opens: '00:00', closes: '24:00'}"
"""A day's opening hours round the clock (``calendar.hours.<day>=...``)."""


def refusal(build: Callable[[], object], *words: str) -> str:
    """The message of the :class:`ScenarioError` ``build()`` raises, checked to be one paragraph
    (no line break, no traceback) that contains each of ``words``."""
    with pytest.raises(ScenarioError) as err:
        build()
    text = str(err.value)
    assert "\n" not in text and "Traceback" not in text, text
    for w in words:
        assert w in text, (w, text)
    return text

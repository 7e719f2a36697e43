"""Helpers shared by test modules: the scenarios folder, the round-the-clock opening hours, the
check that bad input is refused with one clear paragraph, and the expected failure demand of a run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from sim.analysis.planning import delay_cdf
from sim.errors import ScenarioError
from sim.history.fcr import WorkingDays
from sim.schema import Scenario
from sim.world.distributions import make

ROOT = Path(__file__).resolve().parents[1]
"""The checkout (its ``scenarios/`` folder holds the shipped scenario files)."""
ALL_DAY = "{opens: '00:00', closes: '24:00'}"
"""A day's opening hours round the clock (``calendar.hours.<day>=...``)."""
Z_TWO_SIDED = float(NormalDist().inv_cdf(1 - 0.001 / 2))
"""z of a two-sided 99.9 % normal interval (3.29): a correct model fails a check once in a thousand seeds."""


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


def expected_repeats(s: Scenario, calls: pd.DataFrame) -> tuple[int, float, float]:
    """(repeat calls, their expectation, its standard error) of a model run with failure demand.

    The mechanics (sim.model.resolution): every answered call draws once whether it resolved the
    matter (probability fcr); an unresolved one whose attempt is below ``max_contacts`` brings a
    new call (attempt + 1) a delay D working days after it ended, unless that time falls after
    the run's last opening (dropped). So given the answered calls, the repeats are a sum of
    independent Bernoulli draws, one per answered call i with attempt < max_contacts, of
    probability qᵢ = (1 − fcr) · P(D < rᵢ), rᵢ the working days from its end to the last close:
    expectation Σ qᵢ, variance Σ qᵢ(1 − qᵢ) (a martingale CLT: which later calls exist depends on
    earlier draws, but each draw is fresh, so a customer's contacts need no cluster correction).
    With every call answered and no run end this is the share 1 − 1/(1 + q + q²), q = 0.3: 0.281
    (phone_contacts_per_matter 1.39); some callers hang up, so it is lower here."""
    r = s.resolution
    assert not s.repeats.enabled and r.case_share == 0 and set(calls["fate"]) <= {"answered", "abandoned"}  # the mechanics above
    fcr = r.share_of(next(iter(s.transfers.case_types)))
    assert all(r.share_of(name) == fcr for name in s.transfers.case_types)
    wd = WorkingDays.of(s.calendar, pd.Timestamp(s.run.start), pd.Timestamp(s.run.end), 3600.0)
    settled = calls[calls["fate"].eq("answered") & (calls["attempt"] < r.max_contacts)]
    left, _ = wd.inverse(wd.seconds(settled["ended_at"]), np.full(len(settled), wd.closes[-1]))
    q = (1 - fcr) * delay_cdf(make(r.delay_days), left, left=True)
    return int((calls["attempt"] > 1).sum()), float(q.sum()), float(np.sqrt((q * (1 - q)).sum()))

"""A handle-time part without spread (an ACD's fixed after-call-work timer) is fitted cleanly."""

from __future__ import annotations

import warnings

import numpy as np

from sim.history.handling import fit_part
from sim.schema import DistributionConfig


def test_a_fixed_wrap_time_is_an_empirical_part_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # scipy's divide-by-zero warnings (and then a brentq failure) before
        fit = fit_part(np.full(200, 30.0), "wrap_s", np.random.default_rng(0))
    assert fit.dist == "empirical" and fit.mean.value == 30.0 and fit.cv.value == 0.0
    assert DistributionConfig(**{"dist": None, "mean": None, "cv": None, "values": None, **fit.config()}).mean_value == 30.0

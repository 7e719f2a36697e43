"""Distributions know their mean and variance; samples agree within confidence bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.schema import DistributionConfig, PatienceConfig
from sim.world.distributions import Deterministic, Empirical, Exponential, Gamma, Infinite, LogNormal, make

Z = 3.29  # 99.9 % two-sided
N = 400_000


@pytest.mark.parametrize(
    "dist",
    [Exponential(300.0), LogNormal(240.0, 0.8), Gamma(20.0, 2.0), Gamma(45.0, 0.6), Empirical((10.0, 20.0, 90.0))],
    ids=repr,
)
def test_sample_mean_within_ci(dist) -> None:
    x = dist.sample(np.random.default_rng(7), N)
    assert abs(x.mean() - dist.mean) < Z * math.sqrt(dist.var / N)
    assert (x >= 0).all()


@pytest.mark.parametrize("dist", [Exponential(300.0), LogNormal(240.0, 0.5), Gamma(45.0, 0.6)], ids=repr)
def test_sample_variance_within_ci(dist) -> None:
    x = dist.sample(np.random.default_rng(8), N)
    # Var(s²) = σ⁴ (2/(n−1) + κ/n) with κ the excess kurtosis, estimated from the sample
    kappa = float(((x - x.mean()) ** 4).mean() / x.var() ** 2 - 3)
    se = dist.var * math.sqrt(2 / (N - 1) + kappa / N)
    assert abs(x.var(ddof=1) - dist.var) < Z * se


def test_lognormal_and_gamma_have_the_requested_cv() -> None:
    for cls in (LogNormal, Gamma):
        d = cls(100.0, 0.7)
        assert d.var == pytest.approx((0.7 * 100.0) ** 2)


def test_degenerate_cases() -> None:
    rng = np.random.default_rng(1)
    assert (Deterministic(42.0).sample(rng, 5) == 42.0).all()
    assert (Exponential(0.0).sample(rng, 3) == 0).all()
    assert np.isinf(Infinite().sample(rng, 3)).all()


def test_make_from_config() -> None:
    assert make(DistributionConfig(dist="gamma", mean=20, cv=2)) == Gamma(20, 2)
    assert make(DistributionConfig(dist="exponential", mean=300)) == Exponential(300)
    assert isinstance(make(PatienceConfig(dist="infinite")), Infinite)
    assert make(PatienceConfig(dist="lognormal", mean=100, cv=1.0)) == LogNormal(100, 1.0)


@pytest.mark.parametrize("dist", [LogNormal(1e8, 20.0), Gamma(1e8, 20.0), Exponential(1e8)])
def test_draws_are_capped_where_timestamps_end(dist) -> None:  # noqa: ANN001
    """A heavy tail of the longest mean allowed stays within MAX_DRAW_S (issue 23.3)."""
    from sim.schema import MAX_DRAW_S

    x = dist.sample(np.random.default_rng(1), 200_000)
    assert x.max() <= MAX_DRAW_S and np.isfinite(x).all()

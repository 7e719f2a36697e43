"""Duration distributions as small objects that know their mean and variance.

Each is built from a :class:`~sim.schema.DistributionConfig` (mean and CV) and samples
vectorised from a :class:`numpy.random.Generator`, so tests can compare sample moments with
theory and the model can draw every call's attributes at once. A draw is capped at
:data:`sim.schema.MAX_DRAW_S` (about 32 years; only a heavy tail of a huge mean gets there) so
that the records' timestamps can hold it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from sim.schema import MAX_DRAW_S, DistributionConfig, PatienceConfig


class Distribution(Protocol):
    """A non-negative duration distribution in seconds."""

    @property
    def mean(self) -> float: ...

    @property
    def var(self) -> float: ...

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray: ...


@dataclass(frozen=True)
class Exponential:
    """Exponential with the given mean (CV 1)."""

    mean: float

    @property
    def var(self) -> float:
        return self.mean**2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.minimum(rng.exponential(self.mean, n), MAX_DRAW_S) if self.mean > 0 else np.zeros(n)


@dataclass(frozen=True)
class _MeanCV:
    """A distribution given by its mean and coefficient of variation."""

    mean: float
    cv: float

    @property
    def var(self) -> float:
        return (self.mean * self.cv) ** 2


@dataclass(frozen=True)
class LogNormal(_MeanCV):
    """Lognormal parameterised by mean and coefficient of variation."""

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.mean <= 0:
            return np.zeros(n)
        sigma2 = math.log1p(self.cv**2)
        return np.minimum(rng.lognormal(math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2), n), MAX_DRAW_S)


@dataclass(frozen=True)
class Gamma(_MeanCV):
    """Gamma parameterised by mean and coefficient of variation (shape 1/cv²)."""

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.mean <= 0:
            return np.zeros(n)
        shape = 1.0 / self.cv**2
        return np.minimum(rng.gamma(shape, self.mean / shape, n), MAX_DRAW_S)


@dataclass(frozen=True)
class Deterministic:
    """Always the same value."""

    mean: float

    @property
    def var(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.mean, dtype=float)


@dataclass(frozen=True)
class Empirical:
    """Resamples observed values with replacement."""

    values: tuple[float, ...]

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def var(self) -> float:
        return float(np.var(self.values))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.choice(np.asarray(self.values, dtype=float), size=n, replace=True)


@dataclass(frozen=True)
class Infinite:
    """Infinite patience: nobody abandons."""

    @property
    def mean(self) -> float:
        return math.inf

    @property
    def var(self) -> float:
        return math.inf

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, np.inf)


def make(cfg: DistributionConfig | PatienceConfig) -> Distribution:
    """Build the distribution a config describes."""
    if isinstance(cfg, PatienceConfig):
        if cfg.infinite:
            return Infinite()
        cfg = cfg.as_distribution()
    if cfg.dist == "empirical":
        assert cfg.values is not None
        return Empirical(tuple(cfg.values))
    assert cfg.mean is not None
    if cfg.dist == "exponential":
        return Exponential(cfg.mean)
    if cfg.dist == "deterministic":
        return Deterministic(cfg.mean)
    assert cfg.cv is not None
    if cfg.dist == "lognormal":
        return LogNormal(cfg.mean, cfg.cv)
    return Gamma(cfg.mean, cfg.cv)

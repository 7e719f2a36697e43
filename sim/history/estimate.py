"""An estimate with its uncertainty, and the bootstrap every estimate module uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A point estimate with a 95 % interval (``low``..``high``) and, when known, its SE."""

    name: str
    value: float
    low: float
    high: float
    se: float = float("nan")
    unit: str = ""
    method: str = ""

    def covers(self, truth: float) -> bool:
        """Whether the interval contains ``truth``."""
        return self.low <= truth <= self.high

    def row(self) -> dict[str, object]:
        """A table row."""
        return {
            "parameter": self.name,
            "estimate": self.value,
            "ci_low": self.low,
            "ci_high": self.high,
            "se": self.se,
            "unit": self.unit,
            "method": self.method,
        }


def bootstrap(
    values: np.ndarray, stat: Callable[[np.ndarray], float], rng: np.random.Generator, b: int = 400
) -> tuple[float, float, float]:
    """Percentile bootstrap (95 %) of ``stat`` over the rows of ``values``: (low, high, se)."""
    n = len(values)
    if n < 2:
        return float("nan"), float("nan"), float("nan")
    idx = rng.integers(0, n, size=(b, n))
    reps = np.array([stat(values[i]) for i in idx])
    reps = reps[np.isfinite(reps)]
    if reps.size < 10:
        return float("nan"), float("nan"), float("nan")
    return float(np.quantile(reps, 0.025)), float(np.quantile(reps, 0.975)), float(reps.std(ddof=1))

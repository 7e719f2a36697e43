"""Forecast accuracy: how far a forecast of call volumes was from what came.

For units ``i`` (days, or date x interval) with actual calls ``A_i`` and forecast ``F_i``:

``wape``  weighted absolute percentage error ``sum |A - F| / sum A`` (the big units weigh more;
          defined whenever any call came)
``mape``  mean absolute percentage error ``mean |A - F| / A`` over the units with ``A > 0``
          (a unit without calls has no percentage error; it is left out and counted)
``bias``  ``sum (F - A) / sum A``: positive when the forecast was too high, negative too low
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Accuracy:
    """Errors of one forecast over ``units`` units (``zero_actual``: units without calls, left out
    of the MAPE); shares, not percent."""

    units: int
    actual: float
    forecast: float
    wape: float
    mape: float
    bias: float
    zero_actual: int


def accuracy(actual: np.ndarray, forecast: np.ndarray) -> Accuracy:
    """WAPE, MAPE and bias of ``forecast`` against ``actual`` (see the module docstring)."""
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    if a.shape != f.shape:
        raise ValueError(f"actual and forecast differ in shape: {a.shape} and {f.shape}")
    total = float(a.sum())
    pos = a > 0
    wape = float(np.abs(a - f).sum() / total) if total > 0 else float("nan")
    mape = float(np.mean(np.abs(a[pos] - f[pos]) / a[pos])) if pos.any() else float("nan")
    bias = float((f - a).sum() / total) if total > 0 else float("nan")
    return Accuracy(int(a.size), total, float(f.sum()), wape, mape, bias, int((~pos).sum()))

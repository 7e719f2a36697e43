"""Call-centre simulation toolkit: SimPy model, Erlang baselines and Monte Carlo staffing.

The Python API::

    import sim
    scenario = sim.load_scenario("default", overrides=["run.end=2026-12-07"])
    result = sim.simulate(scenario, seed=1)
    result.calls          # one row per offered call
    result.kpis("D")      # KPIs per day
    sim.opening_hours(scenario, "2026-12-01", "2026-12-31")

The names are imported on first use (PEP 562), so that ``import sim`` and the commands that need
only a part of the toolkit do not pay for pandas, Hydra and SciPy up front (issue 23 item 16).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.errors import ScenarioError
    from sim.model.simulate import SimResult, simulate
    from sim.scenario.compose import load_scenario, validate
    from sim.schema import Scenario
    from sim.world.calendar import opening_hours

# public name -> the module that defines it
_EXPORTS = {
    "Scenario": "sim.schema",
    "ScenarioError": "sim.errors",
    "SimResult": "sim.model.simulate",
    "load_scenario": "sim.scenario.compose",
    "opening_hours": "sim.world.calendar",
    "simulate": "sim.model.simulate",
    "validate": "sim.scenario.compose",
}

__all__ = [
    "Scenario",
    "ScenarioError",
    "SimResult",
    "load_scenario",
    "opening_hours",
    "simulate",
    "validate",
]


def __getattr__(name: str) -> Any:
    """Import an exported name from its module on first access and cache it on the package.

    A subpackage or module (``sim.schema``, ``sim.analysis`` …) is imported on first access too,
    as ``import sim`` used to load several of them eagerly."""
    module = _EXPORTS.get(name)
    if module is None:
        if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
            return importlib.import_module(f"{__name__}.{name}")  # the import sets it on the package
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

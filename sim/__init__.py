"""Call-centre simulation toolkit: SimPy model, Erlang baselines and Monte Carlo staffing.

The Python API::

    import sim
    scenario = sim.load_scenario("default", overrides=["run.end=2026-12-07"])
    result = sim.simulate(scenario, seed=1)
    result.calls          # one row per offered call
    result.kpis("D")      # KPIs per day
    sim.opening_hours(scenario, "2026-12-01", "2026-12-31")
"""

from sim.errors import ScenarioError
from sim.model.simulate import SimResult, simulate
from sim.scenario.compose import load_scenario, validate
from sim.schema import Scenario
from sim.world.calendar import opening_hours

__all__ = [
    "Scenario",
    "ScenarioError",
    "SimResult",
    "load_scenario",
    "opening_hours",
    "simulate",
    "validate",
]

"""Start-up cost (issue 23 item 16): heavy libraries are imported where they are used, not up front.

Each check runs in a fresh interpreter and looks at ``sys.modules``; the timings themselves are in
``benchmarks/bench_startup.py`` (a loaded machine makes them unfit for a test).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

HEAVY = ("matplotlib", "scipy", "scipy.special", "scipy.stats", "statsmodels", "shiny", "dask", "joblib", "openpyxl", "lifelines")


def loaded_after(code: str) -> set[str]:
    """The modules of ``HEAVY`` (plus pandas and hydra) in ``sys.modules`` after running ``code`` in a fresh process."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    return set(json.loads(done.stdout.splitlines()[-1])) & {*HEAVY, "pandas", "hydra", "numpy"}


def test_import_sim_loads_no_heavy_library() -> None:
    assert loaded_after("import sim") == set()


@pytest.mark.parametrize("module", ["sim.__main__", "sim.scenario.compose", "sim.model.simulate"])
def test_a_single_run_needs_no_scipy_statsmodels_shiny_or_dask(module: str) -> None:
    """``python -m sim`` on a scenario without ``staffing.mode=plan`` never calls the Erlang formulas."""
    loaded = loaded_after(f"import {module}")
    assert loaded & {"scipy", "scipy.special", "statsmodels", "shiny", "dask", "joblib", "lifelines"} == set()


def test_lazy_names_resolve_to_the_defining_modules() -> None:
    import sim
    from sim.errors import ScenarioError
    from sim.model.simulate import SimResult, simulate
    from sim.scenario.compose import load_scenario, validate
    from sim.schema import Scenario
    from sim.world.calendar import opening_hours

    expected = {"Scenario": Scenario, "ScenarioError": ScenarioError, "SimResult": SimResult, "load_scenario": load_scenario,
                "opening_hours": opening_hours, "simulate": simulate, "validate": validate}
    assert sorted(sim.__all__) == sorted(expected)
    for name, obj in expected.items():
        assert getattr(sim, name) is obj
        assert name in dir(sim)
    namespace: dict[str, object] = {}
    exec("from sim import *", namespace)
    assert {k: namespace[k] for k in expected} == expected
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = sim.nope  # type: ignore[attr-defined]


def test_subpackages_are_reachable_as_attributes_after_import_sim() -> None:
    """``import sim; sim.schema.Scenario`` keeps working though ``import sim`` no longer loads ``sim.schema``."""
    done = subprocess.run([sys.executable, "-c", "import sim; print(sim.schema.Scenario.__name__, sim.errors.ScenarioError.__name__)"],
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["Scenario", "ScenarioError"]

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
from typing import Any

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


@pytest.mark.parametrize("module", ["sim.faces.mc", "sim.faces.compare"])
def test_monte_carlo_and_comparison_need_no_scipy_stats(module: str) -> None:
    """Their t and normal quantiles come from ``scipy.special`` (a third of ``scipy.stats``' start-up)."""
    code = f"import sys, {module}; print(sorted(m for m in ('scipy.stats', 'statsmodels', 'shiny', 'dask') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"


def test_special_function_quantiles_equal_scipy_stats_bit_for_bit() -> None:
    """``t_half_width``, ``wilson`` and the paired p-value are the very numbers ``scipy.stats`` gave."""
    import numpy as np
    from scipy import special, stats

    from sim.analysis.stats import t_half_width, wilson

    rng = np.random.default_rng(7)
    n = np.concatenate([np.arange(0.0, 400.0), rng.integers(2, 10**6, 200).astype(float)])
    sd = rng.exponential(1.0, n.size)
    for conf in (0.9, 0.95, 0.99):
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = stats.t.ppf(0.5 + conf / 2, np.where(n > 1, n - 1, np.nan)) * sd / np.sqrt(n)
        assert np.array_equal(t_half_width(sd, n, conf), expected, equal_nan=True)
        z = stats.norm.ppf(0.5 + conf / 2)
        k = np.array([0.0, 1.0, 5.0, 50.0])
        m = np.array([10.0, 10.0, 60.0, 50.0])
        p = k / m
        centre = (p + z * z / (2 * m)) / (1 + z * z / m)
        half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / (1 + z * z / m)
        lo, hi = wilson(k, m, conf)
        assert np.array_equal(lo, np.minimum(np.clip(centre - half, 0.0, 1.0), p))
        assert np.array_equal(hi, np.maximum(np.clip(centre + half, 0.0, 1.0), p))
    x = np.concatenate([rng.exponential(3.0, 2000), [0.0, np.inf]])
    for df in (1, 2, 9, 99, 9999):  # the paired p-value: 2 * stdtr(n - 1, -|t|) in sim.analysis.paired
        assert np.array_equal(2 * stats.t.sf(x, df), 2 * special.stdtr(df, -x))


ONE_DAY_PROBE = """
import gc, json, runpy, sys
from hydra._internal.config_loader_impl import ConfigLoaderImpl

compositions = []
load = ConfigLoaderImpl.load_configuration


def counted(self, *args, **kwargs):
    compositions.append(kwargs.get("run_mode"))
    return load(self, *args, **kwargs)


ConfigLoaderImpl.load_configuration = counted
sys.argv = ["sim", *json.loads(sys.argv[1])]
try:
    runpy.run_module("sim", run_name="__main__")
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps({"compositions": len(compositions), "modules": sorted(sys.modules), "frozen": gc.get_freeze_count()}))
"""


def one_day_run(tmp_path: Path, *args: str) -> dict[str, object]:
    """A one-day ``python -m sim`` in a fresh process: how often Hydra composed the config, and
    the modules it loaded."""
    argv = ["run.end=2026-12-01", f"hydra.run.dir={tmp_path / 'run'}", *args]
    done = subprocess.run([sys.executable, "-c", ONE_DAY_PROBE, json.dumps(argv)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=300, check=True)
    assert (tmp_path / "run" / "daily_targets.png").stat().st_size > 0
    return json.loads(done.stdout.splitlines()[-1])


def test_a_one_day_run_composes_once_and_draws_beside_itself(tmp_path: Path) -> None:
    """Issue 23 item 16: ``hydra.main`` composes twice (``get_mode``, then the run) unless
    :func:`sim.faces.cli.compose_once` keeps the first; the PNGs are drawn by a forked process
    (:mod:`sim.faces.painter`), so the command's own process never imports matplotlib."""
    from sim.faces.painter import can_fork

    probe = one_day_run(tmp_path)
    assert probe["compositions"] == 1
    assert probe["frozen"] > 0  # the door loaded and ended through sim.faces.door: no heap search at shutdown
    modules = set(probe["modules"])  # type: ignore[arg-type]
    assert "matplotlib.pyplot" not in modules
    assert ("matplotlib" in modules) is not can_fork()
    for png in ("daily_targets.png", "intraday_queue.png"):
        assert (tmp_path / "run" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plots_import_no_pyplot() -> None:
    """The plots are drawn on ``Figure`` + the Agg canvas: ``pyplot`` and its backend machinery
    are not imported (nor needed) to write them."""
    code = "import sys, sim.faces.plots; print('matplotlib.pyplot' in sys.modules, 'matplotlib.figure' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["False", "True"]


def _days(n: int = 3) -> Any:
    import pandas as pd

    return pd.DataFrame({"period": pd.date_range("2026-12-01", periods=n, freq="D").astype(str),
                         "availability": [0.95, 0.91, 0.97][:n], "service_level": [0.93, 0.85, 0.96][:n]})


@pytest.mark.skipif(sys.platform != "linux", reason="the painter forks on Linux only")
def test_forked_plots_are_the_same_bytes_and_failures_reach_the_parent(tmp_path: Path) -> None:
    from sim.faces.painter import PlotError, draw_here, forked_painter
    from sim.schema import TargetsConfig

    targets = TargetsConfig()
    draw_here([("daily_targets", (_days(), targets, tmp_path / "here.png"))])
    with forked_painter() as draw:  # the first job is drawn by the child, the next by a grandchild
        draw([("daily_targets", (_days(), targets, tmp_path / f"forked{i}.png")) for i in range(2)])
    for i in range(2):
        assert (tmp_path / f"forked{i}.png").read_bytes() == (tmp_path / "here.png").read_bytes()

    bad = _days().drop(columns="availability")
    for jobs in ([("daily_targets", (bad, targets, tmp_path / "bad.png"))],
                 [("daily_targets", (_days(), targets, tmp_path / "good0.png")), ("daily_targets", (bad, targets, tmp_path / "bad.png")),
                  ("daily_targets", (_days(), targets, tmp_path / "good2.png"))]):
        with pytest.raises(PlotError, match=r"(?s)drawing the plots failed:.*KeyError: 'availability'"):
            with forked_painter() as draw:
                draw(jobs)
        assert not (tmp_path / "bad.png").exists()
    assert (tmp_path / "good0.png").exists() and (tmp_path / "good2.png").exists()

    with pytest.raises(ZeroDivisionError):  # the command's own error wins; the child sees no jobs and leaves
        with forked_painter() as draw:
            _ = 1 / 0


def test_composing_once_gives_hydras_own_config() -> None:
    """The kept composition with ``hydra.mode=RUN`` applied is the very config Hydra composes
    itself for the run (every key, the override lists, the resolved choices)."""
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_config_search_path
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from sim.faces.cli import compose_once
    from sim.scenario.compose import scenarios_dir

    def as_hydra_runs(hydra: Hydra, overrides: list[str]) -> str:
        overrides = list(overrides)
        assert hydra.get_mode("config", overrides) is None
        overrides.append("hydra.mode=RUN")  # what hydra.main adds for a single run
        cfg = hydra.compose_config("config", overrides, run_mode=RunMode.RUN)
        return OmegaConf.to_yaml(cfg)

    hydra = Hydra.create_main_hydra2(task_name="sim", config_search_path=create_config_search_path(str(scenarios_dir())))
    try:
        for overrides in ([], ["run.end=2026-12-01", "hydra.run.dir=/tmp/x"], ["+experiment=tiny", "cases=on", "staffing.agents=7"]):
            own = as_hydra_runs(hydra, overrides)
            with compose_once():
                kept = as_hydra_runs(hydra, overrides)
            assert kept == own
            assert "- hydra.mode=RUN" in kept
    finally:
        GlobalHydra.instance().clear()


def test_every_command_door_loads_and_ends_through_the_door_module() -> None:
    """Every ``python -m sim.<command>`` door imports its command inside
    :func:`sim.faces.door.loading` (no cycle searches while pandas, Hydra and the model load) and
    passes its finished command through :func:`sim.faces.door.ended` (none at shutdown either);
    the web page's door serves until interrupted."""
    doors = [p for p in (ROOT / "sim").glob("*.py") if 'if __name__ == "__main__":' in p.read_text(encoding="utf-8")]
    assert len(doors) >= 10
    for door in doors:
        head, tail = door.read_text(encoding="utf-8").split('if __name__ == "__main__":')
        assert "with loading(__name__):" in head and "from sim.faces.door import" in head, door
        assert door.name == "app.py" or "ended(main())" in tail, door


def test_loading_pauses_the_collector_only_for_a_command_and_ended_keeps_the_exit_code() -> None:
    code = """import gc, sys
from sim.faces.door import ended, loading
with loading("sim.followup"):  # imported as a library: the caller's collector is left alone
    import json
assert gc.isenabled() and gc.get_freeze_count() == 0
with loading("__main__"):
    assert not gc.isenabled()
    import decimal
assert gc.isenabled() and gc.get_freeze_count() > 0
c = ended(3)
print(c)
sys.exit(c)
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.split()) == (3, ["3"]), done.stderr

"""Every scenario that ``python -m sim.calibrate`` writes runs in every command.

One small synthetic history is calibrated twice (module-scoped): from a per-call log (so the
scenario has empirical patience and balking) and from an hourly interval report (a grid other
than the default's). Each calibrated scenario then goes, shortened to a day or two and two
replications, through ``sim``, ``sim.mc``, ``sim.plan``, ``sim.staff``, ``sim.compare`` (against
the roster ``sim.staff`` wrote), ``sim.report`` and the managers' page's logic.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.history.synthetic import CALL_MAP, INTERVAL_MAP, Truth, call_log, interval_report, simulate_history
from sim.scenario.compose import load_scenario, scenarios_dir

ROOT = Path(__file__).resolve().parents[2]
DAY = ["run.start=2026-12-01", "run.end=2026-12-01"]
NAMES = ("cal_calls", "cal_hourly")


@pytest.fixture(scope="module")
def calls() -> pd.DataFrame:
    return simulate_history("2026-11-02", "2026-11-20", Truth(storms=(), closures=()), seed=3, yearly=False)


@pytest.fixture(scope="module")
def scen(calls: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scenarios folder holding both calibrated scenarios."""
    from sim.calibrate import main

    root = tmp_path_factory.mktemp("calibrated")
    scen = root / "scenarios"
    shutil.copytree(scenarios_dir(), scen)
    call_log(calls, seed=3).to_csv(root / "log.csv", sep=";", index=False)
    interval_report(calls, step=60).to_csv(root / "hourly.csv", index=False)
    (root / "cmap.yaml").write_text(yaml.safe_dump(CALL_MAP, allow_unicode=True), encoding="utf-8")
    (root / "imap.yaml").write_text(yaml.safe_dump(INTERVAL_MAP, allow_unicode=True), encoding="utf-8")
    for name, path, kind, cmap in (("cal_calls", "log.csv", "calls", "cmap.yaml"), ("cal_hourly", "hourly.csv", "intervals", "imap.yaml")):
        code = main([str(root / path), "--kind", kind, "--columns", str(root / cmap), "--name", name, "--scenarios", str(scen),
                     "--out", str(root / f"out_{name}"), "--backtest-days", "0", "--refine-days", "0"])
        assert code == 0
    return scen


def _env(scen: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HYDRA_FULL_ERROR", "DASK_SCHEDULER_ADDRESS")}
    env["SIM_SCENARIOS"] = str(scen)
    env["MPLBACKEND"] = "Agg"
    return env


def _run(scen: Path, module: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=_env(scen), capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert proc.returncode == 0, f"{module} {' '.join(args)}:\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr
    return proc


def test_the_calibrated_scenarios_are_what_the_test_needs(scen: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        calls = load_scenario("cal_calls", config_dir=scen)
        hourly = load_scenario("cal_hourly", config_dir=scen)
    assert calls.patience.dist == "empirical" and calls.patience.balk_share > 0
    assert hourly.demand.interval_min == 60 and hourly.roster.start_step(60) == 60
    assert calls.staffing.mode == hourly.staffing.mode == "table"
    assert "planned for another demand" not in caplog.text  # the table was fitted to exactly this demand
    other = scen / "data" / "other_profile.csv"
    shutil.copy(scen / "data" / "cal_calls_profile.csv", other)
    with caplog.at_level(logging.WARNING):
        load_scenario("cal_calls", [f"demand.profile_file={other}"], config_dir=scen)
    assert "planned for another demand" in caplog.text  # but another profile still warns


@pytest.mark.parametrize("step", [15, 30, 60])
def test_any_grid_the_readers_accept_calibrates_and_runs(calls: pd.DataFrame, step: int, tmp_path: Path) -> None:
    """An hourly report was refused before (roster.start_step_min: 30 is not a multiple of the
    interval length): the settings derived from the grid follow it."""
    from sim.history.calibration import calibrate
    from sim.model.simulate import simulate

    interval_report(calls, step=step).to_csv(tmp_path / "rep.csv", index=False)
    (tmp_path / "map.yaml").write_text(yaml.safe_dump(INTERVAL_MAP, allow_unicode=True), encoding="utf-8")
    c = calibrate(tmp_path / "rep.csv", "intervals", tmp_path / "map.yaml", name=f"grid{step}", scenarios=tmp_path / "s",
                  backtest_days=0, refine_days=0)
    s = load_scenario(f"grid{step}", DAY, config_dir=_with_configs(tmp_path / "s"))
    assert c.scenario.demand.interval_min == s.demand.interval_min == step
    assert s.roster.start_step(step) % step == 0
    base = load_scenario("default")
    assert s.demand.displaced_intervals * step == base.demand.displaced_intervals * base.demand.interval_min  # same hours
    assert len(simulate(s, seed=1).calls) > 0


def _with_configs(folder: Path) -> Path:
    """The project's scenarios with the calibrated delta and its data added."""
    out = folder.parent / "with_configs"
    shutil.copytree(scenarios_dir(), out)
    shutil.copytree(folder, out, dirs_exist_ok=True)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_sim_mc_and_report(scen: Path, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _run(scen, "sim", f"+experiment={name}", *DAY, f"hydra.run.dir={tmp_path / 'run'}")
    assert (tmp_path / "run" / "kpi_day.csv").is_file()
    _run(scen, "sim.mc", f"+experiment={name}", *DAY, "montecarlo.replications=2", "montecarlo.workers=1",
         f"montecarlo.out_dir={tmp_path / 'mc'}", f"hydra.run.dir={tmp_path / 'hydra'}")
    (folder,) = [p for p in (tmp_path / "mc").iterdir() if p.is_dir()]
    from sim.faces.report import main as report

    monkeypatch.setenv("SIM_SCENARIOS", str(scen))
    report([str(folder)])
    assert "Patience" in (folder / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_plan(scen: Path, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.faces.plan import main as plan

    monkeypatch.setenv("SIM_SCENARIOS", str(scen))
    assert plan(["--scenario", name, *DAY, "--out", str(tmp_path)]) == 0
    assert (tmp_path / "staffing_plan.csv").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_staff_then_compare_with_its_roster_and_report(scen: Path, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "staff"
    _run(scen, "sim.staff", f"+experiment={name}", *DAY, "staff.search=false", "staff.roster_from=erlang_a", "staff.replications=2",
         "staff.verify_replications=2", "staff.roster_rounds=1", "staff.workers=1", f"staff.out_dir={out}",
         f"hydra.run.dir={tmp_path / 'hydra'}")
    assert "Patience" in (out / "report.html").read_text(encoding="utf-8")
    shutil.copy(out / "experiment_roster.yaml", scen / "experiment" / f"roster_{name}.yaml")
    from sim.faces.compare import main as compare
    from sim.faces.report import main as report

    monkeypatch.setenv("SIM_SCENARIOS", str(scen))
    cmp_out = tmp_path / "compare"
    compare([name, f"roster_{name}", "--reps", "2", "--workers", "1", "--out", str(cmp_out), *[f"-o{o}" for o in DAY]])
    assert (cmp_out / "differences.csv").is_file()
    report([str(cmp_out), "--out", str(tmp_path / "again.html")])
    assert (tmp_path / "again.html").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_the_page_logic(scen: Path, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.faces.app import logic as L
    from sim.faces.app.jobs import Job

    monkeypatch.setenv("SIM_SCENARIOS", str(scen))
    L.base_scenario.cache_clear()
    assert name in L.base_names()
    base = L.base_scenario(name)
    ch = dataclasses.replace(L.choices_of(base), start="2026-12-01", end="2026-12-02", replications=2,
                             staffing_mode="agents", staffing_delta=1)
    b = L.build(base, ch)
    assert b.ok, b.errors
    assert L.changes_text(b.baseline, b.variant)
    job = Job(tmp_path, {"baseline": b.baseline, "changed": b.variant}, 2, workers=1)
    job.start()
    t0 = time.perf_counter()
    while job.running and time.perf_counter() - t0 < 120:
        time.sleep(0.1)
    assert job.finished and job.error() is None
    assert L.cards(job.comparison()) and L.headline(job.comparison())
    out = job.outputs()
    assert out is not None and "Patience" in (out / "report_en.html").read_text(encoding="utf-8")  # English: outputs() default
    L.base_scenario.cache_clear()

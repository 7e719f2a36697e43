"""``python -m sim.staff`` end to end: outputs usable as scenario input, resume, clean errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

import sim

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["+experiment=tiny", "staffing=fibra", "staff.replications=3", "staff.verify_replications=3",
         "staff.max_rounds=4", "staff.roster_rounds=2", "staff.workers=1"]


def run_staff(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HYDRA_FULL_ERROR", "SIM_SCENARIOS")}
    env["MPLBACKEND"] = "Agg"
    return subprocess.run([sys.executable, "-m", "sim.staff", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def reps(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.rglob("rep_*.parquet")}


@pytest.fixture(scope="module")
def staffed(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("staff") / "tiny"
    return run_staff(*SMALL, f"staff.out_dir={out}"), out


def test_writes_tables_roster_and_report(staffed) -> None:
    proc, out = staffed
    assert proc.returncode == 0, proc.stderr
    for name in ("staffing_table_erlang_a.csv", "staffing_table_simulation.csv", "staffing_plans.csv", "staffing_plans.png",
                 "search_history.csv", "roster.csv", "roster_summary.csv", "roster_coverage.csv", "roster_coverage.png",
                 "roster_history.csv", "experiment_roster.yaml", "plans.csv", "plans_kpis.csv", "plans_cells.csv", "report.html"):
        assert (out / name).is_file(), name
    assert "price of shifts" in proc.stdout and "LP gap" in proc.stdout
    roster = pd.read_csv(out / "roster.csv")
    assert list(roster.columns) == ["weekday", "shift_start", "shift_end", "lunch", "breaks", "agents", "paid_h"]
    cov = pd.read_csv(out / "roster_coverage.csv")
    assert (cov["on_phones"] >= cov["required"]).all()
    html = (out / "report.html").read_text()
    assert "Roster" in html and "Plans checked with fresh seeds" in html
    assert set(pd.read_csv(out / "plans.csv")["plan"]) == {"Erlang A", "simulation search", "roster (shifts with breaks)"}
    days = pd.read_csv(out / "plans.csv")["days meeting all targets"]
    cfg = yaml.safe_load((out / "config.yaml").read_text())
    reps_ = cfg["staff"]["verify_replications"]
    assert days.str.contains(rf"% of \d+ \(open days × {reps_} replications\)").all(), days.tolist()


def test_outputs_are_scenario_inputs(staffed, tmp_path: Path) -> None:
    _, out = staffed
    s = sim.load_scenario("tiny", ["staffing=fibra", f"staffing.table_file={out / 'staffing_table_simulation.csv'}"])
    table = pd.read_csv(out / "staffing_table_simulation.csv")
    assert s.staffing.table is not None and s.staffing.table["tue"] == table.loc[table["weekday"] == "tue", "agents"].tolist()
    scen = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", scen)
    shutil.copy(out / "experiment_roster.yaml", scen / "experiment" / "my_roster.yaml")
    r = sim.load_scenario("my_roster", config_dir=scen)
    assert r.staffing.mode == "shifts" and r.run.end == sim.load_scenario("tiny").run.end  # the base experiment is kept
    assert sum(sh.count for sh in r.staffing.shifts or []) == pd.read_csv(out / "roster.csv")["agents"].sum()
    assert any(sh.breaks for sh in r.staffing.shifts or [])
    assert len(sim.simulate(r, seed=1).calls) > 0


def test_rerun_resumes(staffed) -> None:
    _, out = staffed
    before = reps(out)
    proc = run_staff(*SMALL, f"staff.out_dir={out}")
    assert proc.returncode == 0, proc.stderr
    assert reps(out) == before, "a rerun recomputes nothing"


def test_bad_template_is_one_paragraph(tmp_path: Path) -> None:
    proc = run_staff("+experiment=tiny", "roster.lunch.latest_h=6", f"staff.out_dir={tmp_path}")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "roster.lunch.latest_h" in proc.stderr and "Traceback" not in proc.stderr


def test_a_search_stopped_by_its_round_limit_is_one_paragraph(tmp_path: Path) -> None:
    args = [a for a in SMALL if not a.startswith("staff.max_rounds")]
    proc = run_staff(*args, "staff.max_rounds=1", f"staff.out_dir={tmp_path / 'out'}")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "staff.max_rounds, now 1" in proc.stderr and "cells still missed a target" in proc.stderr


def test_the_printed_intervals_stay_within_what_a_kpi_can_be() -> None:
    """A share's 95 % CI of 98.69 % ± 2.41 pp is printed cut at 100 % (it was '[96.27, 101.10]'),
    a queue time's at 0 s, and each says where it was cut (as sim.mc and sim.compare do)."""
    from sim.faces.staff import _kpi

    assert _kpi("availability", 0.9869, 0.9627, 1.0110, 0.0241) == "98.69 % [96.27, 100.00] (cut at 100 %)"
    assert _kpi("asa_s", 1.1, -1.9, 4.1, 3.0) == "1.1 s [0.0, 4.1] (cut at 0 s)"
    assert _kpi("asa_s", 5.0, 2.0, 8.0, 3.0) == "5.0 s [2.0, 8.0]"

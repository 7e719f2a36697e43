"""``python -m sim.mc`` end to end: outputs, resume after an interruption, sweeps, clean errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SUMMARIES = ["summary_run.csv", "summary_month.csv", "summary_day.csv"]


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k not in ("HYDRA_FULL_ERROR", "SIM_SCENARIOS", "DASK_SCHEDULER_ADDRESS")}
    e["MPLBACKEND"] = "Agg"
    return e


def mc_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "sim.mc", *args]


def run_mc(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(mc_cmd(*args), cwd=ROOT, env=env(), capture_output=True, text=True, timeout=timeout, check=False)


def rep_files(out: Path) -> dict[str, int]:
    """Replication file name -> modification time (ns)."""
    return {p.name: p.stat().st_mtime_ns for p in sorted((out / "replications").glob("rep_*.parquet"))}


@pytest.fixture(scope="module")
def tiny_mc(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("mc") / "tiny"
    return run_mc("+experiment=tiny", "montecarlo.replications=3", "montecarlo.workers=2", f"montecarlo.out_dir={out}"), out


def test_mc_exits_zero_and_prints_cis(tiny_mc: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, out = tiny_mc
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "tiny: 3 replications" in proc.stdout and "95% CI" in proc.stdout
    assert "service_level" in proc.stdout and "P(month meets availability)" in proc.stdout
    assert str(out) in proc.stdout


@pytest.mark.parametrize("name", [*SUMMARIES, "kpis.parquet", "daily_p_met.png", "config.yaml", "manifest.json"])
def test_mc_writes_file(tiny_mc: tuple[subprocess.CompletedProcess[str], Path], name: str) -> None:
    _, out = tiny_mc
    assert (out / name).is_file(), sorted(p.name for p in out.iterdir())
    assert (out / name).stat().st_size > 0


def test_mc_outputs_are_consistent(tiny_mc: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = tiny_mc
    assert list(rep_files(out)) == [f"rep_{k:06d}.parquet" for k in range(3)]
    kpis = pd.read_parquet(out / "kpis.parquet")
    assert sorted(kpis["replication"].unique()) == [0, 1, 2]
    assert set(kpis["level"]) == {"day", "month", "run"}
    run = pd.read_csv(out / "summary_run.csv")
    assert {"kpi", "mean", "ci_low", "ci_high", "p_met", "p_met_low", "p_met_high"} <= set(run.columns)
    assert (run["replications"] == 3).all()
    offered = run.set_index("kpi").loc["offered", "mean"]
    assert offered == pytest.approx(kpis.loc[kpis["level"] == "run", "offered"].mean())
    day = pd.read_csv(out / "summary_day.csv")
    assert set(day["period"]) == {"2026-12-22", "2026-12-23"}


def test_rerun_recomputes_only_the_missing_replication(tmp_path: Path) -> None:
    out = tmp_path / "mc"
    args = ["+experiment=tiny", "montecarlo.workers=1", f"montecarlo.out_dir={out}"]
    first = run_mc(*args, "montecarlo.replications=3")
    assert first.returncode == 0, first.stderr
    before, kpis = rep_files(out), pd.read_parquet(out / "kpis.parquet")
    (out / "replications" / "rep_000001.parquet").unlink()
    time.sleep(0.05)
    again = run_mc(*args, "montecarlo.replications=3")
    assert again.returncode == 0, again.stderr
    after = rep_files(out)
    assert after.keys() == before.keys()
    assert [n for n in after if after[n] != before[n]] == ["rep_000001.parquet"], "only the deleted one is recomputed"
    pd.testing.assert_frame_equal(pd.read_parquet(out / "kpis.parquet"), kpis)
    # more replications (and other workers) resume the same folder: the first three stay as they were
    more = run_mc(*args[:-2], "montecarlo.workers=2", f"montecarlo.out_dir={out}", "montecarlo.replications=5")
    assert more.returncode == 0, more.stderr
    grown = rep_files(out)
    assert len(grown) == 5 and all(grown[n] == after[n] for n in after)
    five = pd.read_parquet(out / "kpis.parquet")
    pd.testing.assert_frame_equal(five[five["replication"] < 3].reset_index(drop=True), kpis)


def test_killed_run_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    """SIGKILL a run (and its worker processes) part-way, rerun, compare with a clean run."""
    reps = 120
    args = ["+experiment=tiny", "demand.volume=400", f"montecarlo.replications={reps}", "montecarlo.workers=2"]
    killed = tmp_path / "killed"
    proc = subprocess.Popen(mc_cmd(*args, f"montecarlo.out_dir={killed}"), cwd=ROOT, env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while len(list((killed / "replications").glob("rep_*.parquet"))) < 10:
            assert proc.poll() is None, "the run finished before it could be interrupted"
            assert time.monotonic() < deadline, "no replication was written in time"
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the app and its joblib workers (same session)
        proc.wait(timeout=30)
    done = len(list((killed / "replications").glob("rep_*.parquet")))
    assert 10 <= done < reps, done
    assert not (killed / "kpis.parquet").exists()
    for p in (killed / "replications").glob("rep_*.parquet"):
        pd.read_parquet(p)  # every file that is there is complete (written, then renamed)

    resumed = run_mc(*args, f"montecarlo.out_dir={killed}", timeout=180)
    assert resumed.returncode == 0, resumed.stderr
    clean = tmp_path / "clean"
    full = run_mc(*args, f"montecarlo.out_dir={clean}", timeout=180)
    assert full.returncode == 0, full.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(killed / "kpis.parquet"), pd.read_parquet(clean / "kpis.parquet"))
    for name in SUMMARIES:
        pd.testing.assert_frame_equal(pd.read_csv(killed / name), pd.read_csv(clean / name))


def test_forked_and_loky_workers_give_the_same_results(tmp_path: Path) -> None:
    """Local workers are forked on Linux; SIM_NO_FORK=1 uses joblib's loky processes instead."""
    args = ["+experiment=tiny", "demand.volume=400", "montecarlo.replications=6", "montecarlo.workers=2"]
    forked = run_mc(*args, f"montecarlo.out_dir={tmp_path / 'fork'}")
    assert forked.returncode == 0, forked.stderr
    loky = subprocess.run(mc_cmd(*args, f"montecarlo.out_dir={tmp_path / 'loky'}"), cwd=ROOT, env={**env(), "SIM_NO_FORK": "1"},
                          capture_output=True, text=True, timeout=120, check=False)
    assert loky.returncode == 0, loky.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "fork" / "kpis.parquet"), pd.read_parquet(tmp_path / "loky" / "kpis.parquet"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers are used on Linux only")
def test_forked_workers_end_with_their_parent() -> None:
    """A parent killed with SIGKILL (no clean-up code runs) must not leave its workers behind."""
    code = ("import sys, time, sim.study.runner as r\n"
            "pool = r._forked_pool(2)\n"
            "assert pool is not None, 'no forked pool in a single-threaded process on Linux'\n"
            "print(*[p.pid for p in pool._processes.values()], flush=True)\n"
            "time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env(), stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    workers = [int(p) for p in proc.stdout.readline().split()]
    assert len(workers) == 2
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)

    def running(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"  # gone or a zombie: ended
        except (FileNotFoundError, ProcessLookupError):
            return False

    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        alive = [p for p in workers if running(p)]
        time.sleep(0.05)
    assert not alive, f"workers {alive} outlived their parent"


def test_sweep_writes_table_and_plot(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    proc = run_mc("+experiment=tiny", "demand.volume=900", "montecarlo.replications=3", "montecarlo.workers=2",
                  "montecarlo.sweep={mode: add, levels: [-3, 0, 2]}", f"montecarlo.out_dir={out}")
    assert proc.returncode == 0, proc.stderr
    assert "Staffing sweep (add), 3 replications per level" in proc.stdout
    assert (out / "sweep.png").stat().st_size > 0
    table = pd.read_csv(out / "sweep_summary.csv")
    assert sorted(table["staffing_level"].unique()) == [-3, 0, 2]
    assert {"kpi", "mean", "ci_low", "ci_high", "p_met"} <= set(table.columns)
    assert sorted(p.name for p in (out / "sweep").iterdir()) == ["add_-3", "add_0", "add_2"]
    sl = table[table["kpi"] == "service_level"].set_index("staffing_level")["mean"]
    assert sl[-3] < sl[0] <= sl[2]


def test_multirun_gives_each_job_its_own_folder(tmp_path: Path) -> None:
    out, hydra_dir = tmp_path / "mc", tmp_path / "hydra"
    proc = run_mc("-m", "hydra/launcher=joblib", "+experiment=tiny", "staffing.agents=3,4", "montecarlo.replications=2",
                  "montecarlo.workers=1", f"montecarlo.out_dir={out}", f"hydra.sweep.dir={hydra_dir}")
    assert proc.returncode == 0, proc.stderr
    jobs = sorted(p.name for p in out.iterdir())
    assert jobs == ["+experiment=tiny,staffing.agents=3", "+experiment=tiny,staffing.agents=4"]
    staffed = [pd.read_csv(out / j / "summary_run.csv").set_index("kpi").loc["staffed_s", "mean"] for j in jobs]
    assert staffed[1] / staffed[0] == pytest.approx(4 / 3)


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        pytest.param("montecarlo.replicatons=3", ["unknown key 'montecarlo.replicatons'", "replications"], id="misspelt-key"),
        pytest.param("montecarlo.replications=0", ["montecarlo.replications", ">= 1", "(got 0)"], id="zero-replications"),
        pytest.param("montecarlo.conf=1.5", ["montecarlo.conf", "< 1"], id="confidence-above-1"),
        pytest.param("montecarlo.sweep.levels=[1]", ["'montecarlo.sweep' is null", "montecarlo.sweep={levels: [1]}"], id="sweep-sub-key"),
        pytest.param("montecarlo.sweep={mode: add, levels: [0.5]}", ["montecarlo.sweep.levels", "whole numbers"], id="fractional-add"),
        pytest.param("montecarlo.precision={waiting: 1}", ["montecarlo.precision"], id="unknown-precision-kpi"),
    ],
)
def test_bad_montecarlo_setting_is_a_clean_error(override: str, expected: list[str], tmp_path: Path) -> None:
    proc = run_mc("+experiment=tiny", override, f"montecarlo.out_dir={tmp_path / 'out'}")
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    assert not (tmp_path / "out" / "replications").exists()

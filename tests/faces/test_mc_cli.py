"""``python -m sim.mc`` end to end: outputs, resume after an interruption, sweeps, clean errors."""

from __future__ import annotations

import os
import re
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


def folder(root: Path) -> Path:
    """The one results folder ``<name>_seed<seed>_<fingerprint>`` under ``montecarlo.out_dir``."""
    found = [p for p in root.iterdir() if p.is_dir()]
    assert len(found) == 1, found
    return found[0]


def rep_files(out: Path) -> dict[str, int]:
    """Replication file name -> modification time (ns)."""
    return {p.name: p.stat().st_mtime_ns for p in sorted((out / "replications").glob("rep_*.parquet"))}


@pytest.fixture(scope="module")
def tiny_mc(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    root = tmp_path_factory.mktemp("mc") / "tiny"
    proc = run_mc("+experiment=tiny", "montecarlo.replications=3", "montecarlo.workers=2", f"montecarlo.out_dir={root}")
    return proc, folder(root)


def test_mc_exits_zero_and_prints_cis(tiny_mc: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, out = tiny_mc
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "tiny: 3 replications" in proc.stdout and "95% CI" in proc.stdout
    assert "service_level" in proc.stdout and "P(month meets) availability" in proc.stdout
    asa = next(line for line in proc.stdout.splitlines() if line.startswith("asa_s"))
    assert re.match(r"asa_s\s+[\d.]+ s ", asa), asa  # a wait has its unit
    assert "logging" in proc.stdout.splitlines()[-3] and "all targets" in proc.stdout.splitlines()[-3]
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
    root = tmp_path / "mc"
    args = ["+experiment=tiny", "montecarlo.workers=1", f"montecarlo.out_dir={root}"]
    first = run_mc(*args, "montecarlo.replications=3")
    assert first.returncode == 0, first.stderr
    out = folder(root)
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
    more = run_mc(*args[:-2], "montecarlo.workers=2", f"montecarlo.out_dir={root}", "montecarlo.replications=5")
    assert more.returncode == 0, more.stderr
    grown = rep_files(out)
    assert len(grown) == 5 and all(grown[n] == after[n] for n in after)
    five = pd.read_parquet(out / "kpis.parquet")
    pd.testing.assert_frame_equal(five[five["replication"] < 3].reset_index(drop=True), kpis)
    # fewer asked for than the folder holds: the summaries report all it holds
    fewer = run_mc(*args, "montecarlo.replications=2")
    assert fewer.returncode == 0 and "tiny: 5 replications" in fewer.stdout, fewer.stdout
    assert (pd.read_csv(out / "summary_run.csv")["replications"] == 5).all()


def test_damaged_folder_is_repaired_with_a_line_saying_so(tmp_path: Path) -> None:
    """Truncated, zero-byte, stray and foreign replication files and a damaged manifest: the
    rerun says so, sets them aside, recomputes, and ends with the clean run's result."""
    args = ["+experiment=tiny", "montecarlo.workers=1", "montecarlo.replications=4"]
    clean = run_mc(*args, f"montecarlo.out_dir={tmp_path / 'clean'}")
    other = run_mc(*args, "demand.volume=300", f"montecarlo.out_dir={tmp_path / 'other'}")
    damaged = run_mc(*args, f"montecarlo.out_dir={tmp_path / 'damaged'}")
    assert clean.returncode == other.returncode == damaged.returncode == 0, damaged.stderr
    out, reps = folder(tmp_path / "damaged"), folder(tmp_path / "damaged") / "replications"
    (reps / "rep_000000.parquet").write_bytes((reps / "rep_000000.parquet").read_bytes()[:200])  # truncated
    (reps / "rep_000001.parquet").write_bytes(b"")  # zero bytes
    (reps / "rep_abc.parquet").write_bytes(b"junk")  # a stray name
    os.replace(folder(tmp_path / "other") / "replications" / "rep_000002.parquet", reps / "rep_000002.parquet")  # foreign
    (out / "manifest.json").write_text("{not json")
    again = run_mc(*args, f"montecarlo.out_dir={tmp_path / 'damaged'}")
    assert again.returncode == 0, again.stderr
    said = again.stdout + again.stderr
    assert "manifest.json is damaged or empty" in said
    for name, problem in [("rep_000000", "damaged"), ("rep_000001", "damaged"), ("rep_abc", "a stray file name"),
                          ("rep_000002", "not a replication of this scenario")]:
        assert f"{name}.parquet is {problem}" in said, said
    assert sorted(p.name for p in (out / "rejected").iterdir()) == ["rep_000000.parquet", "rep_000001.parquet",
                                                                    "rep_000002.parquet", "rep_abc.parquet"]
    pd.testing.assert_frame_equal(pd.read_parquet(out / "kpis.parquet"),
                                  pd.read_parquet(folder(tmp_path / "clean") / "kpis.parquet"))


def test_changed_scenario_gets_its_own_folder_and_the_same_one_resumes(tmp_path: Path) -> None:
    args = ["+experiment=tiny", "montecarlo.workers=1", "montecarlo.replications=2", f"montecarlo.out_dir={tmp_path}"]
    first, second = run_mc(*args), run_mc(*args, "demand.volume=300")
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    folders = sorted(p.name for p in tmp_path.iterdir())
    assert len(folders) == 2 and all(f.startswith("tiny_seed20261201_") for f in folders), folders
    again = run_mc(*args)
    assert again.returncode == 0 and "replications: " not in again.stdout + again.stderr, "nothing recomputed"
    assert sorted(p.name for p in tmp_path.iterdir()) == folders


def test_precision_mode_reports_the_width_reached_and_no_stale_file(tmp_path: Path) -> None:
    args = ["+experiment=tiny", "montecarlo.workers=1", "montecarlo.replications=3", f"montecarlo.out_dir={tmp_path}"]
    prec = run_mc(*args, "montecarlo.precision={service_level: 0.5}")
    assert prec.returncode == 0, prec.stderr
    assert "precision service_level: CI half-width" in prec.stdout and "(goal 0.5) reached" in prec.stdout
    out = folder(tmp_path)
    assert (out / "precision.csv").is_file()
    plain = run_mc(*args)
    assert plain.returncode == 0, plain.stderr
    assert not (out / "precision.csv").exists(), "a precision table of an earlier run stays behind"


def test_summaries_have_the_all_targets_row(tiny_mc: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = tiny_mc
    kpis = pd.read_parquet(out / "kpis.parquet")
    for level in ("run", "month", "day"):
        table = pd.read_csv(out / f"summary_{level}.csv")
        rows = table[table["kpi"] == "all_targets"].set_index("period")["p_met"]
        truth = kpis[kpis["level"] == level].groupby("period")["all_met"].mean()
        assert len(rows) == len(truth) > 0, level
        assert rows.to_numpy() == pytest.approx(truth.astype(float).to_numpy())


def test_killed_run_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    """SIGKILL a run (and its worker processes) part-way, rerun, compare with a clean run."""
    reps = 120
    args = ["+experiment=tiny", "demand.volume=400", f"montecarlo.replications={reps}", "montecarlo.workers=2"]
    killed_root = tmp_path / "killed"
    proc = subprocess.Popen(mc_cmd(*args, f"montecarlo.out_dir={killed_root}"), cwd=ROOT, env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while len(list(killed_root.glob("*/replications/rep_*.parquet"))) < 10:
            assert proc.poll() is None, "the run finished before it could be interrupted"
            assert time.monotonic() < deadline, "no replication was written in time"
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the app and its joblib workers (same session)
        proc.wait(timeout=30)
    killed = folder(killed_root)
    done = len(list((killed / "replications").glob("rep_*.parquet")))
    assert 10 <= done < reps, done
    assert not (killed / "kpis.parquet").exists()
    for p in (killed / "replications").glob("rep_*.parquet"):
        pd.read_parquet(p)  # every file that is there is complete (written, then renamed)

    resumed = run_mc(*args, f"montecarlo.out_dir={killed_root}", timeout=180)
    assert resumed.returncode == 0, resumed.stderr
    full = run_mc(*args, f"montecarlo.out_dir={tmp_path / 'clean'}", timeout=180)
    assert full.returncode == 0, full.stderr
    clean = folder(tmp_path / "clean")
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
    pd.testing.assert_frame_equal(pd.read_parquet(folder(tmp_path / "fork") / "kpis.parquet"),
                                  pd.read_parquet(folder(tmp_path / "loky") / "kpis.parquet"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers are used on Linux only")
def test_forked_workers_end_with_their_parent() -> None:
    """A parent killed with SIGKILL (no clean-up code runs) must not leave its workers behind."""
    code = ("import sys, time, sim.study.executors as r\n"
            "pool = r.forked_pool(2)\n"
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
    proc = run_mc("+experiment=tiny", "demand.volume=900", "montecarlo.replications=3", "montecarlo.workers=2",
                  "montecarlo.sweep={mode: add, levels: [-3, 0, 2]}", f"montecarlo.out_dir={tmp_path / 'sweep'}")
    assert proc.returncode == 0, proc.stderr
    out = folder(tmp_path / "sweep")
    assert "Staffing sweep (add), 3 replications per level" in proc.stdout
    assert (out / "sweep.png").stat().st_size > 0
    table = pd.read_csv(out / "sweep_summary.csv")
    assert sorted(table["staffing_level"].unique()) == [-3, 0, 2]
    assert {"kpi", "mean", "ci_low", "ci_high", "p_met"} <= set(table.columns)
    assert sorted(p.name for p in (out / "sweep").iterdir()) == ["add_-3", "add_0", "add_2"]
    sl = table[table["kpi"] == "service_level"].set_index("staffing_level")["mean"]
    assert sl[-3] < sl[0] <= sl[2]


def test_multirun_gives_each_job_its_own_folder_and_ends(tmp_path: Path) -> None:
    """Jobs of the joblib launcher with 2 local workers each: each job gets its folder, and the
    command ends (it used to hang after the last job, on forked pools inside joblib workers)."""
    out, hydra_dir = tmp_path / "mc", tmp_path / "hydra"
    proc = run_mc("-m", "hydra/launcher=joblib", "+experiment=tiny", "staffing.agents=3,4", "montecarlo.replications=4",
                  "montecarlo.workers=2", f"montecarlo.out_dir={out}", f"hydra.sweep.dir={hydra_dir}", timeout=90)
    assert proc.returncode == 0, proc.stderr
    jobs = sorted(p.name for p in out.iterdir())
    assert len(jobs) == 2 and all(j.startswith("tiny_seed") for j in jobs), jobs
    staffed = sorted(pd.read_csv(out / j / "summary_run.csv").set_index("kpi").loc["staffed_s", "mean"] for j in jobs)
    assert staffed[1] / staffed[0] == pytest.approx(4 / 3)
    # the side-by-side summary of the swept values, from each job's own results folder (issue 23: none was written)
    table = pd.read_csv(hydra_dir / "sweep_summary.csv")
    assert table["staffing.agents"].tolist() == [3, 4] and (table["replications"] == 4).all()
    for row in table.itertuples(index=False):
        own = pd.read_csv(Path(row.results) / "summary_run.csv").set_index("kpi")
        assert Path(row.results).parent == out
        assert row.availability == pytest.approx(own.loc["availability", "mean"])
        assert row.asa_s_ci_low == pytest.approx(own.loc["asa_s", "ci_low"]) and row.asa_s_p_met == own.loc["asa_s", "p_met"]
    assert table["staffed_s"].iloc[1] / table["staffed_s"].iloc[0] == pytest.approx(4 / 3)
    assert (hydra_dir / "sweep_summary.png").stat().st_size > 5_000
    assert proc.stdout.rstrip().endswith(f"Sweep summary, one row per job: {hydra_dir / 'sweep_summary.csv'} (and sweep_summary.png)")


def test_a_sweep_of_keys_outside_the_fingerprint_shows_each_jobs_own_figures(tmp_path: Path) -> None:
    """Jobs that differ only in ``montecarlo.replications`` share one results folder (the second
    resumes the first); the summary still shows each job's own figures, from the copy of its
    ``summary_run.csv`` in its job folder (it showed the last job's figures on every row)."""
    out, hydra_dir = tmp_path / "mc", tmp_path / "hydra"
    proc = run_mc("-m", "+experiment=tiny", "montecarlo.replications=2,3", f"montecarlo.out_dir={out}",
                  f"hydra.sweep.dir={hydra_dir}", timeout=90)
    assert proc.returncode == 0, proc.stderr
    assert len(list(out.iterdir())) == 1  # one results folder for both jobs
    table = pd.read_csv(hydra_dir / "sweep_summary.csv")
    assert table["montecarlo.replications"].tolist() == [2, 3] and table["replications"].tolist() == [2, 3]
    for row in table.itertuples(index=False):
        own = pd.read_csv(hydra_dir / str(row.job) / "summary_run.csv").set_index("kpi")
        assert own.loc["availability", "replications"] == row.replications
        assert row.availability == pytest.approx(own.loc["availability", "mean"])


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
    assert not list((tmp_path / "out").glob("*/replications")) if (tmp_path / "out").exists() else True


def test_a_fully_closed_run_says_so_with_the_replications_asked_for(tmp_path: Path) -> None:
    proc = run_mc("run.start=2026-12-05", "run.end=2026-12-06", "montecarlo.replications=2", "montecarlo.workers=1",
                  f"montecarlo.out_dir={tmp_path}")
    assert proc.returncode == 0, proc.stderr
    assert "default: 2 replications" in proc.stdout and "0 replications" not in proc.stdout
    assert "the line is closed on every day from 2026-12-05 to 2026-12-06" in proc.stdout


def test_the_printed_intervals_stay_within_what_a_kpi_can_be() -> None:
    import pandas as pd

    from sim.faces.mc import _fmt_row

    row = pd.Series({"kpi": "availability", "mean": 0.9869, "ci_low": 0.9627, "ci_high": 1.011, "p_met": 1.0})
    assert "[96.27, 100.00]" in _fmt_row(row)
    assert "[0.00, 4.10]" in _fmt_row(pd.Series({"kpi": "asa_s", "mean": 1.1, "ci_low": -1.9, "ci_high": 4.1, "p_met": 1.0}))


def test_a_kpi_no_replication_could_measure_is_said_in_words(tmp_path: Path) -> None:
    """No agent: no call answered, no case resolved; the summary printed ``nan`` (issue 23)."""
    proc = run_mc("cases=on", "staffing=flat", "staffing.agents=0", "run.start=2026-12-01", "run.end=2026-12-01",
                  "montecarlo.replications=2", "montecarlo.workers=1", f"montecarlo.out_dir={tmp_path}")
    assert proc.returncode == 0, proc.stderr
    assert "nan" not in proc.stdout, proc.stdout
    assert re.search(r"work_h_mean +none +\(no case resolved in any replication\)", proc.stdout), proc.stdout
    assert re.search(r"aht_s +none +\(no call answered in any replication\)", proc.stdout), proc.stdout

"""Monte Carlo runner: determinism across workers and backends, resume, CI coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
import sim.study.executors as executors
import sim.study.progress as progress
import sim.study.runner as runner
from sim.analysis.stats import summarize
from sim.study.precision import run_until_precise
from sim.study.runner import replication_seed, run_replications


@pytest.fixture(scope="module")
def small() -> sim.Scenario:
    return sim.load_scenario("tiny", ["run.end=2026-12-22", "demand.volume=200"])


def test_one_and_two_workers_agree(small) -> None:
    a = run_replications(small, 6, seed=3, workers=1)
    b = run_replications(small, 6, seed=3, workers=2)
    pd.testing.assert_frame_equal(a.kpis, b.kpis)
    assert a.replications == 6
    assert a.level("run")["offered"].nunique() > 1, "replications differ from each other"


def test_joblib_and_dask_agree(small) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        d = run_replications(small, 4, seed=5, scheduler=cluster.scheduler_address)
    j = run_replications(small, 4, seed=5, workers=2)
    pd.testing.assert_frame_equal(d.kpis, j.kpis)


def test_replication_k_is_the_same_whatever_the_count(small) -> None:
    a = run_replications(small, 3, seed=9, workers=1)
    b = run_replications(small, 5, seed=9, workers=1)
    pd.testing.assert_frame_equal(a.kpis, b.kpis[b.kpis["replication"] < 3].reset_index(drop=True))
    r2 = sim.simulate(small, replication_seed(9, 2))
    assert r2.calls.shape[0] == b.level("run").set_index("replication").loc[2, "offered"]


def test_interrupted_run_resumes_to_the_same_result(small, tmp_path, monkeypatch) -> None:
    full = run_replications(small, 6, seed=4, workers=1)
    real = runner.run_one

    def dies_at_four(scenario, seed, k, levels, keep):
        if k == 4:
            raise KeyboardInterrupt
        return real(scenario, seed, k, levels, keep)

    monkeypatch.setattr(runner, "run_one", dies_at_four)
    with pytest.raises(KeyboardInterrupt):
        run_replications(small, 6, seed=4, workers=1, out_dir=tmp_path)
    assert sorted(p.name for p in (tmp_path / "replications").glob("*.parquet")) == [f"rep_{k:06d}.parquet" for k in range(4)]
    monkeypatch.setattr(runner, "run_one", real)
    calls: list[int] = []
    monkeypatch.setattr(runner, "run_one", lambda *a: calls.append(a[2]) or real(*a))
    resumed = run_replications(small, 6, seed=4, workers=1, out_dir=tmp_path)
    assert calls == [4, 5], "only the missing replications run"
    pd.testing.assert_frame_equal(resumed.kpis, full.kpis)


def test_output_folder_of_another_scenario_is_refused(small, tmp_path) -> None:
    run_replications(small, 1, seed=1, workers=1, out_dir=tmp_path)
    with pytest.raises(sim.ScenarioError, match="different scenario"):
        run_replications(small, 1, seed=2, workers=1, out_dir=tmp_path)


def test_a_plain_file_named_replications_is_set_aside(small, tmp_path, caplog) -> None:
    """`replications` a plain file: set aside to rejected/ like a damaged file, and the run goes
    on (issue 23.4; it was Hydra's FileExistsError traceback)."""
    (tmp_path / "replications").write_text("not a folder")
    got = run_replications(small, 2, seed=1, workers=1, out_dir=tmp_path)
    pd.testing.assert_frame_equal(got.kpis, run_replications(small, 2, seed=1, workers=1).kpis)
    assert (tmp_path / "rejected" / "replications").read_text() == "not a folder"
    assert "replications is a plain file where a folder belongs; moved to" in caplog.text


def test_a_results_path_that_is_a_file_is_one_error_naming_it(small, tmp_path) -> None:
    (tmp_path / "out").write_text("x")
    with pytest.raises(sim.ScenarioError, match=r"out is a file, not a folder: choose another output folder \(montecarlo.out_dir\)"):
        run_replications(small, 1, seed=1, workers=1, out_dir=tmp_path / "out")


def test_a_manifest_of_another_fingerprint_over_valid_files_is_set_aside(small, tmp_path, monkeypatch, caplog) -> None:
    """Every replication file is this scenario's; only manifest.json names another fingerprint:
    the manifest is set aside (not the run stopped) and no replication is recomputed (issue 23.4)."""
    first = run_replications(small, 3, seed=1, workers=1, out_dir=tmp_path)
    manifest = tmp_path / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"digest": "', '"digest": "0ther'))
    ran: list[int] = []
    real = runner.run_one
    monkeypatch.setattr(runner, "run_one", lambda *a: ran.append(a[2]) or real(*a))
    again = run_replications(small, 3, seed=1, workers=1, out_dir=tmp_path)
    assert ran == [] and again.replications == 3
    pd.testing.assert_frame_equal(again.kpis, first.kpis)
    assert "0ther" in (tmp_path / "rejected" / "manifest.json").read_text()
    assert "0ther" not in manifest.read_text()
    assert "manifest.json is of another fingerprint" in caplog.text and "written again" in caplog.text


def test_confidence_intervals_cover_at_the_nominal_rate() -> None:
    """100 groups of 10 replications; the 95 % CI of mean offered calls (known exactly: the
    Poisson mean of the day's demand) must cover it in a share compatible with 0.95 (a 99 %
    binomial acceptance region for 100 trials)."""
    s = sim.load_scenario("tiny", ["run.end=2026-12-22", "demand.volume=40", "staffing.agents=3"])
    mc = run_replications(s, 1000, seed=11, workers=2, levels=("run",))
    x = mc.level("run")[["replication", "offered"]].assign(group=lambda d: d["replication"] // 10)
    per = x.groupby("group")["offered"].agg(["mean", "std", "count"])
    half = stats.t.ppf(0.975, 9) * per["std"] / np.sqrt(per["count"])
    truth = 40 * s.demand.weekday_factor["tue"]
    covered = int(((per["mean"] - half <= truth) & (truth <= per["mean"] + half)).sum())
    lo, hi = stats.binom.interval(0.99, 100, 0.95)
    assert lo <= covered <= hi, covered


def test_precision_loop_adds_only_new_replications(monkeypatch) -> None:
    """A busy line (service level ≈ 77 % with an SD of ≈ 3.5 points between replications) needs several
    rounds; each round runs only the replications it adds, and the result equals one run of
    the final size with every tolerance met."""
    s = sim.load_scenario("tiny", ["run.end=2026-12-22", "demand.volume=900", "staffing.agents=10"])
    real, ran = runner.run_one, []
    monkeypatch.setattr(runner, "run_one", lambda *a: ran.append(a[2]) or real(*a))
    mc, table = run_until_precise(s, {"service_level": 0.01}, level="run", min_reps=4, max_reps=400, seed=2, workers=1)
    n = mc.replications
    assert 4 < n < 400, "more than one round, and the goal was reached"
    assert sorted(ran) == list(range(n)), "every replication ran exactly once"
    assert table["precise"].all() and (table["half_width"] <= 0.01).all()
    full = summarize(mc.kpis, "run").set_index("kpi").loc["service_level"]
    assert full["ci_low"] <= full["mean"] <= full["ci_high"]
    monkeypatch.setattr(runner, "run_one", real)
    pd.testing.assert_frame_equal(run_replications(s, n, seed=2, workers=1).kpis, mc.kpis)


def test_a_different_scenario_is_never_mixed_in_even_without_manifest(small, tmp_path) -> None:
    """manifest.json deleted, then another scenario run into the folder: the old files carry
    the other fingerprint, so they are set aside and every replication is the new scenario's."""
    other = sim.load_scenario("tiny", ["run.end=2026-12-22", "demand.volume=900"])
    run_replications(other, 4, seed=1, workers=1, out_dir=tmp_path)
    (tmp_path / "manifest.json").unlink()
    mixed = run_replications(small, 2, seed=1, workers=1, out_dir=tmp_path)
    pd.testing.assert_frame_equal(mixed.kpis, run_replications(small, 2, seed=1, workers=1).kpis)
    assert len(list((tmp_path / "rejected").iterdir())) == 4
    assert runner.load_folder(small, tmp_path, seed=1).replications == 2


def test_results_folder_says_where_and_whether_complete(small, tmp_path) -> None:
    before = runner.results_folder(small, 3, replications=3, root=tmp_path)
    assert before.path.parent == tmp_path and before.path.name.startswith("tiny_seed3_")
    assert not before.complete and before.done == frozenset()
    run_replications(small, 2, seed=3, workers=1, out_dir=before.path)
    assert not runner.results_folder(small, 3, replications=3, root=tmp_path).complete
    run_replications(small, 3, seed=3, workers=1, out_dir=before.path)
    after = runner.results_folder(small, 3, replications=3, root=tmp_path)
    assert after.complete and after.path == before.path
    changed = sim.load_scenario("tiny", ["run.end=2026-12-22", "demand.volume=201"])
    assert runner.results_folder(changed, 3, root=tmp_path).path != before.path
    assert runner.results_folder(small, 4, root=tmp_path).path != before.path


def test_unreachable_dask_scheduler_is_announced_then_one_paragraph(small, monkeypatch, caplog) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr(executors, "DASK_TIMEOUT_S", 1)
    caplog.set_level("INFO", logger="sim.study.executors")
    with pytest.raises(sim.ScenarioError) as exc:
        run_replications(small, 2, seed=1, scheduler="tcp://127.0.0.1:9")
    assert "connecting to the Dask scheduler at tcp://127.0.0.1:9" in caplog.text
    text = str(exc.value)
    assert "\n" not in text and "tcp://127.0.0.1:9" in text and "montecarlo.scheduler" in text


def test_progress_without_a_terminal_is_log_lines(small, caplog, monkeypatch) -> None:
    monkeypatch.setattr(progress.sys.stderr, "isatty", lambda: False, raising=False)
    caplog.set_level("INFO", logger="sim.study.progress")
    run_replications(small, 40, seed=1, workers=1, progress=True)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("replications: ")]
    assert 10 <= len(lines) <= 21, lines  # a line per 5 %, and the last one
    assert lines[-1].startswith("replications: 40 of 40 done (100 %)")


def test_warm_workers_write_into_a_relative_folder_of_the_current_directory(small, tmp_path, monkeypatch) -> None:
    """Local workers write their own files; a warm pool forked in another working directory
    must still write a relative ``out_dir`` where the caller means it."""
    monkeypatch.chdir(tmp_path)
    run_replications(small, 2, seed=3, workers=2)  # forks the pool here (or reuses a warm one forked elsewhere)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    mc = run_replications(small, 3, seed=3, workers=2, out_dir="results")
    assert sorted(p.name for p in (tmp_path / "elsewhere" / "results" / "replications").iterdir()) == [
        "rep_000000.parquet", "rep_000001.parquet", "rep_000002.parquet"]
    assert mc.replications == 3

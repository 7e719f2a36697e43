"""The side-by-side summary of a Hydra multirun (sim/faces/sweep_table.py) and its plot: the
jobs are labelled with their swept values and a percentage axis stops at 100 % (issue 23)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sim.faces import plots
from sim.faces import sweep_table as T


def _job(root: Path, num: int, overrides: list[str], kpis: dict[str, tuple[float, str, object]] | None) -> Path:
    job = root / str(num)
    (job / ".hydra").mkdir(parents=True)
    (job / ".hydra" / "overrides.yaml").write_text("".join(f"- {o}\n" for o in overrides), encoding="utf-8")
    if kpis is not None:
        rows = [{"kpi": k, "value": v, "target": t or None, "met": m} for k, (v, t, m) in kpis.items()]
        pd.DataFrame(rows).to_csv(job / "kpi_run.csv", index=False)
    return job


def _kpis(availability: float, asa: float) -> dict[str, tuple[float, str, object]]:
    return {"offered": (1156.0, "", None), "availability": (availability, "> 91 %", availability > 0.91),
            "service_level": (availability - 0.01, "> 90 %", availability - 0.01 > 0.9), "asa_s": (asa, "< 90 s", True),
            "aht_s": (312.6, "< 350 s", True)}


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The figures sweep_jobs draws (instead of writing them)."""
    figures: list[Any] = []

    def keep(fig: Any, path: Path, **_: Any) -> Path:
        figures.append(fig)
        return path

    monkeypatch.setattr(plots, "_save", keep)
    return figures


def test_the_jobs_are_labelled_with_their_swept_values_and_percentages_stop_at_100(tmp_path: Path, drawn: list[Any]) -> None:
    common = ["staffing=flat", "run.end=2026-12-02"]
    _job(tmp_path, 0, [common[0], "staffing.agents=10", common[1]], _kpis(0.974, 4.0))
    _job(tmp_path, 1, [common[0], "staffing.agents=12", common[1]], _kpis(0.9999, 1.1))
    _job(tmp_path, 2, [common[0], "staffing.agents=8", common[1]], None)  # a failed job: listed, without KPIs
    path = T.write_sweep_summary(tmp_path)
    assert path == tmp_path / T.SUMMARY_CSV
    table = pd.read_csv(path)
    assert table.columns[:2].tolist() == ["job", "staffing.agents"] and table["staffing.agents"].tolist() == [10, 12, 8]
    assert "staffing" not in table.columns  # the same in every job: not a swept value
    assert table["availability_met"].tolist()[:2] == [True, True] and pd.isna(table["availability"].iloc[2])
    (fig,) = drawn
    for ax in fig.axes:
        assert [t.get_text() for t in ax.get_xticklabels()] == ["10", "12", "8"] and ax.get_xlabel() == "staffing.agents"
    availability = fig.axes[0]
    low, high = availability.get_ylim()
    assert high <= 100.0 and low >= 90.0  # scaled to the data (97.4 %, 99.99 %), never past 100 %
    asa_low, asa_high = fig.axes[2].get_ylim()
    assert 0.0 <= asa_low < 1.1 and 4.0 < asa_high < 5.0


def test_a_sweep_of_sim_mc_is_summarised_from_each_jobs_results_folder(tmp_path: Path, drawn: list[Any]) -> None:
    for num, agents, mean in ((0, 3, 0.95), (1, 4, 0.99)):
        folder = tmp_path / "results" / f"tiny_{agents}"
        folder.mkdir(parents=True)
        pd.DataFrame([
            {"period": "2026-12-22", "kpi": "availability", "replications": 3, "mean": mean, "sd": 0.01, "ci_low": mean - 0.03,
             "ci_high": min(1.0, mean + 0.03), "half_width": 0.03, "p_met": 1.0},
            {"period": "2026-12-22", "kpi": "asa_s", "replications": 3, "mean": 3.0, "sd": 2.0, "ci_low": 0.0, "ci_high": 8.0,
             "half_width": 5.0, "p_met": 1.0},
            {"period": "2026-12-22", "kpi": "all_targets", "replications": 3, "p_met": 0.5},
        ]).to_csv(folder / "summary_run.csv", index=False)
        job = _job(tmp_path / "sweep", num, ["+experiment=tiny", f"staffing.agents={agents}"], None)
        (job / T.JOB_RESULTS).write_text(f"{folder}\n", encoding="utf-8")
        (job / T.MC_SUMMARY).write_bytes((folder / "summary_run.csv").read_bytes())  # the job's copy (note_job_results)
    table = pd.read_csv(T.write_sweep_summary(tmp_path / "sweep"))  # type: ignore[arg-type]
    assert table["staffing.agents"].tolist() == [3, 4] and table["replications"].tolist() == [3, 3]
    assert table["availability"].tolist() == [0.95, 0.99] and table["availability_ci_high"].tolist() == [0.98, 1.0]
    assert table["all_targets_p_met"].tolist() == [0.5, 0.5] and table["results"].tolist()[0].endswith("tiny_3")
    (fig,) = drawn
    assert fig.axes[0].get_ylim()[1] == 100.0 and "95 % CI" in fig.axes[0].get_title()


def test_outside_a_multirun_a_job_notes_nothing(tmp_path: Path) -> None:
    assert T.note_job_results(tmp_path) is None


def test_only_sweeps_of_sim_and_sim_mc_are_summarised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A sweep of ``sim.staff`` (or ``sim.schedule``, ``sim.capacity``) writes its own reports:
    no summary and no "no job left results" line (it said so after every such sweep)."""
    from omegaconf import OmegaConf

    _job(tmp_path, 0, ["staffing.agents=3"], None)
    def end(name: str) -> str:
        T.SweepSummary().on_multirun_end(OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path)}, "job": {"name": name}}}))
        return capsys.readouterr().out

    assert end("staff") == ""
    assert "No job of the sweep left results" in end("run")  # python -m sim's jobs all failed: said
    assert not (tmp_path / T.SUMMARY_CSV).exists()


def test_the_sweep_plot_is_laid_out_without_a_warning(tmp_path: Path) -> None:
    """Two swept keys per job: the keys name the axis once, the values label the points, and the
    layout fits them (the labels ``staffing.agents=10, demand.volume=1200`` made ``tight_layout``
    give up with a warning on every sweep and were clipped)."""
    import warnings

    table = pd.DataFrame({"job": [0, 1, 2, 3], "staffing.agents": [10, 10, 12, 12], "demand.volume": [1200, 1500, 1200, 1500],
                          "availability": [0.95, 0.9, 0.99, 0.97], "availability_met": [True, False, True, True]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = plots.sweep_jobs(table, tmp_path / "s.png", ["staffing.agents", "demand.volume"])
    assert path.stat().st_size > 5_000

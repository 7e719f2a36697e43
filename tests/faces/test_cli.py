"""``python -m sim`` end to end: results beside the resolved config, and clean errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

# The first model's call-record columns: they stay, in this order, at the front of the schema.
CORE_COLUMNS = [
    "call_id", "arrival", "answered_at", "ended_at", "fate", "wait_s", "talk_s", "hold_s",
    "wrap_s", "handle_s", "patience_s", "agent", "logged", "after_close", "closes_at", "displaced",
]


def documented_columns() -> list[str]:
    """The call-record columns named in the table of sim/records.py's docstring."""
    import sim.model.records

    lines = (sim.model.records.__doc__ or "").splitlines()
    rules = [i for i, ln in enumerate(lines) if ln.startswith("====")]
    assert len(rules) >= 3, "sim/records.py documents the call records in an RST table"
    names: list[str] = []
    for ln in lines[rules[1] + 1 : rules[2]]:
        if ln and not ln[0].isspace():  # continuation lines of the meaning column are indented
            names += [n.strip() for n in ln.split("  ")[0].split(",")]
    return names
RUN_FILES = [
    "calls.parquet", "kpi_day.csv", "kpi_interval.csv", "kpi_month.csv", "calendar.csv",
    "agents.csv", "scenario.json", "daily_targets.png", "intraday_queue.png", ".hydra/config.yaml",
]


def run_sim(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HYDRA_FULL_ERROR", "SIM_SCENARIOS")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("cli") / "run"
    return run_sim("+experiment=tiny", f"hydra.run.dir={out}"), out


def test_tiny_run_exits_zero_and_prints_summary(tiny_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, out = tiny_run
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "availability" in proc.stdout
    assert "service_level" in proc.stdout
    assert "Scenario tiny: 2026-12-22 to 2026-12-23" in proc.stdout
    assert str(out) in proc.stdout


@pytest.mark.parametrize("name", RUN_FILES)
def test_tiny_run_writes_file(tiny_run: tuple[subprocess.CompletedProcess[str], Path], name: str) -> None:
    _, out = tiny_run
    path = out / name
    assert path.is_file(), sorted(p.name for p in out.iterdir())
    assert path.stat().st_size > 0


def test_kpi_month_labels_the_month_as_a_month(tiny_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = tiny_run
    assert pd.read_csv(out / "kpi_month.csv")["month"].tolist() == ["2026-12"]


def test_no_empty_log_file_beside_the_results(tiny_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = tiny_run
    assert not list(out.glob("*.log"))  # Hydra's job log file (always empty here) is switched off


def test_resolved_config_is_beside_the_results(tiny_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = tiny_run
    cfg = yaml.safe_load((out / ".hydra" / "config.yaml").read_text(encoding="utf-8"))
    assert cfg["name"] == "tiny"
    assert cfg["run"]["start"] == "2026-12-22" and cfg["run"]["end"] == "2026-12-23"
    assert cfg["demand"]["volume"] == 120
    assert cfg["staffing"]["agents"] == 12
    assert "hydra" not in cfg
    assert (out / ".hydra" / "overrides.yaml").read_text().count("+experiment=tiny") == 1


def test_calls_parquet_has_documented_columns(tiny_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = tiny_run
    calls = pd.read_parquet(out / "calls.parquet")
    documented = documented_columns()
    assert sorted(calls.columns) == sorted(documented), set(calls.columns) ^ set(documented)
    assert len(set(calls.columns)) == len(calls.columns)
    assert list(calls.columns[: len(CORE_COLUMNS)]) == CORE_COLUMNS
    assert len(calls) > 0
    assert calls["call_id"].tolist() == list(range(len(calls)))
    assert set(calls["fate"]) <= {"answered", "abandoned"}
    assert pd.api.types.is_datetime64_any_dtype(calls["arrival"])
    assert calls["arrival"].is_monotonic_increasing
    days = set(calls["arrival"].dt.date.astype(str))
    assert days <= {"2026-12-22", "2026-12-23"}


def test_calendar_csv_matches_the_run(tiny_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = tiny_run
    cal = pd.read_csv(out / "calendar.csv")
    assert cal["reason"].tolist() == ["open", "day before Julafton"]
    assert cal["closes"].tolist()[1].endswith("15:00:00")


def test_kpi_day_has_one_row_per_open_day(tiny_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = tiny_run
    day = pd.read_csv(out / "kpi_day.csv")
    assert len(day) == 2
    assert "availability" in day.columns


def test_scenario_json_is_the_validated_scenario(tiny_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    from sim.scenario.compose import load_scenario
    from sim.schema import Scenario

    _, out = tiny_run
    written = Scenario.model_validate_json((out / "scenario.json").read_text(encoding="utf-8"))
    assert written == load_scenario("tiny", config_dir=ROOT / "scenarios")


@pytest.mark.parametrize("launcher", ["basic", "joblib"])
def test_multirun_sweep(tmp_path: Path, launcher: str) -> None:
    # basic: jobs one after the other; joblib (hydra-joblib-launcher): jobs in parallel processes
    sweep = tmp_path / "sweep"
    proc = run_sim("-m", f"hydra/launcher={launcher}", "staffing.agents=3,4", "+experiment=tiny", f"hydra.sweep.dir={sweep}", timeout=90)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    runs = sorted(p for p in sweep.iterdir() if p.is_dir())
    assert [p.name for p in runs] == ["0", "1"]
    agents = []
    for run in runs:
        assert (run / "calls.parquet").is_file() and (run / "kpi_day.csv").is_file()
        cfg = yaml.safe_load((run / ".hydra" / "config.yaml").read_text(encoding="utf-8"))
        agents.append(cfg["staffing"]["agents"])
    assert agents == [3, 4]
    assert proc.stdout.count("availability") >= 2
    # the side-by-side table of the swept values, from each job's own kpi_run.csv
    table = pd.read_csv(sweep / "sweep_summary.csv")
    assert table["staffing.agents"].tolist() == [3, 4]
    for run, row in zip(runs, table.itertuples(index=False), strict=True):
        own = pd.read_csv(run / "kpi_run.csv").set_index("kpi")["value"]
        assert row.availability == pytest.approx(own["availability"]) and row.offered == own["offered"]
    assert table["availability"].iloc[1] >= table["availability"].iloc[0]  # same seed, one agent more
    assert (sweep / "sweep_summary.png").stat().st_size > 5_000


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("override", "expected", "code"),
    [
        # the default staffing is a table (scenarios/staffing/fibra.yaml): constant via staffing=flat
        pytest.param(("staffing=flat", "staffing.agents=-1"), ["staffing.agents", ">= 0", "(got -1)"], 2,
                     id="negative-agents"),
        pytest.param("staffing.table_file=x.csv", ["staffing.table_file", "file not found", "x.csv"], 2, id="table-file-not-found"),
        pytest.param("handling.talk.dist=weibull", ["handling.talk.dist", "'lognormal'", "'weibull'"], 2, id="unknown-distribution"),
        pytest.param("+staffing.tabel=3", ["unknown key 'staffing.tabel'", "table_file"], 2, id="unknown-key-added"),
        pytest.param("staffing.tabel=3", ["unknown key 'staffing.tabel'", "table_file"], 2, id="override-of-missing-key"),
        # a schema key that no scenario file sets: Hydra's own advice to add it with '+'
        pytest.param("staffing.shifts=[{start: '08:00', end: '17:00', count: 3}]", ["staffing.shifts", "+staffing.shifts"], None,
                     id="hydra-could-not-override"),
        pytest.param("staffing=[1,2]", ["'staffing' is a config group", "fibra, flat"], 2, id="group-given-a-list"),
        pytest.param("staffing=nonexistent", ["nonexistent", "fibra"], None, id="missing-group-option"),
        pytest.param("calendar.closed_eves=[Påskafton]", ["calendar.closed_eves"], None, id="override-syntax"),
        pytest.param("calendar.closures=[{start: '2026-12-10', from_time: '11:00', to_time: '12:00'}]",
                     ["calendar.closures[0]", "middle of the day"], 2, id="mid-day-closure"),
    ],
)
def test_cli_error_is_clean(override: str | tuple[str, ...], expected: list[str], code: int | None, tmp_path: Path) -> None:
    args = (override,) if isinstance(override, str) else override
    proc = run_sim(*args, f"hydra.run.dir={tmp_path / 'run'}")
    assert proc.returncode != 0
    if code is not None:
        assert proc.returncode == code
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    for text in expected:
        assert text in proc.stderr, proc.stderr
    assert not (tmp_path / "run" / "calls.parquet").exists()


def test_cli_validation_error_is_one_paragraph(tmp_path: Path) -> None:
    proc = run_sim("demand.displaced_share=1.5", "patience.mean=0", f"hydra.run.dir={tmp_path / 'run'}")
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: Invalid scenario: ")
    assert "demand.displaced_share" in lines[0] and "patience.mean" in lines[0]


def test_hydra_settings_are_not_mistaken_for_scenario_keys() -> None:
    from sim.scenario.compose import check_overrides

    args = ["-m", "hydra/launcher=basic", "hydra.job.chdir=false", "--cfg", "job", "staffing=flat,fibra", "staffing.agents=3,4",
            "+experiment=tiny"]
    assert check_overrides(args, ROOT / "scenarios") is None
    assert "unknown key 'staffing.agentz'" in (check_overrides(["staffing.agentz=3,4"], ROOT / "scenarios") or "")
    assert "config group" in (check_overrides(["-m", "staffing=flat,3"], ROOT / "scenarios") or "")


def test_cfg_job_prints_the_composed_config() -> None:
    proc = run_sim("--cfg", "job", "+experiment=tiny", "staffing.agents=5")
    assert proc.returncode == 0, proc.stderr
    cfg = yaml.safe_load(proc.stdout)
    assert cfg["name"] == "tiny" and cfg["staffing"]["agents"] == 5

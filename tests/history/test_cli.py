"""``python -m sim.calibrate`` end to end: scenario, report, back-test; bad input -> one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from sim.calibrate import main
from sim.history.synthetic import CALL_MAP, Truth, call_log, simulate_history
from sim.model.simulate import simulate
from sim.scenario.compose import load_scenario, scenarios_dir


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("cli")
    scen = root / "scenarios"
    shutil.copytree(scenarios_dir(), scen)
    calls = simulate_history("2026-10-01", "2026-11-30", Truth(), seed=2)
    log = root / "log.csv"
    call_log(calls, seed=2).to_csv(log, sep=";", index=False)
    cmap = root / "map.yaml"
    cmap.write_text(yaml.safe_dump(CALL_MAP, allow_unicode=True), encoding="utf-8")
    return log, cmap, scen


def test_command_writes_a_scenario_every_command_accepts(month, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log, cmap, scen = month
    out = tmp_path / "out"
    code = main(
        [
            str(log),
            "--kind",
            "calls",
            "--columns",
            str(cmap),
            "--out",
            str(out),
            "--name",
            "cli_test",
            "--scenarios",
            str(scen),
            "--backtest-days",
            "4",
            "--replications",
            "2",
            "--refine-days",
            "5",
        ]
    )
    text = capsys.readouterr().out
    assert code == 0, text
    assert "dropped ivr" in text and "Back-test (4 held-out days" in text
    # per hour of the day, and one overall verdict
    assert "per hour: observed / model abandonment, service level" in text and "    10:00 " in text
    assert "  verdict: " in text
    assert (out / "backtest_hours.csv").exists() and (out / "staffing_pooled.csv").exists()
    html = (out / "calibration_report.html").read_text(encoding="utf-8")
    for part in ("Rows read and dropped", "Patience and balking", "Back-test", "Kaplan-Meier", "data:image/png;base64",
                 "Per hour of the day: observed against model", "dispersion factor"):
        assert part in html
    s = load_scenario("cli_test", ["run.end=2026-12-02"], config_dir=scen)
    assert s.patience.dist == "empirical" and s.staffing.mode == "table"
    assert s.run.start.isoformat() == "2026-12-01"  # the month after the history
    res = simulate(s, seed=1)
    assert len(res.calls) > 0


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    code = main([str(bad), "--kind", "calls", "--out", str(tmp_path / "o"), "--scenarios", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: Cannot use ") and err.count("\n") == 1 and str(bad) in err


def test_a_log_with_one_answered_call_is_one_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = "call_id,arrival,queue_entry,queue_exit,answered,talk_s,hold_s,wrap_s,agent"
    rows = [f"{i},2026-09-01 08:{i:02d}:00,2026-09-01 08:{i:02d}:20,2026-09-01 08:{i:02d}:50,{int(i == 1)},120,0,30,a"
            for i in range(1, 30)]
    log = tmp_path / "one.csv"
    log.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    code = main([str(log), "--kind", "calls", "--out", str(tmp_path / "o"), "--scenarios", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert str(log) in err and "only 1 answered call" in err and "at least 10 answered calls" in err

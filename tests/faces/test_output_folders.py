"""An output folder that is a plain file: one ``error:`` paragraph naming the option or key and
exit code 2 from every command, never a traceback (issue 23)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.faces.folders import output_file, output_folder

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "outfile"
    path.write_text("x\n", encoding="utf-8")
    return path


def command(module: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HYDRA_FULL_ERROR", "SIM_SCENARIOS")}
    env["MPLBACKEND"] = "Agg"
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def one_error(proc: subprocess.CompletedProcess[str] | tuple[int, str], *says: str) -> None:
    code, err = (proc.returncode, proc.stderr) if isinstance(proc, subprocess.CompletedProcess) else proc
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2, err
    assert "Traceback" not in err and len(lines) == 1 and lines[0].startswith("error: "), err
    for text in says:
        assert text in lines[0], lines[0]


def test_output_folder_names_the_option(a_file: Path, tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=rf"^--out: {a_file} is a file, not a folder; choose another output folder"):
        output_folder(a_file, "--out")
    with pytest.raises(ScenarioError, match=rf"^staff.out_dir: cannot make the output folder {a_file / 'x'}: {a_file} is a file"):
        output_folder(a_file / "x", "staff.out_dir")
    assert output_folder(tmp_path / "a" / "b", "--out").is_dir()
    with pytest.raises(ScenarioError, match=r"^--out: .* is a folder, not a file"):
        output_file(tmp_path, "--out")


@pytest.mark.parametrize(("args", "key"), [
    pytest.param(("sim", "+experiment=tiny", "hydra.run.dir={f}"), "hydra.run.dir", id="sim"),
    pytest.param(("sim", "+experiment=tiny", "hydra.run.dir={f}/run"), "hydra.run.dir", id="sim-file-above"),
    pytest.param(("sim", "-m", "+experiment=tiny", "staffing.agents=3,4", "hydra.sweep.dir={f}"), "hydra.sweep.dir", id="sim-sweep"),
    pytest.param(("sim.mc", "+experiment=tiny", "hydra.run.dir={f}"), "hydra.run.dir", id="mc-run-dir"),
    pytest.param(("sim.mc", "+experiment=tiny", "montecarlo.out_dir={f}"), "montecarlo.out_dir", id="mc-out-dir"),
    pytest.param(("sim.staff", "+experiment=tiny", "staff.out_dir={f}"), "staff.out_dir", id="staff"),
    pytest.param(("sim.schedule", "schedule.out_dir={f}"), "schedule.out_dir", id="schedule"),
    pytest.param(("sim.capacity", "capacity.out_dir={f}"), "capacity.out_dir", id="capacity"),
])
def test_hydra_commands(args: tuple[str, ...], key: str, a_file: Path, tmp_path: Path) -> None:
    module, *rest = (a.format(f=a_file) for a in args)
    if not any(a.startswith(("hydra.run.dir", "hydra.sweep.dir")) for a in rest):
        rest.append(f"hydra.run.dir={tmp_path / 'run'}")
    proc = command(module, *rest)
    one_error(proc, f"{key}: ", f"{a_file} is a file, not a folder")


def _main(fn: Callable[[list[str]], object], argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = fn(argv)
    except SystemExit as exc:
        code = exc.code
    return int(code or 0), capsys.readouterr().err


def test_plan(a_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sim.faces.plan import main

    one_error(_main(main, ["--out", str(a_file)], capsys), "--out: ", "is a file, not a folder")


def test_compare_names_its_own_option(a_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It used to name montecarlo.out_dir, a key the command does not have."""
    from sim.faces.compare import main

    one_error(_main(main, ["default", "--reps", "1", "--out", str(a_file)], capsys), "--out: ", "is a file, not a folder")


def test_app(a_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sim.faces.app.serve import main

    one_error(_main(main, ["--results", str(a_file)], capsys), "--results: ", "is a file, not a folder")


def test_calibrate_and_followup(a_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sim.faces.calibrate import main as calibrate
    from sim.faces.followup import main as followup

    log = str(ROOT / "tests" / "data" / "no_such_log.csv")
    one_error(_main(calibrate, [log, "--kind", "calls", "--out", str(a_file)], capsys), "--out: ", "is a file, not a folder")
    one_error(_main(followup, [log, "--kind", "calls", "--out", str(a_file)], capsys), "--out: ", "is a file, not a folder")


def test_report(a_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sim.faces.report import main

    folder = tmp_path / "cmp"
    folder.mkdir()
    (folder / "meta.json").write_text("{}", encoding="utf-8")
    one_error(_main(main, [str(folder), "--out", str(a_file / "report.html")], capsys), "--out: ", "is a file, not a folder")


def test_the_run_folder_is_made_once(tmp_path: Path) -> None:
    """The check makes Hydra's run folder before Hydra does: the same one (``${now:…}`` is
    resolved once per run), not a second, empty folder beside the results."""
    proc = command("sim", "+experiment=tiny", f"hydra.run.dir={tmp_path}/runs/${{now:%H-%M-%S-%f}}")
    assert proc.returncode == 0, proc.stderr
    (made,) = (tmp_path / "runs").iterdir()
    assert (made / "kpi_run.csv").is_file()


def test_a_missing_input_leaves_no_empty_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``sim.calibrate`` and ``sim.followup`` check their ``--out`` first but make it only once
    the inputs are read: a mistyped log path leaves nothing behind."""
    from sim.faces.calibrate import main as calibrate
    from sim.faces.followup import main as followup

    log = str(tmp_path / "no_such_log.csv")
    for main, out in ((calibrate, tmp_path / "cal"), (followup, tmp_path / "fu")):
        one_error(_main(main, [log, "--kind", "calls", "--out", str(out)], capsys), "does not exist")
        assert not out.exists()


def test_a_folder_that_cannot_be_made_is_named_before_the_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--out`` under ``/proc`` cannot be made: one ``error:`` paragraph naming ``--out`` before
    the log is read (it was an ``OSError`` traceback after the whole calibration)."""
    from sim.faces.calibrate import main as calibrate
    from sim.faces.followup import main as followup

    log = str(tmp_path / "no_such_log.csv")  # never reached: the folder is refused first
    for main in (calibrate, followup):
        one_error(_main(main, [log, "--kind", "calls", "--out", "/proc/no_such_folder/out"], capsys), "--out: ", "cannot make")


def test_a_report_of_a_damaged_folder_makes_no_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sim.faces.report import main

    (tmp_path / "damaged").mkdir()
    out = tmp_path / "reports" / "r.html"
    code, err = _main(main, [str(tmp_path / "damaged"), "--out", str(out)], capsys)
    assert code == 2 and "Traceback" not in err
    assert not out.parent.exists()

"""``python -m sim.capacity``: the files and the summary, and bad keys or files as one ``error:`` paragraph."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "sim.capacity", *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)


def test_the_command_writes_the_plan(tmp_path: Path) -> None:
    res = _run(tmp_path, "capacity.simulate=false", "capacity.out_dir=out")
    assert res.returncode == 0, res.stderr
    out = tmp_path / "out"
    for name in ("capacity_months", "capacity_weeks", "capacity_dates", "capacity_kinds", "hiring_plan"):
        assert (out / f"{name}.csv").is_file()
    assert (out / "capacity.png").stat().st_size > 10_000
    months = pd.read_csv(out / "capacity_months.csv")
    assert months["month_label"].tolist() == [f"2027-{m:02d}" for m in range(1, 13)]
    assert "hiring plan" in res.stdout and "2027-07" in res.stdout and "shrinkage" in res.stdout


@pytest.mark.parametrize(("override", "key", "allowed"), [
    ("capacity.shrinkage.sick_share=1.5", "capacity.shrinkage.sick_share", "less than or equal to 1"),
    ("capacity.shrinkage.vacation_days=60", "capacity.shrinkage.vacation_key.jul", "working days"),
    ("capacity.shrinkage.vacation_key.jul=-1", "capacity.shrinkage.vacation_key.jul", ">= 0"),
    ("capacity.hiring.training_months=5", "capacity.hiring.training_months", "lead time"),
    ("capacity.hiring.decide_from=2026-13", "capacity.hiring.decide_from", "YYYY-MM"),
    ("capacity.shrinkage.roster_overhead=-0.1", "capacity.shrinkage.roster_overhead", "greater than or equal to 0"),
    ("capacity.history_file=nowhere.csv", "capacity.history_file", "file not found"),
    ("+capacity.shrinkage.holidays=3", "capacity.shrinkage.holidays", ""),
])
def test_a_bad_key_is_one_error_paragraph(tmp_path: Path, override: str, key: str, allowed: str) -> None:
    res = _run(tmp_path, "capacity.simulate=false", "capacity.out_dir=out", override)
    assert res.returncode == 2, res.stdout + res.stderr
    assert res.stderr.startswith("error:") and key in res.stderr and allowed in res.stderr
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr


def test_a_bad_history_file_names_the_row_and_column(tmp_path: Path) -> None:
    rows = ["date,offered"] + [f"2026-{m:02d}-{d:02d},600" for m in range(1, 4) for d in range(1, 28)]
    rows[30] = "2026-02-03,many"
    (tmp_path / "days.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    res = _run(tmp_path, "capacity.simulate=false", "capacity.out_dir=out", f"capacity.history_file={tmp_path / 'days.csv'}")
    assert res.returncode == 2 and res.stderr.startswith("error:")
    assert "row 31, column 2 (offered)" in res.stderr and "days.csv" in res.stderr, res.stderr

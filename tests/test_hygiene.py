"""Code hygiene: ruff is clean with the project's settings, mypy is clean on the model and analysis
packages (the ``[tool.ruff]`` and ``[tool.mypy]`` sections of pyproject.toml say what is checked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ["sim", "tests", "benchmarks", "experiments", "notebooks"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean() -> None:
    done = _run("ruff", "check", "--no-cache", *CHECKED)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean_on_the_model_and_the_analysis() -> None:
    done = _run("mypy", "--no-incremental")  # files and options from [tool.mypy]
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues found" in done.stdout

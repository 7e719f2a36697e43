"""``python -m sim.plan``: where it writes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.faces.plan import main


def test_without_out_each_run_gets_a_new_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--scenario", "tiny"]) == 0
    assert main(["--scenario", "tiny", "demand.volume=300"]) == 0
    folders = sorted((tmp_path / "outputs" / "plan" / "tiny").iterdir())
    assert len(folders) == 2  # the second run did not overwrite the first
    first, second = (pd.read_csv(f / "staffing_plan.csv") for f in folders)
    assert second["erlang_a_agents"].sum() > first["erlang_a_agents"].sum()  # 300 calls instead of 120
    assert str(folders[1].relative_to(tmp_path)) in capsys.readouterr().out


def test_out_is_used_as_given(tmp_path: Path) -> None:
    assert main(["--scenario", "tiny", "--out", str(tmp_path / "p")]) == 0
    assert (tmp_path / "p" / "staffing_table_erlang_a.csv").is_file()

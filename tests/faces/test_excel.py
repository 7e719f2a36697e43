"""Excel copies of a command's tables (sim.faces.excel, output.excel)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import sim
from sim.errors import ScenarioError
from sim.faces.excel import SV_FOLDER, WORKBOOK, _sheet_name, excel_copies
from sim.faces.output import write_run


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"weekday": ["mån", "tis"], "agents": [5, 6], "share": [0.9523809523809523, 1.0]})


def test_swedish_copy_has_semicolons_decimal_commas_rounding_and_a_bom(tmp_path: Path) -> None:
    _frame().to_csv(tmp_path / "t.csv", index=False)
    (path,) = excel_copies(tmp_path, "sv")
    assert path == tmp_path / SV_FOLDER / "t.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel keeps å, ä, ö
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines == ["weekday;agents;share", "mån;5;0,9524", "tis;6;1,0"]
    back = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")
    assert back["share"].tolist() == [0.9524, 1.0]
    # the machine-readable CSV is left as it was
    assert pd.read_csv(tmp_path / "t.csv")["share"].iloc[0] == 0.9523809523809523


def test_workbook_has_one_sheet_per_csv_with_numbers_as_numbers(tmp_path: Path) -> None:
    _frame().to_csv(tmp_path / "a.csv", index=False)
    _frame().to_csv(tmp_path / "b.csv", index=False)
    (path,) = excel_copies(tmp_path, "xlsx")
    book = openpyxl.load_workbook(path)
    assert path.name == WORKBOOK and book.sheetnames == ["a", "b"]
    assert book["a"]["C2"].value == pytest.approx(0.9523809523809523)
    assert isinstance(book["a"]["B2"].value, int)


def test_none_writes_nothing_and_sheet_names_are_valid_and_unique(tmp_path: Path) -> None:
    _frame().to_csv(tmp_path / "t.csv", index=False)
    assert excel_copies(tmp_path, "none") == []
    assert not (tmp_path / SV_FOLDER).exists() and not (tmp_path / WORKBOOK).exists()
    used: set[str] = set()
    names = [_sheet_name("x" * 40, used), _sheet_name("x" * 40, used), _sheet_name("a[b]:c", used)]
    assert all(len(n) <= 31 for n in names) and len(set(names)) == 3 and names[2] == "a_b__c"


def test_a_run_with_output_excel_sv_writes_every_table_for_swedish_excel(tmp_path: Path) -> None:
    s = sim.load_scenario(overrides=["run.end=2026-12-01", "output.excel=sv"])
    write_run(s, tmp_path, seed=1)
    written = sorted(p.name for p in (tmp_path / SV_FOLDER).iterdir())
    assert written == sorted(p.name for p in tmp_path.glob("*.csv"))
    day = (tmp_path / SV_FOLDER / "kpi_day.csv").read_text(encoding="utf-8-sig")
    assert day.splitlines()[0].count(";") > 3 and "," in day.splitlines()[1]


def test_an_unknown_style_names_the_key() -> None:
    with pytest.raises(ScenarioError, match="output.excel"):
        sim.load_scenario(overrides=["output.excel=csv"])

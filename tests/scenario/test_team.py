"""The team file: YAML and CSV read into a validated team; every mistake is one paragraph naming the file, row and column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.scenario.team import read_team

ROOT = Path(__file__).resolve().parents[2]
DEC = (dt.date(2026, 12, 1), dt.date(2026, 12, 31))

GOOD_YAML = """agents:
  - {id: a1, name: Anna, contract: 1.0, skills: [phones, cases]}
  - id: a2
    name: Bo
    contract: 0.5
    days_off: [fri]
    vacations: [{start: "2026-12-21", end: "2026-12-31"}]
"""

GOOD_CSV = """id,name,contract,skills,days_off,unavailable,vacations,earliest_start,latest_end
a1,Anna,1.0,phones cases,,,,,
a2,Bo,0.75,phones,fri,2026-12-09,2026-12-21..2026-12-31,09:00,16:00
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_the_example_team_reads() -> None:
    team = read_team(ROOT / "scenarios" / "team" / "team.yaml", DEC)
    assert 14 <= len(team.agents) <= 20
    assert {a.contract for a in team.agents} >= {1.0, 0.75, 0.5}
    assert any(a.vacations for a in team.agents) and any(a.days_off for a in team.agents)


def test_yaml_and_csv_read_the_same_fields(tmp_path: Path) -> None:
    y = read_team(_write(tmp_path, "t.yaml", GOOD_YAML), DEC)
    assert y.agents[1].days_off == ["fri"] and y.agents[1].vacations[0].end == dt.date(2026, 12, 31)
    c = read_team(_write(tmp_path, "t.csv", GOOD_CSV), DEC)
    b = c.agents[1]
    assert (b.contract, b.skills, b.days_off, b.unavailable) == (0.75, ["phones"], ["fri"], [dt.date(2026, 12, 9)])
    assert (b.vacations[0].start, b.vacations[0].end) == (dt.date(2026, 12, 21), dt.date(2026, 12, 31))
    assert (b.earliest_start, b.latest_end) == (dt.time(9, 0), dt.time(16, 0))
    assert c.agents[0].skills == ["phones", "cases"]
    swedish = read_team(_write(tmp_path, "s.csv", GOOD_CSV.replace(",", ";")), DEC)
    assert swedish.agents[1].contract == 0.75


@pytest.mark.parametrize(("text", "where", "what"), [
    (GOOD_YAML.replace("[phones, cases]", "[phones, chat]"), "line 2, column 41 (agent 1, key skills)", "allowed skills"),
    (GOOD_YAML.replace("contract: 0.5", "contract: 1.5"), "line 5, column 5", "contract"),
    (GOOD_YAML.replace("id: a2", "id: a1"), "line 3, column 5", "duplicate id 'a1'"),
    (GOOD_YAML.replace('"2026-12-21"', '"2025-12-21"').replace('"2026-12-31"', '"2025-12-31"'), "line 7, column 5",
     "outside the planning period"),
])
def test_bad_yaml_names_file_line_and_column(tmp_path: Path, text: str, where: str, what: str) -> None:
    path = _write(tmp_path, "team.yaml", text)
    with pytest.raises(ScenarioError) as exc:
        read_team(path, DEC)
    msg = str(exc.value)
    assert str(path) in msg and where in msg and what in msg and "\n" not in msg


@pytest.mark.parametrize(("old", "new", "where", "what"), [
    ("phones cases", "phones chat", "row 2, column 4 (skills)", "allowed skills: phones, cases, second_line"),
    ("0.75", "1.25", "row 3, column 3 (contract)", "contract <= 1.0"),
    ("a2,Bo", "a1,Bo", "row 3, column 1 (id)", "duplicate id 'a1'"),
    ("2026-12-21..2026-12-31", "2027-02-01..2027-02-05", "row 3, column 7 (vacations)", "outside the planning period"),
])
def test_bad_csv_names_file_row_and_column(tmp_path: Path, old: str, new: str, where: str, what: str) -> None:
    path = _write(tmp_path, "team.csv", GOOD_CSV.replace(old, new))
    with pytest.raises(ScenarioError) as exc:
        read_team(path, DEC)
    msg = str(exc.value)
    assert str(path) in msg and where in msg and what in msg and "\n" not in msg


def test_dates_outside_the_period_may_be_ignored(tmp_path: Path) -> None:
    path = _write(tmp_path, "team.csv", GOOD_CSV.replace("2026-12-21..2026-12-31", "2027-07-01..2027-07-31"))
    assert read_team(path, DEC, "ignore").agents[1].vacations[0].start == dt.date(2027, 7, 1)


def test_a_csv_saved_by_swedish_excel_reads_like_utf8(tmp_path: Path) -> None:
    """Windows-1252 (Excel's "CSV (semicolon separated)" in Swedish) reads as the data-file readers read it."""
    text = GOOD_CSV.replace("Anna", "Åsa Öberg").replace(",", ";")
    utf8, excel = tmp_path / "utf8.csv", tmp_path / "excel.csv"
    utf8.write_text(text, encoding="utf-8")
    excel.write_bytes(text.encode("cp1252"))
    assert read_team(excel, DEC) == read_team(utf8, DEC)
    assert read_team(excel, DEC).agents[0].name == "Åsa Öberg"


def test_a_binary_team_file_is_one_paragraph(tmp_path: Path) -> None:
    book = tmp_path / "team.csv"
    book.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(ScenarioError, match=r"not a text CSV file .* save it as CSV"):
        read_team(book, DEC)


def test_wishes_are_read_and_checked(tmp_path: Path) -> None:
    text = GOOD_CSV.replace("latest_end\n", "latest_end,prefers,preferred_days_off\n").replace(",,,,,\n", ",,,,,,early,\n", 1)
    text = text.replace("09:00,16:00\n", "09:00,16:00,,mon fri\n")
    team = read_team(_write(tmp_path, "w.csv", text), DEC)
    assert team.agents[0].prefers == "early" and team.agents[1].preferred_days_off == ["mon", "fri"]
    with pytest.raises(ScenarioError) as exc:
        read_team(_write(tmp_path, "bad.csv", text.replace(",early,", ",noon,")), DEC)
    msg = str(exc.value)
    assert "row 2, column 10 (prefers)" in msg and "early or late" in msg and "\n" not in msg
    with pytest.raises(ScenarioError) as exc:
        read_team(_write(tmp_path, "bad2.csv", text.replace("mon fri", "mon fredag")), DEC)
    assert "row 3, column 11 (preferred_days_off)" in str(exc.value) and "weekdays are mon" in str(exc.value)

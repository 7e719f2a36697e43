"""Readers: every dropped row counted by reason; every malformed file a one-paragraph error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.errors import ScenarioError
from sim.history.columns import load_map
from sim.history.readers import read_calls, read_intervals

HEADER = "call_id,arrival,queue_entry,queue_exit,answered,talk_s,hold_s,wrap_s,agent"
GOOD = [
    "1,2026-09-01 08:00:00,2026-09-01 08:00:20,2026-09-01 08:00:50,1,120,0,30,a",
    "2,2026-09-01 08:01:00,2026-09-01 08:01:15,2026-09-01 08:03:15,0,,,,",
    "3,2026-09-01 08:02:00,2026-09-01 08:02:10,2026-09-01 08:02:10,1,200,10,20,b",
    "4,2026-09-02 09:00:00,2026-09-02 09:00:30,2026-09-02 09:00:30,0,,,,",
    "5,2026-09-02 09:10:00,2026-09-02 09:10:30,2026-09-02 09:11:30,1,00:03:00,0,15,a",
]
IVR = "6,2026-09-02 09:20:00,,,0,,,,"
DUP = GOOD[0]
NEG = "7,2026-09-02 09:30:00,2026-09-02 09:30:10,2026-09-02 09:31:10,1,-5,0,10,a"
LATE = "8,2026-09-10 09:30:00,2026-09-10 09:30:10,2026-09-10 09:31:10,1,50,0,10,a"


def _write(tmp: Path, lines: list[str], name: str = "log.csv") -> Path:
    p = tmp / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def _map(tmp: Path, text: str) -> Path:
    p = tmp / "map.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def _lenient(tmp: Path) -> Path:
    cols = "\n".join(f"  {c}: {c}" for c in HEADER.split(","))
    return _map(tmp, f"kind: calls\nmax_bad_share: 0.5\ncolumns:\n{cols}\n")


def test_every_row_is_kept_or_counted_once(tmp_path: Path) -> None:
    path = _write(tmp_path, [HEADER, *GOOD, IVR, DUP, NEG, LATE])
    log = read_calls(path, load_map(_lenient(tmp_path), "calls"), end="2026-09-05")
    d = log.drops
    assert d.by_reason == {"junk": 0, "ivr": 1, "duplicate": 1, "impossible": 1, "out_of_range": 1}
    assert d.kept == len(GOOD) == len(log.calls)
    assert d.read == len(GOOD) + 4 == d.kept + sum(d.by_reason.values())
    assert sorted(d.rows["line"]) == [7, 8, 9, 10]  # header is line 1
    assert dict(zip(d.rows["line"], d.rows["reason"], strict=True)) == {7: "ivr", 8: "duplicate", 9: "impossible", 10: "out_of_range"}
    c = log.calls.set_index("call_id")
    assert c.loc["1", "wait_s"] == 30.0 and c.loc["1", "fate"] == "answered"
    assert c.loc["2", "wait_s"] == 120.0 and c.loc["2", "fate"] == "abandoned"
    assert c.loc["5", "talk_s"] == 180.0  # HH:MM:SS durations
    assert c.loc["5", "handle_s"] == 195.0


def test_interval_report_counts(tmp_path: Path) -> None:
    head = "date,interval_start,offered,answered,abandoned,answered_within,asa_s"
    rows = [
        "2026-09-01,08:00,10,9,1,8,12",
        "2026-09-01,08:30,12,10,2,9,20",
        "2026-09-01,08:30,12,10,2,9,20",
        "2026-09-01,09:00,5,6,1,4,3",
        "2026-09-01,09:30,8,8,0,8,0",
    ]
    cols = "\n".join(f"  {c}: {c}" for c in head.split(","))
    rep = read_intervals(
        _write(tmp_path, [head, *rows]), load_map(_map(tmp_path, f"kind: intervals\nmax_bad_share: 0.5\ncolumns:\n{cols}\n"), "intervals")
    )
    assert rep.drops.by_reason == {"junk": 0, "ivr": 0, "duplicate": 1, "impossible": 1, "out_of_range": 0}
    assert rep.drops.kept == 3 and rep.interval_min == 30
    assert rep.intervals["offered"].tolist() == [10, 12, 8]


def test_junk_rows_are_dropped_and_counted_with_their_lines(tmp_path: Path) -> None:
    """A header repeated mid-file (two exports pasted together), a blank row and a total line
    are not data: dropped as ``junk`` with their line numbers, like any other bad row."""
    lines = [HEADER, *GOOD[:3], HEADER, ",,,,,,,,", *GOOD[3:], "Summa,,,,,,,,", "Total:,,,,3,440,10,75,"]
    log = read_calls(_write(tmp_path, lines), load_map(_lenient(tmp_path), "calls"))
    d = log.drops
    assert d.by_reason["junk"] == 4 and d.kept == len(GOOD) and d.read == len(lines) - 1
    assert d.rows.to_dict("list") == {"line": [5, 6, 9, 10], "reason": ["junk"] * 4}
    head = "date,interval_start,offered,answered,abandoned,asa_s"
    good = [f"2026-09-01,{h:02d}:{m:02d},10,9,1,12" for h in range(8, 12) for m in (0, 30)]
    rows = [head, *good[:2], head, *good[2:], "Summa;;;;", "Summa,,80,72,8,"]
    cols = "\n".join(f"  {c}: {c}" for c in head.split(","))
    cmap = load_map(_map(tmp_path, f"kind: intervals\nmax_bad_share: 0.5\ncolumns:\n{cols}\n"), "intervals")
    rep = read_intervals(_write(tmp_path, rows, "rep.csv"), cmap)
    assert rep.drops.by_reason["junk"] == 3 and rep.drops.kept == len(good) and rep.interval_min == 30
    assert rep.drops.rows["line"].tolist() == [4, 11, 12]


def test_junk_beyond_the_allowed_share_is_one_error(tmp_path: Path) -> None:
    path = _write(tmp_path, [HEADER, *GOOD, "Summa,,,,,,,,"])
    with pytest.raises(ScenarioError) as e:
        read_calls(path, load_map(None, "calls"))
    _one_paragraph(e, str(path), "line 7", "not a data row", "max_bad_share")


def _one_paragraph(exc: pytest.ExceptionInfo[ScenarioError], *needles: str) -> None:
    msg = str(exc.value)
    assert "\n" not in msg and "Traceback" not in msg
    for n in needles:
        assert n in msg, (n, msg)


def test_missing_column(tmp_path: Path) -> None:
    path = _write(tmp_path, [HEADER.replace("queue_exit", "exit"), *GOOD])
    with pytest.raises(ScenarioError) as e:
        read_calls(path, load_map(None, "calls"))
    _one_paragraph(e, str(path), "line 1", "'queue_exit'")


def test_unparseable_timestamp(tmp_path: Path) -> None:
    bad = GOOD[2].replace("2026-09-01 08:02:10,1", "yesterday noon,1")
    path = _write(tmp_path, [HEADER, *GOOD[:2], bad])
    with pytest.raises(ScenarioError) as e:
        read_calls(path, load_map(None, "calls"))
    _one_paragraph(e, str(path), "line 4", "'queue_exit'", "'yesterday noon'")


def test_negative_durations_beyond_the_allowed_share(tmp_path: Path) -> None:
    rows = [r.replace(",1,120,", ",1,-120,").replace(",1,200,", ",1,-200,") for r in GOOD]
    path = _write(tmp_path, [HEADER, *rows])
    with pytest.raises(ScenarioError) as e:
        read_calls(path, load_map(None, "calls"))
    _one_paragraph(e, str(path), "line 2", "'talk_s'", "'-120'", "max_bad_share")


def test_empty_file(tmp_path: Path) -> None:
    path = _write(tmp_path, [])
    path.write_text("")
    with pytest.raises(ScenarioError) as e:
        read_calls(path, load_map(None, "calls"))
    _one_paragraph(e, str(path), "empty")


def test_header_without_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, [HEADER])
    with pytest.raises(ScenarioError) as e:
        read_calls(path, load_map(None, "calls"))
    _one_paragraph(e, str(path), "no data rows")


def test_wrong_separator(tmp_path: Path) -> None:
    path = _write(tmp_path, [HEADER.replace(",", ";"), *(r.replace(",", ";") for r in GOOD)])
    with pytest.raises(ScenarioError) as e:
        read_calls(path, load_map(None, "calls"))
    _one_paragraph(e, str(path), "separated by ';'", "separator")


def test_mapping_names_a_column_that_does_not_exist(tmp_path: Path) -> None:
    path = _write(tmp_path, [HEADER, *GOOD])
    cols = "\n".join(f"  {c}: {c}" for c in HEADER.split(",")) + "\n  agent: AgentName\n"
    cmap = _map(tmp_path, "kind: calls\ncolumns:\n" + cols.replace("  agent: agent\n", ""))
    with pytest.raises(ScenarioError) as e:
        read_calls(path, load_map(cmap, "calls"))
    _one_paragraph(e, str(path), "'AgentName'", "field agent", str(cmap))


def test_mapping_with_an_unknown_field(tmp_path: Path) -> None:
    cmap = _map(tmp_path, "kind: calls\ncolumns:\n  caller_mood: Mood\n")
    with pytest.raises(ScenarioError) as e:
        load_map(cmap, "calls")
    _one_paragraph(e, str(cmap), "caller_mood", "allowed")


def test_unparseable_interval_date(tmp_path: Path) -> None:
    head = "date,interval_start,offered,answered,abandoned,asa_s"
    path = _write(tmp_path, [head, "2026-09-01,08:00,10,9,1,12", "1 sept,08:30,10,9,1,12"])
    with pytest.raises(ScenarioError) as e:
        read_intervals(path, load_map(None, "intervals"))
    _one_paragraph(e, str(path), "line 3", "'date'", "'1 sept'")


def test_timezone_conversion(tmp_path: Path) -> None:
    path = _write(tmp_path, [HEADER, GOOD[0]])
    cols = "\n".join(f"  {c}: {c}" for c in HEADER.split(","))
    log = read_calls(path, load_map(_map(tmp_path, f"kind: calls\nsource_timezone: UTC\ncolumns:\n{cols}\n"), "calls"))
    assert str(log.calls["arrival"].iloc[0]) == "2026-09-01 10:00:20"  # CEST = UTC + 2


IV_HEAD = "date,interval_start,offered,answered,abandoned,asa_s"
IV_GOOD = [f"2026-09-{d:02d},{h:02d}:{m:02d},10,9,1,12" for d in (1, 2) for h in range(8, 17) for m in (0, 30)]


def _report(tmp: Path, rows: list[str], share: float = 0.01) -> tuple[Path, Path]:
    cols = "\n".join(f"  {c}: {c}" for c in IV_HEAD.split(","))
    return _write(tmp, [IV_HEAD, *rows], "rep.csv"), _map(tmp, f"kind: intervals\nmax_bad_share: {share}\ncolumns:\n{cols}\n")


def test_an_implausible_count_is_dropped_as_impossible(tmp_path: Path) -> None:
    """1e308 offered calls (a corrupt cell) is not a busy interval: dropped and counted, so the
    fit downstream never sees it (it broke scipy's chi2_contingency)."""
    rows = [*IV_GOOD[:5], "2026-09-01,10:30,1e308,9,1,12", *IV_GOOD[6:]]
    path, cmap = _report(tmp_path, rows, share=0.05)
    rep = read_intervals(path, load_map(cmap, "intervals"))
    assert rep.drops.by_reason["impossible"] == 1 and rep.drops.rows["line"].tolist() == [7]
    assert rep.intervals["offered"].max() == 10


def test_negative_counts_are_blamed_on_their_own_column(tmp_path: Path) -> None:
    rows = [r.replace(",9,1,", ",9,-1,") if i % 2 else r for i, r in enumerate(IV_GOOD)]
    path, cmap = _report(tmp_path, rows)
    with pytest.raises(ScenarioError) as e:
        read_intervals(path, load_map(cmap, "intervals"))
    _one_paragraph(e, str(path), "line 3", "column 'abandoned'", "'-1'", "max_bad_share")
    assert "'offered'" not in str(e.value)


def test_an_interval_off_the_grid_names_its_line(tmp_path: Path) -> None:
    rows = [*IV_GOOD[:5], "2026-09-01,10:40,10,9,1,12", *IV_GOOD[6:]]
    path, cmap = _report(tmp_path, rows)
    with pytest.raises(ScenarioError) as e:
        read_intervals(path, load_map(cmap, "intervals"))
    _one_paragraph(e, str(path), "line 7", "'interval_start'", "10:40", "30-minute grid")


def test_a_latin1_export_needs_the_encoding_key_and_the_error_says_so(tmp_path: Path) -> None:
    rows = [HEADER, *(r.replace(",a", ",Björn") for r in GOOD)]
    path = tmp_path / "latin.csv"
    path.write_bytes(("\n".join(rows) + "\n").encode("latin-1"))
    with pytest.raises(ScenarioError) as e:
        read_calls(path, load_map(None, "calls"))
    _one_paragraph(e, str(path), "line 2", "byte 0xf6", "encoding: latin-1")
    cols = "\n".join(f"  {c}: {c}" for c in HEADER.split(","))
    log = read_calls(path, load_map(_map(tmp_path, f"kind: calls\nencoding: latin-1\ncolumns:\n{cols}\n"), "calls"))
    assert "Björn" in set(log.calls["agent"])
    with pytest.raises(ScenarioError, match="not a known text encoding"):
        load_map(_map(tmp_path, f"kind: calls\nencoding: klingon\ncolumns:\n{cols}\n"), "calls")


def test_naive_stamps_are_local_time_unless_the_map_says_otherwise(tmp_path: Path) -> None:
    cols = "\n".join(f"  {c}: {c}" for c in HEADER.split(","))
    path = _write(tmp_path, [HEADER, *GOOD])
    local = read_calls(path, load_map(_map(tmp_path, f"kind: calls\ncolumns:\n{cols}\n"), "calls"))
    assert local.calls["arrival"].iloc[0] == pd.Timestamp("2026-09-01 08:00:20")  # the clock time as written
    utc = read_calls(path, load_map(_map(tmp_path, f"kind: calls\nsource_timezone: UTC\ncolumns:\n{cols}\n"), "calls"))
    assert utc.calls["arrival"].iloc[0] == pd.Timestamp("2026-09-01 10:00:20")  # UTC + 2 h in Stockholm's summer


def test_a_log_read_in_many_chunks_is_the_same_and_names_the_same_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The streaming reader (chunks of CHUNK_BYTES) gives the rows, drops and line numbers of
    one whole read: a duplicate across chunks, errors with the file's line."""
    import sim.history.readers as readers

    rows = [HEADER, *GOOD, IVR, NEG, LATE]
    rows += [r.replace(r.split(",")[0] + ",", f"{100 + i},", 1) for i, r in enumerate(GOOD * 6)] + [DUP]
    path = _write(tmp_path, rows)
    cmap = load_map(_lenient(tmp_path), "calls")
    whole = read_calls(path, cmap, end="2026-09-05")
    monkeypatch.setattr(readers, "CHUNK_BYTES", 300)
    assert len(list(readers._chunks(path, cmap))) > 3
    parts = read_calls(path, cmap, end="2026-09-05")
    pd.testing.assert_frame_equal(parts.calls, whole.calls)
    pd.testing.assert_frame_equal(parts.drops.rows, whole.drops.rows)
    assert parts.drops.by_reason == whole.drops.by_reason == {"junk": 0, "ivr": 1, "duplicate": 1, "impossible": 1, "out_of_range": 1}
    bad = [*rows[:30], rows[30].replace("2026-09-", "2026-13-"), *rows[31:]]
    with pytest.raises(ScenarioError) as e:
        read_calls(_write(tmp_path, bad, "bad.csv"), cmap)
    _one_paragraph(e, "line 31", "2026-13-")


def test_a_column_map_that_is_not_text_is_one_error_paragraph(tmp_path: Path) -> None:
    """A map saved as UTF-16 (or any bytes that are not UTF-8) was a UnicodeDecodeError traceback."""
    bad = tmp_path / "map.yaml"
    bad.write_bytes("kind: calls\ncolumns: {}\n".encode("utf-16"))
    with pytest.raises(ScenarioError) as exc:
        load_map(bad, "calls")
    assert str(exc.value).startswith(f"Cannot read the column map {bad}") and "\n" not in str(exc.value)

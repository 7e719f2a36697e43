"""``python -m sim.schedule``: the files a planner uses, and a bad team file as one ``error:`` paragraph."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
from icalendar import Calendar
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[2]
TEAM = """id,name,contract,skills,days_off,unavailable,vacations,earliest_start,latest_end
a1,Anna Lindqvist,1.0,phones cases,,,,,
a2,Bo Ek,1.0,phones,,,2026-12-09..2026-12-10,,
a3,Cia Berg,0.5,phones,wed thu,,,09:00,
a4,Dan Holm,1.0,cases,,,,,
"""
ARGS = ["staffing=flat", "staffing.agents=1", "schedule.start=2026-12-07", "schedule.end=2026-12-13", "schedule.time_limit_s=20",
        "schedule.extra_agents_max=2"]


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "sim.schedule", *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)


def test_the_command_writes_the_planner_files(tmp_path: Path) -> None:
    (tmp_path / "team.csv").write_text(TEAM, encoding="utf-8")
    res = _run(tmp_path, *ARGS, f"schedule.team_file={tmp_path / 'team.csv'}", "schedule.swedish_csv=true", "schedule.out_dir=out")
    assert res.returncode == 0, res.stderr
    out = tmp_path / "out"
    sched = pd.read_csv(out / "schedule.csv")
    assert list(sched.columns) == ["agent", "name", "date", "shift_start", "shift_end", "lunch", "breaks", "paid_h"]
    assert set(sched["agent"]) <= {"a1", "a2", "a3"} and sched["shift_start"].str.fullmatch(r"\d\d:\d\d").all()
    assert sched["lunch"].dropna().str.fullmatch(r"(\d\d:\d\d-\d\d:\d\d ?)+").all()
    assert pd.read_csv(out / "violations.csv").query("rule != 'contract hours'").empty
    assert "rule check" in res.stdout and "days at risk" in res.stdout
    sim_days = pd.read_csv(out / "simulation_days.csv")
    assert len(sim_days) == 5 and sim_days["p_all_met"].between(0, 1).all()
    text = (out / "agents" / "a3.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("date;weekday;")
    assert re.search(r";\d+,\d+;", text)  # paid hours with a decimal comma
    cal = Calendar.from_ical((out / "ics" / "a1.ics").read_bytes())
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == int((sched["agent"] == "a1").sum()) and events[0].get("dtstart").dt.tzinfo is not None
    assert "a2" in load_workbook(out / "schedule.xlsx", read_only=True).sheetnames
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Coverage per date" in page and "Anna Lindqvist" in page
    # one agent alone on the phones while Bo is on vacation: the shortage is reported, not an error
    assert "SHORT" in res.stdout and "2026-12-09" in res.stdout and (out / "shortage.csv").is_file()


def test_a_bad_team_file_is_one_error_paragraph(tmp_path: Path) -> None:
    (tmp_path / "team.csv").write_text(TEAM.replace("phones cases", "phones chat"), encoding="utf-8")
    res = _run(tmp_path, *ARGS, f"schedule.team_file={tmp_path / 'team.csv'}", "schedule.out_dir=out")
    assert res.returncode == 2
    err = res.stderr.strip()
    assert err.startswith("error: Invalid team file") and "row 2, column 4 (skills)" in err and "\n" not in err
    assert "Traceback" not in res.stderr

"""The weekday step panels shared by the staffing plots: one panel per weekday of the table."""

from __future__ import annotations

import struct
from pathlib import Path

import pandas as pd

import sim
from sim.analysis.planning import erlang_plan
from sim.faces.plots import staffing_plan, weekday_steps


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_one_panel_per_weekday_of_the_plan(tmp_path: Path) -> None:
    plan = erlang_plan(sim.load_scenario("default"))
    days = plan["weekday"].nunique()
    width, height = _png_size(staffing_plan(plan, tmp_path / "plan.png"))
    assert days == 5 and (width, height) == (round(3.2 * days * 110), 4 * 110)


def test_two_weekdays_give_two_panels(tmp_path: Path) -> None:
    frame = pd.DataFrame({"weekday": ["sat", "sat", "mon", "mon"], "interval_start": ["08:00", "08:30"] * 2,
                          "a": [1, 2, 3, 4], "b": [2, 2, 2, 2]})
    out = weekday_steps(frame, [("a", "A"), ("b", "B")], tmp_path / "x.png", title="t", ylabel="agents", fill=("b", "B"))
    assert _png_size(out) == (round(3.2 * 2 * 110), 4 * 110)

"""The data files a scenario names (sim.scenario.datafiles): lines named as an editor counts them, encodings."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.errors import ScenarioError


@pytest.mark.parametrize(
    ("csv", "text"),
    [
        ("interval_start,factor\n\n08:00,1\n\n13:00,0\n", "line 5: column factor must hold numbers > 0"),
        ("\ninterval_start,factor\n08:00,1\n\n1300,2\n", "line 5: interval_start '1300' is not a time HH:MM"),
    ],
)
def test_a_bad_handling_line_is_named_as_an_editor_counts_it_after_blank_lines(csv: str, text: str, tmp_path: Path) -> None:
    f = tmp_path / "aht.csv"
    f.write_text(csv, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        sim.load_scenario("default", [f"handling.profile_file={f}"])
    assert text in str(err.value), str(err.value)


@pytest.mark.parametrize("bad", ["8:5", "25:00", "24:00", "08:00:30"])
def test_an_interval_start_that_is_not_hh_mm_is_named(bad: str, tmp_path: Path) -> None:
    # 8:5 was read as 08:05 before (pandas' %H:%M takes one-digit minutes); sim.world.clock refuses it
    f = tmp_path / "profile.csv"
    f.write_text(f"interval_start,calls\n08:00,4\n{bad},4\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        sim.load_scenario("default", ["demand.profile=null", f"demand.profile_file={f}"])
    assert f"line 3, column interval_start: '{bad}' is not a time HH:MM" in str(err.value), str(err.value)

"""Every place an interval of a level is shown (sim.mc, sim.compare, report.html, the page's
cards) cuts a time, hours or a count at 0 and says so ("cut at"), as it does a share at 100 %;
the numbers use the minus sign − (issue 23)."""

from __future__ import annotations

import types

import pandas as pd
import pytest

from sim.analysis.paired import paired_differences, summarize_replications
from sim.analysis.stats import summarize
from sim.faces.formats import fmt, fmt_diff, number, percent
from sim.faces.i18n import language

FRAME = pd.DataFrame({  # two replications far apart: the t-intervals of these means reach below zero
    "scenario": ["a", "a", "b", "b"], "replication": [0, 1, 0, 1],
    "asa_s": [2.0, 14.0, 10.0, 8.0], "overtime_s": [0.0, 1800.0, 0.0, 2000.0], "days_missed_any": [0.0, 1.0, 0.0, 1.0],
    "p90_wait_s": [5.0, 50.0, 6.0, 52.0], "availability": [0.99, 0.90, 0.98, 0.91],
})
KPIS = ["availability", "asa_s", "p90_wait_s", "overtime_s", "days_missed_any"]


def _cmp() -> types.SimpleNamespace:
    table = summarize_replications(FRAME, KPIS, ("scenario",))
    diffs = paired_differences(FRAME, KPIS, "a").assign(scenario="b", baseline="a")
    from sim.scenario.compose import load_scenario
    from sim.study.compare import Comparison

    scenario = load_scenario("tiny")  # both sides model the same (no feature KPI is shown one-sided)
    cmp = types.SimpleNamespace(labels=["a", "b"], table=table, differences=diffs, replications=2, seed=1, baseline="a",
                                scenarios={"a": scenario, "b": scenario})
    cmp.modelled = lambda kpi: Comparison.modelled(cmp, kpi)  # type: ignore[arg-type]
    return cmp


def _no_negative_level(text: str) -> None:
    assert "−" not in text and "-" not in text.replace("p90", ""), text


def test_sim_compare_prints_cut_intervals_and_says_so() -> None:
    from sim.faces.compare import text_tables

    text = text_tables(_cmp())  # type: ignore[arg-type]
    levels, diffs = text.split("Paired differences")
    for kpi in ("asa_s", "overtime_s", "days_missed_any"):
        line = next(x for x in levels.splitlines() if x.startswith(kpi))
        _no_negative_level(line)
        assert "(cut at 0.0" in line, line
    assert "8.0 s [0.0 s, 84.2 s] (cut at 0.0 s)" in levels and "(cut at 100.0 %)" in levels
    asa = next(x for x in diffs.splitlines() if x.startswith("asa_s"))
    assert "+1.0 s [−87.9 s, +89.9 s]" in asa and "cut" not in diffs  # the interval of a difference keeps its negative side


def test_report_cells_are_cut_at_0_in_both_languages() -> None:
    from sim.faces.report import results_table

    for lang, cut in (("en", "(cut at 0.0 s)"), ("sv", "(avskuret vid 0,0 s)")):
        with language(lang):
            html = results_table(_cmp().table, ["a", "b"], KPIS, "caption", False)
        assert cut in html, html
        assert "[-" not in html and "[−" not in html


def test_page_cards_are_cut_at_0_and_say_so() -> None:
    from sim.faces.app import logic as L

    card = {c.kpi: c for c in L.cards(_cmp(), ["asa_s", "overtime_s"])}  # type: ignore[arg-type]
    assert card["asa_s"].baseline_ci == "95 % CI 0.0 s to 84.2 s (cut at 0.0 s: it cannot be negative)"
    assert card["asa_s"].difference_ci == "95 % CI −87.9 s to +89.9 s"
    assert card["overtime_s"].baseline_ci.startswith("95 % CI 0.0 h to ")
    with language("sv"):
        sv = L.cards(_cmp(), ["asa_s"])[0]  # type: ignore[arg-type]
    assert sv.baseline_ci == "95 % KI 0,0 s till 84,2 s (avskuret vid 0,0 s: värdet kan inte vara negativt)"
    assert sv.difference_ci == "95 % KI −87,9 s till +89,9 s"


def test_sim_mc_prints_cut_intervals_and_says_so() -> None:
    from sim.faces.mc import _fmt_row

    rows = FRAME.query("scenario == 'a'").drop(columns="scenario").assign(level="run", period="2026-12-01")
    s = summarize(rows, "run", KPIS).set_index("kpi", drop=False)
    assert _fmt_row(s.loc["overtime_s"]).split() == ["overtime_s", "0.25", "h", "[0.00,", "3.43]", "(cut", "at", "0", "h)"]
    assert "[0.00, 84.24] " in _fmt_row(s.loc["asa_s"]) and _fmt_row(s.loc["asa_s"]).endswith("(cut at 0 s)")
    assert _fmt_row(s.loc["availability"]).endswith("(cut at 100 %)")


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_negative_numbers_use_the_minus_sign(lang: str) -> None:
    with language(lang):
        for text in (fmt("asa_s", -4.5), fmt("overtime_s", -720), number(-3.2, 1), percent(-0.02), fmt_diff("asa_s", -4.5),
                     fmt("repeat_contacts_per_matter", -0.123), number(-1234.5, 1, sign=True)):
            assert text.startswith("−") and "-" not in text, text

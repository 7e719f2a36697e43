"""HTML reports: self-contained, carry the run's numbers, describe the study (STRESS-DES)."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.faces.htmlkit import Section, markdown_html, render
from sim.faces.i18n import language
from sim.faces.report import comparison_report, folder_report
from sim.faces.scenario_words import describe_scenario
from sim.study.compare import Comparison, compare
from sim.study.runner import run_replications

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Comparison, Path, str]:
    scenarios = {
        "base": sim.load_scenario("tiny", ["staffing=flat", "demand.volume=500", "staffing.agents=8"]),
        "plus two": sim.load_scenario("tiny", ["staffing=flat", "demand.volume=500", "staffing.agents=10"]),
    }
    cmp = compare(scenarios, reps=3, seed=4, workers=1, levels=("interval", "day", "run"))
    out = tmp_path_factory.mktemp("report")
    path = comparison_report(cmp, out, run_time_s=1.5, command="pytest")
    return cmp, path, path.read_text(encoding="utf-8")


def _assert_self_contained(text: str) -> None:
    lower = text.lower()
    for bad in ("http://", "https://", "<link", "@import", "url(", "<script", "<iframe", "//cdn"):
        assert bad not in lower, f"external reference {bad!r} in the report"
    sources = re.findall(r"""src\s*=\s*["']([^"']*)""", text, flags=re.I)
    assert sources, "the report has no images"
    for src in sources:
        assert src.startswith("data:image/png;base64,"), f"image not embedded: {src[:60]}"
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r"""href\s*=\s*["'](?!#)""", text, flags=re.I), "links must stay inside the page"


def test_report_is_self_contained(small) -> None:
    _, path, text = small
    assert path.name == "report.html" and text.startswith("<!DOCTYPE html>")
    _assert_self_contained(text)
    assert text.count("<img ") >= 4  # daily, intraday, agent time, differences


def test_report_carries_the_runs_numbers(small) -> None:
    cmp, _, text = small
    run = cmp.kpis[cmp.kpis["level"] == "run"]
    for label, g in run.groupby("scenario"):
        sl, av = g["service_level"].mean(), g["availability"].mean()
        asa, offered = g["asa_s"].mean(), g["offered"].mean()
        hours = g["staffed_s"].mean() / 3600
        for figure in (f"{100 * sl:.1f} %", f"{100 * av:.1f} %", f"{asa:.1f} s", f"{offered:,.0f}", f"{hours:,.1f} h"):
            assert figure in text, f"{label}: {figure} missing from the report"
    base = run[run["scenario"] == "base"].set_index("replication")["service_level"]
    plus = run[run["scenario"] == "plus two"].set_index("replication")["service_level"]
    d = (plus - base).to_numpy()
    half = 4.302652729911275 * d.std(ddof=1) / np.sqrt(3)  # t(0.975, 2)
    for x in (d.mean(), d.mean() - half, d.mean() + half):
        assert f"{100 * x:+.2f} pp".replace("-", "−") in text


def test_report_describes_the_study_in_stress_des_order(small) -> None:
    cmp, _, text = small
    titles = ["Objectives", "Model logic", "Data and assumptions", "Experimentation",
              "Random streams and common random numbers", "Implementation", "Hardware and run time"]
    positions = [text.index(f"STRESS-DES {i} · {t}</h2>") for i, t in enumerate(titles, 1)]
    assert positions == sorted(positions)
    for phrase in ("hangs up", "15:00", "every caller already queued is still served", "SeedSequence",
                   "3 replications", "simpy", "run time", "1.5 s", "Callbacks", "Warm transfers"):
        assert phrase in text, phrase
    assert f"seed is {cmp.seed}" in text
    assert "As the baseline, except:" in text and "10 agents on the phones" in text


def test_describe_scenario_in_plain_words() -> None:
    s = sim.load_scenario("default", ["callbacks=on", "transfers=warm", "calendar.early_close=null"])
    text = " ".join(describe_scenario(s))
    assert "No early closing before red days" in text
    assert "keep their place in the queue" in text and "30 % accept" in text
    assert "phones a colleague" in text and "technical 12 % → second_line" in text
    assert "Repeat contacts: off" in text
    assert "Mon–Fri 08:00–17:00" in text
    plain = " ".join(describe_scenario(sim.load_scenario("default")))
    assert "close at 15:00 (2 such days in the run)" in plain and "Callbacks: off" in plain


def test_markdown_and_render_escape_html() -> None:
    html = markdown_html("# Title\n\nSome **bold** <script>x</script>\n\n- one\n- two & three")
    assert "<strong>bold</strong>" in html and "&lt;script&gt;" in html and "<li>two &amp; three</li>" in html
    page = render("T <x>", [Section("A & B", "<p>ok</p>")], "sub")
    assert "T &lt;x&gt;" in page and "A &amp; B" in page
    _assert_self_contained(page.replace("</main>", '<img src="data:image/png;base64,iVBORw0KGgo="></main>'))


def test_report_of_a_monte_carlo_folder(tmp_path) -> None:
    s = sim.load_scenario("tiny", ["demand.volume=300"])
    mc = run_replications(s, 3, seed=2, workers=1, out_dir=tmp_path)
    (tmp_path / "scenario.json").write_text(s.model_dump_json(), encoding="utf-8")
    path = folder_report(tmp_path)
    text = path.read_text(encoding="utf-8")
    _assert_self_contained(text)
    sl = mc.level("run")["service_level"].mean()
    assert f"{100 * sl:.1f} %" in text and "Monte Carlo run: tiny" in text


def test_report_cli_on_a_comparison_folder(small, tmp_path) -> None:
    cmp, _, _ = small
    cmp.save(tmp_path)
    out = tmp_path / "again.html"
    done = subprocess.run([sys.executable, "-m", "sim.report", str(tmp_path), "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env={**os.environ, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    _assert_self_contained(text)
    sl = cmp.table.set_index(["scenario", "kpi"]).loc[("plus two", "service_level"), "mean"]
    assert f"{100 * sl:.1f} %" in text
    bad = subprocess.run([sys.executable, "-m", "sim.report", str(tmp_path / "missing")], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.startswith("error:")


def test_opening_hours_study_writes_its_report(tmp_path) -> None:
    sys.path.insert(0, str(ROOT / "experiments"))
    try:
        import opening_hours
    finally:
        sys.path.remove(str(ROOT / "experiments"))
    res = opening_hours.run(reps=2, workers=1, out=tmp_path, common=["run=year_2027", "run.end=2027-01-12"])
    dates = res["dates"]
    assert [d.isoformat() for d in dates["early_close_days"]] == ["2027-01-05"]  # day before Trettondedag jul
    assert [d.isoformat() for d in dates["after_red_day"]] == ["2027-01-04", "2027-01-07"]
    text = (tmp_path / "conclusion.md").read_text(encoding="utf-8")
    assert "**1 days**" in text and "agent time" in text and "In short" in text
    assert "a year" not in text and "whole year" not in text.lower(), "12 days studied, not a year"
    assert "in the 12 days studied" in text
    cmp = res["comparison"]
    saved = cmp.differences.set_index(["scenario", "kpi"]).loc[("no_early_close", "staffed_s"), "difference"]
    assert f"{saved / 3600:,.1f} h of scheduled agent time" in text
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    _assert_self_contained(html)
    assert "Conclusion" in html and "calendar" in html.lower()
    groups = json.loads(json.dumps(sorted(set(res["groups"]["group"]))))
    assert groups == ["after_red_day", "all_days", "early_close_days", "other_days"]


@pytest.mark.skipif(shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
                    reason="chromium is not installed")
def test_report_renders_in_a_headless_browser(small, tmp_path) -> None:
    _, path, _ = small
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    shot = tmp_path / "shot.png"
    done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                           "--window-size=1200,1600", path.as_uri()], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and shot.exists(), done.stderr[-500:]
    from PIL import Image

    pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert pixels.std() > 10, "the page rendered blank"


def test_report_states_the_scenarios_own_targets(tmp_path) -> None:
    """Targets come from the scenario, never from text written into the report."""
    over = ["staffing=flat", "demand.volume=300", "staffing.agents=6", "targets.threshold_s=60", "targets.availability_min=0.95"]
    cmp = compare({"base": sim.load_scenario("tiny", over)}, reps=2, seed=1, workers=1, levels=("day", "run"))
    text = comparison_report(cmp, tmp_path, run_time_s=1.0).read_text(encoding="utf-8")
    assert "availability &gt; 95 %" in text or "availability > 95 %" in text
    assert "wait ≤ 60 s" in text
    assert "availability > 91 %" not in text and "availability &gt; 91 %" not in text


def test_objective_sentence_reads_right_for_one_two_and_three_scenarios() -> None:
    from types import SimpleNamespace

    from sim.faces.report import _default_objectives

    one = _default_objectives(SimpleNamespace(labels=["default"], baseline="default", replications=20))
    assert one.startswith("Estimate the service agreement's KPIs") and "of the scenario default" in one
    assert "no alternative" not in one and "scenario(s)" not in one
    two = _default_objectives(SimpleNamespace(labels=["default", "close_1600"], baseline="default", replications=20))
    assert two.startswith("Compare the scenario close_1600 with the baseline default")
    three = _default_objectives(SimpleNamespace(labels=["a", "b", "c"], baseline="a", replications=20))
    assert three.startswith("Compare the scenarios b and c with the baseline a")


def test_opening_hours_wording_follows_the_period_studied(tmp_path) -> None:
    sys.path.insert(0, str(ROOT / "experiments"))
    try:
        import opening_hours
    finally:
        sys.path.remove(str(ROOT / "experiments"))
    year = sim.load_scenario("default", ["run=year_2027"])
    quarter = sim.load_scenario("default", ["run=year_2027", "run.end=2027-03-31"])
    assert opening_hours.span_words(year)[0] == "a year"
    assert opening_hours.span_words(quarter) == ("in the 90 days studied", "over the 90 days", "Whole period")


def test_the_scenario_in_words_has_case_work_in_sentences_and_no_command_settings() -> None:
    from sim.faces.scenario_words import describe_scenario

    off = describe_scenario(sim.load_scenario(overrides=["run.end=2026-12-01"]))
    assert "Case work: off (only phone calls are modelled)." in off
    assert not any(line.startswith(("roster:", "staff:", "output:", "cases:")) for line in off)
    assert "(1 day, 1 open day)" in off[0] and "1 days" not in " ".join(off)
    on = " ".join(describe_scenario(sim.load_scenario(overrides=["cases=on", "run.end=2026-12-01"])))
    assert "Case work: cases per day by channel" in on and "fault_report" in on and ", , " not in on


def test_the_callback_sentence_says_what_an_unanswered_attempt_costs() -> None:
    text = " ".join(describe_scenario(sim.load_scenario(overrides=["callbacks=on", "run.end=2026-12-01"])))
    s = sim.load_scenario(overrides=["callbacks=on"])
    assert f"an unanswered attempt costs the agent {s.callbacks.failed_attempt_s:g} s in all" in text


def test_every_group_of_the_scenario_is_worded_or_a_command_setting() -> None:
    # issue 23: resolution and capacity were dumped raw ("capacity: year = 2027, …, out_dir = …") in every report
    from sim.faces.scenario_words import COMMAND_FIELDS, CORE_FIELDS, FEATURES
    from sim.schema import Scenario

    groups = set(Scenario.model_fields)
    worded = CORE_FIELDS | set(FEATURES)
    assert groups - worded - COMMAND_FIELDS == set(), "a new group of the scenario needs wording (FEATURES) or COMMAND_FIELDS"
    assert not worded & COMMAND_FIELDS and not CORE_FIELDS & set(FEATURES)
    for overrides in ([], ["resolution=fcr70"], ["resolution=fcr70", "cases=on", "resolution.case_share=0.3"],
                      ["callbacks=on", "transfers=warm", "repeats=on", "cases=on"]):
        for lang in ("en", "sv"):
            with language(lang):
                lines = describe_scenario(sim.load_scenario(overrides=["run.end=2026-12-01", *overrides]))
            # "resolution: fcr = 1.0, delay_days.dist = exponential, …"
            raw = [x for x in lines if x.split(":")[0] in groups or re.search(r"[a-z_.]+ = [^,;]+, [a-z_.]+ = ", x)]
            assert raw == [], (overrides, lang)


def test_failure_demand_in_a_managers_words_and_command_settings_left_out() -> None:
    base = describe_scenario(sim.load_scenario(overrides=["run.end=2026-12-01"]))
    assert "First-contact resolution: not modelled (every answered call resolves the customer's matter)." in base
    on = describe_scenario(sim.load_scenario(overrides=["run.end=2026-12-01", "resolution=fcr70", "resolution.delay_days.mean=3"]))
    assert ("First-contact resolution 70 %: a customer whose matter the call does not resolve contacts the centre again after "
            "3 working days on average, up to 3 answered contacts per matter.") in on
    with language("sv"):
        sv = " ".join(describe_scenario(sim.load_scenario(overrides=["run.end=2026-12-01", "resolution=fcr70", "transfers=warm",
                                                                     "resolution.fcr={general: 0.8, technical: 0.6}"])))
    assert "Lösning vid första kontakten per ärendetyp general 80 %, technical 60 % (övriga ärendetyper 100 %)" in sv.replace("\xa0", " ")
    # a scenario that differs only in a command's settings (capacity's output folder, the replications) reads the same
    other = describe_scenario(sim.load_scenario(overrides=["run.end=2026-12-01", "capacity.out_dir=elsewhere", "capacity.year=2030",
                                                           "montecarlo.replications=7", "output.excel=sv"]))
    assert other == base

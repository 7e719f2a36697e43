"""The managers' page without a browser: inputs → validated scenarios, errors per field,
results folders, runs that resume and stop cleanly, and what the cards say."""

from __future__ import annotations

import dataclasses
import math
import re
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.faces.app import logic as L
from sim.faces.app.jobs import Job, chunks
from sim.faces.formats import fmt, fmt_diff
from sim.schema import Scenario


@pytest.fixture(scope="module")
def base() -> Scenario:
    return L.base_scenario("default")


@pytest.fixture(scope="module")
def week(base: Scenario) -> L.Choices:
    """The default scenario's inputs over one December week (Tue 1 - Mon 7), 4 replications."""
    return dataclasses.replace(L.choices_of(base), end="2026-12-07", replications=4)


def test_unchanged_inputs_give_the_base_scenario(base: Scenario) -> None:
    b = L.build(base, L.choices_of(base))
    assert b.ok
    assert b.variant == b.baseline
    assert b.baseline.model_dump(exclude={"montecarlo"}) == base.model_dump(exclude={"montecarlo"})


def test_closing_earlier_trims_the_staffing_table_at_the_same_clock_times(base: Scenario, week: L.Choices) -> None:
    b = L.build(base, dataclasses.replace(week, hours={**week.hours, "tue": "09:00-15:00"}))
    assert b.ok, b.errors
    v, old = b.variant.calendar.hours["tue"], base.staffing.table
    assert (f"{v.opens:%H:%M}", f"{v.closes:%H:%M}") == ("09:00", "15:00")
    row = old.get("tue", old.get("all"))
    assert b.variant.staffing.table["tue"] == row[2:14]  # 09:00 is the 3rd 30-minute interval, 15:00 ends the 14th
    assert b.variant.staffing.table.get("wed") == old.get("wed")
    assert b.baseline.calendar.hours["tue"] == base.calendar.hours["tue"]


def test_each_bad_value_is_reported_next_to_its_own_field(base: Scenario, week: L.Choices) -> None:
    cases = {
        "hours_mon": {"hours": {**week.hours, "mon": "8 to 5"}},
        "hours_fri": {"hours": {**week.hours, "fri": "08:00-18:00"}},  # outside the demand profile
        "early_close": {"early_close": "25:00"},
        "closures": {"closures": "2026-12-03 11:00-12:00 in the middle of the day"},
        "callbacks": {"callbacks_on": True, "accept_share": 1.5},
        "transfers": {"transfers": "sideways"},
        "staffing": {"staffing_mode": "agents", "staffing_delta": 1.5},
        "period": {"end": "2026-11-30"},
        "replications": {"replications": 1},
    }
    for fld, change in cases.items():
        b = L.build(base, dataclasses.replace(week, **change))
        assert not b.ok
        assert set(b.errors) == {fld}, (fld, b.errors)
        msg = b.errors[fld]
        assert "\n" not in msg and "Traceback" not in msg and len(msg) < 600
    b = L.build(base, dataclasses.replace(week, early_close="25:00", replications=0))
    assert set(b.errors) == {"early_close", "replications"}
    assert "calendar.early_close" in b.errors["early_close"]


def test_staffing_delta_in_agents_and_percent(base: Scenario, week: L.Choices) -> None:
    plus = L.build(base, dataclasses.replace(week, staffing_mode="agents", staffing_delta=2)).variant
    pct = L.build(base, dataclasses.replace(week, staffing_mode="percent", staffing_delta=-50)).variant
    for day, row in base.staffing.table.items():
        assert plus.staffing.table[day] == [v + 2 for v in row]
        assert pct.staffing.table[day] == [math.floor(v * 0.5 + 0.5) for v in row]  # half up, as the sweep rounds
    flat = L.base_scenario("tiny")
    ch = L.choices_of(flat)
    minus = L.build(flat, dataclasses.replace(ch, staffing_mode="agents", staffing_delta=-100)).variant
    assert minus.staffing.agents == 0


def test_callbacks_and_transfers_switch_on_with_the_shipped_settings(base: Scenario, week: L.Choices) -> None:
    v = L.build(base, dataclasses.replace(week, callbacks_on=True, accept_share=0.6, transfers="blind")).variant
    assert v.callbacks.enabled and v.callbacks.accept_share == 0.6
    assert v.transfers.policy == "blind" and "second_line" in v.transfers.groups
    assert any(c.transfer_to for c in v.transfers.case_types.values())


def test_closures_parse_whole_days_ranges_and_windows(base: Scenario, week: L.Choices) -> None:
    text = "2026-12-03 Utbildning\n2026-12-04..2026-12-05 team days\n2026-12-02 13:00-17:00 training"
    v = L.build(base, dataclasses.replace(week, closures=text)).variant
    assert [(str(c.start), str(c.end) if c.end else None, c.reason) for c in v.calendar.closures] == [
        ("2026-12-03", None, "Utbildning"), ("2026-12-04", "2026-12-05", "team days"), ("2026-12-02", None, "training")]
    counts = L.calendar_counts(v)
    assert counts == {"open": 2, "shortened": 1, "closed": 4}  # Tue 1 and Mon 7 open, Wed 2 short, Thu-Sun closed
    html = L.calendar_html({"x": v})
    assert 'data-date="2026-12-02"' in html and "13:00" in html and 'class="closed"' in html


def test_uploaded_staffing_is_size_limited_and_validated_like_a_scenario_file(base: Scenario, week: L.Choices, tmp_path: Path) -> None:
    big = b"weekday,interval_start,agents\n" + b"mon,08:00,5\n" * 10_000
    b = L.build(base, dataclasses.replace(week, staffing_mode="csv", staffing_csv=big), tmp_path)
    assert "bytes" in b.errors["staffing"] and not list(tmp_path.iterdir())
    bad = b"weekday,interval_start,agents\nmon,08:00,5\nmon,08:30,x\n"
    b = L.build(base, dataclasses.replace(week, staffing_mode="csv", staffing_csv=bad), tmp_path)
    assert "staffing.table_file" in b.errors["staffing"] and "agents" in b.errors["staffing"]
    rows = [f"all,{8 + i // 2:02d}:{30 * (i % 2):02d},9" for i in range(18)]
    good = ("weekday,interval_start,agents\n" + "\n".join(rows) + "\n").encode()
    b = L.build(base, dataclasses.replace(week, staffing_mode="csv", staffing_csv=good), tmp_path)
    assert b.ok, b.errors
    assert b.variant.staffing.table == {"all": [9] * 18} and b.variant.staffing.table_file is None
    stored = sorted(tmp_path.iterdir())  # by the content's hash, inside the uploads folder only
    assert len(stored) == 2 and all(re.fullmatch(r"[0-9a-f]{24}\.csv", p.name) and p.is_file() for p in stored)


def test_only_shipped_scenarios_can_be_a_base() -> None:
    assert "default" in L.base_names() and "close_1600" in L.base_names()
    with pytest.raises(L.ScenarioError, match="Unknown scenario"):
        L.base_scenario("../../etc/passwd")


def test_result_key_ignores_replications_and_name_but_not_the_model(base: Scenario, week: L.Choices) -> None:
    b4 = L.build(base, week)
    b8 = L.build(base, dataclasses.replace(week, replications=8))
    assert L.result_key(b4.baseline, 1) == L.result_key(b8.baseline, 1)
    assert L.result_key(b4.baseline, 1) != L.result_key(b4.baseline, 2)
    short = L.build(base, dataclasses.replace(week, hours={**week.hours, "tue": "08:00-16:00"})).variant
    assert L.result_key(short, 1) != L.result_key(b4.baseline, 1)


def test_chunks_grow_and_cover_every_replication() -> None:
    assert chunks(20) == [(0, 2), (2, 4), (4, 8), (8, 16), (16, 20)]
    assert chunks(1) == [(0, 1)]
    for n in (2, 3, 7, 50):
        got = [k for lo, hi in chunks(n) for k in range(lo, hi)]
        assert got == list(range(n))


@pytest.fixture(scope="module")
def tiny_pair() -> dict[str, Scenario]:
    tiny = L.base_scenario("tiny")
    ch = L.choices_of(tiny)
    b = L.build(tiny, dataclasses.replace(ch, hours={**ch.hours, "tue": "08:00-15:00"}, replications=6))
    assert b.ok, b.errors
    return {"baseline": b.baseline, "changed": b.variant}


def _wait(job: Job, timeout: float = 60) -> None:
    t0 = time.perf_counter()
    while job.running and time.perf_counter() - t0 < timeout:
        time.sleep(0.1)


def test_a_run_resumes_from_the_results_folder_and_matches_compare(tiny_pair: dict[str, Scenario], tmp_path: Path) -> None:
    from sim.study.compare import compare

    job = Job(tmp_path, tiny_pair, 6, workers=1)
    job.start()
    _wait(job)
    assert job.finished and job.error() is None
    cmp = job.comparison()
    ref = compare(tiny_pair, reps=6, workers=1)
    pd.testing.assert_frame_equal(cmp.table, ref.table)
    pd.testing.assert_frame_equal(cmp.differences, ref.differences)
    again = Job(tmp_path, tiny_pair, 6, workers=1)
    again.start()
    assert again.proc is None and again.finished  # nothing recomputed
    out = again.outputs()
    assert out is not None and (out / "report_en.html").is_file()
    table = pd.read_csv(out / "table.csv")
    sl = table[(table["scenario"] == "changed") & (table["kpi"] == "service_level")].iloc[0]
    card = next(c for c in L.cards(cmp) if c.kpi == "service_level")
    assert card.variant == fmt("service_level", sl["mean"])
    assert fmt("service_level", sl["mean"]) in (out / "report_en.html").read_text(encoding="utf-8")
    diff = pd.read_csv(out / "differences.csv")
    d = diff[(diff["scenario"] == "changed") & (diff["kpi"] == "service_level")].iloc[0]
    assert card.difference == fmt_diff("service_level", d["difference"])


def test_a_stopped_run_leaves_whole_replications_only(tiny_pair: dict[str, Scenario], tmp_path: Path) -> None:
    job = Job(tmp_path, tiny_pair, 200, workers=1)
    job.start()
    t0 = time.perf_counter()
    while job.total_done() < 3 and time.perf_counter() - t0 < 60:
        time.sleep(0.05)
    job.stop()
    assert not job.running and job.error() is None
    done = job.total_done()
    assert 3 <= done < job.total
    assert not list(tmp_path.rglob("*.tmp"))
    for f in tmp_path.rglob("rep_*.parquet"):
        assert len(pd.read_parquet(f)) > 0  # every file is a whole replication
    assert not (tmp_path / "compare").exists() and job.outputs() is None
    resumed = Job(tmp_path, tiny_pair, 200, workers=1)
    assert resumed.total_done() == done


def test_cards_and_sentences(tiny_pair: dict[str, Scenario], tmp_path: Path) -> None:
    job = Job(tmp_path, {"baseline": tiny_pair["baseline"], "changed": tiny_pair["baseline"]}, 3, workers=1)
    job.start()
    _wait(job)
    cmp = job.comparison()
    cs = {c.kpi: c for c in L.cards(cmp)}
    assert set(L.TARGET_KPIS) <= set(cs) and set(L.TIME_KPIS) <= set(cs)
    assert cs["service_level"].assessment == "identical"
    assert "the same in every replication" in cs["service_level"].sentence
    assert cs["service_level"].target == "> 90 %"
    assert "no clear effect" in L.headline(cmp)


def test_cards_include_any_other_kpi_judged_against_a_target() -> None:
    table = pd.DataFrame({"kpi": ["availability", "cases_on_time_share", "offered"], "target": ["> 91 %", "> 90 %", None]})
    kpis = L.card_kpis(table)
    assert kpis.index("cases_on_time_share") == len(L.TARGET_KPIS)  # after the agreement's call KPIs
    assert "offered" not in kpis and kpis[-len(L.TIME_KPIS):] == list(L.TIME_KPIS)


def test_an_upload_is_refused_by_its_size_before_it_is_read() -> None:
    L.check_upload_size(L.MAX_UPLOAD_BYTES)
    with pytest.raises(L.ScenarioError, match="at most 65,536 bytes"):
        L.check_upload_size(L.MAX_UPLOAD_BYTES + 1)


def test_a_second_run_on_the_same_folders_stops_the_first(tiny_pair: dict[str, Scenario], tmp_path: Path) -> None:
    first = Job(tmp_path, tiny_pair, 200, workers=1)
    first.start()
    t0 = time.perf_counter()
    while first.total_done() < 1 and time.perf_counter() - t0 < 60:
        time.sleep(0.05)
    second = Job(tmp_path, tiny_pair, 200, workers=1)
    second.start()
    assert first.stopped and not first.running and second.running
    second.stop()
    assert not list(tmp_path.rglob("*.tmp"))


def test_the_page_listens_on_this_computer_only_by_default() -> None:
    from sim.faces.app.serve import parser

    args = parser().parse_args([])
    assert args.host == "127.0.0.1" and args.results == "results/app"


def test_verdict_sentences_read_as_plain_language() -> None:
    d = pd.Series({"assessment": "saves", "difference": -3600.0 * 120, "ci_low": -3600.0 * 121, "ci_high": -3600.0 * 119})
    assert L.sentence("staffed_s", d, "changed", "baseline") == (
        "changed saves agent time compared with baseline (scheduled agent-hours): −120.0 h (95 % CI −121.0 h to −119.0 h), "
        "larger than the simulation noise.")
    d = pd.Series({"assessment": "worse", "difference": -0.0409, "ci_low": -0.0467, "ci_high": -0.035})
    assert L.sentence("service_level", d, "changed", "baseline").startswith("changed is worse than baseline on service level: −4.09 pp")
    d = pd.Series({"assessment": "no clear difference", "difference": -0.2, "ci_low": -0.8, "ci_high": 0.4})
    assert "includes zero" in L.sentence("aht_s", d, "changed", "baseline")


@pytest.mark.parametrize("name", L.base_names())
def test_every_shipped_scenario_can_be_the_page_s_start(name: str) -> None:
    base = L.base_scenario(name)
    ch = L.choices_of(base)
    assert L.build(base, ch).ok
    more = L.build(base, dataclasses.replace(ch, staffing_mode="agents", staffing_delta=1))
    assert more.ok, more.errors
    assert more.variant.staffing != more.baseline.staffing


@pytest.fixture(scope="module")
def december(base: Scenario) -> L.Choices:
    """The default scenario's inputs over December 2026 (Fridays 4, 11, 18 open, 25 Juldagen)."""
    return dataclasses.replace(L.choices_of(base), start="2026-12-01", end="2026-12-31", replications=4)


def test_changed_days_stand_out_in_the_calendar_and_are_counted(base: Scenario, december: L.Choices) -> None:
    b = L.build(base, dataclasses.replace(december, hours={**december.hours, "fri": "08:00-16:00"}))
    assert b.ok, b.errors
    counts = L.calendar_counts(b.variant, b.baseline)
    assert counts["changed"] == 3  # Fridays 4, 11 and 18; the 25th is closed in both
    assert L.calendar_counts(b.baseline, b.baseline)["changed"] == 0
    html = L.calendar_html({"baseline": b.baseline, "changed": b.variant})
    changed = re.findall(r'<td class="[a-z]+ changed"[^>]*data-date="([\d-]+)"', html)
    assert changed == ["2026-12-04", "2026-12-11", "2026-12-18"]
    cell = html[html.index('data-date="2026-12-11"', html.index("changed</h4>")):]
    assert cell.index("08:00–16:00") < cell.index("was 08:00–17:00") < cell.index("</td>")
    text = L.calendar_counts_text({"baseline": b.baseline, "changed": b.variant})
    assert text.endswith("; 3 with changed hours (outlined).") and text.count("regular") == 2


def test_the_changes_are_said_in_a_manager_s_words(base: Scenario, december: L.Choices) -> None:
    def said(**change: object) -> list[str]:
        b = L.build(base, dataclasses.replace(december, **change))
        assert b.ok, b.errors
        return L.changes_text(b.baseline, b.variant)

    week = {d: "08:00-16:00" for d in ("mon", "tue", "wed", "thu", "fri")}
    lines = said(hours={**december.hours, **week}, staffing_mode="agents", staffing_delta=-1)
    assert lines[0] == "Mon–Fri 08:00–17:00 → 08:00–16:00"
    assert lines[1].startswith("The staffing follows the new hours automatically") and "Fri −4.5" in lines[1]
    assert lines[2] == "One agent fewer on every interval"
    assert not any("staffing table" in x or "mean" in x for x in lines)
    assert said(staffing_mode="agents", staffing_delta=2) == ["2 agents more on every interval"]
    assert said(early_close_on=False) == [
        "No early closing before red days: 2 days in the period keep their regular hours and staffing"]
    assert said(early_close="16:00") == ["Day before a red day: the phones close at 16:00 instead of 15:00 (2 days in the period)"]
    assert said(closures="2026-12-02 13:00-17:00 training") == [
        "Closed 2 Dec 2026 13:00–17:00 (training); no agents are scheduled while closed"]
    assert said(callbacks_on=True, accept_share=0.5)[0].startswith("Callbacks offered: 50 % of the callers")
    assert said() == []


def test_results_of_previous_inputs_are_marked_as_such(base: Scenario, week: L.Choices) -> None:
    now = L.build(base, week)
    shown = {"baseline": now.baseline, "changed": now.variant}
    assert L.stale(now, None) is None  # nothing shown yet
    assert L.stale(now, shown) is None  # the results are of these inputs
    later = L.build(base, dataclasses.replace(week, hours={**week.hours, "fri": "08:00-16:00"}))
    assert L.stale(later, shown).startswith("Results of the previous inputs: the inputs have changed")
    bad = L.build(base, dataclasses.replace(week, early_close="25:00"))
    assert L.stale(bad, shown).startswith("Results of the previous inputs: some inputs are not valid")


def test_cards_say_what_the_verdicts_mean_and_keep_share_intervals_below_100_percent() -> None:
    import types

    table = pd.DataFrame([
        {"scenario": s, "kpi": "availability", "mean": m, "half_width": 0.12, "ci_low": m - 0.12, "ci_high": min(1.0, m + 0.12),
         "replications": 2, "target": "> 91 %", "verdict": "uncertain", "p_met": 1.0}
        for s, m in (("baseline", 0.955), ("changed", 0.954))
    ])
    diffs = pd.DataFrame([{"scenario": "changed", "kpi": "availability", "difference": -0.0007, "ci_low": -0.0012,
                           "ci_high": -0.0002, "half_width": 0.0005, "assessment": "worse", "practical": 0.005,
                           "practical_assessment": "no practical difference"}])
    cmp = types.SimpleNamespace(labels=["baseline", "changed"], table=table, differences=diffs, replications=2)
    card = L.cards(cmp, ["availability"])[0]  # type: ignore[arg-type]
    assert card.baseline_ci == "95 % CI 83.5 % to 100.0 % (cut at 100.0 %: a share cannot pass it)"
    assert card.baseline_p == "target met in 2 of 2 replications"
    assert card.assessment == "no practical difference" and card.statistical == "worse"
    assert "smaller than the 0.50 pp that matters in practice" in card.sentence
    assert "no clear effect that matters in practice" in L.headline(cmp)  # type: ignore[arg-type]  # not "worse on availability"


def test_the_page_keeps_its_temporary_files_in_the_results_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    from shiny._fileupload import FileUploadManager

    from sim.faces.app import jobs
    from sim.faces.app.server import make_app

    monkeypatch.setattr(tempfile, "tempdir", tempfile.tempdir)
    monkeypatch.setenv("TMPDIR", tempfile.gettempdir())
    try:
        make_app(tmp_path)
        assert Path(tempfile.gettempdir()).resolve() == (tmp_path / "tmp").resolve()
        uploads = Path(FileUploadManager()._basedir)  # where Shiny writes an upload before the page reads it
        assert uploads.resolve().is_relative_to(tmp_path.resolve())
    finally:
        jobs.stop_spare()


def test_cards_show_failure_demand_when_a_scenario_has_it(tiny_pair: dict[str, Scenario], tmp_path: Path) -> None:
    table = pd.DataFrame({"kpi": ["availability", "fcr"], "target": [None] * 2})
    assert not set(L.FAILURE_KPIS) & set(L.card_kpis(table))  # every matter resolved: no such cards
    assert set(L.FAILURE_KPIS) <= set(L.card_kpis(table, failure_demand=True))
    base = tiny_pair["baseline"]
    fd = base.model_copy(update={"resolution": base.resolution.model_copy(update={"fcr": 0.7})})
    job = Job(tmp_path, {"baseline": base, "changed": fd}, 2, workers=1)
    job.start()
    _wait(job)
    cs = {c.kpi: c for c in L.cards(job.comparison())}
    assert set(L.FAILURE_KPIS) <= set(cs)
    assert "%" in cs["fcr"].variant and cs["fcr"].variant != cs["fcr"].baseline, cs["fcr"]
    from sim.faces import i18n

    with i18n.language("sv"):  # one language per page: the scenarios' labels in Swedish too
        words = " ".join(c.sentence for c in L.cards(job.comparison())) + L.headline(job.comparison())
    assert "ändrat" in words.lower() and "changed" not in words.lower() and "baseline" not in words.lower(), words
    assert all(c.sentence[:1].isupper() for c in L.cards(job.comparison()))


@pytest.fixture(scope="module")
def failure_demand_on_one_side() -> dict[str, object]:
    """tiny without failure demand against tiny with resolution.fcr 0.7, both ways round."""
    from sim.study.compare import compare

    base = L.base_scenario("tiny")
    fd = base.model_copy(update={"resolution": base.resolution.model_copy(update={"fcr": 0.7})})
    return {"variant": compare({"baseline": base, "changed": fd}, reps=3, seed=5, workers=1, levels=("day", "run")),
            "baseline": compare({"baseline": fd, "changed": base}, reps=3, seed=5, workers=1, levels=("day", "run"))}


def test_a_failure_demand_card_says_which_scenario_models_it(failure_demand_on_one_side: dict) -> None:
    cmp = failure_demand_on_one_side["variant"]
    cs = {c.kpi: c for c in L.cards(cmp)}
    for kpi in L.FAILURE_KPIS:
        c = cs[kpi]
        assert c.baseline == "not modelled" and c.baseline_ci == "" and c.difference == "–", c
        assert c.assessment == "not compared" and "cannot be compared" not in c.sentence, c
        assert c.sentence.startswith("Failure demand is modelled in changed only"), c.sentence
        assert "in baseline every answered call is assumed to resolve the customer's matter at its first contact" in c.sentence
        assert "shown for changed only and not compared" in c.sentence and "compared as usual" in c.sentence
    assert "%" in cs["fcr"].variant and cs["fcr"].variant_ci
    assert "First-contact resolution is therefore shown" in cs["fcr"].sentence
    for kpi in (*L.TARGET_KPIS, *L.TIME_KPIS):  # the KPIs both have: compared as usual
        assert cs[kpi].assessment not in ("not compared", "n/a") and cs[kpi].baseline != "not modelled", cs[kpi]
    other = {c.kpi: c for c in L.cards(failure_demand_on_one_side["baseline"])}  # the baseline models it
    assert other["fcr"].variant == "not modelled" and "%" in other["fcr"].baseline
    assert other["fcr"].sentence.startswith("Failure demand is modelled in baseline only")


def test_the_failure_demand_card_in_swedish(failure_demand_on_one_side: dict) -> None:
    from sim.faces import i18n
    from sim.faces.app.server import card_html

    cmp = failure_demand_on_one_side["variant"]
    with i18n.language("sv"):
        card = next(c for c in L.cards(cmp) if c.kpi == "fcr")
        page = card_html(card)
    assert card.baseline == "modelleras inte" and card.sentence.startswith("Felefterfrågan modelleras bara i ändrat"), card
    assert "varje besvarat samtal lösa kundens ärende vid första kontakten" in card.sentence
    assert "jämförs inte" in page and "modelleras inte" in page and "not" not in card.sentence


def test_the_headline_does_not_say_a_scenario_misses_a_target_it_does_not_model() -> None:
    import sim
    from sim.study.compare import compare

    with_cases = sim.load_scenario("tiny", ["cases=on"])
    phones_only = sim.load_scenario("tiny")
    cmp = compare({"baseline": with_cases, "changed": phones_only}, reps=2, seed=5, workers=1, levels=("day", "run"))
    case_kpis = [k for k in L.card_kpis(cmp.table) if k.startswith("case") or k.startswith("within_target")]
    assert case_kpis, "the case-work targets are cards"
    text = L.headline(cmp)
    assert not any(L.title(k).lower() in text for k in case_kpis), text
    card = next(c for c in L.cards(cmp) if c.kpi == case_kpis[0])
    assert card.variant == "not modelled" and card.sentence.startswith("Case work is modelled in baseline only"), card


def test_the_page_can_model_failure_demand_in_the_changed_scenario() -> None:
    base = L.base_scenario("tiny")
    ch = L.choices_of(base)
    assert not ch.resolution_on and L.build(base, ch).variant == L.build(base, ch).baseline
    b = L.build(base, dataclasses.replace(ch, resolution_on=True, fcr=0.7))
    assert b.ok and b.baseline is not None and b.variant is not None, b.errors
    assert not b.baseline.resolution.enabled and b.variant.resolution.fcr == 0.7 and b.variant.resolution.max_contacts == 3
    assert L.changes_text(b.baseline, b.variant) == [
        "Failure demand: 70 % of answered calls resolve the customer's matter at the first contact; the others contact "
        "again (up to 3 contacts per matter)"]
    for bad in (1.0, 1.2, -0.1, None):
        errors = L.build(base, dataclasses.replace(ch, resolution_on=True, fcr=bad)).errors
        assert set(errors) == {"resolution"} and "resolution.fcr" in errors["resolution"], errors
    # starting from a scenario with failure demand: unchanged, a better FCR, or none
    fd = b.variant
    again = L.choices_of(fd)
    assert again.resolution_on and again.fcr == 0.7 and L.build(fd, again).variant == L.build(fd, again).baseline
    better = L.build(fd, dataclasses.replace(again, fcr=0.8))
    assert L.changes_text(better.baseline, better.variant) == ["First-contact resolution: 70 % → 80 %"]
    off = L.build(fd, dataclasses.replace(again, resolution_on=False))
    assert not off.variant.resolution.enabled  # type: ignore[union-attr]
    assert L.changes_text(off.baseline, off.variant) == [
        "No failure demand: every answered call is assumed to resolve the customer's matter"]

"""Swedish and English: every message of the page and the report has a Swedish translation
(English is the source language), numbers and dates follow the locale, and a report or page
is written in one language."""

from __future__ import annotations

import dataclasses
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import sim
from sim.errors import ScenarioError
from sim.faces import i18n
from sim.faces.formats import date_text, fmt, fmt_diff, fmt_p, target_text
from sim.faces.i18n import _, language, n_
from sim.scenario.variants import with_hours
from sim.study.compare import compare

NBSP = "\u00a0"


def _fields(text: str) -> set[str]:
    return {f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f is not None}


def _catalogue(lang: str) -> dict:
    with (i18n.CATALOGUES / f"{lang}.po").open("rb") as f:
        return {m.id: m for m in read_po(f) if m.id}


def untranslated(messages: list[tuple[object, str]], catalogue: dict) -> list[str]:
    """``where: message`` for each message without a usable translation: missing, empty,
    fuzzy, or with other ``{fields}`` than the English."""
    bad = []
    for msg, where in messages:
        entry = catalogue.get(msg)
        if entry is None or entry.fuzzy or not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
            bad.append(f"{where}: {msg!r} has no translation")
            continue
        ids = msg if isinstance(msg, tuple) else (msg,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if any(_fields(s) != _fields(ids[-1]) and _fields(s) != _fields(ids[0]) for s in strings):
            bad.append(f"{where}: {msg!r}: the translation's fields differ from {sorted(_fields(ids[-1]))}")
    return bad


def test_every_message_has_a_swedish_translation_with_the_same_fields() -> None:
    messages = i18n.extract_messages()
    assert len(messages) > 300  # the extractor sees the page's and the report's words
    bad = untranslated(messages, _catalogue("sv"))
    assert not bad, "run `python -m sim.faces.i18n` and translate in sim/faces/locale/sv.po:\n" + "\n".join(bad)


def test_the_catalogue_holds_no_message_the_code_no_longer_uses() -> None:
    used = {msg for msg, _where in i18n.extract_messages()}
    assert set(_catalogue("sv")) - used == set()


def test_a_missing_translation_fails_the_check(tmp_path: Path) -> None:
    messages = i18n.extract_messages()
    cat = _catalogue("sv")
    victim = next(m for m, _w in messages if m == "Results against the targets")
    del cat[victim]
    assert untranslated(messages, cat) == [next(f"{w}: {victim!r} has no translation" for m, w in messages if m == victim)]
    cat = _catalogue("sv")
    cat["Patience: {patience}."].string = "Tålamod: {tålamod}."  # a renamed field would raise KeyError at run time
    assert any("fields differ" in b for b in untranslated(messages, cat))


def test_english_is_the_source_and_swedish_is_read_from_the_catalogue() -> None:
    assert _("Results against the targets") == "Results against the targets"
    with language("sv"):
        assert _("Results against the targets") == "Resultat mot målen"
        assert n_("{n} day", "{n} days", 1).format(n=1) == "1 dag"
        assert n_("{n} day", "{n} days", 3).format(n=3) == "3 dagar"
        with language("en"):
            assert _("Results against the targets") == "Results against the targets"
        assert i18n.current() == "sv"
    assert i18n.current() == "en"
    with pytest.raises(ScenarioError, match="allowed: sv, en"):
        i18n.check_language("de")


def test_numbers_percentages_and_dates_follow_the_locale() -> None:
    import datetime as dt

    with language("sv"):
        assert fmt("service_level", 0.97654) == f"97,7{NBSP}%"
        assert fmt("staffed_s", 1234.5 * 3600) == f"1{NBSP}234,5 h"
        assert fmt("asa_s", 12.34) == "12,3 s"
        assert fmt("offered", 12345) == f"12{NBSP}345"
        assert fmt_diff("service_level", -0.01234) == "−1,23 p.e."
        assert fmt_diff("asa_s", 4.5) == "+4,5 s"
        assert fmt_p(0.5) == f"50{NBSP}%"
        assert target_text("> 91.5 %") == f"> 91,5{NBSP}%"
        assert date_text(dt.date(2026, 12, 1)) == "1 dec. 2026"
    assert fmt("service_level", 0.97654) == "97.7 %"
    assert fmt("staffed_s", 1234.5 * 3600) == "1,234.5 h"
    assert fmt_diff("service_level", -0.01234) == "−1.23 pp"
    assert fmt_diff("service_level", -0.0) == "+0.00 pp"
    assert target_text("> 91.5 %") == "> 91.5 %"
    assert date_text(dt.date(2026, 12, 1)) == "1 Dec 2026"


# --------------------------------------------------------------------------- the report


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    scenarios = {
        "base": sim.load_scenario("tiny", ["staffing=flat", "demand.volume=400", "staffing.agents=8"]),
        "plus two": sim.load_scenario("tiny", ["staffing=flat", "demand.volume=400", "staffing.agents=10"]),
    }
    cmp = compare(scenarios, reps=2, seed=4, workers=1, levels=("day", "run"))
    out = tmp_path_factory.mktemp("lang")
    return {lang: cmp_report(cmp, out, lang) for lang in ("sv", "en")}


def cmp_report(cmp, out: Path, lang: str) -> str:
    from sim.faces.report import comparison_report

    return comparison_report(cmp, out, filename=f"report_{lang}.html", lang=lang).read_text(encoding="utf-8")


_TAGS = re.compile(r"<(h1|h2|h3|th|caption|figcaption)[^>]*>(.*?)</\1>", re.S)


def _headings(html: str) -> set[str]:
    return {re.sub(r"<[^>]+>", "", m.group(2)).strip() for m in _TAGS.finditer(html)}


def test_the_swedish_report_has_decimal_commas_and_swedish_words_only(reports: dict[str, str]) -> None:
    sv, en = reports["sv"], reports["en"]
    assert '<html lang="sv">' in sv
    assert re.search(rf"\d+,\d{NBSP}%", sv) and not re.search(r"\d+\.\d %", sv)
    for words in ("Resultat mot målen", "Skillnader mot utgångsläget", "tillgänglighet (besvarade / inkommande)",
                  "Öppettider:", "svenska helgdagar", "STRESS-DES 2 · Modellens logik", "uppfyller"):
        assert words in sv, words
    shared = _headings(sv) & _headings(en)
    assert shared <= {"base", "plus two", "plus two − base", "", "definition", "version"}, shared  # names; same words in both
    for english in ("Results against the targets", "Differences to the baseline", "Opening hours:", " the ", "generated"):
        assert english not in sv, english


def test_the_english_report_has_decimal_points_and_no_swedish_words(reports: dict[str, str]) -> None:
    en = reports["en"]
    assert '<html lang="en">' in en
    assert re.search(r"\d+\.\d %", en) and not re.search(rf"\d+,\d{NBSP}%", en)
    for words in ("Results against the targets", "Differences to the baseline", "Swedish public holidays"):
        assert words in en, words
    for swedish in ("Resultat", "utgångsläge", "tillgänglighet", "replikering", " och ", "p.e."):
        assert swedish not in en, swedish


def test_sim_report_takes_the_language(tmp_path: Path) -> None:
    from sim.faces.report import main

    with pytest.raises(SystemExit) as exc:
        main([str(tmp_path), "--lang", "de"])
    assert exc.value.code == 2


# --------------------------------------------------------------------------- the page's logic


def test_the_page_s_words_holidays_and_numbers_are_in_its_language() -> None:
    from sim.faces.app import logic as L

    base = L.base_scenario("default")
    ch = dataclasses.replace(L.choices_of(base), start="2026-12-01", end="2026-12-31", replications=4,
                             hours={**L.choices_of(base).hours, "fri": "08:00-16:00"})
    b = L.build(base, ch)
    assert b.ok, b.errors
    scen = {"baseline": b.baseline, "changed": b.variant}
    with language("sv"):
        cal, changes = L.calendar_html(scen), L.changes_text(b.baseline, b.variant)
        counts = L.calendar_counts_text(scen)
    assert "Juldagen" in cal and "Christmas Day" not in cal and "december 2026" in cal and ">mån<" in cal
    assert "dagen före Julafton" in cal and "day before" not in cal
    assert changes[0] == "fre 08:00–17:00 → 08:00–16:00"
    assert counts.startswith("utgångsläge:") and "vanliga" in counts
    cal_en = L.calendar_html(scen)
    assert "Christmas Day" in cal_en and "Juldagen" not in cal_en and "December 2026" in cal_en and ">Mon<" in cal_en
    assert L.changes_text(b.baseline, b.variant)[0] == "Fri 08:00–17:00 → 08:00–16:00"
    assert with_hours(b.baseline.model_dump(mode="json"), {**ch.hours, "sat": "stängt"})["calendar"]["hours"]["sat"] is None


def test_every_assessment_of_a_difference_has_swedish_words() -> None:
    """Each word ``sim.analysis.paired`` can give a difference (by every KPI's direction: better,
    worse, higher, lower, saves, costs more …) is translated in a Swedish report and on the page
    ("higher"/"lower" stood in English in the Swedish report for offered calls and occupancy)."""
    import math

    from sim.analysis.paired import NO_PRACTICAL, _assess
    from sim.catalogue import CATALOGUE
    from sim.faces.i18n import language
    from sim.faces.report import verdict_text

    words = {NO_PRACTICAL}
    for entry in CATALOGUE:
        for lo, hi, diff, sd in ((1.0, 2.0, 1.5, 1.0), (-2.0, -1.0, -1.5, 1.0), (-1.0, 1.0, 0.1, 1.0), (0.0, 0.0, 0.0, 0.0),
                                 (math.nan, math.nan, math.nan, math.nan)):
            words.add(_assess(entry.name, lo, hi, diff, sd))
    with language("sv"):
        untranslated = sorted(w for w in words if verdict_text(w) == w)
    assert {"higher", "lower", "better", "worse"} <= words and untranslated == [], untranslated

"""The managers' page in a real browser: headless system Chromium driven by Playwright.

``python -m sim.app`` is started on a free port with a temporary results folder. The runs are
small (one December week, a few replications) so that the whole file takes well under two
minutes. Without Chromium the tests are skipped on a developer's machine and fail in CI
(environment variable ``CI`` set; ``.ci/run`` installs Chromium when it is missing).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[2]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: CI must install it (apt-get install -y chromium, see .ci/run)", pytrace=False)
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); CI runs these tests", allow_module_level=True)

from playwright.sync_api import Page, sync_playwright  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    results = tmp_path_factory.mktemp("app_results")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    proc = subprocess.Popen([sys.executable, "-m", "sim.app", "--port", str(port), "--results", str(results), "--workers", "2"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        t0 = time.perf_counter()
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - t0 > 60:
                    out = proc.stdout.read().decode() if proc.stdout else ""
                    pytest.fail(f"sim.app did not start: {out}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/", results
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: object, server: tuple[str, Path]) -> Iterator[Page]:
    pg = browser.new_page(accept_downloads=True)  # type: ignore[attr-defined]
    pg.goto(server[0] + "?lang=en")  # these tests read the English words; test_the_page_in_swedish the Swedish ones
    pg.wait_for_selector("#hours_mon")
    pg.fill("#end", "2026-12-07")  # Tue 1 .. Mon 7 December
    pg.fill("#reps", "4")
    yield pg
    pg.close()


def _run(pg: Page, timeout_ms: int = 60_000) -> dict[str, str]:
    before = int(pg.get_attribute("#run-status", "data-run") or 0) if pg.query_selector("#run-status") else 0
    pg.wait_for_timeout(700)  # let Shiny send the last input changes before the click
    pg.click("#run")
    pg.wait_for_selector(f"#run-status[data-run='{before + 1}'][data-state=finished]", timeout=timeout_ms)
    pg.wait_for_selector(f"#kpi-cards[data-replications='{pg.input_value('#reps')}']", timeout=timeout_ms)
    return _card(pg, "service_level")


def _card(pg: Page, kpi: str) -> dict[str, str]:
    card = f"[data-kpi={kpi}]"
    return {
        "baseline": pg.inner_text(f"{card} tr.baseline .value"),
        "changed": pg.inner_text(f"{card} tr.changed .value"),
        "difference": pg.inner_text(f"{card} .diff"),
        "assessment": pg.inner_text(f"{card} .assessment"),
    }


def test_changing_the_closing_time_updates_the_kpis_and_the_difference(page: Page) -> None:
    external = re.findall(r'(?:src|href)="(?:https?:)?//[^"]*"', page.content())
    assert not external, external  # nothing is fetched from the internet
    run = page.locator("#run").bounding_box()
    assert run is not None and run["y"] + run["height"] <= page.viewport_size["height"]  # no scrolling to find it
    assert page.query_selector("text=Queue time by time of day") is None  # no empty result headings before a run
    same = _run(page)
    assert same["assessment"] == "identical" and same["baseline"] == same["changed"]
    for day in ("tue", "wed", "thu", "fri", "mon"):
        page.fill(f"#hours_{day}", "08:00-15:00")
    stale = page.wait_for_selector("#stale", timeout=10_000)  # the shown results are of the old inputs
    assert stale.inner_text().startswith("Results of the previous inputs")
    assert float(page.eval_on_selector("#results", "e => getComputedStyle(e).opacity")) < 0.5  # greyed out
    # Tue 1 - Fri 4 and Mon 7 close at 15:00 instead of 17:00: outlined in the changed calendar
    page.wait_for_function("document.querySelectorAll('td.changed').length == 5", timeout=10_000)
    assert "5 with changed hours" in page.inner_text("#calendar-counts")
    changed = _run(page)
    assert page.query_selector("#stale") is None
    assert float(page.eval_on_selector("#results", "e => getComputedStyle(e).opacity")) == 1
    assert changed["baseline"] == same["baseline"]  # same baseline, same seeds: reused from the results folder
    assert changed["changed"] != same["changed"]
    assert changed["assessment"] == "worse" and changed["difference"].startswith("−")
    hours = _card(page, "staffed_s")
    assert hours["assessment"] == "saves"
    assert "Tue–Mon 08:00–17:00 → 08:00–15:00" not in page.inner_text("#changes")
    assert "Mon–Fri 08:00–17:00 → 08:00–15:00" in page.inner_text("#changes")
    # the plots render after the cards (each in its own output): wait for them rather than race them
    assert page.wait_for_selector("text=Queue time by time of day", timeout=60_000) is not None


def test_a_bad_value_shows_the_message_next_to_the_field(page: Page, server: tuple[str, Path]) -> None:
    page.fill("#early_time", "25:00")
    err = page.wait_for_selector("#error-early_close", timeout=10_000)
    assert "calendar.early_close" in err.inner_text() and "HH:MM" in err.inner_text()
    page.fill("#hours_mon", "8 to 5")
    assert "calendar.hours.mon" in page.wait_for_selector("#error-hours_mon", timeout=10_000).inner_text()
    assert "Traceback" not in page.content()
    page.wait_for_timeout(500)
    page.click("#run")
    page.wait_for_selector(".shiny-notification-error", timeout=10_000)  # nothing runs
    assert page.query_selector("#kpi-cards") is None
    page.fill("#early_time", "15:00")
    page.fill("#hours_mon", "08:00-17:00")
    page.wait_for_selector("#error-early_close", state="detached", timeout=10_000)
    page.wait_for_selector("#error-hours_mon", state="detached", timeout=10_000)
    page.check("input[name=staff_mode][value=csv]")
    assert "No staffing file uploaded" in page.wait_for_selector("#error-staffing", timeout=10_000).inner_text()
    bad = b"weekday,interval_start,agents\nmon,08:00,5\nmon,08:30,many\n"
    page.set_input_files("#staff_file", files=[{"name": "team.csv", "mimeType": "text/csv", "buffer": bad}])
    page.locator("#error-staffing", has_text="many").wait_for(timeout=10_000)  # the loader's message
    assert "staffing.table_file" in page.inner_text("#error-staffing")
    # Shiny wrote the upload inside the results folder (its temporary folder is there), not in /tmp
    assert [p.name for p in (server[1] / "tmp").glob("fileupload-*/*/*")] == ["0.csv"]


def test_the_downloaded_report_and_tables_match_the_page(page: Page) -> None:
    page.fill("#hours_fri", "08:00-16:00")
    page.check("#callbacks_on")
    shown = _run(page)
    avail = _card(page, "availability")
    with page.expect_download() as dl:
        page.click("#dl_report")
    report = Path(dl.value.path()).read_text(encoding="utf-8")
    assert "<script" not in report.lower()
    for text in (shown["baseline"], shown["changed"], shown["difference"], avail["changed"], avail["difference"]):
        assert text in report, text
    with page.expect_download() as dl:
        page.click("#dl_table")
    table = pd.read_csv(dl.value.path())
    from sim.faces.formats import fmt

    sl = table[(table["scenario"] == "changed") & (table["kpi"] == "service_level")]["mean"].iloc[0]
    assert fmt("service_level", sl) == shown["changed"]
    assert int(table["replications"].iloc[0]) == 4


def test_the_progress_bar_moves_and_a_stopped_run_leaves_no_half_written_results(page: Page, server: tuple[str, Path]) -> None:
    results = server[1]
    page.fill("#end", "2026-12-14")
    page.fill("#reps", "200")
    page.fill("#hours_thu", "09:00-17:00")
    page.wait_for_timeout(700)
    page.click("#run")
    seen: list[int] = []
    t0 = time.perf_counter()
    while len(set(seen)) < 3 and time.perf_counter() - t0 < 60:
        status = page.query_selector("#run-status[data-state=running]")
        if status:
            seen.append(int(page.get_attribute("#run-progress", "value") or 0))
        page.wait_for_timeout(150)
    assert len(set(seen)) >= 3 and seen == sorted(seen), seen  # the bar moves forward
    page.click("#stop")
    page.wait_for_selector("#run-status[data-state=stopped]", timeout=15_000)
    done = int(page.get_attribute("#run-status", "data-done") or 0)
    assert 0 < done < 400
    assert not list(results.rglob("*.tmp"))
    reps = list(results.rglob("rep_*.parquet"))
    assert reps and all(len(pd.read_parquet(f)) > 0 for f in reps)
    assert not any((results / "compare").glob("*")) or all(
        list(d.glob("report_*.html")) for d in (results / "compare").iterdir())  # only finished comparisons
    assert re.search(r"Stopped: \d+ of 400", page.inner_text("#run-status"))
    assert page.query_selector("#dl_report") is None  # no download of a stopped run
    page.click("#run")  # the kept replications are reused: the new run starts where the old one stopped
    page.wait_for_selector("#run-status[data-run='2']", timeout=15_000)
    assert int(page.get_attribute("#run-status", "data-done") or 0) >= done
    page.click("#stop")
    page.wait_for_selector("#run-status[data-state=stopped]", timeout=15_000)


def test_the_page_opens_in_swedish_and_switches_to_english(browser: object, server: tuple[str, Path]) -> None:
    pg = browser.new_page(accept_downloads=True)  # type: ignore[attr-defined]
    try:
        pg.goto(server[0])  # no ?lang: Swedish, the managers' language
        pg.wait_for_selector("#hours_mon")
        assert pg.get_attribute("html", "lang") == "sv"
        assert pg.get_attribute("#lang-switch", "data-lang") == "sv"
        side = pg.inner_text(".sidebar")
        assert "Öppettider" in side and "Kör jämförelsen" in side and "Opening hours" not in side
        pg.fill("#end", "2026-12-31")
        pg.fill("#hours_fri", "08:00-16:00")
        pg.fill("#reps", "2")
        pg.wait_for_selector("td.changed", timeout=10_000)
        cal = pg.inner_text("#calendar") if pg.query_selector("#calendar") else pg.content()
        assert "Juldagen" in cal and "december 2026" in cal and "Christmas" not in cal
        assert "fre 08:00–17:00 → 08:00–16:00" in pg.inner_text("#changes")
        pg.wait_for_timeout(700)
        pg.click("#run")
        pg.wait_for_selector("#run-status[data-state=finished]", timeout=90_000)
        pg.wait_for_selector("#kpi-cards[data-replications='2']", timeout=60_000)
        card = "[data-kpi=service_level]"
        value = pg.inner_text(f"{card} tr.changed .value")
        assert re.fullmatch(r"\d{1,3},\d\s%", value), value  # decimal comma, space before %
        assert "p.e." in pg.inner_text(f"{card} .diff") or pg.inner_text(f"{card} .diff").endswith("p.e.")
        text = pg.inner_text("#results")
        assert "replikeringar" in text and "utgångsläge" in text and "replications" not in text
        with pg.expect_download() as dl:
            pg.click("#dl_report")
        report = Path(dl.value.path()).read_text(encoding="utf-8")
        assert '<html lang="sv">' in report and "Resultat mot målen" in report and value in report
        pg.click("#lang-en")  # the switch: the same page in English
        pg.wait_for_selector("#hours_mon")
        assert pg.get_attribute("html", "lang") == "en"
        assert "Opening hours" in pg.inner_text(".sidebar") and "Öppettider" not in pg.inner_text(".sidebar")
    finally:
        pg.close()


def test_failure_demand_in_the_changed_scenario_only_is_shown_for_it_alone(page: Page) -> None:
    page.check("#resolution_on")
    page.fill("#fcr", "0.7")
    page.wait_for_function("document.querySelector('#changes').innerText.includes('Failure demand: 70 %')", timeout=10_000)
    sl = _run(page)
    assert sl["assessment"] != "not compared" and sl["baseline"] != "not modelled"  # the KPIs both have: compared
    assert "cannot be compared" not in page.inner_text("#results")
    fcr = _card(page, "fcr")
    assert fcr["baseline"] == "not modelled" and fcr["changed"].endswith("%") and fcr["assessment"] == "not compared", fcr
    sentence = page.inner_text("[data-kpi=fcr] .sentence")
    assert sentence.startswith("Failure demand is modelled in changed only") and "assumed to resolve" in sentence

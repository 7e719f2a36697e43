"""The page's server (Shiny for Python): reads the inputs, shows errors next to the fields,
starts, polls and stops runs (:class:`sim.faces.app.jobs.Job`) and renders the results with
the helpers of :mod:`sim.faces.app.logic`, :mod:`sim.faces.plots` and
:mod:`sim.faces.report` (the numbers are formatted as the downloadable report formats them).

:func:`make_app` builds the application; ``python -m sim.app`` serves it.
"""

from __future__ import annotations

import asyncio
import base64
import html
import io
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from shiny import App, Inputs, Outputs, Session, reactive, render, ui

from sim.errors import ScenarioError
from sim.faces.app import words as W
from sim.faces.app.jobs import Job, prewarm, report_name
from sim.faces.app.layout import page
from sim.faces.app.logic import (
    FIELDS,
    Built,
    Card,
    Choices,
    base_names,
    base_scenario,
    build,
    calendar_counts_text,
    calendar_html,
    changes_text,
    check_upload_size,
    choices_of,
    legend,
    stale,
)
from sim.faces.app.logic import (
    cards as make_cards,
)
from sim.faces.app.logic import (
    headline as headline_text,
)
from sim.faces.formats import number
from sim.faces.i18n import LANGUAGES, N_, _, check_language, language
from sim.faces.report import verdict_text
from sim.schema import WEEKDAYS
from sim.study.compare import Comparison

POLL_S = 0.4
PLOT_EVERY_S = 8.0
"""While a run goes on, the plots are redrawn at most this often (the cards at every poll)."""
_PLOTTER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sim-app-plots")
"""Plots are drawn off the event loop (one at a time: pyplot is not thread-safe), so that the
page stays responsive while matplotlib works."""
DOWNLOADS: dict[str, str] = {
    "report": "report.html", "table": "table.csv", "differences": "differences.csv",
    "daily": "daily.csv", "intraday": "intraday.csv",
}
"""Download id → file of the finished comparison's folder."""

LABELS = (N_("baseline"), N_("changed"))
"""The two scenarios' labels (data keys; shown translated)."""
DEFAULT_LANGUAGE = "sv"
"""The page's language when the address names none: its users are Swedish managers."""


def page_language(search: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The language of ``?lang=sv|en`` in a page address's query (``default`` when absent or unknown)."""
    values = parse_qs(str(search or "").lstrip("?")).get("lang", [])
    return values[0] if values and values[0] in LANGUAGES else default


def _draw(draw: Callable[[io.BytesIO], Any]) -> str:
    buf = io.BytesIO()
    draw(buf)
    return base64.b64encode(buf.getvalue()).decode("ascii")


async def _png(draw: Callable[[io.BytesIO], Any], replications: int) -> ui.Tag:
    data = await asyncio.get_running_loop().run_in_executor(_PLOTTER, _draw, draw)
    return ui.tags.img(src=f"data:image/png;base64,{data}", **{"data-replications": str(replications)})


def card_html(c: Card, labels: tuple[str, str] = LABELS) -> str:
    """One KPI card as HTML (``data-kpi`` and the classes are what the browser tests read)."""
    e = html.escape

    def side(name: str, value: str, ci: str, p: str, verdict: str) -> str:
        tip = _(W.VERDICT_TIPS[verdict]) if verdict in W.VERDICT_TIPS else ""
        v = (f' <span class="{e(verdict)}" data-verdict="{e(verdict)}" title="{e(tip)}">{e(verdict_text(verdict))}</span>'
             if verdict else "")
        met = f'<br><span class="small met" title="{e(_(W.MET_IN_TIP))}">{e(p)}</span>' if p else ""
        return (f'<tr class="{e(name)}"><td>{e(_(name))}</td><td><span class="value">{e(value)}</span>{v}<br>'
                f'<span class="small">{e(ci)}</span>{met}</td></tr>')

    cls = "better" if c.assessment in ("better", "saves") else ("worse" if c.assessment in ("worse", "costs more") else "small")
    stat = (f' <span class="small statistical">({e(_(W.STATISTICALLY).format(a=verdict_text(c.statistical)))})</span>'
            if c.statistical else "")
    target, difference = _("target"), _("difference")
    return (
        f'<div class="kpi-card" data-kpi="{e(c.kpi)}"><h4>{e(c.title)}</h4>'
        + (f'<div class="target">{e(target)} {e(c.target)}</div>' if c.target else "")
        + "<table>" + side(labels[0], c.baseline, c.baseline_ci, c.baseline_p, c.baseline_verdict)
        + side(labels[1], c.variant, c.variant_ci, c.variant_p, c.variant_verdict)
        + f'<tr class="difference"><td>{e(difference)}</td><td><span class="value diff">{e(c.difference)}</span> '
        f'<span class="{cls} assessment" data-assessment="{e(c.assessment)}">{e(verdict_text(c.assessment))}</span>{stat}<br>'
        f'<span class="small">{e(c.difference_ci)}</span></td></tr>'
        + f'</table><div class="sentence">{e(c.sentence)}</div></div>'
    )


def keep_temporary_files_in(root: Path) -> Path:
    """Point this process's (and its children's) temporary folder into ``root/tmp``: Shiny
    writes an upload there before the page reads it, so nothing lands outside the results
    folder."""
    tmp = Path(root) / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    tempfile.tempdir = str(tmp)
    os.environ["TMPDIR"] = str(tmp)
    return tmp


def make_app(root: Path, base: str = "default", workers: int | None = None, lang: str = DEFAULT_LANGUAGE) -> App:
    """The Shiny application; results go to ``root`` (``runs/``, ``compare/``, ``uploads/``).
    The page opens in ``lang`` (``sv``/``en``) unless its address says ``?lang=…``."""
    root = Path(root).resolve()
    lang = check_language(lang)
    names = base_names()
    if base not in names:
        raise ScenarioError(f"Unknown scenario {base!r}; choose one of {', '.join(names)}.")
    initial = choices_of(base_scenario(base))
    keep_temporary_files_in(root)
    prewarm(root)

    def server(input: Inputs, output: Outputs, session: Session) -> None:  # noqa: A002 - Shiny's name
        @reactive.calc
        def page_lang() -> str:
            return page_language(input[".clientdata_url_search"](), lang)

        @contextmanager
        def words() -> Iterator[str]:
            """The page's language for one render (every render of a session writes in it)."""
            with language(page_lang()) as code:
                yield code

        job: reactive.Value[Job | None] = reactive.Value(None)
        runs = [0]  # runs started in this session (shown as data-run, for the browser tests)
        plotted: list[Any] = [0.0, None]  # when the plots were last redrawn, and for which run
        state: reactive.Value[tuple[Any, ...]] = reactive.Value(())
        plot_state: reactive.Value[tuple[Any, ...]] = reactive.Value(())  # follows state one flush later

        def upload() -> bytes | None:
            files = input.staff_file()
            if not files:
                return None
            info = files[0]
            check_upload_size(int(info.get("size", 0)))  # before reading it
            return Path(info["datapath"]).read_bytes()

        def choices() -> Choices:
            mode = input.staff_mode()
            return Choices(
                hours={d: input[f"hours_{d}"]() for d in WEEKDAYS},
                early_close_on=bool(input.early_on()), early_close=input.early_time(),
                closures=input.closures(), callbacks_on=bool(input.callbacks_on()), accept_share=input.accept_share(),
                transfers=input.transfers(), resolution_on=bool(input.resolution_on()), fcr=input.fcr(),
                staffing_mode=mode, staffing_delta=input.staff_delta(),
                staffing_csv=upload() if mode == "csv" else None,
                start=input.start(), end=input.end(), replications=input.reps(),
            )

        @reactive.calc
        def built() -> Built:
            try:
                scenario = base_scenario(input.base())
            except ScenarioError as exc:
                return Built(None, None, {"base": str(exc)})
            try:
                ch = choices()
            except ScenarioError as exc:  # an uploaded file that is too large
                return Built(None, None, {"staffing": str(exc)})
            return build(scenario, ch, root / "uploads")

        @reactive.effect
        @reactive.event(input.base, ignore_init=True)
        def _base_changed() -> None:
            try:
                ch = choices_of(base_scenario(input.base()))
            except ScenarioError:
                return
            with words():
                for d in WEEKDAYS:
                    ui.update_text(f"hours_{d}", value=_(ch.hours[d]) if ch.hours[d] == "closed" else ch.hours[d])
            ui.update_checkbox("early_on", value=ch.early_close_on)
            ui.update_text("early_time", value=ch.early_close)
            ui.update_text_area("closures", value=ch.closures)
            ui.update_checkbox("callbacks_on", value=ch.callbacks_on)
            ui.update_numeric("accept_share", value=ch.accept_share)
            ui.update_radio_buttons("transfers", selected=ch.transfers)
            ui.update_checkbox("resolution_on", value=ch.resolution_on)
            ui.update_numeric("fcr", value=ch.fcr)
            ui.update_text("start", value=ch.start)
            ui.update_text("end", value=ch.end)
            ui.update_numeric("reps", value=ch.replications)

        def error_slot(name: str) -> None:
            @output(id=f"err_{name}")
            @render.ui
            def _slot() -> ui.Tag | None:
                msg = built().errors.get(name)
                return ui.div(msg, class_="field-error", id=f"error-{name}") if msg else None

        for name in FIELDS:
            error_slot(name)

        @reactive.effect
        @reactive.event(input.run)
        def _run() -> None:
            b = built()
            if not b.ok or b.baseline is None or b.variant is None:
                with words():
                    ui.notification_show(_("Fix the fields marked in red first."), type="error", duration=4)
                return
            old = job.get()
            if old is not None and old.running:
                old.stop()
            j = Job(root, dict(zip(LABELS, (b.baseline, b.variant), strict=True)), b.replications, workers=workers)
            j.start()
            runs[0] += 1
            job.set(j)

        @reactive.effect
        @reactive.event(input.stop)
        def _stop() -> None:
            j = job.get()
            if j is not None and j.running:
                j.stop()

        @reactive.effect
        def _poll() -> None:
            j = job()
            if j is None:
                return
            running = j.running
            snap = (id(j), j.total_done(), j.total, running, j.finished, j.stopped, j.error())
            with reactive.isolate():
                changed = snap != state.get()
                if changed:
                    state.set(snap)  # cards and progress now, the slower plots in the next flush
                elif plot_state.get() != snap and (not running or plotted[1] != id(j)
                                                   or time.perf_counter() - plotted[0] >= PLOT_EVERY_S):
                    plotted[:] = [time.perf_counter(), id(j) if j.comparison() is not None else None]
                    plot_state.set(snap)
            if changed:
                reactive.invalidate_later(0.05)
            elif running:
                reactive.invalidate_later(POLL_S)
            else:
                prewarm(root)  # a worker for the next run, started while nothing runs

        def _ended() -> None:
            with reactive.isolate():
                j = job.get()
            if j is not None and j.running:
                j.stop()

        session.on_ended(_ended)

        @reactive.calc
        def comparison() -> Comparison | None:
            state()
            j = job.get()
            return j.comparison() if j is not None else None

        @render.ui
        def progress() -> ui.Tag | None:
            with words():
                return _progress()

        def _progress() -> ui.Tag | None:
            snap = state()
            j = job.get()
            if not snap or j is None:
                return ui.p(_("Set the changes on the left and press 'Run the comparison'."), class_="small")
            _job, done, total, running, finished, stopped, error = snap
            if error:
                status = _("The run failed: {error}").format(error=error)
            elif finished:
                first = (_("; first result after {s} s").format(s=number(j.first_result_s, 1))
                         if j.first_result_s is not None else "")
                status = _("Finished: {n} replications per scenario{first}.").format(n=j.reps, first=first)
            elif stopped or not running:
                status = _("Stopped: {done} of {total} replications are kept in the results folder; press Run again "
                           "to resume.").format(done=done, total=total)
            else:
                status = _("Running: {done} of {total} replications (baseline and changed scenario).").format(done=done, total=total)
            return ui.div(
                ui.tags.progress(value=str(done), max=str(total), id="run-progress"),
                ui.p(status, id="run-status", **{"data-done": str(done), "data-total": str(total), "data-run": str(runs[0]),
                                                  "data-state": "error" if error else "finished" if finished
                                                  else "running" if running else "stopped"}),
            )

        @render.ui
        def changes() -> ui.Tag:
            with words():
                b = built()
                if not b.ok or b.baseline is None or b.variant is None:
                    return ui.p(_("Some inputs are not valid (see the messages in red)."), class_="field-error", id="invalid")
                lines = changes_text(b.baseline, b.variant)
                if not lines:
                    return ui.p(_("The changed scenario is identical to the baseline so far."), class_="small")
                return ui.div(ui.p(_("Changed compared with the baseline:")), ui.tags.ul(*[ui.tags.li(x) for x in lines]))

        @render.ui
        def headline() -> ui.Tag | None:
            cmp = comparison()
            if cmp is None:
                return None
            j = job.get()
            with words():
                prelim = "" if j is not None and j.finished else " " + _("(preliminary: {n} of {total} replications)").format(
                    n=cmp.replications, total=j.reps if j else "?")
                return ui.div(ui.p(headline_text(cmp) + prelim, id="headline-text"), ui.p(legend(cmp), class_="small", id="legend"))

        @render.ui
        def stale_note() -> ui.Tag | None:
            cmp = comparison()
            j = job.get()
            why = stale(built(), j.scenarios if j is not None and cmp is not None else None)
            if why is None:
                return None
            with words():
                why = _(why)
            return ui.div(ui.tags.style("#results { opacity: 0.35; filter: grayscale(1); }"), ui.p(why, id="stale", class_="stale-note"))

        @render.ui
        def cards() -> ui.Tag | None:
            cmp = comparison()
            if cmp is None:
                return None
            with words():
                html_cards = "".join(card_html(c) for c in make_cards(cmp))
            return ui.div(ui.HTML(html_cards), class_="cards", id="kpi-cards",
                          **{"data-replications": str(cmp.replications)})

        @render.ui
        def downloads() -> ui.Tag | None:
            j = job.get()
            state()
            if j is None or not j.finished:
                return None
            return ui.div(ui.download_button("dl_report", "report.html", **{"data-lang": page_lang()}),
                          *[ui.download_button(f"dl_{k}", f) for k, f in DOWNLOADS.items() if k != "report"])

        def download(key: str, filename: str) -> None:
            @output(id=f"dl_{key}")
            @render.download_button(filename=filename)
            def _dl() -> str:
                j = job.get()
                code = page_lang()
                # on the plotting thread (waiting for it): the report draws its plots with pyplot too
                out = _PLOTTER.submit(j.outputs, code).result() if j is not None else None
                if out is None:
                    raise ScenarioError("The comparison is not finished yet.")
                return str(out / (report_name(code) if key == "report" else filename))

        for key, filename in DOWNLOADS.items():
            download(key, filename)

        from sim.faces import plots

        @render.ui
        async def plot_daily() -> ui.Tag | None:
            plot_state()
            with reactive.isolate():
                cmp = comparison()
            if cmp is None:
                return None
            img = await _png(lambda b: plots.compare_daily(cmp.daily(), cmp.scenarios[cmp.baseline].targets, b), cmp.replications)  # type: ignore[arg-type]
            with words():
                return ui.div(ui.h4(_(W.PLOT_DAILY)), img)

        @render.ui
        async def plot_intraday() -> ui.Tag | None:
            plot_state()
            with reactive.isolate():
                cmp = comparison()
            if cmp is None:
                return None
            img = await _png(lambda b: plots.compare_intraday(cmp.intraday(), cmp.scenarios[cmp.baseline].targets, b), cmp.replications)  # type: ignore[arg-type]
            with words():
                return ui.div(ui.h4(_(W.PLOT_INTRADAY)), img)

        @render.ui
        async def plot_agents() -> ui.Tag | None:
            plot_state()
            with reactive.isolate():
                cmp = comparison()
            if cmp is None:
                return None
            img = await _png(lambda b: plots.compare_agent_time(cmp.table, b, cmp.differences), cmp.replications)  # type: ignore[arg-type]
            with words():
                return ui.div(ui.h4(_(W.PLOT_AGENTS)), img)

        @render.ui
        def calendar() -> ui.Tag | None:
            b = built()
            if not b.ok or b.baseline is None or b.variant is None:
                return None
            scen = dict(zip(LABELS, (b.baseline, b.variant), strict=True))
            with words():
                return ui.div(ui.h4(_(W.CALENDAR)), ui.p(calendar_counts_text(scen), id="calendar-counts"),
                              ui.p(_(W.CAL_LEGEND), class_="small"), ui.HTML(calendar_html(scen)))

    def ui_of(request: Any) -> ui.Tag:
        return page(names, initial, base, page_language(request.url.query, lang))

    return App(ui_of, server)

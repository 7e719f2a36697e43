"""The page's layout (Shiny for Python): inputs on the left, results on the right.

Every input has an error slot ``err_<field>`` right below it (see
:data:`sim.faces.app.logic.FIELDS`); the server fills it with the schema's one-paragraph
message. No JavaScript of our own and nothing fetched from the internet: Shiny serves its
own bundled assets.
"""

from __future__ import annotations

from shiny import ui

from sim.faces.app.logic import MAX_REPLICATIONS, MAX_UPLOAD_BYTES, Choices
from sim.faces.formats import weekday_name
from sim.faces.i18n import LANGUAGE_NAMES, _, language
from sim.schema import WEEKDAYS

CSS = """
body { font-family: system-ui, sans-serif; }
.field-error { color: #a40000; background: #fff0f0; border-left: 3px solid #a40000; padding: 4px 6px;
               font-size: 0.85em; margin: 2px 0 8px 0; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.kpi-card { border: 1px solid #ccc; border-radius: 6px; padding: 8px 10px; width: 300px; background: #fafafa; }
.kpi-card h4 { margin: 0 0 4px 0; font-size: 1em; }
.kpi-card .target { color: #555; font-size: 0.85em; }
.kpi-card table { width: 100%; font-size: 0.9em; }
.kpi-card .value { font-weight: bold; font-size: 1.1em; }
.kpi-card .small, .small { color: #555; font-size: 0.8em; }
.meets, .better, .saves { color: #1a7f37; font-weight: bold; }
.misses, .worse { color: #b00020; font-weight: bold; }
.uncertain { color: #9a6700; font-weight: bold; }
.sentence { font-size: 0.85em; margin-top: 4px; }
.calendar { border-collapse: collapse; margin: 4px 8px 8px 0; display: inline-table; font-size: 0.75em; }
.calendar td, .calendar th { border: 1px solid #ddd; width: 62px; height: 40px; vertical-align: top; padding: 2px; }
.calendar td.closed { background: #ddd; }
.calendar td.short { background: #fdcc8a; }
.calendar td.open { background: #e5f5e0; }
.calendar td.changed { outline: 3px solid #6a3d9a; outline-offset: -3px; }
.calendar td.changed .was { color: #6a3d9a; }
.stale-note { color: #9a6700; font-weight: bold; border-left: 3px solid #9a6700; padding: 4px 8px; background: #fff8e6; }
.run-bar { position: sticky; bottom: 0; padding: 8px 0 10px 0; background: var(--bslib-sidebar-bg, #fff); z-index: 10;
           display: flex; gap: 8px; border-top: 1px solid #ddd; }
.cal { display: inline-block; vertical-align: top; margin-right: 12px; }
.plot img { max-width: 100%; }
progress { width: 100%; height: 18px; }
.lang-switch { font-size: 0.9em; margin-left: auto; }
.lang-switch a, .lang-switch strong { margin-left: 8px; }
"""


def _hours_inputs(initial: Choices) -> list[ui.Tag]:
    rows = []
    for i, d in enumerate(WEEKDAYS):
        label = _("{day} (HH:MM-HH:MM or closed)").format(day=weekday_name(i, "wide").capitalize())
        rows.append(ui.input_text(f"hours_{d}", label, _(initial.hours[d]) if initial.hours[d] == "closed" else initial.hours[d]))
        rows.append(ui.output_ui(f"err_hours_{d}"))
    return rows


def switch(lang: str) -> ui.Tag:
    """Links to the page in each language (the current one in bold): one language per page."""
    items = [ui.tags.strong(name) if code == lang else ui.tags.a(name, href=f"?lang={code}", hreflang=code, id=f"lang-{code}")
             for code, name in LANGUAGE_NAMES.items()]
    return ui.span(*items, class_="lang-switch", id="lang-switch", **{"data-lang": lang})


def page(names: list[str], initial: Choices, base: str = "default", lang: str = "sv") -> ui.Tag:
    """The whole page in ``lang`` (``sv``/``en``), with the inputs set to ``initial`` (the
    base scenario unchanged)."""
    with language(lang):
        return _page(names, initial, base, lang)


def _page(names: list[str], initial: Choices, base: str, lang: str) -> ui.Tag:
    sidebar = ui.sidebar(
        ui.input_select("base", _("Start from scenario"), {n: n for n in names}, selected=base),
        ui.output_ui("err_base"),
        ui.h5(_("Opening hours")),
        *_hours_inputs(initial),
        ui.input_checkbox("early_on", _("Close early on the day before a red day"), initial.early_close_on),
        ui.input_text("early_time", _("... at (HH:MM)"), initial.early_close),
        ui.output_ui("err_early_close"),
        ui.input_text_area("closures", _("Dated closures, one per line: YYYY-MM-DD[..YYYY-MM-DD] [HH:MM-HH:MM] reason"),
                           initial.closures, rows=3, placeholder=_("2026-12-10 13:00-17:00 training")),
        ui.output_ui("err_closures"),
        ui.h5(_("Callbacks and transfers")),
        ui.input_checkbox("callbacks_on", _("Offer callbacks"), initial.callbacks_on),
        ui.input_numeric("accept_share", _("Share who accept a callback (0-1)"),
                         0.3 if initial.accept_share is None else initial.accept_share, min=0, max=1, step=0.05),
        ui.output_ui("err_callbacks"),
        ui.input_radio_buttons("transfers", _("Transfers to the second line"), {"off": _("off"), "warm": _("warm"), "blind": _("blind")},
                               selected=initial.transfers, inline=True),
        ui.output_ui("err_transfers"),
        ui.h5(_("Failure demand")),
        ui.input_checkbox("resolution_on", _("Model failure demand: unresolved first contacts come back as repeat calls"),
                          initial.resolution_on),
        ui.input_numeric("fcr", _("First-contact resolution: share of answered calls that resolve the matter (0-1)"),
                         initial.fcr, min=0, max=1, step=0.05),
        ui.output_ui("err_resolution"),
        ui.h5(_("Staffing")),
        ui.input_radio_buttons("staff_mode", _("Change the team"),
                               {"none": _("no change"), "agents": _("± agents"), "percent": "± %", "csv": _("upload a table")},
                               selected="none"),
        ui.input_numeric("staff_delta", _("Agents (or %) more (+) or fewer (−) on every interval"), 0),
        ui.input_file("staff_file", _("Staffing CSV weekday,interval_start,agents (≤ {kb} kB)").format(kb=MAX_UPLOAD_BYTES // 1024),
                      accept=[".csv", "text/csv"], multiple=False),
        ui.output_ui("err_staffing"),
        ui.h5(_("Period and precision")),
        ui.input_text("start", _("First day (YYYY-MM-DD)"), initial.start),
        ui.input_text("end", _("Last day (YYYY-MM-DD)"), initial.end),
        ui.output_ui("err_period"),
        ui.input_numeric("reps", _("Replications (2-{n})").format(n=MAX_REPLICATIONS), initial.replications or 20,
                         min=2, max=MAX_REPLICATIONS),
        ui.output_ui("err_replications"),
        ui.div(ui.input_action_button("run", _("Run the comparison"), class_="btn-primary"),
               ui.input_action_button("stop", _("Stop")), class_="run-bar"),
        width=360,
    )
    main = ui.div(
        ui.div(ui.h3(_("What does the change do? Baseline and changed scenario side by side")), switch(lang),
               style="display: flex; align-items: baseline;"),
        ui.output_ui("changes"),
        ui.output_ui("progress"),
        ui.output_ui("stale_note"),
        ui.div(
            ui.output_ui("headline"),
            ui.output_ui("cards"),
            ui.output_ui("downloads"),
            ui.output_ui("plot_daily", class_="plot"),
            ui.output_ui("plot_intraday", class_="plot"),
            ui.output_ui("plot_agents", class_="plot"),
            id="results",
        ),
        ui.output_ui("calendar"),
    )
    return ui.page_sidebar(sidebar, ui.tags.style(CSS), main, title=_("Call centre: opening hours and staffing"), lang=lang)

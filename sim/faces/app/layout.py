"""The page's layout (Shiny for Python): inputs on the left, results on the right.

Every input has an error slot ``err_<field>`` right below it (see
:data:`sim.faces.app.logic.FIELDS`); the server fills it with the schema's one-paragraph
message. No JavaScript of our own and nothing fetched from the internet: Shiny serves its
own bundled assets.
"""

from __future__ import annotations

from shiny import ui

from sim.faces.app.logic import MAX_REPLICATIONS, MAX_UPLOAD_BYTES, Choices
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
"""


def _hours_inputs(initial: Choices) -> list[ui.Tag]:
    rows = []
    for d in WEEKDAYS:
        rows.append(ui.input_text(f"hours_{d}", f"{d.title()} (HH:MM-HH:MM or closed)", initial.hours[d]))
        rows.append(ui.output_ui(f"err_hours_{d}"))
    return rows


def page(names: list[str], initial: Choices, base: str = "default") -> ui.Tag:
    """The whole page, with the inputs set to ``initial`` (the base scenario unchanged)."""
    sidebar = ui.sidebar(
        ui.input_select("base", "Start from scenario", {n: n for n in names}, selected=base),
        ui.output_ui("err_base"),
        ui.h5("Opening hours"),
        *_hours_inputs(initial),
        ui.input_checkbox("early_on", "Close early on the day before a red day", initial.early_close_on),
        ui.input_text("early_time", "... at (HH:MM)", initial.early_close),
        ui.output_ui("err_early_close"),
        ui.input_text_area("closures", "Dated closures, one per line: YYYY-MM-DD[..YYYY-MM-DD] [HH:MM-HH:MM] reason",
                           initial.closures, rows=3, placeholder="2026-12-10 13:00-17:00 training"),
        ui.output_ui("err_closures"),
        ui.h5("Callbacks and transfers"),
        ui.input_checkbox("callbacks_on", "Offer callbacks", initial.callbacks_on),
        ui.input_numeric("accept_share", "Share who accept a callback (0-1)",
                         0.3 if initial.accept_share is None else initial.accept_share, min=0, max=1, step=0.05),
        ui.output_ui("err_callbacks"),
        ui.input_radio_buttons("transfers", "Transfers to the second line", {"off": "off", "warm": "warm", "blind": "blind"},
                               selected=initial.transfers, inline=True),
        ui.output_ui("err_transfers"),
        ui.h5("Staffing"),
        ui.input_radio_buttons("staff_mode", "Change the team",
                               {"none": "no change", "agents": "± agents", "percent": "± %", "csv": "upload a table"},
                               selected="none"),
        ui.input_numeric("staff_delta", "Agents (or %) more (+) or fewer (−) on every interval", 0),
        ui.input_file("staff_file", f"Staffing CSV weekday,interval_start,agents (≤ {MAX_UPLOAD_BYTES // 1024} kB)",
                      accept=[".csv", "text/csv"], multiple=False),
        ui.output_ui("err_staffing"),
        ui.h5("Period and precision"),
        ui.input_text("start", "First day (YYYY-MM-DD)", initial.start),
        ui.input_text("end", "Last day (YYYY-MM-DD)", initial.end),
        ui.output_ui("err_period"),
        ui.input_numeric("reps", f"Replications (2-{MAX_REPLICATIONS})", initial.replications or 20, min=2, max=MAX_REPLICATIONS),
        ui.output_ui("err_replications"),
        ui.div(ui.input_action_button("run", "Run the comparison", class_="btn-primary"),
               ui.input_action_button("stop", "Stop"), class_="run-bar"),
        width=360,
    )
    main = ui.div(
        ui.h3("What does the change do? Baseline and changed scenario side by side"),
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
    return ui.page_sidebar(sidebar, ui.tags.style(CSS), main, title="Call centre: opening hours and staffing")

"""Self-contained HTML reports of a comparison, a study or a Monte Carlo folder.

One file, no external resources: the plots are embedded as base64 PNG, the style sheet is
inline, and nothing links to a font, a script or a web page, so the file can be mailed or
archived as it is. A report holds

- the scenarios in plain words,
- the KPI tables against the agreement's targets (mean, 95 % confidence interval, P(target
  met) and a verdict) and the paired differences to the baseline,
- the plots,
- the study description in the order of the STRESS-DES reporting guideline (Monks et al.,
  2019): objectives; model logic (queue, abandonment, callback and transfer rules, the 15:00
  and queue-at-closing rules); data and assumptions; experimentation (replications and run
  length with reasons); random streams and common random numbers; implementation (software
  versions); hardware and run time.

``python -m sim.report DIR`` writes ``DIR/report.html`` for a folder written by
``python -m sim.compare`` or ``python -m sim.mc``.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import html
import os
import platform
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.case_kpis import KIND_SHARE
from sim.catalogue import TARGET_KPIS, by_format
from sim.errors import ScenarioError
from sim.faces.cli import reports_errors
from sim.schema import WEEKDAYS, CalendarConfig, DistributionConfig, PatienceConfig, Scenario, hhmm

__all__ = [
    "Section",
    "comparison_report",
    "comparison_sections",
    "describe_scenario",
    "environment",
    "fmt",
    "fmt_diff",
    "folder_report",
    "markdown_html",
    "render",
    "stress_des_sections",
]

PERCENT = by_format("percent")
HOURS = by_format("agent_hours")
WORKING_HOURS = by_format("working_hours")
COUNTS = by_format("count")
DAYS = by_format("days")

KPI_LABELS: dict[str, str] = {
    "offered": "calls offered",
    "answered": "calls answered",
    "availability": "availability (answered / offered)",
    "service_level": "service level (answered within the target time / all offered)",
    "asa_s": "queue time of answered calls (kötid)",
    "mean_wait_all_s": "mean wait of all offered calls",
    "p90_wait_s": "90th percentile wait of answered calls",
    "aht_s": "handle time (talk + hold + after-call work)",
    "logging_share": "handled calls logged as a case",
    "abandon_share": "abandoned / offered",
    "occupancy": "agent occupancy (busy / present)",
    "staffed_s": "scheduled agent-hours",
    "present_s": "agent-hours present (incl. overtime)",
    "overtime_s": "overtime after closing (agent-hours)",
    "open_days": "open days",
    "days": "days",
    "days_missed_availability": "days missing the availability target",
    "days_missed_service_level": "days missing the service-level target",
    "days_missed_asa": "days missing the queue-time target",
    "days_missed_aht": "days missing the handle-time target",
    "days_missed_logging": "days missing the logging target",
    "days_missed_any": "days missing at least one target",
    "callbacks_offered": "callbacks offered",
    "callbacks_accepted": "callbacks accepted",
    "callbacks_made": "callbacks made (customer reached)",
    "callbacks_failed": "callbacks never reached (logged as a case)",
    "callback_accept_share": "callbacks accepted / offered",
    "callback_on_time_share": "callbacks on time (first attempt within the promised window)",
    "transfers": "calls transferred",
    "transfers_warm": "warm transfers completed",
    "transfers_blind": "blind transfers",
    "transfer_fallbacks": "transfers turned into a case (no colleague in time)",
    "transfer_abandoned": "callers lost after a blind transfer",
    "mean_consult_wait_s": "mean wait for a colleague (warm transfer)",
    "repeat_calls": "repeat contacts (2nd or later attempt)",
    "repeat_contact_ratio": "repeat contacts / offered",
    "cases_arrived": "cases arrived (e-mail, web, social media)",
    "cases_handled": "cases handled",
    "case_within_target": "cases handled within their limit (all kinds)",
    "work_h_mean": "mean case time to handling (working hours)",
    "work_h_p90": "90th percentile case time to handling (working hours)",
    "backlog_end": "open cases at the end of the run",
    "case_busy_s": "agent-hours on cases",
}


def kpi_label(kpi: str) -> str:
    """The report's words for a KPI (a case kind's share is named after its kind)."""
    if kpi.startswith(KIND_SHARE):
        return f"{kpi[len(KIND_SHARE):].replace('_', ' ')} cases within their limit"
    return KPI_LABELS.get(kpi, kpi)


def case_kinds(table: pd.DataFrame) -> list[str]:
    """The ``within_target_<kind>`` KPIs of a summary table, in its order."""
    return [k for k in dict.fromkeys(table["kpi"]) if str(k).startswith(KIND_SHARE)] if len(table) else []
FEATURE_KPIS: tuple[str, ...] = (
    "callbacks_offered", "callbacks_accepted", "callbacks_made", "callbacks_failed", "callback_accept_share",
    "callback_on_time_share", "transfers", "transfers_warm", "transfers_blind", "transfer_fallbacks",
    "transfer_abandoned", "mean_consult_wait_s", "repeat_calls", "repeat_contact_ratio",
)

OTHER_KPIS: tuple[str, ...] = (
    "offered", "answered", "abandon_share", "mean_wait_all_s", "p90_wait_s", "occupancy", "staffed_s", "present_s",
    "overtime_s", "open_days", "days_missed_availability", "days_missed_service_level", "days_missed_asa",
    "days_missed_aht", "days_missed_logging", "days_missed_any", *FEATURE_KPIS,
    "cases_arrived", "cases_handled", "case_within_target", "work_h_mean", "work_h_p90", "backlog_end", "case_busy_s",
)
DIFF_KPIS: tuple[str, ...] = (
    "offered", "answered", "availability", "service_level", "asa_s", "mean_wait_all_s", "aht_s", "abandon_share",
    "occupancy", "staffed_s", "present_s", "overtime_s", "days_missed_availability", "days_missed_service_level",
    "days_missed_asa", "days_missed_any", "callbacks_accepted", "callback_on_time_share", "transfers_warm",
    "transfer_fallbacks", "repeat_contact_ratio", "case_within_target", "work_h_mean", "backlog_end", "case_busy_s",
)
"""Shown where the rows carry them; each case kind's share (``case_kinds``) follows the targets."""


# --------------------------------------------------------------------------- number formats


def fmt(kpi: str, value: float | None) -> str:
    """A KPI value as the report prints it: ``97.6 %``, ``12.3 s``, ``1,234.5 h``, ``12,345``,
    ``2.3`` (days); ``–`` when missing."""
    if value is None or pd.isna(value):
        return "–"
    v = float(value)
    if kpi in PERCENT or kpi.startswith(KIND_SHARE):
        return f"{_r(100 * v, 1):.1f} %"
    if kpi in WORKING_HOURS:
        return f"{_r(v, 1):.1f} working h"
    if kpi in HOURS:
        return f"{_r(v / 3600, 1):,.1f} h"
    if kpi in COUNTS:
        return f"{_r(v, 0):,.0f}"
    if kpi in DAYS:
        return f"{_r(v, 1):.1f}"
    if kpi.endswith("_s"):
        return f"{_r(v, 1):.1f} s"
    return f"{v:,.3g}"


def _r(v: float, digits: int) -> float:
    """Round for display without a negative zero (−0.0 → 0.0)."""
    return round(v, digits) + 0.0


def fmt_diff(kpi: str, value: float | None) -> str:
    """A difference: ``+1.23 pp``, ``−4.5 s``, ``+12.0 h``, ``+3``."""
    if value is None or pd.isna(value):
        return "–"
    v = float(value)
    if kpi in PERCENT or kpi.startswith(KIND_SHARE):
        text = f"{_r(100 * v, 2):+.2f} pp"
    elif kpi in WORKING_HOURS:
        text = f"{_r(v, 2):+.2f} working h"
    elif kpi in HOURS:
        text = f"{_r(v / 3600, 1):+,.1f} h"
    elif kpi in COUNTS:
        text = f"{_r(v, 0):+,.0f}"
    elif kpi in DAYS:
        text = f"{_r(v, 1):+.1f}"
    elif kpi.endswith("_s"):
        text = f"{_r(v, 1):+.1f} s"
    else:
        text = f"{v:+,.3g}"
    return text.replace("-", "−")


def judged(r: Any) -> str:
    """A difference's verdict in words: the statistical ``assessment``, or the practical one
    beside it when the difference is below its KPI's ``montecarlo.practical`` threshold
    (``no practical difference (statistically worse)``)."""
    a = str(r["assessment"])
    p = r.get("practical_assessment") if hasattr(r, "get") else None
    if not isinstance(p, str) or p == a:
        return a
    return f"{p} (statistically {a})"


def practical_words(practical: Mapping[str, float]) -> str:
    """``availability 0.5 pp, queue time 2 s …``: the practical thresholds in the report's units."""
    parts = []
    for kpi, v in practical.items():
        name = KPI_LABELS.get(kpi, kpi).split(" (")[0]
        parts.append(f"{name} {fmt_diff(kpi, v).lstrip('+')}")
    return ", ".join(parts) or "none"


def fmt_p(p: float | None) -> str:
    """A probability as a whole percentage."""
    return "–" if p is None or pd.isna(p) else f"{100 * float(p):.0f} %"


# --------------------------------------------------------------------------- HTML pieces


@dataclass(frozen=True)
class Section:
    """A titled block of HTML (``body`` is HTML already escaped where needed)."""

    title: str
    body: str
    anchor: str = ""


def esc(text: Any) -> str:
    """HTML-escape any value."""
    return html.escape(str(text), quote=True)


def paragraph(text: str) -> str:
    """One escaped paragraph."""
    return f"<p>{esc(text)}</p>"


def bullets(items: Iterable[str]) -> str:
    """An escaped bullet list."""
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def table_html(header: Sequence[str], rows: Iterable[Sequence[Any]], caption: str | None = None, raw: bool = False) -> str:
    """A table; cells are escaped unless ``raw`` (then they must be safe HTML)."""
    cell = (lambda x: str(x)) if raw else esc
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell(c)}</td>" for c in r) + "</tr>" for r in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f'<div class="scroll"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def frame_html(frame: pd.DataFrame, caption: str | None = None, max_rows: int = 400) -> str:
    """A DataFrame as an escaped table (floats with 4 significant digits)."""
    def show(v: Any) -> str:
        if isinstance(v, float):
            return "–" if pd.isna(v) else f"{v:.4g}"
        return "–" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)

    rows = [[show(v) for v in r] for r in frame.head(max_rows).itertuples(index=False)]
    return table_html([str(c) for c in frame.columns], rows, caption)


def image(path: Path | str, alt: str) -> str:
    """A PNG embedded as base64 (no file reference)."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<figure><img alt="{esc(alt)}" src="data:image/png;base64,{data}"><figcaption>{esc(alt)}</figcaption></figure>'


def markdown_html(md: str) -> str:
    """A small Markdown subset (``#`` headings, ``-`` bullets, ``**bold**``, paragraphs)."""
    out: list[str] = []
    items: list[str] = []
    para: list[str] = []

    def inline(text: str) -> str:
        text = esc(text)
        text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
        return re.sub(r"`(.+?)`", r"<code>\1</code>", text)

    def flush() -> None:
        if para:
            out.append(f"<p>{inline(' '.join(para))}</p>")
            para.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in md.splitlines():
        s = line.strip()
        if not s:
            flush()
        elif s.startswith("#"):
            flush()
            level = min(4, len(s) - len(s.lstrip("#")) + 1)
            out.append(f"<h{level}>{inline(s.lstrip('#').strip())}</h{level}>")
        elif s.startswith(("- ", "* ")):
            if para:
                flush()
            items.append(s[2:])
        elif items and line.startswith("  "):
            items[-1] += " " + s
        else:
            para.append(s)
    flush()
    return "\n".join(out)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#1d2430;background:#fff}
main{max-width:1180px;margin:0 auto;padding:1.5rem 2rem 4rem}
h1{font-size:1.7rem;margin:.2rem 0}h2{font-size:1.3rem;border-bottom:2px solid #e3e7ee;padding-bottom:.3rem;margin-top:2.2rem}
h3{font-size:1.08rem;margin-top:1.4rem}.sub{color:#5b6577;margin:.2rem 0 1rem}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.86rem}caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #d9dee7;padding:.28rem .5rem;text-align:left;vertical-align:top}th{background:#f2f4f8}
td.num{text-align:right;font-variant-numeric:tabular-nums}.scroll{overflow-x:auto}
.meets{color:#1a7f37;font-weight:600}.misses{color:#c62828;font-weight:600}.uncertain{color:#9a6700;font-weight:600}
.better,.saves{color:#1a7f37}.worse,.costs{color:#c62828}.small{font-size:.8rem;color:#5b6577}
figure{margin:1rem 0}img{max-width:100%;height:auto;border:1px solid #e3e7ee}figcaption{font-size:.82rem;color:#5b6577}
nav ul{columns:2;font-size:.9rem}code{background:#f2f4f8;padding:0 .2rem;border-radius:3px}
.box{background:#f7f9fc;border-left:4px solid #3d6fb6;padding:.6rem 1rem;margin:1rem 0}
"""


def render(title: str, sections: Sequence[Section], subtitle: str = "") -> str:
    """The whole HTML document: inline style, a table of contents, the sections."""
    anchors = [s.anchor or f"s{i}" for i, s in enumerate(sections, 1)]
    toc = "".join(f'<li><a href="#{a}">{esc(s.title)}</a></li>' for a, s in zip(anchors, sections, strict=True))
    body = "".join(f'<section id="{a}"><h2>{esc(s.title)}</h2>{s.body}</section>' for a, s in zip(anchors, sections, strict=True))
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>{esc(title)}</h1><p class=\"sub\">{esc(subtitle)} · generated {stamp}</p>"
        f"<nav><ul>{toc}</ul></nav>{body}</main></body></html>\n"
    )


# --------------------------------------------------------------------------- scenario in words


def _by_interval_text(by: dict | None) -> str:
    """The handle time's time-of-day profile in words (empty without one)."""
    if not by:
        return ""
    f = list(by.values())
    return f" at factor 1, times a time-of-day factor of {min(f):.2f}-{max(f):.2f} by the call's arrival interval (handling.by_interval)"


def _dist(d: DistributionConfig | PatienceConfig) -> str:
    """A distribution in words: any ``dist`` of a duration or of the patience (with its balkers)."""
    if d.dist == "infinite":
        return "infinite (nobody hangs up)"
    if d.dist == "empirical":
        text = f"resampled from {len(d.values or [])} observed values (mean {d.mean_value:.0f} s)"
    elif d.dist == "deterministic":
        text = f"fixed {d.mean_value:g} s"
    elif d.dist == "exponential":
        text = f"exponential with mean {d.mean_value:g} s"
    else:
        text = f"{d.dist} with mean {d.mean_value:g} s (CV {d.cv:g})"
    balk = getattr(d, "balk_share", 0.0)
    return f"{text}; {100 * balk:g} % of the callers who find no free agent hang up at once (balk)" if balk else text


def _hours_text(s: Scenario) -> str:
    groups: dict[str, list[str]] = {}
    for i, name in enumerate(WEEKDAYS):
        h = s.calendar.hours_of(i)
        key = "closed" if h is None else f"{h.opens:%H:%M}–{h.closes:%H:%M}"
        groups.setdefault(key, []).append(name.capitalize())
    parts = []
    for key, days in groups.items():
        if key == "closed":
            continue
        span = f"{days[0]}–{days[-1]}" if len(days) > 2 and _consecutive(days) else ", ".join(days)
        parts.append(f"{span} {key}")
    return "; ".join(parts) or "never open"


def _consecutive(days: list[str]) -> bool:
    idx = [[d.capitalize() for d in WEEKDAYS].index(x) for x in days]
    return idx == list(range(idx[0], idx[0] + len(idx)))


def _staffing_text(s: Scenario) -> str:
    st = s.staffing
    if st.mode == "constant":
        return f"{st.agents} agents on the phones on every open interval"
    if st.mode == "table" and st.table:
        values = [v for row in st.table.values() for v in row]
        return (f"a staffing table per weekday and {s.demand.interval_min}-minute interval "
                f"({min(values)}–{max(values)} agents, mean {sum(values) / len(values):.1f})")
    shifts = st.shifts or []
    each = (f"{sh.count} agents {sh.start:%H:%M}–{sh.end:%H:%M} ({', '.join(sh.days)})" for sh in shifts)
    return f"{len(shifts)} shift(s): " + "; ".join(each)


_CORE_FIELDS = frozenset({"name", "description", "calendar", "demand", "handling", "patience", "staffing", "targets", "run",
                          "montecarlo"})
# Settings of the commands, not of the centre: how sim.staff builds rosters and searches
# staffing, and which extra table copies are written. A report describes the centre.
_COMMAND_FIELDS = frozenset({"roster", "staff", "output"})


def _callbacks_text(cb: Any) -> str:
    if not getattr(cb, "enabled", False):
        return "Callbacks: off (every caller waits on the line or hangs up)."
    when = (f"on arrival when the estimated wait exceeds {cb.threshold_s:g} s" if cb.trigger == "on_arrival"
            else f"after the caller has waited {cb.threshold_s:g} s")
    pending = ("agents stay after closing and make them" if cb.pending_at_close == "serve"
               else "they are carried to the next opening, first in line")
    counted = {"answered_when_made": "as answered when the callback is made (wait = time to the callback)",
               "answered_at_request": "as answered when the caller accepts it",
               "not_answered": "as not answered"}.get(cb.kpi_convention, cb.kpi_convention)
    return (f"Callbacks: offered {when}; {100 * cb.accept_share:g} % accept, hang up and keep their place in the queue "
            f"(callbacks are made in queue-position order). The promised window is {cb.promise_window_s / 60:g} min "
            f"(on time = first attempt within it); an attempt rings {cb.ring_s:g} s and is answered with probability "
            f"{cb.answer_probability:g} (an unanswered attempt costs the agent {cb.failed_attempt_s:g} s in all), "
            f"retried after {cb.retry_gap_s / 60:g} min up to {cb.max_attempts} attempts, "
            f"then a case is logged. Callbacks pending at closing: {pending}. In the agreement's KPIs a callback "
            f"counts {counted}.")


def _transfers_text(tr: Any) -> str:
    if getattr(tr, "policy", "off") == "off":
        return "Transfers: none (one agent group, every call finished by the first agent)."
    types = ", ".join(f"{name} {100 * c.share:g} %" + (f" → {c.transfer_to}" if c.transfer_to else "")
                      for name, c in tr.case_types.items())
    groups = "; ".join(f"{name}: {_staffing_of(st)}" for name, st in tr.groups.items())
    if tr.policy == "warm":
        rule = (f"warm: after a first talk ({_dist(tr.first_talk)}) the first agent phones a colleague in the target "
                f"group while the customer holds (the customer keeps their original queue position there); both talk "
                f"for the hand-over ({_dist(tr.handover)}), then the first agent wraps up ({_dist(tr.first_wrap)}). No "
                f"colleague within {tr.consult_limit_s:g} s, or a customer who prefers it "
                f"({100 * tr.prefer_callback_share:g} %), leads to a case for a later callback instead")
    else:
        rule = (f"blind: after a first talk ({_dist(tr.first_talk)}) the customer is put in the target group's queue "
                f"in their original queue position (patience {_dist(tr.blind_patience)}) and the first agent is "
                "released at once")
    return f"Transfers ({rule}). Case types: {types}. Target groups: {groups}."


def _repeats_text(rp: Any) -> str:
    if not getattr(rp, "enabled", False):
        return "Repeat contacts: off (a caller who hangs up does not call again)."
    return (f"Repeat contacts: {100 * rp.probability:g} % of callers who abandon (or whose callback failed) call again "
            f"after a delay ({_dist(rp.delay)}), up to {rp.max_attempts} calls per customer; each attempt is an offered "
            "call.")


def _cases_text(c: Any) -> str:
    if not getattr(c, "enabled", False):
        return "Case work: off (only phone calls are modelled)."
    channels = ", ".join(f"{name} {ch.volume:g}" for name, ch in c.channels.items())
    kinds = ", ".join(f"{name} {100 * k.share:g} % ({_dist(k.handle)})" for name, k in c.kinds.items())
    if c.office_hours is None:
        office = "in the phones' opening hours"
    else:
        days = [f"{d.capitalize()} {hhmm(h.opens)}–{hhmm(h.closes)}" for d, h in c.office_hours.items() if h is not None]
        office = "in office hours " + (", ".join(days) if days else "(none)")
    who = []
    if c.blend:
        who.append("the phone agents take a case when no caller is waiting"
                   + (f" and at least {c.reserve} of them stay free" if c.reserve else ""))
    if c.dedicated is not None:
        who.append(f"a case team of {_staffing_of(c.dedicated)}")
    scope = "only the phones" if c.early_close_scope == "phones" else "the whole office"
    order = "earliest due first" if c.order == "earliest_due" else "first come, first served"
    return (f"Case work: cases per day by channel {channels}; kinds {kinds}. Worked {office} ({order}); "
            f"{'; '.join(who) or 'nobody works them'}. The 15:00 rule closes {scope}; open cases carry over.")


def _staffing_of(st: Any) -> str:
    if st.mode == "constant":
        return f"{st.agents} agents"
    if st.mode == "table" and st.table:
        values = [v for row in st.table.values() for v in row]
        return f"table, {min(values)}–{max(values)} agents"
    return f"{len(st.shifts or [])} shift(s)"


def _flat(value: Any, prefix: str = "") -> str:
    """``a.b = 1, a.c = x`` for a nested mapping."""
    if isinstance(value, Mapping):
        return ", ".join(_flat(v, f"{prefix}{k}.") if isinstance(v, Mapping) else f"{prefix}{k} = {v}" for k, v in value.items())
    return f"{prefix}{value}"


_FEATURES = {"callbacks": _callbacks_text, "transfers": _transfers_text, "repeats": _repeats_text, "cases": _cases_text}


def _optional_features(s: Scenario) -> list[str]:
    """Callbacks, transfers, repeat contacts in words; fields added to the schema later are
    listed generically (key = value)."""
    out = []
    for key in type(s).model_fields:
        if key in _CORE_FIELDS or key in _COMMAND_FIELDS:
            continue
        value = getattr(s, key)
        if key in _FEATURES and value is not None:
            out.append(_FEATURES[key](value))
            continue
        if value is None:
            out.append(f"{key}: off.")
            continue
        dump = value.model_dump(mode="json") if hasattr(value, "model_dump") else value
        out.append(f"{key}: {_flat(dump)}.")
    return out


def _enabled(s: Scenario, key: str) -> bool:
    value = getattr(s, key, None)
    if value is None:
        return False
    if key == "transfers":
        return getattr(value, "policy", "off") != "off"
    return bool(getattr(value, "enabled", True))


def _count(n: int, noun: str) -> str:
    """``1 open day``, ``2 open days``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def holidays_text(c: CalendarConfig) -> str:
    """Whose public holidays close the line: "Swedish public holidays" or "the public holidays of DE-BY"."""
    if c.country == "SE" and c.subdiv is None:
        return "Swedish public holidays"
    return f"the public holidays of {c.country}" + (f"-{c.subdiv}" if c.subdiv else "")


def describe_scenario(s: Scenario) -> list[str]:
    """The scenario in plain sentences (calendar, demand, handling, patience, staffing, targets)."""
    from sim.world.calendar import opening_hours

    cal = opening_hours(s)
    open_days = int((cal["open_h"] > 0).sum())
    early = cal["reason"].str.startswith("day before").sum()
    c, d, h = s.calendar, s.demand, s.handling
    eves = ", ".join(c.closed_eves) if c.closed_eves else "no eves"
    if c.early_close is None:
        rule = "No early closing before red days (the 15:00 rule is off)."
    else:
        rule = f"On the day before a closed red day the phones close at {c.early_close:%H:%M} ({_count(early, 'such day')} in the run)."
    closures = "; ".join(
        f"{x.reason}: {x.start}{'–' + str(x.end) if x.end and x.end != x.start else ''}"
        + (f", {x.from_time:%H:%M}–{x.to_time:%H:%M}" if x.from_time and x.to_time else ", whole day")
        for x in c.closures
    )
    factors = ", ".join(f"{k.capitalize()} {v:g}" for k, v in d.weekday_factor.items() if v > 0)
    per = "per weekday with factor 1" if d.volume_per == "day" else "per month"
    dispersion = ("plain Poisson (no day-to-day overdispersion)" if d.day_cv == 0
                  else f"a gamma day factor with CV {d.day_cv:g} on top of Poisson")
    patience = "callers never hang up" if s.patience.infinite else f"{_dist(s.patience)}; a caller still waiting then hangs up (abandons)"
    t = s.targets
    lines = [
        f"Run: {s.run.start} to {s.run.end} ({_count(len(cal), 'day')}, {_count(open_days, 'open day')}), seed {s.run.seed}.",
        f"Opening hours: {_hours_text(s)}; closed on {holidays_text(c)} and on {eves}. {rule}",
        f"Planned closures: {closures}." if closures else "No planned closures.",
        f"Demand: {d.volume:g} potential calls {per} ({factors}), spread over {d.interval_min}-minute intervals by the "
        f"intraday profile; {dispersion}. On closed red days {100 * d.closed_day_factor:g} % of a normal day's callers try; "
        f"{100 * d.displaced_share:g} % of callers who find the line closed call again within the first "
        f"{d.displaced_intervals * d.interval_min / 60:g} h of the next opening.",
        f"Handle time: talk {_dist(h.talk)} + hold {_dist(h.hold)} + after-call work {_dist(h.wrap)} "
        f"= {h.mean_handle_s:.0f} s on average{_by_interval_text(h.by_interval)}; {100 * h.logging_share:g} % of handled calls "
        "are logged as a case.",
        f"Patience: {patience}.",
        f"Staffing: {_staffing_text(s)}.",
        f"Targets: availability > {100 * t.availability_min:g} %, answered within {t.threshold_s:g} s / offered > "
        f"{100 * t.service_level_min:g} %, queue time < {t.asa_max_s:g} s, handle time < {t.aht_max_s:g} s, "
        f"logging > {100 * t.logging_min:g} %.",
    ]
    lines += _optional_features(s)
    return lines


# --------------------------------------------------------------------------- environment


_PACKAGES = ("callcentre-sim", "simpy", "numpy", "pandas", "scipy", "matplotlib", "hydra-core", "omegaconf", "holidays",
             "pydantic", "joblib", "pyarrow")


def environment() -> dict[str, str]:
    """Software versions, code version and hardware of this machine."""
    info = {"Python": platform.python_version()}
    for name in _PACKAGES:
        try:
            info[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    info["code version"] = _git_version()
    info["operating system"] = platform.platform()
    info["processor"] = _cpu_model()
    info["logical cores"] = str(os.cpu_count() or "?")
    info["memory"] = _memory()
    return info


def _git_version() -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5, check=False)
        if rev.returncode != 0:
            return "unknown (not a git checkout)"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True,
                               text=True, timeout=5, check=False)
        return f"git {rev.stdout.strip()}" + (" with uncommitted changes" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except (OSError, ValueError):
        pass
    return "unknown"


# --------------------------------------------------------------------------- comparison sections


def _verdict_span(verdict: Any) -> str:
    if verdict is None or (not isinstance(verdict, str) and pd.isna(verdict)):
        return ""
    return f'<span class="{esc(verdict)}">{esc(verdict)}</span>'


def results_table(table: pd.DataFrame, labels: Sequence[str], kpis: Sequence[str], caption: str, with_targets: bool) -> str:
    """Rows = KPIs, columns = scenarios; cells ``mean [CI]`` (+ P(met) and verdict)."""
    t = table.set_index(["scenario", "kpi"])
    rows = []
    for kpi in kpis:
        if not any((lb, kpi) in t.index for lb in labels):
            continue
        target = ""
        cells = []
        for lb in labels:
            if (lb, kpi) not in t.index:
                cells.append("–")
                continue
            r = t.loc[(lb, kpi)]
            text = f"<strong>{esc(fmt(kpi, r['mean']))}</strong>"
            if r["replications"] > 1 and pd.notna(r["half_width"]) and r["half_width"] > 0:
                text += f' <span class="small">[{esc(fmt(kpi, r["ci_low"]))}, {esc(fmt(kpi, r["ci_high"]))}]</span>'
            if with_targets and "p_met" in r and pd.notna(r.get("p_met")):
                text += f'<br><span class="small">P(met) {esc(fmt_p(r["p_met"]))}</span> {_verdict_span(r.get("verdict"))}'
                target = str(r.get("target") or "")
            cells.append(text)
        head = f"{esc(kpi_label(kpi))}<br><code>{esc(kpi)}</code>"
        rows.append([head, *([esc(target)] if with_targets else []), *cells])
    header = ["KPI", *(["target"] if with_targets else []), *labels]
    return table_html(header, rows, caption, raw=True)


def differences_table(diffs: pd.DataFrame, kpis: Sequence[str], caption: str) -> str:
    """Rows = KPIs, columns = scenarios; cells ``difference [CI] assessment``."""
    labels = list(dict.fromkeys(diffs["scenario"]))
    d = diffs.set_index(["scenario", "kpi"])
    rows = []
    for kpi in kpis:
        if not any((lb, kpi) in d.index for lb in labels):
            continue
        cells = []
        for lb in labels:
            if (lb, kpi) not in d.index:
                cells.append("–")
                continue
            r = d.loc[(lb, kpi)]
            a = str(r.get("practical_assessment", r["assessment"]))
            cls = "better" if a in ("better", "saves") else ("worse" if a in ("worse", "costs more") else "small")
            ci = ""
            if pd.notna(r["half_width"]) and r["half_width"] > 0:
                ci = f' <span class="small">[{esc(fmt_diff(kpi, r["ci_low"]))}, {esc(fmt_diff(kpi, r["ci_high"]))}]</span>'
            cells.append(f"<strong>{esc(fmt_diff(kpi, r['difference']))}</strong>{ci}<br><span class=\"{cls}\">{esc(judged(r))}</span>")
        rows.append([f"{esc(kpi_label(kpi))}<br><code>{esc(kpi)}</code>", *cells])
    base = diffs["baseline"].iloc[0] if len(diffs) else ""
    return table_html(["KPI", *[f"{lb} − {base}" for lb in labels]], rows, caption, raw=True)


def month_table(month: pd.DataFrame, labels: Sequence[str]) -> str:
    """Per month and scenario: service level and availability with P(month meets target)."""
    rows = []
    m = month[month["kpi"].isin(["service_level", "availability"])]
    for period, g in m.groupby("period", sort=True):
        cells = []
        for lb in labels:
            parts = []
            for kpi in ("service_level", "availability"):
                r = g[(g["scenario"] == lb) & (g["kpi"] == kpi)]
                if len(r):
                    r0 = r.iloc[0]
                    parts.append(f"{'SL' if kpi == 'service_level' else 'avail.'} {esc(fmt(kpi, r0['mean']))} "
                                 f'<span class="small">P {esc(fmt_p(r0.get("p_met")))}</span>')
            cells.append("<br>".join(parts) or "–")
        rows.append([esc(pd.Timestamp(period).strftime("%Y-%m")), *cells])
    return table_html(["month", *labels], rows, "Per month: mean service level and availability, P(month meets the target)", raw=True)


def comparison_plots(cmp: Any, out_dir: Path) -> list[tuple[Path, str]]:
    """Write the side-by-side plots of a comparison; return (path, caption) pairs."""
    from sim.faces import plots

    out_dir.mkdir(parents=True, exist_ok=True)
    targets = cmp.scenarios[cmp.baseline].targets
    made: list[tuple[Path, str]] = []
    if "day" in cmp.levels:
        made.append((plots.compare_daily(cmp.daily(), targets, out_dir / "compare_daily.png"),
                     "Daily service level and availability per scenario (mean over replications, 95 % CI band)"))
    if "interval" in cmp.levels:
        made.append((plots.compare_intraday(cmp.intraday(), targets, out_dir / "compare_intraday.png"),
                     "Mean queue time of answered calls by time of day, pooled over the run's days"))
    made.append((plots.compare_agent_time(cmp.table, out_dir / "compare_agent_time.png", cmp.differences if len(cmp.labels) > 1 else None),
                 "Agent-hours scheduled and present, and overtime after closing, per scenario"))
    if len(cmp.labels) > 1:
        made.append((plots.compare_differences(cmp.differences, out_dir / "compare_differences.png"),
                     "Paired differences to the baseline with 95 % confidence intervals"))
    return made


def comparison_sections(cmp: Any, plots: Sequence[tuple[Path, str]] = ()) -> list[Section]:
    """Scenarios in words, KPI tables against the targets, differences, plots."""
    labels = cmp.labels
    base_lines = describe_scenario(cmp.scenarios[cmp.baseline])
    suffix = "" if cmp.baseline == "baseline" else " (baseline)"
    scen = f"<h3>{esc(cmp.baseline)}{suffix}</h3>{bullets(base_lines)}"
    for lb, sc in list(cmp.scenarios.items())[1:]:
        lines = describe_scenario(sc)
        changed = [x for x in lines if x not in base_lines]
        scen += f"<h3>{esc(lb)}</h3>"
        scen += (paragraph("As the baseline, except:") + bullets(changed)) if changed else paragraph("Identical to the baseline.")
    sections = [Section("Scenarios", scen, "scenarios")]
    table = cmp.table
    body = paragraph(
        f"Each figure is the mean over {cmp.replications} replications of the whole run, with its 95 % confidence "
        "interval in brackets. P(met) is the share of replications whose run met the target; the verdict is "
        "'meets' when the whole confidence interval is on the right side of the target, 'misses' when it is wholly "
        "on the wrong side and 'uncertain' otherwise."
    )
    body += results_table(table, labels, (*TARGET_KPIS, *case_kinds(table)), "KPIs against the agreement's targets (whole run)", True)
    body += results_table(table, labels, OTHER_KPIS, "Volumes, agent time and days missing the targets (per run)", False)
    if "month" in cmp.levels and cmp.level("month")["period"].nunique() > 1:
        body += month_table(cmp.summary("month", ("service_level", "availability")), labels)
    sections.append(Section("Results against the targets", body, "results"))
    if len(labels) > 1:
        body = paragraph(
            f"Differences are scenario − {cmp.baseline}, computed per replication and averaged: every scenario ran "
            "with the same replication seeds (common random numbers), so the differences are paired and their "
            "confidence interval is mean ± t(0.975, R−1)·sd/√R of the per-replication differences. 'better'/'worse' "
            "(or 'saves'/'costs more' for agent time) is shown only when the interval excludes zero. A difference "
            "smaller than what matters in practice (montecarlo.practical: "
            + practical_words(cmp.scenarios[cmp.baseline].montecarlo.practical)
            + ") is 'no practical difference', with the statistical verdict beside it. pp = percentage points, the "
            "difference of two percentages (91 % to 92 % is +1 pp)."
        )
        kpis = (*DIFF_KPIS, *case_kinds(cmp.differences))
        body += differences_table(cmp.differences, kpis, f"Paired differences to {cmp.baseline} (whole run)")
        sections.append(Section("Differences to the baseline", body, "differences"))
    if plots:
        sections.append(Section("Plots", "".join(image(p, cap) for p, cap in plots), "plots"))
    return sections


_KPIS_IN_WORDS = ("the service agreement's KPIs (availability, service level, queue time, handle time, logging), "
                  "agent time and overtime, and the number of days missing the targets")


def _default_objectives(cmp: Any) -> str:
    others = cmp.labels[1:]
    if not others:
        return (f"Estimate {_KPIS_IN_WORDS} of the scenario {cmp.baseline}, with confidence intervals over "
                f"{cmp.replications} replications, and the probability that each target is met.")
    names = others[0] if len(others) == 1 else ", ".join(others[:-1]) + " and " + others[-1]
    noun = "scenario" if len(others) == 1 else "scenarios"
    return (f"Compare the {noun} {names} with the baseline {cmp.baseline} on {_KPIS_IN_WORDS}, and tell whether "
            "the differences are larger than the simulation noise.")


def stress_des_sections(
    cmp: Any,
    objectives: str | None = None,
    experimentation: str | None = None,
    run_time_s: float | None = None,
    command: str | None = None,
) -> list[Section]:
    """The study description in the STRESS-DES order (Monks et al. 2019)."""
    base = cmp.scenarios[cmp.baseline]
    d, c = base.demand, base.calendar
    early = f"{c.early_close:%H:%M}" if c.early_close else "off in the baseline"
    logic = [
        "Calls arrive as a non-homogeneous Poisson process: the expected calls of an interval are volume × weekday factor "
        "× intraday profile weight (× an optional gamma day factor); arrival times are uniform within the interval.",
        "Each call's talk, hold and after-call-work time, patience and logging flag are drawn when it arrives, from "
        "streams of their own.",
        "One queue, first come first served; a queue is always offered when no agent is free (no delay techniques) "
        "and no caller type has priority.",
        "Abandonment: a caller whose waiting time reaches their patience hangs up and counts as offered, not answered "
        "(no exclusions of short abandons).",
        f"Opening hours per weekday; closed on {holidays_text(base.calendar)} (holidays package, "
        f"{base.calendar.country}) and the closed eves; "
        f"the phones close early on the day before a closed red day (rule: {early}); planned closures close whole "
        "days or trim the start or end of a day.",
        "At closing the line stops accepting new calls but every caller already queued is still served: the agents "
        "on duty stay until the queue is empty or the callers have hung up; that agent time is overtime. An agent "
        "whose shift ends finishes the call in hand.",
        f"Displaced demand: callers who ring while the line is closed (after an early closing, on a red day) call "
        f"again at the next opening with probability {d.displaced_share:g}, spread over its first "
        f"{d.displaced_intervals} intervals; the others are lost.",
    ]
    on = {key: [lb for lb, sc in cmp.scenarios.items() if _enabled(sc, key)] for key in ("callbacks", "transfers", "repeats")}
    logic.append(
        "Callbacks (Kontakta 'Callback'): a queued caller offered a callback who accepts hangs up but keeps their place; "
        "callbacks are made in queue-position order, attempts can fail and are retried, a callback never reached "
        "becomes a logged case; 'on time' = first attempt within the promised window. "
        + (f"Enabled in: {', '.join(on['callbacks'])}." if on["callbacks"] else "Not enabled in any compared scenario.")
    )
    logic.append(
        "Warm transfers (agreement 3.2): the first agent phones a colleague in the target group while the customer "
        "holds and hands over only when the colleague accepts; the customer keeps their queue position in the target "
        "group; no colleague within the limit, or a customer who prefers it, leads to a case for a later callback; "
        "blind transfer is the comparison policy. "
        + (f"Enabled in: {', '.join(on['transfers'])}." if on["transfers"] else "Not enabled in any compared scenario.")
    )
    logic.append(
        "Repeat contacts: callers who abandon may call again after a delay, each attempt an offered call. "
        + (f"Enabled in: {', '.join(on['repeats'])}." if on["repeats"] else "Not enabled in any compared scenario.")
    )
    logic.append("The settings of each scenario are listed in the Scenarios section.")
    data = [
        "The targets come from the service agreement between Fibra and Mälarenergi, as set in the baseline's "
        f"targets group (availability > {100 * base.targets.availability_min:g} %, answered within "
        f"{base.targets.threshold_s:g} s > {100 * base.targets.service_level_min:g} % of all offered calls, queue time "
        f"< {base.targets.asa_max_s:g} s, handle time < {base.targets.aht_max_s:g} s, logging > "
        f"{100 * base.targets.logging_min:g} %); the KPI definitions follow Kontakta annex 2.",
        "Demand volume, weekday factors, intraday profile, handle-time distributions and patience are planning "
        "assumptions of the scenario files (scenarios/), not fitted to a call log; see the scenarios section for the "
        "values and README for the reasons.",
        f"The calendar uses the holidays package's {holidays_text(base.calendar).removeprefix('the ')}"
        + ("; Sundays are not holidays for the 15:00 rule." if base.calendar.country == "SE" else "."),
    ]
    reps = cmp.replications
    t = cmp.table
    hw = t[t["kpi"] == "service_level"]["half_width"]
    dhw = cmp.differences[cmp.differences["kpi"] == "service_level"]["half_width"] if len(cmp.labels) > 1 else pd.Series(dtype=float)
    runs = {(s.run.start, s.run.end) for s in cmp.scenarios.values()}
    span = "; ".join(f"{a} to {b} ({(b - a).days + 1} days)" for a, b in sorted(runs))
    exp = experimentation or (
        f"Each replication simulates {span}: a terminating simulation. The line opens empty each morning and the "
        "queue is served after closing, so no warm-up period is needed and no call is cut off at the end of a day; "
        "the run length is the period the targets are judged over (days and months)."
    )
    exp_items = [
        exp,
        f"{reps} replications per scenario. The 95 % confidence interval of the whole-run service level is ± "
        + (f"{100 * hw.max():.2f} pp at most" if len(hw) and pd.notna(hw.max()) else "not available (one replication)")
        + (f"; of the paired difference to the baseline ± {100 * dhw.max():.2f} pp at most." if len(dhw) and pd.notna(dhw.max()) else ".")
        + " Add replications (or use `python -m sim.mc` with montecarlo.precision) when a difference of interest is "
        "smaller than that.",
        "Confidence intervals: mean ± t(0.975, R−1)·sd/√R over replications (Student t), cut to 0–100 % for shares "
        "(their mean cannot lie outside, so the cut interval covers it as often); P(target met) is the share "
        "of replications meeting the target, with a Wilson score interval in the CSV tables.",
    ]
    streams = [
        "Replication k of every scenario is seeded with numpy's SeedSequence(seed, spawn_key=(k,)); the seed is "
        f"{cmp.seed} for every scenario of this study.",
        "Inside a replication every purpose (arrivals, displaced callers, talk, hold, wrap, patience, logging, day "
        "factor, and callback/transfer choices when modelled) has its own generator per calendar date, keyed "
        "SeedSequence(seed, spawn_key=(k, purpose, date)).",
        "Common random numbers: two scenarios therefore see the same callers (arrival, handle time, patience) on "
        "every date where their demand is the same; changing the staffing or a day's closing time changes only what "
        "it must. The comparison uses this to pair replications; the CSV column unpaired_half_width shows how wide "
        "the intervals would be without pairing.",
    ]
    env = environment()
    impl_rows = [[k, v] for k, v in env.items() if k not in ("operating system", "processor", "logical cores", "memory")]
    impl = table_html(["software", "version"], impl_rows)
    impl += paragraph("Model: SimPy discrete-event model (package sim); KPIs are pure functions of the call records "
                      "(sim.analysis.kpis); replications run in parallel with joblib (sim.study.runner).")
    if command:
        impl += f"<p>Command: <code>{esc(command)}</code></p>"
    hw_rows = [[k, env[k]] for k in ("operating system", "processor", "logical cores", "memory") if k in env]
    rt = run_time_s if run_time_s is not None else cmp.run_time_s
    hw_rows.append(["workers (processes)", str(cmp.workers or os.cpu_count() or "?")])
    hw_rows.append(["run time", f"{rt:.1f} s" if rt is not None else "not recorded"])
    hw_rows.append(["scenarios × replications", f"{len(cmp.labels)} × {reps}"])
    kpi_defs = table_html(["KPI", "definition"], [
        ["availability", "answered / offered"],
        ["service level", f"answered with wait ≤ {base.targets.threshold_s:g} s / all offered (abandoned calls count, no exclusions)"],
        ["queue time (asa_s)", "mean wait of answered calls; mean_wait_all_s over all offered calls"],
        ["handle time (aht_s)", "mean talk + hold + after-call work of answered calls"],
        ["logging", "logged / answered"],
        ["occupancy", "busy / present agent time"],
        ["overtime", "agent time present after closing, serving the queue"],
        ["days missing a target", "open days whose daily KPI missed the target (per replication)"],
    ])
    return [
        Section("STRESS-DES 1 · Objectives", paragraph(objectives or _default_objectives(cmp)), "objectives"),
        Section("STRESS-DES 2 · Model logic", bullets(logic), "logic"),
        Section("STRESS-DES 3 · Data and assumptions", bullets(data), "data"),
        Section("STRESS-DES 4 · Experimentation", bullets(exp_items) + kpi_defs, "experimentation"),
        Section("STRESS-DES 5 · Random streams and common random numbers", bullets(streams), "streams"),
        Section("STRESS-DES 6 · Implementation", impl, "implementation"),
        Section("STRESS-DES 7 · Hardware and run time", table_html(["", ""], hw_rows), "hardware"),
    ]


def comparison_report(
    cmp: Any,
    out_dir: str | Path,
    *,
    title: str | None = None,
    objectives: str | None = None,
    experimentation: str | None = None,
    lead: Sequence[Section] = (),
    extra: Sequence[Section] = (),
    extra_plots: Sequence[tuple[Path, str]] = (),
    run_time_s: float | None = None,
    command: str | None = None,
    filename: str = "report.html",
) -> Path:
    """Write the plots and ``report.html`` for a :class:`sim.study.compare.Comparison`.

    ``lead`` sections come first (e.g. a study's conclusion), ``extra`` after the results.
    """
    out = Path(out_dir)
    plots = [*comparison_plots(cmp, out), *extra_plots]
    title = title or ("Scenario comparison: " + " vs ".join(cmp.labels) if len(cmp.labels) > 1 else f"Monte Carlo run: {cmp.labels[0]}")
    study = stress_des_sections(cmp, objectives, experimentation, run_time_s, command)
    sections = [*lead, *comparison_sections(cmp, plots), *extra, *study]
    runs = sorted({(s.run.start, s.run.end) for s in cmp.scenarios.values()})
    subtitle = f"{cmp.replications} replications per scenario, seed {cmp.seed}, run {runs[0][0]} to {runs[-1][1]}"
    path = out / filename
    path.write_text(render(title, sections, subtitle), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- folders


def _load_mc_folder(folder: Path) -> Any:
    """A one-scenario comparison from a ``python -m sim.mc`` folder."""
    from omegaconf import OmegaConf

    from sim.scenario.compose import validate
    from sim.study.compare import Comparison

    if (folder / "kpis.parquet").exists():
        kpis = pd.read_parquet(folder / "kpis.parquet")
    else:
        files = sorted((folder / "replications").glob("rep_*.parquet"))
        if not files:
            raise ScenarioError(f"{folder} holds no kpis.parquet and no replications/rep_*.parquet: not a Monte Carlo folder.")
        kpis = pd.concat([pd.read_parquet(p) for p in files], ignore_index=True)
    if (folder / "scenario.json").exists():
        import json

        scenario = validate(json.loads((folder / "scenario.json").read_text(encoding="utf-8")))
    elif (folder / "config.yaml").exists():
        scenario = validate(OmegaConf.load(folder / "config.yaml"))
    else:
        raise ScenarioError(f"{folder} has no scenario.json or config.yaml to say which scenario was run.")
    kpis = kpis.assign(scenario=scenario.name)
    kpis = kpis[["scenario", *[c for c in kpis.columns if c != "scenario"]]]
    reps = int(kpis["replication"].nunique())
    return Comparison({scenario.name: scenario}, scenario.run.seed, reps, kpis, scenario.montecarlo.conf, None, None)


def folder_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """``report.html`` for a comparison folder (``meta.json``) or a Monte Carlo folder."""
    from sim.study.compare import Comparison

    folder = Path(folder)
    if not folder.is_dir():
        raise ScenarioError(f"{folder} is not a folder.")
    cmp = Comparison.load(folder) if (folder / "meta.json").exists() else _load_mc_folder(folder)
    target = Path(out) if out else folder / "report.html"
    return comparison_report(cmp, target.parent, filename=target.name, command=f"python -m sim.report {folder}")


@reports_errors
def main(argv: Sequence[str] | None = None) -> None:
    """``python -m sim.report DIR [--out FILE]``."""
    parser = argparse.ArgumentParser(prog="python -m sim.report", description="Write a self-contained HTML report for a "
                                     "comparison folder (python -m sim.compare) or a Monte Carlo folder (python -m sim.mc).")
    parser.add_argument("folder", help="folder written by python -m sim.compare or python -m sim.mc")
    parser.add_argument("--out", help="the HTML file to write (default FOLDER/report.html)")
    args = parser.parse_args(argv)
    path = folder_report(args.folder, args.out)
    sys.stdout.write(f"report: {path}\n")


if __name__ == "__main__":
    main()

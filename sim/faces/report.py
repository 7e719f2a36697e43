"""Self-contained HTML reports of a comparison, a study or a Monte Carlo folder, in Swedish or
English (one language per report).

One file, no external resources (the kit is :mod:`sim.faces.htmlkit`). A report holds

- the scenarios in plain words (:mod:`sim.faces.scenario_words`),
- the KPI tables against the agreement's targets (mean, 95 % confidence interval, P(target
  met) and a verdict) and the paired differences to the baseline, formatted for the
  language's locale (:mod:`sim.faces.formats`),
- the plots,
- the study description in the order of the STRESS-DES reporting guideline (Monks et al.,
  2019): objectives; model logic (queue, abandonment, callback and transfer rules, the 15:00
  and queue-at-closing rules); data and assumptions; experimentation (replications and run
  length with reasons); random streams and common random numbers; implementation (software
  versions, :mod:`sim.faces.environment`); hardware and run time.

``python -m sim.report DIR [--lang sv|en]`` writes ``DIR/report.html`` for a folder written by
``python -m sim.compare`` or ``python -m sim.mc``. The words are translated through the
message catalogues of :mod:`sim.faces.i18n`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.case_kpis import KIND_SHARE
from sim.analysis.stats import cut_at
from sim.catalogue import CATALOGUE, TARGET_KPIS
from sim.errors import ScenarioError
from sim.faces.cli import reports_errors
from sim.faces.environment import environment
from sim.faces.folders import output_file
from sim.faces.formats import date_text, fmt, fmt_diff, fmt_p, month_text, number, target_text
from sim.faces.htmlkit import Section, bullets, esc, image, paragraph, render, table_html
from sim.faces.i18n import LANGUAGES, N_, _, language, n_
from sim.faces.scenario_words import describe_scenario, enabled, holidays_text, num, share

__all__ = [
    "comparison_report",
    "comparison_sections",
    "folder_report",
    "judged",
    "kpi_label",
    "practical_words",
    "stress_des_sections",
    "verdict_text",
]

KPI_LABELS: dict[str, str] = {k.name: k.label for k in CATALOGUE}
"""The English words of each KPI, declared once in :mod:`sim.catalogue` (msgids of the translation
catalogue: show them through :func:`kpi_label`)."""

VERDICTS: tuple[str, ...] = (
    N_("meets"), N_("misses"), N_("uncertain"), N_("better"), N_("worse"), N_("saves"), N_("costs more"),
    N_("no clear difference"), N_("no practical difference"), N_("identical"), N_("n/a"), N_("not compared"),
    N_("higher"), N_("lower"),
)
"""The verdicts and assessments of :mod:`sim.study.compare`, translated where shown."""


def verdict_text(verdict: str) -> str:
    """A verdict or assessment (``meets``, ``better``, ``no clear difference`` …) in the current language."""
    return _(verdict) if verdict in VERDICTS else verdict


def kpi_label(kpi: str) -> str:
    """The report's words for a KPI (a case kind's share is named after its kind)."""
    if kpi.startswith(KIND_SHARE):
        return _("{kind} cases within their limit").format(kind=kpi[len(KIND_SHARE):].replace("_", " "))
    return _(KPI_LABELS[kpi]) if kpi in KPI_LABELS else kpi


def case_kinds(table: pd.DataFrame) -> list[str]:
    """The ``within_target_<kind>`` KPIs of a summary table, in its order."""
    return [k for k in dict.fromkeys(table["kpi"]) if str(k).startswith(KIND_SHARE)] if len(table) else []


FEATURE_KPIS: tuple[str, ...] = (
    "callbacks_offered", "callbacks_accepted", "callbacks_made", "callbacks_failed", "callback_accept_share",
    "callback_on_time_share", "transfers", "transfers_warm", "transfers_blind", "transfer_fallbacks",
    "transfer_abandoned", "mean_consult_wait_s", "repeat_calls", "repeat_contact_ratio",
    "fcr", "repeat_contacts_per_matter", "resolution_time_h",
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
    "transfer_fallbacks", "repeat_contact_ratio", "fcr", "repeat_contacts_per_matter", "resolution_time_h",
    "case_within_target", "work_h_mean", "backlog_end", "case_busy_s",
)
"""Shown where the rows carry them; each case kind's share (``case_kinds``) follows the targets."""


NOT_MODELLED = N_("not modelled")
"""A scenario's cell for a KPI it does not model (:func:`sim.study.compare.models`)."""
NOT_COMPARED = "not compared"
"""The assessment of a KPI that the baseline or the other scenario does not model."""

ONE_SIDED: dict[str, tuple[str, str]] = {
    "resolution": (N_("Failure demand is modelled in {modelled} only (a first contact that does not resolve the customer's "
                      "matter comes back as a repeat contact); in {others} every answered call is assumed to resolve the "
                      "customer's matter at its first contact."),
                   N_("The repeat calls are part of the calls offered and answered, the service level and the other KPIs "
                      "the scenarios share, which are compared as usual: their differences show what the failure demand costs.")),
    "repeats": (N_("Repeat calls are modelled in {modelled} only; in {others} no caller calls again (neither after hanging up "
                   "nor after a call that did not resolve the matter)."),
                N_("The repeat calls are part of the calls offered and answered, the service level and the other KPIs "
                   "the scenarios share, which are compared as usual.")),
    "callbacks": (N_("Callbacks are modelled in {modelled} only; in {others} no callback is offered."), ""),
    "transfers": (N_("Transfers to the second line are modelled in {modelled} only; in {others} no call is transferred."), ""),
    "cases": (N_("Case work is modelled in {modelled} only; in {others} only phone calls are modelled."), ""),
}
"""Why a feature's KPIs are shown for some scenarios only: what the others assume, and (for
the extra calls of repeat contacts) where their effect is compared."""
KPI_ONE_SIDED = N_("{title} is therefore shown for {modelled} only and not compared.")
KPIS_ONE_SIDED = N_("Their KPIs ({kpis}) are therefore shown for {modelled} only and not compared.")


def _reason(cmp: Any, kpi: str) -> str | None:
    """The feature that ``kpi`` is modelled by in :data:`ONE_SIDED`: the repeat calls of
    scenarios that differ only in failure demand are failure demand's."""
    from sim.study.compare import feature_of

    feature = feature_of(kpi)
    if feature == "repeats" and cmp.modelled(kpi) == cmp.modelled("fcr"):
        return "resolution"
    return feature


def one_sided(cmp: Any, kpi: str, names: Callable[[str], str] = str) -> str | None:
    """Why ``kpi`` is shown for some of the scenarios of ``cmp`` only (a sentence in the
    current language; ``names`` writes a scenario's label), or None when every scenario or
    none models it (:meth:`sim.study.compare.Comparison.modelled`)."""
    feature = _reason(cmp, kpi)
    if feature is None:  # modelled by every scenario
        return None
    modelled = cmp.modelled(kpi)
    others = [lb for lb in cmp.labels if lb not in modelled]
    if not modelled or not others:
        return None
    why, usual = ONE_SIDED[feature]
    who = {"modelled": _and([names(lb) for lb in modelled]), "others": _and([names(lb) for lb in others])}
    title = kpi_label(kpi).split(" (")[0]
    text = _(why).format(**who) + " " + _(KPI_ONE_SIDED).format(title=title[:1].upper() + title[1:], modelled=who["modelled"])
    return text + (" " + _(usual) if usual else "")


def one_sided_notes(cmp: Any, kpis: Sequence[str]) -> list[str]:
    """One sentence per feature whose KPIs among ``kpis`` some scenarios of ``cmp`` do not
    model: which model it, what the others assume, and that those KPIs are not compared."""
    notes: dict[str, list[str]] = {}
    for kpi in kpis:
        feature = _reason(cmp, kpi)
        modelled = cmp.modelled(kpi)
        if feature is not None and modelled and len(modelled) < len(cmp.labels):
            notes.setdefault(feature, []).append(kpi)
    out = []
    for feature, shown in notes.items():
        modelled = cmp.modelled(shown[0])
        others = [lb for lb in cmp.labels if lb not in modelled]
        why, usual = ONE_SIDED[feature]
        who = {"modelled": _and(modelled), "others": _and(others)}
        names = _and([kpi_label(k).split(" (")[0] for k in shown])
        out.append(" ".join([_(why).format(**who), _(KPIS_ONE_SIDED).format(kpis=names, modelled=who["modelled"]),
                             *([_(usual)] if usual else [])]))
    return out


def shown_kpis(cmp: Any, kpis: Sequence[str]) -> list[str]:
    """``kpis`` without those that no scenario of ``cmp`` models (e.g. the callbacks' KPIs
    when no scenario offers callbacks)."""
    return [k for k in kpis if cmp.modelled(k)]


def judged(r: Any) -> str:
    """A difference's verdict in words: the statistical ``assessment``, or the practical one
    beside it when the difference is below its KPI's ``montecarlo.practical`` threshold
    (``no practical difference (statistically worse)``)."""
    a = str(r["assessment"])
    p = r.get("practical_assessment") if hasattr(r, "get") else None
    if not isinstance(p, str) or p == a:
        return verdict_text(a)
    return _("{practical} (statistically {statistical})").format(practical=verdict_text(p), statistical=verdict_text(a))


def practical_words(practical: Mapping[str, float]) -> str:
    """``availability 0.5 pp, queue time 2 s …``: the practical thresholds in the report's units."""
    parts = []
    for kpi, v in practical.items():
        name = kpi_label(kpi).split(" (")[0]
        parts.append(f"{name} {fmt_diff(kpi, v).lstrip('+')}")
    return ", ".join(parts) or _("none")


# --------------------------------------------------------------------------- comparison sections


def _verdict_span(verdict: Any) -> str:
    if verdict is None or (not isinstance(verdict, str) and pd.isna(verdict)):
        return ""
    return f'<span class="{esc(verdict)}">{esc(verdict_text(verdict))}</span>'


def results_table(table: pd.DataFrame, labels: Sequence[str], kpis: Sequence[str], caption: str, with_targets: bool,
                  modelled: Callable[[str], Sequence[str]] | None = None) -> str:
    """Rows = KPIs, columns = scenarios; cells ``mean [CI]`` (+ P(met) and verdict). With
    ``modelled`` (a KPI's scenarios that model it), a scenario's cell for a KPI it does not
    model says so, and a KPI no scenario models has no row."""
    t = table.set_index(["scenario", "kpi"])
    rows = []
    for kpi in kpis:
        if not any((lb, kpi) in t.index for lb in labels) or (modelled is not None and not modelled(kpi)):
            continue
        target = ""
        cells = []
        for lb in labels:
            if modelled is not None and lb not in modelled(kpi):
                cells.append(f'<span class="small">{esc(_(NOT_MODELLED))}</span>')
                continue
            if (lb, kpi) not in t.index:
                cells.append("–")
                continue
            r = t.loc[(lb, kpi)]
            text = f"<strong>{esc(fmt(kpi, r['mean']))}</strong>"
            if r["replications"] > 1 and pd.notna(r["half_width"]) and r["half_width"] > 0:
                cut = "".join(_(" (cut at {bound})").format(bound=fmt(kpi, b)) for b in cut_at(kpi, r["mean"], r["half_width"]))
                text += f' <span class="small">[{esc(fmt(kpi, r["ci_low"]))}, {esc(fmt(kpi, r["ci_high"]))}]{esc(cut)}</span>'
            if with_targets and "p_met" in r and pd.notna(r.get("p_met")):
                p_met = _("P(met)")
                text += f'<br><span class="small">{esc(p_met)} {esc(fmt_p(r["p_met"]))}</span> {_verdict_span(r.get("verdict"))}'
                target = target_text(r.get("target"))
            cells.append(text)
        head = f"{esc(kpi_label(kpi))}<br><code>{esc(kpi)}</code>"
        rows.append([head, *([esc(target)] if with_targets else []), *cells])
    header = [_("KPI"), *([_("target")] if with_targets else []), *labels]
    return table_html(header, rows, caption, raw=True)


def differences_table(diffs: pd.DataFrame, kpis: Sequence[str], caption: str,
                      modelled: Callable[[str], Sequence[str]] | None = None) -> str:
    """Rows = KPIs, columns = scenarios; cells ``difference [CI] assessment``. With
    ``modelled`` (a KPI's scenarios that model it), a KPI that a scenario or the baseline does
    not model is "not compared", and a KPI no scenario models has no row."""
    labels = list(dict.fromkeys(diffs["scenario"]))
    d = diffs.set_index(["scenario", "kpi"])
    base = diffs["baseline"].iloc[0] if len(diffs) else ""
    rows = []
    for kpi in kpis:
        if not any((lb, kpi) in d.index for lb in labels) or (modelled is not None and not modelled(kpi)):
            continue
        cells = []
        for lb in labels:
            if modelled is not None and not {lb, base} <= set(modelled(kpi)):
                cells.append(f'–<br><span class="small">{esc(_(NOT_COMPARED))}</span>')
                continue
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
    return table_html([_("KPI"), *[f"{lb} − {base}" for lb in labels]], rows, caption, raw=True)


def month_table(month: pd.DataFrame, labels: Sequence[str]) -> str:
    """Per month and scenario: service level and availability with P(month meets target)."""
    rows = []
    m = month[month["kpi"].isin(["service_level", "availability"])]
    short = {"service_level": _("SL"), "availability": _("avail.")}
    for period, g in m.groupby("period", sort=True):
        cells = []
        for lb in labels:
            parts = []
            for kpi in ("service_level", "availability"):
                r = g[(g["scenario"] == lb) & (g["kpi"] == kpi)]
                if len(r):
                    r0 = r.iloc[0]
                    parts.append(f"{esc(short[kpi])} {esc(fmt(kpi, r0['mean']))} "
                                 f'<span class="small">P {esc(fmt_p(r0.get("p_met")))}</span>')
            cells.append("<br>".join(parts) or "–")
        rows.append([esc(month_text(pd.Timestamp(period).date())), *cells])
    return table_html([_("month"), *labels], rows, _("Per month: mean service level and availability, P(month meets the target)"),
                      raw=True)


def comparison_plots(cmp: Any, out_dir: Path) -> list[tuple[Path, str]]:
    """Write the side-by-side plots of a comparison; return (path, caption) pairs."""
    from sim.faces import plots

    out_dir.mkdir(parents=True, exist_ok=True)
    targets = cmp.scenarios[cmp.baseline].targets
    made: list[tuple[Path, str]] = []
    if "day" in cmp.levels:
        made.append((plots.compare_daily(cmp.daily(), targets, out_dir / "compare_daily.png"),
                     _("Daily service level and availability per scenario (mean over replications, 95 % CI band)")))
    if "interval" in cmp.levels:
        made.append((plots.compare_intraday(cmp.intraday(), targets, out_dir / "compare_intraday.png"),
                     _("Mean queue time of answered calls by time of day, pooled over the run's days")))
    made.append((plots.compare_agent_time(cmp.table, out_dir / "compare_agent_time.png", cmp.differences if len(cmp.labels) > 1 else None),
                 _("Agent-hours scheduled and present, and overtime after closing, per scenario")))
    if len(cmp.labels) > 1:
        made.append((plots.compare_differences(cmp.differences, out_dir / "compare_differences.png"),
                     _("Paired differences to the baseline with 95 % confidence intervals")))
    return made


def comparison_sections(cmp: Any, plots: Sequence[tuple[Path, str]] = ()) -> list[Section]:
    """Scenarios in words, KPI tables against the targets, differences, plots."""
    labels = cmp.labels
    base_lines = describe_scenario(cmp.scenarios[cmp.baseline])
    suffix = "" if cmp.baseline == "baseline" else " " + _("(baseline)")
    scen = f"<h3>{esc(cmp.baseline)}{esc(suffix)}</h3>{bullets(base_lines)}"
    for lb, sc in list(cmp.scenarios.items())[1:]:
        lines = describe_scenario(sc)
        changed = [x for x in lines if x not in base_lines]
        scen += f"<h3>{esc(lb)}</h3>"
        scen += (paragraph(_("As the baseline, except:")) + bullets(changed)) if changed else paragraph(_("Identical to the baseline."))
    sections = [Section(_("Scenarios"), scen, "scenarios")]
    table = cmp.table
    body = paragraph(_(
        "Each figure is the mean over {n} replications of the whole run, with its 95 % confidence interval in brackets. "
        "P(met) is the share of replications whose run met the target; the verdict is 'meets' when the whole confidence "
        "interval is on the right side of the target, 'misses' when it is wholly on the wrong side and 'uncertain' otherwise."
    ).format(n=cmp.replications))
    body += results_table(table, labels, (*TARGET_KPIS, *case_kinds(table)), _("KPIs against the agreement's targets (whole run)"), True,
                          cmp.modelled)
    body += results_table(table, labels, OTHER_KPIS, _("Volumes, agent time and days missing the targets (per run)"), False, cmp.modelled)
    body += "".join(paragraph(note) for note in one_sided_notes(cmp, OTHER_KPIS))
    if "month" in cmp.levels and cmp.level("month")["period"].nunique() > 1:
        body += month_table(cmp.summary("month", ("service_level", "availability")), labels)
    sections.append(Section(_("Results against the targets"), body, "results"))
    if len(labels) > 1:
        body = paragraph(_(
            "Differences are scenario − {baseline}, computed per replication and averaged: every scenario ran with the same "
            "replication seeds (common random numbers), so the differences are paired and their confidence interval is mean "
            "± t(0.975, R−1)·sd/√R of the per-replication differences. 'better'/'worse' (or 'saves'/'costs more' for agent "
            "time) is shown only when the interval excludes zero. A difference smaller than what matters in practice "
            "(montecarlo.practical: {practical}) is 'no practical difference', with the statistical verdict beside it. "
            "pp = percentage points, the difference of two percentages (91 % to 92 % is +1 pp)."
        ).format(baseline=cmp.baseline, practical=practical_words(cmp.scenarios[cmp.baseline].montecarlo.practical)))
        kpis = (*DIFF_KPIS, *case_kinds(cmp.differences))
        body += differences_table(cmp.differences, kpis, _("Paired differences to {baseline} (whole run)").format(baseline=cmp.baseline),
                                  cmp.modelled)
        body += "".join(paragraph(note) for note in one_sided_notes(cmp, kpis))
        sections.append(Section(_("Differences to the baseline"), body, "differences"))
    if plots:
        sections.append(Section(_("Plots"), "".join(image(p, cap) for p, cap in plots), "plots"))
    return sections


def _and(names: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return names[0] if len(names) == 1 else _("{items} and {last}").format(items=", ".join(names[:-1]), last=names[-1])


def _default_objectives(cmp: Any) -> str:
    others = cmp.labels[1:]
    kpis = _("the service agreement's KPIs (availability, service level, queue time, handle time, logging), agent time and "
             "overtime, and the number of days missing the targets")
    if not others:
        return _("Estimate {kpis} of the scenario {baseline}, with confidence intervals over {n} replications, and the "
                 "probability that each target is met.").format(kpis=kpis, baseline=cmp.baseline, n=cmp.replications)
    template = (_("Compare the scenario {names} with the baseline {baseline} on {kpis}, and tell whether the differences are "
                  "larger than the simulation noise.") if len(others) == 1 else
                _("Compare the scenarios {names} with the baseline {baseline} on {kpis}, and tell whether the differences are "
                  "larger than the simulation noise."))
    return template.format(names=_and(others), baseline=cmp.baseline, kpis=kpis)


def _enabled_in(names: list[str]) -> str:
    return _("Enabled in: {names}.").format(names=", ".join(names)) if names else _("Not enabled in any compared scenario.")


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
    early = f"{c.early_close:%H:%M}" if c.early_close else _("off in the baseline")
    logic = [
        _("Calls arrive as a non-homogeneous Poisson process: the expected calls of an interval are volume × weekday factor "
          "× intraday profile weight (× an optional gamma day factor); arrival times are uniform within the interval."),
        _("Each call's talk, hold and after-call-work time, patience and logging flag are drawn when it arrives, from "
          "streams of their own."),
        _("One queue, first come first served; a queue is always offered when no agent is free (no delay techniques) "
          "and no caller type has priority."),
        _("Abandonment: a caller whose waiting time reaches their patience hangs up and counts as offered, not answered "
          "(no exclusions of short abandons)."),
        _("Opening hours per weekday; closed on {holidays} (holidays package, {country}) and the closed eves; the phones close "
          "early on the day before a closed red day (rule: {early}); planned closures close whole days or trim the start or "
          "end of a day.").format(holidays=holidays_text(base.calendar), country=base.calendar.country, early=early),
        _("At closing the line stops accepting new calls but every caller already queued is still served: the agents on "
          "duty stay until the queue is empty or the callers have hung up; that agent time is overtime. An agent whose "
          "shift ends finishes the call in hand."),
        _("Displaced demand: callers who ring while the line is closed (after an early closing, on a red day) call again "
          "at the next opening with probability {p}, spread over its first {n} intervals; the others are lost.").format(
            p=num(d.displaced_share), n=d.displaced_intervals),
    ]
    on = {key: [lb for lb, sc in cmp.scenarios.items() if enabled(sc, key)] for key in ("callbacks", "transfers", "repeats", "resolution")}
    logic.append(
        _("Callbacks (Kontakta 'Callback'): a queued caller offered a callback who accepts hangs up but keeps their place; "
          "callbacks are made in queue-position order, attempts can fail and are retried, a callback never reached "
          "becomes a logged case; 'on time' = first attempt within the promised window.") + " " + _enabled_in(on["callbacks"])
    )
    logic.append(
        _("Warm transfers (agreement 3.2): the first agent phones a colleague in the target group while the customer "
          "holds and hands over only when the colleague accepts; the customer keeps their queue position in the target "
          "group; no colleague within the limit, or a customer who prefers it, leads to a case for a later callback; "
          "blind transfer is the comparison policy.") + " " + _enabled_in(on["transfers"])
    )
    logic.append(
        _("Repeat contacts: callers who abandon may call again after a delay, each attempt an offered call.") + " "
        + _enabled_in(on["repeats"])
    )
    logic.append(
        _("Failure demand (Kontakta annex 2 §3, §4, §7): an answered call resolves the customer's matter with the probability "
          "resolution.fcr (first-contact resolution); an unresolved customer contacts again after a delay in working days, "
          "each call an offered call. A scenario without it assumes that every answered call resolves the matter at its "
          "first contact, and its first-contact resolution is not compared.") + " " + _enabled_in(on["resolution"])
    )
    logic.append(_("The settings of each scenario are listed in the Scenarios section."))
    t = base.targets
    data = [
        _("The targets come from the service agreement between Fibra and Mälarenergi, as set in the baseline's targets "
          "group (availability > {availability}, answered within {threshold} s > {service_level} of all offered calls, "
          "queue time < {asa} s, handle time < {aht} s, logging > {logging}); the KPI definitions follow Kontakta "
          "annex 2.").format(availability=share(t.availability_min), threshold=num(t.threshold_s),
                             service_level=share(t.service_level_min), asa=num(t.asa_max_s), aht=num(t.aht_max_s),
                             logging=share(t.logging_min)),
        _("Demand volume, weekday factors, intraday profile, handle-time distributions and patience are planning "
          "assumptions of the scenario files (scenarios/), not fitted to a call log; see the scenarios section for the "
          "values and README for the reasons."),
        (_("The calendar uses the holidays package's {holidays}; Sundays are not holidays for the 15:00 rule.")
         if base.calendar.country == "SE" else _("The calendar uses the holidays package's {holidays}.")).format(
            holidays=holidays_text(base.calendar).removeprefix("the ")),
    ]
    reps = cmp.replications
    tbl = cmp.table
    hw = tbl[tbl["kpi"] == "service_level"]["half_width"]
    dhw = cmp.differences[cmp.differences["kpi"] == "service_level"]["half_width"] if len(cmp.labels) > 1 else pd.Series(dtype=float)
    runs = {(s.run.start, s.run.end) for s in cmp.scenarios.values()}
    span = "; ".join(_("{start} to {end} ({days})").format(
        start=date_text(a), end=date_text(b), days=n_("{n} day", "{n} days", (b - a).days + 1).format(n=(b - a).days + 1))
        for a, b in sorted(runs))
    exp = experimentation or _(
        "Each replication simulates {span}: a terminating simulation. The line opens empty each morning and the queue is "
        "served after closing, so no warm-up period is needed and no call is cut off at the end of a day; the run length "
        "is the period the targets are judged over (days and months).").format(span=span)
    ci_sl = (_("± {hw} pp at most").format(hw=number(100 * hw.max(), 2)) if len(hw) and pd.notna(hw.max())
             else _("not available (one replication)"))
    ci_diff = (_("; of the paired difference to the baseline ± {hw} pp at most.").format(hw=number(100 * dhw.max(), 2))
               if len(dhw) and pd.notna(dhw.max()) else ".")
    exp_items = [
        exp,
        _("{n} replications per scenario. The 95 % confidence interval of the whole-run service level is {ci}").format(
            n=reps, ci=ci_sl) + ci_diff + " "
        + _("Add replications (or use `python -m sim.mc` with montecarlo.precision) when a difference of interest is smaller "
            "than that."),
        _("Confidence intervals: mean ± t(0.975, R−1)·sd/√R over replications (Student t), cut to 0–100 % for shares and at 0 for "
          "times, hours and counts (their mean cannot lie outside, so the cut interval covers it as often; a cut interval says "
          "'cut at'); the intervals of differences are not cut. P(target met) is the share of replications meeting the target, "
          "with a Wilson score interval in the CSV tables."),
    ]
    streams = [
        _("Replication k of every scenario is seeded with numpy's SeedSequence(seed, spawn_key=(k,)); the seed is {seed} for "
          "every scenario of this study.").format(seed=cmp.seed),
        _("Inside a replication every purpose (arrivals, displaced callers, talk, hold, wrap, patience, logging, day factor, "
          "and callback/transfer choices when modelled) has its own generator per calendar date, keyed "
          "SeedSequence(seed, spawn_key=(k, purpose, date))."),
        _("Common random numbers: two scenarios therefore see the same callers (arrival, handle time, patience) on every "
          "date where their demand is the same; changing the staffing or a day's closing time changes only what it must. "
          "The comparison uses this to pair replications; the CSV column unpaired_half_width shows how wide the intervals "
          "would be without pairing."),
    ]
    env = environment()
    machine = ("operating system", "processor", "logical cores", "memory")
    impl_rows = [[_(k) if k not in ("Python",) else k, v] for k, v in env.items() if k not in machine]
    impl = table_html([_("software"), _("version")], impl_rows)
    impl += paragraph(_("Model: SimPy discrete-event model (package sim); KPIs are pure functions of the call records "
                        "(sim.analysis.kpis); replications run in parallel with joblib (sim.study.runner)."))
    if command:
        impl += "<p>" + esc(_("Command:")) + f" <code>{esc(command)}</code></p>"
    hw_rows = [[_(k), env[k]] for k in machine if k in env]
    rt = run_time_s if run_time_s is not None else cmp.run_time_s
    hw_rows.append([_("workers (processes)"), str(cmp.workers or os.cpu_count() or "?")])
    hw_rows.append([_("run time"), f"{number(rt, 1)} s" if rt is not None else _("not recorded")])
    hw_rows.append([_("scenarios × replications"), f"{len(cmp.labels)} × {reps}"])
    kpi_defs = table_html([_("KPI"), _("definition")], [
        [_("availability"), _("answered / offered")],
        [_("service level"),
         _("answered with wait ≤ {s} s / all offered (abandoned calls count, no exclusions)").format(s=num(t.threshold_s))],
        [_("queue time (asa_s)"), _("mean wait of answered calls; mean_wait_all_s over all offered calls")],
        [_("handle time (aht_s)"), _("mean talk + hold + after-call work of answered calls")],
        [_("logging"), _("logged / answered")],
        [_("occupancy"), _("busy / present agent time")],
        [_("overtime"), _("agent time present after closing, serving the queue")],
        [_("days missing a target"), _("open days whose daily KPI missed the target (per replication)")],
    ])
    return [
        Section(_("STRESS-DES 1 · Objectives"), paragraph(objectives or _default_objectives(cmp)), "objectives"),
        Section(_("STRESS-DES 2 · Model logic"), bullets(logic), "logic"),
        Section(_("STRESS-DES 3 · Data and assumptions"), bullets(data), "data"),
        Section(_("STRESS-DES 4 · Experimentation"), bullets(exp_items) + kpi_defs, "experimentation"),
        Section(_("STRESS-DES 5 · Random streams and common random numbers"), bullets(streams), "streams"),
        Section(_("STRESS-DES 6 · Implementation"), impl, "implementation"),
        Section(_("STRESS-DES 7 · Hardware and run time"), table_html(["", ""], hw_rows), "hardware"),
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
    lang: str | None = None,
) -> Path:
    """Write the plots and ``report.html`` for a :class:`sim.study.compare.Comparison` in
    ``lang`` (``sv``/``en``; None: the current language, English outside a
    :func:`sim.faces.i18n.language` block).

    ``lead`` sections come first (e.g. a study's conclusion), ``extra`` after the results;
    their words (and ``title``, ``objectives``, ``experimentation``) are the caller's.
    """
    with language(lang):
        out = Path(out_dir)
        plots = [*comparison_plots(cmp, out), *extra_plots]
        if title is None:
            title = (_("Scenario comparison: {labels}").format(labels=" vs ".join(cmp.labels)) if len(cmp.labels) > 1
                     else _("Monte Carlo run: {label}").format(label=cmp.labels[0]))
        study = stress_des_sections(cmp, objectives, experimentation, run_time_s, command)
        sections = [*lead, *comparison_sections(cmp, plots), *extra, *study]
        runs = sorted({(s.run.start, s.run.end) for s in cmp.scenarios.values()})
        subtitle = _("{n} replications per scenario, seed {seed}, run {start} to {end}").format(
            n=cmp.replications, seed=cmp.seed, start=date_text(runs[0][0]), end=date_text(runs[-1][1]))
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


def folder_report(folder: str | Path, out: str | Path | None = None, lang: str | None = None) -> Path:
    """``report.html`` for a comparison folder (``meta.json``) or a Monte Carlo folder, in ``lang``."""
    from sim.study.compare import Comparison

    folder = Path(folder)
    if not folder.is_dir():
        raise ScenarioError(f"{folder} is not a folder.")
    if out:
        output_file(out, "--out", make=False)  # a file or folder in the way is named first ...
    cmp = Comparison.load(folder) if (folder / "meta.json").exists() else _load_mc_folder(folder)
    target = output_file(out, "--out") if out else folder / "report.html"  # ... and made after the load: a damaged folder makes none
    command = f"python -m sim.report {folder}" + (f" --lang {lang}" if lang else "")
    return comparison_report(cmp, target.parent, filename=target.name, command=command, lang=lang)


@reports_errors
def main(argv: Sequence[str] | None = None) -> None:
    """``python -m sim.report DIR [--out FILE] [--lang sv|en]``."""
    parser = argparse.ArgumentParser(prog="python -m sim.report", description="Write a self-contained HTML report for a "
                                     "comparison folder (python -m sim.compare) or a Monte Carlo folder (python -m sim.mc).")
    parser.add_argument("folder", help="folder written by python -m sim.compare or python -m sim.mc")
    parser.add_argument("--out", help="the HTML file to write (default FOLDER/report.html)")
    parser.add_argument("--lang", choices=sorted(LANGUAGES), default="en",
                        help="language of the report: sv (Swedish) or en (English, the default)")
    args = parser.parse_args(argv)
    path = folder_report(args.folder, args.out, args.lang)
    sys.stdout.write(f"report: {path}\n")


if __name__ == "__main__":
    main()

"""The page's logic, without a browser: from a manager's inputs to a validated variant scenario,
and from a :class:`~sim.study.compare.Comparison` to the figures the page shows.

Everything here is a pure function of its arguments (plus reading ``scenarios/`` through
:func:`sim.scenario.compose.load_scenario`), so it is unit-tested without Shiny
(``tests/faces/test_app_logic.py``). The layout is :mod:`sim.faces.app.layout`, the server
:mod:`sim.faces.app.server`.

A manager's inputs arrive as text and numbers (:class:`Choices`). :func:`build` applies
them to the base scenario's validated dump one *field* at a time and validates each step
with the scenario schema (:func:`sim.scenario.compose.validate`), so that a bad value is
reported next to the field that caused it, in the schema's own one-paragraph words.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import html
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.paired import NO_PRACTICAL
from sim.analysis.stats import cut_at
from sim.catalogue import TARGET_KPIS, is_share  # TARGET_KPIS: the agreement's KPIs, shown as cards
from sim.errors import ScenarioError
from sim.faces.app import words as W
from sim.faces.formats import date_text, month_text, number, weekday_name
from sim.faces.i18n import N_, _, n_
from sim.faces.scenario_words import for_display, num, reason_text, share
from sim.scenario.compose import load_scenario, scenarios_dir, validate
from sim.scenario.variants import add_agents, scale_agents, with_closures, with_hours
from sim.schema import WEEKDAYS, Scenario, hhmm, minutes
from sim.study.compare import Comparison, feature_of
from sim.study.runner import scenario_digest
from sim.world.calendar import day_plans
from sim.world.clock import clock_minutes

LEVELS: tuple[str, ...] = ("interval", "day", "month", "run")
"""KPI levels the page computes (interval rows feed the intraday plot)."""

MAX_REPLICATIONS = 200
"""The page's cap on replications (the schema allows more; a page run must stay interactive)."""

MAX_UPLOAD_BYTES = 64 * 1024
"""Largest staffing CSV accepted (a week of 15-minute rows is about 10 kB)."""

MAX_CLOSURE_LINES = 50

TIME_KPIS: tuple[str, ...] = ("staffed_s", "present_s", "overtime_s")
"""Agent time, shown as cards without a target."""

FIELDS: tuple[str, ...] = (
    "base", *(f"hours_{d}" for d in WEEKDAYS), "early_close", "closures", "callbacks", "transfers", "resolution",
    "staffing", "period", "replications",
)
"""Input fields an error can be reported next to (the ids of the page's error slots)."""


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Choices:
    """What a manager set on the page (text as typed; parsed and validated by :func:`build`).

    ``hours`` maps a weekday (``mon`` … ``sun``) to ``"08:00-17:00"`` or ``""``/``closed``.
    ``closures`` holds one closure per line: ``YYYY-MM-DD[..YYYY-MM-DD] [HH:MM-HH:MM] [reason]``.
    ``staffing_mode`` is ``none``, ``agents`` (``staffing_delta`` agents more or fewer on
    every interval), ``percent`` (``staffing_delta`` % more or fewer, rounded) or ``csv``
    (``staffing_csv``: the uploaded file's bytes, columns ``weekday,interval_start,agents``).
    ``resolution_on`` models failure demand with first-contact resolution ``fcr`` (None: the
    base scenario's own shares, e.g. one per case type).
    """

    hours: Mapping[str, str]
    early_close_on: bool
    early_close: str
    closures: str = ""
    callbacks_on: bool = False
    accept_share: float | None = 0.3
    transfers: str = "off"
    resolution_on: bool = False
    fcr: float | None = 0.7
    staffing_mode: str = "none"
    staffing_delta: float | None = 0
    staffing_csv: bytes | None = None
    start: str = ""
    end: str = ""
    replications: int | None = 20


def base_names(root: Path | None = None) -> list[str]:
    """The scenarios a manager can start from: ``default`` and every experiment file."""
    root = root or scenarios_dir()
    return ["default", *sorted(p.stem for p in (root / "experiment").glob("*.yaml"))]


@lru_cache(maxsize=32)
def base_scenario(name: str) -> Scenario:
    """A shipped scenario by name (only names from :func:`base_names` are accepted)."""
    if name not in base_names():
        raise ScenarioError(f"Unknown scenario {name!r}; choose one of {', '.join(base_names())}.")
    return load_scenario(name)


def choices_of(s: Scenario) -> Choices:
    """The inputs that reproduce scenario ``s`` unchanged (the page's initial values)."""
    hours = {d: (f"{h.opens:%H:%M}-{h.closes:%H:%M}" if (h := s.calendar.hours_of(i)) else "closed")
             for i, d in enumerate(WEEKDAYS)}
    lines = []
    for c in s.calendar.closures:
        text = str(c.start) + (f"..{c.end}" if c.end and c.end != c.start else "")
        if c.from_time is not None and c.to_time is not None:
            text += f" {c.from_time:%H:%M}-{c.to_time:%H:%M}"
        lines.append(f"{text} {c.reason}")
    return Choices(
        hours=hours,
        early_close_on=s.calendar.early_close is not None,
        early_close=f"{s.calendar.early_close:%H:%M}" if s.calendar.early_close else "15:00",
        closures="\n".join(lines),
        callbacks_on=s.callbacks.enabled,
        accept_share=s.callbacks.accept_share,
        transfers=s.transfers.policy,
        resolution_on=s.resolution.enabled,
        fcr=(None if isinstance(s.resolution.fcr, dict) else float(s.resolution.fcr)) if s.resolution.enabled else 0.7,
        start=str(s.run.start),
        end=str(s.run.end),
        replications=max(2, min(s.montecarlo.replications, MAX_REPLICATIONS)),
    )


# --------------------------------------------------------------------------- applying inputs

Raw = dict[str, Any]

def apply_early_close(raw: Raw, on: bool, time: str) -> Raw:
    """The 15:00 rule on (at ``time``) or off."""
    out = copy.deepcopy(raw)
    out["calendar"]["early_close"] = str(time).strip() if on else None
    return out


def apply_callbacks(raw: Raw, on: bool, accept_share: float | None) -> Raw:
    """Callbacks on (with the shipped callback settings of ``scenarios/callbacks/on.yaml``
    when the base has them off) or off; ``accept_share`` of the callers offered one accept."""
    out = copy.deepcopy(raw)
    if on and not out["callbacks"].get("enabled"):
        out["callbacks"] = _shipped("callbacks", "on")
    out["callbacks"]["enabled"] = bool(on)
    if on:
        if accept_share is None:
            raise ScenarioError("Invalid callback acceptance: give a share between 0 and 1 (callbacks.accept_share).")
        out["callbacks"]["accept_share"] = accept_share
    return out


def apply_transfers(raw: Raw, policy: str) -> Raw:
    """Transfers ``off``, ``warm`` or ``blind``; from ``off`` the shipped second line and case
    types of ``scenarios/transfers/warm.yaml`` are used."""
    out = copy.deepcopy(raw)
    if policy not in ("off", "warm", "blind"):
        raise ScenarioError(f"Invalid transfer policy {policy!r}; allowed: off, warm, blind (transfers.policy).")
    if policy != "off" and out["transfers"].get("policy", "off") == "off":
        out["transfers"] = _shipped("transfers", policy)
    out["transfers"]["policy"] = policy
    return out


def apply_resolution(raw: Raw, on: bool, fcr: float | None) -> Raw:
    """Failure demand on (with the shipped delay and contact limit of
    ``scenarios/resolution/fcr70.yaml`` when the base has it off), first-contact resolution
    ``fcr`` (None: the base's own), or off (``resolution.fcr`` 1: every answered call resolves
    the customer's matter)."""
    out = copy.deepcopy(raw)
    enabled = _models_failure_demand(out["resolution"])
    if not on:
        if enabled:
            out["resolution"]["fcr"] = 1.0
        return out
    if not enabled:
        out["resolution"] = _shipped("resolution", "fcr70")
    if fcr is None and not enabled:
        raise ScenarioError("Invalid first-contact resolution: give a share between 0 and 1 (resolution.fcr).")
    if fcr is not None:
        if not 0 <= fcr < 1:
            raise ScenarioError(f"Invalid first-contact resolution {fcr}: give a share from 0 to below 1 (resolution.fcr; "
                                "1 means every answered call resolves the matter: untick failure demand instead).")
        out["resolution"]["fcr"] = fcr
    return out


def _models_failure_demand(resolution: Raw) -> bool:
    """Whether a scenario dump's ``resolution`` models failure demand (a share below 1)."""
    fcr = resolution.get("fcr", 1.0)
    return any(float(x) < 1 for x in (fcr.values() if isinstance(fcr, dict) else [fcr]))


@lru_cache(maxsize=8)
def _shipped_json(group: str, option: str) -> str:
    s = load_scenario("default", [f"{group}={option}"])
    return json.dumps(s.model_dump(mode="json")[group])


def _shipped(group: str, option: str) -> Raw:
    value: Raw = json.loads(_shipped_json(group, option))
    return value


def apply_staffing(raw: Raw, mode: str, delta: float | None, csv: bytes | None, upload_dir: Path | None) -> Raw:
    """The first line's staffing: ``delta`` agents (or %) more or fewer on every open interval, by
    the rules of :mod:`sim.scenario.variants` (the sweep's), or the uploaded CSV as ``staffing.table_file``
    (stored under ``upload_dir`` by its hash and read by the scenario loader, like a scenario file)."""
    out = copy.deepcopy(raw)
    if mode == "none":
        return out
    if mode in ("agents", "percent"):
        if delta is None or delta != delta:  # noqa: PLR0124 - NaN
            raise ScenarioError("Invalid staffing change: give a number of agents or a percentage (staffing).")
        if mode == "percent" and not -100 <= delta <= 1000:
            raise ScenarioError(f"Invalid staffing change: {delta:g} %; allowed -100 to +1000 % (staffing).")
        return add_agents(out, delta) if mode == "agents" else scale_agents(out, 1 + delta / 100)
    if mode == "csv":
        if not csv:
            raise ScenarioError("No staffing file uploaded: choose a CSV with columns weekday,interval_start,agents (staffing.table_file).")
        if upload_dir is None:
            raise ScenarioError("Uploads are not enabled on this page (staffing.table_file).")
        path = store_upload(csv, upload_dir)
        out["staffing"] = {"mode": "table", "agents": None, "table": None, "shifts": None, "table_file": str(path)}
        return out
    raise ScenarioError(f"Invalid staffing mode {mode!r}; allowed: none, agents, percent, csv (staffing).")


def check_upload_size(size: int) -> None:
    """Refuse an uploaded file larger than :data:`MAX_UPLOAD_BYTES` (before reading it)."""
    if size > MAX_UPLOAD_BYTES:
        raise ScenarioError(
            f"The staffing file is {size:,} bytes; at most {MAX_UPLOAD_BYTES:,} bytes are accepted "
            "(one row per weekday and interval: weekday,interval_start,agents) (staffing.table_file)."
        )


def store_upload(data: bytes, upload_dir: Path) -> Path:
    """Write an uploaded staffing CSV under ``upload_dir`` as ``<sha256>.csv`` (size-limited,
    UTF-8 text only); the name is the content's hash, never the uploader's file name."""
    check_upload_size(len(data))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError("The staffing file is not a UTF-8 text (CSV) file (staffing.table_file).") from None
    upload_dir.mkdir(parents=True, exist_ok=True)
    path = upload_dir / f"{hashlib.sha256(data).hexdigest()[:24]}.csv"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return path


def apply_period(raw: Raw, start: str, end: str) -> Raw:
    """``run.start`` and ``run.end`` (dates YYYY-MM-DD, inclusive)."""
    out = copy.deepcopy(raw)
    out["run"]["start"], out["run"]["end"] = str(start).strip(), str(end).strip()
    return out


def apply_replications(raw: Raw, reps: int | None) -> Raw:
    """``montecarlo.replications`` (at most :data:`MAX_REPLICATIONS` on the page)."""
    out = copy.deepcopy(raw)
    if reps is None or (isinstance(reps, float) and reps != int(reps)):
        raise ScenarioError("Invalid replications: give a whole number from 2 to "
                            f"{MAX_REPLICATIONS} (montecarlo.replications).")
    if not 2 <= int(reps) <= MAX_REPLICATIONS:
        raise ScenarioError(f"Invalid replications: {reps}; the page runs 2 to {MAX_REPLICATIONS} replications "
                            "(two at least, for a confidence interval) (montecarlo.replications).")
    mc = out["montecarlo"]
    mc["replications"] = int(reps)
    mc["max_replications"] = max(int(mc.get("max_replications") or 1), int(reps))
    return out


@dataclass(frozen=True)
class Built:
    """The result of :func:`build`: the two scenarios, or the errors per field."""

    baseline: Scenario | None
    variant: Scenario | None
    errors: dict[str, str] = field(default_factory=dict)
    replications: int = 0

    @property
    def ok(self) -> bool:
        """True when both scenarios are valid."""
        return not self.errors and self.baseline is not None and self.variant is not None


def _check(raw: Raw, base_dir: Path) -> Scenario:
    return validate(raw, base_dir=base_dir)


def build(base: Scenario, ch: Choices, upload_dir: Path | None = None) -> Built:
    """Baseline (``base`` over the chosen period and replications) and variant (every change
    of ``ch`` applied), each input validated on its own first so that its error is reported
    next to its field; errors that only the combination causes are reported under the field
    whose change made the combination invalid (the first, in the page's order)."""
    root = scenarios_dir()
    raw0: Raw = base.model_dump(mode="json")
    errors: dict[str, str] = {}
    common: list[tuple[str, Callable[[Raw], Raw]]] = [
        ("period", lambda r: apply_period(r, ch.start, ch.end)),
        ("replications", lambda r: apply_replications(r, ch.replications)),
    ]
    changes: list[tuple[str, Callable[[Raw], Raw]]] = [
        *((f"hours_{d}", (lambda r, d=d: with_hours(r, {**_hours_of(r), d: ch.hours.get(d, "")}))) for d in WEEKDAYS),
        ("early_close", lambda r: apply_early_close(r, ch.early_close_on, ch.early_close)),
        ("closures", lambda r: with_closures(r, ch.closures)),
        ("callbacks", lambda r: apply_callbacks(r, ch.callbacks_on, ch.accept_share)),
        ("transfers", lambda r: apply_transfers(r, ch.transfers)),
        ("resolution", lambda r: apply_resolution(r, ch.resolution_on, ch.fcr)),
        ("staffing", lambda r: apply_staffing(r, ch.staffing_mode, ch.staffing_delta, ch.staffing_csv, upload_dir)),
    ]
    raw = raw0
    for name, fn in common:  # cumulative: both scenarios share them
        try:
            step = fn(raw)
            _check(step, root)
            raw = step
        except ScenarioError as exc:
            errors[name] = str(exc)
    baseline_raw = raw
    for name, fn in changes:  # each alone on the baseline
        try:
            _check(fn(baseline_raw), root)
        except ScenarioError as exc:
            errors[name] = str(exc)
    if errors:
        return Built(None, None, errors)
    variant_raw = baseline_raw
    for name, fn in changes:  # then together, in the page's order
        try:
            variant_raw = fn(variant_raw)
            _check(variant_raw, root)
        except ScenarioError as exc:
            return Built(None, None, {name: f"Together with the changes above: {exc}"})
    baseline = _check(baseline_raw, root)
    variant = _check(variant_raw, root)
    return Built(baseline, variant, {}, int(baseline.montecarlo.replications))


def _hours_of(raw: Raw) -> dict[str, str]:
    hours = raw["calendar"]["hours"]
    return {d: (f"{h['opens'][:5]}-{h['closes'][:5]}" if h else "closed") for d, h in hours.items()}


# --------------------------------------------------------------------------- results folders


def result_key(scenario: Scenario, seed: int, levels: Sequence[str] = LEVELS) -> str:
    """The results folder name of a scenario's replications: a hash of the resolved scenario,
    the seed and the KPI levels (the runner's :func:`~sim.study.runner.scenario_digest`, which
    leaves out the replication count, the workers and the name). The one place to change
    when the project's results folders get another key."""
    return scenario_digest(scenario, seed, levels)


def comparison_key(keys: Sequence[str], replications: int) -> str:
    """The folder name of a finished comparison's downloads."""
    return hashlib.sha256(json.dumps([list(keys), replications]).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- what the page shows


def _row(table: pd.DataFrame, label: str, kpi: str) -> pd.Series | None:
    r = table[(table["scenario"] == label) & (table["kpi"] == kpi)]
    return r.iloc[0] if len(r) else None


@dataclass(frozen=True)
class Card:
    """One KPI card: baseline and variant against the target, and their paired difference."""

    kpi: str
    title: str
    target: str
    baseline: str
    baseline_ci: str
    baseline_p: str
    baseline_verdict: str
    variant: str
    variant_ci: str
    variant_p: str
    variant_verdict: str
    difference: str
    difference_ci: str
    assessment: str
    sentence: str
    statistical: str = ""
    """The statistical verdict when the practical one (``assessment``) differs from it."""


TITLES = {
    "availability": N_("Availability"), "service_level": N_("Service level"), "asa_s": N_("Queue time"),
    "aht_s": N_("Handle time"), "logging_share": N_("Logging"), "staffed_s": N_("Scheduled agent-hours"),
    "present_s": N_("Agent-hours present"), "overtime_s": N_("Overtime after closing"),
}


def title(kpi: str) -> str:
    """A KPI's name on a card."""
    from sim.faces.report import kpi_label

    return _(TITLES[kpi]) if kpi in TITLES else kpi_label(kpi).split(" (")[0].capitalize()


def _ci(fmt: Callable[[str, Any], str], kpi: str, r: pd.Series) -> str:
    if pd.isna(r.get("half_width")) or r["half_width"] == 0:
        return ""
    text = _("95 % CI {low} to {high}").format(low=fmt(kpi, r["ci_low"]), high=fmt(kpi, r["ci_high"]))
    for bound in cut_at(kpi, r["mean"], r["half_width"]):  # the interval of a level, cut as the summary cut it
        text += _(W.CI_CUT if is_share(kpi) else W.CI_CUT_ZERO).format(bound=fmt(kpi, bound))
    return text


def met_in(r: pd.Series) -> str:
    """``target met in 18 of 20 replications`` (P(target met) in words), or ``""``."""
    p, n = r.get("p_met"), r.get("replications")
    if p is None or pd.isna(p) or n is None or pd.isna(n):
        return ""
    return _(W.MET_IN).format(k=round(float(p) * int(n)), n=int(n))


def sentence(kpi: str, d: pd.Series | None, variant: str, baseline: str) -> str:
    """The plain-language verdict of a paired difference."""
    from sim.faces.formats import fmt_diff
    from sim.faces.report import verdict_text

    name = title(kpi).lower()
    if d is None:
        return _("No difference computed for {name}.").format(name=name)
    a = str(d["assessment"])
    diff, lo, hi = fmt_diff(kpi, d["difference"]), fmt_diff(kpi, d["ci_low"]), fmt_diff(kpi, d["ci_high"])
    if d.get("practical_assessment") == NO_PRACTICAL and a != NO_PRACTICAL:
        return _(W.PRACTICAL_SENTENCE).format(
            variant=variant, baseline=baseline, name=name, diff=diff, lo=lo, hi=hi,
            clear=_(W.PRACTICAL_CLEAR[a != "no clear difference"]), threshold=fmt_diff(kpi, d["practical"]).lstrip("+"))
    if a == "identical":
        return _("{title} is the same in every replication: the change does not affect it.").format(title=title(kpi))
    if a == "no clear difference":
        return _("No clear difference in {name}: {diff} on average, but the 95 % interval ({lo} to {hi}) includes zero, so it "
                 "is within the simulation noise.").format(name=name, diff=diff, lo=lo, hi=hi)
    if a == "n/a":
        return _("{title} cannot be compared (no values).").format(title=title(kpi))
    how = _("{diff} (95 % CI {lo} to {hi}), larger than the simulation noise.").format(diff=diff, lo=lo, hi=hi)
    if a == "better":
        return _("{variant} is better than {baseline} on {name}: {how}").format(variant=variant, baseline=baseline, name=name, how=how)
    if a == "worse":
        return _("{variant} is worse than {baseline} on {name}: {how}").format(variant=variant, baseline=baseline, name=name, how=how)
    if a == "saves":
        return _("{variant} saves agent time compared with {baseline} ({name}): {how}").format(
            variant=variant, baseline=baseline, name=name, how=how)
    if a == "costs more":
        return _("{variant} costs more agent time than {baseline} ({name}): {how}").format(
            variant=variant, baseline=baseline, name=name, how=how)
    return _("{title} is {a} in {variant} than in {baseline}: {how}").format(
        title=title(kpi), a=verdict_text(a), variant=variant, baseline=baseline, how=how)


FAILURE_KPIS: tuple[str, ...] = ("fcr", "repeat_contacts_per_matter", "resolution_time_h")
"""Failure demand's KPIs (Kontakta annex 2), shown when a scenario has it (``resolution.fcr`` < 1)."""


def card_kpis(table: pd.DataFrame, failure_demand: bool = False) -> list[str]:
    """The agreement's KPIs, then any other KPI the comparison judges against a target (the
    case-work targets, when the scenario has cases), failure demand's KPIs when
    ``failure_demand`` (a scenario has ``resolution.fcr`` below 1), then agent time."""
    judged = table.loc[table["target"].notna(), "kpi"] if "target" in table.columns else pd.Series(dtype=object)
    more = [k for k in dict.fromkeys(judged) if k not in TARGET_KPIS]
    failure = [k for k in FAILURE_KPIS if k not in more] if failure_demand else []
    return [*TARGET_KPIS, *more, *failure, *TIME_KPIS]


def _capital(text: str) -> str:
    """``text`` with a capital first letter (a sentence may begin with a scenario's label)."""
    return text[:1].upper() + text[1:]


def cards(cmp: Comparison, kpis: Sequence[str] | None = None) -> list[Card]:
    """The KPI cards of a two-scenario comparison (formatted as the report formats them)."""
    from sim.faces.formats import fmt, fmt_diff, target_text
    from sim.faces.report import NOT_COMPARED, NOT_MODELLED, one_sided

    base, var = cmp.labels[0], cmp.labels[-1]
    table, diffs = cmp.table, cmp.differences
    kpis = card_kpis(table, any(sc.resolution.enabled for sc in cmp.scenarios.values())) if kpis is None else kpis
    out = []
    for kpi in kpis:
        b, v = _row(table, base, kpi), _row(table, var, kpi)
        if b is None or v is None:
            continue
        why = one_sided(cmp, kpi, _)  # one scenario does not model it (e.g. failure demand): not compared
        if why is not None:
            out.append(_one_sided_card(cmp, kpi, b, v, why, fmt, target_text(b.get("target")), _(NOT_MODELLED), NOT_COMPARED))
            continue
        dd = diffs[(diffs["scenario"] == var) & (diffs["kpi"] == kpi)]
        d = dd.iloc[0] if len(dd) else None

        p = met_in
        stat = str(d["assessment"]) if d is not None else ""
        practical = str(d.get("practical_assessment", stat)) if d is not None else ""
        def verdict(r: pd.Series) -> str:
            x = r.get("verdict")
            return str(x) if isinstance(x, str) else ""

        out.append(Card(
            kpi=kpi, title=title(kpi), target=target_text(b.get("target")),
            baseline=fmt(kpi, b["mean"]), baseline_ci=_ci(fmt, kpi, b), baseline_p=p(b), baseline_verdict=verdict(b),
            variant=fmt(kpi, v["mean"]), variant_ci=_ci(fmt, kpi, v), variant_p=p(v), variant_verdict=verdict(v),
            difference=fmt_diff(kpi, d["difference"]) if d is not None else "–",
            difference_ci=(_("95 % CI {low} to {high}").format(low=fmt_diff(kpi, d["ci_low"]), high=fmt_diff(kpi, d["ci_high"]))
                           if d is not None and pd.notna(d["half_width"]) else ""),
            assessment=practical,
            sentence=_capital(sentence(kpi, d, _(var), _(base))),  # the labels in the page's language
            statistical=stat if stat != practical else "",
        ))
    return out


def _one_sided_card(cmp: Comparison, kpi: str, b: pd.Series, v: pd.Series, why: str, fmt: Callable[[str, Any], str],
                    target: str, not_modelled: str, not_compared: str) -> Card:
    """The card of a KPI that only one of the two scenarios models: its figures for that one,
    "not modelled" for the other, no difference, and ``why`` as its sentence."""
    modelled = cmp.modelled(kpi)

    def side(r: pd.Series, label: str) -> tuple[str, str, str, str]:
        if label not in modelled:
            return not_modelled, "", "", ""
        verdict = r.get("verdict")
        return fmt(kpi, r["mean"]), _ci(fmt, kpi, r), met_in(r), verdict if isinstance(verdict, str) else ""

    bs, vs = side(b, cmp.labels[0]), side(v, cmp.labels[-1])
    return Card(kpi=kpi, title=title(kpi), target=target, baseline=bs[0], baseline_ci=bs[1], baseline_p=bs[2], baseline_verdict=bs[3],
                variant=vs[0], variant_ci=vs[1], variant_p=vs[2], variant_verdict=vs[3], difference="–", difference_ci="",
                assessment=not_compared, sentence=_capital(why))


def headline(cmp: Comparison) -> str:
    """One paragraph: what the change does to the agreement's KPIs."""
    base, var = cmp.labels[0], cmp.labels[-1]
    t = cmp.table
    judged = [k for k in card_kpis(t) if k not in TIME_KPIS]
    d = cmp.differences
    d = d[(d["scenario"] == var) & d["kpi"].isin(judged)]
    col = "practical_assessment" if "practical_assessment" in d.columns else "assessment"
    better = [title(k).lower() for k, a in zip(d["kpi"], d[col], strict=True) if a == "better"]
    worse = [title(k).lower() for k, a in zip(d["kpi"], d[col], strict=True) if a == "worse"]
    met = t[(t["scenario"] == var) & t["kpi"].isin(judged)]
    missing = [title(k).lower() for k, m in zip(met["kpi"], met["verdict"], strict=True)
               if m != "meets" and (feature_of(k) is None or var in cmp.modelled(k))]  # a KPI it does not model cannot miss
    n = cmp.replications
    if not better and not worse:
        text = n_("After {n} replication, the change shows no clear effect that matters in practice on the agreement's KPIs "
                  "compared with {baseline}.",
                  "After {n} replications, the change shows no clear effect that matters in practice on the agreement's KPIs "
                  "compared with {baseline}.", n)
    elif worse and better:
        text = n_("After {n} replication, it is worse on {worse}, better on {better}.",
                  "After {n} replications, it is worse on {worse}, better on {better}.", n)
    elif worse:
        text = n_("After {n} replication, it is worse on {worse}.", "After {n} replications, it is worse on {worse}.", n)
    else:
        text = n_("After {n} replication, it is better on {better}.", "After {n} replications, it is better on {better}.", n)
    text = text.format(n=n, baseline=_(base), worse=", ".join(worse), better=", ".join(better)) + " "
    text += (_("The changed scenario meets every target with 95 % confidence.") if not missing
             else _("The changed scenario does not meet with 95 % confidence: {kpis}.").format(kpis=", ".join(missing)))
    return text


def legend(cmp: Comparison) -> str:
    """How to read the cards (once on the page): the verdicts, P(target met), the practical
    thresholds and what "pp" means."""
    from sim.faces.report import practical_words

    return _(W.LEGEND).format(practical=practical_words(cmp.scenarios[cmp.baseline].montecarlo.practical))


def _fcr_words(fcr: float | Mapping[str, float]) -> str:
    """``70 %``, or ``general 80 %, technical 60 %`` for shares per case type."""
    if isinstance(fcr, Mapping):
        return ", ".join(f"{k} {share(v)}" for k, v in fcr.items())
    return share(fcr)


def _day(d: str) -> str:
    """``Mon`` / ``mån`` for ``mon``."""
    return weekday_name(WEEKDAYS.index(d))


def _policy(policy: str) -> str:
    """A transfer policy in words."""
    return _(W.TRANSFER_WORDS[policy]) if policy in W.TRANSFER_WORDS else policy


def _hours(p: Any) -> tuple[Any, Any] | None:
    return None if p.opens is None or p.closes is None else (p.opens, p.closes)


def _span(h: tuple[Any, Any] | None) -> str:
    return _(W.CLOSED) if h is None else f"{hhmm(h[0])}–{hhmm(h[1])}"


def calendar_html(scenarios: Mapping[str, Scenario]) -> str:
    """A month grid per scenario: closed days grey, shortened days orange (hours and reason
    in the cell's tooltip and text), regular open days green. In every scenario after the
    first (the baseline) a day whose hours differ from the baseline's on that date is
    outlined (class ``changed``) and labelled with its new hours and the old ones."""
    parts = []
    first: dict[dt.date, tuple[Any, Any] | None] | None = None
    for label, s in scenarios.items():
        plans = day_plans(for_display(s.calendar), s.run.start, s.run.end)
        base = first
        if first is None:
            first = {p.date: _hours(p) for p in plans}
        parts.append(f'<div class="cal"><h4>{html.escape(_(label))}</h4>')
        months: dict[tuple[int, int], list[Any]] = {}
        for p in plans:
            months.setdefault((p.date.year, p.date.month), []).append(p)
        for (y, mo), ps in months.items():
            parts.append(f'<table class="calendar"><caption>{html.escape(month_text(dt.date(y, mo, 1)))}</caption><tr>'
                         + "".join(f"<th>{_day(d)}</th>" for d in WEEKDAYS) + "</tr><tr>")
            parts.append("<td></td>" * ps[0].date.weekday())
            for p in ps:
                if p.opens is None or p.closes is None:
                    cls, text = "closed", _(W.CLOSED)
                elif (p.opens, p.closes) != (p.regular_opens, p.regular_closes):
                    cls, text = "short", _span(_hours(p))
                else:
                    cls, text = "open", _span(_hours(p))
                reason = "" if p.reason in ("open",) else reason_text(p.reason)
                was = None if base is None or p.date not in base or base[p.date] == _hours(p) else _span(base[p.date])
                tip = (f"{date_text(p.date)}: {text}" + (f" ({reason})" if reason else "")
                       + (f"; {_(W.CAL_WAS).format(old=was)}" if was else ""))
                label_html = (f'<br><small class="was">{html.escape(_(W.CAL_WAS).format(old=was))}</small>' if was
                              else f'<br><small class="why">{html.escape(reason[:24])}</small>' if reason and cls != "open" else "")
                parts.append(f'<td class="{cls}{" changed" if was else ""}" title="{html.escape(tip)}" data-date="{p.date}">'
                             f'<b>{p.date.day}</b><br><small>{html.escape(text)}</small>{label_html}</td>')
                if p.date.weekday() == 6:
                    parts.append("</tr><tr>")
            parts.append("</tr></table>")
        parts.append("</div>")
    return "".join(parts)


def calendar_counts(s: Scenario, baseline: Scenario | None = None) -> dict[str, int]:
    """Open, shortened and closed days of a scenario's period; with ``baseline`` also
    ``changed``: the days whose hours differ from the baseline's on the same date."""
    plans = day_plans(s.calendar, s.run.start, s.run.end)
    closed = sum(p.opens is None for p in plans)
    short = sum(p.opens is not None and (p.opens, p.closes) != (p.regular_opens, p.regular_closes) for p in plans)
    out = {"open": len(plans) - closed - short, "shortened": short, "closed": closed}
    if baseline is not None:
        base = {p.date: _hours(p) for p in day_plans(baseline.calendar, baseline.run.start, baseline.run.end)}
        out["changed"] = sum(p.date in base and base[p.date] != _hours(p) for p in plans)
    return out


def calendar_counts_text(scenarios: Mapping[str, Scenario]) -> str:
    """``baseline: 18 regular, 1 shortened, 12 closed days; changed: …; 4 with changed hours``."""
    parts, first = [], None
    for label, s in scenarios.items():
        c = calendar_counts(s, first)
        text = _(W.CAL_COUNTS).format(label=_(label), **c)
        if c.get("changed"):
            text += _(W.CAL_CHANGED).format(n=c["changed"])
        parts.append(text)
        first = first or s
    return "; ".join(parts) + "."


# --------------------------------------------------------------------------- stale results


def stale(built: Built, shown: Mapping[str, Scenario] | None) -> str | None:
    """Why the results on the page are not those of the current inputs (``shown``: the
    scenarios of the run whose results are shown, None when there are none): the inputs are
    invalid now, or they have changed since the run. None when the results are current."""
    if not shown:
        return None
    if not built.ok:
        return _(W.STALE_INVALID)
    if tuple(shown.values()) != (built.baseline, built.variant):
        return _(W.STALE_CHANGED)
    return None


# --------------------------------------------------------------------------- changes in words


def _day_list(days: Sequence[str]) -> str:
    idx = [WEEKDAYS.index(d) for d in days]
    if len(idx) > 2 and idx == list(range(idx[0], idx[0] + len(idx))):
        return f"{_day(days[0])}–{_day(days[-1])}"
    return ", ".join(_day(d) for d in days)


def _h(x: float) -> str:
    return number(x, 1, sign=True).replace("-", "−")


def _weekday_hours(s: Scenario, day: str) -> tuple[int, int] | None:
    h = s.calendar.hours_of(WEEKDAYS.index(day))
    return None if h is None else (minutes(h.opens), minutes(h.closes))  # 24:00 is 1440, not 23:59


def _clock_span(h: tuple[int, int] | None) -> str:
    return _(W.CLOSED) if h is None else f"{hhmm(h[0])}–{hhmm(h[1])}"


def _day_agent_hours(st: Raw, day: str, hours: tuple[int, int] | None, step: int) -> float:
    """Agent-hours a staffing (a dump) schedules on a regular ``day`` open ``hours``."""
    if hours is None:
        return 0.0
    if st.get("mode") == "constant":
        return float(st["agents"]) * (hours[1] - hours[0]) / 60
    if st.get("mode") == "table" and st.get("table"):
        row = st["table"].get(day, st["table"].get("all")) or []
        return float(sum(row)) * step / 60
    total = 0.0
    for sh in st.get("shifts") or []:
        if day in sh.get("days", []) or "all" in sh.get("days", []):
            lo, hi = max(clock_minutes(sh["start"]), hours[0]), min(clock_minutes(sh["end"], end=True), hours[1])
            total += float(sh["count"]) * max(0, hi - lo) / 60
    return total


def _week_agent_hours(st: Raw, s: Scenario) -> float:
    step = int(s.demand.interval_min)
    return sum(_day_agent_hours(st, d, _weekday_hours(s, d), step) for d in WEEKDAYS)


def _agents_word(k: float) -> str:
    """``one agent more``, ``2 agents fewer``, ``0.5 agents more`` (a shift keeps a table's fractions)."""
    if k == 1:
        return _(W.AGENT_ONE_MORE)
    if k == -1:
        return _(W.AGENT_ONE_FEWER)
    return (_(W.AGENTS_MORE) if k > 0 else _(W.AGENTS_FEWER)).format(k=num(abs(k)))


def _same_shift(old: Sequence[int], new: Sequence[int]) -> tuple[int, bool] | None:
    """``(k, clipped)`` when every value of ``new`` is ``old + k`` (or 0 where that would be negative)."""
    if len(old) != len(new) or not old:
        return None
    ks = {n - o for o, n in zip(old, new, strict=True) if n > 0}
    if len(ks) != 1:
        return None
    k = ks.pop()
    ok = all(n == max(0, o + k) for o, n in zip(old, new, strict=True))
    return (k, any(o + k < 0 for o in old)) if ok and k != 0 else None


def _staffing_change(old: Raw, new: Raw, s: Scenario) -> list[str]:
    """The first line's staffing ``old`` → ``new`` (both for the variant's hours) in words."""
    if old == new:
        return []
    if old.get("mode") == new.get("mode") == "constant":
        k = int(new["agents"]) - int(old["agents"])
        return [_(W.AGENTS_EVERY).format(n=_agents_word(k)).capitalize() + f" ({old['agents']} → {new['agents']})"]
    if old.get("mode") == new.get("mode") == "table" and old.get("table") and new.get("table") and set(old["table"]) == set(new["table"]):
        flat_old = [v for d in old["table"] for v in old["table"][d]]
        flat_new = [v for d in new["table"] for v in new["table"][d]]
        same = _same_shift(flat_old, flat_new)
        if same is not None:
            return [_(W.AGENTS_EVERY).format(n=_agents_word(same[0])).capitalize() + (_(W.NONE_BELOW_ZERO) if same[1] else "")]
    if old.get("mode") == new.get("mode") == "shifts" and len(old.get("shifts") or []) == len(new.get("shifts") or []):
        same = _same_shift([int(x["count"]) for x in old["shifts"]], [int(x["count"]) for x in new["shifts"]])
        if same is not None:
            return [_(W.SHIFTS_EVERY).format(n=_agents_word(same[0])).capitalize() + (_(W.NONE_BELOW_ZERO) if same[1] else "")]
    a, b = _week_agent_hours(old, s), _week_agent_hours(new, s)
    values = dict(old=number(a, 1), new=number(b, 1), change=_h(b - a))
    if old.get("mode") == new.get("mode") == "table" and set(old["table"]) == set(new["table"]):
        pairs = [(o, n) for d in old["table"] for o, n in zip(old["table"][d], new["table"][d], strict=False)]
        if pairs and all(n >= o for o, n in pairs) and any(n > o for o, n in pairs):
            return [_(W.STAFF_MORE_EVERYWHERE).format(**values)]
        if pairs and all(n <= o for o, n in pairs) and any(n < o for o, n in pairs):
            return [_(W.STAFF_FEWER_EVERYWHERE).format(**values)]
    return [_(W.STAFF_OTHER).format(**values)]


def _closure_words(c: Any) -> str:
    when = date_text(c.start) + (f"–{date_text(c.end)}" if c.end and c.end != c.start else "")
    if c.from_time is not None and c.to_time is not None:
        when += f" {c.from_time:%H:%M}–{c.to_time:%H:%M}"
    return when


def changes_text(baseline: Scenario, variant: Scenario) -> list[str]:
    """What the variant does differently from the baseline, in a manager's words: the opening
    hours (``Fri 08:00–17:00 → 08:00–16:00``), how the staffing follows them, the rule for the
    day before a red day, dated closures, callbacks, transfers and the team (``one agent
    fewer on every interval``); anything else as the report describes it."""
    from sim.faces.scenario_words import describe_parts

    out: list[str] = []
    b_raw, v_raw = baseline.model_dump(mode="json"), variant.model_dump(mode="json")
    # opening hours, grouped by the same change
    groups: dict[tuple[str, str], list[str]] = {}
    for d in WEEKDAYS:
        old, new = _weekday_hours(baseline, d), _weekday_hours(variant, d)
        if old != new:
            groups.setdefault((_clock_span(old), _clock_span(new)), []).append(d)
    out += [_(W.HOURS_CHANGED).format(days=_day_list(days), old=o, new=n) for (o, n), days in groups.items()]
    # the staffing the new hours bring with them (the page refits a staffing table; other modes are clock-based)
    refit = with_hours(b_raw, _hours_of(v_raw))["staffing"] if groups else b_raw["staffing"]
    step = int(baseline.demand.interval_min)
    per_day, extra = [], ""
    for d in WEEKDAYS:
        old_h, new_h = _weekday_hours(baseline, d), _weekday_hours(variant, d)
        if old_h == new_h:
            continue
        change = _day_agent_hours(refit, d, new_h, step) - _day_agent_hours(b_raw["staffing"], d, old_h, step)
        if change != 0:
            per_day.append(_(W.REFIT_DAY).format(day=_day(d), hours=_h(change)))
        if new_h is not None and (old_h is None or new_h[0] < old_h[0] or new_h[1] > old_h[1]):
            extra = _(W.REFIT_EXTRA_NEW)
    if per_day:
        template = _(W.REFIT_TABLE) if b_raw["staffing"].get("mode") == "table" else _(W.REFIT_OPEN_ONLY)
        out.append(template.format(extra=extra, days=", ".join(per_day)))
    # the rule for the day before a red day
    b_cal, v_cal = baseline.calendar, variant.calendar
    if b_cal.early_close != v_cal.early_close:
        reasons = [p.reason for p in day_plans(v_cal, variant.run.start, variant.run.end)] if v_cal.early_close else \
                  [p.reason for p in day_plans(b_cal, baseline.run.start, baseline.run.end)]
        n = sum(str(r).startswith("day before") for r in reasons)
        days = n_("{n} day", "{n} days", n).format(n=n)
        if b_cal.early_close is None:
            out.append(_(W.EARLY_ON).format(time=f"{v_cal.early_close:%H:%M}", days=days))
        elif v_cal.early_close is None:
            out.append(_(W.EARLY_OFF).format(days=days))
        else:
            out.append(_(W.EARLY_MOVED).format(time=f"{v_cal.early_close:%H:%M}", old=f"{b_cal.early_close:%H:%M}", days=days))
    # dated closures
    b_cl, v_cl = list(b_cal.closures), list(v_cal.closures)
    out += [_(W.CLOSURE_ADDED).format(when=_closure_words(c), reason=c.reason) for c in v_cl if c not in b_cl]
    out += [_(W.CLOSURE_REMOVED).format(when=_closure_words(c), reason=c.reason) for c in b_cl if c not in v_cl]
    # callbacks and transfers
    b_cb, v_cb = baseline.callbacks, variant.callbacks
    if b_cb.enabled != v_cb.enabled:
        out.append(_(W.CALLBACKS_ON).format(share=share(v_cb.accept_share)) if v_cb.enabled else _(W.CALLBACKS_OFF))
    elif v_cb.enabled and b_cb.accept_share != v_cb.accept_share:
        out.append(_(W.CALLBACKS_SHARE).format(old=share(b_cb.accept_share), new=share(v_cb.accept_share)))
    if baseline.transfers.policy != variant.transfers.policy:
        out.append(_(W.TRANSFERS).format(old=_policy(baseline.transfers.policy),
                                      new=_policy(variant.transfers.policy)))
    b_fd, v_fd = baseline.resolution, variant.resolution
    if b_fd.enabled != v_fd.enabled:
        out.append(_(W.RESOLUTION_ON).format(share=_fcr_words(v_fd.fcr), n=v_fd.max_contacts) if v_fd.enabled else _(W.RESOLUTION_OFF))
    elif v_fd.enabled and b_fd.fcr != v_fd.fcr:
        out.append(_(W.RESOLUTION_SHARE).format(old=_fcr_words(b_fd.fcr), new=_fcr_words(v_fd.fcr)))
    # the team, beyond what the new hours did
    out += _staffing_change(refit, v_raw["staffing"], variant)
    # anything else, as the report describes it
    covered = ("run", "hours", "closures", "staffing", "callbacks", "transfers", "resolution")
    base = [x for _topic, x in describe_parts(baseline)]
    out += [x for topic, x in describe_parts(variant) if x not in base and topic not in covered]
    return out

"""A scenario in plain sentences, in the current language (:mod:`sim.faces.i18n`): the run,
opening hours and holidays, planned closures, demand, handling, patience, staffing, targets
and each optional feature (callbacks, transfers, repeat contacts, case work, failure demand).
The commands' own settings (:data:`COMMAND_FIELDS`: replications, rosters, output folders …)
are left out; no group is shown as raw ``key = value`` settings.

The report lists them per scenario (and only the sentences that differ for a variant); the
managers' page uses them for what its own words do not cover (:func:`describe_parts`).
"""

from __future__ import annotations

from typing import Any

from sim.faces.formats import date_text, decimal_point, number, percent, weekday_name
from sim.faces.i18n import HOLIDAY_LANGUAGES, N_, _, current, n_
from sim.schema import WEEKDAYS, CalendarConfig, DistributionConfig, PatienceConfig, ResolutionConfig, Scenario, hhmm

__all__ = ["COMMAND_FIELDS", "CORE_FIELDS", "FEATURES", "describe_parts", "describe_scenario", "enabled", "for_display",
           "holidays_text", "num", "reason_text", "share"]


def num(x: float) -> str:
    """A setting's value as written (``3.5``, ``6000``; ``3,5`` in Swedish), like ``{:g}``."""
    text = f"{float(x):g}"
    return text.replace(".", decimal_point()) if "e" not in text else text


def share(x: float) -> str:
    """A share setting as a percentage, as precise as it was written (``30 %``, ``12,5 %``)."""
    v = 100 * float(x)
    digits = 0 if float(v).is_integer() else min(6, len(f"{v:g}".split(".")[-1]) if "." in f"{v:g}" else 0)
    return percent(float(x), digits)


def _by_interval_text(by: dict | None) -> str:
    """The handle time's time-of-day profile in words (empty without one)."""
    if not by:
        return ""
    f = list(by.values())
    return _(" at factor 1, times a time-of-day factor of {low}-{high} by the call's arrival interval "
             "(handling.by_interval)").format(low=number(min(f), 2), high=number(max(f), 2))


def _dist(d: DistributionConfig | PatienceConfig) -> str:
    """A distribution in words: any ``dist`` of a duration or of the patience (with its balkers)."""
    if d.dist == "infinite":
        return _("infinite (nobody hangs up)")
    if d.dist == "empirical":
        text = _("resampled from {n} observed values (mean {mean} s)").format(n=len(d.values or []), mean=number(d.mean_value, 0))
    elif d.dist == "deterministic":
        text = _("fixed {mean} s").format(mean=num(d.mean_value))
    elif d.dist == "exponential":
        text = _("exponential with mean {mean} s").format(mean=num(d.mean_value))
    else:
        text = _("{dist} with mean {mean} s (CV {cv})").format(dist=d.dist, mean=num(d.mean_value), cv=num(d.cv))
    balk = getattr(d, "balk_share", 0.0)
    if not balk:
        return text
    return text + "; " + _("{share} of the callers who find no free agent hang up at once (balk)").format(share=share(balk))


def _day(name: str) -> str:
    """``Mon`` / ``mån`` for ``mon``."""
    return weekday_name(WEEKDAYS.index(name))


def _hours_text(s: Scenario) -> str:
    groups: dict[str, list[str]] = {}
    for i, name in enumerate(WEEKDAYS):
        h = s.calendar.hours_of(i)
        key = "closed" if h is None else f"{h.opens:%H:%M}–{h.closes:%H:%M}"
        groups.setdefault(key, []).append(name)
    parts = []
    for key, days in groups.items():
        if key == "closed":
            continue
        span = f"{_day(days[0])}–{_day(days[-1])}" if len(days) > 2 and _consecutive(days) else ", ".join(_day(d) for d in days)
        parts.append(f"{span} {key}")
    return "; ".join(parts) or _("never open")


def _consecutive(days: list[str]) -> bool:
    idx = [WEEKDAYS.index(x) for x in days]
    return idx == list(range(idx[0], idx[0] + len(idx)))


def _staffing_text(s: Scenario) -> str:
    st = s.staffing
    if st.mode == "constant":
        return _("{n} agents on the phones on every open interval").format(n=num(st.agents))
    if st.mode == "table" and st.table:
        values = [v for row in st.table.values() for v in row]
        return _("a staffing table per weekday and {step}-minute interval ({low}–{high} agents, mean {mean})").format(
            step=s.demand.interval_min, low=num(min(values)), high=num(max(values)), mean=number(sum(values) / len(values), 1))
    shifts = st.shifts or []
    each = (_("{n} agents {start}–{end} ({days})").format(n=num(sh.count), start=f"{sh.start:%H:%M}", end=f"{sh.end:%H:%M}",
                                                         days=", ".join(_day(d) if d in WEEKDAYS else d for d in sh.days))
            for sh in shifts)
    return n_("{n} shift", "{n} shifts", len(shifts)).format(n=len(shifts)) + ": " + "; ".join(each)


CORE_FIELDS = frozenset({"name", "description", "calendar", "demand", "handling", "patience", "staffing", "targets", "run"})
"""Top-level groups of the scenario that :func:`describe_parts` words in sentences of its own."""
COMMAND_FIELDS = frozenset({"montecarlo", "roster", "staff", "output", "schedule", "capacity"})
"""Settings of the commands, not of the centre, left out of the description: how many
replications sim.mc runs, how sim.staff builds rosters and searches staffing, how sim.schedule
plans a team, which extra table copies are written, what sim.capacity computes and where
(its year, output folder). A report describes the centre; its study section says how it was run."""


def _callbacks_text(cb: Any) -> str:
    if not getattr(cb, "enabled", False):
        return _("Callbacks: off (every caller waits on the line or hangs up).")
    when = (_("on arrival when the estimated wait exceeds {s} s") if cb.trigger == "on_arrival"
            else _("after the caller has waited {s} s")).format(s=num(cb.threshold_s))
    pending = (_("agents stay after closing and make them") if cb.pending_at_close == "serve"
               else _("they are carried to the next opening, first in line"))
    counted = {"answered_when_made": _("as answered when the callback is made (wait = time to the callback)"),
               "answered_at_request": _("as answered when the caller accepts it"),
               "not_answered": _("as not answered")}.get(cb.kpi_convention, cb.kpi_convention)
    return _("Callbacks: offered {when}; {share} accept, hang up and keep their place in the queue (callbacks are made in "
             "queue-position order). The promised window is {window} min (on time = first attempt within it); an attempt "
             "rings {ring} s and is answered with probability {p} (an unanswered attempt costs the agent {failed} s in all), "
             "retried after {gap} min up to {attempts} attempts, then a case is logged. Callbacks pending at closing: "
             "{pending}. In the agreement's KPIs a callback counts {counted}.").format(
        when=when, share=share(cb.accept_share), window=num(cb.promise_window_s / 60), ring=num(cb.ring_s),
        p=num(cb.answer_probability), failed=num(cb.failed_attempt_s), gap=num(cb.retry_gap_s / 60),
        attempts=cb.max_attempts, pending=pending, counted=counted)


def _transfers_text(tr: Any) -> str:
    if getattr(tr, "policy", "off") == "off":
        return _("Transfers: none (one agent group, every call finished by the first agent).")
    types = ", ".join(f"{name} {share(c.share)}" + (f" → {c.transfer_to}" if c.transfer_to else "")
                      for name, c in tr.case_types.items())
    groups = "; ".join(f"{name}: {_staffing_of(st)}" for name, st in tr.groups.items())
    if tr.policy == "warm":
        rule = _("warm: after a first talk ({first}) the first agent phones a colleague in the target group while the customer "
                 "holds (the customer keeps their original queue position there); both talk for the hand-over ({handover}), "
                 "then the first agent wraps up ({wrap}). No colleague within {limit} s, or a customer who prefers it "
                 "({prefer}), leads to a case for a later callback instead").format(
            first=_dist(tr.first_talk), handover=_dist(tr.handover), wrap=_dist(tr.first_wrap), limit=num(tr.consult_limit_s),
            prefer=share(tr.prefer_callback_share))
    else:
        rule = _("blind: after a first talk ({first}) the customer is put in the target group's queue in their original queue "
                 "position (patience {patience}) and the first agent is released at once").format(
            first=_dist(tr.first_talk), patience=_dist(tr.blind_patience))
    return _("Transfers ({rule}). Case types: {types}. Target groups: {groups}.").format(rule=rule, types=types, groups=groups)


def _repeats_text(rp: Any) -> str:
    if not getattr(rp, "enabled", False):
        return _("Repeat contacts: off (a caller who hangs up does not call again).")
    return _("Repeat contacts: {share} of callers who abandon (or whose callback failed) call again after a delay ({delay}), "
             "up to {n} calls per customer; each attempt is an offered call.").format(
        share=share(rp.probability), delay=_dist(rp.delay), n=rp.max_attempts)


def _cases_text(c: Any) -> str:
    if not getattr(c, "enabled", False):
        return _("Case work: off (only phone calls are modelled).")
    channels = ", ".join(f"{name} {num(ch.volume)}" for name, ch in c.channels.items())
    kinds = ", ".join(f"{name} {share(k.share)} ({_dist(k.handle)})" for name, k in c.kinds.items())
    if c.office_hours is None:
        office = _("in the phones' opening hours")
    else:
        days = [f"{_day(d)} {hhmm(h.opens)}–{hhmm(h.closes)}" for d, h in c.office_hours.items() if h is not None]
        office = _("in office hours {days}").format(days=", ".join(days) if days else _("(none)"))
    who = []
    if c.blend:
        who.append(_("the phone agents take a case when no caller is waiting")
                   + (_(" and at least {n} of them stay free").format(n=c.reserve) if c.reserve else ""))
    if c.dedicated is not None:
        who.append(_("a case team of {team}").format(team=_staffing_of(c.dedicated)))
    scope = _("only the phones") if c.early_close_scope == "phones" else _("the whole office")
    order = _("earliest due first") if c.order == "earliest_due" else _("first come, first served")
    return _("Case work: cases per day by channel {channels}; kinds {kinds}. Worked {office} ({order}); {who}. The 15:00 rule "
             "closes {scope}; open cases carry over.").format(
        channels=channels, kinds=kinds, office=office, order=order, who="; ".join(who) or _("nobody works them"), scope=scope)


def _staffing_of(st: Any) -> str:
    if st.mode == "constant":
        return _("{n} agents").format(n=num(st.agents))
    if st.mode == "table" and st.table:
        values = [v for row in st.table.values() for v in row]
        return _("table, {low}–{high} agents").format(low=num(min(values)), high=num(max(values)))
    n = len(st.shifts or [])
    return n_("{n} shift", "{n} shifts", n).format(n=n)


def _resolution_text(r: ResolutionConfig) -> str:
    if not r.enabled:
        return _("First-contact resolution: not modelled (every answered call resolves the customer's matter).")
    if isinstance(r.fcr, dict):
        shares = ", ".join(f"{name} {share(x)}" for name, x in r.fcr.items())
        fcr = _("by case type {shares} (other case types {all})").format(shares=shares, all=share(1.0))
    else:
        fcr = share(r.fcr)
    if r.case_share > 0:
        kind = r.case_kind if r.case_kind else _("a kind drawn by the case kinds' shares")
        written = _("; {share} of these contacts are written (e-mail, web form) and come as a case ({kind})").format(
            share=share(r.case_share), kind=kind)
    else:
        written = ""
    return _("First-contact resolution {fcr}: a customer whose matter the call does not resolve contacts the centre again "
             "after {days} working days on average, up to {n} answered contacts per matter{written}.").format(
        fcr=fcr, days=num(r.delay_days.mean_value), n=r.max_contacts, written=written)


FEATURES = {"callbacks": _callbacks_text, "transfers": _transfers_text, "repeats": _repeats_text, "cases": _cases_text,
            "resolution": _resolution_text}
"""The optional groups of the scenario, each worded by its function (after the core sentences)."""


def _optional_features(s: Scenario) -> list[tuple[str, str]]:
    """Callbacks, transfers, repeat contacts, case work, failure demand in words. A group is in
    :data:`CORE_FIELDS`, :data:`FEATURES` or :data:`COMMAND_FIELDS` (``tests/faces/test_report.py``
    checks every group of the schema), so no group is ever dumped as raw settings."""
    out = []
    for key in type(s).model_fields:
        value = getattr(s, key)
        if key in FEATURES and value is not None:
            out.append((key, FEATURES[key](value)))
    return out


def enabled(s: Scenario, key: str) -> bool:
    """Whether the optional feature ``key`` (callbacks, transfers, repeats, cases) is on."""
    value = getattr(s, key, None)
    if value is None:
        return False
    if key == "transfers":
        return getattr(value, "policy", "off") != "off"
    return bool(getattr(value, "enabled", True))


def holidays_text(c: CalendarConfig) -> str:
    """Whose public holidays close the line: "Swedish public holidays" or "the public holidays of DE-BY"."""
    if c.country == "SE" and c.subdiv is None:
        return _("Swedish public holidays")
    return _("the public holidays of {country}").format(country=c.country + (f"-{c.subdiv}" if c.subdiv else ""))


def _display_language(c: CalendarConfig) -> str | None:
    """The ``holidays`` language of the current page language, when ``c``'s country has it."""
    import holidays

    lang = HOLIDAY_LANGUAGES[current()]
    cls = getattr(holidays, c.country, None)
    return lang if cls is not None and lang in getattr(cls, "supported_languages", ()) else None


def for_display(c: CalendarConfig) -> CalendarConfig:
    """``c`` with its holidays named in the current language (``Christmas Day`` / ``Juldagen``)
    when the ``holidays`` package has that language for the country; the days are the same."""
    lang = _display_language(c)
    return c if lang is None or lang == c.language else c.model_copy(update={"language": lang})


def _eve_names(c: CalendarConfig, years: tuple[int, ...]) -> str:
    """The closed eves in the current language (the scenario names them in the country's own)."""
    if not c.closed_eves:
        return _("no eves")
    import holidays

    lang = _display_language(c)
    cls = getattr(holidays, c.country)
    if lang is None or lang == cls.default_language:
        return ", ".join(c.closed_eves)
    extra = {"include_sundays": False} if c.country == "SE" else {}
    cats = cls.supported_categories
    own = cls(years=years, subdiv=c.subdiv, categories=cats, language=cls.default_language, **extra)
    shown = cls(years=years, subdiv=c.subdiv, categories=cats, language=lang, **extra)
    names: dict[str, str] = {}
    for d, name in own.items():
        for a, b in zip(name.split("; "), shown.get(d, name).split("; "), strict=False):
            names.setdefault(a, b)
    return ", ".join(names.get(e, e) for e in c.closed_eves)


_REASONS = {"weekend": N_("weekend"), "closed weekday": N_("closed weekday"), "open": N_("open"), "closed": N_("closed")}


def reason_text(reason: str) -> str:
    """A day's reason (:class:`sim.world.calendar.DayPlan`) in the current language: ``weekend``,
    ``day before Juldagen`` … (holiday names come from :func:`for_display`; closure reasons
    are the planner's own words)."""
    out = []
    for part in str(reason).split("; "):
        if part.startswith("day before "):
            out.append(_("day before {name}").format(name=part.removeprefix("day before ")))
        else:
            out.append(_(_REASONS[part]) if part in _REASONS else part)
    return "; ".join(out)


def describe_parts(s: Scenario) -> list[tuple[str, str]]:
    """``(topic, sentence)`` pairs: ``run``, ``hours``, ``closures``, ``demand``, ``handling``,
    ``patience``, ``staffing``, ``targets``, then each optional feature by its key."""
    from sim.world.calendar import opening_hours

    cal = opening_hours(s)
    years = tuple(range(s.run.start.year, s.run.end.year + 2))
    open_days = int((cal["open_h"] > 0).sum())
    early = int(cal["reason"].str.startswith("day before").sum())
    c, d, h = s.calendar, s.demand, s.handling
    if c.early_close is None:
        rule = _("No early closing before red days (the 15:00 rule is off).")
    else:
        rule = _("On the day before a closed red day the phones close at {time} ({n} in the run).").format(
            time=f"{c.early_close:%H:%M}", n=n_("{n} such day", "{n} such days", early).format(n=early))
    closures = "; ".join(
        f"{x.reason}: {date_text(x.start)}{'–' + date_text(x.end) if x.end and x.end != x.start else ''}"
        + (f", {x.from_time:%H:%M}–{x.to_time:%H:%M}" if x.from_time and x.to_time else ", " + _("whole day"))
        for x in c.closures
    )
    factors = ", ".join(f"{_day(k) if k in WEEKDAYS else k} {num(v)}" for k, v in d.weekday_factor.items() if v > 0)
    per = _("per weekday with factor 1") if d.volume_per == "day" else _("per month")
    dispersion = (_("plain Poisson (no day-to-day overdispersion)") if d.day_cv == 0
                  else _("a gamma day factor with CV {cv} on top of Poisson").format(cv=num(d.day_cv)))
    patience = (_("callers never hang up") if s.patience.infinite
                else _("{dist}; a caller still waiting then hangs up (abandons)").format(dist=_dist(s.patience)))
    t = s.targets
    days = n_("{n} day", "{n} days", len(cal)).format(n=len(cal))
    opened = n_("{n} open day", "{n} open days", open_days).format(n=open_days)
    parts = [
        ("run", _("Run: {start} to {end} ({days}, {open_days}), seed {seed}.").format(
            start=date_text(s.run.start), end=date_text(s.run.end), days=days, open_days=opened, seed=s.run.seed)),
        ("hours", _("Opening hours: {hours}; closed on {holidays} and on {eves}. {rule}").format(
            hours=_hours_text(s), holidays=holidays_text(c), eves=_eve_names(c, years), rule=rule)),
        ("closures", _("Planned closures: {closures}.").format(closures=closures) if closures else _("No planned closures.")),
        ("demand", _("Demand: {volume} potential calls {per} ({factors}), spread over {step}-minute intervals by the intraday "
                     "profile; {dispersion}. On closed red days {closed} of a normal day's callers try; {displaced} of callers "
                     "who find the line closed call again within the first {hours} h of the next opening.").format(
            volume=num(d.volume), per=per, factors=factors, step=d.interval_min, dispersion=dispersion,
            closed=share(d.closed_day_factor), displaced=share(d.displaced_share),
            hours=num(d.displaced_intervals * d.interval_min / 60))),
        ("handling", _("Handle time: talk {talk} + hold {hold} + after-call work {wrap} = {mean} s on average{profile}; {logged} "
                       "of handled calls are logged as a case.").format(
            talk=_dist(h.talk), hold=_dist(h.hold), wrap=_dist(h.wrap), mean=number(h.mean_handle_s, 0),
            profile=_by_interval_text(h.by_interval), logged=share(h.logging_share))),
        ("patience", _("Patience: {patience}.").format(patience=patience)),
        ("staffing", _("Staffing: {staffing}.").format(staffing=_staffing_text(s))),
        ("targets", _("Targets: availability > {availability}, answered within {threshold} s / offered > {service_level}, queue "
                      "time < {asa} s, handle time < {aht} s, logging > {logging}.").format(
            availability=share(t.availability_min), threshold=num(t.threshold_s), service_level=share(t.service_level_min),
            asa=num(t.asa_max_s), aht=num(t.aht_max_s), logging=share(t.logging_min))),
    ]
    return parts + _optional_features(s)


def describe_scenario(s: Scenario) -> list[str]:
    """The scenario in plain sentences (calendar, demand, handling, patience, staffing, targets
    and the optional features)."""
    return [text for _topic, text in describe_parts(s)]

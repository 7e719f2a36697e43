"""``python -m sim.followup LOG.csv --kind calls|intervals [--columns map.yaml] [--plan P] --out DIR``.

The monthly follow-up (:mod:`sim.history.followup`): a month's actuals against the agreement's
targets, the forecast and the plan in force, and for each day that missed a target the causes
in words backed by numbers (:mod:`sim.history.attribution`). Writes the tables as CSVs and an
HTML report (the report kit of :mod:`sim.faces.report`) to ``--out``.

The report is written in Swedish or English (``--lang sv|en``, English by default as
``sim.report``): every sentence is one template with named placeholders marked with ``_``
(:mod:`sim.faces.i18n`), numbers in the language's style (:mod:`sim.faces.formats`), and the
history layer's sentences (:class:`sim.history.words.Phrase`: the attribution's words, the
notes) written again in the language by :func:`say`. The terminal output stays English.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.errors import ScenarioError  # noqa: E402
from sim.faces.folders import folder_for  # noqa: E402
from sim.faces.formats import MINUS, decimal_point, month_text, number, percent, weekday_name  # noqa: E402
from sim.faces.htmlkit import Section, bullets, image, paragraph, render, table_html  # noqa: E402
from sim.faces.i18n import LANGUAGES, N_, _, language  # noqa: E402
from sim.history.attribution import FACTOR_WORDS, FACTORS, KPI_WORDS  # noqa: E402
from sim.history.followup import ABOVE, KPIS, PLAN_KINDS, FollowUp, follow_up  # noqa: E402
from sim.history.words import Num, Phrase  # noqa: E402
from sim.schema import hhmm  # noqa: E402


def _value(kpi: str, v: float) -> str:
    if v is None or not np.isfinite(v):
        return "–"
    return percent(v, 1) if kpi in ("availability", "service_level") else f"{number(v, 1)} s"


def _target(kpi: str, t: float) -> str:
    return ("> " if ABOVE[kpi] else "< ") + _value(kpi, t)


def _pct(v: float) -> str:
    return "–" if not np.isfinite(v) else percent(v, 1)


def _num(n: Num) -> str:
    """A number of a history sentence in the current language's style."""
    if not np.isfinite(n.value):
        return "–"
    if n.unit == "%":
        text = percent(n.value, n.digits, n.sign)
    else:
        v = 100 * n.value if n.unit == "pp" else n.value
        text = number(v, n.digits, n.sign) + {"pp": " " + _("pp"), "s": " s", "": ""}[n.unit]
    return n.prefix + text.replace("-", MINUS)


def say(p: object) -> str:
    """A history sentence (:class:`~sim.history.words.Phrase`) in the current language: its
    template through ``_``, its numbers in the language's style; plain text as it is."""
    if isinstance(p, Num):
        return _num(p)
    if isinstance(p, Phrase):
        if not p.template:
            return p.sep.join(say(x) for x in p.parts)
        return _(p.template).format(**{k: say(v) for k, v in p.fields.items()})
    return str(p)


COLUMN_WORDS = {
    "date": N_("date"), "month": N_("month"), "offered": N_("offered"), "availability": N_("availability"),
    "service_level": N_("service level"), "asa_s": N_("queue time (s)"), "aht_s": N_("handle time (s)"), "missed": N_("missed targets"),
    "open_days": N_("open days"), "days_missed_any": N_("days with a missed target"),
    "agent_hours_plan": N_("agent-hours planned"), "agent_hours_effective": N_("agent-hours effective"),
    "aht_plan_s": N_("handle time planned (s)"), "aht_actual_s": N_("handle time actual (s)"),
    "agents_diff_h": N_("agent-hours effective − planned"), "aht_ratio": N_("handle time actual / planned"),
    "kpi": N_("KPI"), "observed": N_("observed"), "target": N_("target"), "shortfall": N_("shortfall"),
    "simulated_plan": N_("simulated at the plan"), "simulated_actual": N_("simulated as it was"), "plan_margin": N_("plan margin"),
    "share_volume": N_("volume"), "share_agents": N_("agents"), "share_aht": N_("handle time"), "share_closure": N_("closure"),
    "residual": N_("residual"), "main_cause": N_("main cause"), "replications": N_("replications"), "factors": N_("factors"),
    "cases_arrived": N_("cases arrived"), "cases_handled": N_("cases handled"), "case_within_target": N_("handled within the limit"),
    "work_h_mean": N_("mean working hours to handling"), "work_h_p90": N_("90th percentile working hours to handling"),
    "backlog_end": N_("backlog at the end of the day"), "case_share_min": N_("target share"),
}
"""The report's column headers (the CSVs keep the column names)."""
SHARE_COLUMNS = ("availability", "service_level", "case_within_target", "case_share_min")
KIND_COLUMNS = {"within_target_{kind}": N_("{kind} within the limit"), "within_target_{kind}_met": N_("{kind} met")}
"""The case kinds' columns (``within_target_fault_report``, …)."""
CAUSE_WORDS = {**{k: FACTOR_WORDS[k] for k in FACTORS}, "plan": FACTOR_WORDS["plan"], "residual": FACTOR_WORDS["residual"]}


def _day(d: pd.Timestamp) -> str:
    return f"{d:%Y-%m-%d} {weekday_name(d.weekday())}"


def _cell(column: str, v: object) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):  # type: ignore[arg-type]
        return "–"
    if isinstance(v, bool | np.bool_):
        return _("yes") if v else _("no")
    if isinstance(v, pd.Timestamp):
        return _day(v)
    if column == "kpi":
        return _(KPI_WORDS.get(str(v), str(v)))
    if column == "missed":
        return ", ".join(_(KPI_WORDS.get(k, k)) for k in str(v).split(", ") if k)
    if column == "main_cause":
        return _(CAUSE_WORDS.get(str(v), str(v)))
    if isinstance(v, float | np.floating) and (column in SHARE_COLUMNS or column.startswith("within_target_")):
        return percent(float(v), 1)
    if isinstance(v, float | np.floating):
        text = f"{float(v):.4g}"
        return text if "e" in text else text.replace(".", decimal_point()).replace("-", MINUS)
    return str(v)


def frame_html(frame: pd.DataFrame, caption: str | None = None, max_rows: int = 400) -> str:
    """A table of the follow-up in the report's language: headers, dates, KPIs, numbers."""
    rows = [[_cell(c, v) for c, v in zip(frame.columns, r, strict=True)] for r in frame.head(max_rows).itertuples(index=False)]
    return table_html([_header(str(c)) for c in frame.columns], rows, caption)


def _header(column: str) -> str:
    if column in COLUMN_WORDS:
        return _(COLUMN_WORDS[column])
    if column.startswith("within_target_"):
        kind = column.removeprefix("within_target_")
        met = kind.endswith("_met")
        return _(KIND_COLUMNS["within_target_{kind}_met" if met else "within_target_{kind}"]).format(kind=kind.removesuffix("_met"))
    return column


# --------------------------------------------------------------------------- tables


def tables(f: FollowUp) -> dict[str, pd.DataFrame]:
    """The CSVs of the follow-up (file name -> table)."""
    def clock(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        if "minute" in out.columns:
            out.insert(1, "interval_start", [hhmm(int(m)) for m in out["minute"]])
            out = out.drop(columns="minute")
        for c in out.columns:
            if pd.api.types.is_datetime64_any_dtype(out[c]):
                out[c] = out[c].dt.strftime("%Y-%m-%d")
        return out

    days = f.days.assign(weekday=f.days["date"].dt.day_name().str[:3].str.lower())
    out = {
        "kpi_day.csv": clock(days),
        "kpi_month.csv": f.months.assign(month=f.months["month"].astype(str)),
        "forecast_day.csv": clock(f.forecast_day),
        "forecast_interval.csv": clock(f.forecast_interval),
        "forecast_scores.csv": f.scores,
        "plan_day.csv": clock(f.plan_day),
        "plan_interval.csv": clock(f.plan_interval),
        "attribution.csv": clock(f.attribution),
    }
    if len(f.attribution_runs):
        out["attribution_runs.csv"] = clock(f.attribution_runs)
    if len(f.case_day) or len(f.case_month):
        out["case_day.csv"] = clock(f.case_day)
        out["case_month.csv"] = f.case_month
    return out


def write_tables(f: FollowUp, out: Path) -> dict[str, Path]:
    """Every table as a CSV in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, t in tables(f).items():
        paths[name] = out / name
        t.to_csv(paths[name], index=False)
    return paths


# --------------------------------------------------------------------------- plots


def _save(fig: plt.Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_days(f: FollowUp, path: Path) -> Path:
    """Daily availability and service level against their targets; missed days marked."""
    d = f.days
    fig, ax = plt.subplots(figsize=(10, 3.8))
    for k, c in (("availability", "C0"), ("service_level", "C1")):
        ax.plot(d["date"], 100 * d[k], "o-", color=c, ms=4, label=_(KPI_WORDS[k]))
        ax.axhline(100 * f.targets[k], color=c, ls="--", lw=1)
        miss = d[d[f"{k}_met"] == False]  # noqa: E712
        ax.plot(miss["date"], 100 * miss[k], "x", color="red", ms=9, mew=2)
    ax.set_ylabel("%")
    ax.set_title(_("Daily availability and service level against the targets (x: missed)"))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    return _save(fig, path)


def plot_forecast(f: FollowUp, path: Path) -> Path:
    """Calls per day: forecast and actual."""
    d = f.forecast_day
    fig, ax = plt.subplots(figsize=(10, 3.6))
    ax.bar(d["date"], d["actual"], color="0.7", label=_("actual calls"))
    ax.plot(d["date"], d["forecast"], "o-", color="C3", ms=4, label=_("forecast"))
    ax.set_ylabel(_("calls per day"))
    ax.set_title(_("Forecast against actual volume"))
    ax.legend(fontsize=8)
    fig.autofmt_xdate()
    return _save(fig, path)


def plot_plan(f: FollowUp, path: Path) -> Path:
    """Agent-hours per day: planned and effective."""
    d = f.plan_day
    fig, ax = plt.subplots(figsize=(10, 3.6))
    ax.plot(d["date"], d["agent_hours_plan"], "s-", ms=4, label=_("planned agent-hours"))
    ax.plot(d["date"], d["agent_hours_effective"], "o-", ms=4, label=_("effective agent-hours (inferred from the queue)"))
    ax.set_ylabel(_("agent-hours"))
    ax.set_title(_("Planned against effective staffing"))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    return _save(fig, path)


def plot_attribution(f: FollowUp, path: Path) -> Path:
    """The shortfall of each missed day and target split into its parts (stacked bars)."""
    a = f.attribution[f.attribution["kpi"].isin(["availability", "service_level"])]
    fig, ax = plt.subplots(figsize=(10, 3.8))
    labels = [f"{r.date:%m-%d} {_(KPI_WORDS[r.kpi])}" for r in a.itertuples()]
    parts = [*[f"share_{x}" for x in FACTORS], "plan_margin", "residual"]
    names = [_(CAUSE_WORDS[x]) for x in (*FACTORS, "plan", "residual")]
    pos = np.zeros(len(a))
    neg = np.zeros(len(a))
    for c, n in zip(parts, names, strict=True):
        v = 100 * a[c].to_numpy(dtype=float)
        base = np.where(v >= 0, pos, neg)
        ax.bar(labels, v, bottom=base, label=n)
        pos += np.where(v >= 0, v, 0)
        neg += np.where(v < 0, v, 0)
    ax.plot(labels, 100 * a["shortfall"].to_numpy(dtype=float), "kD", ms=6, label=_("observed shortfall (the sum)"))
    ax.axhline(0, color="k", lw=0.8)
    ax.set_ylabel(_("shortfall (pp; positive = towards the miss)"))
    ax.set_title(_("Why the days missed: the parts of each shortfall"))
    ax.legend(fontsize=7, ncol=2)
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right", fontsize=8)
    return _save(fig, path)


# --------------------------------------------------------------------------- report

LEVEL_WORDS = {"day": N_("per day"), "interval": N_("per interval")}


def summary_lines(f: FollowUp) -> list[str]:
    """The month against the targets, one line per KPI."""
    m = f.months[f.months["month"] == f.month].iloc[0]
    out = []
    for k in KPIS:
        met = bool(m[f"{k}_met"]) if pd.notna(m[f"{k}_met"]) else None
        out.append(_("{kpi}: {value} (target {target}) {verdict}; missed on {days} of {open} days").format(
            kpi=_(KPI_WORDS[k]), value=_value(k, float(m[k])), target=_target(k, f.targets[k]),
            verdict=_("met") if met else _("missed") if met is False else _("not judged"), days=int(m[f"days_missed_{k}"]),
            open=int(m["open_days"])))
    return out


def sections(f: FollowUp, plots: dict[str, Path]) -> list[Section]:
    """The report's sections."""
    out = []
    m = f.months[f.months["month"] == f.month].iloc[0]
    intro = paragraph(_("{month}: open days {days}, calls offered {calls}, days that missed at least one target {missed}.").format(
        days=int(m["open_days"]), month=_month(f), calls=number(float(m["offered"])), missed=int(m["days_missed_any"])))
    out.append(Section(_("The month against the agreement"), intro + bullets(summary_lines(f)), "month"))
    days = f.days[["date", "offered", "availability", "service_level", "asa_s", "aht_s", "missed"]].copy()
    body = image(plots["days"], _("Daily KPIs against the targets")) + frame_html(days, _("KPIs per open day"))
    out.append(Section(_("Days"), body, "days"))
    if len(f.months) > 1:
        cols = ["month", "open_days", "offered", "availability", "service_level", "asa_s", "aht_s", "days_missed_any"]
        out.append(Section(_("Trend over the months"), frame_html(f.months[cols].assign(month=f.months["month"].astype(str))), "trend"))
    else:
        out.append(Section(_("Trend over the months"), paragraph(_("One month of data: give the earlier months' exports too for a trend.")),
                           "trend"))
    sc = f.scores
    rows = [[_(LEVEL_WORDS.get(r.level, r.level)), number(r.units), number(r.actual), number(r.forecast), _pct(r.wape), _pct(r.mape),
             percent(r.bias, 1, sign=True).replace("-", MINUS)] for r in sc.itertuples()]
    body = paragraph(_("Forecast: {src}. WAPE = sum |actual − forecast| / sum actual; MAPE = mean |actual − forecast| / actual over "
                       "the units with calls; bias = sum (forecast − actual) / sum actual (positive: the forecast was too high).").format(
        src=f.plan.forecast_source))
    body += table_html([_("level"), _("units"), _("actual"), _("forecast"), "WAPE", "MAPE", _("bias")], rows)
    body += image(plots["forecast"], _("Forecast against actual volume"))
    out.append(Section(_("Forecast against actual"), body, "forecast"))
    pdays = f.plan_day
    body = paragraph(_("Staffing: {src}. The effective staffing is inferred from each day's queue (Erlang A on the abandoned calls of "
                       "the day, bounded by the agents seen answering; sim/history/staffing.py)."
                       ).format(src=f.plan.staffing_source))
    body += image(plots["plan"], _("Planned against effective staffing")) + frame_html(pdays, _("Plan against actual per day"))
    out.append(Section(_("Plan against actual"), body, "plan"))
    if f.words:
        items = [f"{d}: {say(w)}" for d, ws in f.words.items() for w in ws]
        body = paragraph(_("Each missed day is simulated again with the volume, the agents, the handle time and any closure set to the "
                           "plan or to what happened, in every combination, with common random numbers; the Shapley share of each "
                           "factor is its average effect over all orders, so the parts add up to the observed shortfall."))
        body += bullets(items)
        if "attribution" in plots:
            body += image(plots["attribution"], _("The parts of each shortfall"))
        body += frame_html(f.attribution, _("Attribution (shortfall units)"))
    elif not f.plan.given:
        body = paragraph(_("No plan was given (--plan, --staffing or --forecast): the misses are not attributed."))
    else:
        body = paragraph(_("No day missed a target."))
    out.append(Section(_("Why days missed"), body, "why"))
    out.append(Section(_("Case work"), case_body(f), "cases"))
    notes = [say(n) for n in f.notes] or [_("none")]
    out.append(Section(_("Notes"), bullets([*notes, _("sources: {src}").format(src=", ".join(f.sources)),
                                            _("plan: {src}").format(src=f.plan.source)]), "notes"))
    return out


def case_lines(f: FollowUp) -> list[str]:
    """The month's case work per kind against the share target, one line per kind."""
    if f.case_month.empty:
        return []
    m = f.case_month.iloc[0]
    out = []
    for k in f.plan.scenario.targets.case_hours:
        share = float(m[f"within_target_{k}"])
        out.append(_("{kind}: {share} handled within {hours} working hours (target at least {target}) {verdict}; days missed: "
                     "{days}").format(kind=k, share=_pct(share), hours=_hours(f.plan.scenario.targets.case_hours[k]),
                                    target=_pct(float(m["case_share_min"])),
                                    verdict=_("met") if share >= m["case_share_min"] else _("missed") if np.isfinite(share) else
                                    _("not judged"), days=int(m[f"days_missed_{k}"])))
    out.append(_("{arrived} cases arrived, {handled} handled; {backlog} open at the end of the month; mean time to handling "
                 "{work} working hours").format(arrived=int(m["cases_arrived"]), handled=int(m["cases_handled"]),
                                                    backlog=int(m["backlog_end"]), work=number(float(m["work_h_mean"]), 1)))
    return out


def _hours(h: float) -> str:
    return number(h, 0 if float(h).is_integer() else 1)


def case_body(f: FollowUp) -> str:
    """The report's case section."""
    if f.case_month.empty and f.case_day.empty:
        return paragraph(_("No case export was given (--cases): the share of cases handled within 4/8 working hours and the backlog "
                           "are not computed."))
    return bullets(case_lines(f)) + frame_html(f.case_day, _("Case work per day of arrival (backlog: open at the end of the day)"))


def _month(f: FollowUp) -> str:
    return month_text(f.month.start_time.date()) if isinstance(f.month, pd.Period) else str(f.month)


def write_report(f: FollowUp, out: Path, lang: str | None = None) -> Path:
    """The plots and ``followup_report.html`` in ``out``, in ``lang`` (``sv``/``en``; None: the
    current language, English outside a :func:`sim.faces.i18n.language` block)."""
    with language(lang):
        return _write_report(f, out)


def _write_report(f: FollowUp, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    plots = {"days": plot_days(f, out / "daily_kpis.png"), "forecast": plot_forecast(f, out / "forecast.png"),
             "plan": plot_plan(f, out / "plan.png")}
    if len(f.attribution[f.attribution["kpi"].isin(["availability", "service_level"])]):
        plots["attribution"] = plot_attribution(f, out / "attribution.png")
    path = out / "followup_report.html"
    path.write_text(render(_("Monthly follow-up: {month}").format(month=_month(f)), sections(f, plots), subtitle=", ".join(f.sources)),
                    encoding="utf-8")
    return path


# --------------------------------------------------------------------------- command


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sim.followup",
                                description="The monthly follow-up: a month's actuals against the agreement, the forecast and the plan.")
    p.add_argument("logs", type=Path, nargs="+", help="the export(s) (CSV); several files: earlier months for the trend")
    p.add_argument("--kind", required=True, choices=("calls", "intervals"), help="per-call log or interval report")
    p.add_argument("--columns", type=Path, default=None, help="column map YAML (as for sim.calibrate, docs/calibration.md)")
    p.add_argument("--out", type=Path, default=Path("outputs/followup"), help="folder for the tables, plots and the report")
    p.add_argument("--plan", default=None,
                   help="the plan in force: a scenario name (default or an experiment) or a scenario file (.json/.yaml)")
    p.add_argument("--staffing", type=Path, default=None,
                   help="the staffing in force: a staffing table (date|weekday,interval_start,agents), a roster (roster.csv of "
                        "sim.staff) or a schedule (schedule.csv of sim.schedule)")
    p.add_argument("--plan-kind", choices=PLAN_KINDS, default=None,
                   help="what --staffing holds: staffing, roster or schedule (default: told by its columns)")
    p.add_argument("--forecast", type=Path, default=None, help="the forecast in force: CSV date[,interval_start],calls")
    p.add_argument("--month", default=None, help="the month to follow up, YYYY-MM (default: the last month of the data)")
    p.add_argument("--start", default=None, help="first date to read (YYYY-MM-DD)")
    p.add_argument("--end", default=None, help="last date to read (YYYY-MM-DD)")
    p.add_argument("--replications", type=int, default=8, help="replications per factor combination in the attribution (default 8)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--lang", choices=sorted(LANGUAGES), default="en",
                   help="language of the report: sv (Swedish) or en (English, the default); the terminal output is English")
    p.add_argument("--no-attribution", action="store_true", help="skip the re-simulation of the missed days")
    p.add_argument("--cases", type=Path, default=None, help="a case export (CSV: case id, kind, arrival, handled) for the case work")
    p.add_argument("--case-columns", type=Path, default=None, help="the case export's map YAML (docs/followup.md)")
    p.add_argument("overrides", nargs="*", help="Hydra overrides of a named plan scenario, e.g. targets.service_level_min=0.8")
    return p


def _print(f: FollowUp, out: Path, report: Path, seconds: float) -> None:
    print("Follow-up of {month} ({n} open day{s}) from {src}:".format(month=f.month, n=len(f.days), s="" if len(f.days) == 1 else "s",
                                                                      src=", ".join(f.sources)))
    for line in summary_lines(f):
        print(f"  {line}")
    print(f"Forecast ({f.plan.forecast_source}):")
    for r in f.scores.itertuples():
        print(f"  per {r.level:<8} WAPE {_pct(r.wape)}  MAPE {_pct(r.mape)}  bias {100 * r.bias:+.1f} %")
    if len(f.plan_day):
        pd_ = f.plan_day
        print(("Plan ({src}): {plan:.0f} agent-hours planned, {eff:.0f} effective; "
                "AHT {aht:.0f} s against {aht_plan:.0f} s planned").format(
            src=f.plan.staffing_source, plan=pd_["agent_hours_plan"].sum(), eff=pd_["agent_hours_effective"].sum(),
            aht=float(f.months[f.months["month"] == f.month]["aht_s"].iloc[0]), aht_plan=float(pd_["aht_plan_s"].mean())))
    lines = case_lines(f)
    if lines:
        print("Case work:")
        for line in lines:
            print(f"  {line}")
    for d, ws in f.words.items():
        for w in ws:
            print(f"{d}: {w}")
    for n in f.notes:
        print(f"note: {n}")
    print(f"Wrote {report} and the tables in {out}/ in {seconds:.1f} s.")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_intermixed_args(argv)
    t = time.perf_counter()
    try:
        with folder_for(args.out, "--out"):  # removed again when the inputs cannot be read
            f = follow_up(args.logs, args.kind, args.columns, plan=args.plan, overrides=args.overrides, staffing=args.staffing,
                          plan_kind=args.plan_kind, forecast=args.forecast, month=args.month, start=args.start, end=args.end,
                          replications=args.replications, seed=args.seed, attribute=not args.no_attribution, cases=args.cases,
                          case_columns=args.case_columns)
            write_tables(f, args.out)
            report = write_report(f, args.out, args.lang)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _print(f, args.out, report, time.perf_counter() - t)
    return 0


if __name__ == "__main__":
    sys.exit(main())

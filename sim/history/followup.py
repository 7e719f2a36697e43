"""The monthly follow-up: a month's actuals against the agreement, the forecast and the plan.

Input: the exports the calibration reads (a per-call log or an interval report, with the same
column maps, :mod:`sim.history.readers`) and optionally the plan in force: a scenario (its
calendar, demand forecast, staffing, handle time, patience and targets), a staffing file that
replaces its staffing (a staffing table, a roster of ``python -m sim.staff`` or a dated schedule
of ``python -m sim.schedule``: :func:`read_plan_staffing`) and a forecast CSV that replaces its
demand.

Output (:class:`FollowUp`):

- the agreement's KPIs per open day and per month against the targets (``days``, ``months``:
  every month of the data, so several months give the trend);
- forecast vs actual, per day and per date x interval (:mod:`sim.analysis.accuracy`);
- plan vs actual: planned agents against the effective staffing inferred from the queue, per
  date and interval (:func:`sim.history.staffing.effective_staffing` on that date alone,
  bounded by the agents seen answering when the log names agents), and planned vs actual AHT;
- for each day that missed a queue target, an attribution (:mod:`sim.history.attribution`);
- with a case export, the case work in working hours (:mod:`sim.history.case_log`).

The follow-up month is the last calendar month of the data unless ``month`` names one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.analysis.accuracy import Accuracy, accuracy
from sim.analysis.planning import offered_calls
from sim.errors import ScenarioError
from sim.history import aggregate
from sim.history.attribution import COLUMNS, attribute_days
from sim.history.case_log import case_records, case_tables, load_case_map, read_cases
from sim.history.columns import Kind, load_map
from sim.history.readers import CallLog, read_calls, read_intervals
from sim.history.staffing import agents_answering, effective_staffing
from sim.history.words import N_, Phrase
from sim.scenario.compose import load_scenario
from sim.schema import WEEKDAYS, Scenario, hhmm, minutes
from sim.world.calendar import day_plans
from sim.world.clock import clock_minutes, spans_minutes
from sim.world.demand import daily_volumes
from sim.world.distributions import make
from sim.world.staffing import Duty, clip_steps, phones_per_slot, regular_steps

QUEUE_KPIS: tuple[str, ...] = ("availability", "service_level", "asa_s")
"""The targets a queue causes; ``aht_s`` is the handle time itself."""
CLOSED_MIN_FORECAST = 5.0
"""A planned open interval without a single call where the forecast expected at least this many
(a Poisson chance below 1 %) was closed: a closure the plan did not have."""
KPIS: tuple[str, ...] = (*QUEUE_KPIS, "aht_s")
ABOVE: dict[str, bool] = {"availability": True, "service_level": True, "asa_s": False, "aht_s": False}
"""True: the KPI must be above its target (a minimum); False: below it (a maximum)."""


@dataclass(frozen=True)
class Plan:
    """The plan in force: the scenario and, per date and interval of the month's open plan,
    ``forecast`` (expected calls) and ``agents_plan`` (time-average agents)."""

    scenario: Scenario
    intervals: pd.DataFrame
    source: str
    staffing_source: str
    forecast_source: str
    given: bool
    notes: tuple[Phrase, ...] = ()
    """What the staffing file left out (open dates without an agent on the phones)."""


@dataclass(frozen=True)
class FollowUp:
    """Everything the follow-up found (see the module docstring)."""

    month: pd.Period
    sources: list[str]
    kind: str
    step: int
    targets: dict[str, float]
    days: pd.DataFrame
    months: pd.DataFrame
    plan: Plan
    forecast_day: pd.DataFrame
    forecast_interval: pd.DataFrame
    scores: pd.DataFrame
    plan_day: pd.DataFrame
    plan_interval: pd.DataFrame
    attribution: pd.DataFrame
    attribution_runs: pd.DataFrame
    words: dict[str, list[str]]
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    case_day: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Case work per day of arrival (empty without a case export, :mod:`sim.history.case_log`)."""
    case_month: pd.DataFrame = field(default_factory=pd.DataFrame)


# --------------------------------------------------------------------------- actuals


def read_actuals(paths: Sequence[str | Path], kind: Kind, columns: str | Path | None, step: int,
                 start: str | None = None, end: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None, int]:
    """The interval table of one or more exports (``aggregate.COLUMNS`` plus ``wait_ans_s``, the
    answered callers' total wait, and ``handle_sum_s``), the call rows of a log (None for a
    report) and the interval length."""
    if kind not in ("calls", "intervals"):
        raise ScenarioError(f"--kind must be calls or intervals, got {kind!r}.")
    cmap = load_map(columns, kind)
    tables, logs = [], []
    for path in paths:
        if kind == "calls":
            log = read_calls(path, cmap, start, end)
            t = aggregate.from_calls(log, step)
            t["wait_ans_s"] = _answered_wait(log, step).reindex(t["period"]).to_numpy()
            logs.append(log.calls)
        else:
            rep = read_intervals(path, cmap, start, end)
            if rep.interval_min != step:
                raise ScenarioError(
                    f"Cannot use {path}: its intervals are {rep.interval_min} minutes but the plan's are {step} "
                    f"(demand.interval_min of the plan scenario); give a plan on the report's grid."
                )
            t = aggregate.from_report(rep)
            r = rep.intervals
            t["wait_ans_s"] = (r["asa_s"].fillna(0.0) * r["answered"]).to_numpy()
        t["handle_sum_s"] = (t["aht_s"] * t["answered"]).fillna(0.0)
        if t["offered"].sum() <= 0:
            raise ScenarioError(f"Cannot use {path}: no calls left after dropping rows.")
        tables.append(t)
    table = pd.concat(tables, ignore_index=True).sort_values("period", kind="stable")
    dup = table["period"].duplicated()
    if dup.any():
        table = table[~dup]
    calls = pd.concat(logs, ignore_index=True) if logs else None
    return table.reset_index(drop=True), calls, step


def _answered_wait(log: CallLog, step: int) -> pd.Series:
    c = log.calls
    ans = c["fate"].eq("answered")
    period = c["arrival"].dt.floor(f"{step}min")
    return c["wait_s"].where(ans, 0.0).groupby(period).sum()


def day_kpis(table: pd.DataFrame, targets: dict[str, float]) -> pd.DataFrame:
    """Per date: calls and the agreement's KPIs with ``*_met`` against ``targets`` (strict, as the
    agreement) and ``missed`` (the targets missed, comma-separated)."""
    g = table.groupby("date")
    d = pd.DataFrame({
        "offered": g["offered"].sum(),
        "answered": g["answered"].sum(),
        "abandoned": g["abandoned"].sum(),
        "within": g["within"].sum(min_count=1),
        "wait_ans_s": g["wait_ans_s"].sum(),
        "handle_sum_s": g["handle_sum_s"].sum(),
    })
    d = d[d["offered"] > 0]
    return _kpis(d, targets).reset_index()


def _kpis(d: pd.DataFrame, targets: dict[str, float]) -> pd.DataFrame:
    d = d.copy()
    d["availability"] = d["answered"] / d["offered"]
    d["service_level"] = d["within"] / d["offered"]
    d["asa_s"] = d["wait_ans_s"] / d["answered"].where(d["answered"] > 0)
    d["aht_s"] = d["handle_sum_s"] / d["answered"].where(d["answered"] > 0)
    missed = []
    for k in KPIS:
        t = targets[k]
        v = d[k]
        met = v > t if ABOVE[k] else v < t
        d[f"{k}_met"] = met.where(v.notna())
        missed.append(np.where(v.notna() & ~met, k, ""))
    d["missed"] = [", ".join(x for x in row if x) for row in zip(*missed, strict=True)]
    return d


def month_kpis(days: pd.DataFrame, targets: dict[str, float]) -> pd.DataFrame:
    """Per month: open days, the pooled KPIs against the targets and the days each target was
    missed (the trend when the data hold several months)."""
    d = days.assign(month=days["date"].dt.to_period("M"))
    g = d.groupby("month")
    m = pd.DataFrame({c: g[c].sum() for c in ("offered", "answered", "abandoned", "within", "wait_ans_s", "handle_sum_s")})
    m = _kpis(m, targets)
    m.insert(0, "open_days", g.size())
    for k in KPIS:
        m[f"days_missed_{k}"] = g[f"{k}_met"].apply(lambda s: int((s == False).sum()))  # noqa: E712
    m["days_missed_any"] = g["missed"].apply(lambda s: int((s != "").sum()))
    return m.reset_index()


# --------------------------------------------------------------------------- the plan


def load_plan_scenario(plan: str | Path | Scenario | None, overrides: Sequence[str] = ()) -> tuple[Scenario, str, bool]:
    """The plan scenario: a Scenario, a scenario file (``.json`` as the runs write
    ``scenario.json``, or ``.yaml``: a whole validated scenario), or a scenario name (``default``
    or an experiment); None: the default scenario, marked as not given."""
    if isinstance(plan, Scenario):
        return plan, plan.name, True
    if plan is None:
        return load_scenario("default", overrides), "default scenario (no plan given)", False
    p = Path(plan)
    if p.suffix.lower() in (".json", ".yaml", ".yml"):
        try:
            text = p.read_text(encoding="utf-8")
            raw = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            raise ScenarioError(f"Cannot read the plan {p}: {' '.join(str(exc).split())}.") from None
        try:
            return Scenario.model_validate(raw), str(p), True
        except ValueError as exc:
            raise ScenarioError(f"The plan {p} is not a valid scenario: {' '.join(str(exc).split())}") from None
    return load_scenario(str(plan), overrides), f"scenario {plan}", True


def _level(steps: list[tuple[int | float, int]], a: float, b: float) -> float:
    """Time-average of a step function (minute, agents) over ``[a, b)``."""
    if b <= a:
        return 0.0
    total, cur, t = 0.0, 0.0, a
    for m, n in sorted(steps, key=lambda x: x[0]):
        if m <= a:
            cur = float(n)
            continue
        if m >= b:
            break
        total += cur * (m - t)
        t, cur = float(m), float(n)
    return (total + cur * (b - t)) / (b - a)


def plan_intervals(s: Scenario, first: dt.date, last: dt.date) -> pd.DataFrame:
    """Per open date and interval of ``s``'s calendar: ``forecast`` (the calls offered:
    :func:`sim.analysis.planning.offered_calls`, so a plan with failure demand counts its
    repeats) and ``agents_plan``."""
    plans = [p for p in day_plans(s.calendar, first, last) if p.opens is not None and p.closes is not None]
    vols = daily_volumes(s, plans)
    step = s.demand.interval_min
    rows = []
    for p, v in zip(plans, vols, strict=True):
        o, c = minutes(p.opens), minutes(p.closes)  # type: ignore[arg-type]
        ro = minutes(p.regular_opens) if p.regular_opens is not None else o
        rc = minutes(p.regular_closes) if p.regular_closes is not None else c
        starts, lam = offered_calls(s, p, float(v))  # fresh calls, and failure demand's repeats when fcr < 1
        steps = clip_steps(regular_steps(s.staffing, p.date.weekday(), ro, rc, step), o, c)
        fc = dict(zip(starts.tolist(), lam.tolist(), strict=True))
        for m in range(o - o % step, c, step):
            rows.append((pd.Timestamp(p.date), m, fc.get(m, 0.0) if o <= m < c else 0.0, _level(steps, max(m, o), min(m + step, c))))
    return pd.DataFrame(rows, columns=["date", "minute", "forecast", "agents_plan"])


def _read_csv(path: Path, needed: Sequence[str], what: str) -> pd.DataFrame:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"Cannot read the {what} {path}: {' '.join(str(exc).split())}.") from None
    sep = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    try:
        df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, pd.errors.ParserError) as exc:
        raise ScenarioError(f"Cannot read the {what} {path}: {' '.join(str(exc).split())}.") from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    miss = [c for c in needed if c not in df.columns]
    if miss:
        raise ScenarioError(f"Cannot use the {what} {path}: line 1 (header) has no column {miss[0]!r}; it has "
                            f"{', '.join(repr(c) for c in df.columns)}.")
    if df.empty:
        raise ScenarioError(f"Cannot use the {what} {path}: it has a header but no rows.")
    return df


def _cells(path: Path, df: pd.DataFrame, col: str, what: str, parse: Any, allowed: str) -> list[Any]:
    out = []
    for i, v in enumerate(df[col].tolist()):
        try:
            out.append(parse(str(v).strip()))
        except (ValueError, TypeError):
            raise ScenarioError(f"Cannot use the {what} {path}: line {i + 2}, column {col!r}: {v!r} is not {allowed}.") from None
    return out


def _number(text: str) -> float:
    x = float(text.replace(",", "."))
    if not np.isfinite(x) or x < 0:
        raise ValueError(text)
    return x


def _weekday(text: str) -> str:
    w = text.lower()[:3]
    if w not in WEEKDAYS:
        raise ValueError(text)
    return w


def read_staffing(path: str | Path) -> pd.DataFrame:
    """A staffing CSV in force: ``date|weekday, interval_start, agents`` (``,`` or ``;``, a
    decimal comma allowed); errors name the file, line and column."""
    p = Path(path)
    what = "staffing CSV"
    return _staffing_table(p, _read_csv(p, ["interval_start", "agents"], what), what)


def _staffing_table(p: Path, df: pd.DataFrame, what: str) -> pd.DataFrame:
    key = "date" if "date" in df.columns else "weekday" if "weekday" in df.columns else None
    if key is None:
        raise ScenarioError(f"Cannot use the {what} {p}: line 1 (header) needs a column 'date' or 'weekday'; it has "
                            f"{', '.join(repr(c) for c in df.columns)}.")
    out = pd.DataFrame({
        "minute": _cells(p, df, "interval_start", what, clock_minutes, "a clock time HH:MM"),
        "agents": _cells(p, df, "agents", what, _number, "a number of agents >= 0"),
    })
    if key == "date":
        out["date"] = _cells(p, df, "date", what, _iso_date, "a date YYYY-MM-DD")
    else:
        out["weekday"] = _cells(p, df, "weekday", what, _weekday, "a weekday (mon … sun)")
    return out


PLAN_KINDS: tuple[str, ...] = ("staffing", "roster", "schedule")
"""What ``--staffing`` may hold: a staffing table (agents per interval), a roster (shifts per
weekday, as ``python -m sim.staff`` writes ``roster.csv``) or a dated schedule (one row per
agent and date, as ``python -m sim.schedule`` writes ``schedule.csv``)."""
PLAN_COLUMNS: dict[str, tuple[str, ...]] = {
    "schedule": ("agent", "date", "shift_start", "shift_end"),
    "roster": ("weekday", "shift_start", "shift_end", "agents"),
    "staffing": ("interval_start", "agents"),
}
"""The columns that tell each kind (checked in this order); ``lunch`` and ``breaks`` are optional."""
_PLAN_WHAT = {"staffing": "staffing CSV", "roster": "roster", "schedule": "schedule"}


def plan_kind(columns: Sequence[str]) -> str | None:
    """The kind of a staffing file by its (lower-case) columns: the first of :data:`PLAN_COLUMNS`
    whose columns it has, else None."""
    have = set(columns)
    return next((k for k, need in PLAN_COLUMNS.items() if set(need) <= have), None)


def read_plan_staffing(path: str | Path, step: int, kind: str | None = None) -> tuple[pd.DataFrame, str]:
    """The planned agents on the phones of a staffing file, and its kind (:data:`PLAN_KINDS`;
    None: told by its columns). A staffing table is read as it is (its ``interval_start`` must lie
    on the ``step``-minute grid); a roster's or a schedule's shifts become the time-average agents
    on the phones per ``step``-minute interval, lunch and breaks subtracted (a 15-minute break in
    a 30-minute interval is half an agent there). The result has ``date`` (a schedule, a dated
    table) or ``weekday`` (a roster, a weekday table), ``minute`` and ``agents``."""
    p = Path(path)
    if kind is not None and kind not in PLAN_KINDS:
        raise ScenarioError(f"--plan-kind must be one of {', '.join(PLAN_KINDS)} (or left out: told by the columns), got {kind!r}.")
    df = _read_csv(p, PLAN_COLUMNS[kind] if kind else [], _PLAN_WHAT[kind] if kind else "staffing file")
    found = kind or plan_kind(list(df.columns))
    if found is None:
        raise ScenarioError(
            f"Cannot use the staffing file {p}: line 1 (header) has {', '.join(repr(c) for c in df.columns)}, which is none of "
            "a staffing table (date or weekday, interval_start, agents); a roster (weekday, shift_start, shift_end, agents[, lunch, "
            "breaks]); a schedule (agent, date, shift_start, shift_end[, lunch, breaks]). Give one of them (or --plan-kind to say which "
            "it is).")
    what = _PLAN_WHAT[found]
    if found == "staffing":
        out = _staffing_table(p, df, what)
        off = [i for i, m in enumerate(out["minute"]) if m % step]
        if off:
            i = off[0]
            raise ScenarioError(f"Cannot use the {what} {p}: line {i + 2}, column 'interval_start': {df['interval_start'].iloc[i]!r} "
                                f"is not on the plan's {step}-minute grid (an interval starts every {step} minutes from 00:00); give "
                                f"agents per {step}-minute interval, or the roster or schedule itself.")
        return out, found
    return _shift_coverage(p, df, what, found, step), found


def _iso_date(text: str) -> pd.Timestamp:
    return pd.Timestamp(dt.date.fromisoformat(text))


def _shift_coverage(p: Path, df: pd.DataFrame, what: str, kind: str, step: int) -> pd.DataFrame:
    """A roster's or schedule's agents on the phones per ``step``-minute interval (see
    :func:`read_plan_staffing`): the time-average of :func:`sim.world.staffing.phones_per_slot`,
    what the plan's Erlang requirement per interval is compared with. Every cell is checked,
    errors name the line and column."""
    n = len(df)
    starts = _cells(p, df, "shift_start", what, clock_minutes, "a clock time HH:MM")
    ends = _cells(p, df, "shift_end", what, partial(clock_minutes, end=True), "a clock time HH:MM (24:00 for midnight)")
    spans = "spans HH:MM-HH:MM (start before end) separated by spaces, or empty"
    off = {c: _cells(p, df, c, what, spans_minutes, spans) if c in df.columns else [[] for _ in range(n)] for c in ("lunch", "breaks")}
    if kind == "schedule":
        keys = _cells(p, df, "date", what, _iso_date, "a date YYYY-MM-DD")
        counts = [1.0] * n
    else:
        keys = _cells(p, df, "weekday", what, _weekday, "a weekday (mon … sun)")
        counts = _cells(p, df, "agents", what, _number, "a number of agents >= 0")
    grid = -(-24 * 60 // step) * step
    duties: dict[Any, list[Duty]] = {}
    worked: dict[tuple[str, Any], list[tuple[int, int, int]]] = {}
    for i in range(n):
        line, a, b = i + 2, starts[i], ends[i]
        if b <= a:
            raise ScenarioError(f"Cannot use the {what} {p}: line {line}, column 'shift_end': {df['shift_end'].iloc[i]!r} is not after "
                                f"the shift start {df['shift_start'].iloc[i]}; a shift must end after it starts, on the same day.")
        for col in ("lunch", "breaks"):
            for lo, hi in off[col][i]:
                if lo < a or hi > b:
                    raise ScenarioError(f"Cannot use the {what} {p}: line {line}, column {col!r}: {df[col].iloc[i]!r} lies outside "
                                        f"the shift {df['shift_start'].iloc[i]}-{df['shift_end'].iloc[i]}; a break must lie within it.")
        if kind == "schedule":
            agent = str(df["agent"].iloc[i]).strip()
            if not agent:
                raise ScenarioError(f"Cannot use the {what} {p}: line {line}, column 'agent' is empty; every shift names its agent.")
            for lo, hi, other in worked.setdefault((agent, keys[i]), []):
                if lo < b and a < hi:
                    raise ScenarioError(f"Cannot use the {what} {p}: line {line}, column 'shift_start': agent {agent!r} already works "
                                        f"{hhmm(lo)}-{hhmm(hi)} on {keys[i]:%Y-%m-%d} (line {other}); an agent's shifts of a date "
                                        f"must not overlap.")
            worked[(agent, keys[i])].append((a, b, line))
        duties.setdefault(keys[i], []).append(Duty(a, b, tuple(off["lunch"][i] + off["breaks"][i]), counts[i]))
    key = "date" if kind == "schedule" else "weekday"
    minute = np.arange(0, grid, step)
    frames = [pd.DataFrame({key: k, "minute": minute, "agents": phones_per_slot(v, 0, grid // step, step)}) for k, v in duties.items()]
    return pd.concat(frames, ignore_index=True)[[key, "minute", "agents"]]


def read_forecast(path: str | Path) -> pd.DataFrame:
    """A forecast CSV: ``date, calls`` (per day; the plan's intraday profile spreads it) or
    ``date, interval_start, calls``."""
    p = Path(path)
    what = "forecast CSV"
    df = _read_csv(p, ["date", "calls"], what)
    out = pd.DataFrame({
        "date": _cells(p, df, "date", what, _iso_date, "a date YYYY-MM-DD"),
        "calls": _cells(p, df, "calls", what, _number, "a number of calls >= 0"),
    })
    if "interval_start" in df.columns:
        out["minute"] = _cells(p, df, "interval_start", what, clock_minutes, "a clock time HH:MM")
    return out


def build_plan(s: Scenario, source: str, given: bool, first: dt.date, last: dt.date,
               staffing: str | Path | None = None, forecast: str | Path | None = None, plan_kind: str | None = None) -> Plan:
    """The plan's forecast and agents per date and interval of the month (``staffing`` and
    ``forecast`` CSVs replace the scenario's; ``staffing`` may be a staffing table, a roster or
    a schedule, :func:`read_plan_staffing`, of kind ``plan_kind`` or told by its columns)."""
    iv = plan_intervals(s, first, last)
    st_src, fc_src = f"{source} (staffing {s.staffing.mode})", f"{source} (demand model)"
    notes: list[Phrase] = []
    if staffing is not None:
        step = int(s.demand.interval_min)
        st, kind = read_plan_staffing(staffing, step, plan_kind)
        if "date" in st.columns:
            m = iv.merge(st, on=["date", "minute"], how="left")
        else:
            m = iv.assign(weekday=iv["date"].dt.day_of_week.map(dict(enumerate(WEEKDAYS)))).merge(st, on=["weekday", "minute"], how="left")
        iv["agents_plan"] = m["agents"].fillna(0.0).to_numpy()
        st_src = str(staffing) if kind == "staffing" else f"{staffing} ({kind})"
        per_day = iv.groupby("date")["agents_plan"].sum()
        empty = per_day[per_day <= 0].index
        if len(iv) and len(empty) == len(per_day):
            held = (f"its dates run {st['date'].min():%Y-%m-%d} to {st['date'].max():%Y-%m-%d}" if "date" in st.columns else
                    f"its weekdays are {', '.join(dict.fromkeys(st['weekday']))}")
            raise ScenarioError(f"Cannot use the {_PLAN_WHAT[kind]} {staffing} as the plan of {first:%Y-%m}: it has no agent on the "
                                f"phones on any open date of the month ({held}); give the {_PLAN_WHAT[kind]} that was in force.")
        if len(empty):
            notes.append(Phrase(N_("the staffing {file} has no agent on the phones on {n} open date(s) of the plan: {dates}"),
                                file=str(staffing), n=len(empty), dates=", ".join(f"{d:%Y-%m-%d}" for d in empty)))
    if forecast is not None:
        fc = read_forecast(forecast)
        if "minute" in fc.columns:
            m = iv.merge(fc, on=["date", "minute"], how="left")
            iv["forecast"] = m["calls"].fillna(0.0).to_numpy()
        else:
            day = fc.groupby("date")["calls"].sum()
            share = iv["forecast"] / iv.groupby("date")["forecast"].transform("sum").replace(0, np.nan)
            iv["forecast"] = (share.fillna(0.0) * iv["date"].map(day).fillna(0.0)).to_numpy()
        fc_src = str(forecast)
    return Plan(s, iv, source, st_src, fc_src, given or staffing is not None or forecast is not None, tuple(notes))


def planned_aht(s: Scenario, minute: np.ndarray, weights: np.ndarray) -> float:
    """The plan's mean handle time over intervals (``by_interval`` factors weighted by calls)."""
    f = np.array([s.handling.factor_at(int(m)) for m in minute])
    w = np.asarray(weights, dtype=float)
    return float(s.handling.mean_handle_s * ((f * w).sum() / w.sum() if w.sum() > 0 else 1.0))


def patience_mean(s: Scenario) -> float:
    """The plan's mean patience of the callers who do not balk."""
    return float(make(s.patience).mean)


# --------------------------------------------------------------------------- the follow-up


def _months_of(table: pd.DataFrame, month: str | None) -> pd.Period:
    have = sorted(table["date"].dt.to_period("M").unique())
    if month is None:
        return have[-1]
    try:
        m = pd.Period(month, freq="M")
    except ValueError:
        raise ScenarioError(f"--month: {month!r} is not a month; expected YYYY-MM (e.g. 2026-11).") from None
    if m not in have:
        raise ScenarioError(f"--month {month}: the data hold no calls in that month; they hold {', '.join(str(x) for x in have)}.")
    return m


def _scores(day: pd.DataFrame, iv: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for level, f in (("day", day), ("interval", iv)):
        a: Accuracy = accuracy(f["actual"].to_numpy(), f["forecast"].to_numpy())
        rows.append((level, a.units, a.actual, a.forecast, a.wape, a.mape, a.bias, a.zero_actual))
    return pd.DataFrame(rows, columns=["level", "units", "actual", "forecast", "wape", "mape", "bias", "units_without_calls"])


def effective_by_day(table: pd.DataFrame, calls: pd.DataFrame | None, plan: Plan, step: int) -> pd.DataFrame:
    """Per date and interval of the month: the planned agents and the effective staffing of that
    date alone (:func:`effective_staffing` with the plan's handle time and patience, bounded by
    the agents seen answering), ``identified`` as there."""
    s = plan.scenario
    aht = s.handling.mean_handle_s
    pat = patience_mean(s)
    balk = float(s.patience.balk_share)
    seen = agents_answering(calls, step) if calls is not None else None
    out = []
    for date, day in table.groupby("date"):
        pl = plan.intervals[plan.intervals["date"] == date]
        if pl.empty or day["offered"].sum() <= 0:
            continue
        wd = WEEKDAYS[pd.Timestamp(date).weekday()]
        hours = {wd: (int(pl["minute"].min()), int(pl["minute"].max()) + step)}
        sd = seen[seen["date"] == date] if seen is not None and len(seen) else None
        est = effective_staffing(day, step, aht, pat, balk, None, hours=hours, seen=sd)
        e = est.per_interval[["minute", "agents_eff", "eff_low", "eff_high"]].copy()
        pooled = est.pooled.set_index("minute")
        ident = pooled["identified"]
        if sd is None:  # a report: where the queue cannot tell (few hung up), the plan stands, within the data's bounds
            plan_at = e["minute"].map(pl.set_index("minute")["agents_plan"])
            lo = e["minute"].map(pooled["lower_bound"])
            hi = e["minute"].map(pooled["upper_bound"])
            keep = e["minute"].map(ident).fillna(False).astype(bool)
            e["agents_eff"] = np.where(keep, e["agents_eff"], np.round(np.clip(plan_at, lo, hi), 1))
        m = pl.merge(e, on="minute", how="left").merge(
            day[["minute", "offered", "answered", "abandoned", "handle_sum_s"]], on="minute", how="left")
        m["identified"] = m["minute"].map(ident).fillna(False).astype(bool)
        if sd is not None:
            m["seen"] = m["minute"].map(sd.set_index("minute")["seen"])
        m["offered"] = m["offered"].fillna(0.0)
        m["closed"] = (m["offered"] <= 0) & (m["forecast"] >= CLOSED_MIN_FORECAST)
        # no calls: a closure has no agents; a quiet interval keeps the plan's (the queue says nothing)
        m["agents_eff"] = np.where(m["closed"], 0.0, m["agents_eff"].fillna(m["agents_plan"]))
        out.append(m)
    cols = ["date", "minute", "forecast", "agents_plan", "agents_eff", "eff_low", "eff_high", "identified", "closed", "offered",
            "answered", "abandoned", "handle_sum_s"]
    if not out:
        return pd.DataFrame(columns=cols)
    r = pd.concat(out, ignore_index=True)
    for c in ("offered", "answered", "abandoned", "handle_sum_s"):
        r[c] = r[c].fillna(0.0)
    return r


def follow_up(
    paths: str | Path | Sequence[str | Path],
    kind: Kind,
    columns: str | Path | None = None,
    *,
    plan: str | Path | Scenario | None = None,
    overrides: Sequence[str] = (),
    staffing: str | Path | None = None,
    forecast: str | Path | None = None,
    plan_kind: str | None = None,
    month: str | None = None,
    start: str | None = None,
    end: str | None = None,
    replications: int = 8,
    seed: int = 0,
    attribute: bool = True,
    cases: str | Path | None = None,
    case_columns: str | Path | None = None,
) -> FollowUp:
    """The follow-up of one month (see the module docstring). ``replications``: simulated
    replications per factor combination in the attribution (common random numbers);
    ``attribute``: False skips the re-simulation; ``staffing``: a staffing table, a roster or a
    schedule (``plan_kind``, or told by its columns: :func:`read_plan_staffing`); ``cases``: a case export (with its map
    ``case_columns``, :mod:`sim.history.case_log`) for the case work in working hours."""
    import time

    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    if replications < 1:
        raise ScenarioError(f"--replications must be >= 1, got {replications}.")
    files = [paths] if isinstance(paths, str | Path) else list(paths)
    s, source, given = load_plan_scenario(plan, overrides)
    step: int = int(s.demand.interval_min)
    table, calls, step = read_actuals(files, kind, columns, step, start, end)
    timings["read"] = time.perf_counter() - t0
    tg = s.targets
    targets = {"availability": tg.availability_min, "service_level": tg.service_level_min, "asa_s": tg.asa_max_s, "aht_s": tg.aht_max_s}
    all_days = day_kpis(table, targets)
    months = month_kpis(all_days, targets)
    m = _months_of(table, month)
    first, last = m.start_time.date(), m.end_time.date()
    days = all_days[all_days["date"].dt.to_period("M") == m].reset_index(drop=True)
    mt = table[table["date"].dt.to_period("M") == m].reset_index(drop=True)
    notes: list[str] = []
    if kind == "intervals" and mt["within"].isna().all():
        notes.append(Phrase(N_("the report has no answered-within column: service level cannot be judged")))
    pl = build_plan(s, source, given, first, last, staffing, forecast, plan_kind)
    notes.extend(pl.notes)
    # forecast vs actual: the plan's open intervals and any interval with calls
    act = mt[["date", "minute", "offered"]].rename(columns={"offered": "actual"})
    fiv = pl.intervals[["date", "minute", "forecast"]].merge(act, on=["date", "minute"], how="outer").fillna(
        {"forecast": 0.0, "actual": 0.0})
    fiv = fiv.sort_values(["date", "minute"]).reset_index(drop=True)
    fday = fiv.groupby("date")[["forecast", "actual"]].sum().reset_index()
    fday = fday[(fday["forecast"] > 0) | (fday["actual"] > 0)].reset_index(drop=True)
    for f in (fday, fiv):
        f["error"] = f["forecast"] - f["actual"]
        f["abs_pct_error"] = (f["error"].abs() / f["actual"].where(f["actual"] > 0))
    unplanned = fday[(fday["forecast"] <= 0) & (fday["actual"] > 0)]
    if len(unplanned):
        notes.append(Phrase(N_("{n} date(s) with calls that the plan had closed: {dates}"), n=len(unplanned),
                            dates=", ".join(f"{d:%Y-%m-%d}" for d in unplanned["date"])))
    missing = fday[(fday["forecast"] > 0) & (fday["actual"] <= 0)]
    if len(missing):
        notes.append(Phrase(N_("{n} planned open date(s) without calls in the export (closed, or missing data): {dates}"),
                            n=len(missing), dates=", ".join(f"{d:%Y-%m-%d}" for d in missing["date"])))
    scores = _scores(fday, fiv[fiv["date"].isin(fday["date"])])
    timings["kpis_forecast"] = time.perf_counter() - t0
    piv = effective_by_day(mt, calls, pl, step)
    timings["effective_staffing"] = time.perf_counter() - t0
    hours = step / 60.0
    g = piv.groupby("date")
    pday = pd.DataFrame({
        "agent_hours_plan": g["agents_plan"].sum() * hours,
        "agent_hours_effective": g["agents_eff"].sum() * hours,
        "aht_plan_s": g.apply(lambda x: planned_aht(s, x["minute"].to_numpy(), x["forecast"].to_numpy()), include_groups=False),
        "aht_actual_s": g["handle_sum_s"].sum() / g["answered"].sum().where(g["answered"].sum() > 0),
    }).reset_index() if len(piv) else pd.DataFrame(
        columns=["date", "agent_hours_plan", "agent_hours_effective", "aht_plan_s", "aht_actual_s"])
    if len(pday):
        pday["agents_diff_h"] = pday["agent_hours_effective"] - pday["agent_hours_plan"]
        pday["aht_ratio"] = pday["aht_actual_s"] / pday["aht_plan_s"]
    if calls is None:
        notes.append(Phrase(N_("effective staffing from an interval report: where too few callers hung up to identify the agents, the "
                               "planned agents are kept within the data's bounds (the carried load below, the agents logged in above)")))
    att, runs = pd.DataFrame(columns=COLUMNS), pd.DataFrame()
    words: dict[str, list[str]] = {}
    if attribute and pl.given:
        missed = days[days["missed"] != ""]
        att, runs, words = attribute_days(s, missed, piv, fday, pday, targets, step, replications, seed)
    elif attribute:
        notes.append(Phrase(N_("no plan given (--plan, --staffing or --forecast): the misses are not attributed")))
    timings["attribution"] = time.perf_counter() - t0
    cday = cmon = pd.DataFrame()
    if cases is not None:
        kinds = tuple(s.targets.case_hours)
        rows = read_cases(cases, load_case_map(case_columns), kinds)
        end_at = max(rows["arrival"].max(), rows["finished_at"].max() if rows["finished_at"].notna().any() else rows["arrival"].max())
        cday, cmon = case_tables(case_records(rows, s, end_at), s, m)
        if cday.empty:
            notes.append(Phrase(N_("the case export {file} has no case in {month}"), file=str(cases), month=str(m)))
        timings["cases"] = time.perf_counter() - t0
    return FollowUp(m, [str(f) for f in files], kind, step, targets, days, months, pl, fday, fiv, scores, pday, piv, att, runs, words,
                    notes, timings, cday, cmon)

"""The year's capacity plan behind ``python -m sim.capacity``.

From a daily forecast of the year (date, kind, mean and the prediction interval ``low`` ..
``high``; :mod:`sim.history.yearly` makes one from a history) to headcount:

1. **The requirement per date, by date kind.** Every open date's forecast volume is spread
   over its open intervals by the demand profile and staffed with Erlang A for the
   agreement's targets (:func:`erlang_agents`, vectorised: every date at its mean, low and
   high volume). The dates fall into kinds (:func:`kind_label`): ``early`` (the 15:00 day
   before a red day), ``after_closure`` (the first opening after a closure), and the regular
   days by weekday, those of ``capacity.separate_months`` (July by default) apart. With ``capacity.simulate``
   each kind is checked once by simulation: its representative date (the median volume of
   the kind) is simulated and the Erlang A table refined by the staffing search of
   :mod:`sim.study.search` (``staff.replications``, ``staff.confidence``, ``staff.seed``,
   ``staff.max_rounds``) until every interval meets the targets; the difference simulated
   − Erlang A (agents per interval, by the interval's clock time) is added to every date of
   the kind.
2. **Shrinkage and FTE per month** (:mod:`sim.analysis.capacity`): the paid hours of an FTE
   and the hours off the phones by category; required FTE = on-phone hours × (1 + roster
   overhead) ÷ an FTE's on-phone hours, at the forecast's mean, low and high volume.
3. **The team and the hiring plan**: the team file's phone agents (sum of contracts), expected
   attrition, the gap per month and the hires (:func:`sim.analysis.capacity.hiring_plan`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis.capacity import FteMonth, HireRule, fte_month, hiring_plan, required_fte, training_before
from sim.analysis.erlang import required_agents
from sim.errors import ScenarioError
from sim.schema import MONTHS, WEEKDAYS, Scenario, TeamConfig, minutes
from sim.study.runner import default_workers
from sim.study.search import erlang_table, search
from sim.world.calendar import DayPlan, day_plans
from sim.world.demand import interval_rates

LEVELS = ("mean", "low", "high")
"""The forecast's point and the ends of its prediction interval."""
FORECAST_COLUMNS = ("date", "kind", "mean", "low", "high")


@dataclass
class CapacityPlan:
    """Everything ``python -m sim.capacity`` writes (see :func:`capacity_plan`)."""

    scenario: Scenario
    dates: pd.DataFrame  # per date: volumes, Erlang A and checked on-phone hours at each level
    kinds: pd.DataFrame  # per date kind: dates, representative date, Erlang A and simulated hours
    months: pd.DataFrame  # per month: requirement, FTE hours by category, FTE, team, gap, hires, costs
    weeks: pd.DataFrame  # per ISO week: requirement and FTE
    hires: pd.DataFrame  # one row per month with hires: decision month, productive month, people
    team_fte: float
    team_agents: int
    training_before_fte_months: float
    seconds: dict[str, float] = field(default_factory=dict)


# --------------------------------------------------------------------------- the requirement


def open_intervals(s: Scenario, p: DayPlan) -> tuple[np.ndarray, np.ndarray]:
    """(start minutes, profile share) of the intervals a date is open: the weekday's profile
    weights of those intervals, scaled to sum to 1 (the forecast counts the calls offered
    while open)."""
    if p.opens is None or p.closes is None:
        return np.zeros(0, dtype=int), np.zeros(0)
    starts, w = interval_rates(s, p, 1.0)
    inside = (starts >= minutes(p.opens)) & (starts < minutes(p.closes))
    w = w[inside]
    return starts[inside], w / w.sum() if w.sum() > 0 else w


def erlang_agents(s: Scenario, calls: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Erlang A agents for ``calls`` per interval starting at ``starts`` (minutes), with the
    scenario's handle time (and its ``by_interval`` factor), patience and targets."""
    if calls.size == 0:
        return np.zeros(0, dtype=int)
    t = s.targets
    aht = s.handling.mean_handle_s * np.array([s.handling.factor_at(int(m)) for m in starts], dtype=float)
    patience = np.inf if s.patience.infinite else s.patience.as_distribution().mean_value
    r = required_agents(calls, 60.0 * s.demand.interval_min, aht, model="erlang_a", patience_s=patience,
                        sl_target=t.service_level_min, target_s=t.threshold_s, max_abandon=1.0 - t.availability_min,
                        max_asa_s=t.asa_max_s)
    return np.asarray(r.agents, dtype=int)


def kind_label(kind: str, date: dt.date, separate_months: list[int]) -> str:
    """A date's kind: ``early`` (a 15:00 day or a closure window) and ``after_closure`` (the
    first opening after a closure) are a kind each; a regular day's kind is its weekday, and
    its month when that is one of ``separate_months`` (``regular mon``, ``regular fri jul``)."""
    if kind != "regular":
        return kind
    label = f"{kind} {WEEKDAYS[date.weekday()]}"
    return f"{label} {MONTHS[date.month - 1]}" if date.month in separate_months else label


def day_scenario(s: Scenario, p: DayPlan, volume: float) -> Scenario:
    """A one-day run of date ``p`` whose expected calls offered while open are ``volume`` (all
    of them: failure demand is off, as the forecast of offered calls holds its repeats)."""
    starts, share_all = interval_rates(s, p, 1.0)
    assert p.opens is not None and p.closes is not None
    inside = (starts >= minutes(p.opens)) & (starts < minutes(p.closes))
    open_share = float(share_all[inside].sum())
    raw = s.model_dump(mode="json")
    name = WEEKDAYS[p.date.weekday()]
    raw["demand"]["volume_per"] = "day"
    raw["demand"]["volume"] = volume / open_share
    raw["demand"]["weekday_factor"] = {**raw["demand"]["weekday_factor"], name: 1.0}
    raw["run"] = {**raw["run"], "start": p.date.isoformat(), "end": p.date.isoformat()}
    # the forecast counts every call offered, repeats of unresolved matters included
    raw["resolution"] = {**raw["resolution"], "fcr": 1.0, "case_share": 0.0}
    return Scenario.model_validate(raw)


def check_kind(s: Scenario, p: DayPlan, volume: float) -> tuple[np.ndarray, np.ndarray, int, float]:
    """(Erlang A agents, simulation-checked agents, search rounds, seconds) per open interval
    of date ``p`` at ``volume`` calls: the staffing search of :mod:`sim.study.search` on one
    day, its replications in this process (the kinds run in parallel: :func:`_check_kinds`)."""
    t0 = time.perf_counter()
    day = day_scenario(s, p, volume)
    st = s.staff
    wd = WEEKDAYS[p.date.weekday()]
    found = search(day, replications=st.replications, seed=st.seed, confidence=st.confidence, max_rounds=st.max_rounds,
                   workers=1)
    assert p.regular_opens is not None and p.opens is not None and p.closes is not None
    step = s.demand.interval_min
    idx = [(m - minutes(p.regular_opens)) // step for m in range(minutes(p.opens), minutes(p.closes), step)]
    erl = np.asarray(erlang_table(day)[wd], dtype=int)[idx]
    sim = np.asarray(found.table[wd], dtype=float)[idx]
    return erl, sim.astype(int), len(found.history), time.perf_counter() - t0


def _check_kinds(s: Scenario, days: list[tuple[DayPlan, float]], on_kind: Callable[[str, int, int], None] | None,
                 labels: list[str]) -> list[tuple[np.ndarray, np.ndarray, int, float]]:
    """:func:`check_kind` of every kind, on ``staff.workers`` processes (default all cores)."""
    workers = min(s.staff.workers or default_workers(), len(days))
    if workers <= 1:
        out = []
        for k, (p, v) in enumerate(days):
            out.append(check_kind(s, p, v))
            if on_kind is not None:
                on_kind(labels[k], k + 1, len(days))
        return out
    results: dict[int, tuple[np.ndarray, np.ndarray, int, float]] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(check_kind, s, p, v): k for k, (p, v) in enumerate(days)}
        for fut in as_completed(futures):
            k = futures[fut]
            results[k] = fut.result()
            if on_kind is not None:
                on_kind(labels[k], len(results), len(days))
    return [results[k] for k in range(len(days))]


def requirement(s: Scenario, forecast: pd.DataFrame,
                on_kind: Callable[[str, int, int], None] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(dates, kinds): per date of ``forecast`` the Erlang A and the checked on-phone hours at
    each level; per date kind its dates, representative date and volume, and the hours of
    Erlang A and of the simulation at that volume (see the module docstring)."""
    cap = s.capacity
    f = forecast.copy()
    f["date"] = pd.to_datetime(f["date"]).dt.date
    plans = {p.date: p for p in day_plans(s.calendar, f["date"].min(), f["date"].max())}
    step_h = s.demand.interval_min / 60
    per_date: dict[dt.date, dict[str, np.ndarray]] = {}
    rows = []
    for r in f.itertuples(index=False):
        p = plans[r.date]
        starts, share = open_intervals(s, p)
        open_ = p.opens is not None and r.kind != "closed" and starts.size > 0
        label = kind_label(str(r.kind), r.date, cap.separate_months) if open_ else "closed"
        agents = {lv: erlang_agents(s, float(getattr(r, lv)) * share, starts) if open_ else np.zeros(0, dtype=int) for lv in LEVELS}
        per_date[r.date] = {"starts": starts, **agents}
        rows.append({"date": r.date, "weekday": WEEKDAYS[r.date.weekday()], "day_kind": r.kind, "kind": label,
                     **{f"volume_{lv}": float(getattr(r, lv)) if open_ else 0.0 for lv in LEVELS},
                     **{f"erlang_h_{lv}": float(agents[lv].sum()) * step_h for lv in LEVELS}})
    dates = pd.DataFrame(rows)
    groups = list(dates[dates["kind"] != "closed"].groupby("kind", sort=True))
    reps = []
    for label, g in groups:
        rep = g.iloc[(g["volume_mean"] - g["volume_mean"].median()).abs().to_numpy().argmin()]
        reps.append((label, g, rep["date"], float(rep["volume_mean"])))
    checked = _check_kinds(s, [(plans[d], v) for _, _, d, v in reps], on_kind, [lb for lb, *_ in reps]) if cap.simulate else None
    kinds = []
    for k, (label, g, d, volume) in enumerate(reps):
        erl = per_date[d]["mean"]
        if checked is not None:
            erl_day, sim, rounds, seconds = checked[k]
            delta = dict(zip(per_date[d]["starts"].tolist(), (sim - erl_day).tolist(), strict=True))
        else:
            delta, rounds, seconds = {}, 0, 0.0
        for dd in g["date"]:
            per_date[dd]["delta"] = np.array([delta.get(m, 0) for m in per_date[dd]["starts"].tolist()], dtype=int)
        kinds.append({"kind": label, "dates": len(g), "representative_date": d, "volume": volume,
                      "erlang_h": float(erl.sum()) * step_h, "checked_h": float(_checked(erl, per_date[d]["delta"]).sum()) * step_h,
                      "delta_agent_intervals": int(sum(delta.values())), "search_rounds": rounds, "seconds": round(seconds, 2)})
    for lv in LEVELS:
        dates[f"phone_h_{lv}"] = [
            float(_checked(per_date[d][lv], per_date[d].get("delta")).sum()) * step_h for d in dates["date"]]
    return dates, pd.DataFrame(kinds)


def _checked(erl: np.ndarray, delta: np.ndarray | None) -> np.ndarray:
    """Erlang A agents plus the kind's simulation correction, at least 1 where Erlang A has any."""
    if delta is None or erl.size == 0:
        return erl
    return np.where(erl > 0, np.maximum(erl + delta, 1), 0)


# --------------------------------------------------------------------------- FTE and hiring


def _month_days(s: Scenario) -> pd.DataFrame:
    """Per month of the plan year: working days (Monday-Friday, not red) and full-day closures
    among them (team and training days: the line closed, the people paid)."""
    year = s.capacity.year
    plans = day_plans(s.calendar, dt.date(year, 1, 1), dt.date(year, 12, 31))
    rows = [{"month": p.date.month, "workday": p.date.weekday() < 5 and not p.red,
             "team_day": p.date.weekday() < 5 and not p.red and p.opens is None} for p in plans]
    return pd.DataFrame(rows).groupby("month").agg(workdays=("workday", "sum"), team_days=("team_day", "sum")).reset_index()


def fte_months(s: Scenario) -> list[FteMonth]:
    """One FTE's hours per month of ``capacity.year`` (:func:`sim.analysis.capacity.fte_month`)."""
    cap = s.capacity
    sh = cap.shrinkage
    days = _month_days(s)
    total_w = sum(sh.vacation_key.values())
    total_days = float(days["workdays"].sum())
    out = []
    for r in days.itertuples(index=False):
        name = MONTHS[int(r.month) - 1]
        vac = sh.vacation_days * sh.vacation_key[name] / total_w if total_w > 0 else 0.0
        train = float(r.team_days) + sh.training_days * float(r.workdays) / total_days
        try:
            out.append(fte_month(float(r.workdays), vac, train, sh, cap.week_h / 5))
        except ValueError as exc:
            raise ScenarioError(f"Invalid scenario: capacity.shrinkage.vacation_key.{name}: in {name} {cap.year}, {exc} "
                                f"(capacity.shrinkage.vacation_days={sh.vacation_days:g} spread by vacation_key; "
                                f"training_days={sh.training_days:g} and the dated closures). Lower the month's weight "
                                "or the days.") from None
    return out


def team_fte(team: TeamConfig) -> tuple[float, int]:
    """(FTE, people) of the team's agents who take calls (skill ``phones``)."""
    phones = [a for a in team.agents if "phones" in a.skills]
    return float(sum(a.contract for a in phones)), len(phones)


def first_decision(s: Scenario) -> int:
    """``capacity.hiring.decide_from`` as a month index of the plan year (default −1: December before)."""
    text = s.capacity.hiring.decide_from
    if text is None:
        return -1
    y, m = int(text[:4]), int(text[5:7])
    return (y - s.capacity.year) * 12 + m - 1


def month_label(year: int, index: int) -> str:
    """``"YYYY-MM"`` of month ``index`` (0 = January of ``year``, negative: the year before)."""
    y, m = divmod(index, 12)
    return f"{year + y}-{m + 1:02d}"


def capacity_plan(s: Scenario, forecast: pd.DataFrame, team: TeamConfig,
                  on_kind: Callable[[str, int, int], None] | None = None) -> CapacityPlan:
    """The whole plan (see the module docstring) for the forecast of ``capacity.year``."""
    missing = [c for c in FORECAST_COLUMNS if c not in forecast.columns]
    if missing:
        raise ValueError(f"the forecast needs the columns {', '.join(FORECAST_COLUMNS)}; missing: {', '.join(missing)}")
    cap = s.capacity
    t0 = time.perf_counter()
    fte = fte_months(s)
    dates, kinds = requirement(s, forecast, on_kind)
    t1 = time.perf_counter()
    dates["month"] = pd.to_datetime(dates["date"]).dt.month
    oh = cap.shrinkage.roster_overhead
    per_day = {m + 1: f.phone_h / f.workdays if f.workdays else 0.0 for m, f in enumerate(fte)}
    work = [d.weekday() < 5 for d in dates["date"]]
    dates["fte_phone_h"] = [per_day[m] if w else 0.0 for m, w in zip(dates["month"], work, strict=True)]
    dates = _drop_red_workdays(s, dates)
    agg = {f"phone_h_{lv}": (f"phone_h_{lv}", "sum") for lv in LEVELS}
    months = dates.groupby("month").agg(open_days=("phone_h_mean", lambda x: int((x > 0).sum())),
                                        volume=("volume_mean", "sum"), volume_low=("volume_low", "sum"),
                                        volume_high=("volume_high", "sum"), erlang_h=("erlang_h_mean", "sum"), **agg).reset_index()
    months = months.set_index("month").reindex(range(1, 13), fill_value=0).reset_index()
    months.insert(0, "month_label", [month_label(cap.year, m - 1) for m in months["month"]])
    for c in ("workdays", "paid_h", "vacation_h", "training_h", "sick_h", "meetings_h", "breaks_h", "phone_h", "shrinkage"):
        months[f"fte_{c}" if c != "shrinkage" else "shrinkage"] = [getattr(f, c) for f in fte]
    for lv in LEVELS:
        months[f"required_fte_{lv}"] = [required_fte(h, f.phone_h, oh) for h, f in zip(months[f"phone_h_{lv}"], fte, strict=True)]
    fte_team, people = team_fte(team)
    rule = HireRule(cap.hiring.lead_months, cap.hiring.training_months, cap.hiring.attrition, cap.hiring.contract, first_decision(s),
                    frozenset(m - 1 for m in cap.hiring.temp_months))
    target = months["required_fte_high" if cap.hiring.hire_to == "high" else "required_fte_mean"].to_list()
    hp = hiring_plan(target, fte_team, rule)
    for c in ("team_fte", "gap_fte", "hires", "available_fte", "short_fte", "temp_fte", "surplus_fte", "trainee_fte"):
        months[c] = hp[c].to_numpy()
    months["gap_fte_low"] = months["required_fte_low"] - months["team_fte"]
    months["gap_fte_high"] = months["required_fte_high"] - months["team_fte"]
    months["paid_h"] = months["available_fte"] * months["fte_paid_h"]
    months["trainee_h"] = months["trainee_fte"] * months["fte_paid_h"]
    months["short_phone_h"] = months["short_fte"] * months["fte_phone_h"]
    months["temp_paid_h"] = months["temp_fte"] * months["fte_paid_h"]
    months["surplus_phone_h"] = months["surplus_fte"] * months["fte_phone_h"]
    hires = hp[hp["hires"] > 0]
    hires = pd.DataFrame({"decide_in": [month_label(cap.year, int(m)) for m in hires["decision_month"]],
                          "training_from": [month_label(cap.year, int(m) - rule.training) for m in hires["month"]],
                          "productive_from": [month_label(cap.year, int(m)) for m in hires["month"]],
                          "hires": hires["hires"].astype(int).to_numpy(), "contract": rule.contract,
                          "fte": hires["hires"].to_numpy() * rule.contract})
    weeks = _weeks(dates, oh)
    return CapacityPlan(s, dates, kinds, months, weeks, hires, fte_team, people, training_before(hp, rule),
                        {"requirement": t1 - t0, "total": time.perf_counter() - t0})


def _drop_red_workdays(s: Scenario, dates: pd.DataFrame) -> pd.DataFrame:
    """An FTE gives no phone hours on a red day (not a working day)."""
    red = {p.date for p in day_plans(s.calendar, dates["date"].min(), dates["date"].max()) if p.red}
    dates.loc[dates["date"].isin(red), "fte_phone_h"] = 0.0
    return dates


def _weeks(dates: pd.DataFrame, overhead: float) -> pd.DataFrame:
    """Per ISO week: on-phone hours at each level and the FTE they need that week."""
    iso = pd.to_datetime(dates["date"]).dt.isocalendar()
    d = dates.assign(week=iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2))
    agg = {f"phone_h_{lv}": (f"phone_h_{lv}", "sum") for lv in LEVELS}
    w = d.groupby("week", sort=True).agg(first_date=("date", "min"), open_days=("phone_h_mean", lambda x: int((x > 0).sum())),
                                         fte_phone_h=("fte_phone_h", "sum"), **agg).reset_index()
    for lv in LEVELS:
        w[f"required_fte_{lv}"] = [required_fte(h, f, overhead) if f > 0 else 0.0 for h, f in
                                   zip(w[f"phone_h_{lv}"], w["fte_phone_h"], strict=True)]
    return w

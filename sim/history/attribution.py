"""Why a day missed a target: the day re-simulated with each factor set to the plan.

A day's queue is set by four things that can differ from the plan: the **volume** (the calls
per interval that came, against the forecast), the **agents** (the effective staffing inferred
from the queue, against the planned agents), the **handle time** (the day's AHT against the
plan's: talk, hold and after-call work scaled by the ratio) and a **closure** (planned open
intervals without a call where the forecast expected at least
:data:`sim.history.followup.CLOSED_MIN_FORECAST`: no calls and no agents there). Each factor
that differs is set to its actual or its planned value; the day is simulated for every
combination (``2^k`` for ``k`` factors) with the same seeds (common random numbers: replication
``r`` uses the same streams in every combination), each combination ``replications`` times.

**Shapley shares.** With ``v(S)`` the mean simulated KPI when the factors in ``S`` are actual and
the others planned, factor ``f``'s share is the Shapley value
``sum over S not containing f of |S|! (k - |S| - 1)! / k! * (v(S + f) - v(S))``: the average
effect of switching ``f`` from plan to actual over all orders of switching. The shares add up
to ``v(all actual) - v(all planned)`` exactly, and no order has to be chosen.

**The whole miss.** In *shortfall* units (target − KPI for a minimum such as availability,
KPI − target for a maximum such as the queue time; positive = short of the target):

    observed shortfall = plan margin + sum of the factor shares + residual

``plan margin``: the shortfall of the day simulated at the plan (negative when the plan met the
target with room to spare); ``residual``: observed − simulated at the actual factors (chance and
what the model does not reproduce). It adds up by construction. A missed handle-time target is
the handle time itself: plan margin = planned AHT − target, the rest the longer handle time.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd

from sim.history.backtest import day_scenario
from sim.history.words import N_, Num, Phrase
from sim.model.simulate import simulate
from sim.schema import Scenario, hhmm, minutes

FACTORS: tuple[str, ...] = ("volume", "agents", "aht", "closure")
ABOVE: dict[str, bool] = {"availability": True, "service_level": True, "asa_s": False, "aht_s": False}
COLUMNS = ["date", "kpi", "observed", "target", "shortfall", "simulated_plan", "simulated_actual", "plan_margin",
           *[f"share_{f}" for f in FACTORS], "residual", "main_cause", "replications", "factors"]


# The words are English message ids marked with N_: the face translates them (sim.history.words).
FACTOR_WORDS = {
    "volume": N_("volume above the forecast"),
    "agents": N_("fewer effective agents than planned"),
    "aht": N_("longer handle times"),
    "closure": N_("a closure"),
    "plan": N_("the plan itself"),
    "residual": N_("chance and what the model does not reproduce"),
}
FACTOR_WORDS_LOWER = {
    "volume": N_("volume below the forecast"),
    "agents": N_("more effective agents than planned"),
    "aht": N_("shorter handle times"),
    "closure": N_("a closure"),
}
KPI_WORDS = {"availability": N_("availability"), "service_level": N_("service level"), "asa_s": N_("queue time of answered calls"),
             "aht_s": N_("handle time")}
KPI_TITLES = {"availability": N_("Availability"), "service_level": N_("Service level"), "asa_s": N_("Queue time of answered calls"),
              "aht_s": N_("Handle time")}
"""Each KPI's word at the start of a sentence."""


def _fmt(kpi: str, v: float, diff: bool = False, sign: bool | None = None) -> Num:
    """A KPI value (``97.6 %``, ``12 s``) or a difference (``+1.2 pp``, ``+3 s``; ``sign=False``: no ``+``)."""
    sign = diff if sign is None else sign
    if kpi in ("availability", "service_level"):
        return Num(v, "pp" if diff else "%", 1, sign)
    return Num(v, "s", 0, sign)


def _target(kpi: str, t: float) -> Num:
    return Num(t, "%" if kpi in ("availability", "service_level") else "s", 1 if kpi in ("availability", "service_level") else 0,
               prefix="> " if ABOVE[kpi] else "< ")


def shortfall(kpi: str, value: float, target: float) -> float:
    """How far ``value`` is short of ``target`` (positive: missed) in the KPI's unit."""
    return target - value if ABOVE[kpi] else value - target


def sim_kpis(calls: pd.DataFrame, threshold_s: float) -> dict[str, float]:
    """Availability, service level and ASA of simulated call records."""
    n = len(calls)
    if n == 0:
        return {"availability": math.nan, "service_level": math.nan, "asa_s": math.nan}
    ans = calls["answered_at"].notna().to_numpy()
    w = calls["wait_s"].to_numpy(dtype=float)
    return {"availability": float(ans.mean()), "service_level": float((ans & (w <= threshold_s)).mean()),
            "asa_s": float(w[ans].mean()) if ans.any() else math.nan}


def _scaled(cfg: dict[str, Any], factor: float) -> dict[str, Any]:
    """A scenario dump with talk, hold and after-call work times ``factor`` times longer."""
    out = {**cfg, "handling": {**cfg["handling"]}}
    for part in ("talk", "hold", "wrap"):
        d = dict(out["handling"][part])
        if d.get("mean") is not None:
            d["mean"] = d["mean"] * factor
        if d.get("values") is not None:
            d["values"] = [v * factor for v in d["values"]]
        out["handling"][part] = d
    return out


def shapley(values: dict[frozenset[str], float], factors: list[str]) -> dict[str, float]:
    """Shapley value of each factor of a game ``values`` over subsets of ``factors``."""
    k = len(factors)
    out = {}
    for f in factors:
        rest = [g for g in factors if g != f]
        tot = 0.0
        for r in range(len(rest) + 1):
            w = math.factorial(r) * math.factorial(k - r - 1) / math.factorial(k)
            for sub in itertools.combinations(rest, r):
                s = frozenset(sub)
                tot += w * (values[s | {f}] - values[s])
        out[f] = tot
    return out


def _worlds(iv: pd.DataFrame, active: list[str]) -> dict[frozenset[str], tuple[pd.Series, pd.Series]]:
    """Counts and agents per interval for every combination of actual factors."""
    fc = iv["forecast"].to_numpy(dtype=float)
    obs = iv["offered"].to_numpy(dtype=float)
    closed = iv["closed"].to_numpy(dtype=bool)
    plan_a = iv["agents_plan"].to_numpy(dtype=float)
    eff = iv["agents_eff"].to_numpy(dtype=float)
    open_ = ~closed
    ratio = obs[open_].sum() / fc[open_].sum() if fc[open_].sum() > 0 else 1.0
    out = {}
    for r in range(len(active) + 1):
        for sub in itertools.combinations(active, r):
            s = frozenset(sub)
            counts = np.where(closed, fc * ratio, obs) if "volume" in s else fc.copy()
            agents = np.where(closed, plan_a, eff) if "agents" in s else plan_a.copy()
            if "closure" in s:
                counts = np.where(closed, 0.0, counts)
                agents = np.where(closed, 0.0, agents)
            idx = iv["minute"].to_numpy()
            out[s] = (pd.Series(counts, index=idx), pd.Series(agents, index=idx))
    return out


def attribute_day(s: Scenario, date: pd.Timestamp, iv: pd.DataFrame, aht_ratio: float, replications: int, seed: int
                  ) -> tuple[dict[frozenset[str], dict[str, float]], pd.DataFrame, list[str]]:
    """Mean simulated KPIs of every combination of actual factors (and the runs)."""
    active = ["volume"]
    if np.abs(iv["agents_eff"].to_numpy(dtype=float) - iv["agents_plan"].to_numpy(dtype=float)).max(initial=0.0) > 1e-9:
        active.append("agents")
    if np.isfinite(aht_ratio) and abs(aht_ratio - 1.0) > 1e-9:
        active.append("aht")
    if iv["closed"].any():
        active.append("closure")
    hours = s.calendar.hours_of(date.weekday())
    lo = int(iv["minute"].min())
    hi = int(iv["minute"].max()) + s.demand.interval_min
    h = (minutes(hours.opens), minutes(hours.closes)) if hours is not None else (lo, hi)
    h = (min(h[0], lo), max(h[1], hi))
    base = s.model_dump(mode="json")
    scaled = _scaled(base, aht_ratio) if "aht" in active else base
    rows = []
    means: dict[frozenset[str], dict[str, float]] = {}
    for sub, (counts, agents) in _worlds(iv, active).items():
        cfg = scaled if "aht" in sub else base
        ks = []
        for r in range(replications):
            res = simulate(day_scenario(cfg, date, counts, agents, h, s.demand.interval_min, seed * 100_003 + r))
            k = sim_kpis(res.calls, s.targets.threshold_s)
            ks.append(k)
            rows.append({"date": date, "actual_factors": "+".join(f for f in FACTORS if f in sub) or "none", "replication": r, **k})
        means[sub] = {kk: float(np.nanmean([x[kk] for x in ks])) for kk in ks[0]}
    return means, pd.DataFrame(rows), active


def attribute_days(
    s: Scenario, missed: pd.DataFrame, piv: pd.DataFrame, fday: pd.DataFrame, pday: pd.DataFrame, targets: dict[str, float],
    step: int, replications: int, seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, list[str]]]:
    """The attribution table, the simulated runs and the words per missed day (see the module
    docstring)."""
    rows, runs = [], []
    words: dict[str, list[str]] = {}  # Phrase: English text that the face can translate
    for _i, d in missed.iterrows():
        date = pd.Timestamp(d["date"])
        iv = piv[piv["date"] == date].sort_values("minute").reset_index(drop=True)
        pd_row = pday[pday["date"] == date]
        if iv.empty or pd_row.empty:
            words[f"{date:%Y-%m-%d}"] = [Phrase(N_("Missed {kpis}, not attributed: the plan had the line closed that day."),
                                                kpis=Phrase.joined(", ", [Phrase(KPI_WORDS.get(k, k)) for k in d["missed"].split(", ")]))]
            continue
        p = pd_row.iloc[0]
        aht_ratio = float(p["aht_ratio"]) if np.isfinite(p["aht_ratio"]) else 1.0
        kpis = [k for k in d["missed"].split(", ") if k]
        means: dict[frozenset[str], dict[str, float]] = {}
        active: list[str] = []
        if any(k in ABOVE and k != "aht_s" for k in kpis):
            means, r, active = attribute_day(s, date, iv, aht_ratio, replications, seed + date.toordinal() % 10_000)
            runs.append(r)
        open_ = ~iv["closed"].to_numpy(dtype=bool)
        hours = step / 60.0
        ctx: dict[str, Any] = {  # the open intervals: a closure's hours are the closure's
            "actual": float(iv.loc[open_, "offered"].sum()),
            "forecast": float(iv.loc[open_, "forecast"].sum()),
            "h_eff": float(iv.loc[open_, "agents_eff"].sum() * hours),
            "h_plan": float(iv.loc[open_, "agents_plan"].sum() * hours),
            "aht": float(p["aht_actual_s"]),
            "aht_plan": float(p["aht_plan_s"]),
            "closed": [int(m) for m in iv.loc[iv["closed"], "minute"]],
            "step": step,
        }
        day_words: list[str] = []
        for k in kpis:
            obs = float(d[k])
            t = targets[k]
            row: dict[str, Any] = {"date": date, "kpi": k, "observed": obs, "target": t, "shortfall": shortfall(k, obs, t),
                                   "replications": replications}
            sign = -1.0 if ABOVE[k] else 1.0
            if k == "aht_s":
                aht_plan = float(ctx["aht_plan"])
                row.update(simulated_plan=aht_plan, simulated_actual=float(ctx["aht"]), plan_margin=aht_plan - t,
                           residual=0.0, factors="aht", **{f"share_{f}": 0.0 for f in FACTORS})
                row["share_aht"] = obs - aht_plan
            else:
                full = frozenset(active)
                v_plan, v_act = means[frozenset()][k], means[full][k]
                sh = shapley({sub: v[k] for sub, v in means.items()}, active)
                row.update(simulated_plan=v_plan, simulated_actual=v_act, plan_margin=shortfall(k, v_plan, t),
                           residual=sign * (obs - v_act), factors="+".join(active),
                           **{f"share_{f}": sign * sh.get(f, 0.0) for f in FACTORS})
            parts = {f: row[f"share_{f}"] for f in FACTORS} | {"plan": row["plan_margin"], "residual": row["residual"]}
            row["main_cause"] = max(parts, key=lambda x: parts[x])
            rows.append(row)
            day_words.append(sentence(row, ctx))
        words[f"{date:%Y-%m-%d}"] = day_words
    att = pd.DataFrame(rows, columns=COLUMNS)
    return att, (pd.concat(runs, ignore_index=True) if runs else pd.DataFrame()), words


def _windows(closed: list[int], step: int) -> str:
    if not closed:
        return ""
    spans, a, b = [], closed[0], closed[0]
    for m in closed[1:]:
        if m == b + step:
            b = m
        else:
            spans.append((a, b))
            a = b = m
    spans.append((a, b))
    return ", ".join(f"{hhmm(int(x))}–{hhmm(int(y + step))}" for x, y in spans)


def _pct(a: float, b: float) -> Num:
    return Num(a / b - 1 if b > 0 and np.isfinite(a) else math.nan, "%", 0, sign=True)


def _n(v: float, digits: int = 0) -> Num:
    return Num(float(v), "", digits)


def factor_label(f: str, ctx: dict[str, Any]) -> Phrase:
    """A factor in words, in the direction it went (volume above or below the forecast, …)."""
    up = {"volume": ctx["actual"] > ctx["forecast"], "agents": ctx["h_eff"] < ctx["h_plan"], "aht": ctx["aht"] > ctx["aht_plan"]}
    return Phrase(FACTOR_WORDS[f] if up.get(f, True) else FACTOR_WORDS_LOWER[f])


def factor_detail(f: str, ctx: dict[str, Any]) -> Phrase:
    """The numbers behind a factor, in words."""
    if f == "volume" and ctx["closed"]:
        return Phrase(N_("{actual} calls in the hours it was open against {forecast} forecast for them, {pct}, the callers the "
                         "closure displaced included"),
                      actual=_n(ctx["actual"]), forecast=_n(ctx["forecast"]), pct=_pct(ctx["actual"], ctx["forecast"]))
    if f == "volume":
        return Phrase(N_("{actual} calls against {forecast} forecast, {pct}"),
                      actual=_n(ctx["actual"]), forecast=_n(ctx["forecast"]), pct=_pct(ctx["actual"], ctx["forecast"]))
    if f == "agents" and ctx["closed"]:
        return Phrase(N_("{eff} effective agent-hours in the hours it was open against {plan} planned for them, {pct}"),
                      eff=_n(ctx["h_eff"], 1), plan=_n(ctx["h_plan"], 1), pct=_pct(ctx["h_eff"], ctx["h_plan"]))
    if f == "agents":
        return Phrase(N_("{eff} effective agent-hours against {plan} planned, {pct}"),
                      eff=_n(ctx["h_eff"], 1), plan=_n(ctx["h_plan"], 1), pct=_pct(ctx["h_eff"], ctx["h_plan"]))
    if f == "aht":
        return Phrase(N_("AHT {aht} against {plan} planned, {pct}"),
                      aht=Num(ctx["aht"], "s"), plan=Num(ctx["aht_plan"], "s"), pct=_pct(ctx["aht"], ctx["aht_plan"]))
    return Phrase(N_("closed {windows} without a plan for it"), windows=_windows(ctx["closed"], ctx["step"]))


def sentence(row: dict[str, Any], ctx: dict[str, Any]) -> Phrase:
    """One missed target of a day in words, every part with its number; the parts add up."""
    k = row["kpi"]

    def unit(v: float) -> Num:
        return _fmt(k, v, diff=True)

    head = Phrase(N_("{kpi} {observed} against the target {target}: missed by {short}."),
                  kpi=Phrase(KPI_TITLES[k]), observed=_fmt(k, row["observed"]), target=_target(k, row["target"]),
                  short=_fmt(k, row["shortfall"], diff=True, sign=False))
    if k == "aht_s":
        return Phrase.joined(" ", [head, Phrase(
            N_("The plan's handle time was {plan} ({margin} against the target); the day's was {diff} longer: "
               "the miss is the longer handle time ({detail})."),
            plan=_fmt(k, row["simulated_plan"]), margin=unit(row["plan_margin"]), diff=_fmt(k, row["share_aht"], diff=True, sign=False),
            detail=factor_detail("aht", ctx))])
    parts = []
    for f in FACTORS:
        if f not in row["factors"].split("+"):
            continue
        v = row[f"share_{f}"]
        parts.append(Phrase(N_("{factor} ({detail}): {share}"), factor=factor_label(f, ctx), detail=factor_detail(f, ctx), share=unit(v)))
    body = Phrase(N_("Re-simulated with each factor at the plan ({n} replications each, common random numbers, Shapley shares, in "
                     "shortfall: positive = towards the miss): {parts}; the plan itself (the day simulated at the plan: {plan}) {margin}; "
                     "chance and what the model does not reproduce (observed against the day simulated as it was: {actual}) {residual}."),
                  n=int(row["replications"]), parts=Phrase.joined("; ", parts), plan=_fmt(k, row["simulated_plan"]),
                  margin=unit(row["plan_margin"]), actual=_fmt(k, row["simulated_actual"]), residual=unit(row["residual"]))
    cause = row["main_cause"]
    main = Phrase(N_("Main cause: {cause}."), cause=factor_label(cause, ctx) if cause in FACTORS else Phrase(FACTOR_WORDS[cause]))
    return Phrase.joined(" ", [head, body, main])


__all__ = ["FACTORS", "attribute_day", "attribute_days", "sentence", "shapley", "shortfall"]

"""A synthetic history made by the project's own model, with documented true parameters.

It has the traits of real logs (docs/calibration.md): day-to-day overdispersion (a gamma
day factor), a yearly pattern (each month's volume scaled by ``1 + A cos(2 pi (m - 1) / 12)``,
busiest in January), lognormal talk and wrap times, a balking share (``patience.balk_share``: callers who hang
up at once when no agent is free), exponential patience for the others,
Swedish holidays, the 15:00 rule, planned closures and a few outlier days (a storm: double
demand). The staffing is a fixed weekday table (:data:`TRUE_STAFFING`), so the effective
staffing a calibration infers can be checked against it.

Writers turn the simulated call records into the two exports a planner gets: an interval
report (``,``-separated, ISO dates) and a per-call log in the style of a Swedish ACD
export (``;``-separated, decimal comma, UTC timestamps, IVR hang-ups, a few duplicates
and impossible rows), each with its column map.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.model.simulate import simulate
from sim.scenario.compose import load_scenario
from sim.schema import WEEKDAYS, Scenario, hhmm, minutes


@dataclass(frozen=True)
class Truth:
    """The true parameters of a synthetic history."""

    volume: float = 600.0
    weekday_factor: dict[str, float] = field(
        default_factory=lambda: {"mon": 1.20, "tue": 1.05, "wed": 1.00, "thu": 0.95, "fri": 0.85, "sat": 0.0, "sun": 0.0}
    )
    day_cv: float = 0.12
    yearly_amplitude: float = 0.15
    talk_mean: float = 240.0
    talk_cv: float = 0.8
    hold_mean: float = 20.0
    hold_cv: float = 2.0
    wrap_mean: float = 45.0
    wrap_cv: float = 0.6
    patience_mean: float = 300.0
    balk: float = 0.08
    staffing_delta: int = -1
    staffing_scale: float = 1.0
    exponential_handling: bool = False
    closures: tuple[tuple[str, str | None, str | None, str], ...] = (
        ("2025-03-12", None, None, "Utbildningsdag"),
        ("2026-03-11", None, None, "Utbildningsdag"),
        ("2025-10-08", "13:00", "17:00", "Personalmöte"),
    )
    storms: tuple[str, ...] = ("2025-01-15", "2026-02-04")
    storm_factor: float = 2.0
    displaced_share: float = 0.5
    aht_by_interval: tuple[tuple[str, float], ...] = ()
    """Handle time by time of day: ``(("HH:MM", factor), ...)`` as ``handling.by_interval``
    (talk, hold and wrap times the factor of the arrival interval); empty: none."""
    resolution: tuple[tuple[str, object], ...] = ()
    """Failure demand: ``resolution`` keys as ``(("fcr", 0.7), ("delay_days", {...}))``; empty:
    the default (off). A history with failure demand is simulated in one run (``yearly=False``),
    so unresolved customers come back across month ends."""

    @property
    def normalised_factors(self) -> dict[str, float]:
        """Weekday factors scaled to average 1 over the open weekdays (what calibration reports)."""
        open_f = [v for v in self.weekday_factor.values() if v > 0]
        m = sum(open_f) / len(open_f)
        return {k: v / m for k, v in self.weekday_factor.items()}

    @property
    def mean_handle_s(self) -> float:
        return self.talk_mean + self.hold_mean + self.wrap_mean


def true_staffing(truth: Truth) -> pd.DataFrame:
    """The weekday table the synthetic centre is staffed with: the default scenario's Erlang A
    plan (scenarios/data/staffing_fibra_erlang_a.csv) times ``staffing_scale`` plus
    ``staffing_delta`` agents (min 1)."""
    s = load_scenario("default")
    assert s.staffing.table is not None
    rows = []
    for w in WEEKDAYS:
        hours = s.calendar.hours[w]  # type: ignore[index]
        if hours is None:
            continue
        start = minutes(hours.opens)
        for i, n in enumerate(s.staffing.table.get(w, s.staffing.table.get("all", []))):  # type: ignore[call-overload]
            m = start + 30 * i
            rows.append((w, hhmm(m), max(1, round(n * truth.staffing_scale) + truth.staffing_delta)))
    return pd.DataFrame(rows, columns=["weekday", "interval_start", "agents"])


def scenario_for(truth: Truth, start: dt.date, end: dt.date, volume: float, seed: int, day_cv: float | None = None) -> Scenario:
    """The model scenario of one stretch of the synthetic history."""
    base = load_scenario("default").model_dump(mode="json")
    table = true_staffing(truth)
    base["staffing"] = {"mode": "table", "table": {w: g["agents"].tolist() for w, g in table.groupby("weekday")}}
    base["calendar"]["closures"] = [{"start": d, "from_time": f, "to_time": t, "reason": r} for d, f, t, r in truth.closures]
    base["demand"].update(
        volume=volume,
        weekday_factor=truth.weekday_factor,
        day_cv=truth.day_cv if day_cv is None else day_cv,
        displaced_share=truth.displaced_share,
    )
    if truth.exponential_handling:  # the M/M/n+M world of Erlang A: one exponential handle time
        base["handling"].update(
            talk={"dist": "exponential", "mean": truth.mean_handle_s},
            hold={"dist": "deterministic", "mean": 0.0},
            wrap={"dist": "deterministic", "mean": 0.0},
        )
    else:
        base["handling"].update(
            talk={"dist": "lognormal", "mean": truth.talk_mean, "cv": truth.talk_cv},
            hold={"dist": "gamma", "mean": truth.hold_mean, "cv": truth.hold_cv},
            wrap={"dist": "lognormal", "mean": truth.wrap_mean, "cv": truth.wrap_cv},
        )
    if truth.aht_by_interval:
        base["handling"]["by_interval"] = dict(truth.aht_by_interval)
    if truth.resolution:
        base["resolution"] = {**base["resolution"], **dict(truth.resolution)}
    base["patience"] = {"dist": "exponential", "mean": truth.patience_mean, "cv": None, "values": None, "balk_share": truth.balk}
    base["run"] = {"start": start.isoformat(), "end": end.isoformat(), "seed": seed}
    base["name"] = "synthetic_history"
    return Scenario.model_validate(base)


def _months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    out = []
    d = start
    while d <= end:
        nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        out.append((d, min(end, nxt - dt.timedelta(days=1))))
        d = nxt
    return out


def simulate_history(
    start: str | dt.date, end: str | dt.date, truth: Truth | None = None, seed: int = 1, yearly: bool = True
) -> pd.DataFrame:
    """Call records of the synthetic centre from ``start`` to ``end`` (one model run per month,
    the month's volume scaled by the yearly pattern; storm days re-run with exactly
    ``storm_factor`` times the expected demand: no day factor)."""
    truth = truth or Truth()
    start, end = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    months = _months(start, end)
    if truth.resolution:
        if yearly:
            raise ValueError("a history with failure demand (Truth.resolution) is simulated in one run: pass yearly=False")
        months = [(start, end)]
    parts = []
    for k, (a, b) in enumerate(months):
        f = 1 + truth.yearly_amplitude * math.cos(2 * math.pi * (a.month - 1) / 12) if yearly else 1.0
        calls = simulate(scenario_for(truth, a, b, truth.volume * f, seed * 1000 + k)).calls
        for storm in truth.storms:
            day = pd.Timestamp(storm)
            if a <= day.date() <= b:
                calls = calls[calls["arrival"].dt.normalize() != day]
                extra = simulate(
                    scenario_for(truth, day.date(), day.date(), truth.volume * f * truth.storm_factor, seed * 1000 + 500 + k, day_cv=0.0)
                ).calls
                calls = pd.concat([calls, extra.assign(customer_id=extra["customer_id"] + 10**9, call_id=extra["call_id"] + 10**9)])
        parts.append(calls.assign(customer_id=calls["customer_id"] + 10**10 * k, call_id=calls["call_id"] + 10**10 * k))
    out = pd.concat(parts, ignore_index=True).sort_values("arrival", kind="stable").reset_index(drop=True)
    # one call id per call and the customer's id its first call's, across the runs
    new_id = pd.Series(np.arange(len(out)), index=out["call_id"].to_numpy())
    first = out["customer_id"].map(new_id.groupby(level=0).first())
    out["call_id"] = np.arange(len(out))
    out["customer_id"] = first.fillna(out["call_id"]).astype(np.int64)  # a first call left out (a storm day's): its own
    return out


# --------------------------------------------------------------------------- exports


INTERVAL_MAP = {
    "kind": "intervals",
    "separator": ",",
    "threshold_s": 90,
    "columns": {
        "date": "Datum",
        "interval_start": "Intervall",
        "offered": "Erbjudna",
        "answered": "Besvarade",
        "abandoned": "Tappade",
        "answered_within": "Besvarade90",
        "asa_s": "MedelKotidBesvarade",
        "abandon_wait_s": "MedelKotidTappade",
        "aht_s": "MedelHanteringstid",
        "agents": "InloggadeAgenter",
    },
}
CALL_MAP = {
    "kind": "calls",
    "separator": ";",
    "decimal": ",",
    "datetime_format": "%Y-%m-%d %H:%M:%S",
    "source_timezone": "UTC",  # this synthetic ACD writes UTC (call_log); an export in local time leaves the key out
    "timezone": "Europe/Stockholm",
    "answered_values": ["ja"],
    "columns": {
        "call_id": "SamtalsID",
        "arrival": "Starttid",
        "queue_entry": "KoStart",
        "queue_exit": "KoSlut",
        "answered": "Besvarat",
        "talk_s": "Samtalstid",
        "hold_s": "Parkeringstid",
        "wrap_s": "Efterarbete",
        "agent": "Agent",
    },
}

CUSTOMER_MAP = {**CALL_MAP, "columns": {**CALL_MAP["columns"], "customer_id": "Kundnummer"}}  # type: ignore[dict-item]
"""The call map of a log written with ``call_log(..., customers=True)``."""


def interval_report(
    calls: pd.DataFrame, step: int = 30, threshold_s: float = 90.0, logged_in_extra: int = 3, truth: Truth | None = None
) -> pd.DataFrame:
    """The interval report an ACD would print for these calls (``agents``: logged in, which
    here is the true staffing plus ``logged_in_extra`` agents doing other work)."""
    ans = calls["answered_at"].notna()
    f = pd.DataFrame(
        {
            "period": calls["arrival"].dt.floor(f"{step}min"),
            "off": 1,
            "ans": ans.astype(int),
            "ab": (~ans).astype(int),
            "w90": (ans & (calls["wait_s"] <= threshold_s)).astype(int),
            "wa": calls["wait_s"].where(ans, 0.0),
            "wb": calls["wait_s"].where(~ans, 0.0),
            "h": calls["handle_s"].where(ans, 0.0),
        }
    )
    g = f.groupby("period").sum()
    out = pd.DataFrame(
        {
            "Datum": g.index.strftime("%Y-%m-%d"),
            "Intervall": g.index.strftime("%H:%M"),
            "Erbjudna": g["off"].to_numpy(),
            "Besvarade": g["ans"].to_numpy(),
            "Tappade": g["ab"].to_numpy(),
            "Besvarade90": g["w90"].to_numpy(),
            "MedelKotidBesvarade": (g["wa"] / g["ans"].where(g["ans"] > 0)).round(1).fillna(0).to_numpy(),
            "MedelKotidTappade": (g["wb"] / g["ab"].where(g["ab"] > 0)).round(1).fillna(0).to_numpy(),
            "MedelHanteringstid": (g["h"] / g["ans"].where(g["ans"] > 0)).round(1).fillna(0).to_numpy(),
        }
    )
    st = true_staffing(truth or Truth()).set_index(["weekday", "interval_start"])["agents"]
    wd = g.index.day_of_week.map(dict(enumerate(WEEKDAYS)))
    out["InloggadeAgenter"] = [int(st.get((w, i), 0)) + logged_in_extra for w, i in zip(wd, out["Intervall"], strict=True)]
    return out


def call_log(
    calls: pd.DataFrame, seed: int = 7, ivr_share: float = 0.04, duplicates: int = 25, impossible: int = 12, customers: bool = False
) -> pd.DataFrame:
    """A per-call ACD export of these calls: UTC times, decimal commas, IVR hang-ups (no queue
    entry), ``duplicates`` repeated rows and ``impossible`` rows (negative talk time);
    ``customers``: a ``Kundnummer`` column (the customer id, see :data:`CUSTOMER_MAP`)."""
    rng = np.random.default_rng(seed)
    n = len(calls)
    ans = calls["answered_at"].notna().to_numpy()
    entry = calls["arrival"]
    ivr_time = pd.to_timedelta(rng.uniform(10, 40, n), unit="s")
    left = entry + pd.to_timedelta(calls["wait_s"].to_numpy(), unit="s")

    def utc(t: pd.Series) -> pd.Series:
        return t.dt.tz_localize("Europe/Stockholm").dt.tz_convert("UTC").dt.strftime("%Y-%m-%d %H:%M:%S")

    def sec(x: pd.Series) -> pd.Series:
        return x.round(1).map(lambda v: "" if pd.isna(v) else f"{v:.1f}".replace(".", ","))

    log = pd.DataFrame(
        {
            "SamtalsID": [f"C{i:07d}" for i in calls["call_id"]],
            "Starttid": utc(entry - ivr_time),
            "KoStart": utc(entry),
            "KoSlut": utc(left),
            "Besvarat": np.where(ans, "ja", "nej"),
            "Samtalstid": sec(calls["talk_s"]),
            "Parkeringstid": sec(calls["hold_s"]),
            "Efterarbete": sec(calls["wrap_s"]),
            "Agent": calls["agent"].astype("string").fillna(""),
        }
    )
    if customers:
        log["Kundnummer"] = [f"K{i:08d}" for i in calls["customer_id"]]
    k = int(round(ivr_share * n))
    pick = rng.choice(n, k, replace=False)
    ivr = log.iloc[pick].copy()
    ivr["SamtalsID"] = [f"I{i:07d}" for i in range(k)]
    ivr[["KoStart", "KoSlut", "Samtalstid", "Parkeringstid", "Efterarbete", "Agent"]] = ""
    ivr["Besvarat"] = "nej"
    dup = log.iloc[rng.choice(n, duplicates, replace=False)]
    bad = log[ans].iloc[rng.choice(int(ans.sum()), impossible, replace=False)].copy()
    bad["SamtalsID"] = [f"X{i:07d}" for i in range(impossible)]
    bad["Samtalstid"] = "-12,0"
    out = pd.concat([log, ivr, dup, bad]).sort_values("Starttid", kind="stable").reset_index(drop=True)
    return out


def write_example(
    out_dir: str | Path,
    seed: int = 1,
    years: tuple[str, str] = ("2024-12-01", "2026-11-30"),
    log_months: tuple[str, str] = ("2026-09-01", "2026-11-30"),
) -> dict[str, Path]:
    """Write the example history: a two-year interval report and a three-month call log, each
    with its column map, plus ``truth.yaml`` (the parameters) and the true staffing table."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    truth = Truth()
    calls = simulate_history(*years, truth=truth, seed=seed)
    paths = {
        "intervals": out / "interval_report.csv",
        "interval_map": out / "interval_map.yaml",
        "calls": out / "call_log.csv",
        "call_map": out / "call_map.yaml",
        "truth": out / "truth.yaml",
        "staffing": out / "true_staffing.csv",
    }
    interval_report(calls, truth=truth).to_csv(paths["intervals"], index=False)
    recent = calls[calls["arrival"] >= pd.Timestamp(log_months[0])]
    call_log(recent, seed=seed).to_csv(paths["calls"], sep=";", index=False)
    paths["interval_map"].write_text(yaml.safe_dump(INTERVAL_MAP, sort_keys=False, allow_unicode=True), encoding="utf-8")
    paths["call_map"].write_text(yaml.safe_dump(CALL_MAP, sort_keys=False, allow_unicode=True), encoding="utf-8")
    t = {k: v for k, v in truth.__dict__.items()}
    t["closures"] = [list(c) for c in truth.closures]
    t["storms"] = list(truth.storms)
    t["aht_by_interval"] = [list(x) for x in truth.aht_by_interval]
    paths["truth"].write_text(yaml.safe_dump(t, sort_keys=False, allow_unicode=True), encoding="utf-8")
    true_staffing(truth).to_csv(paths["staffing"], index=False)
    return paths

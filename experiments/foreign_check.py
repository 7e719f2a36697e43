"""Does the calibration reproduce a history it did not make? (issue 20, "robustness beyond the
model's own data").

Calibrates each export of a Ciw history (``experiments/foreign_history.py``) with
:func:`sim.history.calibration.calibrate`, then simulates the calibrated model over the check days
(the last ``--check-weeks`` weeks, outage days left out of the comparison) -- each day with its
observed calls per interval, ``--replications`` times -- and compares per hour of day the
observed and the model's abandonment share, service level (answered within 90 s / offered) and
mean wait of all callers.

Two models are checked: ``scenario`` -- the calibrated scenario as every command uses it (its
weekday staffing table, handle time and patience); ``effective`` -- each date with its own
fitted staffing, as the calibration's back-test does; and, as a diagnosis, ``true_staffing`` --
the calibrated handle time and patience with the true time-average agents rounded to whole
agents (what is left when the staffing is right); ``true_inputs`` -- also the true handle time
(one lognormal, the history's mean, CV 1.2) and the true Weibull patience and baulking share:
what is left is what the model cannot take (handle time by hour of day, agents in fractions,
agents finishing their call before a break).

Relative error = model / observed - 1 per hour, pooled over the check days as a ratio of
totals (the model's share on each day applied to that day's observed calls) with a 95 % CI
from the day-to-day spread of the paired differences (delta method). Per hour and KPI the
verdict is *within* when the whole CI lies inside the tolerance (abandonment +-10 %, service
level +-15 %), *OFF* when the whole CI lies outside it (the data show a miss beyond the
tolerance), *undecided* otherwise. The check passes when no busy hour (at least half the
calls of the busiest hour) is OFF. (A stricter rule -- the point estimate within the tolerance
wherever the CI half-width is at most half of it -- judges no hour's abandonment on weeks of
data: the per-hour abandonment of a day varies far more than binomially, so its CI is +-10 to
25 % relative over 8 weeks of 3 000 calls a day.)

    python experiments/foreign_check.py --history outputs/foreign [--exports calls,intervals_30,intervals_60]
        [--check-weeks 4] [--replications 4] [--variants scenario,effective,true_staffing] [--out DIR]

The history is written first when ``--history`` does not exist (``--weeks``, ``--seed``).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from foreign_history import write_history  # noqa: E402

from sim.errors import ScenarioError  # noqa: E402
from sim.history.backtest import day_scenario  # noqa: E402
from sim.history.calibration import Calibration, calibrate  # noqa: E402
from sim.model.simulate import simulate  # noqa: E402
from sim.schema import WEEKDAYS, minutes  # noqa: E402

TOL = {"abandon": 0.10, "service_level": 0.15}
"""Relative tolerances of issue 20."""
Z95 = 1.959963984540054
EXPORTS = {
    "calls": ("calls", "call_log.csv", "call_map.yaml"),
    "intervals_30": ("intervals", "interval_report_30.csv", "interval_map.yaml"),
    "intervals_60": ("intervals", "interval_report_60.csv", "interval_map.yaml"),
}


@dataclass
class Check:
    """One export's calibration and its per-hour comparison per model variant."""

    export: str
    calibration: Calibration | None
    error: str | None
    hourly: dict[str, pd.DataFrame]
    seconds: float


def calibrate_export(history: Path, export: str, scenarios: Path, **kw: Any) -> Calibration:
    """Calibrate one export of the history (``kw`` goes to :func:`calibrate`)."""
    kind, data, cmap = EXPORTS[export]
    return calibrate(history / data, kind, history / cmap, name=f"foreign_{export}", scenarios=scenarios, **kw)  # type: ignore[arg-type]


def check_dates(history: Path, weeks: int) -> list[pd.Timestamp]:
    """The open days of the last ``weeks`` weeks of the history, outage days left out."""
    truth = yaml.safe_load((history / "truth.yaml").read_text(encoding="utf-8"))
    days = pd.read_csv(history / "true_days.csv", parse_dates=["date"])
    out = {pd.Timestamp(o[0]) for o in truth["outages"]}
    last = days["date"].max()
    keep = days["date"] > last - pd.Timedelta(days=7 * weeks)
    return [d for d in days.loc[keep, "date"] if d not in out]


def true_agents(history: Path, step: int) -> pd.DataFrame:
    """The true time-average agents per date and minute of the day."""
    t = pd.read_csv(history / f"true_staffing_{step}.csv", parse_dates=["date"])
    clock = t["interval_start"].str.split(":", expand=True).astype(int)
    return t.assign(minute=clock[0] * 60 + clock[1])


def _agents(c: Calibration, variant: str, date: pd.Timestamp, step: int, truth: pd.DataFrame | None) -> pd.Series:
    if variant == "effective":
        per = c.staffing.per_interval
        return per[per["date"] == date].set_index("minute")["agents_eff"]
    if variant in ("true_staffing", "true_inputs"):
        assert truth is not None
        t = truth[truth["date"] == date]
        return pd.Series(np.round(t["agents"].to_numpy()).astype(int), index=t["minute"].to_numpy())
    w = WEEKDAYS[date.weekday()]
    table = c.scenario.staffing.table or {}
    row = table.get(w, table.get("all", []))
    h = c.scenario.calendar.hours_of(date.weekday())
    assert h is not None
    return pd.Series(list(row), index=[minutes(h.opens) + step * i for i in range(len(row))])


def true_inputs(history: Path) -> dict[str, Any]:
    """Handle time and patience of the truth as far as the model can take them: one lognormal
    handle time (the history's mean, CV 1.2; no hour-of-day variation), the Weibull patience as
    400 quantiles and the baulking share."""
    truth = yaml.safe_load((history / "truth.yaml").read_text(encoding="utf-8"))
    aht = pd.read_csv(history / "true_aht_by_hour.csv")
    mean = float((aht["aht_realised_s"] * aht["answered"]).sum() / aht["answered"].sum())
    k = float(truth["patience_shape"])
    scale = float(truth["patience_mean_s"]) / math.gamma(1 + 1 / k)
    q = (np.arange(400) + 0.5) / 400
    zero = {"dist": "deterministic", "mean": 0.0, "cv": None, "values": None}
    return {
        "handling": {
            "talk": {"dist": "lognormal", "mean": round(mean, 2), "cv": truth["handle_cv"], "values": None},
            "hold": zero,
            "wrap": zero,
        },
        "patience": {
            "dist": "empirical",
            "mean": None,
            "cv": None,
            "values": [round(float(v), 2) for v in scale * (-np.log1p(-q)) ** (1 / k)],
            "balk_share": truth["balk_share"],
        },
    }


def per_day_hour(
    c: Calibration,
    dates: list[pd.Timestamp],
    variant: str,
    replications: int,
    seed: int,
    truth: pd.DataFrame | None,
    overrides: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Observed and model counts per date and hour: offered, abandoned, within, wait (sums;
    the model's are the means over replications); ``overrides`` replace top-level sections of
    the calibrated scenario (handling, patience) in the ``true_inputs`` variant."""
    cfg = c.scenario.model_dump(mode="json")
    for k, v in (overrides or {}).items():
        cfg[k] = {**cfg[k], **v}
    step = c.scenario.demand.interval_min
    thr = c.scenario.targets.threshold_s
    rows = []
    for i, date in enumerate(dates):
        hours = c.scenario.calendar.hours_of(date.weekday())
        if hours is None:
            continue
        h = (minutes(hours.opens), minutes(hours.closes))
        day = c.table[c.table["date"] == date]
        obs = day.assign(hour=day["minute"] // 60).groupby("hour")[["offered", "abandoned", "within", "wait_all_s"]].sum()
        agents = _agents(c, variant, date, step, truth)
        sims = []
        for r in range(replications):
            calls = simulate(
                day_scenario(cfg, date, day.set_index("minute")["offered"], agents, h, step, seed * 100_000 + i * 100 + r)
            ).calls
            ans = calls["answered_at"].notna()
            sims.append(
                pd.DataFrame(
                    {
                        "hour": calls["arrival"].dt.hour,
                        "offered": 1.0,
                        "abandoned": (~ans).astype(float),
                        "within": (ans & (calls["wait_s"] <= thr)).astype(float),
                        "wait_all_s": calls["wait_s"],
                    }
                )
                .groupby("hour")
                .sum()
            )
        sim = pd.concat(sims).groupby(level=0).sum() / replications
        both = obs.join(sim.add_suffix("_model"), how="outer").fillna(0.0)
        rows.append(both.reset_index().assign(date=date))
    return pd.concat(rows, ignore_index=True)


def _ratio(obs_num: np.ndarray, obs_den: np.ndarray, mod_num: np.ndarray, mod_den: np.ndarray) -> tuple[float, float]:
    """Model / observed ratio of totals with the model's per-day rate applied to the observed
    denominators; returns (relative error, 95 % half-width) by the delta method over days."""
    rate = np.divide(mod_num, mod_den, out=np.zeros_like(mod_num), where=mod_den > 0)
    m = rate * obs_den
    so = obs_num.sum()
    if so <= 0:
        return math.nan, math.nan
    r = m.sum() / so
    n = len(m)
    e = m - r * obs_num
    se = math.sqrt(n / max(n - 1, 1) * float((e**2).sum())) / so
    return r - 1.0, Z95 * se


def hourly(pdh: pd.DataFrame) -> pd.DataFrame:
    """Per hour: observed vs model abandonment, service level and mean wait, relative errors with
    CIs, judged and pass flags (see the module docstring)."""
    out = []
    for hour, g in pdh.groupby("hour"):
        o, mo = g["offered"].to_numpy(), g["offered_model"].to_numpy()
        row: dict[str, Any] = {"hour": int(hour), "offered_per_day": float(o.mean()), "days": len(g)}
        for key, col in (("abandon", "abandoned"), ("service_level", "within"), ("wait", "wait_all_s")):
            row[f"obs_{key}"] = float(g[col].sum() / o.sum()) if o.sum() else math.nan
            row[f"model_{key}"] = float(g[f"{col}_model"].sum() / mo.sum()) if mo.sum() else math.nan
            rel, half = _ratio(g[col].to_numpy(), o, g[f"{col}_model"].to_numpy(), mo)
            row[f"rel_{key}"], row[f"half_{key}"] = rel, half
            if key in TOL:
                row[f"status_{key}"] = status(rel, half, TOL[key])
        out.append(row)
    h = pd.DataFrame(out)
    h["busy"] = h["offered_per_day"] >= 0.5 * h["offered_per_day"].max()
    return h


def status(rel: float, half: float, tol: float) -> str:
    """within: the 95 % CI inside +-tol; OFF: the CI outside it; undecided: otherwise."""
    if not (np.isfinite(rel) and np.isfinite(half)):
        return "undecided"
    if abs(rel) + half <= tol:
        return "within"
    if abs(rel) - half > tol:
        return "OFF"
    return "undecided"


def render(h: pd.DataFrame, title: str) -> str:
    """The per-hour table as text."""
    lines = [
        title,
        f"{'hour':>4} {'calls/d':>7} | {'ab obs':>6} {'model':>6} {'rel (95% CI)':>17} {'':6} | "
        f"{'SL obs':>6} {'model':>6} {'rel (95% CI)':>17} {'':6} | {'wait obs':>8} {'model':>6} {'rel':>6}",
    ]

    def verdict(r: pd.Series, k: str) -> str:
        return {"within": "within", "OFF": "OFF", "undecided": "undec."}[r[f"status_{k}"]]

    for _, r in h.iterrows():
        lines.append(
            f"{r['hour']:>4} {r['offered_per_day']:>7.0f} | {100 * r['obs_abandon']:>5.1f}% {100 * r['model_abandon']:>5.1f}% "
            f"{100 * r['rel_abandon']:>+6.1f}% ±{100 * r['half_abandon']:>5.1f}%   {verdict(r, 'abandon'):>6} | "
            f"{100 * r['obs_service_level']:>5.1f}% {100 * r['model_service_level']:>5.1f}% "
            f"{100 * r['rel_service_level']:>+6.1f}% ±{100 * r['half_service_level']:>5.1f}%   {verdict(r, 'service_level'):>6} | "
            f"{r['obs_wait']:>7.1f}s {r['model_wait']:>5.1f}s {100 * r['rel_wait']:>+5.0f}%"
        )
    b = h[h["busy"]]
    counts = {k: b[f"status_{k}"].value_counts().to_dict() for k in TOL}
    lines.append(
        f"busy hours {len(b)}: abandonment {counts['abandon']}, service level {counts['service_level']}; "
        f"verdict: {'PASS' if passed(h) else 'FAIL'} (no busy hour OFF)"
    )
    lines.append(
        "busy hours beyond the tolerance by more than one SE: "
        + "; ".join(f"{k} {beyond_tolerance(h, k) or 'none'}" for k in TOL)
    )
    return "\n".join(lines)


def beyond_tolerance(h: pd.DataFrame, kpi: str) -> list[int]:
    """The busy hours whose point estimate misses the tolerance by more than one standard error of
    the comparison (the CI half-width / 1.96: the day-to-day noise of the observed hour): the
    issue's "within 10 % (15 %)" judged hour by hour, with the allowance the data's noise needs."""
    b = h[h["busy"]]
    over = b[f"rel_{kpi}"].abs() > TOL[kpi] + b[f"half_{kpi}"] / Z95
    return [int(x) for x in b.loc[over, "hour"]]


def passed(h: pd.DataFrame) -> bool:
    """No busy hour whose CI lies outside the tolerance, for abandonment and service level."""
    b = h[h["busy"]]
    return bool(len(b)) and not any((b[f"status_{k}"] == "OFF").any() for k in TOL)


def causes(c: Calibration, history: Path, dates: list[pd.Timestamp]) -> str:
    """Calibrated vs true inputs: agents per hour (weekday table and per-date effective vs the
    true time-average), handle time by hour, handle CV, patience, balking."""
    step = c.scenario.demand.interval_min
    truth = yaml.safe_load((history / "truth.yaml").read_text(encoding="utf-8"))
    t = true_agents(history, step)
    t = t[t["date"].isin(dates)]
    lines = []
    per = c.staffing.per_interval
    rows = []
    for d in dates:
        tab = _agents(c, "scenario", d, step, None)
        eff = per[per["date"] == d].set_index("minute")["agents_eff"]
        tr = t[t["date"] == d].set_index("minute")["agents"]
        rows.append(
            pd.DataFrame({"true": tr, "table": tab.reindex(tr.index), "effective": eff.reindex(tr.index)}).assign(hour=tr.index // 60)
        )
    a = pd.concat(rows)
    g = a.groupby("hour").mean()
    lines.append("agents per interval, mean over the check days (true time-average / scenario table / per-date effective):")
    lines.append("  " + "  ".join(f"{h}h {r['true']:.1f}/{r['table']:.1f}/{r['effective']:.1f}" for h, r in g.iterrows()))
    lines.append(
        f"  agent-hours a day: true {a['true'].sum() * step / 60 / len(dates):.1f}, table {a['table'].sum() * step / 60 / len(dates):.1f}, "
        f"effective {a['effective'].sum() * step / 60 / len(dates):.1f}"
    )
    aht = pd.read_csv(history / "true_aht_by_hour.csv")
    hd = c.scenario.handling
    mean = hd.mean_handle_s
    parts = [getattr(hd, p) for p in ("talk", "hold", "wrap")]
    sd = math.sqrt(sum((p.mean_value * (p.cv or 0.0)) ** 2 for p in parts if p.dist != "empirical"))
    lines.append(
        f"handle time: model one mean {mean:.0f} s for every hour (CV of the sum, parts independent, ≈ {sd / mean:.2f}; "
        f"true CV {truth['handle_cv']}); true by hour: " + ", ".join(f"{int(r.hour)}h {r.aht_realised_s:.0f}" for r in aht.itertuples())
    )
    p = c.scenario.patience
    pm = float(np.mean(p.values)) if p.values else p.mean
    lines.append(
        f"patience: model {p.dist} mean {pm:.0f} s (non-balkers), balk_share {p.balk_share}; true Weibull shape "
        f"{truth['patience_shape']} mean {truth['patience_mean_s']:.0f} s, balk share {truth['balk_share']} (no agent free)"
    )
    return "\n".join(lines)


def run_check(
    history: Path,
    exports: list[str],
    variants: list[str],
    check_weeks: int = 4,
    replications: int = 4,
    seed: int = 11,
    out: Path | None = None,
    **calibrate_kw: Any,
) -> list[Check]:
    """Calibrate every export and compare per hour (see the module docstring)."""
    dates = check_dates(history, check_weeks)
    results = []
    with tempfile.TemporaryDirectory() as scen:
        for e in exports:
            t0 = time.perf_counter()
            try:
                c = calibrate_export(history, e, Path(scen), out=(out / e) if out else None, **calibrate_kw)
            except ScenarioError as exc:
                results.append(Check(e, None, str(exc), {}, time.perf_counter() - t0))
                continue
            step = c.scenario.demand.interval_min
            truth = true_agents(history, step)
            over = true_inputs(history)
            hs = {v: hourly(per_day_hour(c, dates, v, replications, seed, truth, over if v == "true_inputs" else None)) for v in variants}
            if out:
                for v, h in hs.items():
                    h.to_csv(out / e / f"hourly_{v}.csv", index=False)
            results.append(Check(e, c, None, hs, time.perf_counter() - t0))
    return results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--history", type=Path, default=Path("outputs/foreign"))
    p.add_argument("--weeks", type=int, default=8, help="weeks of history to write when --history does not exist")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--exports", default="calls,intervals_30,intervals_60")
    p.add_argument("--variants", default="scenario,effective,true_staffing")
    p.add_argument("--check-weeks", type=int, default=4)
    p.add_argument("--replications", type=int, default=4)
    p.add_argument("--backtest-days", type=int, default=0, help="the calibration's own back-test (0: skipped; this script checks)")
    p.add_argument("--out", type=Path, default=None, help="folder for the calibration tables and the hourly CSVs")
    args = p.parse_args(argv)
    exports = [e.strip() for e in args.exports.split(",") if e.strip()]
    bad = [e for e in exports if e not in EXPORTS]
    if bad:
        print(f"error: --exports: unknown {', '.join(bad)}; allowed: {', '.join(EXPORTS)}", file=sys.stderr)
        return 2
    if not (args.history / "truth.yaml").exists():
        print(f"writing the history to {args.history} ({args.weeks} weeks, seed {args.seed}) ...")
        write_history(args.history, args.weeks, args.seed)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    res = run_check(args.history, exports, variants, args.check_weeks, args.replications, out=args.out, backtest_days=args.backtest_days)
    ok = True
    for r in res:
        print(f"\n=== {r.export} ({r.seconds:.0f} s)")
        if r.calibration is None:
            print(f"calibration failed: {r.error}")
            ok = False
            continue
        print(causes(r.calibration, args.history, check_dates(args.history, args.check_weeks)))
        for v, h in r.hourly.items():
            print()
            print(
                render(h, f"[{r.export}] model = {v}: per hour over the check days (last {args.check_weeks} weeks, outage days left out)")
            )
            if v == "scenario":
                ok &= passed(h)
    if "scenario" in variants:
        print(f"\noverall (scenario model, every export): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

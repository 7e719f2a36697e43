"""Handle time by time of day and the report's handle-time CV (sim.history.aht)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.errors import ScenarioError
from sim.history.aht import handle_cv, handling_with_cv
from sim.history.calibration import Calibration, calibrate
from sim.history.synthetic import CALL_MAP, INTERVAL_MAP, Truth, call_log, interval_report, simulate_history
from sim.schema import hhmm

PROFILE = (("08:00", 0.8), ("10:00", 1.0), ("12:00", 1.2), ("14:00", 1.4), ("16:00", 1.0))
"""True factors by hour of the day (each holds until the next listed time)."""
TRUTH = Truth(storms=(), closures=(), aht_by_interval=PROFILE, staffing_delta=1)
START, END = "2026-09-07", "2026-10-30"


def _true_aht(minute: int) -> float:
    f = 1.0
    for t, v in PROFILE:
        if int(t[:2]) * 60 + int(t[3:]) <= minute:
            f = v
    return f * TRUTH.mean_handle_s


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return simulate_history(START, END, TRUTH, seed=5, yearly=False)


def _calibrate(calls: pd.DataFrame, kind: str, out: Path, **kw: object) -> Calibration:
    if kind == "calls":
        call_log(calls, seed=5).to_csv(out / "log.csv", sep=";", index=False)
        cmap = CALL_MAP
    else:
        interval_report(calls, truth=TRUTH).to_csv(out / "log.csv", index=False)
        cmap = INTERVAL_MAP
    (out / "map.yaml").write_text(yaml.safe_dump({**cmap, **kw.pop("map_extra", {})}, allow_unicode=True), encoding="utf-8")  # type: ignore[dict-item]
    return calibrate(out / "log.csv", kind, out / "map.yaml", name=f"aht_{kind}", scenarios=out / "sc", backtest_days=0,
                     refine_days=0, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def from_log(history: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Calibration:
    return _calibrate(history, "calls", tmp_path_factory.mktemp("log"), sensitivity_days=0)


@pytest.fixture(scope="module")
def from_report(history: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Calibration:
    return _calibrate(history, "intervals", tmp_path_factory.mktemp("rep"), sensitivity_days=5)


def _check_recovered(c: Calibration) -> None:
    """Every interval's pooled AHT against the truth: at most 2 of the 18 outside their 95 %
    CIs (binomial(18, 0.05) exceeds 2 with probability 6 %), and the scenario's (shrunk)
    per-interval AHT within 4 SE of the truth everywhere."""
    p = c.aht_profile
    assert p is not None and not p.flat and p.p_equal < 1e-6
    t = p.table
    true = np.array([_true_aht(int(m)) for m in t["minute"]])
    assert len(t) == 18
    outside = ~((t["ci_low"] <= true) & (true <= t["ci_high"]))
    assert outside.sum() <= 2, t.assign(true=true)
    by = c.scenario.handling.by_interval
    assert by is not None
    model = np.array([c.scenario.handling.mean_handle_s * c.scenario.handling.factor_at(int(m)) for m in t["minute"]])
    assert (np.abs(model - true) < 4 * t["se"]).all(), pd.DataFrame({"model": model, "true": true, "se": t["se"]})
    # the factors average 1 over the answered calls: the overall AHT is the data's
    assert math.isclose(float((t["factor"] * t["answered"]).sum() / t["answered"].sum()), 1.0, rel_tol=1e-9)
    assert {hhmm(k) for k in by} == {hhmm(int(m)) for m in t["minute"]}


def test_log_recovers_the_by_hour_profile(from_log: Calibration) -> None:
    _check_recovered(from_log)
    # the parts are fitted within an interval: the talk CV is the truth's, not the profile-inflated one
    talk = from_log.handling["talk_s"]  # type: ignore[index]
    assert talk.cv.low <= TRUTH.talk_cv <= talk.cv.high, talk.cv
    assert from_log.cv_sensitivity is None and not from_log.aht_cv_assumed


def test_report_recovers_the_by_hour_profile(from_report: Calibration) -> None:
    _check_recovered(from_report)
    assert from_report.aht_cv_assumed and math.isclose(from_report.aht_cv or 0, 0.649, abs_tol=0.01)


def test_sensitivity_line_is_in_the_report(from_report: Calibration) -> None:
    from sim.faces.calibrate import sensitivity_line

    s = from_report.cv_sensitivity
    assert s is not None and list(s["cv"]) == [0.65, 0.8, 1.2] and (s["days"] == 5).all()
    assert s["observed_abandon_share"].nunique() == 1 and s["calls"].nunique() == 1
    line = sensitivity_line(from_report)
    assert line is not None and "assumed 0.65" in line and "CV 0.65, 0.8, 1.2" in line and "observed" in line
    assert "CV 1.2 against 0.8 (paired runs): abandonment" in line


def test_sensitivity_moves_the_right_way() -> None:
    """A larger handle-time CV at the same mean (same staffing, same random numbers) means more
    waiting: more abandonment and a lower service level. A small team near its capacity (5
    agents, 50 calls an hour, patient callers), where the spread matters; the difference held
    for each of the seeds 0-3 with 8 replications (abandonment +0.3 to +0.6 pp, 2-3.6 SE)."""
    from sim.history.aht import cv_sensitivity
    from sim.scenario.compose import load_scenario

    s = load_scenario("default", ["patience.mean=900"])
    dates = list(pd.date_range("2026-11-02", "2026-11-06"))
    mins = range(8 * 60, 17 * 60, 30)
    cols = ["date", "minute", "offered", "abandoned", "within"]
    table = pd.DataFrame([(d, m, 25.0, 2.0, 20.0) for d in dates for m in mins], columns=cols)
    st = pd.DataFrame([(d, m, 5) for d in dates for m in mins], columns=["date", "minute", "agents_eff"])
    r = cv_sensitivity(s, table, st, dates, (0.8, 1.2), replications=8, seed=0)
    lo, hi = r.iloc[0], r.iloc[1]
    assert hi["abandon_share"] > lo["abandon_share"] and hi["service_level"] < lo["service_level"], r
    # paired over the 40 day-replication runs: the abandonment difference is significant
    assert hi["abandon_diff"] > 1.96 * hi["abandon_diff_se"] and hi["service_level_diff"] < 0, r
    assert math.isclose(lo["observed_abandon_share"], 0.08) and math.isclose(lo["observed_service_level"], 0.8)


def test_flat_truth_gives_no_profile(tmp_path: Path) -> None:
    calls = simulate_history("2026-09-07", "2026-10-02", Truth(storms=(), closures=()), seed=4, yearly=False)
    c = _calibrate(calls, "calls", tmp_path, sensitivity_days=0)
    assert c.aht_profile is not None and c.aht_profile.flat and c.aht_profile.p_equal > 0.01
    assert (c.aht_profile.table["factor"] == 1.0).all()
    assert "by_interval" not in c.delta["handling"] and c.scenario.handling.by_interval is None


def test_report_aht_cv_option_sets_the_whole_handle_times_cv(history: pd.DataFrame, tmp_path: Path) -> None:
    c = _calibrate(history[history["arrival"] < pd.Timestamp("2026-09-26")], "intervals", tmp_path, sensitivity_days=0,
                   map_extra={"aht_cv": 1.2})
    parts = {n: getattr(c.scenario.handling, n).model_dump() for n in ("talk", "hold", "wrap")}
    assert math.isclose(handle_cv(parts), 1.2, rel_tol=1e-3)
    assert not c.aht_cv_assumed and any("aht_cv" in n for n in c.notes)
    c2 = _calibrate(history[history["arrival"] < pd.Timestamp("2026-09-26")], "intervals", tmp_path, sensitivity_days=0,
                    map_extra={"aht_cv": 1.2}, aht_cv=0.9)
    parts = {n: getattr(c2.scenario.handling, n).model_dump() for n in ("talk", "hold", "wrap")}
    assert math.isclose(handle_cv(parts), 0.9, rel_tol=1e-3)  # the option overrides the column map


def test_handling_with_cv_keeps_the_means_and_refuses_the_impossible() -> None:
    parts = {
        "talk": {"dist": "lognormal", "mean": 240.0, "cv": 0.8, "values": None},
        "hold": {"dist": "exponential", "mean": 20.0, "cv": None, "values": None},
        "wrap": {"dist": "gamma", "mean": 45.0, "cv": 0.6, "values": None},
    }
    out = handling_with_cv(parts, 1.2)
    assert math.isclose(handle_cv(out), 1.2, rel_tol=1e-3)
    assert [out[p]["mean"] for p in parts] == [240.0, 20.0, 45.0] and out["hold"] == parts["hold"]
    with pytest.raises(ScenarioError, match="aht_cv: a handle-time CV of 0.01 cannot be reached"):
        handling_with_cv(parts, 0.01)


@pytest.mark.parametrize("bad", [0, -1, "x", 25])
def test_bad_aht_cv_in_the_column_map_names_the_key(bad: object, tmp_path: Path) -> None:
    from sim.history.columns import load_map

    f = tmp_path / "map.yaml"
    f.write_text(yaml.safe_dump({**INTERVAL_MAP, "aht_cv": bad}), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"aht_cv \(the handle time's CV\) must be a number > 0 and <= 20"):
        load_map(f, "intervals")


def test_command_prints_the_spread_and_writes_the_profile(history: pd.DataFrame, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    from sim.calibrate import main
    from sim.scenario.compose import load_scenario, scenarios_dir

    scen = tmp_path / "scenarios"
    shutil.copytree(scenarios_dir(), scen)
    rep, cmap = tmp_path / "rep.csv", tmp_path / "map.yaml"
    interval_report(history[history["arrival"] < pd.Timestamp("2026-10-03")], truth=TRUTH).to_csv(rep, index=False)
    cmap.write_text(yaml.safe_dump(INTERVAL_MAP, allow_unicode=True), encoding="utf-8")
    args = [str(rep), "--kind", "intervals", "--columns", str(cmap), "--out", str(tmp_path / "out"), "--name", "aht_cli",
            "--scenarios", str(scen), "--backtest-days", "0", "--refine-days", "0", "--sensitivity-days", "2"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "Handle-time spread: handle-time CV assumed 0.65; the last 2 regular days simulated at CV 0.65, 0.8, 1.2" in text
    html = (tmp_path / "out" / "calibration_report.html").read_text(encoding="utf-8")
    assert "Handle time by time of day" in html and "How much it matters" in html
    assert (tmp_path / "out" / "aht_profile.csv").is_file() and (tmp_path / "out" / "cv_sensitivity.csv").is_file()
    s = load_scenario("aht_cli", ["run.end=2026-12-02"], config_dir=scen)
    assert s.handling.by_interval is not None and s.handling.factor_at(14 * 60) > 1.2 > s.handling.factor_at(8 * 60)
    assert main([*args, "--aht-cv", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: aht_cv (--aht-cv or the column map's aht_cv): must be a number > 0") and err.count("\n") == 1

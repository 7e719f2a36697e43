"""First-contact resolution, the repeat delay and the fresh volume from a call log with a
customer column (sim.history.fcr), by round trip through the model's own failure demand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.analysis.planning import phone_contacts_per_matter
from sim.errors import ScenarioError
from sim.history.calibration import Calibration, calibrate
from sim.history.columns import DEFAULT_FCR_WINDOW_DAYS, load_map
from sim.history.fcr import WorkingDays, classify
from sim.history.readers import read_calls
from sim.history.synthetic import CALL_MAP, CUSTOMER_MAP, Truth, call_log, simulate_history
from sim.model.resolution import after_working_days, open_days
from sim.model.simulate import simulate
from sim.scenario.compose import load_scenario
from tests.helpers import Z_TWO_SIDED, expected_repeats

FCR, DELAY = 0.7, 2.0
ROUND = Truth(
    storms=(), closures=(), staffing_scale=1.3, resolution=(("fcr", FCR), ("delay_days", {"dist": "exponential", "mean": DELAY}))
)
"""Three months of the walk-through's centre with 70 % first-contact resolution and an
exponential repeat delay of 2 working days (staffed for the failure demand on top)."""
START, END = "2026-09-01", "2026-11-30"
HIDDEN = 0.03
"""Share of customers whose number is hidden on every call (blank customer id)."""


def _write(calls: pd.DataFrame, out: Path, cmap: dict, hidden: float = 0.0, seed: int = 5) -> tuple[Path, Path]:
    log = call_log(calls, seed=seed, customers=True)
    if hidden:
        rng = np.random.default_rng(seed)
        ids = log["Kundnummer"].unique()
        log.loc[log["Kundnummer"].isin(rng.choice(ids, int(hidden * len(ids)), replace=False)), "Kundnummer"] = ""
    out.mkdir(parents=True, exist_ok=True)
    path, map_path = out / "log.csv", out / "map.yaml"
    log.to_csv(path, sep=";", index=False)
    map_path.write_text(yaml.safe_dump(cmap, allow_unicode=True), encoding="utf-8")
    return path, map_path


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return simulate_history(START, END, ROUND, seed=5, yearly=False)


@pytest.fixture(scope="module")
def calibrated(history: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Calibration:
    out = tmp_path_factory.mktemp("fcr")
    log, cmap = _write(history, out, CUSTOMER_MAP, HIDDEN)
    return calibrate(log, "calls", cmap, name="fcr_round_trip", scenarios=out / "scenarios", out=out / "tables",
                     backtest_days=0, refine_days=0)


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """Four weeks of a small centre with failure demand: too short to judge a 10-working-day window."""
    truth = Truth(volume=150, staffing_scale=0.5, storms=(), closures=(), resolution=ROUND.resolution)
    return simulate_history("2026-11-02", "2026-11-27", truth, seed=2, yearly=False)


def _expected_failure_found(history: pd.DataFrame, found: int) -> tuple[int, float, float]:
    """(failure-demand calls found, their expectation, its standard error) in the log of
    ``history`` with HIDDEN of its customers' ids blank (:func:`_write`).

    Every repeat call of the model follows the customer's answered call, so the estimator finds
    it unless its customer is hidden or its delay exceeds the window (fcr_window_days, 10
    working days: P(D > 10) = e^-5 for the exponential delay of mean 2). The hidden customers are
    k = int(HIDDEN · N) of the N customers drawn without replacement, so the repeat calls hidden
    are a sample of k customers' repeat counts yⱼ: mean k · ȳ, variance k · var(y) · (1 − k/N)
    (whole customers: the clustering of a customer's contacts is in var(y)). Those beyond the
    window are a binomial thinning of the rest: R' = R − hidden, found ~ R' (1 − ℓ), variance
    R' ℓ (1 − ℓ) more."""
    per_customer = history.groupby("customer_id")["attempt"].agg(lambda a: int((a > 1).sum()))
    n, repeats = per_customer.size, int(per_customer.sum())
    k = int(HIDDEN * n)
    beyond = float(np.exp(-DEFAULT_FCR_WINDOW_DAYS / DELAY))
    kept = repeats - k * per_customer.mean()
    var = (1 - beyond) ** 2 * k * per_customer.var(ddof=1) * (1 - k / n) + kept * beyond * (1 - beyond)
    return found, kept * (1 - beyond), float(np.sqrt(var))


# --------------------------------------------------------------------------- round trip


def test_fcr_and_the_repeat_delay_are_recovered(calibrated: Calibration) -> None:
    est = calibrated.fcr
    assert est is not None and est.fcr is not None and est.delay is not None
    assert est.fcr.covers(FCR), est.fcr
    assert est.judged > 10_000 and est.judged < est.matters  # matters near either end of the log are not judged
    assert est.delay.mean.covers(DELAY), est.delay
    gamma = next(f for f in est.fits if f.family == "gamma")
    assert gamma.mean.covers(DELAY) and gamma.cv.covers(1.0), gamma  # an exponential is a gamma with CV 1
    assert est.delay.family == "exponential"  # within 2 AIC of the gamma: the simpler family is written
    written = calibrated.delta["resolution"]
    assert written["fcr"] == round(est.fcr.value, 4) and written["delay_days"]["dist"] == est.delay.family
    assert calibrated.scenario.resolution.fcr == written["fcr"] and calibrated.scenario.resolution.max_contacts == 3
    est_rows = calibrated.estimates().set_index("parameter")
    assert {"fcr", "resolution.delay_days.mean"} <= set(est_rows.index)
    assert (Path(calibrated.paths["contacts"])).is_file()
    words = " ".join(calibrated.notes)
    assert "first-contact resolution 0.7" in words and "have no customer id (a hidden number?)" in words
    assert "are failure demand" in words and "demand.volume carries the fresh calls only" in words


def test_the_split_counts_every_call_once(calibrated: Calibration, history: pd.DataFrame) -> None:
    c = calibrated.fcr.contacts  # type: ignore[union-attr]
    assert (c[["first", "failure", "redial", "unlinked"]].sum(axis=1) == c["offered"]).all()
    assert int(c["offered"].sum()) == calibrated.drops.kept
    # the failure demand found is the model's own repeat contacts, less those of hidden customers
    # and those beyond the window (_expected_failure_found)
    found, expected, se = _expected_failure_found(history, c["failure"].sum())
    assert abs(found - expected) <= Z_TWO_SIDED * se, (found, expected, se)
    assert c["redial"].sum() == 0  # repeats are off in the model: no call follows an abandoned one
    # the demand fit saw the fresh calls only: its volume is the fresh one, not the offered one
    assert calibrated.demand.volume.covers(ROUND.volume)


def test_the_calibrated_scenario_offers_the_observed_volume(calibrated: Calibration) -> None:
    days = calibrated.demand.days
    regular = days.loc[days["kind"].eq("regular") & ~days["outlier"], "date"]
    observed = calibrated.table.groupby("date")["offered"].sum().reindex(regular).to_numpy()
    model = []
    for seed in (101, 102):
        run = calibrated.scenario.run.model_copy(update={"start": dt.date(2026, 9, 1), "end": dt.date(2026, 11, 30), "seed": seed})
        scenario = calibrated.scenario.model_copy(update={"run": run})
        calls = simulate(scenario).calls
        model.append(calls.groupby(calls["arrival"].dt.normalize()).size().reindex(regular).fillna(0).to_numpy())
        # the model makes the failure demand itself, as many repeat calls as its fcr and delay make
        repeats, expected, se = expected_repeats(scenario, calls)
        assert abs(repeats - expected) <= Z_TWO_SIDED * se, (seed, repeats, expected, se)
        assert repeats / len(calls) < 1 - 1 / phone_contacts_per_matter(scenario)  # 0.25 < 0.281 (1 − 1/1.39): some callers hang up
    m = np.concatenate(model)
    se = np.sqrt(observed.var(ddof=1) / observed.size + m.var(ddof=1) / m.size)
    assert abs(m.mean() - observed.mean()) < 1.96 * se, (m.mean(), observed.mean(), se)
    # counted twice (the offered volume and the model's own failure demand) it would be far off
    assert m.mean() / (1 - calibrated.fcr.contacts["failure"].sum() / calibrated.fcr.contacts["offered"].sum()) - observed.mean() > 4 * se  # type: ignore[union-attr]


def test_a_gamma_delay_is_told_from_an_exponential(tmp_path: Path) -> None:
    from sim.history import aggregate
    from sim.history.fcr import estimate_fcr

    delay = {"dist": "gamma", "mean": 1.5, "cv": 0.5}
    truth = Truth(volume=250, staffing_scale=0.6, storms=(), closures=(), resolution=(("fcr", 0.8), ("delay_days", delay)))
    log_path, cmap_path = _write(simulate_history(START, END, truth, seed=10, yearly=False), tmp_path, CUSTOMER_MAP, seed=10)
    cmap = load_map(cmap_path, "calls")
    log = read_calls(log_path, cmap)
    est = estimate_fcr(log_path, log, cmap, load_scenario("default"), aggregate.from_calls(log, 30), 30)
    assert est is not None and est.fcr is not None and est.delay is not None
    assert est.fcr.covers(0.8), est.fcr
    assert est.delay.family == "gamma" and est.delay.mean.covers(1.5) and est.delay.cv.covers(0.5), est.delay
    assert est.config(load_scenario("default").resolution)["delay_days"] == {"dist": "gamma", "mean": round(est.delay.mean.value, 3),
                                                                            "cv": round(est.delay.cv.value, 3), "values": None}


# --------------------------------------------------------------------------- the arithmetic


def test_working_days_are_the_models() -> None:
    cal = load_scenario("default").calendar
    wd = WorkingDays.of(cal, pd.Timestamp("2026-12-01"), pd.Timestamp("2027-02-28"), 3600.0)
    od = open_days(wd.opens, wd.closes)
    rng = np.random.default_rng(1)
    t = wd.opens[rng.integers(0, 20, 400)] + rng.uniform(0, 9 * 3600, 400)
    d = rng.exponential(3.0, 400)
    ours = wd.forward(t, d)
    theirs = np.array([after_working_days(a, b, od, max(od)) for a, b in zip(t, d, strict=True)])
    assert np.allclose(ours, theirs)  # Christmas, New Year and Epiphany included
    back, hit = wd.inverse(t, ours)
    assert hit.all() and np.allclose(back, d)
    # a fraction of a working day is clock time (Friday 10:00 + 0.95 reaches Saturday 08:48), a
    # whole one the next open day: Sunday 09:00 is jumped over, its delay is the next whole day
    fri = wd.seconds(pd.Series([pd.Timestamp("2026-12-04 10:00")]))
    sun = wd.seconds(pd.Series([pd.Timestamp("2026-12-06 09:00")]))
    d_sun, hit_sun = wd.inverse(fri, sun)
    assert not hit_sun[0] and d_sun[0] == 1.0


def _calls(rows: list[tuple[str, str, str, float]]) -> tuple[pd.DataFrame, pd.Series]:
    f = pd.DataFrame(rows, columns=["customer", "arrival", "fate", "handle_s"])
    f["arrival"] = pd.to_datetime(f["arrival"])
    f["wait_s"] = 30.0
    return f, f["customer"].replace("", pd.NA)


def test_matters_failure_demand_and_redials_on_hand_built_contacts() -> None:
    calls, ids = _calls(
        [
            ("A", "2026-12-01 09:00", "answered", 300.0),  # first
            ("A", "2026-12-02 08:30", "answered", 300.0),  # failure demand: after an answered call
            ("B", "2026-12-01 09:05", "abandoned", 0.0),  # first
            ("B", "2026-12-01 09:10", "answered", 200.0),  # redial: after an abandoned call
            ("B", "2026-12-03 11:00", "abandoned", 0.0),  # failure demand, abandoned
            ("C", "2026-12-01 10:00", "answered", 100.0),  # first
            ("C", "2026-12-22 10:00", "answered", 100.0),  # 14 working days on: a new matter
            ("", "2026-12-01 11:00", "answered", 100.0),  # no customer id: not linked
        ]
    )
    wd = WorkingDays.of(load_scenario("default").calendar, pd.Timestamp("2026-12-01"), pd.Timestamp("2027-02-28"), 3600.0)
    f = classify(calls, ids, wd, 10.0).set_index("row")
    assert f["kind"].to_dict() == {0: "first", 1: "failure", 2: "first", 3: "redial", 4: "failure", 5: "first", 6: "first"}
    assert f.loc[0, "matter"] == f.loc[1, "matter"] and f.loc[5, "matter"] != f.loc[6, "matter"]
    assert f.loc[3, "next_start"] == f.loc[4, "start"] and np.isinf(f.loc[5, "next_start"])
    assert 7 not in f.index
    # with a 1-working-day window (24 hours of clock time from Tuesday 09:05) B's contact two days on starts a matter
    f1 = classify(calls, ids, wd, 1.0).set_index("row")
    assert f1.loc[4, "kind"] == "first" and f1.loc[1, "kind"] == "failure"


# --------------------------------------------------------------------------- no estimate, bad input


def test_without_a_customer_column_the_default_is_kept_and_said(short: pd.DataFrame, tmp_path: Path) -> None:
    log, cmap = _write(short, tmp_path, CALL_MAP)
    c = calibrate(log, "calls", cmap, name="no_customers", scenarios=tmp_path / "s", backtest_days=0, refine_days=0)
    assert c.fcr is None and "resolution" not in c.delta and c.scenario.resolution.fcr == 1.0
    assert any(n.startswith("no customer column in the column map (customer_id): FCR not estimated, default kept") for n in c.notes)
    # the volume keeps the repeat calls: the model will not make them
    regular = c.demand.days.loc[c.demand.days["kind"].eq("regular"), "offered"]
    assert regular.sum() == c.table.set_index("date")["offered"].groupby(level=0).sum().reindex(
        c.demand.days.loc[c.demand.days["kind"].eq("regular"), "date"]).sum()


def test_a_log_too_short_to_judge_keeps_the_default(short: pd.DataFrame, tmp_path: Path) -> None:
    log, cmap = _write(short, tmp_path, CUSTOMER_MAP)
    c = calibrate(log, "calls", cmap, name="too_short", scenarios=tmp_path / "s", backtest_days=0, refine_days=0)
    assert c.fcr is not None and not c.fcr.estimated and "resolution" not in c.delta
    assert any("matter(s) can be judged" in n and "FCR not estimated, default kept" in n for n in c.notes)


def test_a_mostly_blank_customer_column_is_one_clear_error(short: pd.DataFrame, tmp_path: Path) -> None:
    log, cmap = _write(short, tmp_path, CUSTOMER_MAP, hidden=0.7)
    with pytest.raises(ScenarioError) as err:
        calibrate(log, "calls", cmap, name="blank", scenarios=tmp_path / "s", backtest_days=0, refine_days=0)
    text = str(err.value)
    assert str(log) in text and "line " in text and "'Kundnummer' (customer_id)" in text and "blank in" in text
    assert "leave customer_id out of the column map" in text


def test_the_command_says_error_and_exits_2_on_a_blank_customer_column(
    short: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sim.faces.calibrate import main

    log, cmap = _write(short, tmp_path, CUSTOMER_MAP, hidden=0.7)
    code = main([str(log), "--kind", "calls", "--columns", str(cmap), "--out", str(tmp_path / "o"), "--scenarios", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: Cannot use") and "Traceback" not in err and err.count("\n") == 1


def test_a_missing_customer_column_and_a_bad_window_are_errors(short: pd.DataFrame, tmp_path: Path) -> None:
    log, cmap = _write(short, tmp_path, {**CUSTOMER_MAP, "columns": {**CUSTOMER_MAP["columns"], "customer_id": "Kund"}})
    with pytest.raises(ScenarioError, match=r"column 'Kund' \(field customer_id, from .*map.yaml\) is not in the file"):
        read_calls(log, load_map(cmap, "calls"))
    for bad in (0, -3, "ten", True, 400):
        cmap.write_text(yaml.safe_dump({**CUSTOMER_MAP, "fcr_window_days": bad}), encoding="utf-8")
        with pytest.raises(ScenarioError, match=r"fcr_window_days \(working days after an answered call .*got"):
            load_map(cmap, "calls")
    cmap.write_text(yaml.safe_dump({**CUSTOMER_MAP, "fcr_window_days": 5}), encoding="utf-8")
    assert load_map(cmap, "calls").fcr_window_days == 5


def test_a_placeholder_id_is_not_a_customer(history: pd.DataFrame, tmp_path: Path) -> None:
    from sim.history import aggregate
    from sim.history.fcr import estimate_fcr

    part = history[history["arrival"] < pd.Timestamp("2026-10-31")]
    log_path, cmap_path = _write(part, tmp_path, CUSTOMER_MAP)
    raw = pd.read_csv(log_path, sep=";", dtype=str, keep_default_na=False)
    raw.loc[raw.index % 50 == 0, "Kundnummer"] = "anonym"  # 2 % of the calls: one id, dozens of calls a day
    raw.to_csv(log_path, sep=";", index=False)
    cmap = load_map(cmap_path, "calls")
    log = read_calls(log_path, cmap)
    est = estimate_fcr(log_path, log, cmap, load_scenario("default"), aggregate.from_calls(log, 30), 30)
    assert est is not None and est.fcr is not None
    assert any("'anonym'" in n and "placeholder" in n for n in est.notes)
    assert est.contacts["unlinked"].sum() == (log.calls["customer_id"] == "anonym").sum()


def test_the_command_lists_the_fcr_and_delay_estimates(calibrated: Calibration) -> None:
    from sim.faces.calibrate import shown_estimates

    shown = set(shown_estimates(calibrated.estimates())["parameter"])
    assert {"fcr", "resolution.delay_days.mean"} <= shown and "volume" in shown

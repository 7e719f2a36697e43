"""The monthly follow-up: a month simulated with known causes is attributed to those causes, the
parts of every shortfall add up to it, the forecast errors equal an independent computation and
bad input is one ``error:`` paragraph naming the file, line and column."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.analysis.accuracy import accuracy
from sim.faces.followup import main
from sim.history.attribution import FACTORS, shapley
from sim.history.followup import FollowUp, follow_up
from sim.history.month_example import EXAMPLE_CAUSES, EXAMPLE_TRUTH, plan_scenario, simulate_month
from sim.history.synthetic import CALL_MAP, call_log
from sim.schema import WEEKDAYS

FIRST, LAST = "2026-11-01", "2026-11-30"


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame, FollowUp]:
    """The example month (+40 % volume on 11-10, two agents fewer on 11-17, handle times +20 %
    on 11-24), its call log and map, and its follow-up against the plan."""
    d = tmp_path_factory.mktemp("followup")
    calls = simulate_month(FIRST, LAST, EXAMPLE_CAUSES, seed=1)
    call_log(calls, seed=1).to_csv(d / "call_log.csv", sep=";", index=False)
    (d / "call_map.yaml").write_text(yaml.safe_dump(CALL_MAP, allow_unicode=True), encoding="utf-8")
    (d / "plan.json").write_text(plan_scenario(EXAMPLE_TRUTH, FIRST, LAST).model_dump_json(), encoding="utf-8")
    f = follow_up(d / "call_log.csv", "calls", d / "call_map.yaml", plan=d / "plan.json", replications=8, seed=0)
    return d, calls, f


@pytest.mark.parametrize(("day", "cause"), [("2026-11-10", "volume"), ("2026-11-17", "agents"), ("2026-11-24", "aht")])
def test_each_miss_is_attributed_to_its_cause(month: tuple[Path, pd.DataFrame, FollowUp], day: str, cause: str) -> None:
    f = month[2]
    row = f.days[f.days["date"] == pd.Timestamp(day)].iloc[0]
    assert row["missed"], f"{day} was made to miss a target but met them all"
    att = f.attribution[f.attribution["date"] == pd.Timestamp(day)]
    assert set(att["kpi"]) == set(row["missed"].split(", "))
    assert (att["main_cause"] == cause).all(), att[["kpi", "main_cause", *[f"share_{x}" for x in FACTORS]]]
    # the cause's share is most of the factors' part of the miss, not a near tie
    for r in att[att["kpi"] != "aht_s"].itertuples():
        shares = {x: getattr(r, f"share_{x}") for x in FACTORS}
        others = max(v for k, v in shares.items() if k != cause)
        assert shares[cause] > 2 * max(others, 0.0) and shares[cause] > 0.02
    assert f.words[day] and all(str(round(100 * r.shortfall, 1)) in w or r.kpi == "aht_s" for r, w in
                                zip(att.itertuples(), f.words[day], strict=True))


def test_the_parts_add_up_to_the_observed_miss(month: tuple[Path, pd.DataFrame, FollowUp]) -> None:
    a = month[2].attribution
    assert len(a) >= 4
    parts = a["plan_margin"] + sum(a[f"share_{x}"] for x in FACTORS) + a["residual"]
    np.testing.assert_allclose(parts.to_numpy(dtype=float), a["shortfall"].to_numpy(dtype=float), rtol=0, atol=1e-12)
    # the observed shortfall is the target's distance, in the KPI's direction
    for r in a.itertuples():
        assert r.shortfall == pytest.approx(r.target - r.observed if r.kpi in ("availability", "service_level") else r.observed - r.target)
        assert r.shortfall > 0


def test_the_shares_are_the_simulated_difference_between_actual_and_plan(month: tuple[Path, pd.DataFrame, FollowUp]) -> None:
    a = month[2].attribution
    q = a[a["kpi"] != "aht_s"]
    sign = np.where(q["kpi"].isin(["availability", "service_level"]), -1.0, 1.0)
    total = sum(q[f"share_{x}"] for x in FACTORS).to_numpy(dtype=float)
    np.testing.assert_allclose(total, sign * (q["simulated_actual"] - q["simulated_plan"]).to_numpy(dtype=float), atol=1e-12)
    runs = month[2].attribution_runs
    # common random numbers: every combination of a day ran the same replications
    assert runs.groupby(["date", "actual_factors"]).size().eq(8).all()


def test_two_agents_fewer_is_seen_in_the_effective_staffing(month: tuple[Path, pd.DataFrame, FollowUp]) -> None:
    p = month[2].plan_day.set_index("date")
    diff = p.loc[pd.Timestamp("2026-11-17"), "agents_diff_h"]
    assert -20.0 <= diff <= -16.0  # two agents for 9 h = -18 agent-hours
    ordinary = p.drop(index=pd.Timestamp("2026-11-17"))["agents_diff_h"]
    assert ordinary.abs().max() <= 1.0
    assert p.loc[pd.Timestamp("2026-11-24"), "aht_ratio"] == pytest.approx(1.2, abs=0.05)


def test_forecast_errors_equal_an_independent_computation(month: tuple[Path, pd.DataFrame, FollowUp]) -> None:
    _d, calls, f = month
    s = plan_scenario(EXAMPLE_TRUTH, FIRST, LAST)
    t = EXAMPLE_TRUTH
    # actual: the simulated calls themselves (the log's IVR rows, duplicates and impossible copies are dropped by the reader)
    arr = calls["arrival"]
    per_iv = arr.groupby([arr.dt.normalize(), arr.dt.hour * 60 + arr.dt.minute // 30 * 30]).size()
    open_days = sorted({x[0] for x in per_iv.index})
    act_iv, fc_iv, act_day, fc_day = [], [], [], []
    for day in open_days:
        wd = WEEKDAYS[day.weekday()]
        w = np.asarray(s.demand.weights_for(day.weekday()), dtype=float)
        vol = t.volume * t.weekday_factor[wd]
        fc = vol * w / w.sum()
        mins = 8 * 60 + 30 * np.arange(w.size)
        a = np.array([per_iv.get((day, int(m)), 0) for m in mins], dtype=float)
        act_iv += list(a)
        fc_iv += list(fc)
        act_day.append(float((arr.dt.normalize() == day).sum()))
        fc_day.append(vol)
    a_iv, f_iv = np.array(act_iv), np.array(fc_iv)
    a_day, f_day = np.array(act_day), np.array(fc_day)
    sc = f.scores.set_index("level")
    assert sc.loc["day", "units"] == len(open_days) == 21
    assert sc.loc["day", "wape"] == pytest.approx(np.abs(a_day - f_day).sum() / a_day.sum(), rel=1e-12)
    assert sc.loc["day", "mape"] == pytest.approx(np.mean(np.abs(a_day - f_day) / a_day), rel=1e-12)
    assert sc.loc["day", "bias"] == pytest.approx((f_day - a_day).sum() / a_day.sum(), rel=1e-9)
    assert sc.loc["interval", "units"] == a_iv.size
    assert sc.loc["interval", "wape"] == pytest.approx(np.abs(a_iv - f_iv).sum() / a_iv.sum(), rel=1e-12)
    pos = a_iv > 0
    assert sc.loc["interval", "mape"] == pytest.approx(np.mean(np.abs(a_iv[pos] - f_iv[pos]) / a_iv[pos]), rel=1e-12)
    assert sc.loc["interval", "bias"] == pytest.approx((f_iv - a_iv).sum() / a_iv.sum(), rel=1e-9)


def test_day_kpis_match_the_calls(month: tuple[Path, pd.DataFrame, FollowUp]) -> None:
    _d, calls, f = month
    day = pd.Timestamp("2026-11-17")
    c = calls[calls["arrival"].dt.normalize() == day]
    ans = c["answered_at"].notna()
    r = f.days.set_index("date").loc[day]
    assert r["offered"] == len(c)
    assert r["availability"] == pytest.approx(ans.mean(), rel=1e-12)
    # the log stamps whole seconds: the wait it shows is the difference of the truncated stamps
    left = c["arrival"] + pd.to_timedelta(c["wait_s"], unit="s")
    shown = (left.dt.floor("s") - c["arrival"].dt.floor("s")).dt.total_seconds()
    assert r["service_level"] == pytest.approx((ans & (shown <= 90)).mean(), rel=1e-12)
    assert r["aht_s"] == pytest.approx(c.loc[ans, "handle_s"].round(1).mean(), abs=0.06)  # the log writes 0.1 s
    m = f.months.iloc[0]
    assert m["days_missed_any"] == int((f.days["missed"] != "").sum())


def test_accuracy_by_hand() -> None:
    a = accuracy(np.array([10.0, 0.0, 20.0]), np.array([12.0, 1.0, 15.0]))
    assert a.wape == pytest.approx(8 / 30)
    assert a.mape == pytest.approx((0.2 + 0.25) / 2)
    assert a.bias == pytest.approx(-2 / 30)
    assert a.zero_actual == 1


def test_shapley_shares_add_up_and_split_an_interaction_evenly() -> None:
    v = {frozenset(): 0.0, frozenset("a"): 1.0, frozenset("b"): 1.0, frozenset("ab"): 4.0}
    sh = shapley(v, ["a", "b"])
    assert sh == {"a": pytest.approx(2.0), "b": pytest.approx(2.0)}
    rng = np.random.default_rng(3)
    names = ["v", "n", "h", "c"]
    game = {frozenset(s): float(rng.normal()) for k in range(5) for s in __import__("itertools").combinations(names, k)}
    sh = shapley(game, names)
    assert math.isclose(sum(sh.values()), game[frozenset(names)] - game[frozenset()], abs_tol=1e-12)


def test_command_writes_the_report_and_tables(month: tuple[Path, pd.DataFrame, FollowUp], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    d = month[0]
    code = main([str(d / "call_log.csv"), "--kind", "calls", "--columns", str(d / "call_map.yaml"), "--plan", str(d / "plan.json"),
                 "--out", str(tmp_path), "--no-attribution"])
    assert code == 0
    for name in ("kpi_day.csv", "kpi_month.csv", "forecast_day.csv", "forecast_interval.csv", "forecast_scores.csv", "plan_day.csv",
                 "plan_interval.csv", "attribution.csv", "followup_report.html"):
        assert (tmp_path / name).is_file(), name
    html = (tmp_path / "followup_report.html").read_text(encoding="utf-8")
    assert "Forecast against actual" in html and "data:image/png;base64," in html
    out = capsys.readouterr().out
    # the days each target was missed, counted from the simulated calls themselves against the
    # plan's targets (strict, as the agreement), not from the follow-up: the printed counts must be these
    _d, calls, f = month
    daily = _daily_kpis(calls)
    t = plan_scenario(EXAMPLE_TRUTH, FIRST, LAST).targets
    missed = {"availability": daily["availability"] <= t.availability_min, "service level": daily["service_level"] <= t.service_level_min,
              "queue time of answered calls": daily["asa_s"] >= t.asa_max_s, "handle time": daily["aht_s"] >= t.aht_max_s}
    for words, days in missed.items():
        assert f"{words}: " in out and f"missed on {int(days.sum())} of {len(daily)} days" in out.split(f"{words}: ")[1].splitlines()[0]
    # every planted cause made its day miss the service level (the +40 % volume, two agents fewer, +20 % handle time)
    planted = {pd.Timestamp(d) for d in EXAMPLE_CAUSES}
    assert planted <= set(daily.index[missed["service level"]])
    assert pd.Timestamp("2026-11-24") in set(daily.index[missed["handle time"]])
    assert planted <= set(f.days.loc[f.days["missed"] != "", "date"])


def _daily_kpis(calls: pd.DataFrame) -> pd.DataFrame:
    """Per day of the simulated calls: availability, service level, ASA and AHT as the log shows
    them (waits between its whole-second stamps, handle times to 0.1 s), computed here."""
    ans = calls["answered_at"].notna()
    left = calls["arrival"] + pd.to_timedelta(calls["wait_s"], unit="s")
    shown = (left.dt.floor("s") - calls["arrival"].dt.floor("s")).dt.total_seconds()
    frame = pd.DataFrame({"day": calls["arrival"].dt.normalize(), "ans": ans, "within": ans & (shown <= 90),
                          "wait": shown.where(ans), "handle": calls["handle_s"].round(1).where(ans)})
    g = frame.groupby("day")
    return pd.DataFrame({"availability": g["ans"].mean(), "service_level": g["within"].mean(), "asa_s": g["wait"].mean(),
                         "aht_s": g["handle"].mean()})


def _err(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("error:") == 1 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    return err


def test_bad_input_is_one_error_paragraph(month: tuple[Path, pd.DataFrame, FollowUp], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    d = month[0]
    lines = (d / "call_log.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[4].split(";")
    cells[1] = "2026-13-45 08:00:00"
    lines[4] = ";".join(cells)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    base = ["--kind", "calls", "--columns", str(d / "call_map.yaml"), "--out", str(tmp_path / "o"), "--no-attribution"]
    err = _err(capsys, [str(bad), *base])
    assert str(bad) in err and "line 5" in err and "'Starttid'" in err
    st = tmp_path / "staffing.csv"
    st.write_text("weekday,interval_start,agents\nmon,08:00,5\ntue,8h30,6\n", encoding="utf-8")
    err = _err(capsys, [str(d / "call_log.csv"), *base, "--plan", str(d / "plan.json"), "--staffing", str(st)])
    assert str(st) in err and "line 3" in err and "'interval_start'" in err and "HH:MM" in err
    fc = tmp_path / "forecast.csv"
    fc.write_text("date;calls\n2026-11-02;600\n2026-11-03;many\n", encoding="utf-8")
    err = _err(capsys, [str(d / "call_log.csv"), *base, "--forecast", str(fc)])
    assert str(fc) in err and "line 3" in err and "'calls'" in err
    err = _err(capsys, [str(d / "call_log.csv"), *base, "--month", "2026-10"])
    assert "2026-10" in err and "2026-11" in err
    plan = tmp_path / "plan.json"
    plan.write_text('{"name": 3}', encoding="utf-8")
    err = _err(capsys, [str(d / "call_log.csv"), *base, "--plan", str(plan)])
    assert str(plan) in err


def test_a_given_staffing_and_forecast_replace_the_plan_scenarios(month: tuple[Path, pd.DataFrame, FollowUp], tmp_path: Path) -> None:
    d = month[0]
    st = tmp_path / "staffing.csv"
    st.write_text("weekday;interval_start;agents\n" + "".join(f"{w};{h:02d}:{m:02d};10\n" for w in WEEKDAYS[:5] for h in range(8, 17)
                                                             for m in (0, 30)), encoding="utf-8")
    fc = tmp_path / "forecast.csv"
    fc.write_text("date,calls\n" + "".join(f"2026-11-{k:02d},500\n" for k in range(1, 31)), encoding="utf-8")
    f = follow_up(d / "call_log.csv", "calls", d / "call_map.yaml", staffing=st, forecast=fc, attribute=False)
    assert f.plan.given
    assert (f.plan_day["agent_hours_plan"] == 90.0).all()
    assert (f.forecast_day["forecast"].round(9) == 500.0).all()


def test_an_interval_report_with_a_closure(tmp_path: Path) -> None:
    """The same follow-up from an interval report: a morning closure the plan did not have is found
    (no calls where the forecast expected many), gets a share, and the parts still add up; where
    the report cannot identify the agents the plan stands, so ordinary days are at the plan."""
    from sim.history.month_example import Cause
    from sim.history.synthetic import INTERVAL_MAP, interval_report

    causes = {"2026-11-12": Cause(closed=("08:00", "11:00"))}
    calls = simulate_month(FIRST, LAST, causes, seed=2)
    interval_report(calls, truth=EXAMPLE_TRUTH).to_csv(tmp_path / "report.csv", index=False)
    (tmp_path / "map.yaml").write_text(yaml.safe_dump(INTERVAL_MAP), encoding="utf-8")
    plan = plan_scenario(EXAMPLE_TRUTH, FIRST, LAST)
    f = follow_up(tmp_path / "report.csv", "intervals", tmp_path / "map.yaml", plan=plan, replications=4)
    day = pd.Timestamp("2026-11-12")
    closed = f.plan_interval[(f.plan_interval["date"] == day) & f.plan_interval["closed"]]["minute"].tolist()
    assert closed == [480, 510, 540, 570, 600, 630]
    assert not f.plan_interval[f.plan_interval["date"] != day]["closed"].any()
    att = f.attribution[f.attribution["date"] == day]
    assert len(att) and (att["share_closure"] > 0).all() and att["factors"].str.contains("closure").all()
    parts = att["plan_margin"] + sum(att[f"share_{x}"] for x in FACTORS) + att["residual"]
    np.testing.assert_allclose(parts.to_numpy(dtype=float), att["shortfall"].to_numpy(dtype=float), atol=1e-12)
    assert "closed 08:00–11:00" in " ".join(f.words["2026-11-12"])
    ordinary = f.plan_day[f.plan_day["date"] != day]
    assert ordinary["agents_diff_h"].abs().max() <= 2.0


CASES = """ArendeID;Typ;Skapad;Avslutad
C1;Felanmälan;2026-11-02 16:00;2026-11-03 11:00
C2;Felanmälan;2026-11-06 16:00;2026-11-09 12:00
C3;Beställning;2026-11-02 09:00;2026-11-02 17:00
C4;Beställning;2026-11-03 10:00;
C5;Felanmälan;2026-11-09 11:00;
C1;Felanmälan;2026-11-02 16:00;2026-11-03 11:00
"""
CASE_MAP = {"separator": ";", "datetime_format": "%Y-%m-%d %H:%M",
            "columns": {"case_id": "ArendeID", "kind": "Typ", "arrival": "Skapad", "finished_at": "Avslutad"},
            "kinds": {"Felanmälan": "fault_report", "Beställning": "case_order"}}


def test_case_work_in_working_hours_by_hand(month: tuple[Path, pd.DataFrame, FollowUp], tmp_path: Path) -> None:
    """Hand-built cases: 16:00 Monday + 4 working hours is 11:00 Tuesday (met exactly), Friday
    16:00 to Monday 12:00 is 5 working hours (missed), 09:00-17:00 is 8 (met), an open order due
    before the export ends is missed, an open fault report not yet due is unknown; the duplicate
    row is dropped."""
    d = month[0]
    (tmp_path / "cases.csv").write_text(CASES, encoding="utf-8")
    (tmp_path / "case_map.yaml").write_text(yaml.safe_dump(CASE_MAP, allow_unicode=True), encoding="utf-8")
    f = follow_up(d / "call_log.csv", "calls", d / "call_map.yaml", plan=d / "plan.json", attribute=False,
                  cases=tmp_path / "cases.csv", case_columns=tmp_path / "case_map.yaml")
    m = f.case_month.iloc[0]
    assert m["cases_arrived"] == 5
    assert m["within_target_fault_report"] == pytest.approx(0.5)
    assert m["within_target_case_order"] == pytest.approx(0.5)
    assert m["backlog_end"] == 2
    assert m["work_h_mean"] == pytest.approx((4 + 5 + 8) / 3)
    assert not m["within_target_fault_report_met"]
    day = f.case_day.set_index("date")
    assert day.loc[pd.Timestamp("2026-11-02"), "within_target_fault_report"] == 1.0
    assert day.loc[pd.Timestamp("2026-11-02"), "backlog_end"] == 1
    assert m["days_missed_fault_report"] == 1  # 11-06; 11-09's only case is not yet known


def test_a_bad_case_export_names_line_and_column(month: tuple[Path, pd.DataFrame, FollowUp], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    d = month[0]
    (tmp_path / "cases.csv").write_text(CASES.replace("Beställning;2026-11-03", "Klagomål;2026-11-03"), encoding="utf-8")
    (tmp_path / "case_map.yaml").write_text(yaml.safe_dump(CASE_MAP, allow_unicode=True), encoding="utf-8")
    base = [str(d / "call_log.csv"), "--kind", "calls", "--columns", str(d / "call_map.yaml"), "--out", str(tmp_path / "o"),
            "--no-attribution", "--case-columns", str(tmp_path / "case_map.yaml"), "--cases", str(tmp_path / "cases.csv")]
    err = _err(capsys, base)
    assert "line 5" in err and "'Typ'" in err and "Klagomål" in err and "fault_report" in err
    (tmp_path / "cases.csv").write_text(CASES.replace("2026-11-03 11:00", "2026-11-01 11:00"), encoding="utf-8")
    err = _err(capsys, base)
    assert "line 2" in err and "'Avslutad'" in err and "before it arrived" in err


def test_earlier_months_give_the_trend(month: tuple[Path, pd.DataFrame, FollowUp], tmp_path: Path) -> None:
    d = month[0]
    october = simulate_month("2026-10-01", "2026-10-31", {}, seed=5)
    call_log(october, seed=5).to_csv(tmp_path / "october.csv", sep=";", index=False)
    f = follow_up([tmp_path / "october.csv", d / "call_log.csv"], "calls", d / "call_map.yaml", plan=d / "plan.json", attribute=False)
    assert [str(m) for m in f.months["month"]] == ["2026-10", "2026-11"]
    assert str(f.month) == "2026-11" and f.days["date"].dt.month.eq(11).all()
    oct_row = f.months.iloc[0]
    assert oct_row["offered"] == len(october)
    assert oct_row["open_days"] == october["arrival"].dt.normalize().nunique()
    g = follow_up([tmp_path / "october.csv", d / "call_log.csv"], "calls", d / "call_map.yaml", plan=d / "plan.json", attribute=False,
                  month="2026-10")
    assert str(g.month) == "2026-10" and len(g.forecast_day) == oct_row["open_days"]


def test_the_report_in_swedish_and_in_english(month: tuple[Path, pd.DataFrame, FollowUp], tmp_path: Path) -> None:
    import re

    from sim.faces.followup import write_report

    f = month[2]
    sv = write_report(f, tmp_path / "sv", "sv").read_text(encoding="utf-8")
    en = write_report(f, tmp_path / "en", "en").read_text(encoding="utf-8")
    assert '<html lang="sv">' in sv and '<html lang="en">' in en
    for words in ("Månadsuppföljning: november 2026", "Månaden mot avtalet", "Prognos mot utfall", "Varför dagar missade",
                  "servicenivå", "tillgänglighet", "Huvudorsak: volym över prognosen.", "färre effektiva agenter än planerat"):
        assert words in sv, words
    assert re.search(r"Servicenivå \d+,\d\u00a0% mot målet &gt; 90,0\u00a0% \(missat med \d+,\d p\.e\.\)", sv)  # the attribution's words
    assert "p.e.." not in sv
    assert re.search(r"<td>\d+,\d+</td>", sv) and not re.search(r"<td>\d+\.\d+</td>", sv)  # the tables: decimal commas
    for english in ("Monthly follow-up", "Main cause", "against the target", "Forecast against actual", "not judged", " the "):
        assert english not in sv, english
    assert "Monthly follow-up: November 2026" in en and "Main cause: volume above the forecast." in en
    # the month's counts without a plural to get wrong ("1 open days"): "open days 21", "öppna dagar 21"
    assert re.search(r"November 2026: open days \d+, calls offered [\d,]+, days that missed at least one target \d+\.", en)
    assert re.search(r"november 2026: öppna dagar \d+, inkommande samtal [\d\u00a0 ]+, dagar som missade minst ett mål \d+\.", sv)
    assert re.search(r"<td>\d+\.\d+</td>", en)
    for swedish in ("Månad", "prognos", "servicenivå", "tillgänglighet", "Huvudorsak", " och ", " mot ", "p.e.", "ja<", "nej<"):
        assert swedish not in en, swedish


# --------------------------------------------------------------------------- a roster or a schedule as the plan

SCHEDULE = """agent,name,date,shift_start,shift_end,lunch,breaks,paid_h
a1,Anna,2026-11-02,08:00,12:00,,10:00-10:15,4
a2,Bo,2026-11-02,09:00,13:00,11:00-11:30,,3.5
a3,Cia,2026-11-03,08:30,10:00,,,1.5
a1,Anna,2026-11-03,16:00,24:00,,17:15-17:30 20:00-20:30,7.25
"""
"""Agents on the phones, by construction (30-minute intervals): 11-02 08:00 1 (a1), 09:00 2
(a1, a2), 10:00 1.5 (a1's break is half the interval), 11:00 1 (a2 at lunch), 12:00 1 (a2);
11-03 08:30-10:00 1 (a3), 16:00-24:00 1 (a1) except 17:00 0.5 and 20:00 0."""
BY_HAND = {
    ("2026-11-02", "08:00"): 1, ("2026-11-02", "08:30"): 1, ("2026-11-02", "09:00"): 2, ("2026-11-02", "09:30"): 2,
    ("2026-11-02", "10:00"): 1.5, ("2026-11-02", "10:30"): 2, ("2026-11-02", "11:00"): 1, ("2026-11-02", "11:30"): 2,
    ("2026-11-02", "12:00"): 1, ("2026-11-02", "12:30"): 1,
    ("2026-11-03", "08:30"): 1, ("2026-11-03", "09:00"): 1, ("2026-11-03", "09:30"): 1,
    **{("2026-11-03", f"{h:02d}:{m:02d}"): 1 for h in range(16, 24) for m in (0, 30)},
    ("2026-11-03", "17:00"): 0.5, ("2026-11-03", "20:00"): 0,
}


def _planned(frame: pd.DataFrame, key: str) -> dict[tuple[str, str], float]:
    keys = frame[key].dt.strftime("%Y-%m-%d") if key == "date" else frame[key]
    return {(k, f"{m // 60:02d}:{m % 60:02d}"): float(a) for k, m, a in zip(keys, frame["minute"], frame["agents"], strict=True) if a}


def test_a_schedules_agents_on_the_phones_are_known_by_construction(tmp_path: Path) -> None:
    from sim.history.followup import read_plan_staffing

    (tmp_path / "schedule.csv").write_text(SCHEDULE, encoding="utf-8")
    st, kind = read_plan_staffing(tmp_path / "schedule.csv", 30)
    assert kind == "schedule"
    assert _planned(st, "date") == {k: v for k, v in BY_HAND.items() if v}
    # on a 15-minute grid the break is a whole interval: 10:00 no one of a1, 10:15 a1 again
    st15, _ = read_plan_staffing(tmp_path / "schedule.csv", 15)
    p15 = _planned(st15, "date")
    assert p15[("2026-11-02", "09:45")] == 2 and p15[("2026-11-02", "10:00")] == 1 and p15[("2026-11-02", "10:15")] == 2
    assert p15[("2026-11-03", "17:00")] == 1 and ("2026-11-03", "17:15") not in p15
    # as a roster (agents per pattern): two on the first pattern are two on its break too (10:00: 2 × 0.5 + 1)
    (tmp_path / "roster.csv").write_text("weekday;shift_start;shift_end;lunch;breaks;agents;paid_h\n"
                                         "mon;08:00;12:00;;10:00-10:15;2;4\nmon;09:00;13:00;11:00-11:30;;1;3,5\n", encoding="utf-8")
    ro, kind = read_plan_staffing(tmp_path / "roster.csv", 30)
    assert kind == "roster"
    assert _planned(ro, "weekday") == {("mon", "08:00"): 2, ("mon", "08:30"): 2, ("mon", "09:00"): 3, ("mon", "09:30"): 3,
                                       ("mon", "10:00"): 2, ("mon", "10:30"): 3, ("mon", "11:00"): 2, ("mon", "11:30"): 3,
                                       ("mon", "12:00"): 1, ("mon", "12:30"): 1}


@pytest.mark.parametrize(("old", "new", "column"), [
    ("2026-11-02,08:00,12:00", "2026-11-02,08:00:30,12:00", "'shift_start'"),  # read as 08:00 before, its seconds dropped
    ("2026-11-02,08:00,12:00", "2026-11-02,08,12:00", "'shift_start'"),  # read as 08:00 before
    ("2026-11-02,08:00,12:00", "2026-11-02,T08:00,12:00", "'shift_start'"),  # read as 08:00 before
    ("2026-11-02,08:00,12:00", "2026-11-02,08:00,12:60", "'shift_end'"),
    (",10:00-10:15,", ",10:00-10:15:30,", "'breaks'"),  # read as 10:00-10:15 before
])
def test_a_time_that_is_not_hh_mm_is_refused_naming_line_and_column(tmp_path: Path, old: str, new: str, column: str) -> None:
    from sim.errors import ScenarioError
    from sim.history.followup import read_plan_staffing

    (tmp_path / "schedule.csv").write_text(SCHEDULE.replace(old, new), encoding="utf-8")
    with pytest.raises(ScenarioError, match=f"line 2, column {column}: .* is not (a clock time|spans)"):
        read_plan_staffing(tmp_path / "schedule.csv", 30)


def test_the_files_sim_staff_and_sim_schedule_write_read_as_their_own_coverage(tmp_path: Path) -> None:
    """The roster of ``sim.staff`` and the schedule of ``sim.schedule``, written as they write them,
    give per 30-minute interval the mean of the on-the-phones coverage they report per slot
    (``roster_coverage.csv``, ``coverage.csv``: their own code, not the follow-up's)."""
    import sim
    from sim.history.followup import read_plan_staffing
    from sim.schema import TeamConfig
    from sim.study.roster import build_roster
    from sim.study.schedule import build_schedule

    def by_interval(cov: pd.DataFrame, key: str) -> dict[tuple[str, str], float]:
        c = cov.assign(k=cov[key].astype(str), m=[int(x[:2]) * 60 + int(x[3:]) for x in cov["slot_start"]])
        g = c.groupby(["k", c["m"] // 30 * 30])["on_phones"].mean()
        return {(k, f"{m // 60:02d}:{m % 60:02d}"): float(v) for (k, m), v in g.items() if v}

    s = sim.load_scenario("default")
    roster = build_roster(s, {d: [3, 3, 4, 5, 5, 5, 4, 4, 3, 3, 4, 4, 4, 4, 3, 3, 2, 2] for d in ("mon", "tue", "wed", "thu", "fri")})
    roster.frame().to_csv(tmp_path / "roster.csv", index=False)
    ro, kind = read_plan_staffing(tmp_path / "roster.csv", 30)
    assert kind == "roster" and roster.frame()["breaks"].str.len().gt(0).any()
    assert _planned(ro, "weekday") == pytest.approx(by_interval(roster.coverage(), "weekday"))

    week = sim.load_scenario("default", ["staffing=flat", "staffing.agents=2", "schedule.start=2026-12-07", "schedule.end=2026-12-13",
                                         "schedule.time_limit_s=20"])
    team = TeamConfig.model_validate({"agents": [{"id": f"a{i}", "name": f"A{i}", "contract": 1.0} for i in range(4)]})
    sch = build_schedule(week, team)
    sch.frame().to_csv(tmp_path / "schedule.csv", index=False)
    st, kind = read_plan_staffing(tmp_path / "schedule.csv", 30)
    assert kind == "schedule" and sch.frame()["lunch"].str.len().gt(0).any()
    assert _planned(st, "date") == pytest.approx(by_interval(sch.coverage(), "date"))


def _layered(s: object, first: str, last: str) -> tuple[str, str, dict[tuple[str, int], float]]:
    """A schedule of the plan's weekday table over the month (one shift per layer and run of
    intervals; a 15-minute break in the third interval of every shift of 2 h or more, a
    30-minute lunch in the sixth of every shift of 4 h or more) and the equivalent dated staffing
    table, built alongside: the table less half an agent at each break and one at each lunch."""
    table = s.staffing.table  # type: ignore[attr-defined]
    rows, agents = [], {}
    for day in pd.date_range(first, last):
        wd = WEEKDAYS[day.weekday()]
        if wd not in table:
            continue
        need = table[wd]
        left = [float(n) for n in need]
        for k in range(1, max(need) + 1):
            i = 0
            while i < len(need):
                if need[i] < k:
                    i += 1
                    continue
                j = i
                while j < len(need) and need[j] >= k:
                    j += 1
                a, b = 480 + 30 * i, 480 + 30 * j
                brk, lunch = "", ""
                if j - i >= 4:
                    brk = f"{(a + 60) // 60:02d}:{(a + 60) % 60:02d}-{(a + 75) // 60:02d}:{(a + 75) % 60:02d}"
                    left[i + 2] -= 0.5
                if j - i >= 8:
                    lunch = f"{(a + 150) // 60:02d}:{(a + 150) % 60:02d}-{(a + 180) // 60:02d}:{(a + 180) % 60:02d}"
                    left[i + 5] -= 1.0
                rows.append(f"L{k}-{i},x,{day:%Y-%m-%d},{a // 60:02d}:{a % 60:02d},{b // 60:02d}:{b % 60:02d},{lunch},{brk},0\n")
                i = j
        for i, v in enumerate(left):
            agents[(f"{day:%Y-%m-%d}", 480 + 30 * i)] = v
    schedule = "agent,name,date,shift_start,shift_end,lunch,breaks,paid_h\n" + "".join(rows)
    staffing = "date;interval_start;agents\n" + "".join(f"{d};{m // 60:02d}:{m % 60:02d};{str(v).replace('.', ',')}\n"
                                                         for (d, m), v in agents.items())
    return schedule, staffing, agents


def test_the_month_with_a_schedule_is_the_month_with_its_staffing_table(month: tuple[Path, pd.DataFrame, FollowUp],
                                                                         tmp_path: Path) -> None:
    d = month[0]
    schedule, staffing, agents = _layered(plan_scenario(EXAMPLE_TRUTH, FIRST, LAST), FIRST, LAST)
    (tmp_path / "schedule.csv").write_text(schedule, encoding="utf-8")
    (tmp_path / "staffing.csv").write_text(staffing, encoding="utf-8")
    kw = {"plan": d / "plan.json", "replications": 2, "seed": 0}
    by_schedule = follow_up(d / "call_log.csv", "calls", d / "call_map.yaml", staffing=tmp_path / "schedule.csv", **kw)
    by_table = follow_up(d / "call_log.csv", "calls", d / "call_map.yaml", staffing=tmp_path / "staffing.csv", **kw)
    piv = by_schedule.plan_interval
    assert {(f"{r.date:%Y-%m-%d}", int(r.minute)): r.agents_plan for r in piv.itertuples()} == agents
    assert (piv["agents_plan"] % 1 != 0).any() and len(piv) == 21 * 18
    pd.testing.assert_frame_equal(piv, by_table.plan_interval)
    pd.testing.assert_frame_equal(by_schedule.plan_day, by_table.plan_day)
    assert len(by_schedule.attribution) >= 4
    pd.testing.assert_frame_equal(by_schedule.attribution, by_table.attribution)
    assert by_schedule.plan.staffing_source == f"{tmp_path / 'schedule.csv'} (schedule)"
    # the walk-through's table less the breaks: 16 h of breaks a day less than the plan's agent-hours
    plan_h = month[2].plan_day.set_index("date")["agent_hours_plan"]
    assert (plan_h - by_schedule.plan_day.set_index("date")["agent_hours_plan"]).gt(0).all()


def test_a_schedule_that_leaves_out_dates_or_the_month(month: tuple[Path, pd.DataFrame, FollowUp], tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    d = month[0]
    (tmp_path / "schedule.csv").write_text(SCHEDULE, encoding="utf-8")
    f = follow_up(d / "call_log.csv", "calls", d / "call_map.yaml", plan=d / "plan.json", staffing=tmp_path / "schedule.csv",
                  attribute=False)
    assert any("has no agent on the phones on 19 open date(s) of the plan: 2026-11-04, " in str(n) for n in f.notes)
    assert f.plan_day.set_index("date")["agent_hours_plan"].to_dict()[pd.Timestamp("2026-11-02")] == 7.25
    (tmp_path / "december.csv").write_text(SCHEDULE.replace("2026-11-", "2026-12-"), encoding="utf-8")
    base = [str(d / "call_log.csv"), "--kind", "calls", "--columns", str(d / "call_map.yaml"), "--out", str(tmp_path / "o"),
            "--no-attribution", "--plan", str(d / "plan.json")]
    err = _err(capsys, [*base, "--staffing", str(tmp_path / "december.csv")])
    assert "december.csv" in err and "2026-11" in err and "2026-12-02 to 2026-12-03" in err


@pytest.mark.parametrize(("text", "kind", "line", "column", "words"), [
    (SCHEDULE.replace("11:00-11:30", "11:30-11:00"), None, 3, "'lunch'", "HH:MM-HH:MM"),
    (SCHEDULE.replace(",10:00-10:15,", ",07:45-08:15,"), None, 2, "'breaks'", "outside the shift 08:00-12:00"),
    (SCHEDULE.replace("08:30,10:00", "10:30,10:00"), None, 4, "'shift_end'", "not after the shift start 10:30"),
    (SCHEDULE.replace("a3,Cia", "a1,Cia").replace("2026-11-03,16:00", "2026-11-03,09:00"), None, 5, "'shift_start'",
     "'a1' already works 08:30-10:00 on 2026-11-03 (line 4)"),
    (SCHEDULE.replace("2026-11-03,08:30", "2026-11-31,08:30"), None, 4, "'date'", "YYYY-MM-DD"),
    ("weekday,shift_start,shift_end,agents\nmon,08:00,12:00,2\ntue,08:00,12:00,two\n", None, 3, "'agents'", "a number of agents"),
    ("weekday,interval_start,agents\nmon,08:00,2\nmon,08:15,2\n", None, 3, "'interval_start'", "30-minute grid"),
    ("day,start,agents\nmon,08:00,2\n", None, 1, "'day', 'start', 'agents'", "a roster (weekday, shift_start, shift_end, agents"),
    (SCHEDULE, "roster", 1, "'weekday'", "has no column"),
])
def test_a_bad_roster_or_schedule_is_one_error_naming_line_and_column(month: tuple[Path, pd.DataFrame, FollowUp], tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str], text: str, kind: str | None,
                                                                      line: int, column: str, words: str) -> None:
    d = month[0]
    path = tmp_path / "plan_staffing.csv"
    path.write_text(text, encoding="utf-8")
    argv = [str(d / "call_log.csv"), "--kind", "calls", "--columns", str(d / "call_map.yaml"), "--out", str(tmp_path / "o"),
            "--no-attribution", "--plan", str(d / "plan.json"), "--staffing", str(path), *(["--plan-kind", kind] if kind else [])]
    err = _err(capsys, argv)
    assert str(path) in err and f"line {line}" in err and column in err and words in err, err


def test_the_forecast_of_a_plan_with_failure_demand_counts_its_repeats() -> None:
    """A plan with fcr 0.7 forecasts the calls the model offers (the Erlang plan's per
    interval), not the fresh calls alone (which would show a 39 % volume overrun)."""
    import datetime as dt

    import sim
    from sim.analysis.planning import erlang_plan
    from sim.history.followup import plan_intervals

    fd = sim.load_scenario("default", ["resolution=fcr70"])
    got = plan_intervals(fd, dt.date(2026, 11, 2), dt.date(2026, 11, 2))  # a Monday
    fresh = plan_intervals(sim.load_scenario("default"), dt.date(2026, 11, 2), dt.date(2026, 11, 2))
    assert np.isclose(got["forecast"].sum(), 1.39 * fresh["forecast"].sum())
    mon = erlang_plan(fd).query("weekday == 'mon'")["calls"].to_numpy()
    open_ = got[got["forecast"] > 0]["forecast"].to_numpy()
    assert np.allclose(open_, mon)

"""Scenario comparison: paired CIs under common random numbers, target verdicts, specs, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.faces.compare import main as cli_main
from sim.study.compare import Comparison, compare, pool_days

LOADED = ["staffing=flat", "demand.volume=600"]  # tiny: two December days, ~1,150 calls


@pytest.fixture(scope="module")
def agents() -> Comparison:
    """8 vs 10 agents on the same calls (8 agents is tight, 10 comfortable)."""
    scenarios = {
        "eight": sim.load_scenario("tiny", [*LOADED, "staffing.agents=8"]),
        "ten": sim.load_scenario("tiny", [*LOADED, "staffing.agents=10"]),
    }
    return compare(scenarios, reps=8, seed=11, workers=1, levels=("interval", "day", "run"))


def _run_rows(cmp: Comparison, label: str) -> pd.DataFrame:
    rows = cmp.kpis[(cmp.kpis["level"] == "run") & (cmp.kpis["scenario"] == label)]
    return rows.set_index("replication").sort_index()


def test_more_agents_are_better_with_a_ci_above_zero(agents: Comparison) -> None:
    d = agents.differences.set_index("kpi")
    sl = d.loc["service_level"]
    assert sl["scenario"] == "ten" and sl["baseline"] == "eight" and sl["pairs"] == 8
    assert sl["difference"] > 0 and sl["ci_low"] > 0, sl
    assert sl["assessment"] == "better"
    assert d.loc["availability", "ci_low"] > 0 and d.loc["availability", "assessment"] == "better"
    assert d.loc["asa_s", "ci_high"] < 0 and d.loc["asa_s", "assessment"] == "better"
    assert d.loc["staffed_s", "assessment"] == "costs more"
    # scheduled agent time: exactly 2 agents more over every open hour of the calendar
    open_s = sim.opening_hours(agents.scenarios["eight"])["open_h"].sum() * 3600
    assert d.loc["staffed_s", "difference"] == pytest.approx(2 * open_s)


def test_common_random_numbers_give_the_same_calls(agents: Comparison) -> None:
    a, b = _run_rows(agents, "eight"), _run_rows(agents, "ten")
    assert (a["offered"] == b["offered"]).all(), "staffing must not change the demand"
    assert a["offered"].nunique() > 1, "replications differ from each other"
    d = agents.differences.set_index("kpi").loc["offered"]
    assert d["difference"] == 0 and d["assessment"] == "identical"


def test_paired_ci_matches_a_hand_computation(agents: Comparison) -> None:
    a, b = _run_rows(agents, "eight"), _run_rows(agents, "ten")
    diff = (b["service_level"] - a["service_level"]).to_numpy()
    n = diff.size
    half = stats.t.ppf(0.975, n - 1) * diff.std(ddof=1) / np.sqrt(n)
    row = agents.differences.set_index("kpi").loc["service_level"]
    assert row["difference"] == pytest.approx(diff.mean())
    assert row["ci_low"] == pytest.approx(diff.mean() - half)
    assert row["ci_high"] == pytest.approx(diff.mean() + half)
    assert row["p_value"] == pytest.approx(stats.ttest_rel(b["service_level"], a["service_level"]).pvalue)
    # the same seeds make the scenarios positively correlated: pairing narrows the interval
    assert row["half_width"] < row["unpaired_half_width"]


def test_table_means_cis_and_verdicts_are_consistent(agents: Comparison) -> None:
    t = agents.table.set_index(["scenario", "kpi"])
    targets = agents.scenarios["eight"].targets
    bounds = {"availability": (targets.availability_min, True), "service_level": (targets.service_level_min, True),
              "asa_s": (targets.asa_max_s, False), "aht_s": (targets.aht_max_s, False),
              "logging_share": (targets.logging_min, True)}
    met_col = {"availability": "availability_met", "service_level": "service_level_met", "asa_s": "asa_met",
               "aht_s": "aht_met", "logging_share": "logging_met"}
    for label in agents.labels:
        rows = _run_rows(agents, label)
        for kpi, (bound, above) in bounds.items():
            r = t.loc[(label, kpi)]
            x = rows[kpi].to_numpy(float)
            assert r["mean"] == pytest.approx(x.mean())
            half = stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
            lo, hi = x.mean() - half, x.mean() + half
            lo = max(lo, 0.0)  # none of these can be negative: the t-interval cut at 0
            if kpi in ("availability", "service_level", "logging_share"):  # shares: also at 1
                hi = min(hi, 1.0)
            assert r["ci_low"] == pytest.approx(lo) and r["ci_high"] == pytest.approx(hi)
            assert bool(r["mean_met"]) == (r["mean"] > bound if above else r["mean"] < bound)
            if r["verdict"] == "meets":
                assert (r["ci_low"] > bound) if above else (r["ci_high"] < bound)
            elif r["verdict"] == "misses":
                assert (r["ci_high"] <= bound) if above else (r["ci_low"] >= bound)
            else:
                assert r["verdict"] == "uncertain" and r["ci_low"] <= bound <= r["ci_high"]
            # P(met) agrees with the runner's own per-replication judgement
            assert r["p_met"] == pytest.approx(rows[met_col[kpi]].astype(bool).mean())
    sl = t.xs("service_level", level="kpi")
    assert sl.loc["ten", "mean"] > sl.loc["eight", "mean"]
    assert sl.loc["ten", "p_met"] >= sl.loc["eight", "p_met"]


def test_days_missed_count_the_daily_flags(agents: Comparison) -> None:
    per = agents.per_replication("run").set_index(["scenario", "replication"])
    days = agents.level("day")
    for (label, k), g in days.groupby(["scenario", "replication"]):
        g = g[g["offered"] > 0]
        assert per.loc[(label, k), "open_days"] == len(g) == 2
        assert per.loc[(label, k), "days_missed_service_level"] == (~g["service_level_met"].astype(bool)).sum()
        assert per.loc[(label, k), "days_missed_any"] == (~g["all_met"].astype(bool)).sum()
    t = agents.table.set_index(["scenario", "kpi"])
    assert t.loc[("eight", "days_missed_service_level"), "mean"] >= t.loc[("ten", "days_missed_service_level"), "mean"]


def test_pooling_every_day_equals_the_whole_run(agents: Comparison) -> None:
    pooled = pool_days(agents.level("day")).set_index(["scenario", "replication"])
    run = agents.level("run").set_index(["scenario", "replication"])
    for kpi in ("offered", "answered", "service_level", "availability", "staffed_s", "overtime_s"):
        pd.testing.assert_series_equal(pooled[kpi].astype(float), run[kpi].astype(float).reindex(pooled.index), check_names=False)
    assert pooled["asa_s"].to_numpy() == pytest.approx(run["asa_s"].reindex(pooled.index).to_numpy())


def test_intraday_covers_the_opening_hours(agents: Comparison) -> None:
    intra = agents.intraday()
    asa = intra[intra["kpi"] == "asa_s"]
    assert set(asa["scenario"]) == {"eight", "ten"}
    assert asa["clock"].min() == "08:00" and asa["clock"].max() == "16:30"
    # the mean over replications of each replication's ASA per time of day (answered-weighted over its days)
    rows = agents.level("interval")
    rows = rows[rows["offered"] > 0].assign(clock=pd.to_datetime(rows["period"]).dt.strftime("%H:%M"),
                                            waited=rows["asa_s"].fillna(0) * rows["answered"])
    g = rows.groupby(["scenario", "clock", "replication"])[["waited", "answered"]].sum()
    per_rep = (g["waited"] / g["answered"].where(g["answered"] > 0)).unstack("replication")  # (scenario, clock) x replication
    peak = asa.set_index(["scenario", "clock"])["mean"]
    assert peak.to_numpy() == pytest.approx(per_rep.mean(axis=1).reindex(peak.index).to_numpy())
    # fewer agents wait longer: the replications share their calls (common random numbers), so the
    # difference eight − ten is paired per replication. Over the day (the sum over the 18 times of
    # day of each replication's difference, n = 8 replications) it is above 0 at one-sided 99.9 %
    # (t with 7 df); no time of day has ten agents waiting longer at the Bonferroni level 0.001 / 18
    # (was: eight waits at least as long in more than 80 % of the times of day).
    diff = (per_rep.loc["eight"] - per_rep.loc["ten"]).fillna(0.0)  # no answered call in both: no wait either
    n = diff.shape[1]
    day = diff.sum(axis=0)
    assert n == 8 and len(diff) == 18
    assert day.mean() - stats.t.ppf(0.999, n - 1) * day.std(ddof=1) / np.sqrt(n) > 0, day
    se = diff.std(axis=1, ddof=1) / np.sqrt(n)
    assert (diff.mean(axis=1) >= -stats.t.ppf(1 - 0.001 / len(diff), n - 1) * se).all(), (diff.mean(axis=1), se)


def test_save_and_load_round_trip(agents: Comparison, tmp_path) -> None:
    agents.save(tmp_path)
    back = Comparison.load(tmp_path)
    assert back.labels == agents.labels and back.seed == agents.seed and back.replications == 8
    pd.testing.assert_frame_equal(back.table, agents.table)
    assert back.scenarios["ten"] == agents.scenarios["ten"]
    assert {"table.csv", "differences.csv", "daily.csv", "intraday.csv", "kpis.parquet"} <= {p.name for p in tmp_path.iterdir()}


def test_cli_compares_writes_and_resumes(tmp_path, capsys) -> None:
    out = tmp_path / "cmp"
    args = ["tiny", "more=tiny:staffing.agents=14", "--reps", "2", "--workers", "1", "--out", str(out),
            "-o", "demand.volume=300", "--set", "more", "run.seed=5", "--no-interval"]
    cli_main(args)
    text = capsys.readouterr().out
    assert "Paired differences to tiny" in text and "more − tiny" in text
    meta = json.loads((out / "meta.json").read_text())
    assert meta["labels"] == ["tiny", "more"] and meta["replications"] == 2
    scen = json.loads((out / "scenarios.json").read_text())
    assert scen["more"]["staffing"]["agents"] == 14 and scen["more"]["demand"]["volume"] == 300
    assert scen["more"]["run"]["seed"] == 5 and scen["tiny"]["run"]["seed"] != 5
    assert (out / "report.html").exists() and (out / "compare_daily.png").exists()
    # every scenario used the baseline's seed, whatever its own run.seed
    assert meta["seed"] == scen["tiny"]["run"]["seed"]
    (tiny,) = out.glob("tiny_seed*")
    before = (tiny / "replications" / "rep_000000.parquet").stat().st_mtime_ns
    cli_main(args)  # resumes: nothing recomputed
    assert (tiny / "replications" / "rep_000000.parquet").stat().st_mtime_ns == before
    # only -o changes: a folder of its own per changed scenario, not a refusal
    cli_main([*args[:-1], "-o", "demand.volume=310", "--no-interval"])
    assert len(list(out.glob("tiny_seed*"))) == 2 and len(list(out.glob("more_seed*"))) == 2
    assert (tiny / "replications" / "rep_000000.parquet").stat().st_mtime_ns == before


def test_cli_reports_a_bad_scenario_without_a_traceback(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        cli_main(["tiny", "tiny:staffing.agents=-1", "--out", str(tmp_path)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "staffing.agents" in err and "Traceback" not in err


def test_module_entry_point() -> None:
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run([sys.executable, "-m", "sim.compare", "--help"], cwd=Path(__file__).resolve().parents[2],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "python -m sim.compare" in done.stdout and "SPEC" in done.stdout


def test_the_comparison_judges_differences_with_montecarlo_practical(agents: Comparison) -> None:
    d = agents.differences.set_index("kpi")
    practical = agents.scenarios["eight"].montecarlo.practical
    assert d.loc["availability", "practical"] == practical["availability"] == 0.005
    assert np.isnan(d.loc["staffed_s", "practical"])
    assert d.loc["staffed_s", "practical_assessment"] == d.loc["staffed_s", "assessment"] == "costs more"
    for kpi in ("availability", "service_level", "asa_s", "aht_s"):
        r = d.loc[kpi]
        small = abs(r["difference"]) < r["practical"] or (-r["practical"] < r["ci_low"] and r["ci_high"] < r["practical"])
        assert r["practical_assessment"] == ("no practical difference" if small and r["assessment"] != "identical" else r["assessment"])
    assert d.loc["service_level", "practical_assessment"] == "better"  # 2 agents more: a clear, large effect
    # AHT does not depend on the staffing level: whatever the statistics say, it is no practical difference
    assert d.loc["aht_s", "practical_assessment"] in ("no practical difference", "identical")


def test_failure_demand_modelled_on_one_side_is_shown_for_that_side_only(tmp_path, capsys) -> None:
    """resolution=fcr70 against a scenario without failure demand: FCR, repeat contacts per
    matter and resolution time belong to fcr70 only (the other *assumes* every answered call
    resolves the matter), the KPIs both have are compared as usual, and the feature KPIs that
    neither models (callbacks, transfers) have no row at all."""
    out = tmp_path / "cmp"
    cli_main(["base=tiny", "fcr70=tiny:resolution=fcr70", "--reps", "3", "--workers", "1", "--out", str(out), "--no-interval"])
    text = capsys.readouterr().out
    table, diffs = text.split("Paired differences to base")

    def by_kpi(part: str) -> dict[str, str]:
        return {line.split()[0]: line for line in part.splitlines() if line.strip() and not line.startswith(" ")}

    rows, diff_rows = by_kpi(table), by_kpi(diffs)
    for kpi in ("fcr", "repeat_contacts_per_matter", "resolution_time_h"):
        assert "not modelled" in rows[kpi], rows[kpi]
        assert "not compared" in diff_rows[kpi], diff_rows[kpi]
    assert "%" in rows["fcr"].split("not modelled")[1]  # fcr70's own FCR
    assert "not compared" in diff_rows["repeat_contact_ratio"] and "n/a" not in text
    assert "higher" in diff_rows["offered"]  # the repeat calls: compared as usual
    assert not any(k.startswith(("callback", "transfer")) for k in [*rows, *diff_rows]), "neither models callbacks or transfers"
    assert "Failure demand is modelled in fcr70 only" in text
    assert "in base every answered call is assumed to resolve the customer's matter at its first contact" in text
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "not modelled" in report and "Failure demand is modelled in fcr70 only" in report
    assert "Enabled in: fcr70." in report


def test_a_kpi_a_scenario_does_not_model_is_not_compared_even_if_the_runner_computed_it() -> None:
    """With callbacks on in both, the runner writes feature KPIs for both, and the one without
    failure demand gets an FCR of 100 % by assumption: it must not be summarized or compared."""
    scenarios = {
        "base": sim.load_scenario("tiny", ["callbacks=on"]),
        "fcr70": sim.load_scenario("tiny", ["callbacks=on", "resolution=fcr70"]),
    }
    cmp = compare(scenarios, reps=2, seed=3, workers=1, levels=("day", "run"))
    assert (cmp.level("run").query("scenario == 'base'")["fcr"] == 1.0).all()  # what the runner wrote
    assert cmp.modelled("fcr") == ["fcr70"] and cmp.modelled("offered") == ["base", "fcr70"]
    t = cmp.table.set_index(["scenario", "kpi"])
    assert np.isnan(t.loc[("base", "fcr"), "mean"]) and t.loc[("fcr70", "fcr"), "mean"] < 0.9
    assert t.loc[("base", "callbacks_accepted"), "replications"] == 2  # both model callbacks: summarized and compared
    d = cmp.differences.set_index("kpi")
    assert d.loc["fcr", "pairs"] == 0 and d.loc["fcr", "assessment"] == "n/a"
    assert d.loc["offered", "pairs"] == 2 and d.loc["callbacks_accepted", "pairs"] == 2


def test_models_says_which_scenario_models_a_feature_kpi() -> None:
    from sim.study.compare import models

    plain = sim.load_scenario("tiny")
    every = sim.load_scenario("tiny", ["callbacks=on", "transfers=warm", "repeats=on", "cases=on", "resolution=fcr70"])
    redials = sim.load_scenario("tiny", ["repeats=on"])
    feature_kpis = ("callbacks_accepted", "transfers_warm", "repeat_contact_ratio", "fcr", "resolution_time_h",
                    "case_within_target", "within_target_fault_report")
    assert not any(models(plain, k) for k in feature_kpis) and all(models(every, k) for k in feature_kpis)
    assert models(redials, "repeat_calls") and not models(redials, "fcr")  # redials are repeat calls, not failure demand
    assert all(models(plain, k) for k in ("offered", "service_level", "staffed_s", "days_missed_any"))


def test_a_damaged_comparison_folder_is_named_not_a_traceback(tmp_path: Path) -> None:
    """``Comparison.load`` (``python -m sim.report``, the page) on a folder with a missing or
    damaged file: a ScenarioError naming the folder and the file (it was a FileNotFoundError or
    a JSONDecodeError traceback)."""
    from sim.errors import ScenarioError
    from sim.study.compare import Comparison

    (tmp_path / "meta.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"scenarios\.json — it is missing"):
        Comparison.load(tmp_path)
    (tmp_path / "meta.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"meta\.json — it is damaged"):
        Comparison.load(tmp_path)

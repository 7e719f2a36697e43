"""The KPI catalogue (sim/catalogue.py): every emitted KPI column has an entry, and the lists
the package derives from it agree with it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import sim
from sim import catalogue as C
from sim.analysis import kpis as K
from sim.analysis import stats
from sim.analysis.case_kpis import CASE_KPI_COLUMNS, KIND_SHARE, case_kpis, case_summary
from sim.analysis.paired import paired_differences, summarize_replications
from sim.schema import PRACTICAL, MonteCarloConfig, TargetsConfig
from sim.study.compare import DAYS_MISSED, Comparison
from sim.study.runner import result_kpis

KEYS = {"level", "period", "replication", "scenario"}
FLAGS = {"all_met", "case_targets_met"}  # flags without a KPI of their own
MET = {k.met for k in C.CATALOGUE if k.met}


@pytest.fixture(scope="module")
def everything() -> sim.SimResult:
    """Two days of the tiny scenario with callbacks, warm transfers, repeat contacts and cases."""
    s = sim.load_scenario("tiny", ["callbacks=on", "transfers=warm", "repeats=on", "cases=on"])
    return sim.simulate(s, seed=1)


def _unknown(columns: object) -> list[str]:
    return [c for c in columns if c not in KEYS | FLAGS | MET and C.kpi(c) is None]  # type: ignore[attr-defined]


def test_every_column_the_kpi_functions_emit_has_an_entry(everything: sim.SimResult) -> None:
    r = everything
    table = K.kpi_table(r.calls, "D", r.agents)
    assert _unknown(table.columns) == []
    assert _unknown(K.judge(table).columns) == []
    assert _unknown(K.feature_kpis(r.calls, "D").columns) == []
    assert _unknown(K.summary(r.calls, r.agents, r.scenario.targets)["kpi"]) == []
    kinds = tuple(r.scenario.cases.kinds)
    assert _unknown(case_kpis(r.cases, "D", kinds).columns) == []
    assert _unknown(case_summary(r.cases, kinds, 0.9, pd.Timestamp(r.scenario.run.end))) == []
    assert _unknown(CASE_KPI_COLUMNS) == []


def test_every_column_of_the_monte_carlo_and_comparison_rows_has_an_entry(everything: sim.SimResult) -> None:
    rows = result_kpis(everything, ("interval", "day", "month", "run"))
    assert {f"{KIND_SHARE}fault_report", "case_busy_s", "callbacks_made", "transfers_warm", "repeat_calls"} <= set(rows.columns)
    assert _unknown(rows.columns) == []
    both = pd.concat([rows.assign(scenario=lb, replication=0) for lb in ("a", "b")], ignore_index=True)
    cmp = Comparison({"a": everything.scenario, "b": everything.scenario}, 1, 1, both)
    run = cmp.per_replication("run")
    assert {"open_days", *DAYS_MISSED} <= set(run.columns)
    assert _unknown(run.columns) == []
    assert _unknown(cmp.pooled({"all": pd.to_datetime(rows["period"]).dt.normalize().unique()}).columns) == ["group"]
    # every KPI of the summaries is catalogued: the tables, the differences
    assert _unknown(cmp.table["kpi"]) == [] and _unknown(cmp.differences["kpi"]) == []


def test_the_rules_judge_applies_are_the_catalogue_targets() -> None:
    rules = {r.kpi_column: r for r in K._RULES}
    assert tuple(rules) == C.TARGET_KPIS == ("availability", "service_level", "asa_s", "aht_s", "logging_share")
    for name, rule in rules.items():
        entry = C.kpi(name)
        assert entry is not None and (rule.met_column, rule.bound_attr, rule.above) == (entry.met, entry.target, entry.above)
        assert not entry.inclusive, "the agreement's call targets are strict"
        assert rule.bound_attr in TargetsConfig.model_fields
    assert K.MET_COLUMNS == (*(C.kpi(n).met for n in C.TARGET_KPIS), "all_met")  # type: ignore[union-attr]
    assert stats.MET_OF == C.MET_OF == {**{n: C.kpi(n).met for n in C.TARGET_KPIS}, "case_within_target": "case_met"}  # type: ignore[union-attr]
    assert list(DAYS_MISSED) == ["days_missed_availability", "days_missed_service_level", "days_missed_asa",
                                 "days_missed_aht", "days_missed_logging", "days_missed_any"]


def test_every_target_key_is_a_targets_config_field_and_the_dataclass_matches_it() -> None:
    keys = {k.target for k in (*C.CATALOGUE, C.KIND_ENTRY) if k.target}
    assert keys <= set(TargetsConfig.model_fields)
    fields = {f.name: f.default for f in dataclasses.fields(K.Targets)}
    assert set(fields) == {r.bound_attr for r in K._RULES} | {"threshold_s"}
    defaults = TargetsConfig()
    assert all(getattr(defaults, name) == value for name, value in fields.items())
    with pytest.raises(ValueError, match="logging_min must be in"):
        K.Targets(logging_min=1.5)
    with pytest.raises(ValueError, match="aht_max_s must be a finite"):
        K.Targets(aht_max_s=float("nan"))


def test_target_texts_as_the_summary_and_the_comparison_print_them() -> None:
    t = TargetsConfig()
    assert K._target_texts(t) == {"availability": "> 91 %", "service_level": "> 90 % (wait <= 90 s)", "asa_s": "< 90 s",
                                  "aht_s": "< 350 s", "logging_share": "> 90 %"}
    assert C.target_text("service_level", t) == "> 90 %"
    assert C.target_text(f"{KIND_SHARE}fault_report", t) == "≥ 90 %"
    assert C.target_text("case_within_target", t) is None and C.target_text("offered", t) is None


def test_formats_units_and_the_report_lists_agree() -> None:
    from sim.faces import formats, report
    from sim.faces.app import logic

    for k in C.CATALOGUE:
        assert (k.fmt == "percent") == (k.unit == "share") == (k.name in C.SHARES), k
        assert k.direction != "agent_time" or k.fmt == "agent_hours", k
    assert formats.PERCENT == C.SHARES and len(formats.PERCENT) == 10  # fcr is the tenth share
    assert formats.HOURS == {"staffed_s", "present_s", "busy_s", "overtime_s", "case_busy_s"}
    assert report.TARGET_KPIS == logic.TARGET_KPIS == C.TARGET_KPIS
    assert C.is_share(f"{KIND_SHARE}case_order") and not C.is_share("asa_s") and not C.is_share("nonsense")


def test_every_emitted_kpi_has_its_own_label_in_both_languages(everything: sim.SimResult) -> None:
    """Every KPI column the KPI functions and the Monte Carlo rows emit has a label the report
    shows: not empty, not the bare column name, different from every other KPI's, and
    translated into Swedish."""
    from sim.faces import report
    from sim.faces.i18n import language

    rows = result_kpis(everything, ("day", "run"))
    emitted = [c for c in (*K.kpi_table(everything.calls, "D", everything.agents).columns, *rows.columns)
               if c not in KEYS | FLAGS | MET]
    assert len(emitted) > 40
    labels = {c: report.kpi_label(c) for c in dict.fromkeys(emitted)}
    for column, label in labels.items():
        assert label.strip() and label != column, column
    assert len(set(labels.values())) == len(labels), {c: lb for c, lb in labels.items() if list(labels.values()).count(lb) > 1}
    with language("sv"):
        swedish = {c: report.kpi_label(c) for c in labels}
    assert len(set(swedish.values())) == len(swedish)
    untranslated = [c for c in labels if swedish[c] == labels[c]]
    assert untranslated == [], untranslated


def test_the_met_rule_follows_the_catalogues_strictness(monkeypatch: pytest.MonkeyPatch) -> None:
    """One rule (:func:`sim.analysis.kpis.meets`) for ``judge`` and the comparison: strict for the
    call targets, at the bound too for a kind's ``case_share_min``; NaN is never met."""
    from sim.analysis import paired

    v = np.array([0.89, 0.9, 0.91, np.nan])
    assert K.meets(v, 0.9, True, False).tolist() == [False, False, True, False]
    assert K.meets(v, 0.9, True, True).tolist() == [False, True, True, False]
    assert K.meets(v, 0.9, False, True).tolist() == [True, True, False, False]
    assert paired.meets is K.meets
    # judge takes the strictness from the catalogue: an "at least" availability is met at its bound
    entry = C.kpi("availability")
    assert entry is not None
    patched = tuple(dataclasses.replace(k, inclusive=True) if k.name == "availability" else k for k in C.CATALOGUE)
    monkeypatch.setattr(K, "CATALOGUE", patched)
    monkeypatch.setattr(K, "_RULES", K._rules())
    kpis = pd.DataFrame({"availability": [0.91, 0.9], "service_level": [0.95] * 2, "asa_s": [10.0] * 2, "aht_s": [300.0] * 2,
                         "logging_share": [0.95] * 2})
    judged = K.judge(kpis, K.Targets(availability_min=0.91))
    assert judged["availability_met"].tolist() == [True, False]
    monkeypatch.undo()
    assert K.judge(kpis, K.Targets(availability_min=0.91))["availability_met"].tolist() == [False, False]
    # the comparison's verdicts at a kind's bound: met (>=), as the catalogue says
    kind = f"{KIND_SHARE}fault_report"
    frame = pd.DataFrame({"scenario": "a", "replication": [0, 1], kind: [0.9, 0.9]})
    row = summarize_replications(frame, [kind], ("scenario",), {"a": TargetsConfig()}).iloc[0]
    assert bool(row["mean_met"]) and row["verdict"] == "meets" and row["p_met"] == 1.0


def test_the_paired_intervals_are_the_t_half_widths() -> None:
    x = np.array([0.90, 0.92, 0.95, 0.91])
    y = np.array([0.88, 0.91, 0.92, 0.90])
    frame = pd.DataFrame({"scenario": ["b"] * 4 + ["a"] * 4, "replication": [0, 1, 2, 3] * 2, "service_level": [*x, *y]})
    r = paired_differences(frame, ["service_level"], "a").iloc[0]
    d = x - y
    q = 3.182446305284263  # t(0.975, 3), from a table
    assert r["half_width"] == pytest.approx(q * d.std(ddof=1) / 2, rel=1e-12)
    assert r["unpaired_half_width"] == pytest.approx(q * np.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 4), rel=1e-12)
    assert r["ci_low"] == pytest.approx(d.mean() - r["half_width"]) and r["pairs"] == 4


def test_schema_keys_come_from_the_catalogue() -> None:
    assert set(PRACTICAL) <= C.PRACTICAL_KPIS
    assert C.PRECISION_KPIS == {"availability", "service_level", "asa_s", "mean_wait_all_s", "aht_s", "logging_share",
                                "occupancy", "overtime_s"}
    allowed = "aht_s, asa_s, availability, logging_share, mean_wait_all_s, occupancy, overtime_s, service_level"
    with pytest.raises(ValueError, match=f"precision.p90_wait_s: unknown KPI; allowed: {allowed}"):
        MonteCarloConfig(precision={"p90_wait_s": 1.0})
    MonteCarloConfig(precision={"overtime_s": 60.0}, practical={"case_within_target": 0.01})


def test_p_met_is_the_share_judged_met_with_its_wilson_interval() -> None:
    keys = pd.DataFrame({"period": ["a"] * 5 + ["b"] * 2})
    met = np.array([1, 1, 1, 0, 0, 0, 0], bool)
    judged = np.array([1, 1, 1, 1, 0, 0, 0], bool)
    out = stats.p_met(keys, met, judged).set_index("period")
    assert out.loc["a", "met"] == 3 and out.loc["a", "judged"] == 4 and out.loc["a", "p_met"] == 0.75
    z, n, p = 1.959963984540054, 4, 0.75  # Wilson by hand
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert out.loc["a", "p_met_low"] == pytest.approx(centre - half) and out.loc["a", "p_met_high"] == pytest.approx(centre + half)
    assert out.loc["b", "judged"] == 0 and out.loc["b", ["p_met", "p_met_low", "p_met_high"]].isna().all()
    flags = pd.DataFrame({"period": ["a"] * 4, "all_met": pd.array([True, False, pd.NA, True], dtype="boolean")})
    assert stats.p_met_of_flags(flags, "all_met").iloc[0][["met", "judged"]].tolist() == [2, 3]


# ---------------------------------------------------------------- lists that were wrong, now derived


def test_repeat_contact_ratio_is_a_share_so_its_interval_is_cut_to_0_1() -> None:
    # was missing from study/compare.py's SHARES: its t-interval could read below 0 %
    frame = pd.DataFrame({"scenario": "a", "replication": [0, 1], "repeat_contact_ratio": [0.0, 0.02]})
    row = summarize_replications(frame, ["repeat_contact_ratio"], ("scenario",)).iloc[0]
    assert row["half_width"] > row["mean"] and row["ci_low"] == 0.0


def test_case_kind_shares_and_case_agent_time_have_a_direction() -> None:
    # were "higher"/"lower" (no direction); a kind's share is better higher, like case_within_target,
    # and agent-hours on cases are agent time, like staffed_s
    kind = f"{KIND_SHARE}fault_report"
    frame = pd.DataFrame({"scenario": ["a"] * 3 + ["b"] * 3, "replication": [0, 1, 2] * 2,
                          kind: [0.5, 0.6, 0.7, 0.8, 0.85, 0.95], "case_busy_s": [100.0, 110, 120, 200, 230, 250]})
    d = paired_differences(frame, [kind, "case_busy_s"], "a").set_index("kpi")["assessment"]
    assert d[kind] == "better" and d["case_busy_s"] == "costs more"


def test_the_monte_carlo_line_of_a_case_share_is_in_per_cent() -> None:
    # was printed as a bare 0.93 (mc._fmt_row knew four percentages)
    from sim.faces.mc import _fmt_row

    row = pd.Series({"kpi": "case_within_target", "mean": 0.93, "ci_low": 0.9, "ci_high": 0.96, "p_met": 0.5})
    assert _fmt_row(row).split()[1:3] == ["93.00", "%"]
    hours = pd.Series({"kpi": "overtime_s", "mean": 7200.0, "ci_low": 3600.0, "ci_high": 10800.0, "p_met": np.nan})
    assert _fmt_row(hours).split()[1:3] == ["2.00", "h"]

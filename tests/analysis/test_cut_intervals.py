"""Intervals of KPIs that cannot be negative (issue 23): the catalogue says which they are
(from the unit), and the summaries of a level cut their interval at 0 (a share also at 1), but
never the interval of a difference between scenarios."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim import catalogue as C
from sim.analysis.paired import paired_differences, summarize_replications
from sim.analysis.stats import cut_at, summarize


def test_every_unit_of_the_catalogue_is_known_to_be_non_negative_or_signed() -> None:
    units = {k.unit for k in (*C.CATALOGUE, C.KIND_ENTRY)}
    assert units <= C.NON_NEGATIVE_UNITS | C.SIGNED_UNITS, units - (C.NON_NEGATIVE_UNITS | C.SIGNED_UNITS)
    for name in ("asa_s", "p90_wait_s", "overtime_s", "staffed_s", "offered", "days_missed_any", "work_h_mean",
                 "backlog_end", "resolution_time_h", "repeat_contacts_per_matter", "availability", "within_target_x"):
        assert C.value_range(name)[0] == 0.0, name
    assert C.value_range("asa_s") == (0.0, math.inf) and C.value_range("availability") == (0.0, 1.0)
    assert C.value_range("within_target_fault_report") == (0.0, 1.0)
    assert C.value_range("not_a_kpi") == (-math.inf, math.inf)
    assert all(C.value_range(k) == (0.0, 1.0) for k in C.SHARES)


def _two_scenarios() -> pd.DataFrame:
    # two replications far apart: the t-interval (t = 12.7) of each mean reaches below zero
    return pd.DataFrame({
        "scenario": ["a", "a", "b", "b"], "replication": [0, 1, 0, 1],
        "asa_s": [2.0, 14.0, 3.0, 15.0], "overtime_s": [0.0, 1800.0, 0.0, 2000.0], "days_missed_any": [0.0, 1.0, 0.0, 1.0],
        "availability": [0.99, 0.90, 0.98, 0.91],
    })


def test_the_interval_of_a_level_is_cut_at_0_and_the_half_width_stays_the_t_intervals() -> None:
    kpis = ["asa_s", "overtime_s", "days_missed_any", "availability"]
    s = summarize_replications(_two_scenarios(), kpis, ("scenario",)).set_index(["scenario", "kpi"])
    for kpi in ("asa_s", "overtime_s", "days_missed_any"):
        r = s.loc[("a", kpi)]
        assert r["mean"] - r["half_width"] < 0  # the t-interval alone would go below zero
        assert r["ci_low"] == 0.0 and r["ci_high"] == r["mean"] + r["half_width"]
        assert cut_at(kpi, r["mean"], r["half_width"]) == (0.0,)
    r = s.loc[("a", "availability")]
    assert r["ci_high"] == 1.0 and r["ci_low"] == r["mean"] - r["half_width"] > 0
    assert cut_at("availability", r["mean"], r["half_width"]) == (1.0,)
    assert cut_at("aht_s", 300.0, 10.0) == () and cut_at("asa_s", 5.0, float("nan")) == ()


def test_the_monte_carlo_summary_cuts_the_same_way() -> None:
    rows = _two_scenarios().query("scenario == 'a'").drop(columns="scenario").assign(level="run", period="2026-12-01")
    s = summarize(rows, "run", ["asa_s", "overtime_s", "availability"]).set_index("kpi")
    assert s.loc["asa_s", "ci_low"] == 0.0 and s.loc["overtime_s", "ci_low"] == 0.0
    assert s.loc["availability", "ci_high"] == 1.0
    assert (s["half_width"] > s["mean"]).loc[["asa_s", "overtime_s"]].all()


def test_the_interval_of_a_difference_is_not_cut() -> None:
    frame = _two_scenarios().assign(asa_s=[2.0, 14.0, 10.0, 8.0])  # b − a: +8, −6
    d = paired_differences(frame, ["asa_s", "overtime_s"], "a").set_index("kpi")
    assert d.loc["asa_s", "ci_low"] < 0 < d.loc["asa_s", "ci_high"]
    assert np.isclose(d.loc["asa_s", "ci_low"], d.loc["asa_s", "difference"] - d.loc["asa_s", "half_width"])

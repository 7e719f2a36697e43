"""Statistics of replications run with common random numbers (sim/analysis/paired.py):
summaries against the targets, paired differences, practical verdicts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.paired import paired_differences, practical_assessment, summarize_replications
from sim.schema import TargetsConfig


def test_summaries_of_groups_and_paired_groups() -> None:
    frame = pd.DataFrame({
        "scenario": ["a"] * 4 + ["b"] * 4,
        "group": ["g", "g", "h", "h"] * 2,
        "replication": [0, 1, 0, 1] * 2,
        "x": [1.0, 3.0, 10.0, 10.0, 2.0, 5.0, 10.0, 10.0],
    })
    s = summarize_replications(frame, ["x"], ("scenario", "group")).set_index(["scenario", "group"])
    assert s.loc[("a", "g"), "mean"] == 2.0 and s.loc[("b", "g"), "mean"] == 3.5
    d = paired_differences(frame, ["x"], "a", ("group",)).set_index("group")
    assert d.loc["g", "difference"] == 1.5 and d.loc["g", "pairs"] == 2
    assert d.loc["h", "assessment"] == "identical"



def test_share_intervals_stay_within_0_and_1_and_cover_as_often_as_the_t_interval() -> None:
    rng = np.random.default_rng(5)
    true_mean = 50 / 52  # Beta(50, 2): shares near 1, as availability is
    reps = rng.beta(50, 2, size=(2000, 2))
    frame = pd.DataFrame({
        "scenario": "a", "period": np.repeat(np.arange(2000), 2), "replication": np.tile([0, 1], 2000),
        "availability": reps.ravel(), "asa_s": reps.ravel(),  # the same numbers as a share and as seconds
    })
    s = summarize_replications(frame, ["availability", "asa_s"])
    share, other = s[s["kpi"] == "availability"], s[s["kpi"] == "asa_s"]
    assert (share["ci_low"] >= 0).all() and (share["ci_high"] <= 1).all()
    assert (other["ci_high"] > 1).any()  # with 2 replications the t-interval of the same numbers passes 100 %
    assert (share["ci_low"] <= share["mean"]).all() and (share["mean"] <= share["ci_high"]).all()
    covered = (share["ci_low"] <= true_mean) & (true_mean <= share["ci_high"])
    covered_t = (other["ci_low"] <= true_mean) & (true_mean <= other["ci_high"])
    assert (covered.to_numpy() == covered_t.to_numpy()).all()  # cutting at 1 loses no coverage
    assert np.array_equal(share["half_width"].to_numpy(), other["half_width"].to_numpy())



def test_practical_verdicts_say_when_a_difference_is_too_small_to_matter() -> None:
    assert practical_assessment("worse", -0.0012, -0.0002, -0.0007, 0.005) == "no practical difference"
    assert practical_assessment("better", -0.3, 0.1, -0.1, 2.0) == "no practical difference"
    assert practical_assessment("worse", -0.047, -0.035, -0.041, 0.005) == "worse"
    assert practical_assessment("worse", -0.008, -0.002, -0.004, 0.005) == "no practical difference"  # mean below
    assert practical_assessment("worse", -0.012, -0.001, -0.0065, 0.005) == "worse"  # mean above the threshold
    assert practical_assessment("no clear difference", -0.03, 0.02, -0.005, 0.005) == "no clear difference"  # too wide
    assert practical_assessment("worse", -0.047, -0.035, -0.041, float("nan")) == "worse"  # no threshold
    assert practical_assessment("identical", 0.0, 0.0, 0.0, 0.005) == "identical"
    from sim.faces.report import judged  # how sim.compare and its report word it

    assert judged(pd.Series({"assessment": "worse", "practical_assessment": "no practical difference"})) == (
        "no practical difference (statistically worse)")
    assert judged(pd.Series({"assessment": "worse", "practical_assessment": "worse"})) == "worse"



def test_a_share_exactly_at_the_bound_meets_it() -> None:
    frame = pd.DataFrame({"scenario": "a", "replication": [0, 1, 2, 3],
                          "within_target_fault_report": [0.9, 0.95, 0.9, 0.89], "service_level": [0.9, 0.95, 0.91, 0.92]})
    s = summarize_replications(frame, ["within_target_fault_report", "service_level"], ("scenario",),
                               {"a": TargetsConfig()}).set_index("kpi")
    assert s.loc["within_target_fault_report", "p_met"] == 0.75  # 0.9 >= 0.9 meets a case target
    assert s.loc["service_level", "p_met"] == 0.75  # 0.9 > 0.9 does not meet the strict call target


def test_a_count_of_calls_is_better_only_when_the_same_calls_were_offered() -> None:
    """More calls answered is better when both scenarios were offered the same calls (common
    random numbers, a staffing change); when one is offered more (repeat calls of failure
    demand, more demand) it is only "higher": the shares say whether the service is better."""
    import pandas as pd

    from sim.analysis.paired import paired_differences

    def frame(offered_b: list[int]) -> pd.DataFrame:
        return pd.DataFrame({"scenario": ["a"] * 3 + ["b"] * 3, "replication": [0, 1, 2] * 2,
                             "offered": [100, 110, 90, *offered_b], "answered": [90, 99, 80, 96, 106, 86]})

    same = paired_differences(frame([100, 110, 90]), ["offered", "answered"], "a").set_index("kpi")
    more = paired_differences(frame([108, 118, 97]), ["offered", "answered"], "a").set_index("kpi")
    assert same.loc["answered", "assessment"] == "better" and same.loc["offered", "assessment"] == "identical"
    assert more.loc["answered", "assessment"] == "higher" and more.loc["offered", "assessment"] == "higher"

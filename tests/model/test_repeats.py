"""Repeat contacts (sim/model/repeats.py)."""

from __future__ import annotations

import sim


def test_zero_patience_callers_who_are_answered_do_not_call_again() -> None:
    """Issue 10, item 1: the patience-deadline check at +0 s ran before the idle agent took the call."""
    for extra in ([], ["transfers=warm"]):
        s = sim.load_scenario("tiny", ["staffing.agents=30", "repeats=on", "repeats.probability=1.0", "patience.dist=empirical",
                                       "patience.mean=null", "+patience.values=[0.0]", *extra])
        c = sim.simulate(s, seed=1).calls
        firsts = c[c["attempt"] == 1].set_index("call_id")
        again = c.loc[c["attempt"] == 2, "customer_id"]
        assert firsts.loc[again, "fate"].isin(["abandoned", "callback_failed_case"]).all(), extra
        assert (firsts["fate"] != "abandoned").sum() > 0.9 * len(firsts), "30 agents answer nearly everyone at once"

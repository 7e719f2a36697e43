"""Breaks in shifts: the agent finishes the call in hand, then is off the phones until the break ends."""

from __future__ import annotations

import pandas as pd

import sim

WEEK = ["mon", "tue", "wed", "thu", "fri"]


def test_break_finishes_call_in_hand_and_takes_no_call(variant) -> None:
    # one agent all day, a 30-minute break at 10:00, callers who wait for hours: a queue all day
    shifts = [{"start": "08:00", "end": "17:00", "count": 1, "days": WEEK, "breaks": [{"start": "10:00", "minutes": 30}]}]
    s = variant(**{"staffing.mode": "shifts", "staffing.agents": None, "staffing.shifts": shifts,
                   "demand.volume": 200.0, "patience.dist": "deterministic", "patience.mean": 36_000.0, "patience.cv": None})
    r = sim.simulate(s, seed=3)
    c = r.calls[r.calls["fate"] == "answered"]
    day = c["answered_at"].dt.normalize()
    b0 = day + pd.Timedelta("10h")
    in_hand = c[(c["answered_at"] < b0) & (c["ended_at"] > b0)]
    assert in_hand["answered_at"].dt.date.nunique() == 2, "each day a call is in hand when the break falls due"
    # the call in hand is finished: the agent works its whole handle time, past the break start
    held = (in_hand["ended_at"] - in_hand["answered_at"]).dt.total_seconds()
    assert (held - in_hand["handle_s"]).abs().max() < 1e-3
    # the next call is answered when the break ends (or, if the call in hand ran longer, when it ends)
    ends = in_hand.set_index(in_hand["answered_at"].dt.normalize())["ended_at"]
    nxt = c[c["answered_at"] >= b0].groupby(day[c["answered_at"] >= b0])["answered_at"].min()
    due = pd.concat([ends, ends.index.to_series() + pd.Timedelta("10h30min")], axis=1).max(axis=1)
    assert ((nxt.loc[due.index] - due).dt.total_seconds().abs() < 1e-3).all(), "no call is taken on a break"
    queued = r.calls[(r.calls["arrival"] < due.iloc[0]) & (r.calls["answered_at"] > due.iloc[0])]
    assert len(queued) > 0, "callers were waiting during the break"


def test_break_time_is_off_the_schedule(variant) -> None:
    shifts = [{"start": "08:00", "end": "12:00", "count": 3, "days": WEEK, "breaks": [{"start": "09:00", "minutes": 15}]},
              {"start": "08:00", "end": "17:00", "count": 2, "days": WEEK}]
    s = variant(**{"staffing.mode": "shifts", "staffing.agents": None, "staffing.shifts": shifts})
    r = sim.simulate(s, seed=1)
    log = r.agents.set_index("interval_start")
    nine = log[log.index.strftime("%H:%M") == "09:00"]
    assert (nine["staffed_s"] == (2 * 1800 + 3 * 900)).all(), "three agents on a 15-minute break in 09:00-09:30"
    assert (nine["break_s"] == 3 * 900).all(), "the agent log shows the break time"
    assert (log.loc[log.index.strftime("%H:%M") != "09:00", "break_s"] == 0).all()

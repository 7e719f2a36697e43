"""Dated-roster benchmark: a month (December 2026) for 30 named agents.

    python benchmarks/bench_schedule.py [--method two_stage|joint] [--agents N] [--time-limit S]

The requirement is the default scenario's Erlang A table scaled to the team (× agents / 17,
peak about 21 on the phones, 28 on the heavy first opening after Christmas); the team has N
agents (default 30): two thirds full time, the rest 75 % and 50 % with fixed days off, and
six with a week's vacation. Templates and rules are the defaults (``scenarios/roster``,
``scenarios/schedule``). Prints the solve time (HiGHS's and the wall time of the whole
build), the schedule's value in the joint program's terms, the lower bound the method
proves and the **optimality gap** (value − bound) / value, then the independent check of it
(:func:`sim.study.schedule.overall_gap`: the bound solved anew) with both by term: paid
minutes, shortage (first agent missing in a slot, further ones at ``SPREAD`` times), minutes
below the bands, case work, fairness, wishes. Also the shortage, the agents below their band
and the independent checker's verdict; ``main()`` returns the figures. The goal (issue 22):
a gap of at most 2 % within 60 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

import sim
from sim.schema import TeamConfig
from sim.study.schedule import build_schedule, check_schedule, overall_gap, weekday_table

GOAL_GAP, GOAL_S = 0.02, 60.0
"""Issue 22's goal: the whole problem's optimality gap at most 2 % within 60 s of wall time."""


def team(n: int) -> TeamConfig:
    agents = []
    for i in range(n):
        a: dict = {"id": f"a{i + 1:02d}", "name": f"Agent {i + 1}", "contract": 1.0}
        if i % 3 == 1:
            a.update(contract=0.75, days_off=["fri"])
        elif i % 6 == 2:
            a.update(contract=0.5, days_off=["mon", "wed"])
        if i % 5 == 0:
            start = dt.date(2026, 12, 7) + dt.timedelta(days=7 * (i // 5 % 3))
            a["vacations"] = [{"start": start.isoformat(), "end": (start + dt.timedelta(days=4)).isoformat()}]
        agents.append(a)
    return TeamConfig.model_validate({"agents": agents})


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--method", choices=["two_stage", "joint"], default="two_stage")
    ap.add_argument("--agents", type=int, default=30)
    ap.add_argument("--time-limit", type=float, default=60.0)
    args = ap.parse_args([] if argv is None else argv)  # run.py calls main() without arguments
    s = sim.load_scenario("default", [f"schedule.method={args.method}", f"schedule.time_limit_s={args.time_limit}"])
    scale = args.agents / 17
    table = {d: [round(v * scale) for v in row] for d, row in weekday_table(s).items()}
    t0 = time.perf_counter()
    sch = build_schedule(s, team(args.agents), table)
    wall = time.perf_counter() - t0
    summ = sch.summary()
    found = check_schedule(sch)
    hard = found[found["rule"] != "contract hours"]
    print(f"Dated roster, December 2026, {args.agents} agents, method {args.method}, load average {os.getloadavg()[0]:.2f}")
    print(f"  {summ['variables']} variables, {summ['constraints']} constraints; {summ['shifts']} shifts, paid {summ['paid_h']:.1f} h "
          f"for {summ['required_agent_h']:.1f} required agent-hours")
    print(f"  HiGHS {summ['seconds']:.1f} s (wall {wall:.1f} s): {summ['status']}")
    print(f"  short {summ['short_agent_h']:.2f} agent-hours on {summ['short_dates']} dates; {summ['under_band_h']:.1f} h below the "
          f"contract bands ({(found['rule'] == 'contract hours').sum()} agents); checker: {len(hard)} hard-rule violations")
    g = overall_gap(sch, args.time_limit)
    vt, bt = g["value_terms"], g["bound_terms"]
    print(f"  gap {100 * float(summ['gap']):.2f} % in {wall:.1f} s: value {summ['objective']:.0f}, bound {summ['dual_bound']:.0f}; "
          f"checked: value {g['value']:.0f}, bound {g['bound']:.0f} solved anew in {g['seconds']:.1f} s, "
          f"gap {100 * g['gap_overall']:.2f} %")
    print("  by term (value / the relaxation's solution):", ", ".join(f"{k} {vt[k]:.0f}/{bt.get(k, 0.0):.0f}" for k in vt))
    met = float(summ["gap"]) <= GOAL_GAP and wall <= GOAL_S
    print(f"  goal: gap <= {100 * GOAL_GAP:.0f} % within {GOAL_S:.0f} s {'met' if met else 'MISSED'}")
    return {"method": args.method, "agents": args.agents, "seconds": summ["seconds"], "wall_s": wall, "gap": summ["gap"],
            "gap_overall": g["gap_overall"], "short_agent_h": summ["short_agent_h"], "hard_violations": len(hard),
            "value_terms": vt, "bound_terms": bt, "goals": {"gap_le_2pct_within_60s": met}}


if __name__ == "__main__":
    main(sys.argv[1:])

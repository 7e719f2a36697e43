"""Rostering benchmark: one week of 30-minute intervals with the default shift templates.

    python benchmarks/bench_roster.py [--requirement erlang_a|erlang_c] [--plus K]

The requirement is the default scenario's Erlang A table (Mon-Fri 08:00-17:00, 18 intervals
a day; ``--plus K`` adds K agents to every interval for a larger case). The templates are
``scenarios/roster/default.yaml``: starts 08:00-13:00 every 30 minutes, lengths 4-9 h, a
30-minute unpaid lunch and two 15-minute breaks on a 15-minute grid, at most 30 % part-time
shifts. Prints per weekday the variables, paid hours, the LP bound, the gap and the HiGHS
time, and the week's totals; ``main()`` returns them as a dict.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import sim
from sim.study.roster import build_roster
from sim.study.search import erlang_table


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requirement", choices=["erlang_a", "erlang_c"], default="erlang_a")
    ap.add_argument("--plus", type=int, default=0, help="agents added to every interval (default 0)")
    args = ap.parse_args([] if argv is None else argv)  # run.py calls main() without arguments
    s = sim.load_scenario()
    need = {d: [v + args.plus for v in row] for d, row in erlang_table(s, args.requirement).items()}
    t0 = time.perf_counter()
    r = build_roster(s, need)
    wall = time.perf_counter() - t0
    summary = r.summary()
    print(f"Roster of one week ({args.requirement} requirement{f' + {args.plus}' if args.plus else ''}), "
          f"default templates, load average {os.getloadavg()[0]:.2f}")
    print(summary[["weekday", "variables", "agents", "paid_h", "lp_bound_h", "gap", "seconds", "status"]]
          .to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    print(f"week: paid {r.paid_h:.1f} h, LP bound {r.lp_bound_h:.1f} h, gap {100 * r.gap:.2f} %, interval-staffing "
          f"lower bound {r.lower_bound_h:.1f} h (price of shifts {100 * (r.paid_h / r.lower_bound_h - 1):+.1f} %); "
          f"HiGHS {r.seconds:.2f} s, {wall:.2f} s with the model building")
    return {"paid_h": r.paid_h, "lp_bound_h": r.lp_bound_h, "gap": r.gap, "solve_s": r.seconds, "wall_s": wall,
            "lower_bound_h": r.lower_bound_h}


if __name__ == "__main__":
    main(sys.argv[1:])

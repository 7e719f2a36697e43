"""Write the example daily history of the capacity plan (scenarios/data/history_days_example.csv).

The calls offered per date of the synthetic centre of docs/calibration.md (the project's own
model, parameters in :class:`sim.history.synthetic.Truth`: 600 calls on a weekday of factor
1, a yearly pattern busiest in January (±15 %), day-to-day CV 0.12, two storm days at twice
the demand), from 2024-12-01 to 2026-11-30: what a planner's telephony system reports per
day. Closed dates are left out. About 10 s on one core.

    python experiments/daily_history.py --out scenarios/data/history_days_example.csv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from sim.history.synthetic import Truth, simulate_history


def daily(start: str, end: str, seed: int) -> pd.DataFrame:
    """Calls offered per date of the synthetic history (dates with calls only)."""
    calls = simulate_history(start, end, truth=Truth(), seed=seed)
    n = calls.groupby(calls["arrival"].dt.normalize()).size()
    return pd.DataFrame({"date": n.index.strftime("%Y-%m-%d"), "offered": n.to_numpy()})


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("outputs/history/history_days.csv"))
    p.add_argument("--start", default="2024-12-01")
    p.add_argument("--end", default="2026-11-30")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame = daily(args.start, args.end, args.seed)
    frame.to_csv(args.out, index=False)
    print(f"{len(frame)} days, {int(frame['offered'].sum())} calls -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

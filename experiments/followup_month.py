"""A synthetic month for the monthly follow-up (docs/followup.md): the synthetic centre of
docs/calibration.md staffed by its plan, with three days changed on purpose -- 2026-11-10 +40 %
volume, 2026-11-17 two agents fewer, 2026-11-24 handle times +20 % -- written as a Swedish ACD
call log with its column map, the plan in force (plan.json) and causes.yaml.

    python experiments/followup_month.py --out outputs/followup_month
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.history.month_example import write_month


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("outputs/followup_month"))
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    paths = write_month(args.out, seed=args.seed)
    print("Wrote " + ", ".join(str(x) for x in paths.values()))


if __name__ == "__main__":
    main()

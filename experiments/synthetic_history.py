"""Write the example history for the calibration walk-through (docs/calibration.md).

A synthetic call centre made by the project's own model (parameters in
:class:`sim.history.synthetic.Truth`, written to ``truth.yaml``): two years as an interval
report (2024-12-01 to 2026-11-30) and the last three months as a per-call ACD log, each
with its column map. About 10 s on one core.

    python experiments/synthetic_history.py --out outputs/history
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sim.history.synthetic import write_example


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("outputs/history"))
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    t = time.perf_counter()
    paths = write_example(args.out, seed=args.seed)
    for k, v in paths.items():
        print(f"{k:<12} {v}")
    print(f"written in {time.perf_counter() - t:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

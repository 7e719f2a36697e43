"""Simulation vs Erlang C and Erlang A over a grid of agent counts.

    python experiments/validate_erlang.py [--reps 30] [--out outputs/validate_erlang]

Stationary load of 300 calls/h with exponential handle time (mean 300 s, 25 Erlangs); Erlang C
(infinite patience) for 26..34 agents and Erlang A (exponential patience, mean 180 s) for
22..34 agents. Writes ``comparison.csv`` (formula, simulated mean and 99 % CI per KPI) and
``comparison.png`` (formula lines, simulated means with CI bars).
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.study.validation import LoadPoint, compare  # noqa: E402

LABELS = {"p_wait": "P(wait > 0)", "service_level": "answered ≤ 90 s / offered", "asa_s": "ASA of answered calls (s)",
          "p_abandon": "P(abandon)"}


def grid(reps: int, seed: int) -> pd.DataFrame:
    points = [LoadPoint(f"Erlang C, n={n}", 300, 300, n) for n in range(26, 35, 2)]
    points += [LoadPoint(f"Erlang A, n={n}", 300, 300, n, patience_s=180) for n in range(22, 35, 2)]
    return pd.concat([compare(p, reps=reps, seed=seed + k) for k, p in enumerate(points)], ignore_index=True)


def plot(table: pd.DataFrame, path: Path) -> None:
    fig, axes = plt.subplots(1, 4, figsize=(17, 4.2))
    for ax, kpi in zip(axes, LABELS, strict=True):
        for model, patience, colour in (("Erlang C", math.inf, "C0"), ("Erlang A", 180.0, "C1")):
            d = table[(table["kpi"] == kpi) & (table["patience_s"] == patience)].sort_values("agents")
            ax.plot(d["agents"], d["formula"], "-", color=colour, label=f"{model} formula")
            ax.errorbar(d["agents"], d["sim_mean"], yerr=[d["sim_mean"] - d["ci_low"], d["ci_high"] - d["sim_mean"]],
                        fmt="o", color=colour, ms=4, capsize=3, label="simulation (99 % CI)")
        ax.set_title(LABELS[kpi])
        ax.set_xlabel("agents (offered load 25 Erlangs)")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle("Simulation vs Erlang formulas, 300 calls/h, AHT 300 s, patience 180 s (Erlang A)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", type=Path, default=Path("outputs/validate_erlang"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    table = grid(args.reps, args.seed)
    table.to_csv(args.out / "comparison.csv", index=False)
    plot(table, args.out / "comparison.png")
    covered = table["covered"].mean()
    shown = table[["load_point", "kpi", "formula", "sim_mean", "ci_low", "ci_high", "covered"]]
    print(shown.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    print(f"\n99 % CIs covering the formula: {covered:.1%} of {len(table)} checks "
          f"({args.reps} replications each, {time.perf_counter() - t0:.0f} s). Wrote {args.out}/comparison.csv and comparison.png")


if __name__ == "__main__":
    main()

"""Calls and cases on the default month: blending policies and the team size for both targets.

    python experiments/cases.py [--reps 10] [--agents 14] [--out outputs/cases]

1. **Policies at a fixed team size** (``--agents`` N, constant staffing over the opening
   hours): blended agents with reserve 0, 1 and 2 against a dedicated case team of k agents
   plus N - k on the phones only (k = the case workload in agents, rounded up: the analytical
   bound's case part). Phone KPIs (service level, availability, mean queue time) and case KPIs
   (share within target per kind, time to resolution in working hours, backlog at the end)
   over the whole month, mean and 95 % CI over replications.
2. **Team size for both targets**: blended (reserve 0) and dedicated (k and k + 1 case
   agents, the rest on the phones), N from the analytical lower bound upwards; P(month meets every phone and case target) with its Wilson
   interval, and the smallest N whose month meets them all in at least 90 % of replications.

Common random numbers: every variant sees the same calls and the same cases for a given
replication. Writes ``policies.csv``, ``team_size.csv``, ``policies.png``, ``team_size.png``.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import sim  # noqa: E402
from sim.analysis.case_bound import combined_bound  # noqa: E402
from sim.analysis.stats import t_half_width, wilson  # noqa: E402
from sim.study.runner import replication_seed, result_kpis  # noqa: E402

KPIS = ("service_level", "availability", "asa_s", "occupancy", "case_within_target", "within_target_fault_report",
        "within_target_case_order", "work_h_mean", "work_h_p90", "backlog_end")


def variant(agents: int, policy: str, team: int) -> list[str]:
    """Overrides of one variant: ``blend0``/``blend1``/``blend2`` or ``dedicated``."""
    base = ["cases=on", "staffing=flat"]
    if policy == "dedicated":
        return [*base, f"staffing.agents={agents - team}", "cases.blend=false", f"cases.dedicated={{mode: constant, agents: {team}}}"]
    return [*base, f"staffing.agents={agents}", f"cases.reserve={int(policy[-1])}"]


def run_variant(overrides: list[str], reps: int, seed: int) -> pd.DataFrame:
    s = sim.load_scenario("default", overrides)
    rows = []
    for k in range(reps):
        r = result_kpis(sim.simulate(s, replication_seed(seed, k)), ("run",)).iloc[0]
        rows.append({"replication": k, **{c: r[c] for c in KPIS}, "all_met": bool(r["all_met"])})
    return pd.DataFrame(rows)


def summarise(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    g = frame.groupby(keys, sort=False)
    mean = g[list(KPIS)].mean()
    half = pd.DataFrame({c: t_half_width(g[c].std().to_numpy(), g[c].count().to_numpy()) for c in KPIS}, index=mean.index)
    out = mean.join(half.add_suffix("_hw"))
    met, n = g["all_met"].sum().to_numpy(), g["all_met"].count().to_numpy()
    lo, hi = wilson(met, n)
    out["p_all_met"], out["p_low"], out["p_high"] = met / n, lo, hi
    return out.reset_index()


def policies(agents: int, team: int, reps: int, seed: int) -> pd.DataFrame:
    parts = [run_variant(variant(agents, p, team), reps, seed).assign(policy=p) for p in ("blend0", "blend1", "blend2", "dedicated")]
    return summarise(pd.concat(parts, ignore_index=True), ["policy"])


def team_size(start: int, stop: int, team: int, reps: int, seed: int) -> pd.DataFrame:
    """Blended (reserve 0) and dedicated teams of k and k + 1 case agents, for each size N."""
    parts = []
    for n in range(start, stop + 1):
        parts.append(run_variant(variant(n, "blend0", team), reps, seed).assign(agents=n, policy="blend0"))
        for k in (team, team + 1):
            parts.append(run_variant(variant(n, "dedicated", k), reps, seed).assign(agents=n, policy=f"dedicated k={k}"))
    return summarise(pd.concat(parts, ignore_index=True), ["policy", "agents"])


def plot_policies(table: pd.DataFrame, path: Path) -> None:
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
    x = np.arange(len(table))
    for ax, (kpi, label, target) in zip(axes, (("service_level", "service level (phones)", 0.9),
                                                ("within_target_fault_report", "fault reports within 4 working h", 0.9),
                                                ("within_target_case_order", "cases/orders within 8 working h", 0.9)), strict=True):
        ax.bar(x, table[kpi], yerr=table[f"{kpi}_hw"], color="tab:blue", alpha=0.8)
        ax.axhline(target, color="tab:red", ls="--", lw=1)
        ax.set_xticks(x, table["policy"])
        ax.set_ylim(0, 1.02)
        ax.set_title(label, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_team_size(table: pd.DataFrame, bound: float, path: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for p, g in table.groupby("policy", sort=False):
        axes[0].errorbar(g["agents"], g["service_level"], yerr=g["service_level_hw"], marker="o", label=f"{p}: phones")
        axes[0].errorbar(g["agents"], g["case_within_target"], yerr=g["case_within_target_hw"], marker="s", ls="--", label=f"{p}: cases")
        axes[1].plot(g["agents"], g["p_all_met"], marker="o", label=p)
        axes[1].fill_between(g["agents"], g["p_low"], g["p_high"], alpha=0.2)
    axes[0].axhline(0.9, color="tab:red", lw=1, ls=":")
    axes[0].set(xlabel="agents (constant)", ylabel="share", title="service level and cases within target")
    axes[1].axvline(bound, color="grey", ls="--", lw=1, label="analytical lower bound")
    axes[1].axhline(0.9, color="tab:red", lw=1, ls=":")
    axes[1].set(xlabel="agents (constant)", ylabel="P(month meets all targets)", ylim=(-0.02, 1.02))
    for ax in axes:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--agents", type=int, default=14, help="team size for the policy comparison")
    ap.add_argument("--sizes", type=int, default=5, help="how many team sizes above the bound to try")
    ap.add_argument("--out", type=Path, default=Path("outputs/cases"))
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    b = combined_bound(sim.load_scenario("default", ["cases=on", "staffing=flat"]))
    team = math.ceil(b["case_agents"])
    print(f"Analytical lower bound: phones {b['phone_agent_h']:.0f} agent-h (Erlang A), cases {b['case_agent_h']:.0f} agent-h, "
          f"{b['working_h']:.0f} working h -> mean {b['mean_agents']:.1f} agents, busiest interval {b['peak_phone_agents']:.0f} "
          f"-> constant staffing >= {b['constant_agents_bound']:.0f}; case team k = {team}")
    pol = policies(a.agents, team, a.reps, a.seed)
    pol.to_csv(a.out / "policies.csv", index=False)
    plot_policies(pol, a.out / "policies.png")
    cols = ["policy", "service_level", "availability", "asa_s", "occupancy", "within_target_fault_report",
            "within_target_case_order", "work_h_mean", "work_h_p90", "backlog_end", "p_all_met"]
    print(f"\n1. Policies with {a.agents} agents ({a.reps} replications of December 2026; "
          f"dedicated = {a.agents - team} phones + {team} cases)")
    print(pol[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    start = int(b["constant_agents_bound"])
    size = team_size(start, start + a.sizes, team, a.reps, a.seed)
    size.to_csv(a.out / "team_size.csv", index=False)
    plot_team_size(size, b["constant_agents_bound"], a.out / "team_size.png")
    print(f"\n2. Team size (constant staffing, {a.reps} replications)")
    print(size[["policy", "agents", "service_level", "availability", "case_within_target", "work_h_p90", "p_all_met", "p_low", "p_high"]]
          .to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    for p, g in size.groupby("policy", sort=False):
        ok = g[g["p_all_met"] >= 0.9]
        print(f"   {p}: smallest team meeting every phone and case target in >= 90 % of months: "
              f"{int(ok['agents'].min()) if len(ok) else f'more than {start + a.sizes}'} agents")
    print(f"\n{time.perf_counter() - t0:.0f} s; tables and plots in {a.out}")


if __name__ == "__main__":
    main()

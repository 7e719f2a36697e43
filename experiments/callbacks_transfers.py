"""Callbacks and transfers at fixed staffing: what they do to the agreement's KPIs.

    python experiments/callbacks_transfers.py [--reps 10] [--out outputs/callbacks_transfers]

1. Availability and service level against the callback acceptance share (0-60 %), at the
   default scenario's staffing (the Erlang A table), with common random numbers: every
   share sees the same calls. The service level is shown under two conventions for an
   accepted callback: counted as answered when the callback connects (the default,
   ``answered_when_made``) and counted as answered when accepted (``answered_at_request``).
2. Warm against blind transfer (12 % technical cases to a second line of 3 agents): agent
   time per transferred call in each group, fallbacks to a case, customers lost after a blind
   transfer, and the agreement's KPIs.

Writes ``callbacks.csv``, ``callbacks.png``, ``transfers.csv``, ``transfers.png`` and prints
both tables.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import sim  # noqa: E402
from sim.analysis.kpis import feature_kpis, group_kpis, kpi_table  # noqa: E402
from sim.analysis.stats import t_half_width  # noqa: E402
from sim.study.runner import replication_seed  # noqa: E402


def _run_kpis(calls: pd.DataFrame, agents: pd.DataFrame) -> dict[str, float]:
    day0 = calls["arrival"].min().normalize()
    whole = calls.assign(arrival=day0)  # one period: the whole run
    k = kpi_table(whole, "D").iloc[0]
    # the other convention, recomputed from the records: answered when the callback was accepted
    alt = calls.assign(answered_at=calls["answered_at"].where(calls["callback_accepted_at"].isna(), calls["callback_accepted_at"]))
    alt = alt.assign(wait_s=(alt["answered_at"] - alt["arrival"]).dt.total_seconds().where(alt["answered_at"].notna(), alt["wait_s"]))
    k_alt = kpi_table(alt.assign(arrival=day0), "D").iloc[0]
    f = feature_kpis(whole, "D").iloc[0]
    return {
        "availability": k["availability"], "service_level": k["service_level"], "asa_s": k["asa_s"],
        "service_level_at_request": k_alt["service_level"], "availability_at_request": k_alt["availability"],
        "callbacks_accepted": f["callbacks_accepted"], "callback_on_time_share": f["callback_on_time_share"],
        "busy_h": agents["busy_s"].sum() / 3600, "overtime_h": agents["overtime_s"].sum() / 3600,
    }


def callbacks_study(reps: int, seed: int) -> pd.DataFrame:
    rows = []
    for share in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
        s = sim.load_scenario("default", ["callbacks=on", f"callbacks.accept_share={share}"])
        for k in range(reps):
            r = sim.simulate(s, replication_seed(seed, k))
            rows.append({"accept_share": share, "replication": k, **_run_kpis(r.calls, r.agents)})
    return pd.DataFrame(rows)


def transfers_study(reps: int, seed: int) -> pd.DataFrame:
    rows = []
    for policy in ("warm", "blind"):
        s = sim.load_scenario("default", [f"transfers={policy}"])
        for k in range(reps):
            r = sim.simulate(s, replication_seed(seed, k))
            c = r.calls
            g = group_kpis(c, r.agents).set_index("group")
            moved = c[c["transfer"] != "none"]
            f = feature_kpis(c.assign(arrival=c["arrival"].min().normalize()), "D").iloc[0]
            rows.append({
                "policy": policy, "replication": k, **_run_kpis(c, r.agents),
                "first_line_s_per_transfer": moved["first_handle_s"].mean(),
                "second_line_s_per_transfer": moved["second_handle_s"].mean(),
                "agent_s_per_transfer": (moved["first_handle_s"].fillna(0) + moved["second_handle_s"].fillna(0)).mean(),
                "consult_wait_s": f["mean_consult_wait_s"],
                "fallback_share": f["transfer_fallbacks"] / max(f["transfers"], 1),
                "lost_after_transfer_share": f["transfer_abandoned"] / max(f["transfers"], 1),
                "first_line_occupancy": g.loc["first_line", "occupancy"],
                "second_line_occupancy": g.loc["second_line", "occupancy"],
            })
    return pd.DataFrame(rows)


def summarise(df: pd.DataFrame, by: str) -> pd.DataFrame:
    cols = [c for c in df.columns if c not in (by, "replication")]
    g = df.groupby(by)[cols]
    mean, sd, n = g.mean(), g.std(), g.count()
    half = pd.DataFrame(t_half_width(sd.to_numpy(), n.to_numpy()), index=mean.index, columns=cols)
    return pd.concat({"mean": mean, "ci95": half}, axis=1)


def plot_callbacks(summary: pd.DataFrame, targets, path: Path) -> None:  # noqa: ANN001
    x = summary.index.to_numpy() * 100
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    for ax, cols, title in (
        (axes[0], [("availability", "availability")], "availability (answered / offered)"),
        (axes[1], [("service_level", "callback answered when made"), ("service_level_at_request", "callback answered when accepted")],
         "answered within 90 s / offered"),
        (axes[2], [("callback_on_time_share", "first attempt within the promised hour")], "callbacks on time"),
    ):
        for col, label in cols:
            m, h = summary[("mean", col)].to_numpy() * 100, summary[("ci95", col)].to_numpy() * 100
            ax.errorbar(x, m, yerr=h, fmt="o-", capsize=3, label=label)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("callback acceptance share (%)")
        ax.set_ylabel("%")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].axhline(100 * targets.availability_min, color="C3", ls="--", lw=1)
    axes[1].axhline(100 * targets.service_level_min, color="C3", ls="--", lw=1)
    axes[2].set_ylim(0, 105)
    fig.suptitle("Callbacks at fixed staffing (default scenario, December 2026; 95 % CI over replications)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_transfers(summary: pd.DataFrame, path: Path) -> None:
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    pol = list(summary.index)
    xs = np.arange(len(pol))
    first, second = summary[("mean", "first_line_s_per_transfer")], summary[("mean", "second_line_s_per_transfer")].fillna(0)
    axes[0].bar(xs, first, label="first line (talk, consultation, hand-over, wrap)")
    axes[0].bar(xs, second, bottom=first, label="second line (hand-over, call, wrap)")
    axes[0].set_title("agent seconds per transferred call", fontsize=10)
    axes[0].legend(fontsize=7)
    panels = ((axes[1], "fallback_share", "fallback to a case"), (axes[2], "lost_after_transfer_share", "caller hung up after transfer"))
    for ax, col, title in panels:
        ax.bar(xs, 100 * summary[("mean", col)], yerr=100 * summary[("ci95", col)], capsize=4)
        ax.set_title(f"{title} (% of transfers)", fontsize=10)
    for ax in axes:
        ax.set_xticks(xs, pol)
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle("Warm against blind transfer (12 % of calls to a second line of 3 agents)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", type=Path, default=Path("outputs/callbacks_transfers"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    targets = sim.load_scenario().targets
    cb = summarise(callbacks_study(args.reps, args.seed), "accept_share")
    cb.to_csv(args.out / "callbacks.csv")
    plot_callbacks(cb, targets, args.out / "callbacks.png")
    tr = summarise(transfers_study(args.reps, args.seed), "policy")
    tr.to_csv(args.out / "transfers.csv")
    plot_transfers(tr, args.out / "transfers.png")
    pd.set_option("display.width", 200)
    show = ["availability", "service_level", "service_level_at_request", "callbacks_accepted", "callback_on_time_share", "busy_h"]
    print("Callbacks at fixed staffing (means over replications):")
    print(cb["mean"][show].round(4).to_string())
    show = ["availability", "service_level", "agent_s_per_transfer", "first_line_s_per_transfer", "second_line_s_per_transfer",
            "consult_wait_s", "fallback_share", "lost_after_transfer_share", "busy_h"]
    print("\nWarm against blind transfer (means over replications):")
    print(tr["mean"][show].round(4).to_string())
    print(f"\n{args.reps} replications per point, {time.perf_counter() - t0:.0f} s; wrote {args.out}")


if __name__ == "__main__":
    main()

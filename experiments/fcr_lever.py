"""First-contact resolution as a lever: what raising FCR from 70 % to 80 % saves in agent-hours at
the same targets (issue 24 section 2; the agreement asks that phone requests be resolved in the
first contact "as far as possible", seed 000 §4.2).

    python experiments/fcr_lever.py [--reps 4] [--fcr 0.7 0.8] [--out outputs/fcr_lever] [-o KEY=VALUE ...]

For each FCR (``resolution=fcr70`` with ``resolution.fcr`` set) the staffing search of
``python -m sim.staff`` (:func:`sim.study.search.search`: Erlang A table refined by simulation
until every weekday × interval cell meets the agreement's targets, one-sided 90 % confidence,
the same replication seeds for every FCR) finds the weekday × interval table; the study reports
its scheduled agent-hours over the run, the failure demand it carries (offered calls, repeat
contacts per matter, the measured FCR) and the difference. Writes ``fcr_lever.csv`` and
``conclusion.md`` (from the numbers) under ``--out``.

The first days of a run carry less failure demand than later ones (no unresolved calls from
before the start call back): the table of a weekday pools all its dates, so a run of several
weeks (the default: 1-21 December 2026) keeps that start-up effect small.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

import sim
from sim.analysis.kpis import feature_kpis
from sim.study.search import search, with_table

COMMON = ("run.end=2026-12-21", "resolution=fcr70")


def study(fcrs: Sequence[float], reps: int, seed: int, overrides: Sequence[str] = ()) -> pd.DataFrame:
    """One row per FCR: the table's scheduled agent-hours, offered calls and the failure-demand KPIs."""
    rows = []
    for fcr in fcrs:
        s = sim.load_scenario("default", [*COMMON, f"resolution.fcr={fcr}", *overrides])
        found = search(s, replications=reps, seed=seed, workers=1)
        run = sim.simulate(with_table(s, found.table), seed=seed)
        f = feature_kpis(run.calls, "D", pd.Timestamp(s.run.start)).iloc[0]
        rows.append({
            "fcr": fcr, "agent_hours": float(run.agents["staffed_s"].sum()) / 3600.0, "offered": int(f["offered"]),
            "matters": int(f["matters"]), "measured_fcr": float(f["fcr"]),
            "repeat_contacts_per_matter": float(f["repeat_contacts_per_matter"]),
            "search_rounds": len(found.history),
        })
    return pd.DataFrame(rows)


def conclusion(table: pd.DataFrame, reps: int) -> str:
    """The study's conclusion in words, from its numbers."""
    first, last = table.iloc[0], table.iloc[-1]
    saved = first["agent_hours"] - last["agent_hours"]
    return (
        f"# First-contact resolution {100 * first['fcr']:.0f} % → {100 * last['fcr']:.0f} %\n\n"
        f"At the agreement's targets (each weekday × interval cell met with one-sided 90 % confidence over {reps} "
        f"replications), raising first-contact resolution from {100 * first['fcr']:.0f} % to {100 * last['fcr']:.0f} % changes the "
        f"scheduled agent-hours from {first['agent_hours']:.0f} h to {last['agent_hours']:.0f} h: "
        f"{saved:.0f} agent-hours saved ({100 * saved / first['agent_hours']:.1f} %). The offered calls fall from "
        f"{int(first['offered']):,} to {int(last['offered']):,} (repeat contacts per matter {first['repeat_contacts_per_matter']:.2f} → "
        f"{last['repeat_contacts_per_matter']:.2f};"
        f" measured FCR {100 * first['measured_fcr']:.1f} % → {100 * last['measured_fcr']:.1f} %).\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=4, help="replications per search round (default 4)")
    ap.add_argument("--fcr", type=float, nargs="+", default=[0.7, 0.8], help="first-contact resolutions to compare")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("outputs/fcr_lever"))
    ap.add_argument("-o", "--override", action="append", default=[], help="a scenario override (repeatable)")
    a = ap.parse_args(argv)
    table = study(a.fcr, a.reps, a.seed, a.override)
    a.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(a.out / "fcr_lever.csv", index=False)
    text = conclusion(table, a.reps)
    (a.out / "conclusion.md").write_text(text, encoding="utf-8")
    sys.stdout.write(table.to_string(index=False) + "\n\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

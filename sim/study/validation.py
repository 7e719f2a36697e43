"""Validate the simulation against Erlang C and Erlang A in stationary conditions.

The experiment ``scenarios/experiment/steady_state.yaml`` switches every non-textbook
feature off (no closures inside the day, no displaced demand, no day-level noise), with
exponential handle times and patience and constant staffing. The line opens empty at 00:00,
so calls arriving in the first ``warmup_h`` hours are discarded. Calls arriving before
closing keep their FCFS waits after it (the agents stay), so no end effect is discarded.

Each replication gives one estimate per KPI; the confidence interval across replications
is ``mean ± t(1 − α/2, R − 1) · sd / √R``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.erlang import erlang_a, erlang_c
from sim.model.simulate import simulate
from sim.scenario.compose import load_scenario

OPEN_H = 23.5  # the steady-state experiment is open 00:00-23:30
KPIS: tuple[str, ...] = ("p_wait", "service_level", "asa_s", "p_abandon")


@dataclass(frozen=True)
class LoadPoint:
    """An M/M/n(+M) operating point; ``patience_s = inf`` is Erlang C."""

    name: str
    calls_per_hour: float
    aht_s: float
    agents: int
    patience_s: float = math.inf
    target_s: float = 90.0

    @property
    def traffic(self) -> float:
        """Offered load in Erlangs."""
        return self.calls_per_hour * self.aht_s / 3600.0


def scenario_for(p: LoadPoint):  # noqa: ANN201 - returns sim.schema.Scenario
    """The steady-state scenario at this load point."""
    patience = ["patience.dist=infinite", "patience.mean=null"] if math.isinf(p.patience_s) else [f"patience.mean={p.patience_s}"]
    return load_scenario(
        "steady_state",
        [f"demand.volume={p.calls_per_hour * OPEN_H}", f"handling.talk.mean={p.aht_s}",
         f"staffing.agents={p.agents}", f"targets.threshold_s={p.target_s}", *patience],
    )


def formulas(p: LoadPoint) -> dict[str, float]:
    """The analytical KPIs: Erlang C for infinite patience, else Erlang A."""
    if math.isinf(p.patience_s):
        c = erlang_c(p.calls_per_hour, 3600.0, p.aht_s, p.agents, p.target_s)
        return {"p_wait": float(c.p_wait), "service_level": float(c.service_level), "asa_s": float(c.asa_s), "p_abandon": 0.0}
    a = erlang_a(p.calls_per_hour, 3600.0, p.aht_s, p.agents, p.patience_s, p.target_s)
    return {"p_wait": float(a.p_wait), "service_level": float(a.service_level), "asa_s": float(a.asa_s), "p_abandon": float(a.p_abandon)}


def replication_kpis(calls: pd.DataFrame, warmup_h: float, target_s: float) -> dict[str, float]:
    """KPIs of the calls arriving after the warm-up (one replication's estimates)."""
    start = calls["arrival"].dt.normalize() + pd.Timedelta(hours=warmup_h)
    c = calls[calls["arrival"] >= start]
    answered = c["answered_at"].notna()
    return {
        "p_wait": float((c["wait_s"] > 0).mean()),
        "service_level": float((answered & (c["wait_s"] <= target_s)).mean()),
        "asa_s": float(c.loc[answered, "wait_s"].mean()),
        "p_abandon": float((c["fate"] == "abandoned").mean()),
        "offered": float(len(c)),
    }


def replicate(p: LoadPoint, reps: int, seed: int = 0, warmup_h: float = 2.0) -> pd.DataFrame:
    """One row of KPI estimates per replication (seeds spawned from one SeedSequence)."""
    s = scenario_for(p)
    rows = []
    for k, child in enumerate(np.random.SeedSequence(seed).spawn(reps)):
        rows.append({"replication": k, **replication_kpis(simulate(s, child).calls, warmup_h, p.target_s)})
    return pd.DataFrame(rows)


def compare(p: LoadPoint, reps: int = 30, seed: int = 0, warmup_h: float = 2.0, level: float = 0.99) -> pd.DataFrame:
    """Per KPI: formula value, simulated mean and its CI, and whether the CI covers the formula."""
    runs = replicate(p, reps, seed, warmup_h)
    theory = formulas(p)
    t = stats.t.ppf(0.5 + level / 2, reps - 1)
    rows = []
    for kpi in KPIS:
        x = runs[kpi].to_numpy()
        mean, half = float(x.mean()), float(t * x.std(ddof=1) / math.sqrt(reps))
        rows.append({
            "load_point": p.name, "agents": p.agents, "traffic": p.traffic, "patience_s": p.patience_s,
            "kpi": kpi, "formula": theory[kpi], "sim_mean": mean, "ci_low": mean - half, "ci_high": mean + half,
            "covered": bool(mean - half <= theory[kpi] <= mean + half),
            "replications": reps, "level": level,
        })
    return pd.DataFrame(rows)

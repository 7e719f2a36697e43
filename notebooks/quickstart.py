# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Quickstart: one scenario, its KPIs, replications and a comparison
#
# The Python API in five steps: load a scenario, look at its calendar, simulate one
# replication, read the KPIs against the agreement's targets, and — because one
# replication is one possible month — run replications and compare two scenarios with
# confidence intervals.
#
# Run it as a notebook (`jupytext --to ipynb notebooks/quickstart.py`) or as a script
# (`python notebooks/quickstart.py`). It takes about 20 s on two cores.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import sim
from sim.analysis.kpis import days_missed, judge, summary
from sim.analysis.stats import summarize
from sim.study.compare import compare
from sim.study.runner import run_replications
from sim.study.sweep import staffing_variant

pd.set_option("display.width", 140)
pd.set_option("display.max_columns", 20)

# %% [markdown]
# ## 1. Load a scenario
#
# `sim.load_scenario(name, overrides)` composes `scenarios/config.yaml` with Hydra, applies
# an experiment delta from `scenarios/experiment/<name>.yaml` (except for `default`) and the
# overrides, and validates everything into a frozen `Scenario`. Here: the default scenario
# (Fibra's line, December 2026), for the first two weeks only.

# %%
scenario = sim.load_scenario("default", overrides=["run.end=2026-12-14"])
print(scenario.name, scenario.run.start, "to", scenario.run.end, "seed", scenario.run.seed)
print("mean handle time", scenario.handling.mean_handle_s, "s; patience", scenario.patience.dist, scenario.patience.mean, "s")

# %% [markdown]
# ## 2. The calendar: which days are open and until when

# %%
calendar = sim.opening_hours(scenario, "2026-12-01", "2026-12-31")
calendar[calendar["reason"] != "open"]

# %% [markdown]
# ## 3. One replication
#
# `sim.simulate(scenario, seed)` returns tidy tables: `calls` (one row per offered call,
# with its fate and timestamps) and `agents` (agent time per interval).

# %%
result = sim.simulate(scenario, seed=1)
print(len(result.calls), "calls offered")
result.calls[["arrival", "fate", "wait_s", "handle_s", "after_close", "displaced"]].head()

# %%
result.calls["fate"].value_counts()

# %% [markdown]
# ## 4. KPIs against the targets
#
# KPIs are pure functions of the records (`sim.analysis.kpis`), per interval, day or month;
# `judge` adds one `*_met` column per target (the agreement's bounds are strict).

# %%
daily = judge(result.kpis("D"), scenario.targets)
daily[["period", "offered", "availability", "service_level", "asa_s", "aht_s", "overtime_s", "all_met"]]

# %%
summary(result.calls, result.agents, scenario.targets)

# %%
days_missed(result.calls, scenario.targets, result.agents)[
    ["month", "open_days", "availability_days_missed", "service_level_days_missed", "all_days_missed"]
]

# %%
intervals = result.kpis("30min")
intervals["clock"] = intervals["period"].dt.strftime("%H:%M")
by_clock = intervals.groupby("clock")[["offered", "answered"]].sum()
by_clock["asa_s"] = (intervals["asa_s"].fillna(0) * intervals["answered"]).groupby(intervals["clock"]).sum() / by_clock["answered"]

fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4))
ax.plot(daily["period"], 100 * daily["service_level"], "o-", label="service level")
ax.plot(daily["period"], 100 * daily["availability"], "s-", label="availability")
ax.axhline(100 * scenario.targets.service_level_min, ls=":", color="C0")
ax.axhline(100 * scenario.targets.availability_min, ls="--", color="C1")
ax.set_ylabel("% of offered calls")
ax.legend()
ax.tick_params(axis="x", rotation=45)
bx.bar(by_clock.index, by_clock["asa_s"])
bx.axhline(scenario.targets.asa_max_s, color="C3", ls="--", label="target")
bx.set_ylabel("mean queue time of answered calls (s)")
bx.tick_params(axis="x", rotation=90)
bx.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 5. Replications: the uncertainty of a month
#
# `run_replications` runs replication k with `SeedSequence(seed, spawn_key=(k,))` in
# parallel; `summarize` gives mean, SD, the 95 % CI and P(target met) per KPI.

# %%
mc = run_replications(scenario, 8, workers=2)
summarize(mc.kpis, "run")[["kpi", "mean", "ci_low", "ci_high", "p_met"]]

# %% [markdown]
# ## 6. Compare two scenarios with common random numbers
#
# `sim.study.compare.compare` runs every scenario with the same seeds, so each replication sees
# the same callers in both; the differences are paired, and their CIs are narrow.
# `cmp.table`: value per scenario with CI and verdict; `cmp.differences`: paired differences
# to the first scenario. Scenarios can also be given as specs, e.g.
# `compare(["default", "more=default:staffing=flat,staffing.agents=14"])`.

# %%
cmp = compare(
    {"as planned": scenario, "one agent less": staffing_variant(scenario, -1)},  # -1 agent on every interval
    reps=8,
    workers=2,
    levels=("day", "run"),
)
cmp.table[cmp.table["kpi"].isin(["service_level", "availability", "asa_s", "staffed_s"])][
    ["scenario", "kpi", "mean", "ci_low", "ci_high", "p_met", "verdict"]
]

# %%
cmp.differences[cmp.differences["kpi"].isin(["service_level", "availability", "asa_s", "staffed_s"])][
    ["scenario", "kpi", "difference", "ci_low", "ci_high", "unpaired_half_width", "assessment"]
]

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
# # Sensitivity: patience, overdispersed demand, transfer rate, handle-time variability
#
# How much does the month's service level depend on assumptions a planner cannot measure
# precisely? One factor at a time around the default scenario (December 2026, Erlang A
# staffing table), each level run with the same replication seeds as the default level
# (common random numbers), so the differences are paired and their 95 % confidence
# intervals are narrow:
#
# | factor | levels | scenario key |
# |---|---|---|
# | patience (mean, exponential) | 120, **300**, 600 s | `patience.mean` |
# | day-to-day overdispersion of demand | CV **0**, 0.15, 0.3 | `demand.day_cv` |
# | transfer rate (warm, to a 3-agent second line) | **0 %**, 12 %, 24 % of calls | `transfers=warm`, `transfers.case_types.*.share` |
# | handle-time variability (talk time CV) | 0.4, **0.8**, 1.6 | `handling.talk.cv` |
#
# (bold: the default). APIs: `sim.study.compare.compare`, `Comparison.table`,
# `Comparison.differences`. About 30 s on two cores.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import sim
from sim.study.compare import compare

pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 20)
REPS = 10
WORKERS = 2
KPIS = ["service_level", "availability", "asa_s", "days_missed_any"]

FACTORS: dict[str, dict[str, list[str]]] = {
    "patience mean": {
        "300 s": [],
        "120 s": ["patience.mean=120"],
        "600 s": ["patience.mean=600"],
    },
    "demand day CV": {
        "0": [],
        "0.15": ["demand.day_cv=0.15"],
        "0.3": ["demand.day_cv=0.3"],
    },
    "transfer rate": {
        "0 %": [],
        "12 %": ["transfers=warm"],
        "24 %": ["transfers=warm", "transfers.case_types.technical.share=0.24", "transfers.case_types.general.share=0.68"],
    },
    "talk time CV": {
        "0.8": [],
        "0.4": ["handling.talk.cv=0.4"],
        "1.6": ["handling.talk.cv=1.6"],
    },
}

# %% [markdown]
# ## Run every factor
#
# `compare` takes `{label: Scenario}`; the first label is the baseline (the default level).

# %%
tables, diffs = [], []
for factor, levels in FACTORS.items():
    scenarios = {level: sim.load_scenario("default", overrides) for level, overrides in levels.items()}
    cmp = compare(scenarios, reps=REPS, workers=WORKERS, levels=("day", "run"))
    tables.append(cmp.table.assign(factor=factor))
    diffs.append(cmp.differences.assign(factor=factor))
table = pd.concat(tables, ignore_index=True)
differences = pd.concat(diffs, ignore_index=True)
table[table["kpi"] == "service_level"][["factor", "scenario", "mean", "ci_low", "ci_high", "p_met", "verdict"]]

# %% [markdown]
# ## Differences to the default level (paired, 95 % CI)

# %%
shown = differences[differences["kpi"].isin(KPIS)].copy()
pct = shown["kpi"].isin(["service_level", "availability"])
for col in ("difference", "ci_low", "ci_high"):
    shown.loc[pct, col] *= 100  # shares -> percentage points
shown["cell"] = shown.apply(lambda r: f"{r['difference']:+.2f} [{r['ci_low']:+.2f}, {r['ci_high']:+.2f}]", axis=1)
shown.pivot_table(index=["factor", "scenario"], columns="kpi", values="cell", aggfunc="first", sort=False)

# %% [markdown]
# Units: service level and availability in percentage points, queue time (`asa_s`) in
# seconds, days missing at least one target out of December's 20 open days.

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
panels = (("service_level", "service level (%)", 100.0), ("availability", "availability (%)", 100.0),
          ("asa_s", "queue time of answered calls (s)", 1.0))
for ax, (kpi, title, scale) in zip(axes, panels, strict=True):
    ticks, names = [], []
    y = 0
    for i, factor in enumerate(FACTORS):
        t = table[(table["factor"] == factor) & (table["kpi"] == kpi)]
        for _, r in t.iterrows():
            ax.errorbar(scale * r["mean"], y, xerr=[[scale * (r["mean"] - r["ci_low"])], [scale * (r["ci_high"] - r["mean"])]],
                        fmt="o", color=f"C{i}", capsize=3)
            ticks.append(y)
            names.append(f"{factor}: {r['scenario']}")
            y -= 1
        y -= 0.6
    bound = {"service_level": 90, "availability": 91, "asa_s": 90}[kpi]
    if kpi != "asa_s" or ax.get_xlim()[1] > bound:
        ax.axvline(bound, color="C3", ls="--", lw=1)
    ax.set_yticks(ticks, names if ax is axes[0] else [""] * len(names), fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, axis="x")
fig.suptitle(f"December 2026, mean over {REPS} replications with 95 % CI (dashed: target)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Which assumption matters most?
#
# The range of the month's service level across each factor's levels, and the largest
# change in days missing a target:

# %%
sl = table[table["kpi"] == "service_level"].groupby("factor", sort=False)["mean"].agg(["min", "max"])
sl["range_pp"] = 100 * (sl["max"] - sl["min"])
days = differences[differences["kpi"] == "days_missed_any"].groupby("factor", sort=False)["difference"].apply(lambda s: s.abs().max())
ranking = sl.assign(max_change_days_missed=days).sort_values("range_pp", ascending=False)
ranking.round(2)

# %%
for factor, r in ranking.iterrows():
    print(f"{factor:>14}: service level between {100 * r['min']:.1f} % and {100 * r['max']:.1f} % "
          f"(range {r['range_pp']:.1f} pp); days missing a target change by up to {r['max_change_days_missed']:.1f}")

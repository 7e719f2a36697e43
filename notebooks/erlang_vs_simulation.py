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
# # Erlang C, Erlang A and the simulation: where the formulas mislead
#
# Erlang C (M/M/n) and Erlang A (M/M/n+M) give a staffing baseline per interval from the
# expected calls, the mean handle time and (Erlang A) the mean patience. They assume a
# stationary Poisson load within each interval, exponential times, no memory between
# intervals and nothing else going on. This notebook checks
#
# 1. that the simulation agrees with the formulas when its extra features are off,
# 2. what Erlang C gets wrong when callers abandon,
# 3. what both get wrong when the load varies over the day,
# 4. what both miss around closures, where displaced callers arrive at the next opening,
# 5. what they cannot express at all: callbacks (virtual queue) and transfers.
#
# APIs used: `sim.analysis.erlang` (`erlang_c`, `erlang_a`, `required_agents`),
# `sim.analysis.planning.erlang_plan`, `sim.study.validation` (`LoadPoint`, `compare`),
# `sim.study.runner.run_replications`, `sim.study.compare.compare`. Runs in about a minute on two cores.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import sim
from sim.analysis.erlang import erlang_a, erlang_c, required_agents
from sim.analysis.kpis import feature_kpis
from sim.analysis.planning import erlang_plan
from sim.study.compare import compare
from sim.study.runner import run_replications
from sim.study.validation import LoadPoint
from sim.study.validation import compare as validate_point

pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 20)
WORKERS = 2

# %% [markdown]
# ## 1. Stationary load, no abandonment: the simulation reproduces Erlang C
#
# `sim.study.validation` runs the `steady_state` experiment (one day open 00:00–23:30, flat
# profile, exponential handle time, constant staffing, no displaced demand) and compares
# the replications' mean with the formula (99 % CI). 300 calls/h × 300 s = 25 Erlangs.

# %%
mmn = validate_point(LoadPoint("M/M/28", calls_per_hour=300, aht_s=300, agents=28), reps=5, seed=1)
mmn[["kpi", "formula", "sim_mean", "ci_low", "ci_high", "covered"]]

# %% [markdown]
# ## 2. Abandonment: Erlang C sees a queue that never empties
#
# With 24 agents for 25 Erlangs Erlang C is unstable (every caller waits, the wait grows
# without bound), so a planner using it must staff at least 26. Real callers hang up
# (here: exponential patience, mean 180 s), which keeps the queue finite. Erlang A models
# that and agrees with the simulation; Erlang C does not even report the abandonment that
# makes availability (answered / offered) miss its target.

# %%
agents = np.arange(22, 31, 2)
c = erlang_c(300, 3600, 300, agents)
a = erlang_a(300, 3600, 300, agents, 180)
rows = []
for n in agents:
    v = validate_point(LoadPoint(f"n={n}", 300, 300, int(n), patience_s=180), reps=3, seed=int(n))
    rows.append(v.set_index("kpi")["sim_mean"].rename(int(n)))
simulated = pd.DataFrame(rows)
table = pd.DataFrame({
    "agents": agents,
    "Erlang C service level": c.service_level, "Erlang A service level": a.service_level,
    "simulated service level": simulated["service_level"].to_numpy(),
    "Erlang A P(abandon)": a.p_abandon, "simulated P(abandon)": simulated["p_abandon"].to_numpy(),
    "Erlang C ASA (s)": c.asa_s, "Erlang A ASA (s)": a.asa_s, "simulated ASA (s)": simulated["asa_s"].to_numpy(),
})
table.round(3)

# %%
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(agents, 100 * c.service_level, "o-", label="Erlang C (no abandonment)")
ax.plot(agents, 100 * a.service_level, "s-", label="Erlang A (patience 180 s)")
ax.plot(agents, 100 * table["simulated service level"], "k^", label="simulation (patience 180 s)")
ax.axhline(90, color="C3", ls="--", lw=1, label="target 90 %")
ax.set_xlabel("agents")
ax.set_ylabel("answered within 90 s / offered (%)")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

# %%
need = {m: required_agents(300, 3600, 300, model=m, patience_s=180).agents for m in ("erlang_c", "erlang_a")}
print(f"agents needed for the agreement's targets at 300 calls/h: Erlang C {int(need['erlang_c'])}, Erlang A {int(need['erlang_a'])}")

# %% [markdown]
# ## 3. Time-varying load
#
# ### 3a. Staffing from the day's average load
#
# A planner who feeds Erlang A the day's average arrival rate gets one number of agents
# for the whole day. On a Tuesday (630 potential calls over 9 h, 70 calls/h) the formula
# promises the 90 % service level with 8 agents; the simulation of 1–18 December with
# 8 agents on every interval shows what the intraday peak does to it.

# %%
base = sim.load_scenario("default", ["run.end=2026-12-18"])
plan = erlang_plan(base)  # per weekday × interval: calls, traffic, Erlang C/A staffing
aht, patience = base.handling.mean_handle_s, base.patience.mean
tuesday = plan[plan["weekday"] == "tue"]
rate = tuesday["calls"].sum() / 9  # calls per hour, 08:00-17:00
flat_n = int(required_agents(rate, 3600, aht, model="erlang_a", patience_s=patience).agents)
promise = float(erlang_a(rate, 3600, aht, flat_n, patience).service_level)
flat = sim.load_scenario("default", ["run.end=2026-12-18", "staffing=flat", f"staffing.agents={flat_n}"])
mc_flat = run_replications(flat, 6, seed=7, workers=WORKERS, levels=("interval", "run"))
achieved = mc_flat.level("run")["service_level"].mean()
print(f"{rate:.0f} calls/h on average: Erlang A staffs {flat_n} agents and promises {100 * promise:.1f} %; "
      f"the simulation achieves {100 * achieved:.1f} % over the period")


# %%
def per_interval(mc, weekday: str) -> pd.DataFrame:
    """Pooled simulated service level per interval of one weekday (intervals after 17:00 are overtime)."""
    iv = mc.level("interval")
    when = pd.to_datetime(iv["period"])
    iv = iv.assign(weekday=when.dt.strftime("%a").str.lower(), interval_start=when.dt.strftime("%H:%M"))
    iv = iv[(iv["weekday"] == weekday) & (iv["offered"] > 0) & (iv["interval_start"] < "17:00")]
    g = iv.groupby("interval_start")[["within_threshold", "offered"]].sum()
    return (g["within_threshold"] / g["offered"]).rename("simulated").reset_index()


sipp = tuesday.assign(erlang_a_fixed=erlang_a(tuesday["calls"].to_numpy(), 1800, aht, flat_n, patience).service_level)
lag = sipp.merge(per_interval(mc_flat, "tue"), on="interval_start")[["interval_start", "calls", "erlang_a_fixed", "simulated"]]
lag.round(3)

# %% [markdown]
# ### 3b. Per interval: closer, but the dynamics are missing
#
# Applying Erlang A interval by interval (the "stationary independent period" view) with
# the same 8 agents is much closer than the day-average figure. What it leaves out is the
# dynamics: the line opens empty at 08:00 (which helps the first intervals), and a queue
# built in a busy interval is still there in the next one (which hurts after the peak).
# The difference simulated − formula per phase of the day:

# %%
lag["difference_pp"] = 100 * (lag["simulated"] - lag["erlang_a_fixed"])
top = lag["calls"].max()
first_peak = lag.index[lag["calls"] == top][0]
last_peak = lag.index[lag["calls"] == top][-1]
phases = {
    "first interval (opens empty)": lag.loc[[lag.index[0]]],
    "rising load": lag.loc[lag.index[1] : first_peak - 1],
    "peak": lag.loc[first_peak:last_peak],
    "falling load after the peak": lag.loc[last_peak + 1 : last_peak + 4],
}
pd.DataFrame({name: {"intervals": len(p), "formula %": 100 * p["erlang_a_fixed"].mean(), "simulated %": 100 * p["simulated"].mean(),
                     "difference pp": p["difference_pp"].mean()} for name, p in phases.items()}).T.round(1)

# %%
fig, ax = plt.subplots(figsize=(10, 4))
x = range(len(lag))
ax.step(x, 100 * lag["erlang_a_fixed"], where="mid", label=f"Erlang A per interval, {flat_n} agents")
ax.plot(x, 100 * lag["simulated"], "o", label=f"simulation, {flat_n} agents (Tuesdays)")
ax.axhline(100 * promise, color="C2", ls="-.", lw=1, label="Erlang A on the day's average load")
ax.axhline(90, color="C3", ls="--", lw=1, label="target 90 %")
ax.set_xticks(list(x), lag["interval_start"], rotation=90)
ax.set_ylabel("service level (%)")
ax2 = ax.twinx()
ax2.bar(x, lag["calls"], color="0.85", zorder=0)
ax2.set_ylabel("expected calls per 30 min")
ax.set_zorder(ax2.get_zorder() + 1)
ax.patch.set_visible(False)
ax.legend(fontsize=8, loc="lower right")
plt.show()

# %% [markdown]
# ### 3c. The Erlang A plan per interval, as the default scenario is staffed
#
# With a staffing table that follows the load (the default), the simulated service level
# per interval scatters around the plan's promise. On ordinary days the plan holds up: the
# default's handle times are less variable than the exponential the formula assumes, which
# offsets what the per-interval view leaves out. Section 4 shows where it does not hold.

# %%
mc = run_replications(base, 6, seed=7, workers=WORKERS, levels=("interval",))
weekdays = ("mon", "tue", "wed", "thu", "fri")
both = pd.concat([plan[plan["weekday"] == wd].merge(per_interval(mc, wd), on="interval_start") for wd in weekdays])
print(f"intervals where the simulation is below the plan's promise: {(both['simulated'] < both['erlang_a_service_level']).mean():.0%}; "
      f"mean difference {100 * (both['simulated'] - both['erlang_a_service_level']).mean():+.1f} pp")
fig, ax = plt.subplots(figsize=(5, 5))
ax.scatter(100 * both["erlang_a_service_level"], 100 * both["simulated"], s=12)
lo = 100 * min(both["erlang_a_service_level"].min(), both["simulated"].min()) - 2
ax.plot([lo, 100], [lo, 100], "k--", lw=1)
ax.set_xlabel("Erlang A plan: service level (%)")
ax.set_ylabel("simulated service level (%)")
ax.set_title("every weekday × interval, Erlang A staffing")
plt.show()

# %% [markdown]
# ## 4. Closures and displaced demand: the morning after a red day
#
# The Erlang plan is built from a regular weekday's expected calls. After a red day (and
# after a 15:00 closing) half of the callers who found the line closed call again in the
# first two hours of the next opening (`demand.displaced_share`, `demand.displaced_intervals`).
# The plan cannot see them; the simulation of December 2026 shows the cost.

# %%
december = sim.load_scenario("default")
mc = run_replications(december, 6, seed=7, workers=WORKERS, levels=("day",))
days = mc.level("day")
days = days[days["offered"] > 0]
daily = days.groupby("period")[["service_level", "availability", "offered"]].mean()
plan_promise = (plan.assign(w=plan["calls"] * plan["erlang_a_service_level"]).groupby("weekday")["w"].sum()
                / plan.groupby("weekday")["calls"].sum())
daily["weekday"] = pd.to_datetime(daily.index).strftime("%a").str.lower()
daily["plan_service_level"] = daily["weekday"].map(plan_promise)
calendar = sim.opening_hours(december).set_index("date")["reason"]
daily["reason"] = calendar.reindex(pd.to_datetime(daily.index)).to_numpy()
daily.round(3)

# %%
one = sim.simulate(december, seed=7).calls
one_day = one[one["arrival"].dt.normalize() == "2026-12-28"]
print(f"28 Dec 2026: {len(one_day)} calls offered, of which {one_day['displaced'].sum()} displaced callers "
      f"({one_day['displaced'].mean():.0%}) from the closed days before")

fig, ax = plt.subplots(figsize=(10, 4))
x = pd.to_datetime(daily.index)
ax.plot(x, 100 * daily["plan_service_level"], "s--", label="Erlang A plan's promise (regular weekday)")
ax.plot(x, 100 * daily["service_level"], "o-", label="simulation (mean of 6 replications)")
ax.axhline(90, color="C3", ls=":", lw=1, label="target 90 %")
worst = daily["service_level"].idxmin()
daily.loc[worst, "reason"] = f"first opening after red days ({daily.loc[worst, 'reason']})"
for d, reason in daily["reason"].items():
    if reason != "open":
        ax.annotate(reason, (pd.Timestamp(d), 100 * daily.loc[d, "service_level"]), fontsize=7,
                    xytext=(-150 if d == worst else -40, -4 if d == worst else -22), textcoords="offset points")
ax.set_ylabel("service level (%)")
ax.legend(fontsize=8, loc="lower left")
fig.autofmt_xdate()
plt.show()

# %% [markdown]
# ## 5. Callbacks and transfers: beyond the formulas
#
# Erlang C/A have no virtual queue and no second agent group. In the simulation a caller
# offered a callback who accepts hangs up and keeps their queue place; the agreement's
# service level then depends on how a callback is counted (`callbacks.kpi_convention`), and
# a warm transfer keeps two agents busy during the consultation. The comparison below runs
# the first two weeks of December with common random numbers.
#
# NOTE (issue 4, callbacks and warm transfers): the model has them since issue 4 landed;
# the callback and transfer KPIs come from `sim.analysis.kpis.feature_kpis` on the call records
# because the runner's KPI rows carry only the agreement's KPIs (extend the list below when
# the runner adds them).

# %%
two_weeks = ["run.end=2026-12-14"]
cmp = compare(
    ["default:" + two_weeks[0], "callbacks=default:callbacks=on," + two_weeks[0],
     "warm transfer=default:transfers=warm," + two_weeks[0]],
    reps=6, workers=WORKERS, levels=("day", "run"),
)
cmp.table[cmp.table["kpi"].isin(["service_level", "availability", "asa_s", "aht_s", "staffed_s"])][
    ["scenario", "kpi", "mean", "ci_low", "ci_high", "verdict"]
]

# %%
cmp.differences[cmp.differences["kpi"].isin(["service_level", "availability", "asa_s", "aht_s"])][
    ["scenario", "kpi", "difference", "ci_low", "ci_high", "assessment"]
]

# %%
features = {}
for label, sc in cmp.scenarios.items():
    calls = sim.simulate(sc, seed=1).calls
    features[label] = feature_kpis(calls.assign(arrival=calls["arrival"].min()), "D").iloc[0]
pd.DataFrame(features).loc[["offered", "callbacks_offered", "callbacks_accepted", "callback_on_time_share",
                            "transfers", "transfers_warm", "transfer_fallbacks", "mean_consult_wait_s"]]

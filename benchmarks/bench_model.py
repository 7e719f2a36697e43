"""Speed of ``sim.simulate`` on the canonical day, against Ciw 3.x on the same workload.

The canonical day (``scenarios/experiment/canonical_day.yaml``): 9 h open, Poisson 300 calls/h,
exponential handle time mean 300 s, exponential patience mean 180 s, 28 agents all day, FCFS,
the queue left at closing is served. The scaled load is the same day at 3000 calls/h with 280
agents (``demand.volume=27000 staffing.agents=280``).

Ciw model of the same workload: one node, 28 (or 280) servers, FCFS, exponential service
(mean 300 s), exponential reneging (mean 180 s), and arrivals from Ciw's own
``PoissonIntervals`` (Poisson count over [0, 9 h) with uniform times, the same construction
as ``sim.world.demand``; the inter-arrival after the last call is infinite), simulated until
every customer has left.

What is timed (``time.perf_counter`` wall time, one call = one replication):

* ours: ``sim.simulate(scenario, seed)`` only -- drawing the calls, the SimPy run, and
  building the ``calls`` and ``agents`` DataFrames. The scenario is loaded once, outside
  the timing, and one warm-up call runs first. The cold first call (fresh interpreter:
  import, load, first simulate) is measured separately in a subprocess.
* Ciw: building the network (which draws the arrival times), the ``Simulation``,
  ``simulate_until_max_time`` and ``get_all_records()`` -- i.e. the same "inputs to
  per-call records" span. Ours additionally builds pandas tables, so the comparison is, if
  anything, conservative for ours.

Runs of the two are interleaved seed by seed so that machine noise hits both alike; each
figure is the median over repetitions (the best is reported too). Speed is reported as a
ratio against Ciw measured in the same run, because absolute calls/s vary with the machine.

``python benchmarks/bench_model.py`` runs the benchmark; ``--profile`` prints a cProfile
of one scaled-load ``sim.simulate`` call instead.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SCENARIO = "canonical_day"
OPEN_S = 9 * 3600.0
MEAN_HANDLE_S = 300.0
MEAN_PATIENCE_S = 180.0
HORIZON_S = OPEN_S + 7 * 86400.0  # Ciw stops by itself once the queue is empty

GOAL_RATIO = 3.0  # ours >= 3x Ciw's calls/s
GOAL_SCALING = 1.3  # per-call cost at 10x load <= 1.3x the base per-call cost


@dataclass(frozen=True)
class Load:
    name: str
    calls_per_hour: int
    agents: int

    @property
    def overrides(self) -> list[str]:
        return [f"demand.volume={self.calls_per_hour * 9}", f"staffing.agents={self.agents}"]


BASE = Load("base", 300, 28)
SCALED = Load("scaled", 3000, 280)


@dataclass(frozen=True)
class Rep:
    """One timed replication: wall time and the per-day KPIs of its output."""

    wall_s: float
    offered: int
    answered: int
    abandoned: int
    wait_all_s: float  # mean time in queue over all offered calls (to answer or hang-up)
    wait_answered_s: float  # mean wait of answered calls
    within_20s: float  # share of answered calls answered within 20 s

    @property
    def calls_per_s(self) -> float:
        return self.offered / self.wall_s

    @property
    def s_per_call(self) -> float:
        return self.wall_s / self.offered


# -- ours ----------------------------------------------------------------------------------


def load_ours(load: Load) -> Any:
    import sim

    s = sim.load_scenario(SCENARIO, overrides=load.overrides, config_dir=SCENARIOS)
    # Guard against the experiment file drifting away from the workload Ciw is given.
    assert s.demand.volume == load.calls_per_hour * 9, s.demand.volume
    assert s.staffing.agents == load.agents, s.staffing.agents
    assert s.handling.talk.dist == "exponential" and s.handling.talk.mean == MEAN_HANDLE_S
    assert s.handling.hold.mean == 0 and s.handling.wrap.mean == 0
    assert s.patience.dist == "exponential" and s.patience.mean == MEAN_PATIENCE_S
    return s


def run_ours(scenario: Any, seed: int) -> Rep:
    import sim

    gc.collect()
    t0 = time.perf_counter()
    r = sim.simulate(scenario, seed)
    wall = time.perf_counter() - t0
    c = r.calls
    answered = (c["fate"] == "answered").to_numpy()
    wait = c["wait_s"].to_numpy()
    wa = wait[answered]
    return Rep(
        wall_s=wall,
        offered=len(c),
        answered=int(answered.sum()),
        abandoned=int((~answered).sum()),
        wait_all_s=float(wait.mean()),
        wait_answered_s=float(wa.mean()) if wa.size else math.nan,
        within_20s=float((wa <= 20.0).mean()) if wa.size else math.nan,
    )


# -- Ciw -----------------------------------------------------------------------------------


def run_ciw(load: Load, seed: int) -> Rep:
    import ciw

    ciw.seed(seed)
    gc.collect()
    t0 = time.perf_counter()
    network = ciw.create_network(
        arrival_distributions=[
            ciw.dists.PoissonIntervals(
                rates=[load.calls_per_hour / 3600.0], endpoints=[OPEN_S], max_sample_date=OPEN_S
            )
        ],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / MEAN_HANDLE_S)],
        number_of_servers=[load.agents],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1.0 / MEAN_PATIENCE_S)],
    )
    q = ciw.Simulation(network)
    q.simulate_until_max_time(HORIZON_S)
    records = q.get_all_records()
    wall = time.perf_counter() - t0
    served = [r for r in records if r.record_type == "service"]
    reneged = [r for r in records if r.record_type == "renege"]
    n = len(served) + len(reneged)
    if n != q.nodes[0].number_of_individuals or any(len(v) for v in q.nodes[1].individuals):
        raise RuntimeError("Ciw run ended with customers still in the system; raise HORIZON_S")
    waits = [r.waiting_time for r in served]
    return Rep(
        wall_s=wall,
        offered=n,
        answered=len(served),
        abandoned=len(reneged),
        wait_all_s=(sum(waits) + sum(r.waiting_time for r in reneged)) / n,
        wait_answered_s=statistics.fmean(waits) if waits else math.nan,
        within_20s=sum(w <= 20.0 for w in waits) / len(waits) if waits else math.nan,
    )


# -- statistics and printing ---------------------------------------------------------------

KPIS: tuple[tuple[str, str, Callable[[Rep], float]], ...] = (
    ("offered calls", "{:.1f}", lambda r: r.offered),
    ("answered calls", "{:.1f}", lambda r: r.answered),
    ("abandoned %", "{:.2f}", lambda r: 100.0 * r.abandoned / r.offered),
    ("mean wait, all calls (s)", "{:.2f}", lambda r: r.wait_all_s),
    ("mean wait, answered (s)", "{:.2f}", lambda r: r.wait_answered_s),
    ("answered within 20 s %", "{:.2f}", lambda r: 100.0 * r.within_20s),
)


def _mean_se(xs: list[float]) -> tuple[float, float]:
    m = statistics.fmean(xs)
    se = statistics.stdev(xs) / math.sqrt(len(xs)) if len(xs) > 1 else math.nan
    return m, se


def kpi_check(ours: list[Rep], ciw: list[Rep]) -> list[dict[str, Any]]:
    """Mean ± standard error over replications of each KPI, and the z-score of the gap."""
    rows = []
    for name, fmt, f in KPIS:
        mo, so = _mean_se([f(r) for r in ours])
        mc, sc = _mean_se([f(r) for r in ciw])
        se = math.hypot(so, sc)
        z = (mo - mc) / se if se > 0 else (0.0 if mo == mc else math.inf)
        rows.append({"kpi": name, "fmt": fmt, "ours": mo, "ours_se": so, "ciw": mc, "ciw_se": sc, "z": z})
    return rows


def print_kpis(title: str, rows: list[dict[str, Any]], n_ours: int, n_ciw: int) -> None:
    print(f"\n{title}: KPIs per day, mean ± s.e. over replications (ours n={n_ours}, Ciw n={n_ciw})")
    print(f"  {'':<26}{'ours':>20}{'Ciw':>20}{'z':>7}")
    for r in rows:
        fmt = r["fmt"]
        o = f"{fmt.format(r['ours'])} ± {fmt.format(r['ours_se'])}"
        c = f"{fmt.format(r['ciw'])} ± {fmt.format(r['ciw_se'])}"
        flag = "  <-- differs" if abs(r["z"]) > 3 else ""
        print(f"  {r['kpi']:<26}{o:>20}{c:>20}{r['z']:>7.2f}{flag}")


def summarise(reps: list[Rep]) -> dict[str, Any]:
    return {
        "reps": len(reps),
        "offered_mean": statistics.fmean(r.offered for r in reps),
        "wall_median_s": statistics.median(r.wall_s for r in reps),
        "calls_per_s_median": statistics.median(r.calls_per_s for r in reps),
        "calls_per_s_best": max(r.calls_per_s for r in reps),
        "us_per_call_median": 1e6 * statistics.median(r.s_per_call for r in reps),
        "us_per_call_best": 1e6 * min(r.s_per_call for r in reps),
    }


# -- cold start, phase breakdown, profile --------------------------------------------------

_COLD = r"""
import json, sys, time
t0 = time.perf_counter()
import sim
t1 = time.perf_counter()
s = sim.load_scenario(sys.argv[1], config_dir=sys.argv[2])
t2 = time.perf_counter()
sim.simulate(s, 1)
t3 = time.perf_counter()
sim.simulate(s, 2)
t4 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_scenario_s": t2 - t1,
                  "first_simulate_s": t3 - t2, "second_simulate_s": t4 - t3}))
"""


def cold_start(runs: int = 3) -> dict[str, float]:
    """Fresh interpreters: import sim, load the scenario, first and second ``simulate``
    (medians over ``runs`` processes). ``process_s`` includes interpreter start-up."""
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", _COLD, SCENARIO, str(SCENARIOS)],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )
        d = json.loads(out.stdout.strip().splitlines()[-1])
        d["process_s"] = time.perf_counter() - t0
        samples.append(d)
    return {k: statistics.median(d[k] for d in samples) for k in samples[0]}


def phase_breakdown(scenario: Any, seeds: list[int]) -> dict[str, float] | None:
    """Median seconds per phase of ``sim.simulate`` (mirrors ``sim/model/simulate.py``; uses
    internals, so it is skipped if they change), plus ``simpy_us_per_call``: the SimPy run's
    median cost per offered call."""
    try:
        from sim.model import engine as model
        from sim.model import records
        from sim.model.rules import Rules
        from sim.world import demand as arrivals
        from sim.world.calendar import day_plans, plans_frame
        from sim.world.staffing import build_schedule
        from sim.world.streams import Streams

        phases: dict[str, list[float]] = {}
        per_call: list[float] = []
        for seed in seeds:
            gc.collect()
            t = [time.perf_counter()]
            plans = day_plans(scenario.calendar, scenario.run.start, scenario.run.end)
            calls = arrivals.generate(scenario, Streams(seed), plans)
            t.append(time.perf_counter())
            schedules = [build_schedule(scenario, plans, st) for st in scenario.staffing_by_group().values()]
            opens, closes = arrivals.open_periods(plans)
            rules = Rules.from_scenario(scenario)
            out = model.run(calls, schedules, rules, opens, closes)
            t.append(time.perf_counter())
            records.calls_frame(calls, out, scenario.run.start, rules)
            t.append(time.perf_counter())
            records.agent_log(calls, out, schedules, scenario.run.start, scenario.demand.interval_min, tuple(scenario.staffing_by_group()))
            plans_frame(plans)
            t.append(time.perf_counter())
            for name, a, b in zip(("draw calls", "SimPy run", "calls frame", "agent log"), t, t[1:], strict=False):
                phases.setdefault(name, []).append(b - a)
            per_call.append(1e6 * (t[2] - t[1]) / max(len(calls), 1))
        res = {k: statistics.median(v) for k, v in phases.items()}
        res["simpy_us_per_call"] = statistics.median(per_call)
        return res
    except Exception as exc:  # noqa: BLE001 - diagnostic only
        print(f"  (phase breakdown skipped: {type(exc).__name__}: {exc})")
        return None


def profile(load: Load = SCALED, seed: int = 1, top: int = 15) -> None:
    import cProfile
    import pstats

    import sim

    s = load_ours(load)
    sim.simulate(s, seed)  # warm-up
    pr = cProfile.Profile()
    pr.enable()
    sim.simulate(s, seed)
    pr.disable()
    st = pstats.Stats(pr)
    st.strip_dirs()
    for key in ("cumulative", "tottime"):
        print(f"\n=== sim.simulate, {load.name} load ({load.calls_per_hour} calls/h, {load.agents} agents), top {top} by {key}")
        st.sort_stats(key).print_stats(top)


# -- main ----------------------------------------------------------------------------------


def main(base_reps: int = 15, scaled_reps: int = 7, ciw_scaled_budget_s: float = 6.0, verbose: bool = True) -> dict[str, Any]:
    """Run the benchmark; print the figures (if ``verbose``) and return them as a dict."""
    import ciw
    import simpy

    def say(*a: Any) -> None:
        if verbose:
            print(*a, flush=True)

    say(f"Model benchmark: canonical day, sim.simulate vs Ciw {ciw.__version__} (SimPy {simpy.__version__})")
    say("  cold start (fresh interpreter) ...")
    cold = cold_start()

    s_base = load_ours(BASE)
    s_scaled = load_ours(SCALED)
    run_ours(s_base, 10_000)  # warm-up: lazy imports, calendar/holiday tables, caches
    run_ciw(BASE, 10_000)

    seeds = list(range(1, base_reps + 1))
    say(f"  base load: {base_reps} replications each, interleaved ...")
    ours_b, ciw_b = [], []
    for seed in seeds:
        ours_b.append(run_ours(s_base, seed))
        ciw_b.append(run_ciw(BASE, seed))

    say(f"  scaled load: {scaled_reps} replications of ours, Ciw within a {ciw_scaled_budget_s:.0f} s budget ...")
    run_ours(s_scaled, 10_000)
    ours_s, ciw_s = [], []
    spent = 0.0
    for seed in range(1, scaled_reps + 1):
        ours_s.append(run_ours(s_scaled, seed))
        if spent < ciw_scaled_budget_s:
            rep = run_ciw(SCALED, seed)
            ciw_s.append(rep)
            spent += rep.wall_s

    phases = {"base": phase_breakdown(s_base, seeds[:5]), "scaled": phase_breakdown(s_scaled, [1, 2, 3])}

    ob, cb, os_, cs = summarise(ours_b), summarise(ciw_b), summarise(ours_s), summarise(ciw_s)
    ratio = ob["calls_per_s_median"] / cb["calls_per_s_median"]
    ratio_best = ob["calls_per_s_best"] / cb["calls_per_s_best"]
    ratio_scaled = os_["calls_per_s_median"] / cs["calls_per_s_median"]
    scaling_ours = os_["us_per_call_median"] / ob["us_per_call_median"]
    scaling_ciw = cs["us_per_call_median"] / cb["us_per_call_median"]
    kpi_b, kpi_s = kpi_check(ours_b, ciw_b), kpi_check(ours_s, ciw_s)
    pb, ps = phases["base"], phases["scaled"]
    scaling_simpy = ps["simpy_us_per_call"] / pb["simpy_us_per_call"] if pb and ps else math.nan

    result: dict[str, Any] = {
        "workload": {
            "open_h": OPEN_S / 3600, "mean_handle_s": MEAN_HANDLE_S, "mean_patience_s": MEAN_PATIENCE_S,
            "base": vars(BASE), "scaled": vars(SCALED),
        },
        "versions": {"python": sys.version.split()[0], "simpy": simpy.__version__, "ciw": ciw.__version__},
        "base": {"ours": ob, "ciw": cb, "ratio_calls_per_s": ratio, "ratio_calls_per_s_best": ratio_best},
        "scaled": {"ours": os_, "ciw": cs, "ratio_calls_per_s": ratio_scaled},
        "per_call_cost_scaled_over_base": {"ours": scaling_ours, "ours_simpy_run_only": scaling_simpy, "ciw": scaling_ciw},
        "cold_start": cold,
        "phases_s": phases,
        "kpis": {
            "base": [{k: v for k, v in r.items() if k != "fmt"} for r in kpi_b],
            "scaled": [{k: v for k, v in r.items() if k != "fmt"} for r in kpi_s],
        },
        "goals": {
            "ratio_ge_3": ratio >= GOAL_RATIO,
            "scaling_le_1_3": scaling_ours <= GOAL_SCALING,
        },
    }

    if verbose:
        print_kpis(f"Same workload, base load ({BASE.calls_per_hour} calls/h, {BASE.agents} agents)", kpi_b, len(ours_b), len(ciw_b))
        print_kpis(f"Same workload, scaled load ({SCALED.calls_per_hour} calls/h, {SCALED.agents} agents)", kpi_s, len(ours_s), len(ciw_s))
        print("\nSpeed (median over replications; best in brackets)")
        print(f"  {'':<30}{'reps':>5}{'calls/s':>20}{'µs/call':>16}")
        for label, d in (
            ("ours, base", ob), ("Ciw, base", cb), ("ours, scaled", os_), ("Ciw, scaled", cs),
        ):
            cps = f"{d['calls_per_s_median']:,.0f} ({d['calls_per_s_best']:,.0f})"
            upc = f"{d['us_per_call_median']:.1f} ({d['us_per_call_best']:.1f})"
            print(f"  {label:<30}{d['reps']:>5}{cps:>20}{upc:>16}")
        ok = lambda b: "ok" if b else "MISSED"  # noqa: E731
        print(f"\n  ratio ours/Ciw, base load:     {ratio:.2f}x (best vs best {ratio_best:.2f}x)  "
              f"goal >= {GOAL_RATIO:g}x: {ok(ratio >= GOAL_RATIO)}")
        print(f"  ratio ours/Ciw, scaled load:   {ratio_scaled:.2f}x")
        print(
            f"  per-call cost scaled/base:     ours {scaling_ours:.2f}x  goal <= {GOAL_SCALING:g}x: {ok(scaling_ours <= GOAL_SCALING)} "
            f"(SimPy run alone {scaling_simpy:.2f}x);  Ciw {scaling_ciw:.2f}x"
        )
        print(
            f"  cold start (fresh process):    import sim {cold['import_s']:.2f} s, load_scenario {cold['load_scenario_s']:.2f} s, "
            f"first simulate {cold['first_simulate_s']:.3f} s vs second {cold['second_simulate_s']:.3f} s; "
            f"whole process {cold['process_s']:.2f} s"
        )
        for name, ph in phases.items():
            if ph:
                times = {k: v for k, v in ph.items() if k != "simpy_us_per_call"}
                total = sum(times.values())
                parts = ", ".join(f"{k} {1e3 * v:.1f} ms ({100 * v / total:.0f}%)" for k, v in times.items())
                print(f"  phases of simulate, {name}: {parts}")
    return result


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", action="store_true", help="cProfile one scaled-load sim.simulate call")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON at the end")
    args = ap.parse_args()
    if args.profile:
        profile()
    else:
        res = main()
        if args.json:
            print(json.dumps(res, indent=2, default=str))

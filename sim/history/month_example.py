"""A month of synthetic actuals with known causes of missed days, for the monthly follow-up.

The synthetic centre of :mod:`sim.history.synthetic` is run over one month with its plan (the
scenario :func:`plan_scenario` returns: the true volume, weekday factors, handle time, patience
and staffing), then chosen days are simulated again with one thing changed, so a follow-up of
the month knows what it should find:

``volume``   the day's demand times a factor (e.g. 1.4: 40 % above the forecast)
``agents``   that many agents added in every interval (e.g. -2: two agents fewer than planned)
``aht``      talk, hold and after-call work times a factor (e.g. 1.2: 20 % longer)
``closed``   ``(HH:MM, HH:MM)``: the line closed in that window (not in the plan)

A changed day has no random day factor (its expected demand is the plan's times the volume
factor), so its cause is the only difference from the plan besides chance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from sim.history.synthetic import CALL_MAP, Truth, call_log, scenario_for
from sim.model.simulate import simulate
from sim.scenario.compose import load_scenario
from sim.schema import Scenario


@dataclass(frozen=True)
class Cause:
    """What was different on one day (see the module docstring); the defaults change nothing."""

    volume: float = 1.0
    agents: int = 0
    aht: float = 1.0
    closed: tuple[str, str] | None = None


EXAMPLE_TRUTH = Truth(staffing_delta=0, day_cv=0.04, storms=(), closures=(), yearly_amplitude=0.0)
"""The example centre: staffed by the default Erlang A plan (it meets the targets on an ordinary
day), a small day-to-day variation, no storms and no planned closures."""

EXAMPLE_CAUSES: dict[str, Cause] = {
    "2026-11-10": Cause(volume=1.4),
    "2026-11-17": Cause(agents=-2),
    "2026-11-24": Cause(aht=1.2),
}
"""The example month's known causes: +40 % volume, two agents fewer, +20 % handle time (all
Tuesdays, so the days compare like with like)."""


def plan_scenario(truth: Truth, start: str | dt.date, end: str | dt.date, seed: int = 0) -> Scenario:
    """The plan in force: the synthetic centre's scenario over the month (its forecast is the
    true expected demand, its staffing table the true staffing)."""
    a, b = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    return scenario_for(truth, a, b, truth.volume, seed)


def _changed(s: Scenario, day: dt.date, cause: Cause, seed: int) -> Scenario:
    cfg = s.model_dump(mode="json")
    cfg["run"] = {"start": day.isoformat(), "end": day.isoformat(), "seed": seed}
    cfg["demand"]["volume"] = s.demand.volume * cause.volume
    cfg["demand"]["day_cv"] = 0.0
    if cause.agents:
        table = cfg["staffing"]["table"]
        cfg["staffing"]["table"] = {w: [max(0, v + cause.agents) for v in row] for w, row in table.items()}
    if cause.aht != 1.0:
        for part in ("talk", "hold", "wrap"):
            if cfg["handling"][part].get("mean") is not None:
                cfg["handling"][part]["mean"] = cfg["handling"][part]["mean"] * cause.aht
    if cause.closed is not None:
        cfg["calendar"]["closures"] = [*cfg["calendar"]["closures"],
                                       {"start": day.isoformat(), "from_time": cause.closed[0], "to_time": cause.closed[1],
                                        "reason": "unplanned"}]
    return Scenario.model_validate(cfg)


def simulate_month(
    start: str | dt.date, end: str | dt.date, causes: dict[str, Cause] | None = None, truth: Truth = EXAMPLE_TRUTH, seed: int = 1
) -> pd.DataFrame:
    """Call records of the month: the plan's world, with each day of ``causes`` simulated again
    with its change."""
    plan = plan_scenario(truth, start, end, seed)
    calls = simulate(plan).calls
    for k, (day, cause) in enumerate(sorted((causes or {}).items())):
        d = pd.Timestamp(day)
        calls = calls[calls["arrival"].dt.normalize() != d]
        extra = simulate(_changed(plan, d.date(), cause, seed * 1000 + 17 + k)).calls
        calls = pd.concat([calls, extra])
    out = calls.sort_values("arrival", kind="stable").reset_index(drop=True)
    out["call_id"] = range(len(out))
    return out


CASE_MAP = {
    "separator": ";",
    "datetime_format": "%Y-%m-%d %H:%M",
    "columns": {"case_id": "ArendeID", "kind": "Typ", "arrival": "Skapad", "finished_at": "Avslutad"},
    "kinds": {"Felanmälan": "fault_report", "Beställning": "case_order"},
}
"""The column map of :func:`case_export` (a Swedish case system's export)."""


def case_export(start: str | dt.date, end: str | dt.date, seed: int = 1) -> pd.DataFrame:
    """A case system's export of the month: the default scenario's case work (``cases=on``:
    e-mail, web and social-media cases worked by the phone agents between calls), one row per
    case, ``;``-separated, Swedish kind names, an empty ``Avslutad`` for a case still open."""
    a, b = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    s = load_scenario("default", ["cases=on", f"run.start={a.isoformat()}", f"run.end={b.isoformat()}", f"run.seed={seed}"])
    cases = simulate(s).cases
    assert cases is not None
    names = {v: k for k, v in CASE_MAP["kinds"].items()}  # type: ignore[attr-defined]

    def stamp(t: pd.Series) -> pd.Series:
        return t.dt.strftime("%Y-%m-%d %H:%M").fillna("")

    return pd.DataFrame({"ArendeID": [f"A{i:06d}" for i in cases["case_id"]], "Typ": cases["kind"].map(names),
                         "Kanal": cases["channel"], "Skapad": stamp(cases["arrival"]), "Avslutad": stamp(cases["finished_at"])})


def write_month(out_dir: str | Path, month: str = "2026-11", causes: dict[str, Cause] | None = None, seed: int = 1) -> dict[str, Path]:
    """Write the example month: ``call_log.csv`` (a Swedish ACD export, as the calibration's
    example), ``call_map.yaml``, the plan in force ``plan.json`` (a scenario), ``causes.yaml``
    (what was changed on which day) and a case export ``cases.csv`` with ``case_map.yaml``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    first = pd.Timestamp(f"{month}-01")
    last = first + pd.offsets.MonthEnd(0)
    causes = EXAMPLE_CAUSES if causes is None else causes
    calls = simulate_month(first.date(), last.date(), causes, seed=seed)
    paths = {"calls": out / "call_log.csv", "call_map": out / "call_map.yaml", "plan": out / "plan.json", "causes": out / "causes.yaml",
             "cases": out / "cases.csv", "case_map": out / "case_map.yaml"}
    call_log(calls, seed=seed).to_csv(paths["calls"], sep=";", index=False)
    paths["call_map"].write_text(yaml.safe_dump(CALL_MAP, sort_keys=False, allow_unicode=True), encoding="utf-8")
    paths["plan"].write_text(plan_scenario(EXAMPLE_TRUTH, first, last).model_dump_json(indent=1), encoding="utf-8")
    paths["causes"].write_text(
        yaml.safe_dump({d: {k: (list(v) if isinstance(v, tuple) else v) for k, v in c.__dict__.items()} for d, c in causes.items()},
                       sort_keys=False),
        encoding="utf-8",
    )
    case_export(first.date(), last.date(), seed).to_csv(paths["cases"], sep=";", index=False)
    paths["case_map"].write_text(yaml.safe_dump(CASE_MAP, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return paths

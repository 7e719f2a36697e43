"""Which staffing a composed scenario gets: ``staffing=plan`` (the Erlang A or C table of the
scenario's own demand) and ``staffing.agents=N`` over a table (N agents on every open interval).

Resolved while composing, in the scenario layer, because the world may not import the
analysis: the simulation then sees an ordinary table or constant.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from sim.errors import ScenarioError
from sim.scenario.messages import format_errors
from sim.schema import Scenario

log = logging.getLogger(__name__)

PLAN_MODELS = ("erlang_a", "erlang_c")


def constant_over_table(raw: dict[str, Any]) -> dict[str, Any]:
    """``staffing.agents=N`` on a table (or plan) staffing means N agents on every open
    interval: the table is replaced by a constant, and a log line says so."""
    staffing = raw.get("staffing")
    if not isinstance(staffing, dict) or staffing.get("agents") is None:
        return raw
    has_table = staffing.get("table") is not None or staffing.get("table_file") is not None
    if not (staffing.get("mode") == "plan" or (staffing.get("mode") == "table" and has_table)):
        return raw
    log.info("staffing.agents=%s: %s agents on every open interval instead of the %s staffing.",
             staffing["agents"], staffing["agents"], staffing["mode"])
    return {**raw, "staffing": {"mode": "constant", "agents": staffing["agents"]}}


def planned_staffing(raw: dict[str, Any], staffing: dict[str, Any]) -> dict[str, Any]:
    """``staffing.mode: plan``: the Erlang A (or ``staffing.model: erlang_c``) table for the
    scenario's own demand, handling, patience and targets, as ``python -m sim.plan`` writes it
    (agents on the phones, no shrinkage). Resolved here, in the scenario layer, because the
    world may not import the analysis: the simulation then sees an ordinary table."""
    model = staffing.get("model", "erlang_a")
    if model not in PLAN_MODELS:
        raise ScenarioError(f"Invalid scenario: staffing.model: must be one of {', '.join(PLAN_MODELS)} (got {model!r}).")
    extra = set(staffing) - {"mode", "model", "agents", "table", "table_file", "shifts"}
    if extra or any(staffing.get(k) is not None for k in ("table", "table_file", "shifts")):
        bad = sorted(extra) or [k for k in ("table", "table_file", "shifts") if staffing.get(k) is not None]
        raise ScenarioError(f"Invalid scenario: staffing.{bad[0]}: not used with staffing.mode=plan (the table is "
                            "derived from the demand); allowed: staffing.model (erlang_a or erlang_c).")
    probe = {**raw, "staffing": {"mode": "constant", "agents": 0}}
    try:
        scenario = Scenario.model_validate(probe)
    except ValidationError as exc:
        raise ScenarioError(format_errors(exc)) from None
    from sim.analysis.planning import erlang_plan  # only for staffing.mode=plan: SciPy stays out of start-up

    try:
        plan = erlang_plan(scenario)
    except ValueError as exc:
        raise ScenarioError(f"Invalid scenario: staffing.mode: plan cannot derive a table here: {exc}.") from None
    table = {str(day): [int(v) for v in grp[f"{model}_agents"]] for day, grp in plan.groupby("weekday", sort=False)}
    if not table:
        raise ScenarioError("Invalid scenario: staffing.mode: plan needs at least one open weekday in calendar.hours.")
    return {**raw, "staffing": {"mode": "table", "table": table}}

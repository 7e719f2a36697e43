"""Compose scenarios with Hydra and validate them into a frozen :class:`~sim.schema.Scenario`.

``load_scenario("default")`` composes ``scenarios/config.yaml``; any other name applies the
experiment delta ``scenarios/experiment/<name>.yaml`` on top (the Hydra "configuring
experiments" pattern). Overrides use Hydra's syntax (``staffing.agents=30``) and are checked
before Hydra sees them (:func:`check_overrides`).

The error text is worded in :mod:`sim.scenario.messages`, the data files a scenario names are
read by :mod:`sim.scenario.datafiles`, and ``staffing=plan`` is resolved by
:mod:`sim.scenario.planned`.
"""

from __future__ import annotations

import os
import re
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException
from pydantic import ValidationError

from sim.errors import ScenarioError
from sim.scenario.datafiles import read_data_files
from sim.scenario.messages import allowed_keys_hint, composition_error, decimal_comma, format_errors, one_line, schema_has
from sim.schema import Scenario
from sim.world.calendar import day_plans
from sim.world.staffing import agents_at_open_intervals

# Read while composing (staffing=plan, the staffing table's provenance, an inline profile's grid), never by the schema.
COMPOSE_ONLY_KEYS = ("staffing.model", "staffing.planned_for", "demand.profile_interval_min")

_PKG_ROOT = Path(__file__).resolve().parents[2]  # the project root (sim/scenario/compose.py -> .)


def scenarios_dir() -> Path:
    """Where scenarios live: ``$SIM_SCENARIOS``, else ``./scenarios``, else the project's."""
    env = os.environ.get("SIM_SCENARIOS")
    if env:
        return Path(env).resolve()
    local = Path.cwd() / "scenarios"
    if (local / "config.yaml").is_file():
        return local.resolve()
    return _PKG_ROOT / "scenarios"


def load_scenario(
    name: str = "default",
    overrides: Sequence[str] = (),
    config_dir: str | Path | None = None,
) -> Scenario:
    """Compose and validate a scenario (for notebooks, tests and scripts)."""
    root = Path(config_dir).resolve() if config_dir else scenarios_dir()
    if not (root / "config.yaml").is_file():
        raise ScenarioError(f"No scenarios found: {root}/config.yaml does not exist (set SIM_SCENARIOS or pass config_dir).")
    args = list(overrides)
    if name != "default":
        if not (root / "experiment" / f"{name}.yaml").is_file():
            known = sorted(p.stem for p in (root / "experiment").glob("*.yaml"))
            raise ScenarioError(f"Unknown scenario {name!r}: there is no {root}/experiment/{name}.yaml "
                                f"(known: default, {', '.join(known)}).")
        args.append(f"+experiment={name}")
    problem = check_overrides(args, root)
    if problem:
        raise ScenarioError(problem)
    try:
        with initialize_config_dir(version_base="1.3", config_dir=str(root)):
            cfg = compose(config_name="config", overrides=args)
    except (HydraException, OmegaConfBaseException, ValueError, TypeError, KeyError) as exc:
        # Hydra raises plain ValueError/TypeError for some malformed group overrides.
        raise ScenarioError(composition_error(exc, args)) from None
    return validate(cfg, base_dir=root)



def check_overrides(args: Sequence[str], root: Path | None = None) -> str | None:
    """Check command-line overrides before Hydra composes them; return an error text or None.

    Catches a key that is not in the schema (``staffing.tabel=3``: Hydra's own message would
    suggest adding it with ``+``, which the schema then refuses), a group override whose
    value is not a file name (``staffing=[1,2]``: Hydra crashes with a TypeError deep inside)
    and a decimal comma on a numeric key (``patience.mean=3,5``: Hydra reads a sweep and asks
    for ``--multirun``). Syntax errors are left to Hydra, which reports them with context."""
    root = root or scenarios_dir()
    if not root.is_dir():
        return None
    groups = {p.name: sorted(q.stem for q in p.glob("*.yaml")) for p in root.iterdir() if p.is_dir()}
    candidates = [a for a in args if not a.startswith("-") and "=" in a]
    try:
        parsed = OverridesParser.create().parse_overrides(candidates)
    except Exception:  # noqa: BLE001 - syntax errors are reported by Hydra itself, with context
        return None
    multirun = any(a in ("-m", "--multirun") for a in args)
    for o in parsed:
        key = o.key_or_group
        if re.split(r"[./]", key)[0] == "hydra" or o.package is not None:
            continue  # Hydra's own settings (hydra.run.dir, hydra/launcher=...)
        comma = None if multirun or key in groups else decimal_comma(o.input_line or "", key)
        if comma:
            return comma
        if key not in groups:
            if not o.is_add() and not o.is_force_add() and not schema_has(key) and key not in COMPOSE_ONLY_KEYS:
                return (
                    f"Invalid scenario composition ({o.input_line}): unknown key '{key}': it is not "
                    f"in the scenario schema, so it cannot be set. {allowed_keys_hint(key)}"
                )
            if not o.is_add() and not o.is_force_add() and not o.is_delete():
                try:
                    hint = _unset_group_key(o.input_line or key, key, root, groups, parsed)
                except Exception:  # noqa: BLE001 - only a hint: when unsure, Hydra reports
                    hint = None
                if hint:
                    return hint
            continue
        if o.is_delete():
            continue
        try:
            values = list(o.sweep_iterator()) if o.is_sweep_override() else [o.value()]
        except Exception:  # noqa: BLE001 - range/interval sweeps: leave them to Hydra
            continue
        for v in values:
            items = v if isinstance(v, list) else [v]
            bad = [x for x in items if not isinstance(x, str)]
            if bad or not items:
                known = ", ".join(groups[o.key_or_group]) or "none"
                return (
                    f"Invalid scenario composition ({o.input_line}): '{o.key_or_group}' is a config "
                    f"group, so its value must name a file in scenarios/{o.key_or_group}/ "
                    f"(one of: {known}), got {v!r}; to change a single key use e.g. "
                    f"{o.key_or_group}.<key>=<value>."
                )
    return None



_ABSENT = object()


def _yaml(path: Path) -> DictConfig | None:
    try:
        cfg = OmegaConf.load(path)
    except Exception:  # noqa: BLE001 - an unreadable file is Hydra's to report
        return None
    return cfg if isinstance(cfg, DictConfig) else None


def _lookup(cfg: Any, key: str) -> Any:
    """The raw value at a dotted key (interpolations unresolved), or ``_ABSENT``."""
    node = OmegaConf.to_container(cfg, resolve=False) if isinstance(cfg, DictConfig) else cfg
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _ABSENT
        node = node[part]
    return node


def _sets(cfg: Any, key: str) -> bool:
    return cfg is not None and _lookup(cfg, key) is not _ABSENT


def _unset_group_key(line: str, key: str, root: Path, groups: Mapping[str, list[str]], parsed: Sequence[Any]) -> str | None:
    """Explain an override of a schema key that the selected option of its group does not set
    while another option does (``staffing.agents=14`` on the table staffing ``fibra``: Hydra
    would only say "use +", and '+' then clashes with the table). None when unsure."""
    group, _, rest = key.partition(".")
    if group not in groups or not rest:
        return None
    base = _yaml(root / "config.yaml")
    if base is None:
        return None
    selected: str | None = None
    for item in base.get("defaults") or []:
        if isinstance(item, DictConfig) and group in item and isinstance(item[group], str):
            selected = item[group]
    bodies = [base.get(group)]
    for o in parsed:
        if o.key_or_group == "experiment" and not o.is_delete() and not o.is_sweep_override():
            exp = _yaml(root / "experiment" / f"{o.value()}.yaml")
            if exp is None:
                return None
            for item in exp.get("defaults") or []:
                if isinstance(item, DictConfig):
                    for k, v in item.items():
                        if str(k).replace("override", "").strip().strip("/") == group and isinstance(v, str):
                            selected = v
            bodies.append(exp.get(group))
    for o in parsed:
        if o.key_or_group == group and o.package is None:
            if o.is_sweep_override() or o.is_delete() or not isinstance(o.value(), str):
                return None  # several options (a sweep): Hydra reports per job
            selected = o.value()
    if selected is None or selected not in groups[group]:
        return None
    option = _yaml(root / group / f"{selected}.yaml")
    if option is None or _sets(option, rest) or any(isinstance(b, DictConfig) and _sets(b, rest) for b in bodies):
        return None
    value = line.partition("=")[2]
    parts = rest.split(".")
    for i in range(1, len(parts)):
        prefix = ".".join(parts[:i])
        if _lookup(option, prefix) is None:
            # a sub-key of a group that is null (montecarlo.sweep.levels while sweep: null)
            return (
                f"Invalid scenario composition ({line}): '{group}.{prefix}' is null in "
                f"scenarios/{group}/{selected}.yaml, so its sub-key '{key}' cannot be overridden; "
                f"set it as a whole, e.g. '{group}.{prefix}={{{parts[i]}: {value}}}' (adding any other "
                f"keys of {group}.{prefix} inside the braces)."
            )
    others = [g for g in groups[group] if g != selected and _sets(_yaml(root / group / f"{g}.yaml"), rest)]
    if not others:
        return None  # no option sets it: Hydra's own "use +" message is the right advice
    return (
        f"Invalid scenario composition ({line}): '{key}' is a valid key, but the selected "
        f"{group} option '{selected}' (scenarios/{group}/{selected}.yaml) does not set it, so it "
        f"cannot be overridden. Select an option that sets it, e.g. {group}={others[0]} "
        f"{key}={value}" + (f" (options that set it: {', '.join(others)})" if len(others) > 1 else "")
        + ("" if group == "staffing" else f"; or add it with a leading '+' (+{key}={value}) to combine it with '{selected}'.")
        + ("." if group == "staffing" else "")
    )


def validate(cfg: DictConfig | Mapping[str, Any], base_dir: Path | None = None) -> Scenario:
    """Validate a composed config; every problem becomes one :class:`ScenarioError` paragraph."""
    try:
        raw = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else dict(cfg)
    except OmegaConfBaseException as exc:
        raise ScenarioError(f"Invalid scenario: {one_line(exc)}") from None
    assert isinstance(raw, dict)
    raw.pop("hydra", None)
    raw = read_data_files(typing.cast(dict[str, Any], raw), base_dir or scenarios_dir())
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(format_errors(exc)) from None
    # Closure windows can only be checked against each date's actual hours (a window in the
    # middle of a day is refused): do it now rather than in the middle of a simulation.
    day_plans(scenario.calendar, scenario.run.start, scenario.run.end)
    if scenario.patience.infinite:
        _check_no_empty_interval(scenario)
    tr = scenario.transfers
    if tr.policy == "blind" and tr.blind_patience.infinite:  # the target groups obey the same rule
        for group in sorted({c.transfer_to for c in tr.case_types.values() if c.transfer_to}):
            _check_no_empty_interval(scenario.model_copy(update={"staffing": tr.groups[group]}), f"transfers.groups.{group}",
                                     "transfers.blind_patience.dist")
    return scenario


def _check_no_empty_interval(s: Scenario, prefix: str = "staffing", patience_key: str = "patience.dist") -> None:
    """With infinite patience, an open interval without agents would strand callers."""
    for name, clock, count in agents_at_open_intervals(s):
        if count == 0:
            st = s.staffing
            if st.mode == "constant":
                key = f"{prefix}.agents"
            elif st.mode == "table":
                key = f"{prefix}.table.{name if st.table and name in st.table else 'all'}"
            else:
                key = f"{prefix}.shifts"
            raise ScenarioError(
                f"Invalid scenario: {key}: no agent on duty on {name} at {clock} (0 agents), but {patience_key} is infinite, so "
                "callers would wait forever; staff every open interval with >= 1 agent or use a "
                f"finite patience (e.g. {patience_key}=exponential {patience_key.removesuffix('.dist')}.mean=300)."
            )

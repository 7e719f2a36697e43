"""Scenario specs of the command line: ``[label=]name[:override,override…]``.

``name`` is an experiment in ``scenarios/experiment`` (or ``default``) and the overrides use
Hydra's syntax, e.g. ``"more=default:staffing=flat,staffing.agents=14"``; commas inside
brackets or quotes do not split. :func:`scenarios_from_specs` loads a list of them (with
overrides common to all and extra ones per label) for :func:`sim.study.compare.compare` and
``python -m sim.compare``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sim.errors import ScenarioError
from sim.scenario.compose import load_scenario
from sim.scenario.messages import decimal_comma
from sim.schema import Scenario

__all__ = ["Spec", "parse_spec", "scenarios_from_specs", "split_overrides"]


@dataclass(frozen=True)
class Spec:
    """One scenario of a comparison: a label, an experiment name and Hydra overrides."""

    label: str
    name: str
    overrides: tuple[str, ...] = ()


COMPARE_COMMA = ("a comma separates values", "to compare several values, give each a scenario spec of its own, label=name:key=value")
"""What a comma in an override's value means in ``sim.compare`` (:func:`sim.scenario.messages.decimal_comma`)."""

_SPEC = re.compile(r"^(?:(?P<label>[^=:]+)=)?(?P<name>[A-Za-z0-9_.\-]+)(?::(?P<over>.*))?$")


def split_overrides(text: str) -> list[str]:
    """Split ``a=1,b=[x,y],c='p,q'`` on the commas outside brackets and quotes."""
    parts: list[str] = []
    depth, quote, current = 0, "", ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        current += ch
    if current.strip():
        parts.append(current.strip())
    return _with_values_rejoined([p for p in parts if p])


def _with_values_rejoined(parts: list[str]) -> list[str]:
    """A part that is no override (no ``=``, no ``~`` to delete a key) continues the value before
    it: ``patience.mean=3,5`` is one override with a decimal comma (or two values), not
    ``patience.mean=3`` and an override ``5``."""
    out: list[str] = []
    for p in parts:
        if out and "=" not in p and not p.startswith("~"):
            out[-1] += f",{p}"
        else:
            out.append(p)
    return out


def parse_spec(text: str) -> Spec:
    """``[label=]name[:override,override…]`` → :class:`Spec`.

    Without a label the spec text itself is the label: ``close_1600``,
    ``default:staffing.agents=14``, ``more=default:staffing.agents=14`` (label ``more``).
    """
    m = _SPEC.match(text.strip())
    if not m:
        raise ScenarioError(
            f"Cannot read the scenario {text!r}: write [label=]name[:key=value,key=value], e.g. "
            "close_1600, default:staffing.agents=14 or more=default:staffing.agents=14."
        )
    overrides = tuple(split_overrides(m.group("over") or ""))
    label = (m.group("label") or (text if overrides else m.group("name"))).strip()
    return Spec(label, m.group("name"), overrides)


def scenarios_from_specs(
    specs: Iterable[str | Spec],
    common: Sequence[str] = (),
    extra: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Scenario]:
    """Load each spec (``common`` overrides first, then the spec's, then ``extra[label]``)."""
    parsed = [s if isinstance(s, Spec) else parse_spec(s) for s in specs]
    labels = [p.label for p in parsed]
    dupes = sorted({lb for lb in labels if labels.count(lb) > 1})
    if dupes:
        raise ScenarioError(f"Scenario labels must be unique, got {dupes} more than once; name them with label=name.")
    extra = dict(extra or {})
    unknown = sorted(set(extra) - set(labels))
    if unknown:
        raise ScenarioError(f"--set names scenario(s) {unknown} that are not compared; the labels are {labels}.")
    out: dict[str, Scenario] = {}
    for p in parsed:
        overrides = [*common, *p.overrides, *extra.get(p.label, ())]
        for o in overrides:
            comma = decimal_comma(o, o.partition("=")[0].lstrip("+~").strip(), COMPARE_COMMA)
            if comma:
                raise ScenarioError(f"Scenario {p.label!r}: {comma}")
        try:
            out[p.label] = load_scenario(p.name, overrides)
        except ScenarioError as exc:
            raise ScenarioError(f"Scenario {p.label!r}: {exc}") from None
    return out

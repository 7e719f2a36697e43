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
from sim.schema import Scenario

__all__ = ["Spec", "parse_spec", "scenarios_from_specs", "split_overrides"]


@dataclass(frozen=True)
class Spec:
    """One scenario of a comparison: a label, an experiment name and Hydra overrides."""

    label: str
    name: str
    overrides: tuple[str, ...] = ()


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
    return [p for p in parts if p]


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
        try:
            out[p.label] = load_scenario(p.name, [*common, *p.overrides, *extra.get(p.label, ())])
        except ScenarioError as exc:
            raise ScenarioError(f"Scenario {p.label!r}: {exc}") from None
    return out

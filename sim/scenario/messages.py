"""The scenario's error text: one paragraph naming the key, its value and what is allowed.

Everything a user reads when a scenario is refused is worded here: pydantic's validation
errors (:func:`format_errors`), Hydra's composition errors (:func:`composition_error`) and the
hints that look a key up in the schema (:func:`schema_has`, :func:`allowed_keys_hint`).
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from sim.schema import Scenario


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def composition_error(exc: BaseException, args: Sequence[str]) -> str:
    """One paragraph for an error Hydra raised while composing (bad override syntax, a key
    that the scenario files do not set, a missing group option)."""
    text = one_line(exc)
    head = f"Invalid scenario composition ({', '.join(args) or 'no overrides'}): "
    m = re.search(r"Could not override '([^']+)'", text)
    if m:
        key = m.group(1)
        if not schema_has(key):
            return head + f"unknown key '{key}': it is not in the scenario schema, so it cannot be set. {allowed_keys_hint(key)}"
        return head + (
            f"'{key}' is a valid key, but the scenario files do not set it (or the value adds keys "
            f"they do not set), so Hydra cannot override it; add it with a leading '+' "
            f"(+{key}=...), or set each new sub-key with '+'. Hydra said: {text}"
        )
    if "LexerNoViableAlt" in text or "mismatched input" in text or "extraneous input" in text:
        return head + (
            f"{text} (override syntax is key=value; quote values that hold spaces or letters "
            "such as å, ä, ö: calendar.closed_eves=['Nyårsafton'])"
        )
    return head + text



SWEEP = ("a comma separates the values of a sweep", "add --multirun to run each of them")
"""What a comma in an override's value means on the command line, and how to run several values."""


def decimal_comma(line: str, key: str, comma: tuple[str, str] = SWEEP) -> str | None:
    """The error for ``key=3,5`` (or ``3,5,7``) on a numeric key, or None: a decimal comma, as
    Swedish writes numbers, or several values. ``comma`` says what a comma means where the
    override was written and how to run several values (:data:`SWEEP`: a ``--multirun`` sweep on
    the command line; a scenario spec each in ``sim.compare``)."""
    value = line.partition("=")[2].strip()
    if not re.fullmatch(r"[+-]?\d+(?:,\d+)+", value):
        return None
    found = schema_at(key.split("."))
    kind = expected(found[0]) if found is not None else None
    means, several = comma
    if kind == "a whole number":
        return f"Invalid scenario composition ({line}): {key} is a whole number, and {value} is not one; {means}: {several}."
    if kind != "a number":
        return None
    first = ",".join(value.split(",")[:2])
    if first == value:
        return (f"Invalid scenario composition ({line}): {key} is a number, and {value} has a decimal comma; "
                f"write {value.replace(',', '.')} ({means}: {several}).")
    return (f"Invalid scenario composition ({line}): {key} is a number, and {value} is not one: {means}, so a decimal "
            f"comma is written as a point ({first.replace(',', '.')} for {first}); {several}.")



_TYPE_TAGS = {"int", "float", "str", "bool", "list", "dict", "none", "function-after", "function-before", "function-wrap"}


def _is_tag(part: str) -> bool:
    """pydantic's union-branch and validator labels in an error location are not keys."""
    return part in _TYPE_TAGS or "[" in part or part.endswith("Config") or part.startswith("lax-") or part.startswith("json-")


def _key(loc: Sequence[str | int]) -> str:
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        elif _is_tag(part):
            continue
        else:
            key += f".{part}" if key else part
    return key


def _unwrap(tp: Any) -> tuple[Any, list[Any]]:
    """Strip ``Annotated`` and ``None`` from a type; return (type, constraint metadata)."""
    meta: list[Any] = []
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            base, *extra = typing.get_args(tp)
            for m in extra:
                meta.extend(m.metadata if isinstance(m, FieldInfo) else [m])
            tp = base
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp, meta
            tp = args[0]
        else:
            return tp, meta


def schema_at(loc: Sequence[str | int]) -> tuple[Any, list[Any]] | None:
    """The schema type (and its constraints) at an error location, or None if there is none."""
    tp: Any = Scenario
    meta: list[Any] = []
    for part in loc:
        if isinstance(part, str) and _is_tag(part):
            continue
        tp, _ = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
            field = tp.model_fields.get(part)
            if field is None:
                return None
            tp, meta = _unwrap(field.annotation)
            meta = [*field.metadata, *meta]
            continue
        if origin is dict and isinstance(part, str):
            tp, meta = _unwrap(typing.get_args(tp)[1])
            continue
        if origin is list and isinstance(part, int):
            tp, meta = _unwrap(typing.get_args(tp)[0])
            continue
        return None
    tp, more = _unwrap(tp)
    return tp, [*meta, *more]


def schema_has(key: str) -> bool:
    """True when a dotted key (``staffing.table_file``, ``demand.profile.mon``) is in the schema."""
    parts: list[str | int] = []
    for p in key.split("."):
        parts.extend(int(x) if x.isdigit() else x for x in re.split(r"\[(\d+)\]", p) if x != "")
    return schema_at(parts) is not None


def allowed_keys_hint(key: str) -> str:
    parent = key.rpartition(".")[0]
    found = schema_at(parent.split(".")) if parent else (Scenario, [])
    if found is not None:
        tp = found[0]
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            where = f"in {parent}" if parent else "at the top level"
            return f"Allowed keys {where}: {', '.join(tp.model_fields)}."
        if typing.get_origin(tp) is dict:
            keys = typing.get_args(typing.get_args(tp)[0])
            if keys:
                return f"Allowed keys in {parent}: {', '.join(map(str, keys))}."
    top = parent.split(".")[0] if parent else key
    return (f"{top!r} is not a key of the scenario; its top-level keys: {', '.join(Scenario.model_fields)} "
            "(the schema: sim/schema.py, the keys in docs/scenarios.md).")


def expected(tp: Any) -> str:
    """A short description of what a schema type accepts."""
    tp, _ = _unwrap(tp)
    origin = typing.get_origin(tp)
    if origin is typing.Literal:
        return "one of " + ", ".join(map(str, typing.get_args(tp)))
    if tp is bool:
        return "true or false"
    if tp is int:
        return "a whole number"
    if tp is float:
        return "a number"
    if tp is str:
        return "a text"
    if tp is dt.time:
        return 'a time "HH:MM"'
    if tp is dt.date:
        return 'a date "YYYY-MM-DD"'
    if origin is list:
        return f"a list of {_plural(typing.get_args(tp)[0])}"
    if origin is dict:
        return "a mapping"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "a group of keys (" + ", ".join(tp.model_fields) + ")"
    return "a valid value"


def _plural(tp: Any) -> str:
    text = expected(tp)
    return {"a whole number": "whole numbers", "a number": "numbers", "a text": "texts"}.get(text, text)


def _bounds(meta: Sequence[Any]) -> str:
    parts = []
    for m in meta:
        for attr, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            v = getattr(m, attr, None)
            if v is not None and isinstance(m, annotated_types.BaseMetadata):
                parts.append(f"{sym} {v:g}" if isinstance(v, float) else f"{sym} {v}")
    return " and ".join(parts)


_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal", "finite_number"}


def _describe(err: Mapping[str, Any]) -> str:
    loc = list(err["loc"])
    msg: str = err["msg"]
    key = _key(loc)
    if err["type"] == "extra_forbidden":
        return f"unknown key '{key}' (check the spelling; scenarios may not add keys, and never '_target_'). {allowed_keys_hint(key)}"
    if err["type"] == "value_error":
        text = msg.removeprefix("Value error, ")
        rel, sep, rest = text.partition(": ")
        if sep and " " not in rel:
            return f"{_key([*loc, *rel.split('.')])}: {rest}"
        return f"{key or 'scenario'}: {text}"
    found = schema_at(loc)
    tp, meta = found if found is not None else (None, [])
    if err["type"] == "missing":
        want = f": {expected(tp)}" if tp is not None else ""
        return f"missing required key '{key}'{want}"
    if err["type"] in ("model_type", "model_attributes_type", "dict_type"):
        msg = "expected a group of keys, not a single value"
    given = err.get("input")
    shown = f" (got {given!r})" if not isinstance(given, dict | list) else " (got a " + type(given).__name__ + ")"
    text = f"{key}: {msg[0].lower() + msg[1:]}{shown}"
    if tp is None or err["type"].startswith("literal") or err["type"] == "enum":
        return text  # pydantic already lists the allowed values
    allowed = expected(tp)
    rng = _bounds(meta)
    if err["type"] in _RANGE_ERRORS:
        return f"{text}; allowed: {allowed} {rng}" if rng else f"{text}; allowed: {allowed}"
    return f"{text}; allowed: {allowed}" + (f" {rng}" if rng else "")


def format_errors(exc: ValidationError) -> str:
    """One paragraph naming each bad key, its value and the allowed range."""
    parts = [_describe(e).rstrip(".") for e in exc.errors()]
    return " ".join(("Invalid scenario: " + "; ".join(parts) + ".").split())

"""The column map: which column of a telephony export is which field.

ACD systems name their columns differently, separate with ``;`` or ``,``, write decimals
with a comma, encode text as UTF-8 or Latin-1 and stamp times in UTC or local time. Naive
timestamps are local time (``timezone``, default Europe/Stockholm) unless
``source_timezone`` says otherwise. A small YAML file says how to read one
export; without one the reader expects the project's own field names. Example (a typical
ACD per-call export, see docs/calibration.md)::

    kind: calls
    separator: ";"
    decimal: ","
    datetime_format: "%Y-%m-%d %H:%M:%S"
    source_timezone: UTC            # this export stamps UTC; leave out when it writes local time
    columns:
      call_id: SamtalsID
      arrival: Starttid
      queue_entry: KoStart          # empty: the caller never reached the queue (IVR)
      queue_exit: KoSlut            # answered or hung up
      answered: Besvarat            # a flag, see answered_values
      talk_s: Samtalstid
      hold_s: Parkeringstid
      wrap_s: Efterarbete
      agent: Agent
      customer_id: Kundnummer       # optional: caller id or case number -> FCR, repeat delay
    fcr_window_days: 10             # another contact within this many working days: failure demand
    answered_values: ["1", "ja", "yes", "true", "answered", "besvarat"]
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from sim.errors import ScenarioError

Kind = Literal["calls", "intervals"]

DEFAULT_FCR_WINDOW_DAYS = 10.0
"""The column map's ``fcr_window_days`` when not given."""

CALL_FIELDS: dict[str, tuple[bool, str]] = {
    "call_id": (True, "a unique id per call (duplicates are dropped and counted)"),
    "arrival": (True, "when the call came in (timestamp)"),
    "queue_entry": (False, "when it entered the queue; empty = hung up before (IVR); default: arrival"),
    "queue_exit": (True, "when it left the queue: answered or hung up (timestamp)"),
    "answered_at": (False, "when an agent answered (empty = not answered); or give 'answered'"),
    "answered": (False, "flag: was the call answered (see answered_values)"),
    "talk_s": (False, "talk time in seconds (or HH:MM:SS)"),
    "hold_s": (False, "hold time in seconds (or HH:MM:SS)"),
    "wrap_s": (False, "after-call work in seconds (or HH:MM:SS)"),
    "agent": (False, "agent id"),
    "customer_id": (False, "the customer: a caller id, customer or case number (links a customer's contacts: FCR and repeat delay)"),
}
"""Per-call fields: (required, meaning)."""

INTERVAL_FIELDS: dict[str, tuple[bool, str]] = {
    "date": (False, "the date (or give interval as one timestamp)"),
    "interval_start": (False, "start of the interval, HH:MM (with date)"),
    "interval": (False, "start of the interval as one timestamp (instead of date + interval_start)"),
    "offered": (True, "calls offered to the queue"),
    "answered": (True, "calls answered"),
    "abandoned": (True, "calls that hung up in the queue"),
    "answered_within": (False, "answered within threshold_s seconds"),
    "asa_s": (True, "average wait of answered calls (seconds)"),
    "abandon_wait_s": (False, "average wait of abandoned calls before hanging up (seconds)"),
    "aht_s": (False, "average handle time (seconds)"),
    "agents": (False, "agents logged in (often more than really on the phones)"),
}
"""Interval-report fields: (required, meaning)."""


@dataclass(frozen=True)
class ColumnMap:
    """How to read one export (see the module docstring)."""

    kind: Kind
    columns: dict[str, str]
    separator: str = ","
    decimal: str = "."
    datetime_format: str | None = None
    date_format: str | None = None
    source_timezone: str | None = None
    timezone: str = "Europe/Stockholm"
    answered_values: tuple[str, ...] = ("1", "true", "yes", "y", "ja", "answered", "besvarat")
    threshold_s: float = 90.0
    interval_min: int | None = None
    max_bad_share: float = 0.01
    aht_cv: float | None = None
    """An interval report's handle-time CV (the report has no per-call times; None: the
    default scenario's parts, about 0.65)."""
    encoding: str = "utf-8"
    fcr_window_days: float = DEFAULT_FCR_WINDOW_DAYS
    """Working days after an answered call within which another contact by the same customer
    is failure demand (with a ``customer_id`` column; see :mod:`sim.history.fcr`)."""
    source: str = "defaults"
    extra: dict[str, Any] = field(default_factory=dict)

    def column(self, name: str) -> str | None:
        """The export's column for a field (None when the field is not mapped)."""
        return self.columns.get(name)


def fields_of(kind: Kind) -> dict[str, tuple[bool, str]]:
    """The fields of a kind of export."""
    return CALL_FIELDS if kind == "calls" else INTERVAL_FIELDS


def default_map(kind: Kind) -> ColumnMap:
    """The identity map: every field is expected under its own name."""
    return ColumnMap(kind=kind, columns={name: name for name in fields_of(kind)})


_KEYS = {
    "kind",
    "columns",
    "separator",
    "decimal",
    "datetime_format",
    "date_format",
    "source_timezone",
    "timezone",
    "answered_values",
    "threshold_s",
    "interval_min",
    "max_bad_share",
    "aht_cv",
    "encoding",
    "fcr_window_days",
}


def read_map(p: Path, what: str, keys: set[str]) -> dict[str, Any]:
    """A map file's YAML mapping (a column map, a case map), with only ``keys`` at the top; an
    unreadable file, another YAML type or an unknown key is one error paragraph naming ``p``."""
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"Cannot read the {what} {p}: {' '.join(str(exc).split())}.") from None
    name = what[0].upper() + what[1:]
    if not isinstance(raw, dict):
        raise ScenarioError(f"{name} {p}: expected a mapping with a 'columns' key, got {type(raw).__name__}.")
    unknown = sorted(set(raw) - keys)
    if unknown:
        raise ScenarioError(f"{name} {p}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(keys))}.")
    return raw


def load_map(path: str | Path | None, kind: Kind) -> ColumnMap:
    """Read a column-map YAML (or the defaults when ``path`` is None)."""
    if path is None:
        return default_map(kind)
    p = Path(path)
    raw = read_map(p, "column map", _KEYS)
    if raw.get("kind", kind) != kind:
        raise ScenarioError(f"Column map {p} is for kind {raw['kind']!r} but --kind is {kind!r}.")
    cols = raw.get("columns") or {}
    if not isinstance(cols, dict):
        raise ScenarioError(f"Column map {p}: 'columns' must map field names to the export's column names.")
    known = fields_of(kind)
    bad = sorted(set(cols) - set(known))
    if bad:
        raise ScenarioError(f"Column map {p}: unknown field(s) {', '.join(bad)} for kind {kind}; allowed: {', '.join(known)}.")
    columns = {str(k): str(v) for k, v in cols.items() if v is not None}
    opts: dict[str, Any] = {k: raw[k] for k in _KEYS - {"kind", "columns"} if k in raw}
    if "answered_values" in opts:
        opts["answered_values"] = tuple(str(v).strip().lower() for v in opts["answered_values"])
    share = opts.get("max_bad_share", 0.01)
    if not isinstance(share, int | float) or not 0 <= share <= 1:
        raise ScenarioError(f"Column map {p}: max_bad_share must be a number in [0, 1], got {share!r}.")
    cv = opts.get("aht_cv")
    if cv is not None and (isinstance(cv, bool) or not isinstance(cv, int | float) or not 0 < cv <= 20):
        raise ScenarioError(f"Column map {p}: aht_cv (the handle time's CV) must be a number > 0 and <= 20, got {cv!r}.")
    win = opts.get("fcr_window_days", DEFAULT_FCR_WINDOW_DAYS)
    if isinstance(win, bool) or not isinstance(win, int | float) or not 0 < win <= 250:
        raise ScenarioError(
            f"Column map {p}: fcr_window_days (working days after an answered call within which another contact by the same "
            f"customer is failure demand) must be a number > 0 and <= 250, got {win!r}; the default is {DEFAULT_FCR_WINDOW_DAYS:g}."
        )
    enc = opts.get("encoding", "utf-8")
    try:
        codecs.lookup(str(enc))
    except LookupError:
        raise ScenarioError(
            f"Column map {p}: encoding {enc!r} is not a known text encoding; use e.g. utf-8 (the default), latin-1 or cp1252."
        ) from None
    return ColumnMap(kind=kind, columns=columns, source=str(p), **opts)

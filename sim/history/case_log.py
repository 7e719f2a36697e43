"""A case export (e-mail, web and social-media cases) and the month's case KPIs in working hours.

The agreement (4.2) gives case limits in working hours: fault reports within 4, other cases and
orders within 8 (``targets.case_hours``), and a share of cases that must be handled within them
(``targets.case_share_min``). A case system's export lists one row per case: its id, its kind,
when it arrived and when it was handled (empty: still open). A small YAML map says how to read
it, like the telephony column map::

    separator: ";"
    datetime_format: "%Y-%m-%d %H:%M"
    source_timezone: UTC          # leave out when the export writes local time
    encoding: utf-8
    columns:
      case_id: ArendeID
      kind: Typ
      arrival: Skapad
      finished_at: Avslutad       # empty: still open
    kinds:                        # the export's values -> the agreement's kinds (targets.case_hours)
      Felanmälan: fault_report
      Beställning: case_order

Working hours run on the plan scenario's office calendar (:mod:`sim.world.workhours`: office
hours, red days, closures). Per day of arrival and per month, per kind: the cases, the share of
the known ones handled within the limit (an open case is missed once its due time has passed the
end of the export, unknown before), the mean working hours to handling, and the backlog at the
end of each day (:func:`sim.analysis.case_kpis.case_kpis`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.case_kpis import KIND_SHARE, case_kpis
from sim.errors import ScenarioError
from sim.history.columns import ColumnMap, read_map
from sim.history.readers import parse_times
from sim.schema import Scenario
from sim.world.workhours import DAY_S, scenario_office_calendar, work_clock

CASE_FIELDS: dict[str, tuple[bool, str]] = {
    "case_id": (True, "a unique id per case"),
    "kind": (True, "the case kind (mapped by 'kinds' to the agreement's kinds)"),
    "arrival": (True, "when the case arrived (timestamp)"),
    "finished_at": (False, "when it was handled (timestamp; empty: still open)"),
}
_KEYS = {"separator", "datetime_format", "source_timezone", "timezone", "encoding", "columns", "kinds"}


@dataclass(frozen=True)
class CaseMap:
    """How to read a case export (see the module docstring)."""

    columns: dict[str, str]
    kinds: dict[str, str]
    reader: ColumnMap
    source: str


def load_case_map(path: str | Path | None) -> CaseMap:
    """Read a case map YAML (None: the field names themselves, kinds as written)."""
    if path is None:
        cols = {k: k for k in CASE_FIELDS}
        return CaseMap(cols, {}, ColumnMap(kind="calls", columns=cols, source="defaults"), "defaults")
    p = Path(path)
    raw = read_map(p, "case map", _KEYS)
    cols = raw.get("columns") or {}
    if not isinstance(cols, dict) or set(cols) - set(CASE_FIELDS):
        raise ScenarioError(f"Case map {p}: 'columns' must map the fields {', '.join(CASE_FIELDS)} to the export's column names.")
    missing = [f for f, (req, _) in CASE_FIELDS.items() if req and f not in cols]
    if missing:
        raise ScenarioError(f"Case map {p}: 'columns' does not say which column holds {', '.join(missing)}.")
    kinds = raw.get("kinds") or {}
    if not isinstance(kinds, dict):
        raise ScenarioError(f"Case map {p}: 'kinds' must map the export's kind values to the agreement's kinds.")
    opts: dict[str, Any] = {k: raw[k] for k in ("separator", "datetime_format", "source_timezone", "timezone", "encoding") if k in raw}
    columns = {str(k): str(v) for k, v in cols.items()}
    # the telephony reader's parsing of text and time stamps, with this map's columns
    reader = ColumnMap(kind="calls", columns=columns, source=str(p), **opts)
    return CaseMap(columns, {str(k).strip(): str(v) for k, v in kinds.items()}, reader, str(p))


def _read(p: Path, cmap: CaseMap) -> pd.DataFrame:
    """Every cell as a string (header trimmed); an unreadable file is one error."""
    enc = cmap.reader.encoding
    enc = "utf-8-sig" if enc.lower().replace("_", "-") in ("utf-8", "utf8") else enc
    if not p.is_file() or p.stat().st_size == 0:
        raise ScenarioError(f"Cannot use {p}: the file {'is empty' if p.is_file() else 'does not exist'}.")
    try:
        raw = pd.read_csv(p, sep=cmap.reader.separator, dtype=str, keep_default_na=False, encoding=enc)
    except (UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
        raise ScenarioError(f"Cannot use {p}: it is not a CSV with separator {cmap.reader.separator!r} in {cmap.reader.encoding} "
                            f"({' '.join(str(exc).split())}); set separator and encoding in the case map ({cmap.source}).") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    if raw.empty:
        raise ScenarioError(f"Cannot use {p}: it has a header but no data rows.")
    return raw


def read_cases(path: str | Path, cmap: CaseMap, kinds: tuple[str, ...]) -> pd.DataFrame:
    """The cases of an export: ``case_id``, ``kind`` (one of ``kinds``), ``arrival``,
    ``finished_at`` (NaT: open), ``line``. A duplicate id keeps its first row; a kind outside
    ``kinds``, an unreadable stamp or a case handled before it arrived is an error naming the
    file, the line and the column."""
    p = Path(path)
    raw = _read(p, cmap)
    col = cmap.columns
    missing = [c for c in col.values() if c not in raw.columns]
    if missing:
        raise ScenarioError(f"Cannot use {p}: line 1 (header): column {missing[0]!r} (from {cmap.source}) is not in the file; it has "
                            f"{', '.join(repr(c) for c in raw.columns[:12])}.")
    ids = raw[col["case_id"]].astype(str).str.strip()
    raw = raw[~ids.duplicated()]
    arrival = parse_times(p, raw, col["arrival"], cmap.reader)
    fin = (parse_times(p, raw, col["finished_at"], cmap.reader, optional=True) if "finished_at" in col
           else pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]"))
    text = raw[col["kind"]].astype(str).str.strip()
    kind = text.map(lambda v: cmap.kinds.get(v, v))
    bad = ~kind.isin(kinds)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ScenarioError(
            f"Cannot use {p}: line {int(raw.index[i]) + 2}, column {col['kind']!r}: {text.iloc[i]!r} is not a case kind of the "
            f"targets ({', '.join(kinds)}); map the export's values to them under 'kinds:' in the case map ({cmap.source}).")
    early = (fin < arrival).to_numpy()
    if early.any():
        i = int(np.flatnonzero(early)[0])
        raise ScenarioError(f"Cannot use {p}: line {int(raw.index[i]) + 2}, column {col.get('finished_at')!r}: the case was handled "
                            f"({fin.iloc[i]}) before it arrived ({arrival.iloc[i]}).")
    return pd.DataFrame({"case_id": ids[raw.index].to_numpy(), "kind": kind.to_numpy(), "arrival": arrival.to_numpy(),
                         "finished_at": fin.to_numpy(), "line": raw.index.to_numpy() + 2})


def case_records(cases: pd.DataFrame, s: Scenario, export_end: pd.Timestamp) -> pd.DataFrame:
    """The cases with ``target_h``, ``due_at``, ``work_h`` and ``met_target`` on the scenario's
    office clock (an open case counts as missed once due before ``export_end``)."""
    hours = s.targets.case_hours
    first = cases["arrival"].min().date()
    last = max(cases["arrival"].max(), cases["finished_at"].max() if cases["finished_at"].notna().any() else cases["arrival"].max()).date()
    clock = work_clock(scenario_office_calendar(s), first, last, ahead_h=max(hours.values()))
    origin = pd.Timestamp(first)
    a = (cases["arrival"] - origin).dt.total_seconds().to_numpy()
    f = (cases["finished_at"] - origin).dt.total_seconds().to_numpy()
    target = cases["kind"].map(hours).to_numpy(dtype=float)
    due = clock.add(a, target)
    done = np.isfinite(f)
    out = cases.copy()
    out["target_h"] = target
    out["due_at"] = origin + pd.to_timedelta(np.where(np.isfinite(due), due, (last - first).days * DAY_S + 10 * DAY_S), unit="s")
    out["work_h"] = np.where(done, clock.between_h(a, np.where(done, f, a)), np.nan)
    met = pd.Series(pd.NA, index=out.index, dtype="boolean")
    met[done] = (f[done] <= due[done] + 1e-6)
    end_s = (export_end - origin).total_seconds()
    overdue = ~done & (due <= end_s)
    met[overdue] = False
    out["met_target"] = met
    out["started_at"] = out["finished_at"]
    out["handle_s"] = 0.0
    out["status"] = np.where(done, "handled", "open")
    return out


def _judged(t: pd.DataFrame, kinds: tuple[str, ...], share_min: float) -> pd.DataFrame:
    for k in kinds:
        share = t[f"{KIND_SHARE}{k}"]
        t[f"{KIND_SHARE}{k}_met"] = (share >= share_min).where(share.notna())
    t["case_share_min"] = share_min
    return t


def case_tables(records: pd.DataFrame, s: Scenario, month: pd.Period) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per day of the month and for the month: cases arrived and handled, the share within the
    limit (all kinds and per kind, with ``*_met`` against ``case_share_min``), the mean working
    hours to handling and the backlog at the end of the day (or the month)."""
    kinds = tuple(s.targets.case_hours)
    share_min = s.targets.case_share_min
    day = case_kpis(records, "D", kinds).rename_axis("date").reset_index()
    day = day[day["date"].dt.to_period("M") == month].reset_index(drop=True)
    mon = case_kpis(records, "MS", kinds).rename_axis("month").reset_index()
    mon = mon[mon["month"].dt.to_period("M") == month].reset_index(drop=True)
    mon["month"] = mon["month"].dt.to_period("M").astype(str)
    day, mon = (_judged(t.drop(columns=["case_busy_s"]), kinds, share_min) for t in (day, mon))
    for k in kinds:
        mon[f"days_missed_{k}"] = int((day[f"{KIND_SHARE}{k}_met"] == False).sum())  # noqa: E712
    return day, mon

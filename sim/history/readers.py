"""Readers of a per-call log and an interval report, with every dropped row counted.

Both readers take the export's CSV and a :class:`~sim.history.columns.ColumnMap`; they return
a tidy frame in the project's own field names and a :class:`Drops` record: the rows read,
the rows kept and, per reason, the rows dropped (``kept + sum(dropped) == read``, checked).
Dropped rows are kept too (file line and reason) so a planner can look them up.

A malformed file (empty, wrong separator, a mapped column that is not there, a timestamp or
number that cannot be read, more impossible rows than ``max_bad_share``) raises a
one-paragraph :class:`~sim.errors.ScenarioError` naming the file, the line and the column.

Drop reasons, in the order they are applied (a row gets the first that fits):

``junk``          not a data row: the header repeated mid-file, a blank row, a total line
                  (``Summa``, ``Total`` … where a date, time or id belongs)
``ivr``           per-call: no queue entry: the caller hung up in the IVR / menu
``duplicate``     the same call id (per-call) or the same date and interval (report) again
``impossible``    negative or over-a-day durations, leaving the queue before entering it,
                  answered + abandoned > offered, negative counts or more than
                  ``MAX_COUNT`` in one interval
``out_of_range``  before ``start`` or after ``end``
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import ScenarioError
from sim.history.columns import ColumnMap, fields_of

REASONS: tuple[str, ...] = ("junk", "ivr", "duplicate", "impossible", "out_of_range")
DAY_S = 86400.0
MAX_COUNT = 1_000_000
"""More calls (or agents) than this in one interval of a report is impossible (a unit or a
column mix-up, or a corrupt cell such as 1e308), not a busy day."""


@dataclass(frozen=True)
class Drops:
    """Rows read, kept and dropped by reason; ``rows`` lists each dropped row (line, reason)."""

    source: str
    read: int
    kept: int
    by_reason: dict[str, int]
    rows: pd.DataFrame

    def __post_init__(self) -> None:
        if self.kept + sum(self.by_reason.values()) != self.read:
            raise AssertionError(f"row counts do not add up: {self.kept} kept + {self.by_reason} != {self.read} read")

    def table(self) -> pd.DataFrame:
        """One row per reason (all reasons, zeros included), then kept and read."""
        rows = [(r, self.by_reason.get(r, 0)) for r in REASONS]
        rows += [("kept", self.kept), ("read", self.read)]
        return pd.DataFrame(rows, columns=["rows", "count"])


@dataclass(frozen=True)
class CallLog:
    """A per-call log: one row per call that reached the queue (see :func:`read_calls`)."""

    calls: pd.DataFrame
    drops: Drops
    threshold_s: float


@dataclass(frozen=True)
class IntervalReport:
    """An interval report: one row per date and interval (see :func:`read_intervals`)."""

    intervals: pd.DataFrame
    drops: Drops
    interval_min: int
    threshold_s: float


# --------------------------------------------------------------------------- raw file


def _err(path: Path, text: str) -> ScenarioError:
    return ScenarioError(" ".join(f"Cannot use {path}: {text}".split()))


def _encoding(cmap: ColumnMap) -> str:
    """The map's encoding; UTF-8 read as ``utf-8-sig`` (a byte-order mark is not a column name)."""
    return "utf-8-sig" if codecs.lookup(cmap.encoding).name == "utf-8" else cmap.encoding


def _decode_error(path: Path, cmap: ColumnMap) -> ScenarioError:
    """Where the file stops being ``cmap.encoding`` text (line and byte), and what to set."""
    data = path.read_bytes()
    try:
        data.decode(_encoding(cmap))
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return _err(
            path,
            f"line {line} (byte {exc.start} of the file): byte 0x{data[exc.start]:02x} is not {cmap.encoding} text; the export "
            f"is probably Latin-1 or Windows-1252 (as Excel writes å, ä, ö): set encoding: latin-1 (or cp1252) in the column map "
            f"({'give one with --columns' if cmap.source == 'defaults' else cmap.source}).",
        )
    return _err(path, f"it cannot be read as {cmap.encoding} text; set encoding in the column map ({cmap.source}).")


def _sniff(path: Path, cmap: ColumnMap) -> str | None:
    try:
        head = path.read_text(encoding=_encoding(cmap), errors="replace")[:4096]
        return csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except (csv.Error, OSError):
        return None


def read_raw(path: str | Path, cmap: ColumnMap) -> pd.DataFrame:
    """The export as strings, header checked against the map (errors name file and column)."""
    p = Path(path)
    if not p.is_file():
        raise _err(p, "the file does not exist.")
    if p.stat().st_size == 0:
        raise _err(p, "the file is empty (no header, no rows).")
    try:
        df = pd.read_csv(p, sep=cmap.separator, dtype=str, keep_default_na=False, encoding=_encoding(cmap), skipinitialspace=True)
    except UnicodeDecodeError:
        raise _decode_error(p, cmap) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise _err(p, f"it is not a CSV with separator {cmap.separator!r} ({' '.join(str(exc).split())}).") from None
    df.columns = [str(c).strip() for c in df.columns]
    needed = {f: c for f, c in cmap.columns.items()}
    missing = [(f, c) for f, c in needed.items() if c not in df.columns and fields_of(cmap.kind)[f][0]]
    optional_missing = [(f, c) for f, c in needed.items() if c not in df.columns and not fields_of(cmap.kind)[f][0]]
    if cmap.source != "defaults" and optional_missing:
        missing += optional_missing  # a map that names a column promises it exists
    required_unmapped = [f for f, (req, _) in fields_of(cmap.kind).items() if req and f not in cmap.columns]
    if required_unmapped:
        raise _err(p, f"the column map ({cmap.source}) does not say which column holds {', '.join(required_unmapped)}.")
    if missing:
        f, c = missing[0]
        sniffed = _sniff(p, cmap)
        hint = ""
        if len(df.columns) == 1 and sniffed and sniffed != cmap.separator:
            hint = (
                f" The header is one single column: the file looks separated by {sniffed!r}, not {cmap.separator!r}; "
                f"set separator: {sniffed!r} in the column map."
            )
        raise _err(
            p,
            f"line 1 (header): column {c!r} (field {f}, from {cmap.source}) is not in the file; it has "
            f"{', '.join(repr(x) for x in df.columns[:12])}{' …' if len(df.columns) > 12 else ''}.{hint}",
        )
    if df.empty:
        raise _err(p, "it has a header but no data rows.")
    return df


def _line(df: pd.DataFrame, pos: int) -> int:
    return int(df.index[pos]) + 2  # header is line 1


def _bad(path: Path, df: pd.DataFrame, mask: np.ndarray, col: str, what: str) -> ScenarioError:
    pos = int(np.flatnonzero(mask)[0])
    value = df[col].iloc[pos]
    n = int(mask.sum())
    more = f" ({n} rows like it)" if n > 1 else ""
    return _err(path, f"line {_line(df, pos)}, column {col!r}: {value!r} {what}{more}.")


def parse_times(path: Path, df: pd.DataFrame, col: str, cmap: ColumnMap, fmt: str | None = None, optional: bool = False) -> pd.Series:
    """Timestamps of a column as local naive times (``cmap.timezone``); empty cells are NaT
    when ``optional``; anything else unreadable is an error naming line and column."""
    text = df[col].astype(str).str.strip()
    empty = (text == "").to_numpy()
    fmt = fmt or cmap.datetime_format
    try:
        t = pd.to_datetime(text.where(~empty, None), format=fmt or "ISO8601", errors="coerce", utc=False)
    except (ValueError, TypeError):
        t = pd.to_datetime(text.where(~empty, None), format="mixed", errors="coerce")
    bad = t.isna().to_numpy() & ~empty
    if bad.any():
        raise _bad(
            path,
            df,
            bad,
            col,
            f"is not a timestamp{f' in the format {fmt!r}' if fmt else ' (ISO 8601 expected; set datetime_format in the column map)'}",
        )
    if empty.any() and not optional:
        raise _bad(path, df, empty, col, "is empty, but a timestamp is required")
    return _localise(path, t, col, cmap)


def _localise(path: Path, t: pd.Series, col: str, cmap: ColumnMap) -> pd.Series:
    if isinstance(t.dtype, pd.DatetimeTZDtype):
        return t.dt.tz_convert(cmap.timezone).dt.tz_localize(None)
    if t.dtype == object:  # mixed offsets
        t = pd.to_datetime(t, utc=True).dt.tz_convert(cmap.timezone).dt.tz_localize(None)
        return t
    if cmap.source_timezone and cmap.source_timezone != cmap.timezone:
        try:
            loc = t.dt.tz_localize(cmap.source_timezone, ambiguous="NaT", nonexistent="NaT")
        except (ValueError, KeyError) as exc:
            raise _err(path, f"column {col!r}: time zone {cmap.source_timezone!r} ({exc}).") from None
        return loc.dt.tz_convert(cmap.timezone).dt.tz_localize(None)
    return t.astype("datetime64[ns]")


def parse_numbers(path: Path, df: pd.DataFrame, col: str, cmap: ColumnMap, durations: bool = False) -> pd.Series:
    """Numbers of a column (``cmap.decimal`` honoured); durations may be HH:MM:SS. Empty is NaN."""
    text = df[col].astype(str).str.strip()
    if cmap.decimal != ".":
        text = text.str.replace(cmap.decimal, ".", regex=False)
    empty = (text == "").to_numpy()
    x = pd.to_numeric(text.where(~empty, None), errors="coerce").astype(float)
    if durations:
        clock = x.isna().to_numpy() & ~empty & text.str.contains(":").to_numpy()
        if clock.any():
            x[clock] = pd.to_timedelta(text[clock], errors="coerce").dt.total_seconds()
    bad = x.isna().to_numpy() & ~empty
    if not bad.any():
        bad = ~np.isfinite(x.to_numpy()) & ~empty & ~x.isna().to_numpy()
    if bad.any():
        raise _bad(path, df, bad, col, "is not a number" + (" of seconds (or HH:MM:SS)" if durations else ""))
    return x


# --------------------------------------------------------------------------- drops


_TOTAL = re.compile(r"(summa|sum|s:a|totalt?|totals|grand total|totalsumma)\b.*", re.IGNORECASE)


def junk_mask(df: pd.DataFrame, cmap: ColumnMap) -> np.ndarray:
    """Rows that are not data: the header repeated (at least half the mapped cells hold their
    own column's name), blank (every mapped cell empty), or a total line (``Summa``, ``Total``
    … in the file's first column or in a timestamp or date column)."""
    cols = [c for c in dict.fromkeys(cmap.columns.values()) if c in df.columns]
    if not cols:
        return np.zeros(len(df), dtype=bool)
    cells = {c: df[c].str.strip() for c in cols}
    header = sum((cells[c].str.casefold() == c.casefold()).to_numpy(dtype=int) for c in cols) * 2 >= len(cols)
    blank = sum((cells[c] != "").to_numpy(dtype=int) for c in cols) == 0
    where = {str(df.columns[0])} | {cmap.columns[f] for f in ("arrival", "date", "interval", "call_id") if f in cmap.columns}
    total = np.zeros(len(df), dtype=bool)
    for c in where & set(df.columns):
        total |= df[c].str.strip().str.fullmatch(_TOTAL).fillna(False).to_numpy(dtype=bool)
    return np.asarray(header | blank | total, dtype=bool)


def _without_junk(path: Path, raw: pd.DataFrame, cmap: ColumnMap) -> tuple[pd.DataFrame, np.ndarray]:
    """The data rows and the index labels of the junk rows (an error beyond ``max_bad_share``)."""
    junk = junk_mask(raw, cmap)
    if junk.mean() > cmap.max_bad_share or junk.all():
        first = int(np.flatnonzero(junk)[0])
        row = ";".join(str(v) for v in raw.iloc[first].to_numpy()[:6])
        raise _err(
            path,
            f"line {_line(raw, first)} ({row!r}) is not a data row (a repeated header, a blank or a total line); "
            f"{int(junk.sum())} of {len(raw)} rows ({100 * junk.mean():.1f} %) are like that, more than max_bad_share = "
            f"{cmap.max_bad_share:g} of the column map.",
        )
    return raw[~junk], raw.index.to_numpy()[junk]


class _Dropper:
    """Assigns each row its first drop reason and keeps the counts honest (``junk``: index
    labels of the rows already left out as not data)."""

    def __init__(self, path: Path, df: pd.DataFrame, cmap: ColumnMap, junk: np.ndarray | None = None) -> None:
        self.path, self.df, self.cmap = path, df, cmap
        self.reason = np.full(len(df), "", dtype=object)
        self.col = np.full(len(df), "", dtype=object)  # the column that made the row's reason
        self.junk = np.array([], dtype=int) if junk is None else np.asarray(junk, dtype=int)

    def mark(self, reason: str, mask: np.ndarray, col: str = "") -> None:
        new = mask & (self.reason == "")
        self.reason[new] = reason
        self.col[new] = col

    def check_share(self, reason: str, what: str) -> None:
        mask = self.reason == reason
        share = mask.mean()
        if share > self.cmap.max_bad_share:
            first = int(np.flatnonzero(mask)[0])
            col = str(self.col[first])
            raise _bad(
                self.path,
                self.df,
                mask & (self.col == col),
                col if col in self.df.columns else self.df.columns[0],
                f"makes the row {what}; {100 * share:.1f} % of rows are like that, more than "
                f"max_bad_share = {self.cmap.max_bad_share:g} of the column map, which points to a wrong "
                "column or unit rather than a few bad rows",
            )

    @property
    def keep(self) -> np.ndarray:
        return self.reason == ""

    def drops(self) -> Drops:
        counts = {r: int((self.reason == r).sum()) for r in REASONS}
        counts["junk"] = len(self.junk)
        dropped = np.flatnonzero(~self.keep)
        rows = pd.DataFrame(
            {
                "line": np.concatenate([self.junk + 2, self.df.index.to_numpy()[dropped] + 2]).astype(int),
                "reason": np.concatenate([np.full(len(self.junk), "junk", dtype=object), self.reason[dropped]]),
            }
        )
        rows = rows.sort_values("line", kind="stable").reset_index(drop=True)
        return Drops(str(self.path), len(self.df) + len(self.junk), int(self.keep.sum()), counts, rows)


def _range_mask(t: pd.Series, start: str | None, end: str | None) -> np.ndarray:
    out = np.zeros(len(t), dtype=bool)
    if start is not None:
        out |= (t < pd.Timestamp(start)).to_numpy()
    if end is not None:
        out |= (t >= pd.Timestamp(end) + pd.Timedelta(days=1)).to_numpy()
    return out


# --------------------------------------------------------------------------- per-call log


def read_calls(path: str | Path, cmap: ColumnMap, start: str | None = None, end: str | None = None) -> CallLog:
    """Read a per-call log into the project's call-record fields.

    Columns of ``calls``: ``call_id``, ``arrival`` (queue entry, local time), ``answered_at``
    (NaT if not answered), ``fate`` (answered / abandoned), ``wait_s``, ``talk_s``,
    ``hold_s``, ``wrap_s``, ``handle_s``, ``agent``, ``line`` (line of the file) -- so the
    KPI functions of :mod:`sim.analysis.kpis` apply to it unchanged.
    """
    p = Path(path)
    df, junk = _without_junk(p, read_raw(p, cmap), cmap)
    col = cmap.column
    if col("answered") is None and col("answered_at") is None:
        raise _err(p, f"the column map ({cmap.source}) must name either 'answered' (a flag) or 'answered_at' (a timestamp).")
    arrival = parse_times(p, df, col("arrival"), cmap)  # type: ignore[arg-type]
    has_entry = col("queue_entry") is not None and col("queue_entry") in df.columns
    entry = parse_times(p, df, col("queue_entry"), cmap, optional=True) if has_entry else arrival  # type: ignore[arg-type]
    exit_ = parse_times(p, df, col("queue_exit"), cmap, optional=True)  # type: ignore[arg-type]
    if col("answered_at") is not None and col("answered_at") in df.columns:
        answered_at = parse_times(p, df, col("answered_at"), cmap, optional=True)  # type: ignore[arg-type]
        answered = answered_at.notna().to_numpy()
    else:
        flag = df[col("answered")].astype(str).str.strip().str.lower()  # type: ignore[index]
        answered = flag.isin(cmap.answered_values).to_numpy()
        answered_at = exit_.where(answered)
    parts = {}
    for name in ("talk_s", "hold_s", "wrap_s"):
        c = col(name)
        parts[name] = parse_numbers(p, df, c, cmap, durations=True) if c and c in df.columns else pd.Series(np.where(answered, 0.0, np.nan), index=df.index)
    drop = _Dropper(p, df, cmap, junk)
    drop.mark("ivr", entry.isna().to_numpy(), col("queue_entry") or "")
    ids = df[col("call_id")].astype(str).str.strip()  # type: ignore[index]
    drop.mark("duplicate", ids.duplicated(keep="first").to_numpy(), col("call_id") or "")
    left = np.where(answered, answered_at, exit_)
    wait = (pd.Series(pd.to_datetime(left), index=df.index) - entry).dt.total_seconds().to_numpy()
    no_exit = np.isnan(wait) & ~entry.isna().to_numpy()
    drop.mark("impossible", no_exit, col("queue_exit") or "")
    drop.mark("impossible", (wait < 0) | (wait > DAY_S), col("queue_exit") or "")
    drop.mark("impossible", (entry < arrival).to_numpy(), col("queue_entry") or "")
    for name, s in parts.items():
        v = s.to_numpy()
        drop.mark("impossible", answered & ((v < 0) | (v > DAY_S) | np.isnan(v)), col(name) or name)
    drop.check_share("impossible", "impossible (a negative or over-a-day duration, or leaving the queue before entering it)")
    drop.mark("out_of_range", _range_mask(entry, start, end), col("arrival") or "")
    keep = drop.keep
    talk, hold, wrap = (parts[n].to_numpy()[keep] for n in ("talk_s", "hold_s", "wrap_s"))
    ans = answered[keep]
    nan = np.full(int(keep.sum()), np.nan)
    calls = pd.DataFrame(
        {
            "call_id": ids.to_numpy()[keep],
            "arrival": entry.to_numpy()[keep],
            "answered_at": pd.to_datetime(answered_at.to_numpy()[keep]).where(ans),
            "fate": np.where(ans, "answered", "abandoned"),
            "wait_s": wait[keep],
            "talk_s": np.where(ans, talk, nan),
            "hold_s": np.where(ans, hold, nan),
            "wrap_s": np.where(ans, wrap, nan),
            "agent": df[col("agent")].to_numpy()[keep] if col("agent") and col("agent") in df.columns else None,
            "line": df.index.to_numpy()[keep] + 2,
        }
    )
    calls["handle_s"] = calls["talk_s"] + calls["hold_s"] + calls["wrap_s"]
    calls = calls.sort_values("arrival", kind="stable").reset_index(drop=True)
    return CallLog(calls, drop.drops(), cmap.threshold_s)


# --------------------------------------------------------------------------- interval report


def _interval_starts(p: Path, df: pd.DataFrame, cmap: ColumnMap) -> pd.Series:
    col = cmap.column
    if col("interval") and col("interval") in df.columns:
        return parse_times(p, df, col("interval"), cmap)  # type: ignore[arg-type]
    if not (col("date") and col("interval_start")) or col("date") not in df.columns or col("interval_start") not in df.columns:
        raise _err(p, f"the column map ({cmap.source}) must name 'interval' (one timestamp) or both 'date' and 'interval_start'.")
    date = df[col("date")].astype(str).str.strip()  # type: ignore[index]
    clock = df[col("interval_start")].astype(str).str.strip()  # type: ignore[index]
    fmt = f"{cmap.date_format} %H:%M" if cmap.date_format else None
    clock = clock.where(~clock.str.fullmatch(r"\d{1,2}:\d{2}:\d{2}"), clock.str.slice(0, -3))
    both = pd.DataFrame({"_when": date + " " + clock}, index=df.index)
    try:
        return parse_times(p, both, "_when", cmap, fmt=fmt or "%Y-%m-%d %H:%M")
    except ScenarioError:
        d = pd.to_datetime(date, format=cmap.date_format or "ISO8601", errors="coerce")
        if d.isna().any():
            raise _bad(
                p,
                df,
                d.isna().to_numpy(),
                col("date"),
                "is not a date"
                + (f" in the format {cmap.date_format!r}" if cmap.date_format else " YYYY-MM-DD (set date_format in the column map)"),
            ) from None  # type: ignore[arg-type]
        c = pd.to_datetime(clock, format="%H:%M", errors="coerce")
        raise _bad(p, df, c.isna().to_numpy(), col("interval_start"), "is not a clock time HH:MM") from None  # type: ignore[arg-type]


def read_intervals(path: str | Path, cmap: ColumnMap, start: str | None = None, end: str | None = None) -> IntervalReport:
    """Read an interval report.

    Columns of ``intervals``: ``period`` (interval start, local time), ``offered``,
    ``answered``, ``abandoned``, ``within`` (answered within ``threshold_s``, NaN if not
    given), ``asa_s``, ``abandon_wait_s``, ``aht_s``, ``agents`` (NaN when not given),
    ``line``.
    """
    p = Path(path)
    df, junk = _without_junk(p, read_raw(p, cmap), cmap)
    col = cmap.column
    period = _interval_starts(p, df, cmap)
    num: dict[str, pd.Series] = {}
    for name in ("offered", "answered", "abandoned", "answered_within", "asa_s", "abandon_wait_s", "aht_s", "agents"):
        c = col(name)
        num[name] = parse_numbers(p, df, c, cmap) if c and c in df.columns else pd.Series(np.nan, index=df.index)
    for name in ("offered", "answered", "abandoned"):
        empty = num[name].isna().to_numpy()
        if empty.any():
            raise _bad(p, df, empty, col(name), "is empty, but a count is required")  # type: ignore[arg-type]
    drop = _Dropper(p, df, cmap, junk)
    drop.mark("duplicate", period.duplicated(keep="first").to_numpy(), col("interval") or col("interval_start") or "")
    off, ans, ab = (num[n].to_numpy() for n in ("offered", "answered", "abandoned"))
    within = num["answered_within"].to_numpy()
    for name in ("offered", "answered", "abandoned", "answered_within", "agents"):
        v = num[name].to_numpy()
        drop.mark("impossible", (v < 0) | (v > MAX_COUNT), col(name) or name)
    drop.mark("impossible", ans + ab > off + 1e-9, col("answered") or "")
    drop.mark("impossible", within > ans + 1e-9, col("answered_within") or "")
    for name in ("asa_s", "abandon_wait_s", "aht_s"):
        v = num[name].to_numpy()
        drop.mark("impossible", (v < 0) | (v > DAY_S), col(name) or name)
    drop.check_share("impossible", "impossible (negative counts or durations, or more answered + abandoned than offered)")
    drop.mark("out_of_range", _range_mask(period, start, end), col("date") or col("interval") or "")
    keep = drop.keep
    out = (
        pd.DataFrame(
            {
                "period": period.to_numpy()[keep],
                "offered": off[keep],
                "answered": ans[keep],
                "abandoned": ab[keep],
                "within": within[keep],
                "asa_s": num["asa_s"].to_numpy()[keep],
                "abandon_wait_s": num["abandon_wait_s"].to_numpy()[keep],
                "aht_s": num["aht_s"].to_numpy()[keep],
                "agents": num["agents"].to_numpy()[keep],
                "line": df.index.to_numpy()[keep] + 2,
            }
        )
        .sort_values("period", kind="stable")
        .reset_index(drop=True)
    )
    where = col("interval") if col("interval") in df.columns else col("interval_start") or "interval_start"
    step = _grid_step(p, out, cmap, where)  # type: ignore[arg-type]
    return IntervalReport(out, drop.drops(), step, cmap.threshold_s)


GRIDS = (60, 30, 15)
"""The interval lengths a report may have (minutes)."""


def _grid_step(p: Path, out: pd.DataFrame, cmap: ColumnMap, where: str) -> int:
    """The report's interval length: ``interval_min`` of the map, else the grid the interval
    starts lie on; a start off that grid is an error naming its line."""
    mins = (out["period"].dt.hour * 60 + out["period"].dt.minute).to_numpy()
    if cmap.interval_min:
        step = int(cmap.interval_min)
    else:
        uniq = np.unique(mins)
        if uniq.size < 2:
            raise _err(p, "cannot tell the interval length from a single interval start; set interval_min in the column map.")
        step = int(np.gcd.reduce(np.diff(uniq)))
        if step not in GRIDS:  # some starts off the grid: the grid most rows lie on, and the first row off it
            step = min(GRIDS, key=lambda g: (int((mins % g != 0).sum()), -g))
    off = mins % step != 0
    if off.any():
        i = int(np.flatnonzero(off)[0])
        raise _err(
            p,
            f"line {int(out['line'].iloc[i])}, column {where!r}: the interval starting {out['period'].iloc[i]:%Y-%m-%d %H:%M} is not "
            f"on the {step}-minute grid of the {'column map (interval_min)' if cmap.interval_min else 'other rows'}"
            f"{f' ({int(off.sum())} rows like it)' if off.sum() > 1 else ''}; only 15, 30 or 60-minute intervals starting on "
            "the hour are supported (set interval_min in the column map).",
        )
    return step

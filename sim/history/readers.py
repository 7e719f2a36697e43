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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

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


def _read_strings(p: Path, cmap: ColumnMap) -> pd.DataFrame:
    """Every cell as a string: Arrow's multi-threaded reader (fast, compact strings), or pandas'
    own parser for what Arrow refuses (rows with fewer cells, such as a ``Summa;;;;`` line, or a
    byte that is not valid text: the precise path names the line)."""
    enc = _encoding(cmap)
    try:
        df = pd.read_csv(p, sep=cmap.separator, dtype=str, keep_default_na=False, encoding=enc, engine="pyarrow")
        if not df.columns.is_unique or any(str(c).startswith("Unnamed") for c in df.columns):
            raise ValueError("ambiguous header")  # pandas' parser names duplicate and empty headers
        return df
    except (pd.errors.ParserError, ValueError, pa.ArrowInvalid, UnicodeDecodeError):
        pass
    return pd.read_csv(p, sep=cmap.separator, dtype=str, keep_default_na=False, encoding=enc, skipinitialspace=True)


def read_raw(path: str | Path, cmap: ColumnMap) -> pd.DataFrame:
    """The export as strings, header checked against the map (errors name file and column)."""
    p = Path(path)
    if not p.is_file():
        raise _err(p, "the file does not exist.")
    if p.stat().st_size == 0:
        raise _err(p, "the file is empty (no header, no rows).")
    try:
        df = _read_strings(p, cmap)
    except UnicodeDecodeError:
        raise _decode_error(p, cmap) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise _err(p, f"it is not a CSV with separator {cmap.separator!r} ({' '.join(str(exc).split())}).") from None
    df.columns = [str(c).strip() for c in df.columns]
    _check_header(p, cmap, list(df.columns))
    if df.empty:
        raise _err(p, "it has a header but no data rows.")
    return df


def _check_header(p: Path, cmap: ColumnMap, columns: list[str]) -> None:
    """Every column the map names is in the header (an error names the first one missing)."""
    needed = {f: c for f, c in cmap.columns.items()}
    missing = [(f, c) for f, c in needed.items() if c not in columns and fields_of(cmap.kind)[f][0]]
    optional_missing = [(f, c) for f, c in needed.items() if c not in columns and not fields_of(cmap.kind)[f][0]]
    if cmap.source != "defaults" and optional_missing:
        missing += optional_missing  # a map that names a column promises it exists
    required_unmapped = [f for f, (req, _) in fields_of(cmap.kind).items() if req and f not in cmap.columns]
    if required_unmapped:
        raise _err(p, f"the column map ({cmap.source}) does not say which column holds {', '.join(required_unmapped)}.")
    if missing:
        f, c = missing[0]
        sniffed = _sniff(p, cmap)
        hint = ""
        if len(columns) == 1 and sniffed and sniffed != cmap.separator:
            hint = (
                f" The header is one single column: the file looks separated by {sniffed!r}, not {cmap.separator!r}; "
                f"set separator: {sniffed!r} in the column map."
            )
        raise _err(
            p,
            f"line 1 (header): column {c!r} (field {f}, from {cmap.source}) is not in the file; it has "
            f"{', '.join(repr(x) for x in columns[:12])}{' …' if len(columns) > 12 else ''}.{hint}",
        )


class _SlowPath(Exception):
    """Arrow's streaming reader cannot read this file: read it whole with pandas' parser."""


CHUNK_BYTES = 16 << 20
"""Bytes of the file parsed at a time by the streaming reader of call logs."""


def _header(p: Path, cmap: ColumnMap) -> list[str]:
    with p.open(encoding=_encoding(cmap), newline="") as f:
        try:
            return next(csv.reader(f, delimiter=cmap.separator))
        except (StopIteration, csv.Error, UnicodeDecodeError):
            raise _SlowPath from None


def _chunks(p: Path, cmap: ColumnMap) -> Iterator[pd.DataFrame]:
    """The export's mapped columns as strings, ``CHUNK_BYTES`` at a time (index: row number
    from 0, so line = index + 2), header checked. Raises :class:`_SlowPath` (possibly after
    some chunks) when Arrow cannot read it: ragged rows, bytes that are not text, odd headers."""
    if not p.is_file() or p.stat().st_size == 0:
        raise _SlowPath
    names = _header(p, cmap)
    stripped = [n.strip() for n in names]
    if len(set(stripped)) != len(stripped) or "" in stripped:
        raise _SlowPath
    _check_header(p, cmap, stripped)
    wanted = [n for n, s in zip(names, stripped, strict=True) if s in set(cmap.columns.values())]
    enc = "utf8" if codecs.lookup(cmap.encoding).name == "utf-8" else cmap.encoding
    try:
        reader = pacsv.open_csv(
            p,
            read_options=pacsv.ReadOptions(block_size=CHUNK_BYTES, encoding=enc, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=cmap.separator),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False, include_columns=wanted
            ),
        )
        offset = 0
        for batch in reader:
            df = batch.to_pandas(types_mapper={pa.string(): _STR, pa.large_string(): _STR}.get)
            df.columns = [str(c).strip() for c in df.columns]
            df.index = pd.RangeIndex(offset, offset + len(df))
            offset += len(df)
            yield df
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, UnicodeDecodeError):
        raise _SlowPath from None
    if offset == 0:
        raise _err(p, "it has a header but no data rows.")


def _raw_cell(p: Path, cmap: ColumnMap, line: int, col: str) -> str:
    """The text of one cell (the precise path, for an error message)."""
    with p.open(encoding=_encoding(cmap), errors="replace", newline="") as f:
        rows = csv.reader(f, delimiter=cmap.separator)
        header = [h.strip() for h in next(rows)]
        for i, row in enumerate(rows, start=2):
            if i == line:
                return row[header.index(col)].strip() if col in header and header.index(col) < len(row) else ""
    return ""


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
    fmt = fmt or cmap.datetime_format
    fast = _fast_times(df[col], fmt)
    if fast is not None:
        if not optional and fast.isna().any():
            raise _bad(path, df, fast.isna().to_numpy(), col, "is empty, but a timestamp is required")
        return _localise(path, fast, col, cmap)
    text = df[col].astype(str).str.strip()
    empty = (text == "").to_numpy()
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


def _trimmed(s: pd.Series) -> pa.Array:
    """A column as an Arrow string array, surrounding whitespace trimmed."""
    try:
        arr = pa.array(s.array)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        arr = pa.array(s.astype(str).to_numpy(dtype=object), type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pc.utf8_trim_whitespace(arr)


def _strings(s: pd.Series) -> pd.Series:
    """A text column trimmed, kept as compact Arrow strings (not one Python object per cell)."""
    return pd.Series(pd.arrays.ArrowExtensionArray(_trimmed(s)), index=s.index, name=s.name).astype(_STR)


def _str_dtype() -> pd.StringDtype:
    """Arrow-backed strings with NaN for missing (pandas' default ``str`` from pandas 3 on)."""
    try:
        return pd.StringDtype("pyarrow", na_value=np.nan)  # type: ignore[call-arg]
    except TypeError:  # pandas < 2.3
        return pd.StringDtype("pyarrow_numpy")


_STR = _str_dtype()


def _fast_times(s: pd.Series, fmt: str | None) -> pd.Series | None:
    """Naive timestamps (NaT where empty) parsed by Arrow, or None when any non-empty cell does
    not parse this way (then the precise path parses it, or names the bad cell)."""
    text = _trimmed(s)
    blank = pc.equal(text, "")
    text = pc.if_else(blank, pa.scalar(None, text.type), text)
    try:
        t = pc.strptime(text, format=fmt, unit="ns") if fmt else pc.cast(text, pa.timestamp("ns"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    if t.null_count != text.null_count:
        return None
    return pd.Series(t.to_numpy(zero_copy_only=False), index=s.index, name=s.name).astype("datetime64[ns]")


def _fast_numbers(s: pd.Series, decimal: str) -> pd.Series | None:
    """Finite numbers (NaN where empty) parsed by Arrow, or None when any non-empty cell is not
    a plain finite number (then the precise path reads HH:MM:SS or names the bad cell)."""
    text = _trimmed(s)
    if decimal != ".":
        text = pc.replace_substring(text, decimal, ".")
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)
    try:
        x = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    x = np.asarray(x, dtype=float)
    if np.isinf(x).any() or np.isnan(x).sum() != text.null_count:
        return None
    return pd.Series(x, index=s.index, name=s.name)


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
    fast = _fast_numbers(df[col], cmap.decimal)
    if fast is not None:
        return fast
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
    … in the file's first column or in a timestamp or date column). Only rows whose timestamp
    (or date) does not start with a digit are looked at closely."""
    cols = [c for c in dict.fromkeys(cmap.columns.values()) if c in df.columns]
    out = np.zeros(len(df), dtype=bool)
    key = next((cmap.columns[f] for f in ("arrival", "interval", "date") if cmap.columns.get(f) in df.columns), None)
    if not cols or key is None:
        return out
    # Every data row's timestamp or date starts with a digit: only the others can be junk.
    maybe = ~np.asarray(pc.match_substring_regex(_trimmed(df[key]), r"^\d").to_numpy(zero_copy_only=False), dtype=bool)
    if not maybe.any():
        return out
    out[maybe] = _junk_rows(df[maybe], cmap, cols)
    return out


def _junk_rows(df: pd.DataFrame, cmap: ColumnMap, cols: list[str]) -> np.ndarray:
    """The junk rules of :func:`junk_mask` on the candidate rows."""
    cells = {c: df[c].str.strip() for c in cols}
    header = sum((cells[c].str.casefold() == c.casefold()).to_numpy(dtype=int) for c in cols) * 2 >= len(cols)
    blank = sum((cells[c] != "").to_numpy(dtype=int) for c in cols) == 0
    where = {str(df.columns[0])} | {cmap.columns[f] for f in ("arrival", "date", "interval", "call_id") if f in cmap.columns}
    total = np.zeros(len(df), dtype=bool)
    for c in where & set(df.columns):
        total |= df[c].str.strip().str.fullmatch(_TOTAL).fillna(False).to_numpy(dtype=bool)
    return np.asarray(header | blank | total, dtype=bool)


def _check_junk(path: Path, cmap: ColumnMap, n_junk: int, n_rows: int, first: tuple[int, str] | None) -> None:
    """More junk rows than ``max_bad_share`` (or nothing but junk) is an error naming the first."""
    if n_junk == 0 or (n_junk <= cmap.max_bad_share * n_rows and n_junk < n_rows):
        return
    line, text = first or (0, "")
    raise _err(
        path,
        f"line {line} ({text!r}) is not a data row (a repeated header, a blank or a total line); "
        f"{n_junk} of {n_rows} rows ({100 * n_junk / n_rows:.1f} %) are like that, more than max_bad_share = "
        f"{cmap.max_bad_share:g} of the column map.",
    )


def _split_junk(raw: pd.DataFrame, cmap: ColumnMap) -> tuple[pd.DataFrame, np.ndarray, tuple[int, str] | None]:
    """The data rows, the index labels of the junk rows and the first junk row (line, text)."""
    junk = junk_mask(raw, cmap)
    if not junk.any():
        return raw, np.array([], dtype=int), None
    i = int(np.flatnonzero(junk)[0])
    first = (_line(raw, i), ";".join(str(v) for v in raw.iloc[i].to_numpy()[:6]))
    return raw[~junk], raw.index.to_numpy()[junk], first


def _without_junk(path: Path, raw: pd.DataFrame, cmap: ColumnMap) -> tuple[pd.DataFrame, np.ndarray]:
    """The data rows and the index labels of the junk rows (an error beyond ``max_bad_share``)."""
    df, junk, first = _split_junk(raw, cmap)
    _check_junk(path, cmap, len(junk), len(raw), first)
    return df, junk


class _Dropper:
    """Assigns each row its first drop reason and keeps the counts honest (``junk``: index
    labels of the rows already left out as not data). ``index``: the rows' labels (line - 2);
    ``df``: the rows' text when at hand (else a share error re-reads the one cell it quotes)."""

    def __init__(self, path: Path, index: np.ndarray, cmap: ColumnMap, junk: np.ndarray | None = None,
                 df: pd.DataFrame | None = None) -> None:
        self.path, self.index, self.cmap, self.df = path, np.asarray(index), cmap, df
        self.reason = np.zeros(len(index), dtype=np.int8)  # 0: kept, else 1 + position in REASONS
        self.col = np.zeros(len(index), dtype=np.int16)  # the column that made the row's reason
        self.cols: list[str] = [""]
        self.junk = np.array([], dtype=int) if junk is None else np.asarray(junk, dtype=int)

    def mark(self, reason: str, mask: np.ndarray, col: str = "") -> None:
        new = mask & (self.reason == 0)
        if not new.any():
            return
        if col not in self.cols:
            self.cols.append(col)
        self.reason[new] = REASONS.index(reason) + 1
        self.col[new] = self.cols.index(col)

    def check_share(self, reason: str, what: str) -> None:
        mask = self.reason == REASONS.index(reason) + 1
        share = mask.mean()
        if share > self.cmap.max_bad_share:
            first = int(np.flatnonzero(mask)[0])
            col = self.cols[self.col[first]]
            line = int(self.index[first]) + 2
            if self.df is not None:
                col = col if col in self.df.columns else str(self.df.columns[0])
                value = self.df[col].iloc[first]
            else:  # parsed rows: the cell's text from the file (the precise path, only for this message)
                value = _raw_cell(self.path, self.cmap, line, col)
            n = int((mask & (self.col == self.col[first])).sum())
            raise _err(
                self.path,
                f"line {line}, column {col!r}: {value!r} makes the row {what}{f' ({n} rows like it)' if n > 1 else ''}; "
                f"{100 * share:.1f} % of rows are like that, more than max_bad_share = {self.cmap.max_bad_share:g} of the "
                "column map, which points to a wrong column or unit rather than a few bad rows.",
            )

    @property
    def keep(self) -> np.ndarray:
        return self.reason == 0

    def drops(self) -> Drops:
        counts = {r: int((self.reason == i + 1).sum()) for i, r in enumerate(REASONS)}
        counts["junk"] = len(self.junk)
        dropped = np.flatnonzero(~self.keep)
        names = np.array(["", *REASONS], dtype=object)
        rows = pd.DataFrame(
            {
                "line": np.concatenate([self.junk + 2, self.index[dropped] + 2]).astype(int),
                "reason": np.concatenate([np.full(len(self.junk), "junk", dtype=object), names[self.reason[dropped]]]),
            }
        )
        rows = rows.sort_values("line", kind="stable").reset_index(drop=True)
        return Drops(str(self.path), len(self.index) + len(self.junk), int(self.keep.sum()), counts, rows)


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
    ``hold_s``, ``wrap_s``, ``handle_s``, ``agent``, ``customer_id`` (only when the map names it),
    ``line`` (line of the file) -- so the
    KPI functions of :mod:`sim.analysis.kpis` apply to it unchanged.

    The file is parsed a chunk at a time into compact columns (Arrow's streaming reader), so a
    log of millions of rows needs little more memory than its calls; a file Arrow cannot read
    (ragged rows such as ``Summa;;;;``, a wrong encoding) is read whole by pandas' parser.
    """
    p = Path(path)
    col = cmap.column
    if col("answered") is None and col("answered_at") is None:
        raise _err(p, f"the column map ({cmap.source}) must name either 'answered' (a flag) or 'answered_at' (a timestamp).")
    try:
        pieces = [_call_rows(p, chunk, cmap) for chunk in _chunks(p, cmap)]
    except _SlowPath:
        pieces = [_call_rows(p, read_raw(p, cmap), cmap)]
    rows = _concat([r for r, _, _ in pieces])
    junk = np.concatenate([j for _, j, _ in pieces]).astype(int)
    firsts = [f for _, _, f in pieces if f is not None]
    del pieces
    index = rows.pop("index")
    _check_junk(p, cmap, len(junk), len(index) + len(junk), firsts[0] if firsts else None)
    answered = rows["answered"]
    entry = rows["entry"]
    drop = _Dropper(p, index, cmap, junk)
    drop.mark("ivr", np.isnat(entry), col("queue_entry") or "")
    drop.mark("duplicate", _repeated(rows["call_id"]), col("call_id") or "")
    wait = (np.where(answered, rows["answered_at"], rows.pop("exit")) - entry) / np.timedelta64(1, "s")
    drop.mark("impossible", np.isnan(wait) & ~np.isnat(entry), col("queue_exit") or "")
    drop.mark("impossible", (wait < 0) | (wait > DAY_S), col("queue_exit") or "")
    drop.mark("impossible", entry < rows.pop("arrival"), col("queue_entry") or "")
    for name in PARTS:
        v = rows[name]
        drop.mark("impossible", answered & ((v < 0) | (v > DAY_S) | np.isnan(v)), col(name) or name)
    drop.check_share("impossible", "impossible (a negative or over-a-day duration, or leaving the queue before entering it)")
    drop.mark("out_of_range", _range_mask(pd.Series(entry), start, end), col("arrival") or "")
    keep = drop.keep
    ans = answered[keep]
    entry = entry[keep]
    # Sorted by arrival: one permutation applied while each column is taken (an export in time
    # order needs none), each source column freed as soon as it is taken.
    order = None if (entry[1:] >= entry[:-1]).all() else np.argsort(entry, kind="stable")

    def take(a: Any) -> Any:
        return a if order is None else a[order]

    cols: dict[str, Any] = {"call_id": take(rows.pop("call_id")[keep]), "arrival": take(entry)}
    cols["answered_at"] = take(np.where(ans, rows.pop("answered_at")[keep], np.datetime64("NaT", "ns")))
    cols["fate"] = take(_text(pc.if_else(pa.array(ans), "answered", "abandoned")))
    cols["wait_s"] = take(wait[keep])
    del wait
    for name in PARTS:
        cols[name] = take(np.where(ans, rows.pop(name)[keep], np.nan))
    cols["agent"] = take(rows.pop("agent")[keep]) if "agent" in rows else None
    if "customer_id" in rows:
        cols["customer_id"] = take(rows.pop("customer_id")[keep])
    cols["line"] = take(index[keep] + 2)
    cols["handle_s"] = cols["talk_s"] + cols["hold_s"] + cols["wrap_s"]
    calls = pd.DataFrame(cols, copy=False)
    return CallLog(calls, drop.drops(), cmap.threshold_s)


def _hash64(chunk: pa.Array) -> np.ndarray:
    """FNV-1a hashes of an Arrow string array's values (vectorised over the rows, one pass per
    byte position: no Python object per row)."""
    n = len(chunk)
    wide = pa.types.is_large_string(chunk.type)
    bufs = chunk.buffers()
    off = np.frombuffer(bufs[1], dtype=np.int64 if wide else np.int32)[chunk.offset : chunk.offset + n + 1].astype(np.int64)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, dtype=np.uint8)
    start, length = off[:-1], np.diff(off)
    h = np.full(n, 14695981039346656037, dtype=np.uint64) ^ length.astype(np.uint64)
    for j in range(int(length.max()) if n else 0):
        m = length > j
        h[m] = (h[m] ^ data[start[m] + j].astype(np.uint64)) * np.uint64(1099511628211)
    return h


def _repeated(ids: Any) -> np.ndarray:
    """True for every id seen before in the array (its first occurrence is False): equal
    64-bit hashes, confirmed by comparing the strings."""
    arr = pa.array(ids)
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    h = np.concatenate([_hash64(c) for c in chunks]) if chunks else np.zeros(0, dtype=np.uint64)
    out = np.zeros(len(h), dtype=bool)
    if len(h) < 2:
        return out
    order = np.argsort(h, kind="stable")
    h = h[order]
    same = h[1:] == h[:-1]
    del h
    if not same.any():
        return out
    group = np.cumsum(np.r_[True, ~same]) - 1  # group of each sorted position
    first = order[np.flatnonzero(np.r_[True, ~same])][group]  # its group's first row in file order
    later = np.flatnonzero(np.r_[False, same])
    cand, orig = order[later], first[later]
    equal = pc.equal(arr.take(pa.array(cand)), arr.take(pa.array(orig)))
    out[cand[np.asarray(equal.to_numpy(zero_copy_only=False), dtype=bool)]] = True
    return out


def _text(arr: pa.Array) -> Any:
    """An Arrow string array as pandas' compact string array."""
    return pd.Series(pd.arrays.ArrowExtensionArray(arr)).astype(_STR).array


def _concat(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Column-wise concatenation of parsed chunks (NumPy arrays, Arrow-backed strings)."""
    if len(parts) == 1:
        return parts[0]
    out: dict[str, Any] = {}
    for key in list(parts[0]):
        arrays = [part.pop(key) for part in parts]
        first = arrays[0]
        out[key] = type(first)._concat_same_type(arrays) if isinstance(first, pd.api.extensions.ExtensionArray) else np.concatenate(arrays)
    return out


PARTS = ("talk_s", "hold_s", "wrap_s")


def _call_rows(p: Path, raw: pd.DataFrame, cmap: ColumnMap) -> tuple[dict[str, Any], np.ndarray, tuple[int, str] | None]:
    """One chunk of a call log parsed (unreadable cells are errors naming line and column):
    its rows as compact columns (``index``: the file's row numbers), its junk rows' labels and
    the first junk row."""
    df, junk, first = _split_junk(raw, cmap)
    col = cmap.column
    arrival = parse_times(p, df, col("arrival"), cmap)  # type: ignore[arg-type]
    has_entry = col("queue_entry") is not None and col("queue_entry") in df.columns
    entry = parse_times(p, df, col("queue_entry"), cmap, optional=True) if has_entry else arrival  # type: ignore[arg-type]
    exit_ = parse_times(p, df, col("queue_exit"), cmap, optional=True)  # type: ignore[arg-type]
    if col("answered_at") is not None and col("answered_at") in df.columns:
        answered_at = parse_times(p, df, col("answered_at"), cmap, optional=True)  # type: ignore[arg-type]
        answered = answered_at.notna().to_numpy()
    else:
        flag = _strings(df[col("answered")]).str.lower()  # type: ignore[index]
        answered = flag.isin(cmap.answered_values).to_numpy(dtype=bool)
        answered_at = exit_.where(answered)
    ns = "datetime64[ns]"
    out: dict[str, Any] = {"index": df.index.to_numpy(), "arrival": arrival.to_numpy(dtype=ns), "entry": entry.to_numpy(dtype=ns),
                           "exit": exit_.to_numpy(dtype=ns), "answered": answered, "answered_at": answered_at.to_numpy(dtype=ns)}
    for name in PARTS:
        c = col(name)
        out[name] = (parse_numbers(p, df, c, cmap, durations=True).to_numpy(dtype=float) if c and c in df.columns
                     else np.where(answered, 0.0, np.nan))
    out["call_id"] = _strings(df[col("call_id")]).array  # type: ignore[index]
    if col("agent") and col("agent") in df.columns:
        out["agent"] = _strings(df[col("agent")]).array  # type: ignore[index]
    if col("customer_id") and col("customer_id") in df.columns:
        out["customer_id"] = _strings(df[col("customer_id")]).array  # type: ignore[index]
    return out, junk, first


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
                col("date") or "date",
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
    drop = _Dropper(p, df.index.to_numpy(), cmap, junk, df)
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

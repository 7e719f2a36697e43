"""Excel copies of the tables a command writes, for planners whose Excel reads CSVs by locale.

The CSVs the commands write stay machine-readable (comma separator, decimal point, full
precision): the project reads several back (staffing tables as ``table_file``, results folders
in ``sim.report``). Swedish Excel opens such a file as one column. With ``output.excel``:

- ``xlsx``: one workbook ``tables.xlsx`` beside the CSVs, one sheet per CSV (numbers stay
  numbers, so Excel shows them in the reader's own locale);
- ``sv``: a folder ``excel_sv/`` with a copy of each CSV as Swedish Excel opens it by double-click:
  ``;`` separator, decimal comma, numbers rounded to 4 decimals, UTF-8 with a byte-order mark
  (so å, ä and ö survive);
- ``none`` (the default): nothing more.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

SV_FOLDER = "excel_sv"
WORKBOOK = "tables.xlsx"
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(stem: str, used: set[str]) -> str:
    """An Excel sheet name (at most 31 characters, none of ``[]:*?/\\``), unique in ``used``."""
    base = _SHEET_BAD.sub("_", stem)[:31] or "table"
    name, k = base, 1
    while name.lower() in used:
        k += 1
        name = f"{base[: 31 - len(str(k)) - 1]}~{k}"
    used.add(name.lower())
    return name


def swedish_csv(frame: pd.DataFrame, path: Path, decimals: int = 4) -> Path:
    """Write ``frame`` as Swedish Excel reads a CSV: ``;``, decimal comma, rounded, UTF-8 BOM."""
    frame.round(decimals).to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig")
    return path


def excel_copies(folder: Path, style: str) -> list[Path]:
    """Excel copies (see the module docstring) of every ``*.csv`` directly in ``folder``."""
    csvs = sorted(folder.glob("*.csv"))
    if style == "none" or not csvs:
        return []
    if style == "xlsx":
        path = folder / WORKBOOK
        used: set[str] = set()
        with pd.ExcelWriter(path, engine="openpyxl") as book:
            for csv in csvs:
                pd.read_csv(csv).to_excel(book, sheet_name=_sheet_name(csv.stem, used), index=False)
        return [path]
    if style == "sv":
        out = folder / SV_FOLDER
        out.mkdir(exist_ok=True)
        return [swedish_csv(pd.read_csv(csv), out / csv.name) for csv in csvs]
    raise ValueError(f"unknown Excel style {style!r}; allowed: none, xlsx, sv")

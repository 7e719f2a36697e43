"""Numbers, percentages and dates as the pages and reports print them, in the current
language's locale (:mod:`sim.faces.i18n`) with Babel: ``97,6 %`` and ``1 234,5 h`` in
Swedish, ``97.6 %`` and ``1,234.5 h`` in English.

English keeps the project's SI style of a space before ``%`` (as the agreement's targets are
written, ``> 91 %``); Swedish follows its locale (a no-break space before ``%`` and as the
thousands separator). ``–`` stands for a missing value in both, and a negative number has the
minus sign ``−`` (U+2212), not the hyphen, in both.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache

import pandas as pd
from babel import Locale
from babel.dates import format_date, get_day_names
from babel.numbers import format_decimal, format_percent, get_decimal_symbol

from sim.catalogue import KIND_SHARE, by_format
from sim.faces.i18n import _, current, locale

__all__ = ["date_text", "fmt", "fmt_diff", "fmt_p", "month_text", "number", "percent", "target_text", "weekday_name"]

PERCENT = by_format("percent")
HOURS = by_format("agent_hours")
WORKING_HOURS = by_format("working_hours")
COUNTS = by_format("count")
DAYS = by_format("days")
MISSING = "–"
MINUS = "−"
_PERCENT_SUFFIX = {"en": " %"}
"""Languages whose percent sign is not placed as their locale places it (English: the SI space)."""


def _r(v: float, digits: int) -> float:
    """Round for display without a negative zero (−0.0 → 0.0)."""
    return round(v, digits) + 0.0


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))  # type: ignore[arg-type]


def number(value: float, digits: int = 0, sign: bool = False) -> str:
    """``1 234,5`` / ``1,234.5`` with ``digits`` decimals (``+`` on positive values with ``sign``,
    ``−`` on negative ones)."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    if sign:
        pattern = f"+{pattern};-{pattern}"
    return _minus(format_decimal(Decimal(repr(_r(float(value), digits))), format=pattern, locale=locale()))


def _minus(text: str) -> str:
    """``text`` with the minus sign ``−`` where Babel's pattern wrote a hyphen."""
    return text.replace("-", MINUS)


@lru_cache(maxsize=8)
def _percent_suffix(lang: str, loc: str) -> str:
    if lang in _PERCENT_SUFFIX:
        return _PERCENT_SUFFIX[lang]
    return str(Locale.parse(loc).percent_formats[None].suffix[0])


def percent(share: float, digits: int = 1, sign: bool = False) -> str:
    """A share 0–1 as a percentage: ``97,6 %`` / ``97.6 %`` (Babel's ``format_percent``)."""
    body = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    suffix = _percent_suffix(current(), locale())
    pattern = f"{body}{suffix}"
    if sign:
        pattern = f"+{body}{suffix};-{body}{suffix}"
    exact = Decimal(repr(_r(100 * float(share), digits))) / 100
    return _minus(format_percent(exact, format=pattern, locale=locale()))


def decimal_point() -> str:
    """``,`` in Swedish, ``.`` in English."""
    return str(get_decimal_symbol(locale()))


def fmt(kpi: str, value: float | None) -> str:
    """A KPI value as the report prints it: ``97.6 %``, ``12.3 s``, ``1,234.5 h``, ``12,345``,
    ``2.3`` (days); ``–`` when missing (separators of the current language)."""
    if _missing(value):
        return MISSING
    v = float(value)  # type: ignore[arg-type]
    if kpi in PERCENT or kpi.startswith(KIND_SHARE):
        return percent(v, 1)
    if kpi in WORKING_HOURS:
        return number(v, 1) + " " + _("working h")
    if kpi in HOURS:
        return f"{number(v / 3600, 1)} h"
    if kpi in COUNTS:
        return number(v, 0)
    if kpi in DAYS:
        return number(v, 1)
    if kpi.endswith("_s"):
        return f"{number(v, 1)} s"
    return _significant(v, sign=False)


def _significant(v: float, sign: bool) -> str:
    """Three significant digits (``{:,.3g}``) in the current locale."""
    text = f"{v:.3g}"
    if "e" in text:
        return _minus(text.replace(".", decimal_point()))
    digits = len(text.split(".")[1]) if "." in text else 0
    return number(float(text), digits, sign)


def fmt_diff(kpi: str, value: float | None) -> str:
    """A difference: ``+1.23 pp``, ``−4.5 s``, ``+12.0 h``, ``+3`` (``p.e.`` in Swedish)."""
    if _missing(value):
        return MISSING
    v = float(value)  # type: ignore[arg-type]
    if kpi in PERCENT or kpi.startswith(KIND_SHARE):
        text = number(100 * v, 2, sign=True) + " " + _("pp")
    elif kpi in WORKING_HOURS:
        text = number(v, 2, sign=True) + " " + _("working h")
    elif kpi in HOURS:
        text = f"{number(v / 3600, 1, sign=True)} h"
    elif kpi in COUNTS:
        text = number(v, 0, sign=True)
    elif kpi in DAYS:
        text = number(v, 1, sign=True)
    elif kpi.endswith("_s"):
        text = f"{number(v, 1, sign=True)} s"
    else:
        text = _significant(v, sign=True)
    return text


def fmt_p(p: float | None) -> str:
    """A probability as a whole percentage."""
    return MISSING if _missing(p) else percent(float(p), 0)  # type: ignore[arg-type]


_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")


def target_text(text: object) -> str:
    """A target as the analysis writes it (``> 91.5 %``, ``< 180 s``) in the current
    language's number style (``> 91,5 %``); ``""`` for none."""
    if not isinstance(text, str):
        return ""
    out = _DECIMAL.sub(decimal_point(), text)
    return out.replace(" %", _percent_suffix(current(), locale())) if current() not in _PERCENT_SUFFIX else out


def date_text(d: dt.date) -> str:
    """``1 dec. 2026`` / ``1 Dec 2026``."""
    return format_date(d, "medium", locale=locale())


def month_text(d: dt.date) -> str:
    """``december 2026`` / ``December 2026``."""
    return format_date(d, "LLLL y", locale=locale())


def weekday_name(i: int, width: str = "abbreviated") -> str:
    """Weekday ``i`` (0 = Monday): ``mån``/``Mon`` (``wide``: ``måndag``/``Monday``)."""
    return str(get_day_names(width, locale=locale())[i])

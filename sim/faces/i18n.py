"""The language of a page or report: Swedish or English, one per page.

The words are English in the code and translated through a gettext message catalogue per
language, ``sim/faces/locale/<lang>.po``, read at run time with Babel
(:func:`babel.messages.pofile.read_po`). English is the source language: its messages are
the ``msgid`` themselves, so only ``sv.po`` holds translations, and
``tests/faces/test_i18n.py`` fails when a message of the code has none in it.

Mark a message with :func:`_` where it is used, with :func:`N_` where it is defined before
the language is known (a module constant, translated with :func:`_` when shown), and with
:func:`n_` when it depends on a count. Templates use named :meth:`str.format` fields, which
the translation must keep.

The language is a context variable: :func:`language` sets it for a block (a report, one
render of the page), so every formatter below it (:mod:`sim.faces.formats`) follows it
without a ``lang`` argument on every function. Outside such a block it is English.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from sim.errors import ScenarioError

LANGUAGES: dict[str, str] = {"sv": "sv_SE", "en": "en_GB"}
"""Language code → Babel locale of the numbers and dates (``en_GB``: day before month)."""
LANGUAGE_NAMES: dict[str, str] = {"sv": "Svenska", "en": "English"}
"""Each language in its own words (the page's switch)."""
HOLIDAY_LANGUAGES: dict[str, str] = {"sv": "sv", "en": "en_US"}
"""The ``holidays`` package's language code of each page language (holiday names)."""
SOURCE = "en"
"""The language of the code's messages (no catalogue needed)."""
DEFAULT = "en"
"""The language outside :func:`language` blocks (commands write English unless told)."""
CATALOGUES = Path(__file__).resolve().parent / "locale"

_CURRENT: ContextVar[str] = ContextVar("sim_language", default=DEFAULT)


def check_language(code: str | None) -> str:
    """``code`` when it is a language of the pages, else a one-paragraph :class:`ScenarioError`."""
    text = str(code or "").strip().lower()
    if text not in LANGUAGES:
        raise ScenarioError(f"Unknown language {code!r}; allowed: {', '.join(LANGUAGES)} (sv = Swedish, en = English).")
    return text


def current() -> str:
    """The language of the page or report being written (``sv`` or ``en``)."""
    return _CURRENT.get()


def locale() -> str:
    """The Babel locale of the current language (``sv_SE``, ``en_GB``)."""
    return LANGUAGES[current()]


@contextmanager
def language(code: str | None) -> Iterator[str]:
    """Write in ``code`` (``sv``/``en``; None keeps the current one) inside the block."""
    lang = current() if code is None else check_language(code)
    token = _CURRENT.set(lang)
    try:
        yield lang
    finally:
        _CURRENT.reset(token)


@cache
def catalogue(lang: str) -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    """``msgid`` → translation of ``lang`` (``(singular, plural)`` → forms for plurals);
    empty for the source language. Untranslated and fuzzy entries are left out."""
    if lang == SOURCE:
        return {}
    from babel.messages.pofile import read_po

    path = CATALOGUES / f"{lang}.po"
    with path.open("rb") as f:
        cat = read_po(f, locale=LANGUAGES[lang])
    out: dict[str | tuple[str, str], str | tuple[str, ...]] = {}
    for m in cat:
        if not m.id or m.fuzzy or not m.string or (isinstance(m.string, tuple) and not all(m.string)):
            continue
        out[m.id] = m.string
    return out


def _(message: str) -> str:
    """``message`` in the current language (the English message when it has no translation:
    a test keeps that from happening)."""
    if current() == SOURCE:
        return message
    text = catalogue(current()).get(message)
    return text if isinstance(text, str) else message


def N_(message: str) -> str:  # noqa: N802 - gettext's name
    """Mark ``message`` for the catalogue without translating it (translate it with :func:`_` when shown)."""
    return message


def n_(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the current language (Swedish and English
    both have two forms: one, and everything else)."""
    if current() != SOURCE:
        forms = catalogue(current()).get((singular, plural))
        if isinstance(forms, tuple) and len(forms) == 2:
            return forms[0] if n == 1 else forms[1]
    return singular if n == 1 else plural


# --------------------------------------------------------------------------- catalogue upkeep

KEYWORDS = {"_": None, "N_": None, "n_": (1, 2)}
"""The markers above, for Babel's extractor (``n_``: singular and plural)."""


HISTORY_SOURCES = ("sim/history/attribution.py", "sim/history/followup.py")
"""Files below the faces whose sentences a face translates: they mark their English message
ids with the no-op ``N_`` of :mod:`sim.history.words` (they cannot import this module)."""


CATALOGUE_SOURCE = "sim/catalogue.py"
CATALOGUE_KEYWORDS = {"_count": (3,), "_share": (2,), "_seconds": (2,), "_agent": (2,), "_days": (2,), "KPI": (5,)}
"""The KPI labels of the catalogue (the bottom layer) are messages where they are declared: the
label argument of each declaring call."""


def extract_messages() -> list[tuple[str | tuple[str, str], str]]:
    """Every message ``sim/faces`` marks, then the ``N_`` messages of :data:`HISTORY_SOURCES`
    and the KPI labels of :data:`CATALOGUE_SOURCE`, with where it is (``file:line``), in code order."""
    from babel.messages.extract import extract_from_dir, extract_from_file

    root = Path(__file__).resolve().parent
    found = extract_from_dir(root, method_map=[("**.py", "python")], keywords=KEYWORDS)
    out: list[tuple[str | tuple[str, str], str]] = [(msg, f"sim/faces/{fn}:{line}") for fn, line, msg, _comments, _ctx in found]
    for rel in HISTORY_SOURCES:
        for line, msg, _comments, _ctx in extract_from_file("python", root.parent.parent / rel, keywords={"N_": None}):
            out.append((msg, f"{rel}:{line}"))
    for line, msg, _comments, _ctx in extract_from_file("python", root.parent.parent / CATALOGUE_SOURCE, keywords=CATALOGUE_KEYWORDS):
        out.append((msg, f"{CATALOGUE_SOURCE}:{line}"))
    return out


def update_catalogues() -> None:
    """Merge the code's messages into every ``locale/<lang>.po``: new ones are added
    untranslated (the test names them), unused ones dropped, translations kept."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    template = Catalog(project="callcentre-sim")
    for msg, where in extract_messages():
        fn, line = where.rsplit(":", 1)
        template.add(msg, None, [(fn, int(line))])
    for path in sorted(CATALOGUES.glob("*.po")):
        with path.open("rb") as f:
            cat = read_po(f)
        cat.update(template, no_fuzzy_matching=True)
        cat.obsolete.clear()
        with path.open("wb") as f:
            write_po(f, cat, width=120, include_previous=False)


if __name__ == "__main__":  # python -m sim.faces.i18n: after changing or adding messages
    update_catalogues()

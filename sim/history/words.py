"""Sentences of the history layer that a face can write in another language.

The history layer cannot import :mod:`sim.faces.i18n` (faces > history), so it writes its
sentences in English and keeps what they were made of: a :class:`Phrase` *is* the English
text (a :class:`str`, so tables, terminal output and tests read it as before) and also holds
its message id (an English template marked with :func:`N_`) and its fields. The face writes
it again in the report's language (:func:`sim.faces.followup.say`): the template through
``_()``, every :class:`Num` in the locale's number style, nested phrases the same way.

``python -m sim.faces.i18n`` extracts the :func:`N_` messages of the files in
:data:`sim.faces.i18n.HISTORY_SOURCES` together with the faces' own, so
``tests/faces/test_i18n.py`` names any of them without a Swedish translation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["N_", "Num", "Phrase"]


def N_(message: str) -> str:  # noqa: N802 - gettext's name
    """Mark ``message`` for the catalogue (the face translates it when it writes it)."""
    return message


@dataclass(frozen=True)
class Num:
    """A number of a sentence and how it is shown: ``unit`` ``%`` (a share, shown ×100), ``pp``
    (a difference of shares, ×100), ``s`` or ``""``; ``digits`` decimals; ``sign``: ``+`` on
    positive values; ``prefix``: ``"> "``/``"< "`` (a target)."""

    value: float
    unit: str = ""
    digits: int = 0
    sign: bool = False
    prefix: str = ""

    def __str__(self) -> str:
        if not math.isfinite(self.value):
            return "–"
        v = 100 * self.value if self.unit in ("%", "pp") else self.value
        text = f"{v:+.{self.digits}f}" if self.sign else f"{v:.{self.digits}f}"
        return self.prefix + text + (f" {self.unit}" if self.unit else "")


class Phrase(str):
    """An English sentence (the :class:`str` itself) with its message id and fields.

    ``Phrase(N_("{a} against {b}"), a=Num(3), b=Num(4))`` is ``"3 against 4"``; field values are
    numbers (:class:`Num`), other phrases, or plain text shown as it is (times, names).
    :meth:`joined` puts phrases together with a separator that is the same in every language.
    """

    template: str
    fields: dict[str, Any]
    parts: tuple[Any, ...]
    sep: str

    def __new__(cls, template: str, **fields: Any) -> Phrase:
        obj = super().__new__(cls, template.format(**{k: str(v) for k, v in fields.items()}))
        obj.template, obj.fields, obj.parts, obj.sep = template, fields, (), ""
        return obj

    @classmethod
    def joined(cls, sep: str, parts: list[Any]) -> Phrase:
        """The ``parts`` (phrases or text) joined by ``sep`` as one phrase."""
        obj = super().__new__(cls, sep.join(str(p) for p in parts))
        obj.template, obj.fields, obj.parts, obj.sep = "", {}, tuple(parts), sep
        return obj

"""The words of the production file's messages, in French and English.

A message is a key of the gettext catalogue ``production_file.po`` and its fields (``Message``); it is
written out in a language only when shown (``Message.render``). The English text is the one the CLI
prints and ``str()`` gives, and the one tests and scripts read.

A field's value says how it is written in each language:

- ``Message``: a nested message (``got nothing (an empty value)``), written in the same language;
- ``Num``: a number, the language's way (``1 000 000`` in French, ``1,000,000`` or ``1000000`` in English);
- ``Day``: a date, ``14 avril 2027`` (``1er mars 2027``) in French, as written in the file
  (``2027-04-14``) in English;
- ``Word``: a value of the file (a report kind, a weekday), with its French word when it has one;
- ``Words``: several of them, ``a, b, c``;
- ``Unit``: a unit, French in French (``véhicule-km``);
- ``FieldName``: a field of the file, shown under the screen's own label when the caller gives labels.

Any other value (an id, a quoted value, a list of choices) is written as it is: it is what the file says.
"""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.dates import format_date

from base.i18n import normalise_language, number, plural_count, strict_translations
from base.vocabulary import unit as unit_word

DOMAIN = "production_file"

#: A field name -> its label on the screen, or None when the screen has none.
Labels = Callable[[str], str | None]


def _translation(lang: str) -> gettext.GNUTranslations:
    """``lang``'s catalogue, falling back to the other language, then to a loud failure."""
    return strict_translations(lang, DOMAIN, "production file message")


def has_word(key: str, lang: str) -> bool:
    """Whether ``production_file.<key>`` is in the catalogue of ``lang``."""
    try:
        _translation(normalise_language(lang)).gettext(f"{DOMAIN}.{key}")
    except KeyError:
        return False
    return True


@dataclass(frozen=True)
class Message:
    """A message of the catalogue: its key (without the ``production_file.`` prefix) and its fields."""

    key: str
    params: tuple[tuple[str, Any], ...] = ()
    count: int | None = None  # a message with plural forms: the count that picks the form

    def render(self, lang: str = "en", labels: Labels | None = None) -> str:
        """The message in ``lang``; ``labels`` names fields by the screen's labels."""
        lang = normalise_language(lang)
        msgid = f"{DOMAIN}.{self.key}"
        translation = _translation(lang)
        if self.count is None:
            text = translation.gettext(msgid)
        else:
            text = translation.ngettext(msgid, f"{msgid}.plural", plural_count(self.count, lang))
        return text.format(**{name: _written(value, lang, labels) for name, value in self.params})

    def __str__(self) -> str:
        return self.render("en")


def say(key: str, /, *, count: int | None = None, **params: Any) -> Message:
    """The message ``production_file.<key>`` with its fields (``count`` for one with plural forms)."""
    if count is not None:
        params.setdefault("count", Num(count))
    return Message(key, tuple(params.items()), count)


@dataclass(frozen=True)
class Num:
    value: Decimal | int | float
    grouped: bool = False  # English: 1,000,000 rather than 1000000


@dataclass(frozen=True)
class Day:
    value: dt.date


@dataclass(frozen=True)
class Word:
    """A value of the file from a known set: ``group`` names the set in the catalogue (``report``)."""

    group: str
    value: str


@dataclass(frozen=True)
class Words:
    """Values of one set, written ``a, b, c``."""

    group: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Unit:
    name: str


@dataclass(frozen=True)
class FieldName:
    name: str


def _written(value: Any, lang: str, labels: Labels | None) -> str:
    if isinstance(value, Message):
        return value.render(lang, labels)
    if isinstance(value, Num):
        if lang == "en":
            return f"{value.value:,}" if value.grouped else str(value.value)
        return number(value.value, lang, max_decimals=6)
    if isinstance(value, Day):
        if lang == "en":
            return value.value.isoformat()
        written = format_date(value.value, format="d MMMM y", locale=lang)
        return f"1er{written[1:]}" if lang == "fr" and value.value.day == 1 else written  # le 1er mars
    if isinstance(value, Word):
        if lang != "en" and has_word(f"{value.group}.{value.value}", lang):
            return _translation(lang).gettext(f"{DOMAIN}.{value.group}.{value.value}")
        return value.value
    if isinstance(value, Words):
        return ", ".join(_written(Word(value.group, v), lang, labels) for v in value.values)
    if isinstance(value, Unit):
        return value.name if lang == "en" else unit_word(value.name, lang, 1)
    if isinstance(value, FieldName):
        label = labels(value.name) if labels is not None else None
        return label or value.name
    return str(value)


def either(units: Sequence[str]) -> Any:
    """``kg or tonne``: units joined by the language's ``or``."""
    shown: Any = Unit(units[0])
    for name in units[1:]:
        shown = say("or", first=shown, last=Unit(name))
    return shown

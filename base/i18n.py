"""Crew-facing texts in French and English, and numbers and dates the way each language writes them.

Texts live in gettext catalogues, one per feature, under ``config/locales/<lang>/LC_MESSAGES/``;
the message id is a dotted key (``telegram.prompt.mileage``) and the text uses ``{name}`` fields.
French is the default language; a text missing in one language falls back to the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from importlib import resources

from babel.dates import format_date as _format_date
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every message of one language, from all the feature catalogues."""
    messages: dict[str, str] = {}
    folder = resources.files("config").joinpath("locales", lang, "LC_MESSAGES")
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".po"):
            continue
        with entry.open("rb") as f:
            for message in read_po(f, locale=lang):
                if message.id and message.string:
                    messages[str(message.id)] = str(message.string)
    return messages


def normalise_language(lang: str | None) -> str:
    lang = (lang or DEFAULT_LANGUAGE).lower()[:2]
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(lang: str | None, key: str, **params: object) -> str:
    """The text ``key`` in ``lang`` with its fields filled in."""
    lang = normalise_language(lang)
    text = catalogue(lang).get(key)
    if text is None:
        other = next(lg for lg in LANGUAGES if lg != lang)
        text = catalogue(other).get(key)
    if text is None:
        raise KeyError(f"no message {key!r} in any language")
    return text.format(**params) if params else text


def has(key: str) -> bool:
    return any(key in catalogue(lang) for lang in LANGUAGES)


def all_messages() -> Iterator[tuple[str, str, str]]:
    """(language, key, text) for every message: what the readability check reads."""
    for lang in LANGUAGES:
        for key, text in sorted(catalogue(lang).items()):
            yield lang, key, text


def number(value: Decimal | int | float, lang: str | None, max_decimals: int = 1) -> str:
    """``45230`` -> ``45 230`` in French, ``45,230`` in English."""
    fmt = "#,##0" + ("." + "#" * max_decimals if max_decimals else "")
    return format_decimal(value, format=fmt, locale=normalise_language(lang))


def typed_number(value: Decimal, lang: str | None, max_decimals: int = 1) -> str:
    """A number as a member would type it in an answer: ``12 120`` and ``12,5`` in French; ``12120`` and
    ``12.5`` in English, without grouping, since ``12,120`` could be read two ways."""
    if normalise_language(lang) == "fr":
        return number(value, "fr", max_decimals)
    fmt = "0" + ("." + "#" * max_decimals if max_decimals else "")
    return format_decimal(value, format=fmt, locale="en")


def day(value: dt.date, lang: str | None) -> str:
    """``lundi 1 mars`` / ``Monday 1 March``."""
    return _format_date(value, format="EEEE d MMMM", locale=normalise_language(lang))

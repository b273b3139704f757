"""Crew-facing texts in French and English, and numbers and dates the way each language writes them.

Texts live in gettext catalogues, one per feature, under ``config/locales/<lang>/LC_MESSAGES/``;
the message id is a dotted key (``telegram.prompt.mileage``) and the text uses ``{name}`` fields.
French is the default language; a text missing in one language falls back to the other.
A text that shows a count has gettext plural forms (``msgid "key"`` / ``msgid_plural "key.plural"``):
:func:`translations` compiles a catalogue, with Babel, into a standard ``gettext`` translation whose
``ngettext`` picks the form by the language's plural rule; :func:`plural_count` turns a decimal
count into the whole number that rule reads, by Babel's CLDR rule (``1,5 litre`` but ``1.5 litres``).
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from babel import Locale
from babel.dates import format_date as _format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern, parse_pattern

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"


def _folder(lang: str) -> Traversable:
    return resources.files("config").joinpath("locales", lang, "LC_MESSAGES")


def file_messages(entry: Traversable, lang: str) -> dict[str, str]:
    """One catalogue file's texts by message id; a message with plural forms appears under both its
    ids: ``key`` gives the singular form, ``key.plural`` (its ``msgid_plural``) the plural one.
    An untranslated message is kept, with an empty text."""
    messages: dict[str, str] = {}
    with entry.open("rb") as f:
        for message in read_po(f, locale=lang):
            if not message.id:
                continue
            if isinstance(message.id, tuple):
                forms = tuple(str(s) for s in message.string) if message.string else ("",)
                messages[str(message.id[0])] = forms[0]
                messages[str(message.id[1])] = forms[-1]
            else:
                messages[str(message.id)] = str(message.string)
    return messages


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every message of one language, from all the feature catalogues."""
    messages: dict[str, str] = {}
    for entry in sorted(_folder(lang).iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".po"):
            messages.update({k: v for k, v in file_messages(entry, lang).items() if v})
    return messages


def domain_messages(lang: str, domain: str) -> dict[str, str]:
    """The messages of one feature catalogue (``<domain>.po``) of one language."""
    return file_messages(_folder(lang).joinpath(f"{domain}.po"), lang)


def translations(lang: str, domain: str) -> gettext.GNUTranslations:
    """The catalogue ``<domain>.po`` of one language as a new standard gettext translation.

    Compiled in memory by Babel (no ``.mo`` file to keep in step); the plural rule comes from the
    catalogue's ``Plural-Forms`` header, or Babel's rule for the language when it has none."""
    with _folder(lang).joinpath(f"{domain}.po").open("rb") as f:
        catalog = read_po(f, locale=lang, domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


class _Missing(gettext.NullTranslations):
    """The end of a strict fallback chain: an unknown key is a bug, not a text to show."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def gettext(self, message: str) -> str:
        raise KeyError(f"no {self.what} {message!r}")

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        raise KeyError(f"no {self.what} {msgid1!r}")


@cache
def strict_translations(lang: str, domain: str, what: str) -> gettext.GNUTranslations:
    """``lang``'s catalogue ``domain``, falling back to the other language, then to a ``KeyError``
    naming ``what`` was looked for (``"dashboard text"``)."""
    other = translations(next(lg for lg in LANGUAGES if lg != lang), domain)
    other.add_fallback(_Missing(what))
    chain = translations(lang, domain)
    chain.add_fallback(other)
    return chain


def plural_count(value: Decimal | int | float, lang: str | None) -> int:
    """The whole number gettext's plural rule should read for ``value``.

    Whole values go as they are. For a decimal, Babel's CLDR rule decides: French says ``1,5 litre``
    (one), English ``1.5 litres`` (other), which the gettext rules (written for integers) cannot."""
    if value == int(value):
        return int(value)
    category = _locale(normalise_language(lang)).plural_form(value)
    return 1 if category == "one" else 2


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


#: Catalogues read by coordinators at a desk, not messages to the crew in a chat: the dashboard's
#: screen labels, and the production file's messages (their English is the CLI's, quoted by scripts
#: and kept as it is). The crew texts' easy-to-read check leaves them out; the production file's
#: French is held to short sentences by ``tests/production_file/test_production_file_wording.py``.
NOT_CREW_FACING = frozenset({"dashboard", "production_file"})


def crew_messages() -> Iterator[tuple[str, str, str]]:
    """(language, key, text) for every crew-facing message: every catalogue but :data:`NOT_CREW_FACING`."""
    for lang in LANGUAGES:
        for entry in sorted(_folder(lang).iterdir(), key=lambda p: p.name):
            if entry.name.endswith(".po") and entry.name.removesuffix(".po") not in NOT_CREW_FACING:
                for key, text in sorted(file_messages(entry, lang).items()):
                    if text:
                        yield lang, key, text


def all_messages() -> Iterator[tuple[str, str, str]]:
    """(language, key, text) for every message: what the readability check reads."""
    for lang in LANGUAGES:
        for key, text in sorted(catalogue(lang).items()):
            yield lang, key, text


@cache
def _locale(lang: str) -> Locale:
    """Babel's data for one of :data:`LANGUAGES`, read once (it never changes while the process runs)."""
    return Locale.parse(lang)


@cache
def _number_pattern(grouped: bool, max_decimals: int) -> NumberPattern:
    """``#,##0.#`` (or ``0.#`` ungrouped) with ``max_decimals`` optional decimals, parsed once.

    What ``babel.numbers.format_decimal`` does at every call (read the locale, parse the pattern) cost
    more than writing the number: a confirmation writes one or two."""
    return parse_pattern(("#,##0" if grouped else "0") + ("." + "#" * max_decimals if max_decimals else ""))


def number(value: Decimal | int | float, lang: str | None, max_decimals: int = 1) -> str:
    """``45230`` -> ``45 230`` in French, ``45,230`` in English."""
    written: str = _number_pattern(True, max_decimals).apply(value, _locale(normalise_language(lang)))
    return written


def typed_number(value: Decimal, lang: str | None, max_decimals: int = 1) -> str:
    """A number as a member would type it in an answer: ``12 120`` and ``12,5`` in French; ``12120`` and
    ``12.5`` in English, without grouping, since ``12,120`` could be read two ways."""
    if normalise_language(lang) == "fr":
        return number(value, "fr", max_decimals)
    written: str = _number_pattern(False, max_decimals).apply(value, _locale("en"))
    return written


def day(value: dt.date, lang: str | None) -> str:
    """``lundi 1 mars`` / ``Monday 1 March``."""
    return _format_date(value, format="EEEE d MMMM", locale=_locale(normalise_language(lang)))

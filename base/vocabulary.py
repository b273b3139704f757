"""The words that go with figures, in French and English, and one precision per unit.

Units (with their plural forms: ``1 litre``, ``38,75 litres``, ``70 repas``), categories, meal types
and waste streams, the names of a report's values, the plan's indicators and the few words exports
write (``mesuré``, ``oui``). They live in the gettext catalogue ``vocabulary.po`` beside the other
catalogues, and every screen and file that shows a quantity reads them here, so a litre is written
the same way, to the same precision, on every page and in every export.

A meal type, waste stream or indicator a production declares that the catalogue does not know is
shown as declared (``compost_bin`` -> ``compost bin``): it is the production's own word.
"""

from __future__ import annotations

import gettext
from decimal import Decimal
from functools import cache

from base.i18n import normalise_language, number, plural_count, translations

DOMAIN = "vocabulary"

#: Decimals shown for a quantity in each unit, everywhere (trailing zeros are not written).
PRECISION: dict[str, int] = {
    "km": 1, "vehicle-km": 1, "passenger-km": 1,
    "litre": 2, "L": 2,
    "meal": 0, "meals": 0, "room-night": 0, "night": 0, "item": 0, "day": 1,
    "tonne-km": 1, "eur": 0, "TB-month": 1,
    "kg": 1, "kWh": 1, "m3": 2, "hours": 1,
    "tonne": 3, "tCO2e": 3, "kgCO2e": 3,
    "share": 1,  # a share, shown as a percentage
}
DEFAULT_PRECISION = 2


@cache
def _catalogue(lang: str) -> gettext.GNUTranslations:
    return translations(lang, DOMAIN)


def _word(key: str, lang: str | None, n: Decimal | int | float | None = None) -> str | None:
    lang = normalise_language(lang)
    msgid = f"{DOMAIN}.{key}"
    if n is None:
        text = _catalogue(lang).gettext(msgid)
    else:
        text = _catalogue(lang).ngettext(msgid, f"{msgid}.plural", plural_count(n, lang))
    return None if text.startswith(f"{DOMAIN}.") else text


def precision(unit: str) -> int:
    return PRECISION.get(unit, DEFAULT_PRECISION)


def unit(name: str, lang: str | None, n: Decimal | int | float | None = None) -> str:
    """``litre`` -> ``litres`` for 38.75; ``meal`` -> ``repas``; an unknown unit as it is."""
    return _word(f"unit.{name}", lang, 2 if n is None else n) or name


def amount(value: Decimal | int | float, unit_name: str, lang: str | None) -> str:
    """The number only, to the unit's precision: ``1 304,22`` for litres."""
    if unit_name == "share":
        return number(Decimal(str(value)) * 100, lang, precision("share"))
    return number(value, lang, precision(unit_name))


def quantity(value: Decimal | int | float, unit_name: str, lang: str | None) -> str:
    """``38,75 litres``, ``70 repas``, ``1 vehicle-km``, ``24,9 %`` (a share)."""
    if unit_name == "share":
        return f"{amount(value, unit_name, lang)} %"
    shown = Decimal(amount(value, unit_name, "en").replace(",", ""))  # the number as written, for the plural
    return f"{amount(value, unit_name, lang)} {unit(unit_name, lang, shown)}"


def category(name: str, lang: str | None) -> str:
    return _word(f"category.{name}", lang) or name


def item(key: str, lang: str | None) -> str:
    """A meal type or waste stream: ``beef`` -> ``bœuf``."""
    return _word(f"item.{key}", lang) or key.replace("_", " ")


def value_name(key: str, lang: str | None) -> str:
    """What a report's value is: ``odometer`` -> ``compteur``; a meal type or stream -> :func:`item`."""
    return _word(f"value.{key}", lang) or item(key, lang)


def indicator(key: str, lang: str | None) -> str:
    return _word(f"indicator.{key}", lang) or key.replace("_", " ")


def method(estimated: bool, lang: str | None) -> str:
    return _word("method.estimated" if estimated else "method.measured", lang) or ""


def yes_no(value: bool, lang: str | None) -> str:
    return _word("yes" if value else "no", lang) or str(value)

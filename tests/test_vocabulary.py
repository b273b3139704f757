"""The words that go with figures (base.vocabulary): French in French, plural forms by each language's
rule, one precision per unit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from base import vocabulary as v
from domain.indicators import INDICATORS
from domain.model import Category


@pytest.mark.parametrize(
    ("value", "unit", "lang", "expected"),
    [
        (Decimal("38.75"), "litre", "fr", "38,75 litres"),
        (Decimal("38.75"), "litre", "en", "38.75 litres"),
        (Decimal("1"), "litre", "fr", "1 litre"),
        (Decimal("1.5"), "litre", "fr", "1,5 litre"),  # French: one below 2
        (Decimal("1.5"), "litre", "en", "1.5 litres"),
        (70, "meal", "fr", "70 repas"),
        (1, "meal", "en", "1 meal"),
        (70, "meal", "en", "70 meals"),
        (Decimal("12.5"), "vehicle-km", "fr", "12,5 véhicules-km"),
        (Decimal("0.249"), "share", "fr", "24,9 %"),
        (Decimal("2543.229"), "L", "fr", "2\u202f543,23 L"),
        (Decimal("1304.22"), "L", "fr", "1\u202f304,22 L"),
    ],
)
def test_a_quantity_reads_in_the_language(value: Decimal, unit: str, lang: str, expected: str) -> None:
    assert v.quantity(value, unit, lang) == expected


def test_the_plural_follows_the_number_as_written_not_as_stored() -> None:
    """1.004 litres is written ``1 litre``: the word agrees with what the reader sees."""
    assert v.quantity(Decimal("1.004"), "litre", "en") == "1 litre"


def test_one_precision_per_unit() -> None:
    assert v.amount(Decimal("2543.229"), "litre", "fr") == v.amount(Decimal("2543.229"), "L", "fr") == "2\u202f543,23"
    assert v.amount(Decimal("4069.66"), "km", "en") == "4,069.7"
    assert v.amount(Decimal("70.4"), "meal", "en") == "70"
    assert v.precision("unknown-unit") == v.DEFAULT_PRECISION


def test_every_indicator_and_category_has_words_in_both_languages() -> None:
    for key in INDICATORS:
        fr, en = v.indicator(key, "fr"), v.indicator(key, "en")
        assert fr != en or key.startswith("tco2e"), key  # translated, not the key
        assert "_" not in fr and "_" not in en, key
    assert [v.category(c.value, "fr") for c in Category] == ["Transport", "Énergie", "Restauration", "Déchets",
                                                              "Hébergement", "Achats", "Post-production"]


def test_meal_types_and_waste_streams_are_translated_or_shown_as_declared() -> None:
    assert v.item("beef", "fr") == "bœuf" and v.item("chicken", "fr") == "poulet"
    assert v.item("cardboard", "fr") == "carton" and v.item("cardboard", "en") == "cardboard"
    assert v.item("compost_bin", "fr") == "compost bin"  # the production's own word
    assert v.unit("parsec", "fr") == "parsec"


def test_export_words() -> None:
    assert (v.yes_no(True, "fr"), v.yes_no(False, "fr"), v.yes_no(True, "en")) == ("oui", "non", "yes")
    assert (v.method(False, "fr"), v.method(True, "fr"), v.method(True, "en")) == ("mesuré", "estimé", "estimated")

"""Numbers in crew texts (``base.i18n.number``, ``typed_number``): written as Babel's ``format_decimal`` writes them."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from babel.numbers import format_decimal

from base.i18n import number, typed_number

VALUES: list[Decimal | int | float] = [
    Decimal(0), Decimal("0.05"), Decimal("0.15"), Decimal("-3.25"), Decimal("45230"), Decimal("45230.449"),
    Decimal("1E+6"), Decimal("0.000001"), 1234567, 12.5, -0.25,
    *(Decimal(random.Random(i).randint(-10**8, 10**8)) / 10 ** (i % 5) for i in range(200)),
]


@pytest.mark.parametrize("decimals", [0, 1, 2, 3])
def test_a_number_is_written_as_babel_writes_it_in_each_language(decimals: int) -> None:
    grouped = "#,##0" + ("." + "#" * decimals if decimals else "")
    plain = "0" + ("." + "#" * decimals if decimals else "")
    for value in VALUES:
        assert number(value, "fr", decimals) == format_decimal(value, format=grouped, locale="fr")
        assert number(value, "en", decimals) == format_decimal(value, format=grouped, locale="en")
        assert number(value, None, decimals) == number(value, "fr", decimals)  # French by default
        if isinstance(value, Decimal):
            assert typed_number(value, "fr", decimals) == format_decimal(value, format=grouped, locale="fr")
            assert typed_number(value, "en", decimals) == format_decimal(value, format=plain, locale="en")


def test_the_languages_group_and_mark_decimals_their_own_way() -> None:
    assert number(Decimal("45230.5"), "fr").replace("\u202f", " ").replace("\u00a0", " ") == "45 230,5"
    assert number(Decimal("45230.5"), "en") == "45,230.5"
    assert typed_number(Decimal("12120.5"), "en") == "12120.5"
    assert number(Decimal("2.345"), "en", 2) == "2.34"  # half to even, as Babel rounds

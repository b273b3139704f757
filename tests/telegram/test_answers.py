"""Reading typed answers (domain.answers, domain.parsing): numbers either way, one-line meals and waste, dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.answers import (
    parse_answer,
    parse_day,
    parse_generator,
    parse_meals,
    parse_mileage,
    parse_waste,
)
from domain.errors import AmbiguousNumber, InvalidReport, NotANumber
from domain.model import Assignment, Frequency, GeneratorMode, MileageMode, ReportKind
from domain.parsing import parse_number, parse_quantity

MEALS = ["vegetarian", "vegan", "chicken", "beef", "fish"]
STREAMS = ["residual", "biowaste", "cardboard", "plastic"]


@pytest.mark.parametrize(("text", "value"), [
    ("45 230", D(45230)),
    ("45\u202f230", D(45230)),  # narrow no-break space, as phones type it in French
    ("45\u00a0230", D(45230)),
    ("45230", D(45230)),
    ("12,5", D("12.5")),
    ("12.5", D("12.5")),
    ("1,234.5", D("1234.5")),
    ("1.234,5", D("1234.5")),
    ("1 234,5", D("1234.5")),
    ("1,234,567", D(1234567)),
    ("1.234.567", D(1234567)),
    ("0,500", D("0.5")),
    ("1234,567", D("1234.567")),
    ("+220", D(220)),
    ("0", D(0)),
])
def test_numbers_typed_the_french_or_the_english_way(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["45.230", "45,230", "1.500", "999,999"])
def test_a_number_that_could_mean_two_things_is_asked_back(text):
    with pytest.raises(AmbiguousNumber) as caught:
        parse_number(text)
    as_thousands, as_decimal = caught.value.params["choices"]
    assert as_thousands == D(text.replace(".", "").replace(",", ""))
    assert as_decimal == D(text.replace(",", "."))


@pytest.mark.parametrize("text", ["abc", "", "45 23", "12,,5", "1.2.3", "4 5 6 7", "km", "1,23,456", ".5"])
def test_not_a_number(text):
    with pytest.raises(NotANumber):
        parse_number(text)


def test_negative_figures_are_refused_with_their_own_reason():
    with pytest.raises(InvalidReport) as caught:
        parse_number("-12")
    assert caught.value.params["reason"] == "negative"


@pytest.mark.parametrize(("text", "expected"), [
    ("45230 km", (D(45230), "km", False)),
    ("45 230 km", (D(45230), "km", False)),
    ("6h30", (D("6.5"), "h", False)),
    ("6 h", (D(6), "h", False)),
    ("80 L", (D(80), "l", False)),
    ("80 litres", (D(80), "l", False)),
    ("12,5 kg", (D("12.5"), "kg", False)),
    ("+220 km", (D(220), "km", True)),
])
def test_units(text, expected):
    assert parse_quantity(text) == expected


def test_mileage_reading_or_distance():
    assert parse_mileage("45 230", MileageMode.ODOMETER).values == {"odometer": D(45230)}
    assert parse_mileage("+220", MileageMode.ODOMETER).values == {"km": D(220)}
    assert parse_mileage("220", MileageMode.DISTANCE).values == {"km": D(220)}
    with pytest.raises(InvalidReport) as caught:
        parse_mileage("80 l", MileageMode.ODOMETER)
    assert caught.value.params["reason"] == "wrong_unit"


def test_generator_hours_meter_or_litres():
    assert parse_generator("6", None) == parse_generator("6 h", GeneratorMode.HOURS)
    assert parse_generator("6h30", None).values == {"hours": D("6.5")}
    assert parse_generator("1520,5", GeneratorMode.METER).values == {"meter": D("1520.5")}
    assert parse_generator("compteur 1520,5", None).values == {"meter": D("1520.5")}
    litres = parse_generator("80 l", GeneratorMode.HOURS)
    assert (litres.kind, litres.values) == (ReportKind.GENERATOR_LITRES, {"litres": D(80)})


@pytest.mark.parametrize(("text", "values"), [
    ("végé 30 poulet 40 boeuf 10", {"vegetarian": 30, "chicken": 40, "beef": 10}),
    ("30 veg, 40 chicken", {"vegetarian": 30, "chicken": 40}),
    ("veg: 30, chicken: 40", {"vegetarian": 30, "chicken": 40}),
    ("30 repas végétariens et 12 bœuf", {"vegetarian": 30, "beef": 12}),
    ("Végétalien 5 Poisson 7", {"vegan": 5, "fish": 7}),
    ("vegan 5, végétarien 25", {"vegan": 5, "vegetarian": 25}),
])
def test_meals_in_one_line_in_either_language(text, values):
    assert parse_meals(text, MEALS).values == {k: D(v) for k, v in values.items()}


def test_meal_synonyms_map_onto_the_productions_own_types():
    french_types = ["vegetarien", "poulet"]
    assert parse_meals("30 veg, 40 chicken", french_types).values == {"vegetarien": D(30), "poulet": D(40)}


@pytest.mark.parametrize(("text", "reason"), [
    ("30", "no_item"),
    ("végé 30 40", "no_item"),
    ("pizza 3", "unknown_item"),
    ("végé 30 veg 20", "twice"),
    ("végé 30,5", "not_whole"),
    ("végé -3", "negative"),
])
def test_meal_refusals(text, reason):
    with pytest.raises(InvalidReport) as caught:
        parse_meals(text, MEALS)
    assert caught.value.params["reason"] == reason


def test_a_single_meal_type_takes_a_bare_number():
    assert parse_meals("45", ["standard"]).values == {"standard": D(45)}


def test_waste_in_one_line():
    assert parse_waste("résiduel 12,5 carton 4 kg", STREAMS).values == {"residual": D("12.5"), "cardboard": D(4)}
    assert parse_waste("12.5 kg residual, 3 plastic, 2 compost", STREAMS).values == {
        "residual": D("12.5"), "plastic": D(3), "biowaste": D(2)}
    with pytest.raises(AmbiguousNumber):
        parse_waste("carton 1.250", STREAMS)


def test_parse_answer_follows_the_assignment():
    mileage = Assignment("amina", ReportKind.MILEAGE, Frequency.DAILY, dt.time(19, 30), vehicle="mb1",
                         mode=MileageMode.ODOMETER)
    assert parse_answer("45230 km", mileage).values == {"odometer": D(45230)}
    meals = Assignment("paul", ReportKind.MEALS, Frequency.DAILY, dt.time(15))
    assert parse_answer("30 veg", meals, MEALS).values == {"vegetarian": D(30)}
    with pytest.raises(NotANumber):
        parse_answer("   ", mileage)


@pytest.mark.parametrize(("text", "day"), [
    ("15/03", dt.date(2027, 3, 15)),
    ("15/03/2027", dt.date(2027, 3, 15)),
    ("2027-03-15", dt.date(2027, 3, 15)),
    ("15 mars", dt.date(2027, 3, 15)),
    ("jusqu'au 2 avril", dt.date(2027, 4, 2)),
    ("until March 15", dt.date(2027, 3, 15)),
    ("1er avril", dt.date(2027, 4, 1)),
    ("01/02", dt.date(2028, 2, 1)),  # already past this year: next year
    ("until friday", dt.date(2027, 3, 5)),
    ("jusqu'à vendredi", dt.date(2027, 3, 5)),
    ("mercredi", dt.date(2027, 3, 3)),  # today included
    ("2027-03-10.", dt.date(2027, 3, 10)),
    ("until 10th March", dt.date(2027, 3, 10)),
    ("March 10, 2027", dt.date(2027, 3, 10)),
    ("10.03.2027", dt.date(2027, 3, 10)),
])
def test_pause_dates(text, day):
    assert parse_day(text, dt.date(2027, 3, 3)) == day


@pytest.mark.parametrize("text", ["32/01", "demain peut-être", "15 brumaire"])
def test_pause_dates_refused(text):
    with pytest.raises(InvalidReport):
        parse_day(text, dt.date(2027, 3, 3))


# -- properties ------------------------------------------------------------------------------------

integers = st.integers(min_value=0, max_value=10**11)


def _grouped(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


@given(integers, st.sampled_from([" ", "\u202f", "\u00a0"]))
def test_any_integer_with_french_spaces_reads_back(n, sep):
    assert parse_number(_grouped(n, sep)) == n


@given(integers, st.integers(min_value=0, max_value=99))
def test_french_and_english_decimals_agree(n, cents):
    french = f"{_grouped(n, ' ')},{cents:02d}"
    english = f"{n:,}.{cents:02d}"
    assert parse_number(french) == parse_number(english) == D(n) + D(cents) / 100


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=999),
       st.sampled_from([".", ","]))
def test_three_digits_after_one_separator_are_never_guessed(whole, frac, sep):
    with pytest.raises(AmbiguousNumber):
        parse_number(f"{whole}{sep}{frac:03d}")


@given(st.text(max_size=20))
def test_any_text_gives_a_number_or_a_domain_refusal(text):
    try:
        value = parse_number(text)
    except InvalidReport:  # NotANumber and AmbiguousNumber are InvalidReport too
        return
    assert value >= 0


@given(st.dictionaries(st.sampled_from(MEALS), st.integers(min_value=0, max_value=500), min_size=1),
       st.booleans())
def test_any_meal_line_reads_back(counts, number_first):
    words = {"vegetarian": "végé", "vegan": "vegan", "chicken": "poulet", "beef": "bœuf", "fish": "poisson"}
    parts = [f"{n} {words[k]}" if number_first else f"{words[k]} {n}" for k, n in counts.items()]
    assert parse_meals(", ".join(parts), MEALS).values == {k: D(n) for k, n in counts.items()}


def test_numbers_too_long_to_be_a_figure_are_refused_not_rounded():
    with pytest.raises(NotANumber) as caught:
        parse_number("1234567890123456789012345678901")
    assert caught.value.params["reason"] == "too_long"
    with pytest.raises(NotANumber):
        parse_number("9223372036855")  # more than the store keeps exactly
    with pytest.raises(NotANumber):
        parse_number("1,1234567")
    assert parse_number("999 999 999 999,5") == D("999999999999.5")

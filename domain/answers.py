"""Typed answers from the crew, read into figures: pure functions, standard library only.

Numbers, quantities and items are read by :mod:`domain.parsing` (the French or the English way;
an ambiguous form is asked back, never guessed); the whole footprint's kinds by
:mod:`domain.footprint_answers`. Every refusal is a domain error with a ``reason`` the chat layer turns into a
short message in the member's language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal

from domain.errors import InvalidReport, NotANumber
from domain.footprint_answers import parse_footprint
from domain.model import Assignment, GeneratorMode, MileageMode, ReportKind
from domain.parsing import Answer, fold, parse_items, parse_quantity, tidy, wrong_unit
from domain.parsing import parse_number as parse_number  # still read from here by the production-file reader

#: Words that name a meal type, by the production's usual meal type ids.
MEAL_SYNONYMS: dict[str, frozenset[str]] = {
    "vegetarian": frozenset({"vegetarian", "vegetarians", "veggie", "veg", "vege", "vegetarien",
                             "vegetarienne", "vegetariens", "vegetariennes", "vg"}),
    "vegan": frozenset({"vegan", "vegans", "vegane", "veganes", "vegetalien", "vegetalienne",
                        "vegetaliens", "vegetaliennes"}),
    "chicken": frozenset({"chicken", "poulet", "poulets", "volaille", "volailles"}),
    "beef": frozenset({"beef", "boeuf", "boeufs"}),
    "fish": frozenset({"fish", "poisson", "poissons"}),
    "pork": frozenset({"pork", "porc"}),
}

#: Words that name a waste stream, by the production's usual stream ids.
WASTE_SYNONYMS: dict[str, frozenset[str]] = {
    "residual": frozenset({"residual", "residuel", "residuels", "ordures", "omr", "general",
                           "tout-venant", "toutvenant"}),
    "biowaste": frozenset({"biowaste", "biodechets", "biodechet", "compost", "organic", "organique",
                           "organiques", "food"}),
    "cardboard": frozenset({"cardboard", "carton", "cartons", "paper", "papier"}),
    "plastic": frozenset({"plastic", "plastics", "plastique", "plastiques"}),
    "glass": frozenset({"glass", "verre"}),
}

#: Month names for ``/pause until 15 mars``.
MONTHS: dict[str, int] = {
    **{m: i for i, m in enumerate(["janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet",
                                   "aout", "septembre", "octobre", "novembre", "decembre"], 1)},
    **{m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july",
                                   "august", "september", "october", "november", "december"], 1)},
    **{m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                   "oct", "nov", "dec"], 1)},
    "fev": 2, "avr": 4, "juil": 7, "sept": 9, "dec": 12,
}


#: Weekday names for ``/pause until friday``, 0 = Monday.
WEEKDAY_NAMES: dict[str, int] = {
    **{d: i for i, d in enumerate(["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"])},
    **{d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                   "sunday"])},
}


#: The readings shown as examples when a vehicle or generator declares no start reading.
EXAMPLE_ODOMETER = Decimal(45230)
EXAMPLE_HOUR_METER = Decimal("1520.5")


def example_reading(start: Decimal | None, default: Decimal, step: Decimal) -> Decimal:
    """A plausible next reading for a meter that started at ``start``: an example on the member's own scale.

    ``12 000`` gives ``12 120`` (odometer, step 120), not a number from another vehicle's dashboard.
    """
    if start is None:
        return default
    return tidy(start + step)


def parse_mileage(text: str, mode: MileageMode | None) -> Answer:
    """An odometer reading (``45 230``, ``45230 km``), or a distance (``+220``, or in distance mode)."""
    value, unit, plus = parse_quantity(text)
    if unit not in (None, "km"):
        raise wrong_unit(text, unit, "km")
    item = "km" if plus or mode is MileageMode.DISTANCE else "odometer"
    return Answer(ReportKind.MILEAGE, {item: value})


def parse_generator(text: str, mode: GeneratorMode | None) -> Answer:
    """Hours run (``6``, ``6 h``, ``6h30``), an hour-meter reading (meter mode), or litres (``80 l``)."""
    folded = fold(text).strip()
    meter_word = re.match(r"^(compteur|meter|horametre|index)\s*:?\s*", folded)
    if meter_word:
        text, mode = folded[meter_word.end():], GeneratorMode.METER
    value, unit, plus = parse_quantity(text)
    if unit == "l":
        return Answer(ReportKind.GENERATOR_LITRES, {"litres": value})
    if unit not in (None, "h"):
        raise wrong_unit(text, unit, "h")
    item = "meter" if mode is GeneratorMode.METER and not plus else "hours"
    return Answer(ReportKind.GENERATOR_HOURS, {item: value})


def parse_meals(text: str, meal_types: Iterable[str]) -> Answer:
    return Answer(ReportKind.MEALS, parse_items(text, meal_types, MEAL_SYNONYMS, whole=True))


def parse_waste(text: str, streams: Iterable[str]) -> Answer:
    return Answer(ReportKind.WASTE, parse_items(text, streams, WASTE_SYNONYMS, whole=False))


def parse_answer(
    text: str, assignment: Assignment, meal_types: Iterable[str] = (), waste_streams: Iterable[str] = ()
) -> Answer:
    """Read an answer to a prompt of ``assignment``."""
    if not text.strip():
        raise NotANumber("empty answer", text="")
    kind = assignment.report
    if kind is ReportKind.MILEAGE:
        mileage_mode = assignment.mode if isinstance(assignment.mode, MileageMode) else None
        return parse_mileage(text, mileage_mode)
    if kind in (ReportKind.GENERATOR_HOURS, ReportKind.GENERATOR_LITRES):
        if kind is ReportKind.GENERATOR_LITRES:
            value, unit, _ = parse_quantity(text)
            if unit not in (None, "l"):
                raise wrong_unit(text, unit, "l")
            return Answer(ReportKind.GENERATOR_LITRES, {"litres": value})
        generator_mode = assignment.mode if isinstance(assignment.mode, GeneratorMode) else None
        return parse_generator(text, generator_mode)
    if kind is ReportKind.MEALS:
        return parse_meals(text, meal_types)
    if kind is ReportKind.WASTE:
        return parse_waste(text, waste_streams)
    return parse_footprint(text, assignment)


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?$")
_WORDS = re.compile(
    r"^(?:(\d{1,2})(?:er|st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)|([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?)"
    r"\.?(?:,?\s+(\d{4}))?$"
)
_UNTIL = re.compile(r"^(?:until|till|to|jusqu'?\s*au|jusqu'?\s*a|jusqu'?\s*le|jusqu'au|au|le)\s+")


def parse_day(text: str, today: dt.date) -> dt.date:
    """A day typed for ``/pause until``: ``15/03``, ``15/03/2027``, ``2027-03-15``, ``15 mars``, ``March 15``.

    Without a year, the next such day from ``today`` on.
    """
    s = _UNTIL.sub("", fold(text).strip().replace("\u2019", "'")).rstrip(" .!")
    if s in WEEKDAY_NAMES:  # "until friday": the next such day, today included
        return today + dt.timedelta(days=(WEEKDAY_NAMES[s] - today.weekday()) % 7)
    day, month, year = _day_month_year(s, text)
    try:
        if year is not None:
            return dt.date(year, month, day)
        candidate = dt.date(today.year, month, day)
        return candidate if candidate >= today else dt.date(today.year + 1, month, day)
    except ValueError:
        raise InvalidReport(f"{text!r} is not a date", reason="not_a_date", text=text.strip()) from None


def _day_month_year(s: str, text: str) -> tuple[int, int, int | None]:
    """Day, month and year (``None`` when not typed) of a folded date in one of the accepted forms."""
    if m := _ISO.match(s):
        return int(m.group(3)), int(m.group(2)), int(m.group(1))
    if m := _NUMERIC.match(s):
        year = int(m.group(3)) if m.group(3) else None
        if year is not None and year < 100:
            year += 2000
        return int(m.group(1)), int(m.group(2)), year
    if (m := _WORDS.match(s)) and (m.group(2) or m.group(3)) in MONTHS:
        year = int(m.group(5)) if m.group(5) else None
        return int(m.group(1) or m.group(4)), MONTHS[m.group(2) or m.group(3)], year
    raise InvalidReport(f"{text!r} is not a date", reason="not_a_date", text=text.strip())

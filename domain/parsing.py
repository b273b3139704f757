"""Reading typed text into figures: numbers, quantities with their unit, and items with a figure each.

Pure functions, standard library only, shared by :mod:`domain.answers` (odometers, generators,
meals, waste, dates) and :mod:`domain.footprint_answers` (the whole footprint's kinds).

Crews type numbers the French way (``45 230``, ``12,5``) or the English way (``45,230``, ``12.5``).
A form that could mean two different numbers (``45.230``: forty-five thousand, or forty-five point
two three?) is never guessed: :class:`~domain.errors.AmbiguousNumber` carries both readings so the
bot can ask back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from domain.errors import AmbiguousNumber, InvalidReport, NotANumber
from domain.model import ReportKind

#: Spaces people (and phones) put between groups of three digits, and the Swiss apostrophe.
GROUP_SPACES = " \u00a0\u202f\u2009'’"

#: The ways a unit may be typed, to the unit they stand for.
UNITS: dict[str, str] = {
    "km": "km", "kms": "km", "kilometre": "km", "kilometres": "km", "kilometer": "km",
    "kilometers": "km",
    "h": "h", "hr": "h", "hrs": "h", "heure": "h", "heures": "h", "hour": "h", "hours": "h",
    "l": "l", "litre": "l", "litres": "l", "liter": "l", "liters": "l", "lt": "l",
    "kg": "kg", "kgs": "kg", "kilo": "kg", "kilos": "kg",
}

#: Words that may sit in a one-line answer without meaning anything ("30 repas végé et 40 poulet").
FILLER = frozenset({
    "repas", "meal", "meals", "et", "and", "de", "des", "du", "d", "x", "plats", "plat", "portions",
    "portion", "kg", "kgs", "kilo", "kilos", "of", "the", "le", "la", "les", "menus", "menu", "dishes",
})


@dataclass(frozen=True)
class Answer:
    """What a typed answer says: the report kind (a generator answer may be litres), its values, and
    the subject the answer chose when the report's subject is a choice (a travel mode, a lodging)."""

    kind: ReportKind
    values: Mapping[str, Decimal] = field(default_factory=dict)
    subject: str | None = None


def fold(text: str) -> str:
    """Lower case without accents: ``Végé Bœuf`` -> ``vege boeuf``."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


#: Longer numbers are refused rather than rounded (Decimal keeps 28 digits; no figure needs 16).
MAX_DIGITS = 15
#: No figure reaches a thousand billion, or needs more than six decimals (what the store keeps exactly).
MAX_VALUE = Decimal(10) ** 12
MAX_DECIMALS = 6


def _decimal(digits: str) -> Decimal:
    if sum(c.isdigit() for c in digits.lstrip("0")) > MAX_DIGITS:
        raise NotANumber(f"{digits[:20]!r}... has too many digits", text=digits[:20], reason="too_long")
    try:
        return Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the patterns only let digits through
        raise NotANumber(f"{digits!r} is not a number", text=digits) from None


def tidy(value: Decimal) -> Decimal:
    """``45230`` rather than ``4.523E+4``; ``12.5`` rather than ``12.50``."""
    value = value.normalize()
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value


_SPACED = re.compile(r"^(\d{1,3})((?:[" + GROUP_SPACES + r"]\d{3})+)(?:([.,])(\d+))?$")


def parse_number(text: str) -> Decimal:
    """A number typed the French or the English way.

    ``45 230`` / ``45230`` / ``45,230.5`` / ``45.230,5`` / ``12,5`` / ``12.5`` are clear;
    ``45.230`` and ``45,230`` are not (a thousands separator or a decimal point?) and raise
    ``AmbiguousNumber`` with both readings in ``choices``.
    """
    raw = text
    s = text.strip().replace("\u2212", "-")
    negative = s.startswith("-")
    if s[:1] in "+-":
        s = s[1:].strip()
    if not s or not s[0].isdigit() or not s[-1].isdigit():
        raise NotANumber(f"{raw!r} is not a number", text=raw)
    spaced = _SPACED.match(s)
    if spaced:
        whole = spaced.group(1) + re.sub("[" + GROUP_SPACES + "]", "", spaced.group(2))
        value = _decimal(whole + ("." + spaced.group(4) if spaced.group(4) else ""))
    elif any(c in GROUP_SPACES for c in s) or not re.fullmatch(r"[\d.,]+", s):
        raise NotANumber(f"{raw!r} is not a number", text=raw)
    else:
        value = _unspaced(s, raw)
    value = tidy(value)
    if value >= MAX_VALUE or -int(value.as_tuple().exponent) > MAX_DECIMALS:
        raise NotANumber(f"{raw[:20]!r} is beyond any figure", text=raw[:20], reason="too_long")
    if negative and value != 0:
        raise InvalidReport(f"{raw!r} is negative", reason="negative", text=raw)
    return value


def _unspaced(s: str, raw: str) -> Decimal:
    dots, commas = s.count("."), s.count(",")
    if not dots and not commas:
        return _decimal(s)
    if dots and commas:
        return _mixed_separators(s, raw)
    return _one_separator(s, raw, "." if dots else ",")


def _mixed_separators(s: str, raw: str) -> Decimal:
    """``1,234.5`` or ``1.234,5``: the last separator is the decimal one, the other groups thousands."""
    decimal_sep = "." if s.rfind(".") > s.rfind(",") else ","
    group_sep = "," if decimal_sep == "." else "."
    if s.count(decimal_sep) != 1:
        raise NotANumber(f"{raw!r} is not a number", text=raw)
    whole, frac = s.split(decimal_sep)
    if not re.fullmatch(r"\d{1,3}(?:" + re.escape(group_sep) + r"\d{3})+", whole) or not frac:
        raise NotANumber(f"{raw!r} is not a number", text=raw)
    return _decimal(whole.replace(group_sep, "") + "." + frac)


def _one_separator(s: str, raw: str, sep: str) -> Decimal:
    """``1.234.567`` groups thousands; ``12,5`` is a decimal; ``1,500`` could be either and is asked."""
    parts = s.split(sep)
    if len(parts) > 2:
        if re.fullmatch(r"\d{1,3}(?:" + re.escape(sep) + r"\d{3})+", s):
            return _decimal(s.replace(sep, ""))
        raise NotANumber(f"{raw!r} is not a number", text=raw)
    whole, frac = parts
    if not whole or not frac:
        raise NotANumber(f"{raw!r} is not a number", text=raw)
    if len(frac) == 3 and len(whole) <= 3 and whole != "0":
        as_group = tidy(_decimal(whole + frac))
        as_decimal = tidy(_decimal(whole + "." + frac))
        raise AmbiguousNumber(
            f"{raw!r} could be {as_group} or {as_decimal}",
            text=raw, choices=(as_group, as_decimal),
        )
    return _decimal(whole + "." + frac)


_QUANTITY = re.compile(
    r"^(?P<sign>[+\-\u2212]?)\s*(?P<num>\d[\d" + GROUP_SPACES + r".,]*?)\s*(?P<unit>[a-z]+)?\s*[.!]?$"
)
_HOURS_MINUTES = re.compile(r"^(?P<h>\d{1,2})\s*h\s*(?P<m>[0-5]\d)\s*(?:min)?$")


def parse_quantity(text: str) -> tuple[Decimal, str | None, bool]:
    """``45 230 km`` -> (45230, "km", False); ``+220`` -> (220, None, True); ``6h30`` -> (6.5, "h", False).

    The last element says whether the number had a leading ``+`` (a distance, not a reading).
    """
    folded = fold(text).strip()
    hm = _HOURS_MINUTES.match(folded)
    if hm:
        return tidy(Decimal(hm.group("h")) + Decimal(hm.group("m")) / 60), "h", False
    m = _QUANTITY.match(folded)
    if not m:
        raise NotANumber(f"{text!r} is not a number", text=text.strip())
    unit = m.group("unit")
    if unit is not None and unit not in UNITS:
        raise NotANumber(f"{text!r} is not a number", text=text.strip())
    value = parse_number(m.group("sign").replace("+", "") + m.group("num"))
    return value, (None if unit is None else UNITS[unit]), m.group("sign") == "+"


def wrong_unit(text: str, unit: str, expected: str) -> InvalidReport:
    """The refusal of a figure given in another unit than the one asked (``12 h`` for km)."""
    return InvalidReport(f"{text!r}: expected {expected}, not {unit}", reason="wrong_unit", unit=unit,
                         expected=expected, text=text.strip())


def item_for_word(word: str, names: Iterable[str], synonyms: Mapping[str, frozenset[str]]) -> str | None:
    """The production's item (meal type or waste stream) a typed word stands for, if any."""
    w = fold(word).strip(" :.-")
    names = list(names)
    for name in names:
        if fold(name) == w:
            return name
    for name in names:
        for group in synonyms.values():
            if fold(name) in group and w in group:
                return name
    for name in names:  # a clear beginning: "végétar", "poiss", "cart"
        if len(w) >= 4 and fold(name).startswith(w):
            return name
    return None


_TOKEN = re.compile(r"(\d+(?:[.,]\d+)*)|([a-z][a-z'\-]*)")


def parse_items(
    text: str, names: Iterable[str], synonyms: Mapping[str, frozenset[str]], *, whole: bool
) -> dict[str, Decimal]:
    """A one-line answer with a figure per item, in either order: ``végé 30 poulet 40``, ``30 veg, 40 chicken``.

    ``whole``: counts (meals) must be whole numbers. A single bare number is accepted only when
    the production has a single item.
    """
    names = list(names)
    folded = fold(text)
    tokens = _item_tokens(folded)
    if not any(kind == "n" for kind, _ in tokens):
        raise NotANumber(f"{text!r} has no number", text=text.strip())
    if re.search(r"(^|\s)[-\u2212]\s*\d", folded):
        raise InvalidReport(f"{text!r} has a negative figure", reason="negative", text=text.strip())
    if all(kind == "n" for kind, _ in tokens):
        if len(tokens) == 1 and len(names) == 1:
            return {names[0]: _count(tokens[0][1], whole)}
        raise InvalidReport(f"{text!r} does not say which item", reason="no_item", text=text.strip())
    return _paired_values(text, tokens, names, synonyms, whole)


def _item_tokens(folded: str) -> list[tuple[str, str]]:
    """The numbers and the meaningful words of an answer, in order: ``("n", "30")`` or ``("w", "poulet")``."""
    tokens: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(folded):
        if m.group(1):
            tokens.append(("n", m.group(1)))
        elif m.group(2).strip("'-") not in FILLER:
            tokens.append(("w", m.group(2).strip("'-")))
    return tokens


def _paired_values(
    text: str, tokens: list[tuple[str, str]], names: list[str],
    synonyms: Mapping[str, frozenset[str]], whole: bool,
) -> dict[str, Decimal]:
    """Read the tokens two by two, number and item in the order the answer's first token sets."""
    number_first = tokens[0][0] == "n"
    values: dict[str, Decimal] = {}
    for i in range(0, len(tokens), 2):
        pair = tokens[i:i + 2]
        if len(pair) < 2 or pair[0][0] == pair[1][0]:
            raise _unpaired(text, pair[0], names, synonyms)
        number, word = (pair[0][1], pair[1][1]) if number_first else (pair[1][1], pair[0][1])
        item = item_for_word(word, names, synonyms)
        if item is None:
            raise _unknown_item(word, names)
        if item in values:
            raise InvalidReport(f"{item} given twice", reason="twice", item=item)
        values[item] = _count(number, whole)
    return values


def _unpaired(
    text: str, token: tuple[str, str], names: list[str], synonyms: Mapping[str, frozenset[str]]
) -> InvalidReport:
    """The error for a token left without its partner: an unknown word says so first."""
    if token[0] == "w" and item_for_word(token[1], names, synonyms) is None:
        return _unknown_item(token[1], names)
    return InvalidReport(f"{text!r}: a figure or an item is missing", reason="no_item", text=text.strip())


def _unknown_item(word: str, names: list[str]) -> InvalidReport:
    return InvalidReport(f"unknown item {word!r}", reason="unknown_item", item=word, expected=tuple(names))


def _count(token: str, whole: bool) -> Decimal:
    value = parse_number(token)
    if whole and value != value.to_integral_value():
        raise InvalidReport(f"{token!r} is not a whole number", reason="not_whole", text=token)
    return value

"""Typed answers for the kinds of the whole footprint: travel, nights, grid power, fuel, freight,
purchases and post-production. Pure functions, standard library only.

A kind with a small choice (travel mode, kind of lodging, freight class, purchase or post-production
item) reads it from a word of the answer (``TGV 860 km``, ``hôtel 3 nuits``), or takes the one the
member picked with a button (``choice``). Numbers are read by :mod:`domain.parsing`, as for every answer
(French or English way; an ambiguous form is asked back, never guessed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from domain.errors import InvalidReport, NotANumber
from domain.model import (
    MATERIALS,
    OBJECTS,
    POST_PRODUCTION_ITEMS,
    SPEND_PREFIX,
    Assignment,
    FreightClass,
    Lodging,
    ReportKind,
    SiteMode,
    TravelMode,
    Zone,
    accommodation_subject,
    travel_subject,
)
from domain.parsing import Answer, fold, parse_items, parse_number, parse_quantity, wrong_unit
from domain.places import PlaceTable, find_place, leg_km

#: Kinds whose answer reads like the generic footprint answers here.
FOOTPRINT_KINDS = frozenset({
    ReportKind.TRAVEL, ReportKind.ACCOMMODATION, ReportKind.GRID_POWER, ReportKind.FUEL,
    ReportKind.FREIGHT, ReportKind.PURCHASES, ReportKind.POST_PRODUCTION,
})

#: Kinds whose choice is the report's subject (one per report), not an item among several values.
SUBJECT_CHOICE_KINDS = frozenset({ReportKind.TRAVEL, ReportKind.ACCOMMODATION, ReportKind.FREIGHT})

#: Words for each travel mode (folded: lower case, no accents).
MODE_WORDS: Mapping[str, frozenset[str]] = {
    TravelMode.TRAIN_TGV: frozenset({"tgv", "inoui", "ouigo", "lyria", "eurostar", "thalys", "grande-vitesse",
                                  "high-speed", "highspeed", "rapide"}),
    TravelMode.TRAIN_INTERCITES: frozenset({"intercites", "intercite", "intercity", "ic"}),
    TravelMode.TRAIN_TER: frozenset({"ter", "regional", "transilien", "rer"}),
    TravelMode.COACH: frozenset({"car", "autocar", "autocars", "coach", "bus", "navette", "shuttle"}),
    TravelMode.PLANE: frozenset({"avion", "vol", "vols", "plane", "flight", "flights", "fly", "flew"}),
    TravelMode.FERRY: frozenset({"ferry", "bateau", "boat", "traversee", "crossing"}),
}

LODGING_WORDS: Mapping[str, frozenset[str]] = {
    Lodging.HOTEL_BUDGET: frozenset({"budget", "eco", "economique", "economy", "stars-one", "stars-two"}),
    Lodging.HOTEL_MIDSCALE: frozenset({"milieu", "moyen", "standard", "midscale", "mid", "stars-three"}),
    Lodging.HOTEL_UPSCALE: frozenset({"luxe", "haut-de-gamme", "upscale", "luxury", "stars-four", "stars-five",
                                      "palace"}),
    Lodging.RENTAL: frozenset({"location", "locations", "rental", "rentals", "airbnb", "gite", "gites",
                               "appartement", "appart", "apartment", "flat", "maison", "house"}),
}

ZONE_WORDS: Mapping[str, frozenset[str]] = {
    Zone.FR: frozenset({"france", "fr"}),
    Zone.EU: frozenset({"europe", "eu", "ue", "european", "europeen", "europeenne"}),
    Zone.WORLD: frozenset({"monde", "world", "etranger", "abroad", "international", "hors-europe"}),
}

FREIGHT_WORDS: Mapping[str, frozenset[str]] = {
    FreightClass.VAN: frozenset({"van", "fourgon", "utilitaire", "camionnette", "vul"}),
    FreightClass.RIGID_SMALL: frozenset({"petit-porteur", "small-rigid", "rigid-small", "porteur-7t"}),
    FreightClass.RIGID_LARGE: frozenset({"porteur", "gros-porteur", "large-rigid", "rigid-large", "rigid",
                                         "camion", "truck", "lorry", "poids-lourd"}),
    FreightClass.ARTICULATED: frozenset({"semi", "semi-remorque", "articule", "articulated", "artic"}),
    FreightClass.COURIER: frozenset({"coursier", "courier", "colis", "parcel", "messagerie"}),
}

#: Words for the purchase and post-production items (the budget lines are named by their category).
ITEM_WORDS: Mapping[str, frozenset[str]] = {
    "timber": frozenset({"timber", "bois", "wood", "contreplaque", "plywood", "planches"}),
    "steel": frozenset({"steel", "acier", "metal", "ferraille"}),
    "paint": frozenset({"paint", "peinture", "peintures"}),
    "plaster": frozenset({"plaster", "platre", "staff"}),
    "textile": frozenset({"textile", "textiles", "tissu", "tissus", "fabric"}),
    "costume_new": frozenset({"costume-new", "costumes-new"}),
    "costume_secondhand": frozenset({"costume-secondhand", "costumes-secondhand"}),
    "costume_rented": frozenset({"costume-rented", "costumes-rented"}),
    "prop_new": frozenset({"prop-new", "props-new"}),
    "prop_secondhand": frozenset({"prop-secondhand", "props-secondhand"}),
    "prop_rented": frozenset({"prop-rented", "props-rented"}),
    "edit_suite_days": frozenset({"montage", "edit", "editing", "monteur", "salle-de-montage", "edit-suite"}),
    "grading_suite_days": frozenset({"etalonnage", "grading", "grade", "color", "colour", "etalo"}),
    "storage_tb_months": frozenset({"stockage", "storage", "disque", "disques", "serveur", "archive"}),
}

#: Phrases folded into one word before reading, so that a two-word item is one token.
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"\b(?:costumes?)\s+(?:neufs?|new|achetes?|bought)\b", "costume-new"),
    (r"\b(?:new|nouveaux?)\s+costumes?\b", "costume-new"),
    (r"\b(?:costumes?)\s+(?:d'?\s*occasion|occasion|seconde?\s*main|second-?hand|used|fripe)\b",
     "costume-secondhand"),
    (r"\b(?:second-?hand|used)\s+costumes?\b", "costume-secondhand"),
    (r"\b(?:costumes?)\s+(?:loues?|en\s+location|rented|hired|hire)\b", "costume-rented"),
    (r"\b(?:rented|hired)\s+costumes?\b", "costume-rented"),
    (r"\b(?:accessoires?|props?)\s+(?:neufs?|new|achetes?|bought)\b", "prop-new"),
    (r"\b(?:new)\s+props?\b", "prop-new"),
    (r"\b(?:accessoires?|props?)\s+(?:d'?\s*occasion|occasion|seconde?\s*main|second-?hand|used)\b",
     "prop-secondhand"),
    (r"\b(?:second-?hand|used)\s+props?\b", "prop-secondhand"),
    (r"\b(?:accessoires?|props?)\s+(?:loues?|en\s+location|rented|hired)\b", "prop-rented"),
    (r"\b(?:rented|hired)\s+props?\b", "prop-rented"),
    (r"\bpetits?\s+porteurs?\b", "petit-porteur"),
    (r"\bsmall\s+rigid\b", "small-rigid"),
    (r"\bgros\s+porteurs?\b", "gros-porteur"),
    (r"\blarge\s+rigid\b", "large-rigid"),
    (r"\bpoids[\s-]+lourds?\b", "poids-lourd"),
    (r"\bsemi[\s-]+remorques?\b", "semi-remorque"),
    (r"\bhaut\s+de\s+gamme\b", "haut-de-gamme"),
    (r"\bmilieu\s+de\s+gamme\b", "milieu"),
    (r"\bgrande\s+vitesse\b", "grande-vitesse"),
    (r"\bhigh\s+speed\b", "high-speed"),
    (r"\bhors\s+(?:de\s+l'?\s*)?europe\b", "hors-europe"),
    (r"\b1[\s-]*(?:\*|etoiles?|stars?)", "stars-one"),
    (r"\b2[\s-]*(?:\*|etoiles?|stars?)", "stars-two"),
    (r"\b3[\s-]*(?:\*|etoiles?|stars?)", "stars-three"),
    (r"\b4[\s-]*(?:\*|etoiles?|stars?)", "stars-four"),
    (r"\b5[\s-]*(?:\*|etoiles?|stars?)", "stars-five"),
    (r"\bsalles?\s+de\s+montage\b", "salle-de-montage"),
    (r"\bedit\s+suites?\b", "edit-suite"),
    (r"\bt\s*[.x*\-]?\s*km\b", "tkm"),
    (r"\btonnes?[\s-]*(?:km|kilometres?|kilometers?)\b", "tkm"),
)

#: Words that say how many people travelled, after (``2 pers``) or before (``x2``) the number.
_PEOPLE = frozenset({"pers", "personne", "personnes", "people", "person", "persons", "passager", "passagers",
                     "passenger", "passengers", "pax", "voyageur", "voyageurs", "travellers", "travelers"})
_NIGHTS = frozenset({"nuit", "nuits", "nuitee", "nuitees", "night", "nights", "n"})
_KWH = frozenset({"kwh", "kw.h", "kilowattheure", "kilowattheures"})
_FILLER = frozenset({"en", "par", "by", "in", "a", "au", "aux", "et", "and", "de", "des", "du", "d", "le", "la",
                     "les", "l", "the", "of", "with", "avec", "pour", "for", "un", "une", "one", "aller",
                     "retour", "trip", "km", "kms", "kg", "kgs", "kilo", "kilos", "eur", "euro", "euros",
                     "jour", "jours", "day", "days", "mois", "month", "months", "x", "leg", "trajet",
                     "trajets", "chambre", "chambres", "room", "rooms", "to", "tb", "tb-month", "tb-months"})

_NUMBER = r"\d+(?:[  \u202f]\d{3})*(?:[.,]\d+)*"
_TOKENS = re.compile(r"(" + _NUMBER + r")|([a-z][a-z'\-]*)")


def normalise(text: str) -> str:
    """Folded text with the two-word items and units joined: ``Costumes neufs`` -> ``costume-new``."""
    folded = fold(text).replace("€", " eur ").replace("×", " x ")
    for pattern, word in _PHRASES:
        folded = re.sub(pattern, word, folded)
    return folded


def _tokens(folded: str) -> list[tuple[str, str]]:
    """``("n", "860")`` for a number, ``("w", "tgv")`` for a word, in order."""
    out: list[tuple[str, str]] = []
    for m in _TOKENS.finditer(folded):
        if m.group(1):
            out.append(("n", m.group(1)))
        else:
            out.append(("w", m.group(2).strip("'-")))
    return out


def _word_choice(words: Iterable[str], table: Mapping[str, frozenset[str]]) -> str | None:
    """The first choice a word of the answer names; the most specific table entry wins."""
    for word in words:
        for choice, group in table.items():
            if word in group or word == choice:
                return str(choice)
    return None


def _choice(words: list[str], table: Mapping[str, frozenset[str]], chosen: str | None, text: str) -> str:
    """The choice picked with a button, else the one a word names; refused when neither says."""
    named = _word_choice(words, table)
    if named is not None:
        return named
    if chosen is not None:
        return chosen
    raise InvalidReport(f"{text!r} does not say which one", reason="no_choice", text=text.strip(),
                        expected=tuple(str(c) for c in table))


def _numbers(text: str, tokens: list[tuple[str, str]]) -> list[tuple[Decimal, str | None, str | None]]:
    """Each number with the word before and after it."""
    found = []
    for i, (kind, value) in enumerate(tokens):
        if kind != "n":
            continue
        before = tokens[i - 1][1] if i > 0 and tokens[i - 1][0] == "w" else None
        after = tokens[i + 1][1] if i + 1 < len(tokens) and tokens[i + 1][0] == "w" else None
        found.append((parse_number(value), before, after))
    if not found:
        raise NotANumber(f"{text!r} has no number", text=text.strip())
    if re.search(r"(^|\s)[-\u2212]\s*\d", fold(text)):
        raise InvalidReport(f"{text!r} has a negative figure", reason="negative", text=text.strip())
    return found


def _words(tokens: list[tuple[str, str]]) -> list[str]:
    return [value for kind, value in tokens if kind == "w"]


def _places(words: list[str], mode: TravelMode, places: PlaceTable | None) -> tuple[str, str] | None:
    """The two place codes of a leg (``avion ORY NCE``), when the answer names exactly two for its mode."""
    if not places:
        return None
    codes = []
    for word in words:
        try:
            codes.append(find_place(places, word, mode).code)
        except KeyError:
            continue
    return (codes[0], codes[1]) if len(codes) == 2 else None


def parse_travel(text: str, chosen: str | None = None, places: PlaceTable | None = None) -> Answer:
    """``TGV 860 km 2 pers`` -> subject ``train_tgv``, ``{"km": 860, "passengers": 2}``; with two places
    (``avion ORY NCE 2 pers``) the km are the great-circle distance with the mode's detour."""
    tokens = _tokens(normalise(text))
    words = _words(tokens)
    mode = TravelMode(_choice(words, MODE_WORDS, chosen, text))
    leg = _places([w for w in words if len(w) == 3 and not any(w in g for g in MODE_WORDS.values())], mode, places)
    if leg is not None:
        return _leg_between(text, tokens, mode, leg, places or {})
    numbers = _numbers(text, tokens)
    km: Decimal | None = None
    passengers: Decimal | None = None
    for value, before, after in numbers:
        if after in _PEOPLE or before == "x":
            passengers = _whole(value, text) if passengers is None else _twice("passengers")
        elif km is None:
            km = value
        elif passengers is None:
            passengers = _whole(value, text)
        else:
            raise InvalidReport(f"{text!r} has too many numbers", reason="no_item", text=text.strip())
    if km is None:
        raise NotANumber(f"{text!r} gives no distance", text=text.strip())
    return Answer(ReportKind.TRAVEL, {"km": km, "passengers": Decimal(1) if passengers is None else passengers},
                  subject=travel_subject(mode))


def _leg_between(text: str, tokens: list[tuple[str, str]], mode: TravelMode, leg: tuple[str, str],
                 places: PlaceTable) -> Answer:
    """A leg between two places: any number is the count of people."""
    numbers = [value for kind, value in tokens if kind == "n"]
    if len(numbers) > 1:
        raise InvalidReport(f"{text!r} has too many numbers", reason="no_item", text=text.strip())
    passengers = _whole(parse_number(numbers[0]), text) if numbers else Decimal(1)
    km = leg_km(find_place(places, leg[0], mode), find_place(places, leg[1], mode), mode)
    return Answer(ReportKind.TRAVEL, {"km": km, "passengers": passengers}, subject=travel_subject(mode, *leg))


def parse_accommodation(text: str, chosen: str | None = None) -> Answer:
    """``hôtel 3 étoiles 12 nuits Europe`` -> subject ``hotel_midscale:eu``, ``{"nights": 12}``.

    ``chosen`` is a lodging (``rental``) or a full subject (``rental:eu``); France when no zone is said.
    """
    tokens = _tokens(normalise(text))
    words = _words(tokens)
    picked_lodging, _, picked_zone = (chosen or "").partition(":")
    generic = Lodging.HOTEL_MIDSCALE.value if {"hotel", "hotels"} & set(words) else None  # a plain "hotel"
    lodging = Lodging(_choice(words, LODGING_WORDS, picked_lodging or generic, text))
    zone = Zone(_word_choice(words, ZONE_WORDS) or picked_zone or Zone.FR.value)
    numbers = _numbers(text, tokens)
    if len(numbers) != 1:
        raise InvalidReport(f"{text!r}: one number of nights", reason="no_item", text=text.strip())
    nights = _whole(numbers[0][0], text)
    return Answer(ReportKind.ACCOMMODATION, {"nights": nights}, subject=accommodation_subject(lodging, zone))


def parse_grid_power(text: str, mode: SiteMode | None) -> Answer:
    """A meter reading (``12 480``), or kWh used (``+85``, ``85 kWh``, or in kWh mode)."""
    folded = fold(text).strip()
    kwh_unit = re.search(r"\s*(kwh|kw\.h|kilowattheures?)\s*\.?$", folded)
    if kwh_unit:
        folded = folded[:kwh_unit.start()]
    value, unit, plus = parse_quantity(folded)
    if unit is not None:
        raise wrong_unit(text, unit, "kwh")
    direct = plus or mode is SiteMode.KWH or (kwh_unit is not None and mode is not SiteMode.METER)
    return Answer(ReportKind.GRID_POWER, {"kwh" if direct else "meter": value})


def parse_fuel(text: str) -> Answer:
    """Litres at the pump: ``45``, ``45 l``, ``45,5 litres``."""
    value, unit, _ = parse_quantity(text)
    if unit not in (None, "l"):
        raise wrong_unit(text, unit, "l")
    return Answer(ReportKind.FUEL, {"litres": value})


def parse_freight(text: str, chosen: str | None = None) -> Answer:
    """``semi 420 km`` -> subject ``articulated``, ``{"vkm": 420}``; ``coursier 35 t.km`` -> ``{"tkm": 35}``."""
    tokens = _tokens(normalise(text))
    vehicle = FreightClass(_choice(_words(tokens), FREIGHT_WORDS, chosen, text))
    numbers = _numbers(text, tokens)
    if len(numbers) != 1:
        raise InvalidReport(f"{text!r}: one distance", reason="no_item", text=text.strip())
    value, _, after = numbers[0]
    item = "tkm" if after == "tkm" else "vkm"
    if after not in (None, "km", "kms", "tkm") and after not in FREIGHT_WORDS[vehicle]:
        raise wrong_unit(text, after, "km")
    return Answer(ReportKind.FREIGHT, {item: value}, subject=vehicle.value)


def purchase_items(spend_categories: Iterable[str] = ()) -> list[str]:
    """Every purchase item: materials by kg, costumes and props by count, budget lines in euros."""
    return [*MATERIALS, *OBJECTS, *(f"{SPEND_PREFIX}{c}" for c in spend_categories)]


def _item_synonyms(items: Iterable[str]) -> dict[str, frozenset[str]]:
    synonyms = {k: v | {k, k.replace("_", "-")} for k, v in ITEM_WORDS.items()}
    for item in items:
        if item.startswith(SPEND_PREFIX):
            category = item[len(SPEND_PREFIX):]
            synonyms[item] = frozenset({item, category.replace("_", "-"), item.replace("_", "-")})
    return synonyms


def _items_answer(text: str, items: list[str], chosen: str | None) -> dict[str, Decimal]:
    joined = normalise(text)
    while (grouped := re.sub(r"(\d)[  \u202f](\d{3})\b", r"\1\2", joined)) != joined:  # 1 500 -> 1500
        joined = grouped
    folded = " ".join(w for w in re.split(r"\s+", joined) if w.strip(",;.:") not in _FILLER)
    synonyms = _item_synonyms(items)
    if chosen is not None and re.fullmatch(r"[+]?\s*" + _NUMBER, folded.strip()):
        return {chosen: parse_number(folded.strip().lstrip("+ "))}
    return parse_items(folded, items, synonyms, whole=False)


def parse_purchases(text: str, chosen: str | None = None, spend_categories: Iterable[str] = (),
                    counted: Callable[[str], bool] | None = None) -> Answer:
    """``bois 350 kg, 4 costumes neufs`` -> ``{"timber": 350, "costume_new": 4}``; costumes and props
    count whole. ``counted``: the items the factor set can count (an item it cannot is an unknown word)."""
    items = [i for i in purchase_items(spend_categories) if counted is None or counted(i)]
    values = _items_answer(text, items, chosen)
    for item, value in values.items():
        if item in OBJECTS and value != value.to_integral_value():
            raise InvalidReport(f"{value} is not a whole number", reason="not_whole", text=str(value))
    return Answer(ReportKind.PURCHASES, values)


def parse_post_production(text: str, chosen: str | None = None) -> Answer:
    """``montage 5 étalonnage 2`` -> ``{"edit_suite_days": 5, "grading_suite_days": 2}``."""
    return Answer(ReportKind.POST_PRODUCTION,
                  _items_answer(text, list(POST_PRODUCTION_ITEMS), chosen))


def _whole(value: Decimal, text: str) -> Decimal:
    if value != value.to_integral_value():
        raise InvalidReport(f"{value} is not a whole number", reason="not_whole", text=text.strip())
    return value


def _twice(item: str) -> Decimal:
    raise InvalidReport(f"{item} given twice", reason="twice", item=item)


def parse_footprint(
    text: str, assignment: Assignment, *, chosen: str | None = None, spend_categories: Iterable[str] = (),
    places: PlaceTable | None = None, counted: Callable[[str], bool] | None = None,
) -> Answer:
    """Read an answer to a prompt of one of :data:`FOOTPRINT_KINDS`; ``chosen`` is what a button picked."""
    if not text.strip():
        raise NotANumber("empty answer", text="")
    kind = assignment.report
    if kind is ReportKind.TRAVEL:
        return parse_travel(text, chosen, places)
    if kind is ReportKind.ACCOMMODATION:
        return parse_accommodation(text, chosen)
    if kind is ReportKind.GRID_POWER:
        return parse_grid_power(text, assignment.mode if isinstance(assignment.mode, SiteMode) else None)
    if kind is ReportKind.FUEL:
        return parse_fuel(text)
    if kind is ReportKind.FREIGHT:
        return parse_freight(text, chosen)
    if kind is ReportKind.PURCHASES:
        return parse_purchases(text, chosen, spend_categories, counted)
    if kind is ReportKind.POST_PRODUCTION:
        return parse_post_production(text, chosen)
    raise ValueError(f"not a footprint kind: {kind}")


def choices(kind: ReportKind, spend_categories: Iterable[str] = ()) -> list[str]:
    """The choices a prompt of ``kind`` offers as buttons (empty: no choice to make)."""
    if kind is ReportKind.TRAVEL:
        return [m.value for m in TravelMode]
    if kind is ReportKind.ACCOMMODATION:
        return [lodging.value for lodging in Lodging]
    if kind is ReportKind.FREIGHT:
        return [c.value for c in FreightClass]
    if kind is ReportKind.PURCHASES:
        return purchase_items(spend_categories)
    if kind is ReportKind.POST_PRODUCTION:
        return list(POST_PRODUCTION_ITEMS)
    return []

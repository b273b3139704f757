"""The column layout of each kind of imported figure, declared as data (documented in docs/import.md).

A layout is a list of columns. Each column has an English and a French header (either is read, in
any case, with or without accents), a role that says what it gives the report, whether it must be
there, and an example for the template. Adding a kind is adding a layout here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.footprint_answers import FREIGHT_WORDS, ITEM_WORDS, LODGING_WORDS, MODE_WORDS, ZONE_WORDS
from domain.model import (
    POST_PRODUCTION_ITEMS,
    FreightClass,
    Lodging,
    ReportKind,
    TravelMode,
    Zone,
    accommodation_subject,
    travel_subject,
)


class Role(StrEnum):
    DAY = "day"  # the report's day
    MEMBER = "member"  # who the figure comes from (else ``--member``)
    REF = "ref"  # the row's reference: the same reference is stored once
    CONFIRM = "confirm"  # yes: an unusual figure is right
    SUBJECT = "subject"  # the vehicle, generator, site or freight class
    PART = "part"  # one part of the subject, put together by the layout's ``subject`` (travel, accommodation)
    NOTE = "note"  # kept in the report's text only (a traveller's name)
    VALUE = "value"  # a figure, stored under the column's name
    ITEM = "item"  # the name of the figure given by the AMOUNT column (a meal type, a waste stream)
    AMOUNT = "amount"


class Type(StrEnum):
    TEXT = "text"
    DAY = "day"
    NUMBER = "number"
    WHOLE = "whole"  # a whole number (meals)
    FLAG = "flag"  # yes / no
    CHOICE = "choice"  # one of the column's ``choices``


@dataclass(frozen=True)
class Column:
    name: str  # the English header; a VALUE column's figure is stored under this name
    fr: str  # the French header
    role: Role
    type: Type = Type.TEXT
    required: bool = True
    example: str = ""  # the template's example, in English; numbers are written each language's way
    choices: tuple[str, ...] = ()  # a CHOICE column's values
    #: Other words for the values, as the bots read them (``avion`` for plane): value -> words.
    words: Mapping[str, frozenset[str]] | None = None

    def header(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.name


@dataclass(frozen=True)
class Layout:
    kind: ReportKind
    columns: tuple[Column, ...]
    #: Figures of which a row gives exactly one (an odometer reading or a distance).
    one_of: tuple[str, ...] = ()
    #: The report's subject from the row's PART columns (by column name); ValueError when they do not fit.
    subject: Callable[[Mapping[str, Any]], str] | None = None

    def column(self, role: Role) -> Column | None:
        return next((c for c in self.columns if c.role is role), None)

    def by_header(self) -> dict[str, Column]:
        """Every header this layout reads (English and French, folded), to its column."""
        return {fold(h): c for c in self.columns for h in (c.name, c.fr)}

    def headers(self, lang: str) -> list[str]:
        return [c.header(lang) for c in self.columns]


def fold(header: object) -> str:
    """A header as compared: no accents, lower case, spaces and dashes as underscores."""
    text = unicodedata.normalize("NFKD", str(header or "")).encode("ascii", "ignore").decode()
    return "_".join(text.strip().lower().replace("-", " ").split())


DAY = Column("date", "date", Role.DAY, Type.DAY, example="2027-03-01")
REF = Column("ref", "reference", Role.REF, example="INV-2027-0042")
CONFIRM = Column("confirm", "confirme", Role.CONFIRM, Type.FLAG, required=False, example="")


def _layout(kind: ReportKind, member: str, *middle: Column, one_of: tuple[str, ...] = (),
            subject: Callable[[Mapping[str, Any]], str] | None = None) -> Layout:
    """date, member, the kind's own columns, ref, confirm (``member`` is the template's example)."""
    who = Column("member", "membre", Role.MEMBER, required=False, example=member)
    return Layout(kind, (DAY, who, *middle, REF, CONFIRM), one_of, subject)


def _travel(parts: Mapping[str, Any]) -> str:
    origin, destination = parts.get("from"), parts.get("to")
    return travel_subject(TravelMode(parts["mode"]), origin, destination)


def _accommodation(parts: Mapping[str, Any]) -> str:
    return accommodation_subject(Lodging(parts["lodging"]), Zone(parts["zone"]))


def _choice(name: str, fr: str, role: Role, values: tuple[str, ...], example: str,
            words: Mapping[str, frozenset[str]] | None = None) -> Column:
    return Column(name, fr, role, Type.CHOICE, example=example, choices=values, words=words)


def _value(name: str, fr: str, example: str, type_: Type = Type.NUMBER, *, required: bool = True) -> Column:
    return Column(name, fr, Role.VALUE, type_, required=required, example=example)


def _one_of(kind: ReportKind, member: str, subject: Column, first: tuple[str, str, str],
            second: tuple[str, str]) -> Layout:
    """A subject and two figures of which a row gives exactly one: ``first`` (name, French header,
    example) is the template's, ``second`` (name, French header) the other way to give it."""
    given = _value(*first, required=False)
    other = _value(*second, "", required=False)
    return _layout(kind, member, subject, given, other, one_of=(given.name, other.name))


def _subject(name: str, fr: str, example: str) -> Column:
    return Column(name, fr, Role.SUBJECT, example=example)


def _per_item(kind: ReportKind, member: str, item: Column, amount: tuple[str, str], example: str,
              type_: Type = Type.NUMBER) -> Layout:
    """One figure (``amount``: name and French header) for one item (a meal type, a waste stream)."""
    return _layout(kind, member, item, Column(*amount, Role.AMOUNT, type_, example=example))


def _item(name: str, fr: str, example: str) -> Column:
    return Column(name, fr, Role.ITEM, example=example)


LAYOUTS: dict[ReportKind, Layout] = {
    layout.kind: layout
    for layout in (
        _one_of(ReportKind.MILEAGE, "amina", _subject("vehicle", "vehicule", "mb1"),
                ("odometer", "compteur", "45230"), ("km", "km")),
        _per_item(ReportKind.MEALS, "paul", _item("meal_type", "type_repas", "vegetarian"), ("count", "nombre"),
                  "30", Type.WHOLE),
        _one_of(ReportKind.GENERATOR_HOURS, "lea", _subject("generator", "groupe", "g1"),
                ("hours", "heures", "6.5"), ("meter", "compteur_horaire")),
        _layout(ReportKind.GENERATOR_LITRES, "lea", _subject("generator", "groupe", "g1"),
                _value("litres", "litres", "80")),
        _per_item(ReportKind.WASTE, "sam", _item("stream", "flux", "residual"), ("kg", "kg"), "12.5"),
        # A travel agency's export: one leg a row, by km or from two place codes (config/places).
        _layout(
            ReportKind.TRAVEL, "marc",
            Column("traveller", "voyageur", Role.NOTE, required=False, example="A. Diallo"),
            _choice("mode", "mode", Role.PART, tuple(m.value for m in TravelMode), "train_tgv", MODE_WORDS),
            Column("from", "depart", Role.PART, required=False, example="PLY"),
            Column("to", "arrivee", Role.PART, required=False, example="MSC"),
            _value("km", "km", "750", required=False),
            _value("passengers", "passagers", "1", Type.WHOLE, required=False),
            subject=_travel,
        ),
        _layout(
            ReportKind.ACCOMMODATION, "marc",
            _choice("lodging", "hebergement", Role.PART, tuple(lg.value for lg in Lodging), "hotel_midscale",
                    LODGING_WORDS),
            _choice("zone", "zone", Role.PART, tuple(z.value for z in Zone), "fr", ZONE_WORDS),
            _value("nights", "nuits", "12", Type.WHOLE),
            subject=_accommodation,
        ),
        _one_of(ReportKind.GRID_POWER, "lea", _subject("site", "site", "studio"),
                ("meter", "compteur", "18700"), ("kwh", "kwh")),
        _layout(ReportKind.FUEL, "karim", _subject("vehicle", "vehicule", "car3"),
                _value("litres", "litres", "85.4")),
        _one_of(ReportKind.FREIGHT, "marc",
                _choice("vehicle_class", "classe_vehicule", Role.SUBJECT, tuple(c.value for c in FreightClass),
                        "rigid_large", FREIGHT_WORDS),
                ("tkm", "tkm", "1200"), ("vkm", "vkm")),
        _per_item(ReportKind.PURCHASES, "marc",
                  Column("item", "article", Role.ITEM, example="timber", words=ITEM_WORDS), ("quantity", "quantite"),
                  "350"),
        _per_item(ReportKind.POST_PRODUCTION, "marc",
                  _choice("item", "article", Role.ITEM, tuple(POST_PRODUCTION_ITEMS), "edit_suite_days", ITEM_WORDS),
                  ("quantity", "quantite"), "20"),
    )
}

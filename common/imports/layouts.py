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


LAYOUTS: dict[ReportKind, Layout] = {
    layout.kind: layout
    for layout in (
        _layout(
            ReportKind.MILEAGE, "amina",
            Column("vehicle", "vehicule", Role.SUBJECT, example="mb1"),
            Column("odometer", "compteur", Role.VALUE, Type.NUMBER, required=False, example="45230"),
            Column("km", "km", Role.VALUE, Type.NUMBER, required=False, example=""),
            one_of=("odometer", "km"),
        ),
        _layout(
            ReportKind.MEALS, "paul",
            Column("meal_type", "type_repas", Role.ITEM, example="vegetarian"),
            Column("count", "nombre", Role.AMOUNT, Type.WHOLE, example="30"),
        ),
        _layout(
            ReportKind.GENERATOR_HOURS, "lea",
            Column("generator", "groupe", Role.SUBJECT, example="g1"),
            Column("hours", "heures", Role.VALUE, Type.NUMBER, required=False, example="6.5"),
            Column("meter", "compteur_horaire", Role.VALUE, Type.NUMBER, required=False, example=""),
            one_of=("hours", "meter"),
        ),
        _layout(
            ReportKind.GENERATOR_LITRES, "lea",
            Column("generator", "groupe", Role.SUBJECT, example="g1"),
            Column("litres", "litres", Role.VALUE, Type.NUMBER, example="80"),
        ),
        _layout(
            ReportKind.WASTE, "sam",
            Column("stream", "flux", Role.ITEM, example="residual"),
            Column("kg", "kg", Role.AMOUNT, Type.NUMBER, example="12.5"),
        ),
        # A travel agency's export: one leg a row, by km or from two place codes (config/places).
        _layout(
            ReportKind.TRAVEL, "marc",
            Column("traveller", "voyageur", Role.NOTE, required=False, example="A. Diallo"),
            _choice("mode", "mode", Role.PART, tuple(m.value for m in TravelMode), "train_tgv", MODE_WORDS),
            Column("from", "depart", Role.PART, required=False, example="PLY"),
            Column("to", "arrivee", Role.PART, required=False, example="MSC"),
            Column("km", "km", Role.VALUE, Type.NUMBER, required=False, example="750"),
            Column("passengers", "passagers", Role.VALUE, Type.WHOLE, required=False, example="1"),
            subject=_travel,
        ),
        _layout(
            ReportKind.ACCOMMODATION, "marc",
            _choice("lodging", "hebergement", Role.PART, tuple(lg.value for lg in Lodging), "hotel_midscale",
                    LODGING_WORDS),
            _choice("zone", "zone", Role.PART, tuple(z.value for z in Zone), "fr", ZONE_WORDS),
            Column("nights", "nuits", Role.VALUE, Type.WHOLE, example="12"),
            subject=_accommodation,
        ),
        _layout(
            ReportKind.GRID_POWER, "lea",
            Column("site", "site", Role.SUBJECT, example="studio"),
            Column("meter", "compteur", Role.VALUE, Type.NUMBER, required=False, example="18700"),
            Column("kwh", "kwh", Role.VALUE, Type.NUMBER, required=False, example=""),
            one_of=("meter", "kwh"),
        ),
        _layout(
            ReportKind.FUEL, "karim",
            Column("vehicle", "vehicule", Role.SUBJECT, example="car3"),
            Column("litres", "litres", Role.VALUE, Type.NUMBER, example="85.4"),
        ),
        _layout(
            ReportKind.FREIGHT, "marc",
            _choice("vehicle_class", "classe_vehicule", Role.SUBJECT, tuple(c.value for c in FreightClass),
                    "rigid_large", FREIGHT_WORDS),
            Column("tkm", "tkm", Role.VALUE, Type.NUMBER, required=False, example="1200"),
            Column("vkm", "vkm", Role.VALUE, Type.NUMBER, required=False, example=""),
            one_of=("tkm", "vkm"),
        ),
        _layout(
            ReportKind.PURCHASES, "marc",
            Column("item", "article", Role.ITEM, example="timber", words=ITEM_WORDS),
            Column("quantity", "quantite", Role.AMOUNT, Type.NUMBER, example="350"),
        ),
        _layout(
            ReportKind.POST_PRODUCTION, "marc",
            _choice("item", "article", Role.ITEM, tuple(POST_PRODUCTION_ITEMS), "edit_suite_days", ITEM_WORDS),
            Column("quantity", "quantite", Role.AMOUNT, Type.NUMBER, example="20"),
        ),
    )
}

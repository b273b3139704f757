"""The column layout of each kind of imported figure, declared as data (documented in docs/import.md).

A layout is a list of columns. Each column has an English and a French header (either is read, in
any case, with or without accents), a role that says what it gives the report, whether it must be
there, and an example for the template. Adding a kind is adding a layout here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from domain.model import ReportKind


class Role(StrEnum):
    DAY = "day"  # the report's day
    MEMBER = "member"  # who the figure comes from (else ``--member``)
    REF = "ref"  # the row's reference: the same reference is stored once
    CONFIRM = "confirm"  # yes: an unusual figure is right
    SUBJECT = "subject"  # the vehicle or generator
    VALUE = "value"  # a figure, stored under the column's name
    ITEM = "item"  # the name of the figure given by the AMOUNT column (a meal type, a waste stream)
    AMOUNT = "amount"


class Type(StrEnum):
    TEXT = "text"
    DAY = "day"
    NUMBER = "number"
    WHOLE = "whole"  # a whole number (meals)
    FLAG = "flag"  # yes / no


@dataclass(frozen=True)
class Column:
    name: str  # the English header; a VALUE column's figure is stored under this name
    fr: str  # the French header
    role: Role
    type: Type = Type.TEXT
    required: bool = True
    example: str = ""  # the template's example, in English; numbers are written each language's way

    def header(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.name


@dataclass(frozen=True)
class Layout:
    kind: ReportKind
    columns: tuple[Column, ...]
    #: Figures of which a row gives exactly one (an odometer reading or a distance).
    one_of: tuple[str, ...] = ()

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


def _layout(kind: ReportKind, member: str, *middle: Column, one_of: tuple[str, ...] = ()) -> Layout:
    """date, member, the kind's own columns, ref, confirm (``member`` is the template's example)."""
    who = Column("member", "membre", Role.MEMBER, required=False, example=member)
    return Layout(kind, (DAY, who, *middle, REF, CONFIRM), one_of)


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
    )
}

"""A read file's header matched to a layout, and each row typed into a :class:`domain.imports.Row`.

Numbers are read by the bots' parser (``domain.parsing.parse_number``): ``12,5`` and ``45 230`` are
clear, ``45,230`` is refused as ambiguous. Dates are ``2027-03-01`` or ``01/03/2027`` (day first),
or a workbook's own dates. Every problem is kept with its row and column; none stops the reading.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl.utils import get_column_letter

from base.i18n import number as shown_number
from base.i18n import typed_number
from common.imports.layouts import LAYOUTS, Column, Layout, Role, Type, fold
from common.imports.problems import ImportProblems, Problem
from common.imports.reading import Cell, Table
from domain.errors import AmbiguousNumber, InvalidReport
from domain.imports import MAX_REF, Row
from domain.model import ReportKind, TravelMode
from domain.parsing import parse_number
from domain.places import Place, PlaceTable, find_place, leg_km, place_kind

YES = frozenset({"yes", "y", "oui", "o", "true", "vrai", "1", "x"})
NO = frozenset({"no", "n", "non", "false", "faux", "0"})
_DAY_FIRST = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")


@dataclass(frozen=True)
class Header:
    """Which column of the file each layout column is (its index), and how it is named there."""

    layout: Layout
    index: Mapping[str, int]  # column name -> index in the row
    labels: Mapping[str, str]  # column name -> "C (odometer)"


def match_header(table: Table, kind: ReportKind | None, member: str | None, lang: str) -> Header:
    """The layout the header follows (``kind``'s, or the one it fits); :class:`ImportProblems` if none."""
    names = [fold(h) for h in table.header]
    if kind is None:
        layout = _layout_of(table, names, member)
    else:
        layout = LAYOUTS[kind]
        problems = _header_problems(table, names, layout, member, lang)
        if problems:
            raise ImportProblems(problems)
    known = layout.by_header()
    index = {known[n].name: i for i, n in enumerate(names) if n in known}
    labels = {name: f"{get_column_letter(i + 1)} ({table.header[i]})" for name, i in index.items()}
    return Header(layout, index, labels)


def _layout_of(table: Table, names: list[str], member: str | None) -> Layout:
    """The one layout the header fits; among several (purchases and post-production share their
    columns), the one the file's or the sheet's name says."""
    fits = [lay for lay in LAYOUTS.values() if not _header_problems(table, names, lay, member)]
    if len(fits) > 1:
        named = [lay for lay in fits if any(lay.kind.value in fold(n) for n in table.names)]
        fits = named if len(named) == 1 else fits
    if len(fits) == 1:
        return fits[0]
    kinds = ", ".join(lay.kind.value for lay in fits or LAYOUTS.values())
    raise ImportProblems([Problem(table.where, "unknown_kind" if not fits else "which_kind", {"kinds": kinds},
                                  row=table.header_row)])


def _header_problems(table: Table, names: list[str], layout: Layout, member: str | None,
                     lang: str = "en") -> list[Problem]:
    known = layout.by_header()
    expected = ", ".join(layout.headers(lang))
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        label = f"{get_column_letter(i + 1)} ({table.header[i]})" if table.header[i] is not None \
            else get_column_letter(i + 1)
        if not name:
            problems.append(Problem(table.where, "blank_column", {"columns": expected}, table.header_row, label))
        elif name not in known:
            problems.append(Problem(table.where, "unknown_column",
                                    {"name": table.header[i], "kind": layout.kind.value, "columns": expected},
                                    table.header_row, label))
        elif known[name].name in seen:
            problems.append(Problem(table.where, "column_twice", {"name": table.header[i]}, table.header_row,
                                    label))
        else:
            seen[known[name].name] = i
    for column in layout.columns:
        missing = column.name not in seen
        if missing and (column.required or (column.role is Role.MEMBER and member is None)):
            key = "missing_member" if column.role is Role.MEMBER else "missing_column"
            problems.append(Problem(table.where, key, {"name": column.header(lang), "columns": expected},
                                    table.header_row))
    if layout.one_of and not any(c in seen for c in layout.one_of):
        problems.append(Problem(table.where, "missing_one_of", {"names": _or(layout, layout.one_of, lang)},
                                table.header_row))
    return problems


def _or(layout: Layout, names: Sequence[str], lang: str) -> str:
    by_name = {c.name: c for c in layout.columns}
    word = " ou " if lang == "fr" else " or "
    return word.join(by_name[n].header(lang) for n in names)


def _and(layout: Layout, names: Sequence[str], lang: str) -> str:
    return (" et " if lang == "fr" else " and ").join(c.header(lang) for c in layout.columns if c.name in names)


def read_rows(table: Table, header: Header, production_id: str, member: str | None, lang: str,
              places: PlaceTable | None = None) -> list[Row]:
    """Every row typed; :class:`ImportProblems` with every problem of every row when one is wrong."""
    if not table.rows:
        raise ImportProblems([Problem(table.where, "no_rows", row=table.header_row)])
    problems: list[Problem] = []
    rows: list[Row] = []
    refs: dict[str, int] = {}
    places = places or {}
    for number, cells in table.rows:
        reader = _RowReader(table, header, number, cells, lang)
        reader.check_width()
        row = reader.row(production_id, member, places)
        problems.extend(reader.problems)
        if row is None:
            continue
        if row.ref in refs:
            problems.append(Problem(table.where, "ref_twice", {"ref": row.ref, "other": refs[row.ref]}, number,
                                    header.labels["ref"]))
            continue
        refs[row.ref] = number
        rows.append(row)
    if problems:
        raise ImportProblems(problems)
    return rows


class _RowReader:
    """One row's cells typed column by column, its problems gathered."""

    def __init__(self, table: Table, header: Header, number: int, cells: tuple[Cell, ...], lang: str) -> None:
        self.table, self.header, self.number, self.cells, self.lang = table, header, number, cells, lang
        self.problems: list[Problem] = []

    def problem(self, key: str, column: Column | None = None, **params: Any) -> None:
        label = None if column is None else self.header.labels.get(column.name, column.header(self.lang))
        self.problems.append(Problem(self.table.where, key, params, self.number, label))

    def check_width(self) -> None:
        """A value beyond the last titled column belongs to no column: refused, never dropped."""
        for i in range(len(self.table.header), len(self.cells)):
            if self.cells[i] is not None:
                self.problems.append(Problem(self.table.where, "extra_cell", {"text": str(self.cells[i])[:40]},
                                             self.number, get_column_letter(i + 1)))

    def cell(self, column: Column) -> Cell:
        i = self.header.index.get(column.name)
        return None if i is None or i >= len(self.cells) else self.cells[i]

    def value(self, column: Column) -> Any:
        """The cell typed by its column, None when empty (a problem when it must not be)."""
        cell = self.cell(column)
        if cell is None or cell == "":
            if column.required:
                self.problem("empty_cell", column)
            return None
        try:
            if column.type is Type.CHOICE:
                return _choice(cell, column.choices, column.words)
            typed = _TYPED[column.type](cell)
            return _named(typed, column.words) if column.words and isinstance(typed, str) else typed
        except _Refused as refused:
            example = _example(column, self.lang)
            self.problem(refused.key, column, text=str(cell)[:40], example=example,
                         **{k: _shown(v, self.lang) for k, v in refused.params.items()})
            return None

    def row(self, production_id: str, member: str | None, places: PlaceTable) -> Row | None:
        layout = self.header.layout
        typed = {c.name: self.value(c) for c in layout.columns}
        by_role: dict[Role, Column] = {c.role: c for c in layout.columns}
        who = typed.get("member") or member
        if who is None:
            self.problem("no_member", by_role[Role.MEMBER])
        values = {c.name: typed[c.name] for c in layout.columns if c.role is Role.VALUE and typed[c.name] is not None}
        self._check_one_of(layout, typed)
        item, amount = by_role.get(Role.ITEM), by_role.get(Role.AMOUNT)
        if item is not None and amount is not None and typed[item.name] and typed[amount.name] is not None:
            values[str(typed[item.name])] = typed[amount.name]
        ref = typed.get("ref")
        if ref is not None and len(str(ref)) > MAX_REF:
            self.problem("ref_too_long", by_role[Role.REF], most=MAX_REF)
        if layout.kind is ReportKind.TRAVEL and not self.problems:
            typed = self._leg(layout, typed, values, places)
        subject = self._subject(layout, typed, by_role)
        if self.problems:
            return None
        return Row(
            production_id=production_id, kind=layout.kind, ref=str(ref), member_id=str(who),
            day=typed["date"], values=values, subject=subject, raw_text=self.raw_text(),
            confirmed=bool(typed.get("confirm")),
        )

    def _subject(self, layout: Layout, typed: Mapping[str, Any], by_role: Mapping[Role, Column]) -> str | None:
        """The SUBJECT column's value, or the layout's subject put together from its PART columns."""
        column = by_role.get(Role.SUBJECT)
        if column is not None:
            return None if typed[column.name] is None else str(typed[column.name])
        if layout.subject is None:
            return None
        parts = {c.name: typed[c.name] for c in layout.columns if c.role is Role.PART and typed[c.name] is not None}
        try:
            return layout.subject(parts)
        except (ValueError, KeyError):
            if not self.problems:  # a part missing or refused is said already
                self.problem("both_places", None, names=_and(layout, ("from", "to"), self.lang))
            return None

    def _leg(self, layout: Layout, typed: dict[str, Any], values: dict[str, Any],
             places: PlaceTable) -> dict[str, Any]:
        """A leg's places as the table's codes, and its km from them when the row gives none: the
        great-circle distance with the mode's detour (``domain.places``). Returns the row's values
        with the codes in place of the cells' words."""
        origin, destination = typed.get("from"), typed.get("to")
        columns = {c.name: c for c in layout.columns}
        if origin is None and destination is None:
            if "km" not in values:
                self.problem("km_or_places", columns["km"])
            return typed
        if origin is None or destination is None:
            return typed  # said by the subject: both places or neither
        mode = TravelMode(typed["mode"])
        found = {}
        for name, said in (("from", origin), ("to", destination)):
            place = _place(places, str(said), mode)
            if place is None:
                self.problem("unknown_place", columns[name], code=said)
            else:
                found[name] = place
        if len(found) != 2:
            return typed
        if "km" not in values:
            values["km"] = leg_km(found["from"], found["to"], mode)
        return {**typed, "from": found["from"].code, "to": found["to"].code}

    def _check_one_of(self, layout: Layout, typed: Mapping[str, Any]) -> None:
        if not layout.one_of:
            return
        given = [n for n in layout.one_of if typed.get(n) is not None]
        failed = [n for n in layout.one_of if n in self.header.index and typed.get(n) is None
                  and self.cell(next(c for c in layout.columns if c.name == n)) is not None]
        if failed or len(given) == 1:
            return
        key = "one_of_none" if not given else "one_of_both"
        self.problem(key, None, names=_or(layout, layout.one_of, self.lang))

    def raw_text(self) -> str:
        names = [str(h or "") for h in self.table.header]
        said = "; ".join(f"{n}={c}" for n, c in zip(names, self.cells, strict=False) if c is not None)
        return f"{self.table.where} row {self.number}: {said}"


def _place(places: PlaceTable, said: str, mode: TravelMode) -> Place | None:
    """The place a cell names for a leg of ``mode``: its code (``PLY``) or its name in the table
    (``Paris Gare de Lyon``, in any case, with or without accents); None when the table has neither."""
    try:
        return find_place(places, said, mode)
    except KeyError:
        pass
    wanted, kind = fold(said), place_kind(mode)
    return next((p for (k, _), p in places.items() if k == kind and fold(p.name) == wanted), None)


class _Refused(Exception):
    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params


def _text(cell: Cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # a code typed in a workbook as a number: 12, not 12.0
    return str(cell).strip()


def _number(cell: Cell) -> Decimal:
    if isinstance(cell, (bool, dt.date, dt.time)):
        raise _Refused("not_a_number")
    if isinstance(cell, (int, float)):
        value = Decimal(str(cell))
        if value < 0:
            raise _Refused("negative")
        return value
    try:
        return parse_number(str(cell))
    except AmbiguousNumber as exc:
        a, b = exc.params["choices"]
        raise _Refused("ambiguous", a=a, b=b) from None
    except InvalidReport as exc:
        reason = exc.params.get("reason")
        raise _Refused(reason if reason in ("negative", "too_long") else "not_a_number") from None


def _whole(cell: Cell) -> Decimal:
    value = _number(cell)
    if value != value.to_integral_value():
        raise _Refused("not_whole")
    return value


def _day(cell: Cell) -> dt.date:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    text = str(cell).strip()
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) >= 10 and text[4] == "-" else _day_first(text)
    except ValueError:
        raise _Refused("not_a_date") from None


def _day_first(text: str) -> dt.date:
    found = _DAY_FIRST.fullmatch(text)
    if found is None:
        raise ValueError(text)
    day, month, year = (int(g) for g in found.groups())
    return dt.date(year, month, day)


def _named(text: str, words: Mapping[str, frozenset[str]] | None) -> str:
    """The value another word stands for, as the bots read it (``avion`` -> ``plane``); else ``text``."""
    word = fold(text).replace("_", "-")
    for value, group in (words or {}).items():
        if word in group:
            return str(value)
    return text


def _choice(cell: Cell, choices: tuple[str, ...], words: Mapping[str, frozenset[str]] | None) -> str:
    text = fold(_text(cell))
    if text not in choices:
        text = _named(text, words)
    if text not in choices:
        raise _Refused("not_a_choice", choices=", ".join(choices))
    return text


def _flag(cell: Cell) -> bool:
    text = _text(cell).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise _Refused("not_a_flag")


_TYPED = {Type.TEXT: _text, Type.NUMBER: _number, Type.WHOLE: _whole, Type.DAY: _day, Type.FLAG: _flag}


def _example(column: Column, lang: str) -> str:
    if column.type is Type.DAY:
        return "2027-03-01"
    if column.type is Type.FLAG:
        return "oui" if lang == "fr" else "yes"
    if column.type in (Type.NUMBER, Type.WHOLE):
        return typed_number(Decimal(column.example or "120"), lang)
    return column.example


def _shown(value: Any, lang: str) -> Any:
    return shown_number(value, lang, 3) if isinstance(value, Decimal) else value


def iter_examples(layout: Layout, lang: str) -> Iterator[str]:
    """The template's example row: each column's example, numbers written the language's way."""
    for column in layout.columns:
        if column.type in (Type.NUMBER, Type.WHOLE) and column.example:
            yield typed_number(Decimal(column.example), lang)
        else:
            yield column.example

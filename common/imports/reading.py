"""A CSV or XLSX file read into a header and rows of cells, each row with its number in the file.

CSV: UTF-8 with or without a byte-order mark (Windows-1252, what older spreadsheets save, is read
too); the delimiter, ``;`` (French spreadsheets) or ``,`` or a tab, is the one the header line uses.
XLSX: read with openpyxl, the values of the cells (not their formulas); ``--sheet`` names the sheet,
else the sheet named after the kind, else the first one. Rows with no value at all are left out.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from common.imports.problems import ImportProblems, Problem

#: A cell's value: text from a CSV file; text, a number or a date from a workbook; None when empty.
Cell = object

ZIP_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
#: Above this a file is not a shoot's accounts (ten thousand rows are a few megabytes).
MAX_BYTES = 50 * 1024 * 1024
#: The formats a problem names (kept out of the sentences: the easy-to-read check reads them).
NAMES = {"formats": "XLSX", "csv": "CSV", "encoding": "UTF-8"}


@dataclass(frozen=True)
class Table:
    """What a file holds: its header, then its rows (row number in the file, cells)."""

    where: str  # the file's name, and the sheet of a workbook
    header: tuple[Cell, ...]
    header_row: int
    rows: Sequence[tuple[int, tuple[Cell, ...]]] = field(default_factory=tuple)
    #: The file's and the sheet's names: they may tell the kind when the header fits several.
    names: tuple[str, ...] = ()


def read_table(path: Path, *, sheet: str | None = None, kind_names: Sequence[str] = ()) -> Table:
    """The file at ``path`` as a :class:`Table`; :class:`ImportProblems` when it cannot be read."""
    data = path.read_bytes()
    name = path.name
    if len(data) > MAX_BYTES:
        raise ImportProblems([Problem(name, "too_big", {"mb": MAX_BYTES // (1024 * 1024)})])
    if data.startswith(ZIP_MAGIC):
        return _read_workbook(data, name, sheet, kind_names)
    if data.startswith(OLD_EXCEL_MAGIC):
        raise ImportProblems([Problem(name, "old_excel", NAMES)])
    if sheet is not None:
        raise ImportProblems([Problem(name, "sheet_in_csv", {"sheet": sheet})])
    return _read_csv(data, name)


def _decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        raise ImportProblems([Problem(name, "not_readable", NAMES)])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportProblems([Problem(name, "not_readable", NAMES)]) from None


def _delimiter(first_line: str) -> str:
    """The header's own delimiter: header names hold none of ``;``, ``,`` or a tab."""
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _read_csv(data: bytes, name: str) -> Table:
    text = _decode(data, name)
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), None)
    if first is None:
        raise ImportProblems([Problem(name, "empty")])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    header: tuple[Cell, ...] | None = None
    header_row = 0
    rows: list[tuple[int, tuple[Cell, ...]]] = []
    try:
        for record in reader:
            cells = tuple(c.strip() or None for c in record)
            if not any(cells):
                continue
            if header is None:
                header, header_row = _trimmed(cells), reader.line_num
            else:
                rows.append((reader.line_num, cells))
    except csv.Error:
        raise ImportProblems([Problem(name, "not_readable", NAMES, row=reader.line_num)]) from None
    assert header is not None
    return Table(name, header, header_row, rows, (name,))


def _read_workbook(data: bytes, name: str, sheet: str | None, kind_names: Sequence[str]) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportProblems([Problem(name, "not_readable", NAMES)]) from None
    try:
        names = list(book.sheetnames)
        chosen = _sheet_name(names, sheet, kind_names, name)
        where = f"{name} [{chosen}]" if len(names) > 1 or sheet else name
        header: tuple[Cell, ...] | None = None
        header_row = 0
        rows: list[tuple[int, tuple[Cell, ...]]] = []
        for number, values in enumerate(book[chosen].iter_rows(min_row=1, values_only=True), start=1):
            cells = tuple(_cell(v) for v in values)
            if not any(c is not None for c in cells):
                continue
            if header is None:
                header, header_row = _trimmed(cells), number
            else:
                rows.append((number, cells))
    finally:
        book.close()
    if header is None:
        raise ImportProblems([Problem(where, "empty")])
    return Table(where, header, header_row, rows, (name, chosen))


def _trimmed(cells: tuple[Cell, ...]) -> tuple[Cell, ...]:
    """A header without the empty cells after its last title (a sheet as wide as its widest row)."""
    end = len(cells)
    while end and cells[end - 1] is None:
        end -= 1
    return cells[:end]


def _cell(value: object) -> Cell:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _sheet_name(names: list[str], sheet: str | None, kind_names: Sequence[str], file: str) -> str:
    if sheet is not None:
        found = next((n for n in names if n.strip().lower() == sheet.strip().lower()), None)
        if found is None:
            raise ImportProblems([Problem(file, "unknown_sheet", {"sheet": sheet, "sheets": ", ".join(names)})])
        return found
    wanted = {k.lower() for k in kind_names}
    return next((n for n in names if n.strip().lower() in wanted), names[0])

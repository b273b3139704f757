"""Figures imported from the accounts: a CSV or XLSX file, one documented layout per kind (docs/import.md).

:func:`import_file` reads the file (:mod:`~common.imports.reading`), matches its header to a layout
(:mod:`~common.imports.layouts`), types every row (:mod:`~common.imports.rows`), then stores every
row through the use case the bots and ``report add`` use (:func:`domain.imports.import_row`), in
one transaction (:func:`store.uow.run_as_one`): if any row is refused, nothing is stored, and every
problem is said with its file, row and column (:class:`~common.imports.problems.ImportProblems`).
:func:`template` writes a kind's empty file: its header and one example row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path

from sqlalchemy import Engine

from common.imports.layouts import LAYOUTS, Column, Layout, Type
from common.imports.problems import ImportProblems, Problem
from common.imports.reading import read_table
from common.imports.refusals import refusal
from common.imports.rows import iter_examples, match_header, read_rows
from config.places import load_places
from domain.errors import GreenslateError
from domain.imports import Imported, Outcome, Row, import_row
from domain.model import Production, ReportKind
from domain.places import PlaceTable
from domain.usecases import Catalogue
from store.uow import SqlUnitOfWork, run_as_one

__all__ = ["FORMATS", "LAYOUTS", "ImportProblems", "ImportResult", "Problem", "import_file", "template",
           "template_name"]

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
ZERO = Decimal(0)


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, checked only, would do)."""

    where: str
    kind: ReportKind
    rows: int
    stored: int
    corrected: int
    unchanged: int
    kgco2e: Decimal  # of the figures stored or corrected
    kept: bool  # False: checked only, nothing stored


def import_file(engine: Engine, catalogue: Catalogue, production: Production, path: Path, *,
                kind: ReportKind | None = None, sheet: str | None = None, member: str | None = None,
                lang: str = "fr", keep: bool = True, places: PlaceTable | None = None) -> ImportResult:
    """Import ``path`` into ``production``: every row, or (:class:`ImportProblems`) none.

    ``member``: who the figures come from when the file has no member column or leaves a cell empty.
    ``keep=False``: check every row against the store as an import would, then store nothing.
    ``places``: the place codes a travel leg may name instead of its km (default: ``config.places``).
    """
    kind_names = [kind.value] if kind is not None else []
    table = read_table(path, sheet=sheet, kind_names=kind_names)
    header = match_header(table, kind, member, lang)
    rows = read_rows(table, header, production.id, member, lang, places or load_places())
    now = dt.datetime.now(dt.UTC)
    # Rows of one day are in the file's order (readings follow each other): each its own instant.
    jobs = [partial(_import_one, catalogue=catalogue, row=row, now=now + dt.timedelta(microseconds=i),
                    production=production) for i, row in enumerate(rows)]
    results = run_as_one(engine, jobs, keep=keep)
    problems: list[Problem] = []
    done: list[Imported] = []
    for (number, _), result in zip(table.rows, results, strict=True):
        if isinstance(result, GreenslateError):
            problems.append(refusal(result, where=table.where, row=number, header=header,
                                    production=production, lang=lang, factors=catalogue.factors))
        elif isinstance(result, Exception):
            raise result
        else:
            done.append(result)
    if problems:
        raise ImportProblems(problems)
    count = {o: sum(1 for d in done if d.outcome is o) for o in Outcome}
    return ImportResult(
        where=table.where, kind=header.layout.kind, rows=len(rows), stored=count[Outcome.STORED],
        corrected=count[Outcome.CORRECTED], unchanged=count[Outcome.UNCHANGED],
        kgco2e=sum((d.recorded.kgco2e for d in done if d.outcome is not Outcome.UNCHANGED), ZERO), kept=keep,
    )


def _import_one(uow: SqlUnitOfWork, *, catalogue: Catalogue, row: Row, now: dt.datetime,
                production: Production) -> Imported:
    return import_row(uow, catalogue, row, now, production=production)


def template_name(kind: ReportKind, fmt: str, lang: str) -> str:
    return f"greenslate-{kind.value}-{lang}.{fmt}"


def template(kind: ReportKind, fmt: str, lang: str) -> bytes:
    """A kind's file to fill in: its header and one example row, in ``lang`` (headers and numbers).

    CSV: ``;`` in French (what a French spreadsheet expects, since ``,`` is its decimal comma), ``,``
    in English, UTF-8 with a byte-order mark so that spreadsheets read the accents right.
    """
    layout = LAYOUTS[kind]
    if fmt == "xlsx":
        return _workbook(layout, lang)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";" if lang == "fr" else ",", lineterminator="\r\n")
    writer.writerow(layout.headers(lang))
    writer.writerow(list(iter_examples(layout, lang)))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _workbook(layout: Layout, lang: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = layout.kind.value
    sheet.append(layout.headers(lang))
    sheet.append([_typed_example(c, v) for c, v in zip(layout.columns, iter_examples(layout, lang), strict=True)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _typed_example(column: Column, text: str) -> object:
    """A workbook's example cell as a spreadsheet holds it: a date as a date, a number as a number."""
    if not text:
        return None
    if column.type is Type.DAY:
        return dt.date.fromisoformat(text)
    if column.type in (Type.NUMBER, Type.WHOLE):
        return float(Decimal(column.example))
    return text

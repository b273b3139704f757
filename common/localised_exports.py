"""The exports as a person opens them: XLSX and CSV in the user's language and number convention.

Kept apart from :mod:`common.exports` (which builds the rows, and writes the JSON and the plain,
machine-read CSV) so the layout of the rows and the way they are written can change separately;
both read the rows' shape from :mod:`common.export_rows`.

- XLSX: headings, sheet names and words in the language (``Restauration``, ``poulet``, ``repas``,
  ``mesuré``, ``oui``); numbers stay numbers, with a display format to each unit's precision;
  dates are real dates; every column is wide enough for what it holds.
- CSV: French uses ``;`` between fields and a decimal comma, as French spreadsheet software reads
  it; English uses ``,`` and a decimal point. Both start with a UTF-8 byte order mark, without which
  a spreadsheet opens the file as another encoding and mangles ``É``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from base import vocabulary
from base.i18n import normalise_language
from common.carbon_clap import NAMES as CLAP_NAMES
from common.export_rows import (
    FACTOR_FIELDS,
    FIELDS,
    HEADERS,
    SECTION_COLUMNS,
    SECTIONS,
    SHEETS,
    SUMMARY,
    Export,
    ExportRow,
    clap_totals,
    neutralise,
)
from common.presenters import kg, tonnes

BOM = "\ufeff"
DELIMITER = {"fr": ";", "en": ","}
DATE_FORMAT = {"fr": "dd/mm/yyyy", "en": "d mmm yyyy"}
DATETIME_FORMAT = {"fr": "dd/mm/yyyy hh:mm", "en": "d mmm yyyy hh:mm"}
FACTOR_FORMAT = "0.000000"
KG_FORMAT = "#,##0.000"
TONNE_FORMAT = "#,##0.000"
MIN_WIDTH, MAX_WIDTH = 8, 60

_FACTOR_HEADERS = {
    "fr": {"key": "Facteur", "description": "Description", "kgco2e_per_unit": "kg CO2e par unité",
           "unit": "Unité", "source": "Source", "source_detail": "Détail de la source", "year": "Année",
           "proxy": "Approximation", "proxy_note": "Note sur l’approximation",
           "factor_set_version": "Version du jeu de facteurs"},
    "en": {"key": "Factor", "description": "Description", "kgco2e_per_unit": "kg CO2e per unit",
           "unit": "Unit", "source": "Source", "source_detail": "Source detail", "year": "Year",
           "proxy": "Proxy", "proxy_note": "Proxy note", "factor_set_version": "Factor set version"},
}


def localised_row(row: ExportRow, lang: str) -> dict[str, Any]:
    """One row's values in the language: category, meal type or waste stream, units, method, yes/no.
    Numbers stay numbers (Decimal); identifiers from the production file (``mb1``) stay as they are."""
    values = row.as_dict()
    values["section"] = vocabulary.category(row.section, lang)
    if row.section in ("catering", "waste"):  # the item is a meal type or a waste stream
        values["item"] = vocabulary.item(row.item, lang)
        values["label"] = values["item"] if row.label == row.item else row.label
    values["unit"] = vocabulary.unit(row.unit, lang, row.quantity)
    values["factor_unit"] = vocabulary.unit(row.factor_unit, lang, 1)
    values["method"] = vocabulary.method(row.method == "estimated", lang)
    values["factor_proxy"] = vocabulary.yes_no(row.factor_proxy, lang)
    values["factor_year"] = _year(row.factor_year)
    return values


def _year(value: str) -> int | str:
    return int(value) if str(value).isdigit() else value


# -- CSV -----------------------------------------------------------------------------------------


def csv_number(value: Decimal, lang: str) -> str:
    """A number as a spreadsheet in that language reads it: no grouping, ``12,5`` in French."""
    text = format(value, "f")
    return text.replace(".", ",") if lang == "fr" else text


def to_csv(export: Export, lang: str | None) -> bytes:
    """One file, one row per activity, headings and words in the language, its separators."""
    lang = normalise_language(lang)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=DELIMITER[lang], lineterminator="\r\n")
    writer.writerow([HEADERS[lang][f] for f in FIELDS])
    for row in export.rows:
        values = localised_row(row, lang)
        writer.writerow([_csv_cell(values[f], lang) for f in FIELDS])
    return (BOM + out.getvalue()).encode("utf-8")


def _csv_cell(value: Any, lang: str) -> Any:
    if isinstance(value, Decimal):
        return csv_number(value, lang)
    return neutralise(value)


# -- XLSX ----------------------------------------------------------------------------------------


def to_xlsx(export: Export, lang: str | None) -> bytes:
    """A workbook: a summary sheet, one sheet per Carbon'Clap category, and the factors used."""
    from openpyxl import Workbook

    lang = normalise_language(lang)
    wb = Workbook()
    _summary(wb.active, export, lang)
    ws = wb.create_sheet(SHEETS[lang]["carbon_clap"])
    _clap_sheet(ws, export, lang)
    _finish(ws)
    for section in SECTIONS:
        ws = wb.create_sheet(SHEETS[lang][section])
        fields = SECTION_COLUMNS[section]
        ws.append([HEADERS[lang][f] for f in fields])
        for row in export.section(section):
            values = localised_row(row, lang)
            ws.append([values[f] for f in fields])
        _number_formats(ws, fields, [r.unit for r in export.section(section)])
        _finish(ws)
    ws = wb.create_sheet(SHEETS[lang]["factors"])
    fields = FACTOR_FIELDS
    ws.append([_FACTOR_HEADERS[lang][k] for k in fields])
    for f in export.factors:
        ws.append([_factor_cell(k, f[k], lang) for k in fields])
    for cell in ws["C"][1:]:
        cell.number_format = FACTOR_FORMAT
    _finish(ws)
    for sheet in wb.worksheets:  # every cell, whichever sheet or row put it there
        for line in sheet.iter_rows():
            for cell in line:
                if isinstance(cell.value, str):
                    cell.value = neutralise(cell.value)  # openpyxl would store "=..." as a formula
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _clap_sheet(ws: Any, export: Export, lang: str) -> None:
    """One block per Carbon'Clap category: its total, then each figure to key in with its trace."""
    from openpyxl.styles import Font

    headers = HEADERS[lang]
    columns = ("item", "label", "quantity", "unit", "method", "kgco2e", "factor_key", "factor_source",
               "factor_set_version")
    for category, total in clap_totals(export):
        ws.append([CLAP_NAMES[lang][category], kg(total)])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        rows = [r for r in export.rows if r.carbon_clap == category.value]
        if rows:
            ws.append([headers[f] for f in columns])
        for row in rows:
            values = localised_row(row, lang)
            ws.append([values[f] for f in columns])
        ws.append([])


def _factor_cell(key: str, value: Any, lang: str) -> Any:
    if key == "proxy":
        return vocabulary.yes_no(bool(value), lang)
    if key == "unit":
        return vocabulary.unit(str(value), lang, 1)
    if key == "year":
        return _year(str(value))
    return value


def _summary(ws: Any, export: Export, lang: str) -> None:
    from openpyxl.styles import Font

    words = SUMMARY[lang]
    ws.title = SHEETS[lang]["summary"]
    bal, p = export.balance, export.production
    ws.append([words["production"], p.id])
    ws.append([words["title"], p.title])
    ws.append([words["as_of"], bal.as_of])
    if bal.as_of:
        ws.cell(ws.max_row, 2).number_format = DATE_FORMAT[lang]
    ws.append([words["version"], bal.factor_set_version])
    ws.append([words["days"], f"{bal.shooting_days_done} / {bal.shooting_days_total}"])
    generated = export.generated_at.astimezone(p.zone).replace(tzinfo=None)  # a spreadsheet has no time zones
    ws.append([words["generated"], generated])
    ws.cell(ws.max_row, 2).number_format = DATETIME_FORMAT[lang]
    ws.append([])
    ws.append([words["category"], words["kgco2e"], words["tco2e"], words["forecast"]])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    first = ws.max_row + 1
    for c in bal.categories:
        ws.append([vocabulary.category(c.category.value, lang), kg(c.kgco2e), tonnes(c.kgco2e),
                   tonnes(c.forecast_kgco2e)])
    total = bal.total_kgco2e
    ws.append([words["total"], kg(total), tonnes(total), tonnes(bal.forecast_kgco2e)])
    ws.append([words["projected"], None, tonnes(bal.projected_total_kgco2e)])
    for line in ws.iter_rows(min_row=first, min_col=2, max_col=4):
        for cell in line:
            cell.number_format = KG_FORMAT if cell.column == 2 else TONNE_FORMAT
    _widths(ws)


def _number_formats(ws: Any, fields: Sequence[str], units: Sequence[str]) -> None:
    """Each number shown to its unit's precision (the quantity's unit per row), kg CO2e to the gram."""
    formats = {"kgco2e": KG_FORMAT, "factor_kgco2e_per_unit": FACTOR_FORMAT}
    for index, field in enumerate(fields, start=1):
        for row_number, unit in enumerate(units, start=2):
            cell = ws.cell(row_number, index)
            if field == "quantity":
                decimals = vocabulary.precision(unit)
                cell.number_format = "#,##0" + ("." + "0" * decimals if decimals else "")
            elif field in formats:
                cell.number_format = formats[field]


def _finish(ws: Any) -> None:
    from openpyxl.styles import Font

    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    if ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions
    _widths(ws)


def _widths(ws: Any) -> None:
    """Every column as wide as its longest value (within bounds), so nothing shows as ``###``."""
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(ws.iter_cols(), start=1):
        longest = max((_shown_length(c.value) for c in column), default=0)
        ws.column_dimensions[get_column_letter(index)].width = max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))


def _shown_length(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 11
    if isinstance(value, Decimal | float | int):
        return len(f"{value:,.3f}") if not isinstance(value, int) else len(f"{value:,}")
    return max((len(part) for part in _lines(str(value))), default=0)


def _lines(text: str) -> Iterable[str]:
    return text.splitlines() or [""]

"""Exports laid out by the categories of Carbon'Clap's forms, so the CNC filing is re-keying.

Transport by mode and fuel (km), meals by diet (count), generator litres by fuel, waste by stream
(kg): every row carries its kg CO2e, the factor that produced it, that factor's source and the
factor set's version. Three formats hold the same rows: XLSX (one sheet per category, a summary
and the factors), CSV (one file, a ``section`` column), JSON. The dashboard's download links and
``greenslate export`` both call :func:`build_export` then one writer.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from common.presenters import balance_dict
from domain.carbon import Balance
from domain.factors import FactorSet
from domain.model import Category, Production, ReportKind
from store import queries

FORMATS = ("xlsx", "csv", "json")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}

#: Sections in the order of Carbon'Clap's forms.
SECTIONS = ("transport", "catering", "energy", "waste")
SECTION_OF_KIND = {
    ReportKind.MILEAGE: "transport",
    ReportKind.MEALS: "catering",
    ReportKind.GENERATOR_HOURS: "energy",
    ReportKind.GENERATOR_LITRES: "energy",
    ReportKind.WASTE: "waste",
}

#: Row fields, in column order, shared by every section (some are empty for some sections).
FIELDS = (
    "section",
    "item",
    "label",
    "mode",
    "fuel",
    "quantity",
    "unit",
    "method",
    "kgco2e",
    "factor_key",
    "factor_kgco2e_per_unit",
    "factor_unit",
    "factor_source",
    "factor_year",
    "factor_proxy",
    "factor_set_version",
)

_HEADERS = {
    "fr": {
        "section": "Catégorie", "item": "Poste", "label": "Libellé", "mode": "Mode", "fuel": "Carburant",
        "quantity": "Quantité", "unit": "Unité", "method": "Méthode", "kgco2e": "kg CO2e",
        "factor_key": "Facteur", "factor_kgco2e_per_unit": "kg CO2e par unité",
        "factor_unit": "Unité du facteur",
        "factor_source": "Source du facteur", "factor_year": "Année", "factor_proxy": "Approximation",
        "factor_set_version": "Version du jeu de facteurs",
    },
    "en": {
        "section": "Category", "item": "Item", "label": "Label", "mode": "Mode", "fuel": "Fuel",
        "quantity": "Quantity", "unit": "Unit", "method": "Method", "kgco2e": "kg CO2e",
        "factor_key": "Factor", "factor_kgco2e_per_unit": "kg CO2e per unit", "factor_unit": "Factor unit",
        "factor_source": "Factor source", "factor_year": "Year", "factor_proxy": "Proxy",
        "factor_set_version": "Factor set version",
    },
}

_SHEETS = {
    "fr": {"summary": "Synthèse", "transport": "Transport", "catering": "Repas",
           "energy": "Groupes électrogènes", "waste": "Déchets", "factors": "Facteurs"},
    "en": {"summary": "Summary", "transport": "Transport", "catering": "Meals",
           "energy": "Generators", "waste": "Waste", "factors": "Factors"},
}

_SUMMARY = {
    "fr": {"production": "Production", "title": "Titre", "as_of": "Arrêté au",
           "version": "Version des facteurs", "category": "Catégorie", "kgco2e": "kg CO2e", "tco2e": "t CO2e",
           "forecast": "Prévisionnel t CO2e", "total": "Total", "days": "Jours de tournage faits / prévus",
           "projected": "Projection finale t CO2e",
           "generated": "Créé le"},
    "en": {"production": "Production", "title": "Title", "as_of": "As of", "version": "Factor set version",
           "category": "Category", "kgco2e": "kg CO2e", "tco2e": "t CO2e", "forecast": "Forecast t CO2e",
           "total": "Total", "days": "Shooting days done / planned", "projected": "Projected final t CO2e",
           "generated": "Generated at"},
}

_FACTOR_FIELDS = ("key", "description", "kgco2e_per_unit", "unit", "source", "source_detail", "year", "proxy",
                  "proxy_note", "factor_set_version")


@dataclass(frozen=True)
class ExportRow:
    section: str
    item: str  # vehicle id, meal type, generator id, waste stream
    label: str
    mode: str  # vehicle kind (transport)
    fuel: str  # vehicle fuel or generator fuel factor
    quantity: Decimal
    unit: str  # km, meal, litre, kg
    method: str  # measured | estimated (generator litres from hours)
    kgco2e: Decimal
    factor_key: str
    factor_kgco2e_per_unit: Decimal
    factor_unit: str
    factor_source: str
    factor_year: str
    factor_proxy: bool
    factor_set_version: str

    def as_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in FIELDS}


@dataclass(frozen=True)
class Export:
    production: Production
    balance: Balance
    rows: list[ExportRow]
    factors: list[dict[str, Any]]
    summary: dict[str, Any]
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def section(self, name: str) -> list[ExportRow]:
        return [r for r in self.rows if r.section == name]


def build_export(
    bind: queries.Bind, production: Production, factors: FactorSet, as_of: dt.date | None = None
) -> Export:
    """The export's rows, from activities summed in SQL, with the balance they add up to."""
    bal = queries.production_balance(bind, production, factors.version, as_of)
    totals = queries.activity_totals(bind, production.id, bal.as_of)
    rows = [_row(production, factors, t) for t in totals]
    order = {s: i for i, s in enumerate(SECTIONS)}
    rows.sort(key=lambda r: (order[r.section], r.item, r.method, r.factor_key))
    used = sorted({(r.factor_key, r.factor_set_version) for r in rows})
    factor_rows = []
    for key, version in used:
        f = factors.get(key) if key in factors else None
        trace = next(r for r in rows if r.factor_key == key and r.factor_set_version == version)
        factor_rows.append({
            "key": key,
            "description": f.description if f else "",
            "kgco2e_per_unit": trace.factor_kgco2e_per_unit,
            "unit": trace.factor_unit,
            "source": trace.factor_source,
            "source_detail": f.source_detail if f else "",
            "year": trace.factor_year,
            "proxy": trace.factor_proxy,
            "proxy_note": f.proxy_note if f else "",
            "factor_set_version": version,
        })
    return Export(production, bal, rows, factor_rows, balance_dict(production, bal, factors))


def _row(production: Production, factors: FactorSet, t: queries.ActivityTotal) -> ExportRow:
    label = mode = fuel = ""
    if t.kind is ReportKind.MILEAGE:
        with contextlib.suppress(KeyError):
            v = production.vehicle(t.subject)
            label, mode, fuel = v.label, v.kind, v.fuel
    elif t.kind in (ReportKind.GENERATOR_HOURS, ReportKind.GENERATOR_LITRES):
        with contextlib.suppress(KeyError):
            label = production.generator(t.subject).label
        fuel = t.trace.factor_key
        if t.trace.factor_key in factors:
            fuel = factors.get(t.trace.factor_key).description.split(",")[0].split("(")[0].strip()
    else:
        label = t.subject
    return ExportRow(
        section=SECTION_OF_KIND[t.kind],
        item=t.subject,
        label=label,
        mode=mode,
        fuel=fuel,
        quantity=t.quantity,
        unit=t.unit,
        method="estimated" if t.estimated else "measured",
        kgco2e=t.kgco2e,  # exact: the rows of a section add up to the balance's category
        factor_key=t.trace.factor_key,
        factor_kgco2e_per_unit=t.trace.kgco2e_per_unit,
        factor_unit=t.trace.unit,
        factor_source=t.trace.source,
        factor_year=t.trace.year,
        factor_proxy=t.trace.proxy,
        factor_set_version=t.trace.factor_set_version,
    )


def filename(export: Export, fmt: str) -> str:
    day = export.balance.as_of.isoformat() if export.balance.as_of else "empty"
    return f"greenslate-{export.production.id}-{day}.{fmt}"


def render(export: Export, fmt: str, lang: str | None = None) -> bytes:
    """The export as the bytes of an ``fmt`` file (xlsx, csv or json).

    With a language, XLSX and CSV are written for a person in that language
    (:mod:`common.localised_exports`); without one, the CSV is the plain machine-read file."""
    if fmt == "xlsx":
        return to_xlsx(export, lang)
    if fmt == "csv":
        if lang is None:
            return to_csv(export).encode("utf-8")
        from common import localised_exports

        return localised_exports.to_csv(export, lang)
    if fmt == "json":
        return to_json(export).encode("utf-8")
    raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")


# -- writers -------------------------------------------------------------------------------------


#: What a spreadsheet reads as the start of a formula (OWASP, "CSV injection"): a cell of text
#: starting with one of these, a label or a title from a production file say, must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, made plain text by a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return neutralise(value)


def to_csv(export: Export) -> str:
    """One file, one row per activity, a ``section`` column; field names are stable (English keys)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in export.rows:
        writer.writerow([_plain(v) for v in row.as_dict().values()])
    return out.getvalue()


def to_json(export: Export) -> str:
    data = {
        "format": "greenslate-export",
        "version": 1,
        "generated_at": export.generated_at.isoformat(),
        **export.summary,
        "sections": {s: [_json_row(r) for r in export.section(s)] for s in SECTIONS},
        "factors_used": [{k: _json_value(v) for k, v in f.items()} for f in export.factors],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def _json_value(value: Any) -> Any:
    return format(value, "f") if isinstance(value, Decimal) else value


def _json_row(row: ExportRow) -> dict[str, Any]:
    return {k: _json_value(v) for k, v in row.as_dict().items() if k != "section"}


def to_xlsx(export: Export, lang: str | None = None) -> bytes:
    """A workbook in ``lang`` (French by default): see :func:`common.localised_exports.to_xlsx`."""
    from common import localised_exports

    return localised_exports.to_xlsx(export, lang)


def _section_columns() -> dict[str, Sequence[str]]:
    trace = ("kgco2e", "factor_key", "factor_kgco2e_per_unit", "factor_unit", "factor_source", "factor_year",
             "factor_proxy", "factor_set_version")
    return {
        "transport": ("item", "label", "mode", "fuel", "quantity", "unit", *trace),
        "catering": ("item", "quantity", "unit", *trace),
        "energy": ("item", "label", "fuel", "quantity", "unit", "method", *trace),
        "waste": ("item", "quantity", "unit", *trace),
    }


def category_of_section(section: str) -> Category:
    return Category(section)

"""Exports laid out by the categories of Carbon'Clap's forms, so the CNC filing is re-keying.

Transport by mode and fuel (km), meals by diet (count), generator litres by fuel, waste by stream
(kg), and the whole footprint's kinds (legs, nights, kWh, litres at the pump, tonne-km, purchases,
post-production): every row carries its physical quantity and unit, its kg CO2e, the factor that
produced it, that factor's source and the factor set's version, and the Carbon'Clap budget category
it is keyed into (``common.carbon_clap``). Three formats hold the same rows: XLSX (one sheet per category, a summary
and the factors), CSV (one file, a ``section`` column), JSON. The dashboard's download links and
``greenslate export`` both call :func:`build_export` then one writer.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

from common import localised_exports
from common.carbon_clap import NAMES as CLAP_NAMES
from common.carbon_clap import clap_category
from common.export_rows import FIELDS, SECTIONS, Export, ExportRow, clap_totals, neutralise
from common.presenters import balance_dict, kg
from domain.factors import FactorSet
from domain.model import Category, Production, ReportKind, parse_travel_subject
from store import queries

FORMATS = ("xlsx", "csv", "json")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}

SECTION_OF_KIND = {kind: kind.category.value for kind in ReportKind}

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
    elif t.kind in (ReportKind.TRAVEL, ReportKind.FUEL, ReportKind.GRID_POWER):
        label, mode, fuel = _footprint_labels(production, t)
    else:
        label = t.subject
    return ExportRow(
        section=SECTION_OF_KIND[t.kind],
        carbon_clap=clap_category(t.kind, t.subject).value,
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


def _footprint_labels(production: Production, t: queries.ActivityTotal) -> tuple[str, str, str]:
    """Label, mode and fuel of a travel leg (its route), a vehicle's litres or a site's kWh."""
    if t.kind is ReportKind.TRAVEL:
        with contextlib.suppress(ValueError):
            mode, origin, destination = parse_travel_subject(t.subject)
            return (f"{origin}-{destination}" if origin else "", mode.value, "")
        return "", "", ""
    if t.kind is ReportKind.FUEL:
        with contextlib.suppress(KeyError):
            v = production.vehicle(t.subject)
            return v.label, v.kind, v.fuel
        return "", "", ""
    with contextlib.suppress(KeyError):
        return production.site(t.subject).label, "", ""
    return "", "", ""


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
        return localised_exports.to_csv(export, lang)
    if fmt == "json":
        return to_json(export).encode("utf-8")
    raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")


# -- writers -------------------------------------------------------------------------------------


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
        "carbon_clap": [{"category": c.value, "name_fr": CLAP_NAMES["fr"][c], "kgco2e": _json_value(kg(total))}
                        for c, total in clap_totals(export)],
        "factors_used": [{k: _json_value(v) for k, v in f.items()} for f in export.factors],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def _json_value(value: Any) -> Any:
    return format(value, "f") if isinstance(value, Decimal) else value


def _json_row(row: ExportRow) -> dict[str, Any]:
    return {k: _json_value(v) for k, v in row.as_dict().items() if k != "section"}


def to_xlsx(export: Export, lang: str | None = None) -> bytes:
    """A workbook in ``lang`` (French by default): see :func:`common.localised_exports.to_xlsx`."""
    return localised_exports.to_xlsx(export, lang)


def category_of_section(section: str) -> Category:
    return Category(section)

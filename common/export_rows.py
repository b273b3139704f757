"""What an export holds, whichever file it is written to: its sections, fields, headings and rows.

:mod:`common.exports` builds the rows and writes the JSON and the plain CSV;
:mod:`common.localised_exports` writes the XLSX and CSV a person opens. Both read the tables and
types here, so neither needs the other's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from common.carbon_clap import ClapCategory
from domain.carbon import Balance
from domain.model import Category, Production

#: Sections: the balance's categories, in their order.
SECTIONS = tuple(c.value for c in Category)

#: Row fields, in column order, shared by every section (some are empty for some sections).
FIELDS = (
    "section",
    "carbon_clap",
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

HEADERS = {
    "fr": {
        "section": "Catégorie", "carbon_clap": "Catégorie Carbon'Clap",
        "item": "Poste", "label": "Libellé", "mode": "Mode", "fuel": "Carburant",
        "quantity": "Quantité", "unit": "Unité", "method": "Méthode", "kgco2e": "kg CO2e",
        "factor_key": "Facteur", "factor_kgco2e_per_unit": "kg CO2e par unité",
        "factor_unit": "Unité du facteur",
        "factor_source": "Source du facteur", "factor_year": "Année", "factor_proxy": "Approximation",
        "factor_set_version": "Version du jeu de facteurs",
    },
    "en": {
        "section": "Category", "carbon_clap": "Carbon'Clap category",
        "item": "Item", "label": "Label", "mode": "Mode", "fuel": "Fuel",
        "quantity": "Quantity", "unit": "Unit", "method": "Method", "kgco2e": "kg CO2e",
        "factor_key": "Factor", "factor_kgco2e_per_unit": "kg CO2e per unit", "factor_unit": "Factor unit",
        "factor_source": "Factor source", "factor_year": "Year", "factor_proxy": "Proxy",
        "factor_set_version": "Factor set version",
    },
}

SHEETS = {
    "fr": {"summary": "Synthèse", "transport": "Transport", "catering": "Repas",
           "energy": "Énergie", "waste": "Déchets", "accommodation": "Hébergement", "purchases": "Achats",
           "post_production": "Post-production", "carbon_clap": "Carbon'Clap", "factors": "Facteurs"},
    "en": {"summary": "Summary", "transport": "Transport", "catering": "Meals",
           "energy": "Energy", "waste": "Waste", "accommodation": "Accommodation", "purchases": "Purchases",
           "post_production": "Post-production", "carbon_clap": "Carbon'Clap", "factors": "Factors"},
}

SUMMARY = {
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

FACTOR_FIELDS = ("key", "description", "kgco2e_per_unit", "unit", "source", "source_detail", "year", "proxy",
                 "proxy_note", "factor_set_version")

_TRACE = ("kgco2e", "factor_key", "factor_kgco2e_per_unit", "factor_unit", "factor_source", "factor_year",
          "factor_proxy", "factor_set_version")

#: The columns of each section's sheet, in order.
SECTION_COLUMNS: Mapping[str, Sequence[str]] = {
    "transport": ("item", "label", "mode", "fuel", "quantity", "unit", "method", *_TRACE),
    "catering": ("item", "quantity", "unit", *_TRACE),
    "energy": ("item", "label", "fuel", "quantity", "unit", "method", *_TRACE),
    "waste": ("item", "quantity", "unit", *_TRACE),
    "accommodation": ("item", "quantity", "unit", *_TRACE),
    "purchases": ("item", "carbon_clap", "quantity", "unit", "method", *_TRACE),
    "post_production": ("item", "quantity", "unit", *_TRACE),
}


@dataclass(frozen=True)
class ExportRow:
    section: str
    carbon_clap: str  # the Carbon'Clap budget category (common.carbon_clap.ClapCategory)
    item: str  # vehicle id, meal type, generator id, waste stream
    label: str
    mode: str  # vehicle kind (transport)
    fuel: str  # vehicle fuel or generator fuel factor
    quantity: Decimal
    unit: str  # km, meal, litre, kg
    method: str  # measured | estimated (generator litres from hours, a purchase from money spent)
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


def clap_totals(export: Export) -> list[tuple[ClapCategory, Decimal]]:
    """kg CO2e per Carbon'Clap category, in the forms' order (every category, zero when none)."""
    return [(c, sum((r.kgco2e for r in export.rows if r.carbon_clap == c.value), Decimal(0))) for c in ClapCategory]


#: What a spreadsheet reads as the start of a formula (OWASP, "CSV injection"): a cell of text
#: starting with one of these, a label or a title from a production file say, must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, made plain text by a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value

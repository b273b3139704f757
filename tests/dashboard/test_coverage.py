"""The overview's coverage block, in words in French and English (the browser test reads it on the page)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from common.production_file import load_production_file
from dashboard.coverage import block, coverage_lines, status
from domain.carbon import balance
from domain.model import Category
from tests.dashboard.conftest import example_file

#: The forecast of the four first categories, in t CO2e: 62.7 in all.
FOUR = {Category.TRANSPORT: Decimal("38.0"), Category.ENERGY: Decimal("9.5"), Category.CATERING: Decimal("14.0"),
        Category.WASTE: Decimal("1.2")}


def _balance(*measured: Category):
    production = replace(load_production_file(example_file()), forecast_tco2e=FOUR)
    empty = balance(production, "2026.2", [])
    return replace(empty, categories=tuple(replace(c, measured=c.category in measured) for c in empty.categories))


def test_coverage_lines_say_each_idea_once():
    bal = _balance(Category.TRANSPORT, Category.ENERGY, Category.POST_PRODUCTION)
    assert coverage_lines(bal.coverage, "fr") == [
        "Postes avec des chiffres mesurés : Transport, Énergie, Post-production.",
        "Postes seulement prévus, sans chiffre pour l'instant : Restauration, Déchets.",
        "Postes sans chiffre ni prévision : Hébergement, Achats.",
        "Les postes mesurés représentent 76 % de la prévision.",  # (38 + 9.5) / 62.7
    ]
    assert coverage_lines(_balance().coverage, "en") == [
        "No category has a measured figure yet.",
        "Categories with a forecast only, no figure yet: Transport, Energy, Catering, Waste.",
        "Categories with neither figures nor forecast: Accommodation, Purchases, Post-production.",
        "The measured categories stand for 0 % of the forecast.",
    ]
    assert [status(bal.coverage, c, "en") for c in (Category.TRANSPORT, Category.WASTE, Category.PURCHASES)] == [
        "Measured", "Forecast only", "Neither figures nor forecast"]


def test_coverage_block_is_a_titled_list():
    section = block(_balance(Category.CATERING), "en")
    title, items = section.children
    assert section.id == "coverage" and title.children == "What the balance covers"
    assert [li.children for li in items.children] == [
        "Categories with measured figures: Catering.",
        "Categories with a forecast only, no figure yet: Transport, Energy, Waste.",
        "Categories with neither figures nor forecast: Accommodation, Purchases, Post-production.",
        "The measured categories stand for 22 % of the forecast.",  # 14 / 62.7
    ]

"""The whole footprint on Discord: /balance says what the balance covers (the categories with figures,
those forecast only, those with neither, the share of the forecast measured); /missing names the new kinds,
and nights in a rental answer a prompt that named no lodging."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from bots.discord.texts import balance_text, coverage_lines, missing_text
from common.production_file import load_production_file
from domain.carbon import balance
from domain.model import Category, ReportKind
from domain.rollcall import roll_call
from tests.discord.conftest import MONDAY, PRODUCTION, example_file, paris, report
from tests.discord.interactions import payload, run_command
from tests.discord.test_texts import EVERYONE_LINKED
from tests.scheduler.test_footprint_prompts import with_footprint

FOUR_MEASURED = (Category.TRANSPORT, Category.CATERING)  # what the Discord fixtures record


def _measured(result, *categories):
    return replace(result, categories=tuple(replace(c, measured=c.category in categories) for c in result.categories))


#: The forecast of the four first categories, in t CO2e: 62.7 in all.
FOUR = {Category.TRANSPORT: Decimal("38.0"), Category.ENERGY: Decimal("9.5"), Category.CATERING: Decimal("14.0"),
        Category.WASTE: Decimal("1.2")}
FRENCH = {"transport": "Transport", "energy": "Énergie", "catering": "Repas", "waste": "Déchets",
          "accommodation": "Hébergement", "purchases": "Achats", "post_production": "Post-production"}


def test_coverage_in_words_in_french_and_english():
    production = replace(load_production_file(example_file()), forecast_tco2e=FOUR)
    empty = balance(production, "2026.2", [])
    assert coverage_lines(empty, "fr") == [
        "Ce que couvre ce bilan :",
        "- Aucun poste n'a encore de chiffre mesuré.",
        "- Seulement prévu, sans chiffre pour l'instant : Transport, Énergie, Repas, Déchets.",
        "- Ni chiffre ni prévision : Hébergement, Achats, Post-production.",
        "- Les postes mesurés représentent 0 % de la prévision.",
    ]
    measured = _measured(empty, Category.TRANSPORT, Category.CATERING, Category.PURCHASES)
    assert coverage_lines(measured, "en") == [
        "What this balance covers:",
        "- With measured figures: Transport, Catering, Purchases.",
        "- Forecast only, no figure yet: Energy, Waste.",
        "- Neither figures nor forecast: Accommodation, Post-production.",
        "- The measured categories stand for 83 % of the forecast.",  # (38 + 14) / 62.7
    ]
    no_forecast = replace(production, forecast_tco2e={})
    assert coverage_lines(balance(no_forecast, "2026.2", []), "en")[-1] == (
        "- No forecast: the measured share cannot be worked out.")
    assert "- Avec des chiffres mesurés : Transport, Repas, Achats." in balance_text(production, measured, "fr")


async def test_balance_command_shows_the_coverage(bot, server, app):
    sent = await run_command(bot, payload(bot, "balance", server.crew, server.general))
    text = sent.responses[-1].content
    # The seeded figures: Monday's mileage and meals; the rest as the reference file forecasts it.
    with app.uow() as uow:
        production = uow.productions.get(PRODUCTION)
    forecast = {c: v for c, v in production.forecast_tco2e.items() if v}
    assert "Ce que couvre ce bilan :\n- Avec des chiffres mesurés : Transport, Repas." in text
    forecast_only = [FRENCH[c.value] for c in Category if c in forecast and c not in FOUR_MEASURED]
    if forecast_only:
        assert f"- Seulement prévu, sans chiffre pour l'instant : {', '.join(forecast_only)}." in text
    neither = [FRENCH[c.value] for c in Category if c not in forecast and c not in FOUR_MEASURED]
    if neither:
        assert f"- Ni chiffre ni prévision : {', '.join(neither)}." in text
    share = sum(forecast.get(c, 0) for c in FOUR_MEASURED) / sum(forecast.values()) * 100
    assert f"- Les postes mesurés représentent {round(share)} % de la prévision." in text


def test_missing_names_the_new_kinds_and_nights_in_a_rental_answer_the_nights_prompt():
    production = with_footprint(load_production_file(example_file()))
    nights = report("karim", ReportKind.ACCOMMODATION, {"nights": "2"}, "rental:fr", "k-1")
    before = missing_text(production, roll_call(production, EVERYONE_LINKED, [], paris(MONDAY, 21)), "fr")
    assert "Karim Haddad : les nuits d'hôtel ou de location" in before.replace("\u202f", " ")
    assert "Léa Bernard : le compteur électrique de Plateau B" in before.replace("\u202f", " ")
    after = roll_call(production, EVERYONE_LINKED, [nights], paris(MONDAY, 21))
    assert ("karim", ReportKind.ACCOMMODATION) not in {(p.member_id, p.report) for p in after.pending}
    assert ("lea", ReportKind.GRID_POWER) in {(p.member_id, p.report) for p in after.pending}

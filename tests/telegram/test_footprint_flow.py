"""The whole footprint through the real bot: travel, nights, grid power, fuel, freight, purchases and
post-production; prompts with buttons, typed answers, recaps, refusals, questions back, corrections, undo."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal as D

import pytest

from config.factors import CURRENT_VERSION, catalogue
from domain.footprint_answers import FOOTPRINT_KINDS
from domain.model import (
    Assignment,
    Frequency,
    MeasuredBy,
    ReportKind,
    Site,
    SiteMode,
    TravelOptions,
    Vehicle,
)
from domain.usecases import load_production
from tests.telegram.conftest import reference_production

MON, FRI = dt.date(2027, 3, 1), dt.date(2027, 3, 5)
EVENING = dt.time(18)

TRAVEL, NIGHTS, FREIGHT = "karim:travel", "karim:accommodation", "karim:freight"
GRID, FUEL = "lea:grid_power:plateau", "amina:fuel:t3"
PURCHASES, POST = "sam:purchases", "sam:post_production"


def footprint_production():
    """The reference production with one assignment of every kind of the whole footprint."""
    production = reference_production()
    kept = tuple(a for a in production.assignments if a.report not in FOOTPRINT_KINDS)  # these tests' own below
    daily = {"frequency": Frequency.DAILY, "at": EVENING}
    weekly = {"frequency": Frequency.WEEKLY, "at": EVENING, "weekday": 4}
    return replace(
        production,
        sites=(Site("plateau", "Plateau B", SiteMode.METER, meter_start=D(12000)),),  # the only site here
        vehicles=(*(v for v in production.vehicles if v.id != "t3"),
                  Vehicle("t3", "Camion régie T3", "truck", "diesel", "diesel_road_fr", measured_by=MeasuredBy.LITRES)),
        assignments=(*kept,
                     Assignment("karim", ReportKind.TRAVEL, **daily),
                     Assignment("karim", ReportKind.ACCOMMODATION, **daily),
                     Assignment("karim", ReportKind.FREIGHT, **daily),
                     Assignment("lea", ReportKind.GRID_POWER, site="plateau", mode=SiteMode.METER, **daily),
                     Assignment("amina", ReportKind.FUEL, vehicle="t3", **daily),
                     Assignment("sam", ReportKind.PURCHASES, **weekly),
                     Assignment("sam", ReportKind.POST_PRODUCTION, **weekly)),
    )


@pytest.fixture
async def rig(make_telegram_rig, db_url):
    """The bot on SQLite and on PostgreSQL, with the footprint production loaded."""
    telegram_rig = await make_telegram_rig(db_url)
    load_production(telegram_rig.app.uow(), footprint_production())
    return telegram_rig


def _factors_missing(*keys: str):
    """Skip a recap test while the current factor set lacks the factors its figures need."""
    missing = [k for k in keys if k not in catalogue(CURRENT_VERSION).factors]
    return pytest.mark.skipif(bool(missing), reason=f"factor set {CURRENT_VERSION} has no {', '.join(missing)}")


def _stored(rig, member_id, kind):
    return [(r.subject, dict(r.values)) for r in rig.reports(member_id) if r.kind is kind]


async def test_travel_prompt_offers_modes_and_reads_a_typed_leg(rig):
    chat = await rig.join("karim")
    prompt = await rig.prompt("karim", TRAVEL, MON)
    assert prompt.plain.startswith("Aujourd'hui, lundi 1 mars, quels trajets depuis la dernière fois ?")
    assert "Par exemple : train grande vitesse 860 km 2 personnes" in prompt.plain
    labels = [label for label, _ in prompt.buttons]
    assert labels[:3] == ["Train grande vitesse", "Intercités", "Train régional"] and "Avion" in labels
    [recap] = await rig.say(chat, "avion 686 km 2 pers")
    assert recap.plain == ("Avion : 686 km aujourd'hui, pour 2 personnes.\n"
                           "Le calcul compte l'effet des traînées des avions.\nC'est enregistré ✅")
    assert _stored(rig, "karim", ReportKind.TRAVEL) == [("plane", {"km": D(686), "passengers": D(2)})]
    flight = rig.app.catalogue.factors.get("flight_shorthaul_fr")  # under 1,000 km, contrails counted
    transport = next(c for c in rig.balance().categories if c.category.value == "transport")
    assert transport.kgco2e == 686 * 2 * flight.kgco2e_per_unit
    [status] = await rig.say(chat, "/status")
    assert "Avion : 686 km aujourd'hui, pour 2 personnes." in status.plain


@_factors_missing("flight_shorthaul_norf")
async def test_a_production_counting_flights_without_contrails_says_so(rig):
    load_production(rig.app.uow(), replace(footprint_production(), travel=TravelOptions(radiative_forcing=False)))
    chat = await rig.join("karim")
    await rig.prompt("karim", TRAVEL, MON)
    [recap] = await rig.say(chat, "avion 686 km")
    assert "Le calcul ne compte pas l'effet des traînées des avions." in recap.plain
    flight = rig.app.catalogue.factors.get("flight_shorthaul_norf")
    transport = next(c for c in rig.balance().categories if c.category.value == "transport")
    assert transport.kgco2e == 686 * flight.kgco2e_per_unit


async def test_a_mode_button_then_the_figure(rig):
    chat = await rig.join("karim")
    prompt = await rig.prompt("karim", TRAVEL, MON)
    [question] = await rig.press(chat, prompt, "Train grande vitesse")
    assert question.plain.startswith("Train grande vitesse : combien de km ?")
    [recap] = await rig.say(chat, "1 720")
    assert recap.plain.startswith("Train grande vitesse : 1 720 km aujourd'hui, pour une personne.")
    assert "traînées" not in recap.plain  # said for flights only
    # The choice is spent: a second leg, in reply to the prompt, is an ordinary answer with its own mode.
    [again] = await rig.say(chat, "car 45 km 12 personnes", reply_to=prompt.message_id)
    assert again.plain.startswith("Car : 45 km aujourd'hui, pour 12 personnes.")
    assert sorted(_stored(rig, "karim", ReportKind.TRAVEL)) == [
        ("coach", {"km": D(45), "passengers": D(12)}), ("train_tgv", {"km": D(1720), "passengers": D(1)})]


async def test_a_leg_between_two_airports(rig):
    chat = await rig.join("karim")
    await rig.prompt("karim", TRAVEL, MON)
    [recap] = await rig.say(chat, "avion ory nce 2 pers")
    assert recap.plain.startswith("Avion : 770,6 km aujourd'hui, pour 2 personnes.\n"
                                  "Départ : Aéroport de Paris-Orly. Arrivée : Nice Cote d'Azur Airport.\n"
                                  "Les km sont à vol d'oiseau, avec le détour habituel.\n")
    assert _stored(rig, "karim", ReportKind.TRAVEL) == [("plane:ORY:NCE", {"km": D("770.6"), "passengers": D(2)})]


async def test_two_legs_the_same_day_add_up_and_each_can_be_undone(rig):
    chat = await rig.join("karim")
    prompt = await rig.prompt("karim", TRAVEL, MON)
    [outbound] = await rig.say(chat, "TGV 860 km 2 pers")
    [back] = await rig.say(chat, "TGV 860 km 2 pers", reply_to=prompt.message_id)  # the return: the same figure
    assert back.plain.endswith("C'est enregistré ✅")
    assert _stored(rig, "karim", ReportKind.TRAVEL) == [("train_tgv", {"km": D(860), "passengers": D(2)})] * 2
    tgv = rig.app.catalogue.factors.get("train_tgv_fr").kgco2e_per_unit
    transport = next(c for c in rig.balance().categories if c.category.value == "transport")
    assert transport.kgco2e == 2 * 860 * 2 * tgv
    await rig.press(chat, outbound, "Annuler")
    assert _stored(rig, "karim", ReportKind.TRAVEL) == [("train_tgv", {"km": D(860), "passengers": D(2)})]


async def test_travel_refusals_store_nothing_and_an_unclear_number_is_asked(rig):
    chat = await rig.join("karim")
    await rig.prompt("karim", TRAVEL, MON)
    [no_mode] = await rig.say(chat, "860 km")
    assert no_mode.plain.startswith("Je ne sais pas de quel type il s'agit.\nÉcrivez l'un de ceux-ci : "
                                    "Train grande vitesse, Intercités, Train régional, Car, Avion, Ferry.")
    [negative] = await rig.say(chat, "avion -686 km")
    assert "Par exemple : train grande vitesse 860 km 2 personnes" in negative.plain
    assert _stored(rig, "karim", ReportKind.TRAVEL) == []
    [question] = await rig.say(chat, "avion 1.500 km 2 pers")
    assert "1 500" in question.plain and "1,5" in question.plain
    [recap] = await rig.press(chat, question, "1 500")
    assert recap.plain.startswith("Avion : 1 500 km aujourd'hui, pour 2 personnes.")
    assert _stored(rig, "karim", ReportKind.TRAVEL) == [("plane", {"km": D(1500), "passengers": D(2)})]


async def test_an_unusual_figure_needs_a_yes_and_no_passenger_is_refused(rig):
    chat = await rig.join("karim")
    prompt = await rig.prompt("karim", TRAVEL, MON)
    [question] = await rig.say(chat, "avion 25 000 km")
    assert question.plain == "25 000 kilomètres, c'est beaucoup.\nEst-ce juste ?"
    assert _stored(rig, "karim", ReportKind.TRAVEL) == []
    [recap] = await rig.press(chat, question, "Oui")
    assert recap.plain.startswith("Avion : 25 000 km aujourd'hui")
    [nobody] = await rig.say(chat, "car 45 km 0 personne", reply_to=prompt.message_id)
    assert nobody.plain.startswith("Un trajet compte au moins une personne.")
    assert _stored(rig, "karim", ReportKind.TRAVEL) == [("plane", {"km": D(25000), "passengers": D(1)})]
    [question] = await rig.press(chat, prompt, "Avion")
    [ask] = await rig.say(chat, "21 000 km")
    [recap] = await rig.press(chat, ask, "Oui")
    assert recap.plain.startswith("Avion : 21 000 km aujourd'hui")
    [after] = await rig.say(chat, "300")  # the choice is spent once its figure is stored
    assert after.plain.startswith("Je n'attends pas de chiffre de votre part")
    chat = await rig.join("sam", "en")
    purchases = await rig.prompt("sam", PURCHASES, FRI)
    [many] = await rig.say(chat, "timber 200 000 kg", reply_to=purchases.message_id)
    assert many.plain == "timber: 200,000 kilos is a lot.\nIs it right?"


async def test_travel_correction_keeps_the_mode_unless_another_is_typed_and_undo(rig):
    chat = await rig.join("karim")
    await rig.prompt("karim", TRAVEL, MON)
    [recap] = await rig.say(chat, "avion 686 km")
    [_ask] = await rig.press(chat, recap, "Corriger")
    [fixed] = await rig.say(chat, "700 km")
    assert fixed.plain.startswith("Avion : 700 km aujourd'hui") and fixed.plain.endswith("C'est corrigé ✅")
    assert _stored(rig, "karim", ReportKind.TRAVEL) == [("plane", {"km": D(700), "passengers": D(1)})]
    [ask] = await rig.press(chat, fixed, "Corriger")
    assert ask.plain.startswith("Écrivez le bon chiffre")
    [by_train] = await rig.say(chat, "TGV 700 km")
    assert by_train.plain.startswith("Train grande vitesse : 700 km")
    assert _stored(rig, "karim", ReportKind.TRAVEL) == [("train_tgv", {"km": D(700), "passengers": D(1)})]
    [undone] = await rig.press(chat, by_train, "Annuler")
    assert undone.plain.startswith("C'est annulé.")
    assert _stored(rig, "karim", ReportKind.TRAVEL) == []
    assert len(rig.reports("karim", active=False)) == 4  # the history keeps every version


async def test_an_answer_goes_to_the_one_unanswered_prompt_it_reads_as(rig):
    chat = await rig.join("karim")
    for key in (TRAVEL, FREIGHT, NIGHTS):  # three prompts at once, the nights prompt last
        await rig.prompt("karim", key, MON)
    [leg] = await rig.say(chat, "avion 686 km")  # not nights: a leg, the one prompt it reads as
    assert leg.plain.startswith("Avion : 686 km aujourd'hui")
    [truck] = await rig.say(chat, "semi 420 km")
    assert truck.plain.startswith("Semi-remorque : 420 km aujourd'hui.")
    [unclear] = await rig.say(chat, "12")  # reads as none of them: the newest prompt says what it expects
    assert unclear.plain.startswith("Je ne sais pas de quel type il s'agit.\nÉcrivez l'un de ceux-ci : Hôtel")
    assert _stored(rig, "karim", ReportKind.TRAVEL) == [("plane", {"km": D(686), "passengers": D(1)})]
    assert _stored(rig, "karim", ReportKind.FREIGHT) == [("articulated", {"vkm": D(420)})]
    assert _stored(rig, "karim", ReportKind.ACCOMMODATION) == []


async def test_nights_freight_purchases_and_post_production_prompts_and_buttons(rig):
    chat = await rig.join("karim")
    prompt = await rig.prompt("karim", NIGHTS, MON)
    assert "combien de nuits d'hôtel ou de location" in prompt.plain
    assert "Par exemple : hôtel 3 étoiles 12 nuits" in prompt.plain
    assert [label for label, _ in prompt.buttons] == [
        "Hôtel économique", "Hôtel milieu de gamme", "Hôtel haut de gamme", "Location"]
    [question] = await rig.press(chat, prompt, "Location")
    assert question.plain == ("Location : combien de nuits ?\nAjoutez le pays si ce n'est pas la France, "
                              "ou touchez-le. Par exemple : 12 nuits Europe")
    assert [label for label, _ in question.buttons] == ["en France", "en Europe", "hors d'Europe"]
    [half] = await rig.say(chat, "2,5")
    assert half.plain == "Ce nombre doit être entier.\nPar exemple : hôtel 3 étoiles 12 nuits"
    freight = await rig.prompt("karim", FREIGHT, MON)
    assert [label for label, _ in freight.buttons][-1] == "Coursier"
    [no_class] = await rig.say(chat, "420 km", reply_to=freight.message_id)
    assert "Utilitaire, Petit porteur, Gros porteur, Semi-remorque, Coursier" in no_class.plain
    chat = await rig.join("sam", "en")
    purchases = await rig.prompt("sam", PURCHASES, FRI)
    assert purchases.plain.startswith("On Friday 5 March, what did you buy or rent?")
    labels = [label for label, _ in purchases.buttons]
    # Only what the factor set can count: no paint by mass nor props per item (no source gives them).
    assert labels == ["timber", "steel", "plaster", "textile", "new costumes", "second-hand costumes",
                      "rented costumes"]
    [unknown] = await rig.say(chat, "marble 20 kg", reply_to=purchases.message_id)
    assert "marble" in unknown.plain and "timber" in unknown.plain
    [paint] = await rig.say(chat, "paint 20 kg", reply_to=purchases.message_id)
    assert "paint" in paint.plain and "timber, steel, plaster" in paint.plain
    post = await rig.prompt("sam", POST, FRI)
    assert [label for label, _ in post.buttons] == ["editing", "grading", "storage"]
    [question] = await rig.press(chat, post, "storage")
    assert question.plain.startswith("storage: what quantity, in terabytes per month?")
    assert rig.reports("karim") == [] and rig.reports("sam") == []


@_factors_missing("accommodation_hotel_midscale_eu", "accommodation_rental_fr", "freight_articulated_vkm",
                  "freight_courier_tkm")
async def test_nights_and_freight_in_french(rig):
    chat = await rig.join("karim")
    prompt = await rig.prompt("karim", NIGHTS, MON)
    [recap] = await rig.say(chat, "hôtel 3 étoiles 12 nuits Europe", reply_to=prompt.message_id)
    assert recap.plain.startswith("12 nuits aujourd'hui : Hôtel milieu de gamme, en Europe.")
    [question] = await rig.press(chat, prompt, "Location")
    assert question.plain.startswith("Location : combien de nuits ?")
    [recap] = await rig.say(chat, "4")
    assert recap.plain.startswith("4 nuits aujourd'hui : Location, en France.")
    [question] = await rig.press(chat, prompt, "Hôtel économique")
    [zone] = await rig.press(chat, question, "hors d'Europe")
    assert zone.plain.startswith("Hôtel économique, hors d'Europe : combien de nuits ?")
    [recap] = await rig.say(chat, "3")
    assert recap.plain.startswith("3 nuits aujourd'hui : Hôtel économique, hors d'Europe.")
    assert sorted(_stored(rig, "karim", ReportKind.ACCOMMODATION)) == [
        ("hotel_budget:world", {"nights": D(3)}), ("hotel_midscale:eu", {"nights": D(12)}),
        ("rental:fr", {"nights": D(4)})]
    [late] = await rig.press(chat, question, "en Europe")  # the question was answered: nothing to apply it to
    assert late.plain.startswith("Cette question est déjà réglée.")
    freight = await rig.prompt("karim", FREIGHT, MON)
    [question] = await rig.press(chat, freight, "Semi-remorque")
    [recap] = await rig.say(chat, "420 km")
    assert recap.plain.startswith("Semi-remorque : 420 km aujourd'hui.")
    [courier] = await rig.say(chat, "coursier 35 t.km", reply_to=freight.message_id)
    assert courier.plain.startswith("Coursier : 35 tonnes-km aujourd'hui.")
    assert sorted(_stored(rig, "karim", ReportKind.FREIGHT)) == [
        ("articulated", {"vkm": D(420)}), ("courier", {"tkm": D(35)})]


async def test_grid_meter_like_an_odometer_and_fuel_at_the_pump(rig):
    chat = await rig.join("lea")
    prompt = await rig.prompt("lea", GRID, MON)
    assert prompt.plain.startswith("Aujourd'hui, lundi 1 mars, que dit le compteur électrique de Plateau B ?")
    assert "Par exemple : 12 085" in prompt.plain  # on the site's own scale: it started at 12 000
    [recap] = await rig.say(chat, "12 085")
    assert recap.plain.startswith("Compteur de Plateau B : 12 085 kWh.\nCela fait 85 kWh aujourd'hui.")
    assert _stored(rig, "lea", ReportKind.GRID_POWER) == [("plateau", {"meter": D(12085)})]
    chat = await rig.join("amina")
    fuel = await rig.prompt("amina", FUEL, MON)
    assert "combien de litres avez-vous mis dans Camion régie T3 ?" in fuel.plain
    [recap] = await rig.say(chat, "45,5 l", reply_to=fuel.message_id)
    assert recap.plain.startswith("45,5 litres mis dans Camion régie T3 aujourd'hui.")
    assert _stored(rig, "amina", ReportKind.FUEL) == [("t3", {"litres": D("45.5")})]


@_factors_missing("material_timber_kg", "costume_new_item", "edit_suite_day")
async def test_purchases_and_post_production_in_english(rig):
    chat = await rig.join("sam", "en")
    prompt = await rig.prompt("sam", PURCHASES, FRI)
    [recap] = await rig.say(chat, "timber 350 kg, new costumes 4", reply_to=prompt.message_id)
    assert recap.plain.startswith("Purchases on Friday 5 March: timber 350 kilos, new costumes 4 items.")
    post = await rig.prompt("sam", POST, FRI)
    [question] = await rig.press(chat, post, "editing")
    assert question.plain.startswith("editing: what quantity, in days?")
    [recap] = await rig.say(chat, "5")
    assert recap.plain.startswith("Post-production on Friday 5 March: editing 5 days.")
    assert _stored(rig, "sam", ReportKind.PURCHASES) == [(None, {"timber": D(350), "costume_new": D(4)})]
    assert _stored(rig, "sam", ReportKind.POST_PRODUCTION) == [(None, {"edit_suite_days": D(5)})]


async def test_a_figure_without_a_factor_is_refused_in_words_and_not_stored(rig):
    production = footprint_production()
    load_production(rig.app.uow(), replace(production, sites=(Site("plateau", "Plateau B", SiteMode.KWH,
                                                                   factor="electricity_nowhere"),)))
    chat = await rig.join("lea")
    await rig.prompt("lea", GRID, MON)
    [refusal] = await rig.say(chat, "+85")
    assert refusal.plain == ("Ce chiffre ne peut pas encore être compté.\nRien n'est enregistré.\n"
                             "Prévenez la personne qui suit le bilan carbone.")
    assert _stored(rig, "lea", ReportKind.GRID_POWER) == []


async def test_the_welcome_lists_the_new_tasks(rig):
    rig.server.add_user(1002, "Karim", "fr")
    [welcome] = await rig.say(1002, f"/start {rig.invite('karim')}")
    assert "- les trajets en train, avion, car ou bateau, chaque jour de tournage à 18 h 00." in welcome.plain
    assert "- les nuits d'hôtel ou de location" in welcome.plain

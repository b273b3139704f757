"""Typed answers for the whole footprint: the choice from a word or a button, the numbers the French or
English way, and a clear refusal (nothing guessed) when something is missing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from functools import partial

import pytest

from config.places import load_places
from domain.answers import parse_answer
from domain.errors import AmbiguousNumber, InvalidReport, NotANumber
from domain.footprint_answers import (
    choices,
    parse_accommodation,
    parse_footprint,
    parse_freight,
    parse_fuel,
    parse_grid_power,
    parse_post_production,
    parse_purchases,
    parse_travel,
)
from domain.model import Assignment, Frequency, ReportKind, SiteMode, TravelMode
from domain.places import leg_km


@pytest.mark.parametrize(("text", "chosen", "subject", "km", "passengers"), [
    ("TGV 860 km 2 pers", None, "train_tgv", D(860), D(2)),
    ("train grande vitesse 860 km 2 personnes", None, "train_tgv", D(860), D(2)),
    ("high-speed train 860 km 2 people", None, "train_tgv", D(860), D(2)),
    ("avion 686 km x3", None, "plane", D(686), D(3)),
    ("Ouigo 1 200 km", None, "train_tgv", D(1200), D(1)),
    ("car 45,5 km", None, "coach", D("45.5"), D(1)),
    ("Plane 686.5 km, 4 passengers", None, "plane", D("686.5"), D(4)),
    ("860", "train_tgv", "train_tgv", D(860), D(1)),
    ("ferry 120 km", "plane", "ferry", D(120), D(1)),  # a word typed wins over a button pressed before
    ("ter 45 3", None, "train_ter", D(45), D(3)),
])
def test_travel_reads_mode_km_and_passengers(text, chosen, subject, km, passengers):
    answer = parse_travel(text, chosen)
    assert (answer.kind, answer.subject, dict(answer.values)) == (
        ReportKind.TRAVEL, subject, {"km": km, "passengers": passengers})


def test_travel_between_two_places_works_out_the_km():
    places = load_places()
    flight = parse_travel("avion ORY NCE 2 pers", None, places)
    assert (flight.subject, dict(flight.values)) == ("plane:ORY:NCE", {"km": D("770.6"), "passengers": D(2)})
    assert flight.values["km"] == leg_km(places[("airport", "ORY")], places[("airport", "NCE")], TravelMode.PLANE)
    train = parse_travel("ply msc", "train_tgv", places)  # a button's mode, codes in any case
    assert train.subject == "train_tgv:PLY:MSC" and train.values["passengers"] == 1
    assert parse_travel("avion 686 km", None, places).subject == "plane"  # a distance: no places
    with pytest.raises(InvalidReport):
        parse_travel("avion ORY NCE 2 3", None, places)


@pytest.mark.parametrize(("parse", "text", "reason"), [
    (parse_travel, "avion -686 km", "negative"),
    (parse_travel, "avion 686 km 1,5 pers", "not_whole"),
    (parse_accommodation, "5 nuits", "no_choice"),
    (parse_accommodation, "hotel 5 nuits 3 nuits", "no_item"),
    (parse_accommodation, "location 2,5 nuits", "not_whole"),
    (partial(parse_grid_power, mode=SiteMode.KWH), "85 km", "wrong_unit"),
    (parse_fuel, "45 km", "wrong_unit"),
    (parse_purchases, "2,5 costumes neufs", "not_whole"),
    (parse_purchases, "marbre 20 kg", "unknown_item"),
    (parse_purchases, "20", "no_item"),
])
def test_refusals_say_what_is_wrong(parse, text, reason):
    with pytest.raises(InvalidReport) as refused:
        parse(text)
    assert refused.value.params["reason"] == reason


def test_travel_refusals_say_what_is_missing():
    with pytest.raises(InvalidReport) as no_mode:
        parse_travel("860 km")
    assert no_mode.value.params["reason"] == "no_choice"
    assert "plane" in no_mode.value.params["expected"]
    with pytest.raises(NotANumber):
        parse_travel("avion")
    with pytest.raises(AmbiguousNumber) as ambiguous:
        parse_travel("avion 1.500 km")
    assert ambiguous.value.params["choices"] == (D(1500), D("1.5"))


@pytest.mark.parametrize(("text", "chosen", "subject", "nights"), [
    ("hôtel 3 étoiles 12 nuits Europe", None, "hotel_midscale:eu", D(12)),
    ("3-star hotel 12 nights", None, "hotel_midscale:fr", D(12)),
    ("hotel 2 nuits", None, "hotel_midscale:fr", D(2)),
    ("airbnb 5 nuits monde", None, "rental:world", D(5)),
    ("4 nuits", "rental", "rental:fr", D(4)),
    ("4 nuits", "rental:eu", "rental:eu", D(4)),
    ("hôtel haut de gamme 1 nuit", None, "hotel_upscale:fr", D(1)),
    ("budget hotel 6 nights abroad", None, "hotel_budget:world", D(6)),
])
def test_accommodation_reads_lodging_zone_and_nights(text, chosen, subject, nights):
    answer = parse_accommodation(text, chosen)
    assert (answer.subject, dict(answer.values)) == (subject, {"nights": nights})


def test_grid_power_reads_a_meter_or_kwh():
    assert dict(parse_grid_power("12 480", SiteMode.METER).values) == {"meter": D(12480)}
    assert dict(parse_grid_power("+85", SiteMode.METER).values) == {"kwh": D(85)}
    assert dict(parse_grid_power("85 kWh", SiteMode.KWH).values) == {"kwh": D(85)}
    assert dict(parse_grid_power("85,5", SiteMode.KWH).values) == {"kwh": D("85.5")}


def test_fuel_reads_litres():
    assert dict(parse_fuel("45,5 l").values) == {"litres": D("45.5")}
    assert dict(parse_fuel("45").values) == {"litres": D(45)}


@pytest.mark.parametrize(("text", "chosen", "subject", "values"), [
    ("semi 420 km", None, "articulated", {"vkm": D(420)}),
    ("coursier 35 t.km", None, "courier", {"tkm": D(35)}),
    ("courier 35 tonne-km", None, "courier", {"tkm": D(35)}),
    ("gros porteur 300", None, "rigid_large", {"vkm": D(300)}),
    ("petit porteur 120 km", None, "rigid_small", {"vkm": D(120)}),
    ("300 km", "van", "van", {"vkm": D(300)}),
])
def test_freight_reads_class_and_distance(text, chosen, subject, values):
    answer = parse_freight(text, chosen)
    assert (answer.subject, dict(answer.values)) == (subject, values)


def test_purchases_read_items_in_either_order():
    assert dict(parse_purchases("bois 350 kg, costumes neufs 4").values) == {"timber": D(350), "costume_new": D(4)}
    assert dict(parse_purchases("350 kg timber, 4 rented costumes").values) == {
        "timber": D(350), "costume_rented": D(4)}
    assert dict(parse_purchases("3 accessoires d'occasion").values) == {"prop_secondhand": D(3)}
    assert dict(parse_purchases("1 500 € services", spend_categories=["services"]).values) == {
        "spend_services": D(1500)}
    assert dict(parse_purchases("12,5", "paint").values) == {"paint": D("12.5")}


def test_post_production_reads_each_item():
    assert dict(parse_post_production("montage 5 étalonnage 2").values) == {
        "edit_suite_days": D(5), "grading_suite_days": D(2)}
    assert dict(parse_post_production("storage 3 TB").values) == {"storage_tb_months": D(3)}
    assert dict(parse_post_production("4", "grading_suite_days").values) == {"grading_suite_days": D(4)}


def test_parse_answer_reads_every_kind_of_the_footprint():
    at = dt.time(18)
    travel = Assignment("paul", ReportKind.TRAVEL, Frequency.WEEKLY, at, weekday=4)
    assert parse_answer("avion 686 km", travel).subject == "plane"
    grid = Assignment("lea", ReportKind.GRID_POWER, Frequency.DAILY, at, site="studio", mode=SiteMode.KWH)
    assert dict(parse_footprint("85", grid).values) == {"kwh": D(85)}
    with pytest.raises(NotANumber):
        parse_footprint("  ", grid)


def test_choices_offered_as_buttons():
    assert choices(ReportKind.TRAVEL)[0] == "train_tgv" and "plane" in choices(ReportKind.TRAVEL)
    assert choices(ReportKind.ACCOMMODATION) == ["hotel_budget", "hotel_midscale", "hotel_upscale", "rental"]
    assert choices(ReportKind.PURCHASES, ["services"])[-1] == "spend_services"
    assert choices(ReportKind.FUEL) == [] and choices(ReportKind.GRID_POWER) == []

"""The whole footprint's kinds: travel, accommodation, grid power, fuel, freight, purchases, post-production.

Where the shipped factor set has the factor, the expected figure is the published value times the
quantity, written out. Factors that the set does not carry yet are given here as plainly made-up
test factors (``TEST``), so the engine's arithmetic and the factor key it picks are checked anyway.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal as D

import pytest

from domain.carbon import (
    balance,
    compute_lines,
    counts_radiative_forcing,
    plane_haul,
    travel_factor_key,
)
from domain.checks import check_plausible, check_subject, check_values
from domain.errors import InvalidReport, NeedsConfirmation
from domain.factors import EmissionFactor, FactorSet
from domain.model import (
    Category,
    Lodging,
    MeasuredBy,
    Production,
    ReportKind,
    Site,
    SiteMode,
    TravelMode,
    TravelOptions,
    Vehicle,
    Zone,
    accommodation_subject,
    parse_travel_subject,
    purchase_factor_key,
    travel_subject,
)
from domain.places import Place, great_circle_km, leg_km
from domain.usecases import Catalogue
from tests.domain.conftest import make_report

MON, TUE = dt.date(2027, 3, 1), dt.date(2027, 3, 2)

#: Made-up values for keys the shipped set may not carry yet: round numbers, easy to check by hand.
TEST = {
    "spend_services_eur": ("eur", "0.1"),
}


@pytest.fixture
def factors(cat: Catalogue) -> FactorSet:
    shipped = dict(cat.factors.as_mapping())
    for key, (unit, value) in TEST.items():
        shipped.setdefault(key, EmissionFactor(key, "test", "test factor", unit, D(value), "test", "", "2026"))
    return FactorSet("test", shipped.values())


@pytest.fixture
def footprint(production: Production) -> Production:
    return replace(
        production,
        vehicles=(*production.vehicles,
                  Vehicle("car3", "Car 3", "car", "diesel", "car_diesel_compact_fr", measured_by=MeasuredBy.LITRES)),
        sites=(Site("studio", "Studio meter", SiteMode.METER, D(1000)), Site("hook", "Mains hook-up", SiteMode.KWH)),
    )


def value(factors: FactorSet, key: str) -> D:
    return factors.get(key).kgco2e_per_unit


def test_a_train_leg_is_km_times_passengers_times_the_published_factor(footprint, factors):
    report = make_report(ReportKind.TRAVEL, MON, {"km": 860, "passengers": 3}, subject="train_tgv")
    [line] = compute_lines(footprint, factors, None, [report])  # type: ignore[arg-type]
    # ADEME Impact CO2 TGV: 0.00293 kg CO2e per passenger-km
    assert line.quantity == D(2580) and line.unit == "passenger-km"
    assert line.kgco2e == D("2580") * D("0.00293") == D("7.55940")
    assert line.category is Category.TRANSPORT and line.trace.factor_key == "train_tgv_fr"


def test_a_flight_takes_its_haul_band_and_says_whether_it_counts_radiative_forcing(footprint, factors):
    assert [plane_haul(D(km)) for km in (999, 1000, 2000, 2001)] == ["short", "medium", "medium", "long"]
    assert travel_factor_key(TravelMode.PLANE, D(700)) == "flight_shorthaul_fr"
    assert travel_factor_key(TravelMode.PLANE, D(700), radiative_forcing=False) == "flight_shorthaul_norf"
    assert travel_factor_key(TravelMode.PLANE, D(5000)) == "flight_longhaul_fr"
    leg = make_report(ReportKind.TRAVEL, MON, {"km": 1200}, subject="plane")
    [line] = compute_lines(footprint, factors, None, [leg])  # type: ignore[arg-type]
    assert line.trace.factor_key == "flight_mediumhaul_fr" and counts_radiative_forcing(line.trace.factor_key)
    assert line.kgco2e == D(1200) * D("0.184661")
    without = replace(footprint, travel=TravelOptions(radiative_forcing=False))
    short = make_report(ReportKind.TRAVEL, MON, {"km": 700}, subject="plane")
    [line] = compute_lines(without, factors, None, [short])  # type: ignore[arg-type]
    assert line.trace.factor_key == "flight_shorthaul_norf" and counts_radiative_forcing(line.trace.factor_key) is False
    assert counts_radiative_forcing("train_tgv_fr") is None


def test_a_leg_from_two_places_is_the_great_circle_with_the_mode_detour():
    paris = Place("PAR", "Paris Gare de Lyon", "station", D("48.8443"), D("2.3744"))
    nice = Place("NCE", "Nice", "airport", D("43.6584"), D("7.2159"))
    gcd = great_circle_km(paris, nice)
    assert D(680) < gcd < D(690)  # Paris-Nice is about 686 km as the crow flies
    assert leg_km(paris, nice, TravelMode.PLANE) == gcd + 95  # ISO 14083: great-circle + 95 km
    assert leg_km(paris, nice, TravelMode.TRAIN_TGV) == (gcd * D("1.2")).quantize(D("0.1"))
    assert leg_km(paris, nice, TravelMode.COACH) == (gcd * D("1.5")).quantize(D("0.1"))
    assert travel_subject(TravelMode.PLANE, "ory", "nce") == "plane:ORY:NCE"
    assert parse_travel_subject("plane:ORY:NCE") == (TravelMode.PLANE, "ORY", "NCE")
    assert parse_travel_subject("coach") == (TravelMode.COACH, None, None)


def test_accommodation_grid_fuel_freight_purchases_and_post_production(footprint, factors):
    reports = [
        make_report(ReportKind.ACCOMMODATION, MON, {"nights": 12},
                    subject=accommodation_subject(Lodging.HOTEL_MIDSCALE, Zone.FR)),
        make_report(ReportKind.GRID_POWER, MON, {"meter": 1085}, subject="studio"),
        make_report(ReportKind.GRID_POWER, TUE, {"meter": 1200}, subject="studio"),
        make_report(ReportKind.GRID_POWER, TUE, {"kwh": 40}, subject="hook"),
        make_report(ReportKind.FUEL, MON, {"litres": 45}, subject="car3"),
        make_report(ReportKind.FREIGHT, MON, {"tkm": 1500}, subject="rigid_large"),
        make_report(ReportKind.FREIGHT, TUE, {"vkm": 80}, subject="van"),
        make_report(ReportKind.PURCHASES, MON, {"timber": 350, "costume_new": 4, "spend_services": 1500}),
        make_report(ReportKind.POST_PRODUCTION, TUE, {"edit_suite_days": 5, "storage_tb_months": 2}),
    ]
    lines = compute_lines(footprint, factors, None, reports)  # type: ignore[arg-type]
    by_key = {(ln.trace.factor_key, ln.subject): ln for ln in lines}
    assert by_key[("accommodation_hotel_midscale_fr", "hotel_midscale:fr")].kgco2e == 12 * value(
        factors, "accommodation_hotel_midscale_fr")
    studio = [ln for ln in lines if ln.subject == "studio"]
    assert [ln.quantity for ln in studio] == [D(85), D(115)]  # readings like an odometer, from the start 1000
    assert studio[0].kgco2e == D(85) * D("0.0461")  # electricity_fr_2025, ADEME Base Empreinte
    assert by_key[("electricity_fr_2025", "hook")].kgco2e == D(40) * D("0.0461")
    assert by_key[("diesel_road_fr", "car3")].kgco2e == D(45) * D("3.17")  # arrêté du 26 avril 2017
    assert by_key[("freight_rigid_large_tkm", "rigid_large")].unit == "tonne-km"
    assert by_key[("freight_van_vkm", "van")].quantity == D(80)
    timber = by_key[("material_timber_kg", "timber")]
    assert timber.category is Category.PURCHASES and timber.kgco2e == 350 * value(factors, "material_timber_kg")
    assert by_key[("costume_new_item", "costume_new")].unit == "item"
    spend = by_key[("spend_services_eur", "spend_services")]
    assert spend.estimated and spend.unit == "eur"  # the least precise method, marked on the line
    assert by_key[("edit_suite_day", "edit_suite_days")].category is Category.POST_PRODUCTION
    assert by_key[("storage_tb_month", "storage_tb_months")].kgco2e == 2 * value(factors, "storage_tb_month")
    assert purchase_factor_key("steel") == "material_steel_kg"


def test_the_balance_shows_its_coverage_and_projects_each_category(footprint, factors):
    footprint = replace(footprint, forecast_tco2e={Category.TRANSPORT: D(2), Category.PURCHASES: D(3),
                                                   Category.POST_PRODUCTION: D(1)})
    reports = [make_report(ReportKind.TRAVEL, MON, {"km": 1000}, subject="train_tgv"),
               make_report(ReportKind.PURCHASES, MON, {"timber": 100})]
    bal = balance(footprint, "test", compute_lines(footprint, factors, None, reports))  # type: ignore[arg-type]
    cov = bal.coverage
    assert cov.measured == (Category.TRANSPORT, Category.PURCHASES)
    assert cov.forecast_only == (Category.POST_PRODUCTION,)
    assert Category.ACCOMMODATION in cov.missing
    assert cov.measured_share_of_forecast == D(5000) / D(6000)
    # transport: 2.93 kg on 1 shooting day of 9, extrapolated; purchases: spent in lumps, the forecast stands
    assert bal.projected_kgco2e(Category.TRANSPORT) == D("2.93") * 9
    assert bal.projected_kgco2e(Category.PURCHASES) == D(3000)
    # the total projected is the sum of what each category projects, post-production's forecast included
    assert bal.projected_total_kgco2e == D("2.93") * 9 + D(3000) + D(1000)


def test_a_vehicle_is_measured_by_km_or_by_litres_never_both(footprint):
    litres_for_km_car = make_report(ReportKind.FUEL, MON, {"litres": 40}, subject="mb1")
    with pytest.raises(InvalidReport, match="measured by km"):
        check_subject(footprint, litres_for_km_car)
    km_for_litres_car = make_report(ReportKind.MILEAGE, MON, {"km": 40}, subject="car3")
    with pytest.raises(InvalidReport, match="measured by litres"):
        check_subject(footprint, km_for_litres_car)


@pytest.mark.parametrize(("kind", "values", "subject", "message"), [
    (ReportKind.TRAVEL, {"km": 10}, "rocket", "say how the leg was travelled"),
    (ReportKind.TRAVEL, {"passengers": 2}, "coach", "takes km"),
    (ReportKind.TRAVEL, {"km": 10, "passengers": "1.5"}, "coach", "not a whole number"),
    (ReportKind.TRAVEL, {"km": 10, "passengers": 0}, "coach", "at least one passenger"),
    (ReportKind.ACCOMMODATION, {"nights": 2}, "palace:fr", "kind of lodging"),
    (ReportKind.GRID_POWER, {"kwh": 2}, "nowhere", "unknown site"),
    (ReportKind.FREIGHT, {"tkm": 2}, "zeppelin", "unknown freight vehicle class"),
    (ReportKind.FREIGHT, {"tkm": 2, "vkm": 3}, "van", "exactly one of"),
    (ReportKind.PURCHASES, {"gold": 2}, None, "unknown purchase item"),
    (ReportKind.PURCHASES, {"costume_new": "2.5"}, None, "not a whole number"),
    (ReportKind.POST_PRODUCTION, {"vfx_days": 2}, None, "unknown post-production item"),
])
def test_wrong_figures_are_refused_with_a_reason(footprint, kind, values, subject, message):
    report = make_report(kind, MON, values, subject=subject)
    with pytest.raises(InvalidReport, match=message):
        check_subject(footprint, report)
        check_values(report)


def test_grid_readings_go_forward_and_unusual_figures_need_a_confirmation(footprint):
    low = make_report(ReportKind.GRID_POWER, MON, {"meter": 900}, subject="studio")
    with pytest.raises(InvalidReport, match="below the starting meter"):
        check_plausible(footprint, low, [])
    wrong_mode = make_report(ReportKind.GRID_POWER, MON, {"kwh": 9}, subject="studio")
    with pytest.raises(InvalidReport, match="give the meter reading"):
        check_plausible(footprint, wrong_mode, [])
    far = make_report(ReportKind.TRAVEL, MON, {"km": 25000}, subject="plane")
    with pytest.raises(NeedsConfirmation):
        check_plausible(footprint, far, [])
    check_plausible(footprint, replace(far, confirmed=True), [])


def test_the_shipped_table_gives_the_distances_checked_by_hand():
    from config.places import load_places
    from domain.places import find_place

    places = load_places()
    # Haversine, R = 6371.0088 km, from the coordinates in config/places/fr-stations-airports.csv
    tgv = (find_place(places, "PLY", TravelMode.TRAIN_TGV), find_place(places, "MSC", TravelMode.TRAIN_TGV))
    assert great_circle_km(*tgv) == D("658.3") and leg_km(*tgv, TravelMode.TRAIN_TGV) == D("790.0")
    flight = (find_place(places, "cdg", TravelMode.PLANE), find_place(places, "NCE", TravelMode.PLANE))
    assert great_circle_km(*flight) == D("694.3") and leg_km(*flight, TravelMode.PLANE) == D("789.3")
    assert find_place(places, "MPL", TravelMode.PLANE).kind == "airport"
    assert find_place(places, "MPL", TravelMode.TRAIN_TER).kind == "station"

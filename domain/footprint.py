"""The lines of the whole footprint's kinds: travel, accommodation, grid power, fuel at the pump,
freight, purchases and post-production. Exact (Decimal); each line names its factor, source and set version.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from domain.errors import InvalidReport
from domain.factors import FactorSet
from domain.lines import ZERO, EmissionLine, chronological, make_line
from domain.model import (
    POST_PRODUCTION_ITEMS,
    SPEND_PREFIX,
    FreightClass,
    Production,
    Report,
    TravelMode,
    parse_accommodation_subject,
    parse_travel_subject,
    purchase_factor_key,
    purchase_unit,
)

#: The flight distance bands of ADEME's plane factors (Base Carbone V23.6 "Avion passagers 101-220
#: sièges, 2023", the values Impact CO2 shows): below 1000 km short haul; 1000-2000 km medium haul;
#: above 2000 km long haul (Impact CO2 shows long haul from 2001 km; its 2000-5000 km value, 0.167,
#: is 6 % under the long-haul one, so a leg there is slightly overcounted, never under).
SHORT_HAUL_BELOW_KM = Decimal(1000)
LONG_HAUL_ABOVE_KM = Decimal(2000)

_TRAVEL_FACTORS = {
    TravelMode.TRAIN_TGV: "train_tgv_fr",
    TravelMode.TRAIN_INTERCITES: "train_intercites_fr",
    TravelMode.TRAIN_TER: "train_ter_fr",
    TravelMode.COACH: "coach_fr",
    TravelMode.FERRY: "ferry_foot_passenger",
}


def plane_haul(km: Decimal) -> str:
    """short, medium or long: the band of a flight of ``km`` km."""
    if km < SHORT_HAUL_BELOW_KM:
        return "short"
    if km <= LONG_HAUL_ABOVE_KM:
        return "medium"
    return "long"


def travel_factor_key(mode: TravelMode, km: Decimal, radiative_forcing: bool = True) -> str:
    """The factor of a passenger-km: by mode, and for a plane by haul band, with or without radiative forcing."""
    if mode is TravelMode.PLANE:
        return f"flight_{plane_haul(km)}haul_{'fr' if radiative_forcing else 'norf'}"
    return _TRAVEL_FACTORS[mode]


def counts_radiative_forcing(factor_key: str) -> bool | None:
    """Whether a flight line counts radiative forcing (contrails); None for a line that is no flight."""
    if not factor_key.startswith("flight_"):
        return None
    return not factor_key.endswith("_norf")


def travel_lines(production: Production, factors: FactorSet, report: Report) -> list[EmissionLine]:
    """One leg: km x passengers, by the mode's factor (a plane's by its haul band)."""
    mode, _, _ = parse_travel_subject(report.subject)
    km = report.values.get("km", ZERO)
    passengers = report.values.get("passengers", Decimal(1))
    key = travel_factor_key(mode, km, production.travel.radiative_forcing)
    return [make_line(production, report, report.subject or mode.value, km * passengers, "passenger-km",
                  factors.trace(key))]


def accommodation_factor_key(subject: str | None) -> str:
    lodging, zone = parse_accommodation_subject(subject)
    return f"accommodation_{lodging.value}_{zone.value}"


def accommodation_lines(production: Production, factors: FactorSet, report: Report) -> list[EmissionLine]:
    """Nights by kind of lodging and zone."""
    trace = factors.trace(accommodation_factor_key(report.subject))
    return [make_line(production, report, report.subject or "", report.values.get("nights", ZERO), "night", trace)]


def grid_power_lines(
    production: Production, factors: FactorSet, site_id: str, reports: Sequence[Report]
) -> list[EmissionLine]:
    """kWh drawn at one site: meter readings like an odometer (the first one, with no start declared,
    is the baseline), or kWh typed directly; by the site's grid factor (location-based)."""
    site = production.site(site_id)
    trace = factors.trace(site.factor)
    previous = site.meter_start
    lines = []
    for report in chronological(reports):
        if "meter" in report.values:
            reading = report.values["meter"]
            kwh = ZERO if previous is None else reading - previous
            if kwh < 0:
                raise InvalidReport(
                    f"meter {reading} on {report.day} is below the previous reading {previous}",
                    reading=reading, previous=previous,
                )
            previous = reading
        else:
            kwh = report.values.get("kwh", ZERO)
        lines.append(make_line(production, report, site_id, kwh, "kWh", trace))
    return lines


def fuel_lines(production: Production, factors: FactorSet, report: Report) -> list[EmissionLine]:
    """Litres at the pump for a vehicle measured by litres, by the factor of its fuel."""
    vehicle = production.vehicle(report.subject or "")
    if vehicle.fuel_factor is None:
        raise InvalidReport(f"vehicle {vehicle.id} runs on {vehicle.fuel}: not a fuel sold by the litre",
                            subject=vehicle.id)
    trace = factors.trace(vehicle.fuel_factor)
    return [make_line(production, report, vehicle.id, report.values.get("litres", ZERO), "litre", trace)]


def freight_lines(production: Production, factors: FactorSet, report: Report) -> list[EmissionLine]:
    """Tonne-km or vehicle-km by class of vehicle."""
    vehicle_class = FreightClass(report.subject or "")
    item = "tkm" if "tkm" in report.values else "vkm"
    unit = "tonne-km" if item == "tkm" else "vehicle-km"
    trace = factors.trace(f"freight_{vehicle_class.value}_{item}")
    return [make_line(production, report, vehicle_class.value, report.values[item], unit, trace)]


def purchase_lines(production: Production, factors: FactorSet, report: Report) -> list[EmissionLine]:
    """Materials by kg, costumes and props by count, budget lines by euro (estimated: the least precise)."""
    lines = []
    for item, quantity in sorted(report.values.items()):
        unit = purchase_unit(item)
        if unit is None:
            raise InvalidReport(f"unknown purchase item {item!r}", item=item)
        trace = factors.trace(purchase_factor_key(item))
        lines.append(make_line(production, report, item, quantity, unit, trace,
                           estimated=item.startswith(SPEND_PREFIX)))
    return lines


def post_production_lines(production: Production, factors: FactorSet, report: Report) -> list[EmissionLine]:
    """Days in edit and grading suites, TB-months of storage."""
    lines = []
    for item, quantity in sorted(report.values.items()):
        if item not in POST_PRODUCTION_ITEMS:
            raise InvalidReport(f"unknown post-production item {item!r}", item=item)
        unit, key = POST_PRODUCTION_ITEMS[item]
        lines.append(make_line(production, report, item, quantity, unit, factors.trace(key)))
    return lines


#: What to give instead of an item no source gives a factor for (docs/carbon-clap.md, "not covered").
_INSTEAD = {
    "paint": "no source gives paint per kg: give the money spent as spend_chemicals (euros)",
    "prop_new": "no source gives a factor per prop: give its material by kg (timber, steel...) "
                "or the money spent as spend_furniture or spend_manufactured_goods (euros)",
}


def missing_factor_message(item: str, key: str, factors: FactorSet) -> str:
    """Why a purchase or post-production item cannot be counted, and what to give instead."""
    if item.startswith(SPEND_PREFIX):
        known = sorted(k.removesuffix("_eur") for k in factors if k.startswith(SPEND_PREFIX) and k.endswith("_eur"))
        return f"no budget line {item!r} in factor set {factors.version}; expected one of {', '.join(known)}"
    hint = _INSTEAD.get("prop_new" if item.startswith("prop_") else item)
    return f"{item}: no emission factor {key!r} in factor set {factors.version}" + (f"; {hint}" if hint else "")


def check_item_factors(factors: FactorSet, report: Report) -> None:
    """Every purchase item has its factor in the set: refused with what to give instead, nothing stored."""
    if report.void:
        return
    for item in sorted(report.values):
        if purchase_unit(item) is None:
            continue
        key = purchase_factor_key(item)
        if key not in factors:
            raise InvalidReport(missing_factor_message(item, key, factors), reason="no_factor", item=item)

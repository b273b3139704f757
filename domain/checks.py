"""The checks a figure passes before it is stored: it belongs to the production, it is a sane
number, and it is plausible (readings in order; unusual figures confirmed first).

Pure: they raise ``InvalidReport``, ``UnknownMember`` or ``NeedsConfirmation`` and change nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from decimal import Decimal

from domain.carbon import active_reports
from domain.errors import InvalidReport, NeedsConfirmation, UnknownMember
from domain.model import (
    POST_PRODUCTION_ITEMS,
    FreightClass,
    MeasuredBy,
    Production,
    Report,
    ReportKind,
    SiteMode,
    TravelMode,
    parse_accommodation_subject,
    parse_travel_subject,
    purchase_unit,
)

ZERO = Decimal(0)

#: Above these a figure is stored only once the member confirms it.
MAX_KM_PER_DAY = Decimal(800)
MAX_GENERATOR_HOURS_PER_DAY = Decimal(24)
MAX_MEALS_PER_DAY = Decimal(400)
MAX_WASTE_KG_PER_REPORT = Decimal(5000)
MAX_LITRES_PER_REPORT = Decimal(3000)
#: No figure of a shoot comes near this, even confirmed (an odometer has 6 or 7 digits); beyond it
#: a figure is a typing accident, and the store's exact integers could not hold it either.
MAX_FIGURE = Decimal(1_000_000_000)
#: The whole footprint's kinds: above these a figure is stored only once confirmed.
MAX_KM_PER_LEG = Decimal(20_000)  # farther than the other side of the Earth: a typo
MAX_PASSENGERS_PER_LEG = Decimal(300)
MAX_NIGHTS_PER_REPORT = Decimal(2000)
MAX_KWH_PER_REPORT = Decimal(20_000)
MAX_TKM_PER_REPORT = Decimal(200_000)
MAX_VKM_PER_REPORT = Decimal(20_000)
MAX_KG_PER_PURCHASE = Decimal(100_000)
MAX_ITEMS_PER_PURCHASE = Decimal(5000)
MAX_EUR_PER_PURCHASE = Decimal(5_000_000)
MAX_SUITE_DAYS_PER_REPORT = Decimal(365)
MAX_TB_MONTHS_PER_REPORT = Decimal(10_000)


def check_subject(production: Production, report: Report) -> None:
    """The member, the day, the vehicle or generator, the meal types or waste streams: the production's."""
    if report.member_id is not None:
        try:
            production.member(report.member_id)
        except KeyError:
            raise UnknownMember(report.member_id, production.id) from None
    if not production.calendar.contains(report.day):
        raise InvalidReport(
            f"{report.day} is outside the shoot ({production.calendar.start} to {production.calendar.end})",
            day=report.day,
        )
    kind = report.kind
    if kind is ReportKind.MILEAGE:
        try:
            production.vehicle(report.subject or "")
        except KeyError:
            _check_known(report.subject, "vehicle", [v.id for v in production.vehicles])
        _check_measured_by(production, report, MeasuredBy.KM)
    elif kind in _SUBJECT_CHECKS:
        _SUBJECT_CHECKS[kind](production, report)
    elif kind in (ReportKind.GENERATOR_HOURS, ReportKind.GENERATOR_LITRES):
        _check_known(report.subject, "generator", [g.id for g in production.generators])
    elif kind is ReportKind.MEALS:
        _check_items(report, "meal type", production.meal_types)
    elif kind is ReportKind.WASTE:
        _check_items(report, "waste stream", production.waste_streams)


def _check_measured_by(production: Production, report: Report, expected: MeasuredBy) -> None:
    """One rule so no distance counts twice: a vehicle is measured by km or by litres, never both."""
    vehicle = production.vehicle(report.subject or "")
    if vehicle.measured_by is not expected:
        by = "litres at the pump (fuel reports)" if vehicle.measured_by is MeasuredBy.LITRES else "km (mileage reports)"
        raise InvalidReport(
            f"vehicle {vehicle.id} is measured by {by}, as the production file says: "
            f"a {report.kind.value} figure for it would count its distance twice",
            reason="measured_by", subject=vehicle.id, measured_by=vehicle.measured_by.value,
        )


def _check_travel(production: Production, report: Report) -> None:
    try:
        parse_travel_subject(report.subject)
    except ValueError:
        modes = ", ".join(m.value for m in TravelMode)
        raise InvalidReport(f"say how the leg was travelled: one of {modes}", reason="unknown_subject",
                            subject=report.subject, expected=tuple(m.value for m in TravelMode)) from None


def _check_accommodation(production: Production, report: Report) -> None:
    try:
        parse_accommodation_subject(report.subject)
    except ValueError:
        raise InvalidReport(
            "say the kind of lodging (hotel_budget, hotel_midscale, hotel_upscale, rental) "
            "and the zone (fr, eu, world)",
            reason="unknown_subject", subject=report.subject) from None


def _check_site(production: Production, report: Report) -> None:
    _check_known(report.subject, "site", [s.id for s in production.sites])


def _check_fuel(production: Production, report: Report) -> None:
    _check_known(report.subject, "vehicle", [v.id for v in production.vehicles])
    _check_measured_by(production, report, MeasuredBy.LITRES)
    vehicle = production.vehicle(report.subject or "")
    if vehicle.fuel_factor is None:
        raise InvalidReport(f"vehicle {vehicle.id} runs on {vehicle.fuel}: not a fuel sold by the litre",
                            reason="no_fuel", subject=vehicle.id)


def _check_freight(production: Production, report: Report) -> None:
    _check_known(report.subject, "freight vehicle class", [c.value for c in FreightClass])


def _check_items(report: Report, what: str, known: Collection[str] | Callable[[str], bool],
                 expected: str | None = None) -> None:
    """Every item a report gives is one the production (or the kind) knows: ``known`` lists them or
    tells one; ``expected`` says them in the message (by default, the list)."""
    if callable(known):
        is_known = known
    else:
        is_known, expected = known.__contains__, ", ".join(known)
    unknown = sorted(item for item in report.values if not is_known(item))
    if unknown:
        raise InvalidReport(f"unknown {what} {unknown[0]!r}; expected one of {expected}", item=unknown[0])


def _check_purchases(production: Production, report: Report) -> None:
    _check_items(report, "purchase item", lambda i: purchase_unit(i) is not None,
                 "timber, steel, paint, plaster, textile (kg); costume_new, costume_secondhand, costume_rented, "
                 "prop_new, prop_secondhand, prop_rented (count); spend_<category> (euros)")


def _check_post_production(production: Production, report: Report) -> None:
    _check_items(report, "post-production item", POST_PRODUCTION_ITEMS)


_SUBJECT_CHECKS: dict[ReportKind, Callable[[Production, Report], None]] = {
    ReportKind.TRAVEL: _check_travel,
    ReportKind.ACCOMMODATION: _check_accommodation,
    ReportKind.GRID_POWER: _check_site,
    ReportKind.FUEL: _check_fuel,
    ReportKind.FREIGHT: _check_freight,
    ReportKind.PURCHASES: _check_purchases,
    ReportKind.POST_PRODUCTION: _check_post_production,
}


def _check_known(subject: str | None, what: str, known: list[str]) -> None:
    """A vehicle or generator the production has; the message names the ones it has, never ``None``."""
    if subject in known:
        return
    expected = ", ".join(known) or "none in this production"
    if subject is None:
        raise InvalidReport(f"say which {what} the figure is for: one of {expected}", reason="no_subject",
                            subject=None, expected=tuple(known))
    raise InvalidReport(f"unknown {what} {subject!r}; expected one of {expected}", reason="unknown_subject",
                        subject=subject, expected=tuple(known))


_ITEMS: dict[ReportKind, set[str] | None] = {
    ReportKind.MILEAGE: {"odometer", "km"},
    ReportKind.GENERATOR_HOURS: {"hours", "meter"},
    ReportKind.GENERATOR_LITRES: {"litres"},
    ReportKind.MEALS: None,  # meal types of the production
    ReportKind.WASTE: None,  # waste streams of the production
    ReportKind.ACCOMMODATION: {"nights"},
    ReportKind.GRID_POWER: {"meter", "kwh"},
    ReportKind.FUEL: {"litres"},
    ReportKind.FREIGHT: {"tkm", "vkm"},
    ReportKind.PURCHASES: None,  # purchase items (checked with the subject)
    ReportKind.POST_PRODUCTION: None,  # post-production items (checked with the subject)
}

#: Items counted in whole numbers.
_WHOLE = {"passengers", "nights"}


def check_values(report: Report) -> None:
    """The items the kind takes, each a finite, non-negative figure of a sane size."""
    if report.void:
        return
    if not report.values:
        raise InvalidReport("no figure given", code_hint="empty")
    if report.kind is ReportKind.TRAVEL:
        _check_travel_values(report)
    allowed = _ITEMS.get(report.kind)
    if allowed is not None:
        extra = set(report.values) - allowed
        if extra or len(report.values) != 1:
            raise InvalidReport(
                f"a {report.kind.value} report takes exactly one of {', '.join(sorted(allowed))}",
                kind=report.kind.value,
            )
    for item, value in report.values.items():
        if not isinstance(value, Decimal) or not value.is_finite():
            raise InvalidReport(f"{item}: not a number", item=item)
        if value < 0:
            raise InvalidReport(f"{item}: a figure cannot be negative", item=item, value=value)
        if value > MAX_FIGURE:
            raise InvalidReport(
                f"{item}: {value} is too large to be a real figure (at most {MAX_FIGURE:,})",
                reason="too_large", item=item, value=value,
            )
        if report.kind is ReportKind.MEALS and value != value.to_integral_value():
            raise InvalidReport(f"{item}: {value} meals is not a whole number", reason="not_whole",
                                item=item, value=value, text=str(value))
        if (item in _WHOLE or purchase_unit(item) == "item") and value != value.to_integral_value():
            raise InvalidReport(f"{item}: {value} is not a whole number", reason="not_whole",
                                item=item, value=value, text=str(value))
    if report.kind is ReportKind.TRAVEL and report.values.get("passengers") == 0:
        raise InvalidReport("passengers: a leg has at least one passenger", reason="no_passenger", item="passengers")


def _check_travel_values(report: Report) -> None:
    extra = set(report.values) - {"km", "passengers"}
    if extra or "km" not in report.values:
        raise InvalidReport("a travel report takes km (or two places) and, if more than one, passengers",
                            kind=report.kind.value)


def check_plausible(production: Production, report: Report, chain: list[Report]) -> None:
    """Readings in order with the chain (always); unusual figures only once confirmed."""
    if report.void:
        return
    _check_readings(production, report, chain)
    if report.confirmed:
        return
    _check_usual(production, report, chain)


def _check_readings(production: Production, report: Report, chain: list[Report]) -> None:
    values = report.values
    if report.kind is ReportKind.MILEAGE:
        start = production.vehicle(report.subject or "").odometer_start
        if "odometer" in values:
            _check_reading_order(report, chain, "odometer", start)
        else:
            _check_distance_allowed(report, chain)
    if report.kind is ReportKind.GENERATOR_HOURS and "meter" in values:
        _check_reading_order(report, chain, "meter", production.generator(report.subject or "").hour_meter_start)
    if report.kind is ReportKind.GRID_POWER:
        site = production.site(report.subject or "")
        item = "meter" if site.mode is SiteMode.METER else "kwh"
        if item not in values:
            how = ("a meter: give the meter reading, not kWh" if item == "meter"
                   else "kWh used: give the kWh, not a reading")
            raise InvalidReport(
                f"site {site.id} is read as {how}",
                reason="site_mode", subject=site.id, mode=site.mode.value,
            )
        if item == "meter":
            _check_reading_order(report, chain, "meter", site.meter_start)


#: The crew's daily kinds checked against one limit: the figure (None: the sum of all the report's
#: figures), the limit, the words after the figure, and the name the error gives the figure.
_DAILY_LIMITS: dict[ReportKind, tuple[str | None, Decimal, str, str]] = {
    ReportKind.MEALS: (None, MAX_MEALS_PER_DAY, "meals in one day", "meals"),
    ReportKind.GENERATOR_HOURS: ("hours", MAX_GENERATOR_HOURS_PER_DAY, "hours in one day", "hours"),
    ReportKind.GENERATOR_LITRES: ("litres", MAX_LITRES_PER_REPORT, "litres", "litres"),
    ReportKind.WASTE: (None, MAX_WASTE_KG_PER_REPORT, "kg of waste", "kg"),
}


def _check_usual(production: Production, report: Report, chain: list[Report]) -> None:
    if report.kind is ReportKind.MILEAGE:
        _check_km(production, report, chain)
    elif report.kind in _DAILY_LIMITS:
        item, limit, words, name = _DAILY_LIMITS[report.kind]
        figure = sum(report.values.values(), ZERO) if item is None else report.values.get(item)
        if figure is not None and figure > limit:  # an hour-meter reading has no hours to check
            raise NeedsConfirmation(f"{figure} {words} is unusual", **{name: figure}, limit=limit)
    else:
        _check_usual_footprint(report)


#: The figures of the whole footprint's kinds that are stored only once confirmed above a limit.
_USUAL: dict[tuple[ReportKind, str], tuple[Decimal, str]] = {
    (ReportKind.TRAVEL, "km"): (MAX_KM_PER_LEG, "km for one leg"),
    (ReportKind.TRAVEL, "passengers"): (MAX_PASSENGERS_PER_LEG, "passengers on one leg"),
    (ReportKind.ACCOMMODATION, "nights"): (MAX_NIGHTS_PER_REPORT, "nights"),
    (ReportKind.GRID_POWER, "kwh"): (MAX_KWH_PER_REPORT, "kWh"),
    (ReportKind.FUEL, "litres"): (MAX_LITRES_PER_REPORT, "litres"),
    (ReportKind.FREIGHT, "tkm"): (MAX_TKM_PER_REPORT, "tonne-km"),
    (ReportKind.FREIGHT, "vkm"): (MAX_VKM_PER_REPORT, "vehicle-km"),
    (ReportKind.POST_PRODUCTION, "edit_suite_days"): (MAX_SUITE_DAYS_PER_REPORT, "edit suite days"),
    (ReportKind.POST_PRODUCTION, "grading_suite_days"): (MAX_SUITE_DAYS_PER_REPORT, "grading suite days"),
    (ReportKind.POST_PRODUCTION, "storage_tb_months"): (MAX_TB_MONTHS_PER_REPORT, "TB-months"),
}
_PURCHASE_LIMITS = {"kg": (MAX_KG_PER_PURCHASE, "kg"), "item": (MAX_ITEMS_PER_PURCHASE, "items"),
                    "eur": (MAX_EUR_PER_PURCHASE, "euros")}


def _check_usual_footprint(report: Report) -> None:
    for item, value in sorted(report.values.items()):
        limit = _USUAL.get((report.kind, item))
        if report.kind is ReportKind.PURCHASES:
            limit = _PURCHASE_LIMITS.get(purchase_unit(item) or "")
        if limit is not None and value > limit[0]:
            raise NeedsConfirmation(f"{value} {limit[1]} is unusual", item=item, value=value, limit=limit[0])


def _check_km(production: Production, report: Report, chain: list[Report]) -> None:
    values = report.values
    km = values.get("km")
    if km is None:
        start = production.vehicle(report.subject or "").odometer_start
        previous, last = _previous_reading(report, chain, "odometer", start)
        km = None if previous is None else values["odometer"] - previous - _distances_since(report, chain, last)
    if km is not None and km > MAX_KM_PER_DAY:
        raise NeedsConfirmation(f"{km} km in one day is unusual", km=km, limit=MAX_KM_PER_DAY)


def _others(report: Report, chain: list[Report]) -> list[Report]:
    """The chain as it will be once ``report`` is stored (without the report it corrects)."""
    others = [r for r in active_reports(chain) if r.id != report.corrects]
    return others


def _when(report: Report) -> tuple[dt.date, dt.datetime]:
    """The order of a chain's reports: by day, then as received."""
    return report.day, report.received_at


def _previous_reading(
    report: Report, chain: list[Report], item: str, start: Decimal | None
) -> tuple[Decimal | None, Report | None]:
    """The reading before ``report``'s, and the report that gave it (None: the declared start)."""
    earlier = [r for r in _others(report, chain) if item in r.values and r.day <= report.day]
    if not earlier:
        return start, None
    last = max(earlier, key=_when)
    return last.values[item], last


def _distances_since(report: Report, chain: list[Report], last: Report | None) -> Decimal:
    """The km given as distances after the reading ``last`` (or since the start) up to ``report``'s day.

    A vehicle's distance comes from its odometer once it has readings: the next reading covers these
    km, so it counts only what they leave (see ``domain.carbon.mileage_lines``).
    """
    after = None if last is None else _when(last)
    return sum((r.values["km"] for r in _others(report, chain)
                if "km" in r.values and r.day <= report.day
                and (after is None or _when(r) > after)), ZERO)


def _check_distance_allowed(report: Report, chain: list[Report]) -> None:
    """A distance is refused for a vehicle counted by its odometer: the readings already give its km."""
    readings = [r for r in _others(report, chain) if "odometer" in r.values]
    if readings:
        last = max(readings, key=_when)
        raise InvalidReport(
            f"vehicle {report.subject} is counted by its odometer (last reading {last.values['odometer']} "
            f"on {last.day}): give the odometer reading, not a distance",
            reason="distance_with_readings", subject=report.subject, previous=last.values["odometer"],
        )


def _check_reading_order(report: Report, chain: list[Report], item: str, start: Decimal | None) -> None:
    reading = report.values[item]
    previous, last = _previous_reading(report, chain, item, start)
    if previous is not None and reading < previous:
        if last is None:
            raise InvalidReport(
                f"{item} {reading} is below the starting {item} {previous} declared in the production file",
                reason="below_start", item=item, reading=reading, previous=previous,
            )
        raise InvalidReport(
            f"{item} {reading} is below the last reading {previous}",
            reason="below_last",
            item=item,
            reading=reading,
            previous=previous,
        )
    if item == "odometer" and previous is not None:
        driven = _distances_since(report, chain, last)
        if driven and reading < previous + driven:
            raise InvalidReport(
                f"odometer {reading} is below {previous + driven}: the "
                + ("starting odometer" if last is None else "last reading")
                + f" {previous} plus the {driven} km given as distances since",
                reason="below_distances", item=item, reading=reading, previous=previous, km=driven,
                counted=previous + driven,
            )
    later = [r for r in _others(report, chain) if item in r.values and r.day > report.day]
    if later:
        nxt = min(later, key=_when).values[item]
        if reading > nxt:
            raise InvalidReport(
                f"{item} {reading} is above a later reading {nxt}",
                reason="above_next",
                item=item,
                reading=reading,
                next=nxt,
            )

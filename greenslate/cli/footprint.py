"""``report add`` for the whole footprint's kinds: the options that name what a figure is about
(a travel mode and places, a lodging and zone, a site, a freight class, purchase items) and the
subject and values they make. The figures themselves are read by ``greenslate.cli.core``, the bots'
way; the checks are the use cases'.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import click

from config.places import load_places
from domain.errors import InvalidReport
from domain.model import (
    FreightClass,
    Lodging,
    Production,
    ReportKind,
    TravelMode,
    Zone,
    accommodation_subject,
    travel_subject,
)
from domain.places import find_place, leg_km, place_codes

#: Number options of the new kinds (each gives the report item of its name).
NUMBER_OPTIONS = (
    ("kwh", "kWh used (grid_power, a site read in kWh)."),
    ("tkm", "Tonne-km (freight)."),
    ("vkm", "Vehicle-km (freight)."),
    ("passengers", "People on the leg (travel), default 1."),
    ("nights", "Nights (accommodation)."),
)

#: A valid value for each option, shown when a figure cannot be read.
EXAMPLES = {"kwh": "85", "tkm": "1200", "vkm": "300", "passengers": "2", "nights": "3", "item": "350"}

#: The options that say what a figure is about; ``report add`` hands them to :func:`subject_and_values`.
SUBJECT_OPTIONS = ("mode", "origin", "destination", "lodging", "zone", "site", "vehicle_class")


def value_options(command: Callable[..., None]) -> Callable[..., None]:
    """The number options of the new kinds, shared by ``report add`` and ``report correct``."""
    for name, help_text in reversed(NUMBER_OPTIONS):
        command = click.option(f"--{name}", help=help_text)(command)
    command = click.option("--quantity", "quantities", multiple=True,
                           help="The quantity of each --item, in order.")(command)
    return click.option("--item", "items", multiple=True,
                        help="Purchase or post-production item, repeatable, each with a --quantity in the "
                        "same order (purchases, post_production).")(command)


def subject_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options of ``report add`` that say what a figure of a new kind is about."""
    options = [
        click.option("--mode", type=click.Choice([m.value for m in TravelMode]), help="Travel mode (travel)."),
        click.option("--from", "origin",
                     help="Station or airport code where the leg starts (travel, instead of --km)."),
        click.option("--to", "destination", help="Station or airport code where the leg ends (travel)."),
        click.option("--lodging", type=click.Choice([x.value for x in Lodging]),
                     help="Kind of lodging (accommodation)."),
        click.option("--zone", type=click.Choice([z.value for z in Zone]), default=None,
                     help="Where the nights were spent: fr, eu, world (accommodation; default fr)."),
        click.option("--site", help="Site id (grid_power)."),
        click.option("--vehicle-class", "vehicle_class", type=click.Choice([c.value for c in FreightClass]),
                     help="Class of the freight vehicle (freight)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _need(value: str | None, option: str, kind: ReportKind) -> str:
    if not value:
        raise InvalidReport(f"--{option}: a {kind.value} figure needs it")
    return value


def _travel(prod: Production, given: dict[str, str | None], values: dict[str, Decimal]) -> str:
    mode = TravelMode(_need(given["mode"], "mode", ReportKind.TRAVEL))
    origin, destination = given["origin"], given["destination"]
    if not origin and not destination:
        return travel_subject(mode)
    if not origin or not destination:
        raise InvalidReport("--from and --to: give both places of the leg, or --km")
    if "km" in values:
        raise InvalidReport("--km with --from and --to: give the km or the two places, not both")
    places = load_places()
    ends = []
    for option, code in (("from", origin), ("to", destination)):
        try:
            ends.append(find_place(places, code, mode))
        except KeyError:
            known = place_codes(places, mode)
            raise InvalidReport(f"--{option}: no {'airport' if mode is TravelMode.PLANE else 'station'} "
                                f"with code {code!r}; known codes: {', '.join(known)}") from None
    values["km"] = leg_km(ends[0], ends[1], mode)
    return travel_subject(mode, ends[0].code, ends[1].code)


def item_values(items: tuple[str, ...], quantities: tuple[str, ...],
                read: Callable[[str, str], Decimal]) -> dict[str, Decimal]:
    """``--item NAME --quantity N`` pairs, in order, each item once."""
    if len(items) != len(quantities):
        raise InvalidReport(f"--item and --quantity: give one quantity per item ({len(items)} items, "
                            f"{len(quantities)} quantities)")
    values: dict[str, Decimal] = {}
    for name, quantity in zip(items, quantities, strict=True):
        if name in values:
            raise InvalidReport(f"--item {name}: given twice; give each item once")
        values[name] = read(quantity, "item")
    return values


def subject_and_values(kind: ReportKind, prod: Production, given: dict[str, str | None],
                       vehicle: str | None, generator: str | None,
                       values: dict[str, Decimal]) -> str | None:
    """What a figure of ``kind`` is about (its subject); ``values`` gains a travel leg's km from its places."""
    if kind is ReportKind.TRAVEL:
        return _travel(prod, given, values)
    if kind is ReportKind.ACCOMMODATION:
        lodging = Lodging(_need(given["lodging"], "lodging", kind))
        return accommodation_subject(lodging, Zone(given["zone"] or Zone.FR.value))
    if kind is ReportKind.GRID_POWER:
        return _need(given["site"], "site", kind)
    if kind is ReportKind.FUEL:
        return _need(vehicle, "vehicle", kind)
    if kind is ReportKind.FREIGHT:
        return _need(given["vehicle_class"], "vehicle-class", kind)
    if kind in (ReportKind.PURCHASES, ReportKind.POST_PRODUCTION):
        return None
    return vehicle or generator

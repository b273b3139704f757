"""The production model: what a coordinator declares and what the crew reports.

Plain, immutable value objects. Nothing here knows about storage, chat apps or the web.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo

from domain.lookup import ProductionIndex, index


class ProductionType(StrEnum):
    AD_SHOOT = "ad_shoot"
    FEATURE_FILM = "feature_film"
    TV_SERIES = "tv_series"
    DOCUMENTARY = "documentary"
    ANIMATION_SERIES = "animation_series"


class Role(StrEnum):
    DRIVER = "driver"
    CATERER = "caterer"
    GAFFER = "gaffer"
    GENERATOR_OPERATOR = "generator_operator"
    SET_RUNNER = "set_runner"
    ECO_REFERENT = "eco_referent"
    COORDINATOR = "coordinator"
    CREW = "crew"


class Channel(StrEnum):
    TELEGRAM = "telegram"
    DISCORD = "discord"
    DASHBOARD = "dashboard"


class Language(StrEnum):
    FR = "fr"
    EN = "en"


class Category(StrEnum):
    """The posts of the carbon balance, in the order they are shown."""

    TRANSPORT = "transport"
    ENERGY = "energy"
    CATERING = "catering"
    WASTE = "waste"
    ACCOMMODATION = "accommodation"
    PURCHASES = "purchases"
    POST_PRODUCTION = "post_production"


class ReportKind(StrEnum):
    MILEAGE = "mileage"
    MEALS = "meals"
    GENERATOR_HOURS = "generator_hours"
    GENERATOR_LITRES = "generator_litres"
    WASTE = "waste"
    TRAVEL = "travel"  # one leg of people's travel: subject = travel_subject(mode, from, to)
    ACCOMMODATION = "accommodation"  # nights: subject = accommodation_subject(lodging, zone)
    GRID_POWER = "grid_power"  # a site meter or mains hook-up: subject = site id
    FUEL = "fuel"  # litres at the pump: subject = vehicle id (a vehicle measured_by litres)
    FREIGHT = "freight"  # equipment trucks, couriers: subject = FreightClass value
    PURCHASES = "purchases"  # materials, costumes and props, budget lines: values by PurchaseItem
    POST_PRODUCTION = "post_production"  # suites and data: values by PostProductionItem

    @property
    def category(self) -> Category:
        return _KIND_CATEGORY[self]


_KIND_CATEGORY: Mapping[ReportKind, Category] = {
    ReportKind.MILEAGE: Category.TRANSPORT,
    ReportKind.MEALS: Category.CATERING,
    ReportKind.GENERATOR_HOURS: Category.ENERGY,
    ReportKind.GENERATOR_LITRES: Category.ENERGY,
    ReportKind.WASTE: Category.WASTE,
    ReportKind.TRAVEL: Category.TRANSPORT,
    ReportKind.ACCOMMODATION: Category.ACCOMMODATION,
    ReportKind.GRID_POWER: Category.ENERGY,
    ReportKind.FUEL: Category.TRANSPORT,
    ReportKind.FREIGHT: Category.TRANSPORT,
    ReportKind.PURCHASES: Category.PURCHASES,
    ReportKind.POST_PRODUCTION: Category.POST_PRODUCTION,
}


class TravelMode(StrEnum):
    TRAIN_TGV = "train_tgv"
    TRAIN_INTERCITES = "train_intercites"
    TRAIN_TER = "train_ter"
    COACH = "coach"
    PLANE = "plane"
    FERRY = "ferry"


class Lodging(StrEnum):
    HOTEL_BUDGET = "hotel_budget"
    HOTEL_MIDSCALE = "hotel_midscale"
    HOTEL_UPSCALE = "hotel_upscale"
    RENTAL = "rental"


class Zone(StrEnum):
    """Where a night is spent: France, elsewhere in the EU, elsewhere in the world."""

    FR = "fr"
    EU = "eu"
    WORLD = "world"


class FreightClass(StrEnum):
    VAN = "van"
    RIGID_SMALL = "rigid_small"
    RIGID_LARGE = "rigid_large"
    ARTICULATED = "articulated"
    COURIER = "courier"


class MeasuredBy(StrEnum):
    """How a vehicle's footprint is measured: by km (mileage reports) or by litres (fuel reports), never both."""

    KM = "km"
    LITRES = "litres"


class SiteMode(StrEnum):
    METER = "meter"  # meter readings, like an odometer: kWh = this reading - the previous one
    KWH = "kwh"  # kWh used, typed directly


#: Fuels a vehicle measured by litres may burn, and the factor of a litre of each.
FUEL_FACTORS: Mapping[str, str] = {
    "diesel": "diesel_road_fr",
    "petrol": "petrol_fr",
    "hvo100": "hvo100_fr",
    "gnr": "gnr_fr",
}

#: Purchases by mass (kg), one factor ``material_<item>_kg`` each.
MATERIALS = ("timber", "steel", "paint", "plaster", "textile")
#: Purchases by count, one factor ``<item>_item`` each.
OBJECTS = ("costume_new", "costume_secondhand", "costume_rented", "prop_new", "prop_secondhand", "prop_rented")
#: Budget lines by money spent: ``spend_<category>`` items in euros, factor ``spend_<category>_eur``
#: (ADEME's monetary ratios: the least precise method, said so on every line).
SPEND_PREFIX = "spend_"

#: Post-production items, the unit each counts in, and the factor of one unit.
POST_PRODUCTION_ITEMS: Mapping[str, tuple[str, str]] = {
    "edit_suite_days": ("day", "edit_suite_day"),
    "grading_suite_days": ("day", "grading_suite_day"),
    "storage_tb_months": ("TB-month", "storage_tb_month"),
}


def purchase_unit(item: str) -> str | None:
    """The unit a purchase item counts in (kg, item, eur), or None for an item that is not one."""
    if item in MATERIALS:
        return "kg"
    if item in OBJECTS:
        return "item"
    if item.startswith(SPEND_PREFIX) and len(item) > len(SPEND_PREFIX):
        return "eur"
    return None


def purchase_factor_key(item: str) -> str:
    """The factor of one unit of a purchase item (see :func:`purchase_unit`)."""
    unit = purchase_unit(item)
    if unit == "kg":
        return f"material_{item}_kg"
    if unit == "item":
        return f"{item}_item"
    return f"{item}_eur"


SUBJECT_SEPARATOR = ":"


def travel_subject(mode: TravelMode, origin: str | None = None, destination: str | None = None) -> str:
    """A travel report's subject: the mode, and the two place codes when the leg was given by places."""
    if (origin is None) != (destination is None):
        raise ValueError("give both places of a leg, or neither")
    parts = [mode.value] + ([origin.upper(), destination.upper()] if origin and destination else [])
    return SUBJECT_SEPARATOR.join(parts)


def parse_travel_subject(subject: str | None) -> tuple[TravelMode, str | None, str | None]:
    """The mode and the place codes (or None) of a travel subject; ValueError if it is not one."""
    parts = (subject or "").split(SUBJECT_SEPARATOR)
    if len(parts) not in (1, 3):
        raise ValueError(f"not a travel subject: {subject!r}")
    mode = TravelMode(parts[0])
    return (mode, parts[1], parts[2]) if len(parts) == 3 else (mode, None, None)


def accommodation_subject(lodging: Lodging, zone: Zone) -> str:
    """An accommodation report's subject: the kind of lodging and the zone, ``hotel_midscale:fr``."""
    return f"{lodging.value}{SUBJECT_SEPARATOR}{zone.value}"


def parse_accommodation_subject(subject: str | None) -> tuple[Lodging, Zone]:
    """The lodging and zone of an accommodation subject; ValueError if it is not one."""
    lodging, _, zone = (subject or "").partition(SUBJECT_SEPARATOR)
    return Lodging(lodging), Zone(zone)


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class MileageMode(StrEnum):
    ODOMETER = "odometer"  # the crew member types the odometer reading
    DISTANCE = "distance"  # the crew member types the km driven


class GeneratorMode(StrEnum):
    HOURS = "hours"  # hours run
    METER = "meter"  # hour-meter reading


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class ActionOutcome(StrEnum):
    """At the end of the shoot: can a successful action be reused elsewhere?"""

    REPRODUCIBLE = "reproducible"
    SPECIFIC = "specific"


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Report frequency the eco-production framework suggests for each production type.
DEFAULT_FREQUENCY: Mapping[ProductionType, Frequency] = {
    ProductionType.AD_SHOOT: Frequency.DAILY,
    ProductionType.FEATURE_FILM: Frequency.WEEKLY,
    ProductionType.TV_SERIES: Frequency.WEEKLY,
    ProductionType.DOCUMENTARY: Frequency.WEEKLY,
    ProductionType.ANIMATION_SERIES: Frequency.MONTHLY,
}


@dataclass(frozen=True)
class ShootingCalendar:
    start: dt.date
    end: dt.date
    weekdays: frozenset[int]  # 0 = Monday
    days_off: frozenset[dt.date] = frozenset()
    #: Days shot although not on a shooting weekday (a day moved to a Saturday, say).
    extra_days: frozenset[dt.date] = frozenset()

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def is_shooting_day(self, day: dt.date) -> bool:
        if not self.contains(day) or day in self.days_off:
            return False
        return day.weekday() in self.weekdays or day in self.extra_days

    def shooting_days(self) -> list[dt.date]:
        days = []
        day = self.start
        while day <= self.end:
            if self.is_shooting_day(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    def shooting_days_until(self, day: dt.date) -> int:
        """Shooting days from the start up to and including ``day``."""
        return sum(1 for d in self.shooting_days() if d <= day)


@dataclass(frozen=True)
class CrewMember:
    id: str
    name: str
    role: Role
    channel: Channel
    language: Language
    voice: bool = False
    paused_until: dt.date | None = None

    def is_paused_on(self, day: dt.date) -> bool:
        return self.paused_until is not None and day <= self.paused_until


@dataclass(frozen=True)
class Vehicle:
    id: str
    label: str
    kind: str
    fuel: str
    factor: str
    odometer_start: Decimal | None = None
    measured_by: MeasuredBy = MeasuredBy.KM

    @property
    def fuel_factor(self) -> str | None:
        """The factor of a litre of this vehicle's fuel, for fuel reports (None: a fuel not sold by the litre)."""
        return FUEL_FACTORS.get(self.fuel)


@dataclass(frozen=True)
class Site:
    """A grid meter or mains hook-up whose kWh are reported."""

    id: str
    label: str
    mode: SiteMode = SiteMode.METER
    meter_start: Decimal | None = None
    factor: str = "electricity_fr_2025"  # location-based French grid mix


@dataclass(frozen=True)
class TravelOptions:
    """How a production counts travel: flights with radiative forcing (contrails) or without."""

    radiative_forcing: bool = True


@dataclass(frozen=True)
class Generator:
    id: str
    label: str
    fuel_factor: str
    litres_per_hour: Decimal | None = None
    rated_kva: Decimal | None = None
    load: Decimal | None = None
    hour_meter_start: Decimal | None = None


@dataclass(frozen=True)
class Assignment:
    who: str
    report: ReportKind
    frequency: Frequency
    at: dt.time
    vehicle: str | None = None
    generator: str | None = None
    mode: MileageMode | GeneratorMode | SiteMode | None = None
    weekday: int | None = None  # weekly: 0 = Monday
    day_of_month: int | None = None  # monthly: 1..31, or None with last_shooting_day
    last_shooting_day_of_month: bool = False
    site: str | None = None  # grid_power: the site whose meter is read

    @property
    def subject(self) -> str | None:
        """The vehicle, generator or site this assignment is about, if any."""
        return self.vehicle or self.generator or self.site

    @property
    def key(self) -> str:
        """A stable identity for the assignment inside its production."""
        return ":".join(p for p in (self.who, self.report.value, self.subject or "") if p)


@dataclass(frozen=True)
class Reminders:
    after_minutes: int = 120
    escalate_after_missed: int = 2


@dataclass(frozen=True)
class Action:
    id: str
    theme: Category
    objective: str
    owner: str
    means: str
    indicator: str
    baseline: Decimal
    target: Decimal
    status: ActionStatus = ActionStatus.PLANNED
    outcome: ActionOutcome | None = None
    note: str = ""


@dataclass(frozen=True)
class Campaign:
    """A sensitisation message from the library, sent on a date at a local time."""

    message: str
    to: str  # "all" or a role
    on: dt.date
    at: dt.time


@dataclass(frozen=True)
class Production:
    id: str
    title: str
    type: ProductionType
    timezone: str
    language: Language
    calendar: ShootingCalendar
    forecast_tco2e: Mapping[Category, Decimal] = field(default_factory=dict)
    crew: tuple[CrewMember, ...] = ()
    vehicles: tuple[Vehicle, ...] = ()
    generators: tuple[Generator, ...] = ()
    meal_types: Mapping[str, str] = field(default_factory=dict)  # meal type -> factor key
    waste_streams: Mapping[str, str] = field(default_factory=dict)  # stream -> factor key
    assignments: tuple[Assignment, ...] = ()
    reminders: Reminders = Reminders()
    action_plan: tuple[Action, ...] = ()
    sensitisation: tuple[Campaign, ...] = ()
    sites: tuple[Site, ...] = ()
    travel: TravelOptions = TravelOptions()
    #: The Telegram bot that serves the crew, by its configured name; "" is the default bot.
    telegram_bot: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def _index(self) -> ProductionIndex[CrewMember, Vehicle, Generator, Site, Assignment]:  # at the first look-up
        return index(self.crew, self.vehicles, self.generators, self.sites, self.assignments)

    def member(self, member_id: str) -> CrewMember:
        return self._index.members[member_id]  # KeyError if not in the crew

    def vehicle(self, vehicle_id: str) -> Vehicle:
        return self._index.vehicles[vehicle_id]

    def generator(self, generator_id: str) -> Generator:
        return self._index.generators[generator_id]

    def site(self, site_id: str) -> Site:
        return self._index.sites[site_id]

    def action(self, action_id: str) -> Action:
        for a in self.action_plan:
            if a.id == action_id:
                return a
        raise KeyError(action_id)

    def assignments_of(self, member_id: str) -> list[Assignment]:
        return list(self._index.assignments_of.get(member_id, ()))

    def assignment(self, key: str) -> Assignment | None:
        """The assignment with this :attr:`Assignment.key`, or None."""
        return self._index.assignments.get(key)

    def local_day(self, instant: dt.datetime) -> dt.date:
        return instant.astimezone(self.zone).date()


@dataclass(frozen=True)
class Report:
    """One figure as a crew member sent it, never changed after it is stored.

    ``values`` maps an item to a quantity: ``{"odometer": 45230}``, ``{"km": 220}``,
    ``{"vegetarian": 30, "beef": 10}``, ``{"hours": 6}``, ``{"meter": 1520.5}``,
    ``{"litres": 80}``, ``{"residual": 12.5, "cardboard": 4}``; and for the kinds of the whole
    footprint: travel ``{"km": 686, "passengers": 2}`` (subject ``plane`` or ``plane:ORY:NCE``),
    accommodation ``{"nights": 12}`` (subject ``hotel_midscale:fr``), grid power ``{"meter": 1520}``
    or ``{"kwh": 85}`` (subject: the site), fuel ``{"litres": 45}`` (subject: the vehicle), freight
    ``{"tkm": 1200}`` or ``{"vkm": 300}`` (subject: the freight class), purchases
    ``{"timber": 350, "costume_new": 4, "spend_services": 1500}``, post-production
    ``{"edit_suite_days": 5, "storage_tb_months": 2}``.
    A correction is a new report whose ``corrects`` names the report it replaces;
    an undo is a correction with ``void`` set and no values.
    """

    production_id: str
    member_id: str | None
    kind: ReportKind
    day: dt.date
    values: Mapping[str, Decimal]
    raw_text: str
    source: str  # telegram | discord | cli | dashboard | demo
    source_ref: str  # identity of the source message; unique per source
    received_at: dt.datetime
    subject: str | None = None  # vehicle, generator or site id; travel mode/route; lodging:zone; freight class
    corrects: int | None = None
    void: bool = False
    confirmed: bool = False  # the member confirmed a figure flagged as implausible
    id: int | None = None

    def __post_init__(self) -> None:
        if self.received_at.tzinfo is None:
            raise ValueError("received_at must be timezone-aware")

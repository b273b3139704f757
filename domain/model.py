"""The production model: what a coordinator declares and what the crew reports.

Plain, immutable value objects. Nothing here knows about storage, chat apps or the web.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo


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
    """The four posts of the carbon balance, in the order they are shown."""

    TRANSPORT = "transport"
    ENERGY = "energy"
    CATERING = "catering"
    WASTE = "waste"


class ReportKind(StrEnum):
    MILEAGE = "mileage"
    MEALS = "meals"
    GENERATOR_HOURS = "generator_hours"
    GENERATOR_LITRES = "generator_litres"
    WASTE = "waste"

    @property
    def category(self) -> Category:
        return {
            ReportKind.MILEAGE: Category.TRANSPORT,
            ReportKind.MEALS: Category.CATERING,
            ReportKind.GENERATOR_HOURS: Category.ENERGY,
            ReportKind.GENERATOR_LITRES: Category.ENERGY,
            ReportKind.WASTE: Category.WASTE,
        }[self]


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
    mode: MileageMode | GeneratorMode | None = None
    weekday: int | None = None  # weekly: 0 = Monday
    day_of_month: int | None = None  # monthly: 1..31, or None with last_shooting_day
    last_shooting_day_of_month: bool = False

    @property
    def subject(self) -> str | None:
        """The vehicle or generator this assignment is about, if any."""
        return self.vehicle or self.generator

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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def member(self, member_id: str) -> CrewMember:
        for m in self.crew:
            if m.id == member_id:
                return m
        raise KeyError(member_id)

    def vehicle(self, vehicle_id: str) -> Vehicle:
        for v in self.vehicles:
            if v.id == vehicle_id:
                return v
        raise KeyError(vehicle_id)

    def generator(self, generator_id: str) -> Generator:
        for g in self.generators:
            if g.id == generator_id:
                return g
        raise KeyError(generator_id)

    def action(self, action_id: str) -> Action:
        for a in self.action_plan:
            if a.id == action_id:
                return a
        raise KeyError(action_id)

    def assignments_of(self, member_id: str) -> list[Assignment]:
        return [a for a in self.assignments if a.who == member_id]

    def local_day(self, instant: dt.datetime) -> dt.date:
        return instant.astimezone(self.zone).date()


@dataclass(frozen=True)
class Report:
    """One figure as a crew member sent it, never changed after it is stored.

    ``values`` maps an item to a quantity: ``{"odometer": 45230}``, ``{"km": 220}``,
    ``{"vegetarian": 30, "beef": 10}``, ``{"hours": 6}``, ``{"meter": 1520.5}``,
    ``{"litres": 80}``, ``{"residual": 12.5, "cardboard": 4}``.
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
    subject: str | None = None  # vehicle or generator id
    corrects: int | None = None
    void: bool = False
    confirmed: bool = False  # the member confirmed a figure flagged as implausible
    id: int | None = None

    def __post_init__(self) -> None:
        if self.received_at.tzinfo is None:
            raise ValueError("received_at must be timezone-aware")

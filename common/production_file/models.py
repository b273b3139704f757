"""The production file as pydantic models; their field descriptions end up in the JSON Schema."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from common.production_file.types import (
    SCHEMA_ID,
    BotName,
    Count,
    Date,
    DayOfMonth,
    DiscordId,
    ForecastTonnes,
    FreeLongText,
    FreeText,
    HourMeter,
    Identifier,
    IndicatorValue,
    KwhMeter,
    LitresPerHour,
    Load,
    LongText,
    Minutes,
    OdometerKm,
    RatedKva,
    RoleName,
    SensitisationTarget,
    Text,
    TimeOfDay,
    Weekday,
)
from domain.indicators import INDICATORS
from domain.model import (
    WEEKDAYS,
    ActionOutcome,
    ActionStatus,
    Category,
    Channel,
    Frequency,
    Language,
    MeasuredBy,
    ProductionType,
    ReportKind,
    Role,
    SiteMode,
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CalendarModel(_Model):
    """The shooting period: prompts are sent on shooting days only."""

    start: Date = Field(description="First day of the shoot.")
    end: Date = Field(description="Last day of the shoot (included).")
    shooting_days: list[Weekday] = Field(
        default_factory=lambda: list(WEEKDAYS[:5]),
        description="Weekdays the crew shoots on; default mon to fri.",
        examples=[["mon", "tue", "wed", "thu", "fri"]],
    )
    days_off: list[Date] = Field(
        default_factory=list,
        description="Dates inside the calendar with no shooting (holidays): no prompt is sent.",
    )
    extra_days: list[Date] = Field(
        default_factory=list,
        description="Dates inside the calendar shot although not on a shooting weekday (a moved day).",
    )


class ProductionModel(_Model):
    """Who and what the production is."""

    id: Identifier = Field(description="Stable slug, used on the command line.", examples=["feux-aube"])
    title: Text = Field(description="The production's title, as shown to the crew.")
    type: ProductionType = Field(description="Sets the default report frequency.")
    timezone: Text = Field(
        description="IANA time zone; every time in the file is local to it.", examples=["Europe/Paris"]
    )
    language: Language = Field(default=Language.FR, description="Default language of crew messages.")
    calendar: CalendarModel
    forecast_tco2e: dict[Category, ForecastTonnes] = Field(
        default_factory=dict,
        description="The forecast footprint (bilan prévisionnel) in tonnes CO2e, by category.",
    )
    telegram_bot: BotName | None = Field(
        default=None,
        description="The Telegram bot that serves this crew, by the name GREENSLATE_TELEGRAM_BOTS gives it "
        "(its token stays in the settings). Default: the bot of GREENSLATE_TELEGRAM_TOKEN.",
        examples=["north"],
    )


class CrewModel(_Model):
    """One person on the crew and how the bots reach them."""

    id: Identifier = Field(description="Unique among the crew; used by assignments and action owners.")
    name: Text
    role: Role
    channel: Channel = Field(description="Where the person receives prompts and messages.")
    language: Language | None = Field(default=None, description="Default: the production's language.")
    voice: bool = Field(default=False, description="Also send awareness messages as voice notes.")
    paused_until: Date | None = Field(
        default=None, description="No prompt is sent to this person up to and including this date."
    )


class VehicleModel(_Model):
    """A shoot vehicle whose kilometres (or litres at the pump) are reported."""

    id: Identifier
    label: Text = Field(description="What the crew calls it, e.g. on the plate.")
    kind: FreeText = Field(default="", description="Free text: minibus, car, truck...")
    fuel: FreeText = Field(
        default="",
        description="Free text: diesel, electric... A vehicle measured by litres needs one of "
        "diesel, petrol, hvo100, gnr.",
    )
    factor: Identifier | None = Field(
        default=None, description="Emission factor key, per vehicle-km. Needed when measured by km."
    )
    odometer_start: OdometerKm | None = Field(default=None, description="Odometer reading at the start, in km.")
    measured_by: MeasuredBy = Field(
        default=MeasuredBy.KM,
        description="km (mileage reports, the default) or litres (fuel reports at the pump): never both, "
        "so no distance is counted twice.",
    )


class SiteModel(_Model):
    """A grid meter or mains hook-up whose electricity is reported."""

    id: Identifier
    label: Text = Field(description="What the crew calls it: studio meter, mains hook-up at the castle...")
    mode: SiteMode = Field(
        default=SiteMode.METER,
        description="meter (readings, like an odometer: kWh = this reading - the previous one) or kwh "
        "(kWh used, typed directly).",
    )
    meter_start: KwhMeter | None = Field(default=None, description="Meter reading at the start, in kWh.")
    factor: Identifier = Field(
        default="electricity_fr_2025",
        description="Emission factor key per kWh; default the French grid mix (location-based).",
    )


class TravelModel(_Model):
    """How the production counts people's travel."""

    radiative_forcing: bool = Field(
        default=True,
        description="Count flights with radiative forcing (contrails), as ADEME does; every flight line "
        "says which.",
    )


class GeneratorModel(_Model):
    """A generator; its fuel is estimated from hours run unless litres are reported."""

    id: Identifier
    label: Text
    fuel_factor: Identifier = Field(description="Emission factor key of its fuel, per litre.")
    litres_per_hour: LitresPerHour | None = Field(default=None, description="Known consumption in L/h.")
    rated_kva: RatedKva | None = Field(default=None, description="Rating in kVA (kW = kVA x 0.8).")
    load: Load | None = Field(default=None, description="Average load, a fraction of the rating (0.25 to 1).")
    hour_meter_start: HourMeter | None = Field(default=None, description="Hour-meter reading at the start.")


class AssignmentModel(_Model):
    """Who reports what, how often, and when the prompt is sent."""

    who: Identifier = Field(description="A crew id.")
    report: ReportKind
    vehicle: Identifier | None = Field(default=None, description="Mileage: a vehicle id.")
    generator: Identifier | None = Field(default=None, description="Generator reports: a generator id.")
    site: Identifier | None = Field(default=None, description="Grid power: a site id.")
    mode: Literal["odometer", "distance", "hours", "meter"] | None = Field(
        default=None,
        description="Mileage: odometer (default) or distance. Generator hours: hours (default) or meter. "
        "Grid power takes its site's mode.",
    )
    frequency: Frequency | None = Field(default=None, description="Default: by production type.")
    weekday: Weekday | None = Field(default=None, description="Weekly: the day the prompt is sent.")
    day_of_month: DayOfMonth | None = Field(
        default=None, description="Monthly: 1-31 or last_shooting_day (the default)."
    )
    at: TimeOfDay = Field(description="Local time the prompt is sent.")


class RemindersModel(_Model):
    """What happens when a prompt stays unanswered."""

    after_minutes: Minutes = Field(default=120, description="One reminder after this.")
    escalate_after_missed: Count = Field(
        default=2, description="Tell the eco-referent after this many missed prompts in a row."
    )


class ActionModel(_Model):
    """One line of the eco-responsible action plan."""

    id: Identifier
    theme: Category
    objective: LongText
    owner: Identifier = Field(description="A crew id.")
    means: LongText
    indicator: Text = Field(
        description="What measures progress (a key of the indicator list).",
        json_schema_extra={"enum": list(INDICATORS)},
    )
    baseline: IndicatorValue
    target: IndicatorValue
    status: ActionStatus = ActionStatus.PLANNED
    outcome: ActionOutcome | None = None
    note: FreeLongText = ""


class DiscordModel(_Model):
    """The production's Discord server, read by ``greenslate discord link PRODUCTION --from-file FILE``."""

    guild: DiscordId = Field(description="The server id.")
    digest_channel: DiscordId = Field(description="Channel for the daily digest and alerts.")
    practices_channel: DiscordId = Field(description="Channel where good practices are captured.")
    role: RoleName = Field(description="The Discord role of eco-referents.")


class SensitisationModel(_Model):
    """An awareness message from the library, sent on a date at a local time."""

    message: Identifier = Field(description="A key of the message library.")
    to: SensitisationTarget = Field(description="all, or a role.")
    on: Date = Field(description="A date within the calendar.")
    at: TimeOfDay


class ProductionFile(_Model):
    """A greenslate production file, format version 1."""

    model_config = ConfigDict(title="greenslate production file (version 1)")

    version: Literal[1] = Field(description="Format version; always 1.")
    production: ProductionModel
    crew: list[CrewModel] = Field(default_factory=list)
    vehicles: list[VehicleModel] = Field(default_factory=list)
    generators: list[GeneratorModel] = Field(default_factory=list)
    sites: list[SiteModel] = Field(
        default_factory=list, description="Grid meters and mains hook-ups whose kWh are reported."
    )
    meal_types: dict[Identifier, Identifier] = Field(
        default_factory=dict, description="Meal type -> emission factor key (per meal)."
    )
    waste_streams: dict[Identifier, Identifier] = Field(
        default_factory=dict, description="Waste stream -> emission factor key (per kg or tonne)."
    )
    travel: TravelModel = Field(default_factory=TravelModel)
    assignments: list[AssignmentModel] = Field(default_factory=list)
    reminders: RemindersModel = Field(default_factory=RemindersModel)
    action_plan: list[ActionModel] = Field(default_factory=list)
    sensitisation: list[SensitisationModel] = Field(default_factory=list)
    discord: DiscordModel | None = Field(
        default=None, description="Optional: the Discord server the eco-referents use for this production."
    )


def json_schema() -> dict[str, Any]:
    """The JSON Schema of format version 1, generated from the models that read the file."""
    schema = ProductionFile.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}

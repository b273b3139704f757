"""Production files (format version 1): read, check and turn into a ``domain.model.Production``.

A production file is the YAML a coordinator writes before the shoot (see
``docs/production-file.md``). Reading it happens in three steps, each of which reports what is wrong
as a ``ProductionFileError`` located by a path such as ``assignments[2].vehicle``:

1. YAML to plain data, with a YAML 1.2-like resolver: ``on``/``off``/``yes``/``no`` stay words (the
   key ``on:`` of a sensitisation date would otherwise become ``True``) and ``19:30`` stays a time
   instead of the sexagesimal number 1170.
2. Shape: pydantic models that mirror the format (unknown fields are refused), so the JSON Schema
   in ``docs/production-file.schema.json`` is generated from the very models that read the file.
3. Meaning: cross-references (crew ids, vehicles, generators), emission factors and their units,
   the calendar, the generator consumption table.

Every problem found at a step is reported, one per line, in file order; the exception's ``where``
and ``problem`` are those of the first one, and ``problems`` holds them all.

Run ``python -m common.production_file --schema`` to print the JSON Schema, or
``python -m common.production_file FILE...`` to check files.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import re
import sys
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, get_args, get_origin

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from domain.answers import parse_number
from domain.errors import AmbiguousNumber, InvalidReport, ProductionFileError
from domain.factors import FactorSet
from domain.generators import POWER_FACTOR, ConsumptionTable
from domain.generators import litres_per_hour as generator_litres_per_hour
from domain.indicators import INDICATORS
from domain.model import (
    DEFAULT_FREQUENCY,
    WEEKDAYS,
    Action,
    ActionOutcome,
    ActionStatus,
    Assignment,
    Campaign,
    Category,
    Channel,
    CrewMember,
    Frequency,
    Generator,
    GeneratorMode,
    Language,
    MileageMode,
    Production,
    ProductionType,
    Reminders,
    ReportKind,
    Role,
    ShootingCalendar,
    Vehicle,
)

FORMAT_VERSION = 1
SCHEMA_ID = "https://greenslate.example/schemas/production-file-v1.json"

#: The longest calendar accepted: a typo in a year (2207 for 2027) should not pass unnoticed.
MAX_CALENDAR_DAYS = 5 * 366
#: Dates outside these years are typos, and would break date arithmetic at the edges of the calendar.
FIRST_YEAR, LAST_YEAR = 1900, 2999
#: More values than any production has, once YAML aliases are expanded.
MAX_VALUES = 100_000
MAX_DEPTH = 32
#: The largest production file read: the reference example is about 5 KB, a 300-person crew on a
#: two-year series well under 200 KB. A larger file is refused before it is parsed.
MAX_FILE_BYTES = 1_000_000
#: The longest texts: names, labels and titles; objectives, means and notes.
MAX_NAME_LENGTH = 200
MAX_TEXT_LENGTH = 1000
#: A Discord role name is at most 100 characters (Discord's own limit).
MAX_ROLE_LENGTH = 100
#: Quantities are written with at most this many decimals (0.000001): finer ones are typos, and
#: would make the balance's arithmetic run out of digits.
MAX_DECIMALS = 6
#: Longer values are shortened when a message quotes them.
_SHOWN_LENGTH = 60

#: The unit each kind of factor must be expressed in (see ``config/factors``).
VEHICLE_FACTOR_UNITS = ("vehicle-km",)
FUEL_FACTOR_UNITS = ("litre",)
MEAL_FACTOR_UNITS = ("meal",)
WASTE_FACTOR_UNITS = ("kg", "tonne")

LAST_SHOOTING_DAY = "last_shooting_day"

_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
_ID_RE = re.compile(_ID_PATTERN)
_TIME_PATTERN = r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$"
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


# --------------------------------------------------------------------------------------------
# Field types: each one checks its value and says in plain words what it expected.


def _shorten(text: str) -> str:
    """A long value cut for a message: its start, then how long it is."""
    if len(text) <= _SHOWN_LENGTH:
        return text
    return f"{text[:_SHOWN_LENGTH - 20]}… ({len(text)} characters)"


def _describe(value: Any) -> str:
    """A value as a person reading the file would recognise it."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(_shorten(value)) if value else "an empty text"
    if isinstance(value, int):
        digits = value.bit_length() * 0.302  # about log10: str() of a 5000-digit int is refused by Python
        return _shorten(str(value)) if digits < 4000 else f"a number of about {int(digits)} digits"
    if isinstance(value, float | Decimal):
        return _shorten(str(value))
    if isinstance(value, dt.datetime):
        return f"the date and time {value.isoformat(sep=' ')}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("greenslate", message)


def _exact_decimal(value: Any) -> Decimal:
    """YAML floats go through ``str`` so that 0.50 means Decimal("0.5"), not its binary neighbour."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise _fail(f"expected a number, got {_describe(value)}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _fail(f"expected a finite number, got {value}")
        return Decimal(str(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        number = value
    else:  # a number written as text is read as the bots read an answer: "45 230", "12,5"
        try:
            number = parse_number(value)
        except AmbiguousNumber as exc:
            a, b = exc.params["choices"]
            raise _fail(f"{_describe(value)} can be read as {a} or as {b}: write it without a thousands "
                        f"separator ({a}) or with a decimal point ({b})") from None
        except InvalidReport:
            raise _fail(f"expected a number, got {_describe(value)}") from None
    if not number.is_finite():
        raise _fail(f"expected a finite number, got {number}")
    return number


def _whole_number(value: Any) -> int:
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)  # a whole number too long for YAML's integers (see _construct_int)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(f"expected a whole number, got {_describe(value)}")
    return value


def _time_of_day(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        raise _fail(
            f'expected a time of day in quotes such as "19:30", got the number {value} '
            "(unquoted, some YAML readers turn 19:30 into a number)"
        )
    if not isinstance(value, str):
        raise _fail(f'expected a time of day such as "19:30", got {_describe(value)}')
    match = _TIME_RE.match(value.strip())
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if hour < 24 and minute < 60 and second < 60:
            return dt.time(hour, minute, second)
    raise _fail(f'{_describe(value)} is not a time of day; expected HH:MM between 00:00 and 23:59, e.g. "19:30"')


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _fail(f"expected a date such as 2027-03-01, got {_describe(value)}")
    if isinstance(value, dt.date):
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise _fail(f"{value.isoformat()} is out of range; expected a year from {FIRST_YEAR} to {LAST_YEAR}")
        return value
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            if re.match(r"^\d{4}-\d{2}-\d{2}$", value.strip()):
                raise _fail(f"{value!r} is not a date that exists; check the day and the month") from None
        else:
            return _date(day)
    raise _fail(f"expected a date such as 2027-03-01 (year-month-day), got {_describe(value)}")


def _identifier(value: Any) -> str:
    if not isinstance(value, str):
        if isinstance(value, int) and not isinstance(value, bool):
            return _identifier(str(value))
        raise _fail(f"expected an identifier (letters, digits, '-' or '_'), got {_describe(value)}")
    if not _ID_RE.match(value):
        raise _fail(
            f"{_describe(value)} is not a valid identifier; use 1 to 64 letters, digits, '-' or '_', "
            "starting with a letter or a digit"
        )
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _fail(f"expected text, got {_describe(value)}")
    if not value.strip():
        raise _fail("must not be empty")
    return value


def _at_most(length: int) -> AfterValidator:
    """Every text has a bound, so a file cannot store (and every screen echo) megabytes of it."""

    def check(value: str) -> str:
        if len(value) > length:
            raise _fail(f"is too long: {len(value)} characters; at most {length}")
        return value

    return AfterValidator(check)


def _free_text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _fail(f"expected text, got {_describe(value)}")
    return value


def _weekday(value: Any) -> str:
    if isinstance(value, str) and value.strip().lower() in WEEKDAYS:
        return value.strip().lower()
    raise _fail(_not_one_of("weekday", value, WEEKDAYS))


def _sensitisation_target(value: Any) -> str:
    targets = ["all", *(r.value for r in Role)]
    if isinstance(value, str) and value in targets:
        return value
    raise _fail(_not_one_of("recipient", value, targets, lead="'all' or a role"))


def _day_of_month(value: Any) -> int | str:
    if value == LAST_SHOOTING_DAY and isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 31:
        return value
    raise _fail(f"expected a day of the month from 1 to 31, or {LAST_SHOOTING_DAY}, got {_describe(value)}")


def _not_one_of(what: str, value: Any, options: Sequence[str], lead: str = "one of") -> str:
    return _unknown(what, value, options, f"{lead}: {', '.join(options)}")


def _unknown(what: str, value: Any, options: Iterable[str], expected: str) -> str:
    """``unknown <what> 'x'; did you mean 'y'? Expected <expected>``, the suggestion only if one is close."""
    if value is None or isinstance(value, Mapping | list | tuple):
        return f"{what} must be {expected}; got {_describe(value)}"
    close = _closest(value, options)
    if close is None:
        return f"unknown {what} {_describe(value)}; expected {expected}"
    return f"unknown {what} {_describe(value)}; did you mean {close!r}? Expected {expected}"


def _closest(value: Any, options: Iterable[str]) -> str | None:
    if not isinstance(value, str):
        return None
    options = list(options)
    close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    if not close:
        lowered = {o.lower(): o for o in options}
        close = [lowered[c] for c in difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)]
    return close[0] if close else None


def _schema(**schema: Any) -> WithJsonSchema:
    return WithJsonSchema(schema)


def _within(
    low: int | None = None, high: int | None = None, *, above: bool = False, hint: str = ""
) -> AfterValidator:
    """A bound with a message a coordinator understands (pydantic's ``ge``/``le`` would say it in
    its own words and leak non-standard keywords into the JSON Schema)."""

    def check(value: Any) -> Any:
        too_low = low is not None and (value <= low if above else value < low)
        if too_low or (high is not None and value > high):
            if low is not None and high is not None:
                span = f"between {low} and {high}" if not above else f"more than {low} and at most {high}"
            elif low is not None:
                span = f"more than {low}" if above else f"at least {low}"
            else:
                span = f"at most {high}"
            raise _fail(f"must be {span}, got {_describe(value)}{hint}")
        return value

    return AfterValidator(check)


def _decimals(value: Decimal) -> Decimal:
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        raise _fail(f"has too many decimals ({_describe(value)}); write at most {MAX_DECIMALS}")
    return value


def _quantity(low: int, high: int, *, above: bool = False, hint: str = "", **schema: Any) -> Any:
    """A decimal quantity with its physical range (checked with a plain message, and in the schema)."""
    return Annotated[
        Decimal,
        BeforeValidator(_exact_decimal),
        _within(low, high, above=above, hint=hint),
        AfterValidator(_decimals),
        _schema(type="number", **_bounds(low, high, above=above), **schema),
    ]


def _bounds(low: int | None = None, high: int | None = None, *, above: bool = False) -> dict[str, int]:
    schema = {}
    if low is not None:
        schema["exclusiveMinimum" if above else "minimum"] = low
    if high is not None:
        schema["maximum"] = high
    return schema


# The physical range of every quantity (docs/production-file.md, "Values"): wide enough for any
# shoot, narrow enough that a typo (1e30) is caught where it is written, not in the balance.
#: Forecast footprint of one category, in tonnes CO2e (the largest productions file a few thousand).
MAX_FORECAST_TCO2E = 100_000
#: An odometer reading, in km (odometers show at most 7 digits).
MAX_ODOMETER_KM = 9_999_999
#: A generator's consumption in L/h (a 2,000 kVA set at full load burns about 450 L/h).
MAX_LITRES_PER_HOUR = 1_000
#: A generator's rating in kVA.
MAX_RATED_KVA = 10_000
#: An hour-meter reading, in hours (a generator's whole life is well under 100,000 h).
MAX_HOUR_METER = 1_000_000
#: An action's baseline and target, in its indicator's unit (km, L, meals, kg, t CO2e; shares 0-1).
MAX_INDICATOR_VALUE = 1_000_000_000
#: Missed prompts in a row before the eco-referent is told.
MAX_MISSED = 100

ForecastTonnes = _quantity(0, MAX_FORECAST_TCO2E, hint=" (tonnes CO2e)")
OdometerKm = _quantity(0, MAX_ODOMETER_KM, hint=" (an odometer reading, in km)")
LitresPerHour = _quantity(0, MAX_LITRES_PER_HOUR, above=True, hint=" (litres per hour)")
RatedKva = _quantity(0, MAX_RATED_KVA, above=True, hint=" (kVA)")
HourMeter = _quantity(0, MAX_HOUR_METER, hint=" (an hour-meter reading, in hours)")
IndicatorValue = _quantity(
    -MAX_INDICATOR_VALUE, MAX_INDICATOR_VALUE, hint=" (in the indicator's unit; a share is 0 to 1)"
)
Load = _quantity(
    0, 1, above=True, hint="; load is a fraction of the rated output, e.g. 0.5 for 50 %", examples=[0.5]
)
Minutes = Annotated[
    int, BeforeValidator(_whole_number), _within(1, 24 * 60), _schema(type="integer", **_bounds(1, 24 * 60))
]
Count = Annotated[
    int, BeforeValidator(_whole_number), _within(1, MAX_MISSED), _schema(type="integer", **_bounds(1, MAX_MISSED))
]


def _discord_id(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**64:
        return value
    raise _fail(f"expected a Discord id (a positive number; right-click, Copy ID), got {_describe(value)}")


DiscordId = Annotated[
    int,
    BeforeValidator(_discord_id),
    _schema(anyOf=[{"type": "integer", "minimum": 1}, {"type": "string", "pattern": "^[0-9]+$"}]),
]
TimeOfDay = Annotated[
    dt.time,
    BeforeValidator(_time_of_day),
    _schema(type="string", pattern=_TIME_PATTERN, description="Local time, HH:MM.", examples=["19:30"]),
]
Date = Annotated[dt.date, BeforeValidator(_date), _schema(type="string", format="date", examples=["2027-03-01"])]
Identifier = Annotated[str, BeforeValidator(_identifier), _schema(type="string", pattern=_ID_PATTERN)]


def _text_type(length: int, *, required: bool = True) -> Any:
    """Text of at most ``length`` characters; ``required`` text must not be blank."""
    if required:
        return Annotated[
            str, BeforeValidator(_text), _at_most(length), _schema(type="string", minLength=1, maxLength=length)
        ]
    return Annotated[str, BeforeValidator(_free_text), _at_most(length), _schema(type="string", maxLength=length)]


Text = _text_type(MAX_NAME_LENGTH)
LongText = _text_type(MAX_TEXT_LENGTH)
FreeText = _text_type(MAX_NAME_LENGTH, required=False)
FreeLongText = _text_type(MAX_TEXT_LENGTH, required=False)
RoleName = _text_type(MAX_ROLE_LENGTH)
Weekday = Annotated[str, BeforeValidator(_weekday), _schema(type="string", enum=list(WEEKDAYS))]
SensitisationTarget = Annotated[
    str,
    BeforeValidator(_sensitisation_target),
    _schema(type="string", enum=["all", *(r.value for r in Role)]),
]
DayOfMonth = Annotated[
    int | str,
    BeforeValidator(_day_of_month),
    _schema(
        oneOf=[{"type": "integer", "minimum": 1, "maximum": 31}, {"const": LAST_SHOOTING_DAY}],
        description="A day of the month (1-31), or last_shooting_day.",
    ),
]


# --------------------------------------------------------------------------------------------
# The file, as pydantic models. Field descriptions end up in the JSON Schema.


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
    """A shoot vehicle whose kilometres are reported."""

    id: Identifier
    label: Text = Field(description="What the crew calls it, e.g. on the plate.")
    kind: FreeText = Field(default="", description="Free text: minibus, car, truck...")
    fuel: FreeText = Field(default="", description="Free text: diesel, electric...")
    factor: Identifier = Field(description="Emission factor key, per vehicle-km.")
    odometer_start: OdometerKm | None = Field(default=None, description="Odometer reading at the start, in km.")


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
    mode: Literal["odometer", "distance", "hours", "meter"] | None = Field(
        default=None,
        description="Mileage: odometer (default) or distance. Generator hours: hours (default) or meter.",
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
    meal_types: dict[Identifier, Identifier] = Field(
        default_factory=dict, description="Meal type -> emission factor key (per meal)."
    )
    waste_streams: dict[Identifier, Identifier] = Field(
        default_factory=dict, description="Waste stream -> emission factor key (per kg or tonne)."
    )
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


# --------------------------------------------------------------------------------------------
# YAML: plain data plus the line of every path, for the messages.


class _TooLarge(Exception):
    pass


class _Loader(yaml.SafeLoader):
    """Safe YAML with YAML 1.2 booleans and no sexagesimal numbers; duplicate keys are refused.

    Nodes are counted as they are built, so a file of many small values is refused once it passes
    ``MAX_VALUES``, before the rest of it is parsed.
    """

    nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.nodes += 1
        if self.nodes > MAX_VALUES:
            raise _TooLarge
        return super().compose_node(parent, index)  # type: ignore[no-any-return]


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in ("tag:yaml.org,2002:bool",)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
for _first in "+-0123456789.":
    _Loader.yaml_implicit_resolvers[_first] = [
        (tag, regexp)
        for tag, regexp in _Loader.yaml_implicit_resolvers.get(_first, [])
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
        r"|\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:
            continue  # an unhashable key: the base constructor reports it
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"the key {key!r} appears twice in the same mapping (first on line "
                f"{seen[key].start_mark.line + 1}); keep only one",
                key_node.start_mark,
            )
        seen[key] = key_node
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A date that does not exist (2027-02-30) stays text, so the message can say where it is."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A whole number longer than any quantity is kept as a decimal: Python refuses to read an int of
    more than 4,300 digits, and the field's own range check then says where it is and what fits."""
    text = str(loader.construct_scalar(node)).replace("_", "")
    if len(text.lstrip("+-")) > 30 and text.lstrip("+-").isdigit():
        return Decimal(text)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _construct_float(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """1e400 is not infinity, nor 1e-400 zero: keep them as decimals, for the field's checks to refuse."""
    value = yaml.SafeLoader.construct_yaml_float(loader, node)
    text = str(node.value).replace("_", "")
    mantissa = re.split("[eE]", text)[0]
    lost = not math.isfinite(value) or (value == 0 and any(c in "123456789" for c in mantissa))
    if isinstance(value, float) and lost and not text.lstrip("+-").startswith("."):
        try:
            return Decimal(text)
        except InvalidOperation:
            return value
    return value


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)

Path_ = tuple[str | int, ...]


def _lines(node: yaml.Node | None) -> dict[Path_, int]:
    """The 1-based line of every path in the document (of the key, for mapping entries).

    Aliases are followed, so this also measures the data the file expands to: a few lines of nested
    aliases can stand for billions of values, which no production needs (``_TooLarge``).
    """
    lines: dict[Path_, int] = {}
    stack: list[tuple[Path_, yaml.Node, int]] = [((), node, 0)] if node is not None else []
    visited = 0
    while stack:
        path, current, line = stack.pop()
        lines.setdefault(path, line or current.start_mark.line + 1)
        visited += 1
        if visited > MAX_VALUES or len(path) > MAX_DEPTH:
            raise _TooLarge
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode):
                    stack.append(((*path, key_node.value), value_node, key_node.start_mark.line + 1))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                stack.append(((*path, index), item, 0))
    return lines


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a production file."""

    where: str
    problem: str
    line: int | None = None

    def describe(self) -> str:
        return f"{self.problem} (line {self.line})" if self.line else self.problem


class ProductionFileProblems(ProductionFileError):
    """A production file with one or more problems; ``where``/``problem`` are the first one's.

    ``str()`` lists every problem, one per line, each starting with the file name.
    """

    def __init__(self, file: str, problems: Sequence[Problem]) -> None:
        first = problems[0]
        super().__init__(file, first.where, first.describe())
        self.problems = tuple(problems)
        self.args = ("\n".join(_located(file, p) for p in self.problems),)


def _located(file: str, problem: Problem) -> str:
    return f"{file}: {problem.where}: {problem.describe()}" if problem.where else f"{file}: {problem.describe()}"


def _too_large() -> Problem:
    return Problem(
        "",
        f"the file expands to more than {MAX_VALUES} values or {MAX_DEPTH} levels "
        "(aliases nested too deep, or looping)",
    )


def _too_big(size: int) -> Problem:
    return Problem(
        "",
        f"the file is {size:,} bytes; a production file is at most {MAX_FILE_BYTES:,} bytes "
        "(check that this is the right file)",
    )


def _read_yaml(text: str, file: str) -> tuple[Any, dict[Path_, int]]:
    if len(text) > MAX_FILE_BYTES:
        raise ProductionFileProblems(file, [_too_big(len(text.encode("utf-8", "replace")))])
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = " ".join(p for p in (e.context, e.problem) if p) or "not valid YAML"
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ProductionFileProblems(file, [Problem(where, f"not valid YAML: {problem}")]) from None
    except yaml.reader.ReaderError as e:
        code = e.character if isinstance(e.character, int) else ord(str(e.character)[:1] or "\0")
        problem = f"not valid YAML: the character U+{code:04X} at position {e.position} is not allowed"
        raise ProductionFileProblems(file, [Problem("", problem)]) from None
    except yaml.YAMLError as e:
        raise ProductionFileProblems(file, [Problem("", f"not valid YAML: {e}")]) from None
    except (ValueError, OverflowError) as e:  # e.g. the date 2027-02-30
        raise ProductionFileProblems(file, [Problem("", f"not valid YAML: {e}")]) from None
    except RecursionError:
        raise ProductionFileProblems(file, [Problem("", "not valid YAML: nested too deeply")]) from None
    except _TooLarge:
        raise ProductionFileProblems(file, [_too_large()]) from None
    finally:
        if loader is not None:
            loader.dispose()
    try:
        return data, _lines(node)
    except _TooLarge:
        raise ProductionFileProblems(file, [_too_large()]) from None


# --------------------------------------------------------------------------------------------
# From pydantic's errors to plain English.


def _where(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            name = _shorten(str(part))  # a key can be long (YAML's explicit "? key" form)
            out += f".{name}" if out else name
    return out


_CHOICE_NAMES = {
    ("production", "type"): "production type",
    ("production", "language"): "language",
    ("production", "forecast_tco2e"): "category",
    ("crew", "role"): "role",
    ("crew", "channel"): "channel",
    ("crew", "language"): "language",
    ("assignments", "report"): "report kind",
    ("assignments", "mode"): "mode",
    ("assignments", "frequency"): "frequency",
    ("action_plan", "theme"): "theme",
    ("action_plan", "status"): "action status",
    ("action_plan", "outcome"): "outcome",
}


def _model_at(loc: Sequence[Any]) -> type[BaseModel] | None:
    """The model that owns the last element of ``loc``."""
    current: Any = ProductionFile
    for part in loc[:-1]:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif get_origin(current) in (list, dict):
            current = get_args(current)[-1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    while True:
        args = [a for a in get_args(annotation) if a is not type(None)]
        origin = get_origin(annotation)
        if origin is Annotated or (origin is not None and origin not in (list, dict) and len(args) == 1):
            annotation = args[0]
        else:
            return annotation


def _shape_problems(errors: Sequence[ErrorDetails]) -> list[Problem]:
    """Pydantic's errors in plain English; a misspelt field is one problem, not "unknown" and "missing"."""
    missing = {tuple(e["loc"]) for e in errors if e["type"] == "missing"}
    renamed: dict[tuple[Any, ...], str] = {}
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "extra_forbidden" and loc:
            candidates = [str(m[-1]) for m in missing if m[:-1] == loc[:-1]]
            close = _closest(str(loc[-1]), candidates)
            if close is not None:
                renamed[loc] = close
                missing.discard((*loc[:-1], close))
    problems = []
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "missing" and loc not in missing:
            continue
        if loc in renamed:
            problems.append(Problem(_where(loc), f"unknown field {loc[-1]!r}; did you mean {renamed[loc]!r}?"))
        else:
            problems.append(_translate(e))
    return problems


def _translate(error: ErrorDetails) -> Problem:
    loc = tuple(error["loc"])
    if loc and loc[-1] == "[key]":  # a mapping's key, not its value
        loc = loc[:-1]
    kind = error["type"]
    ctx = error.get("ctx", {})
    value = error.get("input")
    where = _where(loc)
    name = str(loc[-1]) if loc else ""
    owner = _model_at(loc) if loc else ProductionFile
    fields = list(owner.model_fields) if owner else []
    if kind == "greenslate":
        problem = error["msg"]
    elif kind == "missing":
        problem = f"required field {name!r} is missing"
    elif kind == "extra_forbidden":
        problem = _unknown("field", name, fields, f"one of: {', '.join(fields)}")
    elif kind in ("enum", "literal_error"):
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        names = [str(p) for p in loc[-2:] if isinstance(p, str)]
        what = next(
            (_CHOICE_NAMES[(str(loc[0]), n)] for n in reversed(names) if (str(loc[0]), n) in _CHOICE_NAMES),
            "value",
        )
        problem = _not_one_of(what, value, options)
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        problem = f"expected a mapping (name: value pairs), got {_describe(value)}"
    elif kind in ("list_type", "tuple_type"):
        problem = f"expected a list, got {_describe(value)}"
    elif kind in ("string_type", "string_sub_type"):
        problem = f"expected text, got {_describe(value)}"
    elif kind in ("bool_type", "bool_parsing"):
        problem = f"expected true or false, got {_describe(value)}"
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = {
            "greater_than": ("more than", "gt"),
            "greater_than_equal": ("at least", "ge"),
            "less_than": ("less than", "lt"),
            "less_than_equal": ("at most", "le"),
        }[kind]
        problem = f"must be {bound[0]} {ctx.get(bound[1])}, got {_describe(value)}"
    elif kind == "recursion_loop":
        problem = "the value refers to itself (a YAML alias loop)"
    elif kind == "frozen_set_type" or kind == "set_type":
        problem = f"expected a list, got {_describe(value)}"
    else:
        message = error["msg"] or "not a valid value"
        problem = f"{message[0].lower()}{message[1:]}, got {_describe(value)}"
    return Problem(where, problem)


# --------------------------------------------------------------------------------------------
# Meaning: cross-references, factors, calendar.


class _Checker:
    def __init__(self, doc: ProductionFile, factors: FactorSet, table: ConsumptionTable) -> None:
        self.doc = doc
        self.factors = factors
        self.table = table
        self.problems: list[Problem] = []
        self.calendar_ok = False  # dates are checked against the calendar only once it makes sense

    def add(self, where: str, problem: str) -> None:
        self.problems.append(Problem(where, problem))

    def run(self) -> list[Problem]:
        self.check_production()
        crew_ids = self.check_unique("crew", [m.id for m in self.doc.crew], "crew member")
        vehicle_ids = self.check_unique("vehicles", [v.id for v in self.doc.vehicles], "vehicle")
        generator_ids = self.check_unique("generators", [g.id for g in self.doc.generators], "generator")
        self.check_unique("action_plan", [a.id for a in self.doc.action_plan], "action")
        self.check_factors()
        self.check_generators()
        self.check_assignments(crew_ids, vehicle_ids, generator_ids)
        self.check_actions(crew_ids)
        self.check_sensitisation()
        return self.problems

    # production and calendar

    def check_production(self) -> None:
        p = self.doc.production
        if _zone_problem(p.timezone):
            self.add("production.timezone", _zone_problem(p.timezone) or "")
        cal = p.calendar
        if cal.end < cal.start:
            self.add(
                "production.calendar.end",
                f"the shoot ends ({cal.end}) before it starts ({cal.start}); end must be on or after start",
            )
            return
        if (cal.end - cal.start).days > MAX_CALENDAR_DAYS:
            self.add(
                "production.calendar.end",
                f"the calendar runs from {cal.start} to {cal.end}, more than five years; check the years",
            )
            return
        self.calendar_ok = True
        for i, day in enumerate(cal.days_off):
            if not cal.start <= day <= cal.end:
                self.add(
                    f"production.calendar.days_off[{i}]",
                    f"day off {day} is outside the calendar ({cal.start} to {cal.end})",
                )
        if not self.calendar().shooting_days():
            self.add(
                "production.calendar",
                "the calendar has no shooting day; check start, end, shooting_days and days_off",
            )

    def calendar(self) -> ShootingCalendar:
        cal = self.doc.production.calendar
        return ShootingCalendar(
            start=cal.start,
            end=cal.end,
            weekdays=frozenset(WEEKDAYS.index(d) for d in cal.shooting_days),
            days_off=frozenset(cal.days_off),
        )

    def check_unique(self, section: str, ids: list[str], what: str) -> set[str]:
        first: dict[str, int] = {}
        for i, item_id in enumerate(ids):
            if item_id in first:
                self.add(
                    f"{section}[{i}].id",
                    f"duplicate {what} id {item_id!r} (already used by {section}[{first[item_id]}]); "
                    "ids must be unique",
                )
            else:
                first[item_id] = i
        return set(first)

    # factors

    def check_factors(self) -> None:
        for i, v in enumerate(self.doc.vehicles):
            self.check_factor(f"vehicles[{i}].factor", v.factor, VEHICLE_FACTOR_UNITS, "a vehicle")
        for i, g in enumerate(self.doc.generators):
            self.check_factor(f"generators[{i}].fuel_factor", g.fuel_factor, FUEL_FACTOR_UNITS, "a fuel")
        for meal, key in self.doc.meal_types.items():
            self.check_factor(f"meal_types.{meal}", key, MEAL_FACTOR_UNITS, "a meal type")
        families: dict[str, str] = {}
        for stream, key in self.doc.waste_streams.items():
            if self.check_factor(f"waste_streams.{stream}", key, WASTE_FACTOR_UNITS, "a waste stream"):
                families.setdefault(self.factors.get(key).unit, stream)
        if len(families) > 1:
            kg_stream, tonne_stream = families["kg"], families["tonne"]
            self.add(
                f"waste_streams.{tonne_stream}",
                f"waste factors mix per-kg French factors ({kg_stream!r}) and per-tonne UK factors "
                f"({tonne_stream!r}); their methods differ, so use factors of one family for all streams",
            )

    def check_factor(self, where: str, key: str, units: Sequence[str], what: str) -> bool:
        if key not in self.factors:
            fitting = [k for k, f in self.factors.as_mapping().items() if f.unit in units]
            expected = f"a key of factor set {self.factors.version} per {' or '.join(units)}"
            known = fitting if _closest(key, fitting) else self.factors.keys()
            self.add(where, _unknown("emission factor", key, known, expected))
            return False
        unit = self.factors.get(key).unit
        if unit not in units:
            self.add(
                where,
                f"emission factor {key!r} is per {unit}, but {what} needs a factor per {' or '.join(units)}",
            )
            return False
        return True

    def check_generators(self) -> None:
        for i, g in enumerate(self.doc.generators):
            here = f"generators[{i}]"
            if g.litres_per_hour is not None:
                if g.rated_kva is not None or g.load is not None:
                    extra = "rated_kva" if g.rated_kva is not None else "load"
                    self.add(
                        f"{here}.{extra}",
                        "give either litres_per_hour, or rated_kva and load, not both",
                    )
                continue
            if g.rated_kva is None and g.load is None:
                self.add(
                    here,
                    "a generator needs litres_per_hour, or rated_kva and load to estimate it "
                    "from the consumption table",
                )
                continue
            if g.rated_kva is None:
                self.add(f"{here}.rated_kva", "load is given but rated_kva is missing; give both, in kVA")
                continue
            if g.load is None:
                self.add(
                    f"{here}.load",
                    "rated_kva is given but load is missing; give the average load as a fraction, "
                    "e.g. 0.5 (film generators rarely run above 50 %)",
                )
                continue
            kw = g.rated_kva * POWER_FACTOR
            rows = self.table.rows
            if not rows[0].kw <= kw <= rows[-1].kw:
                self.add(
                    f"{here}.rated_kva",
                    f"{g.rated_kva} kVA is {kw.normalize():f} kW (kVA x 0.8), outside the consumption table "
                    f"({rows[0].kw}-{rows[-1].kw} kW, {rows[0].kw / POWER_FACTOR:f}-"
                    f"{rows[-1].kw / POWER_FACTOR:f} kVA); give litres_per_hour instead",
                )
                continue
            try:
                generator_litres_per_hour(_generator(g), self.table)
            except InvalidReport as e:
                self.add(f"{here}.load", str(e))

    # assignments, actions, sensitisation

    def check_assignments(self, crew: set[str], vehicles: set[str], generators: set[str]) -> None:
        cal = self.doc.production.calendar
        default = DEFAULT_FREQUENCY[self.doc.production.type]
        keys: dict[tuple[str, ReportKind, str | None], int] = {}
        for i, a in enumerate(self.doc.assignments):
            here = f"assignments[{i}]"
            if a.who not in crew:
                self.add(f"{here}.who", _unknown_ref("crew member", a.who, crew, "crew"))
            if a.report is ReportKind.MILEAGE:
                self.check_subject(here, "vehicle", a.vehicle, vehicles, a.report)
                self.refuse(here, "generator", a.generator, a.report)
                self.check_mode(here, a.mode, [m.value for m in MileageMode], a.report)
            elif a.report in (ReportKind.GENERATOR_HOURS, ReportKind.GENERATOR_LITRES):
                self.check_subject(here, "generator", a.generator, generators, a.report)
                self.refuse(here, "vehicle", a.vehicle, a.report)
                if a.report is ReportKind.GENERATOR_HOURS:
                    self.check_mode(here, a.mode, [m.value for m in GeneratorMode], a.report)
                else:
                    self.refuse(here, "mode", a.mode, a.report)
            else:
                self.refuse(here, "vehicle", a.vehicle, a.report)
                self.refuse(here, "generator", a.generator, a.report)
                self.refuse(here, "mode", a.mode, a.report)
                section = "meal_types" if a.report is ReportKind.MEALS else "waste_streams"
                if not getattr(self.doc, section):
                    self.add(
                        f"{here}.report",
                        f"{a.report.value} are reported but no {section} are declared; "
                        f"add {section} with their emission factors",
                    )
            frequency = a.frequency or default
            why = "" if a.frequency else f" (the default for a {self.doc.production.type.value})"
            if frequency is Frequency.WEEKLY:
                if a.weekday is None:
                    self.add(
                        f"{here}.weekday",
                        f"a weekly report{why} needs a weekday, e.g. weekday: fri",
                    )
                elif a.weekday not in cal.shooting_days:
                    self.add(
                        f"{here}.weekday",
                        f"{a.weekday!r} is not a shooting day ({', '.join(cal.shooting_days)}), "
                        "so the prompt would never be sent",
                    )
            elif a.weekday is not None:
                self.add(
                    f"{here}.weekday",
                    f"weekday is only for weekly reports; this one is {frequency.value}{why}",
                )
            if frequency is not Frequency.MONTHLY and a.day_of_month is not None:
                self.add(
                    f"{here}.day_of_month",
                    f"day_of_month is only for monthly reports; this one is {frequency.value}{why}",
                )
            key = (a.who, a.report, a.vehicle or a.generator)
            if key in keys:
                self.add(
                    here,
                    f"the same report is assigned twice (already at assignments[{keys[key]}]); "
                    "one crew member reports each thing once",
                )
            else:
                keys[key] = i

    def check_subject(self, here: str, field: str, value: str | None, known: set[str], report: ReportKind) -> None:
        if value is None:
            self.add(f"{here}.{field}", f"a {report.value} report needs a {field}: one of the {field} ids")
        elif value not in known:
            self.add(f"{here}.{field}", _unknown_ref(field, value, known, field))

    def refuse(self, here: str, field: str, value: Any, report: ReportKind) -> None:
        if value is not None:
            self.add(f"{here}.{field}", f"{field} does not apply to a {report.value} report; remove it")

    def check_mode(self, here: str, mode: str | None, modes: list[str], report: ReportKind) -> None:
        if mode is not None and mode not in modes:
            self.add(
                f"{here}.mode",
                f"mode {mode!r} does not apply to a {report.value} report; expected one of: {', '.join(modes)}",
            )

    def check_actions(self, crew: set[str]) -> None:
        for i, a in enumerate(self.doc.action_plan):
            here = f"action_plan[{i}]"
            if a.owner not in crew:
                self.add(f"{here}.owner", _unknown_ref("crew member", a.owner, crew, "crew"))
            indicator = INDICATORS.get(a.indicator)
            if indicator is None:
                self.add(f"{here}.indicator", _not_one_of("indicator", a.indicator, list(INDICATORS)))
                continue
            if indicator.unit == "share":
                for name in ("baseline", "target"):
                    value = getattr(a, name)
                    if not 0 <= value <= 1:
                        self.add(
                            f"{here}.{name}",
                            f"{a.indicator} is a share between 0 and 1 (0.3 for 30 %), got {value}",
                        )
            elif a.baseline < 0 or a.target < 0:
                name = "baseline" if a.baseline < 0 else "target"
                self.add(f"{here}.{name}", f"{a.indicator} is counted in {indicator.unit}; it cannot be negative")
            if a.baseline == a.target:
                self.add(f"{here}.target", "the target equals the baseline, so progress cannot be measured")

    def check_sensitisation(self) -> None:
        from sensitisation.library import keys as library_keys

        known = library_keys()
        cal = self.doc.production.calendar
        for i, c in enumerate(self.doc.sensitisation):
            if c.message not in known:
                self.add(
                    f"sensitisation[{i}].message",
                    _unknown("message", c.message, sorted(known), "a key of the message library "
                             "(`greenslate sensitisation list`)"),
                )
            if self.calendar_ok and not cal.start <= c.on <= cal.end:
                self.add(
                    f"sensitisation[{i}].on",
                    f"{c.on} is outside the calendar ({cal.start} to {cal.end})",
                )


def _unknown_ref(what: str, value: str, known: Iterable[str], kind: str) -> str:
    known = sorted(known)
    if not known:
        return f"unknown {what} {value!r}; no {kind} is declared"
    return _unknown(what, value, known, f"one of the {kind} ids: {', '.join(known)}")


@cache
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def _zone_problem(name: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return _unknown("time zone", name, _zone_names(), "an IANA zone such as Europe/Paris")
    return None


# --------------------------------------------------------------------------------------------
# To the domain.


def _generator(g: GeneratorModel) -> Generator:
    return Generator(
        id=g.id,
        label=g.label,
        fuel_factor=g.fuel_factor,
        litres_per_hour=g.litres_per_hour,
        rated_kva=g.rated_kva,
        load=g.load,
        hour_meter_start=g.hour_meter_start,
    )


def _assignment(a: AssignmentModel, default: Frequency) -> Assignment:
    frequency = a.frequency or default
    mode: MileageMode | GeneratorMode | None = None
    if a.report is ReportKind.MILEAGE:
        mode = MileageMode(a.mode or MileageMode.ODOMETER)
    elif a.report is ReportKind.GENERATOR_HOURS:
        mode = GeneratorMode(a.mode or GeneratorMode.HOURS)
    day_of_month = a.day_of_month if isinstance(a.day_of_month, int) else None
    return Assignment(
        who=a.who,
        report=a.report,
        frequency=frequency,
        at=a.at,
        vehicle=a.vehicle,
        generator=a.generator,
        mode=mode,
        weekday=WEEKDAYS.index(a.weekday) if a.weekday and frequency is Frequency.WEEKLY else None,
        day_of_month=day_of_month if frequency is Frequency.MONTHLY else None,
        last_shooting_day_of_month=frequency is Frequency.MONTHLY and day_of_month is None,
    )


def _to_domain(doc: ProductionFile, calendar: ShootingCalendar) -> Production:
    p = doc.production
    default = DEFAULT_FREQUENCY[p.type]
    return Production(
        id=p.id,
        title=p.title,
        type=p.type,
        timezone=p.timezone,
        language=p.language,
        calendar=calendar,
        forecast_tco2e=dict(p.forecast_tco2e),
        crew=tuple(
            CrewMember(
                id=m.id,
                name=m.name,
                role=m.role,
                channel=m.channel,
                language=m.language or p.language,
                voice=m.voice,
                paused_until=m.paused_until,
            )
            for m in doc.crew
        ),
        vehicles=tuple(
            Vehicle(
                id=v.id,
                label=v.label,
                kind=v.kind,
                fuel=v.fuel,
                factor=v.factor,
                odometer_start=v.odometer_start,
            )
            for v in doc.vehicles
        ),
        generators=tuple(_generator(g) for g in doc.generators),
        meal_types=dict(doc.meal_types),
        waste_streams=dict(doc.waste_streams),
        assignments=tuple(_assignment(a, default) for a in doc.assignments),
        reminders=Reminders(
            after_minutes=doc.reminders.after_minutes,
            escalate_after_missed=doc.reminders.escalate_after_missed,
        ),
        action_plan=tuple(
            Action(
                id=a.id,
                theme=a.theme,
                objective=a.objective,
                owner=a.owner,
                means=a.means,
                indicator=a.indicator,
                baseline=a.baseline,
                target=a.target,
                status=a.status,
                outcome=a.outcome,
                note=a.note,
            )
            for a in doc.action_plan
        ),
        sensitisation=tuple(Campaign(message=c.message, to=c.to, on=c.on, at=c.at) for c in doc.sensitisation),
    )


# --------------------------------------------------------------------------------------------
# Entry points.


def _default_catalogue() -> tuple[FactorSet, ConsumptionTable]:
    from config.factors import load_consumption_table, load_factor_set

    return load_factor_set(), load_consumption_table()


def _raise(file: str, problems: list[Problem], lines: Mapping[Path_, int]) -> NoReturn:
    located = []
    for p in problems:
        line = None
        if lines:
            path = _parse_where(p.where)
            while path not in lines and path:
                path = path[:-1]
            line = lines.get(path)
        located.append(Problem(p.where, p.problem, line))
    if lines:
        located.sort(key=lambda p: p.line or 0)
    raise ProductionFileProblems(file, located)


def _parse_where(where: str) -> Path_:
    path: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", where):
        path.append(int(index) if index else name)
    return tuple(path)


def _undo_yaml11_booleans(data: Any) -> Any:
    """A mapping read by a YAML 1.1 reader turns the key ``on:`` into ``True``: put it back."""
    if not isinstance(data, Mapping):
        return data
    items = data.get("sensitisation")
    if not isinstance(items, list) or not any(isinstance(c, Mapping) and True in c for c in items):
        return data
    fixed = [
        {("on" if k is True else k): v for k, v in c.items()} if isinstance(c, Mapping) and "on" not in c else c
        for c in items
    ]
    return {**data, "sensitisation": fixed}


def parse_production(
    source: str | bytes | Mapping[str, Any],
    file_name: str = "<production file>",
    *,
    factors: FactorSet | None = None,
    consumption: ConsumptionTable | None = None,
) -> Production:
    """Read a production file's text (or its already-parsed mapping) into a ``Production``.

    Raises ``ProductionFileError`` (a ``ProductionFileProblems``) for anything wrong in it.
    ``factors`` and ``consumption`` default to the current factor set and consumption table.
    """
    return _parse(source, file_name, factors, consumption)[0]


def _parse(
    source: str | bytes | Mapping[str, Any],
    file_name: str,
    factors: FactorSet | None,
    consumption: ConsumptionTable | None,
) -> tuple[Production, ProductionFile]:
    """The production and the validated file it came from (for the sections outside the domain)."""
    lines: dict[Path_, int] = {}
    if isinstance(source, bytes):
        if len(source) > MAX_FILE_BYTES:
            raise ProductionFileProblems(file_name, [_too_big(len(source))])
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise ProductionFileProblems(
                file_name, [Problem("", f"not UTF-8 text (byte {e.start}); save the file as UTF-8")]
            ) from None
    if isinstance(source, str):
        data, lines = _read_yaml(source, file_name)
    else:
        data = _undo_yaml11_booleans(source)

    if not isinstance(data, Mapping):
        got = "an empty file" if data is None else _describe(data)
        raise ProductionFileProblems(
            file_name, [Problem("", f"expected a mapping with version, production, crew..., got {got}")]
        )
    if "version" not in data:
        _raise(
            file_name,
            [Problem("version", "required field 'version' is missing; add 'version: 1' at the top")],
            lines,
        )
    version = data["version"]
    if isinstance(version, bool) or version != FORMAT_VERSION or not isinstance(version, int):
        _raise(
            file_name,
            [Problem("version", f"unsupported version {_describe(version)}; this greenslate reads version 1")],
            lines,
        )

    try:
        doc = ProductionFile.model_validate(dict(data))
    except ValidationError as e:
        _raise(file_name, _shape_problems(e.errors(include_url=False)), lines)
    except RecursionError:
        _raise(file_name, [Problem("", "the file nests too deeply (a YAML alias loop?)")], lines)

    if factors is None or consumption is None:
        default_factors, default_table = _default_catalogue()
        factors = factors or default_factors
        consumption = consumption or default_table
    checker = _Checker(doc, factors, consumption)
    problems = checker.run()
    if problems:
        _raise(file_name, problems, lines)
    return _to_domain(doc, checker.calendar()), doc


def load_production_file(
    path: str | Path,
    *,
    factors: FactorSet | None = None,
    consumption: ConsumptionTable | None = None,
) -> Production:
    """Read and check the production file at ``path``."""
    return load_production_file_with_discord(path, factors=factors, consumption=consumption)[0]


def load_production_file_with_discord(
    path: str | Path,
    *,
    factors: FactorSet | None = None,
    consumption: ConsumptionTable | None = None,
) -> tuple[Production, DiscordModel | None]:
    """Read and check the production file at ``path``: the production and its ``discord:`` section.

    The section is the validated one (ids as the reader understood them, ``0755`` as 755, a role
    ``yes`` as the word yes): whoever links the production to Discord uses exactly these values,
    never a second reading of the YAML with other rules.
    """
    path = Path(path)
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)  # never more: the size is refused before parsing
            if len(raw) > MAX_FILE_BYTES:
                size = max(len(raw), path.stat().st_size)
                raise ProductionFileProblems(str(path), [_too_big(size)])
    except OSError as e:
        raise ProductionFileProblems(str(path), [Problem("", f"cannot read the file: {e.strerror or e}")]) from None
    production, doc = _parse(raw, str(path), factors, consumption)
    return production, doc.discord


def schema_text() -> str:
    """The JSON Schema as committed in ``docs/production-file.schema.json``."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None, out: Callable[[str], Any] = sys.stdout.write) -> int:
    """``--schema`` prints the JSON Schema; otherwise check each file given."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--schema"]:
        out(schema_text())
        return 0
    if not args or args[0].startswith("-"):
        out("usage: python -m common.production_file --schema | FILE...\n")
        return 2
    status = 0
    for name in args:
        try:
            production = load_production_file(name)
        except ProductionFileError as e:
            out(f"{e}\n")
            status = 1
        else:
            out(f"{name}: ok ({production.id}, {len(production.assignments)} assignments)\n")
    return status


if __name__ == "__main__":
    raise SystemExit(main())

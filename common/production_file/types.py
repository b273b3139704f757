"""Field types of the production file: each checks its value and says in plain words what it expected.

Also the format's version and the bounds of every value it accepts.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from common.production_file.wording import Message, Num, say
from domain.answers import parse_number
from domain.errors import AmbiguousNumber, InvalidReport
from domain.model import (
    WEEKDAYS,
    Role,
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
GRID_FACTOR_UNITS = ("kWh",)

LAST_SHOOTING_DAY = "last_shooting_day"

_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
_ID_RE = re.compile(_ID_PATTERN)
_BOT_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,31}$"  # base.settings.BOT_NAME
_BOT_RE = re.compile(_BOT_PATTERN)
_TIME_PATTERN = r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$"
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")




def _shorten(text: str) -> str:
    """A long value cut for a message: its start, then how long it is."""
    if len(text) <= _SHOWN_LENGTH:
        return text
    return f"{text[:_SHOWN_LENGTH - 20]}… ({len(text)} characters)"


def _describe(value: Any) -> Message | str:
    """A value as a person reading the file would recognise it: what it says, or words for its kind."""
    if value is None:
        return say("value.nothing")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(_shorten(value)) if value else say("value.empty_text")
    if isinstance(value, int):
        digits = value.bit_length() * 0.302  # about log10: str() of a 5000-digit int is refused by Python
        return _shorten(str(value)) if digits < 4000 else say("value.huge_number", digits=Num(int(digits)))
    if isinstance(value, float | Decimal):
        return _shorten(str(value))
    if isinstance(value, dt.datetime):
        return say("value.datetime", value=value.isoformat(sep=" "))
    if isinstance(value, dt.date):
        return say("value.date", value=value.isoformat())
    if isinstance(value, Mapping):
        return say("value.mapping")
    if isinstance(value, list | tuple):
        return say("value.list")
    return say("value.other", kind=type(value).__name__)


#: Where a problem found by a field type travels inside pydantic's error (its ``ctx``).
MESSAGE_CONTEXT = "greenslate_message"


def _fail(message: Message) -> PydanticCustomError:
    """Pydantic's error for ``message``: its English text, and the message itself in the context."""
    return PydanticCustomError("greenslate", message.render("en"),
                               {MESSAGE_CONTEXT: message})


def _exact_decimal(value: Any) -> Decimal:
    """YAML floats go through ``str`` so that 0.50 means Decimal("0.5"), not its binary neighbour."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise _fail(say("number.expected", got=_describe(value)))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _fail(say("number.not_finite", value=str(value)))
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
            raise _fail(say("number.ambiguous", got=_describe(value), a=str(a), b=str(b))) from None
        except InvalidReport:
            raise _fail(say("number.expected", got=_describe(value))) from None
    if not number.is_finite():
        raise _fail(say("number.not_finite", value=str(number)))
    return number


def _whole_number(value: Any) -> int:
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)  # a whole number too long for YAML's integers (see _construct_int)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(say("number.whole", got=_describe(value)))
    return value


def _time_of_day(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        raise _fail(say("time.unquoted", value=str(value)))
    if not isinstance(value, str):
        raise _fail(say("time.expected", got=_describe(value)))
    match = _TIME_RE.match(value.strip())
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if hour < 24 and minute < 60 and second < 60:
            return dt.time(hour, minute, second)
    raise _fail(say("time.invalid", got=_describe(value)))


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _fail(say("date.with_time", got=_describe(value)))
    if isinstance(value, dt.date):
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise _fail(say("date.out_of_range", date=value.isoformat(), first=FIRST_YEAR, last=LAST_YEAR))
        return value
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            if re.match(r"^\d{4}-\d{2}-\d{2}$", value.strip()):
                raise _fail(say("date.not_existing", value=repr(value))) from None
        else:
            return _date(day)
    raise _fail(say("date.expected", got=_describe(value)))


def _identifier(value: Any) -> str:
    if not isinstance(value, str):
        if isinstance(value, int) and not isinstance(value, bool):
            return _identifier(str(value))
        raise _fail(say("id.expected", got=_describe(value)))
    if not _ID_RE.match(value):
        raise _fail(say("id.invalid", got=_describe(value)))
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _fail(say("text.expected", got=_describe(value)))
    if not value.strip():
        raise _fail(say("text.empty"))
    return value


def _at_most(length: int) -> AfterValidator:
    """Every text has a bound, so a file cannot store (and every screen echo) megabytes of it."""

    def check(value: str) -> str:
        if len(value) > length:
            raise _fail(say("text.too_long", length=Num(len(value)), limit=Num(length)))
        return value

    return AfterValidator(check)


def _free_text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _fail(say("text.expected", got=_describe(value)))
    return value


def _weekday(value: Any) -> str:
    if isinstance(value, str) and value.strip().lower() in WEEKDAYS:
        return value.strip().lower()
    raise _fail(_not_one_of("weekday", value, WEEKDAYS))


def _sensitisation_target(value: Any) -> str:
    targets = ["all", *(r.value for r in Role)]
    if isinstance(value, str) and value in targets:
        return value
    raise _fail(_not_one_of("recipient", value, targets, lead="all_or_role"))


def _day_of_month(value: Any) -> int | str:
    if value == LAST_SHOOTING_DAY and isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 31:
        return value
    raise _fail(say("day_of_month", last=LAST_SHOOTING_DAY, got=_describe(value)))


def _not_one_of(what: str | Message, value: Any, options: Sequence[str], lead: str = "one_of") -> Message:
    """``lead`` names the words before the options: ``one of:`` (``one_of``) or ``'all' or a role:``."""
    return _unknown(what, value, options, say(f"expected.{lead}", options=", ".join(options)))


def _what(what: str | Message) -> Message:
    """The name of a kind of thing (``crew member``) as a message: ``what.crew_member``."""
    return what if isinstance(what, Message) else say(f"what.{what.replace(' ', '_')}")


def _unknown(what: str | Message, value: Any, options: Iterable[str], expected: Message) -> Message:
    """``unknown <what> 'x'; did you mean 'y'? Expected <expected>``, the suggestion only if one is close."""
    if value is None or isinstance(value, Mapping | list | tuple):
        return say("unknown.shape", what=_what(what), expected=expected, got=_describe(value))
    close = _closest(value, options)
    if close is None:
        return say("unknown.plain", what=_what(what), got=_describe(value), expected=expected)
    return say("unknown.close", what=_what(what), got=_describe(value), close=repr(close), expected=expected)


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
    its own words and leak non-standard keywords into the JSON Schema). ``hint`` names a message
    ``hint.<name>`` that says what the value is."""

    def check(value: Any) -> Any:
        too_low = low is not None and (value <= low if above else value < low)
        if too_low or (high is not None and value > high):
            if low is not None and high is not None:
                kind = "above_and_at_most" if above else "between"
            elif low is not None:
                kind = "above" if above else "at_least"
            else:
                kind = "at_most"
            span = say(f"span.{kind}", low=Num(low or 0), high=Num(high or 0))
            raise _fail(say("out_of_range", span=span, got=_describe(value),
                            hint=say(f"hint.{hint}") if hint else ""))
        return value

    return AfterValidator(check)


def _decimals(value: Decimal) -> Decimal:
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        raise _fail(say("number.decimals", got=_describe(value), limit=Num(MAX_DECIMALS)))
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
#: An electricity meter reading, in kWh (site meters show at most 9 digits).
MAX_KWH_METER = 999_999_999
#: An action's baseline and target, in its indicator's unit (km, L, meals, kg, t CO2e; shares 0-1).
MAX_INDICATOR_VALUE = 1_000_000_000
#: Missed prompts in a row before the eco-referent is told.
MAX_MISSED = 100

ForecastTonnes = _quantity(0, MAX_FORECAST_TCO2E, hint="tonnes")
OdometerKm = _quantity(0, MAX_ODOMETER_KM, hint="odometer")
LitresPerHour = _quantity(0, MAX_LITRES_PER_HOUR, above=True, hint="litres_per_hour")
RatedKva = _quantity(0, MAX_RATED_KVA, above=True, hint="kva")
HourMeter = _quantity(0, MAX_HOUR_METER, hint="hour_meter")
KwhMeter = _quantity(0, MAX_KWH_METER, hint="kwh_meter")
IndicatorValue = _quantity(-MAX_INDICATOR_VALUE, MAX_INDICATOR_VALUE, hint="indicator")
Load = _quantity(0, 1, above=True, hint="load", examples=[0.5])
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
    raise _fail(say("discord_id", got=_describe(value)))


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


def _bot_name(value: Any) -> str:
    if not isinstance(value, str) or not _BOT_RE.match(value):
        raise _fail(say("bot.invalid", got=_describe(value)))
    return value


BotName = Annotated[str, BeforeValidator(_bot_name), _schema(type="string", pattern=_BOT_PATTERN)]


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

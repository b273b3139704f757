"""The set-up forms, one per section of the production file: their fields, and form <-> file.

A section's form edits one part of the production's file document; ``read_form`` puts what was
typed back into a copy of the document, untouched, so the production-file loader judges it
(``common.production_setup``). Nothing is checked here beyond turning a blank field into "not given".
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from common.production_file.types import (
    FUEL_FACTOR_UNITS,
    GRID_FACTOR_UNITS,
    MEAL_FACTOR_UNITS,
    VEHICLE_FACTOR_UNITS,
    WASTE_FACTOR_UNITS,
)
from domain.factors import FactorSet
from domain.indicators import INDICATORS
from domain.model import (
    WEEKDAYS,
    ActionOutcome,
    ActionStatus,
    Category,
    Channel,
    Frequency,
    Language,
    ProductionType,
    ReportKind,
    Role,
)

Options = Callable[[Mapping[str, Any], FactorSet], Sequence[str]]


def _values(enum: Any) -> Options:
    return lambda doc, factors: [e.value for e in enum]


def _factors(units: Sequence[str]) -> Options:
    return lambda doc, factors: sorted(k for k, f in factors.as_mapping().items() if f.unit in units)


def _ids(section: str) -> Options:
    return lambda doc, factors: [item["id"] for item in doc.get(section, [])]


@dataclass(frozen=True)
class Field:
    """One input. ``kind``: text, long, date, time, number, select, check, weekdays, dates."""

    name: str
    kind: str = "text"
    options: Options | None = None
    blank: bool = False  # a select that may be left empty ("not given")
    width: str = "m"  # s, m or l: how wide the input is drawn
    labels: str = ""  # a select's option words: the text ``{labels}.{value}`` (the value is what is sent)


@dataclass(frozen=True)
class Section:
    key: str
    fields: tuple[Field, ...]
    many: bool = False  # a list of rows (crew...) rather than one set of fields
    mapping: bool = False  # a name -> factor mapping (meal types, waste streams), edited as rows
    path: tuple[str, ...] = field(default=())  # where it sits in the document; default: (key,)

    @property
    def where(self) -> tuple[str, ...]:
        return self.path or (self.key,)

    def prefix(self) -> str:
        return ".".join(self.where)


SECTIONS: tuple[Section, ...] = (
    Section("production", (
        Field("title", width="l"), Field("type", "select", _values(ProductionType), labels="setup.type"),
        Field("timezone"), Field("language", "select", _values(Language), labels="setup.language"),
        Field("telegram_bot", width="s"),
        *(Field(f"forecast_tco2e.{c.value}", "number", width="s") for c in Category),
    )),
    Section("calendar", (
        Field("start", "date"), Field("end", "date"), Field("shooting_days", "weekdays"),
        Field("days_off", "dates", width="l"), Field("extra_days", "dates", width="l"),
    ), path=("production", "calendar")),
    Section("crew", (
        Field("id", width="s"), Field("name"), Field("role", "select", _values(Role), labels="crewrole"),
        Field("channel", "select", _values(Channel), labels="setup.channel"),
        Field("language", "select", _values(Language), blank=True, labels="setup.language"),
        Field("voice", "check"), Field("paused_until", "date"),
    ), many=True),
    Section("vehicles", (
        Field("id", width="s"), Field("label"), Field("kind"), Field("fuel"),
        Field("measured_by", "select", lambda d, f: ["km", "litres"], labels="setup.measured_by"),
        Field("factor", "select", _factors(VEHICLE_FACTOR_UNITS), blank=True), Field("odometer_start", "number"),
    ), many=True),
    Section("sites", (
        Field("id", width="s"), Field("label"),
        Field("mode", "select", lambda d, f: ["meter", "kwh"], labels="setup.sitemode"),
        Field("meter_start", "number"), Field("factor", "select", _factors(GRID_FACTOR_UNITS)),
    ), many=True),
    Section("generators", (
        Field("id", width="s"), Field("label"), Field("fuel_factor", "select", _factors(FUEL_FACTOR_UNITS)),
        Field("litres_per_hour", "number", width="s"), Field("rated_kva", "number", width="s"),
        Field("load", "number", width="s"), Field("hour_meter_start", "number"),
    ), many=True),
    Section("meal_types", (Field("name"), Field("factor", "select", _factors(MEAL_FACTOR_UNITS))),
            many=True, mapping=True),
    Section("waste_streams", (Field("name"), Field("factor", "select", _factors(WASTE_FACTOR_UNITS))),
            many=True, mapping=True),
    Section("assignments", (
        Field("who", "select", _ids("crew")), Field("report", "select", _values(ReportKind), labels="kind"),
        Field("vehicle", "select", _ids("vehicles"), blank=True),
        Field("generator", "select", _ids("generators"), blank=True),
        Field("site", "select", _ids("sites"), blank=True),
        Field("mode", "select", lambda d, f: ["odometer", "distance", "hours", "meter"], blank=True,
              labels="setup.mode"),
        Field("frequency", "select", _values(Frequency), blank=True, labels="setup.frequency"),
        Field("weekday", "select", lambda d, f: list(WEEKDAYS), blank=True, labels="setup.weekday"),
        Field("day_of_month", width="s"), Field("at", "time"),
    ), many=True),
    Section("travel", (Field("radiative_forcing", "check"),)),
    Section("action_plan", (
        Field("id", width="s"), Field("theme", "select", _values(Category), labels="category"),
        Field("objective", "long"),
        Field("owner", "select", _ids("crew")), Field("means", "long"),
        Field("indicator", "select", lambda d, f: list(INDICATORS), labels="setup.indicator"),
        Field("baseline", "number", width="s"), Field("target", "number", width="s"),
        Field("status", "select", _values(ActionStatus), labels="status"),
        Field("outcome", "select", _values(ActionOutcome), blank=True, labels="outcome"),
        Field("note", "long"),
    ), many=True),
)

BY_KEY = {s.key: s for s in SECTIONS}


def _get(doc: Mapping[str, Any], path: Sequence[str]) -> Any:
    for part in path:
        doc = doc.get(part, {}) if isinstance(doc, Mapping) else {}
    return doc


def rows_of(section: Section, doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The section's rows (one for a single-object section) as the form shows them."""
    data = _get(doc, section.where)
    if section.mapping:
        return [{"name": k, "factor": v} for k, v in (data or {}).items()]
    if section.many:
        return [dict(item) for item in data or []]
    return [_flatten(data or {})]


def _flatten(data: Mapping[str, Any]) -> dict[str, Any]:
    flat = dict(data)
    for key, value in data.items():
        if isinstance(value, Mapping) and key == "forecast_tco2e":
            flat.update({f"{key}.{k}": v for k, v in value.items()})
    return flat


#: How a date is typed and shown in a form, in the page's language (the first way is the one shown).
#: French: day first, as France writes it (year first is read too). English: year first only, since
#: 03/01/2027 is 3 January in London and 1 March in New York.
DATE_FORMATS = {"fr": ("%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"), "en": ("%Y-%m-%d",)}
#: A form says the language its dates were shown in, so they read the same if the page's language
#: changed in between (in another tab, say).
DATE_LANGUAGE = "dates_in"


def date_text(value: dt.date, lang: str) -> str:
    return value.strftime(DATE_FORMATS.get(lang, DATE_FORMATS["en"])[0])


def read_date(text: str, lang: str) -> dt.date | None:
    """The date typed, read the page language's ways; None when it is not one."""
    for fmt in DATE_FORMATS.get(lang, DATE_FORMATS["en"]):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def shown(value: Any, lang: str = "en") -> str:
    """A document value as a form shows it (a date the page language's way)."""
    if value is None or value is False:
        return ""
    if isinstance(value, dt.date):
        return date_text(value, lang)
    if isinstance(value, list):
        return ", ".join(shown(v, lang) for v in value)
    return str(value)


def _typed(f: Field, form: Mapping[str, str], name: str, getlist: Callable[[str], list[str]], lang: str) -> Any:
    """A field's value as typed: a date read as one (or left as the text, which ``date_problems`` names)."""
    if f.kind == "check":
        return name in form
    if f.kind == "weekdays":
        return getlist(name)
    text = form.get(name, "").strip()
    if f.kind == "dates":
        return [read_date(d, lang) or d for d in re.split(r"[\s,;]+", text) if d]
    if f.kind == "date" and text:
        return read_date(text, lang) or text
    return text or None


def date_problems(section: Section, rows: Sequence[Mapping[str, Any]]) -> dict[tuple[int, str], list[str]]:
    """The dates typed that could not be read, by (row, field): the texts ``date_message`` explains."""
    found: dict[tuple[int, str], list[str]] = {}
    for i, row in enumerate(rows):
        for f in section.fields:
            value = row.get(f.name)
            if f.kind == "date" and isinstance(value, str):
                found[(i, f.name)] = [value]
            elif f.kind == "dates" and isinstance(value, list) and any(isinstance(v, str) for v in value):
                found[(i, f.name)] = [v for v in value if isinstance(v, str)]
    return found


def read_form(
    section: Section, doc: Mapping[str, Any], form: Mapping[str, str], getlist: Callable[[str], list[str]],
    lang: str = "en",
) -> tuple[dict[str, Any], list[int], list[dict[str, Any]]]:
    """The document with this section replaced by the form's; which form row each kept row came from;
    and the rows as typed (to show them again beside their problems). Dates are read in ``lang``'s ways."""
    new = copy.deepcopy(dict(doc))
    lang = form.get(DATE_LANGUAGE, lang) if form.get(DATE_LANGUAGE) in DATE_FORMATS else lang
    typed_rows: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    origin: list[int] = []
    count = int(form.get("rows", "1") or 1) if section.many else 1
    for i in range(min(count, 500)):
        row = {f.name: _typed(f, form, f"{i}.{f.name}", getlist, lang) for f in section.fields}
        typed_rows.append(row)
        blank = all(v in (None, False, []) for v in row.values())
        if section.many and (blank or f"{i}.remove" in form):
            continue
        kept.append({k: v for k, v in row.items() if v not in (None, False) or (k == "voice" and v is False)})
        origin.append(i)
    target = new
    for part in section.where[:-1]:
        target = target.setdefault(part, {})
    last = section.where[-1]
    if section.mapping:
        target[last] = {r.get("name") or "": r.get("factor") or "" for r in kept}
    elif section.many:
        target[last] = kept
    else:
        target[last] = _unflatten(dict(target.get(last, {})), typed_rows[0])
    return new, origin, typed_rows


def _unflatten(old: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """A single-object section: the form's fields replace the stored ones; the rest stays."""
    merged = {k: v for k, v in old.items() if k not in row}
    forecast = {}
    for key, value in row.items():
        if key.startswith("forecast_tco2e."):
            if value is not None:
                forecast[key.split(".", 1)[1]] = value
        else:
            merged[key] = value
    if any(k.startswith("forecast_tco2e.") for k in row):
        merged["forecast_tco2e"] = forecast
    return {k: v for k, v in merged.items() if v is not None}


def locate(
    section: Section, where: str, origin: Sequence[int], rows: Sequence[Mapping[str, Any]]
) -> tuple[int, str] | None:
    """The form row and field a loader problem's ``where`` points at, or None when it is elsewhere."""
    prefix = section.prefix()
    if section.key == "production" and where.startswith("production.calendar"):
        return None
    if where == prefix:
        return (0, "") if not section.many else None
    if not where.startswith(prefix):
        return None
    rest = where[len(prefix):]
    if section.mapping:
        name = rest.lstrip(".")
        for i, row in enumerate(rows):
            if row.get("name") == name:
                return i, "factor"
        return None
    if section.many:
        match = re.match(r"^\[(\d+)\](?:\.(.+))?$", rest)
        if not match or int(match[1]) >= len(origin):
            return None
        return origin[int(match[1])], (match[2] or "").split(".")[0].split("[")[0]
    name = rest.lstrip(".").split("[")[0]
    fields = {f.name for f in section.fields}
    return (0, name) if name in fields else (0, "")

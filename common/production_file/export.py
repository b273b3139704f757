"""The other way round: a ``domain.model.Production`` as a production file (format version 1).

``production_document`` gives the plain data (what ``parse_production`` accepts as a mapping) and
``production_yaml`` its YAML text, the file a coordinator downloads from the dashboard. Reading that
file back gives the same production: every field is written out, defaults included, so nothing
depends on the defaults of the day it is read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import yaml

from common.production_file.types import FORMAT_VERSION, SCHEMA_ID
from domain.model import (
    WEEKDAYS,
    Action,
    Assignment,
    CrewMember,
    Frequency,
    Generator,
    MeasuredBy,
    Production,
    ReportKind,
    Site,
    Vehicle,
)


def _number(value: Decimal | None) -> int | float | str | None:
    """A decimal written so the loader reads back the very same one (``38.0`` stays ``38.0``)."""
    if value is None:
        return None
    if value == value.to_integral_value() and value.as_tuple().exponent == 0:
        return int(value)
    as_float = float(value)
    if str(Decimal(str(as_float))) == str(value):
        return as_float
    return str(value)


def _time(value: dt.time) -> str:
    return value.strftime("%H:%M")


def _drop_none(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if v is not None}


def _crew(m: CrewMember) -> dict[str, Any]:
    # A forgotten member's name is erased in the store; their id stands in (a load keeps the erasure).
    return _drop_none({
        "id": m.id, "name": m.name or m.id, "role": m.role.value, "channel": m.channel.value,
        "language": m.language.value, "voice": m.voice, "paused_until": m.paused_until,
    })


def _vehicle(v: Vehicle) -> dict[str, Any]:
    # a vehicle measured by litres has no per-km factor: the loader gives it its fuel's, so none is written
    factor = None if v.measured_by is MeasuredBy.LITRES and v.factor == v.fuel_factor else v.factor
    return _drop_none({"id": v.id, "label": v.label, "kind": v.kind, "fuel": v.fuel, "factor": factor,
                       "odometer_start": _number(v.odometer_start), "measured_by": v.measured_by.value})


def _site(s: Site) -> dict[str, Any]:
    return _drop_none({"id": s.id, "label": s.label, "mode": s.mode.value,
                       "meter_start": _number(s.meter_start), "factor": s.factor})


def _generator(g: Generator) -> dict[str, Any]:
    return _drop_none({
        "id": g.id, "label": g.label, "fuel_factor": g.fuel_factor,
        "litres_per_hour": _number(g.litres_per_hour), "rated_kva": _number(g.rated_kva),
        "load": _number(g.load), "hour_meter_start": _number(g.hour_meter_start),
    })


def _assignment(a: Assignment) -> dict[str, Any]:
    day_of_month: int | str | None = None
    if a.frequency is Frequency.MONTHLY:
        day_of_month = a.day_of_month if a.day_of_month is not None else "last_shooting_day"
    # a grid meter's assignment takes its site's mode: the file names the site only
    mode = None if a.mode is None or a.report is ReportKind.GRID_POWER else a.mode.value
    return _drop_none({
        "who": a.who, "report": a.report.value, "vehicle": a.vehicle, "generator": a.generator,
        "site": a.site, "mode": mode, "frequency": a.frequency.value,
        "weekday": WEEKDAYS[a.weekday] if a.weekday is not None else None,
        "day_of_month": day_of_month, "at": _time(a.at),
    })


def _action(a: Action) -> dict[str, Any]:
    return _drop_none({
        "id": a.id, "theme": a.theme.value, "objective": a.objective, "owner": a.owner, "means": a.means,
        "indicator": a.indicator, "baseline": _number(a.baseline), "target": _number(a.target),
        "status": a.status.value, "outcome": a.outcome.value if a.outcome is not None else None,
        "note": a.note,
    })


def production_document(p: Production, discord: dict[str, Any] | None = None) -> dict[str, Any]:
    """The production file of ``p`` as plain data, with its ``discord:`` section when given."""
    cal = p.calendar
    doc: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "production": {
            "id": p.id, "title": p.title, "type": p.type.value, "timezone": p.timezone,
            "language": p.language.value,
            "calendar": {
                "start": cal.start, "end": cal.end,
                "shooting_days": [WEEKDAYS[d] for d in sorted(cal.weekdays)],
                "days_off": sorted(cal.days_off),
                "extra_days": sorted(cal.extra_days),
            },
            "forecast_tco2e": {k.value: _number(v) for k, v in sorted(p.forecast_tco2e.items())},
            **({"telegram_bot": p.telegram_bot} if p.telegram_bot else {}),
        },
        "crew": [_crew(m) for m in p.crew],
        "vehicles": [_vehicle(v) for v in p.vehicles],
        "sites": [_site(s) for s in p.sites],
        "travel": {"radiative_forcing": p.travel.radiative_forcing},
        "generators": [_generator(g) for g in p.generators],
        "meal_types": dict(p.meal_types),
        "waste_streams": dict(p.waste_streams),
        "assignments": [_assignment(a) for a in p.assignments],
        "reminders": {"after_minutes": p.reminders.after_minutes,
                      "escalate_after_missed": p.reminders.escalate_after_missed},
        "action_plan": [_action(a) for a in p.action_plan],
        "sensitisation": [{"message": c.message, "to": c.to, "on": c.on, "at": _time(c.at)}
                          for c in p.sensitisation],
    }
    if discord:
        doc["discord"] = dict(discord)
    return doc


class _Dumper(yaml.SafeDumper):
    """Block style, keys in the format's order, times and ``on`` quoted so every reader agrees."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_str(value)


_Dumper.add_representer(str, _str)


def production_yaml(p: Production, discord: dict[str, Any] | None = None) -> str:
    """The production file of ``p``, as the YAML text ``greenslate production load`` reads."""
    body = yaml.dump(production_document(p, discord), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)
    head = (f"# greenslate production file (format version {FORMAT_VERSION}, schema {SCHEMA_ID})\n"
            f"# Load it with: greenslate production load FILE\n")
    return head + body

"""A production definition to JSON and back, for the ``productions.definition`` column.

The crew is not part of it: members live in their own table, with the state the shoot adds.
Decimals are written as strings (exact), dates as ISO strings, times as ``HH:MM[:SS]``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from domain.model import (
    Action,
    ActionOutcome,
    ActionStatus,
    Assignment,
    Campaign,
    Category,
    CrewMember,
    Frequency,
    Generator,
    GeneratorMode,
    Language,
    MeasuredBy,
    MileageMode,
    Production,
    ProductionType,
    Reminders,
    ReportKind,
    ShootingCalendar,
    Site,
    SiteMode,
    TravelOptions,
    Vehicle,
)

FORMAT = 1  # bump when the shape below changes, and read the old shape too


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _time(value: dt.time) -> str:
    return value.isoformat(timespec="seconds" if value.second else "minutes")


def calendar_columns(calendar: ShootingCalendar) -> dict[str, Any]:
    return {
        "calendar_start": calendar.start,
        "calendar_end": calendar.end,
        "shooting_weekdays": sorted(calendar.weekdays),
        "days_off": [d.isoformat() for d in sorted(calendar.days_off)],
    }


def forecast_json(forecast: Any) -> dict[str, str]:
    return {Category(k).value: str(v) for k, v in sorted(forecast.items())}


def production_definition(p: Production) -> dict[str, Any]:
    """Everything in ``p`` that has no column of its own (the crew excepted).

    ``extra_days`` (the calendar's moved days) is written only when there are some, so a production
    stored before it existed reads and saves as it did.
    """
    extra = {"extra_days": [d.isoformat() for d in sorted(p.calendar.extra_days)]} if p.calendar.extra_days else {}
    return {
        "format": FORMAT,
        **extra,
        "vehicles": [
            {
                "id": v.id,
                "label": v.label,
                "kind": v.kind,
                "fuel": v.fuel,
                "factor": v.factor,
                "odometer_start": _dec(v.odometer_start),
                "measured_by": v.measured_by.value,
            }
            for v in p.vehicles
        ],
        "generators": [
            {
                "id": g.id,
                "label": g.label,
                "fuel_factor": g.fuel_factor,
                "litres_per_hour": _dec(g.litres_per_hour),
                "rated_kva": _dec(g.rated_kva),
                "load": _dec(g.load),
                "hour_meter_start": _dec(g.hour_meter_start),
            }
            for g in p.generators
        ],
        "meal_types": dict(p.meal_types),
        "waste_streams": dict(p.waste_streams),
        "assignments": [
            {
                "who": a.who,
                "report": a.report.value,
                "frequency": a.frequency.value,
                "at": _time(a.at),
                "vehicle": a.vehicle,
                "generator": a.generator,
                "mode": None if a.mode is None else a.mode.value,
                "site": a.site,
                "weekday": a.weekday,
                "day_of_month": a.day_of_month,
                "last_shooting_day_of_month": a.last_shooting_day_of_month,
            }
            for a in p.assignments
        ],
        **_footprint_definition(p),
        "reminders": {
            "after_minutes": p.reminders.after_minutes,
            "escalate_after_missed": p.reminders.escalate_after_missed,
        },
        "action_plan": [
            {
                "id": a.id,
                "theme": a.theme.value,
                "objective": a.objective,
                "owner": a.owner,
                "means": a.means,
                "indicator": a.indicator,
                "baseline": _dec(a.baseline),
                "target": _dec(a.target),
                "status": a.status.value,
                "outcome": None if a.outcome is None else a.outcome.value,
                "note": a.note,
            }
            for a in p.action_plan
        ],
        "sensitisation": [
            {"message": c.message, "to": c.to, "on": c.on.isoformat(), "at": _time(c.at)}
            for c in p.sensitisation
        ],
    }


def _footprint_definition(p: Production) -> dict[str, Any]:
    """The grid sites and the travel options (a definition stored before them reads as none and the default)."""
    return {
        "sites": [
            {"id": s.id, "label": s.label, "mode": s.mode.value, "meter_start": _dec(s.meter_start),
             "factor": s.factor}
            for s in p.sites
        ],
        "travel": {"radiative_forcing": p.travel.radiative_forcing},
        "telegram_bot": p.telegram_bot,
    }


def _sites(d: dict[str, Any]) -> tuple[Site, ...]:
    return tuple(Site(id=s["id"], label=s["label"], mode=SiteMode(s["mode"]), meter_start=_undec(s["meter_start"]),
                      factor=s["factor"]) for s in d.get("sites", []))


def _mode(report: ReportKind, value: str | None) -> MileageMode | GeneratorMode | SiteMode | None:
    if value is None:
        return None
    if report is ReportKind.GRID_POWER:
        return SiteMode(value)
    if report is ReportKind.MILEAGE:
        return MileageMode(value)
    if report in (ReportKind.GENERATOR_HOURS, ReportKind.GENERATOR_LITRES):
        return GeneratorMode(value)
    try:
        return MileageMode(value)
    except ValueError:
        return GeneratorMode(value)


def build_production(
    row: Any, crew: tuple[CrewMember, ...], statuses: dict[str, tuple[str, str | None, str]]
) -> Production:
    """The domain production from its ``productions`` row, its active crew and the latest action
    statuses (action id -> (status, outcome, note))."""
    d = row.definition
    actions = []
    for a in d["action_plan"]:
        status, outcome, note = statuses.get(a["id"], (a["status"], a["outcome"], a["note"]))
        actions.append(
            Action(
                id=a["id"],
                theme=Category(a["theme"]),
                objective=a["objective"],
                owner=a["owner"],
                means=a["means"],
                indicator=a["indicator"],
                baseline=Decimal(a["baseline"]),
                target=Decimal(a["target"]),
                status=ActionStatus(status),
                outcome=None if outcome is None else ActionOutcome(outcome),
                note=note,
            )
        )
    assignments = []
    for a in d["assignments"]:
        report = ReportKind(a["report"])
        assignments.append(
            Assignment(
                who=a["who"],
                report=report,
                frequency=Frequency(a["frequency"]),
                at=dt.time.fromisoformat(a["at"]),
                vehicle=a["vehicle"],
                generator=a["generator"],
                mode=_mode(report, a["mode"]),
                site=a.get("site"),
                weekday=a["weekday"],
                day_of_month=a["day_of_month"],
                last_shooting_day_of_month=a["last_shooting_day_of_month"],
            )
        )
    return Production(
        id=row.id,
        title=row.title,
        type=ProductionType(row.type),
        timezone=row.timezone,
        language=Language(row.language),
        calendar=ShootingCalendar(
            start=row.calendar_start,
            end=row.calendar_end,
            weekdays=frozenset(int(w) for w in row.shooting_weekdays),
            days_off=frozenset(dt.date.fromisoformat(s) for s in row.days_off),
            extra_days=frozenset(dt.date.fromisoformat(s) for s in d.get("extra_days", [])),
        ),
        forecast_tco2e={Category(k): Decimal(v) for k, v in row.forecast_tco2e.items()},
        crew=crew,
        vehicles=tuple(
            Vehicle(
                id=v["id"],
                label=v["label"],
                kind=v["kind"],
                fuel=v["fuel"],
                factor=v["factor"],
                odometer_start=_undec(v["odometer_start"]),
                measured_by=MeasuredBy(v.get("measured_by", MeasuredBy.KM.value)),
            )
            for v in d["vehicles"]
        ),
        generators=tuple(
            Generator(
                id=g["id"],
                label=g["label"],
                fuel_factor=g["fuel_factor"],
                litres_per_hour=_undec(g["litres_per_hour"]),
                rated_kva=_undec(g["rated_kva"]),
                load=_undec(g["load"]),
                hour_meter_start=_undec(g["hour_meter_start"]),
            )
            for g in d["generators"]
        ),
        meal_types=dict(d["meal_types"]),
        waste_streams=dict(d["waste_streams"]),
        assignments=tuple(assignments),
        sites=_sites(d),
        travel=TravelOptions(**d.get("travel", {})),
        telegram_bot=d.get("telegram_bot", ""),
        reminders=Reminders(**d["reminders"]),
        action_plan=tuple(actions),
        sensitisation=tuple(
            Campaign(
                message=c["message"],
                to=c["to"],
                on=dt.date.fromisoformat(c["on"]),
                at=dt.time.fromisoformat(c["at"]),
            )
            for c in d["sensitisation"]
        ),
    )


def keep_tracked_statuses(stored: dict[str, Any], new: dict[str, Any], tracked: set[str]) -> dict[str, Any]:
    """``new`` with the stored status, outcome and note of every action whose status has a history.

    Such an action shows its latest status, never the file's, so the file's are kept as stored: a
    file that says what the dashboard shows (a downloaded production file) then changes nothing.
    """
    before = {a["id"]: a for a in stored.get("action_plan", [])}
    plan = []
    for action in new["action_plan"]:
        old = before.get(action["id"])
        if action["id"] in tracked and old is not None:
            action = {**action, **{k: old.get(k) for k in ("status", "outcome", "note")}}
        plan.append(action)
    return {**new, "action_plan": plan}

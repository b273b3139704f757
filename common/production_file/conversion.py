"""From the validated file to the domain's ``Production``."""

from __future__ import annotations

from common.production_file.models import AssignmentModel, GeneratorModel, ProductionFile, VehicleModel
from domain.model import (
    DEFAULT_FREQUENCY,
    FUEL_FACTORS,
    WEEKDAYS,
    Action,
    Assignment,
    Campaign,
    CrewMember,
    Frequency,
    Generator,
    GeneratorMode,
    MileageMode,
    Production,
    Reminders,
    ReportKind,
    ShootingCalendar,
    Site,
    SiteMode,
    TravelOptions,
    Vehicle,
)


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


def _vehicle(v: VehicleModel) -> Vehicle:
    # A vehicle measured by litres has no per-km factor: its fuel's factor stands for it.
    factor = v.factor or FUEL_FACTORS.get(v.fuel, "")
    return Vehicle(id=v.id, label=v.label, kind=v.kind, fuel=v.fuel, factor=factor,
                   odometer_start=v.odometer_start, measured_by=v.measured_by)


def _assignment(a: AssignmentModel, default: Frequency, sites: dict[str, SiteMode]) -> Assignment:
    frequency = a.frequency or default
    mode: MileageMode | GeneratorMode | SiteMode | None = None
    if a.report is ReportKind.MILEAGE:
        mode = MileageMode(a.mode or MileageMode.ODOMETER)
    elif a.report is ReportKind.GENERATOR_HOURS:
        mode = GeneratorMode(a.mode or GeneratorMode.HOURS)
    elif a.report is ReportKind.GRID_POWER:
        mode = sites.get(a.site or "", SiteMode.METER)
    day_of_month = a.day_of_month if isinstance(a.day_of_month, int) else None
    return Assignment(
        who=a.who,
        report=a.report,
        frequency=frequency,
        at=a.at,
        vehicle=a.vehicle,
        generator=a.generator,
        site=a.site,
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
        vehicles=tuple(_vehicle(v) for v in doc.vehicles),
        sites=tuple(Site(id=s.id, label=s.label, mode=s.mode, meter_start=s.meter_start, factor=s.factor)
                    for s in doc.sites),
        travel=TravelOptions(radiative_forcing=doc.travel.radiative_forcing),
        telegram_bot=p.telegram_bot or "",
        generators=tuple(_generator(g) for g in doc.generators),
        meal_types=dict(doc.meal_types),
        waste_streams=dict(doc.waste_streams),
        assignments=tuple(_assignment(a, default, {s.id: s.mode for s in doc.sites}) for a in doc.assignments),
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

"""Builders for the store tests: a production shaped like examples/feature-film.yaml, reports."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping
from decimal import Decimal as D
from typing import Any

from sqlalchemy import Engine, Table, func, select

from domain.model import (
    Action,
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
    Report,
    ReportKind,
    Role,
    ShootingCalendar,
    Vehicle,
)
from store.uow import SqlUnitOfWork

PARIS = dt.timezone(dt.timedelta(hours=1))


def make_production(**changes: object) -> Production:
    production = Production(
        id="feux-aube",
        title="Les Feux de l'Aube",
        type=ProductionType.FEATURE_FILM,
        timezone="Europe/Paris",
        language=Language.FR,
        calendar=ShootingCalendar(
            start=dt.date(2027, 3, 1),
            end=dt.date(2027, 4, 23),
            weekdays=frozenset({0, 1, 2, 3, 4}),
            days_off=frozenset({dt.date(2027, 4, 5)}),
        ),
        forecast_tco2e={
            Category.TRANSPORT: D("38.0"),
            Category.ENERGY: D("9.5"),
            Category.CATERING: D("14.0"),
            Category.WASTE: D("1.2"),
        },
        crew=(
            CrewMember("amina", "Amina Diallo", Role.DRIVER, Channel.TELEGRAM, Language.FR),
            CrewMember("paul", "Paul Martin", Role.CATERER, Channel.TELEGRAM, Language.FR),
            CrewMember("lea", "Léa Bernard", Role.GAFFER, Channel.TELEGRAM, Language.FR, voice=True),
            CrewMember("sam", "Sam Okafor", Role.SET_RUNNER, Channel.TELEGRAM, Language.EN),
            CrewMember("chloe", "Chloé Petit", Role.ECO_REFERENT, Channel.DISCORD, Language.FR),
        ),
        vehicles=(
            Vehicle("mb1", "Minibus MB-1", "minibus", "diesel", "van_fr_impactco2", D(45010)),
            Vehicle("car2", "Voiture régie 2", "car", "electric", "car_electric_compact_fr", D(12000)),
        ),
        generators=(
            Generator("g1", "Groupe 125 kVA", "gnr_fr", rated_kva=D(125), load=D("0.50")),
            Generator(
                "g2", "Groupe HVO", "hvo100_fr", litres_per_hour=D("7.5"), hour_meter_start=D("1500.5")
            ),
        ),
        meal_types={"vegetarian": "meal_vegetarian_fr", "beef": "meal_beef_fr"},
        waste_streams={
            "residual": "waste_residual_incineration_fr",
            "cardboard": "waste_cardboard_recycling_fr",
        },
        assignments=(
            Assignment("amina", ReportKind.MILEAGE, Frequency.DAILY, dt.time(19, 30), vehicle="mb1",
                       mode=MileageMode.ODOMETER),
            Assignment("paul", ReportKind.MEALS, Frequency.DAILY, dt.time(15, 0)),
            Assignment("lea", ReportKind.GENERATOR_HOURS, Frequency.DAILY, dt.time(20, 0), generator="g2",
                       mode=GeneratorMode.METER),
            Assignment("sam", ReportKind.WASTE, Frequency.WEEKLY, dt.time(18, 0), weekday=4),
            Assignment("sam", ReportKind.WASTE, Frequency.MONTHLY, dt.time(18, 0, 30),
                       last_shooting_day_of_month=True),
        ),
        reminders=Reminders(after_minutes=90, escalate_after_missed=3),
        action_plan=(
            Action("A1", Category.CATERING, "30 % vegetarian meals", "paul", "Veggie first",
                   "vegetarian_meal_share", D("0.10"), D("0.30")),
            Action("A3", Category.TRANSPORT, "Under 4,000 km", "amina", "Shared runs", "vehicle_km",
                   D(5000), D(4000)),
        ),
        sensitisation=(Campaign("veggie-day", "all", dt.date(2027, 3, 2), dt.time(8, 30)),),
    )
    return production if not changes else _replace(production, **changes)


def _replace(production: Production, **changes: object) -> Production:
    from dataclasses import replace

    return replace(production, **changes)  # type: ignore[arg-type]


_refs = itertools.count(1)


def report(
    kind: ReportKind,
    values: Mapping[str, object],
    *,
    day: dt.date = dt.date(2027, 3, 1),
    member: str | None = "amina",
    subject: str | None = None,
    source: str = "telegram",
    ref: str | None = None,
    confirmed: bool = False,
) -> Report:
    """A report as a bot would build it (each with a new source_ref unless ``ref`` is given)."""
    return Report(
        production_id="feux-aube",
        member_id=member,
        kind=kind,
        day=day,
        values={k: D(str(v)) for k, v in values.items()},
        raw_text=" ".join(str(v) for v in values.values()),
        source=source,
        source_ref=ref or f"msg-{next(_refs)}",
        received_at=dt.datetime.combine(day, dt.time(19, 35), PARIS),
        subject=subject,
        confirmed=confirmed,
    )


#: A plain job for ``run_together`` and ``run_as_one``: a use case given a unit of work.
Step = Callable[[SqlUnitOfWork], Any]


def row_counts(engine: Engine, *tables: Table) -> tuple[int, ...]:
    """How many rows each table holds, as ``engine``'s connections see them (only what was committed
    when it is another engine than the one that wrote)."""
    with engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables)

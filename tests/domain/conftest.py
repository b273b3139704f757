"""A small production built in code, so the domain tests need no file and no store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from config.factors import catalogue
from domain.model import (
    Action,
    Assignment,
    Category,
    Channel,
    CrewMember,
    Frequency,
    Generator,
    Language,
    MileageMode,
    Production,
    ProductionType,
    Report,
    ReportKind,
    Role,
    ShootingCalendar,
    Vehicle,
)
from domain.usecases import Catalogue

UTC = dt.UTC


@pytest.fixture(scope="session")
def cat() -> Catalogue:
    return catalogue()


@pytest.fixture
def production() -> Production:
    return Production(
        id="p1",
        title="Test shoot",
        type=ProductionType.FEATURE_FILM,
        timezone="Europe/Paris",
        language=Language.FR,
        calendar=ShootingCalendar(
            start=dt.date(2027, 3, 1),
            end=dt.date(2027, 3, 12),
            weekdays=frozenset({0, 1, 2, 3, 4}),
            days_off=frozenset({dt.date(2027, 3, 5)}),
        ),
        forecast_tco2e={
            Category.TRANSPORT: D("1.0"),
            Category.ENERGY: D("0.5"),
            Category.CATERING: D("0.4"),
            Category.WASTE: D("0.1"),
        },
        crew=(
            CrewMember("amina", "Amina", Role.DRIVER, Channel.TELEGRAM, Language.FR),
            CrewMember("paul", "Paul", Role.CATERER, Channel.TELEGRAM, Language.FR),
            CrewMember("lea", "Léa", Role.GAFFER, Channel.TELEGRAM, Language.FR),
            CrewMember("sam", "Sam", Role.SET_RUNNER, Channel.TELEGRAM, Language.EN),
        ),
        vehicles=(
            Vehicle("mb1", "Minibus MB-1", "minibus", "diesel", "van_fr_impactco2", D(45010)),
            Vehicle("car2", "Car 2", "car", "electric", "car_electric_compact_fr", None),
        ),
        generators=(
            Generator("g1", "Groupe 125 kVA", "gnr_fr", rated_kva=D(125), load=D("0.5")),
            Generator("g3", "Small", "gnr_fr", litres_per_hour=D("4.2")),
        ),
        meal_types={
            "vegetarian": "meal_vegetarian_fr",
            "vegan": "meal_vegan_fr",
            "chicken": "meal_chicken_fr",
            "beef": "meal_beef_fr",
        },
        waste_streams={
            "residual": "waste_residual_incineration_fr",
            "cardboard": "waste_cardboard_recycling_fr",
        },
        assignments=(
            Assignment(
                "amina",
                ReportKind.MILEAGE,
                Frequency.DAILY,
                dt.time(19, 30),
                vehicle="mb1",
                mode=MileageMode.ODOMETER,
            ),
        ),
        action_plan=(
            Action(
                "A1",
                Category.CATERING,
                "30 % veg",
                "paul",
                "menu",
                "vegetarian_meal_share",
                D("0.1"),
                D("0.3"),
            ),
            Action(
                "A3",
                Category.TRANSPORT,
                "under 1000 km",
                "amina",
                "shared runs",
                "vehicle_km",
                D(1500),
                D(1000),
            ),
        ),
    )


_counter = iter(range(1, 10_000_000))


def make_report(
    kind: ReportKind,
    day: dt.date,
    values: dict[str, object],
    *,
    subject: str | None = None,
    member: str = "amina",
    corrects: int | None = None,
    void: bool = False,
    report_id: int | None = None,
) -> Report:
    n = next(_counter)
    return Report(
        production_id="p1",
        member_id=member,
        kind=kind,
        day=day,
        values={k: D(str(v)) for k, v in values.items()},
        raw_text=str(values),
        source="test",
        source_ref=f"t{n}",
        received_at=dt.datetime.combine(day, dt.time(19, 0), UTC) + dt.timedelta(seconds=n),
        subject=subject,
        corrects=corrects,
        void=void,
        id=report_id if report_id is not None else n,
    )

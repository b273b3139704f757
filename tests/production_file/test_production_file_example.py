"""The reference production file loads and means exactly what its comments say.

The file ships in the package, as ``config/examples/feature-film.yaml``: it is the format's
reference and must keep loading unchanged.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
import yaml

from common.production_file import load_production_file, parse_production
from config.factors import load_consumption_table
from domain.generators import litres_per_hour
from domain.model import (
    ActionStatus,
    Category,
    Channel,
    Frequency,
    GeneratorMode,
    Language,
    MeasuredBy,
    MileageMode,
    Production,
    ProductionType,
    ReportKind,
    Role,
    SiteMode,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "feature-film.yaml"


@pytest.fixture(scope="module")
def production() -> Production:
    return load_production_file(EXAMPLE)


def test_the_production_itself(production: Production) -> None:
    assert production.id == "feux-aube"
    assert production.title == "Les Feux de l'Aube"
    assert production.type is ProductionType.FEATURE_FILM
    assert production.timezone == "Europe/Paris"
    assert production.language is Language.FR
    assert production.forecast_tco2e == {
        Category.TRANSPORT: D("38.0"),
        Category.ENERGY: D("9.5"),
        Category.CATERING: D("14.0"),
        Category.WASTE: D("1.2"),
        Category.ACCOMMODATION: D("22.0"),
        Category.PURCHASES: D("48.0"),
        Category.POST_PRODUCTION: D("3.5"),
    }
    assert production.travel.radiative_forcing is True
    assert all(type(v) is D for v in production.forecast_tco2e.values())


def test_the_calendar_runs_mondays_to_fridays_without_easter_monday(production: Production) -> None:
    cal = production.calendar
    assert (cal.start, cal.end) == (dt.date(2027, 3, 1), dt.date(2027, 4, 23))
    assert cal.weekdays == frozenset({0, 1, 2, 3, 4})
    assert cal.days_off == frozenset({dt.date(2027, 4, 5)})
    assert not cal.is_shooting_day(dt.date(2027, 4, 5))  # Easter Monday: no prompt
    assert cal.is_shooting_day(dt.date(2027, 4, 6))
    assert not cal.is_shooting_day(dt.date(2027, 3, 6))  # a Saturday
    # Eight weeks of five days, less Easter Monday.
    assert len(cal.shooting_days()) == 8 * 5 - 1


def test_the_crew(production: Production) -> None:
    assert [m.id for m in production.crew] == ["amina", "karim", "paul", "lea", "sam", "chloe", "marc", "ines"]
    assert [m.role for m in production.crew] == [
        Role.DRIVER,
        Role.DRIVER,
        Role.CATERER,
        Role.GAFFER,
        Role.SET_RUNNER,
        Role.ECO_REFERENT,
        Role.COORDINATOR,
        Role.COORDINATOR,
    ]
    assert production.member("lea").voice is True
    assert production.member("amina").voice is False
    assert production.member("sam").language is Language.EN
    # No language given: the production's.
    assert production.member("chloe").language is Language.FR
    assert production.member("chloe").channel is Channel.DISCORD
    assert production.member("marc").channel is Channel.DASHBOARD
    assert production.member("amina").name == "Amina Diallo"


def test_the_vehicles_and_their_factors(production: Production) -> None:
    mb1, car2, car3 = production.vehicles
    assert (mb1.id, mb1.label, mb1.kind, mb1.fuel) == ("mb1", "Minibus MB-1", "minibus", "diesel")
    assert mb1.factor == "van_fr_impactco2"
    assert mb1.odometer_start == D(45010)
    assert car2.factor == "car_electric_compact_fr"
    assert car2.odometer_start == D(12000)
    assert mb1.measured_by is MeasuredBy.KM and car2.measured_by is MeasuredBy.KM
    # car3 is counted by the litres at the pump, never by km as well
    assert car3.measured_by is MeasuredBy.LITRES and car3.fuel_factor == "diesel_road_fr"
    assert car3.odometer_start is None


def test_the_studio_meter_is_read_like_an_odometer(production: Production) -> None:
    (studio,) = production.sites
    assert (studio.id, studio.mode, studio.meter_start, studio.factor) == (
        "studio", SiteMode.METER, D(18250), "electricity_fr_2025")


def test_the_generators_burn_what_the_consumption_table_says(production: Production) -> None:
    g1, g2 = production.generators
    assert (g1.rated_kva, g1.load, g1.fuel_factor) == (D(125), D("0.5"), "gnr_fr")
    assert str(g1.load) == "0.5"  # read exactly, not as the float 0.5000000001...
    assert (g2.rated_kva, g2.load, g2.fuel_factor) == (D(250), D("0.25"), "hvo100_fr")
    table = load_consumption_table()
    # 125 kVA x 0.8 = 100 kW at 50 % load; 250 kVA = 200 kW at 25 % load.
    assert litres_per_hour(g1, table) == D("15.5")
    assert litres_per_hour(g2, table) == D("17.8")


def test_meal_types_and_waste_streams(production: Production) -> None:
    assert production.meal_types == {
        "vegetarian": "meal_vegetarian_fr",
        "vegan": "meal_vegan_fr",
        "chicken": "meal_chicken_fr",
        "beef": "meal_beef_fr",
        "fish": "meal_fish_white_fr",
    }
    assert production.waste_streams == {
        "residual": "waste_residual_incineration_fr",
        "biowaste": "waste_biowaste_industrial_compost_fr",
        "cardboard": "waste_cardboard_recycling_fr",
        "plastic": "waste_pet_recycling_fr",
    }


def test_every_kind_is_assigned_once(production: Production) -> None:
    assert {x.report for x in production.assignments} == set(ReportKind) - {ReportKind.GENERATOR_LITRES}
    office = production.assignments[6:]
    assert [(x.who, x.report, x.subject) for x in office] == [
        ("ines", ReportKind.TRAVEL, None),
        ("ines", ReportKind.ACCOMMODATION, None),
        ("ines", ReportKind.GRID_POWER, "studio"),
        ("ines", ReportKind.FUEL, "car3"),
        ("ines", ReportKind.FREIGHT, None),
        ("ines", ReportKind.PURCHASES, None),
        ("ines", ReportKind.POST_PRODUCTION, None),
    ]
    assert all((x.frequency, x.weekday, x.at) == (Frequency.WEEKLY, 4, dt.time(17, 0)) for x in office)
    assert office[2].mode is SiteMode.METER


def test_six_assignments_with_their_frequency_and_local_time(production: Production) -> None:
    a = production.assignments[:6]
    assert len(a) == 6
    assert [(x.who, x.report, x.subject) for x in a] == [
        ("amina", ReportKind.MILEAGE, "mb1"),
        ("karim", ReportKind.MILEAGE, "car2"),
        ("paul", ReportKind.MEALS, None),
        ("lea", ReportKind.GENERATOR_HOURS, "g1"),
        ("lea", ReportKind.GENERATOR_HOURS, "g2"),
        ("sam", ReportKind.WASTE, None),
    ]
    assert [x.frequency for x in a] == [Frequency.DAILY] * 5 + [Frequency.WEEKLY]
    assert [x.at for x in a] == [
        dt.time(19, 30),
        dt.time(19, 30),
        dt.time(15, 0),
        dt.time(20, 0),
        dt.time(20, 0),
        dt.time(18, 0),
    ]
    assert a[0].mode is MileageMode.ODOMETER and a[1].mode is MileageMode.ODOMETER
    assert a[3].mode is GeneratorMode.HOURS  # not given: hours run
    assert a[5].weekday == 4  # fri
    assert all(x.weekday is None for x in a[:5])
    assert all(x.day_of_month is None and not x.last_shooting_day_of_month for x in a)
    assert len({x.key for x in production.assignments}) == 13


def test_reminders(production: Production) -> None:
    assert production.reminders.after_minutes == 120
    assert production.reminders.escalate_after_missed == 2


def test_the_action_plan_keeps_exact_baselines_and_targets(production: Production) -> None:
    plan = production.action_plan
    assert [a.id for a in plan] == ["A1", "A2", "A3", "A4"]
    assert [(a.owner, a.theme, a.indicator) for a in plan] == [
        ("paul", Category.CATERING, "vegetarian_meal_share"),
        ("lea", Category.ENERGY, "generator_litres"),
        ("amina", Category.TRANSPORT, "vehicle_km"),
        ("sam", Category.WASTE, "sorted_waste_share"),
    ]
    assert [(a.baseline, a.target) for a in plan] == [
        (D("0.1"), D("0.3")),
        (D(3000), D(2700)),
        (D(5000), D(4000)),
        (D("0.3"), D("0.6")),
    ]
    assert all(type(a.baseline) is D and type(a.target) is D for a in plan)
    assert all(a.status is ActionStatus.PLANNED for a in plan)
    assert plan[0].means.startswith("Vegetarian main dish")


def test_sensitisation_dates_stay_dates(production: Production) -> None:
    # ``on:`` is a plain key here, not the YAML 1.1 boolean True.
    assert [(c.message, c.to, c.on, c.at) for c in production.sensitisation] == [
        ("veggie-day", "all", dt.date(2027, 3, 2), dt.time(8, 30)),
        ("engine-off", "driver", dt.date(2027, 3, 3), dt.time(8, 30)),
        ("mains-hookup", "gaffer", dt.date(2027, 3, 4), dt.time(8, 30)),
        ("sorting-bins", "all", dt.date(2027, 3, 5), dt.time(8, 30)),
    ]


def test_the_prompt_time_is_paris_time(production: Production) -> None:
    evening = dt.datetime.combine(dt.date(2027, 3, 30), production.assignments[0].at, production.zone)
    assert evening.utcoffset() == dt.timedelta(hours=2)  # summer time has started on 28 March


def test_text_mapping_and_path_give_the_same_production(production: Production) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert parse_production(text, "feature-film.yaml") == production
    # A mapping from a YAML 1.1 reader (``on:`` read as True) gives the same production too.
    assert parse_production(yaml.safe_load(text), "feature-film.yaml") == production

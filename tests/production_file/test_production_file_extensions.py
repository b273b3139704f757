"""What the format offers beyond the reference example: defaults by production type, modes,
monthly days, declared consumption, pauses, and YAML that reads the way people write it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from common.production_file import parse_production
from domain.errors import ProductionFileError
from domain.model import Frequency, GeneratorMode, MileageMode, Production, ProductionType

NAME = "small.yaml"


def small(kind: str = "ad_shoot", **sections: Any) -> dict[str, Any]:
    """A small valid production as a mapping; ``sections`` replace or add top-level sections."""
    doc: dict[str, Any] = {
        "version": 1,
        "production": {
            "id": "small",
            "title": "Small",
            "type": kind,
            "timezone": "Europe/Paris",
            "calendar": {"start": "2027-01-04", "end": "2027-06-30"},
        },
        "crew": [
            {"id": "amina", "name": "Amina", "role": "driver", "channel": "telegram"},
            {"id": "lea", "name": "Léa", "role": "gaffer", "channel": "telegram", "language": "en"},
        ],
        "vehicles": [{"id": "v1", "label": "Van", "factor": "van_fr_impactco2"}],
        "generators": [{"id": "g1", "label": "Gen", "litres_per_hour": 12.3, "fuel_factor": "gnr_fr"}],
        "assignments": [{"who": "amina", "report": "mileage", "vehicle": "v1", "at": "19:00"}],
    }
    doc.update(sections)
    return doc


def assignment(**fields: Any) -> dict[str, Any]:
    return {"who": "amina", "report": "mileage", "vehicle": "v1", "at": "19:00", **fields}


@pytest.mark.parametrize(
    ("kind", "frequency"),
    [
        ("ad_shoot", Frequency.DAILY),
        ("feature_film", Frequency.WEEKLY),
        ("tv_series", Frequency.WEEKLY),
        ("documentary", Frequency.WEEKLY),
        ("animation_series", Frequency.MONTHLY),
    ],
)
def test_frequency_defaults_by_production_type(kind: str, frequency: Frequency) -> None:
    extra = {"weekday": "wed"} if frequency is Frequency.WEEKLY else {}
    p = parse_production(small(kind, assignments=[assignment(**extra)]), NAME)
    assert p.type is ProductionType(kind)
    assert p.assignments[0].frequency is frequency


def test_monthly_defaults_to_the_last_shooting_day_of_the_month() -> None:
    a = parse_production(small("animation_series"), NAME).assignments[0]
    assert (a.frequency, a.day_of_month, a.last_shooting_day_of_month) == (Frequency.MONTHLY, None, True)


def test_monthly_on_a_day_of_the_month_or_the_last_shooting_day() -> None:
    p = parse_production(
        small(
            assignments=[
                assignment(frequency="monthly", day_of_month=15),
                assignment(who="lea", frequency="monthly", day_of_month="last_shooting_day"),
            ]
        ),
        NAME,
    )
    first, last = p.assignments
    assert (first.day_of_month, first.last_shooting_day_of_month) == (15, False)
    assert (last.day_of_month, last.last_shooting_day_of_month) == (None, True)


@pytest.mark.parametrize("day", [0, 32, "last", True, 1.5])
def test_a_bad_day_of_month(day: Any) -> None:
    with pytest.raises(ProductionFileError) as info:
        parse_production(small(assignments=[assignment(frequency="monthly", day_of_month=day)]), NAME)
    assert info.value.where == "assignments[0].day_of_month"
    assert "expected a day of the month from 1 to 31, or last_shooting_day" in info.value.problem


def test_day_of_month_on_a_weekly_report() -> None:
    doc = small(assignments=[assignment(frequency="weekly", weekday="mon", day_of_month=3)])
    with pytest.raises(ProductionFileError) as info:
        parse_production(doc, NAME)
    assert info.value.where == "assignments[0].day_of_month"
    assert "only for monthly reports" in info.value.problem


def test_weekly_weekday_becomes_a_number() -> None:
    a = parse_production(small(assignments=[assignment(frequency="weekly", weekday="Wed")]), NAME).assignments[0]
    assert (a.frequency, a.weekday) == (Frequency.WEEKLY, 2)


def test_modes_and_their_defaults() -> None:
    p = parse_production(
        small(
            assignments=[
                assignment(mode="distance"),
                assignment(who="lea", report="generator_hours", vehicle=None, generator="g1", mode="meter"),
                assignment(who="amina", report="generator_litres", vehicle=None, generator="g1"),
            ]
        ),
        NAME,
    )
    km, meter, litres = p.assignments
    assert km.mode is MileageMode.DISTANCE
    assert meter.mode is GeneratorMode.METER
    assert litres.mode is None
    default = parse_production(small(), NAME).assignments[0]
    assert default.mode is MileageMode.ODOMETER


def test_a_mode_on_a_litres_report_is_refused() -> None:
    doc = small(assignments=[assignment(report="generator_litres", vehicle=None, generator="g1", mode="hours")])
    with pytest.raises(ProductionFileError) as info:
        parse_production(doc, NAME)
    assert info.value.where == "assignments[0].mode"
    assert "mode does not apply to a generator_litres report" in info.value.problem


def test_a_vehicle_on_a_generator_report_is_refused() -> None:
    doc = small(assignments=[assignment(report="generator_hours", generator="g1")])
    with pytest.raises(ProductionFileError) as info:
        parse_production(doc, NAME)
    assert info.value.where == "assignments[0].vehicle"
    assert "vehicle does not apply to a generator_hours report" in info.value.problem


def test_declared_consumption_and_hour_meter() -> None:
    generators = [
        {"id": "g1", "label": "Gen", "litres_per_hour": 12.3, "fuel_factor": "gnr_fr", "hour_meter_start": 1520.5}
    ]
    g = parse_production(small(generators=generators), NAME).generators[0]
    assert (g.litres_per_hour, g.rated_kva, g.load, g.hour_meter_start) == (D("12.3"), None, None, D("1520.5"))


def test_declared_consumption_and_a_rating_together_are_ambiguous() -> None:
    generators = [
        {"id": "g1", "label": "Gen", "litres_per_hour": 12, "rated_kva": 100, "load": 0.5, "fuel_factor": "gnr_fr"}
    ]
    with pytest.raises(ProductionFileError) as info:
        parse_production(small(generators=generators), NAME)
    assert info.value.where == "generators[0].rated_kva"
    assert "not both" in info.value.problem


def test_crew_voice_pause_and_language() -> None:
    crew = [
        {"id": "amina", "name": "Amina", "role": "driver", "channel": "telegram", "voice": True},
        {"id": "lea", "name": "Léa", "role": "gaffer", "channel": "telegram", "paused_until": "2027-02-01"},
    ]
    p = parse_production(small(crew=crew), NAME)
    amina, lea = p.crew
    assert amina.voice is True and lea.voice is False
    assert lea.paused_until == dt.date(2027, 2, 1)
    assert lea.is_paused_on(dt.date(2027, 2, 1)) and not lea.is_paused_on(dt.date(2027, 2, 2))
    assert amina.language.value == "fr"  # the production's default language


def test_optional_sections_take_their_defaults() -> None:
    p = parse_production(small(), NAME)
    assert p.language.value == "fr"
    assert p.calendar.weekdays == frozenset(range(5))
    assert p.calendar.days_off == frozenset()
    assert (p.reminders.after_minutes, p.reminders.escalate_after_missed) == (120, 2)
    assert p.action_plan == () and p.sensitisation == () and p.forecast_tco2e == {}


YAML = """\
version: 1
production:
  id: words
  title: Words
  type: ad_shoot
  timezone: Europe/Paris
  language: en
  calendar: {start: 2027-01-04, end: 2027-01-29}
crew:
  - {id: no, name: Norway, role: driver, channel: telegram, voice: yes}
vehicles:
  - {id: v1, label: Van, factor: van_fr_impactco2, odometer_start: 012}
assignments:
  - {who: no, report: mileage, vehicle: v1, at: 19:30}
sensitisation:
  - {message: engine-off, to: all, on: 2027-01-05, at: 8:30}
"""


def test_yaml_reads_as_people_write_it() -> None:
    p = parse_production(YAML, NAME)
    # ``no`` and ``on`` stay words; ``yes`` is accepted for a yes/no field.
    assert p.crew[0].id == "no" and p.crew[0].voice is True
    assert p.assignments[0].who == "no"
    assert p.sensitisation[0].on == dt.date(2027, 1, 5)  # the key ``on:`` is not read as True
    # Unquoted times are times, not sexagesimal numbers (19:30 would be 1170 in YAML 1.1).
    assert p.assignments[0].at == dt.time(19, 30)
    assert p.sensitisation[0].at == dt.time(8, 30)
    # A leading zero does not make an octal number.
    assert p.vehicles[0].odometer_start == D(12)


def test_a_yaml_11_sexagesimal_time_is_explained() -> None:
    doc = small(assignments=[assignment(at=1170)])
    with pytest.raises(ProductionFileError) as info:
        parse_production(doc, NAME)
    assert info.value.where == "assignments[0].at"
    assert 'in quotes such as "19:30"' in info.value.problem


def test_another_factor_set_can_be_used() -> None:
    from domain.factors import EmissionFactor, FactorSet

    only_van = FactorSet(
        "test",
        [EmissionFactor("van_fr_impactco2", "transport", "van", "vehicle-km", D("0.2"), "s", "", "2026")],
    )
    parse_production(small(generators=[]), NAME, factors=only_van)
    with pytest.raises(ProductionFileError, match="factor set test"):
        parse_production(small(), NAME, factors=only_van)


def test_the_result_is_a_production() -> None:
    assert isinstance(parse_production(small(), NAME), Production)


def test_an_optional_discord_section_for_greenslate_discord_link() -> None:
    section = {"guild": 444, "digest_channel": "555", "practices_channel": 666, "role": "Éco-référent"}
    assert parse_production(small(discord=section), NAME).id == "small"


def test_a_bad_discord_id() -> None:
    section = {"guild": "abc", "digest_channel": 555, "practices_channel": 666, "role": "Eco"}
    with pytest.raises(ProductionFileError) as info:
        parse_production(small(discord=section), NAME)
    assert info.value.where == "discord.guild"
    assert "expected a Discord id" in info.value.problem

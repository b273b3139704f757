"""A moved shooting day: a day off plus an extra day, read from the file and written back."""

from __future__ import annotations

import datetime as dt

import pytest

from common.production_file import ProductionFileProblems, load_production_file, parse_production
from common.production_file.export import production_document
from tests.dashboard.conftest import example_file


def _with_calendar(**calendar: object) -> dict[str, object]:
    doc = production_document(load_production_file(example_file()))
    doc["production"]["calendar"].update(calendar)  # type: ignore[index]
    return doc


def test_an_extra_day_is_a_shooting_day_and_survives_the_round_trip() -> None:
    doc = _with_calendar(days_off=["2027-04-05", "2027-04-14"], extra_days=["2027-04-17"])
    production = parse_production(doc)
    cal = production.calendar
    assert cal.is_shooting_day(dt.date(2027, 4, 17)) and not cal.is_shooting_day(dt.date(2027, 4, 14))
    assert not cal.is_shooting_day(dt.date(2027, 4, 18))  # a Sunday stays off
    assert parse_production(production_document(production)) == production


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("2027-05-01", "extra shooting day 2027-05-01 is outside the calendar (2027-03-01 to 2027-04-23)"),
        ("2027-04-05", "2027-04-05 is both a day off and an extra shooting day; keep it in one list only"),
    ],
)
def test_an_extra_day_must_be_inside_the_calendar_and_not_a_day_off(extra: str, message: str) -> None:
    with pytest.raises(ProductionFileProblems) as raised:
        parse_production(_with_calendar(extra_days=[extra]))
    assert [(p.where, p.problem) for p in raised.value.problems] == [("production.calendar.extra_days[0]", message)]

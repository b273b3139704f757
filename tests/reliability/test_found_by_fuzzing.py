"""Defects the reliability fuzzing found, each pinned by the smallest input that showed it.

Each test states the behaviour required ("no unhandled exception, no wrong write, every
refusal a clear message"). One still open is a strict xfail: once it is fixed the test passes,
strict xfail turns that into a failure, and the marker must go, so a fix is never unnoticed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bots.telegram import texts
from common.production_file import load_production_file
from config.factors import CURRENT_VERSION, catalogue
from domain.answers import parse_answer
from domain.errors import GreenslateError, NotANumber
from domain.model import MileageMode, Report, ReportKind
from domain.usecases import load_production, record_report
from greenslate.demo import example_path
from store.engine import make_engine
from store.tables import reports
from store.uow import SqlUnitOfWork

pytestmark = pytest.mark.reliability

PRODUCTION = load_production_file(example_path())
MILEAGE = next(a for a in PRODUCTION.assignments if a.report is ReportKind.MILEAGE)


def test_a_29_digit_answer_is_refused_with_a_domain_error() -> None:
    """It escaped as decimal.InvalidOperation (quantizing past Decimal's 28-digit context)."""
    with pytest.raises(GreenslateError):
        parse_answer("1" * 29, MILEAGE)
    with pytest.raises(GreenslateError):
        parse_answer(" ".join(["001"] * 10), MILEAGE)


def test_a_confirmed_huge_figure_is_refused_and_nothing_is_written(sqlite_db_url: str) -> None:
    engine = make_engine(sqlite_db_url)
    try:
        load_production(SqlUnitOfWork(engine), PRODUCTION)
        report = Report(
            production_id=PRODUCTION.id, member_id=MILEAGE.who, kind=ReportKind.MILEAGE,
            day=PRODUCTION.calendar.start, values={"km": Decimal(10) ** 13}, raw_text="10000000000000",
            source="telegram", source_ref="huge", received_at=dt.datetime(2027, 3, 1, 18, tzinfo=dt.UTC),
            subject=MILEAGE.subject, confirmed=True,
        )
        with pytest.raises(GreenslateError):
            record_report(SqlUnitOfWork(engine), catalogue(CURRENT_VERSION), report)
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(reports)).scalar_one() == 0
    finally:
        engine.dispose()


def test_the_refusal_of_a_4096_character_answer_can_be_sent() -> None:
    """The refusal echoed the whole text: a reply over 4,096 characters, which Telegram refuses."""
    text = "x" * 4096
    assignment = replace(MILEAGE, mode=MileageMode.ODOMETER)
    with pytest.raises(NotANumber) as refused:
        parse_answer(text, assignment)
    for lang in ("fr", "en"):
        assert len(texts.refusal(refused.value, PRODUCTION, assignment, lang)) <= 4096

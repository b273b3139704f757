"""Fuzzing every answer state of the crew conversation, down to the store.

For each generated text, in each state a crew member can be in (answering a prompt of each kind and
mode, confirming a figure flagged as unusual, choosing a reading of an ambiguous number, correcting
a stored figure), the text goes through the same steps as the Telegram bot: ``parse_answer``, then
``record_report`` or ``correct_report`` on a real SQLite store. Every outcome must be one of:

- stored, with exactly the figure read (to the store's 6 decimals) and traceable emission lines;
- refused with a domain error, nothing written, and a refusal the bot can send: non-empty, in the
  member's language, under Telegram's 4,096-character limit, with every field filled in.

Anything else (an unhandled exception, a changed row count on refusal) fails. The three defects
this fuzzing found are pinned by their smallest inputs in ``test_found_by_fuzzing.py``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from bots.telegram import texts
from common.production_file import load_production_file
from config.factors import CURRENT_VERSION, catalogue
from domain.answers import parse_answer
from domain.errors import AmbiguousNumber, GreenslateError, NeedsConfirmation
from domain.model import Assignment, GeneratorMode, MileageMode, Production, Report, ReportKind
from domain.usecases import correct_report, record_report
from greenslate.demo import example_path, load_demo
from store.engine import make_engine
from store.migrate import upgrade
from store.tables import emission_lines, reports
from store.uow import SqlUnitOfWork
from tests.reliability.evil import answers
from tests.reliability.sizes import FUZZ_ANSWERS

pytestmark = pytest.mark.reliability

TELEGRAM_LIMIT = 4096
SIX_PLACES = Decimal("0.000001")
_refs = itertools.count()


def _states(production: Production) -> list[tuple[str, Assignment]]:
    """Every kind of prompt a member can be answering, with each mode."""
    states: list[tuple[str, Assignment]] = []
    for a in production.assignments:
        states.append((a.key, a))
        if a.report is ReportKind.MILEAGE:
            states.append((a.key + ":distance", replace(a, mode=MileageMode.DISTANCE)))
        if a.report is ReportKind.GENERATOR_HOURS:
            states.append((a.key + ":meter", replace(a, mode=GeneratorMode.METER)))
            states.append((a.key + ":litres", replace(a, report=ReportKind.GENERATOR_LITRES)))
    return states


PRODUCTION = load_production_file(example_path())
STATES = _states(PRODUCTION)
DAYS = PRODUCTION.calendar.shooting_days()
CATALOGUE = catalogue(CURRENT_VERSION)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example production with two weeks of the demo's figures: prior readings to be below,
    figures to correct. Each example starts from a copy, so a failure replays the same way."""
    path: Path = tmp_path_factory.mktemp("fuzz") / "template.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    load_demo(lambda: SqlUnitOfWork(engine), CATALOGUE, PRODUCTION, weeks=2)
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    """One in-memory database (one engine, so SQLAlchemy's statement cache stays warm)."""
    engine = make_engine("sqlite://")
    yield engine
    engine.dispose()


def restore(engine: Engine, template: Path) -> None:
    """Make the in-memory database a copy of the template (SQLite's backup API): the same every time."""
    raw = engine.raw_connection()  # the engine's only connection (a static pool)
    try:
        source = sqlite3.connect(template)
        try:
            source.backup(raw.driver_connection)
        finally:
            source.close()
    finally:
        raw.close()


def _counts(engine) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(reports)).scalar_one(),
                conn.execute(select(func.count()).select_from(emission_lines)).scalar_one())


def _check_refusal(error: GreenslateError, assignment: Assignment) -> None:
    """The bot's message for this refusal, in both languages: present, short enough, filled in."""
    assert error.code, error
    for lang in ("fr", "en"):
        if isinstance(error, NeedsConfirmation):
            message = texts.confirmation(error, lang)
        elif isinstance(error, AmbiguousNumber) and assignment.report is not ReportKind.MEALS:
            message = texts.ambiguity(str(error.params.get("text", "")), error.params["choices"], PRODUCTION,
                                      assignment, lang)
        else:
            message = texts.refusal(error, PRODUCTION, assignment, lang)
        assert message.strip(), (error, lang)
        assert len(message) <= TELEGRAM_LIMIT, f"{error.code}: a {len(message)}-character reply cannot be sent"
        echoed = message.replace(str(error.params.get("text", "")), "")
        assert not re.search(r"\{[a-z_]+\}", echoed), message  # no field left unfilled
        assert "Traceback" not in message and "telegram.error" not in message


def _store(engine, report: Report, correcting: int | None) -> Report:  # type: ignore[no-untyped-def]
    uow = SqlUnitOfWork(engine)
    if correcting is None:
        return record_report(uow, CATALOGUE, report).report
    return correct_report(uow, CATALOGUE, correcting, report.values, raw_text=report.raw_text,
                          source=report.source, source_ref=report.source_ref, received_at=report.received_at,
                          confirmed=report.confirmed).report


@settings(max_examples=FUZZ_ANSWERS, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(
    text=answers,
    state=st.sampled_from(STATES),
    day=st.sampled_from(DAYS),
    confirmed=st.booleans(),
    pick=st.integers(0, 1),
    correct=st.booleans(),
)
def test_any_answer_in_any_state_is_stored_exactly_or_refused_cleanly(
    engine: Engine, template: Path, text: str, state: tuple[str, Assignment], day: dt.date, confirmed: bool, pick: int,
    correct: bool,
) -> None:
    restore(engine, template)
    _answer_in_state(engine, text, state[1], day, confirmed, pick, correct)


def _answer_in_state(
    engine: Engine, text: str, assignment: Assignment, day: dt.date, confirmed: bool, pick: int, correct: bool
) -> None:
    before = _counts(engine)
    try:
        try:
            answer = parse_answer(text, assignment, PRODUCTION.meal_types, PRODUCTION.waste_streams)
        except AmbiguousNumber as exc:
            _check_refusal(exc, assignment)
            choices = exc.params.get("choices")
            if assignment.report is ReportKind.MEALS or assignment.report is ReportKind.WASTE or not choices:
                raise
            # The member taps one of the two readings, as the bot offers.
            answer = parse_answer(text.replace(str(exc.params["text"]), str(choices[pick]), 1), assignment)
        received = dt.datetime.combine(day, dt.time(19, 45), PRODUCTION.zone)
        report = Report(
            production_id=PRODUCTION.id, member_id=assignment.who, kind=answer.kind, day=day,
            values=dict(answer.values), raw_text=text, source="telegram", source_ref=f"fuzz:{next(_refs)}",
            received_at=received, subject=assignment.subject, confirmed=confirmed,
        )
        correcting = None
        expected_day = day
        if correct:
            with SqlUnitOfWork(engine) as uow:
                chain = uow.reports.for_production(PRODUCTION.id, kind=[answer.kind], subject=assignment.subject,
                                                   member_id=assignment.who)
            if chain:
                correcting, expected_day = chain[-1].id, chain[-1].day  # a correction keeps its day
        stored = _store(engine, report, correcting)
    except GreenslateError as refusal:
        event(f"refused: {refusal.code}")
        _check_refusal(refusal, assignment)
        assert _counts(engine) == before, "a refused answer changed the store"
        return
    event("stored" if correcting is None else "stored as a correction")
    # Stored: exactly what was read, and every line traceable to its factor.
    with SqlUnitOfWork(engine) as uow:
        again = uow.reports.by_source("telegram", report.source_ref)
        lines = [ln for ln in uow.lines.for_production(PRODUCTION.id) if ln.report_id == stored.id]
    assert again is not None and again.id == stored.id
    assert again.values == {k: v.quantize(SIX_PLACES).normalize() if v != v.to_integral_value() else v
                            for k, v in answer.values.items()} or again.values == dict(answer.values)
    assert again.kind is answer.kind and again.day == expected_day and again.member_id == assignment.who
    assert _counts(engine)[0] == before[0] + 1
    for ln in lines:
        assert ln.trace.factor_key and ln.trace.source and ln.trace.factor_set_version == CURRENT_VERSION

"""Answers stored together, their reads made beforehand and their writes at the end (``store.together``).

The bot stores the figures of chats answering at the same moment in one transaction, and says what
each one reads (``store.uow.Job`` with ``domain.usecases.answer_reads``). Whatever the batches, the
store must end up exactly as if each answer had been stored alone, one after the other: same
reports, same values, same emission lines, same sums, same outcome for each answer. Random answers
(vehicles and generators answered several times in one batch, figures of a day replaced, messages
given twice, refused figures, corrections in between) are stored both ways and compared. On SQLite
and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal as D
from typing import Any

import pytest
from sqlalchemy import Engine, delete, event, insert, select

from domain import usecases
from domain.model import Production, Report, ReportKind
from domain.usecases import Catalogue, Recorded, answer_reads
from store.engine import make_engine
from store.tables import daily_emissions, emission_lines, report_values, reports, subject_emissions
from store.uow import Job, SqlUnitOfWork, run_together
from tests.store.store_builders import Step
from tests.store.test_daily_emissions import Shoot, assert_sums_match, daily_rows


def _id_of(uow: SqlUnitOfWork, source_ref: str) -> int:
    found = uow.reports.by_source("telegram", source_ref)
    assert found is not None and found.id is not None
    return found.id


def _random_answers(production: Production, seed: int, count: int) -> list[tuple[str, Any]]:
    """(what, data) steps: new answers, the same message again, refused figures, corrections."""
    rng = random.Random(seed)
    shoot = Shoot(production, rng)
    steps: list[tuple[str, Any]] = []
    sent: list[Report] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.1 and sent:
            steps.append(("again", rng.choice(sent)))
        elif roll < 0.18:
            bad = shoot.new_report()
            steps.append(("answer", Report(**{**bad.__dict__, "values": {k: -v - 1 for k, v in bad.values.items()}})))
        elif roll < 0.26 and sent:
            original = rng.choice(sent)
            steps.append(("correct", (original, shoot.new_values(original), shoot._ref())))
        else:
            new = shoot.new_report()
            if rng.random() < 0.5:  # answered on a few days only: same-day figures replace each other
                day = shoot.days[rng.randrange(3)]
                new = Report(**{**new.__dict__, "day": day, "received_at": new.received_at})
            sent.append(new)
            steps.append(("answer", new))
    return steps


def _step(cat: Catalogue, what: str, data: Any, *, together: bool) -> Step:
    if what in ("answer", "again"):
        sent: Report = data

        def run(uow: SqlUnitOfWork) -> Recorded:
            return usecases.record_answer(uow, cat, sent)

        return Job(run, answer_reads(sent)) if together else run
    original, values, ref = data

    def correct(uow: SqlUnitOfWork) -> Recorded:  # a read made when asked: what is pending is written first
        return usecases.correct_report(uow, cat, _id_of(uow, original.source_ref), values, raw_text="fixed",
                                       source="telegram", source_ref=ref,
                                       received_at=dt.datetime(2027, 4, 30, 9, tzinfo=dt.UTC), confirmed=True)

    return correct


def _outcome(result: Any) -> tuple[Any, ...]:
    if isinstance(result, Exception):
        return ("refused", type(result).__name__)
    assert isinstance(result, Recorded)
    lines = sorted((ln.day, ln.subject, ln.quantity, ln.kgco2e) for ln in result.lines)
    return ("stored", result.report.source_ref, result.duplicate, tuple(sorted(result.report.values.items())),
            tuple(lines))


def _snapshot(engine: Engine, production: Production) -> dict[str, Any]:
    """The store's figures, named by message rather than by id (ids differ between the two runs)."""
    with engine.connect() as conn:
        ref_of = dict(conn.execute(select(reports.c.id, reports.c.source_ref)).all())
        stored = sorted(
            (r.source_ref, r.kind, r.day, r.subject, r.member_id, ref_of.get(r.corrects), r.void, r.confirmed)
            for r in conn.execute(select(reports)))
        values = sorted((ref_of[v.report_id], v.item, v.quantity) for v in conn.execute(select(report_values)))
        lines = sorted((ref_of[ln.report_id], ln.day, ln.category, ln.subject, ln.quantity, ln.kgco2e, ln.factor_key)
                       for ln in conn.execute(select(emission_lines)))
    return {"reports": stored, "values": values, "lines": lines,
            "daily": daily_rows(engine, production.id), "subject": daily_rows(engine, production.id, by_day=False)}


def _empty(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in (daily_emissions, subject_emissions, emission_lines, report_values, reports):
            conn.execute(delete(table))


@pytest.mark.parametrize("seed", [3, 17, 2027])
def test_answers_stored_together_end_as_if_stored_one_by_one(
    engine: Engine, cat: Catalogue, loaded: Production, seed: int
) -> None:
    steps = _random_answers(loaded, seed, 90)
    alone = [_outcome(run_together(engine, [_step(cat, what, data, together=False)])[0]) for what, data in steps]
    expected = _snapshot(engine, loaded)
    assert_sums_match(engine, lambda: SqlUnitOfWork(engine), loaded)
    assert any(o[0] == "refused" for o in alone) and any(o[0] == "stored" and o[2] for o in alone)
    assert any(o[0] == "stored" and not o[2] for o in alone)
    _empty(engine)

    rng = random.Random(seed)
    together: list[tuple[Any, ...]] = []
    i = 0
    while i < len(steps):
        size = rng.choice([1, 2, 5, 12, 30])
        batch = steps[i:i + size]
        together += [_outcome(r) for r in run_together(engine, [_step(cat, w, d, together=True) for w, d in batch])]
        i += size
    assert together == alone
    assert _snapshot(engine, loaded) == expected
    assert_sums_match(engine, lambda: SqlUnitOfWork(engine), loaded)


def test_one_vehicle_answered_twice_in_one_batch_reads_the_first_reading(
    engine: Engine, cat: Catalogue, loaded: Production
) -> None:
    """Two readings of the minibus in one batch: the second's distance is measured from the first."""
    day1, day2 = loaded.calendar.shooting_days()[:2]
    first = Report(production_id=loaded.id, member_id="amina", kind=ReportKind.MILEAGE, day=day1,
                   values={"odometer": D(45100)}, raw_text="45100", source="telegram", source_ref="m-1",
                   received_at=dt.datetime(2027, 3, 1, 19, tzinfo=dt.UTC), subject="mb1")
    second = Report(**{**first.__dict__, "day": day2, "values": {"odometer": D(45250)}, "source_ref": "m-2"})
    results = run_together(engine, [Job(lambda uow, r=r: usecases.record_answer(uow, cat, r), answer_reads(r))
                                    for r in (first, second)])
    assert all(isinstance(r, Recorded) for r in results)
    by_day = {ln.day: ln.quantity for r in results for ln in r.lines}
    assert by_day == {day1: D(90), day2: D(150)}  # 45,010 at the start, then 45,100, then 45,250
    assert_sums_match(engine, lambda: SqlUnitOfWork(engine), loaded)


@pytest.mark.postgres
def test_a_message_stored_meanwhile_by_another_process_is_stored_once(
    pg_db_url: str, cat: Catalogue, production: Production
) -> None:
    """Another bot instance stores the same message while the batch runs: the batch's insert fails
    on the message's unique key, and the batch is stored again one answer at a time."""
    engine, other = make_engine(pg_db_url), make_engine(pg_db_url)
    try:
        usecases.load_production(SqlUnitOfWork(engine), production)
        day = production.calendar.shooting_days()[0]
        answer = Report(production_id=production.id, member_id="paul", kind=ReportKind.MEALS, day=day,
                        values={"vegetarian": D(30)}, raw_text="30", source="telegram", source_ref="twice",
                        received_at=dt.datetime(2027, 3, 1, 13, tzinfo=dt.UTC))
        waste = Report(**{**answer.__dict__, "member_id": "sam", "kind": ReportKind.WASTE,
                          "values": {"residual": D("4.5")}, "source_ref": "other"})

        def meanwhile(uow: SqlUnitOfWork) -> str:  # after the batch read: the message was not stored then
            with other.begin() as conn:  # the same message, the same figure
                report_id = conn.execute(insert(reports).values(
                    production_id=production.id, member_id="paul", kind="meals", day=day, raw_text="30",
                    source="telegram", source_ref="twice", received_at=answer.received_at)
                    .returning(reports.c.id)).scalar_one()
                conn.execute(insert(report_values).values(report_id=report_id, item="vegetarian", quantity=D(30)))
            return "stored elsewhere"

        def store(sent: Report) -> Job[Recorded]:  # the production given: nothing read but what was said
            return Job(lambda uow: usecases.record_answer(uow, cat, sent, production=production), answer_reads(sent))

        jobs = [store(answer), meanwhile, store(waste)]
        first, _, last = run_together(engine, jobs)
        assert isinstance(first, Recorded) and first.duplicate
        assert isinstance(last, Recorded) and not last.duplicate
        with engine.connect() as conn:
            refs = sorted(conn.execute(select(reports.c.source_ref)).scalars())
        assert refs == ["other", "twice"]
    finally:
        engine.dispose()
        other.dispose()


def test_a_batch_runs_the_same_statements_for_five_answers_as_for_fifty(
    engine: Engine, cat: Catalogue, loaded: Production
) -> None:
    """What the answers read and write is read and written for the batch, not for each answer."""
    shoot = Shoot(loaded, random.Random(5))

    def statements(count: int) -> int:
        batch = [shoot.new_report() for _ in range(count)]
        jobs = [Job(lambda uow, r=r: usecases.record_answer(uow, cat, r, production=loaded), answer_reads(r))
                for r in batch]
        ran: list[str] = []

        def count_it(*args: Any) -> None:
            ran.append(args[2])

        event.listen(engine, "before_cursor_execute", count_it)
        try:
            results = run_together(engine, jobs)
        finally:
            event.remove(engine, "before_cursor_execute", count_it)
        assert all(isinstance(r, Recorded) for r in results), results
        return len(ran)

    # One at a time, each answer runs four to seven statements. Together, a batch runs the lock, the
    # ids, the read, the writes (one statement on PostgreSQL, one per table on SQLite), the sums and
    # the deletion of any row of the sums left empty, whatever its size.
    assert statements(5) <= 12
    assert statements(50) <= 12
    assert statements(50) <= 12

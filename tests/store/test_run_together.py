"""Several use cases stored in one transaction with one commit (``store.uow.run_together``).

The Telegram bot stores the figures of chats answering at the same moment together. Each job runs
in a savepoint: one that raises leaves nothing of its own behind and gets its exception as its
result, the others are stored. If the transaction as a whole cannot be committed, nothing is
stored and ``run_together`` raises. What is stored is read back through a new engine (its own
connections), so only committed rows count. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlalchemy import Connection, Engine, event, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from domain import usecases
from domain.errors import InvalidReport
from domain.model import Production, Report, ReportKind
from domain.usecases import Catalogue, Recorded
from store.engine import SQLITE_BUSY_TIMEOUT_MS, make_async_engine, make_engine
from store.tables import emission_lines, report_values, reports
from store.uow import LockBusy, SqlUnitOfWork, run_together, run_together_async
from tests.store.store_builders import Step, report, row_counts


def _answers() -> dict[str, Report]:
    """One answer from each of four members, each a new message."""
    return {
        "amina": report(ReportKind.MILEAGE, {"odometer": 45230}, subject="mb1", member="amina"),
        "paul": report(ReportKind.MEALS, {"vegetarian": 30, "beef": 10}, member="paul"),
        "lea": report(ReportKind.GENERATOR_HOURS, {"meter": "1506.5"}, subject="g2", member="lea"),
        "sam": report(ReportKind.WASTE, {"residual": "12.5"}, member="sam"),
    }


def _answer(cat: Catalogue, sent: Report, then: usecases.AfterStored | None = None) -> Step:
    return lambda uow: usecases.record_answer(uow, cat, sent, then=then)


def _stored(engine: Engine, sent: Report) -> Report | None:
    with SqlUnitOfWork(engine) as uow:
        return uow.reports.by_source(sent.source, sent.source_ref)


def _counts(engine: Engine) -> tuple[int, ...]:
    """Rows of reports, report values and emission lines, as committed."""
    return row_counts(engine, reports, report_values, emission_lines)


def test_answers_of_several_members_are_all_stored_in_one_go(
    engine: Engine, fresh: Engine, cat: Catalogue, loaded: Production
) -> None:
    sent = _answers()
    chosen = [sent["amina"], sent["paul"], sent["lea"]]
    results = run_together(engine, [_answer(cat, s) for s in chosen])
    assert len(results) == 3
    for s, result in zip(chosen, results, strict=True):
        assert isinstance(result, Recorded), result
        assert not result.duplicate
        assert result.report.source_ref == s.source_ref and result.report.member_id == s.member_id
        assert result.lines, "each answer produces its emission lines"
        stored = _stored(fresh, s)
        assert stored is not None, f"{s.member_id}'s answer is not readable after the batch"
        assert stored.id == result.report.id
        assert stored.values == result.report.values
    with SqlUnitOfWork(fresh) as uow:
        lines = uow.lines.for_production(loaded.id)
    assert {ln.report_id for ln in lines} == {r.report.id for r in results if isinstance(r, Recorded)}


def _refused_before_writing(cat: Catalogue) -> tuple[Step, Report, type[Exception] | Exception]:
    """A negative figure: the use case refuses it before storing anything."""
    bad = report(ReportKind.WASTE, {"residual": -3}, member="sam")
    return _answer(cat, bad), bad, InvalidReport


def _refused_after_writing(cat: Catalogue) -> tuple[Step, Report, type[Exception] | Exception]:
    """The report is stored, then the caller's bookkeeping in the same transaction refuses it."""
    bad = _answers()["sam"]
    refusal = InvalidReport("refused once stored", item="residual")

    def then(_uow: object, _stored: Report) -> None:
        raise refusal

    return _answer(cat, bad, then=then), bad, refusal


@pytest.mark.parametrize("middle", [_refused_before_writing, _refused_after_writing],
                         ids=["before-writing", "after-writing"])
def test_a_refused_answer_in_the_middle_leaves_nothing_and_the_others_are_stored(
    engine: Engine, fresh: Engine, cat: Catalogue, loaded: Production,
    middle: Callable[[Catalogue], tuple[Step, Report, type[Exception] | Exception]],
) -> None:
    sent = _answers()
    bad_job, bad, expected = middle(cat)
    results = run_together(engine, [_answer(cat, sent["amina"]), bad_job, _answer(cat, sent["paul"])])
    first, refused, last = results
    if isinstance(expected, Exception):
        assert refused is expected
    else:
        assert isinstance(refused, expected) and isinstance(refused, InvalidReport)
        assert refused.params.get("item") == "residual"
    assert isinstance(first, Recorded) and isinstance(last, Recorded)
    assert _stored(fresh, sent["amina"]) is not None
    assert _stored(fresh, sent["paul"]) is not None
    assert _stored(fresh, bad) is None
    with SqlUnitOfWork(fresh) as uow:
        lines = uow.lines.for_production(loaded.id)
        assert uow.reports.for_production(loaded.id, member_id="sam") == []
    assert {ln.report_id for ln in lines} == {first.report.id, last.report.id}
    assert _counts(fresh) == (2, 3, len(first.lines) + len(last.lines))


def test_a_job_that_writes_then_fails_is_rolled_back_to_its_savepoint(
    engine: Engine, fresh: Engine, cat: Catalogue, loaded: Production
) -> None:
    sent = _answers()
    failure = ValueError("something went wrong after storing")

    def writes_then_fails(uow: SqlUnitOfWork) -> object:
        recorded = usecases.record_answer(uow, cat, sent["lea"])
        assert recorded.report.id is not None  # it was written in the open transaction
        with uow:
            assert uow.reports.by_source(sent["lea"].source, sent["lea"].source_ref) is not None
        raise failure

    results = run_together(engine, [_answer(cat, sent["amina"]), writes_then_fails, _answer(cat, sent["sam"])])
    assert results[1] is failure
    assert isinstance(results[0], Recorded) and isinstance(results[2], Recorded)
    assert _stored(fresh, sent["lea"]) is None
    assert _stored(fresh, sent["amina"]) is not None and _stored(fresh, sent["sam"]) is not None
    with SqlUnitOfWork(fresh) as uow:
        assert not [ln for ln in uow.lines.for_production(loaded.id) if ln.subject == "g2"]
    assert _counts(fresh) == (2, 2, len(results[0].lines) + len(results[2].lines))


def test_a_job_whose_statement_fails_in_the_database_does_not_spoil_the_others(
    engine: Engine, fresh: Engine, cat: Catalogue, loaded: Production
) -> None:
    """On PostgreSQL a failed statement aborts the transaction; rolling back its savepoint recovers it."""
    sent = _answers()

    def breaks_a_constraint(uow: SqlUnitOfWork) -> object:
        usecases.record_answer(uow, cat, sent["lea"])
        # A value of a report that does not exist: the foreign key refuses it at once.
        uow.connection.execute(report_values.insert().values(report_id=987654, item="meter", quantity=1))
        return "not reached"

    results = run_together(engine, [_answer(cat, sent["amina"]), breaks_a_constraint, _answer(cat, sent["paul"])])
    assert isinstance(results[1], IntegrityError)
    assert isinstance(results[0], Recorded) and isinstance(results[2], Recorded)
    assert _stored(fresh, sent["lea"]) is None
    assert _stored(fresh, sent["amina"]) is not None and _stored(fresh, sent["paul"]) is not None


def _refused_at_commit(engine: Engine) -> tuple[Engine | Connection, Step, type[Exception]]:
    """A row that breaks a constraint checked only at COMMIT: the database refuses the transaction."""

    def job(uow: SqlUnitOfWork) -> None:
        uow.connection.execute(text(
            "CREATE TEMPORARY TABLE doomed (id INTEGER PRIMARY KEY, "
            "parent INTEGER REFERENCES doomed (id) DEFERRABLE INITIALLY DEFERRED)"))
        uow.connection.execute(text("INSERT INTO doomed (id, parent) VALUES (1, 2)"))

    return engine, job, IntegrityError


def _lost_at_commit(engine: Engine) -> tuple[Engine | Connection, Step, type[Exception]]:
    """The connection is lost when the batch commits (the batch is given that connection)."""
    conn = engine.connect()

    def lost(_conn: Connection) -> None:
        raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection unexpectedly"))

    event.listen(conn, "commit", lost)
    return conn, lambda uow: None, OperationalError


@pytest.mark.parametrize("failure", [_refused_at_commit, _lost_at_commit], ids=["refused", "connection-lost"])
def test_when_the_commit_fails_it_raises_and_no_job_is_stored(
    engine: Engine, fresh: Engine, cat: Catalogue, loaded: Production,
    failure: Callable[[Engine], tuple[Engine | Connection, Step, type[Exception]]],
) -> None:
    sent = _answers()
    bind, spoiler, error = failure(engine)
    before = _counts(fresh)
    with pytest.raises(error):  # every job calls uow.commit(): none of them may commit on its own
        run_together(bind, [_answer(cat, sent["amina"]), _answer(cat, sent["paul"]), spoiler,
                            _answer(cat, sent["lea"])])
    if isinstance(bind, Connection):
        bind.close()  # what its owner does next (run_together_async's connection): its transaction ends
    for s in (sent["amina"], sent["paul"], sent["lea"]):
        assert _stored(fresh, s) is None
    assert _counts(fresh) == before == (0, 0, 0)
    # The database is usable afterwards: the same answers are stored by a batch that commits.
    results = run_together(engine, [_answer(cat, sent["amina"]), _answer(cat, sent["paul"])])
    assert all(isinstance(r, Recorded) and not r.duplicate for r in results)
    assert _stored(fresh, sent["amina"]) is not None and _stored(fresh, sent["paul"]) is not None


def test_a_job_cannot_roll_back_the_shared_transaction(
    engine: Engine, fresh: Engine, cat: Catalogue, loaded: Production
) -> None:
    sent = _answers()

    def rolls_back(uow: SqlUnitOfWork) -> object:
        usecases.record_answer(uow, cat, sent["lea"])
        uow.rollback()
        return "rolled back"

    results = run_together(engine, [_answer(cat, sent["amina"]), _answer(cat, sent["paul"]), rolls_back,
                                    _answer(cat, sent["sam"])])
    assert isinstance(results[2], RuntimeError)
    assert "roll back" in str(results[2])
    assert [isinstance(r, Recorded) for r in results] == [True, True, False, True]
    for s in (sent["amina"], sent["paul"], sent["sam"]):
        assert _stored(fresh, s) is not None, f"{s.member_id}'s answer was undone by another job's rollback"
    assert _stored(fresh, sent["lea"]) is None  # the job raised: its own write is undone


def test_without_waiting_a_busy_sqlite_store_raises_before_any_job_runs(
    sqlite_db_url: str, cat: Catalogue, production: Production
) -> None:
    engine, fresh = make_engine(sqlite_db_url), make_engine(sqlite_db_url)
    usecases.load_production(SqlUnitOfWork(engine), production)
    ran: list[str] = []
    sent = _answers()["amina"]

    def job(uow: SqlUnitOfWork) -> Recorded:
        ran.append("job")
        return usecases.record_answer(uow, cat, sent)

    with fresh.connect() as other:  # another process writing: it holds the write lock
        other.exec_driver_sql("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(LockBusy):
            run_together(engine, [job], wait=False)
        assert time.monotonic() - started < 1.0  # not the 30-second busy timeout
        other.exec_driver_sql("ROLLBACK")
    assert ran == [] and _stored(fresh, sent) is None
    with engine.connect() as conn:  # the connection went back to the pool waiting again, as configured
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
    [recorded] = run_together(engine, [job], wait=False)  # free again: stored at once
    assert isinstance(recorded, Recorded) and _stored(fresh, recorded.report) is not None
    engine.dispose()
    fresh.dispose()


@pytest.mark.postgres
async def test_jobs_run_together_through_the_asyncio_engine(pg_db_url: str, cat: Catalogue,
                                                           production: Production) -> None:
    sync = make_engine(pg_db_url)
    usecases.load_production(SqlUnitOfWork(sync), production)
    engine = make_async_engine(pg_db_url)
    try:
        sent = _answers()
        bad = report(ReportKind.WASTE, {"residual": -1}, member="sam")
        outcomes = await run_together_async(engine, [_answer(cat, sent["amina"]), _answer(cat, bad),
                                                     _answer(cat, sent["paul"])])
    finally:
        await engine.dispose()
    assert isinstance(outcomes[0], Recorded) and isinstance(outcomes[2], Recorded)
    assert isinstance(outcomes[1], InvalidReport)
    assert _stored(sync, sent["amina"]) is not None and _stored(sync, sent["paul"]) is not None
    assert _stored(sync, bad) is None
    sync.dispose()


def test_writes_left_for_the_commit_are_made_for_the_jobs_that_went_through_only(
    engine: Engine, fresh: Engine, cat: Catalogue, loaded: Production
) -> None:
    """``before_commit`` writes are gathered and run once for the batch; a failed job's are dropped."""
    from sqlalchemy import bindparam, update

    from store.tables import members

    voice_on = update(members).where(members.c.member_id == bindparam("who")).values(voice=True)

    def asks_for_voice(who: str, fails: bool = False) -> Step:
        def job(uow: SqlUnitOfWork) -> str:
            uow.before_commit(voice_on, {"who": who})
            if fails:
                raise ValueError("refused after asking")
            return who
        return job

    outcomes = run_together(engine, [asks_for_voice("amina"), asks_for_voice("paul", fails=True),
                                     asks_for_voice("lea")])
    assert outcomes[0] == "amina" and outcomes[2] == "lea" and isinstance(outcomes[1], ValueError)
    with fresh.connect() as conn:
        voices = dict(conn.execute(select(members.c.member_id, members.c.voice)).all())
    assert voices["amina"] and voices["lea"] and not voices["paul"]

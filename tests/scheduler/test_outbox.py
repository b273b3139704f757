"""The outbox on SQLite and PostgreSQL: record once, claim once, leases, marks only by the owner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from domain.model import Production
from domain.ports import UnitOfWork
from store import outbox
from store.outbox import Message
from tests.scheduler.support import load_example

UTC = dt.UTC
T0 = dt.datetime(2027, 3, 8, 14, 0, tzinfo=UTC)
LEASE = dt.timedelta(minutes=5)


def message(n: int = 1, **changes: object) -> Message:
    values: dict[str, object] = {
        "key": f"prompt:feux-aube:paul:paul:meals:2027-03-0{n}", "kind": "prompt", "production_id": "feux-aube",
        "day": dt.date(2027, 3, n), "due_at": T0, "member_id": "paul", "assignment_key": "paul:meals",
        "not_after": T0 + dt.timedelta(hours=10), "payload": {"report": "meals", "channel": "telegram"},
    }
    values.update(changes)
    return Message(**values)  # type: ignore[arg-type]


@pytest.fixture
def store(engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production) -> Engine:
    load_example(uow_factory, example)
    return engine


def test_recording_twice_records_once(store: Engine) -> None:
    with store.begin() as conn:
        assert outbox.record(conn, [message(1), message(2)], T0) == 2
    with store.begin() as conn:
        assert outbox.record(conn, [message(1), message(3)], T0) == 1
        assert outbox.existing_keys(conn, "feux-aube", dt.date(2027, 3, 2)) == {message(2).key, message(3).key}
    with store.connect() as conn:
        rows = outbox.rows(conn)
    assert [r.status for r in rows] == ["pending"] * 3 and all(r.attempts == 0 for r in rows)


def test_a_claimed_row_is_nobody_elses_until_its_lease_is_over(store: Engine) -> None:
    with store.begin() as conn:
        outbox.record(conn, [message(1)], T0)
    with store.begin() as conn:
        [claimed] = outbox.claim(conn, "a", T0, LEASE)
    assert claimed.row.status == "sending" and claimed.row.claimed_by == "a" and not claimed.resumed
    with store.begin() as conn:
        assert outbox.claim(conn, "b", T0 + dt.timedelta(minutes=4), LEASE) == []
    # "a" died: after the lease, "b" resumes it and knows it may have gone out.
    with store.begin() as conn:
        [resumed] = outbox.claim(conn, "b", T0 + dt.timedelta(minutes=6), LEASE)
    assert resumed.resumed and resumed.row.attempts == 2
    # "a" wakes up: it can neither renew nor mark a row that is no longer its own.
    with store.begin() as conn:
        assert not outbox.renew(conn, resumed.row.id, "a", T0 + dt.timedelta(minutes=20))
        assert not outbox.mark_sent(conn, resumed.row.id, "a", T0, "42")
        assert outbox.renew(conn, resumed.row.id, "b", T0 + dt.timedelta(minutes=20))
        assert outbox.mark_sent(conn, resumed.row.id, "b", T0, "43")
        row = outbox.get(conn, message(1).key)
    assert row is not None and row.status == "sent" and row.message_ref == "43"


def test_retry_waits_and_expiry_stops_late_sends(store: Engine) -> None:
    with store.begin() as conn:
        outbox.record(conn, [message(1), message(2, due_at=T0 + dt.timedelta(hours=1))], T0)
    with store.begin() as conn:
        [claimed] = outbox.claim(conn, "a", T0, LEASE)  # the second is not due yet
        assert outbox.release_for_retry(conn, claimed.row.id, "a", T0 + dt.timedelta(minutes=2), "timed out")
    with store.begin() as conn:
        assert outbox.claim(conn, "a", T0 + dt.timedelta(minutes=1), LEASE) == []
        assert len(outbox.claim(conn, "a", T0 + dt.timedelta(minutes=2), LEASE)) == 1
    with store.begin() as conn:
        assert outbox.expire(conn, T0 + dt.timedelta(hours=10)) == 1  # the pending one; not the one being sent
    with store.connect() as conn:
        assert sorted(r.status for r in outbox.rows(conn)) == ["expired", "sending"]


@pytest.mark.postgres
def test_skip_locked_two_claimers_at_once_share_the_rows(pg_db_url: str, example: Production) -> None:
    from store.engine import make_engine
    from store.uow import SqlUnitOfWork

    engine = make_engine(pg_db_url)
    try:
        load_example(lambda: SqlUnitOfWork(engine), example)
        with engine.begin() as conn:
            outbox.record(conn, [message(n) for n in range(1, 7)], T0)
        first = engine.connect()
        first_tx = first.begin()
        mine = outbox.claim(first, "a", T0, LEASE, limit=3)  # not committed yet: rows locked
        with engine.begin() as second:
            theirs = outbox.claim(second, "b", T0, LEASE, limit=10)  # does not wait, skips them
        first_tx.commit()
        first.close()
        assert len(mine) == 3 and len(theirs) == 3
        assert {c.row.key for c in mine}.isdisjoint({c.row.key for c in theirs})
    finally:
        engine.dispose()


def test_answers_read_in_sql_match_the_domain_rule(
    store: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    from decimal import Decimal

    from config.factors import catalogue
    from domain.schedule import answered_keys
    from domain.usecases import undo_report
    from tests.scheduler.support import answer

    now = dt.datetime(2027, 3, 9, 20, 0, tzinfo=UTC)
    for day in (1, 2, 3, 8, 9):
        answer(uow_factory, example, "paul", "paul:meals", dt.date(2027, 3, day), now)
    answer(uow_factory, example, "amina", "amina:mileage:mb1", dt.date(2027, 3, 8), now,
           values={"odometer": Decimal(45100)})
    with uow_factory() as uow:
        tuesday = next(r for r in uow.reports.for_production(example.id) if r.day == dt.date(2027, 3, 9))
    undo_report(uow_factory(), catalogue(), tuesday.id or 0, source="test", source_ref="undo", received_at=now)
    with uow_factory() as uow:
        expected = answered_keys(uow.reports.for_production(example.id))
    with store.connect() as conn:
        assert outbox.answered_since(conn, example.id, dt.date(2027, 3, 1)) == expected
        recent = outbox.answered_since(conn, example.id, dt.date(2027, 3, 3))
    assert sorted((k.value, s, d.day) for k, s, d in recent) == [
        ("meals", None, 3), ("meals", None, 8), ("mileage", "mb1", 8)  # the 9th was undone
    ]


def test_rows_read_back_every_column_under_its_own_name(store: Engine) -> None:
    """``outbox.rows`` builds each row from the table's columns in order: they must be Row's fields."""
    with store.begin() as conn:
        outbox.record(conn, [message(1, payload={"report": "meals", "subject": "x", "channel": "telegram"})], T0)
        [row] = outbox.rows(conn, production_id="feux-aube")
        assert row == outbox.get(conn, row.key)
    assert row.key == message(1).key and row.payload["subject"] == "x" and row.status == outbox.PENDING
    assert row.due_at == T0 and row.created_at == T0 and row.member_id == "paul" and row.attempts == 0

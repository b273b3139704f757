"""Migration 0013_scheduler_wakeups on SQLite and PostgreSQL: the table of the scheduler's wake-ups
comes and goes, and what else was stored stays."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from store import migrate
from store.engine import make_engine
from tests.store.conftest import insert_bare_production

NOW = dt.datetime(2027, 3, 1, 19, 0, tzinfo=dt.UTC)
ROW = ("INSERT INTO scheduler_wakeups (production_id, next_change_at, turn_at, fingerprint, planned_at) "
       "VALUES ('p', :now, NULL, 'abc', :now)")


def test_the_wakeups_table_comes_with_0013_and_goes_back_down(fresh_url: str) -> None:
    migrate.upgrade(fresh_url, "0012_many_bots")
    engine = make_engine(fresh_url)
    try:
        with engine.begin() as conn:
            insert_bare_production(conn, "p", NOW)
        assert "scheduler_wakeups" not in inspect(engine).get_table_names()
        engine.dispose()

        migrate.upgrade(fresh_url)
        assert inspect(engine).get_pk_constraint("scheduler_wakeups")["constrained_columns"] == ["production_id"]
        with engine.begin() as conn:
            conn.execute(text(ROW), {"now": NOW})
            assert conn.execute(text("SELECT production_id, fingerprint FROM scheduler_wakeups")).all() == [
                ("p", "abc")]
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(ROW), {"now": NOW})  # one row per production
        engine.dispose()

        migrate.downgrade(fresh_url, "0012_many_bots")
        assert "scheduler_wakeups" not in inspect(engine).get_table_names()
        with engine.begin() as conn:
            assert conn.execute(text("SELECT id FROM productions")).all() == [("p",)]
        engine.dispose()
        migrate.upgrade(fresh_url)
        assert migrate.current(fresh_url) == migrate.head()
    finally:
        engine.dispose()

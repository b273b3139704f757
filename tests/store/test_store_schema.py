"""The schema: migrations give exactly the tables the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, MetaData, Table, insert, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import StatementError

from store import migrate
from store.engine import make_engine
from store.tables import ExactDecimal, UtcDateTime, load_all_tables, metadata

CORE_TABLES = {"productions", "members", "reports", "report_values", "emission_lines", "action_status"}


def test_upgrade_head_gives_exactly_the_declared_tables(db_url: str) -> None:
    """Every store module's tables, as migrated from scratch: no difference at all."""
    everything = load_all_tables()
    assert set(everything.tables) >= CORE_TABLES
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, everything)
    finally:
        engine.dispose()
    assert not diff, (
        "the migrations and store/*.py tables differ (write or fix the feature's revision):\n"
        + "\n".join(_describe(d) for d in diff)
    )


def _describe(diff: object) -> str:
    if isinstance(diff, tuple) and diff and diff[0] in ("add_table", "remove_table"):
        return f"{diff[0]} {diff[1].name}"
    return str(diff)


def test_database_is_at_head_and_upgrading_again_changes_nothing(db_url: str) -> None:
    assert migrate.current(db_url) == migrate.head()
    assert migrate.is_up_to_date(db_url)
    migrate.upgrade(db_url)
    assert migrate.current(db_url) == migrate.head()


def test_core_revision_is_0001_and_goes_back_down(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    assert migrate.current(url) is None
    migrate.upgrade(url, "0001")
    assert migrate.current(url) == "0001"
    engine = make_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) == CORE_TABLES | {"alembic_version"}
        migrate.downgrade(url, "base")
        engine.dispose()
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    finally:
        engine.dispose()


def test_sqlite_engine_settings(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "there.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert path.exists()
        assert engine.pool._pre_ping  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_postgresql_urls_use_psycopg_3() -> None:
    engine = make_engine("postgresql://postgres@127.0.0.1:5432/postgres")
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_importing_the_store_builds_and_connects_to_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "HOME": str(tmp_path),
           "GREENSLATE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    code = (
        "import sqlalchemy, store.tables as t\n"
        "t.load_all_tables()\n"
        "import store.engine, store.uow, store.migrate, store.repositories\n"
        "import gc\n"
        "assert not [o for o in gc.get_objects() if isinstance(o, sqlalchemy.Engine)]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_exact_decimal_and_utc_datetime_columns(db_url: str) -> None:
    scratch = MetaData()
    probe = Table(
        "probe_types",
        scratch,
        Column("id", ExactDecimal(), primary_key=True, autoincrement=False),
        Column("factor", ExactDecimal(9)),
        Column("at", UtcDateTime),
    )
    engine = make_engine(db_url)
    try:
        scratch.create_all(engine)
        paris = dt.timezone(dt.timedelta(hours=2))
        night = dt.datetime(2027, 3, 28, 2, 30, tzinfo=paris)
        with engine.begin() as connection:
            connection.execute(insert(probe), [
                {"id": D("0.1"), "factor": D("0.000000001"), "at": night},
                {"id": D("0.2"), "factor": 0.5, "at": dt.datetime(2027, 3, 1, tzinfo=dt.UTC)},
                {"id": D("123456789012.654321"), "factor": None, "at": None},
            ])
            total = connection.scalar(select(probe.c.id.op("+")(0)).where(probe.c.id == D("0.1")))
            assert total == D("0.1")
            rows = connection.execute(select(probe).order_by(probe.c.id)).all()
        assert [r.id for r in rows] == [D("0.1"), D("0.2"), D("123456789012.654321")]
        assert str(rows[0].id) == "0.1" and str(rows[2].id) == "123456789012.654321"
        assert rows[0].factor == D("0.000000001") and rows[1].factor == D("0.5")
        assert rows[0].at == dt.datetime(2027, 3, 28, 0, 30, tzinfo=dt.UTC)
        assert rows[0].at.tzinfo is not None and rows[0].at.utcoffset() == dt.timedelta(0)
        with pytest.raises(StatementError, match="naive datetime"), engine.begin() as connection:
            connection.execute(insert(probe).values(id=1, at=dt.datetime(2027, 3, 1)))
        with pytest.raises(StatementError, match="too large"), engine.begin() as connection:
            connection.execute(insert(probe).values(id=D("1e13")))
    finally:
        scratch.drop_all(engine)
        engine.dispose()


def test_naming_convention_names_every_constraint() -> None:
    reports = metadata.tables["reports"]
    names = {c.name for c in reports.constraints}
    assert "uq_reports_source_source_ref" in names
    assert "pk_reports" in names


def test_in_memory_sqlite_keeps_one_database(tmp_path: Path) -> None:
    engine = make_engine("sqlite://")
    try:
        load_all_tables().create_all(engine)
        with engine.connect() as first, engine.connect() as second:
            assert first.connection.dbapi_connection is second.connection.dbapi_connection
        assert "reports" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.timeout(120)
def test_processes_starting_together_migrate_one_after_the_other(pg_db_url: str) -> None:
    """The bot and the dashboard may both run `db upgrade` at the same moment (in the real world, too)."""
    server = make_engine(pg_db_url, isolation_level="AUTOCOMMIT")
    fresh = f"{make_url(pg_db_url).database}_fresh"
    url = make_url(pg_db_url).set(database=fresh).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{fresh}"')
    starts = [
        subprocess.Popen([sys.executable, "-c", f"from store.migrate import upgrade; upgrade({url!r})"])
        for _ in range(2)
    ]
    try:
        codes = [p.wait(timeout=60) for p in starts]
        assert codes == [0, 0]
        assert migrate.current(url) == migrate.head()
    finally:
        for p in starts:
            if p.poll() is None:
                p.kill()
                p.wait()
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        server.dispose()

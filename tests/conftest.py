"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and units of work on it.

``db_url`` runs a test on both backends (the PostgreSQL case is marked ``postgres``):

- SQLite: the schema is migrated once per session into a template file, copied for each test;
- PostgreSQL: a database ``greenslate_test_<random>`` is created on ``GREENSLATE_TEST_PG_URL``
  (default ``postgresql://postgres@127.0.0.1:5432/postgres``), migrated once, emptied before
  each test and dropped at the end. If the server is unreachable the PostgreSQL cases FAIL with a
  message saying why, unless ``GREENSLATE_TEST_SKIP_PG=1`` is set (then they are skipped).

``sqlite_db_url`` and ``pg_db_url`` give one backend only.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from store.engine import make_engine
from store.migrate import upgrade
from store.tables import load_all_tables
from store.uow import SqlUnitOfWork

PG_URL_VARIABLE = "GREENSLATE_TEST_PG_URL"
SKIP_PG_VARIABLE = "GREENSLATE_TEST_SKIP_PG"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")  # closes its connections: the WAL is checkpointed into the file
    return path


@pytest.fixture
def sqlite_db_url(_sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite database file for this test."""
    path = tmp_path / "greenslate.sqlite3"
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def _pg_database() -> Iterator[tuple[str, Engine, str]]:
    if os.environ.get(SKIP_PG_VARIABLE) == "1":
        pytest.skip(f"PostgreSQL cases skipped ({SKIP_PG_VARIABLE}=1)")
    server_url = os.environ.get(PG_URL_VARIABLE, DEFAULT_PG_URL)
    name = f"greenslate_test_{secrets.token_hex(6)}"
    server = make_engine(server_url, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
    unreachable = None
    try:
        with server.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as exc:
        unreachable = exc.orig
    if unreachable is not None:
        server.dispose()
        pytest.fail(
            f"PostgreSQL is unreachable at {make_url(server_url)!s}: {unreachable}\n"
            f"Start it, point {PG_URL_VARIABLE} at a server where you may create databases, "
            f"or set {SKIP_PG_VARIABLE}=1 to skip the PostgreSQL cases.",
            pytrace=False,
        )
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    engine = None
    try:
        upgrade(url)
        engine = make_engine(url)
        yield url, engine, _emptying_sql(engine)
    finally:
        if engine is not None:
            engine.dispose()
        server.dispose()  # a fresh connection: the reliability suite may have restarted the server meanwhile
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


def _emptying_sql(engine: Engine) -> str:
    """DELETE every row (children first) and restart the id sequences.

    Much faster than TRUNCATE on a few small tables (TRUNCATE rewrites every table's files).
    """
    with engine.connect() as connection:
        names = set(
            connection.scalars(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tablename <> 'alembic_version'"
                )
            )
        )
        sequences = connection.scalars(
            text("SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()")
        ).all()
    known = [t.name for t in reversed(load_all_tables().sorted_tables) if t.name in names]
    order = sorted(names - set(known)) + known
    statements = [f'DELETE FROM "{n}"' for n in order] + [f'ALTER SEQUENCE "{s}" RESTART' for s in sequences]
    return "; ".join(statements)


@pytest.fixture
def pg_db_url(_pg_database: tuple[str, Engine, str]) -> str:
    """The session's migrated PostgreSQL database, emptied for this test."""
    url, engine, emptying = _pg_database
    with engine.begin() as connection:
        connection.exec_driver_sql(emptying)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    return str(request.getfixturevalue("sqlite_db_url" if request.param == "sqlite" else "pg_db_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def uow_factory(engine: Engine) -> Callable[[], SqlUnitOfWork]:
    """Makes a new unit of work on the test's database (one per use case call, as in the app)."""
    return lambda: SqlUnitOfWork(engine)

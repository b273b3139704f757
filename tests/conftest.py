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
def _pg_database() -> Iterator[tuple[str, Engine]]:
    if os.environ.get(SKIP_PG_VARIABLE) == "1":
        pytest.skip(f"PostgreSQL cases skipped ({SKIP_PG_VARIABLE}=1)")
    server_url = os.environ.get(PG_URL_VARIABLE, DEFAULT_PG_URL)
    name = f"greenslate_test_{secrets.token_hex(6)}"
    server = make_engine(server_url, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
    try:
        with server.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as exc:
        server.dispose()
        pytest.fail(
            f"PostgreSQL is unreachable at {make_url(server_url)!s}: {exc.orig}\n"
            f"Start it, point {PG_URL_VARIABLE} at a server where you may create databases, "
            f"or set {SKIP_PG_VARIABLE}=1 to skip the PostgreSQL cases.",
            pytrace=False,
        )
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    engine = None
    try:
        upgrade(url)
        engine = make_engine(url)
        yield url, engine
    finally:
        if engine is not None:
            engine.dispose()
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


@pytest.fixture
def pg_db_url(_pg_database: tuple[str, Engine]) -> str:
    """The session's migrated PostgreSQL database, emptied for this test."""
    url, engine = _pg_database
    with engine.begin() as connection:
        names = connection.scalars(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'alembic_version'"
            )
        ).all()
        if names:
            tables = ", ".join(f'"{n}"' for n in names)
            connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
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

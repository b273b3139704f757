"""Fixtures for the store tests (the database fixtures are in tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, make_url, text

from config.factors import catalogue
from domain import usecases
from domain.model import Production
from domain.usecases import Catalogue
from store.engine import make_engine
from store.uow import SqlUnitOfWork
from tests.store.store_builders import make_production


@pytest.fixture
def production() -> Production:
    return make_production()


@pytest.fixture(scope="session")
def cat() -> Catalogue:
    return catalogue()


@pytest.fixture
def loaded(engine: Engine, production: Production) -> Production:
    """The production, stored in the test's database."""
    usecases.load_production(SqlUnitOfWork(engine), production)
    return production


@pytest.fixture
def fresh(db_url: str) -> Iterator[Engine]:
    """Another engine on the same database: its connections see only what was committed."""
    other = make_engine(db_url)
    yield other
    other.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """An empty, never migrated database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    server_url = str(request.getfixturevalue("pg_db_url"))
    server = make_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"{make_url(server_url).database}_{secrets.token_hex(3)}"
    with server.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


def insert_bare_production(conn: Connection, production_id: str, now: dt.datetime) -> None:
    """A production row written as SQL, for a migration test at a revision older than the code's tables."""
    conn.execute(text(
        "INSERT INTO productions (id, title, type, timezone, language, calendar_start, calendar_end, "
        "shooting_weekdays, days_off, forecast_tco2e, definition, created_at, updated_at) VALUES "
        "(:id, 'P', 'feature_film', 'Europe/Paris', 'fr', :day, :day, '[0]', '[]', '{}', '{}', :now, :now)"),
        {"id": production_id, "day": now.date(), "now": now})

"""Fixtures for the store tests (the database fixtures are in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

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

"""Fixtures for the store tests (the database fixtures are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from config.factors import catalogue
from domain.model import Production
from domain.usecases import Catalogue
from tests.store.store_builders import make_production


@pytest.fixture
def production() -> Production:
    return make_production()


@pytest.fixture(scope="session")
def cat() -> Catalogue:
    return catalogue()

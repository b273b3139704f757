"""Wiring: build the store and the reference catalogue from settings, once, at the entry point."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine

from base.settings import Settings, load_settings
from config.factors import CURRENT_VERSION, catalogue
from domain.usecases import Catalogue
from store.engine import make_engine
from store.uow import SqlUnitOfWork


@dataclass
class App:
    """What an entry point needs: settings, the engine, units of work and the catalogue."""

    settings: Settings

    @classmethod
    def from_env(cls, **overrides: object) -> App:
        return cls(load_settings(**overrides))

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    @cached_property
    def catalogue(self) -> Catalogue:
        return catalogue(CURRENT_VERSION)

    @property
    def factor_set_version(self) -> str:
        return self.catalogue.factors.version

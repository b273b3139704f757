"""Wiring: build the store and the reference catalogue from settings, once, at the entry point."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from config.factors import CURRENT_VERSION, catalogue
from domain.usecases import Catalogue
from store.engine import make_engine
from store.uow import SqlUnitOfWork

if TYPE_CHECKING:  # pydantic is imported when the settings are first asked for
    from base.settings import Settings


class App:
    """What an entry point needs: settings, the engine, units of work and the catalogue."""

    def __init__(self, settings: Settings | None = None, *, database_url: str | None = None) -> None:
        if settings is None and database_url is None:
            raise TypeError("App needs its settings or at least its database URL")
        self._settings = settings
        self.database_url: str = settings.database_url if settings is not None else database_url  # type: ignore[assignment]

    @classmethod
    def from_env(cls, **overrides: object) -> App:
        from base.settings import load_settings

        return cls(load_settings(**overrides))

    @classmethod
    def for_store(cls) -> App:
        """For a command on the store: its URL read from the environment at once, the other settings
        (pydantic's validation of them all) only if something asks for them."""
        from base.environment import database_url

        return cls(database_url=database_url())

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from base.settings import load_settings

            self._settings = load_settings(database_url=self.database_url)
        return self._settings

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.database_url)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    @cached_property
    def catalogue(self) -> Catalogue:
        return catalogue(CURRENT_VERSION)

    @property
    def factor_set_version(self) -> str:
        return self.catalogue.factors.version

"""Opening the application for a command: what every command module shares (and imports from here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.errors import GreenslateError

if TYPE_CHECKING:
    from common.app import App


def open_app() -> App:
    """The application for a command, with the store's schema brought up to date if it is ours to do."""
    from common.app import App  # SQLAlchemy and the settings: only for the commands that use the store

    app = App.for_store()
    ensure_schema(app)
    return app


def ensure_schema(app: App) -> None:
    """The embedded SQLite store migrates itself; a shared PostgreSQL store must be upgraded on purpose.

    A store already at the latest revision is only checked (one query): Alembic is not started.
    """
    from store.migrate import is_up_to_date, upgrade

    url = app.database_url
    if is_up_to_date(app.engine):
        return
    if url.startswith("sqlite"):
        upgrade(url)
    else:
        raise GreenslateError("the database schema is not up to date: run `greenslate db upgrade` first")

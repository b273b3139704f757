"""Opening the application for a command: what every command module shares (and imports from here)."""

from __future__ import annotations

from common.app import App
from domain.errors import GreenslateError


def open_app() -> App:
    """The application for a command, with the store's schema brought up to date if it is ours to do."""
    app = App.from_env()
    ensure_schema(app)
    return app


def ensure_schema(app: App) -> None:
    """The embedded SQLite store migrates itself; a shared PostgreSQL store must be upgraded on purpose."""
    from store.migrate import is_up_to_date, upgrade

    url = app.settings.database_url
    if url.startswith("sqlite"):
        upgrade(url)
    elif not is_up_to_date(url):
        raise GreenslateError("the database schema is not up to date: run `greenslate db upgrade` first")

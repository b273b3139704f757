"""Run the Alembic migrations from code: no alembic.ini needed at runtime.

``upgrade(url)`` brings a database to the latest schema (every feature's revisions included);
``current(url)`` says where a database is.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from store.engine import make_engine

SCRIPT_LOCATION = "store:migrations"  # inside the installed package


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration built in code (``url`` is only needed for offline SQL)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


#: PostgreSQL advisory lock key held while migrating, so processes starting together take turns.
MIGRATION_LOCK_KEY = 0x67726E736C  # "grnsl"


def upgrade(url: str, revision: str = "heads") -> None:
    """Migrate the database at ``url`` up to ``revision`` (by default, the latest schema).

    Safe to call from several processes at once on PostgreSQL: they migrate one after the other,
    and the later ones find nothing left to do.
    """
    config = alembic_config(url)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def downgrade(url: str, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` (``"base"`` removes every table)."""
    config = alembic_config(url)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        engine.dispose()


def current(url: str) -> str | None:
    """The revision the database at ``url`` is at (``None`` if it was never migrated).

    Several heads, if branches were ever merged badly, are joined with ", ".
    """
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            heads = MigrationContext.configure(connection).get_current_heads()
    finally:
        engine.dispose()
    return ", ".join(sorted(heads)) or None


def head() -> str:
    """The latest revision the code knows."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return ", ".join(sorted(heads))


def is_up_to_date(url: str) -> bool:
    return current(url) == head()

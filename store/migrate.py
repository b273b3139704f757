"""Run the Alembic migrations from code: no alembic.ini needed at runtime.

``upgrade(url)`` brings a database to the latest schema (every feature's revisions included);
``current(url)`` says where a database is. ``is_up_to_date(url)`` is the cheap check a command
makes before it opens the store: it reads the revision files' ids without running them and the
database's ``alembic_version`` row, without starting Alembic (about 80 ms of imports, and the
revision scripts run on every command otherwise); only a store that is behind is migrated.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from store.engine import make_engine

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = "store:migrations"  # inside the installed package
#: The revision files, where ``SCRIPT_LOCATION`` puts them.
VERSIONS_DIR = Path(__file__).parent / "migrations" / "versions"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration built in code (``url`` is only needed for offline SQL)."""
    from alembic.config import Config

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
    from alembic import command

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
    from alembic import command

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
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            heads = MigrationContext.configure(connection).get_current_heads()
    finally:
        engine.dispose()
    return ", ".join(sorted(heads)) or None


def head() -> str:
    """The latest revision the code knows."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return ", ".join(sorted(heads))


def is_up_to_date(url_or_engine: str | Engine) -> bool:
    """Whether the database is at the latest revision the code knows (cheap: no Alembic)."""
    heads = code_heads()
    if not heads:
        return False
    if isinstance(url_or_engine, Engine):
        with url_or_engine.connect() as connection:
            return stored_heads(connection) == heads
    engine = make_engine(url_or_engine)
    try:
        with engine.connect() as connection:
            return stored_heads(connection) == heads
    finally:
        engine.dispose()


def stored_heads(connection: Connection) -> frozenset[str]:
    """The revisions in the database's ``alembic_version`` table (none when it was never migrated)."""
    try:
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:  # no such table: a new store
        connection.rollback()
        return frozenset()
    return frozenset(rows)


@cache
def code_heads() -> frozenset[str]:
    """The latest revisions of the code, read from the revision files' ``revision`` and
    ``down_revision`` assignments without running them (``head()`` asks Alembic; a test keeps the
    two equal). A file this cannot read makes the answer empty, so the store is then migrated
    by Alembic, which knows."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in VERSIONS_DIR.glob("*.py"):
        if path.name.startswith("_"):
            continue
        values = _assignments(path)
        revision = values.get("revision")
        if not isinstance(revision, str):
            return frozenset()
        revisions.add(revision)
        down = values.get("down_revision")
        parents.update([down] if isinstance(down, str) else list(down or ()))
    return frozenset(revisions - parents)


#: ``revision = "0007"``, ``down_revision: str | None = "0006"``: a module-level assignment, on one line.
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=(.*)$", re.MULTILINE)


def _assignments(path: Path) -> dict[str, object]:
    """The module-level constants ``revision`` and ``down_revision`` of a revision file, read from
    their lines (parsing whole files took tens of milliseconds of every command's start). If one is
    not a literal on its line, nothing is found: the heads are then left to Alembic."""
    found: dict[str, object] = {}
    for name, value in _ASSIGNMENT.findall(path.read_text(encoding="utf-8")):
        try:
            found[name] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            return {}
    return found

"""Build the SQLAlchemy engine for a database URL. Nothing is built at import time.

SQLite (the embedded default) gets write-ahead logging so readers never block the writer,
foreign keys enforced, and a busy timeout so two processes writing at once wait for each other
instead of failing. PostgreSQL URLs (``postgresql://``) use psycopg 3.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

if TYPE_CHECKING:  # the asyncio extension (about 50 ms to import) only where an event loop uses it
    from sqlalchemy.ext.asyncio import AsyncEngine

#: How long a SQLite connection waits for another process's write lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the settings greenslate relies on; ``kwargs`` go to create_engine."""
    parsed = make_url(url)
    options: dict[str, Any] = {"pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        in_memory = database in ("", ":memory:") or parsed.query.get("mode") == "memory"
        if in_memory:
            # One shared connection, or every new connection would see an empty database.
            options.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        elif not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        options.update(kwargs)
        engine = create_engine(parsed, **options)
        event.listen(engine, "connect", _sqlite_on_connect(wal=not in_memory))
        return engine
    options.update(kwargs)
    return create_engine(parsed, **options)


def make_async_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An asyncio engine for a PostgreSQL ``url`` (psycopg 3's asyncio connections), same settings.

    For code on an event loop: synchronous store code runs through it with ``run_sync`` (SQLAlchemy's
    greenlet bridge), its database waits awaited on the loop instead of blocking a worker thread.
    """
    from sqlalchemy.ext.asyncio import create_async_engine

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"an asyncio engine is for PostgreSQL, not {parsed.get_backend_name()}")
    return create_async_engine(parsed, **{"pool_pre_ping": True, **kwargs})


def _sqlite_on_connect(*, wal: bool):  # type: ignore[no-untyped-def]
    def on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if wal:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")  # safe with WAL, much faster
        finally:
            cursor.close()

    return on_connect


def dialect_insert(dialect: str, table: Any) -> Any:
    """``INSERT`` with ``ON CONFLICT`` for ``dialect`` ("postgresql" or "sqlite"), importing only that
    dialect: a SQLite store never loads PostgreSQL's (about 60 ms at a command's start)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)

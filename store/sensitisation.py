"""Sensitisation tables: the index of spoken voice notes.

The notes themselves are files in the voice cache (:mod:`base.voice`); this table says which
library message, language and version each one speaks, and keeps Telegram's ``file_id`` once a note
was uploaded, so later sends re-use it instead of uploading the same audio again.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Column, Engine, Integer, String, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from store.tables import UtcDateTime, metadata

if TYPE_CHECKING:
    from base.voice import VoiceNote

voice_notes = Table(
    "voice_notes",
    metadata,
    Column("cache_key", String(64), primary_key=True),  # sha256 of pipeline, engine, language, text
    Column("lang", String(8), nullable=False),
    Column("message_key", String(64), nullable=True),  # None for a text outside the library
    Column("library_version", String(32), nullable=True),
    Column("duration_ms", Integer, nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("telegram_file_id", String(200), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)


class VoiceNoteIndex:
    """Reads and writes ``voice_notes``; each call is its own short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def telegram_file_id(self, cache_key: str) -> str | None:
        with self.engine.connect() as connection:
            return connection.scalar(select(voice_notes.c.telegram_file_id).where(voice_notes.c.cache_key == cache_key))

    def remember(
        self,
        note: VoiceNote,
        *,
        lang: str,
        message_key: str | None = None,
        library_version: str | None = None,
        telegram_file_id: str | None = None,
    ) -> None:
        """Record ``note`` (once), and its Telegram ``file_id`` when one is given."""
        row = {
            "cache_key": note.cache_key,
            "lang": lang,
            "message_key": message_key,
            "library_version": library_version,
            "duration_ms": round(note.duration * 1000),
            "size_bytes": len(note.data),
            "telegram_file_id": telegram_file_id,
            "created_at": dt.datetime.now(dt.UTC),
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(voice_notes).values(row))
            return
        except IntegrityError:
            pass  # recorded already, by this process earlier or by another one
        if telegram_file_id:
            with self.engine.begin() as connection:
                connection.execute(
                    update(voice_notes)
                    .where(voice_notes.c.cache_key == note.cache_key)
                    .values(telegram_file_id=telegram_file_id)
                )

    def rows(self) -> list[dict[str, object]]:
        with self.engine.connect() as connection:
            result = connection.execute(select(voice_notes).order_by(voice_notes.c.created_at))
            return [dict(r._mapping) for r in result]

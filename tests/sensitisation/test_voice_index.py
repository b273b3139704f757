"""The voice-note index on SQLite and PostgreSQL: each note recorded once, Telegram's file id kept."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from base.voice import VoiceNote
from store.sensitisation import VoiceNoteIndex


def note(key: str = "a" * 64) -> VoiceNote:
    return VoiceNote(data=b"OggS" + bytes(96), duration=4.2, path=Path("/tmp/x.ogg"), cache_key=key, from_cache=False)


def test_a_note_is_recorded_once_and_keeps_its_telegram_file_id(engine: Engine) -> None:
    index = VoiceNoteIndex(engine)
    assert index.telegram_file_id("a" * 64) is None

    index.remember(note(), lang="fr", message_key="veggie-day", library_version="2026.1")
    assert index.telegram_file_id("a" * 64) is None
    index.remember(note(), lang="fr", message_key="veggie-day", library_version="2026.1", telegram_file_id="F1")
    assert index.telegram_file_id("a" * 64) == "F1"
    # Recording it again without a file id (another process that uploaded nothing) keeps the id.
    index.remember(note(), lang="fr", message_key="veggie-day", library_version="2026.1")

    (row,) = index.rows()
    assert row["message_key"] == "veggie-day" and row["lang"] == "fr" and row["library_version"] == "2026.1"
    assert row["duration_ms"] == 4200 and row["size_bytes"] == 100 and row["telegram_file_id"] == "F1"

    index.remember(note("b" * 64), lang="en", message_key="veggie-day", library_version="2026.1")
    assert [r["lang"] for r in index.rows()] == ["fr", "en"]

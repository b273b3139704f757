"""A voice note through python-telegram-bot and the local Bot API server: uploaded once, then re-sent by id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from telegram import Bot

from base.voice import Voice, opus_info
from sensitisation.library import library_version
from sensitisation.voice_notes import send_voice_note
from store.sensitisation import VoiceNoteIndex
from tests.support.botapi import BotApiServer

CHAT = 2001


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    server = BotApiServer()
    await server.start()
    server.add_user(CHAT, "Léa", "fr")
    yield server
    await server.stop()


@pytest.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    bot = Bot(server.token, base_url=server.base_url)
    async with bot:
        yield bot


async def test_the_first_send_uploads_the_audio_and_later_sends_reuse_telegrams_file_id(
    server: BotApiServer, bot: Bot, engine: Engine, tmp_path: Path
) -> None:
    voice = Voice(cache_dir=tmp_path / "voice")
    index = VoiceNoteIndex(engine)

    first = await send_voice_note(bot, CHAT, "mains-hookup", "fr", voice=voice, index=index)
    (upload,) = server.sent_to(CHAT, "sendVoice")
    assert upload.voice is not None and opus_info(upload.voice).channels == 1  # real OGG/Opus bytes
    assert 1 < opus_info(upload.voice).duration < 30
    assert upload.params["duration"] == round(opus_info(upload.voice).duration)

    second = await send_voice_note(bot, CHAT, "mains-hookup", "fr", voice=voice, index=index)
    _, resend = server.sent_to(CHAT, "sendVoice")
    assert resend.voice is None  # no upload this time
    assert resend.params["voice"] == first.voice.file_id
    assert second.voice is not None

    (row,) = index.rows()
    assert row["message_key"] == "mains-hookup" and row["lang"] == "fr"
    assert row["library_version"] == library_version()
    # Telegram may hand out a new id for the same file on each send; any of them stays valid.
    assert row["telegram_file_id"] == second.voice.file_id


async def test_each_language_is_its_own_note(server: BotApiServer, bot: Bot, tmp_path: Path) -> None:
    voice = Voice(cache_dir=tmp_path / "voice")
    await send_voice_note(bot, CHAT, "engine-off", "fr", voice=voice)
    await send_voice_note(bot, CHAT, "engine-off", "en", voice=voice)
    fr, en = server.sent_to(CHAT, "sendVoice")
    assert fr.voice and en.voice and fr.voice != en.voice

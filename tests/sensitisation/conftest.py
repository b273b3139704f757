"""Fixtures for the Telegram scenarios: the example production's crew linked to a local Bot API server.

The five crew members on Telegram (amina, karim, paul, lea, sam) have pressed Start and agreed;
Léa has voice on; Sam reads English. The bot is the real Telegram application with the real
notifier, on SQLite and PostgreSQL; voice notes are cached in the test's own folder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from base.settings import load_settings
from base.voice import Voice
from bots.telegram.app import build_application
from bots.telegram.notifier import TelegramNotifier
from bots.telegram.services import services_of
from common.app import App
from common.production_file import load_production_file
from domain.model import Channel
from domain.usecases import load_production
from scheduler.runner import SchedulerContext
from tests.support.botapi import BotApiServer

# The reference file as it was before the whole footprint (four kinds, seven crew): these tests count its
# prompts, crew and forecast. tests/production_file/test_production_file_example.py reads today's file.
EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "productions" / "feature-film-four-kinds.yaml"
CHATS = {"amina": 101, "karim": 102, "paul": 103, "lea": 104, "sam": 105}
LANGUAGE = {"amina": "fr", "karim": "fr", "paul": "fr", "lea": "fr", "sam": "en"}


def paris_0831(day: int) -> dt.datetime:
    """08:31 in Paris (UTC+1 in early March) on ``day`` March 2027."""
    return dt.datetime(2027, 3, day, 7, 31, tzinfo=dt.UTC)


@pytest.fixture
async def crew_server() -> AsyncIterator[BotApiServer]:
    server = BotApiServer()
    await server.start()
    for member_id, chat_id in CHATS.items():
        server.add_user(chat_id, member_id.capitalize(), LANGUAGE[member_id])
    yield server
    await server.stop()


@pytest.fixture
async def crew(crew_server: BotApiServer, db_url: str, tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    app = App(
        load_settings(database_url=db_url, telegram_token=crew_server.token, telegram_api_url=crew_server.base_url)
    )
    load_production(app.uow(), load_production_file(EXAMPLE))
    with app.uow() as uow:
        for member_id, chat_id in CHATS.items():
            uow.members.link_telegram("feux-aube", member_id, chat_id, dt.datetime(2027, 2, 26, tzinfo=dt.UTC))
        uow.commit()
    application = build_application(app, rate_limit=False)
    voice = Voice(cache_dir=tmp_path / "voice")
    services_of(application).synthesiser = lambda text, lang: voice.note(text, lang).data
    await application.initialize()
    notifier = TelegramNotifier(application, app)
    ctx = SchedulerContext(engine=app.engine, uow_factory=app.uow, notifiers={Channel.TELEGRAM: notifier})
    try:
        yield {"app": app, "ctx": ctx, "voice": voice, "application": application, "notifier": notifier}
    finally:
        await application.shutdown()
        app.engine.dispose()


def unreadable(server: BotApiServer) -> list[str]:
    """Every message the bot actually sent, as the member read it, checked against the easy-to-read rules."""
    from base.readability import check

    production = load_production_file(EXAMPLE)
    names = [production.title] + [x.label for x in (*production.vehicles, *production.generators)]
    names += [m.name for m in production.crew]
    language_of = {chat: LANGUAGE[member] for member, chat in CHATS.items()}
    problems = []
    for sent in server.ledger:
        if sent.text and sent.chat_id in language_of:
            lang = language_of[sent.chat_id]
            problems += [f"{lang} {sent.method} to {sent.chat_id}: {v}" for v in check(sent.text, lang, names)]
    return problems

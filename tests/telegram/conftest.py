"""A running Telegram crew bot for tests: a local Bot API server, the real python-telegram-bot
Application polling it, a migrated store with the reference production loaded.

Other areas (the scheduler, the benchmarks) can use it too: import the fixtures
(``from tests.telegram.conftest import make_telegram_rig, telegram_rig``) or the helpers
(``TelegramRig``, ``reference_production``, ``CHATS``). ``telegram_rig`` (SQLite) and
``await make_telegram_rig(db_url)`` give a :class:`TelegramRig`; its ``server`` is a
:class:`tests.support.botapi.BotApiServer`, its ``notifier`` the bot's ``TelegramNotifier``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bots.telegram.app import start_telegram, stop_telegram
from bots.telegram.invites import create_invites
from bots.telegram.notifier import TelegramNotifier
from bots.telegram.services import Services, services_of
from common.app import App
from common.production_file import load_production_file
from domain.carbon import active_reports
from domain.model import Production, Report
from domain.usecases import get_balance, load_production
from scheduler.notify import Delivery
from tests.support.botapi import BotApiServer, Sent

PRODUCTION = "feux-aube"
#: Monday 1 March 2027, 20:00 in Paris: the first shooting day of the reference production.
FIRST_EVENING = dt.datetime(2027, 3, 1, 19, 0, tzinfo=dt.UTC)

#: Telegram chat ids of the reference crew in tests.
CHATS = {"amina": 1001, "karim": 1002, "paul": 1003, "lea": 1004, "sam": 1005}


# The reference file as it was before the whole footprint (four kinds, seven crew): these tests count its
# prompts, crew and forecast. tests/production_file/test_production_file_example.py reads today's file.
def reference_production() -> Production:
    return load_production_file(Path(__file__).resolve().parents[1] / "fixtures" / "productions"
                                / "feature-film-four-kinds.yaml")


@dataclass
class TelegramRig:
    """The bot, its Bot API server and its store, with helpers that act as the crew."""

    server: BotApiServer
    app: App
    application: Any
    notifier: TelegramNotifier
    now: dt.datetime = FIRST_EVENING
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def services(self) -> Services:
        return services_of(self.application)

    async def restart(self) -> None:
        """Stop the bot and start a new one on the same store and server, as after a crash or a deploy."""
        await stop_telegram(self.application)
        self.application = await start_telegram(self.app, rate_limit=False, poll_timeout=1)
        services_of(self.application).clock = lambda: self.now
        self.notifier = TelegramNotifier(self.application, self.app)

    def set_now(self, now: dt.datetime) -> None:
        self.now = now

    def invite(self, member_id: str, *, now: dt.datetime | None = None, days: int = 14) -> str:
        """A fresh invite token for one member (what `crew invite` prints, after ``?start=``)."""
        [link] = create_invites(self.app, PRODUCTION, self.server.username, [member_id],
                                ttl=dt.timedelta(days=days), now=now or self.now)
        return link.url.split("?start=")[1]

    async def say(self, chat_id: int, text: str, *, reply_to: int | None = None, count: int = 1) -> list[Sent]:
        """The user types ``text``; returns the bot's ``count`` replies."""
        mark = self.server.mark()
        self.server.send(chat_id, text, reply_to=reply_to)
        return await self.server.replies(chat_id, count, since=mark)

    async def press(self, chat_id: int, message: Sent, label: str, *, count: int = 1) -> list[Sent]:
        """The user taps the button of ``message`` whose label contains ``label``."""
        assert message.message_id is not None
        mark = self.server.mark()
        self.server.press(chat_id, message.message_id, message.button(label))
        return await self.server.replies(chat_id, count, since=mark)

    async def edit(self, chat_id: int, message_id: int, text: str, *, count: int = 1) -> list[Sent]:
        mark = self.server.mark()
        self.server.edit(chat_id, message_id, text)
        return await self.server.replies(chat_id, count, since=mark)

    async def join(self, member_id: str, lang: str = "fr") -> int:
        """Invite, /start, consent: the member is linked and ready for prompts. Returns the chat id."""
        chat_id = CHATS[member_id]
        self.server.add_user(chat_id, member_id.title(), lang)
        [welcome] = await self.say(chat_id, f"/start {self.invite(member_id)}")
        await self.press(chat_id, welcome, welcome.buttons[0][0])
        return chat_id

    async def prompt(self, member_id: str, assignment_key: str, day: dt.date, *, reminder: bool = False) -> Sent:
        """The scheduler's call: the prompt message as the member received it."""
        mark = self.server.mark()
        delivery = await self.notifier.send_prompt(PRODUCTION, member_id, assignment_key, day, reminder=reminder)
        assert delivery.outcome.value == "sent", delivery
        [message] = await self.server.replies(CHATS[member_id], since=mark)
        return message

    async def deliver(self, member_id: str, assignment_key: str, day: dt.date) -> Delivery:
        return await self.notifier.send_prompt(PRODUCTION, member_id, assignment_key, day)

    def reports(self, member_id: str | None = None, *, active: bool = True) -> list[Report]:
        with self.app.uow() as uow:
            reports = uow.reports.for_production(PRODUCTION, member_id=member_id)
        return active_reports(reports) if active else reports

    def balance(self) -> Any:
        return get_balance(self.app.uow(), self.app.factor_set_version, PRODUCTION)

    def member(self, member_id: str) -> Any:
        with self.app.uow() as uow:
            return uow.members.state(PRODUCTION, member_id)


async def _start_rig(
    db_url: str, *, enforce_limits: bool = False, rate_limit: bool = False
) -> tuple[TelegramRig, BotApiServer]:
    server = BotApiServer(enforce_limits=enforce_limits)
    await server.start()
    app = App.from_env(database_url=db_url, telegram_token=server.token, telegram_api_url=server.base_url,
                       telegram_webhook_url=None)
    load_production(app.uow(), reference_production())
    application = await start_telegram(app, rate_limit=rate_limit, poll_timeout=1)
    rig = TelegramRig(server, app, application, TelegramNotifier(application, app))
    services_of(application).clock = lambda: rig.now
    return rig, server


async def _stop_rig(rig: TelegramRig) -> None:
    await stop_telegram(rig.application)  # the updater stops before the server
    await rig.server.stop()
    rig.app.engine.dispose()


@pytest.fixture
async def make_telegram_rig() -> AsyncIterator[Callable[..., Awaitable[TelegramRig]]]:
    """``await make_telegram_rig(db_url, enforce_limits=False, rate_limit=False)``: a started rig on that
    database. ``enforce_limits``: the server answers 429 over Telegram's limits; ``rate_limit``: the bot
    keeps to them (off by default so tests do not wait)."""
    rigs: list[TelegramRig] = []

    async def make(db_url: str, *, enforce_limits: bool = False, rate_limit: bool = False) -> TelegramRig:
        rig, _ = await _start_rig(db_url, enforce_limits=enforce_limits, rate_limit=rate_limit)
        rigs.append(rig)
        return rig

    yield make
    for rig in rigs:
        await _stop_rig(rig)


@pytest.fixture
async def telegram_rig(make_telegram_rig: Callable[..., Awaitable[TelegramRig]], sqlite_db_url: str) -> TelegramRig:
    """The bot on a fresh SQLite store with the reference production loaded."""
    return await make_telegram_rig(sqlite_db_url)

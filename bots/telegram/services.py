"""What handlers reach through their context: the App, the Telegram tables, a clock, one send helper."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest
from telegram.ext import Application, CallbackContext, ExtBot

from bots.telegram.batches import Batches
from bots.telegram.http import CrewBot
from bots.telegram.productions import ProductionCache
from common.app import App
from store.engine import make_async_engine
from store.telegram import TelegramStore
from store.uow import SqlUnitOfWork, run_together, run_together_async

if TYPE_CHECKING:  # the asyncio extension (and with it SQLAlchemy's ORM) only where an engine is made
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("greenslate.telegram")

SERVICES = "services"

#: How many texts' voice notes are remembered by Telegram ``file_id`` (the least recently sent go first).
VOICE_IDS_KEPT = 2048


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


Synthesise = Callable[[str, str], bytes]


def _default_synthesiser() -> Synthesise | None:
    try:
        from base.voice import synthesise
    except ImportError:  # the voice feature is not installed: text only
        log.warning("voice notes unavailable: base.voice cannot be imported")
        return None
    return synthesise


@dataclass
class Services:
    """Built once per application in ``build_application``; tests may swap the clock."""

    app: App
    store: TelegramStore
    clock: Callable[[], dt.datetime] = utc_now
    synthesiser: Synthesise | None = field(default=None)
    _voice_checked: bool = False
    #: Updates whose handler failed for a passing reason (the store unreachable): handle them again.
    retry_updates: set[int] = field(default_factory=set)
    #: Telegram's ``file_id`` of each text already sent as a voice note, by (language, text): the same
    #: words (a confirmation, help) are sent again without synthesising or uploading them.
    voice_ids: OrderedDict[tuple[str, str], str] = field(default_factory=OrderedDict)
    poller: Any = None  # the long-polling loop, when the bot polls (bots.telegram.polling)
    webhook: Any = None  # the webhook server, when Telegram delivers by webhook (bots.telegram.webhook)
    #: The productions of the chats that write, checked against the store at each message.
    productions: ProductionCache = field(default_factory=ProductionCache)
    #: Figures being stored by concurrent handlers, stored together: one transaction per batch.
    writes: Batches[Callable[[SqlUnitOfWork], Any], Any] = field(init=False)
    #: What typed answers read about their chats, read together (set by ``build_application``).
    reads: Batches[tuple[int, int | None], Any] | None = None
    #: PostgreSQL: the asyncio engine the writes go through (``store.uow.run_together_async``).
    async_engine: AsyncEngine | None = None
    #: PostgreSQL: the asyncio engine typed answers' reads go through, without a transaction: no
    #: BEGIN and ROLLBACK round trips around the three reads of a batch.
    read_engine: AsyncEngine | None = None

    def __post_init__(self) -> None:
        engine = self.app.engine
        # SQLite is a local file: its work is done on the event loop, which on one core beats handing
        # it to a thread (the interpreter lock makes them take turns), unless another process holds the
        # write lock. PostgreSQL's round trips are awaited on the loop (an asyncio engine).
        on_loop = partial(run_together, engine, wait=False) if engine.dialect.name == "sqlite" else None
        run_async = None
        if engine.dialect.name == "postgresql":
            # No check of each connection before use (a round trip per batch): a connection lost
            # fails its batch, whose updates are handled again (handlers.errors, polling).
            url = self.app.settings.database_url
            self.async_engine = make_async_engine(url, pool_pre_ping=False)
            self.read_engine = make_async_engine(url, pool_pre_ping=False, isolation_level="AUTOCOMMIT")
            run_async = partial(run_together_async, self.async_engine)
        self.writes = Batches(partial(run_together, engine), on_loop=on_loop, run_async=run_async)

    async def close(self) -> None:
        """Release the asyncio engines' connections (the App disposes of its own engine)."""
        for engine in (self.async_engine, self.read_engine):
            if engine is not None:
                await engine.dispose()

    @property
    def local_store(self) -> bool:
        """The store is an SQLite file: reading it never waits (write-ahead log), so it is read on the loop."""
        return self.app.engine.dialect.name == "sqlite"

    def synthesise(self) -> Synthesise | None:
        if self.synthesiser is None and not self._voice_checked:
            self._voice_checked = True
            self.synthesiser = _default_synthesiser()
        return self.synthesiser


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The handlers' context: ``context.services`` is this application's :class:`Services`."""

    @property
    def services(self) -> Services:
        return self.application.bot_data[SERVICES]  # type: ignore[no-any-return]


def services_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    return application.bot_data[SERVICES]  # type: ignore[no-any-return]


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Inline buttons from (label, callback data) rows.

    Labels use plain spaces (``45 230``, not French narrow no-break spaces): a label never wraps,
    and what is shown is what a member (or a script) looks for.
    """
    return InlineKeyboardMarkup([[InlineKeyboardButton(_plain(label), callback_data=data) for label, data in row]
                                 for row in rows])


def _plain(label: str) -> str:
    return label.replace("\u202f", " ").replace("\u00a0", " ")


async def say(
    bot: Any,
    services: Services,
    chat_id: int,
    text: str,
    *,
    lang: str,
    voice: bool,
    buttons: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
) -> int:
    """Send ``text`` to a member, and the same as a voice note when they asked for voice; the text's message id.

    The one way the bot sends to a crew member, so a member with voice on hears every message.
    Telegram errors on the text propagate (the caller knows what a 403 means there); a voice note
    that cannot be made or sent is logged and skipped: the text has gone already. The crew bot
    (:class:`bots.telegram.http.CrewBot`) does not read Telegram's answer into a ``Message``.
    """
    if isinstance(bot, CrewBot):
        message_id = await bot.send_text(chat_id, text, reply_markup=buttons, reply_to=reply_to)
    else:
        message: Message = await bot.send_message(chat_id=chat_id, text=text, reply_markup=buttons,
                                                  reply_to_message_id=reply_to)
        message_id = message.message_id
    if voice:
        try:
            await _send_voice(bot, services, chat_id, text, lang)
        except Exception as exc:  # a voice note is an extra: never lose the text over it
            log.warning("voice note to a member failed: %s: %s", type(exc).__name__, exc)
    return message_id


async def _send_voice(bot: Any, services: Services, chat_id: int, text: str, lang: str) -> None:
    """``text`` spoken: Telegram's ``file_id`` of the same words sent before, else synthesised and uploaded."""
    key = (lang, text)
    known = services.voice_ids.get(key)
    if known is not None:
        services.voice_ids.move_to_end(key)
        try:
            await bot.send_voice(chat_id=chat_id, voice=known)
            return
        except BadRequest:  # Telegram no longer knows that file: upload it again
            services.voice_ids.pop(key, None)
    synthesise = services.synthesise()
    if synthesise is None:
        return
    audio = await asyncio.to_thread(synthesise, text, lang)
    sent = await bot.send_voice(chat_id=chat_id, voice=audio)
    file_id = getattr(getattr(sent, "voice", None), "file_id", None)
    if file_id:
        services.voice_ids[key] = file_id
        while len(services.voice_ids) > VOICE_IDS_KEPT:
            services.voice_ids.popitem(last=False)

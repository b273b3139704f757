"""Updates by webhook, each confirmed to Telegram only once handled.

python-telegram-bot's webhook server answers Telegram as soon as it has queued an update, before
any handler ran, and its application then handles the queue one update at a time: a crash or a
kill loses every answer queued, and a production's answers wait in one line. Here the answer to
Telegram's request is the update's outcome, as the poller's offset is (``bots.telegram.polling``):

- 200 once handled: stored, replied to;
- 503 when the store cannot be reached: Telegram delivers the update again later, and it is
  stored once whichever instance gets it;
- 403 without the secret token, 400 for a body that is not an update: nothing is handled.

Telegram delivers over up to ``max_connections`` connections at once: updates of different chats
are handled concurrently (their answers stored together, ``bots.telegram.batches``), the updates
of one chat one after another, in the order they arrived.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from aiohttp import web
from telegram import Update

from bots.telegram.polling import MAX_CONCURRENT_CHATS, chat_key
from bots.telegram.services import services_of

log = logging.getLogger("greenslate.telegram")

#: How many connections Telegram may open to deliver updates at once (its default).
MAX_CONNECTIONS = 40

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookReceiver:
    """An aiohttp server at ``listen:port/path`` that handles each update before answering Telegram."""

    def __init__(self, application: Any, *, listen: str, port: int, path: str, webhook_url: str,
                 secret: str | None, max_connections: int = MAX_CONNECTIONS) -> None:
        self.application = application
        self.listen, self.port = listen, port
        self.path = "/" + path.strip("/")
        self.webhook_url = webhook_url
        self.secret = secret
        self.max_connections = max_connections
        self._slots = asyncio.Semaphore(MAX_CONCURRENT_CHATS)
        self._chats: dict[int | str, tuple[asyncio.Lock, int]] = {}  # a lock per chat, and how many use it
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen, then tell Telegram where to deliver (updates not yet delivered are kept)."""
        app = web.Application()
        app.router.add_post(self.path, self._receive)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, self.listen, self.port).start()
        self._runner = runner
        await self.application.bot.set_webhook(
            url=self.webhook_url, secret_token=self.secret, allowed_updates=Update.ALL_TYPES,
            max_connections=self.max_connections, drop_pending_updates=False,
        )

    async def stop(self) -> None:
        """Stop listening and finish the updates being handled (each then answered to Telegram).

        The webhook stays set: another instance, or this one restarted, receives what comes next.
        """
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        if self.secret is not None and not hmac.compare_digest(
                request.headers.get(SECRET_HEADER, "").encode(), self.secret.encode()):
            return web.Response(status=403, text="wrong or missing secret token")
        try:
            update = Update.de_json(json.loads(await request.read()), self.application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return web.Response(status=400, text="not a Telegram update")
        self.application.bot.insert_callback_data(update)
        if await self._in_order(update):
            return web.Response(status=200)
        return web.Response(status=503, text="the store is unreachable: deliver this update again later")

    async def _in_order(self, update: Update) -> bool:
        """Handle ``update`` once its chat's earlier updates are done; False to have it delivered again."""
        key = chat_key(update)
        lock, users = self._chats.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._chats[key] = (lock, users + 1)
        try:
            async with lock, self._slots:
                return await self._handle(update)
        finally:
            lock, users = self._chats[key]
            if users == 1:
                del self._chats[key]
            else:
                self._chats[key] = (lock, users - 1)

    async def _handle(self, update: Update) -> bool:
        retry = services_of(self.application).retry_updates
        try:
            await self.application.process_update(update)
        except Exception:  # PTB hands handler errors to on_error; anything else is a bug: answered, not redelivered
            log.exception("update %s could not be handled", update.update_id)
            return True
        if update.update_id in retry:
            retry.discard(update.update_id)
            log.warning("update %s not stored (the store is unreachable); Telegram will deliver it again",
                        update.update_id)
            return False
        return True

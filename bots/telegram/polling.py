"""Long polling that confirms an update to Telegram only once it has been handled.

Telegram forgets an update once ``getUpdates`` is called with an offset past it. python-telegram-bot's
``Updater`` asks for the next batch as soon as it has queued the current one, before any handler ran:
a crash, a kill or a database outage then loses every answer it had queued. Here each update is
handled before the offset moves past it. An update whose handler failed for a passing reason (the
database cannot be reached) is not confirmed either: polling waits, then fetches it again, so the
crew's answers wait out an outage instead of being lost. A redelivered update is stored once (the
store keys every report by its Telegram message).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter, TimedOut

from bots.telegram.services import services_of

log = logging.getLogger("greenslate.telegram")

#: Seconds to wait before fetching again an update whose handling failed for a passing reason.
RETRY_DELAYS = (1, 2, 5, 10, 20, 30)


class AckAfterHandling:
    """Polls ``getUpdates`` and handles each update before confirming it."""

    def __init__(self, application: Any, *, timeout: int = 30, poll_interval: float = 0.0) -> None:
        self.application = application
        self.timeout = timeout
        self.poll_interval = poll_interval
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._handling = False
        self.offset: int | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        await self.application.bot.delete_webhook(drop_pending_updates=False)
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="telegram-polling")

    async def stop(self) -> None:
        """Stop polling: finish the update in hand, then confirm what was handled, as PTB's Updater does."""
        self._stopping.set()
        if self._task is not None:
            if not self._handling:
                self._task.cancel()  # waiting on Telegram's long poll: nothing in hand
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.offset is not None:
            try:
                await self.application.bot.get_updates(offset=self.offset, timeout=0, limit=1)
            except Exception as exc:  # confirming is a courtesy: unconfirmed updates are stored once anyway
                log.info("could not confirm the last updates on stop: %s", type(exc).__name__)

    async def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                updates = await self.application.bot.get_updates(
                    offset=self.offset, timeout=self.timeout, allowed_updates=Update.ALL_TYPES
                )
            except RetryAfter as exc:
                await self._pause(float(exc.retry_after if isinstance(exc.retry_after, int | float)
                                        else exc.retry_after.total_seconds()))
                continue
            except (TimedOut, NetworkError) as exc:
                if isinstance(exc, InvalidToken):
                    raise
                failures += 1
                log.warning("telegram unreachable (%s); trying again", type(exc).__name__)
                await self._pause(RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1])
                continue
            failures = 0
            for update in updates:
                if self._stopping.is_set():
                    break
                self._handling = True
                try:
                    handled = await self._handle(update)
                finally:
                    self._handling = False
                if not handled:
                    break  # not confirmed: the next getUpdates starts again from this update
                self.offset = update.update_id + 1
            if self.poll_interval:
                await self._pause(self.poll_interval)

    async def _handle(self, update: Update) -> bool:
        """Handle one update; False when it must be fetched again (its handler hit a passing failure)."""
        retry = services_of(self.application).retry_updates
        attempt = 0
        while True:
            await self.application.process_update(update)
            if update.update_id not in retry:
                return True
            retry.discard(update.update_id)
            attempt += 1
            delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]
            log.warning("update %s not stored (the store is unreachable); trying again in %s s",
                        update.update_id, delay)
            await self._pause(delay)
            if self._stopping.is_set():
                return False

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

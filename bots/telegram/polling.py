"""Long polling that confirms an update to Telegram only once it has been handled.

Telegram forgets an update once ``getUpdates`` is called with an offset past it. python-telegram-bot's
``Updater`` asks for the next batch as soon as it has queued the current one, before any handler ran:
a crash, a kill or a database outage then loses every answer it had queued. Here the offset only
ever moves past updates that were handled: it is the lowest update still in hand (or one past the
newest when nothing is). An update whose handler failed for a passing reason (the database cannot be
reached) is handled again after a pause, and stays unconfirmed meanwhile, so the crew's answers wait
out an outage instead of being lost. A redelivered update is stored once (the store keys every
report by its Telegram message).

Updates from different chats are handled concurrently; the updates of one chat are handled one
after another, in the order Telegram gave them (an odometer reading must follow the previous one).
While updates are in hand, Telegram gives them back with every batch: the poller asks again only
once some are done, at least ``BUSY_ASK_GAP`` apart (more the more are in hand), and the bot
builds only the updates it does not know (``bots.telegram.http.CrewBot``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter, TimedOut

from bots.telegram.http import CrewBot
from bots.telegram.services import services_of

log = logging.getLogger("greenslate.telegram")

#: Seconds to wait before fetching again an update whose handling failed for a passing reason.
RETRY_DELAYS = (1, 2, 5, 10, 20, 30)

#: How many chats are handled at the same time at most.
MAX_CONCURRENT_CHATS = 100

#: Updates asked for at once (Telegram's maximum).
BATCH = 100

#: While updates are in hand and none is done, how often to ask for other chats' new updates (seconds).
BUSY_POLL_SECONDS = 0.25

#: While updates are in hand, the least time between two asks (seconds): this, and this again for
#: every ``BUSY_ASK_STEP`` updates in hand. Each answer gives back every update still in hand: at
#: 100 answers a second, asking again at each one done cost the bot more than storing them, and the
#: slower it went the more came back each time.
BUSY_ASK_GAP = 0.012
BUSY_ASK_STEP = 4


class _Known:
    """The update ids in hand or handled, without copying them."""

    def __init__(self, in_hand: dict[int, Any], done: set[int]) -> None:
        self.in_hand, self.done = in_hand, done

    def __contains__(self, update_id: object) -> bool:
        return update_id in self.in_hand or update_id in self.done


def chat_key(update: Update) -> int | str:
    """What orders updates: the chat (or, without one, the user); an update with neither stands alone."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return f"user:{update.effective_user.id}"
    return f"update:{update.update_id}"


class AckAfterHandling:
    """Polls ``getUpdates``, handles updates (chats concurrently, each chat in order), confirms them after."""

    def __init__(self, application: Any, *, timeout: int = 30, poll_interval: float = 0.0,
                 concurrency: int = MAX_CONCURRENT_CHATS) -> None:
        self.application = application
        self.timeout = timeout
        self.poll_interval = poll_interval
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._changed = asyncio.Event()  # an update in hand was done with
        self._in_hand: dict[int, asyncio.Task[bool]] = {}  # update id -> its handling, until done
        self._done: set[int] = set()  # handled, not yet confirmed to Telegram
        self._last_of_chat: dict[int | str, asyncio.Task[bool]] = {}
        self._newest: int | None = None  # the newest update id received
        self._low_water = max(1, concurrency // 10)  # ask for more once this few are in hand
        self._worth_asking = True  # something changed since Telegram last answered
        self._asked_at = float("-inf")  # when getUpdates was last called (the loop's clock)
        self.offset: int | None = None  # what the next getUpdates confirms

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        await self.application.bot.delete_webhook(drop_pending_updates=False)
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="telegram-polling")

    async def stop(self) -> None:
        """Stop polling: finish the updates being handled, then confirm what was handled, as PTB's Updater does.

        Updates received but not started are left unconfirmed: Telegram gives them again to the
        next start.
        """
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()  # waiting on Telegram's long poll, or for an update in hand
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        in_hand = list(self._in_hand.values())
        if in_hand:
            await asyncio.gather(*in_hand, return_exceptions=True)
        self.offset = self._next_offset()
        if self.offset is not None:
            try:
                await self.application.bot.get_updates(offset=self.offset, timeout=0, limit=1)
            except Exception as exc:  # confirming is a courtesy: unconfirmed updates are stored once anyway
                log.info("could not confirm the last updates on stop: %s", type(exc).__name__)

    def _next_offset(self) -> int | None:
        """The lowest update id not handled yet (everything below it was handled)."""
        if self._in_hand:
            return min(self._in_hand)
        return None if self._newest is None else self._newest + 1

    async def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            offset = self._next_offset()
            if self._in_hand and not await self._time_to_ask(offset):
                continue
            self._worth_asking = False
            self._asked_at = asyncio.get_running_loop().time()
            if offset is not None:  # asking with this offset confirms everything below it
                self._done = {u for u in self._done if u >= offset}
            updates, failures = await self._ask(offset, failures)
            if updates is None:
                continue
            self.offset = offset
            self._dispatch_all(updates)
            if self.poll_interval:
                await self._pause(self.poll_interval)

    async def _time_to_ask(self, offset: int | None) -> bool:
        """With updates in hand, whether to ask Telegram now; False after waiting a little, to look again."""
        # Telegram gives back everything from the oldest update in hand: ask again once a few are
        # done (so that most of what it returns is new) and something changed since it last
        # answered; or, when nothing changed for a moment, for the other chats' new updates.
        known = len(self._in_hand) + sum(1 for u in self._done if offset is not None and u >= offset)
        if not self._worth_asking or len(self._in_hand) > self._low_water or known > BATCH // 2:
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), BUSY_POLL_SECONDS)
                return False  # something was done with: look again
            except TimeoutError:
                if known >= BATCH:
                    return False  # Telegram would give back only updates in hand
        # Each answer gives back every update in hand: the more in hand, the less often.
        gap = min(BUSY_POLL_SECONDS, BUSY_ASK_GAP * (1 + len(self._in_hand) / BUSY_ASK_STEP))
        wait = self._asked_at + gap - asyncio.get_running_loop().time()
        if wait > 0:
            await self._pause(wait)
            return False
        return True

    async def _ask(self, offset: int | None, failures: int) -> tuple[list[Update] | None, int]:
        """The next updates and the count of failures in a row; no updates after a pause when Telegram
        asks to wait or cannot be reached."""
        try:
            updates = await self._get_updates(offset, 0 if self._in_hand else self.timeout)
        except RetryAfter as exc:
            await self._pause(float(exc.retry_after if isinstance(exc.retry_after, int | float)
                                    else exc.retry_after.total_seconds()))
            self._worth_asking = True
            return None, failures
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, InvalidToken):
                raise
            failures += 1
            log.warning("telegram unreachable (%s); trying again", type(exc).__name__)
            await self._pause(RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1])
            self._worth_asking = True
            return None, failures
        return updates, 0

    def _dispatch_all(self, updates: list[Update]) -> None:
        """Start handling each update, unless stopping."""
        for update in updates:
            if self._stopping.is_set():
                break
            if self._dispatch(update):
                self._worth_asking = True  # new updates came: more may be waiting

    async def _get_updates(self, offset: int | None, timeout: int) -> list[Update]:
        """The next updates; those in hand or handled are not read again when the bot can skip them."""
        bot = self.application.bot
        if isinstance(bot, CrewBot):
            return await bot.get_updates_skipping(_Known(self._in_hand, self._done), offset=offset, timeout=timeout,
                                                  limit=BATCH, allowed_updates=Update.ALL_TYPES)
        return list(await bot.get_updates(offset=offset, timeout=timeout, limit=BATCH,
                                          allowed_updates=Update.ALL_TYPES))

    def _dispatch(self, update: Update) -> bool:
        """Start handling ``update`` once its chat's previous update is done; False for one already known."""
        update_id = update.update_id
        if update_id in self._in_hand or update_id in self._done:
            return False  # given again while being handled, or handled and not yet confirmed
        key = chat_key(update)
        task = asyncio.create_task(self._in_order(update, self._last_of_chat.get(key)),
                                   name=f"telegram-update-{update_id}")
        self._in_hand[update_id] = task
        self._last_of_chat[key] = task
        self._newest = update_id if self._newest is None else max(self._newest, update_id)

        def done(finished: asyncio.Task[bool], key: int | str = key) -> None:
            if not finished.cancelled() and finished.result():
                del self._in_hand[update_id]  # an update not handled stays in hand: the offset stays below it
                self._done.add(update_id)
            if self._last_of_chat.get(key) is finished:
                del self._last_of_chat[key]
            self._worth_asking = True
            self._changed.set()

        task.add_done_callback(done)
        return True

    async def _in_order(self, update: Update, previous: asyncio.Task[bool] | None) -> bool:
        if previous is not None:
            await asyncio.wait([previous])
            if previous.cancelled() or previous.exception() is not None or not previous.result():
                return False  # the chat's previous update is not handled: neither is this one, to keep the order
        if self._stopping.is_set():
            return False
        async with self._slots:
            if self._stopping.is_set():
                return False
            try:
                return await self._handle(update)
            except Exception:  # PTB hands handler errors to on_error; anything else is a bug, not a reason to stall
                log.exception("update %s could not be handled", update.update_id)
                return True

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

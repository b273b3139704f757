"""Telegram's flood limits: about 30 messages a second overall and 1 a second in one chat.

Telegram counts the messages it receives; a bot only knows when it sent one and when the answer
came back. :class:`SlidingWindow` keeps the overall limit without ever crossing it: each of its
``limit`` slots is lent to one request and handed back ``period`` seconds after that request's
answer arrived. Telegram stamped the request before answering it, and a request that reuses the
slot leaves after the slot came back, so Telegram sees the two at least ``period`` apart: no
``limit + 1`` messages ever fall within one ``period`` on Telegram's side, whatever the network
did. The rate it allows is ``limit`` per ``period`` plus a round trip (29.7 a second with a 10 ms
round trip), where a token bucket lets bursts through that the server refuses with 429s, each of
which halts every send for a second.

:class:`CrewRateLimiter` puts it together for the crew bot: the sliding window overall, at most one
message per second in each private chat (a member who gets two prompts and their voice notes
receives them a second apart instead of meeting a 429), and PTB's ``AIORateLimiter`` inside for
the group rate (20 a minute) and for waiting out a 429 should one come anyway.

All of this holds for one process. Several processes sending with one bot (the bot and
``greenslate run --scheduler`` processes) share the window and the per-chat pace through Redis
instead (``GREENSLATE_TELEGRAM_RATE_LIMIT_STORAGE``, :mod:`bots.telegram.shared_limit`), with the
same guarantee and replies first across processes.

Replies go before bulk. What the scheduler sends (prompts, reminders, campaigns) is sent inside
:func:`bulk`; everything else the bot sends answers what a member just did. When the window is
full, a freed slot goes to the longest-waiting reply, and to bulk only when no reply waits: a
member's confirmation waits for the next free slot (at most about a second, as slots come back),
not behind the thousands of prompts of a fan-out. The limits stay the same for both: one window
of 30 a second, one message a second in a chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from types import TracebackType
from typing import Any, Protocol

from telegram.ext import AIORateLimiter, BaseRateLimiter

#: Bot API methods that post a new message in a chat (edits and button answers are not limited).
SENDING = frozenset({
    "sendMessage", "sendVoice", "sendAudio", "sendPhoto", "sendDocument", "sendVideo", "sendAnimation",
    "sendSticker", "sendLocation", "sendContact", "sendPoll", "sendMediaGroup", "copyMessage",
    "forwardMessage",
})

#: Telegram's overall limit for a bot: 30 messages a second.
OVERALL_LIMIT = 30
OVERALL_PERIOD = 1.0

#: Who waits for a slot first: replies to members, then bulk (the scheduler's sends).
REPLY, BULK = 0, 1
PRIORITY_NAMES = ("reply", "bulk")

_bulk: ContextVar[bool] = ContextVar("greenslate_telegram_bulk", default=False)


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """Messages sent inside this block (and the tasks it starts) wait behind members' replies."""
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)


def current_priority() -> int:
    """``BULK`` inside :func:`bulk`, else ``REPLY``."""
    return BULK if _bulk.get() else REPLY


class SlidingWindow:
    """At most ``limit`` requests within any ``period`` seconds, as the receiving server counts them.

    ``async with window.turn(priority):`` around one request (``async with window:`` takes the
    priority of the context: :func:`bulk` or not). A slot is taken before the request leaves and
    given back ``period`` seconds after it finished (answered, failed or cancelled alike). Waiters
    are served by priority, then in order of arrival.
    """

    def __init__(self, limit: int = OVERALL_LIMIT, period: float = OVERALL_PERIOD) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("a sliding window needs at least one slot and a positive period")
        self.limit = limit
        self.period = period
        self._free = limit
        self._waiting: tuple[deque[asyncio.Future[None]], ...] = (deque(), deque())  # by priority
        self.taken = [0, 0]  # slots taken so far, by priority (for logs, benchmarks and tests)

    @property
    def free(self) -> int:
        """Slots free right now (for logs and tests)."""
        return self._free

    def waiting(self, priority: int) -> int:
        """Requests of ``priority`` waiting for a slot now."""
        return sum(1 for f in self._waiting[priority] if not f.done())

    async def acquire(self, priority: int = REPLY) -> None:
        """Take a slot, waiting behind every request of the same or a higher priority."""
        if self._free > 0 and not any(self._waiting):
            self._free -= 1
        else:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            queue = self._waiting[priority]
            queue.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():  # the slot came as we were cancelled: pass it on
                    self._hand_back()
                else:
                    with contextlib.suppress(ValueError):
                        queue.remove(waiter)
                raise
        self.taken[priority] += 1

    def release(self) -> None:
        """The request is over: its slot comes back ``period`` seconds from now."""
        asyncio.get_running_loop().call_later(self.period, self._hand_back)

    @contextlib.asynccontextmanager
    async def turn(self, priority: int = REPLY) -> AsyncIterator[None]:
        await self.acquire(priority)
        try:
            yield
        finally:
            self.release()

    @contextlib.asynccontextmanager
    async def chat_turn(self, chat_id: int, seconds: float) -> AsyncIterator[None]:
        """Nothing to claim: in one process the limiter's per-chat lock and clock keep the pace."""
        yield

    async def close(self) -> None:
        """Nothing to give back: the slots live in this process."""

    async def __aenter__(self) -> None:
        await self.acquire(current_priority())

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def _hand_back(self) -> None:
        """A slot is free: to the first reply waiting, else the first bulk request, else kept."""
        for queue in self._waiting:
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self._free += 1


class Window(Protocol):
    """What the limiter asks of its window: :class:`SlidingWindow` in one process, or the window
    shared through Redis (:class:`bots.telegram.shared_limit.SharedWindow`)."""

    def turn(self, priority: int = ...) -> AbstractAsyncContextManager[None]: ...

    def chat_turn(self, chat_id: int, seconds: float) -> AbstractAsyncContextManager[None]: ...

    async def close(self) -> None: ...


class CrewRateLimiter(BaseRateLimiter[int]):
    """The overall sliding window, one message a second per private chat, and ``inner`` for groups and 429s.

    ``inner`` should have its own overall limit off (``AIORateLimiter(overall_max_rate=0, ...)``):
    its token bucket would only let through bursts the window holds back anyway.
    """

    def __init__(
        self, inner: AIORateLimiter, per_chat_seconds: float = 1.0,
        window: Window | None = None,
    ) -> None:
        self.inner = inner
        self.per_chat_seconds = per_chat_seconds
        self.window: Window = window or SlidingWindow()
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._last: dict[int, float] = {}

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()
        await self.window.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        if chat_id is None:  # getUpdates, answerCallbackQuery, getMe...: not a message to anyone
            return await self.inner.process_request(callback, args, kwargs, endpoint, data, rate_limit_args)

        priority = current_priority()
        private = isinstance(chat_id, int) and chat_id > 0  # group and channel ids are negative
        paced = private and self.per_chat_seconds > 0 and endpoint in SENDING

        async def windowed() -> bool | dict[str, Any] | list[dict[str, Any]]:
            async with self.window.turn(priority):
                if not paced:
                    return await callback(*args, **kwargs)
                # Other processes' messages to this chat (shared window only), once a slot is held: a
                # thousand queued messages do not claim a thousand chats in Redis while they wait.
                async with self.window.chat_turn(chat_id, self.per_chat_seconds):
                    return await callback(*args, **kwargs)

        if not paced:
            return await self.inner.process_request(windowed, (), {}, endpoint, data, rate_limit_args)
        assert isinstance(chat_id, int)
        async with self._locks[chat_id]:
            wait = self._last.get(chat_id, 0.0) + self.per_chat_seconds - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await self.inner.process_request(windowed, (), {}, endpoint, data, rate_limit_args)
            finally:
                self._last[chat_id] = time.monotonic()
                if len(self._last) > 4096:  # forget chats quiet for a while
                    cutoff = time.monotonic() - 60
                    for key in [k for k, at in self._last.items() if at < cutoff]:
                        self._last.pop(key, None)
                        self._locks.pop(key, None)

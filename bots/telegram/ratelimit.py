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
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any

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


class SlidingWindow:
    """At most ``limit`` requests within any ``period`` seconds, as the receiving server counts them.

    ``async with window:`` around one request. A slot is taken before the request leaves and given
    back ``period`` seconds after it finished (answered, failed or cancelled alike).
    """

    def __init__(self, limit: int = OVERALL_LIMIT, period: float = OVERALL_PERIOD) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("a sliding window needs at least one slot and a positive period")
        self.limit = limit
        self.period = period
        self._slots = asyncio.Semaphore(limit)
        self._lent = 0

    @property
    def free(self) -> int:
        """Slots free right now (for logs and tests)."""
        return self.limit - self._lent

    async def __aenter__(self) -> None:
        await self._slots.acquire()
        self._lent += 1

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        asyncio.get_running_loop().call_later(self.period, self._hand_back)

    def _hand_back(self) -> None:
        self._lent -= 1
        self._slots.release()


class CrewRateLimiter(BaseRateLimiter[int]):
    """The overall sliding window, one message a second per private chat, and ``inner`` for groups and 429s.

    ``inner`` should have its own overall limit off (``AIORateLimiter(overall_max_rate=0, ...)``):
    its token bucket would only let through bursts the window holds back anyway.
    """

    def __init__(
        self, inner: AIORateLimiter, per_chat_seconds: float = 1.0, window: SlidingWindow | None = None
    ) -> None:
        self.inner = inner
        self.per_chat_seconds = per_chat_seconds
        self.window = window or SlidingWindow()
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._last: dict[int, float] = {}

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

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

        async def windowed() -> bool | dict[str, Any] | list[dict[str, Any]]:
            async with self.window:
                return await callback(*args, **kwargs)

        private = isinstance(chat_id, int) and chat_id > 0  # group and channel ids are negative
        if not (private and self.per_chat_seconds > 0 and endpoint in SENDING):
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

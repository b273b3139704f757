"""Telegram's flood limits: about 30 messages a second overall and 1 a second in one chat.

PTB's ``AIORateLimiter`` keeps the overall rate and the group rate, and retries after a 429;
it does not space messages within a private chat. :class:`CrewRateLimiter` adds that: a member
who gets two prompts and their voice notes receives them a second apart instead of meeting a 429.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter, BaseRateLimiter

#: Bot API methods that post a new message in a chat (edits and button answers are not limited).
SENDING = frozenset({
    "sendMessage", "sendVoice", "sendAudio", "sendPhoto", "sendDocument", "sendVideo", "sendAnimation",
    "sendSticker", "sendLocation", "sendContact", "sendPoll", "sendMediaGroup", "copyMessage",
    "forwardMessage",
})


class CrewRateLimiter(BaseRateLimiter[int]):
    """``AIORateLimiter`` plus at most one message per ``per_chat_seconds`` in each private chat."""

    def __init__(self, inner: AIORateLimiter, per_chat_seconds: float = 1.0) -> None:
        self.inner = inner
        self.per_chat_seconds = per_chat_seconds
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
        private = isinstance(chat_id, int) and chat_id > 0  # group and channel ids are negative
        if not (private and self.per_chat_seconds > 0 and endpoint in SENDING):
            return await self.inner.process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        assert isinstance(chat_id, int)
        async with self._locks[chat_id]:
            wait = self._last.get(chat_id, 0.0) + self.per_chat_seconds - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await self.inner.process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            finally:
                self._last[chat_id] = time.monotonic()
                if len(self._last) > 4096:  # forget chats quiet for a while
                    cutoff = time.monotonic() - 60
                    for key in [k for k, at in self._last.items() if at < cutoff]:
                        self._last.pop(key, None)
                        self._locks.pop(key, None)

"""The bot's HTTP client: python-telegram-bot's httpx client, with a bound on requests in flight.

Handlers of many chats reply at the same moment. Given 100 requests at once, httpx opens up to
100 connections and its pool re-scans every connection for every queued request each time one
starts or ends: work that grows with the square of the requests in flight, and that cost the crew
bot more of its one core than storing the figures did. Here at most :data:`IN_FLIGHT` requests are
handed to httpx at a time; the others wait their turn in order, at no cost. Telegram answers each
within milliseconds, and its limits (30 messages a second) are far below what a few connections
carry.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.request import HTTPXRequest

#: Requests handed to httpx at the same time (and so connections open to the Bot API, at most).
IN_FLIGHT = 8


class BoundedRequest(HTTPXRequest):
    """:class:`telegram.request.HTTPXRequest` letting at most ``in_flight`` requests through at once."""

    def __init__(self, in_flight: int = IN_FLIGHT, **kwargs: Any) -> None:
        super().__init__(connection_pool_size=in_flight, **kwargs)
        self._turns = asyncio.Semaphore(in_flight)

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        async with self._turns:
            return await super().do_request(*args, **kwargs)

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
import ipaddress
from collections.abc import Container, Sequence
from typing import Any, cast
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

#: Requests handed to httpx at the same time (and so connections open to the Bot API, at most).
#: Telegram's servers are tens of milliseconds away: 8 at once carry its 30 messages a second.
IN_FLIGHT = 8

#: The same, for a Bot API server on this machine (a self-hosted one, the tests' and benchmarks'
#: server): it answers within a millisecond, so 2 carry hundreds of requests a second, and every
#: idle connection costs httpx's pool a check of its socket at every request (about a sixth of
#: the crew bot's time, measured here with 8).
IN_FLIGHT_LOCAL = 2


def in_flight_for(base_url: str) -> int:
    """How many requests to have in flight to the Bot API at ``base_url``."""
    host = urlsplit(base_url).hostname or ""
    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    return IN_FLIGHT_LOCAL if local else IN_FLIGHT


class BoundedRequest(HTTPXRequest):
    """:class:`telegram.request.HTTPXRequest` letting at most ``in_flight`` requests through at once."""

    def __init__(self, in_flight: int = IN_FLIGHT, **kwargs: Any) -> None:
        super().__init__(connection_pool_size=in_flight, **kwargs)
        self._turns = asyncio.Semaphore(in_flight)

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        async with self._turns:
            return await super().do_request(*args, **kwargs)


class CrewBot(ExtBot[Any]):
    """python-telegram-bot's bot, able to leave unread the updates the poller has in hand already.

    Updates are confirmed to Telegram only once handled (``bots.telegram.polling``), so each
    ``getUpdates`` gives back the updates still being handled. At 100 answers a second, each one
    came back about six times, and reading each into an ``Update`` again cost more than its first
    reading. :meth:`get_updates_skipping` reads only those it is not told it knows.
    """

    async def get_updates_skipping(self, known: Container[int], *, offset: int | None, timeout: int,
                                   limit: int, allowed_updates: Sequence[str]) -> list[Update]:
        """``get_updates``, without building the updates whose id is in ``known``."""
        data = {"timeout": timeout, "offset": offset, "limit": limit, "allowed_updates": allowed_updates}
        read_timeout = (self._request[0].read_timeout or 0) + timeout  # as get_updates: the long poll's time on top
        result = cast("list[dict[str, Any]]", await self._post("getUpdates", data, read_timeout=read_timeout))
        updates = [Update.de_json(raw, self) for raw in result if raw.get("update_id") not in known]
        for update in updates:
            self.insert_callback_data(update)
        return updates

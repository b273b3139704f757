"""The bot's HTTP client: python-telegram-bot's requests sent through aiohttp, a few at a time.

python-telegram-bot sends its requests through a :class:`telegram.request.BaseRequest`; its default
is httpx. Measured here at hundreds of answers a second, httpx and the anyio layer beneath it took
more than half of the crew bot's core: about 0.5 ms of CPU per message sent, most of it asking
which event loop runs, opening and closing cancel scopes and re-checking idle sockets. aiohttp
(already in the process for discord.py) sends the same request for a fraction of that: the bot's
CPU per answer went from 1.17-1.33 ms to 0.70-0.75 ms (``docs/benchmarks.md``, section 2).
:class:`CrewRequest` keeps PTB's contract: the same default timeouts, :class:`telegram.error.TimedOut`
for a timeout and :class:`telegram.error.NetworkError` for anything else that kept an answer from
arriving, a request not sent when no connection came free in time. Like httpx, it trusts
certifi's certificate authorities (a slim container without the system's still reaches Telegram)
and the ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY`` environment (read at the first request).

Handlers of many chats reply at the same moment: at most :data:`IN_FLIGHT` requests are on the
wire at a time, and the others wait their turn in order, at most ``pool_timeout``
(:data:`TURN_TIMEOUT` by default). Telegram answers each within milliseconds, and its limits (30
messages a second) are far below what a few connections carry.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import ssl
from collections.abc import Container, Sequence
from typing import Any, cast
from urllib.parse import urlencode, urlsplit

import aiohttp
import aiohttp.payload
import certifi
from aiohttp.helpers import get_env_proxy_for_url
from telegram import InlineKeyboardMarkup, ReplyParameters, Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import ExtBot
from telegram.request import BaseRequest, RequestData
from yarl import URL

log = logging.getLogger("greenslate.telegram.http")

#: Requests on the wire at the same time (and so connections open to the Bot API, at most).
#: Telegram's servers are tens of milliseconds away: 8 at once carry its 30 messages a second.
IN_FLIGHT = 8

#: The same, for a Bot API server on this machine (a self-hosted one, the tests' and benchmarks'
#: server): it answers within a millisecond, so 2 carry hundreds of requests a second.
IN_FLIGHT_LOCAL = 2

#: How long a request may wait for its turn before it is given up, unsent (PTB's ``pool_timeout``).
#: PTB's default is 1 s, for a pool of connections; here the line is the bot's own: up to 100 chats'
#: confirmations queue behind 2 requests in flight, and a machine busy for a second (measured: the
#: scheduler's planning beside the bot, on a loaded machine) gave up hundreds of confirmations of
#: figures already stored. Waiting longer sends them late instead of never.
TURN_TIMEOUT = 15.0


def in_flight_for(base_url: str) -> int:
    """How many requests to have in flight to the Bot API at ``base_url``."""
    host = urlsplit(base_url).hostname or ""
    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    return IN_FLIGHT_LOCAL if local else IN_FLIGHT


def endpoint_of(url: str) -> str:
    """``url`` without the bot token: its scheme, host and last path segment (the Bot API method)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…/{parts.path.rsplit('/', 1)[-1]}"


def trusted_authorities() -> ssl.SSLContext:
    """TLS verified against certifi's certificate authorities, as httpx (PTB's default client) does."""
    return ssl.create_default_context(cafile=certifi.where())


def urlencoded(fields: dict[str, str]) -> aiohttp.payload.BytesPayload:
    """``fields`` as the form aiohttp sends for a dict (``application/x-www-form-urlencoded``, UTF-8).

    The same bytes, made directly: given a dict, aiohttp first tries it against every kind of body it
    knows, then builds a multipart writer, with a random boundary, that a form without files never uses.
    """
    return aiohttp.payload.BytesPayload(urlencode(fields, doseq=True).encode(),
                                        content_type="application/x-www-form-urlencoded")


class CrewRequest(BaseRequest):
    """A :class:`telegram.request.BaseRequest` on an :class:`aiohttp.ClientSession`.

    Timeouts are PTB's (:class:`telegram.request.HTTPXRequest`'s defaults) but ``pool_timeout``
    (:data:`TURN_TIMEOUT`) to wait for a turn when ``in_flight`` requests are on the wire (the
    request is not sent if none comes), ``connect_timeout`` to open a connection, ``read_timeout``
    between two reads of the answer, and ``write_timeout`` (``media_write_timeout`` for uploads) on
    top of the other two as the request's whole time.
    """

    def __init__(self, in_flight: int = IN_FLIGHT, *, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = TURN_TIMEOUT, media_write_timeout: float | None = 20.0) -> None:
        if in_flight < 1:
            raise ValueError("in_flight must be at least 1")
        self.in_flight = in_flight
        self._timeouts = {"read": read_timeout, "write": write_timeout, "connect": connect_timeout,
                          "pool": pool_timeout, "media_write": media_write_timeout}
        self._session: aiohttp.ClientSession | None = None
        self._turns = asyncio.Semaphore(in_flight)  # a request on the wire holds one
        self._proxies: dict[str, tuple[URL | None, aiohttp.BasicAuth | None]] = {}  # by origin

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.in_flight, ssl=trusted_authorities()),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _proxy(self, url: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        """The proxy the environment names for ``url``'s origin, read once per origin.

        aiohttp's ``trust_env`` reads the environment again at every request: half a millisecond of
        CPU each, measured here, more than the rest of the request.
        """
        target = URL(url)
        origin = f"{target.scheme}://{target.host}:{target.port}"
        if origin not in self._proxies:
            try:
                self._proxies[origin] = get_env_proxy_for_url(target)
            except LookupError:  # no proxy for this scheme, or the host is in NO_PROXY
                self._proxies[origin] = (None, None)
        return self._proxies[origin]

    def _timeout(self, name: str, given: object) -> float | None:
        if isinstance(given, int | float) or given is None:
            return given
        return self._timeouts[name]  # PTB's DEFAULT_NONE: this request's default

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This CrewRequest is not initialized!")
        files = request_data.multipart_data if request_data is not None else None
        read = self._timeout("read", read_timeout)
        connect = self._timeout("connect", connect_timeout)
        pool = self._timeout("pool", pool_timeout)
        write = self._timeout("media_write" if files else "write", write_timeout)
        parts = (connect, write, read)
        timeout = aiohttp.ClientTimeout(total=None if None in parts else sum(cast("tuple[float, ...]", parts)),
                                        connect=connect, sock_connect=connect, sock_read=read)
        data: aiohttp.FormData | aiohttp.payload.BytesPayload | None = None
        if files:
            form = aiohttp.FormData()
            for key, value in request_data.json_parameters.items():  # type: ignore[union-attr]
                form.add_field(key, value)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            data = form
        elif request_data is not None:
            data = urlencoded(request_data.json_parameters)
        if self._turns.locked():  # as many in flight as allowed: wait for a turn, at most pool_timeout
            try:
                async with asyncio.timeout(pool):
                    await self._turns.acquire()
            except TimeoutError:
                raise TimedOut(f"Pool timeout: {self.in_flight} requests were in flight for {pool} s; the request "
                               f"to {endpoint_of(url)} was not sent.") from None
        else:
            await self._turns.acquire()  # free: returns at once
        try:
            proxy, proxy_auth = self._proxy(url)
            async with session.request(method, url, data=data, timeout=timeout, proxy=proxy,
                                       proxy_auth=proxy_auth) as response:
                body = await response.read()
        except TimeoutError as exc:  # aiohttp's read timeouts are TimeoutErrors too
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            message = str(exc).replace(url, endpoint_of(url))
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {message}") from exc
        finally:
            self._turns.release()
        if log.isEnabledFor(logging.DEBUG):  # the endpoint is worked out only when it is written
            log.debug("%s %s: %d", method, endpoint_of(url), response.status)
        return response.status, body


class CrewBot(ExtBot[Any]):
    """python-telegram-bot's bot, able to leave unread the updates the poller has in hand already,
    and to send a text without reading Telegram's answer into a :class:`telegram.Message`.

    Updates are confirmed to Telegram only once handled (``bots.telegram.polling``), so each
    ``getUpdates`` gives back the updates still being handled. At 100 answers a second, each one
    came back about six times, and reading each into an ``Update`` again cost more than its first
    reading. :meth:`get_updates_skipping` reads only those it is not told it knows.

    A confirmation needs nothing of the message sent but, for a prompt, its id: :meth:`send_text`
    returns that id. Building the ``Message`` (its chat, its sender, its buttons, its date) was a
    fifth of what sending a confirmation cost the bot.
    """

    async def send_text(self, chat_id: int, text: str, *, reply_markup: InlineKeyboardMarkup | None = None,
                        reply_to: int | None = None) -> int:
        """``send_message(chat_id, text, reply_markup=..., reply_to_message_id=...)``; the sent message's id.

        The same request through the same path (the rate limiter, the errors PTB raises for each answer
        of Telegram's), without building a ``Message`` from the answer. ``telegram.ext.Defaults``
        (parse mode, silent messages) are not applied: the crew bot is built without any.
        """
        data: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if reply_markup is not None:
            data["reply_markup"] = reply_markup
        if reply_to is not None:  # as send_message sends reply_to_message_id
            data["reply_parameters"] = ReplyParameters(message_id=reply_to)
        sent = cast("dict[str, Any]", await self._post("sendMessage", data))
        return int(sent["message_id"])

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

"""The bot's HTTP client (``bots.telegram.http``): PTB's requests through aiohttp, against a real server.

Each test runs an aiohttp web server on a free local port that records what arrived, and drives
:class:`CrewRequest` either directly or through python-telegram-bot's own ``Bot``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import ClientSession, web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove
from telegram.error import NetworkError, TimedOut

from bots.telegram.http import (
    IN_FLIGHT,
    IN_FLIGHT_LOCAL,
    CrewBot,
    CrewRequest,
    endpoint_of,
    in_flight_for,
    urlencoded,
)

TOKEN = "123456:secret-token-never-to-be-shown"


@dataclass
class Recorder:
    """What the server saw: every request's path and fields, and the most handled at once."""

    url: str = ""
    paths: list[str] = field(default_factory=list)
    fields: list[dict[str, Any]] = field(default_factory=list)
    running: int = 0
    most: int = 0
    delay: float = 0.0


@contextlib.asynccontextmanager
async def server(delay: float = 0.0) -> AsyncIterator[Recorder]:
    seen = Recorder(delay=delay)

    async def handle(request: web.Request) -> web.Response:
        seen.running += 1
        seen.most = max(seen.most, seen.running)
        try:
            seen.paths.append(request.path)
            received: dict[str, Any] = {}
            if request.content_type == "multipart/form-data":
                reader = await request.multipart()
                async for part in reader:
                    received[part.name] = {"filename": part.filename, "content_type": part.headers.get("Content-Type"),
                                           "body": await part.read()} if part.filename else await part.text()
            elif request.can_read_body:
                received.update(await request.post())
                received["body"] = await request.read()
                received["content-type"] = request.headers.get("Content-Type", "")
            received["user-agent"] = request.headers.get("User-Agent", "")
            seen.fields.append(received)
            await asyncio.sleep(seen.delay)
            if request.path.endswith("/getMe"):
                return web.json_response({"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "Crew",
                                                                 "username": "crew_bot"}})
            if "/send" in request.path:
                return web.json_response({"ok": True, "result": {"message_id": len(seen.paths), "date": 0,
                                                                 "chat": {"id": 42, "type": "private"}}})
            return web.json_response({"ok": True, "result": True})
        finally:
            seen.running -= 1

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    seen.url = f"http://127.0.0.1:{port}"
    try:
        yield seen
    finally:
        await runner.cleanup()


async def opened(request: CrewRequest) -> CrewRequest:
    await request.initialize()
    return request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(("url", "expected"), [
    ("https://api.telegram.org/bot", IN_FLIGHT),
    ("https://botapi.example.org:8443/bot", IN_FLIGHT),
    ("http://127.0.0.1:8081/bot", IN_FLIGHT_LOCAL),
    ("http://localhost:8081/bot{token}", IN_FLIGHT_LOCAL),
    ("http://[::1]:8081/bot", IN_FLIGHT_LOCAL),
])
def test_a_bot_api_server_on_this_machine_gets_fewer_connections(url: str, expected: int) -> None:
    assert in_flight_for(url) == expected
    assert IN_FLIGHT_LOCAL < IN_FLIGHT


def test_the_endpoint_of_a_url_leaves_the_token_out() -> None:
    assert endpoint_of(f"https://api.telegram.org/bot{TOKEN}/sendMessage") == "https://api.telegram.org/…/sendMessage"


async def test_no_more_requests_than_allowed_are_in_flight_and_none_is_dropped() -> None:
    async with server(delay=0.02) as seen:
        request = await opened(CrewRequest(3))
        try:
            results = await asyncio.gather(*(request.do_request(f"{seen.url}/bot{TOKEN}/m{i}", "POST")
                                             for i in range(10)))
        finally:
            await request.shutdown()
    assert [status for status, _ in results] == [200] * 10
    assert all(body == b'{"ok": true, "result": true}' for _, body in results)
    assert sorted(seen.paths) == sorted(f"/bot{TOKEN}/m{i}" for i in range(10))
    assert seen.most == 3


async def test_ptb_parameters_and_uploads_arrive_as_sent() -> None:
    async with server() as seen:
        bot = Bot(TOKEN, base_url=f"{seen.url}/bot", request=CrewRequest(2), get_updates_request=CrewRequest(1))
        async with bot:
            message_sent = await bot.send_message(42, "Merci 🌱", reply_markup=ReplyKeyboardRemove())
            voice = b"OggS" + bytes(range(256)) * 40
            voice_sent = await bot.send_voice(42, voice, filename="note.ogg", caption="À demain")
    assert (message_sent.message_id, voice_sent.message_id) == (2, 3)
    assert seen.paths == [f"/bot{TOKEN}/getMe", f"/bot{TOKEN}/sendMessage", f"/bot{TOKEN}/sendVoice"]
    _, message, upload = seen.fields
    assert message["chat_id"] == "42" and message["text"] == "Merci 🌱"
    assert message["reply_markup"] == '{"remove_keyboard": true}'
    assert message["user-agent"].startswith("python-telegram-bot")
    assert upload["chat_id"] == "42" and upload["caption"] == "À demain"
    assert upload["voice"]["filename"] == "note.ogg"
    assert upload["voice"]["body"] == voice


async def test_the_crew_bots_send_text_sends_what_send_message_sends_and_gives_the_message_id() -> None:
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("Corriger", callback_data="f:7"),
                                     InlineKeyboardButton("Annuler", callback_data="u:7")]])
    async with server() as seen:
        bot = CrewBot(TOKEN, base_url=f"{seen.url}/bot", request=CrewRequest(2), get_updates_request=CrewRequest(1))
        async with bot:
            by_ptb = [await bot.send_message(42, "85 km aujourd'hui.\nC'est noté ✅", reply_markup=buttons),
                      await bot.send_message(42, "Un nombre, par exemple 85", reply_to_message_id=9),
                      await bot.send_message(42, "Merci 🌱")]
            by_text = [await bot.send_text(42, "85 km aujourd'hui.\nC'est noté ✅", reply_markup=buttons),
                       await bot.send_text(42, "Un nombre, par exemple 85", reply_to=9),
                       await bot.send_text(42, "Merci 🌱")]
    assert [m.message_id for m in by_ptb] == [2, 3, 4]
    assert by_text == [5, 6, 7]  # the ids Telegram gave, as ints
    assert seen.paths[1:] == [f"/bot{TOKEN}/sendMessage"] * 6
    assert seen.fields[4:7] == seen.fields[1:4]  # field for field, the same requests
    assert seen.fields[2]["reply_parameters"] == '{"message_id": 9}'


async def test_a_form_goes_as_aiohttp_sends_a_dict() -> None:
    text = "85 km aujourd'hui.\nC'est noté ✅ & 1+1=2 %"
    async with server() as seen:
        bot = Bot(TOKEN, base_url=f"{seen.url}/bot", request=CrewRequest(2), get_updates_request=CrewRequest(1))
        async with bot:
            await bot.send_message(42, text)
        async with ClientSession() as session, session.post(f"{seen.url}/bot{TOKEN}/sendMessage",
                                                            data={"chat_id": "42", "text": text}) as response:
            await response.read()
    _, ours, aiohttps = seen.fields
    assert ours["body"] == aiohttps["body"] == urlencoded({"chat_id": "42", "text": text})._value
    assert ours["content-type"] == aiohttps["content-type"] == "application/x-www-form-urlencoded"
    assert (ours["chat_id"], ours["text"]) == ("42", text)


async def test_an_answer_slower_than_the_read_timeout_is_a_timed_out() -> None:
    async with server(delay=1.0) as seen:
        request = await opened(CrewRequest(1, read_timeout=0.1))
        try:
            with pytest.raises(TimedOut):
                await request.do_request(f"{seen.url}/bot{TOKEN}/sendMessage", "POST")
            # A long poll asks for more time than the default: it is given.
            status, _ = await request.do_request(f"{seen.url}/bot{TOKEN}/getUpdates", "POST", read_timeout=2.0)
        finally:
            await request.shutdown()
    assert status == 200


async def test_no_free_connection_in_time_is_a_timed_out_and_the_request_is_not_sent() -> None:
    async with server(delay=0.5) as seen:
        request = await opened(CrewRequest(1, pool_timeout=0.05))
        try:
            first = asyncio.create_task(request.do_request(f"{seen.url}/bot{TOKEN}/first", "POST"))
            await asyncio.sleep(0.1)  # the only connection is busy with the first
            with pytest.raises(TimedOut, match="was not sent") as caught:
                await request.do_request(f"{seen.url}/bot{TOKEN}/second", "POST")
            assert (await first)[0] == 200
        finally:
            await request.shutdown()
    assert seen.paths == [f"/bot{TOKEN}/first"]
    assert TOKEN not in str(caught.value)


async def test_an_unreachable_server_is_a_network_error_that_does_not_show_the_token() -> None:
    request = await opened(CrewRequest(1))
    try:
        with pytest.raises(NetworkError) as caught:
            await request.do_request(f"http://127.0.0.1:{free_port()}/bot{TOKEN}/sendMessage", "POST")
    finally:
        await request.shutdown()
    assert not isinstance(caught.value, TimedOut)
    assert "aiohttp." in str(caught.value)
    assert TOKEN not in str(caught.value)


async def test_a_request_is_refused_before_initialize_and_after_shutdown_and_works_again_after() -> None:
    async with server() as seen:
        request = CrewRequest(1)
        send: Callable[[], Awaitable[tuple[int, bytes]]] = lambda: request.do_request(  # noqa: E731
            f"{seen.url}/bot{TOKEN}/getMe", "POST")
        with pytest.raises(RuntimeError, match="not initialized"):
            await send()
        await request.initialize()
        assert (await send())[0] == 200
        await request.shutdown()
        with pytest.raises(RuntimeError, match="not initialized"):
            await send()
        await request.initialize()
        assert (await send())[0] == 200
        await request.shutdown()


def test_at_least_one_request_must_be_allowed_in_flight() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CrewRequest(0)


async def test_a_proxy_from_the_environment_is_used_as_httpx_would(monkeypatch: pytest.MonkeyPatch) -> None:
    """``HTTP_PROXY`` set: the request goes to the proxy, naming the Bot API server it is for."""
    async with server() as proxy:
        for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("http_proxy", proxy.url)
        request = await opened(CrewRequest(1))
        try:
            status, _ = await request.do_request(f"http://botapi.invalid/bot{TOKEN}/getMe", "POST")
        finally:
            await request.shutdown()
    assert status == 200
    assert proxy.paths == [f"/bot{TOKEN}/getMe"]  # botapi.invalid does not resolve: only the proxy could answer


def test_tls_is_verified_against_certifi_authorities() -> None:
    import ssl

    import certifi

    from bots.telegram.http import trusted_authorities

    context = trusted_authorities()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    expected = ssl.create_default_context(cafile=certifi.where()).cert_store_stats()["x509_ca"]
    assert expected > 0
    assert context.cert_store_stats()["x509_ca"] == expected


async def test_a_host_in_no_proxy_is_reached_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    async with server() as seen:
        for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(name, raising=False)
        for name in ("HTTP_PROXY", "http_proxy"):
            monkeypatch.setenv(name, f"http://127.0.0.1:{free_port()}")  # nothing listens there
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.setenv(name, "127.0.0.1,localhost")
        request = await opened(CrewRequest(1))
        try:
            status, _ = await request.do_request(f"{seen.url}/bot{TOKEN}/getMe", "POST")
        finally:
            await request.shutdown()
    assert status == 200 and seen.paths == [f"/bot{TOKEN}/getMe"]

"""Telegram's limits shared by several senders of one bot through Redis.

Each sender is what a process has: its own event loop (its own thread here), its own
python-telegram-bot ``ExtBot`` and its own ``CrewRateLimiter``, all on one Redis. The local Bot API
server enforces Telegram's limits (429 on the 31st message within a second, or a second message
within a second in one chat) and stamps what it receives: three senders fanning out together must
reach everyone once, with no 429 and never 31 messages in one second. The same three without the
shared storage do meet 429s, which shows the test can fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Iterable

import pytest
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, ExtBot

from bots.telegram.ratelimit import BULK, REPLY, CrewRateLimiter, bulk
from bots.telegram.shared_limit import SharedWindow, bot_id_of, shared_window
from tests.support.botapi import BotApiServer
from tests.support.shared_store import bot_token, redis_url


def _sender(server: BotApiServer, storage: str, chats: Iterable[int], *, as_bulk: bool = True) -> int:
    """One process's worth: its own loop, bot and limiter, sending one message to each chat.
    Returns the 429s it met (none is retried here)."""

    async def main() -> int:
        window = shared_window(storage, server.token)
        limiter = CrewRateLimiter(AIORateLimiter(overall_max_rate=0, max_retries=0), window=window)
        bot: ExtBot[int] = ExtBot(server.token, base_url=server.base_url, rate_limiter=limiter)
        await bot.initialize()
        try:
            if as_bulk:
                with bulk():
                    tasks = [asyncio.create_task(bot.send_message(c, f"prompt {c}")) for c in chats]
            else:
                tasks = [asyncio.create_task(bot.send_message(c, f"reply {c}")) for c in chats]
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            await bot.shutdown()
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        assert all(isinstance(e, RetryAfter) for e in errors), errors
        return len(errors)

    return asyncio.run(main())


def _most_in_one_second(server: BotApiServer) -> int:
    stamps = sorted(s.at for s in server.ledger if s.method == "sendMessage")
    most, start = 0, 0
    for end, at in enumerate(stamps):
        while at - stamps[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def _fan_out_from_three(storage: str) -> tuple[BotApiServer, list[int]]:
    server = BotApiServer(bot_token(), enforce_limits=True)
    await server.start()
    try:
        # 3 x 40 chats, and chat 7 reached by every sender: one message a second there too.
        batches = [[*range(10_000 * (n + 1), 10_000 * (n + 1) + 40), 7] for n in range(3)]
        refused = await asyncio.gather(*(asyncio.to_thread(_sender, server, storage, b) for b in batches))
    finally:
        await server.stop()
    return server, refused


async def test_three_senders_on_one_redis_keep_telegrams_limits_together() -> None:
    server, refused = await _fan_out_from_three(redis_url())
    sent = [s for s in server.ledger if s.method == "sendMessage"]
    assert refused == [0, 0, 0] and server.rejected == []
    assert len(sent) == 123 and len({s.chat_id for s in sent}) == 121
    assert _most_in_one_second(server) <= 30
    to_seven = [s.at for s in sent if s.chat_id == 7]
    assert len(to_seven) == 3 and all(b - a >= 1.0 for a, b in itertools.pairwise(to_seven))
    # At the pace of one window: 123 messages take at least 4 seconds, and not much more.
    span = sent[-1].at - sent[0].at
    assert 4.0 <= span < 8.0, span


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # retry_after read by PTB itself
async def test_three_senders_each_on_its_own_meet_429s() -> None:
    server, refused = await _fan_out_from_three("memory://")
    assert sum(refused) > 0 and any(status == 429 for _m, status in server.rejected)


async def test_a_reply_waiting_in_one_process_takes_the_next_slot_before_anothers_bulk() -> None:
    import redis.asyncio as aioredis

    url, bot_id = redis_url(), bot_id_of(bot_token())
    a = SharedWindow(aioredis.from_url(url), bot_id, limit=1, period=0.2)
    b = SharedWindow(aioredis.from_url(url), bot_id, limit=1, period=0.2)
    order: list[str] = []

    async def take(window: SharedWindow, name: str, priority: int) -> None:
        async with window.turn(priority):
            order.append(name)

    try:
        async with a.turn(BULK):  # the only slot, in use by the first process
            queued = [asyncio.create_task(take(a, f"bulk {n}", BULK)) for n in range(3)]
            await asyncio.sleep(0.05)
            queued.append(asyncio.create_task(take(b, "reply", REPLY)))
            await asyncio.sleep(0.05)
        await asyncio.wait_for(asyncio.gather(*queued), timeout=5)
    finally:
        await a.close()
        await b.close()
    assert order == ["reply", "bulk 0", "bulk 1", "bulk 2"]
    assert b.taken == [1, 0] and a.taken == [0, 4]


async def test_with_redis_out_of_reach_a_sender_says_so_once_and_keeps_to_its_share(
        caplog: pytest.LogCaptureFixture) -> None:
    server = BotApiServer(bot_token(), enforce_limits=True)
    await server.start()
    try:
        with caplog.at_level(logging.ERROR, logger="greenslate.telegram.ratelimit"):
            refused = await asyncio.to_thread(_sender, server, "redis://127.0.0.1:1/0", range(500, 525))
    finally:
        await server.stop()
    sent = sorted(s.at for s in server.ledger if s.method == "sendMessage")
    assert refused == 0 and len(sent) == 25 and server.rejected == []
    # Ten a second on its own: the 25th message cannot leave before two seconds.
    assert sent[-1] - sent[0] >= 1.9
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "127.0.0.1:1" in errors[0] and "10 messages a second" in errors[0]
    assert "TEST-TOKEN" not in errors[0]


def test_the_storage_setting_is_memory_or_redis_and_keys_never_hold_thebot_token() -> None:
    assert shared_window("memory://", "42:SECRET") is None
    with pytest.raises(ValueError):
        shared_window("postgresql://localhost/x", "42:SECRET")
    window = shared_window("redis://user:pw@127.0.0.1:6379/0", "42:SECRET")
    assert isinstance(window, SharedWindow)
    assert window.where == "redis://…@127.0.0.1:6379/0"
    assert "SECRET" not in window._slots_key and window._slots_key == "greenslate:telegram:{42}:slots"
    with pytest.raises(ValueError):
        bot_id_of("not-a-token")


class RedisDoor:
    """A TCP relay to Redis that can be shut (connections cut, new ones refused) and opened again."""

    def __init__(self, target: str) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(target)
        self.host, self.port_to = parts.hostname or "127.0.0.1", parts.port or 6379
        self.server: asyncio.Server | None = None
        self.port = 0
        self._writers: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def shut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self._writers):
            writer.close()
        await self.server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(self.host, self.port_to)
        self._writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def test_redis_lost_then_back_the_window_goes_on_alone_then_shares_again(
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    import redis.asyncio as aioredis

    from bots.telegram import shared_limit

    monkeypatch.setattr(shared_limit, "RETRY_SECONDS", 0.3)
    door = RedisDoor(redis_url())
    await door.open()
    window = SharedWindow(aioredis.from_url(f"redis://127.0.0.1:{door.port}/0", socket_timeout=1,
                                            socket_connect_timeout=1), bot_id_of(bot_token()), period=0.1)
    try:
        async with window.turn(BULK):
            pass
        assert not window.alone and window.alone_taken == 0
        await door.shut()
        with caplog.at_level(logging.WARNING, logger="greenslate.telegram.ratelimit"):
            for _ in range(5):  # each goes through, on our own: never an error to the sender
                async with window.turn(BULK):
                    pass
            assert window.alone and window.alone_taken >= 4
            await door.open()
            await asyncio.sleep(0.4)
            async with window.turn(REPLY):
                pass
        assert not window.alone and window.taken == [1, 6]
        said = [(r.levelno, r.getMessage()) for r in caplog.records]
        assert [level for level, _ in said] == [logging.ERROR, logging.WARNING], said
        assert "out of reach" in said[0][1] and "answers again" in said[1][1]
    finally:
        await window.close()
        with contextlib.suppress(Exception):
            await door.shut()

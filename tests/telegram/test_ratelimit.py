"""The crew bot's rate limiter against the local Bot API server enforcing Telegram's limits.

The server answers 429 as soon as a 31st message arrives within one second, or a second message
within one second in one chat. Sent through PTB's own ``ExtBot`` with the limiter the crew bot uses,
a burst to many chats and a run of messages to one chat must all arrive without a single 429.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import pytest
from telegram.ext import AIORateLimiter, ExtBot

from bots.telegram.ratelimit import CrewRateLimiter, SlidingWindow
from tests.support.botapi import BotApiServer


@pytest.fixture
async def limited() -> AsyncIterator[tuple[BotApiServer, ExtBot[int]]]:
    server = BotApiServer(enforce_limits=True)
    await server.start()
    limiter = CrewRateLimiter(AIORateLimiter(overall_max_rate=0, max_retries=0))
    bot: ExtBot[int] = ExtBot(server.token, base_url=server.base_url, rate_limiter=limiter)
    await bot.initialize()
    try:
        yield server, bot
    finally:
        await bot.shutdown()
        await server.stop()


async def test_a_burst_to_many_chats_goes_through_without_a_429(limited: tuple[BotApiServer, ExtBot[int]]) -> None:
    server, bot = limited
    chats = range(2001, 2076)  # 75 chats: two and a half windows' worth
    await asyncio.gather(*(bot.send_message(chat, f"prompt {chat}") for chat in chats))
    sent = [s for s in server.ledger if s.method == "sendMessage"]
    assert sorted(s.chat_id for s in sent) == list(chats)
    assert server.rejected == []
    # Telegram's rule, read from the server's own stamps: no 31 messages within one second.
    stamps = sorted(s.at for s in sent)
    assert all(b - a >= 1.0 for a, b in zip(stamps, stamps[30:], strict=False))


async def test_one_chat_gets_a_message_a_second(limited: tuple[BotApiServer, ExtBot[int]]) -> None:
    server, bot = limited
    await asyncio.gather(*(bot.send_message(3001, f"line {n}") for n in range(3)))
    sent = [s for s in server.ledger if s.chat_id == 3001]
    assert len(sent) == 3 and server.rejected == []
    assert all(b.at - a.at >= 1.0 for a, b in itertools.pairwise(sent))


async def test_the_window_hands_a_slot_back_a_period_after_its_request_ended() -> None:
    window = SlidingWindow(limit=2, period=0.2)
    async with window:
        pass
    async with window:
        pass
    assert window.free == 0
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with window:  # waits for the first slot to come back
        waited = loop.time() - started
    assert waited >= 0.15
    await asyncio.sleep(0.25)
    assert window.free == 2


async def test_a_failed_request_still_holds_its_slot_for_the_period() -> None:
    window = SlidingWindow(limit=1, period=0.2)
    with pytest.raises(RuntimeError):
        async with window:
            raise RuntimeError("the network went away")
    assert window.free == 0
    await asyncio.sleep(0.25)
    assert window.free == 1


def test_a_window_without_slots_or_period_is_refused() -> None:
    with pytest.raises(ValueError):
        SlidingWindow(limit=0)
    with pytest.raises(ValueError):
        SlidingWindow(period=0)

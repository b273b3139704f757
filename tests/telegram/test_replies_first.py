"""Replies before bulk: a member's confirmation is not stuck behind the scheduler's fan-out.

The crew bot's limiter keeps Telegram's limits (30 messages a second, 1 a second in a chat) for
everything it sends; what the scheduler sends is bulk and waits behind members' replies. Checked on
the window itself, then through python-telegram-bot against the local Bot API server enforcing the
limits: a member answers while 150 prompts are queued, and the confirmation leaves at once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time

from bots.telegram.ratelimit import BULK, REPLY, CrewRateLimiter, SlidingWindow, bulk, current_priority
from tests.telegram.conftest import CHATS

MON = dt.date(2027, 3, 1)
AMINA = "amina:mileage:mb1"


async def test_a_freed_slot_goes_to_a_reply_before_earlier_bulk() -> None:
    window = SlidingWindow(limit=1, period=0.05)
    order: list[str] = []

    async def take(name: str, priority: int) -> None:
        async with window.turn(priority):
            order.append(name)

    await window.acquire(BULK)  # the only slot, in use
    tasks = [asyncio.create_task(take("bulk 1", BULK)), asyncio.create_task(take("bulk 2", BULK))]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(take("reply", REPLY)))
    await asyncio.sleep(0)
    assert window.waiting(BULK) == 2 and window.waiting(REPLY) == 1
    window.release()
    await asyncio.gather(*tasks)
    assert order == ["reply", "bulk 1", "bulk 2"]
    assert window.taken == [1, 3]


async def test_a_waiter_cancelled_as_its_slot_came_passes_the_slot_on() -> None:
    window = SlidingWindow(limit=1, period=0.01)
    await window.acquire()
    first = asyncio.create_task(window.acquire(BULK))
    second = asyncio.create_task(window.acquire(BULK))
    await asyncio.sleep(0)
    window._hand_back()  # the slot goes to ``first``...
    first.cancel()  # ...which is cancelled before it runs: ``second`` must get it
    await asyncio.wait_for(second, timeout=1)
    assert first.cancelled() and window.free == 0


async def test_bulk_marks_the_context_and_the_tasks_it_starts() -> None:
    assert current_priority() == REPLY
    with bulk():
        assert current_priority() == BULK
        inner = asyncio.create_task(asyncio.sleep(0, result=current_priority()))
    assert await inner == BULK
    assert current_priority() == REPLY


async def test_a_confirmation_leaves_ahead_of_a_fan_out(make_telegram_rig, sqlite_db_url) -> None:
    rig = await make_telegram_rig(sqlite_db_url, enforce_limits=True, rate_limit=True)
    limiter = rig.application.bot.rate_limiter
    assert isinstance(limiter, CrewRateLimiter)
    window = limiter.window
    chat = await rig.join("amina")
    bulk_before = window.taken[BULK]
    await rig.prompt("amina", AMINA, MON)  # the scheduler's notifier: a bulk message
    assert window.taken[BULK] == bulk_before + 1

    # 150 more prompts queued at once, as a fan-out at wrap: five seconds of Telegram's 30 a second.
    fan_out = range(900_001, 900_151)
    with bulk():
        sends = [asyncio.create_task(rig.application.bot.send_message(c, "prompt")) for c in fan_out]
    await asyncio.sleep(1.2)  # the fan-out is under way, and amina's prompt is over a second old
    assert window.waiting(BULK) > 60
    replies_before = window.taken[REPLY]
    mark = rig.server.mark()
    answered = time.monotonic()
    rig.server.send(chat, "45 230")
    [recap] = await rig.server.replies(chat, since=mark, timeout=10)
    waited = recap.at - answered
    await asyncio.gather(*sends)

    assert "45 230" in recap.plain and len(rig.reports("amina")) == 1
    assert waited < 2.0, f"the confirmation waited {waited:.2f} s"
    assert window.taken[REPLY] == replies_before + 1
    fan_out_sent = [s for s in rig.server.ledger if s.chat_id in fan_out]
    assert len(fan_out_sent) == 150
    assert sum(1 for s in fan_out_sent if s.at > recap.at) >= 60  # it went ahead of the queued prompts
    # Telegram's limits held throughout, as the server counted: no 429, no 31 in one second.
    assert rig.server.rejected == []
    stamps = sorted(s.at for s in rig.server.ledger if s.method == "sendMessage")
    assert all(b - a >= 1.0 for a, b in zip(stamps, stamps[30:], strict=False))
    assert CHATS["amina"] == chat

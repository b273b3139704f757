"""Two bots-and-scheduler processes on one PostgreSQL store for a simulated day: no prompt sent twice.

Both processes are the real thing (``python -m benchmarks.botproc greenslate --scheduler``: the crew
bot, the APScheduler tick, the outbox, the ``TelegramNotifier``), configured alike, as two
``greenslate run`` instances would be by mistake or for redundancy. Their clocks run a shooting
day at 1,440 times real speed, from 07:00 to 07:00 the next morning. Nobody answers, so every
member is due one prompt at 19:30 and one reminder two hours later. The Bot API server's ledger
must show exactly those two messages to each member, and the outbox each of them sent once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from benchmarks.crew import FIRST_DAY, load_crew
from benchmarks.harness import BotProcess
from store.engine import make_engine
from store.outbox import outbox
from tests.reliability.sizes import SCHEDULER_MEMBERS
from tests.support.botapi import BotApiServer

pytestmark = [pytest.mark.reliability, pytest.mark.postgres, pytest.mark.timeout(600)]

SPEED = 1440  # a day in a minute
MORNING = dt.datetime.combine(FIRST_DAY, dt.time(7, 0), ZoneInfo("Europe/Paris")).astimezone(dt.UTC)


async def test_two_scheduler_processes_never_send_a_prompt_twice(pg_db_url: str, tmp_path: Path) -> None:
    engine = make_engine(pg_db_url)
    chats = set(load_crew(engine, "twins", SCHEDULER_MEMBERS, 800_000).values())
    server = BotApiServer()
    await server.start()
    env = {"GREENSLATE_BENCH_CLOCK": MORNING.isoformat(), "GREENSLATE_BENCH_CLOCK_SPEED": str(SPEED)}
    bots = [BotProcess(server, "greenslate", database_url=pg_db_url, flags=("--scheduler",), env=env)
            for _ in range(2)]
    try:
        await asyncio.gather(*(b.start(stderr_path=tmp_path / f"bot{i}.log") for i, b in enumerate(bots)))
        await asyncio.sleep(24 * 3600 / SPEED + 5)  # the whole simulated day, and a little more
    finally:
        for b in bots:
            await b.stop()
        await server.stop()
    with engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.kind, outbox.c.status, func.count()).group_by(outbox.c.kind, outbox.c.status)
        ).all()
    engine.dispose()
    by_kind = {(kind, status): n for kind, status, n in rows}
    assert by_kind.get(("prompt", "sent")) == SCHEDULER_MEMBERS, by_kind
    assert by_kind.get(("reminder", "sent")) == SCHEDULER_MEMBERS, by_kind
    messages = [s for s in server.ledger if s.method == "sendMessage" and s.chat_id in chats]
    per_chat = Counter(s.chat_id for s in messages)
    assert set(per_chat) == chats, f"{len(chats - set(per_chat))} members got nothing"
    twice = {c: n for c, n in per_chat.items() if n != 2}
    assert not twice, f"members who did not get exactly one prompt and one reminder: {list(twice.items())[:5]}"
    for chat in chats:
        first, second = (s.text for s in messages if s.chat_id == chat)
        assert first != second  # a prompt, then its reminder: never the same message twice

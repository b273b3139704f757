"""The bot process killed with SIGKILL again and again while answers stream in.

The crew bot runs as its own process (``python -m benchmarks.botproc greenslate``, the real
``start_telegram``) against the local Bot API server, on a SQLite file or PostgreSQL. Users keep
sending answers; the bot is killed with SIGKILL (no clean-up at all) several times and restarted.
In the end the server's record of what users sent and the store must agree exactly: every answer
stored once, with the figure the user typed, nothing lost, nothing counted twice.

CI size: 500 answers and 3 kills. ``GREENSLATE_RELIABILITY_FULL=1`` (or ``_ANSWERS`` and
``_KILLS``) runs the full 5,000 answers and 10 kills.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from benchmarks.crew import due_instant, load_crews
from benchmarks.harness import BotProcess, feed_distances
from store.engine import make_engine
from store.tables import report_values, reports
from tests.reliability.sizes import ANSWERS, KILLS
from tests.support.botapi import BotApiServer

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(1800)]

PER_PRODUCTION = 25  # members per production: the answers spread over several productions
FEED_RATE = 150  # answers a second offered: faster than the bot stores them, so a backlog is killed too


def _stored(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(reports).where(reports.c.source == "telegram")
                            ).scalar_one()


async def _until(done: Callable[[], bool], engine: Engine, stall: float = 15.0) -> None:
    """Wait until ``done()``, or until the store has not moved for ``stall`` seconds (then the
    assertions below say what is missing)."""
    loop = asyncio.get_running_loop()
    last, since = -1, loop.time()
    while not await asyncio.to_thread(done):
        count = await asyncio.to_thread(_stored, engine)
        if count != last:
            last, since = count, loop.time()
        elif loop.time() - since > stall:
            return
        await asyncio.sleep(0.1)


async def test_sigkill_during_a_stream_of_answers_loses_nothing_and_counts_nothing_twice(
    db_url: str, tmp_path: Path
) -> None:
    engine = make_engine(db_url)
    chats = list(load_crews(engine, "kill", ANSWERS, 700_000, PER_PRODUCTION).values())
    server = BotApiServer()
    await server.start()
    bot = BotProcess(server, "greenslate", database_url=db_url,
                     env={"GREENSLATE_BENCH_CLOCK": due_instant().isoformat()})
    log = tmp_path / "bot.log"
    kills = 0
    try:
        await bot.start(stderr_path=log)

        feeding = asyncio.create_task(feed_distances(server, chats, FEED_RATE))
        for k in range(KILLS):
            # Kill once a share of the answers is stored: mid-stream, with updates in flight.
            goal = (k + 1) * ANSWERS // (KILLS + 1)
            await _until(lambda goal=goal: _stored(engine) >= goal, engine)
            bot.kill()
            await bot.process.wait()  # type: ignore[union-attr]
            kills += 1
            await bot.start(stderr_path=log)
        await feeding
        await _until(lambda: _stored(engine) >= ANSWERS, engine)
        await asyncio.sleep(2)  # a late duplicate would land now
        await bot.stop()
    finally:
        if bot.process is not None and bot.process.returncode is None:
            bot.kill()
        await server.stop()

    sent = {
        f"{chat}:{mid}": message["text"]
        for (chat, mid), message in server.messages.items()
        if not message["from"]["is_bot"]
    }
    with engine.connect() as conn:
        rows = conn.execute(
            select(reports.c.source_ref, report_values.c.quantity)
            .join(report_values, report_values.c.report_id == reports.c.id)
            .where(reports.c.source == "telegram")
        ).all()
    engine.dispose()
    stored = [r.source_ref for r in rows]
    assert kills == KILLS
    assert len(sent) == ANSWERS
    lost = sorted(set(sent) - set(stored))
    assert not lost, f"{len(lost)} answers the users sent are not in the store (first: {lost[:5]}); see {log}"
    assert len(stored) == len(set(stored)), "an answer was stored twice"
    assert set(stored) == set(sent), "the store holds answers nobody sent"
    for r in rows:
        assert r.quantity == Decimal(sent[r.source_ref]), r

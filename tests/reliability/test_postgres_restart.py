"""PostgreSQL restarted in the middle of a load: greenslate recovers by itself and loses nothing.

The crew bot runs as its own process on PostgreSQL while answers stream in at a rate it keeps up
with; the PostgreSQL server is restarted (``pg_ctlcluster ... restart``, so every connection dies).
Answers must be stored again within 30 seconds of the server being back, with no human action,
and in the end every answer the users sent is in the store once.

This restarts the machine's PostgreSQL server: it needs root and ``pg_ctlcluster`` and must not run
beside other tests using that server (CI runs tests one after another). It is skipped, saying why,
where it cannot run.
"""

from __future__ import annotations

import asyncio
import gc
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError

from benchmarks.common import scratch_pg_database
from benchmarks.crew import due_instant, load_crews
from benchmarks.harness import BotProcess, feed_distances
from store.engine import make_engine
from store.tables import reports
from tests.reliability.sizes import size
from tests.support.botapi import BotApiServer

pytestmark = [pytest.mark.reliability, pytest.mark.postgres, pytest.mark.timeout(600)]


@dataclass
class Outcome:
    recovered_after: float | None  # seconds from the server back up to the next answer stored
    sent: set[str]  # what users sent, from the Bot API server's record
    stored: list[str]  # the answers in the store
    log: Path


def _drop_dead_connections() -> None:
    """Every engine of this test process pooled connections that died with the server: drop them.

    The bot process must recover by itself (that is what is tested); the test process's own
    engines, the shared test fixtures' included, are cleaned here so the next query reconnects.
    """
    for obj in gc.get_objects():
        if isinstance(obj, Engine):
            obj.dispose()

ANSWERS = size("pg_restart_answers", 300, 2000)
FEED_RATE = 20  # a second: below what the bot stores, so only the outage can lose anything
RECOVERY_LIMIT = 30.0
PER_PRODUCTION = 25


def _cluster() -> list[str] | None:
    if os.geteuid() != 0 or shutil.which("pg_ctlcluster") is None or not Path("/etc/postgresql").is_dir():
        return None
    versions = sorted(os.listdir("/etc/postgresql"))
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main"] if versions else None


def _stored(engine: Engine) -> int | None:
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(reports)
                                .where(reports.c.source == "telegram")).scalar_one()
    except OperationalError:
        return None  # the server is down: no answer yet


async def _scenario(pg_db_url: str, tmp_path: Path) -> Outcome:
    cluster = _cluster()
    assert cluster is not None
    engine = make_engine(pg_db_url)
    chats = list(load_crews(engine, "pg", ANSWERS, 900_000, PER_PRODUCTION).values())
    server = BotApiServer()
    await server.start()
    bot = BotProcess(server, "greenslate", database_url=pg_db_url,
                     env={"GREENSLATE_BENCH_CLOCK": due_instant().isoformat()})
    log = tmp_path / "bot.log"
    try:
        await bot.start(stderr_path=log)

        feeding = asyncio.create_task(feed_distances(server, chats, FEED_RATE))
        while (await asyncio.to_thread(_stored, engine) or 0) < ANSWERS // 3:
            await asyncio.sleep(0.1)
        restart = await asyncio.to_thread(subprocess.run, [*cluster, "restart"], capture_output=True, text=True,
                                          timeout=120)
        assert restart.returncode == 0, restart.stderr
        back_at = time.monotonic()
        _drop_dead_connections()
        at_restart = None
        while at_restart is None:
            at_restart = await asyncio.to_thread(_stored, engine)
        recovered_after = None
        while time.monotonic() - back_at < 120:
            count = await asyncio.to_thread(_stored, engine)
            if count is not None and count > at_restart:
                recovered_after = time.monotonic() - back_at
                break
            await asyncio.sleep(0.1)
        await feeding
        last, since = -1, time.monotonic()
        while time.monotonic() - since < 15:
            count = await asyncio.to_thread(_stored, engine) or 0
            if count >= ANSWERS:
                break
            if count != last:
                last, since = count, time.monotonic()
            await asyncio.sleep(0.2)
        await bot.stop()
    finally:
        if bot.process is not None and bot.process.returncode is None:
            bot.kill()
        await server.stop()

    sent = {f"{c}:{m}" for (c, m), message in server.messages.items() if not message["from"]["is_bot"]}
    with engine.connect() as conn:
        stored = conn.execute(select(reports.c.source_ref).where(reports.c.source == "telegram")).scalars().all()
    engine.dispose()
    return Outcome(recovered_after, sent, list(stored), log)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """The scenario runs once, on its own database; the tests below read what happened."""
    if _cluster() is None:
        pytest.skip("needs root and pg_ctlcluster to restart the local PostgreSQL server")
    with scratch_pg_database("greenslate_restart") as url:
        return asyncio.run(_scenario(url, tmp_path_factory.mktemp("restart")))


def test_after_a_postgres_restart_answers_are_stored_again_within_30_seconds(outcome: Outcome) -> None:
    lost = len(outcome.sent - set(outcome.stored))
    print(f"\nPostgreSQL restart: answers stored again {outcome.recovered_after} s after the server was back; "
          f"{len(outcome.sent)} sent, {len(set(outcome.stored))} stored, {lost} lost")
    assert outcome.recovered_after is not None, f"no answer stored in the 2 minutes after; see {outcome.log}"
    assert outcome.recovered_after <= RECOVERY_LIMIT, f"recovered after {outcome.recovered_after:.1f} s"
    assert len(outcome.stored) == len(set(outcome.stored)), "an answer was stored twice"
    assert set(outcome.stored) <= outcome.sent


def test_no_answer_is_lost_across_a_postgres_restart(outcome: Outcome) -> None:
    lost = sorted(outcome.sent - set(outcome.stored))
    assert not lost, f"{len(lost)} answers lost across the restart (first: {lost[:5]}); see {outcome.log}"

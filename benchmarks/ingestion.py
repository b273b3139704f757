"""Answer ingestion: answers per second from update to stored figure to confirmation sent.

The real crew bot (``bots.telegram.app.start_telegram`` in its own process, long polling) against
the local Bot API server, on SQLite and on PostgreSQL, beside a bare python-telegram-bot echo bot
on the same server code in the same run. Every member has one prompt due today; each types a
distance. Two measures for each bot:

- burst: every answer queued at once; throughput = answers / time until the last confirmation;
- steady: answers arriving at 100 a second; latency = confirmation sent - answer queued (p50, p99);
- steady at half capacity: the same at half the bot's own burst throughput, so the latency of an
  answer when the bot keeps up (when 100 a second is beyond it, the first is mostly queueing).

Telegram's flood limits are off here (the server does not enforce them and the bot's rate limiter
is set to 0, as in the tests): the fan-out benchmark measures sending under the limits.
The run also checks the store: each answer stored exactly once.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from benchmarks.common import Result, scratch_pg_database, scratch_sqlite_database, summary_ms
from benchmarks.crew import PER_PRODUCTION, due_instant, load_crews
from benchmarks.harness import BotProcess, running_server, wait_for
from store.engine import make_engine
from store.tables import reports
from tests.support.botapi import BotApiServer

STEADY_RATE = 100  # answers a second


def _replies_by_chat(server: BotApiServer, since: int, chats: set[int]) -> dict[int, float]:
    """When each chat first got a message after ledger position ``since``."""
    first: dict[int, float] = {}
    for sent in server.ledger[since:]:
        if sent.chat_id in chats and sent.chat_id not in first and sent.method == "sendMessage":
            first[sent.chat_id] = sent.at
    return first


async def _burst(server: BotApiServer, chats: list[int], text: str, timeout: float) -> dict[str, Any]:
    mark = server.mark()
    wanted = set(chats)
    started = time.monotonic()
    for chat in chats:
        server.send(chat, text)
    done = await wait_for(lambda: len(_replies_by_chat(server, mark, wanted)) >= len(chats), timeout, 0.02)
    replies = _replies_by_chat(server, mark, wanted)
    last = max(replies.values(), default=started)
    seconds = max(last - started, 1e-9)
    return {"answers": len(chats), "confirmed": len(replies), "complete": done, "seconds": round(seconds, 3),
            "per_second": round(len(replies) / seconds, 1)}


async def _steady(server: BotApiServer, chats: list[int], text: str, rate: int, timeout: float) -> dict[str, Any]:
    mark = server.mark()
    wanted = set(chats)
    queued: dict[int, float] = {}
    started = time.monotonic()
    for i, chat in enumerate(chats):
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        queued[chat] = time.monotonic()
        server.send(chat, text)
    await wait_for(lambda: len(_replies_by_chat(server, mark, wanted)) >= len(chats), timeout, 0.02)
    replies = _replies_by_chat(server, mark, wanted)
    latencies = [replies[c] - queued[c] for c in chats if c in replies]
    offered = len(chats) / max(queued[chats[-1]] - started, 1e-9)
    return {"offered_per_second": round(offered, 1), "confirmed": len(replies),
            "latency": summary_ms(latencies)}


async def _greenslate(url: str, burst: int, steady: int, tmp: Path) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        burst_chats = list(load_crews(engine, "burst", burst, 100_000).values())
        steady_chats = list(load_crews(engine, "steady", steady, 200_000).values())
        easy_chats = list(load_crews(engine, "easy", steady, 250_000).values())
    finally:
        engine.dispose()
    async with running_server() as server:
        bot = BotProcess(server, "greenslate", database_url=url,
                         env={"GREENSLATE_BENCH_CLOCK": due_instant().isoformat()})
        await bot.start(stderr_path=tmp / "greenslate-bot.log")
        try:
            b = await _burst(server, burst_chats, "85", timeout=60 + burst / 5)
            s = await _steady(server, steady_chats, "85", STEADY_RATE, timeout=60 + steady / 5)
            # The same, at half the burst throughput: the latency of one answer when the bot keeps up.
            easy_rate = max(1.0, b["per_second"] / 2)
            easy_count = min(len(easy_chats), max(20, int(easy_rate * 15)))
            e = await _steady(server, easy_chats[:easy_count], "85", easy_rate, timeout=60 + easy_count / 5)
        finally:
            await bot.stop()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            per_production = conn.execute(
                select(reports.c.production_id, func.count()).group_by(reports.c.production_id)).all()
            stored = {"burst": 0, "steady": 0, "easy": 0}
            for production_id, n in per_production:
                stored[production_id.split("-")[0]] += n
            pairs = select(reports.c.production_id, reports.c.member_id).distinct().subquery()
            distinct = conn.execute(select(func.count()).select_from(pairs)).scalar_one()
    finally:
        engine.dispose()
    total = sum(stored.values())
    return {"burst": b, "steady": s, "steady_at_half_capacity": {"rate_per_second": round(easy_rate, 1), **e},
            "stored": {"burst": stored["burst"], "steady": stored["steady"], "easy": stored["easy"]},
            "expected": {"burst": len(burst_chats), "steady": len(steady_chats), "easy": easy_count},
            "stored_twice": total - distinct}


async def _echo(burst: int, steady: int, tmp: Path) -> dict[str, Any]:
    async with running_server() as server:
        bot = BotProcess(server, "echo")
        await bot.start(stderr_path=tmp / "echo-bot.log")
        try:
            b = await _burst(server, [300_000 + i for i in range(burst)], "85", timeout=60 + burst / 50)
            s = await _steady(server, [400_000 + i for i in range(steady)], "85", STEADY_RATE,
                              timeout=60 + steady / 50)
        finally:
            await bot.stop()
    return {"burst": b, "steady": s}


async def _run(quick: bool) -> Result:
    burst = 100 if quick else 3000
    steady = 200 if quick else 2000
    result = Result("ingestion", quick)
    result.sizes = {"burst_answers": burst, "steady_answers": steady, "steady_rate_per_second": STEADY_RATE,
                    "members_per_production": PER_PRODUCTION}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        echo = await _echo(burst, steady, tmp)
        result.figures["echo"] = echo
        with scratch_sqlite_database(tmp) as url:
            result.figures["greenslate_sqlite"] = await _greenslate(url, burst, steady, tmp)
        with scratch_pg_database() as url:
            result.figures["greenslate_postgresql"] = await _greenslate(url, burst, steady, tmp)
    for backend in ("sqlite", "postgresql"):
        g = result.figures[f"greenslate_{backend}"]
        ratio = g["burst"]["per_second"] / echo["burst"]["per_second"] if echo["burst"]["per_second"] else 0.0
        result.figures[f"{backend}_over_echo_throughput_ratio"] = round(ratio, 3)
        result.target(f"{backend}_throughput_ratio", round(ratio, 3), 0.5, at_least=True)
        result.target(f"{backend}_steady_p99_ms", g["steady"]["latency"]["p99_ms"], 50, at_least=False)
        lost = sum(g["expected"][k] - g["stored"][k] for k in g["expected"])
        result.figures[f"{backend}_answers_not_stored"] = lost
        result.figures[f"{backend}_answers_stored_twice"] = g["stored_twice"]
    return result


def run(quick: bool = False) -> Result:
    return asyncio.run(_run(quick))

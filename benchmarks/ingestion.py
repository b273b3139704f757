"""Answer ingestion at a busy season's size, the scheduler beside the bot, against two yardsticks.

The store holds 10,000 crew members in 68 productions, each with a daily mileage prompt, 14 days of
prompts already sent and today's sent (and recorded in its chat, as the bot does): each member types
a distance for today's prompt. The real crew bot runs in its own process, long polling the local
Bot API server, with the real scheduler in the same process as ``greenslate run`` starts it
(APScheduler, a tick every 20 s). The bot is started once on the new store, whose first tick plans
every production and stores when each is next due, stopped, and started again a moment later, as a
restart: that first tick plans only what is due or changed. Both first ticks' times are printed;
measures start once the restart's is done. On a SQLite file and on PostgreSQL, beside, in the same
run and against the same server code:

- ``raw``: a bare aiohttp loop, ``getUpdates`` then one ``sendMessage`` per update (the stack's limit);
- ``echo``: python-telegram-bot's ``echobot.py`` example as it ships (its defaults).

For each bot:

- burst: 3,000 answers queued at once; throughput = answers / time until the last confirmation;
- steady: 2,000 answers arriving at 100 a second; latency = confirmation sent - answer queued (p50, p99);
- CPU per answer: the bot process's CPU time (every thread, scheduler included) over each phase,
  from ``/proc``, divided by its answers. The target is read on the burst, where a ``getUpdates``
  brings up to 100 answers; at 100 a second each answer comes in a ``getUpdates`` of its own, and
  the raw loop alone spends about 1 ms or more on those round trips, so the steady figure is printed
  beside it with what greenslate adds over the raw loop at the same rate;
- for the crew bot, steady at half its burst throughput too (the latency when it keeps up easily).

Members answer in a shuffled order, so each phase touches every production. Telegram's flood limits
are off here (the server does not enforce them and the bot's limiter is off): the fan-out and
replies benchmarks measure sending under them. The store is checked afterwards: each answer stored
exactly once, and what the scheduler recorded meanwhile is counted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from benchmarks.common import Result, scratch_pg_database, scratch_sqlite_database, summary_ms
from benchmarks.crew import FIRST_DAY, HISTORY_DAYS, due_instant, load_crews, seed_history, send_day
from benchmarks.harness import BotProcess, running_server, wait_for
from store.engine import make_engine
from store.outbox import outbox
from store.tables import reports
from tests.support.botapi import BotApiServer

STEADY_RATE = 100  # answers a second
#: A busy season: 10,000 members in 68 productions (67 of 148 and one of 84).
MEMBERS, PER_PRODUCTION = 10_000, 148
QUICK_MEMBERS, QUICK_PER_PRODUCTION = 450, 150
#: As ``greenslate run`` ticks (``GREENSLATE_SCHEDULER_TICK_SECONDS``' default).
TICK_SECONDS = 20.0
FIRST_CHAT = 100_000


class _Replies:
    """When each awaited chat first got a ``sendMessage`` after a ledger position, read incrementally."""

    def __init__(self, server: BotApiServer, chats: list[int]) -> None:
        self.server, self.wanted = server, set(chats)
        self.at: dict[int, float] = {}
        self._read = server.mark()

    def count(self) -> int:
        ledger = self.server.ledger
        end = len(ledger)
        for sent in ledger[self._read:end]:
            if sent.chat_id in self.wanted and sent.chat_id not in self.at and sent.method == "sendMessage":
                self.at[sent.chat_id] = sent.at
        self._read = end
        return len(self.at)


async def _burst(server: BotApiServer, bot: BotProcess, chats: list[int], text: str,
                 timeout: float) -> dict[str, Any]:
    replies = _Replies(server, chats)
    cpu = bot.cpu_seconds()
    started = time.monotonic()
    for chat in chats:
        server.send(chat, text)
    done = await wait_for(lambda: replies.count() >= len(chats), timeout, 0.01)
    cpu = bot.cpu_seconds() - cpu
    last = max(replies.at.values(), default=started)
    seconds = max(last - started, 1e-9)
    return {"answers": len(chats), "confirmed": len(replies.at), "complete": done, "seconds": round(seconds, 3),
            "per_second": round(len(replies.at) / seconds, 1),
            "cpu_ms_per_answer": round(cpu * 1000 / max(len(chats), 1), 3)}


async def _steady(server: BotApiServer, bot: BotProcess, chats: list[int], text: str, rate: float,
                  timeout: float) -> dict[str, Any]:
    replies = _Replies(server, chats)
    queued: dict[int, float] = {}
    cpu = bot.cpu_seconds()
    started = time.monotonic()
    for i, chat in enumerate(chats):
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        queued[chat] = time.monotonic()
        server.send(chat, text)
    await wait_for(lambda: replies.count() >= len(chats), timeout, 0.01)
    cpu = bot.cpu_seconds() - cpu
    latencies = [replies.at[c] - queued[c] for c in chats if c in replies.at]
    offered = len(chats) / max(queued[chats[-1]] - started, 1e-9)
    return {"offered_per_second": round(offered, 1), "confirmed": len(replies.at),
            "latency": summary_ms(latencies), "cpu_ms_per_answer": round(cpu * 1000 / max(len(chats), 1), 3)}


def _prepare(url: str, members: int, per_production: int) -> tuple[dict[tuple[str, str], int], dict[str, Any]]:
    """The season's store: the crew linked, 14 days of prompts sent, today's sent."""
    engine = make_engine(url)
    started = time.perf_counter()
    try:
        chats = load_crews(engine, "crew", members, FIRST_CHAT, per_production)
        history = seed_history(engine, chats, HISTORY_DAYS)
        today = FIRST_DAY + dt.timedelta(days=HISTORY_DAYS)
        prompts = send_day(engine, today, due_instant(today))
        with engine.connect() as conn:
            rows = conn.execute(select(func.count()).select_from(outbox)).scalar_one()
    finally:
        engine.dispose()
    return chats, {"productions": len({p for p, _ in chats}), "members": len(chats), "history_rows": history,
                   "prompts_sent_today": prompts, "outbox_rows": rows,
                   "setup_seconds": round(time.perf_counter() - started, 1)}


async def _greenslate(url: str, members: int, per_production: int, burst: int, steady: int,
                      tmp: Path) -> dict[str, Any]:
    chats, store = _prepare(url, members, per_production)
    member_of = {chat: key for key, chat in chats.items()}
    order = sorted(chats.values())
    random.Random(19).shuffle(order)
    burst_chats, steady_chats, easy_chats = order[:burst], order[burst:burst + steady], order[burst + steady:]
    today = FIRST_DAY + dt.timedelta(days=HISTORY_DAYS)
    async with running_server() as server:
        # Started once on the new store (its first tick plans every production, storing their wake-ups),
        # stopped, and started again on the clock's time line, as a restart: measured from then on.
        flags = ("--scheduler", "--tick", str(TICK_SECONDS))
        began = time.monotonic()
        bot = BotProcess(server, "greenslate", database_url=url, flags=flags,
                         env={"GREENSLATE_BENCH_CLOCK": due_instant(today).isoformat()})
        await bot.start(stderr_path=tmp / "greenslate-bot-first.log", timeout=600)
        first_tick = float(bot.ready_line or 0)
        await bot.stop()
        later = due_instant(today) + dt.timedelta(seconds=time.monotonic() - began)
        bot = BotProcess(server, "greenslate", database_url=url, flags=flags,
                         env={"GREENSLATE_BENCH_CLOCK": later.isoformat()})
        await bot.start(stderr_path=tmp / "greenslate-bot.log", timeout=600)
        restart_tick = float(bot.ready_line or 0)
        try:
            b = await _burst(server, bot, burst_chats, "85", timeout=60 + burst / 5)
            s = await _steady(server, bot, steady_chats, "85", STEADY_RATE, timeout=60 + steady / 5)
            # The same, at half the burst throughput: the latency of one answer when the bot keeps up.
            easy_rate = max(1.0, b["per_second"] / 2)
            easy_count = min(len(easy_chats), max(20, int(easy_rate * 15)))
            e = await _steady(server, bot, easy_chats[:easy_count], "85", easy_rate, timeout=60 + easy_count / 5)
        finally:
            await bot.stop()
    phase = {**{c: "burst" for c in burst_chats}, **{c: "steady" for c in steady_chats},
             **{c: "easy" for c in easy_chats[:easy_count]}}
    phase_of = {member_of[c]: p for c, p in phase.items()}
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            per_member = conn.execute(select(reports.c.production_id, reports.c.member_id, func.count())
                                      .group_by(reports.c.production_id, reports.c.member_id)).all()
            outbox_after = conn.execute(select(func.count()).select_from(outbox)).scalar_one()
    finally:
        engine.dispose()
    stored = {"burst": 0, "steady": 0, "easy": 0, "not_asked": 0}
    twice = 0
    for production_id, member_id, n in per_member:
        stored[phase_of.get((production_id, member_id), "not_asked")] += 1
        twice += n - 1
    return {"store": store, "scheduler_first_tick_seconds": first_tick,
            "scheduler_first_tick_after_restart_seconds": restart_tick,
            "scheduler_recorded_during_the_run": outbox_after - store["outbox_rows"],
            "burst": b, "steady": s, "steady_at_half_capacity": {"rate_per_second": round(easy_rate, 1), **e},
            "stored": {k: stored[k] for k in ("burst", "steady", "easy")},
            "expected": {"burst": len(burst_chats), "steady": len(steady_chats), "easy": easy_count},
            "stored_without_an_answer": stored["not_asked"], "stored_twice": twice}


async def _yardstick(kind: str, burst: int, steady: int, tmp: Path) -> dict[str, Any]:
    async with running_server() as server:
        bot = BotProcess(server, kind)
        await bot.start(stderr_path=tmp / f"{kind}-bot.log")
        try:
            b = await _burst(server, bot, [300_000 + i for i in range(burst)], "85", timeout=60 + burst / 50)
            s = await _steady(server, bot, [400_000 + i for i in range(steady)], "85", STEADY_RATE,
                              timeout=60 + steady / 50)
        finally:
            await bot.stop()
    return {"burst": b, "steady": s}


def _ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else 0.0


async def _run(quick: bool) -> Result:
    members, per_production = (QUICK_MEMBERS, QUICK_PER_PRODUCTION) if quick else (MEMBERS, PER_PRODUCTION)
    burst = 100 if quick else 3000
    steady = 200 if quick else 2000
    result = Result("ingestion", quick)
    result.sizes = {"members": members, "members_per_production": per_production,
                    "productions": -(-members // per_production), "history_days": HISTORY_DAYS,
                    "burst_answers": burst, "steady_answers": steady, "steady_rate_per_second": STEADY_RATE,
                    "scheduler": f"in the bot's process, a tick every {TICK_SECONDS:g} s"}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        raw = await _yardstick("raw", burst, steady, tmp)
        echo = await _yardstick("echo", burst, steady, tmp)
        result.figures["raw_aiohttp_loop"] = raw
        result.figures["echo"] = echo
        with scratch_sqlite_database(tmp) as url:
            result.figures["greenslate_sqlite"] = await _greenslate(url, members, per_production, burst, steady, tmp)
        with scratch_pg_database() as url:
            result.figures["greenslate_postgresql"] = await _greenslate(url, members, per_production, burst, steady,
                                                                        tmp)
    for backend in ("sqlite", "postgresql"):
        g = result.figures[f"greenslate_{backend}"]
        ratios = {}
        for name, base in (("echo", echo), ("raw", raw)):
            ratios[f"throughput_over_{name}"] = _ratio(g["burst"]["per_second"], base["burst"]["per_second"])
            ratios[f"p99_over_{name}"] = _ratio(g["steady"]["latency"]["p99_ms"], base["steady"]["latency"]["p99_ms"])
            ratios[f"cpu_per_answer_over_{name}"] = _ratio(g["steady"]["cpu_ms_per_answer"],
                                                           base["steady"]["cpu_ms_per_answer"])
        result.figures[f"{backend}_ratios"] = ratios
        result.figures[f"{backend}_over_echo_throughput_ratio"] = ratios["throughput_over_echo"]
        result.target(f"{backend}_throughput_ratio", ratios["throughput_over_echo"], 0.5, at_least=True)
        result.target(f"{backend}_steady_p99_ms", g["steady"]["latency"]["p99_ms"], 50, at_least=False)
        result.figures[f"{backend}_steady_cpu_ms_per_answer_over_the_raw_loop"] = round(
            g["steady"]["cpu_ms_per_answer"] - raw["steady"]["cpu_ms_per_answer"], 3)
        result.target(f"{backend}_burst_cpu_ms_per_answer", g["burst"]["cpu_ms_per_answer"], 1.0, at_least=False)
        lost = sum(g["expected"][k] - g["stored"][k] for k in g["expected"])
        result.figures[f"{backend}_answers_not_stored"] = lost
        result.figures[f"{backend}_answers_stored_twice"] = g["stored_twice"]
    return result


def run(quick: bool = False) -> Result:
    return asyncio.run(_run(quick))

"""Fan-out beyond one bot's ceiling: N members due at the same minute, their productions spread over
four bots (the default one and three named in GREENSLATE_TELEGRAM_BOTS), sent by the real scheduler
in the bot process as ``greenslate run`` starts it: one Application per bot, each with its own rate
limiter, through the real ``TelegramNotifier``. The local Bot API server enforces Telegram's limits for
each bot on its own: 30 messages a second, 1 a second per chat, 429 with ``retry_after`` beyond.

Figures: messages a second over all the bots against 4 × 30 = 120/s, and for each bot; the 429s the
server answered; from the server's ledgers the members who got no prompt (lost), the prompts sent
twice (duplicated) and the prompts sent through a bot other than their production's (crossed).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from benchmarks.common import Result, scratch_sqlite_database
from benchmarks.crew import PER_PRODUCTION, crew_production, due_instant, outbox_statuses
from benchmarks.fanout import TELEGRAM_LIMIT
from benchmarks.harness import BotProcess, rss_kib, running_server, wait_for
from domain.usecases import load_production
from store.engine import make_engine
from store.uow import SqlUnitOfWork
from tests.support.botapi import BotApiServer

#: The bots: "" is the default one (GREENSLATE_TELEGRAM_TOKEN), the others are named.
BOTS = ("", "north", "south", "west")


def load_spread_crews(engine: Engine, members: int, first_chat: int,
                      per_production: int = PER_PRODUCTION) -> dict[str, dict[int, str]]:
    """``members`` members in productions of ``per_production``, production i served by bot i mod 4;
    each member linked through their production's bot. Returns bot -> {chat id: production id}."""
    chats: dict[str, dict[int, str]] = {bot: {} for bot in BOTS}
    done = index = 0
    while done < members:
        n = min(per_production, members - done)
        bot = BOTS[index % len(BOTS)]
        production = dataclasses.replace(crew_production(f"spread-{index:03d}", n), telegram_bot=bot)
        load_production(SqlUnitOfWork(engine), production)
        with SqlUnitOfWork(engine) as uow:
            for i, member in enumerate(production.crew):
                chat = first_chat + done + i
                uow.members.link_telegram(production.id, member.id, chat, _consent(), bot=bot)
                chats[bot][chat] = production.id
            uow.commit()
        done += n
        index += 1
    return chats


def _consent() -> dt.datetime:
    return due_instant() - dt.timedelta(days=3)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of ``pid`` so far (``/proc/<pid>/stat``)."""
    import os

    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def figures(servers: dict[str, BotApiServer], chats: dict[str, dict[int, str]]) -> dict[str, Any]:
    """Rates, 429s, lost, duplicated and crossed, from every bot's ledger."""
    everyone = {chat for mine in chats.values() for chat in mine}
    sends = {bot: [s for s in servers[bot].ledger if s.method == "sendMessage" and s.chat_id in everyone]
             for bot in BOTS}
    every = sorted(s.at for prompts in sends.values() for s in prompts)
    span = every[-1] - every[0] if len(every) > 1 else 0.0
    rate = (len(every) - 1) / span if span > 0 else 0.0
    limit = TELEGRAM_LIMIT * len(BOTS)
    per_bot = {}
    for bot, prompts in sends.items():
        own_span = prompts[-1].at - prompts[0].at if len(prompts) > 1 else 0.0
        per_bot[bot or "default"] = {
            "sent": len(prompts), "seconds": round(own_span, 2),
            "messages_per_second": round((len(prompts) - 1) / own_span, 2) if own_span > 0 else 0.0,
            "http_429": sum(1 for _method, status in servers[bot].rejected if status == 429),
        }
    received = Counter(s.chat_id for prompts in sends.values() for s in prompts)
    return {
        "sent": len(every),
        "seconds": round(span, 2),
        "messages_per_second": round(rate, 2),
        "limit_per_second": limit,
        "share_of_limit": round(rate / limit, 3),
        "http_429": sum(b["http_429"] for b in per_bot.values()),
        "lost": sum(1 for chat in everyone if received[chat] == 0),
        "duplicated": sum(n - 1 for n in received.values() if n > 1),
        "crossed": sum(1 for bot, prompts in sends.items() for s in prompts if s.chat_id not in chats[bot]),
        "per_bot": per_bot,
    }


async def _run(quick: bool, members: int | None = None) -> Result:
    # Productions of 125 at full size: 80 productions, 20 a bot, 2,500 members each, so that no bot
    # has more to send than the others (productions of 150 gave 2,550 to two bots and 2,400 to one).
    default, per_production = (360, 45) if quick else (10_000, 125)
    members = members or default
    result = Result("many_bots", quick)
    result.sizes = {"members_due_at_the_same_minute": members, "bots": len(BOTS),
                    "limit_per_bot_per_second": TELEGRAM_LIMIT, "limit_per_chat_per_second": 1,
                    "members_per_production": per_production}
    with tempfile.TemporaryDirectory() as d, scratch_sqlite_database(Path(d)) as url:
        engine = make_engine(url)
        try:
            chats = load_spread_crews(engine, members, 700_000, per_production)
        finally:
            engine.dispose()
        async with running_server(enforce_limits=True) as server:
            servers = {"": server}
            for i, bot in enumerate(BOTS[1:], start=1):
                servers[bot] = server.add_bot(f"{900_000 + i}:BENCH-{bot.upper()}", bot_id=900_000 + i,
                                              username=f"greenslate_{bot}_bot")
            named = " ".join(f"{bot}={servers[bot].token}" for bot in BOTS[1:])
            process = BotProcess(server, "greenslate", database_url=url, flags=("--scheduler", "--rate-limit"),
                                 env={"GREENSLATE_BENCH_CLOCK": due_instant().isoformat(),
                                      "GREENSLATE_TELEGRAM_BOTS": named})
            await process.start(stderr_path=Path(d) / "bot.log")
            try:
                def sent() -> int:
                    return sum(1 for bot in BOTS for s in servers[bot].ledger if s.method == "sendMessage")

                limit = TELEGRAM_LIMIT * len(BOTS)
                complete = await wait_for(lambda: sent() >= members, timeout=60 + 3 * members / limit, interval=0.2)
                await asyncio.sleep(3)  # anything sent twice shows up now
                memory = rss_kib(process.pid)
                cpu = cpu_seconds(process.pid)
            finally:
                await process.stop()
            result.figures.update(figures(servers, chats))
        statuses = outbox_statuses(url)
    result.figures["complete"] = complete
    result.figures["outbox_by_status"] = statuses
    result.figures["bot_process_peak_rss_mib"] = round(memory.get("VmHWM", 0) / 1024, 1)
    result.figures["bot_process_cpu_ms_per_message"] = round(1000 * cpu / max(1, result.figures["sent"]), 2)
    result.target("share_of_120_per_second", result.figures["share_of_limit"], 0.95, at_least=True)
    result.target("http_429", result.figures["http_429"], 0, at_least=False)
    result.target("lost", result.figures["lost"], 0, at_least=False)
    result.target("duplicated", result.figures["duplicated"], 0, at_least=False)
    result.target("crossed", result.figures["crossed"], 0, at_least=False)
    return result


def run(quick: bool = False, members: int | None = None) -> Result:
    return asyncio.run(_run(quick, members))

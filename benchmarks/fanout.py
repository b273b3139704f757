"""Prompt fan-out at wrap: N members due at the same minute, sent by the real scheduler through the
real bot (``TelegramNotifier``, the crew bot's rate limiter as ``greenslate run`` builds it) to the local Bot API server
enforcing Telegram's limits: 30 messages a second overall, 1 a second per chat, 429 with
``retry_after`` beyond.

Figures: messages a second achieved against the 30/s limit, the 429s the server answered, and from
the server's ledger the members who got no prompt (lost) and the prompts sent twice (duplicated).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.common import Result, scratch_sqlite_database
from benchmarks.crew import PER_PRODUCTION, due_instant, outbox_statuses, seed_crews
from benchmarks.harness import BotProcess, rss_kib, running_server, wait_for
from tests.support.botapi import BotApiServer

TELEGRAM_LIMIT = 30.0  # messages a second overall


def ledger_figures(server: BotApiServer, chats: set[int]) -> dict[str, Any]:
    prompts = [s for s in server.ledger if s.method == "sendMessage" and s.chat_id in chats]
    per_chat = Counter(s.chat_id for s in prompts)
    span = prompts[-1].at - prompts[0].at if len(prompts) > 1 else 0.0
    rate = (len(prompts) - 1) / span if span > 0 else 0.0
    return {
        "sent": len(prompts),
        "seconds": round(span, 2),
        "messages_per_second": round(rate, 2),
        "share_of_limit": round(rate / TELEGRAM_LIMIT, 3),
        "http_429": sum(1 for _method, status in server.rejected if status == 429),
        "lost": sum(1 for c in chats if per_chat[c] == 0),
        "duplicated": sum(n - 1 for n in per_chat.values() if n > 1),
    }


async def _run(quick: bool) -> Result:
    members = 90 if quick else 3000
    result = Result("fanout", quick)
    result.sizes = {"members_due_at_the_same_minute": members, "limit_per_second": TELEGRAM_LIMIT,
                    "limit_per_chat_per_second": 1, "members_per_production": PER_PRODUCTION}
    with tempfile.TemporaryDirectory() as d, scratch_sqlite_database(Path(d)) as url:
        chats = set(seed_crews(url, "wrap", members, 500_000).values())
        async with running_server(enforce_limits=True) as server:
            bot = BotProcess(server, "greenslate", database_url=url, flags=("--scheduler", "--rate-limit"),
                             env={"GREENSLATE_BENCH_CLOCK": due_instant().isoformat()})
            await bot.start(stderr_path=Path(d) / "bot.log")
            try:
                def sent() -> int:
                    return sum(1 for s in server.ledger if s.method == "sendMessage" and s.chat_id in chats)

                complete = await wait_for(lambda: sent() >= members, timeout=60 + 3 * members / TELEGRAM_LIMIT,
                                          interval=0.2)
                await asyncio.sleep(3)  # anything sent twice shows up now
                memory = rss_kib(bot.pid)
            finally:
                await bot.stop()
            result.figures.update(ledger_figures(server, chats))
        statuses = outbox_statuses(url)
    result.figures["complete"] = complete
    result.figures["outbox_by_status"] = statuses
    result.figures["bot_process_peak_rss_mib"] = round(memory.get("VmHWM", 0) / 1024, 1)
    result.target("share_of_30_per_second", result.figures["share_of_limit"], 0.95, at_least=True)
    result.target("lost", result.figures["lost"], 0, at_least=False)
    result.target("duplicated", result.figures["duplicated"], 0, at_least=False)
    return result


def run(quick: bool = False) -> Result:
    return asyncio.run(_run(quick))

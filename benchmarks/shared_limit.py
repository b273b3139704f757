"""One bot token, three processes, one limit: the bot and two ``--scheduler`` processes fanning out together.

N members (productions of 150) have a prompt due at the same minute, in one PostgreSQL store.
Three processes send it with one bot token to the local Bot API server enforcing Telegram's limits
(30 messages a second overall, 1 a second per chat, 429 with ``retry_after`` beyond): the crew bot
with its scheduler (``greenslate run``), and two schedulers that only send (``greenslate run
--scheduler``), each claiming outbox rows as they come (``FOR UPDATE SKIP LOCKED``). Members who got
their prompt 2 s earlier answer, 5 a second, to the bot process while the fan-out goes on.

Three rounds, the first two each on a fresh database:

- **shared**: the three share the limit through Redis (``GREENSLATE_TELEGRAM_RATE_LIMIT_STORAGE``,
  ``GREENSLATE_BENCH_REDIS_URL`` or ``redis://127.0.0.1:6379/0``);
- **each on its own** (``memory://``, as before): each keeps 30 a second for itself, so together they
  offer Telegram up to 90 (no answers in this round; it shows what sharing prevents);
- **the limiter alone**: three processes that do nothing but send (``python -m benchmarks.shared_limit
  send``: python-telegram-bot with the crew bot's limiter on Redis, every message queued at once),
  N messages in all. The scheduler sends one message after another in each process, so the first
  round's rate is also the three processes' own pace on this machine; this one is the shared
  limiter's.

Figures from the server's ledger: every message a second over the fan-out (prompts and
confirmations) against 30/s, the 429s, the most messages within one second, the members who got no
prompt (lost) and the prompts sent twice (doubled); the confirmations' latency; and from the
outbox, how many each process sent. Targets (shared round): at least 95 % of 30/s, no 429, none
lost, none doubled.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from benchmarks.common import Result, scratch_pg_database, summary_ms
from benchmarks.crew import due_instant, seed_crews
from benchmarks.harness import REPO, BotProcess, wait_for
from benchmarks.replies import Confirmations, _during_fanout, _limits
from store.engine import make_engine
from store.outbox import outbox
from tests.support.botapi import SENDING, BotApiServer

TELEGRAM_LIMIT = 30.0


def redis_url() -> str:
    return os.environ.get("GREENSLATE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


async def _round(members: int, storage: str, answers: bool, logs: Path) -> dict[str, Any]:
    with scratch_pg_database() as url:
        chats = set(seed_crews(url, "shared", members, 600_000).values())
        # A bot of its own each round (its id names the shared keys), as the real server would have one token.
        server = BotApiServer(f"{secrets.randbelow(10**9) + 10**9}:BENCH-TOKEN", enforce_limits=True)
        await server.start()
        env = {"GREENSLATE_BENCH_CLOCK": due_instant().isoformat(), "GREENSLATE_TELEGRAM_RATE_LIMIT_STORAGE": storage}
        bot = BotProcess(server, "greenslate", database_url=url, flags=("--scheduler", "--rate-limit"), env=env)
        senders = [BotProcess(server, "greenslate", database_url=url, env=env,
                              flags=("--scheduler", "--rate-limit", "--no-polling")) for _ in range(2)]
        processes = [bot, *senders]
        confirmations = Confirmations(server)
        try:
            await asyncio.gather(*(p.start(stderr_path=logs / f"{storage[:5]}-{i}.log")
                                   for i, p in enumerate(processes)))
            # Long enough for a loaded machine: what is not out by then counts as lost.
            timeout = 60 + 8 * members / TELEGRAM_LIMIT
            if answers:
                fanout = await _during_fanout(server, chats, confirmations, members, timeout)
                await wait_for(confirmations.scan, timeout=30)
            else:
                await wait_for(lambda: len({s.chat_id for s in server.ledger if s.chat_id in chats}) >= members,
                               timeout, interval=0.2)
                fanout = {}
            await asyncio.sleep(3)  # anything sent twice shows up now
        finally:
            for p in processes:
                await p.stop()
            await server.stop()
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                statuses: dict[str, int] = dict(
                    conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status)).all())
                by_worker: dict[str | None, int] = dict(conn.execute(select(outbox.c.claimed_by, func.count())
                                              .where(outbox.c.status == "sent").group_by(outbox.c.claimed_by)).all())
        finally:
            engine.dispose()
    sends = [s for s in server.ledger if s.method in SENDING]
    prompted = [s for s in sends if s.chat_id in chats]
    span = prompted[-1].at - prompted[0].at if len(prompted) > 1 else 0.0
    in_span = [s for s in sends if prompted and prompted[0].at <= s.at <= prompted[-1].at]
    rate = (len(in_span) - 1) / span if span > 0 else 0.0
    per_chat = Counter(s.chat_id for s in prompted)
    confirmed = {c for c in confirmations.answered}
    pids = {"bot": bot.pid, "scheduler_1": senders[0].pid, "scheduler_2": senders[1].pid}
    sent_by = {name: sum(n for worker, n in by_worker.items() if worker and f":{pid}:" in worker)
               for name, pid in pids.items()}
    return {
        "storage": storage.split("://")[0],
        "messages": len(sends),
        "seconds": round(span, 2),
        "messages_per_second": round(rate, 2),
        "share_of_limit": round(rate / TELEGRAM_LIMIT, 3),
        **_limits(server),
        "lost": sum(1 for c in chats if per_chat[c] == 0),
        "doubled": sum(max(0, n - 1 - (c in confirmed)) for c, n in per_chat.items()),
        "outbox_by_status": statuses,
        "prompts_sent_by": sent_by,
        **({"answers_during_fanout": fanout["answers_during_fanout"],
            "answers_unconfirmed": len(confirmations.pending),
            "confirmation_latency": summary_ms(confirmations.latency["fanout"])} if answers else {}),
    }


async def _limiter_alone(messages: int) -> dict[str, Any]:
    server = BotApiServer(f"{secrets.randbelow(10**9) + 10**9}:BENCH-TOKEN", enforce_limits=True)
    await server.start()
    env = {**os.environ, "PYTHONPATH": str(REPO), "GREENSLATE_TELEGRAM_TOKEN": server.token,
           "GREENSLATE_TELEGRAM_API_URL": server.base_url, "GREENSLATE_TELEGRAM_RATE_LIMIT_STORAGE": redis_url()}
    share = messages // 3
    try:
        children = [await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.shared_limit", "send", str(share), str(900_000 + n * share),
            cwd=REPO, env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE) for n in range(3)]
        for child in children:
            assert child.stdout is not None and await child.stdout.readline() == b"ready\n"
        for child in children:  # all three at once
            assert child.stdin is not None
            child.stdin.write(b"go\n")
            await child.stdin.drain()
        outcomes = [json.loads((await child.communicate())[0]) for child in children]
    finally:
        await server.stop()
    sends = [s for s in server.ledger if s.method in SENDING]
    reached = {s.chat_id for s in sends}
    span = sends[-1].at - sends[0].at if len(sends) > 1 else 0.0
    rate = (len(sends) - 1) / span if span > 0 else 0.0
    return {"messages": len(sends), "seconds": round(span, 2), "messages_per_second": round(rate, 2),
            "share_of_limit": round(rate / TELEGRAM_LIMIT, 3), **_limits(server),
            "refused_to_the_senders": sum(o["refused"] for o in outcomes),
            "errors_to_the_senders": [e for o in outcomes for e in o["errors"]],
            "lost": share * 3 - len(reached), "doubled": len(sends) - len(reached)}


async def _send(count: int, first_chat: int) -> None:
    """One sending process: every message queued at once, as bulk, through the crew bot's limiter."""
    from telegram.error import RetryAfter
    from telegram.ext import AIORateLimiter, ExtBot

    from bots.telegram.app import MAX_RETRIES
    from bots.telegram.http import CrewRequest
    from bots.telegram.ratelimit import CrewRateLimiter, bulk
    from bots.telegram.shared_limit import shared_window

    token = os.environ["GREENSLATE_TELEGRAM_TOKEN"]
    window = shared_window(os.environ["GREENSLATE_TELEGRAM_RATE_LIMIT_STORAGE"], token)
    limiter = CrewRateLimiter(AIORateLimiter(overall_max_rate=0, max_retries=MAX_RETRIES), window=window)
    bot: ExtBot[int] = ExtBot(token, base_url=os.environ["GREENSLATE_TELEGRAM_API_URL"],
                              request=CrewRequest(2), rate_limiter=limiter)
    await bot.initialize()
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    with bulk():
        tasks = [asyncio.create_task(bot.send_message(first_chat + n, "prompt")) for n in range(count)]
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    await bot.shutdown()
    refused = sum(1 for o in outcomes if isinstance(o, RetryAfter))
    errors = Counter(repr(o) for o in outcomes if isinstance(o, BaseException) and not isinstance(o, RetryAfter))
    print(json.dumps({"sent": count - refused - errors.total(), "refused": refused,
                      "errors": [f"{n} x {e}" for e, n in errors.items()]}), flush=True)


async def _run(quick: bool) -> Result:
    members = 150 if quick else 3000
    result = Result("shared_limit", quick)
    result.sizes = {"members_due_at_the_same_minute": members, "processes": 3, "limit_per_second": TELEGRAM_LIMIT,
                    "limit_per_chat_per_second": 1, "answers_per_second_during_fanout": 5.0}
    with tempfile.TemporaryDirectory() as d:
        shared = await _round(members, redis_url(), answers=True, logs=Path(d))
        alone = await _round(members, "memory://", answers=False, logs=Path(d))
    limiter = await _limiter_alone(members)
    result.figures["shared"] = shared
    result.figures["each_on_its_own"] = alone
    result.figures["limiter_alone"] = limiter
    result.target("share_of_30_per_second", shared["share_of_limit"], 0.95, at_least=True)
    result.target("http_429", shared["http_429"], 0, at_least=False)
    result.target("lost", shared["lost"], 0, at_least=False)
    result.target("doubled", shared["doubled"], 0, at_least=False)
    result.target("limiter_alone_share_of_30_per_second", limiter["share_of_limit"], 0.95, at_least=True)
    result.notes.append("each_on_its_own: the same three processes, each keeping 30 a second for itself")
    return result


def run(quick: bool = False) -> Result:
    return asyncio.run(_run(quick))


if __name__ == "__main__" and sys.argv[1:2] == ["send"]:
    asyncio.run(_send(int(sys.argv[2]), int(sys.argv[3])))

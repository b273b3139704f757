"""Memory: resident memory of the bots-and-scheduler process serving N crew members.

N is 3,000 by default; ``python -m benchmarks.memory --members 10000`` measures a busy season.

The real crew bot with the real scheduler in one process (as ``greenslate run`` runs them), N members
linked, every one prompted at the same minute and every one answering. The process's resident
memory is read from /proc before any work, and its peak (VmHWM) after the prompts and the answers.
A bare python-telegram-bot echo process is measured beside it, as the floor of the toolkit.
Telegram's limits are off here (memory, not pacing, is measured). Each phase's time and the members
it reached are printed too; a phase that stops reaching anyone for two minutes is given up (and
says how many it reached) rather than waited for until a time limit.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import Result, scratch_pg_database, scratch_sqlite_database
from benchmarks.crew import PER_PRODUCTION, due_instant, load_crews
from benchmarks.harness import BotProcess, rss_kib, running_server
from store.engine import make_engine


def _mib(kib: int) -> float:
    return round(kib / 1024, 1)


async def _measure(url: str, members: int, tmp: Path) -> dict[str, object]:
    engine = make_engine(url)
    try:
        chats = sorted(load_crews(engine, "memory", members, 600_000).values())
    finally:
        engine.dispose()
    wanted = set(chats)
    async with running_server() as server:
        bot = BotProcess(server, "greenslate", database_url=url, flags=("--scheduler",),
                         env={"GREENSLATE_BENCH_CLOCK": due_instant().isoformat()})
        await bot.start(stderr_path=tmp / "memory-bot.log")
        try:
            at_start = rss_kib(bot.pid)

            def sent_to() -> int:
                return len({s.chat_id for s in server.ledger if s.method == "sendMessage" and s.chat_id in wanted})

            def confirmed() -> int:
                return len({s.chat_id for s in server.ledger[mark:] if s.chat_id in wanted})

            started = time.monotonic()
            prompts = await _wait_for_all(sent_to, members)
            prompts_seconds = time.monotonic() - started
            after_prompts = rss_kib(bot.pid)
            mark = server.mark()
            started = time.monotonic()
            for chat in chats:
                server.send(chat, "85")
            answers = await _wait_for_all(confirmed, members)
            answers_seconds = time.monotonic() - started
            after_answers = rss_kib(bot.pid)
        finally:
            await bot.stop()
    return {
        "rss_at_start_mib": _mib(at_start["VmRSS"]),
        "rss_after_prompts_mib": _mib(after_prompts["VmRSS"]),
        "rss_after_answers_mib": _mib(after_answers["VmRSS"]),
        "peak_rss_mib": _mib(after_answers["VmHWM"]),
        "all_prompted": prompts == members,
        "all_answered": answers == members,
        "members_prompted": prompts,
        "members_confirmed": answers,
        "prompts_seconds": round(prompts_seconds, 1),
        "answers_seconds": round(answers_seconds, 1),
    }


#: How long a phase may go without one more member reached before the run stops waiting for it.
STALL_SECONDS = 120.0


async def _wait_for_all(count: Callable[[], int], members: int) -> int:
    """Wait until ``count()`` reaches ``members``, or stops moving for :data:`STALL_SECONDS`; the count.

    A message the bot never sends (given up, say) would otherwise keep the run waiting until its
    time limit, tens of minutes at 10,000 members, with nothing printed."""
    last, moved = -1, time.monotonic()
    while True:
        now = count()
        if now >= members:
            return now
        if now != last:
            last, moved = now, time.monotonic()
        elif time.monotonic() - moved > STALL_SECONDS:
            return now
        await asyncio.sleep(0.5)


async def _echo_floor(tmp: Path) -> float:
    async with running_server() as server:
        bot = BotProcess(server, "echo")
        await bot.start(stderr_path=tmp / "echo.log")
        try:
            return _mib(rss_kib(bot.pid)["VmHWM"])
        finally:
            await bot.stop()


async def _run(quick: bool, members: int | None) -> Result:
    members = members or (100 if quick else 3000)
    result = Result("memory", quick)
    result.sizes = {"members": members, "members_per_production": PER_PRODUCTION}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        result.figures["echo_bot_peak_rss_mib"] = await _echo_floor(tmp)
        with scratch_sqlite_database(tmp) as url:
            result.figures["sqlite"] = await _measure(url, members, tmp)
        with scratch_pg_database() as url:
            result.figures["postgresql"] = await _measure(url, members, tmp)
    peak = max(result.figures["sqlite"]["peak_rss_mib"], result.figures["postgresql"]["peak_rss_mib"])
    result.figures["peak_over_echo_ratio"] = round(peak / result.figures["echo_bot_peak_rss_mib"], 2)
    result.target("peak_rss_mib", peak, 250, at_least=False)
    return result


def run(quick: bool = False, members: int | None = None) -> Result:
    return asyncio.run(_run(quick, members))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 members")
    parser.add_argument("--members", type=int, help="how many members (default 3,000; the season: 10,000)")
    args = parser.parse_args(argv)
    result = run(args.quick, args.members)
    result.print()
    print(f"  written to {result.write()}")


if __name__ == "__main__":
    main()

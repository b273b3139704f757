"""Replies before bulk: a member's confirmation while a fan-out leaves at Telegram's pace, then a wrap.

One process runs the real crew bot and the real scheduler with the crew bot's rate limiter, as in
``benchmarks/fanout.py``, against the local Bot API server enforcing Telegram's limits (30 messages
a second overall, 1 a second in one chat, 429 beyond). N members have a prompt due at the same
minute. Two phases, from the server's ledger:

- **during the fan-out**: while the prompts leave, members who got theirs a few seconds earlier
  answer at ``ANSWER_RATE`` a second; latency = confirmation sent minus answer queued (p50, p95,
  max). Target: p95 under 2 s.
- **wrap**: once every prompt is out, every member who has not answered yet answers at once.
  Telegram lets 30 messages a second through, so the last of M confirmations cannot leave before
  about M / 30 seconds: the figures are that time, the rate achieved and the latency spread.

Both phases check the limits from the server's side (its 429s, the most messages it saw within any
one second and the shortest gap between two messages to one chat) and the store: every answer
stored exactly once, every answer confirmed, every member prompted exactly once.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter, deque
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from benchmarks.common import Result, scratch_sqlite_database, summary_ms
from benchmarks.crew import due_instant, seed_crews
from benchmarks.harness import BotProcess, running_server, wait_for
from store.engine import make_engine
from store.tables import reports
from tests.support.botapi import SENDING, BotApiServer

TELEGRAM_LIMIT = 30  # messages a second overall
ANSWER_RATE = 5.0  # answers a second during the fan-out
ANSWER_AFTER_SECONDS = 2.0  # a member answers this long after their prompt at the soonest
P95_TARGET_S = 2.0


class Confirmations:
    """Answers queued, and the first message the bot sent to each of those chats afterwards."""

    def __init__(self, server: BotApiServer) -> None:
        self.server = server
        self.pending: dict[int, float] = {}  # chat -> when the answer was queued
        self.phase: dict[int, str] = {}  # chat -> the phase it answered in
        self.answered: set[int] = set()
        self.latency: dict[str, list[float]] = {"fanout": [], "wrap": []}
        self._seen = 0

    def answer(self, chat: int, phase: str) -> None:
        self.pending[chat] = time.monotonic()
        self.phase[chat] = phase
        self.answered.add(chat)
        self.server.send(chat, "85")

    def scan(self) -> bool:
        """Read the new ledger entries; True when every answer has its confirmation."""
        ledger = self.server.ledger
        for sent in ledger[self._seen:]:
            if sent.method == "sendMessage" and sent.chat_id in self.pending:
                self.latency[self.phase[sent.chat_id]].append(sent.at - self.pending.pop(sent.chat_id))
        self._seen = len(ledger)
        return not self.pending


def _limits(server: BotApiServer, since: int = 0) -> dict[str, Any]:
    """What the server saw: its 429s, the most messages in any one second, the shortest gap in a chat."""
    sends = [s for s in server.ledger[since:] if s.method in SENDING]
    most, start = 0, 0
    for end, s in enumerate(sends):
        while s.at - sends[start].at >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    last: dict[int, float] = {}
    shortest = float("inf")
    for s in sends:
        if s.chat_id in last:
            shortest = min(shortest, s.at - last[s.chat_id])
        last[s.chat_id] = s.at  # type: ignore[index]
    return {"http_429": sum(1 for _m, status in server.rejected if status == 429),
            "most_messages_in_one_second": most,
            "shortest_gap_in_one_chat_s": round(shortest, 3) if shortest != float("inf") else None}


async def _during_fanout(server: BotApiServer, chats: set[int], confirmations: Confirmations,
                         members: int, timeout: float) -> dict[str, Any]:
    """Answer at ``ANSWER_RATE`` while the prompts leave; returns the fan-out's own figures.

    A chat's first message is its prompt (each member has one due, and answers only after it)."""
    waiting: deque[tuple[float, int]] = deque()  # (when, chat) of each prompt, until its member answers
    prompted: set[int] = set()
    seen = 0
    deadline = time.monotonic() + timeout
    next_answer = time.monotonic()
    first_prompt_at = last_prompt_at = 0.0
    while len(prompted) < members and time.monotonic() < deadline:
        ledger = server.ledger
        for sent in ledger[seen:]:
            if sent.method == "sendMessage" and sent.chat_id in chats and sent.chat_id not in prompted:
                prompted.add(sent.chat_id)
                first_prompt_at = first_prompt_at or sent.at
                last_prompt_at = sent.at
                waiting.append((sent.at, sent.chat_id))
        seen = len(ledger)
        confirmations.scan()
        now = time.monotonic()
        if now >= next_answer and waiting and now - waiting[0][0] >= ANSWER_AFTER_SECONDS:
            confirmations.answer(waiting.popleft()[1], "fanout")
            next_answer = max(next_answer + 1 / ANSWER_RATE, now - 1)
        await asyncio.sleep(0.01)
    span = last_prompt_at - first_prompt_at
    return {"prompts_sent": len(prompted), "seconds": round(span, 2),
            "prompts_per_second": round((len(prompted) - 1) / span, 2) if span > 0 else 0.0,
            "answers_during_fanout": len(confirmations.answered)}


async def _until_stored(url: str, expected: int, since: float) -> float | None:
    """Seconds from ``since`` until the store holds ``expected`` reports (read every 0.2 s), or None."""
    engine = make_engine(url)
    try:
        for _ in range(3000):
            count = await asyncio.to_thread(_count, engine)
            if count >= expected:
                return round(time.monotonic() - since, 2)
            await asyncio.sleep(0.2)
        return None
    finally:
        engine.dispose()


def _count(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(reports)).scalar_one())


async def _run(quick: bool) -> Result:
    members = 150 if quick else 3000
    result = Result("replies", quick)
    result.sizes = {"members_due_at_the_same_minute": members, "limit_per_second": TELEGRAM_LIMIT,
                    "answers_per_second_during_fanout": ANSWER_RATE,
                    "answer_at_soonest_after_prompt_s": ANSWER_AFTER_SECONDS}
    with tempfile.TemporaryDirectory() as d, scratch_sqlite_database(Path(d)) as url:
        chats = set(seed_crews(url, "reply", members, 700_000).values())
        async with running_server(enforce_limits=True) as server:
            bot = BotProcess(server, "greenslate", database_url=url, flags=("--scheduler", "--rate-limit"),
                             env={"GREENSLATE_BENCH_CLOCK": due_instant().isoformat()})
            await bot.start(stderr_path=Path(d) / "bot.log")
            confirmations = Confirmations(server)
            try:
                fanout = await _during_fanout(server, chats, confirmations, members,
                                              timeout=60 + 3 * members / TELEGRAM_LIMIT)
                await wait_for(confirmations.scan, timeout=30)
                during = _limits(server)
                wrap_mark = server.mark()
                wrap_chats = sorted(chats - confirmations.answered)
                started = time.monotonic()
                for chat in wrap_chats:
                    confirmations.answer(chat, "wrap")
                all_stored = asyncio.create_task(_until_stored(url, members, started))
                done = await wait_for(confirmations.scan, timeout=60 + 3 * len(wrap_chats) / TELEGRAM_LIMIT,
                                      interval=0.05)
                wrap_seconds = time.monotonic() - started
                stored_after = await all_stored
                await asyncio.sleep(2)  # anything sent twice shows up now
                wrap_limits = _limits(server, wrap_mark)
            finally:
                await bot.stop()
            prompts = Counter(s.chat_id for s in server.ledger if s.method == "sendMessage" and s.chat_id in chats)
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                stored = conn.execute(select(func.count()).select_from(reports)).scalar_one()
                pairs = select(reports.c.production_id, reports.c.member_id).distinct().subquery()
                distinct = conn.execute(select(func.count()).select_from(pairs)).scalar_one()
        finally:
            engine.dispose()
    fan_latency = confirmations.latency["fanout"]
    wrap_latency = confirmations.latency["wrap"]
    result.figures["fanout"] = {**fanout, **during,
                                "confirmation_latency": summary_ms(fan_latency)}
    result.figures["wrap"] = {"answers_at_once": len(wrap_chats), "confirmed": len(wrap_latency),
                              "complete": done, "seconds_to_last_confirmation": round(wrap_seconds, 2),
                              "seconds_until_every_answer_stored": stored_after,
                              "confirmations_per_second": round(len(wrap_latency) / wrap_seconds, 2)
                              if wrap_seconds > 0 else 0.0,
                              **wrap_limits, "confirmation_latency": summary_ms(wrap_latency)}
    answers = len(fan_latency) + len(wrap_latency)
    result.figures["answers"] = len(confirmations.answered)
    result.figures["answers_stored"] = stored
    result.figures["answers_stored_twice"] = stored - distinct
    result.figures["members_not_prompted"] = sum(1 for c in chats if prompts[c] == 0)
    result.figures["answers_unconfirmed"] = len(confirmations.answered) - answers
    p95 = result.figures["fanout"]["confirmation_latency"]["p95_ms"] / 1000
    result.target("confirmation_p95_during_fanout_s", round(p95, 3), P95_TARGET_S, at_least=False)
    result.target("fanout_share_of_30_per_second",
                  round(fanout["prompts_per_second"] / TELEGRAM_LIMIT, 3), 0.80, at_least=True)
    result.target("http_429", during["http_429"] + wrap_limits["http_429"], 0, at_least=False)
    result.target("answers_stored_twice", stored - distinct, 0, at_least=False)
    return result


def run(quick: bool = False) -> Result:
    return asyncio.run(_run(quick))

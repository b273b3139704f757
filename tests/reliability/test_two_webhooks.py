"""Webhook mode: two bot processes behind one URL lose nothing and double nothing.

Two real bot processes (``python -m benchmarks.botproc greenslate``, each its own webhook server on
its own port, both told the same public URL) sit behind a small front in this test that hands
updates to one then the other, as a load balancer does. The test plays Telegram: it delivers each
member's answer to the front, and delivers it again whenever it got no 200, as Telegram does. The
front loses one answer in four on the way back (the bot handled the update, Telegram never heard),
so that update arrives again, at the other process. Both processes share Telegram's limits through
Redis, and the Bot API server enforces them.

Afterwards every answer is in the store exactly once (``reports``' unique ``source_ref``, the chat
and message id), every member got exactly one confirmation, and Telegram answered no 429.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import socket
from collections import Counter
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from benchmarks.crew import due_instant, load_crew
from benchmarks.harness import BotProcess
from store.engine import make_engine
from store.tables import reports
from tests.support.botapi import BotApiServer
from tests.support.shared_store import bot_token, redis_url

pytestmark = [pytest.mark.reliability, pytest.mark.postgres, pytest.mark.timeout(300)]

MEMBERS = 60
SECRET = "two-webhooks-secret"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Front:
    """Round robin over the backends; one answer in ``lose_every`` is lost on its way back (502)."""

    def __init__(self, backends: list[str], lose_every: int = 4) -> None:
        self.backends = itertools.cycle(backends)
        self.lose_every = lose_every
        self.handled = Counter[str]()  # backend -> updates it answered 200
        self.lost_on_the_way_back = 0
        self._count = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.port = _free_port()

    async def start(self) -> None:
        self._http = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_post("/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        backend = next(self.backends)
        body = await request.read()
        try:
            async with self._http.post(backend + request.path, data=body, headers={
                    HEADER: request.headers.get(HEADER, ""), "Content-Type": "application/json"}) as answer:
                status = answer.status
        except aiohttp.ClientError:
            return web.Response(status=502)
        if status == 200:
            self.handled[backend] += 1
            if next(self._count) % self.lose_every == 0:
                self.lost_on_the_way_back += 1
                return web.Response(status=502)
        return web.Response(status=status)


async def _deliver(http: aiohttp.ClientSession, url: str, update: dict[str, object]) -> int:
    """As Telegram: again and again until a 200. Returns how many times it was delivered."""
    for attempt in range(1, 20):
        try:
            async with http.post(url, json=update, headers={HEADER: SECRET}) as answer:
                if answer.status == 200:
                    return attempt
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError(f"update {update['update_id']} never accepted")


async def test_two_webhook_processes_behind_one_url_store_and_confirm_each_answer_once(
        pg_db_url: str, tmp_path: Path) -> None:
    engine = make_engine(pg_db_url)
    chats = load_crew(engine, "hooks", MEMBERS, 810_000)
    server = BotApiServer(bot_token(), enforce_limits=True)
    await server.start()
    ports = [_free_port(), _free_port()]
    front = Front([f"http://127.0.0.1:{p}" for p in ports])
    await front.start()
    public = f"http://127.0.0.1:{front.port}/telegram-hook"
    processes = [
        BotProcess(server, "greenslate", database_url=pg_db_url, flags=("--rate-limit",), env={
            "GREENSLATE_TELEGRAM_WEBHOOK_URL": public, "GREENSLATE_TELEGRAM_WEBHOOK_PORT": str(port),
            "GREENSLATE_TELEGRAM_WEBHOOK_SECRET": SECRET,
            "GREENSLATE_TELEGRAM_RATE_LIMIT_STORAGE": redis_url(),
            "GREENSLATE_BENCH_CLOCK": (due_instant() + dt.timedelta(minutes=5)).isoformat(),
        })
        for port in ports
    ]
    try:
        await asyncio.gather(*(p.start(stderr_path=tmp_path / f"hook{i}.log") for i, p in enumerate(processes)))
        assert server.webhook_url == public
        update_ids = itertools.count(1)
        updates = [{"update_id": next(update_ids), "message": server.user_message(chat, "85")}
                   for chat in chats.values()]
        async with aiohttp.ClientSession() as http:
            deliveries = await asyncio.gather(*(_deliver(http, public, u) for u in updates))
        await asyncio.sleep(2)  # a confirmation sent twice would show up now
    finally:
        for p in processes:
            await p.stop()
        await front.stop()
        await server.stop()
    with engine.connect() as conn:
        stored = Counter(conn.execute(select(reports.c.member_id)).scalars())
        by_ref = conn.execute(select(func.count(), func.count(reports.c.source_ref.distinct()))).one()
    engine.dispose()
    # Updates were handled more often than members answered: the lost answers came back, elsewhere.
    assert sum(deliveries) > MEMBERS and front.lost_on_the_way_back >= MEMBERS // 4
    assert all(front.handled[b] > MEMBERS // 4 for b in (f"http://127.0.0.1:{p}" for p in ports)), front.handled
    assert stored == Counter(dict.fromkeys(chats, 1)), stored
    assert by_ref[0] == by_ref[1] == MEMBERS
    confirmations = Counter(s.chat_id for s in server.ledger if s.method == "sendMessage")
    assert confirmations == Counter(dict.fromkeys(chats.values(), 1)), confirmations
    assert all("85" in s.plain for s in server.ledger if s.method == "sendMessage")
    assert server.rejected == []

"""``greenslate run --scheduler`` with a Discord token: escalations and digests still reach the
digest channel, through discord.py's own HTTP client (no gateway), here against a local stand-in
for the three REST routes it uses. When Discord is out of reach the rows wait and are retried,
never written off to the log.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from aiohttp import web

from base.settings import Settings
from bots.discord.team_channel import DiscordTeamChannel
from common.app import App
from greenslate import runtime
from scheduler.notify import Outcome
from store import discord as store
from tests.discord.conftest import PRODUCTION, paris

TOKEN = "MTIzNDU2Nzg5MDEy.scheduler-token.never-logged"
GUILD, DIGEST, PRACTICES = 7001, 7002, 7003
BOT_USER = {"id": "4242", "username": "greenslate", "discriminator": "0001", "avatar": None, "bot": True}


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    """JSON as Discord sends it: ``Content-Type: application/json`` exactly, which discord.py checks."""
    return web.Response(body=json.dumps(body).encode(), status=status, content_type="application/json")


class DiscordRest:
    """Discord's REST API, the part a sender without a gateway calls: who am I, a channel, a post."""

    def __init__(self, *, accept_token: bool = True) -> None:
        self.accept_token = accept_token
        self.posts: list[tuple[int, dict[str, Any]]] = []
        self.authorizations: set[str] = set()
        self._ids = itertools.count(900_001)
        self._runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/api/v10/users/@me", self._me)
        app.router.add_get("/api/v10/oauth2/applications/@me", self._application)
        app.router.add_get("/api/v10/channels/{id}", self._channel)
        app.router.add_post("/api/v10/channels/{id}/messages", self._post)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}/api/v10"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _authorized(self, request: web.Request) -> bool:
        self.authorizations.add(request.headers.get("Authorization", ""))
        return self.accept_token and request.headers.get("Authorization") == f"Bot {TOKEN}"

    async def _me(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        return _json(BOT_USER)

    async def _application(self, request: web.Request) -> web.Response:
        return _json({
            "id": "4242", "name": "greenslate", "description": "", "icon": None, "bot_public": False,
            "bot_require_code_grant": False, "owner": BOT_USER, "verify_key": "0" * 64, "flags": 0,
        })

    async def _channel(self, request: web.Request) -> web.Response:
        channel = int(request.match_info["id"])
        return _json({"id": str(channel), "type": 0, "guild_id": str(GUILD), "name": "digest",
                                  "position": 0, "permission_overwrites": [], "nsfw": False, "parent_id": None})

    async def _post(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        channel = int(request.match_info["id"])
        body = await request.json()
        self.posts.append((channel, body))
        return _json({
            "id": str(next(self._ids)), "channel_id": str(channel), "content": body.get("content", ""),
            "author": BOT_USER, "attachments": [], "embeds": [], "mentions": [], "mention_roles": [],
            "pinned": False, "mention_everyone": False, "tts": False, "type": 0,
            "timestamp": "2027-03-01T20:00:00+00:00", "edited_timestamp": None,
        })


@pytest.fixture
async def rest(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DiscordRest]:
    server = DiscordRest()
    await server.start()
    monkeypatch.setattr(discord.http.Route, "BASE", server.base)
    yield server
    await server.stop()


def scheduler_alone(app: App) -> runtime.RunOptions:
    return runtime.RunOptions(dashboard=False, bots=False, scheduler=True)


@pytest.fixture
def linked(app: App) -> App:
    store.save_link(app.engine, store.GuildLink(PRODUCTION, GUILD, DIGEST, PRACTICES, "Éco-référent"),
                    now=paris(dt.date(2027, 3, 1), 8))
    return App(Settings(database_url=app.settings.database_url, discord_token=TOKEN,  # type: ignore[call-arg]
                        scheduler_tick_seconds=3600, _env_file=None))


async def test_the_scheduler_alone_posts_an_escalation_in_the_digest_channel(rest: DiscordRest, linked: App) -> None:
    running = await runtime.start(linked, scheduler_alone(linked), asyncio.Event())
    try:
        assert isinstance(running.team, DiscordTeamChannel)
        delivery = await running.team.escalate(PRODUCTION, "karim", 2, "")
        again = await running.team.escalate(PRODUCTION, "karim", 2, "")
    finally:
        await runtime.stop(running)
        linked.engine.dispose()
    assert delivery.outcome is Outcome.SENT and again.outcome is Outcome.SENT  # posted once, not twice
    [(channel, body)] = rest.posts
    assert channel == DIGEST and "Karim" in body["content"]
    assert body["allowed_mentions"] == {"parse": []}
    assert rest.authorizations == {f"Bot {TOKEN}"}


async def test_with_discord_out_of_reach_its_rows_wait_instead_of_going_to_the_log(
    rest: DiscordRest, linked: App, caplog: pytest.LogCaptureFixture
) -> None:
    rest.accept_token = False  # Discord refuses the token
    running = await runtime.start(linked, scheduler_alone(linked), asyncio.Event())
    try:
        assert running.discord is None and isinstance(running.team, runtime.DiscordOffline)
        escalation = await running.team.escalate(PRODUCTION, "karim", 2, "")
        digest = await running.team.post_digest(PRODUCTION, dt.date(2027, 3, 1), "")
    finally:
        await runtime.stop(running)
        linked.engine.dispose()
    assert (escalation.outcome, digest.outcome) == (Outcome.RETRY, Outcome.RETRY)
    assert rest.posts == []
    assert "cannot reach Discord" in caplog.text and TOKEN not in caplog.text


async def test_without_a_discord_token_the_scheduler_alone_has_no_team_channel(app: App) -> None:
    running = await runtime.start(app, scheduler_alone(app), asyncio.Event())
    try:
        assert running.team is None and running.discord is None
    finally:
        await runtime.stop(running)

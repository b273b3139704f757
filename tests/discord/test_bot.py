"""The bot itself: start and stop in a running loop, command sync on change, checks shared by prefix commands."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext import commands

from base.settings import Settings
from bots.discord import bot as bot_module
from bots.discord.bot import start_discord
from bots.discord.checks import NotEcoReferent, is_eco_referent
from common.app import App
from store import discord as store
from tests.discord.conftest import PRODUCTION, make_bot, stop_bot

TOKEN = "MTIzNDU2Nzg5MDEy.secret-token-value.never-logged"


async def test_without_a_token_there_is_no_bot(app):
    assert await start_discord(app) is None


async def test_start_logs_in_runs_setup_once_and_close_stops_it(sqlite_db_url, monkeypatch, caplog):
    """The library's own login() runs (setup_hook included); only Discord's two HTTP answers are canned."""
    app = App(Settings(database_url=sqlite_db_url, discord_token=TOKEN, _env_file=None))  # type: ignore[call-arg]
    seen_tokens = []

    async def static_login(self, token):
        seen_tokens.append(token)
        return {"id": "4242", "username": "greenslate", "discriminator": "0001", "avatar": None, "bot": True}

    async def application_info(self):
        return SimpleNamespace(id=4242, interactions_endpoint_url=None, flags=discord.ApplicationFlags())

    async def connect(self, *, reconnect=True):  # the gateway: stays up until the bot is closed
        while not self.is_closed():
            await asyncio.sleep(0.01)

    monkeypatch.setattr(discord.http.HTTPClient, "static_login", static_login)
    monkeypatch.setattr(discord.Client, "application_info", application_info)
    monkeypatch.setattr(bot_module.GreenslateBot, "connect", connect)
    with caplog.at_level(logging.DEBUG):
        bot = await start_discord(app, sync_commands=False)
        assert bot is not None and seen_tokens == [TOKEN]
        assert bot.setup_runs == 1
        assert {c.name for c in bot.tree.get_commands()} == {"balance", "plan", "missing", "action", "practice"}
        digest = bot.get_cog("Digest")
        assert digest.loop.is_running()
        assert not bot.runner.done()
        await bot.close()
        await asyncio.wait_for(bot.runner, 5)
    assert not digest.loop.is_running()
    assert TOKEN not in caplog.text and TOKEN not in repr(app.settings)


async def test_commands_are_synced_only_when_they_change(app, clock, monkeypatch):
    synced = []

    async def sync(self, *, guild=None):
        synced.append(guild)
        return []

    monkeypatch.setattr(discord.app_commands.CommandTree, "sync", sync)
    bot = await make_bot(app, clock)
    try:
        await bot.sync_if_changed()
        await bot.sync_if_changed()
        assert synced == [None]  # global commands, once
        store.set_meta(app.engine, bot.commands_hash_key, "an older definition")
        await bot.sync_if_changed()
        assert synced == [None, None]
    finally:
        await stop_bot(bot)
    restarted = await make_bot(app, clock)
    try:
        await restarted.sync_if_changed()
        assert len(synced) == 2  # a restart with the same commands does not sync again
    finally:
        await stop_bot(restarted)


async def test_the_same_role_check_guards_prefix_commands(bot, server):
    @commands.command(name="whoami")
    @is_eco_referent()
    async def whoami(ctx: commands.Context) -> None:
        await ctx.send(f"production {ctx.link.production_id}")

    bot.add_command(whoami)
    await dpytest.message(f"<@{bot.user.id}> whoami", server.general, server.referent)
    assert dpytest.verify().message().content(f"production {PRODUCTION}")
    with pytest.raises(NotEcoReferent):
        await dpytest.message(f"<@{bot.user.id}> whoami", server.general, server.crew)


async def test_a_gateway_refusing_the_intents_is_explained(sqlite_db_url, monkeypatch, caplog):
    app = App(Settings(database_url=sqlite_db_url, discord_token=TOKEN, _env_file=None))  # type: ignore[call-arg]

    async def static_login(self, token):
        return {"id": "4242", "username": "greenslate", "discriminator": "0001", "avatar": None, "bot": True}

    async def application_info(self):
        return SimpleNamespace(id=4242, interactions_endpoint_url=None, flags=discord.ApplicationFlags())

    async def connect(self, *, reconnect=True):  # Discord closes the gateway with code 4014
        raise discord.PrivilegedIntentsRequired(None)

    monkeypatch.setattr(discord.http.HTTPClient, "static_login", static_login)
    monkeypatch.setattr(discord.Client, "application_info", application_info)
    monkeypatch.setattr(bot_module.GreenslateBot, "connect", connect)
    with caplog.at_level(logging.ERROR, logger="bots.discord.bot"):
        bot = await start_discord(app, sync_commands=False)
        with pytest.raises(discord.PrivilegedIntentsRequired):
            await bot.runner
        await asyncio.sleep(0)  # done callbacks run on the next loop iteration
    assert "turn on the Message Content intent" in caplog.text
    await bot.close()

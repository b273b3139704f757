"""The Discord bot: one ``commands.Bot`` subclass that loads one extension per feature.

``setup_hook`` runs once per process, before the gateway connects: it sets the translator, loads
the extensions, syncs the slash commands (only when they changed) and starts the digest loop.
``on_ready`` only logs: it runs again after every reconnect.

``greenslate run`` runs the bot inside its own event loop::

    bot = await start_discord(app)      # None when GREENSLATE_DISCORD_TOKEN is not set
    ...
    await bot.close()                   # on shutdown
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable

import discord
from discord import app_commands
from discord.ext import commands

from base.i18n import t
from bots.discord import options
from bots.discord.checks import NotEcoReferent, NotLinked
from bots.discord.cogs import EXTENSIONS
from bots.discord.team_channel import DiscordTeamChannel
from bots.discord.translator import CatalogueTranslator, language_of
from common.app import App
from domain.errors import NotFound
from store import discord as store

log = logging.getLogger(__name__)

COMMANDS_HASH_KEY = "commands_hash"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def default_intents() -> discord.Intents:
    """What the bot needs: servers, messages with their text (practices), reactions (votes)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.message_content = True  # privileged: enable it in the developer portal
    wanted.guild_reactions = True
    return wanted


class GreenslateTree(app_commands.CommandTree["GreenslateBot"]):
    """Turns every refused or failed slash command into a short answer only the caller sees."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Every option value fits what its command declares (length, range, choices), or nothing runs."""
        found = options.problem(interaction)
        if found is None:
            return True
        log.warning("slash command option %r refused: it does not fit its declaration", found.option)
        try:
            if interaction.type is discord.InteractionType.autocomplete:
                await interaction.response.autocomplete([])
            else:
                lang = language_of(interaction)
                if found.kind == "length":
                    expected = t(lang, "discord.refusal.option.length", min=found.low, max=found.high)
                elif found.kind == "number" and found.low is not None and found.high is not None:
                    expected = t(lang, "discord.refusal.option.number", min=found.low, max=found.high)
                else:
                    expected = t(lang, "discord.refusal.option.choice")
                text = t(lang, "discord.refusal.option", option=found.option, expected=expected)
                await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell the caller that an option was refused")
        return False

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        lang = language_of(interaction)
        if isinstance(error, NotEcoReferent):
            text = t(lang, "discord.refusal.role", role=error.role_name)
        elif isinstance(error, NotLinked):
            text = t(lang, "discord.refusal.not_linked")
        elif isinstance(error, app_commands.NoPrivateMessage):
            text = t(lang, "discord.refusal.guild_only")
        elif isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, NotFound):
            text = t(lang, "discord.error.unknown_production")
        else:
            log.error("slash command %s failed", interaction.command and interaction.command.qualified_name,
                      exc_info=error)
            text = t(lang, "discord.error.generic")
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell the caller that their command failed")


class GreenslateBot(commands.Bot):
    def __init__(
        self,
        app: App,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        sync_commands: bool = True,
        intents: discord.Intents | None = None,
        **options: object,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents or default_intents(),
            tree_cls=GreenslateTree,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **options,  # type: ignore[arg-type]
        )
        self.app = app
        self.clock = clock
        self.sync_commands = sync_commands
        self.team_channel = DiscordTeamChannel(self, app, clock)
        self.setup_runs = 0
        self.ready_count = 0

    def now(self) -> dt.datetime:
        return self.clock()

    async def setup_hook(self) -> None:
        self.setup_runs += 1
        await self.tree.set_translator(CatalogueTranslator())
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.sync_commands:
            await self.sync_if_changed()
        digest = self.get_cog("Digest")
        digest.start()  # type: ignore[union-attr]  # background work: once, here

    async def on_ready(self) -> None:
        self.ready_count += 1  # runs again after each reconnect: start nothing here
        log.info("Discord bot connected as %s (ready %d times)", self.user, self.ready_count)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        link = await asyncio.to_thread(store.link_for_guild, self.app.engine, guild.id)
        if link is None:
            log.info("joined server %s, which is not linked to a production: it is ignored", guild.id)

    @property
    def commands_hash_key(self) -> str:
        """Per Discord application: two bots on one database each sync their own commands."""
        return f"{COMMANDS_HASH_KEY}:{self.application_id}"

    async def sync_if_changed(self) -> None:
        """Sync the slash commands globally, only when their definition changed (Discord rate-limits it)."""
        translator = self.tree.translator
        payload = [await c.get_translated_payload(self.tree, translator) for c in self.tree.get_commands()]  # type: ignore[arg-type]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
        key = self.commands_hash_key
        if await asyncio.to_thread(store.get_meta, self.app.engine, key) == digest:
            return
        await self.tree.sync()
        await asyncio.to_thread(store.set_meta, self.app.engine, key, digest)
        log.info("slash commands synced")

    async def close(self) -> None:
        digest = self.get_cog("Digest")
        if digest is not None:
            digest.loop.cancel()  # type: ignore[attr-defined]
        await super().close()


async def start_discord(app: App, **options: object) -> GreenslateBot | None:
    """Log in and run the bot as a task of the running loop; None when no token is configured.

    The task is ``bot.runner``; ``await bot.close()`` stops it. Login errors (a wrong token) raise here.
    """
    token = app.settings.discord_token
    if token is None:
        return None
    bot = GreenslateBot(app, **options)  # type: ignore[arg-type]
    await bot.login(token.get_secret_value())  # runs setup_hook once
    runner = asyncio.create_task(bot.connect(reconnect=True), name="discord-gateway")
    runner.add_done_callback(_gateway_stopped)
    bot.runner = runner  # type: ignore[attr-defined]
    return bot


def _gateway_stopped(task: asyncio.Task[None]) -> None:
    """Say why the gateway stopped, in words an operator can act on (the token is never printed)."""
    if task.cancelled():
        return
    error = task.exception()
    if isinstance(error, discord.PrivilegedIntentsRequired):
        log.error("the Discord bot stopped: turn on the Message Content intent in the developer portal")
    elif error is not None:
        log.error("the Discord bot stopped: %s", type(error).__name__, exc_info=error)

"""Good practices: /practice, messages in the practices channel, and reactions counted as votes.

A message posted in the linked practices channel is captured once (keyed by its message id) with
its author, link and date. Any reaction on it from another person is a vote; the author's own
reactions and bots' do not count. The dashboard lists them (``store.discord.practices``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy import Engine

from base.i18n import t
from bots.discord import services
from bots.discord.checks import is_eco_referent
from bots.discord.translator import cmd, language_of
from store import discord as store

if TYPE_CHECKING:
    from bots.discord.bot import GreenslateBot

log = logging.getLogger(__name__)

#: Discord's error code when a member does not accept direct messages from the server's bots.
CANNOT_DM = 50007
PRACTICE_LIMIT = 1500


def practice_text(message: discord.Message) -> str:
    """The message's text; for a photo posted without words, the links to what it shows."""
    return message.content.strip() or " ".join(a.url for a in message.attachments)


class Practices(commands.Cog):
    def __init__(self, bot: GreenslateBot) -> None:
        self.bot = bot

    @property
    def engine(self) -> Engine:
        return self.bot.app.engine

    # -- /practice --------------------------------------------------------------------------------

    @app_commands.command(
        name=cmd("discord.cmd.practice.name", "practice"),
        description=cmd("discord.cmd.practice.description", "Record a good practice"),
    )
    @app_commands.rename(text=cmd("discord.cmd.practice.text.name", "text"))
    @app_commands.describe(
        text=cmd("discord.cmd.practice.text.description", "The good practice, in one or two sentences")
    )
    @app_commands.guild_only()
    @is_eco_referent()
    async def practice(
        self, interaction: discord.Interaction, text: app_commands.Range[str, 1, PRACTICE_LIMIT]
    ) -> None:
        """Record a good practice, and share it in the practices channel where people can vote."""
        link = interaction.extras["link"]
        production = await services.production(self.bot.app, link.production_id)
        lang = language_of(interaction, production.language.value)
        text = text.strip()
        if not text:
            await interaction.response.send_message(t(lang, "discord.practice.empty"), ephemeral=True)
            return
        author = interaction.user
        post_text = t(production.language.value, "discord.practice.post", name=author.display_name, text=text)
        message_id, channel_id, jump = interaction.id, interaction.channel_id or 0, ""
        channel = self.bot.get_channel(link.practices_channel_id)
        if isinstance(channel, discord.abc.Messageable):
            try:
                posted = await channel.send(post_text, allowed_mentions=discord.AllowedMentions.none())
                message_id, channel_id, jump = posted.id, posted.channel.id, posted.jump_url
            except discord.HTTPException as exc:  # saved all the same; only the shared copy is missing
                log.warning("cannot share a practice in channel %s: %s", link.practices_channel_id, exc)
        await asyncio.to_thread(
            store.add_practice, self.engine, production_id=link.production_id, message_id=message_id,
            channel_id=channel_id, author_id=author.id, author_name=author.display_name, text=text,
            link=jump, source="command", posted_at=self.bot.now(),
        )
        await interaction.response.send_message(t(lang, "discord.practice.saved"), ephemeral=True)

    # -- the practices channel ----------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Capture a message of the practices channel as a good practice, once."""
        text = practice_text(message)
        if message.author.bot or message.guild is None or not text:
            return
        link = await asyncio.to_thread(store.link_for_guild, self.engine, message.guild.id)
        if link is None or message.channel.id != link.practices_channel_id:
            return  # a server that is not linked, or another channel: not ours
        _, new = await asyncio.to_thread(
            store.add_practice, self.engine, production_id=link.production_id, message_id=message.id,
            channel_id=message.channel.id, author_id=message.author.id,
            author_name=message.author.display_name, text=text, link=message.jump_url,
            source="channel", posted_at=message.created_at,
        )
        if new:
            await self._thank(message, link.production_id)

    async def _thank(self, message: discord.Message, production_id: str) -> None:
        """Tell the author it is saved, privately; if their DMs are closed, by a short reply instead."""
        production = await services.production(self.bot.app, production_id)
        lang = production.language.value
        try:
            await message.author.send(t(lang, "discord.practice.thanks", title=production.title))
        except discord.Forbidden as exc:
            if exc.code != CANNOT_DM:
                log.warning("cannot thank %s for a practice: %s", message.author.id, exc)
                return
            try:
                await message.reply(
                    t(lang, "discord.practice.thanks_reply", mention=message.author.mention),
                    mention_author=False,
                    allowed_mentions=discord.AllowedMentions(users=[message.author]),
                )
            except discord.HTTPException as reply_exc:
                log.warning("cannot reply to practice %s: %s", message.id, reply_exc)
        except discord.HTTPException as exc:
            log.warning("cannot thank %s for a practice: %s", message.author.id, exc)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """An edited practice reads as it does now (works for messages no longer in the cache)."""
        if payload.guild_id is None or payload.message.author.bot:
            return
        text = practice_text(payload.message)
        if text:
            await asyncio.to_thread(store.update_practice_text, self.engine, payload.message_id, text)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """A deleted message is no longer a practice: its author took it back."""
        if payload.guild_id is not None:
            await asyncio.to_thread(store.remove_practice, self.engine, payload.message_id)

    # -- votes ------------------------------------------------------------------------------------

    async def _practice_of(self, payload: discord.RawReactionActionEvent) -> int | None:
        if payload.guild_id is None or (self.bot.user is not None and payload.user_id == self.bot.user.id):
            return None
        if payload.member is not None and payload.member.bot:
            return None
        link = await asyncio.to_thread(store.link_for_guild, self.engine, payload.guild_id)
        if link is None or payload.channel_id != link.practices_channel_id:
            return None
        found = await asyncio.to_thread(store.practice_for_message, self.engine, payload.message_id)
        if found is None:
            return None
        practice_id, author_id = found
        return None if author_id == payload.user_id else practice_id

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        practice_id = await self._practice_of(payload)
        if practice_id is not None:
            await asyncio.to_thread(
                store.add_vote, self.engine, practice_id, payload.user_id, str(payload.emoji), at=self.bot.now()
            )

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        practice_id = await self._practice_of(payload)
        if practice_id is not None:
            await asyncio.to_thread(store.remove_vote, self.engine, practice_id, payload.user_id, str(payload.emoji))


async def setup(bot: GreenslateBot) -> None:
    await bot.add_cog(Practices(bot))

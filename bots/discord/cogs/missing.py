"""/missing: who has not answered today's prompts, and who cannot be reached."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord import services
from bots.discord.checks import on_linked_server
from bots.discord.replies import answer
from bots.discord.texts import missing_text
from bots.discord.translator import cmd, language_of

if TYPE_CHECKING:
    from bots.discord.bot import GreenslateBot


class Missing(commands.Cog):
    def __init__(self, bot: GreenslateBot) -> None:
        self.bot = bot

    @app_commands.command(
        name=cmd("discord.cmd.missing.name", "missing"),
        description=cmd("discord.cmd.missing.description", "Who has not answered today yet"),
    )
    @app_commands.guild_only()
    @on_linked_server()
    async def missing(self, interaction: discord.Interaction) -> None:
        """Today's prompts already sent and still unanswered, then the members nobody can reach."""
        link = interaction.extras["link"]
        production, roll = await services.missing(self.bot.app, link.production_id, self.bot.now())
        lang = language_of(interaction, production.language.value)
        await answer(interaction, missing_text(production, roll, lang))


async def setup(bot: GreenslateBot) -> None:
    await bot.add_cog(Missing(bot))

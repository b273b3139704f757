"""/balance and /plan: the carbon balance with its chart, and the action plan's progress."""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord import services
from bots.discord.chart import balance_chart
from bots.discord.checks import on_linked_server
from bots.discord.replies import answer
from bots.discord.texts import balance_text, plan_text
from bots.discord.translator import cmd, language_of

if TYPE_CHECKING:
    from bots.discord.bot import GreenslateBot

CHART_FILE = "bilan-carbone.png"


class Insights(commands.Cog):
    def __init__(self, bot: GreenslateBot) -> None:
        self.bot = bot

    @app_commands.command(
        name=cmd("discord.cmd.balance.name", "balance"),
        description=cmd("discord.cmd.balance.description", "The shoot's carbon balance, with a chart"),
    )
    @app_commands.guild_only()
    @on_linked_server()
    async def balance(self, interaction: discord.Interaction) -> None:
        """The balance by category against the forecast, the projection, per shooting day, with a chart."""
        link = interaction.extras["link"]
        await interaction.response.defer(thinking=True)
        production, result = await services.balance(self.bot.app, link.production_id)
        lang = language_of(interaction, production.language.value)
        png, description = await asyncio.to_thread(balance_chart, result, lang)
        chart = discord.File(io.BytesIO(png), filename=CHART_FILE, description=description)
        await answer(interaction, balance_text(production, result, lang), file=chart)

    @app_commands.command(
        name=cmd("discord.cmd.plan.name", "plan"),
        description=cmd("discord.cmd.plan.description", "The action plan and its progress"),
    )
    @app_commands.guild_only()
    @on_linked_server()
    async def plan(self, interaction: discord.Interaction) -> None:
        """Each action: owner, indicator, baseline, current, target, progress, status."""
        link = interaction.extras["link"]
        production, progress = await services.plan(self.bot.app, link.production_id)
        lang = language_of(interaction, production.language.value)
        await answer(interaction, plan_text(production, progress, lang))


async def setup(bot: GreenslateBot) -> None:
    await bot.add_cog(Insights(bot))

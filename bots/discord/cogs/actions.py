"""/action ID STATUS [note] [outcome]: an eco-referent moves an action of the plan along.

At the end of the shoot a done action is marked reproducible (worth repeating on other shoots) or
specific to this production. Bad input changes nothing and is answered to the caller only.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import Choice
from discord.ext import commands

from base.i18n import t
from bots.discord import services
from bots.discord.checks import is_eco_referent
from bots.discord.translator import cmd, language_of
from domain.errors import InvalidReport, UnknownAction
from domain.model import ActionOutcome, ActionStatus
from store import discord as store

if TYPE_CHECKING:
    from bots.discord.bot import GreenslateBot

STATUS_CHOICES = [
    Choice(name=cmd(f"discord.choice.status.{s.value}", s.value.replace("_", " ")), value=s.value)
    for s in ActionStatus
]
OUTCOME_CHOICES = [
    Choice(name=cmd(f"discord.choice.outcome.{o.value}", o.value), value=o.value) for o in ActionOutcome
]
NOTE_LIMIT = 500


class Actions(commands.Cog):
    def __init__(self, bot: GreenslateBot) -> None:
        self.bot = bot

    @app_commands.command(
        name=cmd("discord.cmd.action.name", "action"),
        description=cmd("discord.cmd.action.description", "Change the status of an action in the plan"),
    )
    @app_commands.rename(
        action_id=cmd("discord.cmd.action.id.name", "action"),
        status=cmd("discord.cmd.action.status.name", "status"),
        note=cmd("discord.cmd.action.note.name", "note"),
        outcome=cmd("discord.cmd.action.outcome.name", "outcome"),
    )
    @app_commands.describe(
        action_id=cmd("discord.cmd.action.id.description", "The action's code, for example A1"),
        status=cmd("discord.cmd.action.status.description", "The new status"),
        note=cmd("discord.cmd.action.note.description", "A short note, if needed"),
        outcome=cmd(
            "discord.cmd.action.outcome.description",
            "At the end of the shoot: reproducible or specific to this shoot",
        ),
    )
    @app_commands.choices(status=STATUS_CHOICES, outcome=OUTCOME_CHOICES)
    @app_commands.guild_only()
    @is_eco_referent()
    async def action(
        self,
        interaction: discord.Interaction,
        action_id: app_commands.Range[str, 1, 64],
        status: Choice[str],
        note: app_commands.Range[str, 0, NOTE_LIMIT] = "",
        outcome: Choice[str] | None = None,
    ) -> None:
        """Set an action to planned, in progress, done or dropped (and, once done, its outcome)."""
        link = interaction.extras["link"]
        production = await services.production(self.bot.app, link.production_id)
        lang = language_of(interaction, production.language.value)
        wanted = action_id.strip()
        known = {a.id.casefold(): a.id for a in production.action_plan}
        action_key = known.get(wanted.casefold(), wanted)
        new_status = ActionStatus(status.value)
        new_outcome = ActionOutcome(outcome.value) if outcome is not None else None
        by = f"{interaction.user.display_name} (discord {interaction.user.id})"
        try:
            await services.set_action_status(
                self.bot.app, link.production_id, action_key, new_status,
                by=by, at=self.bot.now(), outcome=new_outcome, note=note.strip(),
            )
        except UnknownAction:
            ids = ", ".join(a.id for a in production.action_plan) or "-"
            await interaction.response.send_message(
                t(lang, "discord.action.unknown", id=wanted, ids=ids), ephemeral=True
            )
            return
        except InvalidReport:
            await interaction.response.send_message(t(lang, "discord.action.outcome_needs_done"), ephemeral=True)
            return
        status_text = t(lang, f"discord.status.{new_status.value}")
        name = interaction.user.display_name
        if new_outcome is None:
            text = t(lang, "discord.action.saved", id=action_key, status=status_text, by=name)
        else:
            text = t(lang, "discord.action.saved_outcome", id=action_key, status=status_text,
                     outcome=t(lang, f"discord.outcome.{new_outcome.value}"), by=name)
        await interaction.response.send_message(text, allowed_mentions=discord.AllowedMentions.none())

    @action.autocomplete("action_id")
    async def action_ids(self, interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        """The plan's actions whose code or objective contains what was typed so far."""
        if interaction.guild_id is None:
            return []
        link = await asyncio.to_thread(store.link_for_guild, self.bot.app.engine, interaction.guild_id)
        if link is None:
            return []
        production = await services.production(self.bot.app, link.production_id)
        typed = current.strip().casefold()
        return [
            Choice(name=f"{a.id} – {a.objective}"[:100], value=a.id)
            for a in production.action_plan
            if typed in f"{a.id} {a.objective}".casefold()
        ][:25]


async def setup(bot: GreenslateBot) -> None:
    await bot.add_cog(Actions(bot))

"""Answering a slash command with a text that may need several messages (Discord's limit is 2,000 characters)."""

from __future__ import annotations

from typing import Any

import discord

from bots.discord.texts import split


async def answer(
    interaction: discord.Interaction, text: str, *, file: discord.File | None = None, ephemeral: bool = False
) -> None:
    """The first part answers the interaction (with the file, if any); the others follow it, in order."""
    parts = split(text) or [""]
    for i, part in enumerate(parts):
        options: dict[str, Any] = {"ephemeral": ephemeral, "allowed_mentions": discord.AllowedMentions.none()}
        if i == 0 and file is not None:
            options["file"] = file
        if i == 0 and not interaction.response.is_done():
            await interaction.response.send_message(part, **options)
        else:
            await interaction.followup.send(part, **options)

"""French and English names and descriptions for the slash commands, from the gettext catalogues.

Commands are declared with ``locale_str("balance", key="discord.cmd.balance.name")``: the English
text is Discord's default, and this translator gives each language's text from ``discord.po``.
"""

from __future__ import annotations

import discord
from discord import app_commands

from base.i18n import catalogue, normalise_language

#: Discord locales we have texts for, and the catalogue that serves each.
LOCALES = {
    discord.Locale.french: "fr",
    discord.Locale.american_english: "en",
    discord.Locale.british_english: "en",
}


def cmd(key: str, default: str) -> app_commands.locale_str:
    """A translatable command string: ``default`` is shown where no translation exists."""
    return app_commands.locale_str(default, key=key)


class CatalogueTranslator(app_commands.Translator):
    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        lang = LOCALES.get(locale)
        if key is None or lang is None:
            return None
        return catalogue(lang).get(key)


def language_of(interaction: discord.Interaction, fallback: str | None = None) -> str:
    """The caller's language: their Discord client's, if French or English, else the production's."""
    locale = str(interaction.locale or "")
    if locale.startswith(("fr", "en")):
        return locale[:2]
    return normalise_language(fallback)

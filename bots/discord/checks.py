"""Every permission check of the bot, named like the roles they stand for.

Each check works for slash commands (``app_commands.check``) and prefix commands
(``commands.check``): the decorator looks at what it decorates. A check that passes leaves the
server's link in ``interaction.extras["link"]`` (or ``ctx.link``) for the command to use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from enum import IntEnum
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from store.discord import GuildLink, link_for_guild

T = TypeVar("T")


class Privilege(IntEnum):
    """What a member may do on a linked server, lowest first (as Red's ``PrivilegeLevel``)."""

    NONE = 0  # not on a linked server
    CREW = 1  # anyone on the linked server: read commands
    ECO_REFERENT = 2  # the production's eco-referent role: write commands


class NotLinked(app_commands.CheckFailure, commands.CheckFailure):
    """The server is not linked to a production (or the command ran outside a server)."""


class NotEcoReferent(app_commands.CheckFailure, commands.CheckFailure):
    def __init__(self, role_name: str) -> None:
        self.role_name = role_name
        super().__init__(f"needs the {role_name!r} role")


def has_role(member: discord.abc.User, role_name: str) -> bool:
    roles = getattr(member, "roles", None) or []
    wanted = role_name.strip().casefold()
    return any(r.name.strip().casefold() == wanted for r in roles)


def privilege(member: discord.abc.User, link: GuildLink | None) -> Privilege:
    if link is None or not isinstance(member, discord.Member) or member.guild.id != link.guild_id:
        return Privilege.NONE
    return Privilege.ECO_REFERENT if has_role(member, link.role_name) else Privilege.CREW


async def _link(client: discord.Client, guild_id: int | None) -> GuildLink | None:
    if guild_id is None:
        return None
    engine = client.app.engine  # type: ignore[attr-defined]
    return await asyncio.to_thread(link_for_guild, engine, guild_id)


async def require(interaction_or_ctx: Any, level: Privilege) -> GuildLink:
    """The server's link if the caller has ``level``, else the check failure that says why."""
    if isinstance(interaction_or_ctx, discord.Interaction):
        client, guild_id, user = interaction_or_ctx.client, interaction_or_ctx.guild_id, interaction_or_ctx.user
    else:
        ctx = interaction_or_ctx
        client, guild_id, user = ctx.bot, ctx.guild.id if ctx.guild else None, ctx.author
    link = await _link(client, guild_id)
    if link is None:
        raise NotLinked("this server is not linked to a production")
    if privilege(user, link) < level:
        raise NotEcoReferent(link.role_name)
    if isinstance(interaction_or_ctx, discord.Interaction):
        interaction_or_ctx.extras["link"] = link
    else:
        interaction_or_ctx.link = link
    return link


def _check(level: Privilege) -> Callable[[T], T]:
    async def predicate(interaction_or_ctx: Any) -> bool:
        await require(interaction_or_ctx, level)
        return True

    app_check = app_commands.check(predicate)
    prefix_check = commands.check(predicate)

    def decorator(func: T) -> T:
        if isinstance(func, commands.Command):
            return prefix_check(func)
        if isinstance(func, app_commands.Command):
            return app_check(func)
        return app_check(prefix_check(func))  # a plain callback: both

    return decorator


def on_linked_server() -> Callable[[T], T]:
    """Anyone on a server linked to a production: the read commands."""
    return _check(Privilege.CREW)


def is_eco_referent() -> Callable[[T], T]:
    """A member with the production's eco-referent role: the write commands."""
    return _check(Privilege.ECO_REFERENT)


"""``greenslate discord``: link a production to a Discord server, and read what the bot captured.

The link can also come from the production file's optional ``discord:`` section::

    discord: {guild: 111, digest_channel: 222, practices_channel: 333, role: "Éco-référent"}

read with ``greenslate discord link PRODUCTION --from-file FILE``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from domain.errors import GreenslateError, UnknownProduction
from greenslate.cli.opening import open_app

if TYPE_CHECKING:
    from common.production_file import DiscordModel
    from store import discord as store


def register(main: click.Group) -> None:
    main.add_command(discord_group)


class LinkError(GreenslateError):
    code = "discord_link"


def _snowflake(value: Any, what: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise LinkError(f"{what} must be a Discord id (a number), not {value!r}") from None
    if not 0 < number < 2**64:
        raise LinkError(f"{what} must be a Discord id (a positive number), not {value!r}")
    return number


def link_from_file(path: Path) -> DiscordModel:
    """The ``discord:`` section of a production file, as the production file reader validated it.

    The whole file is read and checked once, by ``common.production_file``: the ids and the
    role are the very values ``production load`` would use, never a second reading with other
    YAML rules.
    """
    from common.production_file import load_production_file_with_discord

    _, section = load_production_file_with_discord(path)
    if section is None:
        raise LinkError(f"{path}: no `discord:` section (guild, digest_channel, practices_channel, role)")
    return section


def guild_link(production_id: str, section: DiscordModel) -> store.GuildLink:
    """The link a validated ``discord:`` section describes."""
    from store import discord as store  # the store: imported when a command runs

    return store.GuildLink(
        production_id=production_id,
        guild_id=section.guild,
        digest_channel_id=section.digest_channel,
        practices_channel_id=section.practices_channel,
        role_name=section.role.strip(),
    )


@click.group("discord")
def discord_group() -> None:
    """The Discord server of each production: eco-referents' commands, digest and good practices."""


@discord_group.command("link")
@click.argument("production_id", metavar="PRODUCTION")
@click.option("--guild", help="The server id (right-click the server, Copy Server ID).")
@click.option("--digest-channel", help="The channel id where the daily digest and alerts are posted.")
@click.option("--practices-channel", help="The channel id whose messages are captured as good practices.")
@click.option("--role", help="The name of the eco-referent role, allowed to use the write commands.")
@click.option("--from-file", "from_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Read the four values from the production file's `discord:` section.")
def discord_link(
    production_id: str,
    guild: str | None,
    digest_channel: str | None,
    practices_channel: str | None,
    role: str | None,
    from_file: Path | None,
) -> None:
    """Link PRODUCTION to a Discord server. Servers that are not linked are ignored by the bot."""
    from store import discord as store  # the store: imported when a command runs

    if from_file is not None:
        section = link_from_file(from_file)
        guild = guild or str(section.guild)
        digest_channel = digest_channel or str(section.digest_channel)
        practices_channel = practices_channel or str(section.practices_channel)
        role = role or section.role
    missing = [name for name, v in (("--guild", guild), ("--digest-channel", digest_channel),
                                     ("--practices-channel", practices_channel), ("--role", role)) if not v]
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)} (or --from-file)")
    role_name = str(role).strip()
    if not role_name:
        raise LinkError("--role must name a role")
    link = store.GuildLink(
        production_id=production_id,
        guild_id=_snowflake(guild, "--guild"),
        digest_channel_id=_snowflake(digest_channel, "--digest-channel"),
        practices_channel_id=_snowflake(practices_channel, "--practices-channel"),
        role_name=role_name,
    )
    app = open_app()
    with app.uow() as uow:
        if uow.productions.find(production_id) is None:
            raise UnknownProduction(production_id)
    try:
        store.save_link(app.engine, link, now=dt.datetime.now(dt.UTC))
    except ValueError as exc:
        raise LinkError(str(exc)) from None
    click.echo(
        f"{production_id} linked to server {link.guild_id}: digest in channel {link.digest_channel_id}, "
        f"practices from channel {link.practices_channel_id}, write commands for role {role_name!r}"
    )


@discord_group.command("unlink")
@click.argument("production_id", metavar="PRODUCTION")
def discord_unlink(production_id: str) -> None:
    """Stop serving PRODUCTION on Discord. What the bot captured is kept."""
    from store import discord as store  # the store: imported when a command runs

    app = open_app()
    if not store.remove_link(app.engine, production_id):
        raise LinkError(f"{production_id} is not linked to a Discord server")
    click.echo(f"{production_id} is no longer linked to a Discord server")


@discord_group.command("links")
def discord_links() -> None:
    """Every production linked to a Discord server."""
    from store import discord as store  # the store: imported when a command runs

    app = open_app()
    links = store.all_links(app.engine)
    if not links:
        click.echo("no production is linked to a Discord server")
    for link in links:
        click.echo(
            f"{link.production_id}\tserver {link.guild_id}\tdigest {link.digest_channel_id}\t"
            f"practices {link.practices_channel_id}\trole {link.role_name}"
        )


@discord_group.command("practices")
@click.argument("production_id", metavar="PRODUCTION")
def discord_practices(production_id: str) -> None:
    """The good practices captured for PRODUCTION, most voted first."""
    from store import discord as store  # the store: imported when a command runs

    app = open_app()
    found = store.practices(app.engine, production_id)
    if not found:
        click.echo(f"no good practice recorded for {production_id} yet")
    for p in found:
        when = p.posted_at.strftime("%Y-%m-%d")
        click.echo(f"{p.votes} vote(s)\t{when}\t{p.author_name}\t{p.text}\t{p.link}")

"""``greenslate crew``: invite crew members to the Telegram bot, and forget a member on request."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from domain.errors import GreenslateError


def register(main: click.Group) -> None:
    main.add_command(crew)


@click.group()
def crew() -> None:
    """Crew members: Telegram invites, and erasing a member's identity."""


@crew.command("invite")
@click.argument("production_id", metavar="PRODUCTION")
@click.option("--member", "members", multiple=True, metavar="ID",
              help="Invite only this member (repeatable). Default: every member on Telegram.")
@click.option("--qr", "qr_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write one QR code PNG per member in this folder, for the call sheet.")
@click.option("--days", default=14, show_default=True, type=click.IntRange(1, 365),
              help="Days before the links expire.")
def invite(production_id: str, members: tuple[str, ...], qr_dir: Path | None, days: int) -> None:
    """Print one single-use Telegram invite link per member."""
    from bots.telegram.invites import bot_username, create_invites, qr_file_name, write_qr
    from greenslate.cli.core import open_app

    app = open_app()
    with app.uow() as uow:
        bot = uow.productions.get(production_id).telegram_bot
    username = bot_username(app, bot)
    links = create_invites(app, production_id, username, list(members) or None, ttl=dt.timedelta(days=days))
    if not links:
        raise GreenslateError(f"no crew member of {production_id} reports on Telegram: nothing to invite")
    for link in links:
        line = f"{link.member_id}\t{link.name}\t{link.url}"
        if qr_dir is not None:
            path = write_qr(link.url, qr_dir / qr_file_name(production_id, link.member_id))
            line += f"\t{path}"
        click.echo(line)
    click.echo(f"links expire on {links[0].expires_at:%Y-%m-%d %H:%M} UTC; each works once", err=True)


@crew.command("forget")
@click.argument("member_id", metavar="MEMBER")
@click.option("--production", "production_id", metavar="ID",
              help="The production, when the member id is used in several.")
def forget(member_id: str, production_id: str | None) -> None:
    """Erase a member's name and chat link (GDPR art. 17); their figures stay in the totals, anonymous.

    Every invite of the member is revoked, their Telegram traces deleted, and the messages to the
    eco-referents that named them say their member id instead.
    """
    from greenslate.cli.core import open_app
    from store.erasure import erase_member

    app = open_app()
    with app.uow() as uow:
        candidates = [p.id for p in uow.productions.list() if production_id in (None, p.id)]
        owners = [pid for pid in candidates if any(s.member_id == member_id for s in uow.members.states(pid))]
        if not owners:
            where = f" in {production_id}" if production_id else ""
            raise GreenslateError(f"no crew member {member_id!r}{where}")
        if len(owners) > 1:
            raise GreenslateError(f"{member_id!r} is in several productions ({', '.join(owners)}): "
                                  "say which with --production")
        # One transaction: name, chat, invites, Telegram traces, chat references, team messages.
        erase_member(uow.connection, owners[0], member_id, dt.datetime.now(dt.UTC))
        uow.commit()
    click.echo(f"{member_id} forgotten in {owners[0]}: name, chat link and invites erased, "
               "figures kept anonymous")

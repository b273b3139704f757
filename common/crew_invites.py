"""Crew invites to the Telegram bot: single-use links, their QR codes, and who has joined.

Shared by ``greenslate crew invite`` (through ``bots.telegram.invites``) and the dashboard's call
sheet. A new link for a member replaces the member's links not yet used (a lost call sheet stops
working once a new one is printed).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import update

from domain.errors import UnknownMember
from domain.model import Channel, CrewMember, Production
from store.telegram import TelegramStore
from store.telegram_tables import telegram_invites

if TYPE_CHECKING:
    from common.app import App

DEFAULT_TTL = dt.timedelta(days=14)
USERNAME_VARIABLE = "GREENSLATE_TELEGRAM_BOT_USERNAME"
#: The @usernames of the named bots (GREENSLATE_TELEGRAM_BOTS), as ``name=username`` pairs.
USERNAMES_VARIABLE = "GREENSLATE_TELEGRAM_BOT_USERNAMES"


@dataclass(frozen=True)
class InviteLink:
    member_id: str
    name: str
    url: str
    expires_at: dt.datetime


class _UsernameSetting(BaseSettings):
    """GREENSLATE_TELEGRAM_BOT_USERNAME(S), from the environment or ``.env`` like every other setting."""

    model_config = SettingsConfigDict(env_prefix="GREENSLATE_", env_file=".env", extra="ignore")
    telegram_bot_username: str = ""
    telegram_bot_usernames: str = ""


def username_variable(bot: str = "") -> str:
    """The setting that gives the @username of ``bot`` ("" is the default bot)."""
    return USERNAMES_VARIABLE if bot else USERNAME_VARIABLE


def configured_bot_username(bot: str = "") -> str:
    """The @username of the bot named ``bot`` ("" is the default bot) as configured, without the @;
    empty when it is not set."""
    setting = _UsernameSetting()
    if not bot:
        return setting.telegram_bot_username.strip().lstrip("@")
    for pair in re.split(r"[\s,]+", setting.telegram_bot_usernames):
        name, _, username = pair.partition("=")
        if name.strip().lower() == bot:
            return username.strip().lstrip("@")
    return ""


def invited_crew(production: Production, member_ids: list[str] | None = None) -> list[CrewMember]:
    """The members named (every one must exist), or by default every member who reports on Telegram."""
    if not member_ids:
        return [m for m in production.crew if m.channel is Channel.TELEGRAM]
    crew = []
    for member_id in member_ids:
        try:
            crew.append(production.member(member_id))
        except KeyError:
            raise UnknownMember(member_id, production.id) from None
    return crew


def create_invites(
    app: App,
    production_id: str,
    username: str,
    member_ids: list[str] | None = None,
    *,
    ttl: dt.timedelta = DEFAULT_TTL,
    now: dt.datetime | None = None,
    replace: bool = False,
) -> list[InviteLink]:
    """One single-use link per member; with ``replace``, the members' unused links stop working."""
    now = now or dt.datetime.now(dt.UTC)
    with app.uow() as uow:
        production = uow.productions.get(production_id)
    crew = invited_crew(production, member_ids)
    store = TelegramStore(app.engine)
    if replace and crew:
        with app.engine.begin() as conn:
            conn.execute(update(telegram_invites).where(
                telegram_invites.c.production_id == production_id,
                telegram_invites.c.member_id.in_([m.id for m in crew]),
                telegram_invites.c.used_at.is_(None)).values(used_at=now))
    links = []
    for member in crew:
        token = store.create_invite(production_id, member.id, ttl, now)
        links.append(InviteLink(member.id, member.name, f"https://t.me/{username}?start={token}", now + ttl))
    return links


def qr_png(url: str) -> bytes:
    """A PNG QR code of ``url``, large enough to scan from a printed call sheet."""
    import qrcode

    image = qrcode.make(url, box_size=8, border=4)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def qr_data_uri(url: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(url)).decode("ascii")

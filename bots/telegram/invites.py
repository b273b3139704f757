"""Invite links (``https://t.me/<bot>?start=<token>``) and their QR codes, for ``crew invite``."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from common.app import App
from domain.errors import GreenslateError, UnknownMember
from domain.model import Channel
from store.telegram import TelegramStore

DEFAULT_TTL = dt.timedelta(days=14)
USERNAME_VARIABLE = "GREENSLATE_TELEGRAM_BOT_USERNAME"


@dataclass(frozen=True)
class InviteLink:
    member_id: str
    name: str
    url: str
    expires_at: dt.datetime


class _UsernameSetting(BaseSettings):
    """GREENSLATE_TELEGRAM_BOT_USERNAME, from the environment or ``.env`` like every other setting."""

    model_config = SettingsConfigDict(env_prefix="GREENSLATE_", env_file=".env", extra="ignore")
    telegram_bot_username: str = ""


def bot_username(app: App) -> str:
    """The bot's @username: from GREENSLATE_TELEGRAM_BOT_USERNAME, else asked of Telegram with the token."""
    name = _UsernameSetting().telegram_bot_username.strip().lstrip("@")
    if name:
        return name
    token = app.settings.telegram_token
    if token is None:
        raise GreenslateError(
            f"cannot build invite links: set {USERNAME_VARIABLE} (the bot's @username) "
            "or GREENSLATE_TELEGRAM_TOKEN (the username is then asked of Telegram)"
        )
    return asyncio.run(_ask_username(token.get_secret_value(), app.settings.telegram_api_url))


async def _ask_username(token: str, api_url: str) -> str:
    from telegram import Bot
    from telegram.error import TelegramError

    from bots.telegram.app import bot_api_base

    try:
        async with Bot(token, base_url=bot_api_base(api_url)) as bot:
            return str(bot.username)
    except TelegramError as exc:  # never print the token: only what went wrong
        raise GreenslateError(f"cannot ask Telegram for the bot's username: {type(exc).__name__}") from None


def create_invites(
    app: App,
    production_id: str,
    username: str,
    member_ids: list[str] | None = None,
    *,
    ttl: dt.timedelta = DEFAULT_TTL,
    now: dt.datetime | None = None,
) -> list[InviteLink]:
    """One single-use link per member (by default every member who reports on Telegram)."""
    now = now or dt.datetime.now(dt.UTC)
    with app.uow() as uow:
        production = uow.productions.get(production_id)
    if member_ids:
        crew = []
        for member_id in member_ids:
            try:
                crew.append(production.member(member_id))
            except KeyError:
                raise UnknownMember(member_id, production_id) from None
    else:
        crew = [m for m in production.crew if m.channel is Channel.TELEGRAM]
    store = TelegramStore(app.engine)
    links = []
    for member in crew:
        token = store.create_invite(production_id, member.id, ttl, now)
        links.append(InviteLink(member.id, member.name, f"https://t.me/{username}?start={token}", now + ttl))
    return links


def qr_file_name(production_id: str, member_id: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{production_id}-{member_id}")
    return f"{safe}.png"


def write_qr(url: str, path: Path) -> Path:
    """A PNG QR code of ``url``, large enough to scan from a printed call sheet."""
    import qrcode

    path.parent.mkdir(parents=True, exist_ok=True)
    image = qrcode.make(url, box_size=8, border=4)
    with path.open("wb") as f:
        image.save(f)
    return path

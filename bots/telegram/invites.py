"""Invite links (``https://t.me/<bot>?start=<token>``) and their QR codes, for ``crew invite``."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from base.settings import telegram_tokens
from common.app import App
from common.crew_invites import (
    DEFAULT_TTL,
    USERNAME_VARIABLE,
    USERNAMES_VARIABLE,
    InviteLink,
    configured_bot_username,
    create_invites,
    qr_png,
)
from domain.errors import GreenslateError

__all__ = ["DEFAULT_TTL", "USERNAME_VARIABLE", "InviteLink", "bot_username", "create_invites", "qr_file_name",
           "write_qr"]


def bot_username(app: App, bot: str = "") -> str:
    """The @username of the bot named ``bot`` ("" is the default bot): from GREENSLATE_TELEGRAM_BOT_USERNAME
    (GREENSLATE_TELEGRAM_BOT_USERNAMES for a named bot), else asked of Telegram with its token."""
    name = configured_bot_username(bot)
    if name:
        return name
    token = telegram_tokens(app.settings).get(bot)
    if token is None:
        if bot:
            raise GreenslateError(
                f"cannot build invite links: add {bot}=<username> to {USERNAMES_VARIABLE}, "
                f"or {bot}=<token> to GREENSLATE_TELEGRAM_BOTS (the username is then asked of Telegram)"
            )
        raise GreenslateError(
            f"cannot build invite links: set {USERNAME_VARIABLE} (the bot's @username) "
            "or GREENSLATE_TELEGRAM_TOKEN (the username is then asked of Telegram)"
        )
    return asyncio.run(_ask_username(token, app.settings.telegram_api_url))


async def _ask_username(token: str, api_url: str) -> str:
    from telegram import Bot
    from telegram.error import TelegramError

    from bots.telegram.app import bot_api_base

    try:
        async with Bot(token, base_url=bot_api_base(api_url)) as bot:
            return str(bot.username)
    except TelegramError as exc:  # never print the token: only what went wrong
        raise GreenslateError(f"cannot ask Telegram for the bot's username: {type(exc).__name__}") from None


def qr_file_name(production_id: str, member_id: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{production_id}-{member_id}")
    return f"{safe}.png"


def write_qr(url: str, path: Path) -> Path:
    """A PNG QR code of ``url``, large enough to scan from a printed call sheet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(qr_png(url))
    return path

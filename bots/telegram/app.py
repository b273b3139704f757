"""The Telegram crew bot: one python-telegram-bot Application, every handler registered below.

``greenslate run`` calls :func:`start_telegram` inside its own asyncio loop and
:func:`stop_telegram` on the way out. Long polling by default; with
``GREENSLATE_TELEGRAM_WEBHOOK_URL`` set, a webhook (behind a reverse proxy, several instances
sharing one PostgreSQL store: each message is stored once whichever instance gets it).
"""

from __future__ import annotations

import gc
import logging
from functools import partial
from typing import Any

from telegram import BotCommand
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from base import redaction
from base.i18n import t
from base.settings import DEFAULT_BOT, telegram_tokens
from bots.telegram import handlers as h
from bots.telegram.batches import Batches
from bots.telegram.flow import read_chats, read_chats_async
from bots.telegram.http import CrewBot, CrewRequest, in_flight_for
from bots.telegram.polling import AckAfterHandling
from bots.telegram.ratelimit import CrewRateLimiter
from bots.telegram.services import SERVICES, Context, Services, services_of
from bots.telegram.shared_limit import shared_window
from bots.telegram.webhook import WebhookReceiver
from common.app import App
from domain.errors import GreenslateError
from store.telegram import TelegramStore

log = logging.getLogger("greenslate.telegram")

COMMANDS = ("help", "status", "correct", "pause", "resume", "language", "voice", "stop")

#: Telegram allows about 30 messages a second overall; a 429 is retried after ``retry_after``.
MAX_RETRIES = 5


def install_redaction(token: str) -> None:
    """Every log record of the process, from any library, is cleaned of ``token`` before it is written."""
    redaction.add_secrets([token, token.split(":", 1)[1] if ":" in token else None])
    redaction.install_log_redaction()


def bot_api_base(url: str) -> str:
    """PTB's base URL (``.../bot``, the token is appended) from GREENSLATE_TELEGRAM_API_URL.

    Accepts Telegram's form (``https://api.telegram.org/bot``), a self-hosted server's root
    (``http://localhost:8081``) and a URL with a ``{token}`` placeholder.
    """
    url = url.strip().rstrip("/")
    if "{token}" in url or url.endswith("/bot"):
        return url
    return url + "/bot"


AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def build_application(app: App, *, rate_limit: bool = True, token: str | None = None,
                      bot: str = DEFAULT_BOT) -> AnyApplication:
    """The bot named ``bot`` ("" is GREENSLATE_TELEGRAM_TOKEN's) for ``app``'s settings: Bot API URL,
    token, rate limiter and every handler. It handles the chats linked through it only."""
    secret = token or telegram_tokens(app.settings).get(bot, "")
    if not secret:
        raise ValueError(f"no token for the Telegram bot {bot!r} in GREENSLATE_TELEGRAM_BOTS" if bot
                         else "GREENSLATE_TELEGRAM_TOKEN is not set")
    install_redaction(secret)
    limiter: CrewRateLimiter | AIORateLimiter
    if rate_limit:  # 30 a second overall, 20 a minute per group, 1 a second per private chat
        settings = app.settings
        shared = shared_window(settings.telegram_rate_limit_storage, secret, settings.telegram_rate_limit_fallback)
        limiter = CrewRateLimiter(AIORateLimiter(overall_max_rate=0, max_retries=MAX_RETRIES), window=shared)
    else:  # tests: no waiting, but a 429 is still waited out and retried
        limiter = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=MAX_RETRIES)
    base_url = bot_api_base(app.settings.telegram_api_url)
    crew_bot = CrewBot(
        secret,
        base_url=base_url,
        base_file_url=base_url.removesuffix("/bot") + "/file/bot" if base_url.endswith("/bot") else base_url,
        request=CrewRequest(in_flight_for(base_url)),
        get_updates_request=CrewRequest(1),  # one long poll at a time, as ApplicationBuilder's default
        rate_limiter=limiter,
    )
    application = (
        ApplicationBuilder()
        .bot(crew_bot)
        .context_types(ContextTypes(context=Context))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    services = Services(app=app, store=TelegramStore(app.engine, bot))
    read = partial(read_chats, services)
    services.reads = Batches(read, on_loop=read if services.local_store else None,
                             run_async=partial(read_chats_async, services) if services.async_engine else None)
    application.bot_data[SERVICES] = services

    # Commands first; /start carries the invite token. Buttons by their data prefix.
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("start", h.start, filters=private))
    application.add_handler(CommandHandler("help", h.help_command, filters=private))
    application.add_handler(CommandHandler("status", h.status, filters=private))
    application.add_handler(CommandHandler("correct", h.correct_command, filters=private))
    application.add_handler(CommandHandler("pause", h.pause, filters=private))
    application.add_handler(CommandHandler("resume", h.resume, filters=private))
    application.add_handler(CommandHandler("language", h.language, filters=private))
    application.add_handler(CommandHandler("voice", h.voice, filters=private))
    application.add_handler(CommandHandler("stop", h.stop, filters=private))
    application.add_handler(CallbackQueryHandler(h.consent, pattern=r"^c:[yn]$"))
    application.add_handler(CallbackQueryHandler(h.zero_button, pattern=r"^z$"))
    application.add_handler(CallbackQueryHandler(h.steps_button, pattern=r"^s$"))
    application.add_handler(CallbackQueryHandler(h.choice_button, pattern=r"^k:[a-z_]+$"))
    application.add_handler(CallbackQueryHandler(h.zone_button, pattern=r"^y:[a-z]+$"))
    application.add_handler(CallbackQueryHandler(h.fix_button, pattern=r"^f:\d+$"))
    application.add_handler(CallbackQueryHandler(h.undo_button, pattern=r"^u:\d+$"))
    application.add_handler(CallbackQueryHandler(h.pick_button, pattern=r"^p:\d+:\d+$"))
    application.add_handler(CallbackQueryHandler(h.decline_button, pattern=r"^x:\d+$"))
    # An edit of an earlier answer is a correction; it must come before the plain-text handler.
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT & private,
                                           h.edited_answer))
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
                                           & private, h.text_answer))
    # Unknown commands, photos, stickers: strangers learn how to join, members get the help text.
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & private, h.stranger_text))
    application.add_error_handler(h.on_error)  # type: ignore[arg-type]
    return application


async def initialize(application: AnyApplication, api_url: str) -> None:
    """``application.initialize()`` (it asks Telegram who the bot is), a refused token said plainly.

    PTB's own message for it quotes the token; a wrong Bot API URL answering 404 ends the same way.
    """
    try:
        await application.initialize()
    except InvalidToken:
        raise GreenslateError(
            "Telegram refused the bot token: check GREENSLATE_TELEGRAM_TOKEN, and that "
            f"GREENSLATE_TELEGRAM_API_URL ({redaction.redact(api_url)}) is a Bot API server"
        ) from None


async def post_init(application: AnyApplication) -> None:
    """The command menu, in French (default) and English."""
    for lang in ("fr", "en"):
        commands = [BotCommand(c, t(lang, f"telegram.command.{c}")) for c in COMMANDS]
        try:
            await application.bot.set_my_commands(commands, language_code=None if lang == "fr" else lang)
        except TelegramError as exc:  # a menu is a convenience: the bot works without it
            log.warning("could not set the command menu: %s", type(exc).__name__)


async def post_shutdown(application: AnyApplication) -> None:
    """Release the bot's own connections (the App's engine is the caller's to dispose of)."""
    await services_of(application).close()
    log.info("telegram bot stopped")


def webhook_address(settings: Any, bot: str) -> tuple[str, int]:
    """Where a bot receives by webhook: the default bot at GREENSLATE_TELEGRAM_WEBHOOK_URL and its port;
    a named bot at that URL followed by ``/<name>``, on the next port in GREENSLATE_TELEGRAM_BOTS' order."""
    url, port = settings.telegram_webhook_url.rstrip("/"), settings.telegram_webhook_port
    if bot == DEFAULT_BOT:
        return url, port
    named = [name for name in telegram_tokens(settings) if name != DEFAULT_BOT]
    return f"{url}/{bot}", port + 1 + named.index(bot)


async def start_telegram(
    app: App, *, rate_limit: bool = True, poll_timeout: int = 30, poll_interval: float = 0.0,
    bot: str = DEFAULT_BOT,
) -> AnyApplication:
    """Start the bot named ``bot`` inside the running loop (polling, or a webhook if one is configured)."""
    application = build_application(app, rate_limit=rate_limit, bot=bot)
    await initialize(application, app.settings.telegram_api_url)
    await post_init(application)  # run_polling would call it; step-by-step start does not
    assert application.updater is not None
    settings = app.settings
    if settings.telegram_webhook_url:
        secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
        install_redaction(secret or "")  # the webhook's secret is a secret too
        url, port = webhook_address(settings, bot)
        path = url.rsplit("/", 1)[-1]  # the proxy forwards it here
        # Not PTB's webhook server: it answers Telegram before the update is handled (see webhook.py).
        await application.start()
        receiver = WebhookReceiver(application, listen=settings.telegram_webhook_listen,
                                   port=port, path=path, webhook_url=url, secret=secret)
        services_of(application).webhook = receiver
        await receiver.start()
        log.info("telegram bot %s receiving updates by webhook", bot or "(default)")
    else:
        # Not PTB's Updater: it confirms updates to Telegram before they are handled (see polling.py).
        await application.start()
        poller = AckAfterHandling(application, timeout=poll_timeout, poll_interval=poll_interval)
        services_of(application).poller = poller
        await poller.start()
        log.info("telegram bot %s polling for updates", bot or "(default)")
    # What was built to start (modules, handlers, the catalogue) lives as long as the process: set it
    # aside from the garbage collector, whose full passes over it paused the bot for up to 120 ms.
    gc.collect()
    gc.freeze()
    return application


async def start_telegram_bots(app: App, *, rate_limit: bool = True, poll_timeout: int = 30,
                              poll_interval: float = 0.0) -> list[AnyApplication]:
    """Every configured bot started (the default one first), each on its own token and rate limit."""
    started: list[AnyApplication] = []
    try:
        for name in telegram_tokens(app.settings):
            started.append(await start_telegram(app, rate_limit=rate_limit, poll_timeout=poll_timeout,
                                                poll_interval=poll_interval, bot=name))
    except BaseException:
        for application in reversed(started):
            await stop_telegram(application)
        raise
    return started


async def stop_telegram(application: AnyApplication) -> None:
    """Stop receiving, finish the updates in hand, release the HTTP connections."""
    services = services_of(application)
    if services.poller is not None:
        await services.poller.stop()
    if services.webhook is not None:
        await services.webhook.stop()
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    await post_shutdown(application)


__all__ = ["build_application", "services_of", "start_telegram", "start_telegram_bots", "stop_telegram"]

"""``greenslate run``: the bots, the scheduler and the dashboard in one process, or the scheduler alone.

Everything asynchronous shares one event loop: the Telegram bots (``GREENSLATE_TELEGRAM_TOKEN``'s
and each of ``GREENSLATE_TELEGRAM_BOTS``, each on its own token and rate limit), the Discord bot
(``GREENSLATE_DISCORD_TOKEN``) and the scheduler, which sends through them. The dashboard is a
WSGI app served by waitress in a thread of the same process.

The scheduler alone (``--scheduler``) sends without receiving: a Telegram bot that does not poll,
and a Discord client logged in over HTTP only (no gateway), enough to post in the digest channels.

Only one process should run the scheduler against a SQLite store; on PostgreSQL several may, since
they claim outbox rows with ``FOR UPDATE SKIP LOCKED`` (see ``store.outbox``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
from dataclasses import dataclass, field
from typing import Any

from base.settings import telegram_tokens
from common.app import App
from domain.model import Channel
from scheduler.notify import Delivery, Notifier, Outcome, TeamChannel

log = logging.getLogger(__name__)


@dataclass
class RunOptions:
    dashboard: bool = True
    bots: bool = True
    scheduler: bool = True
    host: str | None = None
    port: int | None = None


@dataclass
class Running:
    """What ``start`` started, so ``stop`` can release it in the reverse order."""

    telegram: Any = None  # the first Telegram bot (the default one when configured)
    telegram_bots: list[Any] = field(default_factory=list)  # every Telegram bot, the first included
    telegram_sender_only: bool = False
    discord: Any = None
    dashboard: Any = None
    scheduler_task: asyncio.Task[None] | None = None
    notifiers: dict[Channel, Notifier] = field(default_factory=dict)
    team: TeamChannel | None = None


class DiscordOffline:
    """The team channel while Discord is configured but out of reach: the scheduler keeps each
    escalation, digest and Discord campaign and tries again later (``Outcome.RETRY``) instead of
    writing it to the log only, as it does when no Discord bot is configured at all."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def escalate(self, production_id: str, member_id: str, missed: int, text: str) -> Delivery:
        return Delivery(Outcome.RETRY, detail=self.reason)

    async def post_digest(self, production_id: str, day: dt.date, text: str) -> Delivery:
        return Delivery(Outcome.RETRY, detail=self.reason)

    async def send_campaign(self, production_id: str, member_id: str, message_key: str) -> Delivery:
        return Delivery(Outcome.RETRY, detail=self.reason)


async def start(app: App, options: RunOptions, stop_event: asyncio.Event) -> Running:
    running = Running()
    settings = app.settings
    if telegram_tokens(settings) and (options.bots or options.scheduler):
        await _start_telegram(app, options, running)
    elif options.bots:
        log.warning("GREENSLATE_TELEGRAM_TOKEN is not set: the Telegram bot is not started")
    if settings.discord_token is not None and options.bots:
        await _start_discord_bot(app, options, running)
    elif settings.discord_token is not None and options.scheduler:
        await _start_discord_sender(app, running)
    elif options.bots:
        log.info("GREENSLATE_DISCORD_TOKEN is not set: the Discord bot is not started")
    if options.scheduler:
        from scheduler.runner import run_scheduler

        running.scheduler_task = asyncio.create_task(
            run_scheduler(
                app,
                running.notifiers,
                running.team,
                stop=stop_event,
                interval_seconds=settings.scheduler_tick_seconds,
            ),
            name="scheduler",
        )
    if options.dashboard:
        _start_dashboard(app, options, running)
    return running


async def _start_telegram(app: App, options: RunOptions, running: Running) -> None:
    """The Telegram bot, or with the scheduler alone a sender that receives no updates."""
    from bots.telegram.app import build_application, initialize, start_telegram_bots
    from bots.telegram.notifier import TelegramNotifier

    if options.bots:
        running.telegram_bots = await start_telegram_bots(app)
    else:
        # The scheduler alone still sends through Telegram, without receiving updates.
        running.telegram_sender_only = True
        for name in telegram_tokens(app.settings):
            running.telegram_bots.append(build_application(app, bot=name))
            await initialize(running.telegram_bots[-1], app.settings.telegram_api_url)
    running.telegram = running.telegram_bots[0]
    running.notifiers[Channel.TELEGRAM] = TelegramNotifier(running.telegram, app, bots=running.telegram_bots[1:])


async def _start_discord_bot(app: App, options: RunOptions, running: Running) -> None:
    """The Discord bot, which also posts in the team channels; without it the scheduler's rows wait."""
    from bots.discord.bot import start_discord, utc_now
    from bots.discord.team_channel import DiscordTeamChannel

    try:
        running.discord = await start_discord(app)
    except Exception as exc:  # Discord unreachable or refusing the token: the crew bot still runs
        log.error("the Discord bot is not started: %s: %s", type(exc).__name__, exc)
        running.discord = None
    if running.discord is not None:
        running.team = DiscordTeamChannel(running.discord, app, utc_now)
    elif options.scheduler:
        running.team = DiscordOffline("the Discord bot did not start")


async def _start_discord_sender(app: App, running: Running) -> None:
    """The scheduler alone still posts escalations, digests and campaigns in the digest channels,
    through Discord's HTTP API only: no gateway, so no second bot answering commands."""
    import discord

    from bots.discord.bot import utc_now
    from bots.discord.team_channel import DiscordTeamChannel

    token = app.settings.discord_token
    assert token is not None
    sender = discord.Client(intents=discord.Intents.none())
    try:
        await sender.login(token.get_secret_value())
    except Exception as exc:  # the scheduler still runs; its Discord rows wait and are retried
        log.error("cannot reach Discord to post in the digest channels: %s: %s", type(exc).__name__, exc)
        await sender.close()
        running.team = DiscordOffline(f"Discord unreachable at start: {type(exc).__name__}")
    else:
        running.discord = sender
        running.team = DiscordTeamChannel(sender, app, utc_now)


def _start_dashboard(app: App, options: RunOptions, running: Running) -> None:
    from dashboard.server import DashboardServer

    host = options.host or app.settings.dashboard_host
    port = options.port if options.port is not None else app.settings.dashboard_port
    # Always waitress, stopped with the rest: never Flask's development server, whose debugger
    # runs code for whoever reaches it and whose thread would keep the process from stopping.
    running.dashboard = DashboardServer(app, host, port).start()
    log.info("dashboard on %s", running.dashboard.url)


async def stop(running: Running) -> None:
    if running.dashboard is not None:
        await asyncio.to_thread(running.dashboard.stop)
    if running.scheduler_task is not None:
        running.scheduler_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running.scheduler_task
    if running.discord is not None:
        await running.discord.close()
    for application in reversed(running.telegram_bots or ([running.telegram] if running.telegram else [])):
        if running.telegram_sender_only:
            await application.shutdown()
        else:
            from bots.telegram.app import stop_telegram

            await stop_telegram(application)


async def run(app: App, options: RunOptions, ready: asyncio.Event | None = None) -> None:
    """Run until SIGINT or SIGTERM, then stop everything cleanly."""
    stop_event = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop_event.set)
    running = await start(app, options, stop_event)
    if ready is not None:
        ready.set()
    try:
        await stop_event.wait()
    finally:
        log.info("stopping")
        await stop(running)
        app.engine.dispose()

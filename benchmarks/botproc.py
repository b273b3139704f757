"""A bot as its own process, for the benchmarks and the reliability suite (which kill it).

    python -m benchmarks.botproc greenslate [--scheduler [--tick SECONDS]] [--rate-limit] [--no-polling]
    python -m benchmarks.botproc echo
    python -m benchmarks.botproc raw

``greenslate`` is the real crew bot (``bots.telegram.app.start_telegram_bots``: every bot configured,
as ``greenslate run`` starts them), optionally with the real
scheduler (``scheduler.runner``) sending through the real ``TelegramNotifier``, configured from the
``GREENSLATE_*`` environment like ``greenslate run``; with ``--no-polling`` it only sends, as
``greenslate run --scheduler`` does (the bot built and initialised, no updates received). ``echo``
is a bare python-telegram-bot application that sends every text back, as python-telegram-bot's
``echobot.py`` example ships it (its defaults: httpx, the ``Updater``): the yardstick. ``raw`` is the
stack's own limit: a bare aiohttp loop, ``getUpdates`` then one ``sendMessage`` per update, nothing else.
``GREENSLATE_BENCH_CLOCK`` (an ISO instant) starts the bot's and the scheduler's clock there; it
then runs at real speed, or ``GREENSLATE_BENCH_CLOCK_SPEED`` times faster (a simulated day in a
minute). The process prints ``ready`` once polling (with the scheduler, once its first tick is
done: ``ready <seconds it took>``; with ``--no-polling``, once its bot is initialised), and stops
cleanly on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence


class MovingClock:
    """Starts at a given instant and runs at ``speed`` times real time (the scheduler's ``Clock``)."""

    def __init__(self, start: dt.datetime, speed: float = 1.0) -> None:
        self.start = start
        self.speed = speed
        self.t0 = time.monotonic()

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=(time.monotonic() - self.t0) * self.speed)


def _clock() -> MovingClock | None:
    value = os.environ.get("GREENSLATE_BENCH_CLOCK")
    speed = float(os.environ.get("GREENSLATE_BENCH_CLOCK_SPEED", "1"))
    return MovingClock(dt.datetime.fromisoformat(value), speed) if value else None


async def run_greenslate(scheduler: bool, rate_limit: bool, stop: asyncio.Event, polling: bool = True,
                         tick_seconds: float = 1.0) -> None:
    from bots.telegram.app import build_application, initialize, start_telegram_bots, stop_telegram
    from bots.telegram.notifier import TelegramNotifier
    from bots.telegram.services import services_of
    from common.app import App
    from domain.model import Channel
    from scheduler.runner import SchedulerContext, run_scheduler

    app = App.from_env()
    if polling:
        applications = await start_telegram_bots(app, rate_limit=rate_limit, poll_timeout=10)  # every bot configured
    else:  # a sender only, as greenslate.runtime starts it for ``greenslate run --scheduler``
        applications = [build_application(app, rate_limit=rate_limit)]
        await initialize(applications[0], app.settings.telegram_api_url)
    application = applications[0]
    clock = _clock()
    if clock is not None:
        for each in applications:
            services_of(each).clock = clock.now
    task = None
    if scheduler:
        ctx = SchedulerContext.for_app(app, notifiers={Channel.TELEGRAM: TelegramNotifier(
                                           application, app, bots=applications[1:])},
                                       clock=clock)
        if clock is not None:
            # A lease is how long a silent scheduler is taken for dead: real time. On a clock running
            # ``speed`` times faster it lasts ``speed`` times longer, or a 5-minute lease would be a
            # fifth of a second at a day a minute, shorter than a pause of a loaded machine.
            ctx.lease = ctx.lease * clock.speed
        started = time.monotonic()
        task = asyncio.create_task(run_scheduler(ctx, stop=stop, interval_seconds=tick_seconds))
        # Ready once the first tick has planned (every production on a store without wake-ups, what
        # is due or changed after a restart), saying how long it took.
        while ctx.wakeups.ticked_at is None and not task.done() and time.monotonic() - started < 600:
            await asyncio.sleep(0.02)
        print(f"ready {time.monotonic() - started:.3f}", flush=True)
    else:
        print("ready", flush=True)
    try:
        await stop.wait()
    finally:
        if task is not None:
            await task
        for each in reversed(applications):
            if polling:
                await stop_telegram(each)
            else:
                await each.shutdown()
        app.engine.dispose()


async def run_echo(stop: asyncio.Event) -> None:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:  # echobot.py's, word for word
        """Echo the user message."""
        await update.message.reply_text(update.message.text)  # type: ignore[union-attr,arg-type]

    application = (
        ApplicationBuilder()
        .token(os.environ["GREENSLATE_TELEGRAM_TOKEN"])
        .base_url(os.environ["GREENSLATE_TELEGRAM_API_URL"])
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    await application.initialize()
    assert application.updater is not None
    await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)  # run_polling's defaults
    await application.start()
    print("ready", flush=True)
    try:
        await stop.wait()
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


async def run_raw(stop: asyncio.Event) -> None:
    """``getUpdates``, then ``sendMessage`` of each text back to its chat, all at once; again."""
    import aiohttp

    base = os.environ["GREENSLATE_TELEGRAM_API_URL"].rstrip("/")
    base = f"{base if base.endswith('/bot') else base + '/bot'}{os.environ['GREENSLATE_TELEGRAM_TOKEN']}"

    async def send(session: aiohttp.ClientSession, update: dict) -> None:  # type: ignore[type-arg]
        message = update.get("message") or {}
        if "text" in message:
            async with session.post(f"{base}/sendMessage",
                                    json={"chat_id": message["chat"]["id"], "text": message["text"]}) as r:
                await r.read()

    async def loop(session: aiohttp.ClientSession) -> None:
        offset = None
        while True:
            async with session.post(f"{base}/getUpdates", json={"offset": offset, "timeout": 10, "limit": 100}) as r:
                updates = (await r.json())["result"]
            if updates:
                offset = updates[-1]["update_id"] + 1
                await asyncio.gather(*(send(session, u) for u in updates))

    async with aiohttp.ClientSession() as session:
        task = asyncio.create_task(loop(session))
        print("ready", flush=True)
        await stop.wait()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _main(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.bot == "echo":
        await run_echo(stop)
    elif args.bot == "raw":
        await run_raw(stop)
    else:
        await run_greenslate(args.scheduler, args.rate_limit, stop, polling=not args.no_polling, tick_seconds=args.tick)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.botproc")
    parser.add_argument("bot", choices=("greenslate", "echo", "raw"))
    parser.add_argument("--scheduler", action="store_true", help="run the scheduler in the same process")
    parser.add_argument("--tick", type=float, default=1.0,
                        help="seconds between the scheduler's ticks (greenslate run: 20)")
    parser.add_argument("--rate-limit", action="store_true", help="PTB's AIORateLimiter at Telegram's limits")
    parser.add_argument("--no-polling", action="store_true", help="send only, as `greenslate run --scheduler`")
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("GREENSLATE_LOG_LEVEL", "WARNING"), stream=sys.stderr)
    asyncio.run(_main(args))


if __name__ == "__main__":
    main()

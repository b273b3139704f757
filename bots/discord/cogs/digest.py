"""The daily digest: the bot's own loop posts it if the scheduler has not, once per day.

The scheduler posts the digest at ``DIGEST_AT`` with the answers to the prompts it really sent; the
loop waits ``SCHEDULER_FIRST`` more, so it only stands in when the scheduler is not running.

The loop is started once, from ``GreenslateBot.setup_hook`` (never from ``on_ready``, which runs
again after every reconnect). Whoever posts first — this loop or the scheduler through
``DiscordTeamChannel.post_digest`` — claims the (production, day) in the store; the other posts
nothing. The digest covers the previous shooting day, from ``domain.schedule.DIGEST_AT``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import TYPE_CHECKING

from discord.ext import commands, tasks

from bots.discord import services
from domain.errors import NotFound
from domain.schedule import DIGEST_AT, digest_day, local_instant
from scheduler.notify import Delivery
from store import discord as store

if TYPE_CHECKING:
    from bots.discord.bot import GreenslateBot

log = logging.getLogger(__name__)

#: How often the loop looks whether a digest is due. Late by at most this much; posted once anyway.
CHECK_EVERY_MINUTES = 5
#: How long the loop leaves the scheduler to post the digest before posting it itself.
SCHEDULER_FIRST = dt.timedelta(minutes=30)


class Digest(commands.Cog):
    def __init__(self, bot: GreenslateBot) -> None:
        self.bot = bot

    def start(self) -> None:
        """Start the loop (idempotent: a second call while it runs does nothing)."""
        if not self.loop.is_running():
            self.loop.start()

    async def cog_unload(self) -> None:
        self.loop.cancel()

    async def tick(self) -> dict[str, Delivery]:
        """Post every digest due now and not posted yet. Returns what happened, per production."""
        now = self.bot.now()
        done: dict[str, Delivery] = {}
        for link in await asyncio.to_thread(store.all_links, self.bot.app.engine):
            try:
                production = await services.production(self.bot.app, link.production_id)
            except NotFound:
                continue
            day = digest_day(production, now)
            scheduler_time = local_instant(production.local_day(now), DIGEST_AT, production.zone)
            if day is None or now < scheduler_time + SCHEDULER_FIRST:
                continue
            done[link.production_id] = await self.bot.team_channel.post_digest(link.production_id, day, "")
        return done

    @tasks.loop(minutes=CHECK_EVERY_MINUTES)
    async def loop(self) -> None:
        try:
            await self.tick()
        except Exception:  # one bad round must not stop tomorrow's digest
            log.exception("the digest round failed")

    @loop.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()


async def setup(bot: GreenslateBot) -> None:
    await bot.add_cog(Digest(bot))

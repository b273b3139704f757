"""``scheduler.notify.TeamChannel`` on Discord: what the scheduler tells the eco-referents.

Everything goes to the production's digest channel; nobody is sent a direct message.

- ``escalate``: a member missed prompts in a row; the scheduler's text (or the bot's own when it
  gives none) is posted at once, and listed again in the next digest.
- ``post_digest``: the day's summary, posted **once per (production, day)**. The claim is stored
  before posting, so a reconnect, a second scheduler call, the bot's own daily loop or a restart
  never posts it twice.
- ``send_campaign``: an awareness message for crew members whose channel is Discord; posted once
  in the digest channel for all of them, whoever it is called for.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import discord

from base.i18n import t
from bots.discord import services
from bots.discord.texts import digest_text, fit
from domain.errors import NotFound
from domain.schedule import end_of_day
from scheduler.notify import Delivery, Outcome
from store import discord as store

if TYPE_CHECKING:
    from common.app import App

log = logging.getLogger(__name__)


class DiscordTeamChannel:
    def __init__(self, client: discord.Client, app: App, clock: Callable[[], dt.datetime]) -> None:
        self.client = client
        self.app = app
        self.clock = clock

    async def escalate(self, production_id: str, member_id: str, missed: int, text: str) -> Delivery:
        try:
            production = await services.production(self.app, production_id)
        except NotFound:
            return Delivery(Outcome.UNREACHABLE, detail=f"no production {production_id}")
        try:
            name = production.member(member_id).name or member_id
        except KeyError:
            name = member_id
        lang = production.language.value
        message = text.strip() or t(lang, "discord.escalation", name=name, missed=missed)
        day = production.local_day(self.clock())
        key = f"{member_id}:{day.isoformat()}:{missed}"
        return await self._post_once(production_id, "escalation", key, day, message)

    async def post_digest(self, production_id: str, day: dt.date, text: str) -> Delivery:
        """Post the digest of ``day``: figures, missing answers, escalations, and the scheduler's ``text``."""
        try:
            production, result = await services.balance(self.app, production_id, day)
        except NotFound:
            return Delivery(Outcome.UNREACHABLE, detail=f"no production {production_id}")
        _, roll = await services.missing(self.app, production_id, end_of_day(day, production.zone), day)
        escalations = await asyncio.to_thread(store.escalations_since_last_digest, self.app.engine, production_id)
        message = digest_text(production, day, result, roll, escalations, text, production.language.value)
        return await self._post_once(production_id, "digest", day.isoformat(), day, message)

    async def send_campaign(self, production_id: str, member_id: str, message_key: str) -> Delivery:
        """An awareness message for Discord members: one post in the digest channel for all of them."""
        from sensitisation.library import render

        try:
            production = await services.production(self.app, production_id)
            body = render(message_key, production.language.value)
        except NotFound as exc:
            return Delivery(Outcome.UNREACHABLE, detail=str(exc))
        lang = production.language.value
        day = production.local_day(self.clock())
        message = fit(t(lang, "discord.campaign", text=body), lang)
        return await self._post_once(production_id, "campaign", f"{message_key}:{day.isoformat()}", day, message)

    async def _post_once(self, production_id: str, kind: str, key: str, day: dt.date, text: str) -> Delivery:
        engine = self.app.engine
        link = await asyncio.to_thread(store.link_for_production, engine, production_id)
        if link is None:
            return Delivery(Outcome.UNREACHABLE, detail=f"production {production_id} is not linked to a server")
        claim = await asyncio.to_thread(
            store.claim_post, engine, production_id, kind, key, day=day, text=text, now=self.clock()
        )
        if not claim.taken:
            if claim.message_id is None:  # another call is posting it right now
                return Delivery(Outcome.RETRY, detail="being posted")
            return Delivery(Outcome.SENT, str(claim.message_id), detail="already posted")
        assert claim.id is not None
        try:
            channel = self.client.get_channel(link.digest_channel_id) or await self.client.fetch_channel(
                link.digest_channel_id
            )
            if not isinstance(channel, discord.abc.Messageable):
                raise TypeError(f"channel {link.digest_channel_id} cannot receive messages")
            message = await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
        except (discord.Forbidden, discord.NotFound, TypeError) as exc:
            await asyncio.to_thread(store.release_claim, engine, claim.id)
            log.warning("cannot post the %s of %s in its digest channel: %s", kind, production_id, exc)
            return Delivery(Outcome.UNREACHABLE, detail=f"digest channel: {exc}")
        except (TimeoutError, discord.HTTPException, discord.RateLimited, OSError) as exc:
            await asyncio.to_thread(store.release_claim, engine, claim.id)
            log.warning("posting the %s of %s failed, will retry: %s", kind, production_id, exc)
            return Delivery(Outcome.RETRY, detail=str(exc))
        except BaseException:
            await asyncio.to_thread(store.release_claim, engine, claim.id)
            raise
        await asyncio.to_thread(store.mark_posted, engine, claim.id, message.id)
        return Delivery(Outcome.SENT, str(message.id))

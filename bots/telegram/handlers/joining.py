"""Joining: ``/start <token>`` links a chat to the invited member; the consent buttons."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from base.i18n import t
from bots.telegram import texts
from bots.telegram.flow import (
    members_of,
    reply,
)
from bots.telegram.handlers.commands import help_command
from bots.telegram.handlers.common import (
    acknowledge,
    chat_id_of,
    consent_buttons,
    member_of,
    now_of,
    send_plain,
    stranger_language,
)
from bots.telegram.services import Context, say


async def start(update: Update, context: Context) -> None:
    """``/start <token>``: link this chat to the invited member, then ask for their consent."""
    services, chat_id = context.services, chat_id_of(update)
    lang = stranger_language(update)
    if not context.args:
        members = await members_of(services, chat_id)
        if members:
            await help_command(update, context)
        else:
            await send_plain(update, context, t(lang, "telegram.start.missing", bot=context.bot.username))
        return
    token = context.args[0]
    now = now_of(context)
    invite = await asyncio.to_thread(services.store.invite, token)
    if invite is None:
        await send_plain(update, context, t(lang, "telegram.start.unknown"))
        return
    if invite.used_at is not None:
        members = await members_of(services, chat_id)
        mine = member_of(members, invite.production_id, invite.member_id)
        if invite.used_by_chat == chat_id and mine is not None:  # the same link tapped again
            if mine.consented:
                await help_command(update, context)
            else:
                await say(context.bot, services, chat_id, texts.welcome(mine.production, mine.member_id, mine.lang),
                          lang=mine.lang, voice=mine.voice, buttons=consent_buttons(mine.lang))
            return
        await send_plain(update, context, t(lang, "telegram.start.used"))
        return
    if invite.expires_at <= now:
        await send_plain(update, context, t(lang, "telegram.start.expired"))
        return

    def link() -> tuple[Any, Any] | None:
        # The invite is used and the chat linked in one transaction, so an erasure of the member
        # (which revokes the invite first) comes wholly before or wholly after.
        with services.app.uow() as uow:
            production = uow.productions.get(invite.production_id)
            if production.telegram_bot != services.store.bot:  # the production is served by another bot
                return production, None
            if not services.store.use_invite(token, chat_id, now, conn=uow.connection):
                return None
            uow.members.link_telegram(invite.production_id, invite.member_id, chat_id, None,
                                      bot=services.store.bot)
            state = uow.members.state(invite.production_id, invite.member_id)
            uow.commit()
        return production, state

    linked = await asyncio.to_thread(link)
    if linked is None:
        await send_plain(update, context, t(lang, "telegram.start.used"))
        return
    production, state = linked
    if state is None:  # an invite of a production another bot serves: this bot does not know it
        await send_plain(update, context, t(lang, "telegram.start.unknown"))
        return
    await say(context.bot, services, chat_id, texts.welcome(production, state.member_id, state.language),
              lang=state.language, voice=state.voice, buttons=consent_buttons(state.language))


async def consent(update: Update, context: Context) -> None:
    """The consent buttons: record the member's yes, or unlink them on no."""
    query = update.callback_query
    assert query is not None
    await acknowledge(query)
    services, chat_id = context.services, chat_id_of(update)
    members = await members_of(services, chat_id)
    waiting = [m for m in members if not m.consented]
    if not members:
        await send_plain(update, context, t(stranger_language(update), "telegram.join.how"))
        return
    agreed = query.data == "c:y"
    now = now_of(context)

    def record() -> None:
        # Only while the chat is still the member's: an erasure since the buttons were read wins.
        with services.app.uow() as uow:
            for m in waiting:
                if agreed:
                    services.store.record_consent(uow.connection, m.production_id, m.member_id, chat_id, now)
                else:
                    services.store.decline(uow.connection, m.production_id, m.member_id, chat_id)
            uow.commit()

    await asyncio.to_thread(record)
    m = members[0]
    if not waiting:  # a second tap, or the old welcome message: nothing changes
        key = "telegram.consent.done" if agreed else "telegram.consent.already"
    else:
        key = "telegram.consent.done" if agreed else "telegram.consent.declined"
    await reply(context.bot, services, chat_id, m, t(m.lang, key))

"""What every handler needs: who is writing, and the small steps shared by several handlers."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from typing import Any

from telegram import Update
from telegram.error import TelegramError

from base.i18n import normalise_language, t
from bots.telegram.flow import (
    Member,
    Target,
    assignment_for_report,
    members_of,
    reply,
)
from bots.telegram.services import Context, Services, keyboard
from domain.errors import GreenslateError
from domain.model import Report

log = logging.getLogger("greenslate.telegram")
operator_log = logging.getLogger("greenslate.operator")

#: Conversation states kept in ``telegram_conversations``.
CORRECTING = "correcting"  # the next message is the corrected figure of ``data["report_id"]``
STEPS = "steps"  # a guided entry: one figure per meal type or waste stream
CHOICE = "choice"  # a choice made with a button (``data["choice"]``): the next message gives its figure


def chat_id_of(update: Update) -> int:
    """The private chat the update comes from (a member's chat id is their Telegram user id)."""
    assert update.effective_chat is not None
    return update.effective_chat.id


def stranger_language(update: Update) -> str:
    """For someone not linked yet: their Telegram app's language, French by default."""
    user = update.effective_user
    return normalise_language(user.language_code if user else None)


async def send_plain(update: Update, context: Context, text: str) -> None:
    """A text to someone who is not (or not yet) a linked member."""
    await context.bot.send_message(chat_id=chat_id_of(update), text=text)


async def linked(update: Update, context: Context, members: list[Member] | None = None) -> list[Member] | None:
    """The consented memberships of this chat; strangers are told how to join, and get None.

    ``members`` are the chat's memberships when the caller read them already (``load_members``).
    """
    services = context.services
    chat_id = chat_id_of(update)
    if members is None:
        members = await members_of(services, chat_id)
    if not members:
        await send_plain(update, context, t(stranger_language(update), "telegram.join.how"))
        return None
    consented = [m for m in members if m.consented]
    if not consented:
        m = members[0]
        await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.consent.needed"),
                    buttons=consent_buttons(m.lang))
        return None
    if any(m.state.unreachable for m in consented):  # they write to us: they can be reached again
        await asyncio.to_thread(set_reachable, services, consented)
    return consented


def set_reachable(services: Services, members: list[Member]) -> None:
    with services.app.uow() as uow:
        for m in members:
            uow.members.set_unreachable(m.production_id, m.member_id, False)
        uow.commit()


def consent_buttons(lang: str) -> Any:
    return keyboard([(t(lang, "telegram.button.consent"), "c:y")], [(t(lang, "telegram.button.decline"), "c:n")])


def now_of(context: Context) -> dt.datetime:
    return context.services.clock()


def member_of(members: list[Member], production_id: str, member_id: str) -> Member | None:
    return next((m for m in members if (m.production_id, m.member_id) == (production_id, member_id)), None)


def load_report(services: Services, report_id: int) -> Report | None:
    with services.app.uow() as uow:
        try:
            return uow.reports.get(report_id)
        except GreenslateError:
            return None


def latest_version(services: Services, report: Report) -> Report:
    with services.app.uow() as uow:
        while (nxt := uow.reports.corrector_of(report.id or 0)) is not None:
            report = nxt
    return report


def target_of_report(members: list[Member], report: Report) -> Target | None:
    m = member_of(members, report.production_id, report.member_id or "")
    if m is None:
        return None
    assignment = assignment_for_report(m.production, report)
    return None if assignment is None else Target(m, assignment, report.day)


async def acknowledge(query: Any) -> None:
    """Stop the button's spinner. Without a text: a toast is never read by Android's screen reader."""
    with contextlib.suppress(TelegramError):  # cosmetic; the answer comes as a message anyway
        await query.answer()


async def query_target(update: Update, context: Context) -> tuple[list[Member], Any] | None:
    """Acknowledge a button press (no toast: screen readers miss them) and check who pressed it."""
    query = update.callback_query
    assert query is not None
    await acknowledge(query)
    members = await linked(update, context)
    return None if members is None else (members, query)


async def drop_buttons(query: Any) -> None:
    with contextlib.suppress(TelegramError):  # the question is answered either way; buttons are a detail
        await query.edit_message_reply_markup(reply_markup=None)


async def not_yours(update: Update, context: Context, members: list[Member]) -> None:
    m = members[0]
    await reply(context.bot, context.services, chat_id_of(update), m, t(m.lang, "telegram.error.not_yours"))

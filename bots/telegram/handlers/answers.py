"""Typed answers: a figure for a prompt, an edit of an earlier answer, one step of a guided entry."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

from telegram import Update

from base.i18n import t
from bots.telegram import texts
from bots.telegram.flow import (
    SOURCE,
    Member,
    Target,
    answer_text,
    assignment_by_key,
    chosen_of,
    find_target,
    read_chats,
    readable_target,
    reply,
    store_answer,
)
from bots.telegram.handlers.common import (
    CHOICE,
    CORRECTING,
    STEPS,
    chat_id_of,
    linked,
    load_report,
    member_of,
    now_of,
    target_of_report,
)
from bots.telegram.services import Context, Services
from domain.answers import MEAL_SYNONYMS, WASTE_SYNONYMS
from domain.errors import InvalidReport
from domain.model import Report, ReportKind
from domain.parsing import Answer, parse_items
from store.telegram import ChatView, Conversation


async def _read_chat(services: Services, chat_id: int, reply_to: int | None) -> tuple[list[Member], ChatView]:
    """Who writes, and the chat's conversation and prompts: what a typed answer needs, read at once
    (with the other chats' that wait to be read, when the bot reads them together)."""
    if services.reads is not None:
        return await services.reads.submit((chat_id, reply_to))  # type: ignore[no-any-return]
    [read] = await asyncio.to_thread(read_chats, services, [(chat_id, reply_to)])
    return read


async def text_answer(update: Update, context: Context) -> None:
    """A typed answer: a figure for a prompt, the next step of a guided entry, or a corrected figure."""
    services, chat_id = context.services, chat_id_of(update)
    message = update.effective_message
    assert message is not None and message.text is not None
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    chat, view = await _read_chat(services, chat_id, reply_to)
    members = await linked(update, context, chat)
    if members is None:
        return
    source_ref = f"{services.store.chat_ref(chat_id)}:{message.message_id}"
    conversation = view.conversation
    if conversation is not None and view.replied is not None:
        # A reply to a prompt says which question it answers: it ends a correction or guided entry.
        await asyncio.to_thread(services.store.clear_conversation, chat_id)
        conversation = None
    if conversation is not None and conversation.state == STEPS:
        await _step(update, context, members, conversation)
        return
    if conversation is not None and conversation.state == CHOICE and await _chosen(
            context, chat_id, members, conversation, message.text, source_ref=source_ref, received_at=message.date):
        return
    if (conversation is not None and conversation.state == CORRECTING
            and await _correct(context, chat_id, members, conversation, message.text,
                               source_ref=source_ref, received_at=message.date)):
        return
    target = find_target(services, members, chat_id, reply_to, view)
    if target is None:
        m = members[0]
        await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.error.nothing_pending"))
        return
    if reply_to is None:  # several prompts at once: the one the answer reads as, if only one does
        target = readable_target(services, members, view, target, message.text)
    await answer_text(context.bot, services, chat_id, target, message.text, source_ref=source_ref,
                      received_at=message.date)


async def _correct(
    context: Context, chat_id: int, members: list[Member], conversation: Conversation, text: str,
    *, source_ref: str, received_at: dt.datetime,
) -> bool:
    """The corrected figure for the report under correction; False when that report is gone, so the
    answer is read as an ordinary one. The correction ends once a figure is recorded."""
    services = context.services
    report = await asyncio.to_thread(load_report, services, int(conversation.data["report_id"]))
    target = None if report is None else target_of_report(members, report)
    if report is None or target is None:
        await asyncio.to_thread(services.store.clear_conversation, chat_id)
        return False
    recorded = await answer_text(context.bot, services, chat_id, target, text, source_ref=source_ref,
                                 received_at=received_at, corrects=report.id, chosen=chosen_of(report))
    if recorded is not None:
        await asyncio.to_thread(services.store.clear_conversation, chat_id)
    return True


async def _chosen(
    context: Context, chat_id: int, members: list[Member], conversation: Conversation, text: str,
    *, source_ref: str, received_at: dt.datetime,
) -> bool:
    """The figure for the choice a button made (``Avion``, then ``686 km``); False when its prompt is gone,
    so the answer is read as an ordinary one. The choice ends once a figure is recorded."""
    services = context.services
    data = conversation.data
    m = member_of(members, conversation.production_id, conversation.member_id)
    assignment = None if m is None else assignment_by_key(m.production, data["assignment_key"])
    if m is None or assignment is None:
        await asyncio.to_thread(services.store.clear_conversation, chat_id)
        return False
    target = Target(m, assignment, dt.date.fromisoformat(data["day"]))
    recorded = await answer_text(context.bot, services, chat_id, target, text, source_ref=source_ref,
                                 received_at=received_at, chosen=data["choice"])
    if recorded is not None:
        await asyncio.to_thread(services.store.clear_conversation, chat_id)
    return True


async def edited_answer(update: Update, context: Context) -> None:
    """An edited answer replaces the figure it gave (the history keeps both)."""
    message = update.edited_message
    if message is None or message.text is None or message.text.startswith("/"):
        return
    members = await linked(update, context)
    if members is None:
        return
    services, chat_id = context.services, chat_id_of(update)
    edit = int((message.edit_date or message.date).timestamp())
    source_ref = f"{services.store.chat_ref(chat_id)}:{message.message_id}:edit:{edit}"

    def original() -> Report | None:
        with services.app.uow() as uow:
            return uow.reports.by_source(SOURCE, f"{services.store.chat_ref(chat_id)}:{message.message_id}")

    report = await asyncio.to_thread(original)
    if report is not None:
        target = target_of_report(members, report)
        if target is not None:
            await answer_text(context.bot, services, chat_id, target, message.text, source_ref=source_ref,
                              received_at=message.edit_date or message.date, corrects=report.id,
                              chosen=chosen_of(report))
        return
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    target = await asyncio.to_thread(find_target, services, members, chat_id, reply_to)
    if target is not None:
        await answer_text(context.bot, services, chat_id, target, message.text, source_ref=source_ref,
                          received_at=message.edit_date or message.date)


async def _step(update: Update, context: Context, members: list[Member], conversation: Conversation) -> None:
    services, chat_id = context.services, chat_id_of(update)
    message = update.effective_message
    assert message is not None and message.text is not None
    m = member_of(members, conversation.production_id, conversation.member_id)
    assignment = None if m is None else assignment_by_key(m.production, conversation.data["assignment_key"])
    if m is None or assignment is None:
        await asyncio.to_thread(services.store.clear_conversation, chat_id)
        return
    data = conversation.data
    items: list[str] = data["items"]
    values: dict[str, str] = data["values"]
    item = items[len(values)]
    kind = assignment.report
    synonyms = MEAL_SYNONYMS if kind is ReportKind.MEALS else WASTE_SYNONYMS
    try:
        value = parse_items(message.text, [item], synonyms, whole=kind is ReportKind.MEALS)[item]
    except InvalidReport as exc:
        await reply(context.bot, services, chat_id, m, texts.refusal(exc, m.production, assignment, m.lang,
                                                                     texts.step_example(kind, m.lang)))
        return
    values[item] = str(value)
    if len(values) < len(items):
        await asyncio.to_thread(services.store.set_conversation, conversation, now_of(context))
        await reply(context.bot, services, chat_id, m, texts.step_question(kind, items[len(values)], m.lang))
        return
    await asyncio.to_thread(services.store.clear_conversation, chat_id)
    target = Target(m, assignment, dt.date.fromisoformat(data["day"]))
    answer = Answer(kind, {k: Decimal(v) for k, v in values.items()})
    raw = ", ".join(f"{texts.item_label(k, m.lang)} {v}" for k, v in values.items())
    await store_answer(context.bot, services, chat_id, target, answer, raw_text=raw,
                       source_ref=f"{services.store.chat_ref(chat_id)}:{message.message_id}", received_at=message.date)

"""The buttons under prompts, recaps and questions: no driving today, step by step, correct,
undo, yes, no."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from telegram import Update

from base.i18n import t
from bots.telegram import texts
from bots.telegram.flow import (
    SOURCE,
    Target,
    answer_from_pending,
    assignment_by_key,
    reply,
    store_answer,
    target_of_prompt,
)
from bots.telegram.footprint_texts import choice_question, zone_rows
from bots.telegram.handlers.commands import ask_correction
from bots.telegram.handlers.common import (
    CHOICE,
    STEPS,
    chat_id_of,
    drop_buttons,
    latest_version,
    load_report,
    member_of,
    not_yours,
    now_of,
    query_target,
    target_of_report,
)
from bots.telegram.services import Context, keyboard
from domain.answers import Answer
from domain.model import ReportKind
from domain.usecases import undo_report
from store.telegram import Conversation


async def _pressed_on_prompt(update: Update, context: Context) -> tuple[Any, Any, Any] | None:
    """The prompt whose button was pressed, its target and the query; None if it is not the member's."""
    checked = await query_target(update, context)
    if checked is None:
        return None
    members, query = checked
    prompt = await asyncio.to_thread(context.services.store.prompt, chat_id_of(update), query.message.message_id)
    target = None if prompt is None else target_of_prompt(members, prompt)
    return None if target is None else (prompt, target, query)


async def zero_button(update: Update, context: Context) -> None:
    """"I did not drive today" / "No generator today": a zero for that prompt, without typing."""
    pressed = await _pressed_on_prompt(update, context)
    if pressed is None:
        return
    prompt, target, query = pressed
    services, chat_id = context.services, chat_id_of(update)
    kind = target.assignment.report
    values = {"km": 0} if kind is ReportKind.MILEAGE else {"hours": 0}
    answer = Answer(kind, {k: Decimal(v) for k, v in values.items()})
    await store_answer(context.bot, services, chat_id, target, answer, raw_text=query.data,
                       source_ref=f"{services.store.chat_ref(chat_id)}:{prompt.message_id}:none",
                       received_at=now_of(context))


async def steps_button(update: Update, context: Context) -> None:
    """"Step by step": ask one meal type (or waste stream) at a time."""
    pressed = await _pressed_on_prompt(update, context)
    if pressed is None:
        return
    _, target, _ = pressed
    services, chat_id = context.services, chat_id_of(update)
    production, kind = target.member.production, target.assignment.report
    items = list(production.meal_types if kind is ReportKind.MEALS else production.waste_streams)
    m = target.member
    conversation = Conversation(chat_id, m.production_id, m.member_id, STEPS, {
        "assignment_key": target.assignment.key, "day": target.day.isoformat(), "items": items, "values": {}})
    await asyncio.to_thread(services.store.set_conversation, conversation, now_of(context))
    await reply(context.bot, services, chat_id, m, texts.step_question(kind, items[0], m.lang))


async def choice_button(update: Update, context: Context) -> None:
    """A travel mode, a lodging, a freight class or an item under a prompt: the next message gives its figure."""
    pressed = await _pressed_on_prompt(update, context)
    if pressed is None:
        return
    _, target, query = pressed
    services, chat_id, m = context.services, chat_id_of(update), target.member
    choice = query.data.split(":", 1)[1]
    conversation = Conversation(chat_id, m.production_id, m.member_id, CHOICE, {
        "assignment_key": target.assignment.key, "day": target.day.isoformat(), "choice": choice})
    await asyncio.to_thread(services.store.set_conversation, conversation, now_of(context))
    kind = target.assignment.report
    rows = zone_rows(m.lang) if kind is ReportKind.ACCOMMODATION else []  # then the country, also by a tap
    await reply(context.bot, services, chat_id, m, choice_question(kind, choice, m.lang),
                buttons=keyboard(*rows) if rows else None)


async def zone_button(update: Update, context: Context) -> None:
    """"In Europe" under the question of a lodging chosen with a button: the nights will count there."""
    checked = await query_target(update, context)
    if checked is None:
        return
    members, query = checked
    services, chat_id = context.services, chat_id_of(update)
    conversation = await asyncio.to_thread(services.store.conversation, chat_id)
    m = None if conversation is None else member_of(members, conversation.production_id, conversation.member_id)
    if conversation is None or m is None or conversation.state != CHOICE:
        member = members[0]
        await reply(context.bot, services, chat_id, member, t(member.lang, "telegram.choice.gone"))
        return
    lodging = conversation.data["choice"].split(":")[0]
    choice = f"{lodging}:{query.data.split(':', 1)[1]}"
    await drop_buttons(query)
    await asyncio.to_thread(services.store.set_conversation, Conversation(
        chat_id, m.production_id, m.member_id, CHOICE, {**conversation.data, "choice": choice}), now_of(context))
    await reply(context.bot, services, chat_id, m, choice_question(ReportKind.ACCOMMODATION, choice, m.lang))


async def fix_button(update: Update, context: Context) -> None:
    """"Correct" under a recap: the next message replaces that figure."""
    checked = await query_target(update, context)
    if checked is None:
        return
    members, query = checked
    report = await asyncio.to_thread(load_report, context.services, int(query.data.split(":")[1]))
    target = None if report is None else target_of_report(members, report)
    if report is None or target is None:
        await not_yours(update, context, members)
        return
    latest = await asyncio.to_thread(latest_version, context.services, report)
    await ask_correction(context, chat_id_of(update), target, latest)


async def undo_button(update: Update, context: Context) -> None:
    """"Undo this figure" under a recap: the figure no longer counts (the history keeps it)."""
    checked = await query_target(update, context)
    if checked is None:
        return
    members, query = checked
    services, chat_id = context.services, chat_id_of(update)
    report = await asyncio.to_thread(load_report, services, int(query.data.split(":")[1]))
    target = None if report is None else target_of_report(members, report)
    if report is None or target is None:
        await not_yours(update, context, members)
        return
    m = target.member
    latest = await asyncio.to_thread(latest_version, services, report)
    if latest.void:
        await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.undo.already"))
        return
    app = services.app

    def undo() -> None:
        undo_report(app.uow(), app.catalogue, latest.id or 0, source=SOURCE,
                    source_ref=f"{services.store.chat_ref(chat_id)}:undo:{query.id}", received_at=now_of(context))
        services.store.reopen(m.production_id, m.member_id, target.assignment.key, report.day)

    await asyncio.to_thread(undo)
    await reply(context.bot, services, chat_id, m, t(
        m.lang, "telegram.undone", example=texts.example(m.production, target.assignment, m.lang)))


async def pick_button(update: Update, context: Context) -> None:
    """"Yes, that is right" (or one reading of an ambiguous number): store the answer waiting for it."""
    checked = await query_target(update, context)
    if checked is None:
        return
    members, query = checked
    services, chat_id = context.services, chat_id_of(update)
    _, pending_id, index = query.data.split(":")
    pending = await asyncio.to_thread(services.store.pending, int(pending_id))
    m = None if pending is None else member_of(members, pending.production_id, pending.member_id)
    if pending is None or m is None or pending.chat_id != chat_id:
        await not_yours(update, context, members)
        return
    assignment = assignment_by_key(m.production, pending.assignment_key)
    if assignment is None:
        return
    if not await asyncio.to_thread(services.store.resolve_pending, pending.id, now_of(context)):
        await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.confirm.gone"))
        return
    await drop_buttons(query)
    try:
        recorded = await store_answer(context.bot, services, chat_id, Target(m, assignment, pending.day),
                                      answer_from_pending(pending, int(index)), raw_text=pending.raw_text,
                                      source_ref=pending.source_ref, received_at=now_of(context),
                                      corrects=pending.corrects, confirmed=pending.reason == "confirm")
    except Exception:
        await asyncio.to_thread(services.store.reopen_pending, pending.id)
        raise
    if recorded is not None:  # a choice made with a button is spent once its figure is stored
        await asyncio.to_thread(_end_choice, services, chat_id, pending.assignment_key)


def _end_choice(services: Any, chat_id: int, assignment_key: str) -> None:
    conversation = services.store.conversation(chat_id)
    if (conversation is not None and conversation.state == CHOICE
            and conversation.data.get("assignment_key") == assignment_key):
        services.store.clear_conversation(chat_id)


async def decline_button(update: Update, context: Context) -> None:
    """"No, I will fix it": nothing is stored; the member types the figure again."""
    checked = await query_target(update, context)
    if checked is None:
        return
    members, query = checked
    services, chat_id = context.services, chat_id_of(update)
    pending = await asyncio.to_thread(services.store.pending, int(query.data.split(":")[1]))
    m = None if pending is None else member_of(members, pending.production_id, pending.member_id)
    if pending is None or m is None or pending.chat_id != chat_id:
        await not_yours(update, context, members)
        return
    assignment = assignment_by_key(m.production, pending.assignment_key)
    if not await asyncio.to_thread(services.store.resolve_pending, pending.id, now_of(context)):
        await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.confirm.gone"))
        return
    await drop_buttons(query)
    example = "" if assignment is None else texts.example(m.production, assignment, m.lang)
    await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.confirm.declined", example=example))

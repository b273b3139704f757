"""The buttons under prompts, recaps and questions: no driving today, step by step, correct,
undo, yes, no."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from telegram import Update

from base.i18n import t
from bots.telegram import texts
from bots.telegram.flow import (
    SOURCE,
    Member,
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
from domain.model import Report, ReportKind
from domain.parsing import Answer
from domain.usecases import undo_report
from store.telegram import Conversation, Pending

#: What python-telegram-bot calls for a button.
Handler = Callable[[Update, Context], Awaitable[None]]


async def _pressed_on_prompt(update: Update, context: Context) -> tuple[Any, Any, Any] | None:
    """The prompt whose button was pressed, its target and the query; None if it is not the member's."""
    checked = await query_target(update, context)
    if checked is None:
        return None
    members, query = checked
    prompt = await asyncio.to_thread(context.services.store.prompt, chat_id_of(update), query.message.message_id)
    target = None if prompt is None else target_of_prompt(members, prompt)
    return None if target is None else (prompt, target, query)


async def _pressed_on_recap(update: Update, context: Context) -> tuple[Report, Target, Any] | None:
    """The report whose recap's button was pressed, its target and the query; None (the member is
    told) if it is not the member's."""
    checked = await query_target(update, context)
    if checked is None:
        return None
    members, query = checked
    report = await asyncio.to_thread(load_report, context.services, int(query.data.split(":")[1]))
    target = None if report is None else target_of_report(members, report)
    if report is None or target is None:
        await not_yours(update, context, members)
        return None
    return report, target, query


async def _pressed_on_question(update: Update, context: Context) -> tuple[Pending, Member, Any] | None:
    """The answer waiting under a yes/no question whose button was pressed, its member and the query;
    None (the member is told) if it is not the member's."""
    checked = await query_target(update, context)
    if checked is None:
        return None
    members, query = checked
    pending = await asyncio.to_thread(context.services.store.pending, int(query.data.split(":")[1]))
    m = None if pending is None else member_of(members, pending.production_id, pending.member_id)
    if pending is None or m is None or pending.chat_id != chat_id_of(update):
        await not_yours(update, context, members)
        return None
    return pending, m, query


async def _resolve(context: Context, chat_id: int, m: Member, pending: Pending, query: Any) -> bool:
    """The question is answered once: its buttons go; False (the member is told) if it was already."""
    if not await asyncio.to_thread(context.services.store.resolve_pending, pending.id, now_of(context)):
        await reply(context.bot, context.services, chat_id, m, t(m.lang, "telegram.confirm.gone"))
        return False
    await drop_buttons(query)
    return True


async def _converse(context: Context, chat_id: int, target: Target, state: str, **data: Any) -> None:
    """Keeps, for the member's next message, the prompt's assignment and day with ``data``."""
    m = target.member
    conversation = Conversation(chat_id, m.production_id, m.member_id, state, {
        "assignment_key": target.assignment.key, "day": target.day.isoformat(), **data})
    await asyncio.to_thread(context.services.store.set_conversation, conversation, now_of(context))


def _button(find: Callable[[Update, Context], Awaitable[tuple[Any, ...] | None]]) -> Callable[..., Handler]:
    """A button's handler, run only when ``find`` finds what the button was pressed on and it is the
    member's; the handler is given the context, the chat and what was found."""
    def wrap(handler: Callable[..., Awaitable[None]]) -> Handler:
        @functools.wraps(handler)
        async def handle(update: Update, context: Context) -> None:
            pressed = await find(update, context)
            if pressed is not None:
                await handler(context, chat_id_of(update), *pressed)
        return handle
    return wrap


@_button(_pressed_on_prompt)
async def zero_button(context: Context, chat_id: int, prompt: Any, target: Target, query: Any) -> None:
    """"I did not drive today" / "No generator today": a zero for that prompt, without typing."""
    kind = target.assignment.report
    values = {"km": 0} if kind is ReportKind.MILEAGE else {"hours": 0}
    answer = Answer(kind, {k: Decimal(v) for k, v in values.items()})
    await store_answer(context.bot, context.services, chat_id, target, answer, raw_text=query.data,
                       source_ref=f"{context.services.store.chat_ref(chat_id)}:{prompt.message_id}:none",
                       received_at=now_of(context))


@_button(_pressed_on_prompt)
async def steps_button(context: Context, chat_id: int, prompt: Any, target: Target, query: Any) -> None:
    """"Step by step": ask one meal type (or waste stream) at a time."""
    m, kind = target.member, target.assignment.report
    items = list(m.production.meal_types if kind is ReportKind.MEALS else m.production.waste_streams)
    await _converse(context, chat_id, target, STEPS, items=items, values={})
    await reply(context.bot, context.services, chat_id, m, texts.step_question(kind, items[0], m.lang))


@_button(_pressed_on_prompt)
async def choice_button(context: Context, chat_id: int, prompt: Any, target: Target, query: Any) -> None:
    """A travel mode, a lodging, a freight class or an item under a prompt: the next message gives its figure."""
    m, kind = target.member, target.assignment.report
    choice = query.data.split(":", 1)[1]
    await _converse(context, chat_id, target, CHOICE, choice=choice)
    rows = zone_rows(m.lang) if kind is ReportKind.ACCOMMODATION else []  # then the country, also by a tap
    await reply(context.bot, context.services, chat_id, m, choice_question(kind, choice, m.lang),
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


@_button(_pressed_on_recap)
async def fix_button(context: Context, chat_id: int, report: Report, target: Target, query: Any) -> None:
    """"Correct" under a recap: the next message replaces that figure."""
    latest = await asyncio.to_thread(latest_version, context.services, report)
    await ask_correction(context, chat_id, target, latest)


@_button(_pressed_on_recap)
async def undo_button(context: Context, chat_id: int, report: Report, target: Target, query: Any) -> None:
    """"Undo this figure" under a recap: the figure no longer counts (the history keeps it)."""
    services, m = context.services, target.member
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


@_button(_pressed_on_question)
async def pick_button(context: Context, chat_id: int, pending: Pending, m: Member, query: Any) -> None:
    """"Yes, that is right" (or one reading of an ambiguous number): store the answer waiting for it."""
    services, index = context.services, query.data.split(":")[2]
    assignment = assignment_by_key(m.production, pending.assignment_key)
    if assignment is None or not await _resolve(context, chat_id, m, pending, query):
        return
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


@_button(_pressed_on_question)
async def decline_button(context: Context, chat_id: int, pending: Pending, m: Member, query: Any) -> None:
    """"No, I will fix it": nothing is stored; the member types the figure again."""
    assignment = assignment_by_key(m.production, pending.assignment_key)
    if not await _resolve(context, chat_id, m, pending, query):
        return
    example = "" if assignment is None else texts.example(m.production, assignment, m.lang)
    await reply(context.bot, context.services, chat_id, m, t(m.lang, "telegram.confirm.declined", example=example))

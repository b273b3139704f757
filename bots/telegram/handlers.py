"""The bot's handlers: each translates one Telegram input and calls one use case or member update.

Registered in ``bots.telegram.app.build_application``. Nothing is stored for a chat that is not
linked to a crew member: strangers are told how to join. Conversation state (a correction or a
guided entry in progress) lives in the store, so a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from telegram import Update
from telegram.error import TelegramError

from bots.telegram import texts
from bots.telegram.flow import (
    SOURCE,
    Member,
    Target,
    answer_from_pending,
    answer_text,
    assignment_by_key,
    assignment_for_report,
    find_target,
    members_of,
    reply,
    store_answer,
    target_of_prompt,
)
from bots.telegram.services import Context, Services, keyboard, say
from domain.answers import MEAL_SYNONYMS, WASTE_SYNONYMS, Answer, parse_day, parse_items
from domain.carbon import active_reports
from domain.errors import GreenslateError, InvalidReport
from domain.model import Language, Report, ReportKind
from domain.usecases import undo_report
from greenslate.i18n import day as format_day
from greenslate.i18n import normalise_language, t
from store.telegram import Conversation

log = logging.getLogger("greenslate.telegram")
operator_log = logging.getLogger("greenslate.operator")

#: Conversation states kept in ``telegram_conversations``.
CORRECTING = "correcting"  # the next message is the corrected figure of ``data["report_id"]``
STEPS = "steps"  # a guided entry: one figure per meal type or waste stream


# -- helpers ----------------------------------------------------------------------------------------


def _chat_id(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


def _stranger_language(update: Update) -> str:
    user = update.effective_user
    return normalise_language(user.language_code if user else None)


async def _send_plain(update: Update, context: Context, text: str) -> None:
    await context.bot.send_message(chat_id=_chat_id(update), text=text)


async def _linked(update: Update, context: Context) -> list[Member] | None:
    """The consented memberships of this chat; strangers are told how to join, and get None."""
    services = context.services
    chat_id = _chat_id(update)
    members = await members_of(services, chat_id)
    if not members:
        await _send_plain(update, context, t(_stranger_language(update), "telegram.join.how"))
        return None
    consented = [m for m in members if m.consented]
    if not consented:
        m = members[0]
        await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.consent.needed"),
                    buttons=_consent_buttons(m.lang))
        return None
    if any(m.state.unreachable for m in consented):  # they write to us: they can be reached again
        await asyncio.to_thread(_set_reachable, services, consented)
    return consented


def _set_reachable(services: Services, members: list[Member]) -> None:
    with services.app.uow() as uow:
        for m in members:
            uow.members.set_unreachable(m.production_id, m.member_id, False)
        uow.commit()


def _consent_buttons(lang: str) -> Any:
    return keyboard([(t(lang, "telegram.button.consent"), "c:y")], [(t(lang, "telegram.button.decline"), "c:n")])


def _now(context: Context) -> dt.datetime:
    return context.services.clock()


def _member_of(members: list[Member], production_id: str, member_id: str) -> Member | None:
    return next((m for m in members if (m.production_id, m.member_id) == (production_id, member_id)), None)


def _report(services: Services, report_id: int) -> Report | None:
    with services.app.uow() as uow:
        try:
            return uow.reports.get(report_id)
        except GreenslateError:
            return None


def _latest_version(services: Services, report: Report) -> Report:
    with services.app.uow() as uow:
        while (nxt := uow.reports.corrector_of(report.id or 0)) is not None:
            report = nxt
    return report


def _target_of_report(members: list[Member], report: Report) -> Target | None:
    m = _member_of(members, report.production_id, report.member_id or "")
    if m is None:
        return None
    assignment = assignment_for_report(m.production, report)
    return None if assignment is None else Target(m, assignment, report.day)


async def _acknowledge(query: Any) -> None:
    """Stop the button's spinner. Without a text: a toast is never read by Android's screen reader."""
    with contextlib.suppress(TelegramError):  # cosmetic; the answer comes as a message anyway
        await query.answer()


async def _query_target(update: Update, context: Context) -> tuple[list[Member], Any] | None:
    """Acknowledge a button press (no toast: screen readers miss them) and check who pressed it."""
    query = update.callback_query
    assert query is not None
    await _acknowledge(query)
    members = await _linked(update, context)
    return None if members is None else (members, query)


# -- joining --------------------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    """``/start <token>``: link this chat to the invited member, then ask for their consent."""
    services, chat_id = context.services, _chat_id(update)
    lang = _stranger_language(update)
    if not context.args:
        members = await members_of(services, chat_id)
        if members:
            await help_command(update, context)
        else:
            await _send_plain(update, context, t(lang, "telegram.start.missing", bot=context.bot.username))
        return
    token = context.args[0]
    now = _now(context)
    invite = await asyncio.to_thread(services.store.invite, token)
    if invite is None:
        await _send_plain(update, context, t(lang, "telegram.start.unknown"))
        return
    if invite.used_at is not None:
        members = await members_of(services, chat_id)
        mine = _member_of(members, invite.production_id, invite.member_id)
        if invite.used_by_chat == chat_id and mine is not None:  # the same link tapped again
            if mine.consented:
                await help_command(update, context)
            else:
                await say(context.bot, services, chat_id, texts.welcome(mine.production, mine.member_id, mine.lang),
                          lang=mine.lang, voice=mine.voice, buttons=_consent_buttons(mine.lang))
            return
        await _send_plain(update, context, t(lang, "telegram.start.used"))
        return
    if invite.expires_at <= now:
        await _send_plain(update, context, t(lang, "telegram.start.expired"))
        return
    if not await asyncio.to_thread(services.store.use_invite, token, chat_id, now):
        await _send_plain(update, context, t(lang, "telegram.start.used"))
        return

    def link() -> tuple[Any, Any]:
        with services.app.uow() as uow:
            production = uow.productions.get(invite.production_id)
            uow.members.link_telegram(invite.production_id, invite.member_id, chat_id, None)
            state = uow.members.state(invite.production_id, invite.member_id)
            uow.commit()
        return production, state

    production, state = await asyncio.to_thread(link)
    await say(context.bot, services, chat_id, texts.welcome(production, state.member_id, state.language),
              lang=state.language, voice=state.voice, buttons=_consent_buttons(state.language))


async def consent(update: Update, context: Context) -> None:
    """The consent buttons: record the member's yes, or unlink them on no."""
    query = update.callback_query
    assert query is not None
    await _acknowledge(query)
    services, chat_id = context.services, _chat_id(update)
    members = await members_of(services, chat_id)
    waiting = [m for m in members if not m.consented]
    if not members:
        await _send_plain(update, context, t(_stranger_language(update), "telegram.join.how"))
        return
    agreed = query.data == "c:y"
    now = _now(context)

    def record() -> None:
        with services.app.uow() as uow:
            for m in waiting:
                if agreed:
                    uow.members.link_telegram(m.production_id, m.member_id, chat_id, now)
                else:
                    uow.members.link_telegram(m.production_id, m.member_id, None, None)
            uow.commit()

    await asyncio.to_thread(record)
    m = members[0]
    if not waiting:  # a second tap, or the old welcome message: nothing changes
        key = "telegram.consent.done" if agreed else "telegram.consent.already"
    else:
        key = "telegram.consent.done" if agreed else "telegram.consent.declined"
    await reply(context.bot, services, chat_id, m, t(m.lang, key))


# -- commands ---------------------------------------------------------------------------------------


async def help_command(update: Update, context: Context) -> None:
    """``/help``: what the bot does and what the member can type."""
    members = await _linked(update, context)
    if members is None:
        return
    m = members[0]
    await reply(context.bot, context.services, _chat_id(update), m, t(m.lang, "telegram.help"))


async def status(update: Update, context: Context) -> None:
    """``/status``: what is pending for me, what I sent this week."""
    members = await _linked(update, context)
    if members is None:
        return
    services, chat_id = context.services, _chat_id(update)
    m = members[0]
    lang, now = m.lang, _now(context)
    lines = [t(lang, "telegram.status.pending_title")]
    pending = []
    for prompt in await asyncio.to_thread(services.store.unanswered, chat_id):
        target = target_of_prompt(members, prompt)
        if target is not None:
            pending.append(t(lang, "telegram.status.pending_line",
                             what=texts.what(target.member.production, target.assignment, lang),
                             when=texts.when(target.day, target.member.today(now), lang)))
    lines += pending or [t(lang, "telegram.status.pending_none")]
    lines += ["", t(lang, "telegram.status.week_title")]
    sent = await asyncio.to_thread(_this_week, services, members, now, lang)
    lines += sent or [t(lang, "telegram.status.week_none")]
    paused = [mm.state.paused_until for mm in members if mm.state.paused_until and
              mm.state.paused_until >= mm.today(now)]
    if paused:
        lines += ["", t(lang, "telegram.status.paused", day=format_day(max(paused), lang))]
    await reply(context.bot, services, chat_id, m, "\n".join(lines))


def _this_week(services: Services, members: list[Member], now: dt.datetime, lang: str) -> list[str]:
    result = []
    with services.app.uow() as uow:
        for m in members:
            today = m.today(now)
            monday = today - dt.timedelta(days=today.weekday())
            reports = [r for r in active_reports(uow.reports.for_production(m.production_id, member_id=m.member_id))
                       if monday <= r.day <= monday + dt.timedelta(days=6)]
            if not reports:
                continue
            ids = {r.id for r in reports}
            quantity: dict[int, Any] = {}
            for ln in uow.lines.for_production(m.production_id):
                if ln.report_id in ids:
                    quantity[ln.report_id] = quantity.get(ln.report_id, 0) + ln.quantity
            for r in sorted(reports, key=lambda r: (r.day, r.received_at)):
                result.append(t(lang, "telegram.status.week_line", when=format_day(r.day, lang),
                                figure=texts.figure(m.production, r, quantity.get(r.id or 0, 0), today, lang)))
    return result


async def pause(update: Update, context: Context) -> None:
    """``/pause until DATE``: no prompt up to that day included (days off, holidays)."""
    members = await _linked(update, context)
    if members is None:
        return
    services, chat_id = context.services, _chat_id(update)
    m = members[0]
    today = m.today(_now(context))
    text = " ".join(context.args or [])
    if not text.strip():
        await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.pause.missing"))
        return
    try:
        until = parse_day(text, today)
    except InvalidReport:
        await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.pause.bad_date"))
        return
    if until < today:
        await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.pause.past"))
        return
    await asyncio.to_thread(_set_pause, services, members, until)
    await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.pause.done", day=format_day(until, m.lang)))


def _set_pause(services: Services, members: list[Member], until: dt.date | None) -> None:
    with services.app.uow() as uow:
        for m in members:
            uow.members.set_paused_until(m.production_id, m.member_id, until)
        uow.commit()


async def resume(update: Update, context: Context) -> None:
    """``/resume``: prompts start again."""
    members = await _linked(update, context)
    if members is None:
        return
    await asyncio.to_thread(_set_pause, context.services, members, None)
    m = members[0]
    await reply(context.bot, context.services, _chat_id(update), m, t(m.lang, "telegram.resume.done"))


async def language(update: Update, context: Context) -> None:
    """``/language fr|en``: the language of every message to me."""
    members = await _linked(update, context)
    if members is None:
        return
    services, chat_id, m = context.services, _chat_id(update), members[0]
    choice = (context.args or [""])[0].strip().lower()[:2]
    if choice not in ("fr", "en"):
        await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.language.usage"))
        return

    def update_language() -> None:
        with services.app.uow() as uow:
            for mm in members:
                uow.members.set_language(mm.production_id, mm.member_id, Language(choice))
            uow.commit()

    await asyncio.to_thread(update_language)
    await say(context.bot, services, chat_id, t(choice, "telegram.language.done"), lang=choice, voice=m.voice)


async def voice(update: Update, context: Context) -> None:
    """``/voice on|off``: also send me every message as a voice note."""
    members = await _linked(update, context)
    if members is None:
        return
    services, chat_id, m = context.services, _chat_id(update), members[0]
    choice = (context.args or [""])[0].strip().lower()
    if choice not in ("on", "off"):
        await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.voice.usage"))
        return
    on = choice == "on"

    def update_voice() -> None:
        with services.app.uow() as uow:
            for mm in members:
                uow.members.set_voice(mm.production_id, mm.member_id, on)
            uow.commit()

    await asyncio.to_thread(update_voice)
    await say(context.bot, services, chat_id, t(m.lang, "telegram.voice.on" if on else "telegram.voice.off"),
              lang=m.lang, voice=on)


async def stop(update: Update, context: Context) -> None:
    """``/stop``: unlink me; my past figures stay in the totals, without my name."""
    members = await _linked(update, context)
    if members is None:
        return
    services, chat_id, m = context.services, _chat_id(update), members[0]

    def forget() -> None:
        with services.app.uow() as uow:
            for mm in members:
                uow.members.forget(mm.production_id, mm.member_id)
            uow.commit()
        for mm in members:
            services.store.forget_member(mm.production_id, mm.member_id)
        services.store.clear_conversation(chat_id)

    await asyncio.to_thread(forget)
    await say(context.bot, services, chat_id, t(m.lang, "telegram.stop.done"), lang=m.lang, voice=False)


async def correct_command(update: Update, context: Context) -> None:
    """``/correct [figure]``: replace my last figure (typed now, or in my next message)."""
    members = await _linked(update, context)
    if members is None:
        return
    services, chat_id = context.services, _chat_id(update)
    latest = await asyncio.to_thread(_latest_report, services, members)
    if latest is None:
        m = members[0]
        await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.correct.nothing"))
        return
    target = _target_of_report(members, latest)
    if target is None:
        return
    message = update.effective_message
    assert message is not None
    if context.args:
        await answer_text(context.bot, services, chat_id, target, " ".join(context.args),
                          source_ref=f"{chat_id}:{message.message_id}", received_at=message.date,
                          corrects=latest.id)
        return
    await _ask_correction(context, chat_id, target, latest)


def _latest_report(services: Services, members: list[Member]) -> Report | None:
    candidates = []
    with services.app.uow() as uow:
        for m in members:
            candidates += active_reports(uow.reports.for_production(m.production_id, member_id=m.member_id))
    return max(candidates, key=lambda r: (r.received_at, r.id or 0), default=None)


async def _ask_correction(context: Context, chat_id: int, target: Target, report: Report) -> None:
    services, m = context.services, target.member
    conversation = Conversation(chat_id, m.production_id, m.member_id, CORRECTING, {"report_id": report.id})
    await asyncio.to_thread(services.store.set_conversation, conversation, _now(context))
    today = m.today(_now(context))
    await reply(context.bot, services, chat_id, m, t(
        m.lang, "telegram.correct.ask", when=texts.when(report.day, today, m.lang),
        example=texts.example(m.production, target.assignment, m.lang)))


# -- answers ---------------------------------------------------------------------------------------


async def text_answer(update: Update, context: Context) -> None:
    """A typed answer: a figure for a prompt, the next step of a guided entry, or a corrected figure."""
    members = await _linked(update, context)
    if members is None:
        return
    services, chat_id = context.services, _chat_id(update)
    message = update.effective_message
    assert message is not None and message.text is not None
    source_ref = f"{chat_id}:{message.message_id}"
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    conversation = await asyncio.to_thread(services.store.conversation, chat_id)
    if conversation is not None and reply_to is not None and await asyncio.to_thread(
            services.store.prompt, chat_id, reply_to) is not None:
        # A reply to a prompt says which question it answers: it ends a correction or guided entry.
        await asyncio.to_thread(services.store.clear_conversation, chat_id)
        conversation = None
    if conversation is not None and conversation.state == STEPS:
        await _step(update, context, members, conversation)
        return
    if conversation is not None and conversation.state == CORRECTING:
        report = await asyncio.to_thread(_report, services, int(conversation.data["report_id"]))
        target = None if report is None else _target_of_report(members, report)
        if report is not None and target is not None:
            recorded = await answer_text(context.bot, services, chat_id, target, message.text,
                                         source_ref=source_ref, received_at=message.date, corrects=report.id)
            if recorded is not None:
                await asyncio.to_thread(services.store.clear_conversation, chat_id)
            return
        await asyncio.to_thread(services.store.clear_conversation, chat_id)
    target = await asyncio.to_thread(find_target, services, members, chat_id, reply_to)
    if target is None:
        m = members[0]
        await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.error.nothing_pending"))
        return
    await answer_text(context.bot, services, chat_id, target, message.text, source_ref=source_ref,
                      received_at=message.date)


async def edited_answer(update: Update, context: Context) -> None:
    """An edited answer replaces the figure it gave (the history keeps both)."""
    message = update.edited_message
    if message is None or message.text is None or message.text.startswith("/"):
        return
    members = await _linked(update, context)
    if members is None:
        return
    services, chat_id = context.services, _chat_id(update)
    edit = int((message.edit_date or message.date).timestamp())
    source_ref = f"{chat_id}:{message.message_id}:edit:{edit}"

    def original() -> Report | None:
        with services.app.uow() as uow:
            return uow.reports.by_source(SOURCE, f"{chat_id}:{message.message_id}")

    report = await asyncio.to_thread(original)
    if report is not None:
        target = _target_of_report(members, report)
        if target is not None:
            await answer_text(context.bot, services, chat_id, target, message.text, source_ref=source_ref,
                              received_at=message.edit_date or message.date, corrects=report.id)
        return
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    target = await asyncio.to_thread(find_target, services, members, chat_id, reply_to)
    if target is not None:
        await answer_text(context.bot, services, chat_id, target, message.text, source_ref=source_ref,
                          received_at=message.edit_date or message.date)


async def zero_button(update: Update, context: Context) -> None:
    """"I did not drive today" / "No generator today": a zero for that prompt, without typing."""
    checked = await _query_target(update, context)
    if checked is None:
        return
    members, query = checked
    services, chat_id = context.services, _chat_id(update)
    prompt = await asyncio.to_thread(services.store.prompt, chat_id, query.message.message_id)
    target = None if prompt is None else target_of_prompt(members, prompt)
    if target is None:
        return
    kind = target.assignment.report
    values = {"km": 0} if kind is ReportKind.MILEAGE else {"hours": 0}
    answer = Answer(kind, {k: Decimal(v) for k, v in values.items()})
    await store_answer(context.bot, services, chat_id, target, answer, raw_text=query.data,
                       source_ref=f"{chat_id}:{prompt.message_id}:none", received_at=_now(context))


async def steps_button(update: Update, context: Context) -> None:
    """"Step by step": ask one meal type (or waste stream) at a time."""
    checked = await _query_target(update, context)
    if checked is None:
        return
    members, query = checked
    services, chat_id = context.services, _chat_id(update)
    prompt = await asyncio.to_thread(services.store.prompt, chat_id, query.message.message_id)
    target = None if prompt is None else target_of_prompt(members, prompt)
    if target is None:
        return
    production, kind = target.member.production, target.assignment.report
    items = list(production.meal_types if kind is ReportKind.MEALS else production.waste_streams)
    m = target.member
    conversation = Conversation(chat_id, m.production_id, m.member_id, STEPS, {
        "assignment_key": target.assignment.key, "day": target.day.isoformat(), "items": items, "values": {}})
    await asyncio.to_thread(services.store.set_conversation, conversation, _now(context))
    await reply(context.bot, services, chat_id, m, texts.step_question(kind, items[0], m.lang))


async def _step(update: Update, context: Context, members: list[Member], conversation: Conversation) -> None:
    services, chat_id = context.services, _chat_id(update)
    message = update.effective_message
    assert message is not None and message.text is not None
    m = _member_of(members, conversation.production_id, conversation.member_id)
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
        await asyncio.to_thread(services.store.set_conversation, conversation, _now(context))
        await reply(context.bot, services, chat_id, m, texts.step_question(kind, items[len(values)], m.lang))
        return
    await asyncio.to_thread(services.store.clear_conversation, chat_id)
    target = Target(m, assignment, dt.date.fromisoformat(data["day"]))
    answer = Answer(kind, {k: Decimal(v) for k, v in values.items()})
    raw = ", ".join(f"{texts.item_label(k, m.lang)} {v}" for k, v in values.items())
    await store_answer(context.bot, services, chat_id, target, answer, raw_text=raw,
                       source_ref=f"{chat_id}:{message.message_id}", received_at=message.date)


async def fix_button(update: Update, context: Context) -> None:
    """"Correct" under a recap: the next message replaces that figure."""
    checked = await _query_target(update, context)
    if checked is None:
        return
    members, query = checked
    report = await asyncio.to_thread(_report, context.services, int(query.data.split(":")[1]))
    target = None if report is None else _target_of_report(members, report)
    if report is None or target is None:
        await _not_yours(update, context, members)
        return
    latest = await asyncio.to_thread(_latest_version, context.services, report)
    await _ask_correction(context, _chat_id(update), target, latest)


async def undo_button(update: Update, context: Context) -> None:
    """"Undo this figure" under a recap: the figure no longer counts (the history keeps it)."""
    checked = await _query_target(update, context)
    if checked is None:
        return
    members, query = checked
    services, chat_id = context.services, _chat_id(update)
    report = await asyncio.to_thread(_report, services, int(query.data.split(":")[1]))
    target = None if report is None else _target_of_report(members, report)
    if report is None or target is None:
        await _not_yours(update, context, members)
        return
    m = target.member
    latest = await asyncio.to_thread(_latest_version, services, report)
    if latest.void:
        await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.undo.already"))
        return
    app = services.app

    def undo() -> None:
        undo_report(app.uow(), app.catalogue, latest.id or 0, source=SOURCE,
                    source_ref=f"{chat_id}:undo:{query.id}", received_at=_now(context))
        services.store.reopen(m.production_id, m.member_id, target.assignment.key, report.day)

    await asyncio.to_thread(undo)
    await reply(context.bot, services, chat_id, m, t(
        m.lang, "telegram.undone", example=texts.example(m.production, target.assignment, m.lang)))


async def pick_button(update: Update, context: Context) -> None:
    """"Yes, that is right" (or one reading of an ambiguous number): store the answer waiting for it."""
    checked = await _query_target(update, context)
    if checked is None:
        return
    members, query = checked
    services, chat_id = context.services, _chat_id(update)
    _, pending_id, index = query.data.split(":")
    pending = await asyncio.to_thread(services.store.pending, int(pending_id))
    m = None if pending is None else _member_of(members, pending.production_id, pending.member_id)
    if pending is None or m is None or pending.chat_id != chat_id:
        await _not_yours(update, context, members)
        return
    assignment = assignment_by_key(m.production, pending.assignment_key)
    if assignment is None:
        return
    if not await asyncio.to_thread(services.store.resolve_pending, pending.id, _now(context)):
        await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.confirm.gone"))
        return
    await _drop_buttons(query)
    try:
        await store_answer(context.bot, services, chat_id, Target(m, assignment, pending.day),
                           answer_from_pending(pending, int(index)), raw_text=pending.raw_text,
                           source_ref=pending.source_ref, received_at=_now(context), corrects=pending.corrects,
                           confirmed=pending.reason == "confirm")
    except Exception:
        await asyncio.to_thread(services.store.reopen_pending, pending.id)
        raise


async def decline_button(update: Update, context: Context) -> None:
    """"No, I will fix it": nothing is stored; the member types the figure again."""
    checked = await _query_target(update, context)
    if checked is None:
        return
    members, query = checked
    services, chat_id = context.services, _chat_id(update)
    pending = await asyncio.to_thread(services.store.pending, int(query.data.split(":")[1]))
    m = None if pending is None else _member_of(members, pending.production_id, pending.member_id)
    if pending is None or m is None or pending.chat_id != chat_id:
        await _not_yours(update, context, members)
        return
    assignment = assignment_by_key(m.production, pending.assignment_key)
    if not await asyncio.to_thread(services.store.resolve_pending, pending.id, _now(context)):
        await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.confirm.gone"))
        return
    await _drop_buttons(query)
    example = "" if assignment is None else texts.example(m.production, assignment, m.lang)
    await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.confirm.declined", example=example))


async def _drop_buttons(query: Any) -> None:
    with contextlib.suppress(TelegramError):  # the question is answered either way; buttons are a detail
        await query.edit_message_reply_markup(reply_markup=None)


async def _not_yours(update: Update, context: Context, members: list[Member]) -> None:
    m = members[0]
    await reply(context.bot, context.services, _chat_id(update), m, t(m.lang, "telegram.error.not_yours"))


async def stranger_text(update: Update, context: Context) -> None:
    """Anything else (a photo, a sticker): strangers learn how to join, members get the help text."""
    await help_command(update, context)


# -- errors ----------------------------------------------------------------------------------------


async def on_error(update: object, context: Context) -> None:
    """Log the failure for the operator (never the token) and tell the member to try again."""
    error = context.error
    operator_log.error("telegram handler failed: %s", type(error).__name__,
                       exc_info=(type(error), error, error.__traceback__) if error else None)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            members = await members_of(context.services, update.effective_chat.id)
            lang = members[0].lang if members else _stranger_language(update)
            await context.bot.send_message(chat_id=update.effective_chat.id,
                                           text=t(lang, "telegram.error.unexpected"))
        except Exception as exc:  # the chat itself may be the problem (blocked, network): nothing more to do
            operator_log.warning("could not tell the member about the failure: %s", type(exc).__name__)

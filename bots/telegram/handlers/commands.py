"""The member's commands: /help, /status, /pause, /resume, /language, /voice, /stop, /correct."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from telegram import Update

from base.i18n import day as format_day
from base.i18n import t
from bots.telegram import texts
from bots.telegram.flow import (
    Member,
    Target,
    answer_text,
    assignment_by_key,
    reply,
    target_of_prompt,
)
from bots.telegram.handlers.common import (
    CORRECTING,
    chat_id_of,
    linked,
    now_of,
    target_of_report,
)
from bots.telegram.services import Context, Services, say
from domain.answers import parse_day
from domain.carbon import active_reports
from domain.errors import InvalidReport
from domain.model import Language, Report
from domain.rollcall import open_prompts
from domain.schedule import Occurrence
from store.erasure import erase_member
from store.telegram import Conversation, PromptRef


async def help_command(update: Update, context: Context) -> None:
    """``/help``: what the bot does and what the member can type."""
    members = await linked(update, context)
    if members is None:
        return
    m = members[0]
    await reply(context.bot, context.services, chat_id_of(update), m, t(m.lang, "telegram.help"))


async def status(update: Update, context: Context) -> None:
    """``/status``: what is pending for me, what I sent this week."""
    members = await linked(update, context)
    if members is None:
        return
    services, chat_id = context.services, chat_id_of(update)
    lang, now = members[0].lang, now_of(context)
    sent = await asyncio.to_thread(services.store.unanswered, chat_id)
    # Prompts that fell due while greenslate was down were never sent: list them too, and send
    # them now, so the member can answer each one (a late answer counts for its own day).
    already = {(p.production_id, p.member_id, p.assignment_key, p.day) for p in sent}
    missed = await asyncio.to_thread(_missed, services, members, now, already)
    lines = [t(lang, "telegram.status.pending_title")]
    lines += _pending_lines(members, sent, missed, now, lang) or [t(lang, "telegram.status.pending_none")]
    if missed:
        lines += [t(lang, "telegram.status.missed_note")]
    lines += ["", t(lang, "telegram.status.week_title")]
    week = await asyncio.to_thread(_this_week, services, members, now, lang)
    lines += week or [t(lang, "telegram.status.week_none")]
    lines += _paused_lines(members, now, lang)
    speaker = missed[-1][0] if missed else members[0]
    await reply(context.bot, services, chat_id, speaker, "\n".join(lines))
    if missed:
        from bots.telegram.notifier import TelegramNotifier

        notifier = TelegramNotifier(context.application, services.app)
        for mm, occ in missed[:MAX_MISSED_RESENT]:
            await notifier.send_prompt(mm.production_id, mm.member_id, occ.assignment_key, occ.day)


def _pending_lines(
    members: list[Member], sent: list[PromptRef], missed: list[tuple[Member, Occurrence]], now: dt.datetime,
    lang: str,
) -> list[str]:
    """One line per prompt waiting for an answer: those sent, then those never sent."""
    pending = []
    for prompt in sent:
        target = target_of_prompt(members, prompt)
        if target is not None:
            pending.append(t(lang, "telegram.status.pending_line",
                             what=texts.what(target.member.production, target.assignment, lang),
                             when=texts.when(target.day, target.member.today(now), lang)))
    for m, occ in missed:
        assignment = assignment_by_key(m.production, occ.assignment_key)
        if assignment is not None:
            pending.append(t(lang, "telegram.status.pending_line",
                             what=texts.what(m.production, assignment, lang),
                             when=texts.when(occ.day, m.today(now), lang)))
    return pending


def _paused_lines(members: list[Member], now: dt.datetime, lang: str) -> list[str]:
    """The day prompts start again, when the member paused them."""
    paused = [mm.state.paused_until for mm in members if mm.state.paused_until and
              mm.state.paused_until >= mm.today(now)]
    if not paused:
        return []
    return ["", t(lang, "telegram.status.paused", day=format_day(max(paused), lang))]


#: /status sends again at most this many missed prompts at once (oldest first).
MAX_MISSED_RESENT = 5


def _missed(
    services: Services, members: list[Member], now: dt.datetime, already: set[tuple[str, str, str, dt.date]]
) -> list[tuple[Member, Occurrence]]:
    """The member's prompts of the last days that are still unanswered and were never sent."""
    result = []
    with services.app.uow() as uow:
        for m in members:
            answered = {(r.kind, r.subject, r.day) for r in active_reports(uow.reports.for_production(m.production_id))}
            for occ in open_prompts(m.production, m.member_id, m.state, answered, now):
                if (occ.production_id, occ.member_id, occ.assignment_key, occ.day) not in already:
                    result.append((m, occ))
    return result


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
    members = await linked(update, context)
    if members is None:
        return
    services, chat_id = context.services, chat_id_of(update)
    m = members[0]
    today = m.today(now_of(context))
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
    members = await linked(update, context)
    if members is None:
        return
    await asyncio.to_thread(_set_pause, context.services, members, None)
    m = members[0]
    await reply(context.bot, context.services, chat_id_of(update), m, t(m.lang, "telegram.resume.done"))


async def language(update: Update, context: Context) -> None:
    """``/language fr|en``: the language of every message to me."""
    members = await linked(update, context)
    if members is None:
        return
    services, chat_id, m = context.services, chat_id_of(update), members[0]
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
    members = await linked(update, context)
    if members is None:
        return
    services, chat_id, m = context.services, chat_id_of(update), members[0]
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
    members = await linked(update, context)
    if members is None:
        return
    services, chat_id, m = context.services, chat_id_of(update), members[0]

    def forget() -> None:
        now = now_of(context)
        with services.app.uow() as uow:  # one transaction: erased in every production, or in none
            for mm in members:
                erase_member(uow.connection, mm.production_id, mm.member_id, now)
            uow.commit()
        services.store.clear_conversation(chat_id)

    await asyncio.to_thread(forget)
    await say(context.bot, services, chat_id, t(m.lang, "telegram.stop.done"), lang=m.lang, voice=False)


async def stranger_text(update: Update, context: Context) -> None:
    """Anything else (a photo, a sticker): strangers learn how to join, members get the help text."""
    await help_command(update, context)


async def correct_command(update: Update, context: Context) -> None:
    """``/correct [figure]``: replace my last figure (typed now, or in my next message)."""
    members = await linked(update, context)
    if members is None:
        return
    services, chat_id = context.services, chat_id_of(update)
    latest = await asyncio.to_thread(_latest_report, services, members)
    if latest is None:
        m = members[0]
        await reply(context.bot, services, chat_id, m, t(m.lang, "telegram.correct.nothing"))
        return
    target = target_of_report(members, latest)
    if target is None:
        return
    message = update.effective_message
    assert message is not None
    if context.args:
        await answer_text(context.bot, services, chat_id, target, " ".join(context.args),
                          source_ref=f"{services.store.chat_ref(chat_id)}:{message.message_id}",
                          received_at=message.date, corrects=latest.id)
        return
    await ask_correction(context, chat_id, target, latest)


def _latest_report(services: Services, members: list[Member]) -> Report | None:
    candidates = []
    with services.app.uow() as uow:
        for m in members:
            candidates += active_reports(uow.reports.for_production(m.production_id, member_id=m.member_id))
    return max(candidates, key=lambda r: (r.received_at, r.id or 0), default=None)


async def ask_correction(context: Context, chat_id: int, target: Target, report: Report) -> None:
    services, m = context.services, target.member
    conversation = Conversation(chat_id, m.production_id, m.member_id, CORRECTING, {"report_id": report.id})
    await asyncio.to_thread(services.store.set_conversation, conversation, now_of(context))
    today = m.today(now_of(context))
    await reply(context.bot, services, chat_id, m, t(
        m.lang, "telegram.correct.ask", when=texts.when(report.day, today, m.lang),
        example=texts.example(m.production, target.assignment, m.lang)))

"""From a chat message to a stored figure: who is writing, which prompt it answers, what to reply.

Handlers call these helpers; the figure itself is stored by the domain use cases
(``record_answer`` / ``correct_report``), which refuse bad figures and store each message once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Connection

from base.i18n import t
from bots.telegram import texts
from bots.telegram.services import Services, keyboard, say
from config.places import load_places
from domain.answers import parse_answer
from domain.carbon import active_reports
from domain.errors import AmbiguousNumber, InvalidReport, NeedsConfirmation, UnknownFactor, UnknownMember
from domain.footprint_answers import FOOTPRINT_KINDS, SUBJECT_CHOICE_KINDS, parse_footprint
from domain.model import Assignment, Production, Report, ReportKind, purchase_factor_key
from domain.parsing import Answer, fold
from domain.ports import MemberState, UnitOfWork
from domain.usecases import Recorded, answer_reads, correct_report, record_answer, record_report
from store.telegram import ChatMember, ChatView, Pending, PromptRef
from store.uow import Job, SqlUnitOfWork

SOURCE = "telegram"
#: Kinds whose answers add up (two legs, two refuels, two invoices the same day); the other kinds' answer is
#: the day's figure, and a second one replaces the first.
ADDED_KINDS = frozenset({ReportKind.TRAVEL, ReportKind.ACCOMMODATION, ReportKind.FUEL, ReportKind.FREIGHT,
                         ReportKind.PURCHASES, ReportKind.POST_PRODUCTION})
log = logging.getLogger("greenslate.telegram")


@dataclass(frozen=True)
class Member:
    """One crew membership linked to a chat (a person may be on two productions)."""

    state: MemberState
    production: Production

    @property
    def production_id(self) -> str:
        return self.production.id

    @property
    def member_id(self) -> str:
        return self.state.member_id

    @property
    def lang(self) -> str:
        return self.state.language

    @property
    def voice(self) -> bool:
        return self.state.voice

    @property
    def consented(self) -> bool:
        return self.state.consent_at is not None

    def today(self, now: dt.datetime) -> dt.date:
        return self.production.local_day(now)


@dataclass(frozen=True)
class Target:
    """What an answer counts for: one assignment of one member, on one day."""

    member: Member
    assignment: Assignment
    day: dt.date


def load_members(services: Services, chat_id: int, memberships: list[ChatMember] | None = None, *,
                 conn: Connection | None = None) -> list[Member]:
    """The memberships linked to this chat, read now (or given, as just read); their productions from the
    cache when current (else read, through ``conn`` when given)."""
    if memberships is None:
        memberships = services.store.chat_members(chat_id)
    result = []
    for membership in memberships:
        if membership.state.forgotten:
            continue
        production = services.productions.production(membership, lambda pid: _load_production(services, pid, conn))
        if production is None:
            continue
        try:
            production.member(membership.state.member_id)
        except KeyError:
            continue
        result.append(Member(membership.state, production))
    return result


def read_chats(services: Services, chats: list[tuple[int, int | None]], *,
               conn: Connection | None = None) -> list[tuple[list[Member], ChatView]]:
    """Who writes in each (chat, message replied to), and the chat as stored: what typed answers need, for
    several chats at once (``Services.reads``); through ``conn`` when given."""
    read = services.store.read_chats(chats, conn=conn)
    return [(load_members(services, chat_id, memberships, conn=conn), view)
            for (chat_id, _), (memberships, view) in zip(chats, read, strict=True)]


async def read_chats_async(services: Services,
                           chats: list[tuple[int, int | None]]) -> list[tuple[list[Member], ChatView]]:
    """:func:`read_chats` through the asyncio engine (PostgreSQL): its waits awaited on the loop, no thread."""
    assert services.read_engine is not None
    async with services.read_engine.connect() as conn:
        return await conn.run_sync(lambda sync_conn: read_chats(services, chats, conn=sync_conn))


def _load_production(services: Services, production_id: str, conn: Connection | None = None) -> Production | None:
    uow = services.app.uow() if conn is None else SqlUnitOfWork(conn)
    with uow:
        return uow.productions.find(production_id)


async def members_of(services: Services, chat_id: int) -> list[Member]:
    """The memberships linked to this chat (consented or not)."""
    return await asyncio.to_thread(load_members, services, chat_id)


def assignment_by_key(production: Production, key: str) -> Assignment | None:
    return production.assignment(key)


def assignment_for_report(production: Production, report: Report) -> Assignment | None:
    """The assignment a stored report answers (a litres report answers the generator's hours prompt)."""
    for a in production.assignments_of(report.member_id or ""):
        same_kind = a.report is report.kind or (
            {a.report, report.kind} <= {ReportKind.GENERATOR_HOURS, ReportKind.GENERATOR_LITRES})
        # A travel mode, a lodging or a freight class is chosen in the answer, not set by the assignment.
        same_subject = a.subject == report.subject or report.kind in SUBJECT_CHOICE_KINDS
        if same_kind and same_subject:
            return a
    return None


def target_of_prompt(members: list[Member], prompt: PromptRef) -> Target | None:
    for m in members:
        if (m.production_id, m.member_id) == (prompt.production_id, prompt.member_id):
            assignment = assignment_by_key(m.production, prompt.assignment_key)
            if assignment is not None:
                return Target(m, assignment, prompt.day)
    return None


def find_target(
    services: Services, members: list[Member], chat_id: int, reply_to: int | None, view: ChatView | None = None
) -> Target | None:
    """The prompt replied to; else the newest unanswered prompt; else today's only assignment.

    ``view`` is the chat as read already (:meth:`TelegramStore.chat_view`); read here when not given.
    """
    if view is None:
        view = services.store.chat_view(chat_id, reply_to)
    if reply_to is not None and view.replied is not None:
        return target_of_prompt(members, view.replied)
    for prompt in view.unanswered:
        target = target_of_prompt(members, prompt)
        if target is not None:
            return target
    consented = [m for m in members if m.consented]
    assignments = [(m, a) for m in consented for a in m.production.assignments_of(m.member_id)]
    if len(assignments) == 1:
        member, assignment = assignments[0]
        today = member.today(services.clock())
        if member.production.calendar.is_shooting_day(today):
            return Target(member, assignment, today)
    return None


def readable_target(services: Services, members: list[Member], view: ChatView, target: Target,
                    text: str) -> Target:
    """The newest unanswered prompt is ``target``; when the answer does not read as an answer to it
    (``avion 686 km`` under a nights prompt) but reads as one to exactly one other unanswered prompt of the
    whole footprint, that one. Otherwise ``target``: its refusal says what it expects."""
    if target.assignment.report not in FOOTPRINT_KINDS or _reads_as(services, text, target):
        return target
    others = [other for prompt in view.unanswered
              if (other := target_of_prompt(members, prompt)) is not None
              and other.assignment.report in FOOTPRINT_KINDS and other.assignment.key != target.assignment.key]
    readable = [other for other in others if _reads_as(services, text, other)]
    return readable[0] if len(readable) == 1 else target


def _reads_as(services: Services, text: str, target: Target) -> bool:
    try:
        read_answer(services, text, target)
    except AmbiguousNumber:  # a number to ask about: it is an answer to this prompt
        return True
    except InvalidReport:
        return False
    return True


def _existing(services: Services, target: Target, answer: Answer) -> int | None:
    """The active report of that member, kind, subject and day: a new answer replaces it."""
    with services.app.uow() as uow:
        reports = uow.reports.for_production(target.member.production_id, kind=[answer.kind],
                                             subject=answer_subject(target, answer),
                                             member_id=target.member.member_id)
    same_day = [r for r in active_reports(reports) if r.day == target.day]
    return same_day[-1].id if same_day else None


def answer_subject(target: Target, answer: Answer) -> str | None:
    """The report's subject: the assignment's vehicle, generator or site, or what the answer chose."""
    return answer.subject if answer.kind in SUBJECT_CHOICE_KINDS else target.assignment.subject


def chosen_of(report: Report) -> str | None:
    """What a correction keeps unless the new answer says otherwise: the leg's mode, the lodging and zone,
    the freight class."""
    if report.kind not in SUBJECT_CHOICE_KINDS or not report.subject:
        return None
    return report.subject.split(":")[0] if report.kind is ReportKind.TRAVEL else report.subject


def spend_categories(services: Services) -> list[str]:
    """The budget-line categories the current factor set has a monetary ratio for (``spend_<c>_eur``)."""
    keys = services.app.catalogue.factors.keys()
    return [k[len("spend_"):-len("_eur")] for k in keys if k.startswith("spend_") and k.endswith("_eur")]


def read_answer(services: Services, text: str, target: Target, chosen: str | None = None) -> Answer:
    """What a typed answer says for this target (``chosen``: what a button under the prompt picked)."""
    assignment, production = target.assignment, target.member.production
    if assignment.report in FOOTPRINT_KINDS:
        factors = services.app.catalogue.factors
        return parse_footprint(text, assignment, chosen=chosen, spend_categories=spend_categories(services),
                               places=load_places(), counted=lambda item: purchase_factor_key(item) in factors)
    return parse_answer(text, assignment, production.meal_types, production.waste_streams)


def recap_buttons(report_id: int, lang: str) -> Any:
    return keyboard([(t(lang, "telegram.button.correct"), f"f:{report_id}"),
                     (t(lang, "telegram.button.undo"), f"u:{report_id}")])


async def reply(bot: Any, services: Services, chat_id: int, member: Member, text: str, **kwargs: Any) -> int:
    return await say(bot, services, chat_id, text, lang=member.lang, voice=member.voice, **kwargs)


async def answer_text(
    bot: Any,
    services: Services,
    chat_id: int,
    target: Target,
    text: str,
    *,
    source_ref: str,
    received_at: dt.datetime,
    corrects: int | None = None,
    reply_to: int | None = None,
    chosen: str | None = None,
) -> Recorded | None:
    """Read a typed answer and store it, or say what is wrong with it. Returns what was stored."""
    m, production, assignment = target.member, target.member.production, target.assignment
    try:
        answer = read_answer(services, text, target, chosen)
    except AmbiguousNumber as exc:
        if assignment.report in FOOTPRINT_KINDS:
            await _ask_footprint_ambiguity(bot, services, chat_id, target, text, exc, chosen=chosen,
                                           source_ref=source_ref, corrects=corrects, reply_to=reply_to)
            return None
        choices = exc.params.get("choices")
        single = assignment.report in (ReportKind.MILEAGE, ReportKind.GENERATOR_HOURS,
                                       ReportKind.GENERATOR_LITRES)
        if not single or not choices:
            await reply(bot, services, chat_id, m, texts.refusal(exc, production, assignment, m.lang),
                        reply_to=reply_to)
            return None
        token = str(exc.params.get("text", ""))
        # The token is as the parser read it (``𝟏.000`` reads ``1.000``): replace it in that reading.
        source = text if token in text else fold(text)
        try:
            answer = parse_answer(source.replace(token, str(choices[0]), 1), assignment)
        except InvalidReport:  # the number could not be singled out in the text: ask for it again
            await reply(bot, services, chat_id, m, texts.refusal(exc, production, assignment, m.lang),
                        reply_to=reply_to)
            return None
        item = next(iter(answer.values))
        options = [{item: str(c)} for c in choices]
        await _ask_pending(bot, services, chat_id, target, answer.kind, options, "ambiguous", text, source_ref,
                           corrects, texts.ambiguity(text, tuple(choices), production, assignment, m.lang),
                           [(texts.num(c, m.lang, 3), i) for i, c in enumerate(choices)], reply_to)
        return None
    except InvalidReport as exc:
        await reply(bot, services, chat_id, m, texts.refusal(exc, production, assignment, m.lang),
                    reply_to=reply_to)
        return None
    return await store_answer(bot, services, chat_id, target, answer, raw_text=text, source_ref=source_ref,
                              received_at=received_at, corrects=corrects, reply_to=reply_to)


async def store_answer(
    bot: Any,
    services: Services,
    chat_id: int,
    target: Target,
    answer: Answer,
    *,
    raw_text: str,
    source_ref: str,
    received_at: dt.datetime,
    corrects: int | None = None,
    confirmed: bool = False,
    reply_to: int | None = None,
) -> Recorded | None:
    """Store a read answer through the use case; reply with a recap, a question or a refusal."""
    m, production, assignment = target.member, target.member.production, target.assignment
    app = services.app
    values: Mapping[str, Decimal] = answer.values

    def mark_answered(uow: UnitOfWork, stored: Report) -> None:
        """The prompts of that assignment and day are answered, in the transaction storing the figure."""
        if stored.id is not None and not stored.void:
            cast(SqlUnitOfWork, uow).before_commit(
                *services.store.answered(production.id, m.member_id, assignment.key, stored.day, stored.id))

    subject = answer_subject(target, answer)
    report = None if corrects is not None else Report(
        production_id=production.id, member_id=m.member_id, kind=answer.kind, day=target.day,
        values=dict(values), raw_text=raw_text, source=SOURCE, source_ref=source_ref,
        received_at=received_at, subject=subject, confirmed=confirmed,
    )

    def run(uow: SqlUnitOfWork) -> Recorded:
        """Stored with the figures of other chats that arrived meanwhile: one transaction (``Services.writes``)."""
        if report is None:
            assert corrects is not None
            recorded = correct_report(uow, app.catalogue, corrects, values, raw_text=raw_text, source=SOURCE,
                                      source_ref=source_ref, received_at=received_at, confirmed=confirmed,
                                      production=production, then=mark_answered,
                                      subject=subject if answer.kind in SUBJECT_CHOICE_KINDS else None)
        elif report.kind in ADDED_KINDS:  # one more leg, refuel or purchase: it adds to the day's
            recorded = record_report(uow, app.catalogue, report, production=production, then=mark_answered)
        else:  # a new figure, or one replacing the member's figure of that day
            recorded = record_answer(uow, app.catalogue, report, production=production, then=mark_answered)
        stored = recorded.report
        if recorded.duplicate and stored.id is not None and not stored.void:
            # Given again (a redelivered message): its prompt was marked with it; mark again, harmlessly,
            # in case it was stored before prompts were marked in the same transaction.
            services.store.mark_answered(production.id, m.member_id, assignment.key, stored.day, stored.id,
                                         conn=uow.connection)
        return recorded

    try:
        # A new figure says what it reads: read for the whole batch at once (store.together).
        recorded = await services.writes.submit(run if report is None else Job(run, answer_reads(report)))
    except NeedsConfirmation as exc:
        replaces = corrects if corrects is not None or answer.kind in ADDED_KINDS else await asyncio.to_thread(
            _existing, services, target, answer)
        await _ask_pending(bot, services, chat_id, target, answer.kind, [{k: str(v) for k, v in values.items()}],
                           "confirm", raw_text, source_ref, replaces, texts.confirmation(exc, m.lang),
                           [(t(m.lang, "telegram.button.yes"), 0)], reply_to, subject=subject)
        return None
    except (InvalidReport, UnknownMember) as exc:
        await reply(bot, services, chat_id, m, texts.refusal(exc, production, assignment, m.lang),
                    reply_to=reply_to)
        return None
    except UnknownFactor as exc:  # the factor set has no factor for it yet: say so, store nothing
        log.warning("no factor for a %s answer in %s: %s", answer.kind.value, production.id, exc)
        await reply(bot, services, chat_id, m, t(m.lang, "telegram.error.no_factor"), reply_to=reply_to)
        return None
    stored = recorded.report
    if recorded.duplicate:
        # The same message again (Telegram redelivers an update it thinks was lost): it was stored and
        # answered the first time; a second recap would only say the same thing twice.
        return recorded
    today = m.today(services.clock())
    await reply(bot, services, chat_id, m, texts.recap(production, stored, recorded.quantity, today, m.lang),
                buttons=recap_buttons(stored.id or 0, m.lang), reply_to=reply_to)
    return recorded


async def _ask_pending(
    bot: Any, services: Services, chat_id: int, target: Target, kind: ReportKind,
    choices: list[dict[str, str]], reason: str, raw_text: str, source_ref: str, corrects: int | None,
    question: str, options: list[tuple[str, int]], reply_to: int | None, *, subject: str | None = None,
) -> None:
    m = target.member
    pending = Pending(0, chat_id, m.production_id, m.member_id, target.assignment.key, kind.value,
                      subject or target.assignment.subject, target.day, reason, choices, raw_text, source_ref,
                      corrects, None)
    pending_id = await asyncio.to_thread(services.store.add_pending, pending, services.clock())
    buttons = [(label, f"p:{pending_id}:{i}") for label, i in options]
    buttons.append((t(m.lang, "telegram.button.no"), f"x:{pending_id}"))
    await reply(bot, services, chat_id, m, question, buttons=keyboard(buttons), reply_to=reply_to)


async def _ask_footprint_ambiguity(
    bot: Any, services: Services, chat_id: int, target: Target, text: str, exc: AmbiguousNumber, *,
    chosen: str | None, source_ref: str, corrects: int | None, reply_to: int | None,
) -> None:
    """``TGV 1.500 km``: read the answer once with each reading of the number, and ask which one it is."""
    m, production, assignment = target.member, target.member.production, target.assignment
    choices = tuple(exc.params.get("choices") or ())
    token = str(exc.params.get("text", ""))
    source = text if token in text else fold(text)
    try:
        readings = [read_answer(services, source.replace(token, str(c), 1), target, chosen) for c in choices]
    except InvalidReport:  # another number is unclear too, or the number could not be singled out
        readings = []
    if len(readings) != 2:
        await reply(bot, services, chat_id, m, texts.refusal(exc, production, assignment, m.lang), reply_to=reply_to)
        return
    options = [{k: str(v) for k, v in r.values.items()} for r in readings]
    await _ask_pending(bot, services, chat_id, target, readings[0].kind, options, "ambiguous", text, source_ref,
                       corrects, texts.ambiguity(text, choices, production, assignment, m.lang),
                       [(texts.num(c, m.lang, 3), i) for i, c in enumerate(choices)], reply_to,
                       subject=answer_subject(target, readings[0]))


def answer_from_pending(pending: Pending, index: int) -> Answer:
    kind = ReportKind(pending.kind)
    return Answer(kind, {k: Decimal(v) for k, v in pending.choices[index].items()},
                  subject=pending.subject if kind in SUBJECT_CHOICE_KINDS else None)

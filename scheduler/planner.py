"""Planning: turn what the domain says is due into outbox messages, and record them.

``messages_for`` is pure (what the store knows in, messages out); ``plan`` reads the store, calls it
for every production and records the result in one transaction per production. Given the
scheduler's :class:`scheduler.wake.Wakeups`, it plans only the productions whose plan can have
changed since they were last planned (see ``scheduler.wake``), and stores when each is next due.
``plan`` is three steps, which the scheduler's tick runs one production at a time (see
``scheduler.runner.plan_tick``): :func:`due` (which productions), :func:`plan_one` (one of them),
:func:`settle` (the sweep's turns, and the wake-ups stored).

Planning one production reads whole outbox rows only for the days a reminder can still concern, and
the 45 days of sent prompts the missed-prompt rules need as a few columns; a digest already
recorded is not worked out again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from domain.model import CrewMember, Production, ReportKind
from domain.ports import MemberState, UnitOfWork
from domain.rollcall import due_campaigns, due_prompts, why_not
from domain.schedule import (
    DIGEST_AT,
    SentPrompt,
    digest,
    digest_day,
    digest_key,
    end_of_day,
    escalation_key,
    is_answered,
    local_day,
    local_instant,
    missed_days,
    missed_in_a_row,
    reminder_due_at,
    reminder_is_due,
    reminder_key,
)
from scheduler.texts import digest_text, escalation_text
from scheduler.wake import Wakeups, fingerprints, next_change
from store import outbox
from store.outbox import CAMPAIGN, DIGEST, ESCALATION, PROMPT, REMINDER, Message
from store.tables import productions

log = logging.getLogger(__name__)

#: How far back the planner looks for prompts to remind (a reminder may fall after midnight).
REMINDER_LOOKBACK = dt.timedelta(days=1)
#: How many days of answers and sent prompts each tick reads (runs of missed days, digests, reminders).
LOOKBACK = dt.timedelta(days=45)


def sent_prompts(rows: Iterable[outbox.Row]) -> list[SentPrompt]:
    return [
        SentPrompt(
            member_id=row.member_id or "",
            assignment_key=row.assignment_key or "",
            report=ReportKind(row.payload["report"]),
            subject=row.payload.get("subject"),
            day=row.day,
        )
        for row in rows
        if row.kind == PROMPT and row.status == outbox.SENT
    ]


def messages_for(
    production: Production,
    states: Sequence[MemberState],
    answered: set[tuple[ReportKind, str | None, dt.date]],
    prompt_rows: Sequence[outbox.Row],
    known: set[str],
    now: dt.datetime,
    since: dt.date | None = None,
    sent: Sequence[SentPrompt] | None = None,
) -> list[Message]:
    """Every message due at ``now`` for one production that is not recorded yet.

    ``prompt_rows`` are the production's prompt rows from the outbox (any status) and ``answered``
    its answers, both for the days from ``since`` on (every day if ``None``); ``known`` the keys
    already recorded for those days. ``sent``, if given, are the prompts that went out over those
    days, and ``prompt_rows`` need then cover only the days a reminder can still follow (see
    :func:`recent_since`).
    """
    by_member = {s.member_id: s for s in states}
    if sent is None:
        sent = sent_prompts(prompt_rows)
    due = [
        *_prompts(production, states, now),
        *_reminders(production, by_member, answered, prompt_rows, known, now),
        *_escalations(production, by_member, answered, sent, known, now, since),
        *_digest(production, answered, sent, known, now),
        *_campaigns(production, states, now),
    ]
    return [m for m in due if m.key not in known]


def _prompts(production: Production, states: Sequence[MemberState], now: dt.datetime) -> list[Message]:
    zone = production.zone
    return [
        Message(
            key=occ.key, kind=PROMPT, production_id=production.id, day=occ.day, due_at=occ.at,
            member_id=occ.member_id, assignment_key=occ.assignment_key, not_after=end_of_day(occ.day, zone),
            payload={"report": occ.report.value, "subject": occ.subject,
                     "channel": production.member(occ.member_id).channel.value},
        )
        for occ in due_prompts(production, states, now)
    ]


def _reminders(
    production: Production,
    by_member: Mapping[str, MemberState],
    answered: set[tuple[ReportKind, str | None, dt.date]],
    prompt_rows: Sequence[outbox.Row],
    known: set[str],
    now: dt.datetime,
) -> list[Message]:
    """A reminder for each prompt sent, still unanswered, whose reminder time has come."""
    messages = []
    after = production.reminders.after_minutes
    for row in prompt_rows:
        if row.status != outbox.SENT or row.sent_at is None or row.member_id is None \
                or now - row.sent_at > REMINDER_LOOKBACK + dt.timedelta(minutes=after):
            continue
        key = reminder_key(production.id, row.member_id, row.assignment_key or "", row.day)
        if key in known:
            continue
        report = ReportKind(row.payload["report"])
        subject = row.payload.get("subject")
        if is_answered(report, subject, row.day, answered) or not reminder_is_due(
            row.sent_at, row.due_at, after, now, production.zone
        ):
            continue
        member = _member(production, row.member_id)
        if member is None or why_not(member, by_member.get(row.member_id), row.day) is not None:
            continue
        at = reminder_due_at(row.sent_at, row.due_at, after)
        messages.append(Message(
            key=key, kind=REMINDER, production_id=production.id, day=row.day, due_at=at,
            member_id=row.member_id, assignment_key=row.assignment_key,
            not_after=end_of_day(local_day(at, production.zone), production.zone),
            payload={"report": report.value, "subject": subject, "channel": member.channel.value},
        ))
    return messages


def _member(production: Production, member_id: str) -> CrewMember | None:
    try:
        return production.member(member_id)
    except KeyError:
        return None


def _escalations(
    production: Production,
    by_member: Mapping[str, MemberState],
    answered: set[tuple[ReportKind, str | None, dt.date]],
    sent: Sequence[SentPrompt],
    known: set[str],
    now: dt.datetime,
    since: dt.date | None,
) -> list[Message]:
    """The eco-referents told of each member who missed enough days in a row."""
    threshold = production.reminders.escalate_after_missed
    if threshold <= 0:
        return []
    zone = production.zone
    today = local_day(now, zone)
    messages = []
    sent_to: dict[str, list[SentPrompt]] = {}
    for prompt in sent:
        sent_to.setdefault(prompt.member_id, []).append(prompt)
    for member in production.crew:
        if (state := by_member.get(member.id)) is not None and state.forgotten:
            continue  # left greenslate with /stop: nothing to follow up
        run = missed_in_a_row(sent_to.get(member.id, []), answered, today)
        days = missed_days(run)
        if len(days) < threshold or (since is not None and days[0] <= since):
            continue  # too few, or a run older than what was read: told about back then
        key = escalation_key(production.id, member.id, run[0].day)
        if key in known:
            continue
        messages.append(Message(
            key=key, kind=ESCALATION, production_id=production.id, day=run[0].day,
            due_at=end_of_day(days[threshold - 1], zone), member_id=member.id,
            payload={"missed": len(days), "days": [d.isoformat() for d in days],
                     "text": escalation_text(production, member.id, run)},
        ))
    return messages


def _digest(
    production: Production,
    answered: set[tuple[ReportKind, str | None, dt.date]],
    sent: Sequence[SentPrompt],
    known: set[str],
    now: dt.datetime,
) -> list[Message]:
    """The morning digest for the eco-referents, when one is due, not recorded yet, and something was
    expected."""
    covered = digest_day(production, now)
    if covered is None or digest_key(production.id, covered) in known:
        return []
    zone = production.zone
    today = local_day(now, zone)
    summary = digest(production, covered, sent, answered)
    if summary.expected == 0:
        return []
    return [Message(
        key=digest_key(production.id, covered), kind=DIGEST, production_id=production.id, day=covered,
        due_at=local_instant(today, DIGEST_AT, zone), not_after=end_of_day(today, zone),
        payload={"expected": summary.expected,
                 "missing": [line.member_id for line in summary.missing],
                 "text": digest_text(production, summary)},
    )]


def _campaigns(production: Production, states: Sequence[MemberState], now: dt.datetime) -> list[Message]:
    return [
        Message(
            key=delivery.key, kind=CAMPAIGN, production_id=production.id, day=delivery.on,
            due_at=delivery.at, member_id=delivery.member_id, not_after=end_of_day(delivery.on, production.zone),
            payload={"message": delivery.message, "channel": delivery.channel.value},
        )
        for delivery in due_campaigns(production, states, now)
    ]


def recent_since(production: Production, today: dt.date) -> dt.date:
    """The first day whose prompts a reminder can still follow, or whose reminder can still come:
    a prompt goes out on its day (or expires), and is reminded within :data:`REMINDER_LOOKBACK`
    plus the reminder's delay of going out."""
    reach = REMINDER_LOOKBACK + dt.timedelta(minutes=production.reminders.after_minutes)
    return today - dt.timedelta(days=reach.days + 2)


def plan_production(uow: UnitOfWork, production_id: str, now: dt.datetime, wakeups: Wakeups | None = None) -> int:
    """Record what is due for one production. Returns how many messages are new.

    With ``wakeups``, notes when the production's plan can next change."""
    with uow:
        production = uow.productions.get(production_id)
        if not _in_season(production, now):
            if wakeups is not None:  # the season starts, or ends, at a local midnight
                wakeups.at[production_id] = end_of_day(local_day(now, production.zone), production.zone)
            return 0
        zone = production.zone
        today = local_day(now, zone)
        conn = uow.connection  # type: ignore[attr-defined]
        states = uow.members.states(production_id)
        since = today - LOOKBACK
        answered = outbox.answered_since(conn, production_id, since)
        # Whole rows only for the days a reminder can concern; the 45 days the missed-prompt rules
        # read, as the few columns they need. Prompts are made for today and reminders for those
        # days only: their keys are read for those days, the others' for all 45.
        recent = max(since, recent_since(production, today))
        prompt_rows = outbox.rows(conn, production_id=production_id, kinds=[PROMPT], since=recent)
        sent = outbox.sent_prompts(conn, production_id, since)
        known = outbox.existing_keys(conn, production_id, since, recent)
        messages = messages_for(production, states, answered, prompt_rows, known, now, since, sent)
        new = outbox.record(conn, messages, now) if messages else 0
        uow.commit()
    if wakeups is not None:
        # The prompts just recorded are pending: their reminders come no sooner than the delay.
        wakeups.at[production_id] = next_change(production, prompt_rows, now,
                                                pending=any(m.kind == PROMPT for m in messages))
    if new:
        log.info("recorded %d message(s) for %s on %s", new, production_id, today.isoformat())
    return new


def _in_season(production: Production, now: dt.datetime) -> bool:
    """From the first day of the calendar to a few days after its end (for the last digest/escalation)."""
    today = local_day(now, production.zone)
    start = production.calendar.start
    campaigns = [c.on for c in production.sensitisation]
    if campaigns:
        start = min(start, *campaigns)
    end = max([production.calendar.end, *campaigns]) + dt.timedelta(days=7)
    return start <= today <= end


@dataclass
class Due:
    """What one tick plans: every production (in planning order), those to plan now, the crew's
    fingerprints read at the start, and whether it is a full sweep."""

    ids: list[str]
    todo: list[str]
    prints: dict[str, str] = field(default_factory=dict)
    sweeping: bool = True


def due(uow_factory: Callable[[], UnitOfWork], now: dt.datetime, wakeups: Wakeups | None = None) -> Due:
    """Which productions to plan at ``now``: with ``wakeups``, those whose next change has come, whose
    crew or file changed, whose turn in the sweep came, or that have no wake-up yet (every one when
    none has, or when the clock went back); without, every production. At the scheduler's first
    tick, the wake-ups stored by the last run are read first."""
    with uow_factory() as uow:
        conn = uow.connection  # type: ignore[attr-defined]
        ids = list(conn.execute(select(productions.c.id).order_by(productions.c.calendar_start,
                                                                  productions.c.id)).scalars())
        if wakeups is None:
            return Due(ids, list(ids))
        if wakeups.stored and not wakeups.loaded:
            wakeups.restore(conn)
        prints = fingerprints(conn)
    sweeping = wakeups.sweeping(now)
    todo = ids if sweeping else [p for p in ids if wakeups.due(p, now, prints.get(p))]
    return Due(ids, todo, prints, sweeping)


def plan_one(
    uow_factory: Callable[[], UnitOfWork], production_id: str, now: dt.datetime, wakeups: Wakeups | None = None,
    work: Due | None = None,
) -> int:
    """Plan one production of ``work`` (see :func:`due`). A failure is logged, not raised: the
    production is tried again at the next tick."""
    try:
        new = plan_production(uow_factory(), production_id, now, wakeups)
    except Exception:
        log.exception("planning failed for production %s", production_id)
        if wakeups is not None:
            wakeups.at.pop(production_id, None)  # tried again at the next tick
        return 0
    if wakeups is not None and work is not None:
        if production_id in work.prints:
            wakeups.seen[production_id] = work.prints[production_id]
        if not work.sweeping:
            wakeups.planned(production_id, now)
        wakeups.changed.add(production_id)
    return new


def settle(uow_factory: Callable[[], UnitOfWork], now: dt.datetime, wakeups: Wakeups | None, work: Due) -> None:
    """After the productions of ``work`` were planned: a sweep spreads every turn over the period,
    and the wake-ups that changed are stored (for a restart)."""
    if wakeups is None:
        return
    if work.sweeping:
        wakeups.swept(work.ids, now)
    wakeups.ticked_at = now
    if not wakeups.stored or not wakeups.changed:
        return
    try:
        with uow_factory() as uow:
            wakeups.save(uow.connection, now, work.ids if work.sweeping else None)  # type: ignore[attr-defined]
            uow.commit()
    except Exception:  # not fatal: what was not stored is planned again after a restart
        log.exception("could not store when the productions are next planned")


def plan(uow_factory: Callable[[], UnitOfWork], now: dt.datetime, wakeups: Wakeups | None = None) -> int:
    """Record what is due at ``now`` for every production. A production that fails is logged, not fatal.

    With ``wakeups`` (the scheduler's), a production is planned only when its next change has come,
    its crew or file changed, or its turn in the sweep came (see :func:`due`); without, every
    production. The scheduler's tick runs these steps one production at a time (``runner.tick``)."""
    work = due(uow_factory, now, wakeups)
    new = sum(plan_one(uow_factory, production_id, now, wakeups, work) for production_id in work.todo)
    settle(uow_factory, now, wakeups, work)
    return new

"""When to ask whom: prompts, reminders, escalations, digests and campaigns, as pure functions of time.

Nothing here sends, stores or reads a clock: the scheduler passes ``now`` (an aware instant) and
what the store knows, and gets back what is due. Every local time is local to the production's zone.

Rules (the coordinator's production file gives the inputs):

- **Daily** assignments fall on every shooting day (the calendar's weekdays, minus its days off).
- **Weekly** assignments fall once per ISO week, on their weekday when it is a shooting day; when it is
  not (a day off, a weekend), on the last shooting day of that week before it, so a week's figures are
  still asked for; a week with no shooting day on or before the weekday has no prompt.
  Without a weekday: the last shooting day of the week.
- **Monthly** assignments fall on their day of the month (clamped to the month's length) with the same
  "last shooting day on or before" rule, or, with ``last_shooting_day_of_month`` (or no day given), on
  the last shooting day of the month inside the calendar.
- **Daylight-saving time.** A local time that does not exist (the spring gap, e.g. 02:30 in Paris on
  2027-03-28) is moved forward to the first valid instant after the gap (03:00 local). A local time
  that happens twice (the autumn overlap, 02:30 on 2027-10-31) means its first occurrence (summer
  time). Every other local time keeps its wall-clock time across the change: 19:30 stays 19:30.
- **Who is asked** is decided in ``domain.rollcall``, the one place for it.
- **After downtime.** What fell due earlier *today* (local day of the production) is still due; what
  fell due on an earlier day is not sent any more (the member can still answer it late).
- **Answered** means an active report exists for the assignment's kind, subject and day (from anyone:
  a figure entered by the coordinator for the member counts too). For a generator, hours and litres
  both answer the prompt.
- **Missed** means a prompt that was sent, whose day has ended, and that has no answer; escalation
  counts missed *days* in a row (see ``missed_in_a_row``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from domain.carbon import active_reports
from domain.footprint_answers import SUBJECT_CHOICE_KINDS
from domain.model import (
    DEFAULT_FREQUENCY,
    Assignment,
    Frequency,
    Production,
    ProductionType,
    Report,
    ReportKind,
    ShootingCalendar,
)

UTC = dt.UTC

#: Local time of the daily digest to the eco-referents; it covers the previous shooting day.
DIGEST_AT = dt.time(9, 0)

#: Report kinds that answer an assignment of a kind (a generator's litres answer its hours prompt).
ANSWERING_KINDS: Mapping[ReportKind, frozenset[ReportKind]] = {
    ReportKind.GENERATOR_HOURS: frozenset({ReportKind.GENERATOR_HOURS, ReportKind.GENERATOR_LITRES}),
    ReportKind.GENERATOR_LITRES: frozenset({ReportKind.GENERATOR_HOURS, ReportKind.GENERATOR_LITRES}),
}


def default_frequency(production_type: ProductionType) -> Frequency:
    """How often the eco-production framework suggests collecting figures for this type of production."""
    return DEFAULT_FREQUENCY[production_type]


# --- Local time to instants ----------------------------------------------------------------------


def local_instant(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of wall-clock ``at`` on ``day`` in ``zone`` (see the DST rules above)."""
    wall = dt.datetime.combine(day, at.replace(tzinfo=None, fold=0))
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first  # exists (fold=0 is the first of two in the autumn overlap)
    # In the spring gap: fold=1 reads the time with the offset after the change, so it lands before
    # the change; fold=0 with the offset before it, so it lands after. The change lies between.
    low = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = first
    if low > high:
        low, high = high, low
    after = high.astimezone(zone).utcoffset()
    while high - low > dt.timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def local_day(instant: dt.datetime, zone: ZoneInfo) -> dt.date:
    return instant.astimezone(zone).date()


def end_of_day(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The first instant of the next local day (midnight exists in every zone we know; else see above)."""
    return local_instant(day + dt.timedelta(days=1), dt.time(0, 0), zone)


# --- Occurrences of an assignment ----------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """One prompt an assignment calls for: who, what, for which day, and when it is sent."""

    production_id: str
    member_id: str
    assignment_key: str
    report: ReportKind
    subject: str | None
    day: dt.date  # the production's local day the figure is for
    at: dt.datetime  # when the prompt is due (aware, UTC)

    @property
    def key(self) -> str:
        return prompt_key(self.production_id, self.member_id, self.assignment_key, self.day)


def prompt_key(production_id: str, member_id: str, assignment_key: str, day: dt.date) -> str:
    return f"prompt:{production_id}:{member_id}:{assignment_key}:{day.isoformat()}"


def reminder_key(production_id: str, member_id: str, assignment_key: str, day: dt.date) -> str:
    return f"reminder:{production_id}:{member_id}:{assignment_key}:{day.isoformat()}"


def escalation_key(production_id: str, member_id: str, first_missed_day: dt.date) -> str:
    return f"escalation:{production_id}:{member_id}:{first_missed_day.isoformat()}"


def digest_key(production_id: str, day: dt.date) -> str:
    return f"digest:{production_id}:{day.isoformat()}"


def campaign_key(production_id: str, message: str, on: dt.date, member_id: str) -> str:
    return f"campaign:{production_id}:{message}:{on.isoformat()}:{member_id}"


def _last_shooting_day_on_or_before(
    calendar: ShootingCalendar, day: dt.date, floor: dt.date
) -> dt.date | None:
    while day >= floor:
        if calendar.is_shooting_day(day):
            return day
        day -= dt.timedelta(days=1)
    return None


def _weekly_days(calendar: ShootingCalendar, weekday: int | None) -> list[dt.date]:
    days = []
    monday = calendar.start - dt.timedelta(days=calendar.start.weekday())
    while monday <= calendar.end:
        target = monday + dt.timedelta(days=6 if weekday is None else weekday)
        found = _last_shooting_day_on_or_before(calendar, target, monday)
        if found is not None:
            days.append(found)
        monday += dt.timedelta(days=7)
    return days


def _month_end(first: dt.date) -> dt.date:
    next_month = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return next_month - dt.timedelta(days=1)


def _monthly_days(calendar: ShootingCalendar, assignment: Assignment) -> list[dt.date]:
    days = []
    first = calendar.start.replace(day=1)
    while first <= calendar.end:
        last = _month_end(first)
        if assignment.day_of_month is None or assignment.last_shooting_day_of_month:
            target = last
        else:
            target = first.replace(day=min(assignment.day_of_month, last.day))
        found = _last_shooting_day_on_or_before(calendar, target, first)
        if found is not None:
            days.append(found)
        first = last + dt.timedelta(days=1)
    return days


def assignment_days(calendar: ShootingCalendar, assignment: Assignment) -> list[dt.date]:
    """Every local day the assignment asks for a figure, in order."""
    if assignment.frequency is Frequency.DAILY:
        return calendar.shooting_days()
    if assignment.frequency is Frequency.WEEKLY:
        return _weekly_days(calendar, assignment.weekday)
    return _monthly_days(calendar, assignment)


def occurrences(production: Production, assignment: Assignment) -> list[Occurrence]:
    """Every prompt of one assignment over the whole calendar, whoever the member is."""
    zone = production.zone
    return [
        Occurrence(
            production_id=production.id,
            member_id=assignment.who,
            assignment_key=assignment.key,
            report=assignment.report,
            subject=assignment.subject,
            day=day,
            at=local_instant(day, assignment.at, zone),
        )
        for day in assignment_days(production.calendar, assignment)
    ]


def falls_on(calendar: ShootingCalendar, assignment: Assignment, day: dt.date) -> bool:
    """Whether ``day`` is one of the assignment's days (``day in assignment_days(...)``, without listing them)."""
    if not calendar.is_shooting_day(day):
        return False
    if assignment.frequency is Frequency.DAILY:
        return True
    if assignment.frequency is Frequency.WEEKLY:
        monday = day - dt.timedelta(days=day.weekday())
        target = monday + dt.timedelta(days=6 if assignment.weekday is None else assignment.weekday)
        return _last_shooting_day_on_or_before(calendar, target, monday) == day
    first = day.replace(day=1)
    last = _month_end(first)
    if assignment.day_of_month is None or assignment.last_shooting_day_of_month:
        target = last
    else:
        target = first.replace(day=min(assignment.day_of_month, last.day))
    return _last_shooting_day_on_or_before(calendar, target, first) == day


def occurrences_on(production: Production, day: dt.date) -> list[Occurrence]:
    """The prompts of every assignment whose day is ``day``, in order of time."""
    zone = production.zone
    found = [
        Occurrence(production.id, a.who, a.key, a.report, a.subject, day, local_instant(day, a.at, zone))
        for a in production.assignments
        if falls_on(production.calendar, a, day)
    ]
    return sorted(found, key=lambda o: (o.at, o.member_id, o.assignment_key))


# --- Answers, reminders, missed prompts ----------------------------------------------------------


def answered_keys(reports: Iterable[Report]) -> set[tuple[ReportKind, str | None, dt.date]]:
    """(kind, subject, day) of every report that counts."""
    return {(r.kind, r.subject, r.day) for r in active_reports(reports)}


def is_answered(
    report: ReportKind, subject: str | None, day: dt.date, answered: Collection[tuple[ReportKind, str | None, dt.date]]
) -> bool:
    if subject is None and report in SUBJECT_CHOICE_KINDS:  # the answer chose it: a leg by plane, a rental
        return any(kind is report and on == day for kind, _, on in answered)
    kinds = ANSWERING_KINDS.get(report, frozenset({report}))
    return any((kind, subject, day) in answered for kind in kinds)


def reminder_due_at(sent_at: dt.datetime, due_at: dt.datetime, after_minutes: int) -> dt.datetime:
    """A reminder follows the prompt by ``after_minutes``, counted from when it really went out."""
    return max(sent_at, due_at) + dt.timedelta(minutes=after_minutes)


def reminder_is_due(
    sent_at: dt.datetime, due_at: dt.datetime, after_minutes: int, now: dt.datetime, zone: ZoneInfo
) -> bool:
    """Due from its time until the end of that local day; a reminder missed by downtime is dropped."""
    at = reminder_due_at(sent_at, due_at, after_minutes)
    return at <= now and local_day(now, zone) <= local_day(at, zone)


@dataclass(frozen=True)
class SentPrompt:
    """A prompt that went out (from the outbox), as the missed-prompt rules need it."""

    member_id: str
    assignment_key: str
    report: ReportKind
    subject: str | None
    day: dt.date


def missed_in_a_row(
    sent: Iterable[SentPrompt],
    answered: Collection[tuple[ReportKind, str | None, dt.date]],
    today: dt.date,
) -> list[SentPrompt]:
    """The unanswered prompts of the member's latest run of missed days, oldest first.

    ``sent`` are one member's prompts. A day counts as missed when a prompt of that day is still
    unanswered; a day whose prompts were all answered ends the run. Counting days rather than
    prompts means a gaffer with two generators is not escalated after a single silent evening.
    Prompts of ``today`` or later are still open: they neither count nor break the run.
    """
    by_day: dict[dt.date, list[SentPrompt]] = {}
    for prompt in sent:
        if prompt.day < today:
            by_day.setdefault(prompt.day, []).append(prompt)
    run: list[SentPrompt] = []
    for day in sorted(by_day, reverse=True):
        unanswered = [p for p in by_day[day] if not is_answered(p.report, p.subject, p.day, answered)]
        if not unanswered:
            break
        run[:0] = sorted(unanswered, key=lambda p: p.assignment_key)
    return run


def missed_days(run: Iterable[SentPrompt]) -> list[dt.date]:
    """The distinct days of a run of missed prompts, in order: its length is what escalation counts."""
    return sorted({p.day for p in run})


# --- Digest ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestLine:
    member_id: str
    name: str
    missing: tuple[Occurrence, ...]


@dataclass(frozen=True)
class Digest:
    production_id: str
    day: dt.date  # the shooting day it covers
    expected: int  # prompts sent for that day
    missing: tuple[DigestLine, ...]  # who has not answered, in crew order

    @property
    def complete(self) -> bool:
        return not self.missing


def digest_day(production: Production, now: dt.datetime) -> dt.date | None:
    """The day the digest posted today covers (the previous day with prompts), once DIGEST_AT has passed."""
    zone = production.zone
    today = local_day(now, zone)
    if local_instant(today, DIGEST_AT, zone) > now:
        return None
    day = today - dt.timedelta(days=1)
    if day < production.calendar.start or day > production.calendar.end:
        return None
    return day if occurrences_on(production, day) else None


def digest(
    production: Production,
    day: dt.date,
    sent: Iterable[SentPrompt],
    answered: Collection[tuple[ReportKind, str | None, dt.date]],
) -> Digest:
    """Who has not answered the prompts sent for ``day``."""
    prompts = [p for p in sent if p.day == day]
    missing: dict[str, list[Occurrence]] = {}
    for p in prompts:
        if not is_answered(p.report, p.subject, p.day, answered):
            missing.setdefault(p.member_id, []).append(
                Occurrence(production.id, p.member_id, p.assignment_key, p.report, p.subject, p.day,
                           local_instant(p.day, DIGEST_AT, production.zone))
            )
    lines = []
    for member in production.crew:
        if member.id in missing:
            lines.append(DigestLine(member.id, member.name, tuple(missing[member.id])))
    return Digest(production.id, day, len(prompts), tuple(lines))

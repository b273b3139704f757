"""Completeness: the answers expected (from the assignments and the calendar) against those given.

Pure: the production, the days each (member, kind, subject) was answered, what the store knows
about members. A generator's litres answer its hours prompt (``domain.schedule.ANSWERING_KINDS``):
that rule lives there, once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from operator import attrgetter
from typing import Any, Protocol

from domain.footprint_answers import SUBJECT_CHOICE_KINDS
from domain.model import Assignment, CrewMember, Production, ReportKind
from domain.schedule import ANSWERING_KINDS, assignment_days

#: The days answered, by (member, report kind value, subject).
Answered = Mapping[tuple[str, str, str | None], set[dt.date]]


class MemberFacts(Protocol):
    """What completeness needs to know of a member beyond the production file (a store row will do)."""

    paused_until: dt.date | None
    unreachable: bool
    forgotten: bool


def due_days(production: Production, assignment: Assignment, until: dt.date | None) -> list[dt.date]:
    """The days an assignment expects an answer for, up to ``until``: the scheduler's own days."""
    return [d for d in assignment_days(production.calendar, assignment) if until is None or d <= until]


@dataclass(frozen=True)
class Slot:
    """One expected answer: an assignment on a day, answered or not."""

    member_id: str
    assignment: str  # Assignment.key
    kind: ReportKind
    subject: str | None
    day: dt.date
    answered: bool
    paused: bool


@dataclass(frozen=True)
class MemberCompleteness:
    member_id: str
    name: str
    role: str
    expected: int
    answered: int
    paused_until: dt.date | None
    unreachable: bool
    forgotten: bool

    @property
    def share(self) -> Decimal | None:
        return None if self.expected == 0 else Decimal(self.answered) / Decimal(self.expected)


@dataclass(frozen=True)
class Expected:
    """One assignment's days up to the day asked: those expected, those answered, those paused."""

    assignment: Assignment
    days: Sequence[dt.date]  # in order; shared by every assignment with the same frequency rule
    answered: frozenset[dt.date]  # the days of ``days`` answered
    paused_until: dt.date | None

    def is_paused(self, day: dt.date) -> bool:
        return self.paused_until is not None and day <= self.paused_until


@dataclass(frozen=True)
class Completeness:
    """What was expected and answered, kept per assignment: a season's tens of thousands of expected
    answers are counted, not listed, unless ``slots`` is asked for."""

    as_of: dt.date | None
    expected: Sequence[Expected]
    members: list[MemberCompleteness]

    @cached_property
    def slots(self) -> list[Slot]:
        """Every expected answer, by day, member and assignment."""
        out = [
            Slot(e.assignment.who, key, e.assignment.report, e.assignment.subject, d, d in e.answered, e.is_paused(d))
            for e, key in ((e, e.assignment.key) for e in self.expected)
            for d in e.days
        ]
        return sorted(out, key=attrgetter("day", "member_id", "assignment"))

    def by_day(self) -> list[tuple[dt.date, int, int]]:
        """(day, expected, answered) for every day something was expected."""
        expected: Counter[dt.date] = Counter()
        answered: Counter[dt.date] = Counter()
        for e in self.expected:
            days = e.days if e.paused_until is None else [d for d in e.days if d > e.paused_until]
            expected.update(days)
            answered.update(e.answered.intersection(days) if e.paused_until is not None else e.answered)
        return [(d, n, answered[d]) for d, n in sorted(expected.items())]

    @cached_property
    def missing_count(self) -> int:
        return sum(len(e.days) - len(e.answered) - _paused_unanswered(e) for e in self.expected)

    @property
    def missing(self) -> list[Slot]:
        """The expected answers not given (paused days left out), by day, member and assignment."""
        return self.latest_missing(None)

    def latest_missing(self, limit: int | None) -> list[Slot]:
        """The ``limit`` latest missing answers (all with None), by day, member and assignment."""
        out: list[Slot] = []
        for e in self.expected:
            a, key = e.assignment, e.assignment.key
            days = [d for d in e.days if d not in e.answered and not e.is_paused(d)]
            out.extend(Slot(a.who, key, a.report, a.subject, d, False, False)
                       for d in (days if limit is None else days[-limit:]))
        out.sort(key=attrgetter("day", "member_id", "assignment"))
        return out if limit is None else out[max(0, len(out) - limit):]


def _paused_unanswered(e: Expected) -> int:
    if e.paused_until is None:
        return 0
    return sum(1 for d in e.days if d <= e.paused_until and d not in e.answered)


class _ChosenSubjects:
    """The days answered by (member, kind), whatever the subject: for kinds whose subject each answer names."""

    def __init__(self, answered: Answered) -> None:
        self.days: dict[tuple[str, str], set[dt.date]] = defaultdict(set)
        for (who, kind, _subject), days in answered.items():
            self.days[who, kind] |= days


def days_answered(assignment: Assignment, answered: Answered, chosen: _ChosenSubjects | None = None) -> set[dt.date]:
    """The days an assignment was answered, by any kind of report that answers it."""
    if assignment.subject is None and assignment.report in SUBJECT_CHOICE_KINDS:  # chosen in each answer
        chosen = chosen or _ChosenSubjects(answered)
        return chosen.days.get((assignment.who, assignment.report.value), set())
    kinds = ANSWERING_KINDS.get(assignment.report, frozenset({assignment.report}))
    return set().union(*(answered.get((assignment.who, k.value, assignment.subject), ()) for k in kinds))


def completeness(
    production: Production, answered: Answered, states: Mapping[str, MemberFacts], as_of: dt.date | None
) -> Completeness:
    """Every expected answer up to ``as_of`` (all with ``None``), answered or not, and the count per member.

    ``answered`` holds the answers that still count (neither undone nor corrected away). Days a
    member was paused are listed but not expected. Members with nothing to answer are left out,
    unless they cannot be reached (a coordinator wants to see them).
    """
    per_member: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    days_of_rule: dict[tuple[Any, ...], tuple[list[dt.date], frozenset[dt.date]]] = {}  # by frequency rule
    chosen = _ChosenSubjects(answered) if any(
        a.subject is None and a.report in SUBJECT_CHOICE_KINDS for a in production.assignments) else None
    expected: list[Expected] = []
    for a in production.assignments:
        state = states.get(a.who)
        paused_until = state.paused_until if state is not None else None
        rule = (a.frequency, a.weekday, a.day_of_month, a.last_shooting_day_of_month)
        if rule not in days_of_rule:
            days = due_days(production, a, as_of)
            days_of_rule[rule] = (days, frozenset(days))
        days, day_set = days_of_rule[rule]
        done = day_set.intersection(days_answered(a, answered, chosen))
        e = Expected(a, days, done, paused_until)
        expected.append(e)
        counts = per_member[a.who]
        if paused_until is None:
            counts[0] += len(days)
            counts[1] += len(done)
        else:
            counts[0] += sum(1 for d in days if d > paused_until)
            counts[1] += sum(1 for d in done if d > paused_until)
    members = [_member(m, states.get(m.id), per_member) for m in production.crew
               if production.assignments_of(m.id) or _unreachable(states.get(m.id))]
    return Completeness(as_of, expected, members)


def _unreachable(state: MemberFacts | None) -> bool:
    return state is not None and bool(state.unreachable)


def _member(m: CrewMember, state: MemberFacts | None, per_member: Mapping[str, list[int]]) -> MemberCompleteness:
    expected, got = per_member.get(m.id, [0, 0])
    return MemberCompleteness(
        member_id=m.id,
        name=m.name,
        role=m.role.value,
        expected=expected,
        answered=got,
        paused_until=state.paused_until if state is not None else m.paused_until,
        unreachable=bool(state.unreachable) if state is not None else False,
        forgotten=bool(state.forgotten) if state is not None else False,
    )

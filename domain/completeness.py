"""Completeness: the answers expected (from the assignments and the calendar) against those given.

Pure: the production, the days each (member, kind, subject) was answered, what the store knows
about members. A generator's litres answer its hours prompt (``domain.schedule.ANSWERING_KINDS``):
that rule lives there, once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
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
class Completeness:
    as_of: dt.date | None
    slots: list[Slot]
    members: list[MemberCompleteness]

    def by_day(self) -> list[tuple[dt.date, int, int]]:
        """(day, expected, answered) for every day something was expected."""
        acc: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
        for s in self.slots:
            if s.paused:
                continue
            acc[s.day][0] += 1
            acc[s.day][1] += int(s.answered)
        return [(d, e, a) for d, (e, a) in sorted(acc.items())]

    @property
    def missing(self) -> list[Slot]:
        return [s for s in self.slots if not s.answered and not s.paused]


def days_answered(assignment: Assignment, answered: Answered) -> set[dt.date]:
    """The days an assignment was answered, by any kind of report that answers it."""
    if assignment.subject is None and assignment.report in SUBJECT_CHOICE_KINDS:  # chosen in each answer
        return set().union(*(days for (who, kind, _), days in answered.items()
                             if who == assignment.who and kind == assignment.report.value))
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
    slots: list[Slot] = []
    per_member: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    days_of_rule: dict[tuple[Any, ...], list[dt.date]] = {}  # the calendar's days, by frequency rule
    for a in production.assignments:
        state = states.get(a.who)
        paused_until = state.paused_until if state is not None else None
        done_days = days_answered(a, answered)
        rule = (a.frequency, a.weekday, a.day_of_month, a.last_shooting_day_of_month)
        if rule not in days_of_rule:
            days_of_rule[rule] = due_days(production, a, as_of)
        counts = per_member[a.who]
        for d in days_of_rule[rule]:
            done = d in done_days
            paused = paused_until is not None and d <= paused_until
            slots.append(Slot(a.who, a.key, a.report, a.subject, d, done, paused))
            if not paused:
                counts[0] += 1
                counts[1] += done
    members = [_member(m, states.get(m.id), per_member) for m in production.crew
               if production.assignments_of(m.id) or _unreachable(states.get(m.id))]
    return Completeness(as_of, sorted(slots, key=attrgetter("day", "member_id", "assignment")), members)


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

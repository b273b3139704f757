"""Who has not answered a day's prompts, and who cannot be reached: what /missing and the digest show.

Pure: the production, what the store knows about members, the reports, and ``now``. The due
computation is the scheduler's (``domain.schedule``): a prompt counts once its time has passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.model import Channel, CrewMember, Production, Report, ReportKind
from domain.ports import MemberState
from domain.schedule import answered_keys, can_be_reached, is_answered, occurrences_on, wants_messages_on


@dataclass(frozen=True)
class Pending:
    """One prompt of the day still without an answer."""

    member_id: str
    name: str
    report: ReportKind
    subject: str | None


@dataclass(frozen=True)
class Unreachable:
    member_id: str
    name: str
    reason: str  # unreachable | not_linked | forgotten


@dataclass(frozen=True)
class RollCall:
    day: dt.date
    asked: int  # prompts whose time has passed, to members who can be reached
    pending: tuple[Pending, ...]
    unreachable: tuple[Unreachable, ...]

    @property
    def complete(self) -> bool:
        return not self.pending


def _reason(member: CrewMember, state: MemberState | None) -> str:
    if state is not None and state.forgotten:
        return "forgotten"
    if state is not None and state.unreachable:
        return "unreachable"
    return "not_linked"


def roll_call(
    production: Production,
    states: Iterable[MemberState],
    reports: Sequence[Report],
    now: dt.datetime,
    day: dt.date | None = None,
) -> RollCall:
    """The prompts of ``day`` (today, local, by default) already sent, and their answers at ``now``.

    A member who cannot be reached is listed once under ``unreachable`` (with the reason), never
    under ``pending``: nobody asked them. A paused member is in neither list.
    """
    day = day or production.local_day(now)
    by_member = {s.member_id: s for s in states}
    answered = answered_keys(reports)
    pending: list[Pending] = []
    unreachable: dict[str, Unreachable] = {}
    asked = 0
    for occ in occurrences_on(production, day):
        if occ.at > now:
            continue
        try:
            member = production.member(occ.member_id)
        except KeyError:
            continue
        state = by_member.get(member.id)
        if not wants_messages_on(member, state, day):
            continue
        if member.channel is not Channel.DASHBOARD and not can_be_reached(member, state):
            unreachable.setdefault(member.id, Unreachable(member.id, member.name, _reason(member, state)))
            continue
        asked += 1
        if not is_answered(occ.report, occ.subject, occ.day, answered):
            pending.append(Pending(member.id, member.name, occ.report, occ.subject))
    order = {m.id: i for i, m in enumerate(production.crew)}
    pending.sort(key=lambda p: (order.get(p.member_id, 0), p.report.value, p.subject or ""))
    gone = sorted(unreachable.values(), key=lambda u: order.get(u.member_id, 0))
    return RollCall(day, asked, tuple(pending), tuple(gone))

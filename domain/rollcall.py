"""Who is due and reachable: the one place that decides whom a prompt, a reminder or a campaign reaches.

A member is asked only when they can be reached and want to be: not forgotten, not unreachable
(blocked the bot), linked to their channel (a Telegram member pressed Start and gave consent), and
not paused on that day. The scheduler's prompts, reminders and campaigns, the coordinator's list of
upcoming prompts, and the eco-referents' roll call (``/missing``, the digest) all ask here.

Pure: the production, what the store knows about members, the reports, and ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from domain.model import Campaign, Channel, CrewMember, Production, Report, ReportKind
from domain.ports import MemberState
from domain.schedule import (
    Occurrence,
    answered_keys,
    campaign_key,
    is_answered,
    local_day,
    local_instant,
    occurrences,
    occurrences_on,
)

# --- Who can be asked -----------------------------------------------------------------------------


def paused_until(member: CrewMember, state: MemberState | None) -> dt.date | None:
    return state.paused_until if state is not None else member.paused_until


def can_be_reached(member: CrewMember, state: MemberState | None) -> bool:
    """Not forgotten, not blocked, and linked to their channel (Telegram: a chat, and consent given)."""
    if state is None:
        return member.channel is Channel.DASHBOARD
    if state.forgotten or state.unreachable:
        return False
    if member.channel is Channel.TELEGRAM:
        return state.telegram_chat_id is not None and state.consent_at is not None
    return True


def wants_messages_on(member: CrewMember, state: MemberState | None, day: dt.date) -> bool:
    until = paused_until(member, state)
    return until is None or day > until


def _states_by_member(states: Iterable[MemberState]) -> dict[str, MemberState]:
    return {s.member_id: s for s in states}


def prompts_come(
    production: Production, states: Mapping[str, MemberState], day: dt.date, now: dt.datetime
) -> list[tuple[Occurrence, CrewMember, str | None]]:
    """The prompts of ``day`` whose time has come at ``now``: each with its member, and why it would
    not reach them (:func:`why_not`; ``None`` when it would)."""
    found = []
    for occ in occurrences_on(production, day):
        if occ.at > now:
            continue
        try:
            member = production.member(occ.member_id)
        except KeyError:
            continue
        found.append((occ, member, why_not(member, states.get(member.id), occ.day)))
    return found


def due_prompts(
    production: Production, member_states: Iterable[MemberState], now: dt.datetime
) -> list[Occurrence]:
    """The prompts to send at ``now``: due today (local) at or before ``now``, to reachable members."""
    today = local_day(now, production.zone)
    come = prompts_come(production, _states_by_member(member_states), today, now)
    return [occ for occ, _, reason in come if reason is None]


def upcoming_prompts(
    production: Production, member_states: Iterable[MemberState], now: dt.datetime, days: int = 7
) -> list[tuple[Occurrence, str | None]]:
    """The prompts from ``now`` over the next ``days`` local days, each with why it will not be sent.

    The reason is ``None`` (it will be sent), ``"paused"``, ``"forgotten"``, ``"unreachable"`` or
    ``"not_linked"``: what a coordinator wants to see before the shoot day.
    """
    zone = production.zone
    start = local_day(now, zone)
    states = _states_by_member(member_states)
    listed = []
    for offset in range(days):
        for occ in occurrences_on(production, start + dt.timedelta(days=offset)):
            if occ.at < now:
                continue
            member = production.member(occ.member_id)
            listed.append((occ, why_not(member, states.get(member.id), occ.day)))
    return listed


def why_not(member: CrewMember, state: MemberState | None, day: dt.date) -> str | None:
    """Why a prompt of ``day`` would not reach the member: ``None`` when it would, else
    ``"forgotten"``, ``"unreachable"``, ``"not_linked"`` or ``"paused"``."""
    if state is not None and state.forgotten:
        return "forgotten"
    if state is not None and state.unreachable:
        return "unreachable"
    if not can_be_reached(member, state):
        return "not_linked"
    if not wants_messages_on(member, state, day):
        return "paused"
    return None


def open_prompts(
    production: Production,
    member_id: str,
    state: MemberState | None,
    answered: Collection[tuple[ReportKind, str | None, dt.date]],
    now: dt.datetime,
    days_back: int = 7,
) -> list[Occurrence]:
    """The member's prompts whose time has come and that still wait for an answer, oldest first.

    Sent or not: a prompt that fell due while greenslate was down is not sent a day late, but the
    member can still answer it (``/status`` lists these). Days the member was paused are left out.
    """
    try:
        member = production.member(member_id)
    except KeyError:
        return []
    today = local_day(now, production.zone)
    found = []
    for assignment in production.assignments_of(member_id):
        for occ in occurrences(production, assignment):
            if occ.at > now or (today - occ.day).days > days_back:
                continue
            if not wants_messages_on(member, state, occ.day):
                continue
            if not is_answered(occ.report, occ.subject, occ.day, answered):
                found.append(occ)
    return sorted(found, key=lambda o: (o.day, o.at, o.assignment_key))


# --- Campaigns --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignDelivery:
    """One sensitisation message to one member, through the member's own channel."""

    production_id: str
    message: str
    on: dt.date
    member_id: str
    channel: Channel
    at: dt.datetime  # aware, UTC

    @property
    def key(self) -> str:
        return campaign_key(self.production_id, self.message, self.on, self.member_id)


def campaign_audience(production: Production, campaign: Campaign) -> list[CrewMember]:
    """Everyone (``to: all``) or the members of one role, in crew order."""
    if campaign.to == "all":
        return list(production.crew)
    return [m for m in production.crew if m.role.value == campaign.to]


def due_campaigns(
    production: Production, member_states: Iterable[MemberState], now: dt.datetime
) -> list[CampaignDelivery]:
    """Campaign messages due today at or before ``now``, one per reachable, unpaused member."""
    zone = production.zone
    today = local_day(now, zone)
    states = _states_by_member(member_states)
    due = []
    for campaign in production.sensitisation:
        if campaign.on != today:
            continue
        at = local_instant(campaign.on, campaign.at, zone)
        if at > now:
            continue
        for member in campaign_audience(production, campaign):
            state = states.get(member.id)
            if can_be_reached(member, state) and wants_messages_on(member, state, today):
                due.append(CampaignDelivery(production.id, campaign.message, campaign.on, member.id,
                                            member.channel, at))
    return due


# --- The roll call -------------------------------------------------------------------------------


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


def roll_call(
    production: Production,
    states: Iterable[MemberState],
    reports: Sequence[Report],
    now: dt.datetime,
    day: dt.date | None = None,
) -> RollCall:
    """The prompts of ``day`` (today, local, by default) already sent, and their answers at ``now``.

    A member who cannot be reached is listed once under ``unreachable`` (with the reason), never
    under ``pending``: nobody asked them. A paused member is in neither list. A member who answers
    on the dashboard is always asked.
    """
    day = day or production.local_day(now)
    by_member = _states_by_member(states)
    answered = answered_keys(reports)
    pending: list[Pending] = []
    unreachable: dict[str, Unreachable] = {}
    asked = 0
    for occ, member, reason in prompts_come(production, by_member, day, now):
        if not wants_messages_on(member, by_member.get(member.id), day):
            continue
        if member.channel is not Channel.DASHBOARD and reason is not None:
            unreachable.setdefault(member.id, Unreachable(member.id, member.name, reason))
            continue
        asked += 1
        if not is_answered(occ.report, occ.subject, occ.day, answered):
            pending.append(Pending(member.id, member.name, occ.report, occ.subject))
    order = {m.id: i for i, m in enumerate(production.crew)}
    pending.sort(key=lambda p: (order.get(p.member_id, 0), p.report.value, p.subject or ""))
    gone = sorted(unreachable.values(), key=lambda u: order.get(u.member_id, 0))
    return RollCall(day, asked, tuple(pending), tuple(gone))

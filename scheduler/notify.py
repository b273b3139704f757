"""How the scheduler reaches people: one notifier per channel, chosen by the member's channel.

The Telegram bot implements ``Notifier`` for crew members; the Discord bot implements
``TeamChannel`` for eco-referents (escalations, the daily digest, campaigns for Discord members).
Notifiers never decide *whether* to send: the scheduler has already recorded the message in the
outbox and will mark it sent with what the notifier returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Outcome(StrEnum):
    SENT = "sent"
    UNREACHABLE = "unreachable"  # blocked the bot, never pressed Start, not linked: do not retry
    RETRY = "retry"  # a transient failure (network, 5xx): the scheduler tries again later


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    message_ref: str | None = None  # the channel's id for what was sent (Telegram message id)
    detail: str = ""


class Notifier(Protocol):
    """Sends to one crew member through their own channel."""

    async def send_prompt(
        self, production_id: str, member_id: str, assignment_key: str, day: dt.date, *, reminder: bool = False
    ) -> Delivery: ...

    async def send_campaign(self, production_id: str, member_id: str, message_key: str) -> Delivery: ...


class TeamChannel(Protocol):
    """Posts to the eco-referents of a production (the Discord digest channel)."""

    async def escalate(self, production_id: str, member_id: str, missed: int, text: str) -> Delivery: ...

    async def post_digest(self, production_id: str, day: dt.date, text: str) -> Delivery: ...


class DeliveryCheck(Protocol):
    """Optional, for a notifier that records what it sent (the Telegram bot keeps each prompt's message id).

    After a crash between sending and marking the outbox row, the scheduler asks before sending
    again: a ``Delivery`` means it went out (the row is marked sent with it), ``None`` means it did not.
    A notifier without these methods is trusted to be resent to (at least once in that narrow case).
    """

    async def delivered_prompt(
        self, production_id: str, member_id: str, assignment_key: str, day: dt.date, *, reminder: bool = False
    ) -> Delivery | None: ...

    async def delivered_campaign(
        self, production_id: str, member_id: str, message_key: str
    ) -> Delivery | None: ...

"""What the Telegram store reads and writes, as plain records: invites, prompts sent, answers waiting
for a yes, conversations, and what a chat's message needs to know (``store.telegram`` uses them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from domain.model import CrewMember
from domain.ports import MemberState


@dataclass(frozen=True)
class Invite:
    production_id: str
    member_id: str
    expires_at: dt.datetime
    used_at: dt.datetime | None
    used_by_chat: int | None = None


@dataclass(frozen=True)
class PromptRef:
    chat_id: int
    message_id: int
    production_id: str
    member_id: str
    assignment_key: str
    day: dt.date
    sent_at: dt.datetime
    report_id: int | None


@dataclass(frozen=True)
class Pending:
    id: int
    chat_id: int
    production_id: str
    member_id: str
    assignment_key: str
    kind: str
    subject: str | None
    day: dt.date
    reason: str
    choices: list[dict[str, str]]
    raw_text: str
    source_ref: str
    corrects: int | None
    resolved_at: dt.datetime | None


@dataclass(frozen=True)
class Conversation:
    chat_id: int
    production_id: str
    member_id: str
    state: str
    data: dict[str, Any]


@dataclass(frozen=True)
class ChatMember:
    """One active crew membership linked to a chat, as stored now.

    ``crew`` is the member as the production's crew lists them; ``production_version`` is the
    production's ``updated_at``, which changes whenever its file is loaded with a change.
    """

    state: MemberState
    crew: CrewMember
    production_version: dt.datetime


@dataclass(frozen=True)
class ChatView:
    """What a typed answer needs to know about its chat: the conversation under way, the prompt it
    replies to, and the prompts still waiting for an answer (newest first)."""

    conversation: Conversation | None
    replied: PromptRef | None
    unanswered: list[PromptRef]

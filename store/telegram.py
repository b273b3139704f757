"""What the Telegram bot keeps: invites, the prompts it sent, answers waiting for a yes, chat state.

The tables are in ``store.telegram_tables``; this module reads and writes them.

Figures themselves are reports (``store.tables.reports``); these tables only tie Telegram messages
to them, so that an answer counts for the prompt it answers and nothing is lost on a restart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    delete,
    insert,
    or_,
    select,
    update,
)

from domain.ports import MemberState
from store import mapping
from store.tables import members, productions
from store.telegram_records import (
    ChatMember,
    ChatView,
    Conversation,
    Invite,
    Pending,
    PromptRef,
)
from store.telegram_tables import (
    telegram_campaigns,
    telegram_conversations,
    telegram_invites,
    telegram_pending,
    telegram_prompts,
)

__all__ = ["ChatMember", "ChatView", "Conversation", "Invite", "Pending", "PromptRef", "TelegramStore", "hash_token"]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


#: A prompt sent: built once, run at every prompt of a fan-out.
_INSERT_PROMPT = insert(telegram_prompts)

#: Every prompt of an assignment and day is answered by a report: built once, run at every answer.
_MARK_ANSWERED = update(telegram_prompts).where(
    telegram_prompts.c.production_id == bindparam("b_production_id"),
    telegram_prompts.c.member_id == bindparam("b_member_id"),
    telegram_prompts.c.assignment_key == bindparam("b_assignment_key"),
    telegram_prompts.c.day == bindparam("b_day"),
).values(report_id=bindparam("b_report_id"))


class TelegramStore:
    """Reads and writes the Telegram tables of one bot; each call is its own short transaction.

    ``bot`` is the bot's name ("" is the default bot): a chat id and a message id mean something to one
    bot only, so every read by chat sees that bot's links, prompts and conversations, never another's.
    """

    def __init__(self, engine: Engine, bot: str = "") -> None:
        self.engine = engine
        self.bot = bot

    def chat_ref(self, chat_id: int) -> str:
        """How a report's ``source_ref`` names a chat of this bot: the chat id, after ``<bot>/`` for a named
        bot (a user's message ids count per bot, so two bots' refs must differ)."""
        return f"{self.bot}/{chat_id}" if self.bot else str(chat_id)

    # -- who writes ---------------------------------------------------------------------------------

    def chat_members(self, chat_id: int) -> list[ChatMember]:
        """The active memberships linked to ``chat_id`` (forgotten ones too), with each production's
        version: one query, so a cached production can be checked on every message."""
        with self.engine.connect() as conn:
            return _chat_members(conn, self.bot, chat_id)

    def chat_view(self, chat_id: int, reply_to: int | None) -> ChatView:
        """The conversation, the prompt replied to and the unanswered prompts of a chat."""
        with self.engine.connect() as conn:
            return _chat_view(conn, self.bot, chat_id, reply_to)

    def read_chat(self, chat_id: int, reply_to: int | None) -> tuple[list[ChatMember], ChatView]:
        """:meth:`chat_members` and :meth:`chat_view` through one connection: what a typed answer reads."""
        return self.read_chats([(chat_id, reply_to)])[0]

    def read_chats(self, chats: Sequence[tuple[int, int | None]], *,
                   conn: Connection | None = None) -> list[tuple[list[ChatMember], ChatView]]:
        """:meth:`read_chat` for several (chat, message replied to) at once, in that order.

        Three queries whatever the number of chats: what typed answers arriving together from many
        chats read (see ``bots.telegram.batches``). Through ``conn`` when given, else a connection of its own.
        """
        ids = sorted({chat_id for chat_id, _ in chats})
        if not ids:
            return []
        if conn is None:
            with self.engine.connect() as own:
                return self.read_chats(chats, conn=own)
        memberships = _members_of_chats(conn, self.bot, ids)
        conversations = _conversations_of_chats(conn, self.bot, ids)
        prompts = _prompts_of_chats(conn, self.bot, chats)
        return [(memberships.get(chat_id, []), _view(conversations.get(chat_id), prompts[chat_id], reply_to))
                for chat_id, reply_to in chats]

    def member_state(self, production_id: str, member_id: str) -> tuple[MemberState, dt.datetime] | None:
        """A member's state and their production's version (``updated_at``), in one query; None if either
        is gone. What a prompt needs to know afresh: the production itself changes only with its version."""
        with self.engine.connect() as conn:
            row = conn.execute(_MEMBER_STATE, {"production_id": production_id, "member_id": member_id}).first()
        return None if row is None else (mapping.member_state(row), row.production_version)

    # -- invites --------------------------------------------------------------------------------

    def create_invite(self, production_id: str, member_id: str, ttl: dt.timedelta, now: dt.datetime) -> str:
        """A new single-use token for one member. Only its hash is stored."""
        token = secrets.token_urlsafe(24)
        with self.engine.begin() as conn:
            conn.execute(insert(telegram_invites).values(
                token_hash=hash_token(token), production_id=production_id, member_id=member_id,
                created_at=now, expires_at=now + ttl,
            ))
        return token

    def invite(self, token: str) -> Invite | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(telegram_invites).where(
                telegram_invites.c.token_hash == hash_token(token))).first()
        if row is None:
            return None
        return Invite(row.production_id, row.member_id, row.expires_at, row.used_at, row.used_by_chat)

    def use_invite(self, token: str, chat_id: int, now: dt.datetime, *, conn: Connection | None = None) -> bool:
        """Mark the invite used, once: False if it was used meanwhile (two taps, two instances) or
        revoked (the member was forgotten). With ``conn``, in that transaction: the one that links the chat."""
        if conn is None:
            with self.engine.begin() as own:
                return self.use_invite(token, chat_id, now, conn=own)
        result = conn.execute(update(telegram_invites).where(
            telegram_invites.c.token_hash == hash_token(token),
            telegram_invites.c.used_at.is_(None),
            telegram_invites.c.expires_at > now,
        ).values(used_at=now, used_by_chat=chat_id))
        return result.rowcount == 1

    @staticmethod
    def record_consent(conn: Connection, production_id: str, member_id: str, chat_id: int, now: dt.datetime) -> bool:
        """The member's yes, only while this chat is still theirs (not forgotten or relinked meanwhile)."""
        result = conn.execute(update(members).where(
            members.c.production_id == production_id, members.c.member_id == member_id,
            members.c.telegram_chat_id == chat_id, members.c.consent_at.is_(None),
        ).values(consent_at=now, unreachable=False))
        return result.rowcount == 1

    @staticmethod
    def decline(conn: Connection, production_id: str, member_id: str, chat_id: int) -> None:
        """The member's no: this chat is unlinked (if it still is theirs)."""
        conn.execute(update(members).where(
            members.c.production_id == production_id, members.c.member_id == member_id,
            members.c.telegram_chat_id == chat_id,
        ).values(telegram_chat_id=None, consent_at=None))

    # -- prompts --------------------------------------------------------------------------------

    def record_prompt(self, prompt: PromptRef, *, reminder: bool = False) -> None:
        with self.engine.begin() as conn:
            conn.execute(_INSERT_PROMPT, {
                "bot": self.bot, "chat_id": prompt.chat_id, "message_id": prompt.message_id,
                "production_id": prompt.production_id, "member_id": prompt.member_id,
                "assignment_key": prompt.assignment_key, "day": prompt.day, "sent_at": prompt.sent_at,
                "reminder": reminder, "report_id": prompt.report_id,
            })

    def prompt(self, chat_id: int, message_id: int) -> PromptRef | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(telegram_prompts).where(
                telegram_prompts.c.bot == self.bot, telegram_prompts.c.chat_id == chat_id,
                telegram_prompts.c.message_id == message_id)).first()
        return None if row is None else _prompt(row)

    def unanswered(self, chat_id: int) -> list[PromptRef]:
        """The prompts of this chat still waiting for an answer, newest first."""
        with self.engine.connect() as conn:
            prompts = _prompts_of_chats(conn, self.bot, [(chat_id, None)])[chat_id]
        return _unanswered(prompts.waiting, prompts.answered)

    @staticmethod
    def answered(production_id: str, member_id: str, assignment_key: str, day: dt.date,
                 report_id: int) -> tuple[Any, dict[str, Any]]:
        """The statement and parameters of :meth:`mark_answered`, for a unit of work's ``before_commit``."""
        return _MARK_ANSWERED, {"b_production_id": production_id, "b_member_id": member_id,
                                "b_assignment_key": assignment_key, "b_day": day, "b_report_id": report_id}

    def mark_answered(
        self, production_id: str, member_id: str, assignment_key: str, day: dt.date, report_id: int,
        *, conn: Connection | None = None,
    ) -> None:
        """Every prompt and reminder for that assignment and day is answered by ``report_id``.

        With ``conn``, inside that connection's transaction (the one storing the report); else in its own.
        """
        _, params = self.answered(production_id, member_id, assignment_key, day, report_id)
        if conn is not None:
            conn.execute(_MARK_ANSWERED, params)
            return
        with self.engine.begin() as own:
            own.execute(_MARK_ANSWERED, params)

    def reopen(self, production_id: str, member_id: str, assignment_key: str, day: dt.date) -> None:
        """The figure of that day was undone: its prompt waits for an answer again."""
        with self.engine.begin() as conn:
            conn.execute(update(telegram_prompts).where(
                telegram_prompts.c.production_id == production_id,
                telegram_prompts.c.member_id == member_id,
                telegram_prompts.c.assignment_key == assignment_key,
                telegram_prompts.c.day == day,
            ).values(report_id=None))

    def delivered_prompt(
        self, production_id: str, member_id: str, assignment_key: str, day: dt.date, *, reminder: bool
    ) -> PromptRef | None:
        """The prompt (or reminder) already sent for that assignment and day, if any."""
        with self.engine.connect() as conn:
            row = conn.execute(select(telegram_prompts).where(
                telegram_prompts.c.production_id == production_id,
                telegram_prompts.c.member_id == member_id,
                telegram_prompts.c.assignment_key == assignment_key,
                telegram_prompts.c.day == day,
                telegram_prompts.c.reminder == reminder,
            ).order_by(telegram_prompts.c.sent_at)).first()
        return None if row is None else _prompt(row)

    def record_campaign(
        self, production_id: str, member_id: str, message_key: str, chat_id: int, message_id: int,
        now: dt.datetime,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(telegram_campaigns).where(
                telegram_campaigns.c.production_id == production_id,
                telegram_campaigns.c.member_id == member_id,
                telegram_campaigns.c.message_key == message_key,
            ))
            conn.execute(insert(telegram_campaigns).values(
                production_id=production_id, member_id=member_id, message_key=message_key,
                chat_id=chat_id, message_id=message_id, sent_at=now,
            ))

    def delivered_campaign(self, production_id: str, member_id: str, message_key: str) -> int | None:
        """The message id of that awareness message if it was sent to the member already."""
        with self.engine.connect() as conn:
            return conn.execute(select(telegram_campaigns.c.message_id).where(
                telegram_campaigns.c.production_id == production_id,
                telegram_campaigns.c.member_id == member_id,
                telegram_campaigns.c.message_key == message_key,
            )).scalar()

    # -- answers waiting for a yes ---------------------------------------------------------------

    def add_pending(self, pending: Pending, now: dt.datetime) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(insert(telegram_pending).values(
                chat_id=pending.chat_id, production_id=pending.production_id, member_id=pending.member_id,
                assignment_key=pending.assignment_key, kind=pending.kind, subject=pending.subject,
                day=pending.day, reason=pending.reason, choices=pending.choices, raw_text=pending.raw_text,
                source_ref=pending.source_ref, corrects=pending.corrects, created_at=now,
            ))
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def pending(self, pending_id: int) -> Pending | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(telegram_pending).where(telegram_pending.c.id == pending_id)).first()
        if row is None:
            return None
        return Pending(row.id, row.chat_id, row.production_id, row.member_id, row.assignment_key, row.kind,
                       row.subject, row.day, row.reason, list(row.choices), row.raw_text, row.source_ref,
                       row.corrects, row.resolved_at)

    def resolve_pending(self, pending_id: int, now: dt.datetime) -> bool:
        """Close a pending answer, once: False if a second tap or another instance closed it first."""
        with self.engine.begin() as conn:
            result = conn.execute(update(telegram_pending).where(
                telegram_pending.c.id == pending_id, telegram_pending.c.resolved_at.is_(None),
            ).values(resolved_at=now))
        return result.rowcount == 1

    def reopen_pending(self, pending_id: int) -> None:
        """Undo ``resolve_pending`` when storing the answer failed, so the member can try again."""
        with self.engine.begin() as conn:
            conn.execute(update(telegram_pending).where(telegram_pending.c.id == pending_id)
                         .values(resolved_at=None))

    # -- chat state -------------------------------------------------------------------------------

    def conversation(self, chat_id: int) -> Conversation | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(telegram_conversations).where(
                telegram_conversations.c.bot == self.bot, telegram_conversations.c.chat_id == chat_id)).first()
        if row is None:
            return None
        return Conversation(row.chat_id, row.production_id, row.member_id, row.state, dict(row.data))

    def set_conversation(self, conversation: Conversation, now: dt.datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(telegram_conversations).where(
                telegram_conversations.c.bot == self.bot, telegram_conversations.c.chat_id == conversation.chat_id))
            conn.execute(insert(telegram_conversations).values(
                bot=self.bot, chat_id=conversation.chat_id, production_id=conversation.production_id,
                member_id=conversation.member_id, state=conversation.state, data=conversation.data,
                updated_at=now,
            ))

    def clear_conversation(self, chat_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(telegram_conversations).where(
                telegram_conversations.c.bot == self.bot, telegram_conversations.c.chat_id == chat_id))

    def forget_member(self, production_id: str, member_id: str, now: dt.datetime | None = None) -> None:
        """Erase the member (``store.erasure``): name, chat, invites, traces; their figures stay, anonymous."""
        from store.erasure import erase_member

        with self.engine.begin() as conn:
            erase_member(conn, production_id, member_id, now or dt.datetime.now(dt.UTC))


def _chat_members(conn: Connection, bot: str, chat_id: int) -> list[ChatMember]:
    return _members_of_chats(conn, bot, [chat_id]).get(chat_id, [])


def _chat_view(conn: Connection, bot: str, chat_id: int, reply_to: int | None) -> ChatView:
    conversation = _conversations_of_chats(conn, bot, [chat_id]).get(chat_id)
    return _view(conversation, _prompts_of_chats(conn, bot, [(chat_id, reply_to)])[chat_id], reply_to)


_MEMBERS_OF_CHATS = (
    select(members, productions.c.updated_at.label("production_version"))
    .join(productions, productions.c.id == members.c.production_id)
    .where(members.c.telegram_chat_id.in_(bindparam("ids", expanding=True)),
           members.c.telegram_bot == bindparam("bot"), members.c.active)
    .order_by(members.c.telegram_chat_id, members.c.production_id, members.c.position)
)


_MEMBER_STATE = (
    select(members, productions.c.updated_at.label("production_version"))
    .join(productions, productions.c.id == members.c.production_id)
    .where(members.c.production_id == bindparam("production_id"), members.c.member_id == bindparam("member_id"))
)


def _members_of_chats(conn: Connection, bot: str, chat_ids: Sequence[int]) -> dict[int, list[ChatMember]]:
    found: dict[int, list[ChatMember]] = {}
    for r in conn.execute(_MEMBERS_OF_CHATS, {"ids": list(chat_ids), "bot": bot}):
        found.setdefault(r.telegram_chat_id, []).append(
            ChatMember(mapping.member_state(r), mapping.crew_member(r), r.production_version))
    return found


_CONVERSATIONS_OF_CHATS = select(telegram_conversations).where(
    telegram_conversations.c.bot == bindparam("bot"),
    telegram_conversations.c.chat_id.in_(bindparam("ids", expanding=True)))


def _conversations_of_chats(conn: Connection, bot: str, chat_ids: Sequence[int]) -> dict[int, Conversation]:
    rows = conn.execute(_CONVERSATIONS_OF_CHATS, {"ids": list(chat_ids), "bot": bot})
    return {row.chat_id: Conversation(row.chat_id, row.production_id, row.member_id, row.state, dict(row.data))
            for row in rows}


@dataclass
class _ChatPrompts:
    """A chat's prompts as read: the one replied to, the unanswered ones (newest first), and the
    (production, member, assignment, day) of its answered prompts on those days."""

    replied: PromptRef | None = None
    waiting: list[Any] = field(default_factory=list)
    answered: set[tuple[str, str, str, dt.date]] = field(default_factory=set)


def _build_prompts_of_chats() -> Any:
    """The chats' unanswered prompts, the prompts replied to, and the prompts answered on the days of
    unanswered ones (by a later reminder's answer, or another instance), newest first: one query."""
    t, waiting = telegram_prompts, telegram_prompts.alias("waiting")
    days_waiting = select(waiting.c.day).where(
        waiting.c.bot == bindparam("bot"), waiting.c.chat_id.in_(bindparam("chats", expanding=True)),
        waiting.c.report_id.is_(None))
    return (select(t)
            .where(t.c.bot == bindparam("bot"), t.c.chat_id.in_(bindparam("ids", expanding=True)),
                   or_(t.c.report_id.is_(None), t.c.message_id.in_(bindparam("replied", expanding=True)),
                       t.c.day.in_(days_waiting)))
            .order_by(t.c.chat_id, t.c.sent_at.desc(), t.c.message_id.desc()))


_PROMPTS_OF_CHATS = _build_prompts_of_chats()


def _prompts_of_chats(conn: Connection, bot: str,
                      chats: Sequence[tuple[int, int | None]]) -> dict[int, _ChatPrompts]:
    """The prompts each chat's typed answer may be for: one query for all the chats."""
    ids = sorted({chat_id for chat_id, _ in chats})
    replies = {(chat_id, reply_to) for chat_id, reply_to in chats if reply_to is not None}
    rows = conn.execute(_PROMPTS_OF_CHATS, {"ids": ids, "chats": ids, "bot": bot,
                                            "replied": sorted({m for _, m in replies})}).all()
    found = {chat_id: _ChatPrompts() for chat_id in ids}
    days = {r.day for r in rows if r.report_id is None}
    for r in rows:
        mine = found[r.chat_id]
        if (r.chat_id, r.message_id) in replies and mine.replied is None:
            mine.replied = _prompt(r)
        if r.report_id is None:
            mine.waiting.append(r)
        elif r.day in days:  # answered on a day some prompt still waits
            mine.answered.add((r.production_id, r.member_id, r.assignment_key, r.day))
    return found


def _view(conversation: Conversation | None, prompts: _ChatPrompts, reply_to: int | None) -> ChatView:
    replied = prompts.replied if reply_to is not None and prompts.replied is not None \
        and prompts.replied.message_id == reply_to else None
    return ChatView(conversation, replied, _unanswered(prompts.waiting, prompts.answered))


def _unanswered(rows: Any, answered: set[tuple[str, str, str, dt.date]]) -> list[PromptRef]:
    """Unanswered prompt rows (newest first) to prompts: one per assignment and day, none already answered."""
    seen: set[tuple[str, str, str, dt.date]] = set()
    result = []
    for row in rows:
        key = (row.production_id, row.member_id, row.assignment_key, row.day)
        if key in answered or key in seen:
            continue
        seen.add(key)
        result.append(_prompt(row))
    return result


def _prompt(row: Any) -> PromptRef:
    return PromptRef(row.chat_id, row.message_id, row.production_id, row.member_id, row.assignment_key,
                     row.day, row.sent_at, row.report_id)

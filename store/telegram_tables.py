"""The Telegram bot's tables: invites, the prompts it sent, answers waiting for a yes, chat state.

``store.telegram`` reads and writes them; the erasure of a member rewrites them.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from store.tables import ID, UtcDateTime, metadata

telegram_invites = Table(
    "telegram_invites",
    metadata,
    # Only the sha256 of the token is kept: a leaked database does not leak working invite links.
    Column("token_hash", String(64), primary_key=True),
    Column("production_id", ID, ForeignKey("productions.id", ondelete="CASCADE"), nullable=False),
    Column("member_id", ID, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Column("used_by_chat", BigInteger, nullable=True),
    Index("ix_telegram_invites_member", "production_id", "member_id"),
)

telegram_prompts = Table(
    "telegram_prompts",
    metadata,
    # One row per prompt (or reminder) message sent: the answer to it counts for its day. Message ids
    # count per chat and per bot: ``bot`` is the bot that sent it ("" is the default bot).
    Column("bot", String(32), nullable=False, default="", server_default=""),
    Column("chat_id", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=False),
    Column("production_id", ID, ForeignKey("productions.id", ondelete="CASCADE"), nullable=False),
    Column("member_id", ID, nullable=False),
    Column("assignment_key", String(200), nullable=False),
    Column("day", Date, nullable=False),
    Column("sent_at", UtcDateTime, nullable=False),
    Column("reminder", Boolean, nullable=False, default=False),
    Column("report_id", Integer, nullable=True),  # the report that answered it
    PrimaryKeyConstraint("bot", "chat_id", "message_id"),
    Index("ix_telegram_prompts_assignment_day", "production_id", "member_id", "assignment_key", "day"),
)

telegram_pending = Table(
    "telegram_pending",
    metadata,
    # An answer waiting for the member: "is that right?" (confirm) or "which did you mean?" (ambiguous).
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("chat_id", BigInteger, nullable=False, index=True),
    Column("production_id", ID, ForeignKey("productions.id", ondelete="CASCADE"), nullable=False),
    Column("member_id", ID, nullable=False),
    Column("assignment_key", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("subject", ID, nullable=True),
    Column("day", Date, nullable=False),
    Column("reason", String(16), nullable=False),  # confirm | ambiguous
    Column("choices", JSON, nullable=False),  # [{"odometer": "45230"}, {"odometer": "45.23"}]
    Column("raw_text", Text, nullable=False),
    Column("source_ref", String(200), nullable=False),
    Column("corrects", Integer, nullable=True),  # the report this answer replaces, if a correction
    Column("created_at", UtcDateTime, nullable=False),
    Column("resolved_at", UtcDateTime, nullable=True),
)

telegram_campaigns = Table(
    "telegram_campaigns",
    metadata,
    # One row per awareness message sent to a member, so a resend after a crash can be avoided.
    Column("production_id", ID, ForeignKey("productions.id", ondelete="CASCADE"), nullable=False),
    Column("member_id", ID, nullable=False),
    Column("message_key", String(100), nullable=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=False),
    Column("sent_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("production_id", "member_id", "message_key"),
)

telegram_conversations = Table(
    "telegram_conversations",
    metadata,
    # What the bot is waiting for in a chat: a corrected figure, or the next step of a guided entry.
    Column("bot", String(32), primary_key=True, default="", server_default=""),
    Column("chat_id", BigInteger, primary_key=True),
    Column("production_id", ID, ForeignKey("productions.id", ondelete="CASCADE"), nullable=False),
    Column("member_id", ID, nullable=False),
    Column("state", String(32), nullable=False),
    Column("data", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

"""Telegram bot: invites, prompts sent, answers waiting for a yes, chat state.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.tables import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.String(64)


def upgrade() -> None:
    op.create_table(
        "telegram_invites",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("production_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("used_at", UtcDateTime, nullable=True),
        sa.Column("used_by_chat", sa.BigInteger, nullable=True),
        sa.ForeignKeyConstraint(["production_id"], ["productions.id"], ondelete="CASCADE",
                                name="fk_telegram_invites_production_id_productions"),
        sa.PrimaryKeyConstraint("token_hash", name="pk_telegram_invites"),
    )
    op.create_index("ix_telegram_invites_member", "telegram_invites", ["production_id", "member_id"])

    op.create_table(
        "telegram_prompts",
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("message_id", sa.BigInteger, nullable=False),
        sa.Column("production_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("assignment_key", sa.String(200), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("sent_at", UtcDateTime, nullable=False),
        sa.Column("reminder", sa.Boolean, nullable=False),
        sa.Column("report_id", sa.Integer, nullable=True),
        sa.ForeignKeyConstraint(["production_id"], ["productions.id"], ondelete="CASCADE",
                                name="fk_telegram_prompts_production_id_productions"),
        sa.PrimaryKeyConstraint("chat_id", "message_id", name="pk_telegram_prompts"),
    )
    op.create_index("ix_telegram_prompts_assignment_day", "telegram_prompts",
                    ["production_id", "member_id", "assignment_key", "day"])

    op.create_table(
        "telegram_pending",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("production_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("assignment_key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", ID, nullable=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("choices", sa.JSON, nullable=False),
        sa.Column("raw_text", sa.Text, nullable=False),
        sa.Column("source_ref", sa.String(200), nullable=False),
        sa.Column("corrects", sa.Integer, nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("resolved_at", UtcDateTime, nullable=True),
        sa.ForeignKeyConstraint(["production_id"], ["productions.id"], ondelete="CASCADE",
                                name="fk_telegram_pending_production_id_productions"),
        sa.PrimaryKeyConstraint("id", name="pk_telegram_pending"),
    )
    op.create_index("ix_telegram_pending_chat_id", "telegram_pending", ["chat_id"])

    op.create_table(
        "telegram_campaigns",
        sa.Column("production_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("message_key", sa.String(100), nullable=False),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("message_id", sa.BigInteger, nullable=False),
        sa.Column("sent_at", UtcDateTime, nullable=False),
        sa.ForeignKeyConstraint(["production_id"], ["productions.id"], ondelete="CASCADE",
                                name="fk_telegram_campaigns_production_id_productions"),
        sa.PrimaryKeyConstraint("production_id", "member_id", "message_key", name="pk_telegram_campaigns"),
    )

    op.create_table(
        "telegram_conversations",
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("production_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.ForeignKeyConstraint(["production_id"], ["productions.id"], ondelete="CASCADE",
                                name="fk_telegram_conversations_production_id_productions"),
        sa.PrimaryKeyConstraint("chat_id", name="pk_telegram_conversations"),
    )


def downgrade() -> None:
    op.drop_table("telegram_conversations")
    op.drop_table("telegram_campaigns")
    op.drop_index("ix_telegram_pending_chat_id", table_name="telegram_pending")
    op.drop_table("telegram_pending")
    op.drop_index("ix_telegram_prompts_assignment_day", table_name="telegram_prompts")
    op.drop_table("telegram_prompts")
    op.drop_index("ix_telegram_invites_member", table_name="telegram_invites")
    op.drop_table("telegram_invites")

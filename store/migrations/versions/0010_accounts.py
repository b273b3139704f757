"""Dashboard accounts invited from the dashboard: one-time invite links.

Revision ID: 0010_accounts
Revises: 0009

Only the SHA-256 of an invite's token is stored; the link is shown once, to the coordinator who
made it. An invite is spent when used (``used_at``) and stops working at ``expires_at``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.tables import UtcDateTime

revision = "0010_accounts"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_invites",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("production_id", sa.String(64), sa.ForeignKey("productions.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.Column("used_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("account_invites")

"""Dashboard sessions that end on the server: a session version per account.

Revision ID: 0009
Revises: 0008

A session cookie carries the version of its account at sign-in; every request compares it with
the stored one. Signing out, a new password, a removed membership or account raise the version,
so every cookie issued before stops working, even one copied elsewhere.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")

"""Accounts that may create productions: the first coordinator of a fresh install.

Revision ID: 0011_creators
Revises: 0010_accounts

``users.may_create`` is set for an account made with ``greenslate user add EMAIL --role coordinator``
and no production (or through a one-time link made by ``greenslate user invite`` with no
production, whose ``account_invites.production_id`` is then empty): once signed in, it creates its
first production in the dashboard and becomes its coordinator. Every account so far keeps what it
had (a coordinator of a production may create one already).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_creators"
down_revision = "0010_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("may_create", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("account_invites") as batch:
        batch.alter_column("production_id", existing_type=sa.String(64), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM account_invites WHERE production_id IS NULL")  # invites to create: gone with it
    with op.batch_alter_table("account_invites") as batch:
        batch.alter_column("production_id", existing_type=sa.String(64), nullable=False)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("may_create")

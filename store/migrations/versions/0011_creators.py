"""Accounts that may create productions: the first coordinator of a fresh install.

Revision ID: 0011_creators
Revises: 0010_accounts

``users.may_create`` is set for an account made with ``greenslate user add EMAIL --role coordinator``
and no production: once signed in, it creates its first production in the dashboard and becomes
its coordinator. Every account so far keeps what it had (a coordinator of a production may create
one already).
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


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("may_create")

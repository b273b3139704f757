"""When the scheduler next plans each production, kept across restarts.

Revision ID: 0013_scheduler_wakeups
Revises: 0012_many_bots

The scheduler plans a production only when its plan can change (scheduler.wake). It kept what it
learned in memory only: the first tick after a start planned every production, seconds of CPU at
10,000 members in the bots' process. A row per production: its next change, its next turn in the
sweep, the fingerprint of its crew and file when it was planned, and when that was.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_scheduler_wakeups"
down_revision = "0012_many_bots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_wakeups",
        sa.Column("production_id", sa.String(64), nullable=False),
        sa.Column("next_change_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("turn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=True),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("production_id", name="pk_scheduler_wakeups"),
    )


def downgrade() -> None:
    op.drop_table("scheduler_wakeups")

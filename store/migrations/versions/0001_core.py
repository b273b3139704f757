"""Core tables: productions, members, reports and their values, emission lines, action status.

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Numbers that must stay exact are BigInteger counts of 10^-6 units (10^-9 for emission factors),
see store.tables.ExactDecimal; instants are timezone-aware (UTC). Written against
store.tables as of this revision: later changes go in later revisions, never here.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "productions",
        sa.Column("id", ID, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("calendar_start", sa.Date(), nullable=False),
        sa.Column("calendar_end", sa.Date(), nullable=False),
        sa.Column("shooting_weekdays", sa.JSON(), nullable=False),
        sa.Column("days_off", sa.JSON(), nullable=False),
        sa.Column("forecast_tco2e", sa.JSON(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_productions")),
    )

    op.create_table(
        "members",
        sa.Column("production_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("voice", sa.Boolean(), nullable=False),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("language_set_in_chat", sa.Boolean(), nullable=False),
        sa.Column("voice_set_in_chat", sa.Boolean(), nullable=False),
        sa.Column("pause_set_in_chat", sa.Boolean(), nullable=False),
        sa.Column("telegram_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unreachable", sa.Boolean(), nullable=False),
        sa.Column("forgotten", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["production_id"],
            ["productions.id"],
            name=op.f("fk_members_production_id_productions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("production_id", "member_id", name=op.f("pk_members")),
    )
    op.create_index(op.f("ix_members_telegram_chat_id"), "members", ["telegram_chat_id"])

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("production_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("subject", ID, nullable=True),
        sa.Column("raw_text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("source_ref", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("corrects", sa.Integer(), nullable=True),
        sa.Column("void", sa.Boolean(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["corrects"], ["reports.id"], name=op.f("fk_reports_corrects_reports")),
        sa.ForeignKeyConstraint(
            ["production_id", "member_id"],
            ["members.production_id", "members.member_id"],
            name=op.f("fk_reports_production_id_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["production_id"],
            ["productions.id"],
            name=op.f("fk_reports_production_id_productions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        # A message delivered twice is stored once (store.repositories relies on it).
        sa.UniqueConstraint("source", "source_ref", name=op.f("uq_reports_source_source_ref")),
    )
    op.create_index(op.f("ix_reports_corrects"), "reports", ["corrects"])
    op.create_index("ix_reports_production_kind_subject", "reports", ["production_id", "kind", "subject"])

    op.create_table(
        "report_values",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),  # x 10^6
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_values_report_id_reports"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("report_id", "item", name=op.f("pk_report_values")),
    )

    op.create_table(
        "emission_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("production_id", ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", ID, nullable=False),
        sa.Column("member_id", ID, nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),  # x 10^6
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("kgco2e", sa.BigInteger(), nullable=False),  # x 10^6
        sa.Column("factor_key", sa.String(length=100), nullable=False),
        sa.Column("factor_set_version", sa.String(length=32), nullable=False),
        sa.Column("factor_kgco2e_per_unit", sa.BigInteger(), nullable=False),  # x 10^9
        sa.Column("factor_unit", sa.String(length=32), nullable=False),
        sa.Column("factor_source", sa.Text(), nullable=False),
        sa.Column("factor_year", sa.Text(), nullable=False),
        sa.Column("factor_proxy", sa.Boolean(), nullable=False),
        sa.Column("estimated", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["production_id"],
            ["productions.id"],
            name=op.f("fk_emission_lines_production_id_productions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_emission_lines_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emission_lines")),
    )
    op.create_index(op.f("ix_emission_lines_report_id"), "emission_lines", ["report_id"])
    op.create_index("ix_emission_lines_production_day", "emission_lines", ["production_id", "day"])

    op.create_table(
        "action_status",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("production_id", ID, nullable=False),
        sa.Column("action_id", ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["production_id"],
            ["productions.id"],
            name=op.f("fk_action_status_production_id_productions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_status")),
    )
    op.create_index("ix_action_status_production_action", "action_status", ["production_id", "action_id"])


def downgrade() -> None:
    op.drop_table("action_status")
    op.drop_table("emission_lines")
    op.drop_table("report_values")
    op.drop_table("reports")
    op.drop_table("members")
    op.drop_table("productions")

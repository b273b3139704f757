"""Discord: server links, good practices and their votes, posts made once, bot state.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "discord_links",
        sa.Column("production_id", sa.String(length=64), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("digest_channel_id", sa.BigInteger(), nullable=False),
        sa.Column("practices_channel_id", sa.BigInteger(), nullable=False),
        sa.Column("role_name", sa.String(length=100), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["production_id"],
            ["productions.id"],
            name=op.f("fk_discord_links_production_id_productions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("production_id", name=op.f("pk_discord_links")),
        sa.UniqueConstraint("guild_id", name=op.f("uq_discord_links_guild_id")),
    )
    op.create_table(
        "discord_practices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("production_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["production_id"],
            ["productions.id"],
            name=op.f("fk_discord_practices_production_id_productions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discord_practices")),
        sa.UniqueConstraint("message_id", name=op.f("uq_discord_practices_message_id")),
    )
    op.create_index(
        op.f("ix_discord_practices_production_id"), "discord_practices", ["production_id"], unique=False
    )
    op.create_table(
        "discord_practice_votes",
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("emoji", sa.String(length=100), nullable=False),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["discord_practices.id"],
            name=op.f("fk_discord_practice_votes_practice_id_discord_practices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("practice_id", "user_id", "emoji", name=op.f("pk_discord_practice_votes")),
    )
    op.create_table(
        "discord_posts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("production_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["production_id"],
            ["productions.id"],
            name=op.f("fk_discord_posts_production_id_productions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discord_posts")),
        sa.UniqueConstraint("production_id", "kind", "key", name=op.f("uq_discord_posts_production_id_kind_key")),
    )
    op.create_table(
        "discord_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_discord_meta")),
    )


def downgrade() -> None:
    op.drop_table("discord_meta")
    op.drop_table("discord_posts")
    op.drop_table("discord_practice_votes")
    op.drop_index(op.f("ix_discord_practices_production_id"), table_name="discord_practices")
    op.drop_table("discord_practices")
    op.drop_table("discord_links")

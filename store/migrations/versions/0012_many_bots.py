"""Several Telegram bots: a chat id, a message id and a conversation belong to one bot.

Revision ID: 0012_many_bots
Revises: 0010_accounts

A private chat's id is the same for every bot the person writes to, and message ids count per bot:
the member's link, each prompt sent and each conversation record the bot's name ("" is the default
bot, GREENSLATE_TELEGRAM_TOKEN, so what was stored before is the default bot's).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_many_bots"
down_revision = "0011_creators"
branch_labels = None
depends_on = None


def _bot() -> sa.Column[str]:
    return sa.Column("bot", sa.String(32), nullable=False, server_default="")


def upgrade() -> None:
    op.add_column("members", sa.Column("telegram_bot", sa.String(32), nullable=False, server_default=""))
    with op.batch_alter_table("telegram_prompts") as batch:
        batch.add_column(_bot())
        batch.drop_constraint("pk_telegram_prompts", type_="primary")
        batch.create_primary_key("pk_telegram_prompts", ["bot", "chat_id", "message_id"])
    with op.batch_alter_table("telegram_conversations") as batch:
        batch.add_column(_bot())
        batch.drop_constraint("pk_telegram_conversations", type_="primary")
        batch.create_primary_key("pk_telegram_conversations", ["bot", "chat_id"])


def downgrade() -> None:
    # Only the default bot's rows fit the old keys: the other bots' prompts and conversations go.
    op.execute(sa.text("DELETE FROM telegram_conversations WHERE bot <> ''"))
    op.execute(sa.text("DELETE FROM telegram_prompts WHERE bot <> ''"))
    op.execute(sa.text("UPDATE members SET telegram_chat_id = NULL, consent_at = NULL WHERE telegram_bot <> ''"))
    with op.batch_alter_table("telegram_conversations") as batch:
        batch.drop_constraint("pk_telegram_conversations", type_="primary")
        batch.create_primary_key("pk_telegram_conversations", ["chat_id"])
        batch.drop_column("bot")
    with op.batch_alter_table("telegram_prompts") as batch:
        batch.drop_constraint("pk_telegram_prompts", type_="primary")
        batch.create_primary_key("pk_telegram_prompts", ["chat_id", "message_id"])
        batch.drop_column("bot")
    # Not a batch: on SQLite it would copy ``members``, which other tables' rows refer to.
    op.drop_column("members", "telegram_bot")

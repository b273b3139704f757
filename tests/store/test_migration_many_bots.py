"""Migration 0012_many_bots on SQLite and PostgreSQL: what was stored is the default bot's, another bot's
prompts may then reuse a chat and message id, and going back down keeps the default bot's rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from store import migrate
from store.engine import make_engine
from tests.store.conftest import insert_bare_production

NOW = dt.datetime(2027, 3, 1, 19, 0, tzinfo=dt.UTC)


def _prompt(bot: str | None, message_id: int) -> tuple[Any, dict[str, Any]]:
    columns = "chat_id, message_id, production_id, member_id, assignment_key, day, sent_at, reminder"
    values = ":chat, :message, 'p', 'amina', 'amina:mileage:mb1', :day, :now, false"
    if bot is not None:
        columns, values = "bot, " + columns, ":bot, " + values
    return (text(f"INSERT INTO telegram_prompts ({columns}) VALUES ({values})"),
            {"bot": bot, "chat": 1001, "message": message_id, "day": NOW.date(), "now": NOW})


def test_the_rows_stored_before_are_the_default_bot_s_and_another_bot_may_reuse_their_ids(fresh_url: str) -> None:
    migrate.upgrade(fresh_url, "0011_creators")
    engine = make_engine(fresh_url)
    try:
        with engine.begin() as conn:
            insert_bare_production(conn, "p", NOW)
            conn.execute(text(
                "INSERT INTO members (production_id, member_id, position, name, role, channel, language, voice, "
                "language_set_in_chat, voice_set_in_chat, pause_set_in_chat, telegram_chat_id, unreachable, "
                "forgotten, active) VALUES ('p', 'amina', 0, 'Amina', 'driver', 'telegram', 'fr', false, "
                "false, false, false, 1001, false, false, true)"))
            conn.execute(*_prompt(None, 7))
            conn.execute(text("INSERT INTO telegram_conversations (chat_id, production_id, member_id, state, data, "
                              "updated_at) VALUES (1001, 'p', 'amina', 'fix', '{}', :now)"), {"now": NOW})
        engine.dispose()

        migrate.upgrade(fresh_url)
        with engine.begin() as conn:
            assert conn.execute(text("SELECT telegram_bot, telegram_chat_id FROM members")).all() == [("", 1001)]
            assert conn.execute(text("SELECT bot, message_id FROM telegram_prompts")).all() == [("", 7)]
            assert conn.execute(text("SELECT bot, chat_id FROM telegram_conversations")).all() == [("", 1001)]
            conn.execute(*_prompt("sud", 7))  # the same chat and message id, from another bot
            conn.execute(text("INSERT INTO telegram_conversations (bot, chat_id, production_id, member_id, state, "
                              "data, updated_at) VALUES ('sud', 1001, 'p', 'amina', 'fix', '{}', :now)"),
                         {"now": NOW})
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(*_prompt("sud", 7))  # but not twice from the same bot
        assert {c["name"] for c in inspect(engine).get_columns("telegram_prompts")} >= {"bot"}
        assert inspect(engine).get_pk_constraint("telegram_prompts")["constrained_columns"] == [
            "bot", "chat_id", "message_id"]
        engine.dispose()

        migrate.downgrade(fresh_url, "0011_creators")
        with engine.begin() as conn:
            assert conn.execute(text("SELECT chat_id, message_id FROM telegram_prompts")).all() == [(1001, 7)]
            assert conn.execute(text("SELECT chat_id FROM telegram_conversations")).all() == [(1001,)]
            assert conn.execute(text("SELECT telegram_chat_id FROM members")).all() == [(1001,)]
        assert "telegram_bot" not in {c["name"] for c in inspect(engine).get_columns("members")}
        engine.dispose()
        migrate.upgrade(fresh_url)
        assert migrate.current(fresh_url) == migrate.head()
    finally:
        engine.dispose()

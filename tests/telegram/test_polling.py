"""Long polling: chats handled side by side, each chat's updates in order, and an update confirmed to
Telegram only once it and every update before it were handled."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import Any

from telegram import Update
from telegram.ext import TypeHandler

from domain.usecases import load_production
from tests.telegram.conftest import reference_production

MON = dt.date(2027, 3, 1)


def _confirmed(rig: Any) -> int:
    """The highest offset the bot sent to getUpdates: every update below it is confirmed."""
    return max((int(p.get("offset") or 0) for m, p in rig.server.calls if m == "getUpdates"), default=0)


async def test_a_slow_chat_holds_back_only_itself_and_the_confirmation(telegram_rig):
    rig = telegram_rig
    slow, quick = 3001, 3002  # strangers: each message gets the how-to-join answer
    release = asyncio.Event()
    seen: list[tuple[int, str]] = []

    async def record(update: Update, context: Any) -> None:
        message = update.effective_message
        if message is None or update.effective_chat is None:
            return
        seen.append((update.effective_chat.id, message.text or ""))
        if message.text == "first":
            await release.wait()

    rig.application.add_handler(TypeHandler(Update, record, block=True), group=-1)
    mark = rig.server.mark()
    try:
        held = rig.server.send(slow, "first")
        await asyncio.sleep(0.2)
        after = rig.server.send(slow, "second")
        rig.server.send(quick, "one")
        rig.server.send(quick, "two")
        await rig.server.replies(quick, 2, since=mark)  # the other chat is not kept waiting
        assert (slow, "second") not in seen  # the slow chat's next update waits for its first
        assert _confirmed(rig) <= held  # nothing from the update in hand on is confirmed
    finally:
        release.set()
    replies = await rig.server.replies(slow, 2, since=mark)
    assert len(replies) == 2
    assert [text for chat, text in seen if chat == slow] == ["first", "second"]
    await rig.server.acked(after)  # once handled, all of them are confirmed


async def test_a_reloaded_production_file_is_seen_at_the_next_message(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    await rig.prompt("amina", "amina:mileage:mb1", MON)
    [recap] = await rig.say(chat, "45 230")
    assert recap.plain.startswith("Compteur de Minibus MB-1")
    production = reference_production()
    renamed = tuple(dataclasses.replace(v, label="Navette 1") if v.id == "mb1" else v for v in production.vehicles)
    load_production(rig.app.uow(), dataclasses.replace(production, vehicles=renamed))
    [again] = await rig.say(chat, "45 240")
    assert again.plain.startswith("Compteur de Navette 1")

"""Long polling: chats handled side by side, each chat's updates in order, and an update confirmed to
Telegram only once it and every update before it were handled."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import itertools
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


async def test_updates_in_hand_are_not_built_again_and_not_asked_for_at_every_one_done(telegram_rig, monkeypatch):
    """Telegram gives back every update still in hand: the bot builds only new ones, and while one is
    in hand it asks again at most every BUSY_ASK_GAP."""
    from bots.telegram import polling
    from bots.telegram.http import CrewBot

    rig = telegram_rig
    assert isinstance(rig.application.bot, CrewBot)
    built: list[int] = []
    real_de_json = Update.de_json

    def counting(data: Any, bot: Any = None) -> Update:
        built.append(data["update_id"])
        return real_de_json(data, bot)

    monkeypatch.setattr(Update, "de_json", counting)
    release = asyncio.Event()

    async def hold(update: Update, context: Any) -> None:
        if update.effective_message is not None and update.effective_message.text == "hold":
            await release.wait()

    rig.application.add_handler(TypeHandler(Update, hold, block=True), group=-1)
    # When the bot asks, taken where the rule is kept: on the server, each request's trip from the
    # bot adds its own jitter to the gaps (a loaded machine showed 10.4 ms between two asks 12 ms
    # apart). Every ask counted here had the held update in hand: the long poll that brings it was
    # asked before.
    asked: list[float] = []
    real_get = CrewBot.get_updates_skipping

    async def timed(bot: CrewBot, *args: Any, **kwargs: Any) -> list[Update]:
        asked.append(asyncio.get_running_loop().time())
        return await real_get(bot, *args, **kwargs)

    monkeypatch.setattr(CrewBot, "get_updates_skipping", timed)
    mark = rig.server.mark()
    held = rig.server.send(4001, "hold")
    for i in range(6):  # other chats, answered while the first is held: each done is a reason to ask
        rig.server.send(4002 + i, f"m{i}")
    for i in range(6):
        await rig.server.replies(4002 + i, 1, since=mark)
    await asyncio.sleep(0.3)
    while_held = list(asked)  # every ask so far had the held update in hand
    release.set()
    await rig.server.acked(held)
    assert built.count(held) == 1  # given back at every ask while held, built once
    gaps = [b - a for a, b in itertools.pairwise(while_held)]
    assert len(while_held) >= 2 and min(gaps) >= polling.BUSY_ASK_GAP * 0.9

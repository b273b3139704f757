"""Delivery under Telegram's rules: 429 waited out, 403 marks a member unreachable, a redelivered
update is stored once (SQLite and PostgreSQL), network trouble asks the scheduler to retry."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from decimal import Decimal as D

import pytest

MON = dt.date(2027, 3, 1)
AMINA = "amina:mileage:mb1"


async def test_a_blocked_bot_marks_the_member_unreachable_and_nothing_crashes(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    rig.server.block(chat)
    delivery = await rig.deliver("amina", AMINA, MON)
    assert delivery.outcome.value == "unreachable" and delivery.message_ref is None
    assert ("sendMessage", 403) in rig.server.rejected
    assert rig.member("amina").unreachable
    again = await rig.deliver("amina", AMINA, MON)  # no more calls to a chat that blocked us
    assert again.outcome.value == "unreachable"
    assert rig.server.rejected.count(("sendMessage", 403)) == 1
    rig.server.unblock(chat)
    [status] = await rig.say(chat, "/status")  # writing to the bot again makes them reachable
    assert "J'attends de vous" in status.plain
    assert not rig.member("amina").unreachable


async def test_a_429_is_waited_out_and_the_prompt_still_goes(telegram_rig):
    rig = telegram_rig
    await rig.join("amina")
    rig.server.fail_next("sendMessage", 429, retry_after=1)
    delivery = await rig.deliver("amina", AMINA, MON)
    assert delivery.outcome.value == "sent"
    assert ("sendMessage", 429) in rig.server.rejected
    assert rig.server.last(1001).plain.startswith("Aujourd'hui, lundi 1 mars, quel est le compteur")


async def test_with_the_rate_limiter_a_chat_gets_one_message_a_second_and_no_429(make_telegram_rig,
                                                                                 sqlite_db_url):
    rig = await make_telegram_rig(sqlite_db_url, enforce_limits=True, rate_limit=True)
    chat = await rig.join("lea")  # Léa has voice on: each message is followed by its voice note
    rejected = len(rig.server.rejected)
    g1 = await rig.deliver("lea", "lea:generator_hours:g1", MON)
    g2 = await rig.deliver("lea", "lea:generator_hours:g2", MON)
    assert (g1.outcome.value, g2.outcome.value) == ("sent", "sent")
    sent = [s for s in rig.server.sent_to(chat, method=None) if s.method in ("sendMessage", "sendVoice")]
    assert all(b.at - a.at >= 0.99 for a, b in itertools.pairwise(sent))
    assert rig.server.rejected[rejected:] == []


async def test_network_trouble_asks_for_a_retry(telegram_rig):
    rig = telegram_rig
    await rig.join("amina")
    rig.server.fail_next("sendMessage", 500)
    delivery = await rig.deliver("amina", AMINA, MON)
    assert delivery.outcome.value == "retry"
    assert await rig.notifier.delivered_prompt("feux-aube", "amina", AMINA, MON) is None
    delivery = await rig.deliver("amina", AMINA, MON)
    assert delivery.outcome.value == "sent"
    check = await rig.notifier.delivered_prompt("feux-aube", "amina", AMINA, MON)
    assert check is not None and check.message_ref == delivery.message_ref


async def test_unknown_or_unlinked_members_are_unreachable_without_a_call(telegram_rig):
    rig = telegram_rig
    calls = len(rig.server.calls)
    assert (await rig.deliver("karim", "karim:mileage:car2", MON)).outcome.value == "unreachable"
    assert (await rig.deliver("nobody", "x", MON)).outcome.value == "unreachable"
    assert [m for m, _ in rig.server.calls[calls:] if m.startswith("send")] == []


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def test_a_redelivered_update_is_stored_once(db, make_telegram_rig, request):
    db_url = request.getfixturevalue("sqlite_db_url" if db == "sqlite" else "pg_db_url")
    rig = await make_telegram_rig(db_url)
    chat = await rig.join("paul")
    await rig.prompt("paul", "paul:meals", MON)
    mark = rig.server.mark()
    update_id = rig.server.send(chat, "végé 30 poulet 40")
    [first] = await rig.server.replies(chat, since=mark)
    await rig.server.acked(update_id)
    mark = rig.server.mark()
    rig.server.redeliver(update_id)
    # Stored and answered the first time: the redelivery sends nothing new (answers are stored in
    # batches, so give it the time it would take to speak).
    with pytest.raises(AssertionError, match="got \\[\\]"):
        await rig.server.replies(chat, since=mark, timeout=3)
    assert first.plain.startswith("70 repas")
    [report] = rig.reports("paul", active=False)
    assert report.values == {"vegetarian": D(30), "chicken": D(40)}
    meals = [c for c in rig.balance().categories if c.category.value == "catering"]
    assert meals and meals[0].kgco2e > 0


async def test_an_awareness_message_in_the_members_language(telegram_rig):
    rig = telegram_rig
    sam = await rig.join("sam", "en")
    from sensitisation.library import render

    assert await rig.notifier.delivered_campaign("feux-aube", "sam", "veggie-day") is None
    delivery = await rig.notifier.send_campaign("feux-aube", "sam", "veggie-day")
    assert delivery.outcome.value == "sent"
    assert rig.server.last(sam).text == render("veggie-day", "en")
    check = await rig.notifier.delivered_campaign("feux-aube", "sam", "veggie-day")
    assert check is not None and check.message_ref == delivery.message_ref


async def test_the_token_never_reaches_the_logs(telegram_rig, caplog):
    rig = telegram_rig
    caplog.set_level(logging.DEBUG)
    await rig.join("amina")
    await rig.deliver("amina", AMINA, MON)
    assert any("sendMessage" in r.getMessage() for r in caplog.records)  # httpx logs each request URL
    assert all(rig.server.token not in r.getMessage() for r in caplog.records)



async def test_a_failing_handler_is_logged_for_the_operator_and_the_member_is_told(telegram_rig, caplog,
                                                                                   monkeypatch):
    rig = telegram_rig
    chat = await rig.join("amina")

    def broken(chats, **_kwargs):
        raise RuntimeError("store unavailable")

    monkeypatch.setattr(rig.services.store, "read_chats", broken)
    caplog.set_level(logging.ERROR, logger="greenslate.operator")
    [sorry] = await rig.say(chat, "45 230")
    assert sorry.plain.startswith("Désolé, un problème technique m'empêche de répondre.")
    [record] = [r for r in caplog.records if r.name == "greenslate.operator"]
    assert "RuntimeError" in record.getMessage()
    assert rig.reports() == []

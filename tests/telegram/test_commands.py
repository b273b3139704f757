"""The member's commands: /help, /status, /pause, /resume, /language, /voice, /stop."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal as D

from tests.telegram.conftest import CHATS

MON, TUE = dt.date(2027, 3, 1), dt.date(2027, 3, 2)
AMINA = "amina:mileage:mb1"


async def test_help_in_both_languages(telegram_rig):
    rig = telegram_rig
    amina = await rig.join("amina")
    sam = await rig.join("sam")
    [fr] = await rig.say(amina, "/help")
    assert "/pause 15/03 : pas de question jusqu'au 15 mars" in fr.plain
    [en] = await rig.say(sam, "/help")
    assert "/pause 15/03: no question until 15 March" in en.plain
    assert rig.server.commands[""][0] == {"command": "help", "description": "Comment ça marche"}
    assert rig.server.commands["en"][0] == {"command": "help", "description": "How it works"}


async def test_status_shows_what_is_pending_and_what_was_sent_this_week(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    await rig.prompt("amina", AMINA, MON)
    await rig.say(chat, "45 230")
    rig.set_now(rig.now + dt.timedelta(days=1))
    await rig.prompt("amina", AMINA, TUE)
    [status] = await rig.say(chat, "/status")
    assert status.plain == (
        "J'attends de vous :\n"
        "- le compteur kilométrique de Minibus MB-1, aujourd'hui\n\n"
        "Envoyé cette semaine :\n"
        "- lundi 1 mars : Compteur de Minibus MB-1 : 45 230 km.\nCela fait 220 km le lundi 1 mars."
    )


async def test_status_in_english_when_nothing_is_pending(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("sam", "en")
    [status] = await rig.say(chat, "/status")
    assert status.plain == "I am waiting for:\nI am not waiting for anything.\n\nSent this week:\nNothing this week."


async def test_pause_and_resume(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    [missing] = await rig.say(chat, "/pause")
    assert missing.plain.startswith("Dites jusqu'à quel jour.")
    [bad] = await rig.say(chat, "/pause demain soir")
    assert bad.plain.startswith("Je ne comprends pas cette date.") and "/pause 15/03" in bad.plain
    [past] = await rig.say(chat, "/pause 2027-02-20")
    assert past.plain.startswith("Cette date est passée.")
    assert rig.member("amina").paused_until is None
    [done] = await rig.say(chat, "/pause jusqu'au 15 mars")
    assert done.plain.startswith("C'est noté. Pas de question jusqu'au lundi 15 mars inclus.")
    assert rig.member("amina").paused_until == dt.date(2027, 3, 15)
    [status] = await rig.say(chat, "/status")
    assert "Questions en pause jusqu'au lundi 15 mars inclus." in status.plain
    [resumed] = await rig.say(chat, "/resume")
    assert resumed.plain == "C'est noté. Les questions reprennent."
    assert rig.member("amina").paused_until is None


async def test_pause_in_english(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("sam", "en")
    [done] = await rig.say(chat, "/pause until March 12")
    assert done.plain.startswith("Noted. No question until Friday 12 March included.")
    assert rig.member("sam").paused_until == dt.date(2027, 3, 12)


async def test_language_switch_changes_every_later_message(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    [usage] = await rig.say(chat, "/language de")
    assert "/language en" in usage.plain
    [done] = await rig.say(chat, "/language en")
    assert done.plain == "Noted. I will write to you in English."
    assert rig.member("amina").language == "en"
    prompt = await rig.prompt("amina", AMINA, MON)
    assert prompt.plain.startswith("Today, Monday 1 March, what does the odometer of Minibus MB-1 say?")
    assert prompt.buttons == [("I did not drive", "z")]
    [recap] = await rig.say(chat, "45,230.0")
    assert recap.plain.startswith("Odometer of Minibus MB-1: 45,230 km.\nThat is 220 km today.")
    [back] = await rig.say(chat, "/language fr")
    assert back.plain == "C'est noté. Je vous écris en français."


async def test_voice_on_sends_every_message_as_a_voice_note_too(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    [usage] = await rig.say(chat, "/voice maybe")
    assert "/voice on" in usage.plain
    mark = rig.server.mark()
    await rig.say(chat, "/voice on")
    [note] = await rig.server.replies(chat, since=mark, method="sendVoice")
    assert note.voice is not None and note.voice.startswith(b"OggS")  # OGG/Opus, as Telegram needs
    assert rig.member("amina").voice is True
    mark = rig.server.mark()
    await rig.prompt("amina", AMINA, MON)
    await rig.server.replies(chat, since=mark, method="sendVoice")
    mark = rig.server.mark()
    await rig.say(chat, "45 230")
    await rig.server.replies(chat, since=mark, method="sendVoice")
    [off] = await rig.say(chat, "/voice off")
    assert off.plain == "C'est noté. Je n'envoie plus d'audio."
    assert rig.member("amina").voice is False


async def test_stop_unlinks_and_keeps_the_figures_anonymous(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    await rig.prompt("amina", AMINA, MON)
    await rig.say(chat, "45 230")
    before = rig.balance()
    [bye] = await rig.say(chat, "/stop")
    assert bye.plain.startswith("C'est fait. Je ne vous écrirai plus.")
    state = rig.member("amina")
    assert state.forgotten and state.telegram_chat_id is None and state.consent_at is None
    assert rig.reports("amina")[0].values == {"odometer": D(45230)}
    assert rig.balance().total_kgco2e == before.total_kgco2e
    [stranger] = await rig.say(chat, "45 400")
    assert "lien d'invitation" in stranger.plain
    delivery = await rig.deliver("amina", AMINA, TUE)
    assert delivery.outcome.value == "unreachable"
    assert len(rig.reports("amina")) == 1
    assert CHATS["amina"] == chat


async def test_status_lists_and_sends_again_the_prompts_missed_while_greenslate_was_down(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    rig.set_now(dt.datetime(2027, 3, 3, 19, 0, tzinfo=dt.UTC))  # Wednesday evening, nothing was sent
    status, *prompts = await rig.say(chat, "/status", count=4)
    assert status.plain.startswith("J'attends de vous :\n- le compteur kilométrique de Minibus MB-1, le lundi 1 mars\n")
    assert "mardi 2 mars" in status.plain and "aujourd'hui" in status.plain
    assert "Je vous renvoie les questions manquées." in status.plain
    assert all("compteur kilométrique de Minibus MB-1" in p.plain for p in prompts)
    monday = next(p for p in prompts if "lundi 1 mars" in p.plain)
    [recap] = await rig.say(chat, "45 230", reply_to=monday.message_id)
    assert "220 km" in recap.plain
    [stored] = rig.reports("amina")
    assert stored.day == MON and dict(stored.values) == {"odometer": D(45230)}
    # Asked again: Tuesday and today still wait, as prompts already sent; nothing is sent again.
    mark = rig.server.mark()
    [status] = await rig.say(chat, "/status")
    waiting = status.plain.split("\n\n")[0]
    assert "mardi 2 mars" in waiting and "aujourd'hui" in waiting and "lundi" not in waiting
    assert "Je vous renvoie" not in status.plain
    await asyncio.sleep(0.5)  # anything the bot would send after the status has time to arrive
    assert [s.chat_id for s in rig.server.ledger[mark:]] == [chat]


async def test_the_same_words_are_spoken_from_telegrams_copy_and_uploaded_again_if_it_is_gone(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    mark = rig.server.mark()
    await rig.say(chat, "/voice on")
    await rig.server.replies(chat, since=mark, method="sendVoice")  # its own note, sent after its text
    notes = []
    for _ in range(3):
        mark = rig.server.mark()
        await rig.say(chat, "/help")
        notes += await rig.server.replies(chat, since=mark, method="sendVoice")
        await rig.server.replies(chat, since=mark, method="sendMessage")  # and nothing else pending
        if len(notes) == 2:
            rig.server.file_ids.clear()  # Telegram no longer has the file
    first, again, after = notes
    assert first.voice is not None and first.voice.startswith(b"OggS")  # synthesised and uploaded
    first_id = rig.server.messages[(chat, first.message_id)]["voice"]["file_id"]
    assert again.voice is None and again.params["voice"] == first_id  # Telegram's copy: nothing uploaded
    assert after.voice is not None and after.voice.startswith(b"OggS")  # the copy was gone: uploaded again
    assert ("sendVoice", 400) in rig.server.rejected

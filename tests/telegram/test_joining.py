"""Joining the bot: invite link, /start, consent, and every way a join is refused."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from store.tables import reports
from store.telegram import hash_token
from store.telegram_tables import telegram_invites
from tests.telegram.conftest import CHATS, FIRST_EVENING


async def test_a_driver_joins_in_french_and_gives_consent(telegram_rig):
    rig, chat = telegram_rig, CHATS["amina"]
    rig.server.add_user(chat, "Amina", "fr")
    token = rig.invite("amina")
    [welcome] = await rig.say(chat, f"/start {token}")
    assert welcome.plain.startswith("Bonjour Amina.")
    assert "compteur kilométrique de Minibus MB-1" in welcome.plain  # what
    assert "chaque jour de tournage à 19 h 30" in welcome.plain  # when
    assert "Pourquoi" in welcome.plain and "Vos données" in welcome.plain and "/stop" in welcome.plain
    assert [label for label, _ in welcome.buttons] == ["Oui, je suis d'accord", "Non merci"]
    state = rig.member("amina")
    assert state.telegram_chat_id == chat and state.consent_at is None  # linked, not yet consenting

    [thanks] = await rig.press(chat, welcome, "Oui")
    assert thanks.plain.startswith("Merci.")
    assert rig.server.callback_answers[-1].get("text") is None  # no toast: screen readers miss them
    assert rig.member("amina").consent_at is not None


async def test_an_english_speaker_is_greeted_in_english(telegram_rig):
    rig, chat = telegram_rig, CHATS["sam"]
    [welcome] = await rig.say(chat, f"/start {rig.invite('sam')}")
    assert welcome.plain.startswith("Hello Sam.")
    assert "the kilos of waste, by type, every Friday at 18:00" in welcome.plain
    assert "Why:" in welcome.plain and "Your data:" in welcome.plain
    [thanks] = await rig.press(chat, welcome, "Yes, I agree")
    assert thanks.plain.startswith("Thank you.")


async def test_no_prompt_before_consent(telegram_rig):
    rig, chat = telegram_rig, CHATS["amina"]
    await rig.say(chat, f"/start {rig.invite('amina')}")
    delivery = await rig.deliver("amina", "amina:mileage:mb1", dt.date(2027, 3, 1))
    assert delivery.outcome.value == "unreachable" and "consent" in delivery.detail
    [nudge] = await rig.say(chat, "45 230")  # an answer before consent is not stored
    assert "votre accord" in nudge.plain and nudge.buttons
    assert rig.reports() == []


async def test_declining_unlinks(telegram_rig):
    rig, chat = telegram_rig, CHATS["karim"]
    [welcome] = await rig.say(chat, f"/start {rig.invite('karim')}")
    [bye] = await rig.press(chat, welcome, "Non merci")
    assert "Je ne vous enverrai rien" in bye.plain
    assert rig.member("karim").telegram_chat_id is None


async def test_missing_unknown_used_and_expired_tokens_link_nothing(telegram_rig):
    rig = telegram_rig
    stranger = 2001
    rig.server.add_user(stranger, "Eve", "fr")
    [missing] = await rig.say(stranger, "/start")
    assert "Il manque le code d'invitation" in missing.plain and "https://t.me/greenslate_test_bot" in missing.plain
    [unknown] = await rig.say(stranger, "/start not-a-real-token")
    assert "n'est pas valable" in unknown.plain

    token = rig.invite("paul")
    await rig.say(CHATS["paul"], f"/start {token}")
    [used] = await rig.say(stranger, f"/start {token}")
    assert "a déjà servi" in used.plain
    assert rig.member("paul").telegram_chat_id == CHATS["paul"]

    old = rig.invite("karim", now=FIRST_EVENING - dt.timedelta(days=15))
    [expired] = await rig.say(stranger, f"/start {old}")
    assert "a expiré" in expired.plain
    assert rig.member("karim").telegram_chat_id is None
    with rig.app.engine.connect() as conn:
        used_at = conn.execute(select(telegram_invites.c.used_at).where(
            telegram_invites.c.token_hash == hash_token(old))).scalar()
    assert used_at is None  # an expired link is not spent


async def test_refusals_in_english_follow_the_users_telegram_language(telegram_rig):
    rig = telegram_rig
    rig.server.add_user(2002, "Bob", "en")
    [unknown] = await rig.say(2002, "/start nope")
    assert unknown.plain.startswith("This invite link is not valid.")


async def test_a_stranger_is_told_how_to_join_and_nothing_is_stored(telegram_rig):
    rig = telegram_rig
    rig.server.add_user(2003, "Eve", "fr")
    for text in ("45 230", "/status", "/pause 15/03", "/stop"):
        [answer] = await rig.say(2003, text)
        assert "lien d'invitation" in answer.plain
    with rig.app.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(reports)).scalar() == 0
    assert all(s.telegram_chat_id != 2003 for s in [rig.member(m) for m in CHATS])


async def test_invite_tokens_are_stored_hashed(telegram_rig):
    rig = telegram_rig
    token = rig.invite("lea")
    with rig.app.engine.connect() as conn:
        hashes = conn.execute(select(telegram_invites.c.token_hash)).scalars().all()
    assert token not in hashes and hash_token(token) in hashes


async def test_buttons_pressed_by_a_stranger_or_twice_change_nothing(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    welcome = next(s for s in rig.server.sent_to(chat) if s.buttons and s.buttons[0][1] == "c:y")
    [already] = await rig.press(chat, welcome, "Non merci")  # the old welcome, after consenting
    assert already.plain.startswith("Vous participez déjà.")
    assert rig.member("amina").consent_at is not None
    stranger = 2004
    rig.server.messages[(stranger, welcome.message_id)] = {
        **rig.server.messages[(chat, welcome.message_id)], "chat": {"id": stranger, "type": "private"}}
    [join] = await rig.press(stranger, welcome, "Oui")
    assert "lien d'invitation" in join.plain
    assert rig.member("amina").telegram_chat_id == chat


async def test_a_member_who_left_can_join_again_with_a_new_invite(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("karim")
    await rig.say(chat, "/stop")
    [welcome] = await rig.say(chat, f"/start {rig.invite('karim')}")
    assert welcome.plain.startswith("Bonjour.\nJe suis le bot écologique")  # the name was erased
    await rig.press(chat, welcome, "Oui")
    state = rig.member("karim")
    assert not state.forgotten and state.telegram_chat_id == chat and state.consent_at is not None


async def test_tapping_ones_own_link_again_greets_again_instead_of_refusing(telegram_rig):
    rig = telegram_rig
    chat = CHATS["paul"]
    token = rig.invite("paul")
    await rig.say(chat, f"/start {token}")
    [again] = await rig.say(chat, f"/start {token}")  # before consenting: the welcome again
    assert again.plain.startswith("Bonjour Paul.") and again.buttons
    await rig.press(chat, again, "Oui")
    [help_text] = await rig.say(chat, f"/start {token}")  # after consenting: the help
    assert help_text.plain.startswith("Je vous pose une question courte")
    assert rig.member("paul").consent_at is not None

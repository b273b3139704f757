"""A whole conversation, as a crew member lives it, read against the easy-to-read rules.

Sam (English, set runner) joins with his invite link, agrees, asks for help and his status, turns
voice on and off, and types something that is not a number. Every message the bot sends him,
filled in with the production's own words, must follow the rules, and every button press must be
answered in a message, never in a toast.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from base.i18n import t
from base.voice import opus_info
from bots.telegram.services import services_of
from store.telegram import TelegramStore
from tests.sensitisation.conftest import CHATS, unreadable
from tests.support.botapi import BotApiServer

SAM = CHATS["sam"]
FRIDAY_EVENING = dt.datetime(2027, 3, 5, 17, 5, tzinfo=dt.UTC)  # the weekly waste prompt is at 18:00 Paris


async def test_joining_and_everyday_commands_read_easily_and_never_toast(
    crew_server: BotApiServer, crew: dict[str, Any]
) -> None:
    app, application = crew["app"], crew["application"]
    services_of(application).clock = lambda: FRIDAY_EVENING
    with app.uow() as uow:
        uow.members.link_telegram("feux-aube", "sam", None, None)  # not joined yet
        uow.commit()
    token = TelegramStore(app.engine).create_invite("feux-aube", "sam", dt.timedelta(days=7), FRIDAY_EVENING)
    assert application.updater is not None
    await application.updater.start_polling(timeout=1, poll_interval=0)
    await application.start()
    try:
        mark = crew_server.mark()
        crew_server.send(SAM, f"/start {token}")
        (welcome,) = await crew_server.replies(SAM, 1, since=mark)
        assert welcome.buttons, "the welcome asks for consent with buttons"

        mark = crew_server.mark()
        crew_server.press(SAM, welcome.message_id, welcome.button(t("en", "telegram.button.consent")))
        (agreed,) = await crew_server.replies(SAM, 1, since=mark)
        assert agreed.text == t("en", "telegram.consent.done")
        assert crew_server.callback_answers and all(
            not a.get("text") or a.get("show_alert") is True for a in crew_server.callback_answers
        ), crew_server.callback_answers

        for command in ("/help", "/status", "/voice on", "/voice off", "twelve bags"):
            mark = crew_server.mark()
            crew_server.send(SAM, command)
            (answer,) = await crew_server.replies(SAM, 1, since=mark)
            assert answer.text, command

        # With voice on, the confirmation came as a playable voice note too.
        voices = crew_server.sent_to(SAM, "sendVoice")
        assert voices and voices[0].voice is not None and 1 < opus_info(voices[0].voice).duration < 30

        assert unreadable(crew_server) == []
        assert len([s for s in crew_server.sent_to(SAM) if s.text]) >= 7
    finally:
        await application.updater.stop()
        await application.stop()

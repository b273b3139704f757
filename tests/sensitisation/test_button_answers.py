"""Screen readers, driven for real: after a button press the bot answers in a message, never in a toast.

Amina gets her evening prompt, taps "I did not drive today", then "Undo" under the recap. Each tap
must be acknowledged without toast text (TalkBack does not read toasts) and be followed by a message
that says what happened.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from base.i18n import t
from bots.telegram.services import services_of
from tests.sensitisation.conftest import CHATS, unreadable
from tests.support.botapi import BotApiServer

AMINA = CHATS["amina"]
EVENING = dt.datetime(2027, 3, 2, 18, 31, tzinfo=dt.UTC)  # 19:31 in Paris, the prompt was at 19:30


def toasts(server: BotApiServer) -> list[dict[str, Any]]:
    return [a for a in server.callback_answers if a.get("text") and a.get("show_alert") is not True]


async def test_each_button_press_is_answered_by_a_message_not_a_toast(
    crew_server: BotApiServer, crew: dict[str, Any]
) -> None:
    application = crew["application"]
    services_of(application).clock = lambda: EVENING
    assert application.updater is not None
    await application.updater.start_polling(timeout=1, poll_interval=0)
    await application.start()
    try:
        await crew["notifier"].send_prompt("feux-aube", "amina", "amina:mileage:mb1", dt.date(2027, 3, 2))
        (prompt,) = crew_server.sent_to(AMINA)
        assert prompt.buttons, "the mileage prompt offers a button"

        said_after = []
        for label in (t("fr", "telegram.button.no_drive"), t("fr", "telegram.button.undo")):
            message = crew_server.last(AMINA)
            data = message.button(label)
            mark = crew_server.mark()
            answers = len(crew_server.callback_answers)
            crew_server.press(AMINA, message.message_id, data)
            (said,) = await crew_server.replies(AMINA, 1, since=mark)
            assert said.text, f"pressing {label!r} told Amina nothing in a message"
            assert len(crew_server.callback_answers) > answers, f"pressing {label!r} was never acknowledged"
            said_after.append(said.text)
        assert "Minibus MB-1" in said_after[0]  # what was recorded, said in words
        assert said_after[1] != said_after[0]
        assert toasts(crew_server) == []
        assert unreadable(crew_server) == []  # the prompt and both answers, filled in, read easily
    finally:
        await application.updater.stop()
        await application.stop()

"""A production file's campaigns, end to end: scheduler, outbox, Telegram notifier, local Bot API server.

The example production (``config/examples/feature-film.yaml``) plans four awareness messages:
veggie-day to everyone on 2 March, engine-off to the drivers on 3 March, mains-hookup to the gaffer
on 4 March and sorting-bins to everyone on 5 March, each at 08:30 Paris time. The five crew
members on Telegram have pressed Start and agreed; Léa has voice on; Sam reads English. Each
message must reach exactly its audience, once, in each member's language, and Léa must also get a
playable voice note.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from base.voice import opus_info
from scheduler.runner import tick
from sensitisation.history import campaign_log
from sensitisation.library import render
from tests.sensitisation.conftest import CHATS, LANGUAGE, paris_0831, unreadable
from tests.support.botapi import BotApiServer


def received(server: BotApiServer, since: int = 0) -> dict[str, list[Any]]:
    """member id -> what the bot sent to that member's chat (messages and voice notes), in order."""
    by_chat = {chat: member for member, chat in CHATS.items()}
    got: dict[str, list[Any]] = {}
    for sent in server.ledger[since:]:
        if sent.method in ("sendMessage", "sendVoice"):
            got.setdefault(by_chat[sent.chat_id], []).append(sent)
    return got


async def test_each_campaign_reaches_exactly_its_audience_once_in_their_language(
    crew_server: BotApiServer, crew: dict[str, Any]
) -> None:
    ctx = crew["ctx"]

    # Nothing before 08:30 on 2 March.
    await tick(ctx, paris_0831(2) - dt.timedelta(minutes=2))
    assert received(crew_server) == {}

    # veggie-day, to everyone: five Telegram members, each in their language; Léa also hears it.
    await tick(ctx, paris_0831(2))
    got = received(crew_server)
    assert set(got) == set(CHATS)
    for member_id, sent in got.items():
        texts = [s.text for s in sent if s.method == "sendMessage"]
        assert texts == [render("veggie-day", LANGUAGE[member_id])], member_id
    assert got["sam"][0].text.startswith("Today, catering serves a vegetarian dish.")
    assert got["amina"][0].text.startswith("Aujourd'hui, la cantine sert un plat végétarien.")
    voices = {m: [s for s in sent if s.method == "sendVoice"] for m, sent in got.items()}
    assert {m for m, v in voices.items() if v} == {"lea"}
    (lea_voice,) = voices["lea"]
    assert lea_voice.voice is not None and lea_voice.voice[:4] == b"OggS"
    info = opus_info(lea_voice.voice)
    assert info.channels == 1 and 3 < info.duration < 20
    assert got["lea"][0].method == "sendMessage"  # the text first, the voice note as an extra

    # Ticking again, even later that morning, sends nothing twice.
    mark = crew_server.mark()
    await tick(ctx, paris_0831(2))
    await tick(ctx, paris_0831(2) + dt.timedelta(hours=2))
    assert received(crew_server, mark) == {}

    # engine-off, to the drivers only.
    mark = crew_server.mark()
    await tick(ctx, paris_0831(3))
    got = received(crew_server, mark)
    assert set(got) == {"amina", "karim"}
    assert [s.text for s in got["karim"]] == [render("engine-off", "fr")]

    # mains-hookup, to the gaffer only, with her voice note.
    mark = crew_server.mark()
    await tick(ctx, paris_0831(4))
    got = received(crew_server, mark)
    assert set(got) == {"lea"}
    assert [s.method for s in got["lea"]] == ["sendMessage", "sendVoice"]
    assert got["lea"][0].text == render("mains-hookup", "fr")

    # The log the dashboard and `greenslate sensitisation sent` read: who got what, and when.
    log = [line for line in campaign_log(crew["app"].engine, "feux-aube") if line.channel == "telegram"]
    assert sorted((line.day.day, line.message, line.member_id) for line in log) == sorted(
        [(2, "veggie-day", m) for m in CHATS]
        + [(3, "engine-off", "amina"), (3, "engine-off", "karim")]
        + [(4, "mains-hookup", "lea")]
    )
    assert all(line.status == "sent" and line.sent_at is not None for line in log)
    assert unreadable(crew_server) == []


async def test_a_member_who_left_or_never_agreed_gets_nothing(crew_server: BotApiServer, crew: dict[str, Any]) -> None:
    app = crew["app"]
    with app.uow() as uow:
        uow.members.forget("feux-aube", "paul")
        uow.members.link_telegram("feux-aube", "sam", CHATS["sam"], None)  # pressed Start, never agreed
        uow.commit()
    await tick(crew["ctx"], paris_0831(5))  # sorting-bins, to everyone
    got = received(crew_server)
    assert set(got) == {"amina", "karim", "lea"}
    assert all(s.text == render("sorting-bins", "fr") for m in got for s in got[m] if s.method == "sendMessage")

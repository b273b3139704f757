"""``crew forget`` erases (GDPR art. 17): afterwards no table holds the member's name or chat id, no
old invite brings them back, and their figures still count, anonymous. On SQLite and PostgreSQL,
through the real bot and the real command."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable

from click.testing import CliRunner
from sqlalchemy import MetaData, select

from greenslate.cli import main
from store import outbox
from store.discord import claim_post
from store.outbox import Message
from tests.telegram.conftest import FIRST_EVENING, PRODUCTION, TelegramRig

NAME = "Amina Diallo"
OTHER_NAME = "Karim Haddad"
CHAT = 734519023  # a chat id found nowhere else, so any trace of it is hers
AMINA = "amina:mileage:mb1"


def _every_cell(db_engine) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(table, column, value as text) of every non-empty cell of every table of the database."""
    meta = MetaData()
    meta.reflect(db_engine)
    cells = []
    with db_engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(select(table)).mappings():
                for column, value in row.items():
                    if value is not None:
                        cells.append((table.name, column, str(value)))
    return cells


def _traces(cells: list[tuple[str, str, str]], text: str) -> list[tuple[str, str]]:
    pattern = re.compile(rf"(?<![\w-]){re.escape(text)}(?!\w)")
    return [(table, column) for table, column, value in cells if pattern.search(value)]


async def test_crew_forget_leaves_no_name_no_chat_id_no_working_invite_and_keeps_the_figures(
        make_telegram_rig: Callable[..., Awaitable[TelegramRig]], db_url: str) -> None:
    rig = await make_telegram_rig(db_url)
    server = rig.server
    # Amina joins with an invite, agrees, and answers a prompt from her chat.
    server.add_user(CHAT, "Amina", "fr")
    [welcome] = await rig.say(CHAT, f"/start {rig.invite('amina')}")
    await rig.press(CHAT, welcome, welcome.buttons[0][0])
    mark = server.mark()
    assert (await rig.notifier.send_prompt(PRODUCTION, "amina", AMINA, FIRST_EVENING.date())).outcome.value == "sent"
    [prompt] = await server.replies(CHAT, since=mark)
    await rig.say(CHAT, "45 230", reply_to=prompt.message_id)
    # A second prompt waits for an answer; a figure waits for her yes (an unusual jump).
    await rig.notifier.send_prompt(PRODUCTION, "amina", AMINA, FIRST_EVENING.date() + dt.timedelta(days=1))
    # An invite issued before the erasure and never used.
    unused = rig.invite("amina")
    # Messages to the eco-referents that name her: an escalation waiting, a digest sent, a Discord post.
    now = FIRST_EVENING
    with rig.app.engine.begin() as conn:
        outbox.record(conn, [
            Message(key="escalation:feux-aube:amina:2027-03-01", kind="escalation", production_id=PRODUCTION,
                    day=now.date(), due_at=now + dt.timedelta(hours=2), member_id="amina",
                    payload={"missed": 2, "text": f"{NAME} n'a pas répondu 2 fois."}),
            Message(key="digest:feux-aube:2027-03-01", kind="digest", production_id=PRODUCTION, day=now.date(),
                    due_at=now, payload={"missing": ["amina", "karim"],
                                         "text": f"Manquent : {NAME} (compteur), {OTHER_NAME} (compteur)"}),
        ], now)
        [digest] = outbox.rows(conn, kinds=["digest"])
        assert outbox.claim(conn, "w", now, dt.timedelta(minutes=1), limit=10)
        assert outbox.mark_sent(conn, digest.id, "w", now, "42")
    claim_post(rig.app.engine, PRODUCTION, "digest", "digest:feux-aube:2027-03-01", day=now.date(),
               text=f"Manquent : {NAME}, {OTHER_NAME}", now=now)
    before = _every_cell(rig.app.engine)
    assert _traces(before, NAME) and _traces(before, str(CHAT))  # the search below can find them
    figures = [(r.day, dict(r.values)) for r in rig.reports("amina")]
    balance = rig.balance().total_kgco2e
    assert figures

    result = CliRunner().invoke(main, ["crew", "forget", "amina"], env={"GREENSLATE_DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output

    after = _every_cell(rig.app.engine)
    assert _traces(after, NAME) == []
    assert _traces(after, str(CHAT)) == []
    assert _traces(after, OTHER_NAME)  # the others are untouched
    with rig.app.engine.connect() as conn:
        [escalation] = outbox.rows(conn, kinds=["escalation"])
    assert escalation.status == "expired"  # never sent now: there is no one left to follow up
    assert [(r.day, dict(r.values)) for r in rig.reports("amina")] == figures
    assert rig.balance().total_kgco2e == balance

    # The unused invite links nothing, records no consent and does not bring her back.
    server.add_user(CHAT + 1, "Someone", "fr")
    [refused] = await rig.say(CHAT + 1, f"/start {unused}")
    assert "déjà servi" in refused.plain
    state = rig.member("amina")
    assert state.forgotten and state.telegram_chat_id is None and state.consent_at is None
    # Her old chat is a stranger now: its consent button records nothing either.
    await rig.press(CHAT, welcome, welcome.buttons[0][0])
    state = rig.member("amina")
    assert state.forgotten and state.telegram_chat_id is None and state.consent_at is None
    assert _traces(_every_cell(rig.app.engine), str(CHAT)) == []


async def test_an_invite_issued_before_crew_forget_no_longer_links_a_chat(
        make_telegram_rig: Callable[..., Awaitable[TelegramRig]], db_url: str) -> None:
    rig = await make_telegram_rig(db_url)
    await rig.join("amina")
    unused = rig.invite("amina")
    result = CliRunner().invoke(main, ["crew", "forget", "amina"], env={"GREENSLATE_DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output
    rig.server.add_user(CHAT, "Someone", "fr")
    [refused] = await rig.say(CHAT, f"/start {unused}")
    assert "déjà servi" in refused.plain
    assert refused.buttons == []  # no consent to give
    state = rig.member("amina")
    assert state.forgotten and state.telegram_chat_id is None and state.consent_at is None

"""Several bots: two productions, each served by its own bot, on one local Bot API server and one store.

The same person is on both crews: their private chat has the same id with both bots, and each bot
numbers its messages from 1, so the chat and message ids of the two bots collide on purpose. Each
prompt goes through the production's bot, each answer counts for the production of the bot it was
typed to, and nothing crosses.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal as D
from typing import Any

import pytest
from sqlalchemy import text

from base.settings import load_settings, telegram_tokens
from bots.telegram.app import build_application, start_telegram_bots, stop_telegram, webhook_address
from bots.telegram.invites import create_invites
from bots.telegram.notifier import TelegramNotifier
from bots.telegram.services import services_of
from common.app import App
from domain.carbon import active_reports
from domain.errors import GreenslateError
from domain.model import Channel
from domain.usecases import load_production
from scheduler.clock import Clock
from scheduler.runner import SchedulerContext, tick
from tests.support.botapi import BotApiServer, Sent
from tests.telegram.conftest import FIRST_EVENING, PRODUCTION, reference_production

SOUTH = "nuit-sud"
MON = dt.date(2027, 3, 1)
AMINA = "amina:mileage:mb1"
CHAT = 1001  # Amina, on both crews


@dataclasses.dataclass
class TwoBots:
    server: BotApiServer  # the default bot, serving feux-aube
    south: BotApiServer  # the bot named "sud", serving nuit-sud
    app: App
    applications: list[Any]
    notifier: TelegramNotifier

    def invite(self, production_id: str, member_id: str, username: str) -> str:
        [link] = create_invites(self.app, production_id, username, [member_id], now=FIRST_EVENING)
        assert link.url.startswith(f"https://t.me/{username}?start=")
        return link.url.split("?start=")[1]

    async def say(self, bot: BotApiServer, text: str, *, reply_to: int | None = None) -> Sent:
        mark = bot.mark()
        bot.send(CHAT, text, reply_to=reply_to)
        [answer] = await bot.replies(CHAT, since=mark)
        return answer

    async def join(self, bot: BotApiServer, production_id: str) -> None:
        welcome = await self.say(bot, f"/start {self.invite(production_id, 'amina', bot.username)}")
        mark = bot.mark()
        assert welcome.message_id is not None
        bot.press(CHAT, welcome.message_id, welcome.buttons[0][1])
        await bot.replies(CHAT, since=mark)

    def reports(self, production_id: str) -> list[Any]:
        with self.app.uow() as uow:
            return active_reports(uow.reports.for_production(production_id, member_id="amina"))

    def state(self, production_id: str) -> Any:
        with self.app.uow() as uow:
            return uow.members.state(production_id, "amina")


@pytest.fixture
async def two_bots(db_url: str) -> AsyncIterator[TwoBots]:
    server = BotApiServer()
    south = server.add_bot("654321:SOUTH-TOKEN", bot_id=654321, username="greenslate_sud_bot")
    await server.start()
    app = App.from_env(database_url=db_url, telegram_token=server.token, telegram_api_url=server.base_url,
                       telegram_bots=f"sud={south.token}", telegram_webhook_url=None)
    load_production(app.uow(), reference_production())
    load_production(app.uow(), dataclasses.replace(reference_production(), id=SOUTH, title="Nuit Sud",
                                                   telegram_bot="sud"))
    applications = await start_telegram_bots(app, rate_limit=False, poll_timeout=1)
    for application in applications:
        services_of(application).clock = lambda: FIRST_EVENING
    rig = TwoBots(server, south, app, applications, TelegramNotifier(applications[0], app, bots=applications[1:]))
    yield rig
    for application in applications:
        await stop_telegram(application)
    await server.stop()
    app.engine.dispose()


async def test_each_member_is_prompted_and_answers_through_the_bot_of_their_production(two_bots: TwoBots):
    rig = two_bots
    assert [services_of(a).store.bot for a in rig.applications] == ["", "sud"]
    await rig.join(rig.server, PRODUCTION)
    await rig.join(rig.south, SOUTH)
    assert (rig.state(PRODUCTION).telegram_bot, rig.state(SOUTH).telegram_bot) == ("", "sud")
    assert rig.state(PRODUCTION).telegram_chat_id == rig.state(SOUTH).telegram_chat_id == CHAT

    north_mark, south_mark = rig.server.mark(), rig.south.mark()
    sent = await rig.notifier.send_prompt(PRODUCTION, "amina", AMINA, MON)
    assert sent.outcome.value == "sent"
    [north_prompt] = await rig.server.replies(CHAT, since=north_mark)
    assert rig.south.ledger[south_mark:] == []  # nothing through the other bot
    sent = await rig.notifier.send_prompt(SOUTH, "amina", AMINA, MON)
    assert sent.outcome.value == "sent"
    [south_prompt] = await rig.south.replies(CHAT, since=south_mark)
    assert len(rig.server.ledger) == north_mark + 1
    # Each bot numbers its messages in the chat: both prompts have the same (chat, message id).
    assert north_prompt.message_id == south_prompt.message_id

    # Amina answers the south prompt first, through the south bot: it counts for nuit-sud only.
    recap = await rig.say(rig.south, "45 230", reply_to=south_prompt.message_id)
    assert recap.plain.startswith("Compteur de Minibus MB-1 : 45 230 km.")
    assert [dict(r.values) for r in rig.reports(SOUTH)] == [{"odometer": D(45230)}]
    assert rig.reports(PRODUCTION) == []
    # Her message to the other bot has the same chat and message id: a report of its own.
    recap = await rig.say(rig.server, "45 300", reply_to=north_prompt.message_id)
    assert recap.plain.startswith("Compteur de Minibus MB-1 : 45 300 km.")
    assert [dict(r.values) for r in rig.reports(PRODUCTION)] == [{"odometer": D(45300)}]
    assert [dict(r.values) for r in rig.reports(SOUTH)] == [{"odometer": D(45230)}]
    [north_report], [south_report] = rig.reports(PRODUCTION), rig.reports(SOUTH)
    assert north_report.source_ref.startswith(f"{CHAT}:") and south_report.source_ref.startswith(f"sud/{CHAT}:")

    # /status through each bot speaks of that bot's production only.
    south_status, north_status = await rig.say(rig.south, "/status"), await rig.say(rig.server, "/status")
    assert "45 230 km" in south_status.plain and "45 300" not in south_status.plain
    assert "45 300 km" in north_status.plain and "45 230" not in north_status.plain


async def test_an_invite_works_only_with_the_bot_of_its_production(two_bots: TwoBots):
    rig = two_bots
    token = rig.invite(SOUTH, "amina", rig.server.username)  # a link naming the wrong bot
    answer = await rig.say(rig.server, f"/start {token}")
    assert answer.plain.startswith("Ce lien d'invitation n'est pas valable.")  # nothing linked
    assert rig.state(SOUTH).telegram_chat_id is None
    await rig.join(rig.south, SOUTH)  # the same invite still works with its own bot
    assert (rig.state(SOUTH).telegram_chat_id, rig.state(SOUTH).telegram_bot) == (CHAT, "sud")
    # The default bot does not know her: it answers as to a stranger, and sends her nothing of nuit-sud.
    answer = await rig.say(rig.server, "45 230")
    assert "Pour me rejoindre, ouvrez le lien d'invitation" in answer.plain
    assert rig.reports(SOUTH) == [] and rig.reports(PRODUCTION) == []


async def test_a_member_linked_through_another_bot_is_not_prompted_through_the_wrong_one(two_bots: TwoBots):
    rig = two_bots
    await rig.join(rig.server, PRODUCTION)
    # The production moves to the south bot: the link made through the default bot no longer reaches her.
    moved = dataclasses.replace(reference_production(), telegram_bot="sud")
    load_production(rig.app.uow(), moved)
    marks = rig.server.mark(), rig.south.mark()
    delivery = await rig.notifier.send_prompt(PRODUCTION, "amina", AMINA, MON)
    assert (delivery.outcome.value, delivery.detail) == ("unreachable", "linked through another bot")
    assert (rig.server.mark(), rig.south.mark()) == marks


async def test_a_production_naming_a_bot_not_running_waits_for_it(two_bots: TwoBots):
    rig = two_bots
    await rig.join(rig.server, PRODUCTION)
    load_production(rig.app.uow(), dataclasses.replace(reference_production(), telegram_bot="east"))
    delivery = await rig.notifier.send_prompt(PRODUCTION, "amina", AMINA, MON)
    assert delivery.outcome.value == "retry" and "east" in (delivery.detail or "")


def test_the_bots_setting_is_read_as_name_token_pairs_and_never_quotes_a_token():
    settings = load_settings(telegram_token="1:default", telegram_bots="north=2:aaa, south=3:bbb\nwest=4:ccc")
    assert telegram_tokens(settings) == {"": "1:default", "north": "2:aaa", "south": "3:bbb", "west": "4:ccc"}
    assert telegram_tokens(load_settings(telegram_token=None, telegram_bots="x=5:e")) == {"x": "5:e"}
    for bad, why in (("north", "entry 1 is not name=token"), ("North!=1:secret", "a bot's name"),
                     ("a=1:secret a=2:secret", "named twice")):
        with pytest.raises(GreenslateError, match=why) as caught:
            telegram_tokens(load_settings(telegram_bots=bad))
        assert "secret" not in str(caught.value)


def test_a_bot_without_a_token_is_refused_by_name(tmp_path):
    app = App.from_env(database_url=f"sqlite:///{tmp_path / 'g.sqlite3'}", telegram_token="1:a",
                       telegram_bots="north=2:b")
    with pytest.raises(ValueError, match="'south'"):
        build_application(app, bot="south")


async def test_the_scheduler_sends_each_production_s_prompts_through_its_bot(two_bots: TwoBots):
    rig = two_bots
    await rig.join(rig.server, PRODUCTION)
    await rig.join(rig.south, SOUTH)
    marks = rig.server.mark(), rig.south.mark()

    class At(Clock):
        def now(self) -> dt.datetime:
            return FIRST_EVENING

    ctx = SchedulerContext.for_app(rig.app, {Channel.TELEGRAM: rig.notifier}, clock=At())
    report = await tick(ctx)
    north = [s for s in rig.server.ledger[marks[0]:] if s.method == "sendMessage"]
    south = [s for s in rig.south.ledger[marks[1]:] if s.method == "sendMessage"]
    assert report.sent == len(north) + len(south) and north and south
    assert {s.chat_id for s in north + south} == {CHAT}
    assert [s.plain.split("\n")[0] for s in north] == [s.plain.split("\n")[0] for s in south]  # the same crew
    with rig.app.engine.connect() as conn:
        stored = conn.execute(text("SELECT bot, production_id, count(*) FROM telegram_prompts "
                                   "GROUP BY bot, production_id ORDER BY bot")).all()
    assert [tuple(r) for r in stored] == [("", PRODUCTION, len(north)), ("sud", SOUTH, len(south))]


def test_each_named_bot_receives_by_webhook_at_its_own_path_and_port():
    settings = load_settings(telegram_token="1:a", telegram_bots="north=2:b south=3:c",
                             telegram_webhook_url="https://bots.example.org/hook/", telegram_webhook_port=8443)
    assert webhook_address(settings, "") == ("https://bots.example.org/hook", 8443)
    assert webhook_address(settings, "north") == ("https://bots.example.org/hook/north", 8444)
    assert webhook_address(settings, "south") == ("https://bots.example.org/hook/south", 8445)

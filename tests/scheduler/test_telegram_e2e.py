"""End to end: the scheduler sends through the real Telegram bot to the local Bot API server.

What counts is what reached the server's ledger: one message per due prompt, reminder and
campaign, none on the day off, none while paused, none to a member who blocked the bot.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from common.app import App
from domain.model import Channel, Production
from scheduler.clock import ManualClock
from scheduler.runner import SchedulerContext, tick
from store import outbox
from store.uow import SqlUnitOfWork
from tests.scheduler.support import Crash, answer, load_example

pytest.importorskip("bots.telegram.notifier")

from bots.telegram.app import build_application
from bots.telegram.notifier import TelegramNotifier
from bots.telegram.services import services_of
from store.telegram_tables import telegram_prompts
from tests.support.botapi import BotApiServer

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS).astimezone(UTC)


@dataclass
class Harness:
    server: BotApiServer
    app: App
    clock: ManualClock
    notifier: TelegramNotifier
    application: Any
    production: Production

    def context(self, worker: str = "w1") -> SchedulerContext:
        return SchedulerContext(engine=self.app.engine, uow_factory=self.app.uow,
                                notifiers={Channel.TELEGRAM: self.notifier}, clock=self.clock, worker=worker)

    def chat(self, member_id: str) -> int:
        return 1000 + [m.id for m in self.production.crew].index(member_id)

    def prompts_in_store(self) -> list[tuple[int, str, str, dt.date, bool]]:
        with self.app.engine.connect() as conn:
            rows = conn.execute(select(telegram_prompts)).mappings().all()
        return [(r["message_id"], r["member_id"], r["assignment_key"], r["day"], r["reminder"]) for r in rows]


@pytest.fixture
async def harness(db_url: str, example: Production) -> AsyncIterator[Harness]:
    production = replace(example, crew=tuple(replace(m, voice=False) for m in example.crew))
    server = BotApiServer()
    await server.start()
    app = App.from_env(database_url=db_url, telegram_api_url=server.base_url, telegram_token=server.token)
    load_example(app.uow, production)
    for position, member in enumerate(production.crew):
        server.add_user(1000 + position, member.name.split()[0], member.language.value)
    application = build_application(app, rate_limit=False)
    await application.initialize()
    clock = ManualClock(paris(2027, 4, 5, 0, 0))
    services_of(application).clock = clock.now
    try:
        yield Harness(server, app, clock, TelegramNotifier(application, app), application, production)
    finally:
        await application.shutdown()
        await server.stop()
        app.engine.dispose()


async def run_until(h: Harness, end: dt.datetime, step: dt.timedelta,
                    each: Callable[[dt.datetime], None] | None = None) -> None:
    ctx = h.context()
    while h.clock.now() <= end:
        await tick(ctx)
        if each is not None:
            each(h.clock.now())
        h.clock.advance(step)


async def test_the_week_of_easter_monday_reaches_the_bot_api_once_per_prompt(harness: Harness) -> None:
    h = harness
    with SqlUnitOfWork(h.app.engine) as uow:
        uow.members.set_paused_until(h.production.id, "amina", dt.date(2027, 4, 7))
        uow.commit()
    h.server.block(h.chat("karim"))

    def paul_answers(now: dt.datetime) -> None:
        for _, member, key, day, reminder in h.prompts_in_store():
            if member == "paul" and not reminder and now >= paris(day.year, day.month, day.day, 15, 30):
                answer(h.app.uow, h.production, member, key, day, now)

    await run_until(h, paris(2027, 4, 11, 23, 30), dt.timedelta(minutes=30), paul_answers)

    days = [dt.date(2027, 4, d) for d in (6, 7, 8, 9)]
    stored = Counter((m, k, d, r) for _, m, k, d, r in h.prompts_in_store())
    expected = Counter(
        [("paul", "paul:meals", d, False) for d in days]
        + [("lea", f"lea:generator_hours:{g}", d, r) for d in days for g in ("g1", "g2") for r in (False, True)]
        + [("amina", "amina:mileage:mb1", d, r) for d in days[2:] for r in (False, True)]
        + [("sam", "sam:waste", dt.date(2027, 4, 9), r) for r in (False, True)]
    )
    assert stored == expected
    # The server's ledger: exactly those messages, in each member's chat, nothing else.
    for member in ("paul", "lea", "amina", "sam"):
        ids = sorted(i for i, m, *_ in h.prompts_in_store() if m == member)
        assert sorted(s.message_id for s in h.server.sent_to(h.chat(member))) == ids, member
    assert h.server.sent_to(h.chat("karim")) == []  # blocked: refused by Telegram, recorded once
    assert ("sendMessage", 403) in h.server.rejected
    with h.app.engine.connect() as conn:
        karim = outbox.rows(conn, member_id="karim")
    assert [(r.day, r.status) for r in karim] == [(days[0], "unreachable")]  # then no longer tried
    amina_texts = [s.text or "" for s in h.server.sent_to(h.chat("amina"))]
    assert all("MB-1" in text or "Minibus" in text for text in amina_texts[:1]), amina_texts


async def test_a_crash_after_the_bot_sent_is_not_sent_again(harness: Harness) -> None:
    h = harness
    h.clock.set(paris(2027, 3, 8, 15, 5))

    class DiesAfterSending:
        async def send_prompt(self, *args: Any, **kwargs: Any) -> Any:
            await h.notifier.send_prompt(*args, **kwargs)
            raise Crash("killed between the send and the mark")

        async def send_campaign(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - not due
            raise AssertionError

    dying = SchedulerContext(engine=h.app.engine, uow_factory=h.app.uow,
                             notifiers={Channel.TELEGRAM: DiesAfterSending()}, clock=h.clock, worker="dies")
    with pytest.raises(Crash):
        await tick(dying)
    assert len(h.server.sent_to(h.chat("paul"))) == 1
    h.clock.advance(dt.timedelta(minutes=10))  # after the dead sender's lease
    await tick(h.context("restarted"))
    assert len(h.server.sent_to(h.chat("paul"))) == 1
    with h.app.engine.connect() as conn:
        [row] = outbox.rows(conn, kinds=["prompt"])
    assert row.status == "sent" and row.message_ref == str(h.server.sent_to(h.chat("paul"))[0].message_id)


async def test_after_two_hours_down_the_bot_sends_todays_prompts_once(harness: Harness) -> None:
    h = harness
    h.clock.set(paris(2027, 3, 8, 18, 0))
    await run_until(h, paris(2027, 3, 8, 19, 0), dt.timedelta(minutes=20))
    assert [len(h.server.sent_to(h.chat(m))) for m in ("paul", "amina", "lea")] == [1, 0, 0]
    h.clock.set(paris(2027, 3, 9, 21, 10) - dt.timedelta(days=1))  # back at 21:10 the same evening
    await tick(h.context("back"))
    await tick(h.context("back"))
    # Paul's 20:00 reminder fell in the downtime too: sent on the same evening.
    assert [len(h.server.sent_to(h.chat(m))) for m in ("paul", "amina", "karim", "lea")] == [2, 1, 1, 2]

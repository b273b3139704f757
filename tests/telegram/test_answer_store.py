"""How the crew bot stores an answer: one transaction for the figure and its prompt, a second answer of
the day replacing the first, and the productions it keeps between messages checked at each one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from bots.telegram.productions import ProductionCache
from domain import usecases
from domain.carbon import active_reports
from domain.model import Language, Production, Report, ReportKind
from domain.ports import MemberState
from domain.usecases import Catalogue
from store.telegram import ChatMember, PromptRef, TelegramStore
from store.telegram_tables import telegram_prompts
from store.uow import SqlUnitOfWork
from tests.store.store_builders import make_production, report

UowFactory = Callable[[], SqlUnitOfWork]
MON = dt.date(2027, 3, 1)
SENT = dt.datetime(2027, 3, 1, 18, 30, tzinfo=dt.UTC)


@pytest.fixture
def production(uow_factory: UowFactory) -> Production:
    production = make_production()
    usecases.load_production(uow_factory(), production)
    return production


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    from config.factors import catalogue

    return catalogue()


def _all_reports(uow_factory: UowFactory) -> list[Report]:
    with uow_factory() as uow:
        return uow.reports.for_production("feux-aube")


def test_a_second_answer_of_the_day_replaces_the_first_and_the_history_keeps_both(
    uow_factory: UowFactory, cat: Catalogue, production: Production
) -> None:
    first = usecases.record_answer(uow_factory(), cat, report(ReportKind.MILEAGE, {"odometer": 45230}, subject="mb1"),
                                   production=production)
    second = usecases.record_answer(uow_factory(), cat,
                                    report(ReportKind.MILEAGE, {"odometer": 45250}, subject="mb1"),
                                    production=production)
    assert second.report.corrects == first.report.id
    stored = _all_reports(uow_factory)
    assert len(stored) == 2
    [active] = active_reports(stored)
    assert active.values == {"odometer": D(45250)}
    assert second.quantity == D(240)  # from the vehicle's start, 45,010: the first reading no longer counts
    # Another day, or another member's vehicle, is a figure of its own.
    tuesday = usecases.record_answer(uow_factory(), cat, report(ReportKind.MILEAGE, {"odometer": 45300},
                                                                subject="mb1", day=dt.date(2027, 3, 2)))
    assert tuesday.report.corrects is None
    meals = usecases.record_answer(uow_factory(), cat, report(ReportKind.MEALS, {"vegetarian": 3}, member="paul"))
    again = usecases.record_answer(uow_factory(), cat, report(ReportKind.MEALS, {"vegetarian": 4}, member="paul"))
    assert meals.report.corrects is None and again.report.corrects == meals.report.id


def test_the_prompt_is_marked_answered_in_the_transaction_that_stores_the_figure(
    uow_factory: UowFactory, cat: Catalogue, production: Production, engine: object
) -> None:
    store = TelegramStore(engine)  # type: ignore[arg-type]
    store.record_prompt(PromptRef(1001, 7, "feux-aube", "amina", "amina:mileage:mb1", MON, SENT, None))
    calls: list[int] = []

    def mark(uow: object, stored: Report) -> None:
        calls.append(stored.id or 0)
        store.mark_answered("feux-aube", "amina", "amina:mileage:mb1", stored.day, stored.id or 0,
                            conn=uow.connection)  # type: ignore[attr-defined]

    answer = report(ReportKind.MILEAGE, {"odometer": 45230}, subject="mb1", ref="1001:8")
    recorded = usecases.record_answer(uow_factory(), cat, answer, production=production, then=mark)
    assert calls == [recorded.report.id]
    assert store.unanswered(1001) == []
    with uow_factory() as uow:
        assert uow.connection.scalar(select(telegram_prompts.c.report_id)) == recorded.report.id
    # Given again (a redelivered message): stored once, and the bookkeeping does not run again.
    again = usecases.record_answer(uow_factory(), cat, answer, production=production, then=mark)
    assert again.duplicate and calls == [recorded.report.id]


def test_when_the_bookkeeping_fails_the_figure_is_not_stored_either(
    uow_factory: UowFactory, cat: Catalogue, production: Production
) -> None:
    def fail(uow: object, stored: Report) -> None:
        raise RuntimeError("bookkeeping failed")

    with pytest.raises(RuntimeError):
        usecases.record_answer(uow_factory(), cat, report(ReportKind.MILEAGE, {"odometer": 45230}, subject="mb1"),
                               production=production, then=fail)
    assert _all_reports(uow_factory) == []


def _membership(production: Production, member_id: str, version: dt.datetime, **crew: object) -> ChatMember:
    state = MemberState(production.id, member_id, "fr", False, None, 1001, SENT, False, False)
    return ChatMember(state, dataclasses.replace(production.member(member_id), **crew), version)  # type: ignore[arg-type]


def test_a_cached_production_is_used_only_while_its_version_and_the_member_match() -> None:
    production = make_production()
    loads: list[str] = []

    def load(production_id: str) -> Production | None:
        loads.append(production_id)
        return production

    cache = ProductionCache()
    v1, v2 = SENT, SENT + dt.timedelta(seconds=1)
    assert cache.production(_membership(production, "amina", v1), load) is production
    assert cache.production(_membership(production, "amina", v1), load) is production
    assert loads == ["feux-aube"]  # the second message used the cache
    cache.production(_membership(production, "amina", v2), load)  # the file was loaded again
    assert loads == ["feux-aube"] * 2
    cache.production(_membership(production, "amina", v2, language=Language.EN), load)  # the member changed
    assert loads == ["feux-aube"] * 3
    cache.forget()
    cache.production(_membership(production, "amina", v2), load)
    assert loads == ["feux-aube"] * 4


def test_a_production_gone_from_the_store_is_dropped_from_the_cache() -> None:
    production = make_production()
    answers: list[Production | None] = [production, None]
    cache = ProductionCache()
    assert cache.production(_membership(production, "amina", SENT), lambda _: answers.pop(0)) is production
    newer = _membership(production, "amina", SENT + dt.timedelta(seconds=1))
    assert cache.production(newer, lambda _: answers.pop(0)) is None
    assert cache.production(newer, lambda _: production) is production


def test_answers_from_several_chats_for_one_vehicle_keep_its_readings_in_order(
    uow_factory: UowFactory, cat: Catalogue, production: Production
) -> None:
    # Different chats are handled side by side: readings of one minibus stored at the same time must
    # each be measured against the one before, so the kilometres add up to the last reading.
    readings = [(dt.date(2027, 3, 1) + dt.timedelta(days=d), 45_100 + 100 * d) for d in range(8)
                if (dt.date(2027, 3, 1) + dt.timedelta(days=d)).weekday() < 5]
    barrier = threading.Barrier(len(readings))

    def answer(day: dt.date, odometer: int) -> None:
        barrier.wait(timeout=20)
        usecases.record_answer(uow_factory(), cat, report(ReportKind.MILEAGE, {"odometer": odometer}, subject="mb1",
                                                          day=day), production=production)

    with ThreadPoolExecutor(len(readings)) as pool:
        for future in [pool.submit(answer, day, odometer) for day, odometer in readings]:
            future.result()
    with uow_factory() as uow:
        lines = [ln for ln in uow.lines.for_production("feux-aube") if ln.subject == "mb1"]
    assert sum(ln.quantity for ln in lines) == readings[-1][1] - 45_010

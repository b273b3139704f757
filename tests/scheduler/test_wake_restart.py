"""A restart takes up the wake-ups the last run stored: it plans only what is due or changed, and
loses nothing, sends nothing twice.

Each test stops the scheduler by dropping its context and starts another (a new ``Wakeups``, a new
worker name) on the same store, as a restart of ``greenslate run`` does; the planning is counted
by production (calls of ``plan_production``), not timed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select, update

from domain.model import Channel, Production
from domain.ports import UnitOfWork
from domain.usecases import load_production
from scheduler import planner
from scheduler.clock import ManualClock
from scheduler.runner import SchedulerContext, tick
from scheduler.wake import Wakeups
from store.tables import scheduler_wakeups
from tests.scheduler.support import RecordingNotifier, RecordingTeam, load_example

PARIS = ZoneInfo("Europe/Paris")
HOUR = dt.timedelta(hours=1)


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS).astimezone(dt.UTC)


def copies(example: Production) -> list[Production]:
    """Two productions in Paris and one in Tokyo: the same file, their times eight hours apart."""
    return [dataclasses.replace(example, id="paris-1"), dataclasses.replace(example, id="paris-2"),
            dataclasses.replace(example, id="tokyo", timezone="Asia/Tokyo")]


class Counted:
    """Counts the productions planned, by id."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.planned: list[str] = []
        real = planner.plan_production

        def counted(uow: UnitOfWork, production_id: str, now: dt.datetime, wakeups: Wakeups | None = None) -> int:
            self.planned.append(production_id)
            return real(uow, production_id, now, wakeups)

        monkeypatch.setattr(planner, "plan_production", counted)

    def take(self) -> list[str]:
        planned, self.planned = sorted(self.planned), []
        return planned


def started(engine: Engine, uow_factory: Callable[[], UnitOfWork], clock: ManualClock, notifier: RecordingNotifier,
            name: str) -> SchedulerContext:
    """A scheduler as ``greenslate run`` starts it: nothing in memory yet."""
    return SchedulerContext(engine=engine, uow_factory=uow_factory, notifiers={Channel.TELEGRAM: notifier},
                            team=RecordingTeam(), clock=clock, worker=name, wakeups=Wakeups())


def stored(engine: Engine) -> dict[str, dt.datetime]:
    with engine.connect() as conn:
        rows = conn.execute(select(scheduler_wakeups.c.production_id, scheduler_wakeups.c.next_change_at))
        return {p: at for p, at in rows}


async def test_a_restart_plans_only_the_productions_that_are_due_or_changed(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production, monkeypatch: pytest.MonkeyPatch
) -> None:
    productions = copies(example)
    for production in productions:
        load_example(uow_factory, production)
    counted = Counted(monkeypatch)
    clock = ManualClock(paris(2027, 3, 8, 14, 50))  # Monday: Paul's meals at 15:00, wherever he is
    notifier = RecordingNotifier()
    await tick(started(engine, uow_factory, clock, notifier, "first"))
    assert counted.take() == ["paris-1", "paris-2", "tokyo"]  # nothing stored yet: every production
    wakeups = stored(engine)
    assert set(wakeups) == {"tokyo", "paris-1", "paris-2"}
    assert wakeups["paris-1"] == paris(2027, 3, 8, 15, 0) < wakeups["tokyo"]

    clock.set(paris(2027, 3, 8, 14, 55))  # restarted before anything is due: nothing planned
    await tick(started(engine, uow_factory, clock, notifier, "second"))
    assert counted.take() == []

    clock.set(paris(2027, 3, 8, 15, 1))  # restarted after the Paris prompts fell due: only those
    before = len(notifier.sent)
    await tick(started(engine, uow_factory, clock, notifier, "third"))
    assert counted.take() == ["paris-1", "paris-2"]
    assert Counter(p for _, p, _, _, _ in notifier.sent[before:]) == Counter({"paris-1": 1, "paris-2": 1})

    # While stopped, a production that never was planned is added; a member of another is paused.
    load_example(uow_factory, dataclasses.replace(example, id="lyon"))
    with uow_factory() as uow:
        uow.members.set_paused_until("tokyo", "amina", dt.date(2027, 3, 20))
        uow.commit()
    clock.set(paris(2027, 3, 8, 15, 5))
    await tick(started(engine, uow_factory, clock, notifier, "fourth"))
    assert counted.take() == ["lyon", "tokyo"]

    clock.set(paris(2027, 3, 8, 12, 0))  # the clock set back before the last planning: every production
    await tick(started(engine, uow_factory, clock, notifier, "fifth"))
    assert counted.take() == ["lyon", "paris-1", "paris-2", "tokyo"]


async def test_a_production_whose_file_changed_while_stopped_is_planned_at_the_restart(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production, monkeypatch: pytest.MonkeyPatch
) -> None:
    productions = copies(example)
    for production in productions:
        load_example(uow_factory, production)
    counted = Counted(monkeypatch)
    clock = ManualClock(paris(2027, 3, 8, 14, 0))
    notifier = RecordingNotifier()
    await tick(started(engine, uow_factory, clock, notifier, "first"))
    counted.take()
    # Stopped; the file of paris-2 is loaded again with Paul's meals at 14:10 instead of 15:00.
    earlier = tuple(dataclasses.replace(a, at=dt.time(14, 10)) if a.who == "paul" else a for a in example.assignments)
    load_production(uow_factory(), dataclasses.replace(productions[1], assignments=earlier))
    # Before the stored next change of every production, and before the first turn of the hourly sweep.
    clock.set(paris(2027, 3, 8, 14, 15))
    assert min(stored(engine).values()) > clock.now()
    before = len(notifier.sent)
    await tick(started(engine, uow_factory, clock, notifier, "second"))
    assert counted.take() == ["paris-2"]
    assert [(p, m) for _, p, m, _, _ in notifier.sent[before:]] == [("paris-2", "paul")]


async def test_nothing_is_lost_or_sent_twice_across_restarts(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day and a half, a tick every 10 minutes, the scheduler restarted every seventh tick: after
    each tick, planning every production from scratch finds nothing left to record, and each message
    goes out once."""
    productions = copies(example)[1:]  # one in Paris, one in Tokyo
    for production in productions:
        load_example(uow_factory, production)
    real = planner.plan_production
    counted = Counted(monkeypatch)
    clock = ManualClock(paris(2027, 3, 8, 12, 0))
    notifier, team = RecordingNotifier(), RecordingTeam()
    ctx = None
    ticks = restarts = 0
    while clock.now() <= paris(2027, 3, 10, 2, 0):
        if ticks % 7 == 0:
            ctx = SchedulerContext(engine=engine, uow_factory=uow_factory, notifiers={Channel.TELEGRAM: notifier},
                                   team=team, clock=clock, worker=f"run-{restarts}", wakeups=Wakeups())
            restarts += 1
        assert ctx is not None
        await tick(ctx)
        ticks += 1
        for production in productions:
            assert real(uow_factory(), production.id, clock.now()) == 0, (production.id, clock.now())
        clock.advance(dt.timedelta(minutes=10))
    sent = Counter(notifier.sent)
    assert sent and max(sent.values()) == 1, [m for m, n in sent.items() if n > 1]
    monday, tuesday = dt.date(2027, 3, 8), dt.date(2027, 3, 9)
    for production in productions:
        for day in (monday, tuesday):
            assert ("prompt", production.id, "paul", "paul:meals", day) in sent
    for day in (monday, tuesday):
        assert ("reminder", "paris-2", "amina", "amina:mileage:mb1", day) in sent
    digests = Counter((p, day) for p, day, _ in team.digests)
    assert ("paris-2", monday) in digests and ("tokyo", monday) in digests and max(digests.values()) == 1
    assert restarts > 10 and len(counted.planned) < ticks  # not every production at every restart


def test_a_row_written_from_older_figures_only_makes_a_production_planned_sooner(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    """Two schedulers sharing the store write the same rows; whichever writes last, none is lost."""
    load_example(uow_factory, example)
    now = paris(2027, 3, 8, 14, 0)
    first, second = Wakeups(), Wakeups()
    planner.plan(uow_factory, now, first)
    planner.plan(uow_factory, now + HOUR / 2, second)
    assert first.at[example.id] == second.at[example.id] == paris(2027, 3, 8, 15, 0)
    with engine.begin() as conn:  # the first writes last, from figures older than the second's
        first.changed.add(example.id)
        first.at[example.id] = now
        first.save(conn, now)
    restarted = Wakeups()
    work = planner.due(uow_factory, now + HOUR / 2, restarted)
    assert work.todo == [example.id] and not work.sweeping
    with engine.begin() as conn:
        conn.execute(update(scheduler_wakeups).values(fingerprint="another"))
    assert planner.due(uow_factory, now + HOUR / 2, Wakeups()).todo == [example.id]
    with engine.begin() as conn:
        conn.execute(update(scheduler_wakeups).values(next_change_at=paris(2027, 3, 8, 15, 0)))
    assert planner.due(uow_factory, now + HOUR / 2, Wakeups()).todo == [example.id]  # the fingerprint differs


def test_schedulers_sharing_the_store_write_the_same_rows_at_once_without_failing(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    """Each writes every production's row in one transaction, the two transactions overlapping: an
    insert would fail on the other's row, and rows taken in different orders could deadlock."""
    for production in copies(example):
        load_example(uow_factory, production)
    ids = [p.id for p in copies(example)]
    now = paris(2027, 3, 8, 14, 0)
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def write(name: str, order: list[str]) -> None:
        try:
            for round_ in range(10):
                wakeups = Wakeups()
                for p in order:
                    wakeups.at[p] = now + dt.timedelta(minutes=round_)
                    wakeups.seen[p] = name
                    wakeups.changed.add(p)
                barrier.wait(timeout=30)
                with engine.begin() as conn:
                    wakeups.save(conn, now + dt.timedelta(minutes=round_), ids)
        except BaseException as exc:  # reported below, with the other thread's
            failures.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=write, args=("a", ids)), threading.Thread(target=write, args=("b", ids[::-1]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    with engine.connect() as conn:
        rows = conn.execute(select(scheduler_wakeups.c.production_id, scheduler_wakeups.c.fingerprint,
                                   scheduler_wakeups.c.next_change_at)).all()
    assert sorted(p for p, _, _ in rows) == sorted(ids)
    assert {at for _, _, at in rows} == {now + dt.timedelta(minutes=9)}
    assert len({f for _, f, _ in rows}) == 1  # one writer's rows, whole: the last transaction's

"""The scheduler plans a production only when its plan can change, and loses nothing by it.

Every tick used to plan every production; now a production is planned at its next change (an
assignment's time, the digest's, a campaign's, a reminder's, a local midnight) and at each sweep.
The check: over two simulated days of the example production, after every tick, planning every
production from scratch finds nothing that the skipping scheduler did not record already.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from domain.model import Channel, Production
from domain.ports import UnitOfWork
from scheduler import planner
from scheduler.clock import ManualClock
from scheduler.runner import SchedulerContext, tick
from scheduler.wake import Wakeups, fingerprints, next_change
from store import outbox
from tests.scheduler.support import RecordingNotifier, RecordingTeam, answer, load_example

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS).astimezone(dt.UTC)


async def test_planning_only_at_the_next_change_records_what_planning_every_tick_would(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_example(uow_factory, example)
    clock = ManualClock(paris(2027, 3, 4, 6, 0))  # Thursday: a campaign at 08:30, prompts from 15:00
    notifier, team = RecordingNotifier(), RecordingTeam()
    ctx = SchedulerContext(engine=engine, uow_factory=uow_factory, notifiers={Channel.TELEGRAM: notifier},
                           team=team, clock=clock, worker="w1", wakeups=Wakeups(sweep=dt.timedelta(days=30)))
    planned: list[dt.datetime] = []
    real = planner.plan_production

    def counted(uow: UnitOfWork, production_id: str, now: dt.datetime, wakeups: Wakeups | None = None) -> int:
        if wakeups is not None:
            planned.append(now)
        return real(uow, production_id, now, wakeups)

    monkeypatch.setattr(planner, "plan_production", counted)
    ticks = 0
    while clock.now() <= paris(2027, 3, 6, 10, 0):
        await tick(ctx)
        ticks += 1
        # Every production from scratch, as every tick did before: nothing left to record.
        assert real(uow_factory(), example.id, clock.now()) == 0, clock.now()
        now = clock.now()
        for kind, _, member, key, day in list(notifier.sent):  # Paul answers his prompts half an hour on
            if kind == "prompt" and member == "paul" and now - paris(day.year, day.month, day.day, 15) >= \
                    dt.timedelta(minutes=30):
                answer(uow_factory, example, member, key, day, now)
        clock.advance(dt.timedelta(minutes=5))

    thursday, friday = dt.date(2027, 3, 4), dt.date(2027, 3, 5)
    assert ("paul", "paul:meals", thursday) in notifier.prompts()
    assert ("sam", "sam:waste", friday) in notifier.prompts()
    assert ("amina", "amina:mileage:mb1", thursday) in notifier.prompts("reminder")
    assert ("paul", "paul:meals", thursday) not in notifier.prompts("reminder")  # he answered
    assert [d for _, d, _ in team.digests] == [thursday, friday]
    assert {m for _, m, _ in notifier.campaigns} >= {"amina", "karim"}  # engine-off, to the drivers
    assert len(planned) < ticks / 5, f"planned {len(planned)} times in {ticks} ticks"


def test_the_next_change_is_the_next_assignment_time_then_the_reminder(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    load_example(uow_factory, example)
    afternoon = paris(2027, 3, 8, 14, 0)
    assert next_change(example, [], afternoon) == paris(2027, 3, 8, 15, 0)  # Paul's meals
    assert next_change(example, [], paris(2027, 3, 8, 20, 30)) == paris(2027, 3, 9, 0, 0)  # midnight
    planner.plan_production(uow_factory(), example.id, paris(2027, 3, 8, 15, 0))
    with engine.begin() as conn:
        [row] = outbox.rows(conn, production_id=example.id, kinds=[outbox.PROMPT])
        assert next_change(example, [row], paris(2027, 3, 8, 15, 0)) == paris(2027, 3, 8, 15, 0) + dt.timedelta(
            minutes=example.reminders.after_minutes)  # not sent yet: no sooner than that
        [claimed] = outbox.claim(conn, "w1", paris(2027, 3, 8, 15, 2), dt.timedelta(minutes=5), 1)
        outbox.mark_sent(conn, claimed.row.id, "w1", paris(2027, 3, 8, 15, 2), "m1")
        [sent] = outbox.rows(conn, production_id=example.id, kinds=[outbox.PROMPT])
    assert next_change(example, [sent], paris(2027, 3, 8, 15, 2)) == min(
        paris(2027, 3, 8, 15, 2) + dt.timedelta(minutes=example.reminders.after_minutes),
        paris(2027, 3, 8, 18, 0))  # the reminder, or Sam's weekly time if sooner


async def test_a_member_who_resumes_after_their_prompt_time_gets_it_at_the_next_tick(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    """No sweep in sight: the crew's fingerprint changed, so the production is planned at once."""
    monday = dt.date(2027, 3, 8)
    load_example(uow_factory, example, paused={"amina": monday})
    clock = ManualClock(paris(2027, 3, 8, 19, 0))
    notifier = RecordingNotifier()
    ctx = SchedulerContext(engine=engine, uow_factory=uow_factory, notifiers={Channel.TELEGRAM: notifier},
                           clock=clock, worker="w1", wakeups=Wakeups(sweep=dt.timedelta(days=30)))
    for minute in (0, 20, 40):  # 19:30: karim's prompt; amina is paused
        clock.set(paris(2027, 3, 8, 19, minute))
        await tick(ctx)
    assert ("karim", "karim:mileage:car2", monday) in notifier.prompts()
    assert ("amina", "amina:mileage:mb1", monday) not in notifier.prompts()
    before = fingerprints_of(engine)
    with uow_factory() as uow:  # she resumes in the chat at 19:41
        uow.members.set_paused_until(example.id, "amina", None)
        uow.commit()
    assert fingerprints_of(engine) != before
    clock.set(paris(2027, 3, 8, 19, 41))
    await tick(ctx)
    assert ("amina", "amina:mileage:mb1", monday) in notifier.prompts()


def fingerprints_of(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return fingerprints(conn)


def test_every_change_planning_reads_of_a_member_changes_the_fingerprint(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    load_example(uow_factory, example)
    seen = [fingerprints_of(engine)[example.id]]
    changes = [
        lambda m: m.set_paused_until(example.id, "paul", dt.date(2027, 3, 10)),
        lambda m: m.set_paused_until(example.id, "paul", dt.date(2027, 3, 11)),
        lambda m: m.set_paused_until(example.id, "paul", None),
        lambda m: m.set_unreachable(example.id, "lea", True),
        lambda m: m.link_telegram(example.id, "lea", 4242, dt.datetime(2027, 3, 9, tzinfo=dt.UTC)),
        lambda m: m.forget(example.id, "sam"),
    ]
    for change in changes:
        with uow_factory() as uow:
            change(uow.members)
            uow.commit()
        seen.append(fingerprints_of(engine)[example.id])
    assert all(a != b for a, b in itertools.pairwise(seen))  # each change changed it
    assert seen[3] == seen[0]  # paused, then resumed: as it was


def test_the_first_tick_plans_every_production_then_each_takes_its_turn_and_a_clock_set_back_sweeps_again() -> None:
    wakeups = Wakeups(sweep=dt.timedelta(minutes=5))
    start = dt.datetime(2027, 3, 8, 12, 0, tzinfo=dt.UTC)
    assert wakeups.sweeping(start)
    ids = ["a", "b", "c", "d", "e"]
    wakeups.swept(ids, start)
    for p in ids:
        wakeups.at[p] = start + dt.timedelta(hours=3)
    assert not wakeups.sweeping(start + dt.timedelta(minutes=5))  # never again all at once
    # Their turns are spread over the period: one a minute here, each planned at its own.
    for minute, p in enumerate(ids, start=1):
        now = start + dt.timedelta(minutes=minute)
        assert [q for q in ids if wakeups.due(q, now)] == [p], minute
        wakeups.planned(p, now)
    assert not [q for q in ids if wakeups.due(q, start + dt.timedelta(minutes=5, seconds=30))]
    # A production planned for its own change keeps its turn; planned late, the next turn is a period on.
    wakeups.planned("a", start + dt.timedelta(minutes=5, seconds=30))
    assert wakeups.turn["a"] == start + dt.timedelta(minutes=6)
    wakeups.planned("a", start + dt.timedelta(minutes=20))
    assert wakeups.turn["a"] == start + dt.timedelta(minutes=25)
    assert wakeups.sweeping(start - dt.timedelta(seconds=1))
    assert wakeups.due("new production", start) and wakeups.due("b", start + dt.timedelta(hours=3))
    assert Wakeups(sweep=dt.timedelta(0)).sweeping(start)  # no period: every production at every tick


def test_a_prompt_just_recorded_brings_the_next_change_no_later_than_its_reminder(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    """Monday 15:00: Paul's prompt is recorded; his reminder (two hours after it goes out) must not wait
    for the next assignment's time or the sweep."""
    load_example(uow_factory, example)
    wakeups = Wakeups(sweep=dt.timedelta(days=30))
    at = paris(2027, 3, 8, 15, 0)
    assert planner.plan_production(uow_factory(), example.id, at, wakeups) == 1
    assert wakeups.at[example.id] <= at + dt.timedelta(minutes=example.reminders.after_minutes)

"""The scheduler against a real store (SQLite and PostgreSQL), driven by a clock the test moves."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from common.app import App
from domain.model import Channel, Production
from domain.ports import UnitOfWork
from scheduler.clock import ManualClock
from scheduler.runner import (
    JOB_ID,
    MISFIRE_GRACE_SECONDS,
    SchedulerContext,
    TickReport,
    build_scheduler,
    run_scheduler,
    tick,
)
from store import outbox
from tests.scheduler.support import Crash, RecordingNotifier, RecordingTeam, answer, load_example

UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS).astimezone(UTC)


def context(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], clock: ManualClock,
    notifier: RecordingNotifier, team: RecordingTeam | None = None, worker: str = "w1",
) -> SchedulerContext:
    return SchedulerContext(engine=engine, uow_factory=uow_factory, notifiers={Channel.TELEGRAM: notifier},
                            team=team, clock=clock, worker=worker)


async def run_until(ctx: SchedulerContext, clock: ManualClock, end: dt.datetime, step: dt.timedelta,
                    each: Callable[[dt.datetime], None] | None = None) -> TickReport:
    total = TickReport()
    while clock.now() <= end:
        done = await tick(ctx)
        total.sent += done.sent
        total.keys_sent += done.keys_sent
        if each is not None:
            each(clock.now())
        clock.advance(step)
    return total


def rows_by_status(engine: Engine, kind: str) -> Counter[str]:
    with engine.connect() as conn:
        return Counter(r.status for r in outbox.rows(conn, kinds=[kind]))


# --- A simulated week of the example production ------------------------------------------------


async def test_a_simulated_week_of_the_example(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    """Easter Monday off, Amina paused until Wednesday, Karim blocked the bot, Paul answers, Léa never does."""
    load_example(uow_factory, example, paused={"amina": dt.date(2027, 4, 7)})
    clock = ManualClock(paris(2027, 4, 5, 0, 0))
    notifier, team = RecordingNotifier(blocked={"karim"}), RecordingTeam()
    ctx = context(engine, uow_factory, clock, notifier, team)

    def crew_answers(now: dt.datetime) -> None:
        for kind, _, member, key, day in list(notifier.sent):
            if kind == "prompt" and member == "paul" and now - paris(day.year, day.month, day.day, 15) >= dt.timedelta(
                minutes=30
            ):
                answer(uow_factory, example, member, key, day, now)
        if now == paris(2027, 4, 8, 21, 0):
            answer(uow_factory, example, "amina", "amina:mileage:mb1", dt.date(2027, 4, 8), now,
                   values={"odometer": Decimal(45100)})

    await run_until(ctx, clock, paris(2027, 4, 11, 23, 30), dt.timedelta(minutes=30), crew_answers)

    days = [dt.date(2027, 4, d) for d in (6, 7, 8, 9)]
    expected_prompts = sorted(
        [("paul", "paul:meals", d) for d in days]
        + [("lea", f"lea:generator_hours:{g}", d) for d in days for g in ("g1", "g2")]
        + [("amina", "amina:mileage:mb1", d) for d in days[2:]]
        + [("sam", "sam:waste", dt.date(2027, 4, 9))]
    )
    assert notifier.prompts("prompt") == expected_prompts  # each once; none on 5 April, none while paused
    assert notifier.prompts("reminder") == sorted(
        [("lea", f"lea:generator_hours:{g}", d) for d in days for g in ("g1", "g2")]
        + [("amina", "amina:mileage:mb1", dt.date(2027, 4, 9)), ("sam", "sam:waste", dt.date(2027, 4, 9))]
    )
    # Karim blocked the bot: each of his prompts was tried once and recorded as unreachable, none sent.
    assert all(member != "karim" for _, _, member, _, _ in notifier.sent)
    with engine.connect() as conn:
        karim = outbox.rows(conn, member_id="karim", kinds=["prompt"])
    assert [(r.day, r.status) for r in karim] == [(d, "unreachable") for d in days]
    # Léa missed the 6th and the 7th: the eco-referents are told once, on the 8th.
    assert [(m, n) for _, m, n, _ in team.escalations] == [("lea", 2)]
    assert "Léa Bernard" in team.escalations[0][3] and "2 fois de suite" in team.escalations[0][3]
    # One digest each morning after a shooting day: none after Easter Monday or the weekend.
    assert [d for _, d, _ in team.digests] == days
    assert "Paul" not in team.digests[0][2] and "Léa Bernard" in team.digests[0][2]
    assert rows_by_status(engine, "prompt") == Counter({"sent": 15, "unreachable": 4})


# --- Downtime, crashes, restarts ---------------------------------------------------------------


async def test_after_two_hours_down_todays_prompts_go_out_once_and_yesterdays_do_not(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    load_example(uow_factory, example)
    clock = ManualClock(paris(2027, 3, 8, 18, 0))
    notifier = RecordingNotifier()
    await run_until(context(engine, uow_factory, clock, notifier), clock, paris(2027, 3, 8, 19, 0),
                    dt.timedelta(minutes=30))
    assert notifier.prompts() == [("paul", "paul:meals", dt.date(2027, 3, 8))]
    # Down from 19:00 to 21:10: the 19:30 and 20:00 prompts fell due meanwhile.
    clock.set(paris(2027, 3, 8, 21, 10))
    restarted = context(engine, uow_factory, clock, notifier, worker="w2")
    await tick(restarted)
    await tick(restarted)
    monday = dt.date(2027, 3, 8)
    assert notifier.prompts() == sorted([
        ("amina", "amina:mileage:mb1", monday), ("karim", "karim:mileage:car2", monday),
        ("lea", "lea:generator_hours:g1", monday), ("lea", "lea:generator_hours:g2", monday),
        ("paul", "paul:meals", monday),
    ])
    # Down again from Monday 21:10 to Tuesday 10:00: Monday's reminders are not sent a day late,
    # and nothing of Monday is prompted again.
    clock.set(paris(2027, 3, 9, 10, 0))
    before = list(notifier.sent)
    await tick(context(engine, uow_factory, clock, notifier, worker="w3"))
    assert notifier.sent == before


async def test_prompts_that_fell_due_on_an_earlier_day_are_never_sent(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    load_example(uow_factory, example)
    # Recorded on Monday evening, but the sender died before sending; back on Tuesday morning.
    clock = ManualClock(paris(2027, 3, 8, 19, 45))
    from scheduler.planner import plan

    assert plan(uow_factory, clock.now()) == 3  # paul, amina, karim
    clock.set(paris(2027, 3, 9, 8, 0))
    notifier = RecordingNotifier()
    report = await tick(context(engine, uow_factory, clock, notifier))
    assert notifier.sent == [] and report.expired == 3
    assert rows_by_status(engine, "prompt") == Counter({"expired": 3})


async def test_a_crash_between_record_and_send_loses_nothing(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    load_example(uow_factory, example)
    clock = ManualClock(paris(2027, 3, 8, 15, 5))
    from scheduler.planner import plan

    assert plan(uow_factory, clock.now()) == 1  # recorded, then the process died
    notifier = RecordingNotifier()
    await tick(context(engine, uow_factory, clock, notifier, worker="after-restart"))
    await tick(context(engine, uow_factory, clock, notifier, worker="after-restart"))
    assert notifier.prompts() == [("paul", "paul:meals", dt.date(2027, 3, 8))]


@pytest.mark.parametrize("ledger", [True, False], ids=["channel-keeps-a-ledger", "no-ledger"])
async def test_a_crash_between_send_and_mark(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production, ledger: bool
) -> None:
    load_example(uow_factory, example)
    clock = ManualClock(paris(2027, 3, 8, 15, 5))
    notifier = RecordingNotifier(ledger=ledger)
    notifier.crash_after_send = True
    with pytest.raises(Crash):
        await tick(context(engine, uow_factory, clock, notifier, worker="dies"))
    assert rows_by_status(engine, "prompt") == Counter({"sending": 1})
    notifier.crash_after_send = False
    # A new process while the dead one's lease runs: it does not touch the row.
    clock.advance(dt.timedelta(minutes=1))
    await tick(context(engine, uow_factory, clock, notifier, worker="next"))
    assert len(notifier.sent) == 1
    # Once the lease is over the row is resumed: the channel's ledger says it went out, so it is
    # marked sent without a second message. A channel that cannot tell gets it again (at least once).
    clock.advance(dt.timedelta(minutes=6))
    await tick(context(engine, uow_factory, clock, notifier, worker="next"))
    assert len(notifier.sent) == (1 if ledger else 2)
    with engine.connect() as conn:
        row = outbox.rows(conn, kinds=["prompt"])[0]
    assert row.status == "sent" and row.attempts == 2
    assert row.message_ref == ("from-ledger" if ledger else "2")


async def test_transient_failures_are_retried_later_then_given_up(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    load_example(uow_factory, example)
    clock = ManualClock(paris(2027, 3, 8, 15, 5))
    ctx = SchedulerContext(engine=engine, uow_factory=uow_factory, notifiers={}, clock=clock)  # no Telegram bot
    first = await tick(ctx)
    assert first.retried == 1 and first.sent == 0
    again = await tick(ctx)  # too soon: waits for its retry time
    assert again.retried == 0
    notifier = RecordingNotifier()
    clock.advance(dt.timedelta(minutes=1))
    await tick(context(engine, uow_factory, clock, notifier))
    assert notifier.prompts() == [("paul", "paul:meals", dt.date(2027, 3, 8))]


async def test_reminder_once_and_not_after_an_answer(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    load_example(uow_factory, example)
    clock = ManualClock(paris(2027, 3, 8, 19, 30))
    notifier = RecordingNotifier()
    ctx = context(engine, uow_factory, clock, notifier)
    await tick(ctx)
    answer(uow_factory, example, "amina", "amina:mileage:mb1", dt.date(2027, 3, 8), clock.now(),
           values={"odometer": Decimal(45100)})
    await run_until(ctx, clock, paris(2027, 3, 8, 23, 50), dt.timedelta(minutes=10))
    monday = dt.date(2027, 3, 8)
    assert notifier.prompts("reminder") == [  # everyone but Amina, once each
        ("karim", "karim:mileage:car2", monday), ("lea", "lea:generator_hours:g1", monday),
        ("lea", "lea:generator_hours:g2", monday), ("paul", "paul:meals", monday),
    ]
    with engine.connect() as conn:
        due = {r.member_id: r.due_at for r in outbox.rows(conn, kinds=["reminder"])}
    assert due["karim"] == paris(2027, 3, 8, 21, 30) and due["paul"] == paris(2027, 3, 8, 21, 30)


async def test_campaigns_reach_each_audience_through_its_channel(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    load_example(uow_factory, example, paused={"sam": dt.date(2027, 3, 2)})
    clock = ManualClock(paris(2027, 3, 2, 8, 0))
    notifier, team = RecordingNotifier(), RecordingTeam()
    ctx = context(engine, uow_factory, clock, notifier, team)
    await run_until(ctx, clock, paris(2027, 3, 3, 9, 0), dt.timedelta(minutes=15))
    assert sorted(notifier.campaigns) == sorted([
        ("feux-aube", m, "veggie-day") for m in ("amina", "karim", "paul", "lea")  # Sam is paused
    ] + [("feux-aube", m, "engine-off") for m in ("amina", "karim")])
    assert team.campaigns == [("feux-aube", "chloe", "veggie-day")]  # the Discord member
    with engine.connect() as conn:
        marc = outbox.rows(conn, kinds=["campaign"], member_id="marc")
    assert [(r.payload["message"], r.status, r.message_ref) for r in marc] == [("veggie-day", "sent", "dashboard")]


async def test_escalations_and_digests_without_a_discord_bot_go_to_the_log(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production, caplog: pytest.LogCaptureFixture
) -> None:
    load_example(uow_factory, example)
    clock = ManualClock(paris(2027, 3, 8, 12, 0))
    ctx = context(engine, uow_factory, clock, RecordingNotifier())
    with caplog.at_level("WARNING", logger="scheduler.runner"):
        await run_until(ctx, clock, paris(2027, 3, 10, 10, 0), dt.timedelta(hours=1))
    assert rows_by_status(engine, "escalation") == Counter({"sent": 4})  # Amina, Karim, Paul, Léa (Sam is weekly)
    assert rows_by_status(engine, "digest") == Counter({"sent": 2})
    assert any("escalation for feux-aube" in r.getMessage() for r in caplog.records)


async def test_messages_kept_for_the_dashboard_are_logged_without_their_personal_text(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production, caplog: pytest.LogCaptureFixture
) -> None:
    load_example(uow_factory, example)
    clock = ManualClock(paris(2027, 3, 8, 12, 0))
    ctx = context(engine, uow_factory, clock, RecordingNotifier())
    with caplog.at_level("DEBUG"):
        await run_until(ctx, clock, paris(2027, 3, 10, 10, 0), dt.timedelta(hours=1))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "escalation for feux-aube" in logged and "digest for feux-aube" in logged
    for member in example.crew:
        assert member.name not in logged, member.name


# --- APScheduler wiring -------------------------------------------------------------------------


async def test_the_job_never_silently_drops_a_late_run(
    engine: Engine, uow_factory: Callable[[], UnitOfWork]
) -> None:
    app = App.from_env(database_url=str(engine.url.render_as_string(hide_password=False)))
    scheduler = build_scheduler(app, {Channel.TELEGRAM: RecordingNotifier()}, RecordingTeam(), interval_seconds=20)
    scheduler.start(paused=True)
    try:
        job = scheduler.get_job(JOB_ID)
        assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS > 1
        assert job.coalesce is True and job.max_instances == 1
        [ctx] = job.args
        assert ctx.team is not None and Channel.TELEGRAM in ctx.notifiers
    finally:
        scheduler.shutdown(wait=False)


async def test_run_scheduler_ticks_in_the_running_loop(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    load_example(uow_factory, example)
    notifier = RecordingNotifier()
    ctx = context(engine, uow_factory, ManualClock(paris(2027, 3, 8, 15, 5)), notifier)
    stop = asyncio.Event()
    task = asyncio.create_task(run_scheduler(ctx, stop=stop, interval_seconds=0.2))
    for _ in range(100):
        await asyncio.sleep(0.05)
        if notifier.sent:
            break
    stop.set()
    await asyncio.wait_for(task, 5)
    assert notifier.prompts() == [("paul", "paul:meals", dt.date(2027, 3, 8))]


async def test_a_member_who_pauses_while_a_prompt_waits_for_a_retry_does_not_get_it(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    load_example(uow_factory, example)
    clock = ManualClock(paris(2027, 3, 8, 15, 5))
    offline = SchedulerContext(engine=engine, uow_factory=uow_factory, notifiers={}, clock=clock)
    assert (await tick(offline)).retried == 1  # the bot is not reachable: pending, to retry
    with uow_factory() as uow:
        uow.members.set_paused_until(example.id, "paul", dt.date(2027, 3, 12))
        uow.commit()
    clock.advance(dt.timedelta(minutes=5))
    notifier = RecordingNotifier()
    await tick(context(engine, uow_factory, clock, notifier))
    assert notifier.sent == []
    with engine.connect() as conn:
        [row] = outbox.rows(conn, kinds=["prompt"])
    assert (row.status, row.error) == ("expired", "paused")


async def test_stopping_lets_the_tick_under_way_finish_its_send(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    load_example(uow_factory, example)
    started, release = asyncio.Event(), asyncio.Event()

    class SlowNotifier(RecordingNotifier):
        async def send_prompt(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
            started.set()
            await release.wait()
            return await super().send_prompt(*args, **kwargs)  # type: ignore[arg-type]

    notifier = SlowNotifier()
    ctx = context(engine, uow_factory, ManualClock(paris(2027, 3, 8, 15, 5)), notifier)
    task = asyncio.create_task(run_scheduler(ctx, interval_seconds=60))
    await asyncio.wait_for(started.wait(), 10)
    task.cancel()  # greenslate run stopping (SIGTERM) while a prompt is being sent
    await asyncio.sleep(0.1)
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)
    assert notifier.prompts() == [("paul", "paul:meals", dt.date(2027, 3, 8))]
    assert rows_by_status(engine, "prompt") == Counter({"sent": 1})  # marked before the process ends


class FastClock:
    """Real time, sped up: a batch of slow sends outlives its lease within a second."""

    def __init__(self, start: dt.datetime, speed: float) -> None:
        self.start, self.speed = start, speed
        self.t0 = asyncio.get_running_loop().time()

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=(asyncio.get_running_loop().time() - self.t0) * self.speed)


async def test_a_slow_batch_keeps_its_leases_and_a_second_scheduler_sends_nothing_again(
    engine: Engine, uow_factory: Callable[[], UnitOfWork], example: Production
) -> None:
    """20:05 on a shooting day, five prompts due; each send takes a quarter of a second, the lease (five
    minutes at 600 times real speed) half a second. The first scheduler's batch takes longer than its
    lease: its leases are renewed while it runs, so the second scheduler, ticking meanwhile, takes
    none of its rows and nothing is sent twice."""
    load_example(uow_factory, example)

    class SlowNotifier(RecordingNotifier):
        async def send_prompt(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
            await asyncio.sleep(0.25)  # a slow round trip to Telegram
            return await super().send_prompt(*args, **kwargs)  # type: ignore[arg-type]

    notifier = SlowNotifier(ledger=True)  # one Telegram for both schedulers
    clock = FastClock(paris(2027, 3, 8, 20, 5), speed=600)

    def ctx(worker: str) -> SchedulerContext:
        return SchedulerContext(engine=engine, uow_factory=uow_factory, notifiers={Channel.TELEGRAM: notifier},
                                clock=clock, worker=worker)  # type: ignore[arg-type]

    async def second() -> None:
        await asyncio.sleep(0.6)  # after the first one's leases would have run out
        for _ in range(8):
            await tick(ctx("w2"))
            await asyncio.sleep(0.1)

    first, _ = await asyncio.gather(tick(ctx("w1")), second())
    sent = Counter((member, key) for kind, _, member, key, _ in notifier.sent if kind == "prompt")
    assert len(sent) == 5 and set(sent.values()) == {1}, sent
    assert first.sent == 5 and first.lost_claims == 0
    assert rows_by_status(engine, "prompt") == Counter({"sent": 5})

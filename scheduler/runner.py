"""The scheduler's loop: plan what is due, claim it, send it, mark it. One ``tick`` does all four.

``tick`` is a plain coroutine: APScheduler calls it every few seconds in ``greenslate run``; tests and
the benchmark call it directly with a clock they move by hand. Between recording a message and
marking it, a crash or a restart loses nothing and sends nothing twice (see ``store.outbox``).

Wiring for ``greenslate run`` (the scheduler in the bots' event loop, or alone with ``--scheduler``)::

    await run_scheduler(app, {Channel.TELEGRAM: telegram_notifier}, discord_team_channel, stop=stop_event)

runs until ``stop_event`` is set or the task is cancelled; or ``build_scheduler(app, notifiers,
team_channel).start()`` inside an already running loop. A Discord member's campaigns go through the
team channel's ``send_campaign`` unless a Discord notifier is given; dashboard members' campaigns are
recorded as shown (the dashboard lists outbox rows).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from domain.model import Channel, Production
from domain.ports import MemberState, UnitOfWork
from domain.rollcall import wants_messages_on
from scheduler import planner
from scheduler.clock import Clock, SystemClock
from scheduler.lanes import Lanes, by_lane, lane_count
from scheduler.notify import Delivery, Notifier, Outcome, TeamChannel
from scheduler.wake import Wakeups
from store import outbox
from store.outbox import CAMPAIGN, DIGEST, ESCALATION, PROMPT, REMINDER, Claimed

log = logging.getLogger(__name__)

#: How long a claimed row is ours; a sender silent for longer is taken for dead and its rows resumed.
LEASE = dt.timedelta(minutes=5)
#: Attempts before a message that keeps failing for a transient reason is given up (``failed``).
MAX_ATTEMPTS = 8
#: How often ``greenslate run`` ticks.
TICK_SECONDS = 20
#: APScheduler drops a run later than this; its default (1 s) would silently skip late ticks.
MISFIRE_GRACE_SECONDS = 3600
#: Rows claimed at once, then sent one after the other (leases kept alive while the batch runs).
CLAIM_BATCH = 20
MAX_BATCHES = 50
#: How often (real seconds) a batch in flight looks whether its leases need renewing.
LEASE_CHECK_SECONDS = 0.05
#: The pause after planning each production of a tick, for the event loop's waiting work.
PLAN_PAUSE_SECONDS = 0.005
#: On stop, how long a tick under way may take to finish its sends and marks.
STOP_GRACE_SECONDS = 10


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class SchedulerContext:
    """What a tick needs; built once at the entry point."""

    engine: Engine
    uow_factory: Callable[[], UnitOfWork]
    notifiers: Mapping[Channel, Notifier] = field(default_factory=dict)
    team: TeamChannel | None = None
    clock: Clock = field(default_factory=SystemClock)
    worker: str = field(default_factory=worker_name)
    lease: dt.timedelta = LEASE
    inflight: set[asyncio.Task[object]] = field(default_factory=set, repr=False)  # ticks under way
    wakeups: Wakeups = field(default_factory=Wakeups, repr=False)  # when each production is next planned

    @classmethod
    def for_app(
        cls,
        app: object,
        notifiers: Mapping[Channel, Notifier] | None = None,
        team: TeamChannel | None = None,
        clock: Clock | None = None,
    ) -> SchedulerContext:
        """From a ``common.app.App`` (its engine and units of work)."""
        return cls(
            engine=app.engine,  # type: ignore[attr-defined]
            uow_factory=app.uow,  # type: ignore[attr-defined]
            notifiers=dict(notifiers or {}),
            team=team,
            clock=clock or SystemClock(),
        )


@dataclass
class TickReport:
    """What one tick did (logged, and checked by the tests)."""

    recorded: int = 0
    sent: int = 0
    unreachable: int = 0
    retried: int = 0
    failed: int = 0
    expired: int = 0
    already_delivered: int = 0
    lost_claims: int = 0
    keys_sent: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.recorded, self.sent, self.unreachable, self.retried, self.failed, self.expired))


async def tick(ctx: SchedulerContext, now: dt.datetime | None = None) -> TickReport:
    """Plan, claim, send, mark: everything due at ``now`` (default: the context's clock)."""
    now = now or ctx.clock.now()
    started = time.monotonic()
    report = TickReport()
    report.recorded = await plan_tick(ctx, now)
    report.expired = await asyncio.to_thread(_expire, ctx.engine, now)
    audience: dict[str, tuple[Production, dict[str, MemberState]]] = {}  # read once per tick
    count = lane_count(ctx.notifiers)
    lanes = Lanes(lambda items: _deliver_in_order(ctx, items, now, started, report, audience), count)
    try:
        for _ in range(MAX_BATCHES * count):  # several lanes: as much more in a tick, sent side by side
            await lanes.room()
            # Leases are on the tick's own time line: ``now`` plus the real time this tick has taken (or
            # the clock, if it runs ahead of that, as the benchmarks' fast clock does).
            on_line = _on_line(ctx, now, started)
            claimed = await asyncio.to_thread(_claim, ctx.engine, ctx.worker, on_line, ctx.lease)
            if not claimed:
                break
            lanes.add(await by_lane(ctx.uow_factory, ctx.notifiers, claimed, audience) if count > 1
                      else {None: claimed})
    finally:
        await lanes.finish()
    if report:
        log.info(
            "tick %s: %d recorded, %d sent, %d unreachable, %d to retry, %d failed, %d expired",
            now.isoformat(timespec="seconds"), report.recorded, report.sent, report.unreachable,
            report.retried, report.failed, report.expired,
        )
    return report


async def plan_tick(ctx: SchedulerContext, now: dt.datetime) -> int:
    """Plan what is due, one production per worker-thread call, with a pause between.

    Planning runs in this process next to the bots: while a worker thread plans, the event loop
    thread waits for the interpreter's lock at each of its wake-ups. One production at a time, and
    a pause after each, let the answers waiting in the loop go through between two productions
    instead of after all of them.
    """
    work = await asyncio.to_thread(planner.due, ctx.uow_factory, now, ctx.wakeups)
    recorded = 0
    for production_id in work.todo:
        recorded += await asyncio.to_thread(planner.plan_one, ctx.uow_factory, production_id, now, ctx.wakeups,
                                            work)
        await asyncio.sleep(PLAN_PAUSE_SECONDS)
    await asyncio.to_thread(planner.settle, ctx.uow_factory, now, ctx.wakeups, work)
    return recorded


async def _deliver_in_order(
    ctx: SchedulerContext, items: list[Claimed], now: dt.datetime, started: float, report: TickReport,
    audience: dict[str, tuple[Production, dict[str, MemberState]]],
) -> None:
    marks: list[asyncio.Task[None]] = []
    lost: set[int] = set()  # rows whose lease another scheduler took over: not to be sent
    heartbeat = asyncio.create_task(_keep_leases(ctx, items, now, started, lost))
    try:
        await _send_each(ctx, items, now, report, audience, marks, lost)
    finally:
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heartbeat
        await asyncio.gather(*marks)


def _on_line(ctx: SchedulerContext, now: dt.datetime, started: float) -> dt.datetime:
    """The tick's time line: ``now`` plus the real time the tick has taken, or the clock if ahead of it."""
    return max(ctx.clock.now(), now + dt.timedelta(seconds=time.monotonic() - started))


async def _keep_leases(
    ctx: SchedulerContext, items: list[Claimed], now: dt.datetime, started: float, lost: set[int]
) -> None:
    """While a batch is in flight, renew the leases of its rows once a third of the lease has gone.

    Sends may wait (the rate limiter, a 429, a slow store): each row's lease is kept alive for as
    long as the batch runs, not only until its send starts. A row found taken over
    by another scheduler (we were too slow, or stalled) goes into ``lost`` and is not sent.
    """
    renewed = _on_line(ctx, now, started)
    while True:
        await asyncio.sleep(LEASE_CHECK_SECONDS)
        at = _on_line(ctx, now, started)
        if at - renewed < ctx.lease / 3:
            continue
        ids = [item.row.id for item in items if item.row.id not in lost]
        kept = await asyncio.to_thread(_renew_all, ctx.engine, ids, ctx.worker, at + ctx.lease)
        lost.update(row_id for row_id, ok in kept.items() if not ok)
        renewed = at


def _renew_all(engine: Engine, ids: list[int], worker: str, until: dt.datetime) -> dict[int, bool]:
    """Renew each row still ours and being sent; rows already marked are left as they are (False)."""
    with engine.begin() as conn:
        return {row_id: outbox.renew(conn, row_id, worker, until) for row_id in ids}


async def _send_each(
    ctx: SchedulerContext, items: list[Claimed], now: dt.datetime, report: TickReport,
    audience: dict[str, tuple[Production, dict[str, MemberState]]], marks: list[asyncio.Task[None]],
    lost: set[int],
) -> None:
    """One after the other, in claim order; each one marked while the next is sent.

    Sending side by side was tried: on two cores it starved the event loop enough for leases to
    lapse under a fast clock, and another scheduler then sent the same rows again. The bot's rate
    limiter keeps the pace at Telegram's limit from one sender already.
    """
    for item in items:
        if item.row.id in lost:  # another scheduler has it now, and may have sent it
            report.lost_claims += 1
            continue
        await _deliver(ctx, item, now, report, audience, marks, lost)


def _expire(engine: Engine, now: dt.datetime) -> int:
    with engine.begin() as conn:
        return outbox.expire(conn, now)


def _claim(engine: Engine, worker: str, now: dt.datetime, lease: dt.timedelta) -> list[Claimed]:
    with engine.begin() as conn:  # committed before anything is sent
        return outbox.claim(conn, worker, now, lease, CLAIM_BATCH)


def _no_longer_wanted(
    ctx: SchedulerContext, row: outbox.Row, audience: dict[str, tuple[Production, dict[str, MemberState]]]
) -> str | None:
    """Why a crew member's message should not go out any more, or ``None``. Checked just before sending."""
    if row.kind not in (PROMPT, REMINDER, CAMPAIGN) or row.member_id is None:
        return None
    if row.production_id not in audience:
        with ctx.uow_factory() as uow:
            production = uow.productions.get(row.production_id)
            states = {s.member_id: s for s in uow.members.states(row.production_id)}
        audience[row.production_id] = (production, states)
    production, states = audience[row.production_id]
    try:
        member = production.member(row.member_id)
    except KeyError:
        return "no longer in the crew"
    state = states.get(row.member_id)
    if state is not None and state.forgotten:
        return "left greenslate"
    if not wants_messages_on(member, state, row.day):
        return "paused"
    return None


async def _deliver(
    ctx: SchedulerContext, item: Claimed, now: dt.datetime, report: TickReport,
    audience: dict[str, tuple[Production, dict[str, MemberState]]],
    marks: list[asyncio.Task[None]] | None = None, lost: set[int] | None = None,
) -> None:
    row = item.row
    if item.resumed:
        earlier = await _check_earlier_delivery(ctx, row)
        if earlier is not None:
            report.already_delivered += 1
            await _mark_and_count(ctx, row, earlier, now, report)
            return
        if row.not_after is not None and row.not_after <= now:
            await asyncio.to_thread(_finish, ctx.engine, outbox.mark_expired, row.id, ctx.worker,
                                    "its day was over before it could be sent")
            report.expired += 1
            return
    if row.production_id in audience:
        why_not = _no_longer_wanted(ctx, row, audience)
    else:
        why_not = await asyncio.to_thread(_no_longer_wanted, ctx, row, audience)
    if why_not is not None:  # paused or left since it was recorded (say, during retries)
        await asyncio.to_thread(_finish, ctx.engine, outbox.mark_expired, row.id, ctx.worker, why_not)
        report.expired += 1
        return
    if lost is not None and row.id in lost:  # taken over while we were getting ready: theirs to send
        report.lost_claims += 1
        return
    try:
        delivery = await _send(ctx, row)
    except Exception as exc:  # a notifier bug or a network error: keep the message, try again later
        log.warning("sending %s failed: %s", row.key, type(exc).__name__)
        delivery = Delivery(Outcome.RETRY, detail=f"{type(exc).__name__}: {exc}"[:500])
    if marks is None:
        await _mark_and_count(ctx, row, delivery, now, report)
    else:  # marked while the next one is sent; a crash before that is the resumed case above
        marks.append(asyncio.create_task(_mark_and_count(ctx, row, delivery, now, report)))


async def _send(ctx: SchedulerContext, row: outbox.Row) -> Delivery:
    """Hand one row to the notifier of its channel (or the team channel)."""
    if row.kind in (PROMPT, REMINDER, CAMPAIGN):
        return await _send_to_member(ctx, row)
    text = row.payload.get("text", "")
    if ctx.team is None:
        # No Discord bot running: the outbox row keeps the text (the dashboard lists it); the log says
        # where to read it, without the text, which names crew members (see store.erasure).
        log.warning("%s for %s kept for the dashboard (no team channel): outbox row %s",
                    row.kind, row.production_id, row.id)
        return Delivery(Outcome.SENT, message_ref="log")
    if row.kind == ESCALATION:
        assert row.member_id is not None
        return await ctx.team.escalate(row.production_id, row.member_id, int(row.payload["missed"]), text)
    if row.kind == DIGEST:
        return await ctx.team.post_digest(row.production_id, row.day, text)
    return Delivery(Outcome.UNREACHABLE, detail=f"unknown kind {row.kind}")


async def _send_to_member(ctx: SchedulerContext, row: outbox.Row) -> Delivery:
    """A prompt, reminder or campaign message, through the notifier of the member's channel."""
    channel = Channel(row.payload["channel"])
    if row.kind == CAMPAIGN and channel is Channel.DASHBOARD and channel not in ctx.notifiers:
        # Dashboard members read campaigns on the dashboard, which lists these rows.
        return Delivery(Outcome.SENT, message_ref="dashboard")
    notifier = ctx.notifiers.get(channel)
    if notifier is None and row.kind == CAMPAIGN and channel is Channel.DISCORD and ctx.team is not None:
        send_campaign = getattr(ctx.team, "send_campaign", None)  # the Discord bot posts it for them
        if send_campaign is not None:
            assert row.member_id is not None
            return await send_campaign(row.production_id, row.member_id, row.payload["message"])  # type: ignore[no-any-return]
    if notifier is None:
        return Delivery(Outcome.RETRY, detail=f"no notifier for channel {channel.value}")
    assert row.member_id is not None
    if row.kind == CAMPAIGN:
        return await notifier.send_campaign(row.production_id, row.member_id, row.payload["message"])
    return await notifier.send_prompt(
        row.production_id, row.member_id, row.assignment_key or "", row.day, reminder=row.kind == REMINDER
    )


async def _check_earlier_delivery(ctx: SchedulerContext, row: outbox.Row) -> Delivery | None:
    """After a crash mid-send: did the channel deliver it already? ``None`` if not, or if it cannot tell."""
    if row.kind not in (PROMPT, REMINDER, CAMPAIGN) or row.member_id is None:
        return None
    notifier = ctx.notifiers.get(Channel(row.payload["channel"]))
    if notifier is None:
        return None
    try:
        if row.kind == CAMPAIGN:
            check = getattr(notifier, "delivered_campaign", None)
            return await check(row.production_id, row.member_id, row.payload["message"]) if check else None
        check = getattr(notifier, "delivered_prompt", None)
        if check is None:
            return None
        return await check(row.production_id, row.member_id, row.assignment_key or "", row.day,
                           reminder=row.kind == REMINDER)
    except Exception as exc:
        log.warning("could not check whether %s was delivered: %s", row.key, type(exc).__name__)
        return None


def _finish(engine: Engine, action: Callable[..., bool], *args: object) -> bool:
    with engine.begin() as conn:
        return action(conn, *args)


def _mark(ctx: SchedulerContext, row: outbox.Row, delivery: Delivery, now: dt.datetime) -> str | None:
    """Record what became of a send; returns the TickReport counter to bump (None: the row was not ours)."""
    with ctx.engine.begin() as conn:
        if delivery.outcome is Outcome.SENT:
            done = "sent" if outbox.mark_sent(conn, row.id, ctx.worker, now, delivery.message_ref) else None
        elif delivery.outcome is Outcome.UNREACHABLE:
            ok = outbox.mark_unreachable(conn, row.id, ctx.worker, now, delivery.detail)
            done = "unreachable" if ok else None
        elif row.attempts >= MAX_ATTEMPTS:
            done = "failed" if outbox.mark_failed(conn, row.id, ctx.worker, delivery.detail) else None
            if done:
                log.error("giving up %s after %d attempts: %s", row.key, row.attempts, delivery.detail)
        else:
            not_before = now + retry_delay(row.attempts)
            ok = outbox.release_for_retry(conn, row.id, ctx.worker, not_before, delivery.detail)
            done = "retried" if ok else None
    if done is None:
        log.warning("the claim on %s ran out before it was marked", row.key)
    return done


async def _mark_and_count(
    ctx: SchedulerContext, row: outbox.Row, delivery: Delivery, now: dt.datetime, report: TickReport
) -> None:
    done = await asyncio.to_thread(_mark, ctx, row, delivery, now)
    if done is None:
        report.lost_claims += 1
        return
    setattr(report, done, getattr(report, done) + 1)
    if done == "sent":
        report.keys_sent.append(row.key)


def retry_delay(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, ... up to 30 min."""
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 1800))


# --- APScheduler ----------------------------------------------------------------------------------

JOB_ID = "greenslate-scheduler-tick"


async def scheduled_tick(ctx: SchedulerContext) -> None:
    """The job APScheduler runs (a module-level callable, as persistent job stores need)."""
    task = asyncio.current_task()
    if task is not None:
        ctx.inflight.add(task)
    try:
        await tick(ctx)
    except Exception:
        log.exception("scheduler tick failed; the next one tries again")
    finally:
        if task is not None:
            ctx.inflight.discard(task)


def _context(
    target: SchedulerContext | object,
    notifiers: Mapping[Channel, Notifier] | None,
    team_channel: TeamChannel | None,
    clock: Clock | None,
) -> SchedulerContext:
    if isinstance(target, SchedulerContext):
        return target
    return SchedulerContext.for_app(target, notifiers, team_channel, clock)


def build_scheduler(
    target: SchedulerContext | object,
    notifiers: Mapping[Channel, Notifier] | None = None,
    team_channel: TeamChannel | None = None,
    clock: Clock | None = None,
    interval_seconds: float = TICK_SECONDS,
) -> AsyncIOScheduler:
    """An APScheduler 3.11 scheduler ticking every ``interval_seconds``, first right at start.

    ``target`` is a ``SchedulerContext``, or a ``common.app.App`` with the notifiers by channel,
    the team channel and the clock. Late runs are coalesced into one and run up to an hour late
    instead of being dropped; one tick at a time. Call ``.start()`` inside the running event loop.
    """
    ctx = _context(target, notifiers, team_channel, clock)
    scheduler = AsyncIOScheduler(
        timezone=dt.UTC,
        job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS, "max_instances": 1},
    )
    scheduler.add_job(
        scheduled_tick,
        IntervalTrigger(seconds=interval_seconds, timezone=dt.UTC),
        args=[ctx],
        id=JOB_ID,
        name="send what is due",
        replace_existing=True,
        coalesce=True,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        max_instances=1,
        next_run_time=dt.datetime.now(dt.UTC),
    )
    return scheduler


async def run_scheduler(
    target: SchedulerContext | object,
    notifiers: Mapping[Channel, Notifier] | None = None,
    team_channel: TeamChannel | None = None,
    clock: Clock | None = None,
    *,
    stop: asyncio.Event | None = None,
    interval_seconds: float = TICK_SECONDS,
) -> None:
    """Run the scheduler in the current event loop until ``stop`` is set (or the task is cancelled)."""
    ctx = _context(target, notifiers, team_channel, clock)
    scheduler = build_scheduler(ctx, interval_seconds=interval_seconds)
    scheduler.start()
    log.info("scheduler %s started, ticking every %s s", ctx.worker, interval_seconds)
    try:
        await (stop or asyncio.Event()).wait()
    finally:
        # No new tick; let one that is sending finish while the bots are still up (APScheduler's
        # shutdown would cancel it mid-send), then stop.
        scheduler.pause()
        if ctx.inflight:
            await asyncio.wait(set(ctx.inflight), timeout=STOP_GRACE_SECONDS)
        scheduler.shutdown(wait=False)
        log.info("scheduler %s stopped", ctx.worker)

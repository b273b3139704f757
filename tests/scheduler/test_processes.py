"""Real scheduler processes on one store: a shoot across the spring DST change, killed and restarted.

Every member must receive each due prompt and reminder exactly once, none on the day off and none
while paused, whichever process sends it and whenever one dies (SIGKILL, at a random moment).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import multiprocessing
import os
import random
import signal
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.model import Campaign, Production, ShootingCalendar
from store import outbox
from store.engine import make_engine
from store.uow import SqlUnitOfWork
from tests.scheduler.support import load_example
from tests.scheduler.worker import STOP, record_then_die, work

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
SPAWN = multiprocessing.get_context("spawn")


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS).astimezone(UTC)


def dst_shoot(example: Production) -> Production:
    """The example, shooting every day around the spring change, Saturday 27 March off."""
    return replace(
        example,
        calendar=ShootingCalendar(start=dt.date(2027, 3, 26), end=dt.date(2027, 3, 30),
                                  weekdays=frozenset(range(7)), days_off=frozenset({dt.date(2027, 3, 27)})),
        # At 02:30 on the day of the change, a time that does not exist: sent at 03:00.
        sensitisation=(Campaign("engine-off", "driver", dt.date(2027, 3, 28), dt.time(2, 30)),),
    )


@dataclass
class Event:
    at: dt.datetime
    action: str  # start | kill
    worker: str


def simulate(
    db_url: str, folder: Path, instants: list[dt.datetime], events: list[Event], bot_api: tuple[str, str] | None = None
) -> None:
    """Move the simulated clock step by step; start and kill worker processes as ``events`` say."""
    step = SPAWN.Value("i", -2)
    done = SPAWN.Array("i", [-2] * 8)
    processes: dict[str, Any] = {}
    index: dict[str, int] = {}
    rng = random.Random(4)
    try:
        for number, instant in enumerate(instants):
            for event in (e for e in events if e.at == instant and e.action == "start"):
                index[event.worker] = len(index)
                done[index[event.worker]] = -2
                proc = SPAWN.Process(target=work, args=(db_url, str(folder), event.worker,
                                                        [i.isoformat() for i in instants], step, done,
                                                        index[event.worker], bot_api))
                proc.start()
                processes[event.worker] = proc
            step.value = number
            kills = [e for e in events if e.at == instant and e.action == "kill"]
            for event in kills:
                time.sleep(rng.uniform(0, 0.03))  # somewhere in the middle of its tick
                os.kill(processes[event.worker].pid, signal.SIGKILL)
                processes.pop(event.worker).join(10)
            deadline = time.monotonic() + 60
            for name, proc in processes.items():
                while done[index[name]] != number:
                    assert proc.is_alive(), f"worker {name} died on its own at {instant}"
                    assert time.monotonic() < deadline, f"worker {name} is stuck at {instant}"
                    time.sleep(0.001)
    finally:
        step.value = STOP
        for proc in processes.values():
            proc.join(20)
            if proc.is_alive():
                proc.kill()


def received(folder: Path) -> Counter[tuple[str, str, str, str]]:
    lines = [json.loads(line) for path in folder.glob("*.jsonl") for line in path.read_text().splitlines()]
    return Counter((e["kind"], e["member"], e["what"], e.get("day", "")) for e in lines)


PLANS = {
    # SQLite: meant for one process, but two (a scheduler in two web workers) must not double-send
    # either; killed, restarted; killed, then back two hours later.
    "sqlite": [
        Event(paris(2027, 3, 26, 0, 0), "start", "a"),
        Event(paris(2027, 3, 26, 0, 0), "start", "x"),
        Event(paris(2027, 3, 26, 20, 0), "kill", "a"),
        Event(paris(2027, 3, 27, 12, 0), "kill", "x"),
        Event(paris(2027, 3, 26, 20, 15), "start", "b"),
        Event(paris(2027, 3, 29, 19, 0), "kill", "b"),
        Event(paris(2027, 3, 29, 21, 15), "start", "c"),
    ],
    # PostgreSQL: two processes at once, one killed mid-send, both down two hours, two again.
    "postgresql": [
        Event(paris(2027, 3, 26, 0, 0), "start", "a"),
        Event(paris(2027, 3, 26, 0, 0), "start", "b"),
        Event(paris(2027, 3, 26, 20, 0), "kill", "a"),
        Event(paris(2027, 3, 28, 12, 0), "start", "c"),
        Event(paris(2027, 3, 29, 19, 0), "kill", "b"),
        Event(paris(2027, 3, 29, 19, 0), "kill", "c"),
        Event(paris(2027, 3, 29, 21, 15), "start", "d"),
        Event(paris(2027, 3, 29, 21, 15), "start", "e"),
    ],
}


@pytest.mark.reliability
@pytest.mark.timeout(600)
def test_a_shoot_across_the_spring_change_with_kills_restarts_and_two_processes(
    db_url: str, tmp_path: Path, example: Production
) -> None:
    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    shoot = dst_shoot(example)
    engine = make_engine(db_url)
    try:
        load_example(lambda: SqlUnitOfWork(engine), shoot, paused={"amina": dt.date(2027, 3, 27)})
        with SqlUnitOfWork(engine) as uow:
            uow.members.set_unreachable(shoot.id, "karim", True)  # he blocked the bot
            uow.commit()
    finally:
        engine.dispose()
    start, end = paris(2027, 3, 26, 0, 0), paris(2027, 3, 30, 23, 45)
    instants = [start + dt.timedelta(minutes=15 * n) for n in range(int((end - start) / dt.timedelta(minutes=15)) + 1)]
    folder = tmp_path / "sent"
    folder.mkdir()

    simulate(db_url, folder, instants, PLANS[backend])

    days = [dt.date(2027, 3, d).isoformat() for d in (26, 28, 29, 30)]  # the 27th is off
    prompts = (
        [("paul", "paul:meals", d) for d in days]
        + [("lea", f"lea:generator_hours:{g}", d) for d in days for g in ("g1", "g2")]
        + [("amina", "amina:mileage:mb1", d) for d in days[1:]]  # paused until the 27th
        + [("sam", "sam:waste", d) for d in ("2027-03-26", "2027-03-30")]  # weekly, and the shoot's last day
    )
    expected = Counter([("prompt", *p) for p in prompts] + [("reminder", *p) for p in prompts])
    expected[("campaign", "amina", "engine-off", "")] = 1  # Karim is unreachable
    got = received(folder)
    assert got == expected, {k: v for k, v in (got - expected).items()} or dict(expected - got)
    senders = {path.stem for path in folder.glob("*.jsonl") if path.read_text()}
    assert len(senders) >= 3  # the work really was shared between processes and restarts

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = outbox.rows(conn)
    finally:
        engine.dispose()
    assert {r.status for r in rows} == {"sent"}
    by_kind = Counter(r.kind for r in rows)
    assert by_kind["prompt"] == by_kind["reminder"] == len(prompts)
    campaign = next(r for r in rows if r.kind == "campaign")
    assert campaign.due_at == paris(2027, 3, 28, 3, 0)  # 02:30 did not exist that night
    monday_amina = next(r for r in rows if r.key == f"prompt:{shoot.id}:amina:amina:mileage:mb1:2027-03-29")
    assert monday_amina.sent_at == paris(2027, 3, 29, 21, 15)  # sent once, when a scheduler came back


@pytest.mark.postgres
@pytest.mark.reliability
@pytest.mark.timeout(600)
async def test_two_scheduler_processes_through_the_bot_api_send_each_prompt_once(
    pg_db_url: str, tmp_path: Path, example: Production
) -> None:
    """Two processes with their own Telegram bot on one PostgreSQL store; one restarted overnight."""
    pytest.importorskip("bots.telegram.notifier")
    from tests.support.botapi import BotApiServer

    shoot = replace(dst_shoot(example), crew=tuple(replace(m, voice=False) for m in example.crew), sensitisation=())
    engine = make_engine(pg_db_url)
    try:
        load_example(lambda: SqlUnitOfWork(engine), shoot)
    finally:
        engine.dispose()
    server = BotApiServer()
    await server.start()
    try:
        for position, member in enumerate(shoot.crew):
            server.add_user(1000 + position, member.name.split()[0], member.language.value)
        server.block(1001)  # Karim blocked the bot
        start, end = paris(2027, 3, 28, 0, 0), paris(2027, 3, 29, 23, 45)
        instants = [start + dt.timedelta(minutes=15 * n)
                    for n in range(int((end - start) / dt.timedelta(minutes=15)) + 1)]
        events = [
            Event(start, "start", "a"), Event(start, "start", "b"),
            Event(paris(2027, 3, 29, 3, 0), "kill", "a"), Event(paris(2027, 3, 29, 6, 0), "start", "c"),
        ]
        await asyncio.to_thread(simulate, pg_db_url, tmp_path, instants, events, (server.base_url, server.token))
    finally:
        await server.stop()

    days = ("2027-03-28", "2027-03-29")
    per_member = {"paul": 2 * 2, "lea": 2 * 2 * 2, "amina": 2 * 2, "sam": 0}  # prompts and reminders
    for position, member in enumerate(shoot.crew):
        if member.id in per_member:
            sent = server.sent_to(1000 + position)
            assert len(sent) == per_member[member.id], (member.id, [s.text for s in sent])
            assert len({s.message_id for s in sent}) == len(sent)
    assert server.sent_to(1001) == []
    engine = make_engine(pg_db_url)
    try:
        with engine.connect() as conn:
            rows = outbox.rows(conn, kinds=["prompt", "reminder"])
    finally:
        engine.dispose()
    assert Counter(r.status for r in rows) == Counter({"sent": 16, "unreachable": 1})
    assert {r.day.isoformat() for r in rows} == set(days)
    assert len({r.claimed_by for r in rows if r.status == "sent"}) >= 2  # the processes shared the work


@pytest.mark.reliability
def test_a_process_killed_right_after_recording_loses_no_prompt(
    sqlite_db_url: str, tmp_path: Path, example: Production
) -> None:
    engine = make_engine(sqlite_db_url)
    try:
        load_example(lambda: SqlUnitOfWork(engine), example)
        at = paris(2027, 3, 8, 20, 5)
        proc = SPAWN.Process(target=record_then_die, args=(sqlite_db_url, at.isoformat()))
        proc.start()
        proc.join(60)
        assert proc.exitcode == -signal.SIGKILL
        with engine.connect() as conn:
            assert Counter(r.status for r in outbox.rows(conn)) == Counter({"pending": 5})
        from scheduler.clock import ManualClock
        from scheduler.runner import SchedulerContext, tick
        from tests.scheduler.support import RecordingNotifier

        notifier = RecordingNotifier()
        ctx = SchedulerContext(engine=engine, uow_factory=lambda: SqlUnitOfWork(engine),
                               notifiers={"telegram": notifier}, clock=ManualClock(at))  # type: ignore[dict-item]
        asyncio.run(tick(ctx))
        asyncio.run(tick(ctx))
        assert len(notifier.prompts()) == 5 and len(set(notifier.prompts())) == 5
        with engine.connect() as conn:
            assert Counter(r.status for r in outbox.rows(conn)) == Counter({"sent": 5})
    finally:
        engine.dispose()

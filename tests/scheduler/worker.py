"""A scheduler process for the multi-process tests: ticks at the simulated instants the test sets.

The test process owns the simulated clock (a shared step number); each worker ticks once per step
and says so. Each worker's channel appends what it sends to its own file, one JSON line per
message, written in one call: that file is what reached the crew. The channel's ledger (what it
already delivered, as the Telegram bot's prompt table is) is every worker's file together.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

from domain.model import Channel
from scheduler.notify import Delivery, Outcome
from scheduler.runner import SchedulerContext, tick
from store.engine import make_engine
from store.uow import SqlUnitOfWork

STOP = -1


class FileChannel:
    def __init__(self, folder: Path, worker: str) -> None:
        self.folder = folder
        self.path = folder / f"{worker}.jsonl"

    def _write(self, entry: dict[str, Any]) -> None:
        line = (json.dumps(entry, sort_keys=True) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)  # one write: the message either reached the crew or it did not
        finally:
            os.close(fd)

    def _delivered(self, entry: dict[str, Any]) -> bool:
        for path in self.folder.glob("*.jsonl"):
            for line in path.read_text().splitlines():
                if json.loads(line) == entry:
                    return True
        return False

    async def send_prompt(
        self, production_id: str, member_id: str, assignment_key: str, day: dt.date, *, reminder: bool = False
    ) -> Delivery:
        await asyncio.sleep(0.002)  # a network round trip: widens the window for races
        self._write(_prompt(production_id, member_id, assignment_key, day, reminder))
        return Delivery(Outcome.SENT, message_ref=self.path.stem)

    async def send_campaign(self, production_id: str, member_id: str, message_key: str) -> Delivery:
        self._write({"kind": "campaign", "production": production_id, "member": member_id, "what": message_key})
        return Delivery(Outcome.SENT, message_ref=self.path.stem)

    async def delivered_prompt(
        self, production_id: str, member_id: str, assignment_key: str, day: dt.date, *, reminder: bool = False
    ) -> Delivery | None:
        found = self._delivered(_prompt(production_id, member_id, assignment_key, day, reminder))
        return Delivery(Outcome.SENT, message_ref="ledger") if found else None


def _prompt(production_id: str, member_id: str, assignment_key: str, day: dt.date, reminder: bool) -> dict[str, Any]:
    return {"kind": "reminder" if reminder else "prompt", "production": production_id, "member": member_id,
            "what": assignment_key, "day": day.isoformat()}


def work(
    db_url: str, folder: str, worker: str, instants: list[str], step: Synchronized, done: Any, index: int,
    bot_api: tuple[str, str] | None = None,
) -> None:
    """Tick at ``instants[step]`` each time the test moves ``step``, until it is STOP.

    With ``bot_api`` (base URL, token), messages go through the real Telegram bot to that server.
    """
    asyncio.run(_work(db_url, Path(folder), worker, [dt.datetime.fromisoformat(i) for i in instants],
                      step, done, index, bot_api))


async def _work(
    db_url: str, folder: Path, worker: str, instants: list[dt.datetime], step: Synchronized, done: Any, index: int,
    bot_api: tuple[str, str] | None,
) -> None:
    engine = make_engine(db_url)
    current_instant = {"now": instants[0]}
    application = None
    if bot_api is None:
        notifier: Any = FileChannel(folder, worker)
    else:
        from bots.telegram.app import build_application
        from bots.telegram.notifier import TelegramNotifier
        from bots.telegram.services import services_of
        from common.app import App

        app = App.from_env(database_url=db_url, telegram_api_url=bot_api[0], telegram_token=bot_api[1])
        application = build_application(app, rate_limit=False)
        await application.initialize()
        services_of(application).clock = lambda: current_instant["now"]
        notifier = TelegramNotifier(application, app)
    ctx = SchedulerContext(engine=engine, uow_factory=lambda: SqlUnitOfWork(engine),
                           notifiers={Channel.TELEGRAM: notifier}, worker=worker)
    last = None
    try:
        while True:
            current = step.value
            if current == STOP:
                return
            if current != last and current >= 0:
                current_instant["now"] = instants[current]
                try:
                    await tick(ctx, instants[current])
                except Exception as exc:  # as greenslate run does: the next tick tries again
                    print(f"worker {worker}: tick failed: {exc!r}", flush=True)
                last = current
                done[index] = current
            else:
                await asyncio.sleep(0.001)
    finally:
        if application is not None:
            await application.shutdown()
        engine.dispose()


def record_then_die(db_url: str, instant: str) -> None:
    """Record what is due at ``instant``, then die at once (SIGKILL), before anything is sent."""
    import signal

    from scheduler.planner import plan

    engine = make_engine(db_url)
    plan(lambda: SqlUnitOfWork(engine), dt.datetime.fromisoformat(instant))
    os.kill(os.getpid(), signal.SIGKILL)

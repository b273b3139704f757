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
import time
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
    db_url: str, folder: str, worker: str, instants: list[str], step: Synchronized, done: Any, index: int
) -> None:
    """Tick at ``instants[step]`` each time the test moves ``step``, until it is STOP."""
    asyncio.run(_work(db_url, Path(folder), worker, [dt.datetime.fromisoformat(i) for i in instants],
                      step, done, index))


async def _work(
    db_url: str, folder: Path, worker: str, instants: list[dt.datetime], step: Synchronized, done: Any, index: int
) -> None:
    engine = make_engine(db_url)
    channel = FileChannel(folder, worker)
    ctx = SchedulerContext(engine=engine, uow_factory=lambda: SqlUnitOfWork(engine),
                           notifiers={Channel.TELEGRAM: channel}, worker=worker)
    last = None
    try:
        while True:
            current = step.value
            if current == STOP:
                return
            if current != last and current >= 0:
                await tick(ctx, instants[current])
                last = current
                done[index] = current
            else:
                time.sleep(0.001)
    finally:
        engine.dispose()

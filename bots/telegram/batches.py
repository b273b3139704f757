"""Store work of many chats at once: one call for many, and for writes one transaction.

Chats are handled side by side (``bots.telegram.polling``). When a hundred members answer within a
second, each answer's reads and its write would be a connection and a transaction of its own, and
the bot's one core would spend more time on those than on storing figures. Here a handler hands
its store work to a :class:`Batches` and waits: the work handed over while the previous batch ran
goes together, as one call (on the event loop for SQLite, awaited through an asyncio engine for
PostgreSQL, else in a worker thread).

- ``reads``: what a typed answer needs about its chat, for every waiting chat in three queries
  (:meth:`store.telegram.TelegramStore.read_chats`);
- ``writes``: the use cases storing figures, in one transaction with one commit
  (:func:`store.uow.run_together`); a new figure's reads are made for the whole batch at once and
  its writes at the batch's end (:mod:`store.together`); a refused figure undoes only itself.

A handler gets its own result, or its own exception, only once its batch is done (for a write:
committed), so a member is never told a figure is stored before it is. A lone answer is not
delayed: a batch starts as soon as work arrives and none is running. (Two batches at once on
PostgreSQL were tried: smaller batches, more of the bot's time each, and no lower latency.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from store.uow import LockBusy

Request = TypeVar("Request")
Result = TypeVar("Result")

#: At most this many requests go together (a getUpdates batch holds at most 100 updates).
MAX_BATCH = 100


class Batches(Generic[Request, Result]):
    """Requests from concurrent handlers, run ``MAX_BATCH`` at a time by ``run_batch`` in a worker thread.

    ``run_batch`` takes the requests and returns one outcome per request, in order: a result, or an
    exception for that request alone. If it raises, every request of the batch gets that exception.

    ``on_loop``, when given, does the same on the event loop itself, without a worker thread: for
    work that never waits on the network or on another process (SQLite, whose write lock it takes
    without waiting). It raises :class:`store.uow.LockBusy` when it would have to wait; the batch
    then goes to ``run_batch`` in a worker thread. ``run_async``, when given, is awaited instead of
    ``run_batch`` (work whose waits are awaited on the loop: PostgreSQL through an asyncio engine).
    """

    def __init__(self, run_batch: Callable[[list[Request]], Sequence[Result | Exception]],
                 max_batch: int = MAX_BATCH, *,
                 on_loop: Callable[[list[Request]], Sequence[Result | Exception]] | None = None,
                 run_async: Callable[[list[Request]], Awaitable[Sequence[Result | Exception]]] | None = None) -> None:
        self._run_batch = run_batch
        self._on_loop = on_loop
        self._run_async = run_async
        self._max = max(1, max_batch)
        self._waiting: list[tuple[Request, asyncio.Future[Result]]] = []
        self._runner: asyncio.Task[None] | None = None
        #: How many batches ran and how many requests they held (a batch's mean size, when watching it).
        self.batches = 0
        self.requests = 0

    async def submit(self, request: Request) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((request, future))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._drain(), name="store-batches")
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:self._max], self._waiting[self._max:]
            requests = [request for request, _ in batch]
            self.batches += 1
            self.requests += len(requests)
            try:
                outcomes = None
                if self._on_loop is not None:
                    try:
                        outcomes = self._on_loop(requests)
                    except LockBusy:  # another process is writing: wait for it in a worker thread, not here
                        outcomes = None
                if outcomes is None and self._run_async is not None:
                    outcomes = await self._run_async(requests)
                if outcomes is None:
                    outcomes = await asyncio.to_thread(self._run_batch, requests)
                if len(outcomes) != len(batch):
                    raise RuntimeError(f"{len(outcomes)} outcomes for {len(batch)} requests")
            except Exception as exc:  # the batch as a whole failed: every request gets the failure
                outcomes = [exc] * len(batch)
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

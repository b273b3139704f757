"""The SQL unit of work: one transaction, the repositories that work inside it.

Usage::

    uow = SqlUnitOfWork(engine)
    with uow:
        uow.productions.save(production)
        uow.commit()          # without it, leaving the block rolls everything back

Feature modules (invites, outbox, ...) run their own statements in the same transaction through
``uow.connection`` (an SQLAlchemy Core ``Connection``: ``uow.connection.execute(insert(invites).values(...))``).
A unit of work can be entered again once left; entering it while inside reuses the open
transaction, and only the outermost block ends it.

SQLAlchemy's ORM is not used (there are no mapped classes): a statement goes straight to the
connection, and a command on the store does not import the ORM at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from domain.usecases import AnswerReads
from store.engine import SQLITE_BUSY_TIMEOUT_MS
from store.repositories import (
    SqlActionRepository,
    SqlEmissionLineRepository,
    SqlMemberRepository,
    SqlProductionRepository,
    SqlReportRepository,
)
from store.sums import SumDeltas, write_sums
from store.together import BatchedEmissionLineRepository, BatchedReportRepository, Together, chain_key

if TYPE_CHECKING:  # the asyncio extension is imported where an event loop uses it
    from sqlalchemy.ext.asyncio import AsyncEngine

_LOCK_CHAIN = text("SELECT pg_advisory_xact_lock(hashtextextended(:chain, 0))")


class SqlUnitOfWork:
    productions: SqlProductionRepository
    members: SqlMemberRepository
    reports: SqlReportRepository
    lines: SqlEmissionLineRepository
    actions: SqlActionRepository

    def __init__(self, bind: Engine | Connection) -> None:
        """On an engine, each outermost block takes a connection from its pool and gives it back at the
        end. On a connection (one the caller opened, such as ``AsyncConnection.run_sync``'s), the
        blocks use it and leave it open: only their transaction ends with them."""
        self._bind = bind
        self._conn: Connection | None = None
        self._depth = 0
        #: The chains whose locks are held already (taken together for a batch, see store.together).
        self.locked_chains: frozenset[tuple[str, str]] = frozenset()

    @property
    def connection(self) -> Connection:
        """The connection of the current transaction: the repositories' and the feature modules' one handle.

        Its transaction begins with its first statement (or ``begin_nested()``) and ends with
        :meth:`commit`, or with the outermost block, rolled back.
        """
        if self._conn is None:
            raise RuntimeError("the unit of work is not open: use it in a `with uow:` block")
        return self._conn

    def __enter__(self) -> Self:
        self._depth += 1
        if self._depth == 1:
            try:
                conn = self._bind.connect() if isinstance(self._bind, Engine) else self._bind
            except BaseException:
                self._depth -= 1
                raise
            self._conn = conn
            self.productions = SqlProductionRepository(conn)
            self.members = SqlMemberRepository(conn)
            self.reports = SqlReportRepository(conn)
            self.lines = SqlEmissionLineRepository(conn)
            self.actions = SqlActionRepository(conn)
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth > 0:
            return
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.rollback()  # nothing to do after commit(); undoes anything left uncommitted
            finally:
                if conn is not self._bind:
                    conn.close()  # back to the engine's pool

    def lock_chain(self, production_id: str, subject: str) -> None:
        """Writers of one vehicle's or generator's readings take turns (see ``UnitOfWork.lock_chain``).

        PostgreSQL: a transaction-level advisory lock on the chain, released at commit or rollback;
        other chains and readers go on. SQLite: the database's write lock, taken now instead of at
        the first write (``BEGIN IMMEDIATE``), so what is read next is what the last writer
        committed; SQLite has one writer at a time anyway.
        """
        if (production_id, subject) in self.locked_chains:
            return  # taken with the batch's other chains (store.together)
        conn = self.connection
        if conn.dialect.name == "postgresql":
            conn.execute(_LOCK_CHAIN, {"chain": chain_key(production_id, subject)})
        elif conn.dialect.name == "sqlite":
            driver = conn.connection.driver_connection
            if driver is not None and not driver.in_transaction:  # a write earlier in this unit holds it already
                conn.exec_driver_sql("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()

    def before_commit(self, statement: Any, params: dict[str, Any]) -> None:
        """Run ``statement`` with ``params`` in this transaction, at the latest just before it commits.

        For writes nothing in the transaction reads back (the bookkeeping of a stored figure): here
        at once; in :func:`run_together`, gathered and run once for the batch (``executemany``: one
        round trip on PostgreSQL for all of them).
        """
        self.connection.execute(statement, params)


T = TypeVar("T")


@dataclass(frozen=True)
class Job(Generic[T]):
    """A use case for :func:`run_together`, with what it will read known beforehand.

    ``reads`` (:func:`domain.usecases.answer_reads`): the batch reads it for all its jobs at once
    and writes their reports at its end (:mod:`store.together`). A plain callable works too, its
    reads made when it asks.
    """

    run: Callable[[SqlUnitOfWork], T]
    reads: AnswerReads | None = None

    def __call__(self, uow: SqlUnitOfWork) -> T:
        return self.run(uow)


class _SharedUnitOfWork(SqlUnitOfWork):
    """The unit of work of :func:`run_together`: a job's ``commit()`` waits for the batch's."""

    def __init__(self, bind: Engine | Connection) -> None:
        super().__init__(bind)
        self.deferred: list[tuple[Any, dict[str, Any]]] = []  # the running job's, see before_commit

    def before_commit(self, statement: Any, params: dict[str, Any]) -> None:
        self.deferred.append((statement, params))

    def commit(self) -> None:
        """Nothing yet: the jobs' work is committed together once every job has run."""

    def rollback(self) -> None:
        raise RuntimeError("a job run together with others cannot roll back the shared transaction: raise instead")


async def run_together_async(engine: AsyncEngine, jobs: Sequence[Callable[[SqlUnitOfWork], T]]) -> list[T | Exception]:
    """:func:`run_together` on an event loop, through an asyncio engine (PostgreSQL).

    The jobs' code stays synchronous; SQLAlchemy runs it in a greenlet and awaits each statement's
    round trip on the loop. No worker thread: on a busy process, a thread waiting for the
    interpreter lock after every round trip (up to 5 ms each) made an answer's storing take tens of
    milliseconds.
    """
    if not jobs:
        return []
    async with engine.connect() as conn:
        return await conn.run_sync(run_together, jobs)  # the unit of work on run_sync's connection


class LockBusy(Exception):
    """SQLite's write lock is held by another connection, and the caller asked not to wait for it."""


def run_together(bind: Engine | Connection,
                 jobs: Sequence[Callable[[SqlUnitOfWork], T]], *, wait: bool = True) -> list[T | Exception]:
    """Run ``jobs`` (each a use case given a unit of work) in one transaction, with one commit.

    A job that raises leaves nothing behind and gets its exception as its result; the others go on.
    What the jobs wrote is committed once, after the last one (a group commit: many answers for the
    price of one transaction). If the transaction itself fails (the connection is lost, the commit
    is refused), this raises and none of the jobs was stored. On SQLite the write lock is taken at
    the start, so that what each job reads is what it writes over.

    The jobs first run one after the other without savepoints (each is a round trip on
    PostgreSQL). If one raises, that attempt is rolled back and all run again, each in a savepoint.

    ``wait=False`` (SQLite): if another connection holds the write lock, raise :class:`LockBusy`
    at once, before any job ran, instead of waiting up to the busy timeout.
    """
    if not jobs:
        return []
    done = _run_jobs(bind, jobs, savepoints=False, wait=wait)
    if done is not None:
        return done
    ran = _run_jobs(bind, jobs, savepoints=True, wait=wait)
    assert ran is not None
    return ran


def run_as_one(bind: Engine | Connection, jobs: Sequence[Callable[[SqlUnitOfWork], T]], *,
               keep: bool = True) -> list[T | Exception]:
    """Run ``jobs`` in one transaction, stored all together or not at all (a file imported).

    Each job sees what the jobs before it wrote. If one raises, every job is run again, each in a
    savepoint, so that each result says what became of that job (its exception, or what it would
    have stored); then the transaction is rolled back and nothing is stored. With ``keep=False``
    (a check, no import) it is rolled back even when every job went through.
    """
    if not jobs:
        return []
    done = _run_jobs(bind, jobs, savepoints=False, wait=True, as_one=True, keep=keep)
    if done is None:
        done = _run_jobs(bind, jobs, savepoints=True, wait=True, as_one=True, keep=keep)
    assert done is not None
    return done


def _run_jobs(bind: Engine | Connection, jobs: Sequence[Callable[[SqlUnitOfWork], T]], *,
              savepoints: bool, wait: bool, as_one: bool = False, keep: bool = True) -> list[T | Exception] | None:
    """One attempt of :func:`run_together`; None when a job raised and there were no savepoints to undo it alone.

    Without savepoints, jobs that say what they read (:class:`Job`) are run together
    (:mod:`store.together`): their reads made beforehand, their writes at the end.
    """
    uow = _SharedUnitOfWork(bind)
    with uow:
        conn = uow.connection
        if conn.dialect.name == "sqlite":
            driver = conn.connection.driver_connection
            if driver is not None and not driver.in_transaction:
                _take_sqlite_write_lock(conn, wait)
        reads = [r for r in (getattr(job, "reads", None) for job in jobs) if r is not None]
        together = Together.read(conn, reads, len(jobs)) if reads and not savepoints else None
        sums = SumDeltas()  # what the jobs' lines add to the sums of lines, written once at the end
        deferred: dict[Any, list[dict[str, Any]]] = {}  # the jobs' before_commit writes, by statement
        try:
            if together is None:
                results = _each(uow, jobs, sums, deferred, savepoints=savepoints)
            else:
                results = _batched(uow, together, jobs, sums, deferred)
        except _OnlyJobFailed as failed:
            return [failed.exc]  # leaving the block rolls back the job's work, and only its work
        if results is None:
            return None
        if not keep or (as_one and any(isinstance(r, Exception) for r in results)):
            return results  # leaving the block rolls every job's work back
        for statement, rows in deferred.items():  # one row as a plain execute: executemany costs more
            conn.execute(statement, rows if len(rows) > 1 else rows[0])
        # Each row of the sums written once for the batch, in key order: two batches (two bot
        # instances) touching the same rows take their locks in the same order and cannot deadlock.
        write_sums(conn, sums)
        conn.commit()
    return results


class _OnlyJobFailed(Exception):
    """The one job of a batch raised ``exc``: nothing to run again, its result is the exception."""

    def __init__(self, exc: Exception) -> None:
        super().__init__(exc)
        self.exc = exc


def _batched(uow: _SharedUnitOfWork, together: Together, jobs: Sequence[Callable[[SqlUnitOfWork], T]],
             sums: SumDeltas, deferred: dict[Any, list[dict[str, Any]]]) -> list[T | Exception] | None:
    """The jobs run over the batch's own repositories (store.together), its writes made at the end."""
    conn = uow.connection
    uow.reports = BatchedReportRepository(conn, together)
    uow.lines = BatchedEmissionLineRepository(conn, together)
    uow.locked_chains = frozenset(together.locked)
    together.watch(conn)
    try:
        results = _each(uow, jobs, sums, deferred, savepoints=False, batched=True)
        if results is None:
            return None
        try:
            together.flush(conn)
        except IntegrityError:  # a message stored meanwhile by another process: one at a time
            return None
        for line in together.removed:
            sums.add(line, -1)
        return results
    finally:
        together.unwatch()
        uow.reports = SqlReportRepository(conn)
        uow.lines = SqlEmissionLineRepository(conn)
        uow.locked_chains = frozenset()


def _each(uow: _SharedUnitOfWork, jobs: Sequence[Callable[[SqlUnitOfWork], T]], sums: SumDeltas,
          deferred: dict[Any, list[dict[str, Any]]], *, savepoints: bool,
          batched: bool = False) -> list[T | Exception] | None:
    """Run the jobs one after the other, each in a savepoint or not; None when one raised without."""
    results: list[T | Exception] = []
    for job in jobs:
        uow.lines.pending_sums = own = SumDeltas()
        uow.deferred = []
        if not savepoints:
            try:
                results.append(job(uow))
            except Exception as exc:
                if len(jobs) == 1 and not (batched and isinstance(exc, SQLAlchemyError)):
                    raise _OnlyJobFailed(exc) from exc
                return None  # every job's work is rolled back: run them again, each in a savepoint
            _keep(uow, own, sums, deferred)
            continue
        savepoint = uow.connection.begin_nested()
        try:
            result = job(uow)
        except Exception as exc:  # the job's own failure (a refused figure): only its work is undone
            savepoint.rollback()
            results.append(exc)
        else:
            savepoint.commit()
            _keep(uow, own, sums, deferred)
            results.append(result)
    uow.lines.pending_sums = None
    return results


def _keep(uow: _SharedUnitOfWork, sums: SumDeltas, batch_sums: SumDeltas,
          batch_deferred: dict[Any, list[dict[str, Any]]]) -> None:
    """A job went through: what it left to write at the end joins the batch's."""
    batch_sums.merge(sums)
    for statement, params in uow.deferred:
        batch_deferred.setdefault(statement, []).append(params)
    uow.deferred = []


def _take_sqlite_write_lock(conn: Connection, wait: bool) -> None:
    """``BEGIN IMMEDIATE``; without waiting (a busy timeout of 0 for that statement) unless ``wait``."""
    if wait:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        return
    conn.exec_driver_sql("PRAGMA busy_timeout = 0")
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError as exc:
        if "locked" in str(exc.orig) or "busy" in str(exc.orig):
            raise LockBusy("another connection is writing") from exc
        raise
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")

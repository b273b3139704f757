"""The outbox: every message the scheduler sends is a row here before it is sent, and marked after.

A row's ``key`` is unique (``prompt:<production>:<member>:<assignment>:<day>``, ``reminder:...``,
``escalation:...``, ``digest:...``, ``campaign:...``), so recording a message twice records it once,
whichever process does it.

Life of a row::

    pending --claim--> sending --send--> sent | unreachable
                          |         `--> pending again (retry later) | failed (too many attempts)
                          `-- lease over (the sender died) --> claimed again, checked, see below
    pending, once its ``not_after`` passed --> expired (a prompt of a day that is over)

Claiming marks rows ``sending`` with a lease (``claimed_until``) in one short transaction. On
PostgreSQL the candidate rows are read ``FOR UPDATE SKIP LOCKED``, so two schedulers never claim the
same row and never wait for each other; on SQLite (one process) the same statements run without it.
Every state change is a conditional ``UPDATE`` (the row must still be in the state we read, and
claimed by us), so even a lost lease cannot make two senders both mark one row.

A row found ``sending`` with its lease over is the crash-between-send-and-mark case: the message may
or may not have gone out. ``Claimed.resumed`` tells the sender so; the scheduler then asks the
channel whether it already delivered it (``scheduler.notify.DeliveryCheck``: the Telegram bot keeps
every prompt's message id) and marks it sent if so, or sends it if not. What is left is the few
milliseconds between Telegram accepting a message and the bot recording it: a crash exactly there
sends that message again (at least once), because a prompt lost costs a figure while a prompt
repeated costs nothing (an answer counts once per member, assignment and day).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    bindparam,
    exists,
    insert,
    or_,
    select,
    update,
)

from domain.model import ReportKind
from domain.schedule import SentPrompt
from store.engine import dialect_insert
from store.tables import ID, UtcDateTime, metadata, reports

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
UNREACHABLE = "unreachable"
FAILED = "failed"
EXPIRED = "expired"
STATUSES = (PENDING, SENDING, SENT, UNREACHABLE, FAILED, EXPIRED)

#: Kinds of message, as in the key's first part.
PROMPT = "prompt"
REMINDER = "reminder"
ESCALATION = "escalation"
DIGEST = "digest"
CAMPAIGN = "campaign"

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("production_id", ID, ForeignKey("productions.id", ondelete="CASCADE"), nullable=False),
    Column("member_id", ID, nullable=True),
    Column("assignment_key", String(200), nullable=True),
    Column("day", Date, nullable=False),  # the production's local day the message is about
    Column("payload", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("due_at", UtcDateTime, nullable=False),
    Column("not_after", UtcDateTime, nullable=True),  # still pending then: expired, never sent late
    Column("claimed_by", String(100), nullable=True),
    # While sending: the lease. While pending after a failed attempt: not before this instant.
    Column("claimed_until", UtcDateTime, nullable=True),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("message_ref", String(200), nullable=True),
    Column("error", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_outbox_status_claimed_until", "status", "claimed_until"),
    Index("ix_outbox_production_kind_day", "production_id", "kind", "day"),
)


@dataclass(frozen=True)
class Message:
    """A message to record: what the scheduler decided is due."""

    key: str
    kind: str
    production_id: str
    day: dt.date
    due_at: dt.datetime
    member_id: str | None = None
    assignment_key: str | None = None
    not_after: dt.datetime | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    id: int
    key: str
    kind: str
    production_id: str
    member_id: str | None
    assignment_key: str | None
    day: dt.date
    payload: dict[str, Any]
    status: str
    attempts: int
    due_at: dt.datetime
    not_after: dt.datetime | None
    claimed_by: str | None
    claimed_until: dt.datetime | None
    sent_at: dt.datetime | None
    message_ref: str | None
    error: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class Claimed:
    row: Row
    resumed: bool  # it was ``sending`` under a lease that ran out: it may have gone out already


def _row(mapping: Any) -> Row:
    return Row(**{c.name: mapping[c.name] for c in outbox.columns})


def record(conn: Connection, messages: Iterable[Message], now: dt.datetime) -> int:
    """Record ``messages`` as pending; a key already recorded is left as it is. Returns how many are new."""
    rows = [
        {
            "key": m.key,
            "kind": m.kind,
            "production_id": m.production_id,
            "member_id": m.member_id,
            "assignment_key": m.assignment_key,
            "day": m.day,
            "payload": m.payload,
            "status": PENDING,
            "attempts": 0,
            "due_at": m.due_at,
            "not_after": m.not_after,
            "created_at": now,
        }
        for m in messages
    ]
    new = 0
    dialect = conn.dialect.name
    for row in rows:
        stmt: Any
        if dialect in ("postgresql", "sqlite"):
            stmt = dialect_insert(dialect, outbox).on_conflict_do_nothing(index_elements=["key"])
        else:  # pragma: no cover - other backends would rely on the unique constraint's error
            stmt = insert(outbox)
        inserted = conn.execute(stmt.values(**row).returning(outbox.c.id)).scalar()
        new += inserted is not None
    return new


def existing_keys(
    conn: Connection, production_id: str, since: dt.date, recent: dt.date | None = None
) -> set[str]:
    """Keys recorded for a production's days from ``since`` on (to skip what is recorded already).

    With ``recent``, the prompts' and reminders' keys only from that day on (one of each per member
    and day: most of the rows; the planner makes none for older days)."""
    where = [outbox.c.production_id == production_id, outbox.c.day >= since]
    if recent is not None and recent > since:
        where.append(or_(outbox.c.day >= recent, outbox.c.kind.not_in([PROMPT, REMINDER])))
    return set(conn.execute(select(outbox.c.key).where(*where)).scalars())


def answered_since(
    conn: Connection, production_id: str, since: dt.date
) -> set[tuple[ReportKind, str | None, dt.date]]:
    """(kind, subject, day) of every report that counts, for days from ``since`` on.

    The SQL form of ``domain.schedule.answered_keys``: neither void nor corrected by a later report.
    It reads three columns of recent days instead of every figure of the shoot, every tick.
    """
    correction = reports.alias("correction")
    found = conn.execute(
        select(reports.c.kind, reports.c.subject, reports.c.day).where(
            reports.c.production_id == production_id,
            reports.c.day >= since,
            reports.c.void.is_(False),
            ~exists().where(correction.c.corrects == reports.c.id),
        )
    )
    return {(ReportKind(kind), subject, day) for kind, subject, day in found}


def _claimable(now: Any) -> Any:
    return or_(
        and_(outbox.c.status == PENDING, or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until <= now)),
        and_(outbox.c.status == SENDING, outbox.c.claimed_until <= now),
    )


def expire(conn: Connection, now: dt.datetime) -> int:
    """Pending rows whose time is over become ``expired`` (never sent late). Returns how many."""
    result = conn.execute(
        update(outbox)
        .where(outbox.c.status == PENDING, outbox.c.not_after.is_not(None), outbox.c.not_after <= now)
        .values(status=EXPIRED, claimed_until=None, error="its day was over before it could be sent")
    )
    return result.rowcount or 0


#: The statements of a claim, built once (a fan-out claims thousands of rows): bound parameters only.
_CLAIM_ONE = (
    update(outbox)
    .where(outbox.c.id == bindparam("b_id"), outbox.c.status == bindparam("b_status"),
           _claimable(bindparam("b_now", type_=UtcDateTime())))
    .values(status=SENDING, claimed_by=bindparam("b_worker"), claimed_until=bindparam("b_until"),
            attempts=bindparam("b_attempts"))
)
_CANDIDATES: dict[tuple[int, bool], Any] = {}


def _candidates(limit: int, for_update: bool) -> Any:
    key = (limit, for_update)
    if key not in _CANDIDATES:
        now = bindparam("b_now", type_=UtcDateTime())
        statement = (select(outbox).where(_claimable(now), outbox.c.due_at <= now)
                     .order_by(outbox.c.due_at, outbox.c.id).limit(limit))
        _CANDIDATES[key] = statement.with_for_update(skip_locked=True) if for_update else statement
    return _CANDIDATES[key]


def claim(
    conn: Connection, worker: str, now: dt.datetime, lease: dt.timedelta, limit: int = 20
) -> list[Claimed]:
    """Claim up to ``limit`` rows that are due to be sent, for ``worker``, until ``now + lease``.

    Commit right after: the claim must be visible to other schedulers before anything is sent.
    """
    candidates = _candidates(limit, conn.dialect.name == "postgresql")
    claimed = []
    for found in conn.execute(candidates, {"b_now": now}).mappings().all():
        row = _row(found)
        until, attempts = now + lease, row.attempts + 1
        changed = conn.execute(_CLAIM_ONE, {"b_id": row.id, "b_status": row.status, "b_now": now,
                                            "b_worker": worker, "b_until": until, "b_attempts": attempts})
        if changed.rowcount == 1:  # the row as it now stands: what was read, with what was written
            claimed.append(Claimed(replace(row, status=SENDING, claimed_by=worker, claimed_until=until,
                                           attempts=attempts), resumed=row.status == SENDING))
    return claimed


def _reread(conn: Connection, row_id: int) -> Row:
    return _row(conn.execute(select(outbox).where(outbox.c.id == row_id)).mappings().one())


_FINISH: dict[tuple[str, ...], Any] = {}


def _finish(conn: Connection, row_id: int, worker: str, **values: Any) -> bool:
    """Set ``values`` on a row still ours; the statement for each set of columns is built once."""
    columns = tuple(sorted(values))
    statement = _FINISH.get(columns)
    if statement is None:
        statement = _FINISH[columns] = (
            update(outbox)
            .where(outbox.c.id == bindparam("b_id"), outbox.c.status == SENDING,
                   outbox.c.claimed_by == bindparam("b_worker"))
            .values({c: bindparam(f"v_{c}") for c in columns})
        )
    result = conn.execute(statement, {"b_id": row_id, "b_worker": worker,
                                      **{f"v_{c}": v for c, v in values.items()}})
    return result.rowcount == 1


def renew(conn: Connection, row_id: int, worker: str, until: dt.datetime) -> bool:
    """Extend our lease just before sending. False if the row is no longer ours: then do not send it."""
    return _finish(conn, row_id, worker, claimed_until=until)


def mark_sent(conn: Connection, row_id: int, worker: str, now: dt.datetime, message_ref: str | None) -> bool:
    """The message went out. False if the row was no longer ours (it then stays as the other left it)."""
    return _finish(conn, row_id, worker, status=SENT, sent_at=now, message_ref=message_ref,
                   claimed_until=None, error=None)


def mark_unreachable(conn: Connection, row_id: int, worker: str, now: dt.datetime, detail: str) -> bool:
    """The member cannot be reached (blocked the bot, never linked): not retried."""
    return _finish(conn, row_id, worker, status=UNREACHABLE, sent_at=None, claimed_until=None,
                   error=detail or "unreachable")


def release_for_retry(conn: Connection, row_id: int, worker: str, not_before: dt.datetime, detail: str) -> bool:
    """A transient failure: pending again, not claimed before ``not_before``."""
    return _finish(conn, row_id, worker, status=PENDING, claimed_until=not_before, error=detail or "retry")


def mark_failed(conn: Connection, row_id: int, worker: str, detail: str) -> bool:
    return _finish(conn, row_id, worker, status=FAILED, claimed_until=None, error=detail or "failed")


def mark_expired(conn: Connection, row_id: int, worker: str, detail: str) -> bool:
    return _finish(conn, row_id, worker, status=EXPIRED, claimed_until=None, error=detail)


def rows(
    conn: Connection,
    production_id: str | None = None,
    kinds: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    member_id: str | None = None,
    since: dt.date | None = None,
) -> list[Row]:
    """Outbox rows, oldest due first (for the scheduler's rules, the dashboard and the CLI)."""
    stmt = select(outbox).order_by(outbox.c.due_at, outbox.c.id)
    if production_id is not None:
        stmt = stmt.where(outbox.c.production_id == production_id)
    if kinds is not None:
        stmt = stmt.where(outbox.c.kind.in_(list(kinds)))
    if statuses is not None:
        stmt = stmt.where(outbox.c.status.in_(list(statuses)))
    if member_id is not None:
        stmt = stmt.where(outbox.c.member_id == member_id)
    if since is not None:
        stmt = stmt.where(outbox.c.day >= since)
    return [Row(*r) for r in conn.execute(stmt).all()]  # the table's columns are Row's fields, in order


def sent_prompts(conn: Connection, production_id: str, since: dt.date) -> list[SentPrompt]:
    """A production's prompts that went out, for its days from ``since`` on, as the missed-prompt rules
    need them: only those columns, the report and subject read out of the payload by the database
    (planning reads 45 days of them; whole rows cost most of its time)."""
    report, subject = outbox.c.payload["report"].as_string(), outbox.c.payload["subject"].as_string()
    found = conn.execute(
        select(outbox.c.member_id, outbox.c.assignment_key, report, subject, outbox.c.day)
        .where(outbox.c.production_id == production_id, outbox.c.kind == PROMPT, outbox.c.status == SENT,
               outbox.c.day >= since)
        .order_by(outbox.c.due_at, outbox.c.id)
    )
    kinds: dict[str, ReportKind] = {}
    return [
        SentPrompt(member_id=member_id or "", assignment_key=assignment_key or "",
                   report=kinds.get(kind) or kinds.setdefault(kind, ReportKind(kind)), subject=on, day=day)
        for member_id, assignment_key, kind, on, day in found
    ]


def get(conn: Connection, key: str) -> Row | None:
    found = conn.execute(select(outbox).where(outbox.c.key == key)).mappings().first()
    return _row(found) if found is not None else None

"""When a production's plan can next change: the scheduler plans a production only then.

Planning one production reads it, its crew's states and 45 days of its outbox and answers. Done for
every production at every tick (every 20 s), that kept a core busy for seconds at 10,000 members,
though nothing was due most of the time. What makes a message due is known ahead of time: an
assignment's time, the digest's time, the end of a local day (a new day's prompts, escalations), a
campaign's time, and a sent prompt's reminder time. After planning a production, :func:`next_change`
gives the earliest of those still to come, and the scheduler skips the production until then: a
tick costs in proportion to what is due, not to the size of the crew.

What the scheduler cannot see coming from its own outbox is read at every tick in one query over
the crew (:func:`fingerprints`): a member who links, consents, pauses, resumes, is blocked or
forgotten, or a production file loaded again, changes its production's fingerprint, and the
production is planned at that tick, as before. For anything else, each production is also planned
once every :data:`SWEEP` whatever: not all at the same tick (a sweep of 68 productions of 150 took
seconds of CPU, in the bots' process), but each at its own instant, spread over the period, so a
tick plans a slice of them (at 10,000 members and one tick every 20 s, one production every few
ticks).

What it learns is kept in the store (table ``scheduler_wakeups``, one row per production: its next
change, its next turn, its fingerprint when planned, and when that was), so a restart takes up where
the last run left off instead of planning every production (5 to 7 s of CPU at 10,000 members, in
the bots' process). The first tick after a start plans a production that has no row (new, or never
planned), whose fingerprint differs from the stored one (a file loaded again, a crew change while
stopped), or whose next change or turn has come. Every production is planned at once only when
nothing is stored yet and when the clock is set back before the latest stored planning. Several
schedulers sharing a store all write these rows; see :meth:`Wakeups.save` for why that is safe.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Integer, cast, delete, extract, func, select

from domain.model import Production
from domain.schedule import DIGEST_AT, end_of_day, local_day, local_instant, reminder_due_at
from store import outbox
from store.engine import dialect_insert
from store.tables import members, productions, scheduler_wakeups

#: How often every production is planned whatever its next change and its fingerprint.
SWEEP = dt.timedelta(hours=1)


@dataclass
class Wakeups:
    """The next instant each production's plan can change, its next turn in the sweep, and when every
    one was last planned at once.

    With ``stored`` (the default), the scheduler's first tick reads them from the store
    (:meth:`restore`) and each tick writes back those that changed (:meth:`save`): a restart plans
    only what is due or changed since the last run."""

    sweep: dt.timedelta = SWEEP
    at: dict[str, dt.datetime] = field(default_factory=dict)
    swept_at: dt.datetime | None = None
    seen: dict[str, str] = field(default_factory=dict)  # fingerprint when last planned
    turn: dict[str, dt.datetime] = field(default_factory=dict)  # when each is next planned whatever
    stored: bool = True  # read from and written to the store
    loaded: bool = False  # read from the store already
    changed: set[str] = field(default_factory=set)  # planned since the last save
    ticked_at: dt.datetime | None = None  # the last tick that planned with these

    def sweeping(self, now: dt.datetime) -> bool:
        """Whether this tick plans every production: the first tick (without stored wake-ups), a
        clock set back, or no sweep period at all (every production at every tick)."""
        return self.swept_at is None or now < self.swept_at or self.sweep <= dt.timedelta(0)

    def due(self, production_id: str, now: dt.datetime, fingerprint: str | None = None) -> bool:
        """Whether ``production_id`` is to be planned at ``now`` outside a full sweep: it has no
        wake-up yet, its next change has come, its turn in the sweep has, or its crew or file
        changed since it was planned (``fingerprint`` differs)."""
        at = self.at.get(production_id)
        turn = self.turn.get(production_id)
        changed = fingerprint is not None and self.seen.get(production_id) != fingerprint
        return at is None or now >= at or (turn is not None and now >= turn) or changed

    def swept(self, production_ids: Sequence[str], now: dt.datetime) -> None:
        """Every production was planned at ``now``: their next turns spread evenly over one period."""
        self.swept_at = now
        count = max(len(production_ids), 1)
        self.turn = {p: now + self.sweep * (i + 1) / count for i, p in enumerate(production_ids)}
        self.changed.update(production_ids)

    def planned(self, production_id: str, now: dt.datetime) -> None:
        """``production_id`` was planned at ``now`` (outside a full sweep): once its turn has come, the
        next is one period on (kept on its own beat, so the turns stay spread)."""
        turn = self.turn.get(production_id)
        if turn is None:
            self.turn[production_id] = now + self.sweep
        elif now >= turn:
            following = turn + self.sweep
            self.turn[production_id] = following if following > now else now + self.sweep

    def restore(self, conn: Connection) -> None:
        """Take up what the last run stored: each production's next change, turn and fingerprint.

        The latest instant any was planned at stands for the last sweep: a clock now set back before
        it still plans every production, and with nothing stored the first tick plans every one."""
        latest = None
        for row in conn.execute(select(scheduler_wakeups)):
            if row.next_change_at is not None:
                self.at[row.production_id] = row.next_change_at
            if row.turn_at is not None:
                self.turn[row.production_id] = row.turn_at
            if row.fingerprint is not None:
                self.seen[row.production_id] = row.fingerprint
            latest = row.planned_at if latest is None else max(latest, row.planned_at)
        if self.swept_at is None:
            self.swept_at = latest
        self.loaded = True

    def save(self, conn: Connection, now: dt.datetime, production_ids: Sequence[str] | None = None) -> None:
        """Store the wake-ups of the productions planned since the last save (and, given every
        production's id, drop the rows of productions gone).

        Several schedulers may share the store: one upsert per production, in the order of their ids
        (two writers take the rows' locks in the same order, so neither waits on the other in a
        circle); the last writer wins. A row another scheduler wrote from older figures can only
        make a production planned sooner (an earlier next change, another fingerprint), never later."""
        rows = [
            {"production_id": p, "next_change_at": self.at.get(p), "turn_at": self.turn.get(p),
             "fingerprint": self.seen.get(p), "planned_at": now}
            for p in sorted(self.changed)
        ]
        if rows:
            stmt = dialect_insert(conn.dialect.name, scheduler_wakeups)
            stmt = stmt.on_conflict_do_update(
                index_elements=["production_id"],
                set_={c: stmt.excluded[c] for c in ("next_change_at", "turn_at", "fingerprint", "planned_at")},
            )
            conn.execute(stmt, rows)
        if production_ids is not None:
            conn.execute(delete(scheduler_wakeups).where(scheduler_wakeups.c.production_id.not_in(production_ids)))
        self.changed.clear()


def _day_number(column: Any) -> Any:
    """A date as one number (year, month, day), in SQL either store computes."""
    return cast(extract("year", column), Integer) * 372 + cast(extract("month", column), Integer) * 31 \
        + cast(extract("day", column), Integer)


def _flags(column: Any) -> Any:
    """Which members have a flag set, as one number (each weighted by its place in the crew)."""
    return func.sum(cast(column, Integer) * (members.c.position + 1))


def fingerprints(conn: Connection) -> dict[str, str]:
    """For each production, a digest of figures of its crew's states and its file that change when
    anything planning reads of them changes: linked, consented, paused until when, blocked,
    forgotten, in the file or not, and the file's last change. One query over the crew. A digest,
    so the store keeps it in a few bytes (and a restart compares it with the one stored)."""
    crew = (
        select(
            members.c.production_id,
            func.count(),
            _flags(members.c.active),
            _flags(members.c.forgotten),
            _flags(members.c.unreachable),
            func.sum(members.c.telegram_chat_id),
            func.count(members.c.consent_at),
            func.max(members.c.consent_at),
            func.sum(_day_number(members.c.paused_until) * (members.c.position + 1)),
            func.count(members.c.paused_until),
        )
        .group_by(members.c.production_id)
    )
    found: dict[str, tuple[Any, ...]] = {row[0]: tuple(row[1:]) for row in conn.execute(crew)}
    for production_id, updated_at in conn.execute(select(productions.c.id, productions.c.updated_at)):
        found[production_id] = (*found.get(production_id, ()), updated_at)
    return {p: _digest(figures) for p, figures in found.items()}


def _digest(figures: tuple[Any, ...]) -> str:
    """The same for the same figures, read from the same store, in any process."""
    text = repr(tuple(str(f) if isinstance(f, Decimal) else f for f in figures))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def next_change(
    production: Production, prompt_rows: Sequence[outbox.Row], now: dt.datetime, pending: bool = False
) -> dt.datetime:
    """The earliest instant after ``now`` at which planning ``production`` may record something new.

    Earlier than needed is harmless (the production is planned once more, as every tick used to);
    later never: every instant a message becomes due at is among the candidates. ``prompt_rows``
    are the production's prompt rows of the days planning read (those a reminder can still concern);
    ``pending`` says prompts were just recorded, not among them.
    """
    zone = production.zone
    today = local_day(now, zone)
    times = {a.at for a in production.assignments} | {DIGEST_AT}
    candidates = [end_of_day(today, zone)]  # the next day: its prompts, escalations, digest
    for day in (today, today + dt.timedelta(days=1)):
        candidates.extend(local_instant(day, at, zone) for at in times)
    candidates.extend(local_instant(c.on, c.at, zone) for c in production.sensitisation)
    after = dt.timedelta(minutes=production.reminders.after_minutes)
    for row in prompt_rows:
        if row.status == outbox.SENT and row.sent_at is not None:
            candidates.append(reminder_due_at(row.sent_at, row.due_at, production.reminders.after_minutes))
        elif row.status in (outbox.PENDING, outbox.SENDING):
            candidates.append(now + after)  # not out yet: its reminder comes no sooner than this
    if pending:
        candidates.append(now + after)
    return min(c for c in candidates if c > now)

"""When a production's plan can next change: the scheduler plans a production only then.

Planning one production reads it, its crew's states and 45 days of its outbox and answers. Done for
every production at every tick (every 20 s), that kept a core busy for seconds at 10,000 members,
though nothing was due most of the time. What makes a message due is known ahead of time: an
assignment's time, the digest's time, the end of a local day (a new day's prompts, escalations), a
campaign's time, and a sent prompt's reminder time. After planning a production, :func:`next_change`
gives the earliest of those still to come, and the scheduler skips the production until then: a
tick costs in proportion to what is due, not to the size of the crew.

What the scheduler cannot see coming from its own outbox (a member who links, consents, pauses or
resumes; a production file loaded again; a new production) is picked up by a full sweep every
:data:`SWEEP`: a member who links after their prompt's time gets it within that delay, as before
within one tick.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.model import Production
from domain.schedule import DIGEST_AT, end_of_day, local_day, local_instant, reminder_due_at
from store import outbox

#: How often every production is planned whatever its next change, for changes made outside the scheduler.
SWEEP = dt.timedelta(minutes=5)


@dataclass
class Wakeups:
    """The next instant each production's plan can change, and when every one was last planned."""

    sweep: dt.timedelta = SWEEP
    at: dict[str, dt.datetime] = field(default_factory=dict)
    swept_at: dt.datetime | None = None

    def sweeping(self, now: dt.datetime) -> bool:
        """Whether this tick plans every production (the first tick, a sweep due, a clock set back)."""
        return self.swept_at is None or now < self.swept_at or now - self.swept_at >= self.sweep

    def due(self, production_id: str, now: dt.datetime) -> bool:
        """Whether ``production_id`` is to be planned at ``now`` outside a sweep."""
        at = self.at.get(production_id)
        return at is None or now >= at


def next_change(production: Production, prompt_rows: Sequence[outbox.Row], now: dt.datetime) -> dt.datetime:
    """The earliest instant after ``now`` at which planning ``production`` may record something new.

    Earlier than needed is harmless (the production is planned once more, as every tick used to);
    later never: every instant a message becomes due at is among the candidates. ``prompt_rows``
    are the production's prompt rows of the days planning read.
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
    return min(c for c in candidates if c > now)

"""What the stored figures refer to: who reported, about what, on which days.

A change to a production's set-up (from the dashboard or a production file) must not leave a stored
figure pointing at a crew member, vehicle, generator, meal type or waste stream that is gone, nor
on a day outside the calendar: ``figures_in_use`` is what such a change is checked against.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select

from store.tables import emission_lines, reports


@dataclass(frozen=True)
class FiguresInUse:
    """Counts of stored figures by what they name, and the first and last day with a figure."""

    members: Counter[str] = field(default_factory=Counter)
    subjects: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, subject)
    first_day: dt.date | None = None
    last_day: dt.date | None = None


def figures_in_use(engine: Engine, production_id: str) -> FiguresInUse:
    members: Counter[str] = Counter()
    subjects: Counter[tuple[str, str]] = Counter()
    with engine.connect() as conn:
        for row in conn.execute(
            select(reports.c.member_id, func.count()).where(
                reports.c.production_id == production_id, reports.c.member_id.is_not(None), ~reports.c.void
            ).group_by(reports.c.member_id)
        ):
            members[row[0]] = row[1]
        for row in conn.execute(
            select(emission_lines.c.kind, emission_lines.c.subject, func.count())
            .where(emission_lines.c.production_id == production_id)
            .group_by(emission_lines.c.kind, emission_lines.c.subject)
        ):
            subjects[(row[0], row[1])] = row[2]
        first, last = conn.execute(
            select(func.min(reports.c.day), func.max(reports.c.day)).where(
                reports.c.production_id == production_id, ~reports.c.void)
        ).one()
    return FiguresInUse(members, subjects, first, last)

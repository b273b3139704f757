"""What awareness messages were sent to whom and when: a read for screens (dashboard, CLI).

Campaign messages go through the scheduler's outbox (``store.outbox``), one row per member and
campaign, marked ``sent`` with the instant it went out. This module reads those rows with the
member each went to; it changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, and_, select

from sensitisation.library import load_library
from store.outbox import CAMPAIGN, outbox
from store.tables import members


@dataclass(frozen=True)
class CampaignLine:
    day: dt.date
    due_at: dt.datetime
    message: str  # library key
    theme: str | None  # None if the key left the library since
    member_id: str
    name: str
    channel: str  # the channel recorded when the message was planned
    language: str  # the member's language now
    voice: bool  # the member has voice on now
    status: str  # pending, sending, sent, unreachable, failed, expired
    sent_at: dt.datetime | None
    attempts: int
    error: str | None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("day", "due_at", "sent_at"):
            data[name] = data[name].isoformat() if data[name] is not None else None
        return data


def campaign_log(engine: Engine, production_id: str) -> list[CampaignLine]:
    """Every campaign message of ``production_id``, by day, time and crew order."""
    library = load_library()
    query = (
        select(outbox, members.c.name, members.c.language, members.c.voice, members.c.position)
        .select_from(
            outbox.outerjoin(
                members,
                and_(members.c.production_id == outbox.c.production_id, members.c.member_id == outbox.c.member_id),
            )
        )
        .where(outbox.c.production_id == production_id, outbox.c.kind == CAMPAIGN)
        .order_by(outbox.c.day, outbox.c.due_at, members.c.position, outbox.c.id)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    lines = []
    for row in rows:
        message = str(row["payload"].get("message", ""))
        entry = library.messages.get(message)
        lines.append(
            CampaignLine(
                day=row["day"],
                due_at=row["due_at"],
                message=message,
                theme=entry.theme if entry else None,
                member_id=row["member_id"] or "",
                name=row["name"] or "",
                channel=str(row["payload"].get("channel", "")),
                language=row["language"] or "",
                voice=bool(row["voice"]),
                status=row["status"],
                sent_at=row["sent_at"],
                attempts=row["attempts"],
                error=row["error"],
            )
        )
    return lines

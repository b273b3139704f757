"""The reporting page shows which awareness messages went to whom, and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from store import outbox
from tests.dashboard.conftest import COORDINATOR
from tests.dashboard.test_access import page

SENT_AT = dt.datetime(2027, 3, 2, 7, 30, tzinfo=dt.UTC)  # 08:30 in Paris


def test_sent_and_unreachable_campaign_messages_are_listed(client_for: Any) -> None:
    engine = client_for.seeded.engine
    messages = [
        outbox.Message(
            key=f"campaign:feux-aube:veggie-day:2027-03-02:{member}", kind=outbox.CAMPAIGN,
            production_id="feux-aube", day=dt.date(2027, 3, 2), due_at=SENT_AT, member_id=member,
            payload={"message": "veggie-day", "channel": "telegram"},
        )
        for member in ("amina", "sam")
    ]
    with engine.begin() as conn:
        outbox.record(conn, messages, SENT_AT)
        claimed = outbox.claim(conn, "test", SENT_AT, dt.timedelta(minutes=5))
        by_member = {c.row.member_id: c.row for c in claimed}
        outbox.mark_sent(conn, by_member["amina"].id, "test", SENT_AT, "42")
        outbox.mark_unreachable(conn, by_member["sam"].id, "test", SENT_AT, "blocked the bot")

    seen = page(client_for(COORDINATOR), "/reporting", "?production=feux-aube")
    assert "Messages de sensibilisation envoyés" in seen and "campaigns-table" in seen
    assert "veggie-day" in seen
    assert "Amina Diallo" in seen and "envoyé" in seen and "2027-03-02 08:30" in seen
    assert "Sam Okafor" in seen and "injoignable" in seen


def test_no_campaign_yet_is_said_plainly(client_for: Any) -> None:
    seen = page(client_for(COORDINATOR), "/reporting", "?production=feux-aube")
    assert "Aucun message de sensibilisation prévu" in seen

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
    assert "Messages de sensibilisation" in seen and "campaigns-table" in seen
    assert "veggie-day" in seen
    assert "Amina Diallo" in seen and "envoyé" in seen and "2027-03-02 08:30" in seen
    assert "Sam Okafor" in seen and "injoignable" in seen
    # the declared campaign, counted: one of seven sent, and why the others were not
    declared = declared_rows(client_for)
    assert declared["mardi 2 mars à 08:30"] == {
        "audience": "Toute l’équipe (8 personnes)",
        "sent": "1 sur 8",
        "not_sent": "1 injoignable, 6 pas joignables ou en pause ce jour-là",
    }


def declared_rows(client_for: Any, lang: str = "fr", now: dt.datetime | None = None) -> dict[str, dict[str, str]]:
    """The declared-campaigns table of the reporting page, by its "planned for" cell."""
    from dashboard import context
    from dashboard.pages import campaigns
    from store.users import DashboardRole, Membership

    seeded = client_for.seeded
    membership = Membership(seeded.production.id, seeded.production.title, DashboardRole.COORDINATOR)
    page_ = context.Page(lang, seeded.app, seeded.production, membership)
    section = campaigns.section(page_, None, now or dt.datetime(2027, 3, 31, tzinfo=dt.UTC))
    rows = {}
    for part in section:
        table = getattr(part, "children", None)
        if getattr(table, "id", None) != "campaigns-declared":
            continue
        for tr in table.children[2].children:
            cells = [td.children for td in tr.children]
            rows[cells[0]] = {"audience": cells[2], "sent": cells[3], "not_sent": cells[4]}
    return rows


def test_every_declared_campaign_is_shown_sent_or_not_and_why(client_for: Any) -> None:
    """The example declares four campaigns on 2–5 March. Nothing ran the scheduler: none went out, and
    the page says so; before their day they are still to come."""
    seen = page(client_for(COORDINATOR), "/reporting", "?production=feux-aube")
    assert "campaigns-declared" in seen and "Aucun message de sensibilisation prévu" not in seen
    after = declared_rows(client_for)
    assert list(after) == ["mardi 2 mars à 08:30", "mercredi 3 mars à 08:30", "jeudi 4 mars à 08:30",
                           "vendredi 5 mars à 08:30"]
    assert after["mercredi 3 mars à 08:30"]["audience"] == "Chauffeur (2 personnes)"
    assert after["jeudi 4 mars à 08:30"]["sent"] == "0 sur 1"
    assert all("ne tournait pas" in row["not_sent"] for row in after.values())
    before = declared_rows(client_for, "en", now=dt.datetime(2027, 2, 1, tzinfo=dt.UTC))
    assert before["Thursday 4 March at 08:30"]["audience"] == "Gaffer (1 person)"
    assert all(row["not_sent"] == "Not yet: it is still to come." for row in before.values())


def test_no_campaign_yet_is_said_plainly(client_for: Any) -> None:
    """The other production declares no campaign and sent none."""
    seen = page(client_for(COORDINATOR), "/reporting", "?production=court-nuit")
    assert "Aucun message de sensibilisation prévu" in seen

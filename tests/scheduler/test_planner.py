"""The planner's pure half: from what the store knows to the messages to record (no store here)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from domain.model import Production
from scheduler.planner import messages_for
from store import outbox
from tests.scheduler.conftest import linked_states

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS).astimezone(UTC)


def sent_row(member: str, key: str, report: str, subject: str | None, day: dt.date, at: dt.datetime) -> outbox.Row:
    return outbox.Row(
        id=1, key=f"prompt:feux-aube:{member}:{key}:{day}", kind="prompt", production_id="feux-aube",
        member_id=member, assignment_key=key, day=day,
        payload={"report": report, "subject": subject, "channel": "telegram"}, status="sent", attempts=1,
        due_at=at, not_after=None, claimed_by="w", claimed_until=None, sent_at=at, message_ref="1", error=None,
        created_at=at,
    )


def amina_rows(*days: int) -> list[outbox.Row]:
    return [sent_row("amina", "amina:mileage:mb1", "mileage", "mb1", dt.date(2027, 3, d), paris(2027, 3, d, 19, 30))
            for d in days]


def kinds(messages: list[outbox.Message]) -> list[tuple[str, str | None]]:
    return sorted((m.kind, m.member_id) for m in messages if m.kind in ("escalation", "reminder"))


def test_two_missed_days_escalate_once_with_the_days_in_the_payload(example: Production) -> None:
    now = paris(2027, 3, 10, 8, 0)
    messages = messages_for(example, linked_states(example), set(), amina_rows(8, 9), set(), now)
    [escalation] = [m for m in messages if m.kind == "escalation"]
    assert escalation.key == "escalation:feux-aube:amina:2027-03-08"
    assert escalation.payload["days"] == ["2027-03-08", "2027-03-09"] and escalation.payload["missed"] == 2
    assert escalation.due_at == paris(2027, 3, 10, 0, 0)
    # Recorded already: not again, even as the run grows.
    later = messages_for(example, linked_states(example), set(), amina_rows(8, 9, 10), {escalation.key},
                         paris(2027, 3, 11, 8, 0))
    assert [m for m in later if m.kind == "escalation"] == []


def test_no_escalation_for_a_member_who_left(example: Production) -> None:
    states = linked_states(example, amina={"forgotten": True})
    assert kinds(messages_for(example, states, set(), amina_rows(8, 9), set(), paris(2027, 3, 10, 8, 0))) == []


def test_no_escalation_for_a_run_older_than_what_was_read(example: Production) -> None:
    now = paris(2027, 3, 10, 8, 0)
    assert kinds(messages_for(example, linked_states(example), set(), amina_rows(8, 9), set(), now,
                              since=dt.date(2027, 3, 8))) == []


def test_a_reminder_once_due_and_not_for_a_day_since_paused(example: Production) -> None:
    rows = amina_rows(8)
    now = paris(2027, 3, 8, 21, 30)
    [reminder] = [m for m in messages_for(example, linked_states(example), set(), rows, set(), now)
                  if m.kind == "reminder"]
    assert reminder.key == "reminder:feux-aube:amina:amina:mileage:mb1:2027-03-08" and reminder.due_at == now
    paused = linked_states(example, amina={"paused_until": dt.date(2027, 3, 8)})
    assert kinds(messages_for(example, paused, set(), rows, set(), now)) == []
    assert kinds(messages_for(example, linked_states(example), set(), rows, {reminder.key}, now)) == []

"""The scheduler and the whole footprint: prompts at each assignment's frequency, a leg by plane answering a
prompt that named no mode, and the eco-referents' texts naming each new kind."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

from domain.footprint_answers import FOOTPRINT_KINDS
from domain.model import Assignment, Frequency, Language, Production, ReportKind, Site, SiteMode
from domain.schedule import SentPrompt, digest, is_answered
from scheduler.planner import messages_for
from scheduler.texts import digest_text, escalation_text
from store import outbox
from tests.scheduler.conftest import linked_states

PARIS = ZoneInfo("Europe/Paris")
FRIDAY, MONDAY, TUESDAY = dt.date(2027, 3, 5), dt.date(2027, 3, 8), dt.date(2027, 3, 9)


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS).astimezone(dt.UTC)


def with_footprint(example: Production) -> Production:
    """Karim reports travel weekly on Fridays and nights daily; Léa the stage's meter daily."""
    return replace(
        example,
        sites=(Site("plateau", "Plateau B", SiteMode.METER),),
        assignments=(*(a for a in example.assignments if a.report not in FOOTPRINT_KINDS),
                     Assignment("karim", ReportKind.TRAVEL, Frequency.WEEKLY, dt.time(18), weekday=4),
                     Assignment("karim", ReportKind.ACCOMMODATION, Frequency.DAILY, dt.time(18)),
                     Assignment("lea", ReportKind.GRID_POWER, Frequency.DAILY, dt.time(20), site="plateau")),
    )


def sent_row(member: str, key: str, report: str, subject: str | None, day: dt.date, at: dt.datetime) -> outbox.Row:
    return outbox.Row(
        id=1, key=f"prompt:feux-aube:{member}:{key}:{day}", kind="prompt", production_id="feux-aube",
        member_id=member, assignment_key=key, day=day,
        payload={"report": report, "subject": subject, "channel": "telegram"}, status="sent", attempts=1,
        due_at=at, not_after=None, claimed_by="w", claimed_until=None, sent_at=at, message_ref="1", error=None,
        created_at=at,
    )


def _prompts(production: Production, now: dt.datetime) -> list[tuple[str | None, str | None]]:
    messages = messages_for(production, linked_states(production), set(), [], set(), now)
    return sorted((m.assignment_key, m.payload.get("subject")) for m in messages if m.kind == "prompt")


def test_prompts_follow_each_kinds_frequency(example: Production) -> None:
    production = with_footprint(example)
    friday = _prompts(production, paris(2027, 3, 5, 20, 30))
    assert ("karim:travel", None) in friday and ("karim:accommodation", None) in friday
    assert ("lea:grid_power:plateau", "plateau") in friday
    tuesday = _prompts(production, paris(2027, 3, 9, 20, 30))
    assert ("karim:travel", None) not in tuesday  # weekly, on Fridays
    assert ("karim:accommodation", None) in tuesday and ("lea:grid_power:plateau", "plateau") in tuesday


def test_a_leg_by_plane_answers_the_travel_prompt_so_no_reminder(example: Production) -> None:
    production = with_footprint(example)
    row = sent_row("karim", "karim:travel", "travel", None, FRIDAY, paris(2027, 3, 5, 18, 0))
    later = paris(2027, 3, 5, 21, 0)
    unanswered = messages_for(production, linked_states(production), set(), [row], set(), later)
    assert [m.member_id for m in unanswered if m.kind == "reminder"] == ["karim"]
    answered = {(ReportKind.TRAVEL, "plane:ORY:NCE", FRIDAY)}
    assert is_answered(ReportKind.TRAVEL, None, FRIDAY, answered)
    assert not is_answered(ReportKind.TRAVEL, None, MONDAY, answered)  # another day
    assert not is_answered(ReportKind.ACCOMMODATION, None, FRIDAY, answered)  # another kind
    reminded = messages_for(production, linked_states(production), answered, [row], set(), later)
    assert [m for m in reminded if m.kind == "reminder"] == []
    # A grid meter's prompt names its site: only that site's figure answers it.
    assert is_answered(ReportKind.GRID_POWER, "plateau", FRIDAY, {(ReportKind.GRID_POWER, "plateau", FRIDAY)})
    assert not is_answered(ReportKind.GRID_POWER, "plateau", FRIDAY, {(ReportKind.GRID_POWER, "hall", FRIDAY)})


def test_digest_and_escalation_name_the_new_kinds(example: Production) -> None:
    production = with_footprint(example)
    sent = [SentPrompt("karim", "karim:accommodation", ReportKind.ACCOMMODATION, None, MONDAY),
            SentPrompt("karim", "karim:travel", ReportKind.TRAVEL, None, MONDAY),
            SentPrompt("lea", "lea:grid_power:plateau", ReportKind.GRID_POWER, "plateau", MONDAY)]
    answered = {(ReportKind.ACCOMMODATION, "rental:fr", MONDAY)}
    text = digest_text(production, digest(production, MONDAY, sent, answered))
    assert text.splitlines()[1:] == [  # the nights in a rental answer Karim's accommodation prompt
        "1 réponses reçues sur 3.",
        "Karim Haddad n’a pas encore répondu : trajets.",
        "Léa Bernard n’a pas encore répondu : compteur électrique de Plateau B.",
    ]
    english = replace(production, language=Language.EN)
    missed = [SentPrompt("lea", "lea:grid_power:plateau", ReportKind.GRID_POWER, "plateau", d)
              for d in (MONDAY, TUESDAY)]
    assert "The last request was for Tuesday 9 March: electricity meter of Plateau B." in escalation_text(
        english, "lea", missed)

"""What the eco-referents read: escalations and the daily digest, in the production's language."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from domain.model import Language, Production, ReportKind
from domain.schedule import SentPrompt, digest
from scheduler.texts import digest_text, escalation_text

MONDAY, TUESDAY = dt.date(2027, 3, 8), dt.date(2027, 3, 9)


def lea(day: dt.date, generator: str) -> SentPrompt:
    return SentPrompt("lea", f"lea:generator_hours:{generator}", ReportKind.GENERATOR_HOURS, generator, day)


def test_escalation_in_french_and_english(example: Production) -> None:
    missed = [lea(MONDAY, "g1"), lea(MONDAY, "g2"), lea(TUESDAY, "g2")]
    assert escalation_text(example, "lea", missed) == (
        "Léa Bernard n’a pas répondu 2 fois de suite. La dernière demande était pour mardi 9 mars : "
        "heures de Groupe HVO 250 kVA. Vous pouvez lui écrire pour voir si tout va bien."
    )
    english = replace(example, language=Language.EN)
    assert escalation_text(english, "lea", missed).startswith("Léa Bernard has not answered 2 times in a row.")


def test_digest_says_who_has_not_answered(example: Production) -> None:
    sent = [lea(MONDAY, "g1"), lea(MONDAY, "g2"),
            SentPrompt("paul", "paul:meals", ReportKind.MEALS, None, MONDAY),
            SentPrompt("amina", "amina:mileage:mb1", ReportKind.MILEAGE, "mb1", MONDAY)]
    answered = {(ReportKind.MEALS, None, MONDAY), (ReportKind.GENERATOR_LITRES, "g2", MONDAY)}
    text = digest_text(example, digest(example, MONDAY, sent, answered))
    assert text.splitlines() == [
        "Réponses pour lundi 8 mars.",
        "2 réponses reçues sur 4.",
        "Amina Diallo n’a pas encore répondu : kilométrage de Minibus MB-1.",  # in crew order
        "Léa Bernard n’a pas encore répondu : heures de Groupe 125 kVA.",
    ]


def test_digest_when_everyone_answered_and_for_a_forgotten_member(example: Production) -> None:
    sent = [SentPrompt("paul", "paul:meals", ReportKind.MEALS, None, MONDAY)]
    english = replace(example, language=Language.EN)
    assert digest_text(english, digest(english, MONDAY, sent, {(ReportKind.MEALS, None, MONDAY)})).splitlines() == [
        "Answers for Monday 8 March.", "1 of 1 answers received.", "Everyone has answered. Thank you all.",
    ]
    forgotten = replace(example, crew=tuple(replace(m, name="") if m.id == "paul" else m for m in example.crew))
    assert digest_text(forgotten, digest(forgotten, MONDAY, sent, set())).splitlines()[-1] == (
        "paul n’a pas encore répondu : repas."
    )

"""The pure parts: the roll call behind /missing, and the texts and chart, without Discord or a database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from bots.discord.chart import balance_chart
from bots.discord.texts import MESSAGE_LIMIT, fit, plan_text
from common.production_file import load_production_file
from domain.carbon import balance
from domain.indicators import plan_progress
from domain.model import ActionOutcome, ActionStatus, ReportKind
from domain.ports import MemberState
from domain.rollcall import roll_call
from tests.discord.conftest import MONDAY, PRODUCTION, example_file, paris, report


@pytest.fixture(scope="module")
def production():
    return load_production_file(example_file())


def state(member: str, chat: int | None = 1, **changes) -> MemberState:
    consent = paris(MONDAY, 8) if chat is not None else None  # pressed Start and agreed
    base = MemberState(PRODUCTION, member, "fr", False, None, chat, consent, False, False)
    return replace(base, **changes)


EVERYONE_LINKED = [state(m) for m in ("amina", "karim", "paul", "lea", "sam", "chloe", "marc")]


def test_roll_call_counts_only_prompts_already_sent(production):
    morning = roll_call(production, EVERYONE_LINKED, [], paris(MONDAY, 16))
    assert (morning.asked, [p.member_id for p in morning.pending]) == (1, ["paul"])  # meals at 15:00
    evening = roll_call(production, EVERYONE_LINKED, [], paris(MONDAY, 21))
    assert [(p.member_id, p.subject) for p in evening.pending] == [
        ("amina", "mb1"), ("karim", "car2"), ("paul", None), ("lea", "g1"), ("lea", "g2"),
    ]


def test_an_answer_clears_the_prompt_and_litres_answer_an_hours_prompt(production):
    reports = [
        replace(report("amina", ReportKind.MILEAGE, {"km": "120"}, "mb1", "r1"), id=1),
        replace(report("lea", ReportKind.GENERATOR_LITRES, {"litres": "80"}, "g1", "r2"), id=2),
    ]
    roll = roll_call(production, EVERYONE_LINKED, reports, paris(MONDAY, 21))
    assert [(p.member_id, p.subject) for p in roll.pending] == [("karim", "car2"), ("paul", None), ("lea", "g2")]


def test_unreachable_people_are_listed_apart_with_why_and_paused_ones_not_at_all(production):
    states = [
        state("amina", paused_until=MONDAY),  # on holiday today
        state("karim", chat=None),  # never pressed Start
        state("paul", unreachable=True),  # blocked the bot
        state("lea", forgotten=True),  # asked to be forgotten
        state("sam"), state("chloe"), state("marc"),
    ]
    roll = roll_call(production, states, [], paris(MONDAY, 21))
    assert roll.pending == ()
    assert [(u.member_id, u.reason) for u in roll.unreachable] == [
        ("karim", "not_linked"), ("paul", "unreachable"), ("lea", "forgotten"),
    ]
    assert roll.asked == 0


def test_weekly_prompt_is_due_on_its_day_only(production):
    friday = dt.date(2027, 3, 5)
    roll = roll_call(production, EVERYONE_LINKED, [], paris(friday, 23))
    assert ("sam", ReportKind.WASTE) in [(p.member_id, p.report) for p in roll.pending]
    monday = roll_call(production, EVERYONE_LINKED, [], paris(MONDAY, 23))
    assert "sam" not in [p.member_id for p in monday.pending]


def test_a_long_text_is_cut_at_a_line_and_says_so():
    text = "\n".join(f"Ligne numéro {i}." for i in range(400))
    cut = fit(text, "fr")
    assert len(cut) <= MESSAGE_LIMIT
    assert cut.endswith("\nLa suite ne tient pas dans ce message.")
    assert cut.splitlines()[-2].startswith("Ligne numéro ") and cut.splitlines()[-2].endswith(".")
    assert fit("court", "fr") == "court"


def test_plan_text_shows_outcome_and_note_in_english(production):
    a1 = replace(production.action("A1"),
                 status=ActionStatus.DONE, outcome=ActionOutcome.SPECIFIC, note="Menu végétarien le mardi")
    changed = replace(production, action_plan=(a1,))
    text = plan_text(changed, plan_progress(changed, []), "en")
    assert "Status: done. Outcome: specific to this shoot." in text
    assert "Note: Menu végétarien le mardi" in text
    assert "Baseline: 10 %. Now: no figure yet. Target: 30 %." in text


def test_chart_is_a_png_whose_description_gives_every_figure(production):
    result = replace(
        balance(production, "2026.1", []),
        categories=tuple(
            replace(c, kgco2e=Decimal(1234)) for c in balance(production, "2026.1", []).categories
        ),
    )
    png, description = balance_chart(result, "en")
    assert png.startswith(b"\x89PNG")
    assert len(description) <= 1024
    assert description == (
        "Bar chart of the carbon balance, in tonnes of CO2e. Transport: 1.23 done, 38 forecast. "
        "Energy: 1.23 done, 9.5 forecast. Catering: 1.23 done, 14 forecast. Waste: 1.23 done, 1.2 forecast. "
        "Accommodation: 1.23 done, 0 forecast. Purchases: 1.23 done, 0 forecast. "
        "Post-production: 1.23 done, 0 forecast."
    )


def test_a_long_answer_is_split_into_messages_without_losing_a_line():
    from bots.discord.texts import split

    lines = [f"- facteur_{i} : 0,{i} kg CO2e par km. Source : ADEME, base Empreinte, {i}." for i in range(80)]
    text = "Bilan.\n\n" + "\n".join(lines)
    parts = split(text)
    assert len(parts) > 1 and all(len(p) <= MESSAGE_LIMIT for p in parts)
    assert [ln for ln in "\n".join(parts).splitlines() if ln] == [ln for ln in text.splitlines() if ln]
    assert split("x" * 4500) == ["x" * 2000, "x" * 2000, "x" * 500]

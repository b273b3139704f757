"""Fuzzing the whole footprint's answers: every text read for each new kind (with and without a choice made
by a button) is either an answer with figures the store can keep, or a refusal the bot can send.

Never an unhandled exception, which the bot could only answer with "a technical problem".
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bots.telegram import texts
from common.production_file import load_production_file
from config.factors import catalogue
from config.places import load_places
from domain.errors import GreenslateError
from domain.footprint_answers import FOOTPRINT_KINDS, SUBJECT_CHOICE_KINDS, choices, parse_footprint
from domain.model import Report, purchase_factor_key
from greenslate.demo import example_path
from tests.reliability.evil import answers
from tests.reliability.sizes import FUZZ_ANSWERS

pytestmark = pytest.mark.reliability

PRODUCTION = load_production_file(example_path())
ASSIGNMENTS = [a for a in PRODUCTION.assignments if a.report in FOOTPRINT_KINDS]
FACTORS = catalogue().factors
WORDS = st.sampled_from(["TGV", "avion", "ory", "nce", "hôtel", "3 étoiles", "nuits", "Europe", "semi", "t.km",
                         "bois", "costumes neufs", "montage", "stockage", "To", "kWh", "l", "km", "pers", "x2",
                         "1.500", "12,5", "45 230", "-3", "+85", "0", "€", "services"])
TEXTS = st.one_of(answers, st.lists(WORDS, min_size=1, max_size=6).map(" ".join))


def test_the_reference_file_assigns_every_kind_of_the_footprint() -> None:
    assert {a.report for a in ASSIGNMENTS} == FOOTPRINT_KINDS


@settings(max_examples=FUZZ_ANSWERS, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, index=st.integers(min_value=0, max_value=len(ASSIGNMENTS) - 1), pick=st.integers(0, 20),
       lang=st.sampled_from(["fr", "en"]))
def test_every_text_reads_as_figures_or_a_sendable_refusal(text: str, index: int, pick: int, lang: str) -> None:
    assignment = ASSIGNMENTS[index]
    offered = choices(assignment.report)
    chosen = offered[pick % len(offered)] if offered and pick < 10 else None
    try:
        answer = parse_footprint(text, assignment, chosen=chosen, places=load_places(),
                                 counted=lambda item: purchase_factor_key(item) in FACTORS)
    except GreenslateError as exc:
        refusal = texts.refusal(exc, PRODUCTION, assignment, lang)
        assert refusal.strip() and len(refusal) < 4096 and "telegram." not in refusal
        for typed in (str(exc.params.get("text", "")), str(exc.params.get("item", ""))):  # quoted back as typed
            refusal = refusal.replace(typed, "") if typed else refusal
        assert not re.search(r"\{[a-z_]+\}", refusal), refusal  # no field left unfilled
        return
    assert answer.kind is assignment.report and answer.values
    assert all(isinstance(v, Decimal) and v >= 0 for v in answer.values.values())
    day = dt.date(2027, 3, 5)
    subject = answer.subject if assignment.report in SUBJECT_CHOICE_KINDS else assignment.subject
    report = Report(PRODUCTION.id, assignment.who, answer.kind, day, answer.values, text, "test", "fuzz",
                    dt.datetime(2027, 3, 5, 18, tzinfo=dt.UTC), subject=subject)
    recap = texts.recap(PRODUCTION, report, Decimal(0), day, lang)
    assert recap.strip() and not re.search(r"\{[a-z_]+\}", recap) and len(recap) < 4096

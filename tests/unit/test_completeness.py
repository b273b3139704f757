"""Completeness from the domain alone: expected answers against the days answered."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from domain.completeness import completeness
from domain.model import Assignment, Frequency, Production, ReportKind

MON, TUE = dt.date(2027, 3, 1), dt.date(2027, 3, 2)


def with_generator_assignment(production: Production, report: ReportKind) -> Production:
    a = Assignment("lea", report, Frequency.DAILY, dt.time(19, 30), generator="g1")
    return replace(production, assignments=(a,))


def test_litres_answer_a_generator_hours_prompt_and_hours_a_litres_prompt(production: Production) -> None:
    # the scheduler's rule (domain.schedule.ANSWERING_KINDS): either figure answers a generator's prompt
    for asked, given in ((ReportKind.GENERATOR_HOURS, ReportKind.GENERATOR_LITRES),
                         (ReportKind.GENERATOR_LITRES, ReportKind.GENERATOR_HOURS)):
        shoot = with_generator_assignment(production, asked)
        comp = completeness(shoot, {("lea", given.value, "g1"): {MON}}, {}, TUE)
        assert [(s.day, s.answered) for s in comp.slots] == [(MON, True), (TUE, False)], asked
        assert [(m.member_id, m.expected, m.answered) for m in comp.members] == [("lea", 2, 1)]


def test_paused_days_are_listed_but_not_expected(production: Production) -> None:
    class Paused:
        paused_until = MON
        unreachable = False
        forgotten = False

    shoot = with_generator_assignment(production, ReportKind.GENERATOR_HOURS)
    comp = completeness(shoot, {}, {"lea": Paused()}, TUE)
    assert [(s.day, s.paused) for s in comp.slots] == [(MON, True), (TUE, False)]
    assert comp.by_day() == [(TUE, 1, 0)]
    assert [s.day for s in comp.missing] == [TUE]


def test_a_leg_by_any_mode_answers_a_travel_prompt_and_a_site_only_its_own(production: Production) -> None:
    travel = Assignment("karim", ReportKind.TRAVEL, Frequency.DAILY, dt.time(18))
    grid = Assignment("lea", ReportKind.GRID_POWER, Frequency.DAILY, dt.time(20), site="plateau")
    shoot = replace(production, assignments=(travel, grid))
    answered = {("karim", "travel", "plane:ORY:NCE"): {MON}, ("karim", "travel", "coach"): {TUE},
                ("lea", "grid_power", "hall"): {MON, TUE}}
    comp = completeness(shoot, answered, {}, TUE)
    assert sorted((s.member_id, s.day, s.answered) for s in comp.slots) == [
        ("karim", MON, True), ("karim", TUE, True), ("lea", MON, False), ("lea", TUE, False)]


def test_the_counts_are_those_of_the_listed_slots(production: Production) -> None:
    """Counted per assignment, the days, the missing answers and their count agree with every slot listed."""
    class Paused:
        paused_until = dt.date(2027, 3, 2)
        unreachable = False
        forgotten = False

    days = production.calendar.shooting_days()[:12]
    answered = {(a.who, a.report.value, a.subject): set(days[i % 3::3]) for i, a in enumerate(production.assignments)}
    comp = completeness(production, answered, {production.assignments[0].who: Paused()}, days[-1])
    expected = [s for s in comp.slots if not s.paused]
    assert comp.by_day() == [(d, sum(s.day == d for s in expected), sum(s.day == d and s.answered for s in expected))
                             for d in sorted({s.day for s in expected})]
    assert comp.missing == [s for s in expected if not s.answered] and comp.missing_count == len(comp.missing) > 3
    assert comp.latest_missing(3) == comp.missing[-3:] and comp.latest_missing(0) == []
    assert {m.member_id: (m.expected, m.answered) for m in comp.members} == {
        who: (sum(s.member_id == who for s in expected), sum(s.member_id == who and s.answered for s in expected))
        for who in {m.member_id for m in comp.members}}

"""The use cases' rules, over a unit of work in memory: what is stored, refused, replaced, counted.

Each test states a rule a crew member or coordinator relies on, and checks it through the use
cases' own entry points (no SQL, no bot): the same rules the Telegram and Discord tests reach
through the real store, in milliseconds.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from itertools import count

import pytest

from domain.errors import InvalidReport, NeedsConfirmation, UnknownAction, UnknownMember
from domain.model import ActionOutcome, ActionStatus, Category, Production, Report, ReportKind
from domain.usecases import (
    Catalogue,
    correct_report,
    get_balance,
    get_plan,
    load_production,
    record_answer,
    record_report,
    set_action_status,
    undo_report,
)
from tests.unit.memory import MemoryUnitOfWork

UTC = dt.UTC
MON, TUE, WED = dt.date(2027, 3, 1), dt.date(2027, 3, 2), dt.date(2027, 3, 3)
VAN_KG_PER_KM = D("0.324626")  # van_fr_impactco2, the minibus's factor in the 2026.1 set
GNR_KG_PER_LITRE = D("3.17")
VERSION = "2026.1"

_messages = count(1)


def answer(kind: ReportKind, day: dt.date, values: dict[str, str], *, subject: str | None = None,
           member: str = "amina", confirmed: bool = False, ref: str | None = None) -> Report:
    """A figure as a bot hands it to the use cases: one chat message, not stored yet."""
    n = next(_messages)
    return Report(
        production_id="p1", member_id=member, kind=kind, day=day, values={k: D(v) for k, v in values.items()},
        raw_text=" ".join(values.values()), source="telegram", source_ref=ref or f"chat:1:msg:{n}",
        received_at=dt.datetime.combine(day, dt.time(19, 45), UTC) + dt.timedelta(seconds=n),
        subject=subject, confirmed=confirmed,
    )


def odometer(day: dt.date, reading: str, **kw: object) -> Report:
    return answer(ReportKind.MILEAGE, day, {"odometer": reading}, subject="mb1", **kw)  # type: ignore[arg-type]


@pytest.fixture
def uow(production: Production) -> MemoryUnitOfWork:
    uow = MemoryUnitOfWork()
    load_production(uow, production)
    return uow


def transport_kg(uow: MemoryUnitOfWork) -> D:
    bal = get_balance(uow, VERSION, "p1")
    return next(c.kgco2e for c in bal.categories if c.category is Category.TRANSPORT)


def test_loading_a_production_says_whether_it_is_new(production: Production) -> None:
    uow = MemoryUnitOfWork()
    assert load_production(uow, production) is True
    assert load_production(uow, production) is False
    assert [p.id for p in MemoryUnitOfWork(uow.committed).productions.list()] == ["p1"]


def test_an_odometer_reading_counts_the_km_since_the_start_reading(uow: MemoryUnitOfWork, cat: Catalogue) -> None:
    done = record_answer(uow, cat, odometer(MON, "45230"))
    assert not done.duplicate
    assert done.quantity == D(220)  # 45 230 - the start reading 45 010
    assert done.kgco2e == D(220) * VAN_KG_PER_KM
    assert transport_kg(uow) == D(220) * VAN_KG_PER_KM


def test_the_same_message_twice_is_stored_once_and_counted_once(uow: MemoryUnitOfWork, cat: Catalogue) -> None:
    first = record_answer(uow, cat, odometer(MON, "45230", ref="chat:1:msg:77"))
    again = record_answer(uow, cat, odometer(MON, "45230", ref="chat:1:msg:77"))
    assert again.duplicate and again.report.id == first.report.id
    assert again.kgco2e == first.kgco2e
    assert len(uow.committed.reports) == 1
    assert transport_kg(uow) == D(220) * VAN_KG_PER_KM


def test_a_reading_below_the_last_one_is_refused_and_changes_nothing(uow: MemoryUnitOfWork, cat: Catalogue) -> None:
    record_answer(uow, cat, odometer(MON, "45230"))
    before = (list(uow.committed.reports), list(uow.committed.lines))
    with pytest.raises(InvalidReport) as refused:
        record_answer(uow, cat, odometer(TUE, "45100"))
    assert refused.value.params["reason"] == "below_last"
    assert (uow.committed.reports, uow.committed.lines) == before


def test_an_unusual_day_waits_for_confirmation_then_counts(uow: MemoryUnitOfWork, cat: Catalogue) -> None:
    with pytest.raises(NeedsConfirmation):
        record_answer(uow, cat, odometer(MON, "46010"))  # 1 000 km in a day
    assert uow.committed.reports == []
    done = record_answer(uow, cat, odometer(MON, "46010", confirmed=True))
    assert done.quantity == D(1000)


def test_a_second_answer_for_the_same_day_replaces_the_first(uow: MemoryUnitOfWork, cat: Catalogue) -> None:
    first = record_answer(uow, cat, odometer(MON, "45230"))
    second = record_answer(uow, cat, odometer(MON, "45300"))
    assert second.report.corrects == first.report.id  # the history keeps both
    assert len(uow.committed.reports) == 2
    assert transport_kg(uow) == D(290) * VAN_KG_PER_KM  # only the latest counts


def test_correcting_a_reading_recomputes_the_next_day_too(uow: MemoryUnitOfWork, cat: Catalogue) -> None:
    monday = record_answer(uow, cat, odometer(MON, "45230"))
    record_answer(uow, cat, odometer(TUE, "45400"))
    correct_report(uow, cat, monday.report.id or 0, {"odometer": D(45200)}, raw_text="45 200", source="telegram",
                   source_ref="edit:1", received_at=dt.datetime(2027, 3, 2, 20, 0, tzinfo=UTC))
    by_day = {ln.day: ln.quantity for ln in uow.committed.lines}
    assert by_day == {MON: D(190), TUE: D(200)}  # the km move to Tuesday; the total stays 390
    assert transport_kg(uow) == D(390) * VAN_KG_PER_KM


def test_correcting_a_corrected_figure_corrects_its_latest_version(uow: MemoryUnitOfWork, cat: Catalogue) -> None:
    first = record_answer(uow, cat, odometer(MON, "45230"))
    second = correct_report(uow, cat, first.report.id or 0, {"odometer": D(45300)}, raw_text="45 300",
                            source="telegram", source_ref="edit:1", received_at=dt.datetime(2027, 3, 1, 20, tzinfo=UTC))
    third = correct_report(uow, cat, first.report.id or 0, {"odometer": D(45250)}, raw_text="45 250",
                           source="telegram", source_ref="edit:2", received_at=dt.datetime(2027, 3, 1, 21, tzinfo=UTC))
    assert third.report.corrects == second.report.id
    assert transport_kg(uow) == D(240) * VAN_KG_PER_KM


def test_undoing_a_figure_takes_it_out_of_the_balance(uow: MemoryUnitOfWork, cat: Catalogue) -> None:
    done = record_answer(uow, cat, odometer(MON, "45230"))
    undo_report(uow, cat, done.report.id or 0, source="telegram", source_ref="undo:1",
                received_at=dt.datetime(2027, 3, 1, 20, tzinfo=UTC))
    assert transport_kg(uow) == 0
    assert [r.void for r in uow.committed.reports] == [False, True]


def test_litres_refuelled_count_for_the_generator_after_its_hours(uow: MemoryUnitOfWork, cat: Catalogue) -> None:
    record_answer(uow, cat, answer(ReportKind.GENERATOR_LITRES, MON, {"litres": "100"}, subject="g1", member="lea"))
    bal = get_balance(uow, VERSION, "p1")
    energy = next(c.kgco2e for c in bal.categories if c.category is Category.ENERGY)
    assert energy == D(100) * GNR_KG_PER_LITRE
    assert ("p1", "g1") in uow.locked  # a generator's figures are a chain: writers take turns


def test_a_figure_for_someone_not_in_the_crew_is_refused(uow: MemoryUnitOfWork, cat: Catalogue) -> None:
    with pytest.raises(UnknownMember):
        record_report(uow, cat, odometer(MON, "45230", member="nobody"))
    assert uow.committed.reports == [] and uow.commits == 1  # only the production was ever kept


def test_a_figure_outside_the_shoot_or_for_an_unknown_vehicle_is_refused(uow: MemoryUnitOfWork,
                                                                         cat: Catalogue) -> None:
    with pytest.raises(InvalidReport):
        record_answer(uow, cat, odometer(dt.date(2027, 4, 1), "45230"))
    with pytest.raises(InvalidReport):
        record_answer(uow, cat, answer(ReportKind.MILEAGE, MON, {"odometer": "1"}, subject="truck9"))
    with pytest.raises(InvalidReport):
        record_answer(uow, cat, answer(ReportKind.MEALS, MON, {"caviar": "3"}, member="paul"))
    assert uow.committed.reports == []


def test_the_plan_follows_the_vegetarian_share_of_meals(uow: MemoryUnitOfWork, cat: Catalogue) -> None:
    record_answer(uow, cat, answer(ReportKind.MEALS, MON, {"vegetarian": "30", "beef": "70"}, member="paul"))
    veg = next(p for p in get_plan(uow, "p1") if p.action.id == "A1")
    assert veg.current == D("0.3")  # 30 of 100 meals; the target is 0.3
    assert veg.progress_pct == D(100)


def test_an_action_status_needs_a_known_action_and_an_outcome_only_when_done(uow: MemoryUnitOfWork) -> None:
    at = dt.datetime(2027, 3, 2, 9, tzinfo=UTC)
    with pytest.raises(UnknownAction):
        set_action_status(uow, "p1", "A9", ActionStatus.DONE, by="eco", at=at)
    with pytest.raises(InvalidReport):
        set_action_status(uow, "p1", "A1", ActionStatus.IN_PROGRESS, by="eco", at=at,
                          outcome=ActionOutcome.REPRODUCIBLE)
    assert uow.committed.statuses == []
    set_action_status(uow, "p1", "A1", ActionStatus.DONE, by="eco", at=at, outcome=ActionOutcome.REPRODUCIBLE)
    assert [(s["action_id"], s["status"]) for s in uow.committed.statuses] == [("A1", ActionStatus.DONE)]


def test_figures_keep_the_factor_set_version_they_were_computed_with(uow: MemoryUnitOfWork) -> None:
    from config.factors import catalogue

    old = record_report(uow, catalogue("2026.1"), answer(ReportKind.MEALS, MON, {"beef": "10"}, member="paul"))
    new = record_report(uow, catalogue("2026.2"), answer(ReportKind.MEALS, TUE, {"beef": "10"}, member="paul"))
    assert [ln.trace.factor_set_version for ln in old.lines] == ["2026.1"]
    assert [ln.trace.factor_set_version for ln in new.lines] == ["2026.2"]
    traces = get_balance(uow, "2026.2", "p1").traces
    assert [(t.factor_key, t.factor_set_version) for t in traces] == [
        ("meal_beef_fr", "2026.1"), ("meal_beef_fr", "2026.2")]
    with uow:
        stored = sorted(uow.lines.for_production("p1"), key=lambda ln: ln.day)
    assert [ln.trace.factor_set_version for ln in stored] == ["2026.1", "2026.2"]


def test_a_new_reading_leaves_the_earlier_days_lines_and_their_version(uow: MemoryUnitOfWork) -> None:
    from config.factors import catalogue

    record_report(uow, catalogue("2026.1"), odometer(MON, "45230"))
    record_report(uow, catalogue("2026.2"), odometer(TUE, "45400"))
    with uow:
        stored = sorted(uow.lines.for_production("p1"), key=lambda ln: ln.day)
    assert [(ln.quantity, ln.trace.factor_set_version) for ln in stored] == [(D(220), "2026.1"), (D(170), "2026.2")]
    assert transport_kg(uow) == D(390) * VAN_KG_PER_KM

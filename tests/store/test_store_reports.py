"""Reports and emission lines in the store, through the real use cases and factor catalogue."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

import pytest
from sqlalchemy import Engine, func, select

from domain import usecases
from domain.errors import UnknownReport
from domain.model import Production, ReportKind
from domain.usecases import Catalogue, Recorded
from store.tables import emission_lines, report_values, reports
from store.uow import SqlUnitOfWork
from tests.store.store_builders import report

UowFactory = Callable[[], SqlUnitOfWork]
VAN = D("0.324626")  # van_fr_impactco2, kg CO2e per vehicle-km in factor set 2026.1
LATER = dt.datetime(2027, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _loaded(uow_factory: UowFactory, production: Production) -> None:
    usecases.load_production(uow_factory(), production)


def _count(uow_factory: UowFactory, table: object, *where: object) -> int:
    with uow_factory() as uow:
        return int(uow.connection.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def test_a_reading_becomes_lines_with_their_factor(uow_factory: UowFactory, cat: Catalogue) -> None:
    recorded = usecases.record_report(
        uow_factory(), cat, report(ReportKind.MILEAGE, {"odometer": 45230}, subject="mb1")
    )
    assert recorded.duplicate is False
    assert recorded.report.id is not None
    assert recorded.quantity == D(220)
    assert recorded.kgco2e == D(220) * VAN
    with uow_factory() as uow:
        stored = uow.lines.for_production("feux-aube")
        assert stored == list(recorded.lines)
        assert stored[0].trace.factor_key == "van_fr_impactco2"
        assert stored[0].trace.factor_set_version == "2026.2"
        assert stored[0].trace.proxy is True
        assert uow.reports.get(recorded.report.id) == recorded.report
    balance = usecases.get_balance(uow_factory(), "2026.1", "feux-aube")
    assert balance.total_kgco2e == D("71.41772")


def test_each_kind_of_report_is_stored_and_read_back(uow_factory: UowFactory, cat: Catalogue) -> None:
    sent = [
        report(ReportKind.MEALS, {"vegetarian": 30, "beef": 10}, member="paul"),
        report(ReportKind.WASTE, {"residual": "12.5", "cardboard": 4}, member="sam"),
        report(ReportKind.GENERATOR_HOURS, {"meter": "1506.5"}, member="lea", subject="g2"),
        report(ReportKind.GENERATOR_HOURS, {"hours": 6}, member="lea", subject="g1"),
        report(ReportKind.GENERATOR_LITRES, {"litres": 80}, member="lea", subject="g1",
               day=dt.date(2027, 3, 2)),
    ]
    results = [usecases.record_report(uow_factory(), cat, r) for r in sent]
    with uow_factory() as uow:
        stored = uow.lines.for_production("feux-aube")
        back = uow.reports.for_production("feux-aube")
        assert [r.values for r in back] == [dict(r.values) for r in sent]
        assert uow.reports.for_production("feux-aube", kind=[ReportKind.MEALS]) == [back[0]]
        assert uow.reports.for_production("feux-aube", subject="g1", member_id="lea") == back[3:]
    assert sorted(stored, key=repr) == sorted((ln for r in results for ln in r.lines), key=repr)
    g2 = next(ln for ln in stored if ln.subject == "g2")
    assert (g2.quantity, g2.kgco2e, g2.estimated) == (D(45), D("24.3"), True)  # 6 h x 7.5 L/h x 0.54
    meals = {ln.subject: ln.kgco2e for ln in stored if ln.unit == "meal"}
    assert meals == {"vegetarian": D("25.5"), "beef": D("49.7")}


def test_the_same_message_is_stored_once(uow_factory: UowFactory, cat: Catalogue) -> None:
    first = usecases.record_report(
        uow_factory(), cat, report(ReportKind.MILEAGE, {"odometer": 45230}, subject="mb1", ref="tg:1:77")
    )
    again = usecases.record_report(
        uow_factory(), cat, report(ReportKind.MILEAGE, {"odometer": 45230}, subject="mb1", ref="tg:1:77")
    )
    assert again.duplicate is True
    assert again.report == first.report
    assert again.lines == first.lines
    assert _count(uow_factory, reports) == 1
    # The same reference from another source is another message.
    other = usecases.record_report(
        uow_factory(), cat,
        report(ReportKind.MEALS, {"vegetarian": 3}, member="paul", source="discord", ref="tg:1:77"),
    )
    assert other.duplicate is False


class _RacingUnitOfWork(SqlUnitOfWork):
    """Holds every racer, once it has checked that the message is new, until all of them have.

    They meet before the vehicle's chain lock (which the use case takes after that check): past it,
    writers of one chain take turns, so a meeting point further on would wait for ever.
    """

    def __init__(self, engine: Engine, barrier: threading.Barrier) -> None:
        super().__init__(engine)
        self._barrier = barrier

    def lock_chain(self, production_id: str, subject: str) -> None:
        self._barrier.wait(timeout=20)
        super().lock_chain(production_id, subject)


@pytest.mark.parametrize("racers", [2, 4])
def test_racing_deliveries_of_one_message_store_it_once(
    engine: Engine, uow_factory: UowFactory, cat: Catalogue, racers: int
) -> None:
    """Two bot processes on one token get the same update: exactly one row, no error."""
    barrier = threading.Barrier(racers)
    sent = report(ReportKind.MILEAGE, {"odometer": 45230}, subject="mb1", ref="tg:race")

    def deliver(_: int) -> Recorded:
        return usecases.record_report(_RacingUnitOfWork(engine, barrier), cat, sent)

    with ThreadPoolExecutor(racers) as pool:
        results = list(pool.map(deliver, range(racers)))
    assert sorted(r.duplicate for r in results) == [False] + [True] * (racers - 1)
    assert len({r.report.id for r in results}) == 1
    assert all(r.kgco2e == D(220) * VAN for r in results)
    assert _count(uow_factory, reports, reports.c.source_ref == "tg:race") == 1
    assert _count(uow_factory, emission_lines) == 1


def test_a_correction_supersedes_and_the_history_stays(uow_factory: UowFactory, cat: Catalogue) -> None:
    day1 = usecases.record_report(
        uow_factory(), cat, report(ReportKind.MILEAGE, {"odometer": 45230}, subject="mb1")
    )
    day2 = usecases.record_report(
        uow_factory(), cat,
        report(ReportKind.MILEAGE, {"odometer": 45500}, subject="mb1", day=dt.date(2027, 3, 2)),
    )
    assert day2.quantity == D(270)
    fixed = usecases.correct_report(
        uow_factory(), cat, day1.report.id or 0, {"odometer": D(45200)},
        raw_text="45 200", source="telegram", source_ref="fix-1", received_at=LATER,
    )
    assert fixed.report.corrects == day1.report.id
    with uow_factory() as uow:
        history = uow.reports.for_production("feux-aube", kind=[ReportKind.MILEAGE], subject="mb1")
        assert [r.id for r in history] == [day1.report.id, day2.report.id, fixed.report.id]
        assert uow.reports.corrector_of(day1.report.id or 0) == fixed.report
        assert uow.reports.corrector_of(fixed.report.id or 0) is None
        by_report = {ln.report_id: ln.quantity for ln in uow.lines.for_production("feux-aube")}
    # day 1 now counts 190 km, and day 2 counts from the corrected reading: 300 km.
    assert by_report == {fixed.report.id: D(190), day2.report.id: D(300)}

    # Correcting the original again corrects its latest version.
    refixed = usecases.correct_report(
        uow_factory(), cat, day1.report.id or 0, {"odometer": D(45210)},
        raw_text="45 210", source="telegram", source_ref="fix-2", received_at=LATER,
    )
    assert refixed.report.corrects == fixed.report.id
    assert refixed.quantity == D(200)


def test_undo_cancels_the_lines_and_keeps_both_reports(uow_factory: UowFactory, cat: Catalogue) -> None:
    meals = usecases.record_report(
        uow_factory(), cat, report(ReportKind.MEALS, {"vegetarian": 30}, member="paul")
    )
    undone = usecases.undo_report(
        uow_factory(), cat, meals.report.id or 0, source="telegram", source_ref="undo-1", received_at=LATER
    )
    assert undone.report.void is True
    assert undone.lines == ()
    with uow_factory() as uow:
        assert uow.lines.for_production("feux-aube") == []
        kept = uow.reports.for_production("feux-aube")
        assert [(r.id, r.void, r.values) for r in kept] == [
            (meals.report.id, False, {"vegetarian": D(30)}),
            (undone.report.id, True, {}),
        ]
        with pytest.raises(UnknownReport):
            uow.reports.get(999_999)


def test_quantities_and_kgco2e_are_exact_and_summable_in_sql(uow_factory: UowFactory, cat: Catalogue) -> None:
    usecases.record_report(uow_factory(), cat, report(ReportKind.WASTE, {"cardboard": "0.1"}, member="sam"))
    usecases.record_report(uow_factory(), cat, report(ReportKind.WASTE, {"cardboard": "0.2"}, member="sam"))
    usecases.record_report(
        uow_factory(), cat, report(ReportKind.MILEAGE, {"km": "1234567.891234"}, subject="car2", confirmed=True)
    )
    with uow_factory() as uow:
        kg = uow.connection.scalar(
            select(func.sum(report_values.c.quantity)).where(report_values.c.item == "cardboard")
        )
        co2 = uow.connection.scalar(
            select(func.sum(emission_lines.c.kgco2e)).where(emission_lines.c.subject == "cardboard")
        )
        total = uow.connection.scalar(select(func.sum(emission_lines.c.kgco2e)))
        lines = uow.lines.for_production("feux-aube")
        km = uow.reports.for_production("feux-aube", kind=[ReportKind.MILEAGE])[0].values["km"]
    assert kg == D("0.3")
    assert co2 == D("0.2976")  # 0.3 kg x 0.992
    assert km == D("1234567.891234")
    assert total == sum((ln.kgco2e for ln in lines), D(0))
    assert [str(ln.quantity) for ln in lines if ln.subject == "cardboard"] == ["0.1", "0.2"]


def test_instants_come_back_timezone_aware(uow_factory: UowFactory, cat: Catalogue) -> None:
    sent = report(ReportKind.MEALS, {"vegetarian": 30}, member="paul")
    assert sent.received_at.utcoffset() == dt.timedelta(hours=1)
    recorded = usecases.record_report(uow_factory(), cat, sent)
    with uow_factory() as uow:
        back = uow.reports.get(recorded.report.id or 0).received_at
    assert back.tzinfo is not None
    assert back == sent.received_at  # the same instant (now expressed in UTC)
    assert back.utcoffset() == dt.timedelta(0)


def test_a_report_is_not_kept_without_commit(uow_factory: UowFactory) -> None:
    with uow_factory() as uow:
        stored = uow.reports.add(report(ReportKind.MEALS, {"vegetarian": 1}, member="paul", ref="nc"))
        assert uow.reports.by_source("telegram", "nc") == stored
    with uow_factory() as uow:
        assert uow.reports.by_source("telegram", "nc") is None
    assert _count(uow_factory, report_values) == 0

"""Readings of one vehicle or generator stored at the same time by several writers.

An odometer reading's km are this reading minus the previous one, so two readings stored side by
side must not both be measured against the same earlier reading (that would count the km between
them twice). Whatever the interleaving, the stored lines must equal the lines the carbon engine
computes from all the readings at once. Threads with their own units of work stand for several
bot processes; on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

import pytest

from domain import usecases
from domain.carbon import active_reports, generator_lines, mileage_lines
from domain.model import Production, ReportKind
from domain.usecases import Catalogue
from store.uow import SqlUnitOfWork
from tests.store.store_builders import report

UowFactory = Callable[[], SqlUnitOfWork]
SHOOTING_DAYS = [dt.date(2027, 3, d) for d in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 15, 16)]


@pytest.fixture
def loaded(uow_factory: UowFactory, production: Production) -> Production:
    usecases.load_production(uow_factory(), production)
    return production


def _side_by_side(record: Callable[[int], object], n: int) -> None:
    start = threading.Barrier(n)

    def run(i: int) -> object:
        start.wait()  # every writer reads the chain at about the same time
        return record(i)

    with ThreadPoolExecutor(n) as pool:
        list(pool.map(run, range(n)))


@pytest.mark.parametrize("rounds", [3])
def test_odometer_readings_stored_side_by_side_count_each_km_once(
    uow_factory: UowFactory, cat: Catalogue, loaded: Production, rounds: int
) -> None:
    start = loaded.vehicle("mb1").odometer_start
    days = SHOOTING_DAYS
    for r in range(rounds):
        batch = days[r * 4:(r + 1) * 4]

        def record(i: int, batch: list[dt.date] = batch) -> object:
            reading = start + 100 * (days.index(batch[i]) + 1)
            return usecases.record_report(uow_factory(), cat, report(
                ReportKind.MILEAGE, {"odometer": reading}, day=batch[i], subject="mb1", member="amina"))

        _side_by_side(record, len(batch))
    with uow_factory() as uow:
        stored = uow.lines.for_production(loaded.id)
        reports = uow.reports.for_production(loaded.id, kind=[ReportKind.MILEAGE], subject="mb1")
    expected = mileage_lines(loaded, cat.factors, "mb1", active_reports(reports))
    km = sum((ln.quantity for ln in stored if ln.subject == "mb1"), D(0))
    assert km == 100 * rounds * 4  # the last reading minus the odometer at the start
    assert sorted((ln.day, ln.quantity, ln.kgco2e) for ln in stored if ln.subject == "mb1") == sorted(
        (ln.day, ln.quantity, ln.kgco2e) for ln in expected)


def test_hour_meter_readings_stored_side_by_side_count_each_hour_once(
    uow_factory: UowFactory, cat: Catalogue, loaded: Production
) -> None:
    start = loaded.generator("g2").hour_meter_start
    batch = SHOOTING_DAYS[:6]

    def record(i: int) -> object:
        return usecases.record_report(uow_factory(), cat, report(
            ReportKind.GENERATOR_HOURS, {"meter": start + 8 * (i + 1)}, day=batch[i], subject="g2", member="lea"))

    _side_by_side(record, len(batch))
    with uow_factory() as uow:
        stored = [ln for ln in uow.lines.for_production(loaded.id) if ln.subject == "g2"]
        reports = uow.reports.for_production(
            loaded.id, kind=[ReportKind.GENERATOR_HOURS, ReportKind.GENERATOR_LITRES], subject="g2")
    expected = generator_lines(loaded, cat.factors, cat.consumption, "g2", active_reports(reports))
    assert sorted((ln.day, ln.quantity, ln.kgco2e) for ln in stored) == sorted(
        (ln.day, ln.quantity, ln.kgco2e) for ln in expected)
    assert sum((ln.quantity for ln in stored), D(0)) == D("7.5") * 8 * 6  # 48 hours at 7.5 litres an hour

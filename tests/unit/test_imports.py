"""One imported row and its reference (``domain.imports.import_row``), over a unit of work in memory.

The rules a production office relies on when it imports its accounts again: the same row is stored
once, a changed figure under a known reference corrects the stored one (and only once), and a known
reference moved to another day or vehicle is refused.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from domain.errors import InvalidReport
from domain.imports import Outcome, Row, import_row
from domain.model import Production, ReportKind
from domain.usecases import Catalogue, load_production
from tests.unit.memory import MemoryUnitOfWork

MON, TUE = dt.date(2027, 3, 1), dt.date(2027, 3, 2)
AT = dt.datetime(2027, 3, 10, 9, 0, tzinfo=dt.UTC)


def row(ref: str, odometer: str, *, day: dt.date = MON, vehicle: str = "mb1") -> Row:
    return Row(production_id="p1", kind=ReportKind.MILEAGE, ref=ref, member_id="amina", day=day,
               values={"odometer": D(odometer)}, subject=vehicle, raw_text=f"gazole.csv row 2: {odometer}")


@pytest.fixture
def uow(production: Production) -> MemoryUnitOfWork:
    uow = MemoryUnitOfWork()
    load_production(uow, production)
    return uow


def test_the_same_row_twice_is_stored_once(uow: MemoryUnitOfWork, cat: Catalogue, production: Production) -> None:
    first = import_row(uow, cat, row("F-1", "45230"), AT, production=production)
    again = import_row(uow, cat, row("F-1", "45230"), AT, production=production)
    assert (first.outcome, again.outcome) == (Outcome.STORED, Outcome.UNCHANGED)
    assert again.recorded.report.id == first.recorded.report.id
    assert len(uow.committed.reports) == 1


def test_a_changed_figure_corrects_the_stored_one_once(
    uow: MemoryUnitOfWork, cat: Catalogue, production: Production
) -> None:
    first = import_row(uow, cat, row("F-1", "45230"), AT, production=production)
    fixed = import_row(uow, cat, row("F-1", "45250"), AT, production=production)
    assert fixed.outcome is Outcome.CORRECTED
    assert fixed.recorded.report.corrects == first.recorded.report.id
    assert fixed.recorded.quantity == D(240)  # 45 250 - the start reading 45 010
    assert import_row(uow, cat, row("F-1", "45250"), AT, production=production).outcome is Outcome.UNCHANGED
    back = import_row(uow, cat, row("F-1", "45230"), AT, production=production)  # the first figure again
    assert back.outcome is Outcome.CORRECTED and back.recorded.report.corrects == fixed.recorded.report.id
    assert len(uow.committed.reports) == 3


@pytest.mark.parametrize(("moved", "field"), [(row("F-1", "45230", day=TUE), "day"),
                                              (row("F-1", "45230", vehicle="car2"), "subject")])
def test_a_known_reference_moved_to_another_day_or_vehicle_is_refused(
    uow: MemoryUnitOfWork, cat: Catalogue, production: Production, moved: Row, field: str
) -> None:
    import_row(uow, cat, row("F-1", "45230"), AT, production=production)
    with pytest.raises(InvalidReport) as refused:
        import_row(uow, cat, moved, AT, production=production)
    assert refused.value.params["reason"] == "ref_moved" and refused.value.params["field"] == field
    assert len(uow.committed.reports) == 1


def test_the_command_offers_every_kind_and_format_the_importer_has() -> None:
    from common import imports
    from greenslate.cli import imports as command

    assert [k.value for k in imports.LAYOUTS] == command.KINDS
    assert command.FORMATS == imports.FORMATS

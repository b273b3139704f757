"""Emission lines: one activity figure and the kg CO2e it stands for, and the helpers every kind uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from domain.factors import Trace
from domain.model import Category, Production, Report, ReportKind

ZERO = Decimal(0)
KG_PER_TONNE = Decimal(1000)


@dataclass(frozen=True)
class EmissionLine:
    """One activity figure and the kg CO2e it stands for."""

    production_id: str
    day: dt.date
    category: Category
    kind: ReportKind
    subject: str  # vehicle id, meal type, generator id or waste stream
    quantity: Decimal  # km, meals, litres or kg
    unit: str
    kgco2e: Decimal
    trace: Trace
    report_id: int | None = None
    member_id: str | None = None
    # Not measured: generator litres estimated from hours, or a purchase counted from the money spent
    # (ADEME's monetary ratios, the least precise method).
    estimated: bool = False


def active_reports(reports: Iterable[Report]) -> list[Report]:
    """The reports that count: neither corrected by a later report nor undone."""
    reports = list(reports)
    corrected = {r.corrects for r in reports if r.corrects is not None}
    return [r for r in reports if r.id not in corrected and not r.void]


def make_line(
    production: Production,
    report: Report,
    subject: str,
    quantity: Decimal,
    unit: str,
    trace: Trace,
    *,
    estimated: bool = False,
    day: dt.date | None = None,
) -> EmissionLine:
    per_unit = trace.kgco2e_per_unit
    if trace.unit == "tonne" and unit == "kg":
        per_unit = per_unit / KG_PER_TONNE
    return EmissionLine(
        production_id=production.id,
        day=day or report.day,
        category=report.kind.category,
        kind=report.kind,
        subject=subject,
        quantity=quantity,
        unit=unit,
        kgco2e=quantity * per_unit,
        trace=trace,
        report_id=report.id,
        member_id=report.member_id,
        estimated=estimated,
    )


def chronological(reports: Iterable[Report]) -> list[Report]:
    return sorted(reports, key=lambda r: (r.day, r.received_at, r.id or 0))

"""Figures imported from the accounts: one row of a file is one report, known by its reference.

A row's reference (its ``ref`` column) plays the part of ``report add --ref``: the same row imported
twice is stored once. A row whose reference is known but whose figure changed is a correction of the
stored report (the history keeps both), as the accounts are the authority on what they invoice. A row
that moves a known reference to another day, member, kind or vehicle is refused: that is another
figure, and it needs a reference of its own.

Every row goes through :func:`domain.usecases.record_report` (or :func:`~domain.usecases.correct_report`),
so it passes the same checks as the bots and ``report add``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.errors import InvalidReport
from domain.model import Production, Report, ReportKind
from domain.ports import UnitOfWork
from domain.usecases import Catalogue, Recorded, correct_report, record_report, same_figure

#: ``Report.source`` of an imported row.
SOURCE = "import"
#: The longest reference a row may have (the store keeps 200 characters with the production and kind).
MAX_REF = 100


class Outcome(StrEnum):
    STORED = "stored"
    CORRECTED = "corrected"
    UNCHANGED = "unchanged"  # imported before with the same figure: nothing new


@dataclass(frozen=True)
class Imported:
    outcome: Outcome
    recorded: Recorded


@dataclass(frozen=True)
class Row:
    """One row of an import, read and typed: what it says, before any check against the store."""

    production_id: str
    kind: ReportKind
    ref: str
    member_id: str | None
    day: dt.date
    values: Mapping[str, Decimal]
    subject: str | None
    raw_text: str
    confirmed: bool = False


def source_ref(production_id: str, kind: ReportKind, ref: str) -> str:
    """The stored reference of a row: its ``ref``, within its production and kind."""
    return f"{production_id}:{kind.value}:{ref}"


def row_report(row: Row, received_at: dt.datetime) -> Report:
    return Report(
        production_id=row.production_id,
        member_id=row.member_id,
        kind=row.kind,
        day=row.day,
        values=dict(row.values),
        raw_text=row.raw_text,
        source=SOURCE,
        source_ref=source_ref(row.production_id, row.kind, row.ref),
        received_at=received_at,
        subject=row.subject,
        confirmed=row.confirmed,
    )


def import_row(
    uow: UnitOfWork, catalogue: Catalogue, row: Row, received_at: dt.datetime, *, production: Production
) -> Imported:
    """Store one imported row: new, a correction of its reference's figure, or nothing when unchanged."""
    report = row_report(row, received_at)
    with uow:
        first = uow.reports.by_source(SOURCE, report.source_ref)
        if first is None:
            return Imported(Outcome.STORED, record_report(uow, catalogue, report, production=production))
        versions = [first]
        while (nxt := uow.reports.corrector_of(versions[-1].id or 0)) is not None:
            versions.append(nxt)
        latest = versions[-1]
        if same_figure(latest, report):
            return Imported(Outcome.UNCHANGED, Recorded(latest, (), duplicate=True))
        _check_same_identity(first, report, row.ref)
        recorded = correct_report(
            uow, catalogue, latest.id or 0, report.values, raw_text=report.raw_text, source=SOURCE,
            source_ref=f"{report.source_ref}@{len(versions) + 1}", received_at=received_at,
            confirmed=report.confirmed, production=production,
        )
        return Imported(Outcome.CORRECTED, recorded)


def _check_same_identity(stored: Report, new: Report, ref: str) -> None:
    """A known reference may change its figure, never what the figure is about."""
    for field in ("day", "member_id", "subject"):
        before, after = getattr(stored, field), getattr(new, field)
        if before != after:
            raise InvalidReport(
                f"reference {ref} is stored with {field} {before}; this row gives {after}. "
                "Give this figure a reference of its own",
                reason="ref_moved", ref=ref, field=field, stored=before, given=after,
            )

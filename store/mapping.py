"""Rows to domain objects and back: the one place that knows both shapes.

Repositories, queries and the batched writes read rows with SQLAlchemy Core and build the
domain's objects here, so a column added to a table is mapped once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any, cast

from domain.carbon import EmissionLine
from domain.factors import Trace
from domain.model import Category, Channel, CrewMember, Language, Report, ReportKind, Role
from domain.ports import MemberState
from store.tables import ExactDecimal, emission_lines, report_values

_NO_DIALECT: Any = None  # ExactDecimal converts the same way on every backend

#: The emission line columns stored as exact decimals (rounded to their scale when stored).
_EXACT_LINE_COLUMNS: dict[str, ExactDecimal] = {
    c.name: c.type for c in emission_lines.columns if isinstance(c.type, ExactDecimal)
}


# -- members ----------------------------------------------------------------------------------------


def crew_member(row: Any) -> CrewMember:
    """A ``members`` row as a member of a production's crew."""
    return CrewMember(id=row.member_id, name=row.name, role=Role(row.role), channel=Channel(row.channel),
                      language=Language(row.language), voice=row.voice, paused_until=row.paused_until)


def member_state(row: Any) -> MemberState:
    """A ``members`` row as what the shoot taught us about the member."""
    return MemberState(
        production_id=row.production_id, member_id=row.member_id, language=row.language, voice=row.voice,
        paused_until=row.paused_until, telegram_chat_id=row.telegram_chat_id, consent_at=row.consent_at,
        unreachable=row.unreachable, forgotten=row.forgotten, telegram_bot=row.telegram_bot,
    )


# -- reports ----------------------------------------------------------------------------------------


def report(row: Any, values: dict[str, Decimal]) -> Report:
    """A ``reports`` row and its values as a report."""
    return Report(
        production_id=row.production_id,
        member_id=row.member_id,
        kind=ReportKind(row.kind),
        day=row.day,
        values=values,
        raw_text=row.raw_text,
        source=row.source,
        source_ref=row.source_ref,
        received_at=row.received_at,
        subject=row.subject,
        corrects=row.corrects,
        void=row.void,
        confirmed=row.confirmed,
        id=row.id,
    )


def reports_joined(rows: Iterable[Any]) -> list[Report]:
    """Reports from rows of a report joined to its values (one row per value), in id order."""
    found: list[Report] = []
    last: Any = None
    values: dict[str, Decimal] = {}
    for row in rows:
        if last is not None and row.id != last.id:
            found.append(report(last, values))
            values = {}
        last = row
        if row.item is not None:
            values[row.item] = row.quantity
    if last is not None:
        found.append(report(last, values))
    return found


def report_row(stored: Report) -> dict[str, Any]:
    """The ``reports`` columns of a report (without its id)."""
    return {
        "production_id": stored.production_id,
        "member_id": stored.member_id,
        "kind": ReportKind(stored.kind).value,
        "day": stored.day,
        "subject": stored.subject,
        "raw_text": stored.raw_text,
        "source": stored.source,
        "source_ref": stored.source_ref,
        "received_at": stored.received_at,
        "corrects": stored.corrects,
        "void": stored.void,
        "confirmed": stored.confirmed,
    }


def value_rows(report_id: int, stored: Report) -> list[dict[str, Any]]:
    """The ``report_values`` rows of a report stored as ``report_id``."""
    return [{"report_id": report_id, "item": k, "quantity": v} for k, v in stored.values.items()]


def as_read_back(stored: Report, report_id: int) -> Report:
    """``stored`` saved as ``report_id``, as it reads back (values rounded to their scale, the instant in
    UTC), without reading it back."""
    quantity = cast(ExactDecimal, report_values.c.quantity.type)
    return replace(
        stored, id=report_id, kind=ReportKind(stored.kind), void=bool(stored.void),
        confirmed=bool(stored.confirmed), received_at=stored.received_at.astimezone(dt.UTC),
        values={k: quantity.process_result_value(quantity.process_bind_param(v, _NO_DIALECT), _NO_DIALECT)
                for k, v in sorted(stored.values.items())},
    )


# -- emission lines ---------------------------------------------------------------------------------


def trace(row: Any) -> Trace:
    """The factor columns of an emission line (or of a sum of lines) as its trace."""
    return Trace(
        factor_key=row.factor_key,
        factor_set_version=row.factor_set_version,
        kgco2e_per_unit=row.factor_kgco2e_per_unit,
        unit=row.factor_unit,
        source=row.factor_source,
        year=row.factor_year,
        proxy=row.factor_proxy,
    )


def emission_line(row: Any, *, production_id: str | None = None, day: dt.date | None = None,
                  subject: str | None = None) -> EmissionLine:
    """An ``emission_lines`` row, or a sum of lines, as an emission line.

    A sum of lines (``daily_emissions``, ``subject_emissions``, a ``GROUP BY``) has no report,
    member, and maybe no production, day or subject of its own: give those it lacks.
    """
    return EmissionLine(
        production_id=row.production_id if production_id is None else production_id,
        day=row.day if day is None else day,
        category=Category(row.category),
        kind=ReportKind(row.kind),
        subject=row.subject if subject is None else subject,
        quantity=row.quantity,
        unit=row.unit,
        kgco2e=row.kgco2e,
        trace=trace(row),
        report_id=getattr(row, "report_id", None),
        member_id=getattr(row, "member_id", None),
        estimated=row.estimated,
    )


def line_row(ln: EmissionLine) -> dict[str, Any]:
    """The ``emission_lines`` columns of a line (without its id)."""
    t = ln.trace
    return {
        "report_id": ln.report_id,
        "production_id": ln.production_id,
        "day": ln.day,
        "category": Category(ln.category).value,
        "kind": ReportKind(ln.kind).value,
        "subject": ln.subject,
        "member_id": ln.member_id,
        "quantity": ln.quantity,
        "unit": ln.unit,
        "kgco2e": ln.kgco2e,
        "factor_key": t.factor_key,
        "factor_set_version": t.factor_set_version,
        "factor_kgco2e_per_unit": t.kgco2e_per_unit,
        "factor_unit": t.unit,
        "factor_source": t.source,
        "factor_year": t.year,
        "factor_proxy": t.proxy,
        "estimated": ln.estimated,
    }


def as_stored(column: str, value: Any) -> Any:
    """``value`` as the emission line column stores and returns it (exact decimals are rounded)."""
    kind = _EXACT_LINE_COLUMNS.get(column)
    if kind is None:
        return value
    return kind.process_result_value(kind.process_bind_param(value, _NO_DIALECT), _NO_DIALECT)

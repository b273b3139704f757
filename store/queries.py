"""Read queries for the dashboard's screens and the exports: aggregation happens in SQL.

Screens never load every report or emission line into Python. The balance and the plan are
built from the sums the store keeps as it writes lines (``daily_emissions`` per day and factor,
``subject_emissions`` per subject and factor; a plan as of an earlier day sums the lines in SQL),
then passed through the same domain functions ``greenslate balance`` uses
(``domain.carbon.balance``, ``domain.indicators.plan_progress``): the sums are exact (scaled
integers) and the formulas are the domain's, so the figures agree to the unit with the balance.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Engine, String, and_, cast, distinct, func, literal, null, or_, select, union
from sqlalchemy.engine import Connection

from domain.carbon import Balance, EmissionLine, balance
from domain.completeness import Completeness
from domain.completeness import completeness as domain_completeness
from domain.factors import Trace
from domain.indicators import ActionProgress, plan_progress
from domain.model import Category, Production, ReportKind
from store import mapping
from store.tables import (
    DAILY_EMISSION_KEY,
    SUBJECT_EMISSION_KEY,
    daily_emissions,
    emission_lines,
    members,
    report_values,
    reports,
    subject_emissions,
)

ZERO = Decimal(0)

Bind = Engine | Connection

_TRACE_COLUMNS = (
    emission_lines.c.factor_key,
    emission_lines.c.factor_set_version,
    emission_lines.c.factor_kgco2e_per_unit,
    emission_lines.c.factor_unit,
    emission_lines.c.factor_source,
    emission_lines.c.factor_year,
    emission_lines.c.factor_proxy,
)


#: A sum of lines has no report or member: said in its row (NULL), so ``mapping.emission_line`` reads
#: them as columns rather than missing a column per line (an exception raised and caught for each).
_NO_REPORT = (null().label("report_id"), null().label("member_id"))


def _connect(bind: Bind) -> Any:
    if isinstance(bind, Connection):
        return _Borrowed(bind)
    return bind.connect()


class _Borrowed:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def __enter__(self) -> Connection:
        return self.conn

    def __exit__(self, *exc: object) -> None:
        return None


def last_day(bind: Bind, production_id: str) -> dt.date | None:
    """The last day any figure counts for (what ``greenslate balance`` takes as done by default)."""
    with _connect(bind) as conn:
        return conn.execute(
            select(func.max(emission_lines.c.day)).where(emission_lines.c.production_id == production_id)
        ).scalar_one()


def summed_lines(
    bind: Bind,
    production_id: str,
    as_of: dt.date | None = None,
    *,
    by_day: bool = True,
    by_subject: bool = True,
) -> list[EmissionLine]:
    """The production's emission lines summed in SQL per day (or not), kind, subject (or not) and factor.

    Each result is an ``EmissionLine`` standing for the sum of its group (``report_id`` None):
    a season of figures becomes a few hundred rows whatever the number of reports. The balance
    needs no subject (its lines then have the subject ""): with hundreds of vehicles and
    generators, leaving it out of the grouping keeps the rows to days x factors.
    """
    day = emission_lines.c.day if by_day else func.max(emission_lines.c.day)
    subject = emission_lines.c.subject if by_subject else literal("").label("subject")
    keys = [
        emission_lines.c.category,
        emission_lines.c.kind,
        subject,
        emission_lines.c.unit,
        emission_lines.c.estimated,
        emission_lines.c.factor_key,
        emission_lines.c.factor_set_version,
        emission_lines.c.factor_proxy,
    ]
    # A factor's value, unit, source and year follow from its key and set version: they are read
    # with the group (min of equal values) rather than hashed into it, which is the costly part.
    described = [
        func.min(c).label(c.name)
        for c in (emission_lines.c.factor_kgco2e_per_unit, emission_lines.c.factor_unit,
                  emission_lines.c.factor_source, emission_lines.c.factor_year)
    ]
    grouped = [k for k in keys if by_subject or k is not subject]
    group = [emission_lines.c.day, *grouped] if by_day else grouped
    query = (
        select(
            day.label("day"),
            *keys,
            *described,
            func.sum(emission_lines.c.quantity).label("quantity"),
            func.sum(emission_lines.c.kgco2e).label("kgco2e"),
            *_NO_REPORT,
        )
        .where(emission_lines.c.production_id == production_id)
        .group_by(*group)
        .order_by(*group)
    )
    if as_of is not None:
        query = query.where(emission_lines.c.day <= as_of)
    with _connect(bind) as conn:
        rows = conn.execute(query).all()
    return [mapping.emission_line(r, production_id=production_id) for r in rows]


def daily_lines(bind: Bind, production_id: str, as_of: dt.date | None = None) -> list[EmissionLine]:
    """The production's lines summed per day and factor, as kept in ``daily_emissions``.

    The same sums as ``summed_lines(..., by_subject=False)`` (each group's lines, subject ""), but
    read from the rows the store keeps up to date as it writes lines: a few per day and factor,
    however many reports there are. Each row carries its factor's full trace.
    """
    t = daily_emissions
    query = (
        select(t)
        .where(t.c.production_id == production_id)
        .order_by(*(t.c[k] for k in DAILY_EMISSION_KEY[1:]))
    )
    if as_of is not None:
        query = query.where(t.c.day <= as_of)
    with _connect(bind) as conn:
        rows = conn.execute(query).all()
    return _sum_lines(rows, subject="")


def production_balance(
    bind: Bind, production: Production, factor_set_version: str, as_of: dt.date | None = None
) -> Balance:
    """The same ``Balance`` as ``domain.usecases.get_balance``, from the daily sums (``daily_lines``)."""
    return balance(production, factor_set_version, daily_lines(bind, production.id, as_of), as_of)


def subject_lines(bind: Bind, production_id: str, day: dt.date | None) -> list[EmissionLine]:
    """The production's lines summed over the shoot per subject and factor, as kept in ``subject_emissions``.

    The same sums as ``summed_lines(..., by_day=False)`` with every day counted; each stands for
    its group with ``day`` as its day (the sums have none of their own).
    """
    t = subject_emissions
    query = (
        select(t)
        .where(t.c.production_id == production_id)
        .order_by(*(t.c[k] for k in SUBJECT_EMISSION_KEY[1:]))
    )
    with _connect(bind) as conn:
        rows = conn.execute(query).all()
    return _sum_lines(rows, day=day or dt.date.min)


def _sum_lines(rows: Any, *, subject: str | None = None, day: dt.date | None = None) -> list[EmissionLine]:
    """Rows of kept sums as lines, as ``mapping.emission_line`` makes them (no report, no member), made
    for a season's thousands: the categories, kinds and traces, a dozen distinct each, are made once."""
    traces: dict[tuple[Any, ...], Trace] = {}
    out = []
    for r in rows:
        key = (r.factor_key, r.factor_set_version, r.factor_kgco2e_per_unit, r.factor_unit, r.factor_source,
               r.factor_year, r.factor_proxy)
        trace = traces.get(key)
        if trace is None:
            trace = traces[key] = mapping.trace(r)
        out.append(EmissionLine(
            production_id=r.production_id, day=r.day if day is None else day, category=_CATEGORIES[r.category],
            kind=_KINDS[r.kind], subject=r.subject if subject is None else subject, quantity=r.quantity,
            unit=r.unit, kgco2e=r.kgco2e, trace=trace, report_id=None, member_id=None, estimated=r.estimated,
        ))
    return out


_CATEGORIES = {c.value: c for c in Category}
_KINDS = {k.value: k for k in ReportKind}


def plan(bind: Bind, production: Production, as_of: dt.date | None = None) -> list[ActionProgress]:
    """The same progress as ``domain.usecases.get_plan``.

    Up to the last day with figures (the default), from the sums per subject the store keeps
    (``subject_lines``); up to an earlier day, from the lines summed in SQL.
    """
    last = last_day(bind, production.id)
    if as_of is None:
        as_of = last
    if last is not None and as_of is not None and as_of < last:
        lines = summed_lines(bind, production.id, as_of, by_day=False)
    else:
        lines = subject_lines(bind, production.id, last)
    return plan_progress(production, lines, as_of)


# -- activity totals for the exports -------------------------------------------------------------


@dataclass(frozen=True)
class ActivityTotal:
    """One activity (a vehicle, a meal type, a generator, a waste stream) summed over the shoot."""

    category: Category
    kind: ReportKind
    subject: str
    quantity: Decimal
    unit: str
    kgco2e: Decimal
    trace: Trace
    estimated: bool
    days: int


def activity_totals(bind: Bind, production_id: str, as_of: dt.date | None = None) -> list[ActivityTotal]:
    keys = [
        emission_lines.c.category,
        emission_lines.c.kind,
        emission_lines.c.subject,
        emission_lines.c.unit,
        emission_lines.c.estimated,
        *_TRACE_COLUMNS,
    ]
    query = (
        select(
            *keys,
            func.sum(emission_lines.c.quantity).label("quantity"),
            func.sum(emission_lines.c.kgco2e).label("kgco2e"),
            func.count(distinct(emission_lines.c.day)).label("days"),
        )
        .where(emission_lines.c.production_id == production_id)
        .group_by(*keys)
        .order_by(*keys)
    )
    if as_of is not None:
        query = query.where(emission_lines.c.day <= as_of)
    with _connect(bind) as conn:
        rows = conn.execute(query).all()
    return [
        ActivityTotal(
            category=Category(r.category),
            kind=ReportKind(r.kind),
            subject=r.subject,
            quantity=r.quantity,
            unit=r.unit,
            kgco2e=r.kgco2e,
            trace=mapping.trace(r),
            estimated=r.estimated,
            days=r.days,
        )
        for r in rows
    ]


# -- the reports, as sent --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    id: int
    day: dt.date
    member_id: str | None
    kind: ReportKind
    subject: str | None
    values: dict[str, Decimal]
    raw_text: str
    source: str
    received_at: dt.datetime
    corrects: int | None
    corrected_by: int | None
    void: bool
    confirmed: bool
    kgco2e: Decimal | None  # what this report counts for now (None once corrected or undone)
    factors: str = ""  # the factor keys of its emission lines
    factor_set_version: str = ""

    @property
    def active(self) -> bool:
        return self.corrected_by is None and not self.void


@dataclass(frozen=True)
class ReportFilter:
    kind: str | None = None
    member_id: str | None = None
    day_from: dt.date | None = None
    day_to: dt.date | None = None
    text: str | None = None
    only_changed: bool = False  # corrected, undone or confirmed after a warning


def _report_conditions(production_id: str, f: ReportFilter) -> list[ColumnElement[bool]]:
    """The WHERE conditions of ``f`` on the production's reports."""
    where = [reports.c.production_id == production_id]
    if f.kind:
        where.append(reports.c.kind == f.kind)
    if f.member_id:
        where.append(reports.c.member_id == f.member_id)
    if f.day_from:
        where.append(reports.c.day >= f.day_from)
    if f.day_to:
        where.append(reports.c.day <= f.day_to)
    if f.text:
        where.append(reports.c.raw_text.ilike(f"%{_escape_like(f.text)}%", escape="\\"))
    if f.only_changed:
        # The flagged reports and those they correct, both read through ``ix_reports_flagged`` (a
        # correction is flagged): a few rows, where an OR over every report scanned them all.
        flagged, correction = reports.alias(), reports.alias()
        changed = union(
            select(flagged.c.id).where(flagged.c.production_id == production_id, _flagged(flagged)),
            select(correction.c.corrects).where(correction.c.production_id == production_id,
                                                _flagged(correction), correction.c.corrects.is_not(None)),
        )
        where.append(reports.c.id.in_(changed))
    return where


def _flagged(t: Any = reports) -> ColumnElement[bool]:
    """Corrected, undone or confirmed after a warning: the condition of the partial index
    ``ix_reports_flagged`` (``store.tables.REPORT_FLAGGED``), written so the database can use it."""
    return or_(t.c.corrects.is_not(None), t.c.void, t.c.confirmed)


def report_rows(
    bind: Bind, production_id: str, filters: ReportFilter | None = None, *, limit: int = 200, offset: int = 0
) -> tuple[list[ReportRow], int]:
    """One page of the production's reports, newest first, and how many match in all."""
    f = filters or ReportFilter()
    later = reports.alias()
    corrected_by = (
        select(func.min(later.c.id)).where(later.c.corrects == reports.c.id).scalar_subquery()
    )
    kg = (
        select(func.sum(emission_lines.c.kgco2e))
        .where(emission_lines.c.report_id == reports.c.id)
        .scalar_subquery()
    )
    factors = (
        select(func.aggregate_strings(emission_lines.c.factor_key, ", "))
        .where(emission_lines.c.report_id == reports.c.id)
        .scalar_subquery()
    )
    version = (
        select(func.max(emission_lines.c.factor_set_version))
        .where(emission_lines.c.report_id == reports.c.id)
        .scalar_subquery()
    )
    where = _report_conditions(production_id, f)
    query = (
        select(reports, corrected_by.label("corrected_by"), kg.label("kgco2e"), factors.label("factors"),
               version.label("factor_set_version"))
        .where(and_(*where))
        .order_by(reports.c.day.desc(), reports.c.received_at.desc(), reports.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    with _connect(bind) as conn:
        total = conn.execute(select(func.count()).select_from(reports).where(and_(*where))).scalar_one()
        rows = conn.execute(query).all()
        ids = [r.id for r in rows]
        values: dict[int, dict[str, Decimal]] = defaultdict(dict)
        if ids:
            for v in conn.execute(
                select(report_values).where(report_values.c.report_id.in_(ids)).order_by(report_values.c.item)
            ):
                values[v.report_id][v.item] = v.quantity
    result = [
        ReportRow(
            id=r.id,
            day=r.day,
            member_id=r.member_id,
            kind=ReportKind(r.kind),
            subject=r.subject,
            values=values.get(r.id, {}),
            raw_text=r.raw_text,
            source=r.source,
            received_at=r.received_at,
            corrects=r.corrects,
            corrected_by=r.corrected_by,
            void=r.void,
            confirmed=r.confirmed,
            kgco2e=r.kgco2e if r.corrected_by is None and not r.void else None,
            factors=", ".join(sorted(set((r.factors or "").split(", ")) - {""})),
            factor_set_version=r.factor_set_version or "",
        )
        for r in rows
    ]
    return result, total


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- reporting: who answered what ----------------------------------------------------------------


def completeness(bind: Bind, production: Production, as_of: dt.date | None) -> Completeness:
    """Expected answers (from the assignments and the calendar) against the answers stored.

    The days answered come grouped by (member, kind, subject), as one text each: a season's
    production is some hundreds of rows, not one row per answer.
    """
    corrected = reports.alias()
    superseded = select(corrected.c.id).where(  # a later report corrects it (the index on corrects)
        corrected.c.corrects == reports.c.id, corrected.c.corrects.is_not(None)).exists()
    answered_q = (  # the figures that still count: neither undone nor corrected away
        select(reports.c.member_id, reports.c.kind, reports.c.subject,
               func.aggregate_strings(cast(reports.c.day, String), ","))
        .where(reports.c.production_id == production.id, ~reports.c.void, ~superseded)
        .group_by(reports.c.member_id, reports.c.kind, reports.c.subject)
    )
    state_q = select(members).where(members.c.production_id == production.id)
    with _connect(bind) as conn:
        # the days answered, by (member, kind, subject): one set per assignment to look days up in
        answered: dict[tuple[str, str, str | None], set[dt.date]] = {
            (member_id, kind, subject): set(map(dt.date.fromisoformat, days.split(",")))
            for member_id, kind, subject, days in conn.execute(answered_q)
        }
        states = {r.member_id: r for r in conn.execute(state_q)}
    return domain_completeness(production, answered, states, as_of)


def member_names(bind: Bind, production_id: str) -> dict[str, str]:
    with _connect(bind) as conn:
        return {
            r.member_id: r.name
            for r in conn.execute(
                select(members.c.member_id, members.c.name).where(members.c.production_id == production_id)
            )
        }


def flagged_counts(bind: Bind, production_id: str) -> dict[str, int]:
    """How many figures were confirmed after a plausibility warning, corrected, or undone (one read of
    the flagged reports, through their index)."""
    counts = select(
        func.count().filter(reports.c.confirmed),
        func.count().filter(reports.c.corrects.is_not(None), ~reports.c.void),
        func.count().filter(reports.c.void),
    ).where(reports.c.production_id == production_id, _flagged())  # each count is of flagged reports
    with _connect(bind) as conn:
        confirmed, corrected, undone = conn.execute(counts).one()
    return {"confirmed": confirmed, "corrected": corrected, "undone": undone}

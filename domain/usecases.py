"""Use cases: plain functions that take plain values and a unit of work.

Bots, the scheduler, the CLI and the dashboard each translate their input and call one of these.
They raise domain errors (see ``domain.errors``) and let the entry point translate them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from domain.carbon import (
    Balance,
    EmissionLine,
    active_reports,
    balance,
    generator_lines,
    grid_power_lines,
    mileage_lines,
    report_lines,
)
from domain.checks import check_plausible, check_subject, check_values
from domain.errors import ConflictingReport, DuplicateReport, InvalidReport, UnknownAction
from domain.factors import FactorSet
from domain.footprint import check_item_factors
from domain.generators import ConsumptionTable
from domain.indicators import ActionProgress, plan_progress
from domain.model import (
    ActionOutcome,
    ActionStatus,
    Production,
    Report,
    ReportKind,
)
from domain.ports import UnitOfWork

ZERO = Decimal(0)

@dataclass(frozen=True)
class Catalogue:
    """The reference data every computation needs: the factor set and the consumption table."""

    factors: FactorSet
    consumption: ConsumptionTable


@dataclass(frozen=True)
class Recorded:
    """What happened to an answer: the stored report and the lines it produced."""

    report: Report
    lines: tuple[EmissionLine, ...]
    duplicate: bool = False  # the same source message was already stored: nothing new was stored

    @property
    def quantity(self) -> Decimal:
        return sum((ln.quantity for ln in self.lines), ZERO)

    @property
    def kgco2e(self) -> Decimal:
        return sum((ln.kgco2e for ln in self.lines), ZERO)


def load_production(uow: UnitOfWork, production: Production) -> bool:
    """Create or update a production from its file. Returns True if it was new."""
    with uow:
        is_new = uow.productions.find(production.id) is None
        uow.productions.save(production)
        uow.commit()
    return is_new


#: Run inside the transaction that stores a report, once it is stored (bookkeeping of the caller's own).
AfterStored = Callable[[UnitOfWork, Report], None]


def record_report(
    uow: UnitOfWork,
    catalogue: Catalogue,
    report: Report,
    *,
    production: Production | None = None,
    then: AfterStored | None = None,
) -> Recorded:
    """Check a figure and store it, once per source message; recompute what it changes.

    ``production`` is the report's production when the caller holds it already (current as of the
    call); it is loaded otherwise. ``then`` runs in the same transaction once the report is stored,
    so the caller's bookkeeping is kept exactly when the figure is (never for a duplicate).
    The same source reference with another figure is refused (:class:`ConflictingReport`): a figure
    is changed by a correction, never by sending it again under the same reference.
    """
    with uow:
        existing = uow.reports.by_source(report.source, report.source_ref)
        if existing is not None:
            _check_same_figure(existing, report)
            return Recorded(existing, tuple(_lines_of(uow, existing)), duplicate=True)
        return _store(uow, catalogue, report, production, then, _chain(uow, report))


@dataclass(frozen=True)
class ReportQuery:
    """A read of a production's reports: the arguments of ``ReportRepository.for_production``."""

    production_id: str
    kinds: tuple[ReportKind, ...]
    subject: str | None = None
    member_id: str | None = None

    def matches(self, report: Report) -> bool:
        """Whether ``report`` is one of the reports this read returns."""
        return (report.production_id == self.production_id and report.kind in self.kinds
                and (self.subject is None or report.subject == self.subject)
                and (self.member_id is None or report.member_id == self.member_id))


@dataclass(frozen=True)
class AnswerReads:
    """What :func:`record_answer` reads to store a report, known before it runs.

    A store writing many answers in one transaction reads this for all of them at once, instead
    of a few round trips per answer (``store.uow.run_together``).
    """

    source: tuple[str, str]  # the earlier storing of the same message, if any
    chain: tuple[str, str] | None  # the (production, subject) whose readings are locked, then read
    reports: ReportQuery  # the chain, or the member's reports of that kind and subject


def answer_reads(report: Report) -> AnswerReads:
    """The reads :func:`record_answer` makes for ``report``, in the order it makes them."""
    kinds = _CHAINED.get(report.kind)
    if kinds is not None:
        return AnswerReads((report.source, report.source_ref), (report.production_id, report.subject or ""),
                           ReportQuery(report.production_id, tuple(kinds), report.subject))
    return AnswerReads((report.source, report.source_ref), None,
                       ReportQuery(report.production_id, (report.kind,), report.subject, report.member_id))


def record_answer(
    uow: UnitOfWork,
    catalogue: Catalogue,
    report: Report,
    *,
    production: Production | None = None,
    then: AfterStored | None = None,
) -> Recorded:
    """A member's figure for one day, in one transaction.

    It replaces the member's active figure of the same kind, subject and day if there is one (stored
    as a correction of it: the history keeps both); otherwise it is a new figure. Stored once per
    source message, like :func:`record_report`, whose ``production`` and ``then`` it takes.
    """
    reads = answer_reads(report)
    with uow:
        existing = uow.reports.by_source(*reads.source)
        if existing is not None:
            _check_same_figure(existing, report)
            return Recorded(existing, tuple(_lines_of(uow, existing)), duplicate=True)
        if reads.chain is not None:  # a second writer of this chain waits here (see _chain)
            uow.lock_chain(*reads.chain)
        q = reads.reports
        mine = uow.reports.for_production(q.production_id, kind=list(q.kinds), subject=q.subject,
                                          member_id=q.member_id)
        chain = mine if reads.chain is not None else []
        same_day = [r for r in active_reports(mine) if r.day == report.day and r.kind is report.kind
                    and r.member_id == report.member_id and r.subject == report.subject]
        if same_day:
            original = same_day[-1]
            report = replace(
                original,
                id=None,
                values=dict(report.values),
                raw_text=report.raw_text,
                source=report.source,
                source_ref=report.source_ref,
                received_at=report.received_at,
                corrects=original.id,
                void=False,
                confirmed=report.confirmed,
            )
        return _store(uow, catalogue, report, production, then, chain)


def _store(
    uow: UnitOfWork,
    catalogue: Catalogue,
    report: Report,
    production: Production | None,
    then: AfterStored | None,
    chain: list[Report],
) -> Recorded:
    """Inside an open unit of work: check, store, recompute the lines, run ``then``, commit."""
    if production is None or production.id != report.production_id:
        production = uow.productions.get(report.production_id)
    check_subject(production, report)
    check_values(report)
    if report.kind is ReportKind.PURCHASES:
        check_item_factors(catalogue.factors, report)
    check_plausible(production, report, chain)
    try:
        stored = uow.reports.add(report)
    except DuplicateReport as race:  # the same message, stored by another process meanwhile
        return Recorded(race.report, tuple(_lines_of(uow, race.report)), duplicate=True)
    if then is not None:  # before the lines: their sums are what concurrent writers wait on
        then(uow, stored)
    lines = _recompute(uow, production, catalogue, stored, chain)
    uow.commit()
    return Recorded(stored, tuple(ln for ln in lines if ln.report_id == stored.id))


def correct_report(
    uow: UnitOfWork,
    catalogue: Catalogue,
    report_id: int,
    values: Mapping[str, Decimal],
    *,
    raw_text: str,
    source: str,
    source_ref: str,
    received_at: dt.datetime,
    confirmed: bool = False,
    production: Production | None = None,
    then: AfterStored | None = None,
    subject: str | None = None,
) -> Recorded:
    """Replace a figure by a new one. The old report stays in the history, superseded.

    ``subject``: a new subject where the answer chooses it (``plane`` for a leg first given by TGV).
    """
    with uow:
        original = _latest_version(uow, report_id)
    correction = replace(
        original,
        id=None,
        subject=original.subject if subject is None else subject,
        values=dict(values),
        raw_text=raw_text,
        source=source,
        source_ref=source_ref,
        received_at=received_at,
        corrects=original.id,
        void=False,
        confirmed=confirmed,
    )
    return record_report(uow, catalogue, correction, production=production, then=then)


def undo_report(
    uow: UnitOfWork,
    catalogue: Catalogue,
    report_id: int,
    *,
    source: str,
    source_ref: str,
    received_at: dt.datetime,
) -> Recorded:
    """Cancel a figure. Stored as a void correction: the history keeps both."""
    with uow:
        original = _latest_version(uow, report_id)
    void = replace(
        original,
        id=None,
        values={},
        raw_text="",
        source=source,
        source_ref=source_ref,
        received_at=received_at,
        corrects=original.id,
        void=True,
    )
    return record_report(uow, catalogue, void)


def get_balance(
    uow: UnitOfWork, factor_set_version: str, production_id: str, as_of: dt.date | None = None
) -> Balance:
    with uow:
        production = uow.productions.get(production_id)
        lines = uow.lines.for_production(production_id)
    return balance(production, factor_set_version, lines, as_of)


def get_plan(uow: UnitOfWork, production_id: str, as_of: dt.date | None = None) -> list[ActionProgress]:
    with uow:
        production = uow.productions.get(production_id)
        lines = uow.lines.for_production(production_id)
    return plan_progress(production, lines, as_of)


def set_action_status(
    uow: UnitOfWork,
    production_id: str,
    action_id: str,
    status: ActionStatus,
    *,
    by: str,
    at: dt.datetime,
    outcome: ActionOutcome | None = None,
    note: str = "",
) -> None:
    with uow:
        production = uow.productions.get(production_id)
        if action_id not in {a.id for a in production.action_plan}:
            raise UnknownAction(f"no action {action_id!r} in {production_id}", action_id=action_id)
        if outcome is not None and status is not ActionStatus.DONE:
            raise InvalidReport("only a done action can be marked reproducible or specific")
        uow.actions.set_status(production_id, action_id, status, outcome, note, by, at)
        uow.commit()


# -- helpers ---------------------------------------------------------------------------------------


def _latest_version(uow: UnitOfWork, report_id: int) -> Report:
    """Follow corrections forward: correcting a corrected report corrects its latest version."""
    report = uow.reports.get(report_id)
    while (nxt := uow.reports.corrector_of(report.id or 0)) is not None:
        report = nxt
    return report


def same_figure(a: Report, b: Report) -> bool:
    """Whether two reports say the same thing: what a second delivery of one message must repeat."""
    return (a.kind, a.subject, a.day, a.member_id, a.void, dict(a.values)) == (
        b.kind, b.subject, b.day, b.member_id, b.void, dict(b.values))


def _check_same_figure(stored: Report, new: Report) -> None:
    if not same_figure(stored, new):
        raise ConflictingReport(stored, new)


def _lines_of(uow: UnitOfWork, report: Report) -> list[EmissionLine]:
    return [ln for ln in uow.lines.for_production(report.production_id) if ln.report_id == report.id]


#: Kinds whose reports depend on each other per subject (a reading follows the previous one).
_CHAINED: dict[ReportKind, list[ReportKind]] = {
    ReportKind.MILEAGE: [ReportKind.MILEAGE],
    ReportKind.GENERATOR_HOURS: [ReportKind.GENERATOR_HOURS, ReportKind.GENERATOR_LITRES],
    ReportKind.GENERATOR_LITRES: [ReportKind.GENERATOR_HOURS, ReportKind.GENERATOR_LITRES],
    ReportKind.GRID_POWER: [ReportKind.GRID_POWER],
}


def _chain(uow: UnitOfWork, report: Report) -> list[Report]:
    """The reports whose lines depend on each other with this one (same vehicle or generator)."""
    kinds = _CHAINED.get(report.kind)
    if kinds is None:
        return []
    # Answers from different chats are stored side by side: a second writer of this vehicle's or
    # generator's readings waits here, then reads what the first one committed.
    uow.lock_chain(report.production_id, report.subject or "")
    return uow.reports.for_production(report.production_id, kind=kinds, subject=report.subject)


def _recompute(
    uow: UnitOfWork,
    production: Production,
    catalogue: Catalogue,
    stored: Report,
    chain: list[Report],
) -> list[EmissionLine]:
    """Recompute and store the lines that ``stored`` changes; return them."""
    factors, table = catalogue.factors, catalogue.consumption
    compute: Callable[[list[Report]], list[EmissionLine]]
    if stored.kind is ReportKind.MILEAGE:
        reports = [*chain, stored]

        def compute(rs: list[Report]) -> list[EmissionLine]:
            return mileage_lines(production, factors, stored.subject or "", rs)
    elif stored.kind in (ReportKind.GENERATOR_HOURS, ReportKind.GENERATOR_LITRES):
        reports = [*chain, stored]

        def compute(rs: list[Report]) -> list[EmissionLine]:
            return generator_lines(production, factors, table, stored.subject or "", rs)
    elif stored.kind is ReportKind.GRID_POWER:
        reports = [*chain, stored]

        def compute(rs: list[Report]) -> list[EmissionLine]:
            return grid_power_lines(production, factors, stored.subject or "", rs)
    else:
        reports = [stored]
        if stored.corrects is not None:
            reports.append(uow.reports.get(stored.corrects))

        def compute(rs: list[Report]) -> list[EmissionLine]:
            return [ln for r in rs for ln in report_lines(production, factors, r)]

    lines = compute(active_reports(reports))
    # A chain's line depends only on the reports before it (the previous reading): the lines of the
    # days before this figure's stay as stored, with the factor set version that computed them.
    before = {r.id for r in reports if r.day < stored.day}
    lines = [ln for ln in lines if ln.report_id not in before]
    uow.lines.replace([r.id for r in reports if r.id is not None and r.id not in before], lines,
                      new=[stored.id] if stored.id else [])
    return lines

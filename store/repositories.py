"""The repositories of the unit of work: rows to domain objects and back, explicitly.

Each repository works inside the unit of work's session and never commits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from domain.carbon import EmissionLine
from domain.errors import DuplicateReport, UnknownMember, UnknownProduction, UnknownReport
from domain.factors import Trace
from domain.model import (
    ActionOutcome,
    ActionStatus,
    Category,
    Channel,
    CrewMember,
    Language,
    Production,
    Report,
    ReportKind,
    Role,
)
from domain.ports import MemberState, ProductionSummary
from domain.usecases import ReportQuery
from store import codec
from store.tables import (
    DAILY_EMISSION_KEY,
    SUBJECT_EMISSION_KEY,
    ExactDecimal,
    action_status,
    daily_emissions,
    emission_lines,
    members,
    productions,
    report_values,
    reports,
    subject_emissions,
)

if TYPE_CHECKING:
    from store.together import Together

#: What a forgotten member's name becomes.
FORGOTTEN_NAME = ""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SqlProductionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, production_id: str) -> Production:
        production = self.find(production_id)
        if production is None:
            raise UnknownProduction(production_id)
        return production

    def find(self, production_id: str) -> Production | None:
        row = self.session.execute(select(productions).where(productions.c.id == production_id)).first()
        if row is None:
            return None
        crew_rows = self.session.execute(
            select(members)
            .where(members.c.production_id == production_id, members.c.active)
            .order_by(members.c.position, members.c.member_id)
        ).all()
        crew = tuple(
            CrewMember(
                id=m.member_id,
                name=m.name,
                role=Role(m.role),
                channel=Channel(m.channel),
                language=Language(m.language),
                voice=m.voice,
                paused_until=m.paused_until,
            )
            for m in crew_rows
        )
        return codec.build_production(row, crew, self._latest_statuses(production_id))

    def _latest_statuses(self, production_id: str) -> dict[str, tuple[str, str | None, str]]:
        latest = (
            select(func.max(action_status.c.id))
            .where(action_status.c.production_id == production_id)
            .group_by(action_status.c.action_id)
        )
        rows = self.session.execute(
            select(action_status.c.action_id, action_status.c.status, action_status.c.outcome,
                   action_status.c.note)
            .where(action_status.c.id.in_(latest))
        ).all()
        return {r.action_id: (r.status, r.outcome, r.note) for r in rows}

    def list(self) -> list[ProductionSummary]:
        crew_count = (
            select(func.count())
            .where(members.c.production_id == productions.c.id, members.c.active)
            .scalar_subquery()
        )
        report_count = (
            select(func.count()).where(reports.c.production_id == productions.c.id).scalar_subquery()
        )
        rows = self.session.execute(
            select(
                productions.c.id,
                productions.c.title,
                productions.c.type,
                productions.c.calendar_start,
                productions.c.calendar_end,
                crew_count.label("crew_count"),
                report_count.label("report_count"),
            ).order_by(productions.c.calendar_start, productions.c.id)
        ).all()
        return [
            ProductionSummary(
                id=r.id,
                title=r.title,
                type=r.type,
                start=r.calendar_start,
                end=r.calendar_end,
                crew_count=r.crew_count,
                report_count=r.report_count,
            )
            for r in rows
        ]

    def save(self, production: Production) -> None:
        """Create or update from a production file.

        Unchanged fields are not written (saving the same file twice changes nothing, not even
        ``updated_at``). Members keep what the shoot taught us about them; members no longer in the
        file become inactive, never deleted; reports and action status history are never touched.
        """
        p = production
        values: dict[str, Any] = {
            "title": p.title,
            "type": p.type.value,
            "timezone": p.timezone,
            "language": p.language.value,
            **codec.calendar_columns(p.calendar),
            "forecast_tco2e": codec.forecast_json(p.forecast_tco2e),
            "definition": codec.production_definition(p),
        }
        row = self.session.execute(select(productions).where(productions.c.id == p.id)).first()
        now = _now()
        if row is None:
            self.session.execute(
                insert(productions).values(id=p.id, created_at=now, updated_at=now, **values)
            )
        else:
            changed = {k: v for k, v in values.items() if getattr(row, k) != v}
            if changed:
                self.session.execute(
                    update(productions).where(productions.c.id == p.id).values(updated_at=now, **changed)
                )
        self._save_crew(p.id, p.crew)

    def _save_crew(self, production_id: str, crew: Sequence[CrewMember]) -> None:
        existing = {
            m.member_id: m
            for m in self.session.execute(select(members).where(members.c.production_id == production_id))
        }
        for position, member in enumerate(crew):
            from_file: dict[str, Any] = {
                "position": position,
                "name": member.name,
                "role": member.role.value,
                "channel": member.channel.value,
                "language": member.language.value,
                "voice": member.voice,
                "paused_until": member.paused_until,
                "active": True,
            }
            row = existing.pop(member.id, None)
            if row is None:
                self.session.execute(
                    insert(members).values(production_id=production_id, member_id=member.id, **from_file)
                )
                continue
            # What the member chose in chat, and a forgotten member's erased name, stay as they are.
            if row.forgotten:
                del from_file["name"]
            if row.language_set_in_chat:
                del from_file["language"]
            if row.voice_set_in_chat:
                del from_file["voice"]
            if row.pause_set_in_chat:
                del from_file["paused_until"]
            changed = {k: v for k, v in from_file.items() if getattr(row, k) != v}
            if changed:
                self.session.execute(
                    update(members)
                    .where(members.c.production_id == production_id, members.c.member_id == member.id)
                    .values(**changed)
                )
        gone = [member_id for member_id, row in existing.items() if row.active]
        if gone:
            self.session.execute(
                update(members)
                .where(members.c.production_id == production_id, members.c.member_id.in_(gone))
                .values(active=False)
            )


def _member_state(row: Any) -> MemberState:
    return MemberState(
        production_id=row.production_id,
        member_id=row.member_id,
        language=row.language,
        voice=row.voice,
        paused_until=row.paused_until,
        telegram_chat_id=row.telegram_chat_id,
        consent_at=row.consent_at,
        unreachable=row.unreachable,
        forgotten=row.forgotten,
    )


class SqlMemberRepository:
    """Member state. ``states`` and ``by_telegram_chat`` list active members (still in the file)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def state(self, production_id: str, member_id: str) -> MemberState:
        row = self.session.execute(
            select(members).where(members.c.production_id == production_id, members.c.member_id == member_id)
        ).first()
        if row is None:
            raise UnknownMember(member_id, production_id)
        return _member_state(row)

    def states(self, production_id: str) -> list[MemberState]:
        rows = self.session.execute(
            select(members)
            .where(members.c.production_id == production_id, members.c.active)
            .order_by(members.c.position, members.c.member_id)
        )
        return [_member_state(r) for r in rows]

    def by_telegram_chat(self, chat_id: int) -> list[MemberState]:
        rows = self.session.execute(
            select(members)
            .where(members.c.telegram_chat_id == chat_id, members.c.active)
            .order_by(members.c.production_id, members.c.position)
        )
        return [_member_state(r) for r in rows]

    def _set(self, production_id: str, member_id: str, **values: Any) -> None:
        result = self.session.execute(
            update(members)
            .where(members.c.production_id == production_id, members.c.member_id == member_id)
            .values(**values)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise UnknownMember(member_id, production_id)

    def set_language(self, production_id: str, member_id: str, language: Language) -> None:
        self._set(production_id, member_id, language=Language(language).value, language_set_in_chat=True)

    def set_voice(self, production_id: str, member_id: str, voice: bool) -> None:
        self._set(production_id, member_id, voice=voice, voice_set_in_chat=True)

    def set_paused_until(self, production_id: str, member_id: str, until: dt.date | None) -> None:
        self._set(production_id, member_id, paused_until=until, pause_set_in_chat=True)

    def link_telegram(
        self, production_id: str, member_id: str, chat_id: int | None, consent_at: dt.datetime | None
    ) -> None:
        """Link (or, with ``None``, unlink) a chat. Linking again also lifts ``forgotten``."""
        values: dict[str, Any] = {"telegram_chat_id": chat_id, "consent_at": consent_at}
        if chat_id is not None:  # a new link is a new consent: the member is back
            values.update(unreachable=False, forgotten=False)
        self._set(production_id, member_id, **values)

    def set_unreachable(self, production_id: str, member_id: str, unreachable: bool) -> None:
        self._set(production_id, member_id, unreachable=unreachable)

    def forget(self, production_id: str, member_id: str) -> None:
        """Erase what identifies the person (name, chat, consent); their figures stay, anonymous."""
        self._set(
            production_id,
            member_id,
            name=FORGOTTEN_NAME,
            telegram_chat_id=None,
            consent_at=None,
            forgotten=True,
        )


def _report(row: Any, values: dict[str, Decimal]) -> Report:
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


# -- statements built once: a figure's reads and writes run them with new parameters -----------------

_PREPARED: dict[tuple[bool, ...], tuple[Any, Any]] = {}


def _prepared(*, source: bool = False, kinds: bool = False, subject: bool = False,
              member: bool = False) -> tuple[Any, Any]:
    """The (reports, their values) selects for these filters, with bound parameters, built once.

    By source: ``source`` and ``source_ref``. Else by ``production_id``, and as asked ``kinds``
    (a list), ``subject``, ``member_id``. Building and keying a statement costs more than running
    it on SQLite: what every answer runs is built once.
    """
    key = (source, kinds, subject, member)
    if key not in _PREPARED:
        where: list[Any]
        if source:
            where = [reports.c.source == bindparam("source"), reports.c.source_ref == bindparam("source_ref")]
        else:
            where = [reports.c.production_id == bindparam("production_id")]
            if kinds:
                where.append(reports.c.kind.in_(bindparam("kinds", expanding=True)))
            if subject:
                where.append(reports.c.subject == bindparam("subject"))
            if member:
                where.append(reports.c.member_id == bindparam("member_id"))
        _PREPARED[key] = (
            select(reports).where(*where).order_by(reports.c.id),
            select(report_values.c.report_id, report_values.c.item, report_values.c.quantity)
            .join(reports, reports.c.id == report_values.c.report_id)
            .where(*where)
            .order_by(report_values.c.report_id, report_values.c.item),
        )
    return _PREPARED[key]


_INSERT_REPORTS: dict[str, Any] = {}


def _insert_report(dialect: str) -> Any:
    """``INSERT ... ON CONFLICT (source, source_ref) DO NOTHING RETURNING id``, built once per backend."""
    if dialect not in _INSERT_REPORTS:
        stmt: Any
        if dialect == "postgresql":
            stmt = postgresql.insert(reports).on_conflict_do_nothing(index_elements=["source", "source_ref"])
        elif dialect == "sqlite":
            stmt = sqlite.insert(reports).on_conflict_do_nothing(index_elements=["source", "source_ref"])
        else:  # pragma: no cover - other backends rely on the unique constraint's error
            stmt = insert(reports)
        _INSERT_REPORTS[dialect] = stmt.returning(reports.c.id)
    return _INSERT_REPORTS[dialect]


_INSERT_VALUES = insert(report_values)


def _as_read_back(report: Report, report_id: int) -> Report:
    """``report`` stored as ``report_id``, as it reads back (values rounded to their scale, the instant in
    UTC), without reading it back."""
    quantity = cast(ExactDecimal, report_values.c.quantity.type)
    return replace(
        report, id=report_id, kind=ReportKind(report.kind), void=bool(report.void),
        confirmed=bool(report.confirmed), received_at=report.received_at.astimezone(dt.UTC),
        values={k: quantity.process_result_value(quantity.process_bind_param(v, _NO_DIALECT), _NO_DIALECT)
                for k, v in sorted(report.values.items())},
    )


_INSERT_LINES = insert(emission_lines)


class SqlReportRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        #: While set, answers stored together: reads made beforehand, writes made at the end.
        self.together: Together | None = None

    def add(self, report: Report) -> Report:
        """Store ``report``; if its (source, source_ref) is stored already, raise DuplicateReport.

        ``INSERT ... ON CONFLICT DO NOTHING``: a concurrent insert of the same message waits for
        the other transaction and then inserts nothing, without an error that would abort ours.
        Among answers stored together (``together``), the insert waits for the end of the batch,
        with an id drawn beforehand; a message stored meanwhile by another process then fails the
        batch's insert, and the batch is stored again one answer at a time (``run_together``).
        """
        row = {
            "production_id": report.production_id,
            "member_id": report.member_id,
            "kind": ReportKind(report.kind).value,
            "day": report.day,
            "subject": report.subject,
            "raw_text": report.raw_text,
            "source": report.source,
            "source_ref": report.source_ref,
            "received_at": report.received_at,
            "corrects": report.corrects,
            "void": report.void,
            "confirmed": report.confirmed,
        }
        together = self.together
        if together is not None and together.ids:
            found, earlier = together.by_source(report.source, report.source_ref)
            if found and earlier is not None:
                raise DuplicateReport(earlier)
            report_id = together.ids.popleft()
            together.add_report({"id": report_id, **row},
                                [{"report_id": report_id, "item": k, "quantity": v} for k, v in report.values.items()])
            stored = _as_read_back(report, report_id)
            together.added(stored)
            return stored
        report_id = self.session.execute(_insert_report(self.session.get_bind().dialect.name), row).scalar()
        if report_id is None:
            existing = self.by_source(report.source, report.source_ref)
            if existing is None:  # pragma: no cover - the conflicting row vanished (rolled back)
                raise RuntimeError(f"conflict on {report.source}:{report.source_ref} but no row found")
            raise DuplicateReport(existing)
        if report.values:
            self.session.execute(
                _INSERT_VALUES, [{"report_id": report_id, "item": k, "quantity": v} for k, v in report.values.items()]
            )
        stored = _as_read_back(report, report_id)
        if together is not None:
            together.added(stored)
        return stored

    def _load(self, *where: Any) -> list[Report]:
        rows = self.session.execute(select(reports).where(*where).order_by(reports.c.id)).all()
        if not rows:
            return []
        values: dict[int, dict[str, Decimal]] = defaultdict(dict)
        value_rows = self.session.execute(
            select(report_values.c.report_id, report_values.c.item, report_values.c.quantity)
            .join(reports, reports.c.id == report_values.c.report_id)
            .where(*where)
            .order_by(report_values.c.report_id, report_values.c.item)
        )
        for v in value_rows:
            values[v.report_id][v.item] = v.quantity
        return [_report(r, values.get(r.id, {})) for r in rows]

    def get(self, report_id: int) -> Report:
        if self.together is not None:
            known = self.together.by_id(report_id)
            if known is not None:
                return known
        found = self._load(reports.c.id == report_id)
        if not found:
            raise UnknownReport(f"no report {report_id}", report_id=report_id)
        return found[0]

    def by_source(self, source: str, source_ref: str) -> Report | None:
        if self.together is not None:
            read, report = self.together.by_source(source, source_ref)
            if read:
                return report
        found = self._load_prepared(_prepared(source=True), {"source": source, "source_ref": source_ref})
        return found[0] if found else None

    def _load_prepared(self, statements: tuple[Any, Any], params: Mapping[str, Any]) -> list[Report]:
        """:meth:`_load` with statements built once (see :func:`_prepared`): the common reads of a figure."""
        rows = self.session.execute(statements[0], params).all()
        if not rows:
            return []
        values: dict[int, dict[str, Decimal]] = defaultdict(dict)
        for v in self.session.execute(statements[1], params):
            values[v.report_id][v.item] = v.quantity
        return [_report(r, values.get(r.id, {})) for r in rows]

    def for_production(
        self,
        production_id: str,
        kind: Sequence[ReportKind] | None = None,
        subject: str | None = None,
        member_id: str | None = None,
    ) -> list[Report]:
        """Every report (active, corrected and undone), oldest first (in the order stored)."""
        if self.together is not None and kind is not None:
            found = self.together.query(ReportQuery(production_id, tuple(ReportKind(k) for k in kind), subject,
                                                    member_id))
            if found is not None:
                return found
        params: dict[str, Any] = {"production_id": production_id, "kinds": None, "subject": subject,
                                  "member_id": member_id}
        if kind is not None:
            params["kinds"] = [ReportKind(k).value for k in kind]
        statements = _prepared(kinds=kind is not None, subject=subject is not None, member=member_id is not None)
        return self._load_prepared(statements, params)

    def corrector_of(self, report_id: int) -> Report | None:
        found = self._load(reports.c.corrects == report_id)
        return found[-1] if found else None


class SqlEmissionLineRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        #: While set, what changes of lines add to the sums is gathered here instead of written at
        #: once, for :func:`write_sums` (answers stored together write each row of the sums once).
        self.pending_sums: SumDeltas | None = None
        #: While set, answers stored together: their lines are written at the end of the batch.
        self.together: Together | None = None

    def replace(self, report_ids: Sequence[int], lines: Sequence[EmissionLine], *, new: Sequence[int] = ()) -> None:
        """Delete the lines of these reports, then store ``lines``; keep the sums of lines in step.

        ``daily_emissions`` and ``subject_emissions`` change by exactly what was deleted (the rows
        the DELETE returns, not a prior read) and what is inserted, in this transaction: see
        :func:`apply_sum_deltas`. Reports in ``new`` (stored in this transaction) have no lines to delete.
        """
        ids = sorted(set(report_ids) - set(new))
        deltas = SumDeltas()
        if self.together is not None:  # written at the end of the batch (store.together)
            rows = [_line_row(ln) for ln in lines]
            for row in self.together.replace_lines(ids, rows):  # added earlier in the batch, now replaced
                deltas.add({k: _as_stored(k, row[k]) for k in _SUMMED_LINE_COLUMNS}, -1)
            for row in rows:
                deltas.add({k: _as_stored(k, row[k]) for k in _SUMMED_LINE_COLUMNS}, 1)
            self._keep_sums(deltas)
            return
        if ids:
            gone = self.session.execute(_DELETE_LINES, {"ids": ids}).all()
            for r in gone:  # as stored: already rounded to the columns' scales
                deltas.add(dict(zip(_SUMMED_LINE_COLUMNS, r, strict=True)), -1)
        rows = [_line_row(ln) for ln in lines]
        if rows:
            self.session.execute(_INSERT_LINES, rows)
            for row in rows:  # rounded as the line's columns store it, so the sums match the lines
                deltas.add({k: _as_stored(k, row[k]) for k in _SUMMED_LINE_COLUMNS}, 1)
        self._keep_sums(deltas)

    def _keep_sums(self, deltas: SumDeltas) -> None:
        if self.pending_sums is not None:
            self.pending_sums.merge(deltas)
            return
        write_sums(self.session.connection(), deltas)

    def for_production(self, production_id: str) -> list[EmissionLine]:
        rows = self.session.execute(
            select(emission_lines)
            .where(emission_lines.c.production_id == production_id)
            .order_by(
                emission_lines.c.day,
                emission_lines.c.category,
                emission_lines.c.subject,
                emission_lines.c.report_id,
                emission_lines.c.id,
            )
        )
        return [_line(r) for r in rows]


# -- the sums of lines ----------------------------------------------------------------------------

_NO_DIALECT: Any = None  # ExactDecimal converts the same way on every backend

#: The emission line columns stored as exact decimals (rounded to their scale when stored).
_EXACT_LINE_COLUMNS: dict[str, ExactDecimal] = {
    c.name: c.type for c in emission_lines.columns if isinstance(c.type, ExactDecimal)
}

#: The emission line columns the sums are keyed by or add up.
_SUMMED_LINE_COLUMNS = tuple(dict.fromkeys((*DAILY_EMISSION_KEY, *SUBJECT_EMISSION_KEY, "quantity", "kgco2e")))

#: Delete the lines of some reports (``ids``), returning what the sums of lines lose.
_DELETE_LINES = (
    delete(emission_lines)
    .where(emission_lines.c.report_id.in_(bindparam("ids", expanding=True)))
    .returning(*(emission_lines.c[k] for k in _SUMMED_LINE_COLUMNS))
)

Deltas = dict[tuple[Any, ...], list[Any]]


class SumDeltas:
    """What a change of lines adds to each row of the sums: (quantity, kgco2e, lines) per key."""

    def __init__(self) -> None:
        self.daily: Deltas = {}
        self.subject: Deltas = {}

    def add(self, line: Mapping[str, Any], sign: int) -> None:
        for deltas, key in ((self.daily, DAILY_EMISSION_KEY), (self.subject, SUBJECT_EMISSION_KEY)):
            acc = deltas.setdefault(tuple(line[k] for k in key), [Decimal(0), Decimal(0), 0])
            acc[0] += sign * line["quantity"]
            acc[1] += sign * line["kgco2e"]
            acc[2] += sign

    def merge(self, other: SumDeltas) -> None:
        """Add what ``other`` adds."""
        for mine, theirs in ((self.daily, other.daily), (self.subject, other.subject)):
            for key, (quantity, kgco2e, lines) in theirs.items():
                acc = mine.setdefault(key, [Decimal(0), Decimal(0), 0])
                acc[0] += quantity
                acc[1] += kgco2e
                acc[2] += lines


def write_sums(conn: Connection, deltas: SumDeltas) -> None:
    """Write what changes of lines add to ``daily_emissions`` and ``subject_emissions`` (in that order)."""
    apply_sum_deltas(conn, daily_emissions, deltas.daily)
    apply_sum_deltas(conn, subject_emissions, deltas.subject)


def apply_sum_deltas(conn: Connection, table: Table, deltas: Mapping[tuple[Any, ...], Sequence[Any]]) -> None:
    """Add (quantity, kgco2e, lines) deltas, keyed like ``table`` (a sum of lines), to its rows.

    ``INSERT ... ON CONFLICT DO UPDATE SET x = x + excluded.x``: a concurrent writer of the same
    row waits for our transaction, then adds to what we left, so no increment is lost. The rows
    are written in key order, so two writers touching the same rows take their locks in the same
    order and cannot deadlock on them (every writer does ``daily_emissions`` first). Keys whose
    deltas are all zero (a chain recomputed to the same lines) are not written at all. A row left
    with no line is deleted in the same transaction: a row exists exactly when lines for it do.
    """
    changed = sorted(k for k, d in deltas.items() if any(d))
    if not changed:
        return
    key = [c.name for c in table.primary_key.columns]
    rows = [{**dict(zip(key, k, strict=True)), "quantity": deltas[k][0], "kgco2e": deltas[k][1], "lines": deltas[k][2]}
            for k in changed]
    conn.execute(_upsert(conn.dialect.name, table), rows if len(rows) > 1 else rows[0])  # executemany costs more
    # the key's second column (day, or subject) narrows the search for rows left empty
    emptied = [k for k in changed if deltas[k][2] < 0]
    second = table.c[key[1]]
    for production_id in sorted({k[0] for k in emptied}):
        near = sorted({k[1] for k in emptied if k[0] == production_id})
        conn.execute(delete(table).where(
            table.c.production_id == production_id, second.in_(near), table.c.lines == 0
        ))


_UPSERTS: dict[tuple[str, str], Any] = {}


def _upsert(dialect: str, table: Table) -> Any:
    """The adding upsert of a sum of lines, built once per backend (then run with many rows)."""
    if (dialect, table.name) not in _UPSERTS:
        stmt: Any = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
        _UPSERTS[dialect, table.name] = stmt.on_conflict_do_update(
            index_elements=[c.name for c in table.primary_key.columns],
            set_={
                "quantity": table.c.quantity + stmt.excluded.quantity,
                "kgco2e": table.c.kgco2e + stmt.excluded.kgco2e,
                "lines": table.c.lines + stmt.excluded.lines,
            },
        )
    return _UPSERTS[dialect, table.name]


def _as_stored(column: str, value: Any) -> Any:
    """``value`` as the emission line column stores and returns it (exact decimals are rounded)."""
    kind = _EXACT_LINE_COLUMNS.get(column)
    if kind is None:
        return value
    return kind.process_result_value(kind.process_bind_param(value, _NO_DIALECT), _NO_DIALECT)


def rebuild_emission_sums(conn: Connection, production_id: str | None = None) -> dict[str, int]:
    """Sum ``daily_emissions`` and ``subject_emissions`` afresh from the lines (one production, or all).

    For bulk loads that write lines directly (the benchmark's season): one ``INSERT ... SELECT``
    per table. Returns how many rows each table then holds (for that production).
    """
    counts = {}
    for table in (daily_emissions, subject_emissions):
        mine = [] if production_id is None else [table.c.production_id == production_id]
        conn.execute(delete(table).where(*mine))
        key = [c.name for c in table.primary_key.columns]
        columns = [emission_lines.c[k] for k in key]
        summed = (
            select(*columns, func.sum(emission_lines.c.quantity), func.sum(emission_lines.c.kgco2e), func.count())
            .where(*([] if production_id is None else [emission_lines.c.production_id == production_id]))
            .group_by(*columns)
        )
        conn.execute(insert(table).from_select([*key, "quantity", "kgco2e", "lines"], summed))
        counts[table.name] = int(conn.scalar(select(func.count()).select_from(table).where(*mine)) or 0)
    return counts


def _line_row(ln: EmissionLine) -> dict[str, Any]:
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


def _line(r: Any) -> EmissionLine:
    return EmissionLine(
        production_id=r.production_id,
        day=r.day,
        category=Category(r.category),
        kind=ReportKind(r.kind),
        subject=r.subject,
        quantity=r.quantity,
        unit=r.unit,
        kgco2e=r.kgco2e,
        trace=Trace(
            factor_key=r.factor_key,
            factor_set_version=r.factor_set_version,
            kgco2e_per_unit=r.factor_kgco2e_per_unit,
            unit=r.factor_unit,
            source=r.factor_source,
            year=r.factor_year,
            proxy=r.factor_proxy,
        ),
        report_id=r.report_id,
        member_id=r.member_id,
        estimated=r.estimated,
    )


class SqlActionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def set_status(
        self,
        production_id: str,
        action_id: str,
        status: ActionStatus,
        outcome: ActionOutcome | None,
        note: str,
        by: str,
        at: dt.datetime,
    ) -> None:
        """Add a row to the action's history; the latest row is the current status."""
        self.session.execute(
            insert(action_status).values(
                production_id=production_id,
                action_id=action_id,
                status=ActionStatus(status).value,
                outcome=None if outcome is None else ActionOutcome(outcome).value,
                note=note,
                by=by,
                at=at,
            )
        )

    def history(self, production_id: str, action_id: str | None = None) -> list[dict[str, Any]]:
        """Every status change, oldest first: dicts with action_id, status, outcome, note, by, at."""
        where = [action_status.c.production_id == production_id]
        if action_id is not None:
            where.append(action_status.c.action_id == action_id)
        rows = self.session.execute(select(action_status).where(*where).order_by(action_status.c.id))
        return [
            {
                "action_id": r.action_id,
                "status": ActionStatus(r.status),
                "outcome": None if r.outcome is None else ActionOutcome(r.outcome),
                "note": r.note,
                "by": r.by,
                "at": r.at,
            }
            for r in rows
        ]



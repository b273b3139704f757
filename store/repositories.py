"""The repositories of the unit of work: productions, members, reports, emission lines, actions.

Rows become domain objects in :mod:`store.mapping`; the sums of lines are kept by :mod:`store.sums`;
answers stored together use the batched repositories of :mod:`store.together`.

Each repository works on the unit of work's connection, inside its transaction, and never commits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from domain.carbon import EmissionLine
from domain.errors import DuplicateReport, UnknownMember, UnknownProduction, UnknownReport
from domain.model import ActionOutcome, ActionStatus, CrewMember, Language, Production, Report, ReportKind
from domain.ports import MemberState, ProductionSummary
from store import codec, mapping
from store.engine import dialect_insert
from store.sums import DELETE_LINES, SUMMED_LINE_COLUMNS, SumDeltas, write_sums
from store.tables import action_status, emission_lines, members, productions, report_values, reports

#: What a forgotten member's name becomes.
FORGOTTEN_NAME = ""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SqlProductionRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, production_id: str) -> Production:
        production = self.find(production_id)
        if production is None:
            raise UnknownProduction(production_id)
        return production

    def find(self, production_id: str) -> Production | None:
        row = self.conn.execute(select(productions).where(productions.c.id == production_id)).first()
        if row is None:
            return None
        crew_rows = self.conn.execute(
            select(members)
            .where(members.c.production_id == production_id, members.c.active)
            .order_by(members.c.position, members.c.member_id)
        ).all()
        crew = tuple(mapping.crew_member(m) for m in crew_rows)
        return codec.build_production(row, crew, self._latest_statuses(production_id))

    def _latest_statuses(self, production_id: str) -> dict[str, tuple[str, str | None, str]]:
        latest = (
            select(func.max(action_status.c.id))
            .where(action_status.c.production_id == production_id)
            .group_by(action_status.c.action_id)
        )
        rows = self.conn.execute(
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
        rows = self.conn.execute(
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
        row = self.conn.execute(select(productions).where(productions.c.id == p.id)).first()
        if row is not None:
            values["definition"] = codec.keep_tracked_statuses(
                row.definition, values["definition"], set(self._latest_statuses(p.id)))
        now = _now()
        if row is None:
            self.conn.execute(
                insert(productions).values(id=p.id, created_at=now, updated_at=now, **values)
            )
        else:
            changed = {k: v for k, v in values.items() if getattr(row, k) != v}
            if changed:
                self.conn.execute(
                    update(productions).where(productions.c.id == p.id).values(updated_at=now, **changed)
                )
        self._save_crew(p.id, p.crew)

    def _save_crew(self, production_id: str, crew: Sequence[CrewMember]) -> None:
        existing = {
            m.member_id: m
            for m in self.conn.execute(select(members).where(members.c.production_id == production_id))
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
                self.conn.execute(
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
                self.conn.execute(
                    update(members)
                    .where(members.c.production_id == production_id, members.c.member_id == member.id)
                    .values(**changed)
                )
        gone = [member_id for member_id, row in existing.items() if row.active]
        if gone:
            self.conn.execute(
                update(members)
                .where(members.c.production_id == production_id, members.c.member_id.in_(gone))
                .values(active=False)
            )


class SqlMemberRepository:
    """Member state. ``states`` and ``by_telegram_chat`` list active members (still in the file)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def state(self, production_id: str, member_id: str) -> MemberState:
        row = self.conn.execute(
            select(members).where(members.c.production_id == production_id, members.c.member_id == member_id)
        ).first()
        if row is None:
            raise UnknownMember(member_id, production_id)
        return mapping.member_state(row)

    def states(self, production_id: str) -> list[MemberState]:
        rows = self.conn.execute(
            select(members)
            .where(members.c.production_id == production_id, members.c.active)
            .order_by(members.c.position, members.c.member_id)
        )
        return [mapping.member_state(r) for r in rows]

    def by_telegram_chat(self, chat_id: int) -> list[MemberState]:
        rows = self.conn.execute(
            select(members)
            .where(members.c.telegram_chat_id == chat_id, members.c.active)
            .order_by(members.c.production_id, members.c.position)
        )
        return [mapping.member_state(r) for r in rows]

    def _set(self, production_id: str, member_id: str, **values: Any) -> None:
        result = self.conn.execute(
            update(members)
            .where(members.c.production_id == production_id, members.c.member_id == member_id)
            .values(**values)
        )
        if result.rowcount == 0:
            raise UnknownMember(member_id, production_id)

    def set_language(self, production_id: str, member_id: str, language: Language) -> None:
        self._set(production_id, member_id, language=Language(language).value, language_set_in_chat=True)

    def set_voice(self, production_id: str, member_id: str, voice: bool) -> None:
        self._set(production_id, member_id, voice=voice, voice_set_in_chat=True)

    def set_paused_until(self, production_id: str, member_id: str, until: dt.date | None) -> None:
        self._set(production_id, member_id, paused_until=until, pause_set_in_chat=True)

    def link_telegram(
        self, production_id: str, member_id: str, chat_id: int | None, consent_at: dt.datetime | None,
        *, bot: str = "",
    ) -> None:
        """Link (or, with ``None``, unlink) a chat of ``bot`` ("" is the default bot). Linking again also
        lifts ``forgotten``."""
        values: dict[str, Any] = {"telegram_chat_id": chat_id, "consent_at": consent_at,
                                  "telegram_bot": bot if chat_id is not None else ""}
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
        if dialect in ("postgresql", "sqlite"):  # the dialect in use only, at its first statement
            stmt = dialect_insert(dialect, reports).on_conflict_do_nothing(index_elements=["source", "source_ref"])
        else:  # pragma: no cover - other backends rely on the unique constraint's error
            stmt = insert(reports)
        _INSERT_REPORTS[dialect] = stmt.returning(reports.c.id)
    return _INSERT_REPORTS[dialect]


_INSERT_VALUES = insert(report_values)


_INSERT_LINES = insert(emission_lines)


class SqlReportRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, report: Report) -> Report:
        """Store ``report``; if its (source, source_ref) is stored already, raise DuplicateReport.

        ``INSERT ... ON CONFLICT DO NOTHING``: a concurrent insert of the same message waits for
        the other transaction and then inserts nothing, without an error that would abort ours.
        """
        report_id = self.conn.execute(_insert_report(self.conn.dialect.name),
                                         mapping.report_row(report)).scalar()
        if report_id is None:
            existing = self.by_source(report.source, report.source_ref)
            if existing is None:  # pragma: no cover - the conflicting row vanished (rolled back)
                raise RuntimeError(f"conflict on {report.source}:{report.source_ref} but no row found")
            raise DuplicateReport(existing)
        if report.values:
            self.conn.execute(_INSERT_VALUES, mapping.value_rows(report_id, report))
        return mapping.as_read_back(report, report_id)

    def _load(self, *where: Any) -> list[Report]:
        found = self.conn.execute(select(reports).where(*where).order_by(reports.c.id)).all()
        if not found:
            return []
        values: dict[int, dict[str, Decimal]] = defaultdict(dict)
        value_rows = self.conn.execute(
            select(report_values.c.report_id, report_values.c.item, report_values.c.quantity)
            .join(reports, reports.c.id == report_values.c.report_id)
            .where(*where)
            .order_by(report_values.c.report_id, report_values.c.item)
        )
        for v in value_rows:
            values[v.report_id][v.item] = v.quantity
        return [mapping.report(r, values.get(r.id, {})) for r in found]

    def get(self, report_id: int) -> Report:
        found = self._load(reports.c.id == report_id)
        if not found:
            raise UnknownReport(f"no report {report_id}", report_id=report_id)
        return found[0]

    def by_source(self, source: str, source_ref: str) -> Report | None:
        found = self._load_prepared(_prepared(source=True), {"source": source, "source_ref": source_ref})
        return found[0] if found else None

    def _load_prepared(self, statements: tuple[Any, Any], params: Mapping[str, Any]) -> list[Report]:
        """:meth:`_load` with statements built once (see :func:`_prepared`): the common reads of a figure."""
        found = self.conn.execute(statements[0], params).all()
        if not found:
            return []
        values: dict[int, dict[str, Decimal]] = defaultdict(dict)
        for v in self.conn.execute(statements[1], params):
            values[v.report_id][v.item] = v.quantity
        return [mapping.report(r, values.get(r.id, {})) for r in found]

    def for_production(
        self,
        production_id: str,
        kind: Sequence[ReportKind] | None = None,
        subject: str | None = None,
        member_id: str | None = None,
    ) -> list[Report]:
        """Every report (active, corrected and undone), oldest first (in the order stored)."""
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
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        #: While set, what changes of lines add to the sums is gathered here instead of written at
        #: once, for :func:`store.sums.write_sums` (answers stored together write each row of the sums once).
        self.pending_sums: SumDeltas | None = None

    def replace(self, report_ids: Sequence[int], lines: Sequence[EmissionLine], *, new: Sequence[int] = ()) -> None:
        """Delete the lines of these reports, then store ``lines``; keep the sums of lines in step.

        ``daily_emissions`` and ``subject_emissions`` change by exactly what was deleted (the rows
        the DELETE returns, not a prior read) and what is inserted, in this transaction: see
        :func:`store.sums.apply_sum_deltas`. Reports in ``new`` (stored in this transaction) have no
        lines to delete.
        """
        ids = sorted(set(report_ids) - set(new))
        deltas = SumDeltas()
        if ids:
            gone = self.conn.execute(DELETE_LINES, {"ids": ids}).all()
            for r in gone:  # as stored: already rounded to the columns' scales
                deltas.add(dict(zip(SUMMED_LINE_COLUMNS, r, strict=True)), -1)
        added = [mapping.line_row(ln) for ln in lines]
        if added:
            self.conn.execute(_INSERT_LINES, added)
            for row in added:  # rounded as the line's columns store it, so the sums match the lines
                deltas.add({k: mapping.as_stored(k, row[k]) for k in SUMMED_LINE_COLUMNS}, 1)
        self.keep_sums(deltas)

    def keep_sums(self, deltas: SumDeltas) -> None:
        """Write what a change of lines adds to the sums, or gather it while ``pending_sums`` is set."""
        if self.pending_sums is not None:
            self.pending_sums.merge(deltas)
            return
        write_sums(self.conn, deltas)

    def for_production(self, production_id: str) -> list[EmissionLine]:
        found = self.conn.execute(
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
        return [mapping.emission_line(r) for r in found]


class SqlActionRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

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
        self.conn.execute(
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
        rows = self.conn.execute(select(action_status).where(*where).order_by(action_status.c.id))
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



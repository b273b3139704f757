"""Answers stored together: their reads made at once before they run, their writes at once after.

:func:`store.uow.run_together` stores many answers in one transaction. Each answer's use case
(:func:`domain.usecases.record_answer`) reads the earlier storing of its message, locks and reads
its vehicle's or generator's readings, then inserts a report, its values and its emission lines:
six statements, six round trips to PostgreSQL, for every answer. What it will read is known
before it runs (:func:`domain.usecases.answer_reads`), so here, for the whole batch:

1. one statement takes the chains' locks (in one order, so two batches cannot deadlock) and
   draws the new reports' ids from their sequence;
2. one statement reads every report the answers will ask for, with its values;
3. the use cases run against that, in memory: a read asked for is answered from it, and a report
   added is added to it, so an answer sees the answers before it in the batch, as it would one
   statement at a time;
4. what they wrote is written at the end, one statement per table (:meth:`Together.flush`).

Steps 3 and 4 are the batch's own repositories (:class:`BatchedReportRepository`,
:class:`BatchedEmissionLineRepository`), which the unit of work uses for the batch's length.

Anything else the use cases run on the connection first writes out what is pending (a
``before_execute`` hook on every engine, which looks the connection up among those a batch is
watching), so a read that was not made beforehand still sees every earlier write.
"""

from __future__ import annotations

from bisect import insort
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    any_,
    bindparam,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    text,
    tuple_,
)

from domain.carbon import EmissionLine
from domain.errors import DuplicateReport
from domain.model import Report, ReportKind
from domain.usecases import AnswerReads, ReportQuery
from store import mapping
from store.repositories import SqlEmissionLineRepository, SqlReportRepository
from store.sums import DELETE_LINES, SUMMED_LINE_COLUMNS, SumDeltas
from store.tables import emission_lines, report_values, reports


def chain_key(production_id: str, subject: str) -> str:
    """The name of a vehicle's or generator's readings' lock (PostgreSQL's advisory locks)."""
    return f"greenslate:chain:{production_id}:{subject}"


#: Take the chains' locks in the order given, and draw ``n`` ids for new reports.
_LOCK_AND_IDS = text(
    "SELECT (SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM unnest(CAST(:chains AS text[])) AS k),"
    " ARRAY(SELECT nextval(pg_get_serial_sequence('reports', 'id')) FROM generate_series(1, :n))"
)

#: The reports asked for by message, by chain (production, kind, subject) and by member, with their values.
_READ = (
    select(reports, report_values.c.item, report_values.c.quantity)
    .select_from(reports.outerjoin(report_values, report_values.c.report_id == reports.c.id))
    .where(or_(
        tuple_(reports.c.source, reports.c.source_ref).in_(bindparam("sources", expanding=True)),
        tuple_(reports.c.production_id, reports.c.kind, reports.c.subject).in_(bindparam("chains", expanding=True)),
        tuple_(reports.c.production_id, reports.c.kind, reports.c.subject, reports.c.member_id)
        .in_(bindparam("members", expanding=True)),
        tuple_(reports.c.production_id, reports.c.kind, reports.c.member_id)
        .in_(bindparam("members_any_subject", expanding=True)),
    ))
    .order_by(reports.c.id, report_values.c.item)
)

#: SQLite's next report ids: the write lock is held, so the largest id stays the largest.
_TOP_ID = select(func.coalesce(func.max(reports.c.id), 0))

_INSERT_REPORTS = insert(reports)
_INSERT_VALUES = insert(report_values)
_INSERT_LINES = insert(emission_lines)


def _lock_and_draw_ids(conn: Connection, chains: Sequence[tuple[str, str]], n: int) -> Sequence[int]:
    """Take the chains' locks and draw ``n`` ids for new reports."""
    if conn.dialect.name == "postgresql":
        _, ids = conn.execute(_LOCK_AND_IDS, {"chains": [chain_key(*c) for c in chains], "n": n}).one()
        return list(ids)
    # SQLite: the transaction holds the database's write lock (BEGIN IMMEDIATE) already
    top = conn.execute(_TOP_ID).scalar_one()
    return range(top + 1, top + 1 + n)


def _query_params(queries: Iterable[ReportQuery]) -> dict[str, list[tuple[Any, ...]]]:
    """The parameters of :data:`_READ` for these queries: by chain, by member and subject, by member."""
    params: dict[str, set[tuple[Any, ...]]] = {"chains": set(), "members": set(), "members_any_subject": set()}
    for q in queries:
        for k in q.kinds:
            kind = ReportKind(k).value
            if q.member_id is None:
                params["chains"].add((q.production_id, kind, q.subject))
            elif q.subject is None:
                params["members_any_subject"].add((q.production_id, kind, q.member_id))
            else:
                params["members"].add((q.production_id, kind, q.subject, q.member_id))
    return {k: sorted(v) for k, v in params.items()}


class Together:
    """One batch's reads, made beforehand, and its writes, made at the end (see the module)."""

    def __init__(self) -> None:
        self.locked: set[tuple[str, str]] = set()
        self.sources: dict[tuple[str, str], Report | None] = {}
        self.queries: dict[ReportQuery, list[Report]] = {}
        self.ids: deque[int] = deque()  # drawn for the reports the batch adds
        self.new: set[int] = set()  # reports added and not written yet: no stored lines
        self.reports: list[dict[str, Any]] = []  # rows to insert
        self.values: list[dict[str, Any]] = []
        self.lines: dict[int | None, list[dict[str, Any]]] = {}  # line rows to insert, by report
        self.gone: set[int] = set()  # reports whose stored lines are to be deleted first
        #: What deleting the stored lines takes from the sums: given to ``flush``'s caller.
        self.removed: list[Mapping[str, Any]] = []
        self._flushing = False
        self._conn: Connection | None = None

    @classmethod
    def read(cls, conn: Connection, reads: Sequence[AnswerReads], new_reports: int) -> Together:
        """Lock the chains, draw ids, read the reports: two statements (one on SQLite) for the batch."""
        together = cls()
        chains = sorted({r.chain for r in reads if r.chain is not None})
        together.ids.extend(_lock_and_draw_ids(conn, chains, new_reports))
        together.locked.update(chains)
        # A production's every report of a kind is not read beforehand: read when asked.
        queries = {r.reports for r in reads if r.reports.subject is not None or r.reports.member_id is not None}
        sources = sorted({r.source for r in reads})
        found = mapping.reports_joined(conn.execute(_READ, {"sources": sources, **_query_params(queries)}))
        by_source = {(r.source, r.source_ref): r for r in found}
        together.sources = {s: by_source.get(s) for s in sources}
        together.queries = {q: [r for r in found if q.matches(r)] for q in queries}
        return together

    # -- reads -----------------------------------------------------------------------------------

    def by_source(self, source: str, source_ref: str) -> tuple[bool, Report | None]:
        """(read beforehand, the report): (False, None) when this was not read beforehand."""
        key = (source, source_ref)
        if key not in self.sources:
            return False, None
        return True, self.sources[key]

    def by_id(self, report_id: int) -> Report | None:
        """A report read beforehand or added since, by id (None when it was not)."""
        for found in self.queries.values():
            for report in found:
                if report.id == report_id:
                    return report
        return next((r for r in self.sources.values() if r is not None and r.id == report_id), None)

    def query(self, query: ReportQuery) -> list[Report] | None:
        found = self.queries.get(query)
        return None if found is None else list(found)

    # -- writes ----------------------------------------------------------------------------------

    def added(self, stored: Report) -> None:
        """A report stored in this transaction: the reads that would return it now do."""
        if (stored.source, stored.source_ref) in self.sources:
            self.sources[stored.source, stored.source_ref] = stored
        for query, found in self.queries.items():
            if query.matches(stored):
                insort(found, stored, key=lambda r: r.id or 0)

    def add_report(self, row: dict[str, Any], values: Iterable[dict[str, Any]]) -> None:
        self.reports.append(row)
        self.values.extend(values)
        self.new.add(row["id"])

    def replace_lines(self, report_ids: Iterable[int], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Drop the lines of ``report_ids``, then add ``rows``; return the pending rows dropped."""
        dropped: list[dict[str, Any]] = []
        for report_id in report_ids:
            dropped.extend(self.lines.pop(report_id, ()))
            if report_id not in self.new:  # stored before: its stored lines go at the flush
                self.gone.add(report_id)
        for row in rows:
            self.lines.setdefault(row["report_id"], []).append(row)
        return dropped

    def pending(self) -> bool:
        return bool(self.reports or self.lines or self.gone)

    def flush(self, conn: Connection) -> None:
        """Write what is pending: the stored lines deleted, then the reports, values and lines inserted.

        What the deletion took from the sums is appended to ``removed``.
        """
        if self._flushing or not self.pending():
            return
        self._flushing = True
        try:
            rows = [row for rows in self.lines.values() for row in rows]
            if conn.dialect.name == "postgresql":  # one statement, one round trip
                self._flush_at_once(conn, rows)
            else:
                self._flush_one_table_at_a_time(conn, rows)
        finally:
            self._flushing = False
        self.reports, self.values, self.lines = [], [], {}
        self.gone, self.new = set(), set()

    def _flush_at_once(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        params: dict[str, Any] = {"gone": sorted(self.gone)}
        for prefix, columns, pending in (("r", _REPORT_COLUMNS, self.reports),
                                         ("v", _VALUE_COLUMNS, self.values), ("l", _LINE_COLUMNS, rows)):
            params.update({f"{prefix}_{c}": [row[c] for row in pending] for c in columns})
        self.removed.extend(r._asdict() for r in conn.execute(_flush(), params))

    def _flush_one_table_at_a_time(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        if self.gone:
            self.removed.extend(r._asdict() for r in conn.execute(DELETE_LINES, {"ids": sorted(self.gone)}))
        for statement, pending in ((_INSERT_REPORTS, self.reports), (_INSERT_VALUES, self.values),
                                   (_INSERT_LINES, rows)):
            if pending:
                conn.execute(statement, pending)

    # -- the connection's hook -------------------------------------------------------------------

    def watch(self, conn: Connection) -> None:
        """Write what is pending before any other statement runs on ``conn`` (until :meth:`unwatch`)."""
        self._conn = conn
        _WATCHED[conn] = self

    def unwatch(self) -> None:
        if self._conn is not None:
            _WATCHED.pop(self._conn, None)
            self._conn = None

    def _before_execute(self, conn: Connection) -> None:
        if not self._flushing and self.pending():
            self.flush(conn)


#: The connections whose batch has writes to make before anything else runs on them. Listening on
#: each batch's connection instead made SQLAlchemy rebuild that connection's event dispatch for
#: every batch (a few per cent of an answer's CPU); one listener on every engine, looking up the
#: connection here, costs a dictionary look-up per statement.
_WATCHED: dict[Connection, Together] = {}


@event.listens_for(Engine, "before_execute")
def _write_pending_first(conn: Connection, *_: Any) -> None:
    if _WATCHED:
        together = _WATCHED.get(conn)
        if together is not None:
            together._before_execute(conn)


class BatchedReportRepository(SqlReportRepository):
    """The reports of answers stored together: reads answered from the batch's, inserts at its end."""

    def __init__(self, conn: Connection, together: Together) -> None:
        super().__init__(conn)
        self.together = together

    def add(self, report: Report) -> Report:
        """Store ``report`` at the end of the batch, with an id drawn beforehand.

        A message stored meanwhile by another process then fails the batch's insert, and the
        batch is stored again one answer at a time (``store.uow.run_together``). Once the drawn
        ids are used up, the report is inserted at once.
        """
        together = self.together
        if not together.ids:
            stored = super().add(report)
            together.added(stored)
            return stored
        found, earlier = together.by_source(report.source, report.source_ref)
        if found and earlier is not None:
            raise DuplicateReport(earlier)
        report_id = together.ids.popleft()
        together.add_report({"id": report_id, **mapping.report_row(report)}, mapping.value_rows(report_id, report))
        stored = mapping.as_read_back(report, report_id)
        together.added(stored)
        return stored

    def get(self, report_id: int) -> Report:
        known = self.together.by_id(report_id)
        return known if known is not None else super().get(report_id)

    def by_source(self, source: str, source_ref: str) -> Report | None:
        read, report = self.together.by_source(source, source_ref)
        return report if read else super().by_source(source, source_ref)

    def for_production(
        self,
        production_id: str,
        kind: Sequence[ReportKind] | None = None,
        subject: str | None = None,
        member_id: str | None = None,
    ) -> list[Report]:
        if kind is not None:
            query = ReportQuery(production_id, tuple(ReportKind(k) for k in kind), subject, member_id)
            found = self.together.query(query)
            if found is not None:
                return found
        return super().for_production(production_id, kind, subject, member_id)


class BatchedEmissionLineRepository(SqlEmissionLineRepository):
    """The emission lines of answers stored together: written at the end of the batch."""

    def __init__(self, conn: Connection, together: Together) -> None:
        super().__init__(conn)
        self.together = together

    def replace(self, report_ids: Sequence[int], lines: Sequence[EmissionLine], *, new: Sequence[int] = ()) -> None:
        ids = sorted(set(report_ids) - set(new))
        deltas = SumDeltas()
        rows = [mapping.line_row(ln) for ln in lines]
        for row in self.together.replace_lines(ids, rows):  # added earlier in the batch, now replaced
            deltas.add({k: mapping.as_stored(k, row[k]) for k in SUMMED_LINE_COLUMNS}, -1)
        for row in rows:
            deltas.add({k: mapping.as_stored(k, row[k]) for k in SUMMED_LINE_COLUMNS}, 1)
        self.keep_sums(deltas)


def _unnest_insert(table: Any, columns: Sequence[str], prefix: str) -> Any:
    """``INSERT INTO table (columns) SELECT unnest(:prefix_column), ...``: many rows as one array per column."""
    from sqlalchemy.dialects import postgresql  # PostgreSQL's types only where PostgreSQL is used

    arrays = [func.unnest(bindparam(f"{prefix}_{c}", type_=postgresql.ARRAY(table.c[c].type))) for c in columns]
    return insert(table).from_select(list(columns), select(*arrays))


_REPORT_COLUMNS = tuple(c.name for c in reports.columns)
_VALUE_COLUMNS = tuple(c.name for c in report_values.columns)
_LINE_COLUMNS = tuple(c.name for c in emission_lines.columns if c.name != "id")


@cache
def _flush() -> Any:
    """PostgreSQL: the stored lines of some reports deleted (returned, for the sums), then the reports,
    their values and their lines inserted, as one statement (data-modifying ``WITH`` queries).
    Built at its first use: a SQLite store never imports PostgreSQL's dialect (a command starts faster)."""
    from sqlalchemy.dialects import postgresql

    gone = (delete(emission_lines)
            .where(emission_lines.c.report_id == any_(bindparam("gone", type_=postgresql.ARRAY(Integer))))
            .returning(*(emission_lines.c[k] for k in SUMMED_LINE_COLUMNS))
            .cte("gone"))
    inserted = [_unnest_insert(reports, _REPORT_COLUMNS, "r").cte("new_reports"),
                _unnest_insert(report_values, _VALUE_COLUMNS, "v").cte("new_values"),
                _unnest_insert(emission_lines, _LINE_COLUMNS, "l").cte("new_lines")]
    return select(*gone.c).add_cte(*inserted)


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

Anything else the use cases run on the connection first writes out what is pending (a
``before_execute`` hook), so a read that was not made beforehand still sees every earlier write.
"""

from __future__ import annotations

from bisect import insort
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Integer, any_, bindparam, delete, event, func, insert, or_, select, text, tuple_
from sqlalchemy.dialects import postgresql

from domain.model import Report, ReportKind
from domain.usecases import AnswerReads, ReportQuery
from store.repositories import _DELETE_LINES, _SUMMED_LINE_COLUMNS, _report
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

_INSERT_REPORTS = insert(reports)
_INSERT_VALUES = insert(report_values)
_INSERT_LINES = insert(emission_lines)


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
        if conn.dialect.name == "postgresql":
            _, ids = conn.execute(_LOCK_AND_IDS, {"chains": [chain_key(*c) for c in chains],
                                                  "n": new_reports}).one()
            together.ids.extend(ids)
        else:  # SQLite: the transaction holds the database's write lock (BEGIN IMMEDIATE) already
            top = conn.execute(select(func.coalesce(func.max(reports.c.id), 0))).scalar_one()
            together.ids.extend(range(top + 1, top + 1 + new_reports))
        together.locked.update(chains)
        # A production's every report of a kind is not read beforehand: read when asked.
        queries = {r.reports for r in reads if r.reports.subject is not None or r.reports.member_id is not None}
        sources = sorted({r.source for r in reads})
        params: dict[str, list[tuple[Any, ...]]] = {"chains": [], "members": [], "members_any_subject": []}
        for q in queries:
            for k in q.kinds:
                kind = ReportKind(k).value
                if q.member_id is None:
                    params["chains"].append((q.production_id, kind, q.subject))
                elif q.subject is None:
                    params["members_any_subject"].append((q.production_id, kind, q.member_id))
                else:
                    params["members"].append((q.production_id, kind, q.subject, q.member_id))
        found = _reports(conn.execute(_READ, {"sources": sources, **{k: sorted(set(v)) for k, v in params.items()}}))
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
                params: dict[str, Any] = {"gone": sorted(self.gone)}
                for prefix, columns, pending in (("r", _REPORT_COLUMNS, self.reports),
                                                 ("v", _VALUE_COLUMNS, self.values), ("l", _LINE_COLUMNS, rows)):
                    params.update({f"{prefix}_{c}": [row[c] for row in pending] for c in columns})
                self.removed.extend(r._asdict() for r in conn.execute(_FLUSH, params))
            else:
                if self.gone:
                    self.removed.extend(r._asdict() for r in conn.execute(_DELETE_LINES, {"ids": sorted(self.gone)}))
                if self.reports:
                    conn.execute(_INSERT_REPORTS, self.reports)
                if self.values:
                    conn.execute(_INSERT_VALUES, self.values)
                if rows:
                    conn.execute(_INSERT_LINES, rows)
        finally:
            self._flushing = False
        self.reports, self.values, self.lines = [], [], {}
        self.gone, self.new = set(), set()

    # -- the connection's hook -------------------------------------------------------------------

    def watch(self, conn: Connection) -> None:
        """Write what is pending before any other statement runs on ``conn`` (until :meth:`unwatch`)."""
        self._conn = conn
        event.listen(conn, "before_execute", self._before_execute)

    def unwatch(self) -> None:
        if self._conn is not None:
            event.remove(self._conn, "before_execute", self._before_execute)
            self._conn = None

    def _before_execute(self, conn: Connection, *_: Any) -> None:
        if not self._flushing and self.pending():
            self.flush(conn)


def _reports(rows: Iterable[Any]) -> list[Report]:
    """Reports from rows of a report joined to its values (one row per value), in id order."""
    found: list[Report] = []
    last: Any = None
    values: dict[str, Decimal] = {}
    for row in rows:
        if last is not None and row.id != last.id:
            found.append(_report(last, values))
            values = {}
        last = row
        if row.item is not None:
            values[row.item] = row.quantity
    if last is not None:
        found.append(_report(last, values))
    return found


def _unnest_insert(table: Any, columns: Sequence[str], prefix: str) -> Any:
    """``INSERT INTO table (columns) SELECT unnest(:prefix_column), ...``: many rows as one array per column."""
    arrays = [func.unnest(bindparam(f"{prefix}_{c}", type_=postgresql.ARRAY(table.c[c].type))) for c in columns]
    return insert(table).from_select(list(columns), select(*arrays))


_REPORT_COLUMNS = tuple(c.name for c in reports.columns)
_VALUE_COLUMNS = tuple(c.name for c in report_values.columns)
_LINE_COLUMNS = tuple(c.name for c in emission_lines.columns if c.name != "id")


def _build_flush() -> Any:
    """PostgreSQL: the stored lines of some reports deleted (returned, for the sums), then the reports,
    their values and their lines inserted, as one statement (data-modifying ``WITH`` queries)."""
    gone = (delete(emission_lines)
            .where(emission_lines.c.report_id == any_(bindparam("gone", type_=postgresql.ARRAY(Integer))))
            .returning(*(emission_lines.c[k] for k in _SUMMED_LINE_COLUMNS))
            .cte("gone"))
    inserted = [_unnest_insert(reports, _REPORT_COLUMNS, "r").cte("new_reports"),
                _unnest_insert(report_values, _VALUE_COLUMNS, "v").cte("new_values"),
                _unnest_insert(emission_lines, _LINE_COLUMNS, "l").cte("new_lines")]
    return select(*gone.c).add_cte(*inserted)


_FLUSH = _build_flush()

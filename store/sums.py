"""The running sums of emission lines: ``daily_emissions`` and ``subject_emissions`` kept in step.

Every change of lines adds to the sums what it changes (:class:`SumDeltas`), in the same
transaction (:func:`write_sums`); :func:`rebuild_emission_sums` sums them afresh after bulk loads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, insert, select
from sqlalchemy.engine import Connection

from store.engine import dialect_insert
from store.tables import DAILY_EMISSION_KEY, SUBJECT_EMISSION_KEY, daily_emissions, emission_lines, subject_emissions

#: The emission line columns the sums are keyed by or add up.
SUMMED_LINE_COLUMNS = tuple(dict.fromkeys((*DAILY_EMISSION_KEY, *SUBJECT_EMISSION_KEY, "quantity", "kgco2e")))

#: Delete the lines of some reports (``ids``), returning what the sums of lines lose.
DELETE_LINES = (
    delete(emission_lines)
    .where(emission_lines.c.report_id.in_(bindparam("ids", expanding=True)))
    .returning(*(emission_lines.c[k] for k in SUMMED_LINE_COLUMNS))
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
        stmt: Any = dialect_insert(dialect, table)  # the dialect in use only, at its first statement
        _UPSERTS[dialect, table.name] = stmt.on_conflict_do_update(
            index_elements=[c.name for c in table.primary_key.columns],
            set_={
                "quantity": table.c.quantity + stmt.excluded.quantity,
                "kgco2e": table.c.kgco2e + stmt.excluded.kgco2e,
                "lines": table.c.lines + stmt.excluded.lines,
            },
        )
    return _UPSERTS[dialect, table.name]


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

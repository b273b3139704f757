"""File import: rows per second through ``greenslate import``'s path, for a file of 10,000 rows.

The reference production; a CSV of meals (one row a meal type and day, as a caterer's invoices
give them) imported three ways, on SQLite and on PostgreSQL:

- ``check``: every row read, typed and checked against the store, then rolled back (``--check``);
- ``first``: the same, stored (one transaction);
- ``again``: the same file a second time: every row found by its reference, nothing stored;

then a file of one vehicle's odometer readings (200 rows), whose every row depends on the one before.

It also checks the store: after the three, exactly one report a row. Run alone with
``python -m benchmarks.import_file [--quick]`` (``--quick``: 500 rows), or with the others through
``python -m benchmarks --only import_file``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.common import Result, scratch_pg_database, scratch_sqlite_database
from common.imports import ImportResult, import_file
from common.production_file import load_production_file
from config.factors import catalogue
from domain.usecases import load_production
from store.engine import make_engine
from store.tables import reports
from store.uow import SqlUnitOfWork

EXAMPLE = Path(__file__).resolve().parents[1] / "config" / "examples" / "feature-film.yaml"
ROWS = 10_000
QUICK_ROWS = 500
#: One vehicle's odometer readings in one file: each reading recomputes the vehicle's lines.
READINGS = 200
QUICK_READINGS = 50


def write_file(path: Path, rows: int) -> Path:
    """``rows`` meal rows over the shoot's days, each with its own reference (French: ``;``)."""
    prod = load_production_file(EXAMPLE)
    days = prod.calendar.shooting_days()
    types = list(prod.meal_types)
    lines = ["date;membre;type_repas;nombre;reference"]
    for i in range(rows):
        day: dt.date = days[i % len(days)]
        lines.append(f"{day.isoformat()};paul;{types[i % len(types)]};{10 + i % 40};FAC-{i:06d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_readings(path: Path, rows: int) -> Path:
    """``rows`` odometer readings of the minibus over the shoot, 50 km apart, in the file's order."""
    prod = load_production_file(EXAMPLE)
    days = prod.calendar.shooting_days()
    start = prod.vehicle("mb1").odometer_start or 0
    lines = ["date,member,vehicle,odometer,ref"]
    for i in range(rows):
        lines.append(f"{days[i * len(days) // rows].isoformat()},amina,mb1,{start + 50 * (i + 1)},ODO-{i:05d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _timed(step: Callable[[], ImportResult]) -> tuple[float, ImportResult]:
    started = time.perf_counter()
    result = step()
    return time.perf_counter() - started, result


def measure(url: str, file: Path, rows: int, readings: Path, n_readings: int) -> dict[str, float]:
    """Rows per second of each way, and the reports stored in the end; then one vehicle's readings."""
    engine = make_engine(url)
    try:
        prod = load_production_file(EXAMPLE)
        load_production(SqlUnitOfWork(engine), prod)
        cat = catalogue()

        def run(keep: bool) -> ImportResult:
            return import_file(engine, cat, prod, file, lang="en", keep=keep)

        figures: dict[str, float] = {}
        for name, keep, expected in (("check", False, "stored"), ("first", True, "stored"),
                                     ("again", True, "unchanged")):
            seconds, result = _timed(lambda keep=keep: run(keep))
            assert getattr(result, expected) == rows, (name, result)
            figures[f"{name}_rows_per_s"] = round(rows / seconds, 1)
            figures[f"{name}_seconds"] = round(seconds, 2)
        with engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(reports)).scalar_one()
        assert stored == rows, f"{stored} reports for {rows} rows"
        seconds, result = _timed(lambda: import_file(engine, cat, prod, readings, lang="en"))
        assert result.stored == n_readings, result
        figures["readings_rows_per_s"] = round(n_readings / seconds, 1)
        figures["readings_seconds"] = round(seconds, 2)
        return figures
    finally:
        engine.dispose()


def run(quick: bool) -> Result:
    rows = QUICK_ROWS if quick else ROWS
    n_readings = QUICK_READINGS if quick else READINGS
    result = Result("import_file", quick, sizes={"rows": rows, "kind": "meals", "one_vehicles_readings": n_readings})
    with tempfile.TemporaryDirectory() as folder:
        file = write_file(Path(folder) / "repas.csv", rows)
        readings = write_readings(Path(folder) / "compteur.csv", n_readings)
        with scratch_sqlite_database(Path(folder)) as url:
            result.figures["sqlite"] = measure(url, file, rows, readings, n_readings)
        with scratch_pg_database() as url:
            result.figures["postgresql"] = measure(url, file, rows, readings, n_readings)
    for backend in ("sqlite", "postgresql"):
        result.target(f"{backend}_first_rows_per_s", result.figures[backend]["first_rows_per_s"], 200,
                      at_least=True)
    result.notes.append("meals rows depend on no other row; each of one vehicle's readings reads the readings "
                        "before it, as the bot does for each answer: that file's time grows faster than its length")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS} rows instead of {ROWS}")
    outcome = run(parser.parse_args().quick)
    outcome.print()

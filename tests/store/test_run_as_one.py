"""Jobs stored all together or not at all (``store.uow.run_as_one``, what a file import runs on).

Each job sees what the jobs before it wrote; when one raises, every job still gets its result (so
every refused row is told), and nothing is committed. What is stored is read through a new engine
(its own connections), so only committed rows count. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from domain import usecases
from domain.errors import InvalidReport
from domain.model import Production, Report, ReportKind
from domain.usecases import Catalogue, Recorded
from store.tables import emission_lines, reports
from store.uow import run_as_one
from tests.store.store_builders import Step, report, row_counts


def _job(cat: Catalogue, sent: Report) -> Step:
    return lambda uow: usecases.record_report(uow, cat, sent)


def _readings(*odometers: int) -> list[Report]:
    return [report(ReportKind.MILEAGE, {"odometer": o}, subject="mb1", member="amina", day=dt.date(2027, 3, 1 + i))
            for i, o in enumerate(odometers)]


def test_every_job_is_stored_and_each_sees_the_ones_before(
    engine: Engine, fresh: Engine, cat: Catalogue, loaded: Production
) -> None:
    results = run_as_one(engine, [_job(cat, r) for r in _readings(45100, 45250, 45400)])
    assert all(isinstance(r, Recorded) for r in results)
    # each reading's km are counted from the reading before it, stored in the same transaction
    assert [r.quantity for r in results if isinstance(r, Recorded)] == [90, 150, 150]
    assert row_counts(fresh, reports, emission_lines) == (3, 3)


def test_one_refused_job_leaves_nothing_and_every_refusal_is_told(
    engine: Engine, fresh: Engine, cat: Catalogue, loaded: Production
) -> None:
    # the second reading goes back below the first; the fourth below the third
    results = run_as_one(engine, [_job(cat, r) for r in _readings(45100, 45050, 45300, 45200)])
    assert [type(r) for r in results] == [Recorded, InvalidReport, Recorded, InvalidReport]
    assert row_counts(fresh, reports, emission_lines) == (0, 0)


def test_kept_false_checks_every_job_and_stores_nothing(
    engine: Engine, fresh: Engine, cat: Catalogue, loaded: Production
) -> None:
    results = run_as_one(engine, [_job(cat, r) for r in _readings(45100, 45250)], keep=False)
    assert all(isinstance(r, Recorded) for r in results)
    assert row_counts(fresh, reports, emission_lines) == (0, 0)

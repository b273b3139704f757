"""The sums kept on write stay equal to the emission lines, whatever is recorded, corrected or undone.

``daily_emissions`` (per day and factor) and ``subject_emissions`` (per subject and factor), through
the real use cases and factor catalogue, on SQLite and PostgreSQL. The dashboard's balance and
plan, read from them, are checked against ``domain.carbon.balance`` and ``plan_progress`` over the
lines themselves. The migrations that add them are checked on a database holding reports.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D
from typing import Any

import pytest
from sqlalchemy import Engine, func, inspect, select

from domain import usecases
from domain.carbon import EmissionLine, balance
from domain.errors import InvalidReport
from domain.indicators import plan_progress
from domain.model import Production, Report, ReportKind
from domain.usecases import Catalogue
from store import migrate, queries
from store.engine import make_engine
from store.sums import rebuild_emission_sums
from store.tables import daily_emissions, emission_lines, reports, subject_emissions
from store.uow import SqlUnitOfWork, run_together
from tests.store.store_builders import make_production, report

UowFactory = Callable[[], SqlUnitOfWork]
VERSION = "2026.1"
Sums = dict[tuple[Any, ...], tuple[D, D, int]]


def _key(ln: EmissionLine, by_day: bool = True) -> tuple[Any, ...]:
    t = ln.trace
    return (ln.production_id, ln.day if by_day else ln.subject, ln.category.value, ln.kind.value, ln.unit,
            ln.estimated, t.factor_key, t.factor_set_version, t.kgco2e_per_unit, t.unit, t.source, t.year, t.proxy)


def sums_of_lines(uow_factory: UowFactory, production_id: str, by_day: bool = True) -> Sums:
    """The lines, as stored, summed in Python per day (or subject) and factor."""
    acc: dict[tuple[Any, ...], tuple[D, D, int]] = {}
    with uow_factory() as uow:
        for ln in uow.lines.for_production(production_id):
            q, kg, n = acc.get(_key(ln, by_day), (D(0), D(0), 0))
            acc[_key(ln, by_day)] = (q + ln.quantity, kg + ln.kgco2e, n + 1)
    return acc


def daily_rows(engine: Engine, production_id: str | None = None, by_day: bool = True) -> Sums:
    """The rows of ``daily_emissions`` (or, ``by_day=False``, ``subject_emissions``)."""
    t = daily_emissions if by_day else subject_emissions
    query = select(t) if production_id is None else select(t).where(t.c.production_id == production_id)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return {
        (r.production_id, r.day if by_day else r.subject, r.category, r.kind, r.unit, r.estimated, r.factor_key,
         r.factor_set_version, r.factor_kgco2e_per_unit, r.factor_unit, r.factor_source, r.factor_year,
         r.factor_proxy):
        (r.quantity, r.kgco2e, r.lines)
        for r in rows
    }


def assert_sums_match(engine: Engine, uow_factory: UowFactory, production: Production) -> None:
    for by_day in (True, False):  # a row exactly where lines are, none emptied
        assert daily_rows(engine, production.id, by_day) == sums_of_lines(uow_factory, production.id, by_day)
    with uow_factory() as uow:
        lines = uow.lines.for_production(production.id)
    days = sorted({ln.day for ln in lines})
    for as_of in [None, *days[len(days) // 2:len(days) // 2 + 1], *days[-1:]]:
        assert queries.production_balance(engine, production, VERSION, as_of) == balance(
            production, VERSION, lines, as_of)
        assert queries.plan(engine, production, as_of) == plan_progress(production, lines, as_of)


# -- random sequences through the use cases ------------------------------------------------------


class Shoot:
    """Random figures as the crew would send them: readings that go up, meals, waste, generators."""

    def __init__(self, production: Production, rng: random.Random) -> None:
        self.production = production
        self.rng = rng
        self.days = production.calendar.shooting_days()
        self.refs = 0

    def _ref(self) -> str:
        self.refs += 1
        return f"rand-{self.refs}"

    def _reading(self, start: D, index: int, step: int) -> D:  # grows with the day, whatever order days come
        return start + D(step * index) + D(self.rng.randint(0, step * 100 - 1)) / D(100)

    def new_report(self) -> Report:
        rng = self.rng
        index = rng.randrange(len(self.days))
        day = self.days[index]
        kind = rng.choice(["mileage", "mileage", "meals", "waste", "hours", "meter", "litres"])
        if kind == "mileage":
            vehicle = rng.choice(self.production.vehicles)
            return report(ReportKind.MILEAGE, {"odometer": self._reading(vehicle.odometer_start or D(0), index, 150)},
                          day=day, member="amina", subject=vehicle.id, ref=self._ref(), confirmed=True)
        if kind == "meals":
            return report(ReportKind.MEALS, {"vegetarian": rng.randint(0, 60), "beef": rng.randint(0, 40)},
                          day=day, member="paul", ref=self._ref(), confirmed=True)
        if kind == "waste":
            return report(ReportKind.WASTE, {"residual": D(rng.randint(0, 50_000)) / D(1000),
                                             "cardboard": D(rng.randint(1, 9_999)) / D(1000)},
                          day=day, member="sam", ref=self._ref(), confirmed=True)
        if kind == "meter":
            return report(ReportKind.GENERATOR_HOURS, {"meter": self._reading(D("1500.5"), index, 10)},
                          day=day, member="lea", subject="g2", ref=self._ref(), confirmed=True)
        if kind == "hours":
            return report(ReportKind.GENERATOR_HOURS, {"hours": D(rng.randint(1, 120)) / D(10)},
                          day=day, member="lea", subject="g1", ref=self._ref(), confirmed=True)
        return report(ReportKind.GENERATOR_LITRES, {"litres": D(rng.randint(1, 9_000)) / D(100)},
                      day=day, member="lea", subject="g1", ref=self._ref(), confirmed=True)

    def new_values(self, original: Report) -> dict[str, D]:
        factor = D(self.rng.choice(["0.5", "0.9", "1.1", "1.3", "2"]))
        if original.kind is ReportKind.MILEAGE or "meter" in original.values:
            # a reading corrected up a little (readings must keep their order)
            return {k: v + D(self.rng.randint(0, 40)) / D(10) for k, v in original.values.items()}
        step = D(1) if original.kind is ReportKind.MEALS else D("0.001")
        return {k: (v * factor).quantize(step) for k, v in original.values.items()}


def run_random_shoot(uow_factory: UowFactory, cat: Catalogue, production: Production, seed: int,
                     steps: int) -> dict[str, int]:
    """``steps`` random records, corrections, undos and repeats; how many of each were stored."""
    rng = random.Random(seed)
    shoot = Shoot(production, rng)
    stored: list[Report] = []
    done = {"recorded": 0, "corrected": 0, "undone": 0, "duplicate": 0, "refused": 0}
    at = dt.datetime(2027, 4, 30, 9, tzinfo=dt.UTC)
    for _ in range(steps):
        action = rng.choices(["record", "correct", "undo", "repeat"], weights=[5, 2, 2, 1])[0]
        if action != "record" and not stored:
            action = "record"
        try:
            if action == "record":
                r = shoot.new_report()
                stored.append(usecases.record_report(uow_factory(), cat, r).report)
            elif action == "repeat":
                again = rng.choice(stored)
                assert usecases.record_report(uow_factory(), cat, again).duplicate
            elif action == "correct":
                original = rng.choice(stored)
                recorded = usecases.correct_report(
                    uow_factory(), cat, original.id or 0, shoot.new_values(original), raw_text="fixed",
                    source="test", source_ref=shoot._ref(), received_at=at, confirmed=True)
                stored.append(recorded.report)
            else:
                original = rng.choice(stored)
                usecases.undo_report(uow_factory(), cat, original.id or 0, source="test",
                                     source_ref=shoot._ref(), received_at=at)
        except InvalidReport:
            done["refused"] += 1
            continue
        done["duplicate" if action == "repeat" else {"record": "recorded", "correct": "corrected",
                                                     "undo": "undone"}[action]] += 1
    return done


@pytest.fixture
def loaded(uow_factory: UowFactory, production: Production) -> Production:
    usecases.load_production(uow_factory(), production)
    return production


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_records_corrections_and_undos_keep_the_sums_equal_to_the_lines(
    engine: Engine, uow_factory: UowFactory, cat: Catalogue, loaded: Production, seed: int
) -> None:
    for _ in range(4):  # the sums are checked every 30 steps, not only at the end
        done = run_random_shoot(uow_factory, cat, loaded, seed, steps=30)
        assert_sums_match(engine, uow_factory, loaded)
        seed += 100
    assert done["recorded"] and done["corrected"] + done["undone"]
    with engine.connect() as conn:
        assert (conn.scalar(select(func.count()).select_from(daily_emissions)) or 0) > 0
        assert (conn.scalar(select(func.min(daily_emissions.c.lines))) or 0) >= 1


def test_undoing_every_figure_of_a_day_leaves_no_row_for_it(
    engine: Engine, uow_factory: UowFactory, cat: Catalogue, loaded: Production
) -> None:
    day = dt.date(2027, 3, 3)
    at = dt.datetime(2027, 3, 4, 9, tzinfo=dt.UTC)
    meals = usecases.record_report(uow_factory(), cat, report(ReportKind.MEALS, {"vegetarian": 3, "beef": 2},
                                                               day=day, member="paul")).report
    waste = usecases.record_report(uow_factory(), cat, report(ReportKind.WASTE, {"residual": "1.5"},
                                                               day=day, member="sam")).report
    assert {k[1] for k in daily_rows(engine)} == {day}
    fixed = usecases.correct_report(uow_factory(), cat, meals.id or 0, {"vegetarian": D(4)}, raw_text="4",
                                    source="test", source_ref="fix", received_at=at).report
    assert {k[6] for k in daily_rows(engine)} == {"meal_vegetarian_fr", "waste_residual_incineration_fr"}
    for r in (fixed, waste):
        usecases.undo_report(uow_factory(), cat, r.id or 0, source="test", source_ref=f"undo-{r.id}",
                             received_at=at)
    assert daily_rows(engine) == {} and daily_rows(engine, by_day=False) == {}
    assert queries.production_balance(engine, loaded, VERSION) == usecases.get_balance(
        uow_factory(), VERSION, loaded.id)
    assert queries.plan(engine, loaded) == usecases.get_plan(uow_factory(), loaded.id)


def test_sums_keep_every_decimal_the_lines_keep(
    engine: Engine, uow_factory: UowFactory, cat: Catalogue, loaded: Production
) -> None:
    """Each line is rounded to the microgram when stored: the sums add the stored lines, not the exact ones."""
    for n in range(7):
        usecases.record_report(uow_factory(), cat, report(ReportKind.WASTE, {"cardboard": "0.001"},
                                                            member="sam", ref=f"crumb-{n}"))
    with engine.connect() as conn:
        stored = conn.scalar(select(func.sum(emission_lines.c.kgco2e)))
    for by_day in (True, False):
        (q, kg, lines), = daily_rows(engine, by_day=by_day).values()
        assert (q, kg, lines) == (D("0.007"), stored, 7)
    assert_sums_match(engine, uow_factory, loaded)


def test_rebuilding_gives_back_what_was_kept_on_write(
    engine: Engine, uow_factory: UowFactory, cat: Catalogue, loaded: Production
) -> None:
    run_random_shoot(uow_factory, cat, loaded, seed=9, steps=40)
    kept = daily_rows(engine), daily_rows(engine, by_day=False)
    with engine.begin() as conn:
        assert rebuild_emission_sums(conn, loaded.id) == {"daily_emissions": len(kept[0]),
                                                          "subject_emissions": len(kept[1])}
    assert (daily_rows(engine), daily_rows(engine, by_day=False)) == kept
    with engine.begin() as conn:
        rebuild_emission_sums(conn)
    assert (daily_rows(engine), daily_rows(engine, by_day=False)) == kept


# -- concurrent writers on PostgreSQL --------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.timeout(300)
def test_concurrent_writers_lose_no_increment(pg_db_url: str, cat: Catalogue) -> None:
    """Many answers for the same day and factors at once, with undos among them: every one is counted."""
    engine = make_engine(pg_db_url, pool_size=8)
    production = make_production()
    factory: UowFactory = lambda: SqlUnitOfWork(engine)  # noqa: E731
    try:
        usecases.load_production(factory(), production)
        day = dt.date(2027, 3, 8)
        at = dt.datetime(2027, 3, 9, 9, tzinfo=dt.UTC)
        start = threading.Barrier(8)

        def writer(w: int) -> None:
            start.wait()
            for n in range(12):
                kind, values, member = (
                    (ReportKind.MEALS, {"vegetarian": 1 + n, "beef": w}, "paul") if (w + n) % 2
                    else (ReportKind.WASTE, {"residual": f"{w}.{n:03d}", "cardboard": "0.125"}, "sam"))
                r = usecases.record_report(
                    factory(), cat, report(kind, values, day=day, member=member, ref=f"w{w}-{n}")).report
                if n % 4 == 3:
                    usecases.undo_report(factory(), cat, r.id or 0, source="test", source_ref=f"undo-w{w}-{n}",
                                         received_at=at)
                elif n % 4 == 2:
                    usecases.correct_report(factory(), cat, r.id or 0, {k: D(1) for k in values}, raw_text="1",
                                            source="test", source_ref=f"fix-w{w}-{n}", received_at=at)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(writer, range(8)))
        kept = daily_rows(engine, production.id)
        assert kept == sums_of_lines(factory, production.id)
        assert daily_rows(engine, production.id, by_day=False) == sums_of_lines(factory, production.id, by_day=False)
        with engine.connect() as conn:  # 12 answers per writer, 3 of them undone and 3 corrected
            assert conn.scalar(select(func.count()).select_from(reports)) == 8 * (12 + 3 + 3)
        assert sum(n for _q, _kg, n in kept.values()) > 8 * 9
        assert queries.production_balance(engine, production, VERSION) == usecases.get_balance(
            factory(), VERSION, production.id)
        assert queries.plan(engine, production) == usecases.get_plan(factory(), production.id)
    finally:
        engine.dispose()


# -- the migration ---------------------------------------------------------------------------------


def test_migrations_fill_the_sums_from_the_reports_already_stored(fresh_url: str, cat: Catalogue) -> None:
    migrate.upgrade(fresh_url)
    engine = make_engine(fresh_url)
    factory: UowFactory = lambda: SqlUnitOfWork(engine)  # noqa: E731
    try:
        production = make_production()
        usecases.load_production(factory(), production)
        run_random_shoot(factory, cat, production, seed=5, steps=40)
        kept = daily_rows(engine), daily_rows(engine, by_day=False)
        assert all(kept)
        engine.dispose()
        migrate.downgrade(fresh_url, "0006")  # a database as 0006 left it: reports and lines, no sums
        assert not {"daily_emissions", "subject_emissions"} & set(inspect(engine).get_table_names())
        engine.dispose()
        migrate.upgrade(fresh_url, "0007")
        assert daily_rows(engine) == kept[0] == sums_of_lines(factory, production.id)
        engine.dispose()
        migrate.upgrade(fresh_url)
        assert migrate.current(fresh_url) == migrate.head()
        assert daily_rows(engine, by_day=False) == kept[1] == sums_of_lines(factory, production.id, by_day=False)
        with factory() as uow:
            lines = uow.lines.for_production(production.id)
        assert queries.production_balance(engine, production, VERSION) == balance(production, VERSION, lines)
        assert queries.plan(engine, production) == plan_progress(production, lines)
        # and the store goes on from there
        run_random_shoot(factory, cat, production, seed=6, steps=20)
        assert_sums_match(engine, factory, production)
    finally:
        engine.dispose()


def _stored_then_failed(uow: SqlUnitOfWork, cat: Catalogue, r: Report) -> None:
    usecases.record_report(uow, cat, r)
    raise RuntimeError("the job fails after its figure and lines were written")


@pytest.mark.parametrize("seed", [7, 8])
def test_answers_stored_together_keep_the_sums_equal_to_the_lines(
    engine: Engine, uow_factory: UowFactory, cat: Catalogue, loaded: Production, seed: int
) -> None:
    """Batches of records, corrections and undos (``run_together``), some refused: each sum row is
    written once per batch, and a refused job's lines add nothing."""
    rng = random.Random(seed)
    shoot = Shoot(loaded, rng)
    at = dt.datetime(2027, 4, 30, 9, tzinfo=dt.UTC)
    kept: list[Report] = []
    refused = 0
    for _ in range(8):
        jobs: list[Callable[[SqlUnitOfWork], Any]] = []
        for _ in range(rng.randint(2, 12)):
            roll = rng.random()
            if roll < 0.15:  # a figure the use case refuses: nothing of it may reach the sums
                bad = shoot.new_report()
                bad = Report(**{**bad.__dict__, "values": {k: -v - 1 for k, v in bad.values.items()}})
                jobs.append(lambda uow, r=bad: usecases.record_report(uow, cat, r))
            elif roll < 0.22:  # stored with its lines, then the job fails: all of it is undone
                doomed = shoot.new_report()
                jobs.append(lambda uow, r=doomed: _stored_then_failed(uow, cat, r))
            elif roll < 0.3 and kept:
                original = rng.choice(kept)
                values = shoot.new_values(original)
                jobs.append(lambda uow, o=original, v=values: usecases.correct_report(
                    uow, cat, o.id or 0, v, raw_text="fixed", source="test", source_ref=shoot._ref(),
                    received_at=at, confirmed=True))
            elif roll < 0.4 and kept:
                original = rng.choice(kept)
                jobs.append(lambda uow, o=original: usecases.undo_report(
                    uow, cat, o.id or 0, source="test", source_ref=shoot._ref(), received_at=at))
            else:
                new = shoot.new_report()
                jobs.append(lambda uow, r=new: usecases.record_report(uow, cat, r))
        for outcome in run_together(engine, jobs):
            if isinstance(outcome, Exception):
                refused += 1
            else:
                kept.append(outcome.report)
        assert_sums_match(engine, uow_factory, loaded)
    assert refused and kept

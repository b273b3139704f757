"""A generated season: many productions, their crews and every figure they sent, in the real tables.

Deterministic (a seed) and sized by arguments. The figures are made the way the bots make them:
each report is a ``domain.model.Report``, and its emission lines come from the carbon engine's own
functions per subject (``mileage_lines`` per vehicle, ``generator_lines`` per generator,
``meal_lines`` and ``waste_lines`` per report), so every line carries its factor, source and set
version exactly as ``record_report`` would store it. Only the writing is bulk: PostgreSQL ``COPY``
through psycopg, or SQLAlchemy Core ``executemany`` on SQLite, one production at a time so memory
stays flat. The sums the store keeps as it writes lines (``daily_emissions``, ``subject_emissions``)
are then summed from each production's lines, one ``INSERT ... SELECT`` per table.

Each member reports three figures every shooting day: the odometer of their vehicle, the hours of
their generator, and either the meals served (one member in three) or the waste of the day.
20 productions x 150 members x 120 days x 3 = 1,080,000 reports.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select, text
from sqlalchemy.types import TypeDecorator

from common.production_file import load_production_file
from config.factors import CURRENT_VERSION, catalogue
from domain.carbon import EmissionLine, generator_lines, meal_lines, mileage_lines, waste_lines
from domain.model import (
    Assignment,
    Channel,
    CrewMember,
    Frequency,
    Generator,
    GeneratorMode,
    Language,
    MileageMode,
    Production,
    Report,
    ReportKind,
    Role,
    ShootingCalendar,
    Vehicle,
)
from domain.usecases import Catalogue, load_production
from greenslate.demo import example_path
from store.engine import make_engine
from store.sums import rebuild_emission_sums
from store.tables import emission_lines, report_values, reports
from store.uow import SqlUnitOfWork

SEED = 20270104
FIRST_DAY = dt.date(2027, 1, 4)  # a Monday
SOURCE = "season"
VEHICLE_FACTORS = ("van_fr_impactco2", "car_electric_compact_fr")
GENERATOR_FACTORS = ("gnr_fr", "hvo100_fr")


@dataclass(frozen=True)
class SeasonSize:
    productions: int = 20
    members: int = 3000  # in all, spread evenly over the productions
    days: int = 120  # shooting days per production

    @property
    def members_per_production(self) -> int:
        return max(1, self.members // self.productions)

    @property
    def expected_reports(self) -> int:
        return self.productions * self.members_per_production * self.days * 3


FULL = SeasonSize()
QUICK = SeasonSize(productions=2, members=40, days=10)


@dataclass(frozen=True)
class SeasonSummary:
    productions: list[str]
    members: int
    reports: int
    report_values: int
    emission_lines: int
    daily_emissions: int
    subject_emissions: int
    seconds: float


def shooting_calendar(days: int) -> ShootingCalendar:
    """Monday to Friday from ``FIRST_DAY`` until ``days`` shooting days are in."""
    weeks, extra = divmod(days, 5)
    end = FIRST_DAY + dt.timedelta(weeks=weeks) + dt.timedelta(days=extra - 1 if extra else -3)
    return ShootingCalendar(start=FIRST_DAY, end=end, weekdays=frozenset(range(5)))


def season_production(index: int, size: SeasonSize, template: Production) -> Production:
    """Production ``index`` of the season: the reference example's plan and catalogues, a big crew."""
    n = size.members_per_production
    crew = tuple(
        CrewMember(
            id=f"m{i:04d}",
            name=f"Membre {index}-{i}",
            role=Role.DRIVER,
            channel=Channel.TELEGRAM,
            language=Language.EN if i % 5 == 0 else Language.FR,
        )
        for i in range(n)
    )
    vehicles = tuple(
        Vehicle(id=f"v{i:04d}", label=f"Véhicule {i}", kind="van", fuel="diesel",
                factor=VEHICLE_FACTORS[i % 2], odometer_start=Decimal(10_000 + 97 * i))
        for i in range(n)
    )
    generators = tuple(
        Generator(id=f"g{i:04d}", label=f"Groupe {i}", fuel_factor=GENERATOR_FACTORS[i % 2],
                  litres_per_hour=Decimal("6.5") + Decimal(i % 7))
        for i in range(n)
    )
    assignments: list[Assignment] = []
    for i, m in enumerate(crew):
        assignments.append(Assignment(who=m.id, report=ReportKind.MILEAGE, frequency=Frequency.DAILY,
                                      at=dt.time(19, 30), vehicle=vehicles[i].id, mode=MileageMode.ODOMETER))
        assignments.append(Assignment(who=m.id, report=ReportKind.GENERATOR_HOURS, frequency=Frequency.DAILY,
                                      at=dt.time(20, 0), generator=generators[i].id, mode=GeneratorMode.HOURS))
        third = ReportKind.MEALS if i % 3 == 0 else ReportKind.WASTE
        assignments.append(Assignment(who=m.id, report=third, frequency=Frequency.DAILY, at=dt.time(18, 0)))
    owners = {a.owner for a in template.action_plan}
    owner_of = {o: crew[k % n].id for k, o in enumerate(sorted(owners))}
    return replace(
        template,
        id=f"season-{index:02d}",
        title=f"Saison {index:02d}",
        calendar=shooting_calendar(size.days),
        crew=crew,
        vehicles=vehicles,
        generators=generators,
        assignments=tuple(assignments),
        action_plan=tuple(replace(a, owner=owner_of[a.owner]) for a in template.action_plan),
        sensitisation=(),
    )


def _received(production: Production, day: dt.date, at: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, at, production.zone).astimezone(dt.UTC)


def production_reports(production: Production, seed: int, first_id: int) -> list[Report]:
    """Every figure of one production, with ids from ``first_id`` (as the store would number them)."""
    rng = random.Random(f"{seed}:{production.id}")
    meal_types = sorted(production.meal_types)
    streams = sorted(production.waste_streams)
    odometer = {v.id: v.odometer_start or Decimal(0) for v in production.vehicles}
    out: list[Report] = []
    next_id = first_id

    def add(a: Assignment, day: dt.date, values: dict[str, Decimal], raw: str, at: dt.time) -> None:
        nonlocal next_id
        out.append(Report(
            production_id=production.id, member_id=a.who, kind=a.report, day=day, values=values,
            raw_text=raw, source=SOURCE,
            source_ref=f"{production.id}:{a.who}:{a.report.value}:{a.subject or ''}:{day.isoformat()}",
            received_at=_received(production, day, at), subject=a.subject, id=next_id,
        ))
        next_id += 1

    for day in production.calendar.shooting_days():
        for a in production.assignments:
            if a.report is ReportKind.MILEAGE:
                km = Decimal(max(0, round(rng.gauss(90, 25))))
                odometer[a.vehicle or ""] += km
                reading = odometer[a.vehicle or ""]
                add(a, day, {"odometer": reading}, f"{int(reading):,}".replace(",", " "), dt.time(19, 41))
            elif a.report is ReportKind.GENERATOR_HOURS:
                hours = Decimal(f"{max(0.0, rng.gauss(3.0, 1.0)):.1f}")
                add(a, day, {"hours": hours}, f"{hours} h".replace(".", ","), dt.time(20, 12))
            elif a.report is ReportKind.MEALS:
                meals = {t: Decimal(rng.randint(0, 30)) for t in meal_types}
                add(a, day, meals, " ".join(f"{k} {v}" for k, v in meals.items()), dt.time(15, 20))
            else:
                kg = {s: Decimal(f"{rng.uniform(0, 40):.1f}") for s in streams}
                add(a, day, kg, " ".join(f"{k} {v}" for k, v in kg.items()), dt.time(18, 25))
    return out


def production_lines(production: Production, cat: Catalogue, season_reports: Sequence[Report]) -> list[EmissionLine]:
    """The emission lines the carbon engine gives for these reports, subject by subject."""
    by_vehicle: dict[str, list[Report]] = {}
    by_generator: dict[str, list[Report]] = {}
    lines: list[EmissionLine] = []
    for r in season_reports:
        if r.kind is ReportKind.MILEAGE:
            by_vehicle.setdefault(r.subject or "", []).append(r)
        elif r.kind in (ReportKind.GENERATOR_HOURS, ReportKind.GENERATOR_LITRES):
            by_generator.setdefault(r.subject or "", []).append(r)
        elif r.kind is ReportKind.MEALS:
            lines.extend(meal_lines(production, cat.factors, r))
        else:
            lines.extend(waste_lines(production, cat.factors, r))
    for vehicle_id, rs in by_vehicle.items():
        lines.extend(mileage_lines(production, cat.factors, vehicle_id, rs))
    for generator_id, rs in by_generator.items():
        lines.extend(generator_lines(production, cat.factors, cat.consumption, generator_id, rs))
    return lines


# -- writing -------------------------------------------------------------------------------------


def _report_row(r: Report) -> dict[str, Any]:
    return {
        "id": r.id, "production_id": r.production_id, "member_id": r.member_id, "kind": r.kind.value,
        "day": r.day, "subject": r.subject, "raw_text": r.raw_text, "source": r.source,
        "source_ref": r.source_ref, "received_at": r.received_at, "corrects": None, "void": False,
        "confirmed": False,
    }


def _value_rows(rs: Iterable[Report]) -> Iterator[dict[str, Any]]:
    for r in rs:
        for item, quantity in r.values.items():
            yield {"report_id": r.id, "item": item, "quantity": quantity}


def _line_rows(lines: Iterable[EmissionLine], first_id: int) -> Iterator[dict[str, Any]]:
    for n, ln in enumerate(lines):
        t = ln.trace
        yield {
            "id": first_id + n, "report_id": ln.report_id, "production_id": ln.production_id, "day": ln.day,
            "category": ln.category.value, "kind": ln.kind.value, "subject": ln.subject,
            "member_id": ln.member_id, "quantity": ln.quantity, "unit": ln.unit, "kgco2e": ln.kgco2e,
            "factor_key": t.factor_key, "factor_set_version": t.factor_set_version,
            "factor_kgco2e_per_unit": t.kgco2e_per_unit, "factor_unit": t.unit, "factor_source": t.source,
            "factor_year": t.year, "factor_proxy": t.proxy, "estimated": ln.estimated,
        }


def _copy(engine: Engine, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """PostgreSQL COPY through psycopg, each value bound by its column type as SQLAlchemy would."""
    columns = list(table.columns)
    names = ", ".join(f'"{c.name}"' for c in columns)
    convert = [
        (c.name, c.type if isinstance(c.type, TypeDecorator) else None) for c in columns
    ]
    dialect = engine.dialect
    count = 0
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([
                    t.process_bind_param(row[n], dialect) if t is not None else row[n] for n, t in convert
                ])
                count += 1
        raw.commit()
    finally:
        raw.close()
    return count


def _executemany(engine: Engine, table: Table, rows: Iterable[dict[str, Any]], chunk: int = 5000) -> int:
    count = 0
    batch: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk:
                conn.execute(insert(table), batch)
                count += len(batch)
                batch = []
        if batch:
            conn.execute(insert(table), batch)
            count += len(batch)
    return count


def _next_id(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def generate_season(
    url: str, size: SeasonSize = FULL, seed: int = SEED, *, progress: bool = False
) -> SeasonSummary:
    """Load the season's productions and every figure into the (migrated) database at ``url``."""
    started = time.perf_counter()
    engine = make_engine(url)
    cat = catalogue(CURRENT_VERSION)
    template = load_production_file(example_path())
    is_pg = engine.dialect.name == "postgresql"
    write = (lambda table, rows: _copy(engine, table, rows)) if is_pg else (
        lambda table, rows: _executemany(engine, table, rows))
    ids: list[str] = []
    counts = {"reports": 0, "values": 0, "lines": 0, "daily": 0, "subject": 0}
    try:
        for index in range(size.productions):
            production = season_production(index, size, template)
            load_production(SqlUnitOfWork(engine), production)
            ids.append(production.id)
            rs = production_reports(production, seed, _next_id(engine, reports))
            lines = production_lines(production, cat, rs)
            counts["reports"] += write(reports, (_report_row(r) for r in rs))
            counts["values"] += write(report_values, _value_rows(rs))
            counts["lines"] += write(emission_lines, _line_rows(lines, _next_id(engine, emission_lines)))
            with engine.begin() as conn:  # the sums the store keeps on write, summed in one go
                sums = rebuild_emission_sums(conn, production.id)
            counts["daily"] += sums["daily_emissions"]
            counts["subject"] += sums["subject_emissions"]
            if progress:
                print(f"  {production.id}: {len(rs)} reports, {len(lines)} lines "
                      f"({time.perf_counter() - started:.0f} s)", flush=True)
        if is_pg:
            with engine.begin() as conn:
                for table in (reports, emission_lines):
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table.name}))"
                    ))
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                # As autovacuum leaves a store that has been written to over a season: statistics,
                # and pages marked all-visible, so the index-only reads read no table pages.
                conn.exec_driver_sql("VACUUM ANALYZE")
    finally:
        engine.dispose()
    return SeasonSummary(ids, size.members_per_production * size.productions, counts["reports"],
                         counts["values"], counts["lines"], counts["daily"],
                         counts["subject"], time.perf_counter() - started)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Load a generated season into a migrated database.")
    parser.add_argument("url", help="database URL (migrated first with `greenslate db upgrade`)")
    parser.add_argument("--productions", type=int, default=FULL.productions)
    parser.add_argument("--members", type=int, default=FULL.members)
    parser.add_argument("--days", type=int, default=FULL.days)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    summary = generate_season(args.url, SeasonSize(args.productions, args.members, args.days), args.seed,
                              progress=True)
    print(summary)


if __name__ == "__main__":
    main()

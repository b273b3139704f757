"""Dashboard at season scale: the time each page's callbacks spend, on a generated season in PostgreSQL.

Each page is timed doing what its layout callback does (``dashboard/pages/*.py``), through the same
store functions and the same domain formulas:

- overview: the production, then ``queries.production_balance`` (which reads the daily sums the
  store keeps on write, ``daily_emissions``) and, when the dashboard package is importable,
  ``overview.content`` building the components, charts and tables; its steps are also timed alone
  (``overview_step_*``: loading the production; loading it and the balance query);
- plan: the production, then ``queries.plan`` (which reads the sums per subject the store keeps on
  write, ``subject_emissions``);
- reporting: the production, ``last_day``, ``completeness``, ``member_names``, the changed reports and
  ``flagged_counts``;
- reports: the first page of ``report_rows`` and a text search.

Then every page as served (``benchmarks/dashboard_pages.py``): each Dash page's layout in a signed-in
request, turned into the JSON Dash sends, and each set-up page and the call sheet through Flask.
``GREENSLATE_BENCH_SEASON_URL`` (a PostgreSQL URL such as
``postgresql://postgres@127.0.0.1:5432/greenslate_season``) keeps the season between runs: the first run
creates that database and generates into it, the next ones reuse it (migrated to the code's schema
first) instead of generating one (4 minutes here). Drop the database to generate afresh.

The baseline is the naive way: load every report of the production, its values and its emission
lines (the lines themselves, never the daily sums) into pandas and sum there. Both must give the
same total to the gram; the run says so. It also says whether the sums kept on write equal the
lines summed in SQL the same way (per day and factor; per subject and factor), row for row, for the
productions the baseline reads.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, select, text

from benchmarks.common import Result, scratch_pg_database, server_pg_url, summary_ms
from benchmarks.dashboard_pages import time_pages
from benchmarks.season import FULL, QUICK, SeasonSize, SeasonSummary, generate_season
from config.factors import CURRENT_VERSION
from domain.model import Production
from store import queries
from store.engine import make_engine
from store.queries import ReportFilter
from store.tables import emission_lines, productions, report_values, reports
from store.uow import SqlUnitOfWork

#: A season already generated (``python -m benchmarks.season URL``) to time instead of a new one.
SEASON_URL_VARIABLE = "GREENSLATE_BENCH_SEASON_URL"


def _production(engine: Engine, production_id: str) -> Production:
    with SqlUnitOfWork(engine) as uow:
        return uow.productions.get(production_id)


def _overview_renderer() -> Callable[[Production, Any], Any] | None:
    try:
        from dashboard.pages import overview
    except Exception:  # the dashboard package is optional here: the queries are what we time
        return None
    return lambda prod, bal: overview.content(prod, bal, "fr")


def overview_page(engine: Engine, production_id: str, render: Callable[[Production, Any], Any] | None) -> Decimal:
    prod = _production(engine, production_id)
    bal = queries.production_balance(engine, prod, CURRENT_VERSION)
    if render is not None:
        render(prod, bal)
    return bal.total_kgco2e


def plan_page(engine: Engine, production_id: str) -> int:
    prod = _production(engine, production_id)
    return len(queries.plan(engine, prod))


def reporting_page(engine: Engine, production_id: str) -> int:
    prod = _production(engine, production_id)
    as_of = queries.last_day(engine, production_id)
    comp = queries.completeness(engine, prod, as_of)
    queries.member_names(engine, production_id)
    queries.report_rows(engine, production_id, ReportFilter(only_changed=True), limit=50)
    queries.flagged_counts(engine, production_id)
    return comp.missing_count  # what the page shows (its slots, 54,000 objects, are never listed by it)


def reports_page(engine: Engine, production_id: str) -> int:
    _rows, total = queries.report_rows(engine, production_id, limit=50)
    queries.report_rows(engine, production_id, ReportFilter(text="vegetarian"), limit=50)
    return total


def naive_overview(engine: Engine, production_id: str) -> Decimal:
    """Every report, value and line of the production into pandas, then totals by category and day."""
    import pandas as pd

    with engine.connect() as conn:
        rep = pd.DataFrame(conn.execute(select(reports).where(reports.c.production_id == production_id)).all())
        val = pd.DataFrame(conn.execute(
            select(report_values).join(reports, reports.c.id == report_values.c.report_id)
            .where(reports.c.production_id == production_id)
        ).all())
        lines = pd.DataFrame(conn.execute(
            select(emission_lines).where(emission_lines.c.production_id == production_id)
        ).all())
    active = rep[rep["void"] == False]  # noqa: E712 - a pandas mask
    lines = lines[lines["report_id"].isin(active["id"])]
    lines.groupby(["day", "category"])["kgco2e"].sum()
    lines.groupby("category")["kgco2e"].sum()
    val.groupby("item")["quantity"].sum()
    return Decimal(sum(lines["kgco2e"], Decimal(0)))


def _sums_match_lines(engine: Engine, production_id: str) -> bool:
    """The sums kept on write, row for row, against the lines grouped in SQL the same way."""
    def key(ln: Any, by_day: bool) -> tuple[Any, ...]:
        t = ln.trace
        return (ln.day if by_day else ln.subject, ln.category, ln.kind, ln.unit, ln.estimated, t.factor_key,
                t.factor_set_version, t.kgco2e_per_unit, t.unit, t.source, t.year, t.proxy)

    def sums(lines: list[Any], by_day: bool) -> dict[tuple[Any, ...], tuple[Decimal, Decimal]]:
        acc: dict[tuple[Any, ...], tuple[Decimal, Decimal]] = {}
        for ln in lines:
            q, kg = acc.get(key(ln, by_day), (Decimal(0), Decimal(0)))
            acc[key(ln, by_day)] = (q + ln.quantity, kg + ln.kgco2e)
        return acc

    daily = queries.daily_lines(engine, production_id)
    per_subject = queries.subject_lines(engine, production_id, None)
    return (
        len({key(ln, True) for ln in daily}) == len(daily)
        and len({key(ln, False) for ln in per_subject}) == len(per_subject)
        and sums(daily, True) == sums(queries.summed_lines(engine, production_id, by_subject=False), True)
        and sums(per_subject, False) == sums(queries.summed_lines(engine, production_id, by_day=False), False)
    )


def _time(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def _time_pages(engine: Engine, productions: list[str], samples: int, result: Result) -> dict[str, list[float]]:
    """Seconds per page read, for ``samples`` productions drawn at random (the same ones each run)."""
    render = _overview_renderer()
    if render is None:
        result.notes.append("dashboard.pages.overview not importable: overview timed without rendering")
    pages: dict[str, Callable[[str], Any]] = {
        "overview": lambda pid: overview_page(engine, pid, render),
        # the overview's three steps on their own, to show where its time goes
        "overview_step_production": lambda pid: _production(engine, pid),
        "overview_step_balance_query": lambda pid: queries.production_balance(
            engine, _production(engine, pid), CURRENT_VERSION),
        "plan": lambda pid: plan_page(engine, pid),
        "reporting": lambda pid: reporting_page(engine, pid),
        "reports": lambda pid: reports_page(engine, pid),
    }
    rng = random.Random(7)
    for fn in pages.values():  # warm the connection pool and the caches once
        fn(productions[0])
    timings: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(samples):
        pid = rng.choice(productions)
        for name, fn in pages.items():
            seconds, _value = _time(lambda fn=fn, pid=pid: fn(pid))
            timings[name].append(seconds)
    return timings


def _compare_with_naive(
    engine: Engine, productions: list[str], baseline_samples: int
) -> tuple[list[float], bool, bool]:
    """Seconds of the naive overview, whether its totals agree with the SQL ones, and whether the
    kept sums equal the emission lines."""
    naive: list[float] = []
    agree = True
    sums_agree = True
    for k in range(baseline_samples):
        pid = productions[k % len(productions)]
        seconds, naive_total = _time(lambda pid=pid: naive_overview(engine, pid))
        naive.append(seconds)
        sql_total = overview_page(engine, pid, None)
        agree = agree and naive_total == sql_total
        sums_agree = sums_agree and _sums_match_lines(engine, pid)
    return naive, agree, sums_agree


def _season(size: SeasonSize) -> Iterator[tuple[str, SeasonSummary | None]]:
    """A generated season in a scratch database, or the one at ``GREENSLATE_BENCH_SEASON_URL`` (kept).

    The kept database is created and generated into at the first run that names it (a few minutes),
    then reused as it is by the next ones; each run first migrates it to the code's schema."""
    kept = os.environ.get(SEASON_URL_VARIABLE)
    if kept:
        yield kept, _kept_season(kept, size)
        return
    with scratch_pg_database() as url:
        yield url, generate_season(url, size)


def _kept_season(url: str, size: SeasonSize) -> SeasonSummary | None:
    """The season at ``url``, created, migrated and generated if it holds none yet (then its summary)."""
    from sqlalchemy.engine import make_url

    from store.migrate import upgrade

    name = make_url(url).database
    server = make_engine(server_pg_url(), isolation_level="AUTOCOMMIT", pool_pre_ping=False)
    try:
        with server.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).first():
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        server.dispose()
    upgrade(url)  # a season kept from an earlier schema gets this code's tables and indexes
    if _season_productions(url):
        return None
    return generate_season(url, size)


def _season_productions(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(r[0] for r in conn.execute(select(productions.c.id)) if r[0].startswith("season-"))
    finally:
        engine.dispose()


def run(quick: bool = False, *, samples: int | None = None, size: SeasonSize | None = None) -> Result:
    size = size or (QUICK if quick else FULL)
    samples = samples or (5 if quick else 40)
    baseline_samples = max(3, samples // 8)
    result = Result("dashboard_scale", quick)
    result.sizes = {"productions": size.productions, "members": size.productions * size.members_per_production,
                    "shooting_days": size.days, "samples_per_page": samples,
                    "baseline_samples": baseline_samples}
    for url, season in _season(size):
        if season is None:
            ids = _season_productions(url)
            result.notes.append(f"season read from {SEASON_URL_VARIABLE} ({len(ids)} productions), not generated")
        else:
            if os.environ.get(SEASON_URL_VARIABLE):
                result.notes.append(f"season generated into {SEASON_URL_VARIABLE} and kept for the next runs")
            ids = season.productions
            result.sizes.update(reports=season.reports, emission_lines=season.emission_lines,
                                daily_emissions=season.daily_emissions, subject_emissions=season.subject_emissions)
            result.figures["season_load_seconds"] = round(season.seconds, 1)
        engine = make_engine(url, pool_size=2)
        try:
            timings = _time_pages(engine, ids, samples, result)
            naive, agree, sums_agree = _compare_with_naive(engine, ids, baseline_samples)
        finally:
            engine.dispose()
        served = time_pages(url, ids, samples)
    for name, values in timings.items():
        result.figures[f"page_{name}"] = summary_ms(values)
    result.figures["naive_pandas_overview"] = summary_ms(naive)
    overview_p50 = result.figures["page_overview"]["p50_ms"]
    naive_p50 = result.figures["naive_pandas_overview"]["p50_ms"]
    result.figures["naive_over_overview_p50_ratio"] = round(naive_p50 / overview_p50, 1) if overview_p50 else None
    result.figures["totals_agree_with_naive"] = agree
    result.figures["kept_sums_equal_lines"] = sums_agree
    for name, values in served.wall.items():
        cpu = summary_ms(served.cpu[name])
        result.figures[f"served_{name}"] = {**summary_ms(values), "cpu_p50_ms": cpu["p50_ms"],
                                            "cpu_p95_ms": cpu["p95_ms"], "largest_bytes": served.largest_bytes[name]}
    result.target("overview_p95_ms", result.figures["page_overview"]["p95_ms"], 300, at_least=False)
    slowest = max(served.wall, key=lambda n: result.figures[f"served_{n}"]["p95_ms"])
    result.figures["slowest_served_page"] = slowest
    result.target("every_page_served_p95_ms", result.figures[f"served_{slowest}"]["p95_ms"], 300, at_least=False)
    return result

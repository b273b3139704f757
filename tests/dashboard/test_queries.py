"""The dashboard's SQL aggregates against the domain's balance and plan, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from common.presenters import balance_dict
from config.factors import catalogue
from domain.model import ReportKind
from domain.usecases import correct_report, get_balance, get_plan, undo_report
from store import queries
from store.queries import ReportFilter
from tests.dashboard.conftest import Seeded


def test_sql_balance_equals_get_balance(seeded: Seeded) -> None:
    version = seeded.app.factor_set_version
    expected = get_balance(seeded.uow(), version, seeded.production.id)
    got = queries.production_balance(seeded.engine, seeded.production, version)
    assert expected.total_kgco2e > 1000  # four weeks of figures, not an empty comparison
    assert got == expected
    # what `greenslate balance --format json` prints, figure for figure
    factors = seeded.app.catalogue.factors
    assert balance_dict(seeded.production, got, factors) == balance_dict(seeded.production, expected, factors)


def test_sql_balance_follows_corrections_and_undos(seeded: Seeded) -> None:
    version = seeded.app.factor_set_version
    rows, _ = queries.report_rows(seeded.engine, seeded.production.id, ReportFilter(kind="mileage"), limit=3)
    latest = rows[0]
    now = dt.datetime(2027, 3, 27, 9, tzinfo=dt.UTC)
    meals, _ = queries.report_rows(seeded.engine, seeded.production.id, ReportFilter(kind="meals"), limit=1)
    correct_report(seeded.uow(), catalogue(), meals[0].id, {"vegetarian": Decimal(50), "beef": Decimal(1)},
                   raw_text="vegetarian 50 beef 1", source="test", source_ref="fix-1", received_at=now)
    undo_report(seeded.uow(), catalogue(), latest.id, source="test", source_ref="undo-1", received_at=now)
    expected = get_balance(seeded.uow(), version, seeded.production.id)
    assert queries.production_balance(seeded.engine, seeded.production, version) == expected
    assert queries.plan(seeded.engine, seeded.production) == get_plan(seeded.uow(), seeded.production.id)
    counts = queries.flagged_counts(seeded.engine, seeded.production.id)
    assert counts["undone"] == 1 and counts["corrected"] >= 2  # the demo's own correction and this one


def test_sql_balance_as_of_a_day(seeded: Seeded) -> None:
    version = seeded.app.factor_set_version
    day = dt.date(2027, 3, 10)
    expected = get_balance(seeded.uow(), version, seeded.production.id, as_of=day)
    got = queries.production_balance(seeded.engine, seeded.production, version, as_of=day)
    assert got == expected
    assert max(got.by_day) == day


def test_sql_plan_equals_get_plan(seeded: Seeded) -> None:
    expected = get_plan(seeded.uow(), seeded.production.id)
    got = queries.plan(seeded.engine, seeded.production)
    assert [p.current for p in expected] != [None] * len(expected)
    assert got == expected


def test_activity_totals_add_up_to_the_balance(seeded: Seeded) -> None:
    bal = queries.production_balance(seeded.engine, seeded.production, seeded.app.factor_set_version)
    totals = queries.activity_totals(seeded.engine, seeded.production.id)
    for figure in bal.categories:
        assert sum((t.kgco2e for t in totals if t.category is figure.category), Decimal(0)) == figure.kgco2e
    km = sum((t.quantity for t in totals if t.kind is ReportKind.MILEAGE), Decimal(0))
    progress = {p.action.indicator: p for p in get_plan(seeded.uow(), seeded.production.id)}
    assert km == progress["vehicle_km"].current


def test_productions_do_not_leak_into_each_other(seeded: Seeded) -> None:
    version = seeded.app.factor_set_version
    ours = queries.production_balance(seeded.engine, seeded.production, version)
    theirs = queries.production_balance(seeded.engine, seeded.other, version)
    assert theirs == get_balance(seeded.uow(), version, seeded.other.id)
    assert theirs.total_kgco2e != ours.total_kgco2e
    rows, total = queries.report_rows(seeded.engine, seeded.other.id, limit=500)
    assert total == 10 and {r.member_id for r in rows} == {"ines", "tom"}


def test_report_rows_filters_and_history(seeded: Seeded) -> None:
    pid = seeded.production.id
    _, everything = queries.report_rows(seeded.engine, pid, limit=1)
    changed, n_changed = queries.report_rows(seeded.engine, pid, ReportFilter(only_changed=True))
    assert n_changed == 2  # the demo's corrected meal report and its correction
    correction = next(r for r in changed if r.corrects is not None)
    original = next(r for r in changed if r.corrected_by is not None)
    assert correction.corrects == original.id and original.corrected_by == correction.id
    assert original.kgco2e is None and correction.kgco2e is not None  # only the latest version counts
    assert "meal_beef_fr" in correction.factors and correction.factor_set_version == "2026.2"
    meals, n_meals = queries.report_rows(seeded.engine, pid, ReportFilter(kind="meals", member_id="paul"))
    assert n_meals == 21 and all(r.kind is ReportKind.MEALS for r in meals)
    week, n_week = queries.report_rows(
        seeded.engine, pid, ReportFilter(day_from=dt.date(2027, 3, 1), day_to=dt.date(2027, 3, 5))
    )
    assert 0 < n_week < everything and all(dt.date(2027, 3, 1) <= r.day <= dt.date(2027, 3, 5) for r in week)
    text, _ = queries.report_rows(seeded.engine, pid, ReportFilter(text="correction"))
    assert [r.id for r in text] == [correction.id]
    assert queries.report_rows(seeded.engine, pid, ReportFilter(text="100%_"))[1] == 0


def test_completeness_counts_missing_paused_and_unreachable(seeded: Seeded) -> None:
    pid = seeded.production.id
    with seeded.uow() as uow:
        uow.members.set_unreachable(pid, "karim", True)
        uow.members.set_paused_until(pid, "sam", dt.date(2027, 3, 12))
        uow.commit()
    with seeded.uow() as uow:
        production = uow.productions.get(pid)
    as_of = dt.date(2027, 3, 31)  # the demo stops on 26 March: 3 shooting days unanswered since
    comp = queries.completeness(seeded.engine, production, as_of)
    by_member = {m.member_id: m for m in comp.members}
    assert by_member["amina"].expected == 23 and by_member["amina"].answered == 20
    assert by_member["karim"].unreachable
    assert by_member["sam"].paused_until == dt.date(2027, 3, 12)
    assert by_member["sam"].expected == 2  # two Fridays paused out of four
    # The production office's legs, nights and freight name a mode, a lodging, a class: they answer its
    # Friday prompts, which named none.
    assert by_member["ines"].expected == by_member["ines"].answered == 4 * 7
    missing_days = {s.day for s in comp.missing}
    assert missing_days == {dt.date(2027, 3, 29), dt.date(2027, 3, 30), dt.date(2027, 3, 31)}
    assert comp.by_day()[-1] == (dt.date(2027, 3, 31), 5, 0)


def test_an_undone_answer_is_missing_again(seeded: Seeded) -> None:
    pid = seeded.production.id
    day = dt.date(2027, 3, 3)
    rows, _ = queries.report_rows(seeded.engine, pid, ReportFilter(kind="meals", day_from=day, day_to=day))
    assert len(rows) == 1
    now = dt.datetime(2027, 3, 27, 9, tzinfo=dt.UTC)
    fixed = correct_report(seeded.uow(), catalogue(), rows[0].id, {"vegetarian": Decimal(40)},
                           raw_text="vegetarian 40", source="test", source_ref="fix-3", received_at=now)
    comp = queries.completeness(seeded.engine, seeded.production, dt.date(2027, 3, 26))
    assert all(s.day != day for s in comp.missing)  # a corrected answer is still an answer
    undo_report(seeded.uow(), catalogue(), fixed.report.id or 0, source="test", source_ref="undo-3",
                received_at=now)
    comp = queries.completeness(seeded.engine, seeded.production, dt.date(2027, 3, 26))
    assert [(s.member_id, s.day) for s in comp.missing] == [("paul", day)]

"""The carbon engine, checked against hand calculations from the reference factors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from domain.carbon import balance, compute_lines, generator_lines, mileage_lines
from domain.errors import InvalidReport, UnknownFactor
from domain.model import Category, ReportKind

from .conftest import make_report

MON, TUE, WED = dt.date(2027, 3, 1), dt.date(2027, 3, 2), dt.date(2027, 3, 3)


def test_odometer_counts_from_the_start_reading_then_from_each_previous_one(production, cat):
    reports = [
        make_report(ReportKind.MILEAGE, MON, {"odometer": 45230}, subject="mb1"),
        make_report(ReportKind.MILEAGE, TUE, {"odometer": 45400}, subject="mb1"),
    ]
    lines = mileage_lines(production, cat.factors, "mb1", reports)
    assert [ln.quantity for ln in lines] == [D(220), D(170)]
    # 220 km x 0.324626 kg/km (ADEME Impact CO2 'van', a proxy for a minibus)
    assert lines[0].kgco2e == D("71.41772")
    assert lines[0].trace.factor_key == "van_fr_impactco2"
    assert lines[0].trace.proxy is True
    assert lines[0].trace.factor_set_version == "2026.2"
    assert "ADEME" in lines[0].trace.source


def test_odometer_readings_are_ordered_by_day_not_by_arrival(production, cat):
    late = make_report(ReportKind.MILEAGE, MON, {"odometer": 45100}, subject="mb1")
    first = make_report(ReportKind.MILEAGE, TUE, {"odometer": 45300}, subject="mb1")
    lines = mileage_lines(production, cat.factors, "mb1", [first, late])
    assert [(ln.day, ln.quantity) for ln in lines] == [(MON, D(90)), (TUE, D(200))]


def test_first_reading_without_a_start_is_the_baseline(production, cat):
    reports = [
        make_report(ReportKind.MILEAGE, MON, {"odometer": 12000}, subject="car2"),
        make_report(ReportKind.MILEAGE, TUE, {"odometer": 12080}, subject="car2"),
    ]
    lines = mileage_lines(production, cat.factors, "car2", reports)
    assert [ln.quantity for ln in lines] == [D(0), D(80)]
    assert lines[1].kgco2e == D(80) * D("0.067365")


def test_distance_mode_counts_the_km_given(production, cat):
    lines = mileage_lines(
        production, cat.factors, "mb1", [make_report(ReportKind.MILEAGE, MON, {"km": "12.5"}, subject="mb1")]
    )
    assert lines[0].quantity == D("12.5")
    assert lines[0].kgco2e == D("12.5") * D("0.324626")


def test_an_odometer_below_the_previous_reading_is_refused(production, cat):
    reports = [
        make_report(ReportKind.MILEAGE, MON, {"odometer": 45230}, subject="mb1"),
        make_report(ReportKind.MILEAGE, TUE, {"odometer": 45100}, subject="mb1"),
    ]
    with pytest.raises(InvalidReport, match="below the previous reading"):
        mileage_lines(production, cat.factors, "mb1", reports)


def test_meals_count_times_the_factor_of_each_type(production, cat):
    r = make_report(ReportKind.MEALS, MON, {"vegetarian": 30, "chicken": 40, "beef": 10}, member="paul")
    lines = compute_lines(production, cat.factors, cat.consumption, [r])
    by_type = {ln.subject: ln.kgco2e for ln in lines}
    assert by_type == {"vegetarian": D("25.50"), "chicken": D("58.40"), "beef": D("49.70")}
    assert sum(by_type.values()) == D("133.60")


def test_generator_hours_use_the_table_rate_for_its_rating_and_load(production, cat):
    # 125 kVA x 0.8 = 100 kW, on a table row; 50 % load -> 15.5 L/h; GNR 3.17 kg/L
    r = make_report(ReportKind.GENERATOR_HOURS, MON, {"hours": 6}, subject="g1", member="lea")
    [line] = generator_lines(production, cat.factors, cat.consumption, "g1", [r])
    assert line.quantity == D("93.0")
    assert line.kgco2e == D("93.0") * D("3.17")
    assert line.estimated is True


def test_table_is_linear_between_rows_and_loads(cat):
    table = cat.consumption
    assert table.litres_per_hour(D(100), D("0.5")) == D("15.5")
    assert table.litres_per_hour(D(200), D("0.25")) == D("17.8")
    # halfway between 100 kW (15.5) and 150 kW (22.3) at 50 %
    assert table.litres_per_hour(D(125), D("0.5")) == D("18.9")
    # between loads 25 % (9.8) and 50 % (15.5) at 100 kW
    assert table.litres_per_hour(D(100), D("0.375")) == D("12.65")


def test_a_refuel_replaces_the_estimate_for_that_day(production, cat):
    hours = make_report(ReportKind.GENERATOR_HOURS, MON, {"hours": 6}, subject="g1", member="lea")
    refuel = make_report(ReportKind.GENERATOR_LITRES, MON, {"litres": 80}, subject="g1", member="lea")
    other_day = make_report(ReportKind.GENERATOR_HOURS, TUE, {"hours": 2}, subject="g1", member="lea")
    lines = generator_lines(production, cat.factors, cat.consumption, "g1", [hours, refuel, other_day])
    assert [(ln.day, ln.quantity, ln.estimated) for ln in lines] == [
        (MON, D(80), False),
        (TUE, D("31.0"), True),
    ]


def test_hour_meter_readings_give_hours_between_readings(production, cat):
    reports = [
        make_report(ReportKind.GENERATOR_HOURS, MON, {"meter": 100}, subject="g3", member="lea"),
        make_report(ReportKind.GENERATOR_HOURS, TUE, {"meter": "105.5"}, subject="g3", member="lea"),
    ]
    lines = generator_lines(production, cat.factors, cat.consumption, "g3", reports)
    assert [ln.quantity for ln in lines] == [D(0), D("5.5") * D("4.2")]


def test_waste_kg_times_stream_factor(production, cat):
    r = make_report(ReportKind.WASTE, MON, {"residual": "12.5", "cardboard": 4}, member="sam")
    lines = compute_lines(production, cat.factors, cat.consumption, [r])
    assert {ln.subject: ln.kgco2e for ln in lines} == {
        "residual": D("12.5") * D("0.374"),
        "cardboard": D(4) * D("0.992"),
    }


def test_corrections_and_undos_resolve_to_the_latest_version(production, cat):
    first = make_report(ReportKind.MEALS, MON, {"beef": 10}, member="paul")
    fixed = make_report(ReportKind.MEALS, MON, {"beef": 5}, member="paul", corrects=first.id)
    cancelled = make_report(ReportKind.MEALS, TUE, {"beef": 3}, member="paul")
    undo = make_report(ReportKind.MEALS, TUE, {}, member="paul", corrects=cancelled.id, void=True)
    lines = compute_lines(production, cat.factors, cat.consumption, [first, fixed, cancelled, undo])
    assert [(ln.day, ln.quantity) for ln in lines] == [(MON, D(5))]


def test_unknown_factor_names_the_set_version(cat):
    with pytest.raises(UnknownFactor, match=r"2026\.2"):
        cat.factors.get("nope")


def test_balance_by_category_day_forecast_and_projection(production, cat):
    reports = [
        make_report(ReportKind.MILEAGE, MON, {"odometer": 45230}, subject="mb1"),
        make_report(ReportKind.MEALS, MON, {"vegetarian": 30, "beef": 10}, member="paul"),
        make_report(ReportKind.MILEAGE, TUE, {"odometer": 45400}, subject="mb1"),
    ]
    lines = compute_lines(production, cat.factors, cat.consumption, reports)
    b = balance(production, cat.factors.version, lines)
    transport = D(390) * D("0.324626")
    catering = D(30) * D("0.85") + D(10) * D("4.97")
    figures = {c.category: c.kgco2e for c in b.categories}
    assert figures[Category.TRANSPORT] == transport
    assert figures[Category.CATERING] == catering
    assert b.total_kgco2e == transport + catering
    assert b.forecast_kgco2e == D(2000)
    assert b.as_of == TUE
    assert b.shooting_days_total == 9  # 10 weekdays minus one day off
    assert b.shooting_days_done == 2
    assert b.per_shooting_day_kgco2e == (transport + catering) / 2
    assert b.projected_total_kgco2e == (transport + catering) / 2 * 9
    assert b.by_day[MON][Category.TRANSPORT] == D(220) * D("0.324626")
    assert {t.factor_key for t in b.traces} == {"van_fr_impactco2", "meal_vegetarian_fr", "meal_beef_fr"}


def test_balance_with_no_figures_has_no_projection(production):
    b = balance(production, "2026.1", [])
    assert b.total_kgco2e == 0
    assert b.projected_total_kgco2e is None
    assert b.per_shooting_day_kgco2e is None


def test_a_reading_after_distances_counts_only_the_km_they_leave(production, cat):
    reports = [
        make_report(ReportKind.MILEAGE, MON, {"km": 100}, subject="mb1"),
        make_report(ReportKind.MILEAGE, TUE, {"odometer": 45210}, subject="mb1"),  # 200 km from the start
    ]
    lines = mileage_lines(production, cat.factors, "mb1", reports)
    assert [ln.quantity for ln in lines] == [D(100), D(100)]  # 200 km in all, never 300

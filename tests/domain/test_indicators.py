from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from domain.carbon import compute_lines
from domain.indicators import plan_progress
from domain.model import ReportKind

from .conftest import make_report

MON, TUE = dt.date(2027, 3, 1), dt.date(2027, 3, 2)


def test_share_indicator_progress_and_cumulative_projection(production, cat):
    reports = [
        make_report(
            ReportKind.MEALS, MON, {"vegetarian": 15, "vegan": 5, "beef": 30, "chicken": 50}, member="paul"
        ),
        make_report(ReportKind.MILEAGE, MON, {"odometer": 45110}, subject="mb1"),
        make_report(ReportKind.MILEAGE, TUE, {"odometer": 45210}, subject="mb1"),
    ]
    lines = compute_lines(production, cat.factors, cat.consumption, reports)
    a1, a3 = plan_progress(production, lines)
    # 20 vegetarian or vegan meals of 100: 0.2, halfway from 0.1 to 0.3
    assert a1.current == D("0.2")
    assert a1.progress_pct == D(50)
    assert a1.on_track is False
    # 200 km in 2 of 9 shooting days -> 900 km projected, under the 1000 km target
    assert a3.current == D(200)
    assert a3.projected == D(900)
    assert a3.on_track is True
    assert a3.gap == D(-100)
    assert a3.progress_pct == D(120)


def test_no_data_means_no_judgement(production):
    for p in plan_progress(production, []):
        assert p.on_track is None
        assert p.progress_pct is None


def test_an_indicator_with_no_figure_of_its_own_is_not_zero(production, cat):
    """Meals only: the km action has no figure yet, not 0 km (which read '100 % beyond target, on track')."""
    reports = [make_report(ReportKind.MEALS, MON, {"vegetarian": 20, "beef": 80}, member="paul")]
    lines = compute_lines(production, cat.factors, cat.consumption, reports)
    a1, a3 = plan_progress(production, lines)
    assert a1.current == D("0.2")
    assert (a3.current, a3.projected, a3.progress_pct, a3.on_track, a3.gap) == (None, None, None, None, None)

"""Figure builders and texts, without a browser: rows in, figure out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from dashboard import figures
from dashboard.figures import CategoryRow, CompletenessRow, DayRow, ProgressRow
from dashboard.texts import tr
from domain.model import Category

ROWS = [
    CategoryRow(Category.TRANSPORT, Decimal("4.069"), Decimal("38")),
    CategoryRow(Category.ENERGY, Decimal("6.41"), Decimal("9.5")),
    CategoryRow(Category.CATERING, Decimal("3.637"), Decimal("14")),
    CategoryRow(Category.WASTE, Decimal("0.21"), None),
]
DAYS = [
    DayRow(dt.date(2027, 3, 1), {Category.TRANSPORT: Decimal("0.072"), Category.ENERGY: Decimal("0.359")}),
    DayRow(dt.date(2027, 3, 2), {Category.TRANSPORT: Decimal("0.5"), Category.CATERING: Decimal("0.2")}),
]


def test_category_figure_carries_labels_patterns_and_palette() -> None:
    fig = figures.category_figure(ROWS, "fr")
    actual, forecast = fig.data
    assert list(actual.x) == ["Transport", "Énergie", "Restauration", "Déchets"]
    assert list(actual.y) == [4.069, 6.41, 3.637, 0.21]
    assert list(actual.text) == ["4,069", "6,410", "3,637", "0,210"]  # values written on the bars
    assert forecast.y[3] is None and forecast.marker.pattern.shape == "/"  # forecast told apart by pattern
    used = {actual.marker.color.upper(), forecast.marker.line.color.upper()}
    assert used <= set(figures.OKABE_ITO.values())


def test_daily_figure_gives_each_category_a_colour_and_a_pattern() -> None:
    fig = figures.daily_figure(DAYS, "en")
    assert [t.name for t in fig.data] == ["Transport", "Energy", "Catering", "Waste", "Accommodation", "Purchases",
                                          "Post-production"]
    assert len({t.marker.color for t in fig.data}) == 7
    assert len({t.marker.pattern.shape for t in fig.data}) == 7
    assert list(fig.data[0].y) == [0.072, 0.5]
    assert fig.layout.barmode == "stack"


def test_summaries_say_in_words_what_the_charts_show() -> None:
    text = figures.category_summary(ROWS, "fr")
    assert text.startswith("Le premier poste est : Énergie.")
    assert "Transport : 4,069 t mesurées sur 38,000 t prévues (11 %)." in text
    assert "Déchets : 0,210 t mesurées." in text
    days = figures.daily_summary(DAYS, "en")
    assert "2 days with figures" in days and "Tuesday 2 March, 0.700 t" in days and "Monday 1 March, 0.431 t" in days
    assert figures.daily_summary([], "fr") == tr("overview.summary.no_days", "fr")


def test_progress_figure_marks_behind_actions_by_pattern_and_words() -> None:
    rows = [ProgressRow("A1", "veg", Decimal("75"), False), ProgressRow("A2", "fuel", Decimal("152"), True),
            ProgressRow("A3", "km", None, None)]
    fig = figures.progress_figure(rows, "en")
    bars = fig.data[0]
    assert list(bars.y) == ["A1", "A2"]
    assert list(bars.marker.pattern.shape) == ["x", ""]
    assert list(bars.text) == ["75 % · behind", "152 % · on track"]
    assert figures.progress_summary(rows, "en") == (
        "3 actions. 1 on track (A2). 1 behind (A1). 1 with no figure yet."
    )


def test_completeness_summary() -> None:
    rows = [CompletenessRow(dt.date(2027, 3, 1), 5, 5), CompletenessRow(dt.date(2027, 3, 2), 5, 3)]
    assert figures.completeness_summary(rows, "en") == (
        "8 answers received out of 10 expected (80 %). Days with missing answers: 1."
    )
    fig = figures.completeness_figure(rows, "fr")
    assert [list(t.y) for t in fig.data] == [[5, 3], [None, 2]]  # nothing missing: no bar, not a sliver
    assert list(fig.data[0].x) == ["lundi 1 mars", "mardi 2 mars"]  # the tables' date format


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_dynamic_keys_exist(lang: str) -> None:
    from domain.model import ActionOutcome, ActionStatus, ReportKind, Role

    for c in Category:
        tr(f"category.{c.value}", lang)
    for k in ReportKind:
        tr(f"kind.{k.value}", lang)
    for s in ActionStatus:
        tr(f"status.{s.value}", lang)
    for o in ActionOutcome:
        tr(f"outcome.{o.value}", lang)
    for r in Role:
        tr(f"crewrole.{r.value}", lang)
    for page in ("overview", "plan", "reporting", "practices", "data", "exports"):
        tr(f"nav.{page}", lang)
    for fmt in ("xlsx", "csv", "json"):
        tr(f"exports.link.{fmt}", lang), tr(f"exports.about.{fmt}", lang)


def test_the_plan_table_says_no_figure_yet_for_an_action_not_measured() -> None:
    from common.production_file import load_production_file
    from dashboard.pages.plan import _row
    from domain.indicators import plan_progress

    production = load_production_file(Path(__file__).resolve().parents[2] / "config" / "examples" / "feature-film.yaml")
    for p in plan_progress(production, []):  # nothing measured yet
        assert _row(p, "en")["current"] == "no figure yet"
        assert _row(p, "fr")["current"] == "pas encore de chiffre"
        assert "None" not in str(_row(p, "en"))


def test_the_plan_says_ahead_or_behind_in_words_the_same_way_for_every_action() -> None:
    from common.production_file import load_production_file
    from dashboard.pages.plan import _row
    from domain.indicators import ActionProgress

    production = load_production_file(Path(__file__).resolve().parents[2] / "config" / "examples" / "feature-film.yaml")
    a1, a2 = production.action_plan[0], production.action_plan[1]
    litres_ahead = ActionProgress(a2, "L", Decimal(1304), Decimal("2543.229"), Decimal(152), True, Decimal("-156.771"))
    share_behind = ActionProgress(
        a1, "share", Decimal("0.249"), Decimal("0.249"), Decimal(75), False, Decimal("-0.051")
    )
    assert _row(litres_ahead, "fr")["gap"] == "156,77 L d’avance sur la cible"
    assert _row(litres_ahead, "en")["gap"] == "156.77 L ahead of target"
    assert _row(share_behind, "fr")["gap"] == "5,1 points de retard sur la cible"
    assert _row(share_behind, "en")["gap"] == "5.1 points behind target"
    assert _row(share_behind, "fr")["indicator"] == "Part des repas végétariens"
    assert _row(litres_ahead, "fr")["projected"] == "2\u202f543,23 L"


def test_report_values_are_named_in_the_language_with_their_unit() -> None:
    from dashboard.pages.data import values_text
    from domain.model import ReportKind

    meals = {"vegetarian": Decimal(10), "beef": Decimal(1)}
    assert values_text(ReportKind.MEALS, meals, "fr") == "végétarien 10 repas, bœuf 1 repas"
    assert values_text(ReportKind.MEALS, meals, "en") == "vegetarian 10 meals, beef 1 meal"
    assert values_text(ReportKind.MILEAGE, {"odometer": Decimal(12668)}, "fr") == "compteur 12\u202f668 km"
    assert values_text(ReportKind.GENERATOR_LITRES, {"litres": Decimal(46)}, "fr") == "46 litres"
    assert values_text(ReportKind.GENERATOR_HOURS, {"hours": Decimal("1.9")}, "en") == "1.9 hours"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_tonnes_and_shares_are_written_as_babel_writes_them(lang: str) -> None:
    """t3 and the reporting page's whole shares skip Babel's number patterns: same text, to the
    rounding (half to even), separators and minus sign of the language."""
    import random

    from babel.numbers import format_decimal

    from base.i18n import number
    from dashboard.pages.reporting import _whole

    rng = random.Random(20270104)
    values = [Decimal(0), Decimal("-0.0004"), Decimal("0.0005"), Decimal("0.0015"), Decimal("-0.0025"),
              Decimal("1E+3"), Decimal("999.9995"), Decimal("-1234567.8915"), Decimal("0.5"), Decimal("2.5")]
    values += [Decimal(rng.randint(-10**9, 10**9)) / Decimal(10 ** rng.randint(0, 7)) for _ in range(3000)]
    for v in values:
        assert figures.t3(v, lang) == format_decimal(v, format="#,##0.000", locale=lang), v
        if v >= 0:
            assert _whole(v, lang) == number(v, lang, 0), v
    assert figures.t3(None, lang) == "–"


def test_a_day_is_written_once_per_language() -> None:
    from base.i18n import day

    monday = dt.date(2027, 3, 1)
    assert figures.day_label(monday, "fr") == day(monday, "fr") == "lundi 1 mars"
    assert figures.day_label(monday, "en") == day(monday, "en") == "Monday 1 March"

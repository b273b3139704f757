"""Overview: the carbon balance against the forecast, by category and per shooting day."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import dash
from dash import html

from base import vocabulary
from base.i18n import number
from common.presenters import kg, tonnes
from dashboard import components, context, coverage
from dashboard.figures import (
    CategoryRow,
    DayRow,
    category_figure,
    category_summary,
    daily_figure,
    daily_summary,
    day_label,
    t3,
)
from dashboard.texts import tr, trn
from domain.model import Category
from store import queries

PATH = "/"

#: The published French reference, shown as context and never as a target.
REFERENCE_T_PER_HOUR = Decimal(16)
REFERENCE_SOURCE = "Ecoprod, 2024"


def register(dash_app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name="overview", order=0, layout=layout,
                       title=lambda **_: tr("nav.overview", context.language()) + " · greenslate")


def layout(production: str | None = None, **_: Any) -> html.Div:
    page = context.open_page(production)
    if page is None:
        return components.not_found(context.language())
    lang, app, prod, production_id = page.lang, page.app, page.production, page.production_id
    bal = queries.production_balance(app.engine, prod, app.factor_set_version)
    return components.frame("overview", production_id, lang, *content(prod, bal, lang))


def content(prod: Any, bal: Any, lang: str) -> list[Any]:
    cat_rows = [CategoryRow(c.category, tonnes(c.kgco2e), tonnes(c.forecast_kgco2e)) for c in bal.categories]
    day_rows = [
        DayRow(day, {c: tonnes(v) for c, v in cats.items()}) for day, cats in bal.by_day.items()
    ]
    as_of = day_label(bal.as_of, lang) if bal.as_of else tr("overview.no_data", lang)
    kpis = _kpis(bal, lang)
    share = None
    if bal.forecast_kgco2e:
        share = number(bal.total_kgco2e / bal.forecast_kgco2e * 100, lang, 0)
    cat_table_rows = _category_table(cat_rows, lang)
    for row, category in zip(cat_table_rows, cat_rows, strict=True):  # in words beside the chart's colours
        row["coverage"] = coverage.status(bal.coverage, category.category, lang)
    day_table_rows = _day_table(day_rows, lang)
    traces = _trace_table(bal, lang)
    return [
        html.H1(tr("overview.title", lang, title=prod.title)),
        html.P(tr("overview.as_of", lang, day=as_of, version=bal.factor_set_version), id="as-of"),
        kpis,
        html.P(
            tr("overview.share_of_forecast", lang, share=share) if share else tr("overview.no_forecast", lang),
            id="forecast-share",
        ),
        coverage.block(bal, lang),
        html.Section(
            [
                html.H2(tr("overview.reference.title", lang)),
                html.P(tr("overview.reference.text", lang, value=number(REFERENCE_T_PER_HOUR, lang, 0),
                          source=REFERENCE_SOURCE)),
            ],
            className="context",
        ),
        html.H2(tr("overview.by_category", lang)),
        components.chart(
            "chart-categories",
            category_figure(cat_rows, lang),
            category_summary(cat_rows, lang),
            [("category", tr("table.category", lang)), ("actual", tr("table.actual_t", lang)),
             ("forecast", tr("table.forecast_t", lang)), ("share", tr("table.share", lang)),
             ("coverage", tr("table.coverage", lang))],
            cat_table_rows,
            tr("overview.chart.categories", lang),
            numeric=("actual", "forecast", "share"),
        ),
        html.H2(tr("overview.by_day", lang)),
        components.chart(
            "chart-days",
            daily_figure(day_rows, lang),
            daily_summary(day_rows, lang),
            [("day", tr("table.day", lang)),
             *[(c.value, tr(f"category.{c.value}", lang) + " (t)") for c in Category],
             ("total", tr("table.total_t", lang))],
            day_table_rows,
            tr("overview.chart.days", lang),
            numeric=(*[c.value for c in Category], "total"),
        ),
        html.H2(tr("overview.factors", lang)),
        components.table(
            [("factor", tr("table.factor", lang)), ("value", tr("table.factor_value", lang)),
             ("source", tr("table.source", lang)), ("year", tr("table.year", lang)),
             ("version", tr("table.version", lang))],
            traces,
            tr("overview.factors", lang),
            table_id="factors-table",
        ),
    ]


def _kpis(bal: Any, lang: str) -> html.Dl:
    per_day = bal.per_shooting_day_kgco2e
    figures = [
        ("total", tr("overview.kpi.total", lang), f"{t3(tonnes(bal.total_kgco2e), lang)} t CO2e"),
        ("forecast", tr("overview.kpi.forecast", lang), f"{t3(tonnes(bal.forecast_kgco2e), lang)} t CO2e"),
        ("projected", tr("overview.kpi.projected", lang),
         f"{t3(tonnes(bal.projected_total_kgco2e), lang)} t CO2e"),
        ("per-day", tr("overview.kpi.per_day", lang), f"{t3(tonnes(per_day), lang)} t CO2e"),
        ("days", tr("overview.kpi.days", lang),
         trn("overview.kpi.days_value", bal.shooting_days_done, lang, total=bal.shooting_days_total)),
        ("kg", tr("overview.kpi.kg", lang), f"{number(kg(bal.total_kgco2e) or 0, lang, 3)} kg CO2e"),
    ]
    return html.Dl(
        [
            html.Div([html.Dt(label), html.Dd(value, id=f"kpi-{key}")], className="kpi")
            for key, label, value in figures
        ],
        className="kpis",
    )


def _category_table(cat_rows: list[CategoryRow], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "category": tr(f"category.{r.category.value}", lang),
            "actual": t3(r.actual_t, lang),
            "forecast": t3(r.forecast_t, lang),
            "share": "–" if not r.forecast_t else f"{number(r.actual_t / r.forecast_t * 100, lang, 0)} %",
        }
        for r in cat_rows
    ]


def _day_table(day_rows: list[DayRow], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "day": day_label(r.day, lang),
            **{c.value: t3(r.by_category_t.get(c, Decimal(0)), lang) for c in Category},
            "total": t3(r.total_t, lang),
        }
        for r in day_rows
    ]


def _trace_table(bal: Any, lang: str) -> list[dict[str, Any]]:
    return [
        {
            "factor": t.factor_key,
            "value": f"{number(t.kgco2e_per_unit, lang, 6)} kg CO2e / {vocabulary.unit(t.unit, lang, 1)}",
            "source": t.source + (f" ({tr('overview.proxy', lang)})" if t.proxy else ""),
            "year": t.year,
            "version": t.factor_set_version,
        }
        for t in bal.traces
    ]

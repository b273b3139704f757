"""Figure builders: rows in, a Plotly figure out. Pure functions, tested without a browser.

Each figure is written as the JSON Plotly reads (its traces and layout) and taken as written
(:func:`_figure`): plotly's check of every property, value by value, cost more than the rest of a
page at a season's size (a chart of 120 days, 14 ms); the specs are fixed here and tested, and the
JSON sent is the one plotly's checked objects gave. Days and tonnes are written through
:func:`day_label` and :func:`t3`, the same texts as Babel's, made once per day and without Babel's
number patterns.

Colours come from the Okabe-Ito palette (safe for the common colour-vision deficiencies), and
each series also has its own fill pattern and a text label on the bars, so no meaning rests on
colour alone. Every chart ships with a text summary and a data table built from the same rows
(see ``dashboard.components.chart``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import plotly.graph_objects as go
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

from base.i18n import day as day_text
from base.i18n import normalise_language, number
from dashboard.texts import tr, trn
from domain.model import Category

#: Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}

CATEGORY_STYLE: dict[Category, tuple[str, str]] = {
    Category.TRANSPORT: (OKABE_ITO["blue"], ""),
    Category.ENERGY: (OKABE_ITO["orange"], "/"),
    Category.CATERING: (OKABE_ITO["bluish_green"], "."),
    Category.WASTE: (OKABE_ITO["reddish_purple"], "x"),
    Category.ACCOMMODATION: (OKABE_ITO["sky_blue"], "-"),
    Category.PURCHASES: (OKABE_ITO["vermillion"], "+"),
    Category.POST_PRODUCTION: (OKABE_ITO["black"], "\\"),
}

_FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 14, "color": "#1a1a1a"}


def t3(value: Decimal | None, lang: str) -> str:
    """tCO2e to the kilogram, always three decimals as ``greenslate balance`` prints them.

    Babel's ``#,##0.000`` in the language (half to even, the locale's separators and minus sign),
    written by Python's own formatting: a season's day table has thousands of these."""
    if value is None:
        return "–"
    if not isinstance(value, Decimal) or not value.is_finite():
        return format_decimal(value, format="#,##0.000", locale=normalise_language(lang))
    return f"{value:,.3f}".translate(_number_symbols(lang))


@lru_cache(maxsize=16)
def _number_symbols(lang: str | None) -> dict[int, str]:
    """Python's grouping comma, decimal point and minus, as the language writes them."""
    locale = normalise_language(lang)
    return {ord(","): get_group_symbol(locale), ord("."): get_decimal_symbol(locale),
            ord("-"): get_minus_sign_symbol(locale)}


@lru_cache(maxsize=4096)
def day_label(value: dt.date, lang: str | None) -> str:
    """``lundi 1 mars`` / ``Monday 1 March`` (``base.i18n.day``), each day and language written once."""
    return day_text(value, lang)


@dataclass(frozen=True)
class CategoryRow:
    category: Category
    actual_t: Decimal
    forecast_t: Decimal | None


@dataclass(frozen=True)
class DayRow:
    day: dt.date
    by_category_t: dict[Category, Decimal]

    @property
    def total_t(self) -> Decimal:
        return sum(self.by_category_t.values(), Decimal(0))


@dataclass(frozen=True)
class ProgressRow:
    action_id: str
    objective: str
    progress_pct: Decimal | None
    on_track: bool | None


def _layout(title: str, y_title: str, *, legend: bool = True, xaxis: dict[str, Any] | None = None,
            yaxis: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    """Every chart's layout: title, font, white ground, grey grid, legend on top; ``more`` added."""
    return {
        **more,
        "title": {"text": title, "x": 0, "xanchor": "left"},
        "font": _FONT,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 60, "r": 20, "t": 60, "b": 60},
        "showlegend": legend,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        "yaxis": {"title": {"text": y_title}, "gridcolor": "#d0d0d0", "zerolinecolor": "#767676", **(yaxis or {})},
        "xaxis": {"gridcolor": "#d0d0d0", **(xaxis or {})},
    }


def _figure(traces: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """A figure from its JSON, taken as written (plotly's ``_validate=False``, as plotly express does)."""
    return go.Figure({"data": traces, "layout": layout}, _validate=False)


def category_figure(rows: Sequence[CategoryRow], lang: str) -> go.Figure:
    """Measured tCO2e against the forecast, per category (two labelled, patterned series)."""
    names = [tr(f"category.{r.category.value}", lang) for r in rows]
    actual = [float(r.actual_t) for r in rows]
    forecast = [None if r.forecast_t is None else float(r.forecast_t) for r in rows]
    return _figure(
        [
            {
                "type": "bar",
                "name": tr("overview.series.actual", lang),
                "x": names,
                "y": actual,
                "marker": {"color": OKABE_ITO["blue"], "line": {"color": "#000000", "width": 1}},
                "text": [t3(r.actual_t, lang) for r in rows],
                "textposition": "outside",
            },
            {
                "type": "bar",
                "name": tr("overview.series.forecast", lang),
                "x": names,
                "y": forecast,
                "marker": {
                    "color": "#ffffff",
                    "line": {"color": OKABE_ITO["vermillion"], "width": 2},
                    "pattern": {"shape": "/", "fgcolor": OKABE_ITO["vermillion"], "solidity": 0.3},
                },
                "text": [t3(r.forecast_t, lang) for r in rows],
                "textposition": "outside",
            },
        ],
        _layout(tr("overview.chart.categories", lang), "t CO2e", barmode="group"),
    )


def category_summary(rows: Sequence[CategoryRow], lang: str) -> str:
    parts = []
    for r in rows:
        name = tr(f"category.{r.category.value}", lang)
        if r.forecast_t:
            share = number(r.actual_t / r.forecast_t * 100, lang, 0)
            parts.append(tr("overview.summary.category_forecast", lang, name=name, actual=t3(r.actual_t, lang),
                            forecast=t3(r.forecast_t, lang), share=share))
        else:
            parts.append(tr("overview.summary.category", lang, name=name, actual=t3(r.actual_t, lang)))
    biggest = max(rows, key=lambda r: r.actual_t, default=None)
    lead = ""
    if biggest is not None and biggest.actual_t > 0:
        lead = tr("overview.summary.biggest", lang, name=tr(f"category.{biggest.category.value}", lang)) + " "
    return lead + " ".join(parts)


def _bar(value: float) -> float | None:
    """No bar at all for nothing: a zero-height bar still draws its outline, a sliver that reads as "some"."""
    return value if value else None


def daily_figure(rows: Sequence[DayRow], lang: str) -> go.Figure:
    """tCO2e per shooting day, stacked by category (each with its own colour and pattern)."""
    days = [day_label(r.day, lang) for r in rows]  # the tables' date format
    traces = [
        {
            "type": "bar",
            "name": tr(f"category.{category.value}", lang),
            "x": days,
            "y": [_bar(float(r.by_category_t.get(category, 0))) for r in rows],
            "marker": {
                "color": colour,
                "line": {"color": "#000000", "width": 0.5},
                "pattern": {"shape": pattern, "fgcolor": "#000000", "solidity": 0.25},
            },
        }
        for category, (colour, pattern) in CATEGORY_STYLE.items()
    ]
    return _figure(traces, _layout(tr("overview.chart.days", lang), "t CO2e", barmode="stack",
                                   xaxis={"type": "category"}))


def daily_summary(rows: Sequence[DayRow], lang: str) -> str:
    if not rows:
        return tr("overview.summary.no_days", lang)
    top = max(rows, key=lambda r: r.total_t)
    low = min(rows, key=lambda r: r.total_t)
    return trn(
        "overview.summary.days",
        len(rows),
        lang,
        top_day=day_label(top.day, lang),
        top=t3(top.total_t, lang),
        low_day=day_label(low.day, lang),
        low=t3(low.total_t, lang),
    )


def progress_figure(rows: Sequence[ProgressRow], lang: str) -> go.Figure:
    """Progress from baseline (0 %) to target (100 %) per action, labelled on each bar."""
    shown = [r for r in rows if r.progress_pct is not None]
    fig = go.Figure()
    fig.add_bar(
        orientation="h",
        name=tr("plan.series.progress", lang),
        y=[r.action_id for r in shown],
        x=[float(r.progress_pct or 0) for r in shown],
        marker=_progress_marker(shown),
        text=[_progress_label(r, lang) for r in shown],
        textposition="outside",
        textfont={"color": "#1a1a1a"},
        cliponaxis=False,
    )
    values = [float(r.progress_pct or 0) for r in shown]
    fig.update_xaxes(range=[min([0.0, *values]) * 1.6, max([100.0, *values]) * 1.35])
    fig.add_vline(x=100, line_dash="dash", line_color="#000000",
                  annotation_text=tr("plan.target_line", lang), annotation_position="top")
    fig.update_layout(_layout(tr("plan.chart.progress", lang), "", legend=False))
    fig.update_xaxes(title={"text": tr("plan.axis.progress", lang)})
    fig.update_yaxes(autorange="reversed")
    return fig


def _progress_marker(shown: Sequence[ProgressRow]) -> dict[str, Any]:
    """On track in green, off track in vermillion with a hatch: told apart without colour too."""
    return {
        "color": [OKABE_ITO["bluish_green"] if r.on_track else OKABE_ITO["vermillion"] for r in shown],
        "pattern": {"shape": ["" if r.on_track else "x" for r in shown], "fgcolor": "#000000",
                    "solidity": 0.25},
        "line": {"color": "#000000", "width": 1},
    }


def _progress_label(r: ProgressRow, lang: str) -> str:
    state = tr("plan.on_track" if r.on_track else "plan.off_track", lang)
    return f"{number(r.progress_pct or 0, lang, 0)} % · {state}"


def progress_summary(rows: Sequence[ProgressRow], lang: str) -> str:
    measured = [r for r in rows if r.progress_pct is not None]
    on = [r.action_id for r in measured if r.on_track]
    off = [r.action_id for r in measured if not r.on_track]
    return trn(
        "plan.summary",
        len(rows),
        lang,
        on=len(on),
        on_ids=", ".join(on) or "–",
        off=len(off),
        off_ids=", ".join(off) or "–",
        unmeasured=len(rows) - len(measured),
    )


@dataclass(frozen=True)
class CompletenessRow:
    day: dt.date
    expected: int
    answered: int


def completeness_figure(rows: Sequence[CompletenessRow], lang: str) -> go.Figure:
    days = [day_label(r.day, lang) for r in rows]
    return _figure(
        [
            {
                "type": "bar",
                "name": tr("reporting.series.answered", lang),
                "x": days,
                "y": [_bar(r.answered) for r in rows],
                "marker": {"color": OKABE_ITO["bluish_green"], "line": {"color": "#000000", "width": 0.5}},
            },
            {
                "type": "bar",
                "name": tr("reporting.series.missing", lang),
                "x": list(days),
                "y": [_bar(r.expected - r.answered) for r in rows],
                "marker": {
                    "color": "#ffffff",
                    "line": {"color": OKABE_ITO["vermillion"], "width": 1.5},
                    "pattern": {"shape": "x", "fgcolor": OKABE_ITO["vermillion"], "solidity": 0.4},
                },
            },
        ],
        _layout(tr("reporting.chart.days", lang), tr("reporting.axis.answers", lang), barmode="stack",
                xaxis={"type": "category"}),
    )


def completeness_summary(rows: Sequence[CompletenessRow], lang: str) -> str:
    expected = sum(r.expected for r in rows)
    answered = sum(r.answered for r in rows)
    if expected == 0:
        return tr("reporting.summary.nothing", lang)
    incomplete = [r for r in rows if r.answered < r.expected]
    return tr(
        "reporting.summary",
        lang,
        received=trn("reporting.summary.received", answered, lang),
        expected=trn("reporting.summary.expected", expected, lang),
        share=number(Decimal(answered) / Decimal(expected) * 100, lang, 0),
        days=len(incomplete),
    )

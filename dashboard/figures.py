"""Figure builders: rows in, a Plotly figure out. Pure functions, tested without a browser.

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
from typing import Any

import plotly.graph_objects as go
from babel.numbers import format_decimal

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
}

_FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 14, "color": "#1a1a1a"}


def t3(value: Decimal | None, lang: str) -> str:
    """tCO2e to the kilogram, always three decimals as ``greenslate balance`` prints them."""
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0.000", locale=normalise_language(lang))


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


def _layout(fig: go.Figure, title: str, y_title: str, *, legend: bool = True) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font=_FONT,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        yaxis={"title": {"text": y_title}, "gridcolor": "#d0d0d0", "zerolinecolor": "#767676"},
        xaxis={"gridcolor": "#d0d0d0"},
    )
    return fig


def category_figure(rows: Sequence[CategoryRow], lang: str) -> go.Figure:
    """Measured tCO2e against the forecast, per category (two labelled, patterned series)."""
    names = [tr(f"category.{r.category.value}", lang) for r in rows]
    actual = [float(r.actual_t) for r in rows]
    forecast = [None if r.forecast_t is None else float(r.forecast_t) for r in rows]
    fig = go.Figure()
    fig.add_bar(
        name=tr("overview.series.actual", lang),
        x=names,
        y=actual,
        marker={"color": OKABE_ITO["blue"], "line": {"color": "#000000", "width": 1}},
        text=[t3(r.actual_t, lang) for r in rows],
        textposition="outside",
    )
    fig.add_bar(
        name=tr("overview.series.forecast", lang),
        x=names,
        y=forecast,
        marker={
            "color": "#ffffff",
            "line": {"color": OKABE_ITO["vermillion"], "width": 2},
            "pattern": {"shape": "/", "fgcolor": OKABE_ITO["vermillion"], "solidity": 0.3},
        },
        text=[t3(r.forecast_t, lang) for r in rows],
        textposition="outside",
    )
    fig.update_layout(barmode="group")
    return _layout(fig, tr("overview.chart.categories", lang), "t CO2e")


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
    fig = go.Figure()
    days = [day_text(r.day, lang) for r in rows]  # the tables' date format
    for category, (colour, pattern) in CATEGORY_STYLE.items():
        fig.add_bar(
            name=tr(f"category.{category.value}", lang),
            x=days,
            y=[_bar(float(r.by_category_t.get(category, 0))) for r in rows],
            marker={
                "color": colour,
                "line": {"color": "#000000", "width": 0.5},
                "pattern": {"shape": pattern, "fgcolor": "#000000", "solidity": 0.25},
            },
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    return _layout(fig, tr("overview.chart.days", lang), "t CO2e")


def daily_summary(rows: Sequence[DayRow], lang: str) -> str:
    if not rows:
        return tr("overview.summary.no_days", lang)
    top = max(rows, key=lambda r: r.total_t)
    low = min(rows, key=lambda r: r.total_t)
    return trn(
        "overview.summary.days",
        len(rows),
        lang,
        top_day=day_text(top.day, lang),
        top=t3(top.total_t, lang),
        low_day=day_text(low.day, lang),
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
    fig = _layout(fig, tr("plan.chart.progress", lang), "", legend=False)
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
    fig = go.Figure()
    fig.add_bar(
        name=tr("reporting.series.answered", lang),
        x=[day_text(r.day, lang) for r in rows],
        y=[_bar(r.answered) for r in rows],
        marker={"color": OKABE_ITO["bluish_green"], "line": {"color": "#000000", "width": 0.5}},
    )
    fig.add_bar(
        name=tr("reporting.series.missing", lang),
        x=[day_text(r.day, lang) for r in rows],
        y=[_bar(r.expected - r.answered) for r in rows],
        marker={
            "color": "#ffffff",
            "line": {"color": OKABE_ITO["vermillion"], "width": 1.5},
            "pattern": {"shape": "x", "fgcolor": OKABE_ITO["vermillion"], "solidity": 0.4},
        },
    )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    return _layout(fig, tr("reporting.chart.days", lang), tr("reporting.axis.answers", lang))


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

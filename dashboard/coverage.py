"""The coverage block of the overview: which categories have figures, which only a forecast, which
neither, and what share of the forecast the measured categories stand for. In words, never colour."""

from __future__ import annotations

from collections.abc import Sequence

from dash import html

from base.i18n import number
from dashboard.texts import tr
from domain.carbon import Balance, Coverage
from domain.model import Category


def _names(categories: Sequence[Category], lang: str) -> str:
    return ", ".join(tr(f"category.{c.value}", lang) for c in categories)


def coverage_lines(coverage: Coverage, lang: str) -> list[str]:
    """One sentence per idea: measured, forecast only, neither, then the share of the forecast measured."""
    lines = [tr("overview.coverage.measured", lang, categories=_names(coverage.measured, lang))
             if coverage.measured else tr("overview.coverage.none_measured", lang)]
    if coverage.forecast_only:
        lines.append(tr("overview.coverage.forecast_only", lang, categories=_names(coverage.forecast_only, lang)))
    if coverage.missing:
        lines.append(tr("overview.coverage.missing", lang, categories=_names(coverage.missing, lang)))
    share = coverage.measured_share_of_forecast
    lines.append(tr("overview.coverage.no_forecast", lang) if share is None
                 else tr("overview.coverage.share", lang, share=number(share * 100, lang, 0)))
    return lines


def status(coverage: Coverage, category: Category, lang: str) -> str:
    """A category's coverage in one word or two, for the category table."""
    if category in coverage.measured:
        return tr("overview.coverage.status.measured", lang)
    if category in coverage.forecast_only:
        return tr("overview.coverage.status.forecast_only", lang)
    return tr("overview.coverage.status.missing", lang)


def block(bal: Balance, lang: str) -> html.Section:
    """The coverage section: a heading and a list a screen reader reads line by line."""
    return html.Section(
        [html.H2(tr("overview.coverage.title", lang), id="coverage-title"),
         html.Ul([html.Li(line) for line in coverage_lines(bal.coverage, lang)], id="coverage-lines")],
        id="coverage", className="coverage", **{"aria-labelledby": "coverage-title"},
    )

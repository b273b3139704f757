"""Reporting: who answered what, what is missing, who cannot be reached, which figures changed."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import dash
from dash import html

from base.i18n import number
from dashboard import components, context
from dashboard.figures import CompletenessRow, completeness_figure, completeness_summary, day_label
from dashboard.pages import campaigns
from dashboard.pages.data import report_changes
from dashboard.texts import tr, trn
from domain.completeness import Completeness, MemberCompleteness
from domain.model import ReportKind
from store import queries
from store.queries import ReportFilter

PATH = "/reporting"


def register(dash_app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name="reporting", order=2, layout=layout,
                       title=lambda **_: tr("nav.reporting", context.language()) + " · greenslate")


def layout(production: str | None = None, **_: Any) -> html.Div:
    page = context.open_page(production)
    if page is None:
        return components.not_found(context.language())
    lang, app, prod, production_id = page.lang, page.app, page.production, page.production_id
    as_of = queries.last_day(app.engine, production_id)
    comp = queries.completeness(app.engine, prod, as_of)
    names = queries.member_names(app.engine, production_id)
    as_of_text = day_label(as_of, lang) if as_of else tr("overview.no_data", lang)
    return components.frame(
        "reporting",
        production_id,
        lang,
        html.H1(tr("reporting.title", lang, title=prod.title)),
        html.P(tr("reporting.as_of", lang, day=as_of_text)),
        *_per_member(comp, lang),
        *_per_day(comp, lang),
        *_missing(comp, names, lang),
        *_attention(comp, lang),
        *_changed(page, names),
        *campaigns.section(page, as_of),
    )


def _per_member(comp: Completeness, lang: str) -> list[Any]:
    rows = [
        {
            "member": m.name or m.member_id,
            "role": tr(f"crewrole.{m.role}", lang),
            "answered": f"{m.answered} / {m.expected}",
            "share": "–" if m.share is None else f"{_whole(m.share * 100, lang)} %",
            "state": _state(m, lang),
        }
        for m in comp.members
    ]
    return [
        html.H2(tr("reporting.per_member", lang)),
        components.table(
            [("member", tr("table.member", lang)), ("role", tr("table.role", lang)),
             ("answered", tr("table.answered", lang)), ("share", tr("table.share", lang)),
             ("state", tr("table.state", lang))],
            rows,
            tr("reporting.per_member", lang),
            table_id="members-table",
            numeric=("answered", "share"),
        ),
    ]


def _per_day(comp: Completeness, lang: str) -> list[Any]:
    day_rows = [CompletenessRow(d, e, a) for d, e, a in comp.by_day()]
    return [
        html.H2(tr("reporting.per_day", lang)),
        components.chart(
            "chart-completeness",
            completeness_figure(day_rows, lang),
            completeness_summary(day_rows, lang),
            [("day", tr("table.day", lang)), ("expected", tr("table.expected", lang)),
             ("answered", tr("table.answered", lang))],
            [{"day": day_label(r.day, lang), "expected": r.expected, "answered": r.answered} for r in day_rows],
            tr("reporting.chart.days", lang),
            numeric=("expected", "answered"),
        ),
    ]


def _whole(value: Decimal, lang: str) -> str:
    """``number(value, lang, 0)``: a share of answers is 0 to 100, written without Babel's patterns
    (a row per member); from 1,000 up, the language's grouping is Babel's."""
    whole = value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    return str(whole) if abs(whole) < 1000 and whole >= 0 else number(value, lang, 0)


def _what(kind: ReportKind, subject: str | None, lang: str) -> str:
    return tr(f"kind.{kind.value}", lang) + (f" · {subject}" if subject else "")


#: The missing answers listed at most (the latest); the heading counts them all.
MISSING_SHOWN = 200


def _missing(comp: Completeness, names: dict[str, str], lang: str) -> list[Any]:
    count = comp.missing_count
    missing = [
        {"day": day_label(s.day, lang), "member": names.get(s.member_id) or s.member_id,
         "what": _what(s.kind, s.subject, lang)}
        for s in comp.latest_missing(MISSING_SHOWN)
    ]
    heading = tr("reporting.missing", lang, count=number(count, lang, 0))
    if not missing:
        return [html.H2(heading), html.P(tr("reporting.none_missing", lang), id="missing-table")]
    shown = [html.P(tr("reporting.missing_latest", lang, shown=number(len(missing), lang, 0)))] if (
        len(missing) < count) else []
    return [
        html.H2(heading),
        *shown,
        components.table(
            [("day", tr("table.day", lang)), ("member", tr("table.member", lang)),
             ("what", tr("table.what", lang))],
            missing,
            heading,
            table_id="missing-table",
        ),
    ]


def _attention(comp: Completeness, lang: str) -> list[Any]:
    attention = [m for m in comp.members if m.unreachable or m.paused_until]
    return [
        html.H2(tr("reporting.attention", lang)),
        html.Ul(
            [html.Li(f"{m.name or m.member_id}: {_state(m, lang)}") for m in attention]
            or [html.Li(tr("reporting.everyone_reachable", lang))],
            id="attention-list",
        ),
    ]


def _changed(page: context.Page, names: dict[str, str]) -> list[Any]:
    lang, engine = page.lang, page.app.engine
    changed, total = queries.report_rows(engine, page.production_id, ReportFilter(only_changed=True), limit=100)
    flagged = {
        k: trn(f"reporting.changed.{k}", n, lang) for k, n in queries.flagged_counts(engine, page.production_id).items()
    }
    rows = [
        {
            "id": f"#{r.id}",
            "day": day_label(r.day, lang),
            "member": names.get(r.member_id or "") or (r.member_id or "–"),
            "what": _what(r.kind, r.subject, lang),
            "raw": r.raw_text or "–",
            "change": _change(r, lang),
        }
        for r in changed
    ]
    return [
        html.H2(tr("reporting.changed", lang)),
        html.P(tr("reporting.changed_counts", lang, **flagged), id="flagged-counts"),
        components.table(
            [("id", tr("table.report", lang)), ("day", tr("table.day", lang)),
             ("member", tr("table.member", lang)), ("what", tr("table.what", lang)),
             ("raw", tr("table.raw", lang)), ("change", tr("table.change", lang))],
            rows,
            trn("reporting.changed_table", len(rows), lang, total=number(total, lang)),
            table_id="changed-table",
        ),
    ]


def _state(m: MemberCompleteness, lang: str) -> str:
    parts = []
    if m.forgotten:
        parts.append(tr("reporting.state.forgotten", lang))
    if m.unreachable:
        parts.append(tr("reporting.state.unreachable", lang))
    if m.paused_until:
        parts.append(tr("reporting.state.paused", lang, until=day_label(m.paused_until, lang)))
    return ", ".join(parts) or tr("reporting.state.ok", lang)


def _change(r: queries.ReportRow, lang: str) -> str:
    return "; ".join(report_changes(r, lang))

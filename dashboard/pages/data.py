"""Data: every report as it was sent (raw text, source, time) with its correction history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import dash
from dash import Input, Output, State, dcc, html

from base import vocabulary
from base.i18n import number
from dashboard import callbacks, components, context
from dashboard.figures import day_label
from dashboard.texts import tr
from domain.model import Production, ReportKind
from store import queries
from store.queries import ReportFilter

PATH = "/data"
PAGE_SIZE = 100
ALL = "all"
#: The longest search text (the input's maxLength) and the last page number accepted.
TEXT_LENGTH = 100
LAST_PAGE = 100_000


def register(dash_app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name="data", order=4, layout=layout,
                       title=lambda **_: tr("nav.data", context.language()) + " · greenslate")

    @dash_app.callback(
        Output("data-results", "children"),
        Input("data-apply", "n_clicks"),
        State("data-production", "data"),
        State("data-kind", "value"),
        State("data-member", "value"),
        State("data-from", "value"),
        State("data-to", "value"),
        State("data-text", "value"),
        State("data-changed", "value"),
        State("data-page", "value"),
        prevent_initial_call=True,
    )
    @callbacks.checked(
        callbacks.clicks, callbacks.text(64), callbacks.text(64), callbacks.text(64), callbacks.text(10),
        callbacks.text(10), callbacks.text(TEXT_LENGTH), callbacks.texts(1, 8), callbacks.whole(1, LAST_PAGE),
        answer=lambda message: message,
    )
    def filter_reports(
        _clicks: int | None,
        production_id: str | None,
        kind: str | None,
        member: str | None,
        day_from: str | None,
        day_to: str | None,
        text: str | None,
        changed: list[str] | None,
        page: int | None,
    ) -> Any:
        """The reports matching the filters, one page at a time."""
        lang = context.language()
        if context.access(production_id) is None:
            return components.message(tr("notfound.text", lang), "error")
        try:
            filters = ReportFilter(
                kind=None if not kind or kind == ALL else ReportKind(kind).value,
                member_id=None if not member or member == ALL else member,
                day_from=_date(day_from),
                day_to=_date(day_to),
                text=(text or "").strip() or None,
                only_changed=bool(changed),
            )
        except ValueError:
            return components.message(tr("data.bad_filter", lang), "error")
        return results(production_id or "", filters, lang, max(1, int(page or 1)))


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def layout(production: str | None = None, **_: Any) -> html.Div:
    page = context.open_page(production)
    if page is None:
        return components.not_found(context.language())
    lang, prod, production_id = page.lang, page.production, page.production_id
    return components.frame(
        "data",
        production_id,
        lang,
        html.H1(tr("data.title", lang, title=prod.title)),
        dcc.Store(id="data-production", data=production_id),
        html.Section(
            [
                html.H2(tr("data.filters", lang), id="data-filters-title"),
                html.Fieldset(
                    [
                        html.Legend(tr("data.kind", lang)),
                        dcc.RadioItems(
                            id="data-kind",
                            options=[{"label": tr("data.all", lang), "value": ALL}]
                            + [{"label": tr(f"kind.{k.value}", lang), "value": k.value} for k in ReportKind],
                            value=ALL,
                            className="radios inline",
                        ),
                    ]
                ),
                html.Fieldset(
                    [
                        html.Legend(tr("data.member", lang)),
                        dcc.RadioItems(
                            id="data-member",
                            options=[{"label": tr("data.all", lang), "value": ALL}]
                            + [{"label": m.name or m.id, "value": m.id} for m in prod.crew],
                            value=ALL,
                            className="radios inline",
                        ),
                    ]
                ),
                html.P(
                    [
                        html.Label(tr("data.from", lang), htmlFor="data-from"),
                        dcc.Input(id="data-from", type="date", min=prod.calendar.start.isoformat(),
                                  max=prod.calendar.end.isoformat()),
                        html.Label(tr("data.to", lang), htmlFor="data-to"),
                        dcc.Input(id="data-to", type="date", min=prod.calendar.start.isoformat(),
                                  max=prod.calendar.end.isoformat()),
                    ],
                    className="inline-fields",
                ),
                html.P(
                    [
                        html.Label(tr("data.text", lang), htmlFor="data-text"),
                        dcc.Input(id="data-text", type="search", maxLength=TEXT_LENGTH),
                        html.Label(tr("data.page", lang), htmlFor="data-page"),
                        dcc.Input(id="data-page", type="number", min=1, max=LAST_PAGE, step=1, value=1),
                    ],
                    className="inline-fields",
                ),
                dcc.Checklist(
                    id="data-changed",
                    options=[{"label": tr("data.only_changed", lang), "value": "yes"}],
                    value=[],
                ),
                html.Button(tr("data.apply", lang), id="data-apply", type="button"),
            ],
            className="form",
            **{"aria-labelledby": "data-filters-title"},
        ),
        html.Div(results(production_id, ReportFilter(), lang, 1, prod), id="data-results", **{"aria-live": "polite"}),
    )


def results(
    production_id: str, filters: ReportFilter, lang: str, page: int, prod: Production | None = None
) -> list[Any]:
    """A page of reports matching ``filters``; ``prod`` when the caller has it loaded already."""
    app = context.greenslate_app()
    if prod is None:
        with app.uow() as uow:
            prod = uow.productions.get(production_id)
    names = queries.member_names(app.engine, production_id)
    rows, total = queries.report_rows(app.engine, production_id, filters, limit=PAGE_SIZE,
                                      offset=(page - 1) * PAGE_SIZE)
    shown = [
        {
            "id": f"#{r.id}",
            "day": day_label(r.day, lang),
            "member": names.get(r.member_id or "") or (r.member_id or "–"),
            "what": tr(f"kind.{r.kind.value}", lang) + (f" · {r.subject}" if r.subject else ""),
            "values": values_text(r.kind, r.values, lang),
            "raw": r.raw_text or "–",
            "source": r.source,
            "received": r.received_at.astimezone(prod.zone).strftime("%Y-%m-%d %H:%M"),
            "kg": "–" if r.kgco2e is None else vocabulary.amount(r.kgco2e, "kgCO2e", lang),
            "factors": f"{r.factors} ({r.factor_set_version})" if r.factors else "–",
            "history": _history(r, lang),
        }
        for r in rows
    ]
    first = (page - 1) * PAGE_SIZE + 1 if rows else 0
    return [
        html.P(tr("data.count", lang, first=first, last=first + len(rows) - 1 if rows else 0, total=total),
               id="data-count", role="status"),
        components.table(
            [("id", tr("table.report", lang)), ("day", tr("table.day", lang)),
             ("member", tr("table.member", lang)), ("what", tr("table.what", lang)),
             ("values", tr("table.values", lang)), ("raw", tr("table.raw", lang)),
             ("source", tr("table.source_channel", lang)), ("received", tr("table.received", lang)),
             ("kg", tr("table.kg", lang)), ("factors", tr("table.factors", lang)),
             ("history", tr("table.history", lang))],
            shown,
            tr("data.table", lang),
            table_id="data-table",
            numeric=("kg",),
        ),
    ]


#: The unit of each value a report can carry (a meal type counts meals, a waste stream kg).
VALUE_UNITS = {"odometer": "km", "distance": "km", "hours": "hours", "meter": "hours", "litres": "litre"}
KIND_UNITS = {ReportKind.MEALS: "meal", ReportKind.WASTE: "kg"}
NAMED_VALUES = frozenset({"odometer", "meter"})


def values_text(kind: ReportKind, values: Mapping[str, Decimal], lang: str) -> str:
    """``compteur 12 120 km, poulet 39 repas``: each value named and written to its unit's precision."""
    parts = []
    for key, value in values.items():
        unit = VALUE_UNITS.get(key) or KIND_UNITS.get(kind, "")
        shown = vocabulary.quantity(value, unit, lang) if unit else number(value, lang, 2)
        # a reading is named (an odometer is not a distance); a distance, hours or litres need no name
        named = key in NAMED_VALUES or kind in KIND_UNITS
        parts.append(f"{vocabulary.value_name(key, lang)} {shown}" if named else shown)
    return ", ".join(parts) or "–"


def report_changes(r: queries.ReportRow, lang: str) -> list[str]:
    """What a report undoes, corrects, is corrected by, or confirms: its place in the history."""
    parts = []
    if r.void:
        parts.append(tr("data.undoes", lang, id=r.corrects))
    elif r.corrects:
        parts.append(tr("data.corrects", lang, id=r.corrects))
    if r.corrected_by:
        parts.append(tr("data.corrected_by", lang, id=r.corrected_by))
    if r.confirmed:
        parts.append(tr("data.confirmed", lang))
    return parts


def _history(r: queries.ReportRow, lang: str) -> str:
    parts = report_changes(r, lang)
    if not parts and r.active:
        parts.append(tr("data.active", lang))
    return "; ".join(parts)

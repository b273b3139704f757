"""Accessible building blocks shared by the pages: the page frame, tables, charts, messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import dash
import plotly.graph_objects as go
from dash import dcc, html

from dashboard import context
from dashboard.auth import csrf_token
from dashboard.texts import tr


def pages() -> list[tuple[str, str]]:
    """(page id, path) in navigation order: the pages as registered (``dash.page_registry``, by ``order``)."""
    return [(p["name"], p["path"]) for p in dash.page_registry.values() if p["module"] != "not_found_404"]


def href(path: str, production_id: str | None, **params: str) -> str:
    query = {"production": production_id} if production_id else {}
    query.update({k: v for k, v in params.items() if v})
    return f"{path}?{urlencode(query)}" if query else path


def frame(page: str, production_id: str | None, lang: str, *content: Any) -> html.Div:
    """Header, navigation, the page's content in ``main``: landmarks a screen reader can jump to."""
    registered = pages()
    path = dict(registered)[page]
    mine = context.my_memberships()
    other = "en" if lang == "fr" else "fr"
    current = next((m for m in mine if m.production_id == production_id), None)
    nav_items = [
        html.Li(
            html.A(
                tr(f"nav.{pid}", lang),
                href=href(p, production_id),
                **({"aria-current": "page"} if pid == page else {}),
            )
        )
        for pid, p in registered
    ]
    nav_items.append(html.Li(html.A(tr("nav.setup", lang), href=href("/setup", production_id))))
    productions = [
        html.Li(
            html.A(
                m.title,
                href=href(path, m.production_id),
                id=f"switch-{m.production_id}",
                **({"aria-current": "true"} if m.production_id == production_id else {}),
            )
        )
        for m in mine
    ]
    role = tr(f"role.{current.role.value}", lang) if current else ""
    return html.Div(
        [
            html.A(tr("nav.skip", lang), href="#main", className="skip-link"),
            html.Header(
                [
                    html.P(["greenslate", html.Span(f" · {current.title}" if current else "")], className="brand"),
                    html.P(
                        [tr("nav.signed_in", lang, email=context.user_email()), f" ({role})" if role else ""],
                        className="who",
                    ),
                    html.A(
                        tr("nav.switch_language", other),
                        href=href(path, production_id, lang=other),
                        lang=other,
                        className="lang-switch",
                    ),
                    html.Form(
                        [
                            dcc.Input(type="hidden", name="csrf", value=csrf_token(), id="logout-csrf"),
                            html.Button(tr("nav.logout", lang), type="submit", id="logout"),
                        ],
                        action="/logout",
                        method="post",
                        className="logout",
                    ),
                ],
                className="site-header",
            ),
            html.Nav(html.Ul(nav_items, className="pages"), **{"aria-label": tr("nav.pages", lang)}),
            html.Nav(
                [html.H2(tr("nav.productions", lang), className="nav-title"), html.Ul(productions)],
                className="productions",
                **{"aria-label": tr("nav.productions", lang)},
            ),
            html.Main(list(content), id="main", tabIndex="-1"),
        ],
        className="page",
    )


def not_found(lang: str) -> html.Div:
    """What a production the user does not belong to shows: nothing of it."""
    return html.Div(
        [
            html.A(tr("nav.skip", lang), href="#main", className="skip-link"),
            html.Main(
                [
                    html.H1(tr("notfound.title", lang)),
                    html.P(tr("notfound.text", lang)),
                    html.P(html.A(tr("notfound.home", lang), href="/")),
                ],
                id="main",
            ),
        ],
        className="page",
    )


def table(
    columns: Sequence[tuple[str, str]],
    rows: Sequence[dict[str, Any]],
    caption: str,
    *,
    table_id: str | None = None,
    numeric: Sequence[str] = (),
) -> html.Div:
    """A plain HTML table with a caption and column headers (keyboard-scrollable if wide).

    On a phone the stylesheet shows each row as a card; the roles are written out because some
    browsers drop a table's semantics when its display changes."""
    head = html.Thead(
        html.Tr([html.Th(label, scope="col", role="columnheader") for _key, label in columns], role="row"),
        role="rowgroup",
    )
    cells = [  # data-label: on a phone each value follows its column's name
        (key, {"role": "cell", "data-label": label, **({"className": "num"} if key in numeric else {})})
        for key, label in columns
    ]
    body = html.Tbody(
        [_Element("Tr", [_Element("Td", row.get(key, ""), props) for key, props in cells], {"role": "row"})
         for row in rows],
        role="rowgroup",
    )
    props: dict[str, Any] = {"id": table_id} if table_id else {}
    return html.Div(
        html.Table([html.Caption(caption), head, body], role="table", **props),
        className="table-wrap",
        tabIndex="0",
        role="region",
        **{"aria-label": caption},
    )


class _Element(dict[str, Any]):
    """An HTML element of a table body as Dash sends it (what ``html.Td(...).to_plotly_json()`` gives).

    A season's tables have thousands of cells; making and serialising a component object for each
    cost a tenth of a millisecond or more per cell, most of a big page's time. ``children`` reads
    as a component's does.
    """

    def __init__(self, tag: str, children: Any, props: dict[str, Any]) -> None:
        super().__init__(type=tag, namespace="dash_html_components", props={"children": children, **props})

    @property
    def children(self) -> Any:
        return self["props"]["children"]


def chart(
    chart_id: str,
    figure: go.Figure,
    summary: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[dict[str, Any]],
    caption: str,
    *,
    numeric: Sequence[str] = (),
) -> html.Figure:
    """A chart with its text summary (read by screen readers) and its data as a table."""
    summary_id = f"{chart_id}-summary"
    return html.Figure(
        [
            html.Div(
                dcc.Graph(
                    id=chart_id,
                    figure=figure,
                    config={"displayModeBar": False, "responsive": True},
                    style={"height": "360px"},
                ),
                role="img",
                **{"aria-label": caption, "aria-describedby": summary_id},
            ),
            html.Figcaption(summary, id=summary_id, className="chart-summary"),
            table(columns, rows, caption, table_id=f"{chart_id}-table", numeric=numeric),
        ],
        className="chart",
    )


def message(text: str, kind: str = "info", element_id: str | None = None) -> html.P:
    """A message that stays on the page (never a toast): role=status, or alert for errors."""
    props: dict[str, Any] = {"id": element_id} if element_id else {}
    return html.P(text, role="alert" if kind == "error" else "status", className=f"message {kind}", **props)

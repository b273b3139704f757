"""Practices: the good practices the Discord bot captured, most voted first."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from base.i18n import day as day_text
from dashboard import components, context
from dashboard.texts import tr, trn
from store.discord import practices

PATH = "/practices"


def register(dash_app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name="practices", order=3, layout=layout,
                       title=lambda **_: tr("nav.practices", context.language()) + " · greenslate")


def layout(production: str | None = None, **_: Any) -> html.Div:
    page = context.open_page(production)
    if page is None:
        return components.not_found(context.language())
    lang, app, prod, production_id = page.lang, page.app, page.production, page.production_id
    found = practices(app.engine, production_id)
    items = [
        html.Li(
            html.Article(
                [
                    html.P(p.text, className="practice-text"),
                    html.P(
                        [
                            trn("practices.votes", p.votes, lang),
                            " · ",
                            tr("practices.by", lang, author=p.author_name or "–",
                               day=day_text(p.posted_at.astimezone(prod.zone).date(), lang)),
                            " · ",
                            html.A(tr("practices.open", lang), href=p.link, rel="noopener noreferrer")
                            if p.link.startswith("https://")
                            else "",
                        ],
                        className="practice-meta",
                    ),
                ]
            )
        )
        for p in found
    ]
    return components.frame(
        "practices",
        production_id,
        lang,
        html.H1(tr("practices.title", lang, title=prod.title)),
        html.P(tr("practices.intro", lang)),
        html.Ol(items, id="practices-list", className="practices")
        if items
        else html.P(tr("practices.none", lang), id="practices-list"),
    )

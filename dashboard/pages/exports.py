"""Exports: the XLSX, CSV and JSON files for the CNC filing, laid out by Carbon'Clap's categories."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from common import exports
from dashboard import components, context
from dashboard.texts import tr

PATH = "/exports"


def register(dash_app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name="exports", order=5, layout=layout,
                       title=lambda **_: tr("nav.exports", context.language()) + " · greenslate")


def download_href(production_id: str, fmt: str, lang: str) -> str:
    return f"/download/{production_id}/{fmt}?lang={lang}"


def layout(production: str | None = None, **_: Any) -> html.Div:
    page = context.open_page(production)
    if page is None:
        return components.not_found(context.language())
    lang, prod, production_id = page.lang, page.production, page.production_id
    return components.frame(
        "exports",
        production_id,
        lang,
        html.H1(tr("exports.title", lang, title=prod.title)),
        html.P(tr("exports.intro", lang)),
        html.Ul(
            [
                html.Li(
                    [
                        html.A(
                            tr(f"exports.link.{fmt}", lang),
                            href=download_href(production_id, fmt, lang),
                            download="",
                            id=f"download-{fmt}",
                        ),
                        html.Span(" · " + tr(f"exports.about.{fmt}", lang)),
                    ]
                )
                for fmt in exports.FORMATS
            ],
            className="downloads",
        ),
        html.P(tr("exports.cli", lang), className="note"),
        html.Pre(html.Code(
            f"greenslate export {production_id} --format xlsx --language {lang} --out {production_id}.xlsx"
        )),
    )

"""The downloads (exports, the production file): plain Flask routes, checked like a page."""

from __future__ import annotations

import flask

from common import exports, imports
from common.production_file.export import production_yaml
from common.production_setup import discord_section
from dashboard import context
from domain.model import ReportKind


def install(server: flask.Flask) -> None:
    server.add_url_rule("/download/<production_id>/<fmt>", "download", download)
    server.add_url_rule("/template/<production_id>/<kind>/<fmt>", "template", template)
    server.add_url_rule("/production-file/<production_id>", "production_file", production_file)


def download(production_id: str, fmt: str) -> flask.Response:
    """The export file; 404 for a production the user does not belong to (nothing said about it)."""
    if fmt not in exports.FORMATS or context.access(production_id) is None:
        flask.abort(404)
    app = context.greenslate_app()
    with app.uow() as uow:
        production = uow.productions.get(production_id)
    export = exports.build_export(app.engine, production, app.catalogue.factors)
    body = exports.render(export, fmt, context.language())
    response = flask.Response(body, mimetype=exports.MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{exports.filename(export, fmt)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def template(production_id: str, kind: str, fmt: str) -> flask.Response:
    """A kind's file to fill in for ``greenslate import`` (docs/import.md), in the page's language."""
    if fmt not in imports.FORMATS or kind not in {k.value for k in imports.LAYOUTS} \
            or context.access(production_id) is None:
        flask.abort(404)
    lang = context.language()
    report_kind = ReportKind(kind)
    response = flask.Response(imports.template(report_kind, fmt, lang), mimetype=imports.MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{imports.template_name(report_kind, fmt, lang)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def production_file(production_id: str) -> flask.Response:
    """The production file of what the dashboard shows: ``greenslate production load`` takes it back as is."""
    if context.access(production_id) is None:
        flask.abort(404)
    app = context.greenslate_app()
    with app.uow() as uow:
        production = uow.productions.get(production_id)
    body = production_yaml(production, discord_section(app, production_id))
    response = flask.Response(body.encode("utf-8"), mimetype="application/yaml")
    response.headers["Content-Disposition"] = f'attachment; filename="{production_id}.yaml"'
    response.headers["Cache-Control"] = "no-store"
    return response

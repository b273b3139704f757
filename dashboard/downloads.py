"""The export downloads: a plain Flask route, checked against the user's memberships like a page."""

from __future__ import annotations

import flask

from common import exports
from dashboard import context


def install(server: flask.Flask) -> None:
    server.add_url_rule("/download/<production_id>/<fmt>", "download", download)


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

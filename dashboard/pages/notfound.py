"""The answer to an address that is no page: the app's own page, in the user's language, with 404.

Dash serves its index for any address and draws the page in the browser, so two things are needed:
a page Dash shows when no other matches (a page module named ``not_found_404``, Dash's convention),
and the HTTP status set to 404 on that index response, so a link checker or a proxy sees it too.
"""

from __future__ import annotations

from typing import Any

import dash
import flask

from dashboard import components, context
from dashboard.texts import tr

MODULE = "not_found_404"  # the name Dash looks for
INDEX_RULE = "/<path:path>"  # Dash's catch-all index route


def register(dash_app: dash.Dash) -> None:
    dash.register_page(MODULE, path="/404", name="notfound", order=99, layout=layout,
                       title=lambda **_: tr("notfound.title", context.language()) + " · greenslate")
    dash_app.server.after_request(_status)


def layout(**_: Any) -> Any:
    return components.not_found(context.language())


def is_page(path: str) -> bool:
    wanted = path.strip("/")
    return any(p["path"].strip("/") == wanted for p in dash.page_registry.values() if p["module"] != MODULE)


def _status(response: flask.Response) -> flask.Response:
    rule = flask.request.url_rule
    if rule is not None and rule.rule == INDEX_RULE and response.status_code == 200 and not is_page(flask.request.path):
        response.status_code = 404
    return response

"""The dashboard's shell: a Dash app with pages, sign-in and downloads on its Flask server.

``create_app(app)`` builds everything from the greenslate ``App`` it is given; nothing touches the
database or the settings at import time.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import dash
from dash import html

from common.app import App
from dashboard import auth, callbacks, context, downloads, security
from dashboard.pages import PAGE_MODULES
from dashboard.setup import views as setup_views

ASSETS = Path(__file__).parent / "assets"

_INDEX = """<!DOCTYPE html>
<html lang="__LANG__">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


class GreenslateDash(dash.Dash):
    """Dash with ``<html lang>`` set per request (Dash leaves it out)."""

    def interpolate_index(self, **kwargs: Any) -> str:
        return super().interpolate_index(**kwargs).replace("__LANG__", context.language(), 1)


def _callback_context_ready() -> None:
    """Let ``dash.register_page`` run in any thread (``greenslate run`` builds the app in one).

    Dash 4 reads its callback-context variable in ``register_page`` but sets it only in the thread
    that first imported dash; elsewhere the read raises LookupError. Give this thread an empty one.
    """
    from dash._callback_context import context_value  # private, but the variable register_page reads

    try:
        context_value.get()
    except LookupError:
        context_value.set({})


def freeze_long_lived() -> None:
    """Leave what exists now out of the garbage collector's full passes (``gc.freeze``), once the app
    is built and before it serves.

    The libraries, the app and its pages are some 190,000 objects that live as long as the process.
    A full pass looks at every one: 115 to 130 ms measured at a season's size, charged to whichever
    page set it off (the overview's and the plan's slowest samples). Garbage made before is
    collected first; what the pages make later is collected as before, without the frozen ones.
    """
    gc.collect()
    gc.freeze()


def create_app(app: App) -> dash.Dash:
    dash_app = GreenslateDash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        title="greenslate",
        update_title=None,
        suppress_callback_exceptions=True,  # page callbacks target components of pages not shown yet
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    dash_app.index_string = _INDEX
    server = dash_app.server
    server.extensions[context.EXTENSION] = app
    secret = app.settings.dashboard_secret_key
    auth.install(server, secret.get_secret_value() if secret is not None else None)
    downloads.install(server)
    setup_views.install(server)
    callbacks.install(server)
    _callback_context_ready()
    for module in PAGE_MODULES:
        module.register(dash_app)
    dash_app.layout = html.Div(dash.page_container, id="shell")
    security.install(server, app.settings, dash_app.csp_hashes)
    return dash_app

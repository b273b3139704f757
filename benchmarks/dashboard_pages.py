"""Every page of the dashboard as a signed-in coordinator gets it, timed on a season's store.

The real dashboard (``dashboard.app.create_app``) on the season's database, one coordinator member of
every production. Dash pages: the page's ``layout`` called in a request of that user (as Dash's page
callback calls it), the data page's first page of figures included, and the result turned into the
JSON Dash sends (``plotly.io.json.to_json_plotly``), so a big table costs what it costs to send.
Flask pages (the set-up sections, the call sheet): a GET through Flask's test client, signed in, the
whole response read. The app is built, then what it holds left out of the collector's full passes,
as ``dashboard.server`` does before serving. Each sample draws a production at random (the same ones in every run).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

#: The Dash pages, by the path their layout is registered at.
DASH_PAGES = ("overview", "plan", "reporting", "practices", "data", "exports")
#: The Flask pages: the set-up index, each section, the call sheet (``/setup/invites``).
SETUP_SECTIONS = ("production", "calendar", "crew", "vehicles", "sites", "generators", "meal_types",
                  "waste_streams", "assignments", "travel", "action_plan")
COORDINATOR = "coordinator@season.example.org"


def _coordinator(engine: Engine, productions: list[str]) -> tuple[int, int]:
    """A coordinator of every production: (user id, session version)."""
    from store.users import add_user, user_exists

    password = None if user_exists(engine, COORDINATOR) else "season-password-1"
    for production_id in productions:
        user, _created = add_user(engine, COORDINATOR, password, production_id, "coordinator", language="fr")
        password = None
    return user.id, user.session_version


@contextmanager
def served(url: str, productions: list[str]) -> Iterator[Callable[[str, str], int]]:
    """``fetch(page, production_id)``: the page built and serialised as served; returns its size in bytes."""
    from flask_login import login_user
    from plotly.io.json import to_json_plotly

    from common.app import App
    from dashboard import auth
    from dashboard.app import create_app, freeze_long_lived

    app = App.from_env(database_url=url, dashboard_secret_key="season-benchmark-secret-key-0123456789")
    dash_app = create_app(app)
    server = dash_app.server
    user_id, version = _coordinator(app.engine, productions)
    freeze_long_lived()  # as the dashboard's server does once the app is built
    client = server.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
        session[auth.SESSION_VERSION] = version
        session["lang"] = "fr"
    layouts = {name: _layout(name) for name in DASH_PAGES}

    def fetch(page: str, production_id: str) -> int:
        if page in layouts:
            with server.test_request_context(f"/{page}?production={production_id}"):
                login_user(auth.DashboardUser(user_id, COORDINATOR, "fr"))
                return len(to_json_plotly(layouts[page](production=production_id)))
        path = "/setup" if page == "setup" else f"/setup/{page.removeprefix('setup_')}"
        response = client.get(f"{path}?production={production_id}")
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code}")
        return len(response.get_data())

    try:
        yield fetch
    finally:
        app.engine.dispose()


def _layout(name: str) -> Callable[..., Any]:
    import importlib

    module = importlib.import_module(f"dashboard.pages.{name}")
    return module.layout  # type: ignore[no-any-return]


def page_names() -> list[str]:
    return [*DASH_PAGES, "setup", *(f"setup_{s}" for s in SETUP_SECTIONS), "setup_invites"]


@dataclass
class Served:
    """Per page: wall seconds and this process's CPU seconds of each sample, and the largest size sent."""

    wall: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)
    largest_bytes: dict[str, int] = field(default_factory=dict)


def time_pages(url: str, productions: list[str], samples: int, seed: int = 11) -> Served:
    """Every page served for ``samples`` random productions.

    The CPU time is the dashboard process's own (not the database server's): on a shared machine it
    moves less with the load than the wall time does."""
    rng = random.Random(seed)
    names = page_names()
    out = Served({n: [] for n in names}, {n: [] for n in names}, dict.fromkeys(names, 0))
    with served(url, productions) as fetch:
        for name in names:  # warm: the connection pool, Dash's and Babel's caches
            fetch(name, productions[0])
        for _ in range(samples):
            pid = rng.choice(productions)
            for name in names:
                started, cpu = time.perf_counter(), time.process_time()
                size = fetch(name, pid)
                out.wall[name].append(time.perf_counter() - started)
                out.cpu[name].append(time.process_time() - cpu)
                out.largest_bytes[name] = max(out.largest_bytes[name], size)
    return out

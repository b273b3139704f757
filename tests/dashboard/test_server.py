"""Serving: waitress (never Flask's development server) on the configured host and port."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from typing import Any

from tests.dashboard.conftest import Seeded


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> Any:
    deadline = time.monotonic() + 20
    while True:
        try:
            return urllib.request.urlopen(url, timeout=5)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_uses_waitress_on_the_configured_port(seeded_sqlite: Seeded) -> None:
    from dashboard.server import serve

    port = free_port()
    app = seeded_sqlite.app.__class__.from_env(
        database_url=seeded_sqlite.app.settings.database_url, dashboard_port=port,
        dashboard_secret_key="k" * 40,
    )
    threading.Thread(target=serve, args=(app,), daemon=True).start()  # as `greenslate run` does
    response = get(f"http://127.0.0.1:{port}/login")
    assert response.status == 200
    assert response.headers["Server"] == "greenslate"  # waitress's ident; Werkzeug would say Werkzeug/x
    assert b'<html lang="fr">' in response.read()


def test_dashboard_server_starts_and_stops(seeded_sqlite: Seeded) -> None:
    from dashboard.server import DashboardServer

    with DashboardServer(seeded_sqlite.app, "127.0.0.1", 0) as server:
        assert get(server.url + "/login").status == 200
        url = server.url
    try:
        urllib.request.urlopen(url + "/login", timeout=2)
        raise AssertionError("the server still answers after stop()")
    except OSError:
        pass

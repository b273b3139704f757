"""Serving the dashboard: always waitress (a production WSGI server).

Never Flask's development server, not even to debug: its interactive debugger (``/console``) runs
Python for whoever reaches it. Debugging means more log lines (``greenslate --debug``), nothing else.

``serve`` blocks, so ``greenslate run`` may call it in a thread and ``greenslate demo`` in the
foreground. ``DashboardServer`` is the same thing made stoppable, for tests and for ``run``.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from common.app import App

log = logging.getLogger(__name__)

#: waitress threads: callbacks are short SQL reads, a handful of coordinators at most.
THREADS = 8


def serve(app: App, host: str | None = None, port: int | None = None) -> None:
    """Serve the dashboard until the process stops."""
    from dashboard.app import create_app

    host = host or app.settings.dashboard_host
    port = port if port is not None else app.settings.dashboard_port
    dash_app = create_app(app)
    server = DashboardServer(app, host, port, dash_app=dash_app)
    log.info("dashboard on %s", server.url)
    server.run()


class DashboardServer:
    """A waitress server for the dashboard that can run in a thread and be stopped."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0, *, dash_app: Any = None) -> None:
        from waitress.server import create_server

        from dashboard.app import create_app, freeze_long_lived

        self.dash_app = dash_app or create_app(app)
        freeze_long_lived()
        self._server = create_server(self.dash_app.server, host=host, port=port, threads=THREADS,
                                     ident="greenslate")
        self.host = host
        self.port = int(self._server.effective_port)  # type: ignore[union-attr]
        self._thread: threading.Thread | None = None
        self._stopping = False

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def run(self) -> None:
        try:
            self._server.run()
        except OSError:
            # stop() closed the sockets while the loop was waiting on them (EBADF): stopped, as asked
            if not self._stopping:
                raise

    def start(self) -> DashboardServer:
        self._thread = threading.Thread(target=self.run, name="dashboard", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping = True
        self._server.close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> DashboardServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

"""Failed sign-ins are throttled: per email address and per client, with a clear message, before any
password is checked, and a success does not count. Through the real Flask server of the dashboard."""

from __future__ import annotations

import http.cookiejar
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from common.app import App
from tests.dashboard.conftest import COORDINATOR, VIEWER, Seeded, login


@pytest.fixture
def server_for(seeded_sqlite: Seeded) -> Iterator[Callable[..., Any]]:
    """A fresh dashboard whose sign-in limits are the given ones (a short window keeps the test quick)."""
    from dashboard.app import create_app

    apps: list[App] = []

    def make(per_email: str = "3 per 2 seconds", per_client: str = "30 per 15 minutes") -> Any:
        app = App.from_env(database_url=seeded_sqlite.app.settings.database_url, dashboard_login_limit=per_email,
                           dashboard_login_limit_per_client=per_client)
        apps.append(app)
        return create_app(app).server

    yield make
    for app in apps:
        app.engine.dispose()


def test_after_three_failures_even_the_right_password_is_refused_for_a_while(server_for: Callable[..., Any]) -> None:
    client = server_for().test_client()
    email, password = COORDINATOR
    for _ in range(3):
        assert login(client, email, "wrong password").status_code == 401
    refused = login(client, email, password)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert 'role="alert"' in page and "Trop d’essais de connexion ont échoué. Attendez une minute" in page
    assert login(client, email.upper(), password).status_code == 429  # the address, whatever its case
    assert client.get("/").status_code == 302  # still not signed in
    time.sleep(2.1)  # the window moves on
    assert login(client, email, password).status_code == 302


def test_one_address_throttled_leaves_the_others_alone(server_for: Callable[..., Any]) -> None:
    client = server_for().test_client()
    for _ in range(3):
        login(client, COORDINATOR[0], "wrong password")
    assert login(client, COORDINATOR[0], COORDINATOR[1]).status_code == 429
    assert login(client, *VIEWER).status_code == 302


def test_many_addresses_tried_from_one_client_are_throttled_too(server_for: Callable[..., Any]) -> None:
    client = server_for(per_email="100 per 15 minutes", per_client="4 per 15 minutes").test_client()
    for n in range(4):
        assert login(client, f"guess{n}@example.org", "password").status_code == 401
    refused = login(client, *VIEWER)
    assert refused.status_code == 429
    assert "Attendez 15 minutes" in refused.get_data(as_text=True)


def test_successful_sign_ins_do_not_count(server_for: Callable[..., Any]) -> None:
    server = server_for()
    for _ in range(5):
        client = server.test_client()
        assert login(client, *COORDINATOR).status_code == 302


def test_the_message_is_in_english_for_an_english_page(server_for: Callable[..., Any]) -> None:
    client = server_for().test_client()
    client.get("/login?lang=en")
    for _ in range(3):
        login(client, VIEWER[0], "wrong")
    page = login(client, *VIEWER).get_data(as_text=True)
    assert "Too many sign-in attempts failed. Wait one minute, then try again." in page


def _redis_url() -> str:
    url = os.environ.get("GREENSLATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:  # the Redis variant proves the shared store: it fails rather than skips
        pytest.fail(f"Redis is not reachable at {url}: {type(exc).__name__}: {exc}")
    return url


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_twenty_simultaneous_wrong_passwords_check_at_most_the_limit(seeded_sqlite: Seeded, storage: str) -> None:
    """Through the real server (waitress, several threads), 20 sign-ins released at the same instant."""
    from dashboard.server import DashboardServer

    app = App.from_env(
        database_url=seeded_sqlite.app.settings.database_url,
        dashboard_login_limit="5 per 15 minutes",
        dashboard_login_limit_per_client="1000 per 15 minutes",
        dashboard_login_limit_storage="memory://" if storage == "memory" else _redis_url(),
    )
    # An address of its own per run: the Redis counts are shared with every other run on this machine.
    email = f"throttle-{uuid.uuid4().hex[:12]}@example.org"
    tries = 20
    start = threading.Barrier(tries)
    statuses: list[int] = []

    def sign_in(base: str) -> None:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(base + "/login", timeout=30).read().decode()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        body = urllib.parse.urlencode({"csrf": csrf, "email": email, "password": "wrong password"}).encode()
        start.wait(timeout=30)
        try:
            statuses.append(opener.open(base + "/login", data=body, timeout=60).status)
        except urllib.error.HTTPError as refused:
            statuses.append(refused.code)

    try:
        with DashboardServer(app, "127.0.0.1", 0) as server:
            threads = [threading.Thread(target=sign_in, args=(server.url,)) for _ in range(tries)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
    finally:
        app.engine.dispose()
    assert len(statuses) == tries
    checked = statuses.count(401)  # a wrong password answered: it was checked
    assert statuses.count(429) == tries - checked
    assert checked == 5

"""The dashboard as an attacker meets it, on the real waitress server: hostile callback inputs,
hostile sign-in redirects, paths that try to pass as the sign-in page, and the security headers.

Every request goes over HTTP to ``DashboardServer``, as a browser's (or a script's) would.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from store.tables import action_status
from tests.dashboard.conftest import COORDINATOR, Seeded, served_copy


@pytest.fixture(scope="module")
def served(seeded_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Seeded, str]]:
    """One server for the module: none of these requests may change anything anyway."""
    with served_copy(seeded_sqlite_template, tmp_path_factory.mktemp("hardening")) as served:
        yield served


@pytest.fixture(scope="module")
def coordinator(served: tuple[Seeded, str]) -> Iterator[httpx.Client]:
    client, _ = sign_in(served[1])
    yield client
    client.close()


def sign_in(base: str, who: tuple[str, str] = COORDINATOR, next_path: str | None = None) -> tuple[httpx.Client, Any]:
    client = httpx.Client(base_url=base, timeout=30)
    page = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    url = "/login" + (f"?next={quote(next_path, safe='')}" if next_path is not None else "")
    answer = client.post(url, data={"csrf": csrf.group(1), "email": who[0], "password": who[1]})
    return client, answer


def data_filter(client: httpx.Client, **state: Any) -> httpx.Response:
    values = {"production": "feux-aube", "kind": "all", "member": "all", "from": None, "to": None, "text": None,
              "changed": [], "page": 1}
    values.update(state)
    body = {
        "output": "data-results.children",
        "outputs": {"id": "data-results", "property": "children"},
        "inputs": [{"id": "data-apply", "property": "n_clicks", "value": 1}],
        "state": [{"id": "data-production", "property": "data", "value": values.pop("production")}]
        + [{"id": f"data-{k}", "property": "value", "value": v} for k, v in values.items()],
        "changedPropIds": ["data-apply.n_clicks"],
    }
    return client.post("/_dash-update-component", json=body)


def plan_save(client: httpx.Client, **state: Any) -> httpx.Response:
    values = {"production": "feux-aube", "action": "A3", "status": "done", "outcome": "none", "note": "test"}
    values.update(state)
    body = {
        "output": "..plan-message.children...plan-results.children..",
        "outputs": [{"id": "plan-message", "property": "children"}, {"id": "plan-results", "property": "children"}],
        "inputs": [{"id": "plan-save", "property": "n_clicks", "value": 1}],
        "state": [{"id": "plan-production", "property": "data", "value": values.pop("production")}]
        + [{"id": f"plan-{k}", "property": "value", "value": v} for k, v in values.items()],
        "changedPropIds": ["plan-save.n_clicks"],
    }
    return client.post("/_dash-update-component", json=body)


def status_rows(seeded: Seeded) -> int:
    with seeded.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(action_status)).scalar_one()


INVALID = "Une valeur du formulaire n’est pas valable"

HOSTILE_FILTERS = [
    {"page": "abc"}, {"page": 1e308}, {"page": -1}, {"page": 10**30}, {"page": 2.5}, {"page": [1]},
    {"page": True}, {"text": "x" * 100_000}, {"text": {"a": 1}}, {"kind": ["mileage"]}, {"member": {"id": 1}},
    {"from": 20270301}, {"from": "2" * 5000}, {"changed": "yes"}, {"changed": ["yes"] * 1000},
    {"production": ["feux-aube"]}, {"production": "f" * 100_000},
]


@pytest.mark.parametrize("state", HOSTILE_FILTERS, ids=[next(iter(s)) + ":" + repr(s)[-20:] for s in HOSTILE_FILTERS])
def test_hostile_data_filters_get_a_message_not_a_server_error(coordinator, state):
    response = data_filter(coordinator, **state)
    assert response.status_code == 200, response.text[:300]
    assert INVALID in json.dumps(response.json(), ensure_ascii=False)


def test_a_valid_data_filter_still_answers_with_its_reports(coordinator):
    shown = json.dumps(data_filter(coordinator, kind="meals", member="paul", page=1.0).json(), ensure_ascii=False)
    assert "Remontées 1 à 21 sur 21." in shown


HOSTILE_PLAN = [
    {"action": ["A3"]}, {"action": {"id": "A3"}}, {"note": {"text": "x"}}, {"note": ["x"]}, {"note": "n" * 100_000},
    {"status": ["done"]}, {"outcome": 1}, {"production": {"id": "feux-aube"}},
]


@pytest.mark.parametrize("state", HOSTILE_PLAN, ids=[next(iter(s)) + ":" + repr(s)[-20:] for s in HOSTILE_PLAN])
def test_hostile_status_changes_get_a_message_and_change_nothing(served, coordinator, state):
    seeded, _ = served
    before = status_rows(seeded)
    response = plan_save(coordinator, **state)
    assert response.status_code == 200, response.text[:300]
    answer = response.json()["response"]
    assert INVALID in json.dumps(answer["plan-message"], ensure_ascii=False)
    assert "plan-results" not in answer  # no_update: the table is left as it is
    assert status_rows(seeded) == before


def router(path: Any, search: Any) -> dict[str, Any]:
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname"], "state": [],
    }


MALFORMED = [
    ("router path a mapping", router({"a": 1}, "")), ("router search a mapping", router("/", {"a": 1})),
    ("router path a list", router(["/"], None)), ("router path of 100,000 characters", router("/" + "p" * 100_000, "")),
    ("a list", []), ("output a number", {"output": 1}),
    ("no inputs", {"output": "data-results.children", "outputs": {"id": "data-results", "property": "children"}}),
    ("inputs not references", {"output": "x.children", "outputs": {"id": "x", "property": "children"},
                               "inputs": ["x"], "state": []}),
    ("changed ids a mapping", {**router("/", ""), "changedPropIds": {"a": 1}}),
]


@pytest.mark.parametrize("body", [b for _, b in MALFORMED], ids=[n for n, _ in MALFORMED])
def test_malformed_callback_requests_get_a_message_not_a_server_error(coordinator, body):
    response = coordinator.post("/_dash-update-component", json=body)
    assert response.status_code == 400, response.text[:300]
    assert INVALID in response.json()["message"]


def test_a_page_address_with_odd_parameters_still_opens_the_page(coordinator):
    for search in ("?production=a&production=b", "?production=" + "x" * 5_000, "?production=%00", "?lang=zz"):
        response = coordinator.post("/_dash-update-component", json=router("/", search))
        assert response.status_code == 200, (search[:30], response.text[:300])


def test_an_oversized_callback_request_is_refused_before_it_is_read(coordinator):
    response = data_filter(coordinator, text="x" * 2_000_000)
    assert response.status_code == 413


@pytest.mark.parametrize("target", ["/plan\r\nSet-Cookie: evil=1", "/\r\nLocation: https://evil.example",
                                    "/%0d%0aX: y", "/\\evil.example", "\\\\evil.example", "/plan\x00"])
def test_sign_in_with_control_characters_in_next_lands_on_this_site(served, target):
    _, base = served
    client, answer = sign_in(base, next_path=target)
    assert answer.status_code == 302, answer.text[:300]
    location = answer.headers["location"]
    assert "\r" not in location and "\n" not in location and "evil" not in urlsplit(location).netloc
    assert "evil" not in answer.headers.get("set-cookie", "")
    assert urlsplit(location).path.startswith("/") and urlsplit(location).netloc in ("", urlsplit(base).netloc)
    assert httpx.get(base + "/login", params={"next": target}).status_code == 200
    client.close()


def raw_get(base: str, path: str, cookie: str = "") -> http.client.HTTPResponse:
    """A request for ``path`` exactly as written (no client normalises its dots)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    if cookie:
        connection.putheader("Cookie", cookie)
    connection.endheaders()
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.mark.parametrize("path", ["/loginx", "/login/../_dash-layout", "/login/..%2f_dash-layout",
                                  "/login/", "/login/x", "/assets/../_dash-layout", "/assets/a11y.js/../../plan",
                                  "/_dash-layout", "/_dash-dependencies"])
def test_only_the_exact_sign_in_paths_are_open_to_anonymous_visitors(served, path):
    _, base = served
    response = raw_get(base, path)
    assert response.status in (302, 401, 404), (path, response.status)
    if response.status == 302:
        assert urlsplit(response.getheader("Location")).path == "/login"


def test_the_sign_in_page_and_its_stylesheet_stay_open(served):
    _, base = served
    assert raw_get(base, "/login").status == 200
    assert raw_get(base, "/assets/style.css").status == 200


def test_every_response_carries_a_content_security_policy(coordinator):
    client = coordinator
    for path in ("/login", "/", "/plan", "/_dash-layout"):
        policy = client.get(path).headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert "'unsafe-eval'" not in policy and "'unsafe-inline'" not in directives["script-src"]
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
        assert re.search(r"'sha256-[A-Za-z0-9+/=]+'", directives["script-src"]), "Dash's own inline script"
    assert "strict-transport-security" not in client.get("/").headers  # plain http here


def cookie_of(seeded: Seeded, **settings: Any) -> tuple[str, dict[str, str]]:
    from common.app import App
    from dashboard.app import create_app

    app = App.from_env(database_url=seeded.app.settings.database_url, dashboard_secret_key="k" * 40, **settings)
    client = create_app(app).server.test_client()
    page = client.get("/login")
    return page.headers.get("Set-Cookie", ""), dict(page.headers)


def test_cookies_are_secure_and_hsts_is_sent_behind_an_https_address(seeded_sqlite: Seeded):
    cookie, headers = cookie_of(seeded_sqlite, dashboard_public_url="https://greenslate.example.org")
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    cookie, headers = cookie_of(seeded_sqlite, dashboard_public_url="http://127.0.0.1:8050")
    assert "Secure" not in cookie and "Strict-Transport-Security" not in headers
    cookie, headers = cookie_of(seeded_sqlite, dashboard_secure_cookies=True, dashboard_hsts_seconds=600)
    assert "Secure" in cookie and headers["Strict-Transport-Security"] == "max-age=600; includeSubDomains"
    cookie, headers = cookie_of(seeded_sqlite, dashboard_public_url="https://g.example", dashboard_secure_cookies=False,
                                dashboard_hsts_seconds=0)
    assert "Secure" not in cookie and "Strict-Transport-Security" not in headers

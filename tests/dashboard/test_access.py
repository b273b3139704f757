"""Access rules through the real Flask/Dash server, without a browser: sign-in, memberships, roles.

Dash callbacks are called the way the browser calls them (POST /_dash-update-component), so a
request crafted by hand meets the same server-side checks as a click.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from common.app import App
from store.tables import action_status
from tests.dashboard.conftest import COORDINATOR, OUTSIDER, VIEWER, csrf_of, login


def page(client: Any, path: str, search: str) -> str:
    """The layout the page router returns for ``path?search``, as JSON text."""
    client.get("/")  # the first request sets the pages router up
    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return json.dumps(response.get_json(), ensure_ascii=False)


def save_status(client: Any, production: str, action: str, status: str) -> dict[str, Any]:
    body = {
        "output": "..plan-message.children...plan-results.children..",
        "outputs": [{"id": "plan-message", "property": "children"}, {"id": "plan-results", "property": "children"}],
        "inputs": [{"id": "plan-save", "property": "n_clicks", "value": 1}],
        "state": [
            {"id": "plan-production", "property": "data", "value": production},
            {"id": "plan-action", "property": "value", "value": action},
            {"id": "plan-status", "property": "value", "value": status},
            {"id": "plan-outcome", "property": "value", "value": "none"},
            {"id": "plan-note", "property": "value", "value": "from a test"},
        ],
        "changedPropIds": ["plan-save.n_clicks"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return json.loads(response.get_data(as_text=True))["response"]


def status_rows(client_for: Any) -> int:
    with client_for.seeded.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(action_status)).scalar_one()


def test_anonymous_visitors_get_the_sign_in_page_only(client_for: Any) -> None:
    client = client_for(None)
    response = client.get("/plan?production=feux-aube")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/_dash-layout").status_code == 401
    assert client.post("/_dash-update-component", json={}).status_code == 401
    download = client.get("/download/feux-aube/csv")
    assert download.status_code == 302 and b"Feux" not in download.data
    login_page = client.get("/login")
    assert login_page.status_code == 200 and '<html lang="fr">' in login_page.get_data(as_text=True)
    assert '<html lang="en">' in client.get("/login?lang=en").get_data(as_text=True)


def test_wrong_password_is_refused_with_a_clear_message(client_for: Any) -> None:
    client = client_for(None)
    response = login(client, COORDINATOR[0], "not-the-password")
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    forged = client.post("/login", data={"csrf": "forged", "email": COORDINATOR[0], "password": COORDINATOR[1]})
    assert forged.status_code == 400 and client.get("/").status_code == 302


def test_sign_in_redirects_only_inside_the_site(client_for: Any) -> None:
    client = client_for(None)
    token = csrf_of(client)
    response = client.post("/login?next=https://evil.example/", data={
        "csrf": token, "email": COORDINATOR[0], "password": COORDINATOR[1]})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_pages_show_only_the_users_productions(client_for: Any) -> None:
    coordinator = client_for(COORDINATOR)
    overview = page(coordinator, "/", "?production=feux-aube")
    assert "Les Feux de l'Aube" in overview and "kpi-total" in overview
    outsider = client_for(OUTSIDER)
    for path in ("/", "/plan", "/reporting", "/practices", "/data", "/exports"):
        seen = page(outsider, path, "?production=feux-aube")
        assert "Page introuvable" in seen, path
        assert "Feux de l" not in seen and "kpi-total" not in seen and "Amina" not in seen, path
    own = page(outsider, "/plan", "?production=court-nuit")
    assert "Secret plan of the other production" in own
    assert "Secret plan of the other production" not in page(coordinator, "/plan", "?production=feux-aube")


def test_downloads_follow_memberships(client_for: Any) -> None:
    coordinator = client_for(COORDINATOR)
    ok = coordinator.get("/download/feux-aube/csv")
    assert ok.status_code == 200 and ok.mimetype == "text/csv"
    assert "attachment" in ok.headers["Content-Disposition"]
    outsider = client_for(OUTSIDER)
    for fmt in ("xlsx", "csv", "json"):
        refused = outsider.get(f"/download/feux-aube/{fmt}")
        assert refused.status_code == 404 and b"Feux" not in refused.data
    assert outsider.get("/download/court-nuit/json").status_code == 200
    assert coordinator.get("/download/feux-aube/exe").status_code == 404


def test_viewers_cannot_change_an_action_status(client_for: Any) -> None:
    before = status_rows(client_for)
    viewer = client_for(VIEWER)
    answer = save_status(viewer, "feux-aube", "A3", "done")
    assert "read only" in json.dumps(answer)  # the viewer's language is English
    assert status_rows(client_for) == before
    # a coordinator of another production cannot either, and learns nothing about it
    outsider = client_for(OUTSIDER)
    answer = json.dumps(save_status(outsider, "feux-aube", "A3", "done"), ensure_ascii=False)
    assert "pas accès" in answer and "Feux" not in answer and "plan-results" not in answer
    assert status_rows(client_for) == before
    # the coordinator of feux-aube is only a viewer of court-nuit
    coordinator = client_for(COORDINATOR)
    answer = json.dumps(save_status(coordinator, "court-nuit", "B1", "done"), ensure_ascii=False)
    assert "lecture seule" in answer
    assert status_rows(client_for) == before


def test_coordinators_change_a_status_through_the_use_case(client_for: Any) -> None:
    before = status_rows(client_for)
    coordinator = client_for(COORDINATOR)
    answer = save_status(coordinator, "feux-aube", "A3", "done")
    assert "Statut enregistré" in json.dumps(answer, ensure_ascii=False)
    assert status_rows(client_for) == before + 1
    with client_for.seeded.uow() as uow:
        assert uow.productions.get("feux-aube").action("A3").status.value == "done"
        assert uow.actions.history("feux-aube", "A3")[-1]["by"] == COORDINATOR[0]
    bad = save_status(coordinator, "feux-aube", "A9", "done")
    assert "n’existe pas" in json.dumps(bad, ensure_ascii=False)
    assert status_rows(client_for) == before + 1


def test_language_follows_the_user_and_the_switch(client_for: Any) -> None:
    viewer = client_for(VIEWER)  # English by preference
    assert '<html lang="en">' in viewer.get("/").get_data(as_text=True)
    assert "Overview" in page(viewer, "/", "?production=feux-aube")
    assert '<html lang="fr">' in viewer.get("/?lang=fr").get_data(as_text=True)
    assert "Vue d’ensemble" in page(viewer, "/", "?production=feux-aube")


def test_logout_ends_the_session(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf": csrf_of(client)})
    assert client.get("/").status_code == 302


def test_missing_secret_warns_without_leaking_anything(seeded_sqlite: Any, caplog: Any) -> None:
    from dashboard.app import create_app

    app = App.from_env(database_url=seeded_sqlite.app.settings.database_url, dashboard_secret_key=None)
    with caplog.at_level(logging.WARNING):
        first = create_app(app).server.secret_key
    assert "GREENSLATE_DASHBOARD_SECRET_KEY is not set" in caplog.text
    assert first and first not in caplog.text
    configured = create_app(seeded_sqlite.app).server.secret_key
    assert configured == "test-secret-key-for-signing-dashboard-sessions"
    assert configured not in caplog.text


def filter_data(client: Any, production: str, **state: Any) -> str:
    values = {"kind": "all", "member": "all", "from": None, "to": None, "text": None, "changed": [], "page": 1}
    values.update(state)
    body = {
        "output": "data-results.children",
        "outputs": {"id": "data-results", "property": "children"},
        "inputs": [{"id": "data-apply", "property": "n_clicks", "value": 1}],
        "state": [{"id": "data-production", "property": "data", "value": production}]
        + [{"id": f"data-{k}", "property": "value", "value": v} for k, v in values.items()],
        "changedPropIds": ["data-apply.n_clicks"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return json.dumps(response.get_json(), ensure_ascii=False)


def test_data_filters_run_on_the_server_for_members_only(client_for: Any) -> None:
    coordinator = client_for(COORDINATOR)
    coordinator.get("/")
    meals = filter_data(coordinator, "feux-aube", kind="meals", member="paul")
    assert "Remontées 1 à 21 sur 21." in meals and "Kilométrage" not in meals
    corrected = filter_data(coordinator, "feux-aube", text="correction")
    assert "sur 1." in corrected and "corrige #" in corrected
    bad = filter_data(coordinator, "feux-aube", **{"from": "not-a-date"})
    assert "Un filtre n’est pas valable" in bad
    outsider = client_for(OUTSIDER)
    outsider.get("/")
    refused = filter_data(outsider, "feux-aube")
    assert "pas accès" in refused and "Remontées" not in refused


def test_a_production_without_figures_shows_every_page(client_for: Any) -> None:
    from dataclasses import replace

    from domain.usecases import load_production
    from store.users import add_user

    seeded = client_for.seeded
    empty = replace(seeded.other, id="vide", title="Sans chiffres")
    load_production(seeded.uow(), empty)
    add_user(seeded.engine, COORDINATOR[0], None, "vide", "coordinator")
    client = client_for(COORDINATOR)
    for path in ("/", "/plan", "/reporting", "/practices", "/data", "/exports"):
        seen = page(client, path, "?production=vide")
        assert "Sans chiffres" in seen and "Page introuvable" not in seen, path
    assert "aucune donnée pour l’instant" in page(client, "/", "?production=vide")
    assert client.get("/download/vide/xlsx").status_code == 200


def test_practices_from_discord_most_voted_first(client_for: Any) -> None:
    import datetime as dt

    from store.discord import add_practice, add_vote

    seeded = client_for.seeded
    at = dt.datetime(2027, 3, 10, 12, tzinfo=dt.UTC)
    ids = []
    for n, text in enumerate(["Gourdes pour toute l'équipe", "Branchement forain au studio B"]):
        practice_id, _ = add_practice(
            seeded.engine, production_id="feux-aube", message_id=1000 + n, channel_id=5, author_id=70 + n,
            author_name="Chloé", text=text, link=f"https://discord.com/channels/1/5/{1000 + n}", source="channel",
            posted_at=at,
        )
        ids.append(practice_id)
    for user in (1, 2, 3):
        add_vote(seeded.engine, ids[1], user, "👍", at=at)
    add_vote(seeded.engine, ids[0], 1, "👍", at=at)
    seen = page(client_for(COORDINATOR), "/practices", "?production=feux-aube")
    assert seen.index("Branchement forain") < seen.index("Gourdes")
    assert "3 votes" in seen and "1 vote" in seen and "1 votes" not in seen
    assert "Branchement forain" not in page(client_for(OUTSIDER), "/practices", "?production=feux-aube")


def test_responses_refuse_framing_and_sniffing(client_for: Any) -> None:
    response = client_for(None).get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_dashboard_serves_from_sqlite_and_postgresql(seeded: Any) -> None:
    from common.presenters import tonnes
    from dashboard.app import create_app
    from domain.usecases import get_balance

    client = create_app(seeded.app).server.test_client()
    login(client, *COORDINATOR)
    overview = page(client, "/", "?production=feux-aube")
    total = tonnes(get_balance(seeded.uow(), seeded.app.factor_set_version, "feux-aube").total_kgco2e)
    assert f"{total:.3f}".replace(".", ",") + " t CO2e" in overview.replace("\u202f", " ").replace("\xa0", " ")
    download = client.get("/download/feux-aube/json")
    assert download.status_code == 200 and download.get_json()["total"]["tco2e"] == float(total)
    assert client.get("/download/court-nuit/csv").status_code == 200
    login(outsider := create_app(seeded.app).server.test_client(), *OUTSIDER)
    assert outsider.get("/download/feux-aube/csv").status_code == 404


@pytest.mark.parametrize(("lang", "title"), [("fr", "Page introuvable"), ("en", "Page not found")])
def test_an_unknown_address_gets_the_apps_own_page_in_the_users_language_with_404(
    client_for: Any, lang: str, title: str
) -> None:
    coordinator = client_for(COORDINATOR)
    answer = coordinator.get(f"/no-such-page?lang={lang}")
    assert answer.status_code == 404
    assert f'lang="{lang}"' in answer.get_data(as_text=True)
    shown = page(coordinator, "/no-such-page", f"?lang={lang}")
    assert title in shown and "404 - Page not found" not in shown
    assert coordinator.get("/plan?production=feux-aube").status_code == 200
    assert coordinator.get("/").status_code == 200

"""A fresh install without YAML: the first account is made from the command line, signs in, lands on
"create a production", creates it and becomes its coordinator. Nobody else may create one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select

from common.app import App
from greenslate.cli import main
from store import migrate
from store.accounts import create_invite
from store.engine import make_engine
from store.users import (
    DashboardRole,
    InvalidAccount,
    add_user,
    may_create_productions,
    membership,
    revoke_membership,
    users,
    verify,
)
from tests.dashboard.conftest import COORDINATOR, SECRET, VIEWER, login
from tests.dashboard.test_setup import _csrf, _open

FIRST = ("lea@example.org", "lea-password-12")


@pytest.fixture
def fresh(db_url: str) -> Iterator[Any]:
    """A dashboard on an empty store (no production at all), on SQLite and PostgreSQL."""
    from dashboard.app import create_app

    app = App.from_env(database_url=db_url, dashboard_secret_key=SECRET)
    server = create_app(app).server
    yield app, server
    app.engine.dispose()


def _user_add(db_url: str, *args: str, password: str = FIRST[1]) -> Any:
    return CliRunner().invoke(main, ["user", "add", *args, "--password-stdin"], input=password + "\n",
                              env={"GREENSLATE_DATABASE_URL": db_url})


def test_the_first_account_signs_in_creates_the_production_and_coordinates_it(fresh: Any, db_url: str) -> None:
    app, server = fresh
    made = _user_add(db_url, FIRST[0], "--role", "coordinator", "--language", "en")
    assert made.exit_code == 0, made.output
    assert "may create productions" in made.output
    client = server.test_client()
    signed_in = login(client, *FIRST)
    assert signed_in.status_code == 302
    landing = client.get("/")
    assert landing.status_code == 302 and landing.headers["Location"].endswith("/setup/new")
    assert client.get("/setup").headers["Location"].endswith("/setup/new")
    page, data = _open(client, "/setup/new?lang=en")
    assert "Welcome. Your account has no production yet." in page
    assert 'class="pages"' not in page  # no page to go to yet: no navigation to dead ends
    data.update({"0.id": "premier-jour", "0.title": "Premier jour", "0.start": "2027-06-01",
                 "0.end": "2027-06-30"})
    created = client.post("/setup/new", data=data)
    assert created.status_code == 302 and "/setup?production=premier-jour" in created.headers["Location"]
    user = verify(app.engine, *FIRST)
    assert user is not None
    found = membership(app.engine, user.id, "premier-jour")
    assert found is not None and found.role is DashboardRole.COORDINATOR
    assert client.get("/").status_code == 200  # the dashboard itself, now that there is a production
    assert "Welcome" not in client.get("/setup/new?lang=en").get_data(as_text=True)


def test_an_account_with_no_production_must_be_a_coordinator(fresh: Any, db_url: str) -> None:
    app, _ = fresh
    refused = _user_add(db_url, VIEWER[0], "--role", "viewer")
    assert refused.exit_code != 0 and "--production" in refused.output
    with pytest.raises(InvalidAccount):
        add_user(app.engine, VIEWER[0], VIEWER[1], None, "viewer")
    with app.engine.connect() as conn:
        assert conn.execute(select(users)).all() == []


def test_the_right_to_create_is_kept_in_the_store_and_given_to_an_existing_account(fresh: Any, db_url: str) -> None:
    app, _ = fresh
    user, created = add_user(app.engine, FIRST[0], FIRST[1], None, "coordinator")
    assert created and may_create_productions(app.engine, user.id)
    again = _user_add(db_url, FIRST[0], "--role", "coordinator")
    assert again.exit_code == 0 and "updated account" in again.output


def test_an_account_without_the_right_is_told_in_its_language(client_for: Any) -> None:
    viewer = client_for(VIEWER)  # reads feux-aube only
    page = viewer.get("/setup/new?lang=fr")
    assert page.status_code == 403
    assert "Seul un coordinateur peut créer une production." in page.get_data(as_text=True)
    assert "Only a coordinator can create a production." in viewer.get("/setup/new?lang=en").get_data(as_text=True)
    engine = client_for.seeded.engine
    revoke_membership(engine, VIEWER[0], "feux-aube")
    nowhere = client_for(VIEWER)  # an account that sees nothing and may create nothing
    landing = nowhere.get("/?lang=en")
    assert landing.status_code == 302 and landing.headers["Location"].endswith("/setup/new")
    refused = nowhere.get("/setup/new")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "Your account does not open any production yet. Ask a coordinator" in text
    posted = nowhere.post("/setup/new", data={"csrf": _csrf(text), "0.id": "pirate", "0.title": "Pirate",
                                              "0.start": "2027-06-01", "0.end": "2027-06-30"})
    assert posted.status_code == 403
    fr = nowhere.get("/setup/new?lang=fr").get_data(as_text=True)
    assert "Votre compte n’ouvre encore aucune production." in fr
    with client_for.seeded.app.uow() as uow:
        assert [p.id for p in uow.productions.list()] == ["court-nuit", "feux-aube"]


def test_a_coordinator_of_a_production_still_creates_another(client_for: Any) -> None:
    coordinator = client_for(COORDINATOR)
    assert coordinator.get("/setup/new").status_code == 200
    assert coordinator.get("/").status_code == 200  # members land on their dashboard, as before


def test_migration_0011_adds_the_right_to_create_keeps_accounts_and_goes_back_down(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate.downgrade(db_url, "0010_accounts")
        assert "may_create" not in {c["name"] for c in inspect(engine).get_columns("users")}
        columns = {c["name"]: c for c in inspect(engine).get_columns("account_invites")}
        assert columns["production_id"]["nullable"] is False
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO users (email, password_hash, language, created_at, session_version) "
                                 "VALUES ('old@example.org', 'x', 'fr', '2026-12-01 10:00:00+00:00', 0)")
        migrate.upgrade(db_url)
        assert migrate.current(db_url) == migrate.head()
        with engine.connect() as conn:
            rows = conn.execute(select(users.c.email, users.c.may_create)).all()
        assert [(r.email, r.may_create) for r in rows] == [("old@example.org", False)]
        columns = {c["name"]: c for c in inspect(engine).get_columns("account_invites")}
        assert columns["production_id"]["nullable"] is True
        create_invite(engine, None, "coordinator", None)  # an invite to create: no production
        migrate.downgrade(db_url, "0010_accounts")  # down again: that invite goes, the accounts stay
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM account_invites").scalar() == 0
            assert conn.exec_driver_sql("SELECT email FROM users").scalars().all() == ["old@example.org"]
        migrate.upgrade(db_url)
    finally:
        engine.dispose()


def test_a_one_time_link_opens_an_account_that_creates_the_first_production(fresh: Any, db_url: str) -> None:
    app, server = fresh
    printed = CliRunner().invoke(main, ["user", "invite"],
                                 env={"GREENSLATE_DATABASE_URL": db_url,
                                      "GREENSLATE_DASHBOARD_PUBLIC_URL": "https://greenslate.example.org"})
    assert printed.exit_code == 0, printed.output
    link = printed.output.splitlines()[0]
    assert link.startswith("https://greenslate.example.org/join/")
    assert "may create productions" in printed.output
    path = link.removeprefix("https://greenslate.example.org")
    client = server.test_client()
    form = client.get(path + "?lang=en").get_data(as_text=True)
    assert "You are invited to create a production and coordinate it." in form
    joined = client.post(path, data={"csrf": _csrf(form), "email": FIRST[0], "password": FIRST[1]})
    assert joined.status_code == 302 and joined.headers["Location"].endswith("/setup/new")
    _, data = _open(client, "/setup/new?lang=en")
    data.update({"0.id": "par-lien", "0.title": "Par lien", "0.start": "2027-06-01", "0.end": "2027-06-30"})
    assert client.post("/setup/new", data=data).status_code == 302
    user = verify(app.engine, *FIRST)
    assert user is not None and membership(app.engine, user.id, "par-lien").can_edit  # type: ignore[union-attr]
    again = server.test_client().get(path + "?lang=en")
    assert again.status_code == 410  # once
    viewer = CliRunner().invoke(main, ["user", "invite", "--role", "viewer"], env={"GREENSLATE_DATABASE_URL": db_url})
    assert viewer.exit_code == 2 and "--production" in viewer.output
    unknown = CliRunner().invoke(main, ["user", "invite", "--production", "nowhere"],
                                 env={"GREENSLATE_DATABASE_URL": db_url})
    assert unknown.exit_code == 1 and "nowhere" in unknown.output

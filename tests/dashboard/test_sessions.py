"""Sessions end on the server: a cookie saved before it ended opens nothing, on SQLite and PostgreSQL.

Each test signs in, keeps a copy of the session cookie as an attacker (or a shared computer) would,
ends the session in one of the ways that must end it, then presents the saved cookie from another
client and asks for the CSV download.
"""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select

from greenslate.cli import main
from store import migrate
from store.engine import make_engine
from store.users import add_user, users
from tests.dashboard.conftest import COORDINATOR, VIEWER, Seeded, csrf_of, login

CSV = "/download/feux-aube/csv"


@pytest.fixture
def server(seeded: Seeded) -> Any:
    from dashboard.app import create_app

    return create_app(seeded.app).server


def _signed_in(server: Any, who: tuple[str, str]) -> tuple[Any, str]:
    client = server.test_client()
    assert login(client, *who).status_code == 302
    assert client.get(CSV).status_code == 200
    cookie = client.get_cookie("session")
    assert cookie is not None
    return client, cookie.value


def _with_cookie(server: Any, value: str) -> Any:
    other = server.test_client()
    other.set_cookie("session", value)
    return other


def _refused(client: Any) -> bool:
    answer = client.get(CSV)
    return answer.status_code in (302, 401) and "Scope" not in answer.get_data(as_text=True)


def _gs(seeded: Seeded, *args: str) -> Any:
    return CliRunner().invoke(main, list(args), env={"GREENSLATE_DATABASE_URL": seeded.app.settings.database_url},
                              catch_exceptions=False)


def test_a_cookie_saved_before_logout_no_longer_downloads(server: Any) -> None:
    client, saved = _signed_in(server, COORDINATOR)
    assert _with_cookie(server, saved).get(CSV).status_code == 200  # the copy works while the session lives
    client.post("/logout", data={"csrf": csrf_of(client)})
    assert _refused(_with_cookie(server, saved))
    assert _refused(client)


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(server: Any, seeded: Seeded) -> None:
    _, saved = _signed_in(server, VIEWER)
    add_user(seeded.engine, VIEWER[0], "a brand new passphrase", "feux-aube", "viewer")
    assert _refused(_with_cookie(server, saved))
    again = server.test_client()
    assert login(again, VIEWER[0], "a brand new passphrase").status_code == 302
    assert again.get(CSV).status_code == 200


def test_user_remove_deletes_the_account_and_ends_its_sessions(server: Any, seeded: Seeded) -> None:
    _, saved = _signed_in(server, VIEWER)
    result = _gs(seeded, "user", "remove", VIEWER[0].upper())
    assert result.exit_code == 0, result.output
    assert "removed account vera@example.org" in result.output
    assert _refused(_with_cookie(server, saved))
    assert login(server.test_client(), *VIEWER).status_code == 401
    with seeded.engine.connect() as conn:
        assert conn.execute(select(users.c.id).where(users.c.email == VIEWER[0])).first() is None
    missing = CliRunner().invoke(main, ["user", "remove", VIEWER[0]],
                                 env={"GREENSLATE_DATABASE_URL": seeded.app.settings.database_url})
    assert missing.exit_code == 1 and "no dashboard account" in missing.output


def test_user_revoke_takes_one_production_away_and_ends_the_sessions(server: Any, seeded: Seeded) -> None:
    _, saved = _signed_in(server, COORDINATOR)
    result = _gs(seeded, "user", "revoke", COORDINATOR[0], "--production", "feux-aube")
    assert result.exit_code == 0, result.output
    assert _refused(_with_cookie(server, saved))
    again = server.test_client()
    assert login(again, *COORDINATOR).status_code == 302  # the account stays, with its other production
    assert again.get("/download/court-nuit/csv").status_code == 200
    assert again.get(CSV).status_code == 404
    twice = CliRunner().invoke(main, ["user", "revoke", COORDINATOR[0], "--production", "feux-aube"],
                               env={"GREENSLATE_DATABASE_URL": seeded.app.settings.database_url})
    assert twice.exit_code == 1 and "has no access to 'feux-aube'" in twice.output


def test_migration_0009_adds_the_session_version_and_goes_back_down(db_url: str) -> None:
    migrate.downgrade(db_url, "0008")
    engine = make_engine(db_url)
    try:
        assert "session_version" not in {c["name"] for c in inspect(engine).get_columns("users")}
        with engine.begin() as conn:  # an account made before the migration
            conn.exec_driver_sql("INSERT INTO users (email, password_hash, language, created_at) "
                                 "VALUES ('old@example.org', 'x', 'fr', '2027-01-01 00:00:00')")
        migrate.upgrade(db_url)
        assert migrate.current(db_url) == migrate.head()
        with engine.connect() as conn:
            assert conn.execute(select(users.c.session_version)).scalar_one() == 0
    finally:
        engine.dispose()



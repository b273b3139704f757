"""Accounts from the dashboard: one-time invite links, roles, removal; sessions end at once."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from store.accounts import accept_invite, accounts_of, create_invite, open_invite
from store.users import InvalidAccount, verify
from tests.dashboard.conftest import COORDINATOR, VIEWER, login
from tests.dashboard.test_setup import _csrf


def _post(client: Any, **data: str) -> Any:
    page = client.get("/setup/accounts?production=feux-aube&lang=en").get_data(as_text=True)
    return client.post("/setup/accounts?production=feux-aube&lang=en", data={"csrf": _csrf(page), **data})


def _user_id(seeded: Any, email: str) -> str:
    return str(next(a.user_id for a in accounts_of(seeded.engine, "feux-aube") if a.email == email))


def test_an_invite_link_opens_one_account_once(client_for: Any) -> None:
    coordinator = client_for(COORDINATOR)
    page = _post(coordinator, do="invite", role="viewer").get_data(as_text=True)
    link = re.search(r"<a href='(http://[^']+/join/[^']+)'>", page)[1]  # type: ignore[index]
    path = link[link.index("/join/"):]
    newcomer = client_for(None)
    form = newcomer.get(path + "?lang=en").get_data(as_text=True)
    assert "You are invited as read only" in form
    short = newcomer.post(path, data={"csrf": _csrf(form), "email": "nina@example.org", "password": "short"})
    assert short.status_code == 400 and "at least 10 characters" in short.get_data(as_text=True)
    joined = newcomer.post(path, data={"csrf": _csrf(form), "email": "nina@example.org",
                                       "password": "nina-password-1"})
    assert joined.status_code == 302
    assert newcomer.get("/plan?production=feux-aube").status_code == 200  # signed in
    assert ("nina@example.org", "viewer") in {(a.email, a.role.value) for a in accounts_of(
        client_for.seeded.engine, "feux-aube")}
    again = client_for(None).get(path + "?lang=en")
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)


def test_an_existing_account_joins_with_its_own_password(client_for: Any) -> None:
    engine = client_for.seeded.engine
    token = create_invite(engine, "court-nuit", "viewer", None)
    with pytest.raises(InvalidAccount, match="give its password"):
        accept_invite(engine, token, VIEWER[0], "not-the-password")
    assert open_invite(engine, token) is not None  # a refused use does not spend it
    accept_invite(engine, token, VIEWER[0], VIEWER[1])
    assert verify(engine, *VIEWER) is not None
    expired = create_invite(engine, "feux-aube", "viewer", None, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=8))
    with pytest.raises(InvalidAccount, match="expired"):
        accept_invite(engine, expired, "late@example.org", "late-password-1")


def test_a_role_change_and_a_removal_end_the_sessions_at_once(client_for: Any) -> None:
    seeded = client_for.seeded
    viewer = client_for(VIEWER)
    assert viewer.get("/plan?production=feux-aube").status_code == 200
    coordinator = client_for(COORDINATOR)
    vera = _user_id(seeded, VIEWER[0])
    assert "The role is changed" in _post(coordinator, do="role", user=vera, role="coordinator").get_data(
        as_text=True)
    assert viewer.get("/plan?production=feux-aube").status_code == 302  # back to sign-in
    login(viewer, *VIEWER)
    assert "Remove access" in viewer.get("/setup/accounts?production=feux-aube&lang=en").get_data(as_text=True)
    assert "Access removed" in _post(coordinator, do="revoke", user=vera).get_data(as_text=True)
    assert viewer.get("/plan?production=feux-aube").status_code == 302
    assert VIEWER[0] not in {a.email for a in accounts_of(seeded.engine, "feux-aube")}


def test_the_last_coordinator_stays_and_others_productions_are_respected(client_for: Any) -> None:
    seeded = client_for.seeded
    coordinator = client_for(COORDINATOR)
    marc = _user_id(seeded, COORDINATOR[0])
    page = _post(coordinator, do="role", user=marc, role="viewer").get_data(as_text=True)
    assert "Nothing was changed: the production needs at least one coordinator" in page
    page = _post(coordinator, do="delete", user=marc).get_data(as_text=True)
    assert "also sees productions you do not coordinate" in page  # marc also sees court-nuit
    vera = _user_id(seeded, VIEWER[0])
    assert "Account deleted" in _post(coordinator, do="delete", user=vera).get_data(as_text=True)
    assert verify(seeded.engine, *VIEWER) is None


def test_viewers_see_the_list_and_change_nothing(client_for: Any) -> None:
    viewer = client_for(VIEWER)
    page = viewer.get("/setup/accounts?production=feux-aube&lang=en").get_data(as_text=True)
    assert COORDINATOR[0] in page and "Make an invite link" not in page
    response = viewer.post("/setup/accounts?production=feux-aube",
                           data={"csrf": _csrf(page), "do": "invite", "role": "coordinator"})
    assert response.status_code == 403


def test_migration_0010_adds_the_invites_and_goes_back_down(db_url: str) -> None:
    from sqlalchemy import inspect

    from store import migrate
    from store.engine import make_engine

    migrate.downgrade(db_url, "0009")
    engine = make_engine(db_url)
    try:
        assert "account_invites" not in inspect(engine).get_table_names()
        migrate.upgrade(db_url)
        assert migrate.current(db_url) == migrate.head()
        assert "account_invites" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_an_invite_link_is_no_way_around_the_sign_in_limit(client_for: Any) -> None:
    token = create_invite(client_for.seeded.engine, "court-nuit", "viewer", None)
    client = client_for(None)
    form = client.get(f"/join/{token}?lang=en").get_data(as_text=True)
    codes = [client.post(f"/join/{token}", data={"csrf": _csrf(form), "email": VIEWER[0],
                                                 "password": f"guess-number-{i}"}).status_code for i in range(7)]
    assert codes[:5] == [400] * 5 and codes[5:] == [429, 429]
    assert open_invite(client_for.seeded.engine, token) is not None


def test_a_refusal_reads_in_the_page_s_language(client_for: Any) -> None:
    """The reason is the page's language too, not the store's English."""
    coordinator = client_for(COORDINATOR)
    page = coordinator.get("/setup/accounts?production=feux-aube&lang=fr").get_data(as_text=True)
    marc = _user_id(client_for.seeded, COORDINATOR[0])
    refused = coordinator.post("/setup/accounts?production=feux-aube&lang=fr",
                               data={"csrf": _csrf(page), "do": "role", "user": marc, "role": "viewer"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Rien n&#x27;a été changé : la production a besoin d&#x27;au moins un coordinateur." in text
    assert "needs at least one coordinator" not in text

    path = "/join/" + create_invite(client_for.seeded.engine, "feux-aube", "viewer", None)
    newcomer = client_for(None)
    form = newcomer.get(path + "?lang=fr").get_data(as_text=True)
    short = newcomer.post(path, data={"csrf": _csrf(form), "email": "nina@example.org", "password": "court"})
    said = short.get_data(as_text=True)
    assert short.status_code == 400 and "un mot de passe a au moins 10 caractères" in said
    assert 'id="join-error">' in said and open_invite(client_for.seeded.engine, path[6:]) is not None

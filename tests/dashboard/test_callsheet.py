"""The crew's call sheet: links that work once, QR codes, prompts in plain words, status in words."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from store.telegram import TelegramStore
from tests.dashboard.conftest import COORDINATOR, VIEWER
from tests.dashboard.test_setup import _csrf


@pytest.fixture(autouse=True)
def _bot_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREENSLATE_TELEGRAM_BOT_USERNAME", "feux_aube_bot")


def _tokens(page: str) -> dict[str, str]:
    found = re.findall(r"<h2>([^<]+)</h2>.*?https://t\.me/feux_aube_bot\?start=([\w-]+)", page, re.S)
    return dict(found)


def test_the_call_sheet_lists_every_telegram_member_with_a_working_link(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    status = client.get("/setup/invites?production=feux-aube&lang=en").get_data(as_text=True)
    assert "<th scope='col'>Joined</th>" in status and "Amina Diallo" in status
    page = client.post("/setup/invites?production=feux-aube&lang=en",
                       data={"csrf": _csrf(status), "format": "html"}).get_data(as_text=True)
    tokens = _tokens(page)
    assert set(tokens) == {"Amina Diallo", "Karim Haddad", "Paul Martin", "Léa Bernard", "Sam Okafor",
                           "Inès Moreau"}  # the production office reports travel, nights, purchases
    assert "Every shooting day at 19:30: the odometer of Minibus MB-1, in km." in page
    assert "Every Friday at 18:00: the kilos of waste, by kind." in page
    assert page.count("src='data:image/png;base64,") == 6
    store = TelegramStore(client_for.seeded.engine)
    invite = store.invite(tokens["Amina Diallo"])
    assert invite is not None and invite.member_id == "amina" and invite.used_at is None


def test_a_new_link_replaces_a_lost_one(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    status = client.get("/setup/invites?production=feux-aube&lang=fr").get_data(as_text=True)
    first = _tokens(client.post("/setup/invites?production=feux-aube", data={"csrf": _csrf(status)})
                    .get_data(as_text=True))["Sam Okafor"]
    again = client.post("/setup/invites?production=feux-aube", data={"csrf": _csrf(status), "member": "sam"})
    page = again.get_data(as_text=True)
    assert list(_tokens(page)) == ["Sam Okafor"]
    assert "Chaque vendredi à 18:00 : les kilos de déchets, par type." in page
    store = TelegramStore(client_for.seeded.engine)
    now = dt.datetime.now(dt.UTC)
    assert store.use_invite(first, 999, now) is False  # the lost link no longer works
    assert store.use_invite(_tokens(page)["Sam Okafor"], 999, now) is True


def test_the_pdf_holds_one_page_per_member(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    status = client.get("/setup/invites?production=feux-aube&lang=en").get_data(as_text=True)
    response = client.post("/setup/invites?production=feux-aube&lang=en",
                           data={"csrf": _csrf(status), "format": "pdf"})
    assert response.mimetype == "application/pdf"
    body = response.get_data()
    assert body.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type /Page\b", body)) == 6
    links = re.findall(rb"/URI \((https://t\.me/feux_aube_bot\?start=[\w-]+)\)", body)
    store = TelegramStore(client_for.seeded.engine)
    members = [store.invite(link.decode().split("=", 1)[1]) for link in links]
    assert sorted(m.member_id for m in members if m is not None) == ["amina", "ines", "karim", "lea", "paul", "sam"]


def test_viewers_see_the_status_and_make_no_link(client_for: Any) -> None:
    client = client_for(VIEWER)
    status = client.get("/setup/invites?production=feux-aube&lang=en").get_data(as_text=True)
    assert "Amina Diallo" in status and "Make the call sheet" not in status and "New link" not in status
    response = client.post("/setup/invites?production=feux-aube", data={"csrf": _csrf(status)})
    assert response.status_code == 403


def test_a_production_with_a_bot_of_its_own_gets_links_to_that_bot(client_for: Any,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from domain.usecases import load_production

    app = client_for.seeded.app
    with app.uow() as uow:
        production = uow.productions.get("feux-aube")
    load_production(app.uow(), replace(production, telegram_bot="north"))
    client = client_for(COORDINATOR)
    status = client.get("/setup/invites?production=feux-aube&lang=en").get_data(as_text=True)
    assert "GREENSLATE_TELEGRAM_BOT_USERNAMES" in status  # the default bot's name is not this bot's
    assert "https://t.me/feux_aube_bot" not in client.post(
        "/setup/invites?production=feux-aube&lang=en", data={"csrf": _csrf(status)}).get_data(as_text=True)
    monkeypatch.setenv("GREENSLATE_TELEGRAM_BOT_USERNAMES", "south=feux_sud_bot north=@feux_nord_bot")
    status = client.get("/setup/invites?production=feux-aube&lang=en").get_data(as_text=True)
    page = client.post("/setup/invites?production=feux-aube&lang=en",
                       data={"csrf": _csrf(status)}).get_data(as_text=True)
    assert len(re.findall(r"https://t\.me/feux_nord_bot\?start=[\w-]+", page)) >= 6
    assert "feux_aube_bot" not in page and "feux_sud_bot" not in page

"""The set-up forms: the production file's rules and messages beside the field, nothing lost."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from common.production_setup import stored_document
from tests.dashboard.conftest import COORDINATOR, OUTSIDER, VIEWER


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page)[1]  # type: ignore[index]


def _form(page: str) -> dict[str, Any]:
    """The values a browser would post for the set-up form on ``page`` (ticked boxes only)."""
    form = page[page.index('class="setup-form"'):]
    data: dict[str, Any] = {}
    for m in re.finditer(r"<input ([^>]*)>", form):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', m[1]))
        if attrs.get("type") == "checkbox":
            if " checked" in m[1]:
                data.setdefault(attrs["name"], []).append(attrs.get("value", "on"))
        elif "name" in attrs:
            data[attrs["name"]] = attrs.get("value", "")
    for m in re.finditer(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', m[2])
        data[m[1]] = chosen[1] if chosen else ""
    for m in re.finditer(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[m[1]] = m[2]
    return data


def _open(client: Any, path: str) -> tuple[str, dict[str, Any]]:
    page = client.get(path).get_data(as_text=True)
    return page, _form(page)


def test_a_coordinator_adds_a_crew_member(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    page, data = _open(client, "/setup/crew?production=feux-aube&lang=en")
    assert 'value="amina"' in page
    new = int(data["rows"]) - 1
    data.update({f"{new}.id": "noor", f"{new}.name": "Noor Haddad", f"{new}.role": "driver",
                 f"{new}.channel": "telegram"})
    response = client.post("/setup/crew?production=feux-aube", data=data)
    assert response.status_code == 302
    assert "Saved" in client.get(response.headers["Location"]).get_data(as_text=True)
    crew = stored_document(client_for.seeded.app, "feux-aube")["crew"]
    assert crew[-1] == {"id": "noor", "name": "Noor Haddad", "role": "driver", "channel": "telegram",
                        "language": "fr", "voice": False}


def test_the_loaders_message_is_shown_beside_the_field_and_nothing_changes(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    before = stored_document(client_for.seeded.app, "feux-aube")
    _, data = _open(client, "/setup/vehicles?production=feux-aube&lang=en")
    data["0.odometer_start"] = "-5"
    response = client.post("/setup/vehicles?production=feux-aube", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="vehicles-0-odometer_start" [^>]*aria-invalid="true" aria-describedby='
                     r'"vehicles-0-odometer_start-error"', page)
    assert re.search(r'id="vehicles-0-odometer_start-error">expected a number', page)
    data["0.odometer_start"] = "45010"
    data["1.id"] = "mb1"
    page = client.post("/setup/vehicles?production=feux-aube", data=data).get_data(as_text=True)
    assert re.search(r'id="vehicles-1-id-error">duplicate vehicle id &#x27;mb1&#x27;', page)
    assert stored_document(client_for.seeded.app, "feux-aube") == before


def test_removing_a_vehicle_with_figures_is_refused_with_the_reason(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    before = stored_document(client_for.seeded.app, "feux-aube")
    _, data = _open(client, "/setup/vehicles?production=feux-aube&lang=en")
    data["0.remove"] = "on"
    page = client.post("/setup/vehicles?production=feux-aube", data=data).get_data(as_text=True)
    assert "assignments[0].vehicle: unknown vehicle &#x27;mb1&#x27;" in page  # the loader's rule first
    _, assignments = _open(client, "/setup/assignments?production=feux-aube")
    assignments["0.remove"] = "on"
    assert client.post("/setup/assignments?production=feux-aube", data=assignments).status_code == 302
    before = stored_document(client_for.seeded.app, "feux-aube")
    page = client.post("/setup/vehicles?production=feux-aube", data=data).get_data(as_text=True)
    assert "vehicle &#x27;mb1&#x27; has" in page and "stored figures" in page
    assert stored_document(client_for.seeded.app, "feux-aube") == before


def test_removing_a_crew_member_an_assignment_names_is_refused(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    _, data = _open(client, "/setup/crew?production=feux-aube&lang=en")
    data["6.remove"] = "on"  # marc: no figure, but owner of nothing? the loader says what breaks
    data["4.remove"] = "on"  # sam reports waste and owns action A4
    page = client.post("/setup/crew?production=feux-aube", data=data).get_data(as_text=True)
    assert "What stops this change" in page
    assert "assignments[" in page and "unknown crew member &#x27;sam&#x27;" in page


def test_the_calendar_form_moves_a_day_off(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    _, data = _open(client, "/setup/calendar?production=feux-aube")
    assert data["0.days_off"] == "05/04/2027"  # the French way, as the page is in French
    data["0.days_off"] = "05/04/2027, 2027-04-16"  # a date the ISO way is read too
    assert client.post("/setup/calendar?production=feux-aube", data=data).status_code == 302
    cal = stored_document(client_for.seeded.app, "feux-aube")["production"]["calendar"]
    assert [d.isoformat() for d in cal["days_off"]] == ["2027-04-05", "2027-04-16"]
    data.update({"0.end": "2027-03-10", "0.days_off": ""})  # figures are stored up to late March
    page = client.post("/setup/calendar?production=feux-aube&lang=en", data=data).get_data(as_text=True)
    assert "figures are stored up to" in page


def test_viewers_read_the_forms_and_cannot_change_them(client_for: Any) -> None:
    client = client_for(VIEWER)
    page, data = _open(client, "/setup/crew?production=feux-aube&lang=en")
    assert "Only a coordinator can change it" in page and "disabled" in page
    assert '<button type="submit">Save' not in page
    data["csrf"] = _csrf(page)
    data["0.name"] = "Someone Else"
    before = stored_document(client_for.seeded.app, "feux-aube")
    response = client.post("/setup/crew?production=feux-aube", data=data)
    assert response.status_code == 403
    assert stored_document(client_for.seeded.app, "feux-aube") == before
    assert client_for(OUTSIDER).get("/setup/crew?production=feux-aube").status_code == 404


def test_a_coordinator_creates_a_production_and_becomes_its_coordinator(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    page, data = _open(client, "/setup/new?lang=en")
    data.update({"0.id": "pluie-ete", "0.title": "Pluie d'été", "0.start": "2027-06-01", "0.end": "2027-05-01"})
    page = client.post("/setup/new", data=data).get_data(as_text=True)
    assert "ends (2027-05-01) before it starts" in page
    data["0.end"] = "2027-07-30"
    response = client.post("/setup/new", data=data)
    assert response.status_code == 302
    assert "/setup?production=pluie-ete" in response.headers["Location"]
    doc = stored_document(client_for.seeded.app, "pluie-ete")
    assert doc["production"]["title"] == "Pluie d'été" and doc["crew"] == []
    assert client.get("/setup/crew?production=pluie-ete").status_code == 200
    data["0.title"] = "Another"
    page = client.post("/setup/new", data=data).get_data(as_text=True)
    assert "already exists" in page
    assert client_for(VIEWER).post("/setup/new", data=data).status_code == 403


def test_a_shooting_day_moves_mid_shoot_and_the_prompts_follow(client_for: Any) -> None:
    """Wednesday 14 April moves to Saturday 17 April: a day off plus an extra shooting day."""
    client = client_for(COORDINATOR)
    _, data = _open(client, "/setup/calendar?production=feux-aube")
    data.update({"0.days_off": "2027-04-05 2027-04-14", "0.extra_days": "2027-04-17"})
    assert client.post("/setup/calendar?production=feux-aube", data=data).status_code == 302
    with client_for.seeded.uow() as uow:
        calendar = uow.productions.get("feux-aube").calendar
    assert not calendar.is_shooting_day(dt.date(2027, 4, 14))
    assert calendar.is_shooting_day(dt.date(2027, 4, 17))
    assert len(calendar.shooting_days()) == 39
    data["0.extra_days"] = "2027-04-14"
    page = client.post("/setup/calendar?production=feux-aube", data=data).get_data(as_text=True)
    assert re.search(r'id="calendar-0-extra_days-error">Le 14 avril 2027 est à la fois un jour off et un jour de '
                     r"tournage en plus\. Gardez-le dans une seule liste\.<", page)
    page = client.post("/setup/calendar?production=feux-aube&lang=en", data=data).get_data(as_text=True)
    assert re.search(r'id="calendar-0-extra_days-error">2027-04-14 is both a day off and an extra', page)


def test_a_french_page_shows_the_loaders_message_in_french_beside_the_field(client_for: Any) -> None:
    """The message is French, the field is named by its French label, numbers and dates are written
    the French way, and nothing marks the text as English."""
    client = client_for(COORDINATOR)
    _, data = _open(client, "/setup/action_plan?production=feux-aube&lang=fr")
    data["0.target"] = data["0.baseline"]
    response = client.post("/setup/action_plan?production=feux-aube", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and '<html lang="fr">' in page
    assert re.search(r'id="action_plan-0-target-error">L&#x27;objectif est égal au point de départ\. '
                     r"Le progrès ne peut pas se mesurer\.<", page)
    assert "the target equals the baseline" not in page and '-error" lang=' not in page

    _, data = _open(client, "/setup/assignments?production=feux-aube")
    data["0.vehicle"] = ""
    page = client.post("/setup/assignments?production=feux-aube", data=data).get_data(as_text=True)
    assert re.search(r'id="assignments-0-vehicle-error">Un relevé « kilométrage » a besoin d&#x27;un champ '
                     r"« Véhicule »\. Choisissez un identifiant de véhicule\.<", page)

    _, data = _open(client, "/setup/calendar?production=feux-aube")
    data.update({"0.end": "2027-03-10", "0.days_off": ""})  # figures are stored up to late March
    page = client.post("/setup/calendar?production=feux-aube", data=data).get_data(as_text=True)
    assert re.search(r'id="calendar-0-end-error">Des chiffres sont enregistrés jusqu&#x27;au \d+(er)? mars 2027\. '
                     r"Le calendrier doit finir ce jour-là ou après\.<", page)


def test_a_refusal_for_another_section_is_listed_in_french(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    _, data = _open(client, "/setup/vehicles?production=feux-aube&lang=fr")
    data["0.remove"] = "on"
    page = client.post("/setup/vehicles?production=feux-aube", data=data).get_data(as_text=True)
    assert ("<li>assignments[0].vehicle: &#x27;mb1&#x27; n&#x27;existe pas (véhicule). "
            "Attendu : un identifiant de véhicule : ") in page


def test_creating_a_production_in_french_names_the_fields_by_their_french_labels(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    _, data = _open(client, "/setup/new?lang=fr")
    data.update({"0.id": "pluie-ete", "0.title": "", "0.start": "2027-06-01", "0.end": "2027-05-01"})
    page = client.post("/setup/new", data=data).get_data(as_text=True)
    assert "Le champ « Titre » manque." in page


def test_date_fields_say_their_format_in_the_page_s_language(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    fr = client.get("/setup/calendar?production=feux-aube&lang=fr").get_data(as_text=True)
    assert re.search(r'<span class="hint" id="calendar-0-start-hint">Format : JJ/MM/AAAA, par exemple 01/03/2027.'
                     r'</span><input type="text" id="calendar-0-start" name="0.start" value="01/03/2027"', fr)
    assert 'aria-describedby="calendar-0-start-hint"' in fr
    en = client.get("/setup/calendar?production=feux-aube&lang=en").get_data(as_text=True)
    assert 'Format: YYYY-MM-DD, for example 2027-03-01.</span><input type="text" id="calendar-0-start"' in en
    assert 'value="2027-03-01"' in en and 'type="date"' not in en


def test_a_date_that_cannot_be_read_is_refused_in_the_page_s_language(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    before = stored_document(client_for.seeded.app, "feux-aube")
    _, data = _open(client, "/setup/calendar?production=feux-aube&lang=fr")
    data["0.end"] = "31/02/2027"
    response = client.post("/setup/calendar?production=feux-aube&lang=fr", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="calendar-0-end-error">Ce n’est pas une date : 31/02/2027. Écrivez-la JJ/MM/AAAA', page)
    assert 'aria-invalid="true" aria-describedby="calendar-0-end-hint calendar-0-end-error"' in page
    _, data = _open(client, "/setup/calendar?production=feux-aube&lang=en")
    data["0.days_off"] = "2027-04-05, 03/01/2027"  # 3 January or 1 March? Not guessed in English
    page = client.post("/setup/calendar?production=feux-aube&lang=en", data=data).get_data(as_text=True)
    assert "This is not a date: 03/01/2027. Write it as YYYY-MM-DD" in page
    assert stored_document(client_for.seeded.app, "feux-aube") == before


def test_a_production_is_created_with_dates_typed_the_french_way(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    _, data = _open(client, "/setup/new?lang=fr")
    data.update({"0.id": "vendanges", "0.title": "Vendanges", "0.start": "3/05/2027", "0.end": "2027-05-28"})
    assert client.post("/setup/new", data=data).status_code == 302
    cal = stored_document(client_for.seeded.app, "vendanges")["production"]["calendar"]
    assert (cal["start"], cal["end"]) == (dt.date(2027, 5, 3), dt.date(2027, 5, 28))
    data.update({"0.id": "vendanges-2", "0.start": "le 3 mai"})
    refused = client.post("/setup/new", data=data)
    assert refused.status_code == 400 and "Ce n’est pas une date : le 3 mai." in refused.get_data(as_text=True)

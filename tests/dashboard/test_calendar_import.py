"""Importing the shooting calendar from .ics and .csv: a preview first, the calendar form's rules on saving."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from common.calendar_import import CalendarImportError, proposed_calendar, read_csv, read_ics, shooting_dates
from common.production_setup import stored_document
from tests.dashboard.conftest import COORDINATOR, VIEWER
from tests.dashboard.test_setup import _csrf, _form


def ics(*events: tuple[str, dt.date, dt.date | None]) -> bytes:
    """A calendar as a calendar tool exports it: one all-day event per (title, first day, day after)."""
    from icalendar import Calendar, Event  # the calendar import's library, when the test runs

    cal = Calendar()
    cal.add("prodid", "-//test//greenslate//EN")
    cal.add("version", "2.0")
    for i, (summary, start, end) in enumerate(events):
        event = Event()
        event.add("uid", f"{i}@test")
        event.add("summary", summary)
        event.add("dtstart", start)
        if end is not None:
            event.add("dtend", end)
        cal.add_component(event)
    return cal.to_ical()


D = dt.date


def test_an_ics_file_gives_its_days_and_marks_days_off() -> None:
    data = ics(("Tournage bloc 1", D(2027, 3, 1), D(2027, 3, 8)), ("Relâche", D(2027, 3, 2), D(2027, 3, 3)),
               ("Tournage J4 (samedi)", D(2027, 3, 6), None))
    days = read_ics(data, "Europe/Paris")
    assert days.shooting == {D(2027, 3, 6)}  # named alone: shot, though a Saturday
    assert days.days({0, 1, 2, 3}) == {D(2027, 3, 1), D(2027, 3, 3), D(2027, 3, 4), D(2027, 3, 6)}
    assert days.off == {D(2027, 3, 2)}
    proposed = proposed_calendar({"shooting_days": ["mon", "tue", "wed", "thu"]}, days)
    assert proposed == {"start": D(2027, 3, 1), "end": D(2027, 3, 6), "shooting_days": ["mon", "tue", "wed", "thu"],
                        "days_off": [D(2027, 3, 2)], "extra_days": [D(2027, 3, 6)]}
    assert shooting_dates(proposed) == days.days({0, 1, 2, 3})


def test_a_timed_event_counts_on_its_local_day() -> None:
    start = dt.datetime(2027, 3, 1, 23, 30, tzinfo=dt.UTC)  # 00:30 on 2 March in Paris
    data = ics(("Night shoot", start, start + dt.timedelta(hours=5)))  # type: ignore[arg-type]
    assert read_ics(data, "Europe/Paris").days(set()) == {D(2027, 3, 2)}


def test_a_csv_file_in_either_convention() -> None:
    text = "date;type\n01/03/2027;tournage\n02/03/2027;repos\n2027-03-03;\n\nnot a date;x\n"
    days = read_csv(text.encode("utf-8"))
    assert days.shooting == {D(2027, 3, 1), D(2027, 3, 3)} and days.off == {D(2027, 3, 2)}
    assert days.skipped == 2  # the header and the line without a date


@pytest.mark.parametrize(("data", "code"), [(b"BEGIN:VCALENDAR\nnonsense", "bad_ics"), (b"", "no_days")])
def test_unreadable_files_are_refused_by_name(data: bytes, code: str) -> None:
    with pytest.raises(CalendarImportError) as raised:
        read_ics(data, "Europe/Paris") if code == "bad_ics" else read_csv(data)
    assert raised.value.code == code


def test_the_preview_changes_nothing_and_saving_it_does(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    before = stored_document(client_for.seeded.app, "feux-aube")
    page = client.get("/setup/import?production=feux-aube&lang=en").get_data(as_text=True)
    data = ics(("Tournage", D(2027, 3, 1), D(2027, 4, 24)), ("Lundi de Pâques (férié)", D(2027, 4, 5), None),
               ("Relâche", D(2027, 4, 14), None), ("Tournage rattrapage", D(2027, 4, 17), None))
    response = client.post("/setup/import?production=feux-aube",
                           data={"csrf": _csrf(page), "file": (io.BytesIO(data), "planning.ics")},
                           content_type="multipart/form-data")
    preview = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "New shooting days: 2027-04-17" in preview
    assert "No longer shooting days: 2027-04-14" in preview
    assert stored_document(client_for.seeded.app, "feux-aube") == before
    form = _form(preview)
    assert form["0.extra_days"] == "2027-04-17"
    saved = client.post("/setup/calendar?production=feux-aube", data=form)
    assert saved.status_code == 302
    with client_for.seeded.uow() as uow:
        cal = uow.productions.get("feux-aube").calendar
    assert cal.is_shooting_day(D(2027, 4, 17)) and not cal.is_shooting_day(D(2027, 4, 14))


def test_a_bad_file_says_so_in_the_users_language(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    page = client.get("/setup/import?production=feux-aube&lang=fr").get_data(as_text=True)
    response = client.post("/setup/import?production=feux-aube",
                           data={"csrf": _csrf(page), "file": (io.BytesIO(b"\xff\xfe"), "dates.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "encodage de texte inconnu" in response.get_data(as_text=True)


def test_viewers_cannot_import(client_for: Any) -> None:
    client = client_for(VIEWER)
    page = client.get("/setup/import?production=feux-aube&lang=en").get_data(as_text=True)
    assert "Only a coordinator can change it" in page and 'type="file"' not in page
    response = client.post("/setup/import?production=feux-aube",
                           data={"csrf": _csrf(client.get("/setup?production=feux-aube").get_data(as_text=True)),
                                 "file": (io.BytesIO(b"2027-03-01\n"), "d.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 403

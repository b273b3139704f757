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


def series(*events: dict[str, Any]) -> bytes:
    """A calendar of repeating events, written by the icalendar library as a calendar tool would:
    each dict holds an event's properties (``rrule``, ``exdate``, ``rdate``, ``recurrence-id``...)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//test//greenslate//EN")
    cal.add("version", "2.0")
    for properties in events:
        event = Event()
        for name, value in properties.items():
            event.add(name, value)
        cal.add_component(event)
    return cal.to_ical()


SHOOT = (D(2027, 3, 1), D(2027, 4, 30))  # the production's first and last day


def test_a_weekly_rule_counts_every_week_but_its_exdate() -> None:
    data = series({"uid": "w@test", "summary": "Tournage du lundi", "dtstart": D(2027, 3, 1),
                   "dtend": D(2027, 3, 2), "rrule": {"freq": "weekly", "until": D(2027, 3, 29)},
                   "exdate": D(2027, 3, 15)})
    days = read_ics(data, "Europe/Paris", SHOOT)
    assert days.shooting == {D(2027, 3, 1), D(2027, 3, 8), D(2027, 3, 22), D(2027, 3, 29)}
    assert days.repeating == 1 and days.window == SHOOT


def test_a_daily_rule_with_a_count_and_an_rdate() -> None:
    start = dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)
    data = series({"uid": "d@test", "summary": "Tournage", "dtstart": start,
                   "dtend": start + dt.timedelta(hours=10), "rrule": {"freq": "daily", "count": 5},
                   "rdate": dt.datetime(2027, 3, 13, 8, 0, tzinfo=dt.UTC)})
    days = read_ics(data, "Europe/Paris", SHOOT)
    assert days.days(set()) == {D(2027, 3, d) for d in (1, 2, 3, 4, 5, 13)}


def test_a_moved_occurrence_counts_on_its_new_day_only() -> None:
    data = series(
        {"uid": "m@test", "summary": "Tournage", "dtstart": D(2027, 3, 1), "dtend": D(2027, 3, 2),
         "rrule": {"freq": "weekly", "count": 3}},
        {"uid": "m@test", "summary": "Tournage (décalé)", "recurrence-id": D(2027, 3, 8),
         "dtstart": D(2027, 3, 10), "dtend": D(2027, 3, 11)},
        {"uid": "m@test", "summary": "Relâche", "recurrence-id": D(2027, 3, 15),
         "dtstart": D(2027, 3, 15), "dtend": D(2027, 3, 16)},
    )
    days = read_ics(data, "Europe/Paris", SHOOT)
    assert days.shooting == {D(2027, 3, 1), D(2027, 3, 10)}
    assert days.off == {D(2027, 3, 15)}  # an occurrence retitled "day off" is a day off


def test_a_rule_with_no_end_stops_at_the_production_s_last_day() -> None:
    data = series({"uid": "n@test", "summary": "Tournage", "dtstart": D(2027, 3, 1), "dtend": D(2027, 3, 2),
                   "rrule": {"freq": "daily"}},
                  {"uid": "one@test", "summary": "Essais caméra", "dtstart": D(2027, 2, 20)})
    days = read_ics(data, "Europe/Paris", SHOOT)
    assert min(days.shooting) == D(2027, 2, 20) and max(days.shooting) == D(2027, 4, 30)
    assert len(days.shooting) == 1 + 61  # the single event, and each day of March and April
    minutely = series({"uid": "x@test", "summary": "Tournage", "dtstart": dt.datetime(2027, 3, 1, tzinfo=dt.UTC),
                       "rrule": {"freq": "minutely"}})
    with pytest.raises(CalendarImportError) as raised:
        read_ics(minutely, "Europe/Paris", SHOOT)
    assert raised.value.code == "too_many"


def test_the_preview_says_how_repeating_events_were_counted(client_for: Any) -> None:
    client = client_for(COORDINATOR)
    page = client.get("/setup/import?production=feux-aube&lang=en").get_data(as_text=True)
    data = series({"uid": "w@test", "summary": "Tournage", "dtstart": D(2027, 3, 1), "dtend": D(2027, 3, 6),
                   "rrule": {"freq": "weekly"}, "exdate": D(2027, 3, 15)})
    response = client.post("/setup/import?production=feux-aube",
                           data={"csrf": _csrf(page), "file": (io.BytesIO(data), "planning.ics")},
                           content_type="multipart/form-data")
    preview = response.get_data(as_text=True)
    assert response.status_code == 200, preview
    cal = stored_document(client_for.seeded.app, "feux-aube")["production"]["calendar"]
    assert (f"1 repeating event: it counts each time it happens from {cal['start'].isoformat()} "
            f"to {cal['end'].isoformat()}") in preview
    assert "2027-03-15" in _form(preview)["0.days_off"]

"""Importing the shooting calendar (.ics or .csv): what would change is shown before anything is stored.

The preview is the calendar form itself, filled in with what the file says: saving it goes through
the calendar section's own route, so the production file's rules and the stored figures' check apply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from html import escape

import flask

from common.calendar_import import (
    MAX_IMPORT_BYTES,
    CalendarImportError,
    proposed_calendar,
    read_csv,
    read_ics,
    shooting_dates,
)
from common.production_setup import stored_document
from dashboard import context
from dashboard.auth import csrf_ok, csrf_token
from dashboard.setup.html import message, opened, page, section_form, url
from dashboard.setup.sections import BY_KEY, date_text
from dashboard.texts import tr, trn


def install(server: flask.Flask) -> None:
    server.add_url_rule("/setup/import", "setup_import", import_calendar, methods=["GET", "POST"])


def _upload_form(lang: str, production_id: str) -> str:
    return (
        f'<form method="post" enctype="multipart/form-data" action="{escape(url("/setup/import", production_id))}">'
        f'<input type="hidden" name="csrf" value="{escape(csrf_token())}">'
        f'<p class="field"><label for="calendar-file">{escape(tr("setup.import.file", lang))}</label>'
        f'<input type="file" id="calendar-file" name="file" accept=".ics,.ical,.csv,.txt,text/calendar,text/csv">'
        f"</p><p><button type=\"submit\">{escape(tr('setup.import.preview', lang))}</button></p></form>"
    )


def _days(days: Iterable[dt.date], lang: str) -> str:
    return ", ".join(date_text(d, lang) for d in sorted(days))


def import_calendar() -> flask.Response:
    lang, production_id, member = opened()
    title = tr("setup.import.title", lang)
    intro = f"<p>{escape(tr('setup.import.intro', lang))}</p>"
    if not member.can_edit:
        status = 403 if flask.request.method == "POST" else 200
        kind = "error" if status == 403 else ""
        text = tr("setup.refused", lang) if status == 403 else tr("setup.readonly", lang)
        return page(lang, title, production_id, intro + message(text, kind), status=status)
    if flask.request.method == "GET":
        return page(lang, title, production_id, intro + _upload_form(lang, production_id))
    if not csrf_ok():
        return page(lang, title, production_id, message(tr("login.expired", lang), "error"), status=400)
    upload = flask.request.files.get("file")
    data = upload.read(MAX_IMPORT_BYTES + 1) if upload is not None else b""
    name = (upload.filename or "").lower() if upload is not None else ""
    app = context.greenslate_app()
    doc = stored_document(app, production_id)
    current = doc["production"]["calendar"]
    try:
        if not data:
            raise CalendarImportError("empty")
        if name.endswith((".ics", ".ical")) or data.lstrip().startswith(b"BEGIN:VCALENDAR"):
            days = read_ics(data, doc["production"]["timezone"], (current["start"], current["end"]))
        else:
            days = read_csv(data)
    except CalendarImportError as e:
        problem = message(tr(f"setup.import.error.{e.code}", lang), "error")
        return page(lang, title, production_id, intro + problem + _upload_form(lang, production_id), status=400)
    try:
        proposed = proposed_calendar(current, days)
    except CalendarImportError as e:
        problem = message(tr(f"setup.import.error.{e.code}", lang), "error")
        return page(lang, title, production_id, intro + problem + _upload_form(lang, production_id), status=400)
    before, after = shooting_dates(current), shooting_dates(proposed)
    added, removed = sorted(after - before), sorted(before - after)
    counted = tr("setup.import.count", lang, count=len(after), start=date_text(proposed["start"], lang),
                 end=date_text(proposed["end"], lang))
    summary = [
        f"<h2>{escape(tr('setup.import.changes', lang))}</h2><ul class='changes'>",
        f"<li>{escape(counted)}</li>",
        *(f"<li>{escape(tr(f'setup.import.{key}', lang))} {escape(_days(which, lang) or tr('setup.blank', lang))}</li>"
          for key, which in (("added", added), ("removed", removed))),
    ]
    if days.window is not None:
        first, last = (date_text(d, lang) for d in days.window)
        repeating = trn("setup.import.repeating", days.repeating, lang, start=first, end=last)
        summary.append(f"<li>{escape(repeating)}</li>")
    if days.skipped:
        summary.append(f"<li>{escape(tr('setup.import.skipped', lang, count=days.skipped))}</li>")
    summary.append("</ul>")
    if not added and not removed:
        summary.append(message(tr("setup.import.same", lang), "success"))
    apply_note = (f"<h2>{escape(tr('setup.import.apply', lang))}</h2>"
                  f"<p>{escape(tr('setup.import.apply.help', lang))}</p>")
    form = section_form(BY_KEY["calendar"], lang, production_id, [proposed], {}, {}, editable=True)
    return page(lang, title, production_id, "".join(summary) + apply_note + form)

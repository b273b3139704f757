"""The set-up routes: the set-up page, one form per section, creating a production.

Coordinators change; viewers read the same forms, disabled, and a change they post is refused (403).
Every route asks ``context.access`` first: a production the user does not belong to is a 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import flask

from common.production_file import Problem
from common.production_setup import apply_document, stored_document
from dashboard import context
from dashboard.auth import csrf_ok
from dashboard.setup import accounts, callsheet, importing
from dashboard.setup.html import (
    field_labels,
    message,
    opened,
    page,
    refused_change,
    section_form,
    unreadable_dates,
    url,
)
from dashboard.setup.sections import BY_KEY, SECTIONS, Field, Section, locate, read_form, rows_of
from dashboard.texts import tr
from domain.model import Language, ProductionType
from store.users import DashboardRole, Membership, add_user, may_create_productions

NEW = Section("new", (
    Field("id", width="s"), Field("title", width="l"),
    Field("type", "select", lambda d, f: [t.value for t in ProductionType], labels="setup.type"), Field("timezone"),
    Field("language", "select", lambda d, f: [x.value for x in Language], labels="setup.language"),
    Field("start", "date"), Field("end", "date"),
), path=("production",))


def install(server: flask.Flask) -> None:
    server.before_request(_first_production)
    server.add_url_rule("/setup", "setup", index)
    server.add_url_rule("/setup/new", "setup_new", create, methods=["GET", "POST"])
    importing.install(server)
    accounts.install(server)
    callsheet.install(server)
    server.add_url_rule("/setup/<key>", "setup_section", section_view, methods=["GET", "POST"])


def _first_production() -> flask.Response | None:
    """A signed-in account that sees no production yet starts where it can create one (or is told why not)."""
    if flask.request.path == "/" and context.user_id() is not None and not context.my_memberships():
        return flask.redirect(url("/setup/new"))
    return None


def index() -> flask.Response:
    if not context.my_memberships():
        return flask.redirect(url("/setup/new"))
    lang, production_id, member = opened()
    links = "".join(
        f'<li><a href="{escape(url(f"/setup/{s.key}", production_id))}">{escape(tr(f"setup.section.{s.key}", lang))}'
        "</a></li>" for s in SECTIONS
    )
    body = [f"<p>{escape(tr('setup.intro', lang))}</p>"]
    if flask.request.args.get("created"):
        body.insert(0, message(tr("setup.new.created", lang), "success"))
    if not member.can_edit:
        body.append(f'<p class="note">{escape(tr("setup.readonly", lang))}</p>')
    body.append(f'<ul class="sections">{links}</ul>')
    body.append(f'<p><a href="{escape(url("/setup/invites", production_id))}">{escape(tr("callsheet.title", lang))}'
                "</a></p>")
    body.append(f'<p><a href="{escape(url("/setup/accounts", production_id))}">{escape(tr("accounts.title", lang))}'
                "</a></p>")
    body.append(f'<p><a href="{escape(url("/setup/import", production_id))}">{escape(tr("setup.import.title", lang))}'
                "</a></p>")
    body.append(f'<p><a href="/production-file/{escape(production_id)}" download>{escape(tr("setup.download", lang))}'
                f'</a></p><p class="note">{escape(tr("setup.download.help", lang))}</p>')
    if may_create_productions(context.greenslate_app().engine, context.user_id() or 0):
        body.append(f'<p><a href="{escape(url("/setup/new"))}">{escape(tr("setup.new", lang))}</a></p>')
    return page(lang, tr("setup.title", lang), production_id, "".join(body))


def _problems_by_field(
    section: Section, problems: Sequence[Problem], origin: Sequence[int], rows: Sequence[dict[str, Any]], lang: str
) -> tuple[dict[tuple[int, str], list[str]], list[str]]:
    """The loader's problems in ``lang``: beside their field, or in a list for those of other sections."""
    errors: dict[tuple[int, str], list[str]] = {}
    elsewhere: list[str] = []
    labels = field_labels(lang)
    for p in problems:
        where = locate(section, p.where, origin, rows)
        text = p.text(lang, labels)
        if where is None:
            elsewhere.append(f"{p.where}: {text}" if p.where else text)
        else:
            errors.setdefault(where, []).append(text)
    return errors, elsewhere


def _refused_page(lang: str, production_id: str | None, text: str, status: int) -> flask.Response:
    return page(lang, tr("setup.title", lang), production_id, message(text, "error"), status=status)


def section_view(key: str) -> flask.Response:
    section = BY_KEY.get(key)
    if section is None:
        flask.abort(404)
    lang, production_id, member = opened()
    app = context.greenslate_app()
    doc = stored_document(app, production_id)
    title = tr(f"setup.section.{key}", lang)
    options = {f.name: f.options(doc, app.catalogue.factors) for f in section.fields if f.options}
    rows = rows_of(section, doc)
    errors: dict[tuple[int, str], list[str]] = {}
    notes: list[str] = []
    status = 200
    if flask.request.method == "POST":
        if refused := refused_change(lang, title, production_id, member):
            return refused
        form = flask.request.form
        new, origin, typed = read_form(section, doc, form, form.getlist, lang)
        elsewhere: list[str] = []
        if bad_dates := unreadable_dates(section, typed, lang):  # said in the page's language
            errors = bad_dates
        elif new == doc:
            notes.append(message(tr("setup.unchanged", lang), "success"))
        else:
            outcome = apply_document(app, new)
            if outcome.ok:
                return flask.redirect(url(f"/setup/{key}", production_id, saved="1"))
            errors, elsewhere = _problems_by_field(section, outcome.problems, origin, typed, lang)
        if errors or elsewhere:
            rows = [{**r, "_remove": f"{i}.remove" in form} for i, r in enumerate(typed)]
            if section.many and rows and not any(v not in (None, False, []) for k, v in rows[-1].items()
                                                 if k != "_remove"):
                rows = rows[:-1]
            notes.append(message(tr("setup.problems", lang), "error"))
            if elsewhere:
                items = "".join(f"<li>{escape(e)}</li>" for e in elsewhere)
                notes.append(f'<div class="message error" role="alert"><p>{escape(tr("setup.elsewhere", lang))}'
                             f"</p><ul>{items}</ul></div>")
            status = 400
    elif flask.request.args.get("saved"):
        notes.append(message(tr("setup.saved", lang), "success"))
    if not member.can_edit:
        notes.append(f'<p class="note">{escape(tr("setup.readonly", lang))}</p>')
    back = f'<p><a href="{escape(url("/setup", production_id))}">{escape(tr("setup.back", lang))}</a></p>'
    form_html = section_form(section, lang, production_id, rows, options, errors, editable=member.can_edit)
    return page(lang, title, production_id, "".join(notes) + form_html + back, status=status)


def create() -> flask.Response:
    lang = context.language()
    mine = context.my_memberships()
    shown_for = mine[0].production_id if mine else None
    uid = context.user_id()
    if uid is None or not may_create_productions(context.greenslate_app().engine, uid):
        return _refused_page(lang, shown_for, tr("setup.new.forbidden" if mine else "setup.new.none", lang), 403)
    row: dict[str, Any] = {"timezone": "Europe/Paris", "language": lang, "type": ProductionType.FEATURE_FILM.value}
    errors: dict[tuple[int, str], list[str]] = {}
    if flask.request.method == "POST":
        if not csrf_ok():
            return _refused_page(lang, shown_for, tr("login.expired", lang), 400)
        form = flask.request.form
        row = read_form(NEW, {}, form, form.getlist, lang)[2][0]
        if bad_dates := unreadable_dates(NEW, [row], lang):
            return _new_page(lang, shown_for, mine, row, bad_dates)
        production = {k: v for k, v in row.items() if k not in ("start", "end") and v is not None}
        production["calendar"] = {k: row[k] for k in ("start", "end") if row[k] is not None}
        app = context.greenslate_app()
        outcome = apply_document(app, {"version": 1, "production": production}, create=True)
        if outcome.ok and outcome.production is not None:
            add_user(app.engine, context.user_email(), None, outcome.production.id, DashboardRole.COORDINATOR)
            return flask.redirect(url("/setup", outcome.production.id, created="1"))
        labels = field_labels(lang)
        for p in outcome.problems:
            name = p.where.removeprefix("production.").removeprefix("calendar.").split(".")[0].split("[")[0]
            key = name if name in {f.name for f in NEW.fields} else ""
            errors.setdefault((0, key), []).append(p.text(lang, labels))
        return _new_page(lang, shown_for, mine, row, errors)
    return _new_page(lang, shown_for, mine, row, errors)


def _new_page(lang: str, shown_for: str | None, mine: Sequence[Membership], row: dict[str, Any],
              errors: dict[tuple[int, str], list[str]]) -> flask.Response:
    """The "create a production" form, with the problems of what was sent (400) beside its fields."""
    options = {f.name: f.options({}, context.greenslate_app().catalogue.factors) for f in NEW.fields if f.options}
    notes = message(tr("setup.problems", lang), "error") if errors else ""
    welcome = "" if mine else f"<p>{escape(tr('setup.new.first', lang))}</p>"
    body = welcome + f"<p>{escape(tr('setup.new.intro', lang))}</p>" + notes + section_form(
        NEW, lang, "", [row], options, errors, editable=True, action="/setup/new")
    return page(lang, tr("setup.new", lang), shown_for, body, status=400 if errors else 200)

"""The set-up pages' HTML: a plain server-rendered frame (forms post back, no script needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import urlencode

import flask

from common.production_file.wording import Labels
from dashboard import context
from dashboard.auth import csrf_ok, csrf_token
from dashboard.setup.sections import DATE_LANGUAGE, Field, Section, date_problems, shown
from dashboard.texts import tr
from domain.model import WEEKDAYS
from store.users import Membership


def url(path: str, production_id: str | None = None, **params: str) -> str:
    query = {"production": production_id} if production_id else {}
    query.update({k: v for k, v in params.items() if v})
    return f"{path}?{urlencode(query)}" if query else path


def opened() -> tuple[str, str, Membership]:
    """A set-up page's opening: the language, the production asked for (or the user's first) and the
    user's membership of it; a production the user does not belong to is a 404."""
    production_id = flask.request.args.get("production") or context.default_production()
    member = context.access(production_id)
    if member is None or production_id is None:
        flask.abort(404)
    return context.language(), production_id, member


def refused_change(lang: str, title: str, production_id: str, member: Membership) -> flask.Response | None:
    """The answer to a posted change that may not be made (a viewer's: 403; a stale form: 400), or None."""
    if not member.can_edit:
        return page(lang, title, production_id, message(tr("setup.refused", lang), "error"), status=403)
    if not csrf_ok():
        return page(lang, title, production_id, message(tr("login.expired", lang), "error"), status=400)
    return None


def page(lang: str, title: str, production_id: str | None, body: str, status: int = 200) -> flask.Response:
    other = "en" if lang == "fr" else "fr"
    here = flask.request.path
    mine = context.my_memberships()
    current = next((m for m in mine if m.production_id == production_id), None)
    role = f" ({escape(tr(f'role.{current.role.value}', lang))})" if current else ""
    brand = f" · {escape(current.title)}" if current else ""
    nav = "".join(
        f'<li><a href="{escape(url(path, production_id))}">{escape(tr(key, lang))}</a></li>'
        for key, path in (("nav.overview", "/"), ("nav.plan", "/plan"), ("nav.reporting", "/reporting"),
                          ("nav.practices", "/practices"), ("nav.data", "/data"), ("nav.exports", "/exports"))
    )
    setup_link = escape(url("/setup", production_id))
    nav += f'<li><a href="{setup_link}" aria-current="page">{escape(tr("nav.setup", lang))}</a></li>'
    pages = f'<nav aria-label="{escape(tr("nav.pages", lang))}"><ul class="pages">{nav}</ul></nav>' if mine else ""
    text = f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · greenslate</title>
<link rel="stylesheet" href="/assets/style.css">
</head>
<body>
<a class="skip-link" href="#main">{escape(tr("nav.skip", lang))}</a>
<header class="site-header"><p class="brand">greenslate{brand}</p>
<p class="who">{escape(tr("nav.signed_in", lang, email=context.user_email()))}{role}</p>
<a class="lang-switch" lang="{other}" href="{escape(url(here, production_id, lang=other))}">{
        escape(tr("nav.switch_language", other))}</a>
<form class="logout" method="post" action="/logout"><input type="hidden" name="csrf" value="{escape(csrf_token())}">
<button type="submit">{escape(tr("nav.logout", lang))}</button></form></header>
{pages}
<main id="main" tabindex="-1" class="setup">
<h1>{escape(title)}</h1>
{body}
</main>
</body>
</html>"""
    return flask.Response(text, status=status, mimetype="text/html")


def field_labels(lang: str) -> Labels | None:
    """How the loader's messages name a field on a page in ``lang``: by the form's label in French;
    in English by the production file's own name, as the CLI and the file itself do."""
    if lang == "en":
        return None

    def label(name: str) -> str | None:
        try:
            return tr(f"setup.field.{name}", lang)
        except KeyError:
            return None

    return label


def message(text: str, kind: str = "") -> str:
    role = ' role="alert"' if kind == "error" else ' role="status"'
    return f'<p class="message {kind}"{role}>{escape(text)}</p>'


def _option(f: Field, value: str, lang: str) -> str:
    """An option's words: its label when the field has some (the value itself otherwise)."""
    if not value:
        return tr("setup.blank", lang)
    if f.labels:
        try:
            return tr(f"{f.labels}.{value}", lang)
        except KeyError:
            return value
    return value


def _input_id(section: Section, row: int, name: str) -> str:
    return f"{section.key}-{row}-{name}".replace(".", "-")


def unreadable_dates(section: Section, rows: Sequence[Mapping[str, Any]],
                     lang: str) -> dict[tuple[int, str], list[str]]:
    """A message in the page's language beside each date field whose text is not a date."""
    return {where: [tr("setup.date.unreadable", lang, value=", ".join(texts))]
            for where, texts in date_problems(section, rows).items()}


class _Choices:
    """A select's options as HTML, made once per field and form: a form of many rows (450 assignments,
    each choosing among 150 members, vehicles and generators) repeats the same options in every row."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._made: dict[tuple[str, bool], tuple[str, frozenset[str]]] = {}
        self._options: dict[tuple[str, str, bool], str] = {}

    def __call__(self, f: Field, text: str, options: Sequence[str]) -> str:
        blank_first = f.blank or text == ""
        key = (f.name, blank_first)
        if key not in self._made:
            values = ([""] if blank_first else []) + list(options)
            self._made[key] = ("".join(self._option(f, o, False) for o in values), frozenset(values))
        made, values = self._made[key]
        if text not in values:  # a value the options do not offer (yet) stays shown, chosen
            return made + self._option(f, text, True)
        plain = self._option(f, text, False)
        return made.replace(plain, self._option(f, text, True), 1)

    def _option(self, f: Field, value: str, chosen: bool) -> str:
        key = (f.labels, value, chosen)
        made = self._options.get(key)
        if made is None:
            made = self._options[key] = (f'<option value="{escape(value)}"{" selected" if chosen else ""}>'
                                         f"{escape(_option(f, value, self.lang))}</option>")
        return made


def _field(section: Section, f: Field, row: int, value: Any, lang: str, options: Sequence[str],
           errors: Sequence[str], disabled: bool, choices: _Choices) -> str:
    name = f"{row}.{f.name}"
    ident = _input_id(section, row, f.name)
    label = escape(tr(f"setup.field.{f.name}", lang))
    off = " disabled" if disabled else ""
    err_id = f"{ident}-error"
    hint_id = f"{ident}-hint"
    # A date's expected form, written out in the page's language: the browser's date picker would
    # follow the browser's locale instead, whatever language the page is in.
    hint = (f'<span class="hint" id="{hint_id}">{escape(tr(f"setup.{f.kind}.hint", lang))}</span>'
            if f.kind in ("date", "dates") else "")
    described_by = " ".join(i for i, on in ((hint_id, bool(hint)), (err_id, bool(errors))) if on)
    described = (' aria-invalid="true"' if errors else "") + (
        f' aria-describedby="{described_by}"' if described_by else "")
    error_html = "".join(
        f'<span class="field-error" id="{err_id}">{escape(e)}</span>' for e in errors[:1]
    ) + "".join(f'<span class="field-error">{escape(e)}</span>' for e in errors[1:])
    if f.kind == "check":
        checked = " checked" if value is True else ""
        return (f'<p class="field check"><input type="checkbox" id="{ident}" name="{name}"{checked}{off}{described}>'
                f'<label for="{ident}">{label}</label>{error_html}</p>')
    if f.kind == "weekdays":
        chosen = set(value or [])
        boxes = "".join(
            f'<label><input type="checkbox" name="{name}" value="{d}"{" checked" if d in chosen else ""}{off}>'
            f'{escape(tr(f"setup.weekday.{d}", lang))}</label>'
            for d in WEEKDAYS
        )
        return (f'<fieldset class="field weekdays"{described}><legend>{label}</legend>{boxes}{error_html}</fieldset>')
    text = shown(value, lang)
    if f.kind == "select":
        control = f'<select id="{ident}" name="{name}"{off}{described}>{choices(f, text, options)}</select>'
    elif f.kind == "long":
        control = f'<textarea id="{ident}" name="{name}" rows="2"{off}{described}>{escape(text)}</textarea>'
    else:
        kind = "time" if f.kind == "time" else "text"
        mode = {"number": ' inputmode="decimal"', "date": ' autocomplete="off"', "dates": ' autocomplete="off"'}
        control = (f'<input type="{kind}" id="{ident}" name="{name}" value="{escape(text)}"{mode.get(f.kind, "")}'
                   f'{off}{described}>')
    return f'<p class="field w-{f.width}"><label for="{ident}">{label}</label>{hint}{control}{error_html}</p>'


def section_form(
    section: Section, lang: str, production_id: str, rows: Sequence[Mapping[str, Any]],
    options: Mapping[str, Sequence[str]], errors: Mapping[tuple[int, str], list[str]], *, editable: bool,
    action: str | None = None,
) -> str:
    """The form of one section: one fieldset per row (and one empty row to add), errors beside fields
    in the page's language."""
    shown_rows = list(rows) + ([{}] if section.many and editable else [])
    parts = []
    choices = _Choices(lang)
    for i, row in enumerate(shown_rows):
        fields = "".join(
            _field(section, f, i, row.get(f.name), lang, options.get(f.name, ()), errors.get((i, f.name), []),
                   not editable, choices)
            for f in section.fields
        )
        row_errors = "".join(f'<p class="field-error">{escape(e)}</p>' for e in errors.get((i, ""), []))
        if not section.many:
            parts.append(f'<div class="row single">{fields}{row_errors}</div>')
            continue
        new = i >= len(rows)
        legend = tr("setup.row.new", lang) if new else tr("setup.row", lang, n=i + 1)
        ident = row.get("id") or row.get("name") or row.get("who") or ""
        legend_text = f"{legend}: {ident}" if ident and not new else legend
        rid = _input_id(section, i, "remove")
        ticked = " checked" if row.get("_remove") else ""
        remove = "" if new or not editable else (
            f'<p class="field check remove"><input type="checkbox" id="{rid}" name="{i}.remove"{ticked}>'
            f'<label for="{rid}">{escape(tr("setup.remove", lang))}</label></p>')
        parts.append(f'<fieldset class="row"><legend>{escape(legend_text)}</legend>{fields}{row_errors}{remove}'
                     f"</fieldset>")
    target = action or url(f"/setup/{section.key}", production_id)
    hidden = (f'<input type="hidden" name="csrf" value="{escape(csrf_token())}">'
              f'<input type="hidden" name="rows" value="{len(shown_rows)}">'
              f'<input type="hidden" name="{DATE_LANGUAGE}" value="{lang}">')
    submit = f'<p><button type="submit">{escape(tr("setup.save", lang))}</button></p>' if editable else ""
    return (f'<form method="post" action="{escape(target)}" class="setup-form" novalidate>{hidden}'
            f'{"".join(parts)}{submit}</form>')

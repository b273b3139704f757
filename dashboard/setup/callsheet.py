"""The crew's call sheet: each member's invite link and QR code, and their prompts in plain words.

A printable page and a PDF (fpdf2) from the same links. Making a call sheet makes new single-use
links and retires the members' unused ones, so a lost sheet stops working once a new one is made.
The status table says who has joined, consented, is paused or unreachable, in words.
"""

from __future__ import annotations

import datetime as dt
import io
from html import escape
from pathlib import Path

import flask

from common.crew_invites import (
    InviteLink,
    configured_bot_username,
    create_invites,
    qr_data_uri,
    qr_png,
    username_variable,
)
from dashboard import context
from dashboard.auth import csrf_token
from dashboard.setup.html import message, opened, page, refused_change, url
from dashboard.texts import tr
from domain.errors import UnknownMember
from domain.model import WEEKDAYS, Assignment, Frequency, GeneratorMode, MileageMode, Production, ReportKind

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def install(server: flask.Flask) -> None:
    server.add_url_rule("/setup/invites", "setup_invites", invites, methods=["GET", "POST"])


def _when(a: Assignment, lang: str) -> str:
    at = a.at.strftime("%H:%M")
    if a.frequency is Frequency.WEEKLY and a.weekday is not None:
        return tr("callsheet.when.weekly", lang, weekday=tr(f"setup.weekday.{WEEKDAYS[a.weekday]}", lang), at=at)
    if a.frequency is Frequency.MONTHLY:
        if a.day_of_month is None:
            return tr("callsheet.when.monthly_last", lang, at=at)
        return tr("callsheet.when.monthly", lang, day=a.day_of_month, at=at)
    return tr("callsheet.when.daily", lang, at=at)


def _what(production: Production, a: Assignment, lang: str) -> str:
    labels = ({v.id: v.label for v in production.vehicles} | {g.id: g.label for g in production.generators}
              | {s.id: s.label for s in production.sites})
    subject = labels.get(a.subject or "", a.subject or "")
    if a.report is ReportKind.MILEAGE:
        key = "distance" if a.mode is MileageMode.DISTANCE else "odometer"
    elif a.report is ReportKind.GENERATOR_HOURS:
        key = "meter" if a.mode is GeneratorMode.METER else "hours"
    else:
        key = a.report.value
    return tr(f"callsheet.what.{key}", lang, subject=subject)


def prompt_lines(production: Production, member_id: str, lang: str) -> list[str]:
    """What the bot will ask this member, and when, one plain sentence each."""
    return [tr("callsheet.prompt", lang, when=_when(a, lang), what=_what(production, a, lang))
            for a in production.assignments if a.who == member_id]


HEADS = ["name", "role", "channel", "joined", "consented", "paused", "unreachable", "invite"]


def _status_table(production: Production, lang: str, editable: bool) -> str:
    app = context.greenslate_app()
    with app.uow() as uow:
        states = {s.member_id: s for s in uow.members.states(production.id)}
    today = dt.datetime.now(production.zone).date()
    yes, no = tr("callsheet.yes", lang), tr("callsheet.no", lang)
    rows = []
    for m in production.crew:
        s = states.get(m.id)
        joined = s is not None and s.telegram_chat_id is not None
        consented = s is not None and s.consent_at is not None
        paused = s is not None and s.paused_until is not None and s.paused_until >= today
        unreachable = s is not None and s.unreachable
        paused_text = tr("callsheet.paused_until", lang, day=s.paused_until.isoformat()) if paused and s else no
        action = ""
        if editable and m.channel.value == "telegram":
            action = (f"<form method='post' action='{escape(url('/setup/invites', production.id))}' class='inline'>"
                      f"<input type='hidden' name='csrf' value='{escape(csrf_token())}'>"
                      f"<input type='hidden' name='member' value='{escape(m.id)}'>"
                      f"<button type='submit'>{escape(tr('callsheet.regenerate', lang, name=m.name or m.id))}"
                      "</button></form>")
        cells = [m.name or m.id, m.role.value, m.channel.value, yes if joined else no, yes if consented else no,
                 paused_text, yes if unreachable else no]
        labels = [tr(f"callsheet.col.{h}", lang) for h in HEADS]
        tds = "".join(f"<td data-label='{escape(h)}'>{escape(c)}</td>" for h, c in zip(labels, cells, strict=False))
        rows.append(f"<tr>{tds}<td data-label='{escape(labels[-1])}'>{action}</td></tr>")
    heads = HEADS
    head = "".join(f"<th scope='col'>{escape(tr(f'callsheet.col.{h}', lang))}</th>" for h in heads)
    caption = escape(tr("callsheet.status", lang))
    return (f"<div class='table-wrap' tabindex='0' role='region' aria-label='{caption}'><table>"
            f"<caption>{caption}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def _sheet(production: Production, links: list[InviteLink], lang: str) -> str:
    cards = []
    for link in links:
        member = production.member(link.member_id)
        prompts = "".join(f"<li>{escape(p)}</li>" for p in prompt_lines(production, link.member_id, lang))
        cards.append(
            f"<article class='invite-card'><h2>{escape(link.name or link.member_id)}</h2>"
            f"<p>{escape(member.role.value)}</p>"
            f"<img src='{qr_data_uri(link.url)}' width='200' height='200' "
            f"alt='{escape(tr('callsheet.qr_alt', lang, name=link.name or link.member_id))}'>"
            f"<p class='invite-link'>{escape(link.url)}</p>"
            f"<p>{escape(tr('callsheet.how', lang))}</p><ul>{prompts}</ul>"
            f"<p class='note'>{escape(tr('callsheet.expires', lang, day=link.expires_at.date().isoformat()))}</p>"
            "</article>")
    return f"<div class='callsheet'>{''.join(cards)}</div>"


def _pdf(production: Production, links: list[InviteLink], lang: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    if FONT.exists():
        pdf.add_font("body", "", str(FONT))
        family = "body"
    else:  # the core font: Latin-1 only
        family = "helvetica"

    def text(value: str) -> str:
        return value if family == "body" else value.encode("latin-1", "replace").decode("latin-1")

    pdf.set_title(text(tr("callsheet.title", lang) + " - " + production.title))
    for link in links:
        pdf.add_page()
        pdf.set_font(family, size=20)
        pdf.multi_cell(0, 10, text(link.name or link.member_id), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=12)
        pdf.multi_cell(0, 7, text(f"{production.title} - {production.member(link.member_id).role.value}"),
                       new_x="LMARGIN", new_y="NEXT")
        pdf.image(io.BytesIO(qr_png(link.url)), w=70, h=70)
        pdf.set_font(family, size=10)
        pdf.cell(0, 7, text(link.url), link=link.url, new_x="LMARGIN", new_y="NEXT")  # also a link to tap
        pdf.set_font(family, size=12)
        pdf.ln(3)
        pdf.multi_cell(0, 7, text(tr("callsheet.how", lang)), new_x="LMARGIN", new_y="NEXT")
        for line in prompt_lines(production, link.member_id, lang):
            pdf.multi_cell(0, 7, text("- " + line), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.multi_cell(0, 7, text(tr("callsheet.expires", lang, day=link.expires_at.date().isoformat())),
                       new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _make_form(production_id: str, lang: str) -> str:
    return (f"<form method='post' action='{escape(url('/setup/invites', production_id))}'>"
            f"<input type='hidden' name='csrf' value='{escape(csrf_token())}'>"
            f"<fieldset class='radios'><legend>{escape(tr('callsheet.format', lang))}</legend>"
            "<label><input type='radio' name='format' value='html' checked> "
            f"{escape(tr('callsheet.format.html', lang))}"
            f"</label><label><input type='radio' name='format' value='pdf'> {escape(tr('callsheet.format.pdf', lang))}"
            f"</label></fieldset><p>{escape(tr('callsheet.make.help', lang))}</p>"
            f"<p><button type='submit'>{escape(tr('callsheet.make', lang))}</button></p></form>")


def invites() -> flask.Response:
    lang, production_id, member = opened()
    app = context.greenslate_app()
    with app.uow() as uow:
        production = uow.productions.get(production_id)
    title = tr("callsheet.title", lang)
    username = configured_bot_username(production.telegram_bot)
    if flask.request.method == "POST":
        if refused := refused_change(lang, title, production_id, member):
            return refused
        if not username:
            text = tr("callsheet.no_username", lang, variable=username_variable(production.telegram_bot))
            return page(lang, title, production_id, message(text, "error"), status=400)
        chosen = flask.request.form.get("member") or None
        try:
            links = create_invites(app, production_id, username, [chosen] if chosen else None, replace=True)
        except UnknownMember:
            return page(lang, title, production_id, message(tr("form.invalid", lang), "error"), status=400)
        if not links:
            return page(lang, title, production_id, message(tr("callsheet.nobody", lang), "error"), status=400)
        if flask.request.form.get("format") == "pdf":
            response = flask.Response(_pdf(production, links, lang), mimetype="application/pdf")
            response.headers["Content-Disposition"] = f'attachment; filename="{production_id}-call-sheet.pdf"'
            response.headers["Cache-Control"] = "no-store"
            return response
        body = message(tr("callsheet.made", lang), "success") + _sheet(production, links, lang)
        return page(lang, title, production_id, body)
    body = [_status_table(production, lang, member.can_edit and bool(username))]
    if not member.can_edit:
        body.append(f"<p class='note'>{escape(tr('setup.readonly', lang))}</p>")
    elif not username:
        variable = username_variable(production.telegram_bot)
        body.append(message(tr("callsheet.no_username", lang, variable=variable), "error"))
    else:
        body.append(_make_form(production_id, lang))
    body.append(f'<p><a href="{escape(url("/setup", production_id))}">{escape(tr("setup.back", lang))}</a></p>')
    return page(lang, title, production_id, "".join(body))

"""Who may open the production in the dashboard: invite by one-time link, change a role, remove.

Coordinators change; viewers see the list. The invite link is shown once, right after it is made
(only its hash is stored). ``/join/TOKEN`` is open to anyone holding the link, once.
"""

from __future__ import annotations

from html import escape

import flask

from dashboard import context
from dashboard.auth import attempts_left, csrf_ok, csrf_token, sign_in
from dashboard.setup.html import message, opened, page, refused_change, url
from dashboard.texts import tr, trn
from store.accounts import (
    accept_invite,
    accounts_of,
    create_invite,
    open_invite,
    remove_account,
    remove_membership,
    set_role,
)
from store.users import MIN_PASSWORD_LENGTH, DashboardRole, InvalidAccount


def install(server: flask.Flask) -> None:
    server.add_url_rule("/setup/accounts", "setup_accounts", accounts, methods=["GET", "POST"])
    server.add_url_rule("/join/<token>", "join", join, methods=["GET", "POST"])


def _hidden() -> str:
    return f'<input type="hidden" name="csrf" value="{escape(csrf_token())}">'


def _role_options(lang: str, chosen: str) -> str:
    return "".join(
        f'<option value="{r.value}"{" selected" if r.value == chosen else ""}>{escape(tr(f"role.{r.value}", lang))}'
        "</option>" for r in DashboardRole)


def _list(lang: str, production_id: str, editable: bool) -> str:
    app = context.greenslate_app()
    me = context.user_id()
    col_email, col_role = escape(tr("accounts.email", lang)), escape(tr("accounts.role", lang))
    col_actions = escape(tr("accounts.actions", lang))
    rows = []
    for a in accounts_of(app.engine, production_id):
        who = escape(a.email) + (f" ({escape(tr('accounts.you', lang))})" if a.user_id == me else "")
        if not editable:
            rows.append(f"<tr><td data-label='{col_email}'>{who}</td>"
                        f"<td data-label='{col_role}'>{escape(tr(f'role.{a.role.value}', lang))}</td></tr>")
            continue
        target = escape(url("/setup/accounts", production_id))
        ident = f"role-{a.user_id}"
        rows.append(
            f"<tr><td data-label='{col_email}'>{who}</td><td data-label='{col_role}'>"
            f"<form method='post' action='{target}' class='inline'>{_hidden()}"
            f"<input type='hidden' name='user' value='{a.user_id}'><input type='hidden' name='do' value='role'>"
            f"<label for='{ident}' class='visually-hidden'>{escape(tr('accounts.role_of', lang, email=a.email))}"
            f"</label><select id='{ident}' name='role'>{_role_options(lang, a.role.value)}</select> "
            f"<button type='submit'>{escape(tr('accounts.change_role', lang))}</button></form></td>"
            f"<td data-label='{col_actions}'><form method='post' action='{target}' class='inline'>{_hidden()}"
            f"<input type='hidden' name='user' value='{a.user_id}'><input type='hidden' name='do' value='revoke'>"
            f"<button type='submit'>{escape(tr('accounts.revoke', lang))}</button></form> "
            f"<form method='post' action='{target}' class='inline'>{_hidden()}"
            f"<input type='hidden' name='user' value='{a.user_id}'><input type='hidden' name='do' value='delete'>"
            f"<button type='submit'>{escape(tr('accounts.delete', lang))}</button></form></td></tr>")
    head = (f"<th scope='col'>{escape(tr('accounts.email', lang))}</th>"
            f"<th scope='col'>{escape(tr('accounts.role', lang))}</th>"
            + (f"<th scope='col'>{escape(tr('accounts.actions', lang))}</th>" if editable else ""))
    caption = escape(tr("accounts.caption", lang))
    return (f"<div class='table-wrap' tabindex='0' role='region' aria-label='{caption}'><table>"
            f"<caption>{caption}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def _invite_form(lang: str, production_id: str) -> str:
    return (f"<h2>{escape(tr('accounts.invite', lang))}</h2><p>{escape(tr('accounts.invite.help', lang))}</p>"
            f"<form method='post' action='{escape(url('/setup/accounts', production_id))}'>{_hidden()}"
            "<input type='hidden' name='do' value='invite'>"
            f"<p class='field'><label for='invite-role'>{escape(tr('accounts.role', lang))}</label>"
            f"<select id='invite-role' name='role'>{_role_options(lang, DashboardRole.VIEWER.value)}</select></p>"
            f"<p><button type='submit'>{escape(tr('accounts.invite.make', lang))}</button></p></form>")


def accounts() -> flask.Response:
    lang, production_id, member = opened()
    title = tr("accounts.title", lang)
    notes: list[str] = []
    status = 200
    if flask.request.method == "POST":
        if refused := refused_change(lang, title, production_id, member):
            return refused
        notes, status = _act(lang, production_id)
    body = "".join(notes) + _list(lang, production_id, member.can_edit)
    if member.can_edit:
        body += _invite_form(lang, production_id)
    else:
        body += f"<p class='note'>{escape(tr('setup.readonly', lang))}</p>"
    body += f'<p><a href="{escape(url("/setup", production_id))}">{escape(tr("setup.back", lang))}</a></p>'
    return page(lang, title, production_id, body, status=status)


def _act(lang: str, production_id: str) -> tuple[list[str], int]:
    app = context.greenslate_app()
    form = flask.request.form
    action = form.get("do", "")
    try:
        if action == "invite":
            token = create_invite(app.engine, production_id, DashboardRole(form.get("role", "")), context.user_id())
            link = flask.request.host_url.rstrip("/") + f"/join/{token}"
            return [message(tr("accounts.invite.made", lang), "success"),
                    f"<p class='invite-link'><a href='{escape(link)}'>{escape(link)}</a></p>"], 200
        user_id = int(form.get("user", ""))
        if action == "role":
            set_role(app.engine, user_id, production_id, DashboardRole(form.get("role", "")))
            return [message(tr("accounts.role.changed", lang), "success")], 200
        if action == "revoke":
            remove_membership(app.engine, user_id, production_id)
            return [message(tr("accounts.revoked", lang), "success")], 200
        if action == "delete":
            mine = {m.production_id for m in context.my_memberships() if m.can_edit}
            remove_account(app.engine, user_id, mine)
            return [message(tr("accounts.deleted", lang), "success")], 200
    except InvalidAccount as e:
        return [message(_refusal(e, lang), "error")], 400
    except ValueError:
        pass
    return [message(tr("form.invalid", lang), "error")], 400


def _refusal(e: InvalidAccount, lang: str) -> str:
    """Why an account change was refused, in the page's language."""
    reason = tr(f"accounts.why.{e.reason}", lang, minimum=MIN_PASSWORD_LENGTH) if e.reason else str(e)
    return tr("accounts.refused", lang, reason=reason)


def join(token: str) -> flask.Response | str:
    """The invite link: choose a password (or give an existing account's), then the dashboard opens."""
    lang = context.language()
    app = context.greenslate_app()
    invite = open_invite(app.engine, token)
    title = tr("join.title", lang)
    if invite is None:
        return _public(lang, title, message(tr("join.spent", lang), "error"), 410)
    error = ""
    email = ""
    status = 200
    if flask.request.method == "POST":
        email = flask.request.form.get("email", "").strip()
        if not csrf_ok():
            error, status = tr("login.expired", lang), 400
        elif wait := attempts_left(email):
            error, status = trn("login.throttled", max(1, -(-wait // 60)), lang), 429
        else:
            try:
                user = accept_invite(app.engine, token, email, flask.request.form.get("password", ""), language=lang)
            except InvalidAccount as e:
                error, status = _refusal(e, lang), 400
            else:
                sign_in(user.id, user.email, user.language, user.session_version)
                if invite.production_id is None:  # an invite to create: straight to it
                    return flask.redirect(url("/setup/new"))
                return flask.redirect(url("/", invite.production_id))
    role = tr(f"role.{invite.role.value}", lang)
    described = ' aria-describedby="join-error"' if error else ""
    intro = "join.intro" if invite.production_id is not None else "join.intro.create"
    body = (
        f"<p>{escape(tr(intro, lang, role=role, minimum=MIN_PASSWORD_LENGTH))}</p>"
        + (f'<p class="message error" role="alert" id="join-error">{escape(error)}</p>' if error else "")
        + f"<form method='post'>{_hidden()}"
        f"<p><label for='email'>{escape(tr('login.email', lang))}</label>"
        f"<input id='email' name='email' type='email' autocomplete='username' required value='{escape(email)}'"
        f"{described}></p>"
        f"<p><label for='password'>{escape(tr('login.password', lang))}</label>"
        f"<input id='password' name='password' type='password' autocomplete='new-password' required{described}></p>"
        f"<p><button type='submit'>{escape(tr('join.submit', lang))}</button></p></form>")
    return _public(lang, title, body, status)


def _public(lang: str, title: str, body: str, status: int) -> flask.Response:
    other = "en" if lang == "fr" else "fr"
    text = f"""<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · greenslate</title><link rel="stylesheet" href="/assets/style.css"></head>
<body><header class="site-header"><p class="brand">greenslate</p>
<nav aria-label="{escape(tr("nav.language", lang))}"><a href="?lang={other}" lang="{other}">{
        escape(tr("nav.switch_language", other))}</a></nav></header>
<main id="main" class="login"><h1>{escape(title)}</h1>{body}</main></body></html>"""
    return flask.Response(text, status=status, mimetype="text/html")

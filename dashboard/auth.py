"""Sign-in for the dashboard: flask-login on Dash's Flask server, argon2 hashes in store.users.

Every request but the sign-in page needs a session; Dash's own endpoints answer 401 without one,
pages redirect to the sign-in page. The session cookie is signed with
``GREENSLATE_DASHBOARD_SECRET_KEY``; without it a random key is made for this process only.
A session also ends on the server: the cookie carries its account's session version, checked on
every request, and signing out, a new password, ``greenslate user remove`` and ``user revoke``
raise it, so a cookie saved before no longer opens anything.

Sign-in attempts are counted (the ``limits`` library, a moving window) per email address and per
client address, each one when it arrives and before its password is checked, in one atomic step
of the storage: past ``GREENSLATE_DASHBOARD_LOGIN_LIMIT`` for an address, or
``GREENSLATE_DASHBOARD_LOGIN_LIMIT_PER_CLIENT`` from one client, a sign-in is refused with 429 and
a message saying how long to wait, and no password is checked. So attempts sent all at once get
no more checks than attempts sent one by one. The counts live in this process (``memory://``)
unless ``GREENSLATE_DASHBOARD_LOGIN_LIMIT_STORAGE`` names a shared store
(``redis://127.0.0.1:6379``, with the ``redis`` extra) for several dashboard processes. A
successful sign-in clears its address's count; it still counts for its client.
"""

from __future__ import annotations

import hmac
import logging
import math
import secrets
import threading
import time
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode, urlsplit

import flask
from flask_login import LoginManager, UserMixin, login_user, logout_user
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from base.i18n import normalise_language
from dashboard import context
from dashboard.texts import tr, trn
from store.users import end_sessions, get_user, set_language, verify, warm_up

log = logging.getLogger(__name__)

#: The session's key for its account's session version (see ``store.users.end_sessions``).
SESSION_VERSION = "sv"

#: Paths anyone may open: the sign-in page and the stylesheet it uses, matched exactly.
PUBLIC_PATHS = frozenset({"/login", "/assets/style.css"})
#: Paths under which anyone may open a page: the one-time invite links (``/join/TOKEN``).
PUBLIC_PREFIXES = ("/join/",)


class DashboardUser(UserMixin):
    def __init__(self, user_id: int, email: str, language: str) -> None:
        self.id = user_id
        self.email = email
        self.language = language


def secret_key(configured: str | None) -> str:
    if configured:
        return configured
    log.warning(
        "GREENSLATE_DASHBOARD_SECRET_KEY is not set: using a random key for this process; "
        "dashboard sessions will not survive a restart"
    )
    return secrets.token_urlsafe(48)


NAMESPACE = "greenslate-login"


@dataclass(frozen=True)
class LoginThrottle:
    """Sign-in attempts per email address and per client address, in a moving window."""

    limiter: MovingWindowRateLimiter
    per_email: RateLimitItem
    per_client: RateLimitItem

    @classmethod
    def from_settings(cls, settings: object) -> LoginThrottle:
        storage = storage_from_string(getattr(settings, "dashboard_login_limit_storage", "memory://"))
        return cls(
            MovingWindowRateLimiter(storage),
            parse(getattr(settings, "dashboard_login_limit", "5 per 15 minutes")),
            parse(getattr(settings, "dashboard_login_limit_per_client", "30 per 15 minutes")),
        )

    def _keys(self, email: str, client: str) -> list[tuple[RateLimitItem, str, str]]:
        return [(self.per_email, "email", email.casefold()), (self.per_client, "client", client)]

    def attempt(self, email: str, client: str) -> int:
        """Count one sign-in attempt now, before its password is checked: 0 if it may go on, else the
        seconds to wait.

        Each count is one atomic step of the storage (a lock in memory, one script in Redis) that
        counts the attempt only if the limit allows it: however many attempts arrive at once, no
        more than the limit ever reach the password check.
        """
        for item, kind, key in self._keys(email, client):
            if not self.limiter.hit(item, NAMESPACE, kind, key):
                reset = self.limiter.get_window_stats(item, NAMESPACE, kind, key).reset_time
                return math.ceil(max(reset - time.time(), 1.0))
        return 0

    def succeeded(self, email: str) -> None:
        """The right password: that address's attempts are forgiven (its owner has proved who they are)."""
        self.limiter.clear(self.per_email, NAMESPACE, "email", email.casefold())


_throttle_made = threading.Lock()


def _throttle() -> LoginThrottle:
    server = flask.current_app
    with _throttle_made:  # one throttle per server: requests arriving together must share its counts
        throttle = server.extensions.get("greenslate-login-throttle")
        if throttle is None:
            throttle = LoginThrottle.from_settings(context.greenslate_app().settings)
            server.extensions["greenslate-login-throttle"] = throttle
    return throttle  # type: ignore[no-any-return]


def install(server: flask.Flask, configured_secret: str | None) -> None:
    server.secret_key = secret_key(configured_secret)
    warm_up()  # the first unknown email at sign-in then costs what any wrong password does
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )
    manager = LoginManager()
    manager.init_app(server)

    @manager.user_loader
    def load_user(user_id: str) -> DashboardUser | None:
        """The signed-in account, on every request: only while its session version is the stored one."""
        try:
            found = get_user(context.greenslate_app().engine, int(user_id))
        except ValueError:
            return None
        if found is None or flask.session.get(SESSION_VERSION) != found.session_version:
            return None  # removed, signed out, new password or access taken away: this session is over
        return DashboardUser(found.id, found.email, found.language)

    server.before_request(_guard)
    server.after_request(_headers)
    server.add_url_rule("/login", "login", _login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", _logout, methods=["POST"])


def _guard() -> flask.Response | None:
    """Refuse everything to anonymous visitors but the sign-in page; remember ``?lang=``."""
    lang = flask.request.args.get("lang")
    if lang:
        lang = normalise_language(lang)
        if flask.session.get("lang") != lang:
            flask.session["lang"] = lang
            uid = context.user_id()
            if uid is not None:
                set_language(context.greenslate_app().engine, uid, lang)
    path = flask.request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES) or context.user_id() is not None:
        return None
    if path.startswith("/_") or flask.request.method != "GET":
        return flask.Response("sign in first", status=401, mimetype="text/plain")
    target = flask.request.full_path.rstrip("?")
    return flask.redirect(flask.url_for("login", next=target))


def _headers(response: flask.Response) -> flask.Response:
    """No framing by other sites, no MIME sniffing, no page address sent elsewhere."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def csrf_token() -> str:
    token = flask.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        flask.session["csrf"] = token
    return token


def csrf_ok() -> bool:
    """Whether the posted form carries this session's token (every form that changes something sends it)."""
    return _csrf_ok()


def _csrf_ok() -> bool:
    sent = flask.request.form.get("csrf", "")
    kept = flask.session.get("csrf", "")
    return bool(kept) and hmac.compare_digest(sent, kept)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never send a freshly signed-in user elsewhere.

    Control characters (CR/LF would split the Location header) and backslashes (which browsers
    read as slashes, making ``/\\evil.example`` another site) send the user home instead.
    """
    if not target or len(target) > 2000 or "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login() -> flask.Response | str:
    lang = context.language()
    error = ""
    email = ""
    status = 200
    if flask.request.method == "POST":
        email = flask.request.form.get("email", "").strip()
        password = flask.request.form.get("password", "")
        client = flask.request.remote_addr or "unknown"
        if not _csrf_ok():
            error, status = tr("login.expired", lang), 400
        elif wait := _throttle().attempt(email, client):
            log.warning("sign-in refused: too many failed attempts (retry in %d s)", wait)
            minutes = math.ceil(wait / 60)
            error = trn("login.throttled", minutes, lang)
            status = 429
        else:
            found = verify(context.greenslate_app().engine, email, password)
            if found is None:
                error, status = tr("login.failed", lang), 401
            else:
                _throttle().succeeded(email)
                sign_in(found.id, found.email, found.language, found.session_version)
                return flask.redirect(_safe_next(flask.request.args.get("next")))
    return flask.Response(_login_page(lang, email, error), status=status, mimetype="text/html")


def attempts_left(email: str) -> int:
    """Count one password check for ``email`` from this client, as a sign-in does: 0 if it may go on,
    else the seconds to wait (an invite link that names an existing account checks its password)."""
    return _throttle().attempt(email, flask.request.remote_addr or "unknown")


def sign_in(user_id: int, email: str, language: str, session_version: int) -> None:
    """Start a new session for the account (a fresh cookie: nothing of the session before survives)."""
    flask.session.clear()
    login_user(DashboardUser(user_id, email, language))
    flask.session[SESSION_VERSION] = session_version
    flask.session["lang"] = normalise_language(flask.request.args.get("lang") or language)


def _logout() -> flask.Response:
    if _csrf_ok():
        lang = flask.session.get("lang")
        uid = context.user_id()
        if uid is not None:  # on the server too: a copy of this cookie kept elsewhere stops working
            end_sessions(context.greenslate_app().engine, uid)
        logout_user()
        flask.session.clear()
        if lang:
            flask.session["lang"] = lang
    return flask.redirect(flask.url_for("login"))


def _login_page(lang: str, email: str, error: str) -> str:
    other = "en" if lang == "fr" else "fr"
    next_arg = flask.request.args.get("next", "")
    action = flask.url_for("login", next=next_arg) if next_arg else flask.url_for("login")
    error_html = (
        f'<p class="form-error" role="alert" id="login-error">{escape(error)}</p>' if error else ""
    )
    described = ' aria-describedby="login-error"' if error else ""
    switch = "?" + urlencode({"lang": other, **({"next": next_arg} if next_arg else {})})
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(tr("login.title", lang))} · greenslate</title>
<link rel="stylesheet" href="/assets/style.css">
</head>
<body>
<header class="site-header"><p class="brand">greenslate</p>
<nav aria-label="{escape(tr("nav.language", lang))}"><a href="{escape(switch)}" lang="{other}">{
        escape(tr("nav.switch_language", other))}</a></nav></header>
<main id="main" class="login">
<h1>{escape(tr("login.title", lang))}</h1>
<p>{escape(tr("login.intro", lang))}</p>
{error_html}
<form method="post" action="{escape(action)}">
<input type="hidden" name="csrf" value="{escape(csrf_token())}">
<p><label for="email">{escape(tr("login.email", lang))}</label>
<input id="email" name="email" type="email" autocomplete="username" required value="{escape(email)}"{described}></p>
<p><label for="password">{escape(tr("login.password", lang))}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required{described}></p>
<p><button type="submit">{escape(tr("login.submit", lang))}</button></p>
</form>
</main>
</body>
</html>"""

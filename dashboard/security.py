"""Browser-side hardening: a Content-Security-Policy Dash runs under, Secure cookies and HSTS.

- The policy allows scripts from this site only, plus the exact inline scripts Dash writes into
  its index page (by their hashes, from ``Dash.csp_hashes()``); no ``eval``, no other inline script,
  no plug-ins, no framing, forms and requests to this site only. Styles may be inline: Dash's
  components and Plotly set element styles at run time.
- ``GREENSLATE_DASHBOARD_SECURE_COOKIES`` marks the session cookie ``Secure`` (sent over HTTPS
  only). It is on by default when ``GREENSLATE_DASHBOARD_PUBLIC_URL`` is an ``https://`` address,
  which is how the dashboard is reached behind a TLS reverse proxy.
- ``GREENSLATE_DASHBOARD_HSTS_SECONDS`` sends ``Strict-Transport-Security`` (one year by default
  with an https public URL; 0 sends none).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import flask

#: One year, the value HSTS preload lists ask for.
HSTS_DEFAULT_SECONDS = 31_536_000


def content_security_policy(script_hashes: Sequence[str]) -> str:
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],  # Dash and Plotly set styles on elements
        "img-src": ["'self'", "data:", "blob:"],  # Plotly's mode bar icons and image exports
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def is_https(url: str | None) -> bool:
    return bool(url) and str(url).strip().lower().startswith("https://")


def secure_cookies(settings: object) -> bool:
    chosen = getattr(settings, "dashboard_secure_cookies", None)
    if chosen is not None:
        return bool(chosen)
    return is_https(getattr(settings, "dashboard_public_url", None))


def hsts_seconds(settings: object) -> int:
    chosen = getattr(settings, "dashboard_hsts_seconds", None)
    if chosen is not None:
        return max(0, int(chosen))
    return HSTS_DEFAULT_SECONDS if is_https(getattr(settings, "dashboard_public_url", None)) else 0


def install(server: flask.Flask, settings: object, script_hashes: Callable[[], Sequence[str]]) -> None:
    """Cookie flags now; the headers on every response.

    ``script_hashes`` is asked at each response: Dash adds inline scripts of its own (the pages'
    title updates) when it serves its first request, after the app is built.
    """
    secure = secure_cookies(settings)
    server.config.update(SESSION_COOKIE_SECURE=secure, REMEMBER_COOKIE_SECURE=secure)
    max_age = hsts_seconds(settings)

    @server.after_request
    def _security_headers(response: flask.Response) -> flask.Response:
        response.headers.setdefault("Content-Security-Policy", content_security_policy(script_hashes()))
        if max_age:
            response.headers.setdefault("Strict-Transport-Security", f"max-age={max_age}; includeSubDomains")
        return response

"""Callback inputs are the client's word: each is checked for its type and size before use.

Anyone signed in can post any JSON to ``/_dash-update-component``: a page number "abc" or 1e308,
a 100,000-character search, a list where one choice is expected. ``checked`` gives each argument
of a callback a validator; a value that does not fit is answered with a plain message in the
user's language, and nothing is read or changed. A callback that still fails answers with a
message too, never with a 500 (the cause is logged for the operator).
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from typing import Any

import flask
from dash.exceptions import PreventUpdate

from dashboard import components, context
from dashboard.texts import tr

log = logging.getLogger(__name__)

#: Dash's endpoint for every callback, and the largest request it takes (the longest input a page
#: has is a 500-character note; the browser's requests for a page stay well under 100 KB).
UPDATE_PATH = "/_dash-update-component"
MAX_REQUEST_BYTES = 1_000_000
#: The inputs of Dash's own page router, which is not ours to decorate.
ROUTER_ID = "_pages_location"

Validator = Callable[[Any], Any]


class Invalid(ValueError):
    """A callback input of the wrong type or size."""


def clicks(value: Any) -> int | None:
    """A button's n_clicks: nothing, or a whole number."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value
    raise Invalid("n_clicks")


def text(max_length: int) -> Validator:
    """Nothing, or text of at most ``max_length`` characters."""

    def check(value: Any) -> str | None:
        if value is None or (isinstance(value, str) and len(value) <= max_length):
            return value
        raise Invalid("text")

    return check


def texts(max_items: int, max_length: int) -> Validator:
    """Nothing, or a list of at most ``max_items`` texts (a checklist's value)."""
    one = text(max_length)

    def check(value: Any) -> list[str] | None:
        if value is None:
            return None
        if not isinstance(value, list) or len(value) > max_items:
            raise Invalid("texts")
        return [one(v) for v in value if v is not None]

    return check


def whole(low: int, high: int) -> Validator:
    """Nothing, or a whole number from ``low`` to ``high`` (dcc.Input sends numbers as JSON numbers)."""

    def check(value: Any) -> int | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Invalid("number")
        if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
            raise Invalid("number")
        if not low <= value <= high:
            raise Invalid("number")
        return int(value)

    return check


def checked(*validators: Validator, answer: Callable[[Any], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Check a callback's arguments (one validator each, in order); ``answer(message)`` builds the
    callback's outputs around a message shown to the user."""

    def decorate(callback: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(callback)
        def run(*args: Any) -> Any:
            lang = context.language()
            if len(args) != len(validators):
                return answer(components.message(tr("form.invalid", lang), "error"))
            try:
                values = [check(arg) for check, arg in zip(validators, args, strict=True)]
            except Invalid:
                return answer(components.message(tr("form.invalid", lang), "error"))
            try:
                return callback(*values)
            except PreventUpdate:
                raise
            except Exception:
                log.exception("dashboard callback %s failed", callback.__name__)
                return answer(components.message(tr("form.failed", lang), "error"))

        return run

    return decorate


def _refused(status: int = 400) -> flask.Response:
    message = tr("form.invalid", context.language())
    return flask.Response(flask.json.dumps({"message": message}), status=status, mimetype="application/json")


def _is_ref(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("id"), str | dict) and isinstance(item.get("property"), str)


def _refs(value: Any) -> list[Any] | None:
    """A list of component references (a pattern-matching input is itself a list of them)."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, list):
            if not all(_is_ref(i) for i in item):
                return None
        elif not _is_ref(item):
            return None
    return items


def request_problem(body: Any) -> str | None:
    """What is wrong with the shape of a callback request, or None: Dash trusts it and fails with a
    500 on a body that is not a mapping, an output that is not text, or inputs that are not
    component references; its page router on a path or a query string that is not text."""
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return "body"
    for key in ("outputs", "inputs", "state"):
        if key in body and _refs(body[key]) is None:
            return key
    if "inputs" not in body or "outputs" not in body:
        return "inputs"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "changedPropIds"
    return _router_problem(body["inputs"])


def _router_problem(inputs: list[Any]) -> str | None:
    """``"router"`` when the page router's path or query string is not text of a sane length."""
    for item in inputs:
        if isinstance(item, dict) and item.get("id") == ROUTER_ID:
            value = item.get("value")
            if value is not None and (not isinstance(value, str) or len(value) > 10_000):
                return "router"
    return None


def install(server: flask.Flask) -> None:
    """Refuse malformed callback requests before Dash reads them, and never answer with a traceback."""
    if server.config.get("MAX_CONTENT_LENGTH") is None:
        server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES

    @server.before_request
    def _check_update() -> flask.Response | None:
        if flask.request.path != UPDATE_PATH or flask.request.method != "POST":
            return None
        problem = request_problem(flask.request.get_json(silent=True))
        if problem is not None:
            log.warning("callback request refused: malformed %s", problem)
            return _refused()
        return None

    @server.errorhandler(Exception)
    def _failed(error: Exception) -> Any:
        from werkzeug.exceptions import HTTPException

        if isinstance(error, HTTPException):
            return error
        log.error("dashboard request %s failed: %s", flask.request.path, type(error).__name__)
        log.debug("the failure in detail", exc_info=error)  # with --debug (or -v) only
        if flask.request.path == UPDATE_PATH:
            message = tr("form.failed", context.language())
            return flask.Response(flask.json.dumps({"message": message}), status=500, mimetype="application/json")
        return flask.Response(tr("form.failed", context.language()), status=500, mimetype="text/plain")

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

from dash.exceptions import PreventUpdate

from dashboard import components, context
from dashboard.texts import tr

log = logging.getLogger(__name__)

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

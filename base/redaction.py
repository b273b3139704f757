"""Secrets never printed: every log record and everything written to stdout and stderr is cleaned.

``protect(settings)`` runs first thing in every ``greenslate`` command. From then on:

- every log record of the process, from any library and for any handler (console, file, ...), has
  its message, its traceback and its stack cleaned when it is made (a log record factory);
- ``sys.stdout`` and ``sys.stderr`` replace the secrets in whatever is written to them: error lines,
  tracebacks of ``--debug``, warnings, a thread's uncaught exception.

The secrets are the values of the secret settings (Telegram and Discord tokens, the Telegram
webhook secret, the dashboard's secret key), the part of the Telegram token after its bot id, and
the password of every URL setting (database, sign-in throttle storage, Bot API URL), each also as
it appears percent-encoded in a URL. They become ``<secret>``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import sys
import threading
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any, TextIO
from urllib.parse import quote, quote_plus, unquote, urlsplit

MASK = "<secret>"

#: Shorter values are not hidden: replacing every "abc" in every line would hide the messages
#: themselves, and such a value protects nothing anyway.
MIN_LENGTH = 6

#: Settings whose whole value is secret, and settings that are URLs which may carry a password.
SECRET_SETTINGS = ("telegram_token", "telegram_bots", "discord_token", "dashboard_secret_key",
                   "telegram_webhook_secret")
URL_SETTINGS = ("database_url", "dashboard_login_limit_storage", "telegram_api_url")

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()


def redact(text: str) -> str:
    """``text`` with every known secret replaced by ``<secret>``."""
    for secret in _secrets:  # longest first, so a token's secret part never leaves its bot id behind
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def add_secrets(values: Iterable[str | None]) -> None:
    """Hide these values too (and their percent-encoded forms) from now on."""
    global _secrets
    found = set(_secrets)
    for value in values:
        if not value or len(value) < MIN_LENGTH:
            continue
        found.update(v for v in (value, quote(value, safe=""), quote(value), quote_plus(value))
                     if len(v) >= MIN_LENGTH)
    with _lock:
        _secrets = tuple(sorted(found, key=len, reverse=True))


def secrets_of(settings: Any) -> list[str]:
    """The secret values of a ``Settings`` (or of anything with the same attribute names)."""
    values: list[str] = []
    for name in SECRET_SETTINGS:
        value = getattr(settings, name, None)
        if value is None:
            continue
        text = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
        values.extend(_secret_parts(name, text))
    for name in URL_SETTINGS:
        value = getattr(settings, name, None)
        if isinstance(value, str):
            values.extend(url_passwords(value))
    return values


def _secret_parts(name: str, text: str) -> list[str]:
    """A secret setting's value and, for bot tokens, each token and its secret part (the bot id before
    the colon is public; the rest is not). ``telegram_bots`` holds ``name=token`` pairs."""
    values = [text]
    tokens = [text] if name == "telegram_token" else []
    if name == "telegram_bots":
        tokens = [pair.split("=", 1)[1] for pair in re.split(r"[,\s]+", text) if "=" in pair]
        values.extend(tokens)
    values.extend(token.split(":", 1)[1] for token in tokens if ":" in token)
    return values


def url_passwords(url: str) -> list[str]:
    """The password of a URL, as written and decoded (``postgresql://user:p%40ss@host/db``)."""
    try:
        password = urlsplit(url.strip()).password
    except ValueError:  # not a URL we can read: nothing to take from it
        return []
    if not password:
        return []
    return [password, unquote(password)]


def secrets_from_environment(environ: dict[str, str] | None = None) -> list[str]:
    """The same values read straight from ``GREENSLATE_*`` variables, for when the settings do not load."""
    env = os.environ if environ is None else environ
    by_name = {key.upper(): value for key, value in env.items()}
    values: list[str] = []
    for name in SECRET_SETTINGS:
        value = by_name.get(f"GREENSLATE_{name.upper()}")
        if value:
            values.extend(_secret_parts(name, value))
    for name in URL_SETTINGS:
        value = by_name.get(f"GREENSLATE_{name.upper()}")
        if value:
            values.extend(url_passwords(value))
    return values


def protect(settings: Any = None) -> None:
    """Hide the secrets of ``settings`` (default: the environment's) in logs, stdout and stderr."""
    add_secrets(secrets_from_environment())
    if settings is None:
        # read as the settings class reads them (the environment, then the .env file), without
        # validating every setting: a command on the store does without pydantic
        from base.environment import given

        settings = SimpleNamespace(**given(SECRET_SETTINGS + URL_SETTINGS))
    add_secrets(secrets_of(settings))
    install_log_redaction()
    sys.stdout = RedactingStream.around(sys.stdout)  # type: ignore[assignment]
    sys.stderr = RedactingStream.around(sys.stderr)  # type: ignore[assignment]


# -- logging -----------------------------------------------------------------------------------------


def _redact_record(record: logging.LogRecord) -> None:
    if not _secrets:
        return
    try:
        message = record.getMessage()
    except Exception:  # a malformed record is the logging module's business, not ours
        return
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, ()
    if record.exc_info and record.exc_info[1] is not None:
        text = logging.Formatter().formatException(record.exc_info)
        record.exc_text, record.exc_info = redact(text), None
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def install_log_redaction() -> None:
    """Every log record of the process, from any library, is cleaned before any handler sees it."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "redacts_greenslate_secrets", False):
        return

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        _redact_record(record)
        return record

    redacting_factory.redacts_greenslate_secrets = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting_factory)


# -- stdout and stderr --------------------------------------------------------------------------------


class RedactingStream(io.TextIOBase):
    """A text stream that writes to another one with the secrets replaced."""

    def __init__(self, inner: TextIO) -> None:
        super().__init__()
        self.inner = inner

    @classmethod
    def around(cls, stream: TextIO | None) -> TextIO | None:
        if stream is None or isinstance(stream, RedactingStream):
            return stream
        return cls(stream)  # type: ignore[return-value]

    def write(self, text: str) -> int:
        self.inner.write(redact(text) if isinstance(text, str) else text)
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:  # type: ignore[override]
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self.inner.flush()

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        # The wrapped stream is the interpreter's: it is closed by its owner, never through here.
        with contextlib.suppress(Exception):
            self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.inner, "errors", None)

    @property
    def buffer(self) -> Any:
        # Bytes written straight to the buffer would skip the redaction: hand out a cleaning one.
        return _RedactingBuffer(self)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _RedactingBuffer:
    """The binary side of a :class:`RedactingStream`: bytes are decoded, cleaned and written as text."""

    def __init__(self, stream: RedactingStream) -> None:
        self._stream = stream

    def write(self, data: bytes) -> int:
        self._stream.write(bytes(data).decode(self._stream.encoding, "replace"))
        return len(data)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream.inner.buffer, name)

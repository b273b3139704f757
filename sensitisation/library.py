"""The sensitisation message library: short, practical awareness messages in French and English.

The library is a YAML file shipped with the package (``config/sensitisation/library.yaml``)::

    version: "2026.1"
    messages:
      veggie-day: {theme: catering, fr: "...", en: "..."}

A production file names messages by key; :func:`check_keys` tells the loader which keys are unknown.
The library ``version`` is part of what identifies a voice note, so changing a text means changing it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from base.i18n import LANGUAGES, normalise_language
from domain.errors import GreenslateError, NotFound

#: The themes of the eco-action plan a message can belong to.
THEMES = ("transport", "energy", "catering", "waste", "purchases", "digital")

_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class UnknownMessage(NotFound):
    code = "unknown_sensitisation_message"

    def __init__(self, key: str) -> None:
        super().__init__(f"no sensitisation message {key!r} in the library", key=key)


class LibraryError(GreenslateError):
    """The library file itself is wrong: a missing language, an unknown theme, a bad key."""

    code = "sensitisation_library"


@dataclass(frozen=True)
class Message:
    key: str
    theme: str
    texts: Mapping[str, str]  # language -> text

    def text(self, lang: str | None) -> str:
        return self.texts[normalise_language(lang)]


@dataclass(frozen=True)
class Library:
    version: str
    messages: Mapping[str, Message]

    def get(self, key: str) -> Message:
        try:
            return self.messages[key]
        except KeyError:
            raise UnknownMessage(key) from None

    def render(self, key: str, lang: str | None) -> str:
        return self.get(key).text(lang)

    def keys(self) -> list[str]:
        return list(self.messages)

    def by_theme(self, theme: str) -> list[Message]:
        return [m for m in self.messages.values() if m.theme == theme]


def parse_library(data: Any, source: str = "library") -> Library:
    """Check and build a library from the parsed YAML; raises :class:`LibraryError` naming the entry."""
    if not isinstance(data, dict):
        raise LibraryError(f"{source}: expected a mapping with 'version' and 'messages'")
    version = data.get("version")
    if not isinstance(version, str | int | float) or not str(version).strip():
        raise LibraryError(f"{source}: 'version' is missing")
    entries = data.get("messages")
    if not isinstance(entries, dict) or not entries:
        raise LibraryError(f"{source}: 'messages' is missing or empty")
    messages = {key: _message(key, entry, f"{source}: messages.{key}") for key, entry in entries.items()}
    return Library(version=str(version), messages=messages)


def _message(key: Any, entry: Any, where: str) -> Message:
    """One library entry: a well-formed key, a known theme, a text in every language, nothing else."""
    if not isinstance(key, str) or not _KEY.match(key):
        raise LibraryError(f"{where}: a key is lower-case words joined by '-'")
    if not isinstance(entry, dict):
        raise LibraryError(f"{where}: expected theme, fr and en")
    theme = entry.get("theme")
    if theme not in THEMES:
        raise LibraryError(f"{where}: theme {theme!r} is not one of {', '.join(THEMES)}")
    texts: dict[str, str] = {}
    for lang in LANGUAGES:
        text = entry.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise LibraryError(f"{where}: the {lang} text is missing")
        texts[lang] = " ".join(text.split())
    unknown = set(entry) - {"theme", *LANGUAGES}
    if unknown:
        raise LibraryError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    return Message(key=key, theme=theme, texts=texts)


def load_library(path: str | Path | None = None) -> Library:
    """The library from ``path``, or the one shipped with greenslate (read once, then cached)."""
    if path is None:
        return _shipped_library()
    path = Path(path)
    return parse_library(yaml.safe_load(path.read_text(encoding="utf-8")), source=str(path))


@cache
def _shipped_library() -> Library:
    resource = resources.files("config").joinpath("sensitisation", "library.yaml")
    return parse_library(yaml.safe_load(resource.read_text(encoding="utf-8")), source="library.yaml")


def render(message_key: str, lang: str | None) -> str:
    """The text of library message ``message_key`` in ``lang`` (French when unknown or missing)."""
    return _shipped_library().render(message_key, lang)


def keys() -> list[str]:
    return _shipped_library().keys()


def library_version() -> str:
    return _shipped_library().version


def check_keys(message_keys: Iterable[str]) -> list[str]:
    """The keys that are not in the library, in the order given, each once (empty when all are known)."""
    known = set(_shipped_library().messages)
    unknown: list[str] = []
    for key in message_keys:
        if key not in known and key not in unknown:
            unknown.append(key)
    return unknown


def __getattr__(name: str) -> str:
    # ``sensitisation.library.version``: the shipped library's version, read on first use.
    if name == "version":
        return library_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

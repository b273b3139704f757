"""The dashboard's words, in French (the default) and English.

Kept beside the pages rather than in the crew catalogues: these are screen labels for
coordinators, not messages to the crew, so the crew messages' easy-to-read check does not apply.
``tr(key, lang, **params)`` falls back to the other language, then fails loudly in tests.
"""

from __future__ import annotations

from base.i18n import normalise_language
from dashboard.texts_en import EN
from dashboard.texts_fr import FR
from dashboard.texts_setup import EN as SETUP_EN
from dashboard.texts_setup import FR as SETUP_FR
from domain.errors import GreenslateError

TEXTS: dict[str, dict[str, str]] = {"fr": {**FR, **SETUP_FR}, "en": {**EN, **SETUP_EN}}


def tr(key: str, lang: str | None = None, **params: object) -> str:
    """The text ``key`` in ``lang`` (French by default) with its fields filled in."""
    lang = normalise_language(lang)
    text = TEXTS[lang].get(key)
    if text is None:
        other = "en" if lang == "fr" else "fr"
        text = TEXTS[other].get(key)
    if text is None:
        raise KeyError(f"no dashboard text {key!r}")
    return text.format(**params) if params else text


def error_text(exc: GreenslateError, lang: str) -> str:
    key = f"error.{exc.code}"
    if key in TEXTS[normalise_language(lang)]:
        return tr(key, lang, detail=str(exc))
    return tr("error.generic", lang, detail=str(exc))

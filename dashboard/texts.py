"""The dashboard's words, in French (the default) and English.

They live in the gettext catalogues ``config/locales/{fr,en}/LC_MESSAGES/dashboard.po``, beside the
crew catalogues but left out of the crew messages' easy-to-read check: these are screen labels for
coordinators at a desk, not messages to the crew in a chat.

``tr(key, lang, **params)`` gives a text; ``trn(key, n, lang, **params)`` a text that shows a count,
in the singular or plural form the language's rule picks for ``n`` (``1 vote``, ``2 votes``; French
``0 vote``, ``1,5 litre``). Both fall back to the other language, then fail loudly (``KeyError``).
A new text goes in both ``dashboard.po`` files; a counted one as ``msgid "key"`` /
``msgid_plural "key.plural"`` with ``msgstr[0]`` (one) and ``msgstr[1]`` (other).
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from decimal import Decimal

from base.i18n import LANGUAGES, domain_messages, normalise_language, number, plural_count, strict_translations
from domain.errors import GreenslateError

DOMAIN = "dashboard"


def _translation(lang: str) -> gettext.GNUTranslations:
    """``lang``'s catalogue, falling back to the other language, then to a loud failure."""
    return strict_translations(lang, DOMAIN, "dashboard text")


def tr(key: str, lang: str | None = None, **params: object) -> str:
    """The text ``key`` in ``lang`` (French by default) with its fields filled in."""
    text = _translation(normalise_language(lang)).gettext(key)
    return text.format(**params) if params else text


def trn(key: str, n: Decimal | int | float, lang: str | None = None, **params: object) -> str:
    """The text ``key`` in the form ``n`` calls for; ``{count}`` is ``n`` written the language's way
    unless given."""
    lang = normalise_language(lang)
    text = _translation(lang).ngettext(key, f"{key}.plural", plural_count(n, lang))
    params.setdefault("count", number(n, lang, 2))
    return text.format(**params)


#: ``{lang: {key: text}}``, for tests and checks that read every text.
TEXTS: Mapping[str, dict[str, str]] = {lang: domain_messages(lang, DOMAIN) for lang in LANGUAGES}


def error_text(exc: GreenslateError, lang: str) -> str:
    key = f"error.{exc.code}"
    if key in TEXTS[normalise_language(lang)]:
        return tr(key, lang, detail=str(exc))
    return tr("error.generic", lang, detail=str(exc))

"""Every crew-facing text, in French and English, read against the easy-to-read rules.

The texts: every gettext catalogue in ``config/locales/{fr,en}/LC_MESSAGES/*.po`` (each feature adds
its own) and the sensitisation library. A failure names the language, the message key, the rule and
the offending text: ``fr telegram.prompt.mileage: sentence-length: 23 words (limit 20): ...``.

Left out, on purpose: ``dashboard.po``. It holds the web dashboard's labels, read by coordinators at a
desk, not by the crew in a chat; the dashboard is checked for accessibility in the browser (axe-core).
The rules themselves are tested in ``tests/sensitisation/test_readability_rules.py``.
"""

from __future__ import annotations

import re
from importlib import resources

import pytest

from base import i18n, readability
from sensitisation.library import keys as library_keys
from sensitisation.library import render

#: Catalogues that are not crew-facing (see the module docstring for why).
NOT_CREW_FACING = frozenset(f"{name}.po" for name in i18n.NOT_CREW_FACING)


def _catalogue_files(lang: str) -> dict[str, dict[str, str]]:
    """File name -> {key: text} for one language, read straight from the .po files."""
    folder = resources.files("config").joinpath("locales", lang, "LC_MESSAGES")
    files: dict[str, dict[str, str]] = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".po"):
            files[entry.name] = i18n.file_messages(entry, lang)  # a plural text under both its ids
    return files


def crew_texts() -> list[tuple[str, str, str]]:
    """(language, key, text) of every crew-facing text: catalogues, then the sensitisation library."""
    excluded = {
        (lang, key)
        for lang in i18n.LANGUAGES
        for name, messages in _catalogue_files(lang).items()
        if name in NOT_CREW_FACING
        for key in messages
    }
    texts = [(lang, key, text) for lang, key, text in i18n.all_messages() if (lang, key) not in excluded]
    for key in library_keys():
        for lang in i18n.LANGUAGES:
            texts.append((lang, f"sensitisation.{key}", render(key, lang)))
    return texts


CREW_TEXTS = crew_texts()


@pytest.mark.parametrize(("lang", "key", "text"), CREW_TEXTS, ids=[f"{lg}-{k}" for lg, k, _ in CREW_TEXTS])
def test_crew_text_is_easy_to_read(lang: str, key: str, text: str) -> None:
    violations = readability.check(text, lang)
    assert not violations, "\n".join(f"{lang} {key}: {v.rule}: {v.text}" for v in violations)


def test_every_crew_text_is_read() -> None:
    """The check above reads the catalogues and the whole library, in both languages."""
    read = {(lang, key) for lang, key, _ in CREW_TEXTS}
    for lang in i18n.LANGUAGES:
        assert (lang, "common.unit.km") in read
        for key in library_keys():
            assert (lang, f"sensitisation.{key}") in read
    on_disk = {
        (lang, key)
        for lang in i18n.LANGUAGES
        for name, messages in _catalogue_files(lang).items()
        if name not in NOT_CREW_FACING
        for key, text in messages.items()
        if text
    }
    assert on_disk <= read, f"catalogue texts not read: {sorted(on_disk - read)[:10]}"


@pytest.mark.parametrize("name", sorted(set(_catalogue_files("fr")) | set(_catalogue_files("en"))))
def test_french_and_english_catalogues_have_the_same_keys(name: str) -> None:
    fr = _catalogue_files("fr").get(name)
    en = _catalogue_files("en").get(name)
    assert fr is not None, f"fr: no catalogue {name} (en has one)"
    assert en is not None, f"en: no catalogue {name} (fr has one)"
    problems = [f"fr {key}: missing (en has it)" for key in sorted(set(en) - set(fr))]
    problems += [f"en {key}: missing (fr has it)" for key in sorted(set(fr) - set(en))]
    problems += [f"{lang} {key}: empty text" for lang, c in (("fr", fr), ("en", en)) for key, t in c.items() if not t]
    assert not problems, "\n".join(problems)


_FIELD = re.compile(r"\{(\w*)[^{}]*\}")


def test_french_and_english_texts_take_the_same_fields() -> None:
    """A text that names {km} in French and {distance} in English would fail at run time in one language."""
    fr, en = i18n.catalogue("fr"), i18n.catalogue("en")
    problems = [
        f"{key}: fr {sorted(set(_FIELD.findall(fr[key])))} / en {sorted(set(_FIELD.findall(en[key])))}"
        for key in sorted(set(fr) & set(en))
        if set(_FIELD.findall(fr[key])) != set(_FIELD.findall(en[key]))
    ]
    assert not problems, "\n".join(problems)

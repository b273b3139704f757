"""The dashboard's words: read from the gettext catalogues ``dashboard.po``, counted texts in the
singular or plural form each language's rule asks for."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from base import i18n
from dashboard.texts import TEXTS, tr, trn

FIELD = re.compile(r"{(\w+)}")


def test_every_text_exists_in_both_languages_with_the_same_fields() -> None:
    assert set(TEXTS["fr"]) == set(TEXTS["en"])
    for key, french in TEXTS["fr"].items():
        assert french and TEXTS["en"][key], key
        assert set(FIELD.findall(french)) == set(FIELD.findall(TEXTS["en"][key])), key


def test_a_counted_text_has_both_forms_with_the_same_fields() -> None:
    counted = {key.removesuffix(".plural") for key in TEXTS["fr"] if key.endswith(".plural")}
    assert {"practices.votes", "plan.summary", "reporting.changed.corrected"} <= counted
    for lang in ("fr", "en"):
        for key in counted:
            one, other = TEXTS[lang][key], TEXTS[lang][f"{key}.plural"]
            # the singular may spell its number out ("une minute"), so may leave {count} out
            assert set(FIELD.findall(one)) - {"count"} == set(FIELD.findall(other)) - {"count"}, (lang, key)


def test_every_text_the_code_asks_for_exists() -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in Path("dashboard").rglob("*.py"))
    asked = set(re.findall(r'\btr\(\s*"([a-z_.]+)"', code))
    counted = set(re.findall(r'\btrn\(\s*"([a-z_.]+)"', code))
    assert asked and asked <= set(TEXTS["fr"]), asked - set(TEXTS["fr"])
    assert counted and {f"{k}.plural" for k in counted} <= set(TEXTS["fr"]), counted


@pytest.mark.parametrize(
    ("lang", "n", "expected"),
    [
        ("fr", 0, "0 vote"),
        ("fr", 1, "1 vote"),
        ("fr", 2, "2 votes"),
        ("fr", 1234, "1\u202f234 votes"),
        ("en", 0, "0 votes"),
        ("en", 1, "1 vote"),
        ("en", 2, "2 votes"),
        ("en", 1234, "1,234 votes"),
    ],
)
def test_a_count_picks_the_form_by_the_language_rule(lang: str, n: int, expected: str) -> None:
    assert trn("practices.votes", n, lang) == expected


def test_a_decimal_count_follows_the_cldr_rule() -> None:
    """French writes ``1,5 vote`` (one); English ``1.5 votes`` (other); whole decimals read as integers."""
    assert trn("practices.votes", Decimal("1.5"), "fr") == "1,5 vote"
    assert trn("practices.votes", Decimal("1.5"), "en") == "1.5 votes"
    assert trn("practices.votes", Decimal("38.75"), "fr") == "38,75 votes"
    assert trn("practices.votes", Decimal("1.0"), "en") == "1 vote"
    assert i18n.plural_count(Decimal("0.5"), "en") == 2


def test_a_counted_text_keeps_its_other_fields() -> None:
    assert trn("reporting.changed_table", 1, "fr", total="12") == "Chiffres signalés ou corrigés (1 affiché sur 12)"
    assert trn("reporting.changed_table", 3, "en", total="12") == "Figures flagged or corrected (3 shown out of 12)"


def test_an_unknown_text_fails_loudly() -> None:
    with pytest.raises(KeyError):
        tr("no.such.text", "fr")
    with pytest.raises(KeyError):
        trn("no.such.text", 2, "en")


def test_a_text_missing_in_one_language_falls_back_to_the_other(monkeypatch: pytest.MonkeyPatch) -> None:

    i18n.strict_translations.cache_clear()
    real = i18n.translations

    def without_login_title(lang: str, domain: str):  # type: ignore[no-untyped-def]
        t = real(lang, domain)
        if lang == "en":
            t._catalog.pop("login.title")  # type: ignore[attr-defined]
        return t

    monkeypatch.setattr(i18n, "translations", without_login_title)
    try:
        assert tr("login.title", "en") == "Connexion"
    finally:
        i18n.strict_translations.cache_clear()


def test_the_crew_catalogues_still_read_their_texts() -> None:
    """The dashboard catalogue sits beside the crew ones: the crew loader reads plural entries too."""
    assert i18n.t("fr", "common.unit.km") == "km"
    assert i18n.catalogue("fr")["practices.votes.plural"] == "{count} votes"


def test_the_crew_check_reads_every_catalogue_but_the_dashboards() -> None:
    """``greenslate sensitisation check`` reads crew texts: the dashboard's labels are not among them."""
    keys = {key for _lang, key, _text in i18n.crew_messages()}
    assert "common.unit.km" in keys and "vocabulary.unit.litre.plural" in keys
    assert not keys & set(TEXTS["fr"])

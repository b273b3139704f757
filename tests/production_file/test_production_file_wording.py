"""The production file's messages in French and English: one catalogue key each, the same fields in
both languages, French written the French way, English exactly as the CLI has always printed it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from base import i18n, readability
from common.production_file import Problem, ProductionFileProblems, parse_production
from common.production_file.wording import Day, FieldName, Num, say
from tests.production_file.test_production_file_errors import CASES, EXAMPLE, edit

ROOT = Path(__file__).resolve().parents[2]
#: Where messages are written: every ``say("key"...)`` with a literal key must be in the catalogues.
SOURCES = [*sorted((ROOT / "common" / "production_file").glob("*.py")), ROOT / "common" / "production_setup.py"]
_FIELD = re.compile(r"\{(\w*)[^{}]*\}")


def _catalogue(lang: str) -> dict[str, str]:
    return i18n.domain_messages(lang, "production_file")


KEYS = sorted(set(_catalogue("fr")) | set(_catalogue("en")))


@pytest.mark.parametrize("key", KEYS)
def test_every_message_is_in_both_languages_with_the_same_fields(key: str) -> None:
    fr, en = _catalogue("fr").get(key), _catalogue("en").get(key)
    assert fr and en, f"{key}: fr {fr!r} / en {en!r}"
    assert set(_FIELD.findall(fr)) == set(_FIELD.findall(en)), f"{key}: fr {fr!r} / en {en!r}"


def _said_keys() -> set[str]:
    keys = set()
    for path in SOURCES:
        keys |= set(re.findall(r'\bsay\(\s*"([^"{}]+)"', path.read_text(encoding="utf-8")))
    return keys


@pytest.mark.parametrize("key", sorted(_said_keys()))
def test_every_key_the_code_says_is_in_the_catalogue(key: str) -> None:
    assert f"production_file.{key}" in _catalogue("fr")
    assert f"production_file.{key}" in _catalogue("en")


def test_the_code_says_many_keys() -> None:
    """The scan above finds the code's messages (a key written another way would slip past it)."""
    assert len(_said_keys()) > 60


FRENCH = [(key, text) for key, text in sorted(_catalogue("fr").items()) if text.strip()]


@pytest.mark.parametrize(("key", "text"), FRENCH, ids=[k for k, _ in FRENCH])
def test_the_french_is_short_sentences_with_one_idea_each(key: str, text: str) -> None:
    """The crew's sentence-length and one-idea rules. Names such as YAML, UTF-8 or kVA stay: the file
    and its tools use them."""
    violations = [v for v in readability.check(text, "fr") if v.rule in ("sentence-length", "one-idea")]
    assert not violations, "\n".join(f"{key}: {v.rule}: {v.text}" for v in violations)


@pytest.fixture(scope="module")
def example() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@pytest.mark.parametrize(("old", "new"), [c[1:3] for c in CASES], ids=[c[0] for c in CASES])
def test_every_broken_file_reads_in_french(example: str, old: str, new: str) -> None:
    """Each broken file of the English cases: its English is what ``str()`` says, its French is another text."""
    with pytest.raises(ProductionFileProblems) as info:
        parse_production(edit(example, old, new), "broken.yaml")
    for p in info.value.problems:
        assert p.message is not None, p
        assert p.text("en") == p.problem
        french = p.text("fr")
        assert french and french != p.problem, p.problem
        assert "{" not in french.replace(new, "").replace(old, ""), french  # every field filled in


def test_a_problem_in_french_keeps_its_english_for_the_cli() -> None:
    p = Problem.of("actions[0].target", say("action.target_is_baseline"), line=12)
    assert str(ProductionFileProblems("plan.yaml", [p])) == (
        "plan.yaml: actions[0].target: the target equals the baseline, so progress cannot be measured (line 12)")
    assert p.describe("fr") == ("L'objectif est égal au point de départ. Le progrès ne peut pas se mesurer. (ligne 12)")


def test_numbers_and_dates_are_written_the_languages_way() -> None:
    big = say("file.too_big", size=Num(1_234_567, grouped=True), limit=Num(1_000_000, grouped=True))
    assert big.render("en").startswith("the file is 1,234,567 bytes; a production file is at most 1,000,000 bytes")
    assert big.render("fr").startswith("Le fichier fait 1\u202f234\u202f567 octets.")
    day = say("calendar.off_and_extra", day=Day(dt.date(2027, 4, 14)))
    assert day.render("en").startswith("2027-04-14 is both")
    assert day.render("fr").startswith("Le 14 avril 2027 est à la fois")
    first = say("calendar.ends_before", start=Day(dt.date(2027, 3, 1)), end=Day(dt.date(2027, 2, 11)))
    assert first.render("fr").startswith("Le tournage finit (11 février 2027) avant de commencer (1er mars 2027).")


def test_a_field_is_named_by_the_screens_label_when_it_gives_one() -> None:
    missing = say("field.missing", name=FieldName("title"))
    assert missing.render("en") == "required field 'title' is missing"
    assert missing.render("fr") == "Le champ « title » manque."
    assert missing.render("fr", {"title": "Titre"}.get) == "Le champ « Titre » manque."


def test_stored_figures_take_the_plural_of_their_count() -> None:
    assert say("setup.vehicle_has_figures", subject="'mb1'", count=1).render("en") == (
        "vehicle 'mb1' has 1 stored figure; keep it")
    assert say("setup.vehicle_has_figures", subject="'mb1'", count=3).render("en") == (
        "vehicle 'mb1' has 3 stored figures; keep it")
    assert say("setup.vehicle_has_figures", subject="'mb1'", count=1).render("fr") == (
        "Le véhicule 'mb1' a 1 chiffre enregistré. Gardez-le.")

"""The sensitisation message library: complete, in both languages, tied to the plan's themes."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from base.readability import sentences
from common.production_file import load_production_file
from sensitisation import library
from sensitisation.library import (
    THEMES,
    LibraryError,
    UnknownMessage,
    check_keys,
    keys,
    library_version,
    load_library,
    parse_library,
    render,
)

EXAMPLE = Path(str(resources.files("config").joinpath("examples", "feature-film.yaml")))


def test_the_library_has_the_example_messages_and_a_dozen_more_across_every_theme() -> None:
    assert {"veggie-day", "engine-off", "mains-hookup", "sorting-bins"} <= set(keys())
    assert len(keys()) >= 16
    lib = load_library()
    for theme in THEMES:
        assert len(lib.by_theme(theme)) >= 2, theme


def test_every_message_is_one_or_two_sentences_in_each_language() -> None:
    for key in keys():
        for lang in ("fr", "en"):
            count = len(sentences(render(key, lang)))
            assert 1 <= count <= 2, f"{lang} {key}: {count} sentences"


def test_render_speaks_the_members_language_and_falls_back_to_french() -> None:
    assert render("veggie-day", "en").startswith("Today, catering serves a vegetarian dish.")
    assert render("veggie-day", "fr").startswith("Aujourd'hui, la cantine sert un plat végétarien.")
    assert render("veggie-day", "de") == render("veggie-day", "fr")
    assert render("veggie-day", None) == render("veggie-day", "fr")
    with pytest.raises(UnknownMessage, match="no-such-message"):
        render("no-such-message", "fr")


def test_the_library_is_versioned() -> None:
    assert library_version() == load_library().version == library.version
    assert library_version()


def test_check_keys_names_the_unknown_ones_once_in_order() -> None:
    assert check_keys(["veggie-day", "engine-off"]) == []
    assert check_keys(["veggie-dya", "engine-off", "veggie-dya", "eco-tip"]) == ["veggie-dya", "eco-tip"]


def test_every_campaign_of_the_example_production_is_in_the_library() -> None:
    production = load_production_file(EXAMPLE)
    assert production.sensitisation
    assert check_keys(c.message for c in production.sensitisation) == []


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"messages": {"a": {"theme": "waste", "fr": "Un.", "en": "One."}}}, "'version' is missing"),
        ({"version": "1", "messages": {}}, "'messages' is missing"),
        ({"version": "1", "messages": {"a": {"theme": "waste", "fr": "Un."}}}, "messages.a: the en text is missing"),
        ({"version": "1", "messages": {"a": {"theme": "fun", "fr": "Un.", "en": "One."}}}, "theme 'fun'"),
        ({"version": "1", "messages": {"Bad Key": {"theme": "waste", "fr": "Un.", "en": "One."}}}, "lower-case"),
        (
            {"version": "1", "messages": {"a": {"theme": "waste", "fr": "Un.", "en": "One.", "de": "Eins."}}},
            "unknown field",
        ),
    ],
)
def test_a_broken_library_file_is_refused_with_the_entry_named(data: dict, problem: str) -> None:
    with pytest.raises(LibraryError, match=problem):
        parse_library(data)


def test_a_library_file_can_be_loaded_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "library.yaml"
    path.write_text('version: "9"\nmessages:\n  hello:\n    theme: digital\n    fr: "Bonjour."\n    en: "Hello."\n')
    lib = load_library(path)
    assert lib.version == "9" and lib.render("hello", "en") == "Hello."

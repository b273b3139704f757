"""Sensitisation entries must name a message of the library: a typo would silently send nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.production_file import parse_production
from domain.errors import ProductionFileError

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "feature-film.yaml"


def test_an_unknown_message_key_is_refused_with_a_suggestion():
    text = EXAMPLE.read_text(encoding="utf-8").replace("message: engine-off", "message: engine-of")
    with pytest.raises(ProductionFileError) as caught:
        parse_production(text, "shoot.yaml")
    assert caught.value.where == "sensitisation[1].message"
    assert "did you mean 'engine-off'" in caught.value.problem


def test_the_example_keys_are_all_in_the_library():
    production = parse_production(EXAMPLE.read_text(encoding="utf-8"), "feature-film.yaml")
    assert [c.message for c in production.sensitisation] == [
        "veggie-day", "engine-off", "mains-hookup", "sorting-bins",
    ]

"""``production.telegram_bot``: the bot that serves a crew, named as the settings name it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from common.production_file import ProductionFileProblems, load_production_file, parse_production
from common.production_file.export import production_document, production_yaml
from domain.usecases import load_production
from greenslate.cli import main
from store.engine import make_engine
from store.uow import SqlUnitOfWork
from tests.dashboard.conftest import example_file


def _with_bot(bot: object) -> dict[str, object]:
    doc = production_document(load_production_file(example_file()))
    doc["production"]["telegram_bot"] = bot  # type: ignore[index]
    return doc


def test_a_production_names_its_bot_and_keeps_it_through_export_and_the_store(db_url: str) -> None:
    production = parse_production(_with_bot("north"), telegram_bots=["north", "south"])
    assert production.telegram_bot == "north"
    assert parse_production(production_yaml(production)) == production
    uow = SqlUnitOfWork(make_engine(db_url))
    load_production(uow, production)
    with uow:
        assert uow.productions.get(production.id).telegram_bot == "north"


def test_no_bot_named_is_the_default_bot_and_the_file_says_nothing_of_it() -> None:
    production = load_production_file(example_file())
    assert production.telegram_bot == ""
    assert "telegram_bot" not in production_document(production)["production"]


@pytest.mark.parametrize(
    ("configured", "message"),
    [
        (["south", "east"], "no Telegram bot is named 'north'; GREENSLATE_TELEGRAM_BOTS names east, south"),
        ([], "no Telegram bot is named 'north': GREENSLATE_TELEGRAM_BOTS names none; add north=<token> to it, "
             "or remove telegram_bot to use the default bot"),
    ],
)
def test_a_bot_the_settings_do_not_name_is_refused_plainly(configured: list[str], message: str) -> None:
    with pytest.raises(ProductionFileProblems) as raised:
        parse_production(_with_bot("north"), telegram_bots=configured)
    assert [(p.where, p.problem) for p in raised.value.problems] == [("production.telegram_bot", message)]


@pytest.mark.parametrize("bad", ["North", "nord bot", "", 12, "a" * 33])
def test_a_bot_name_is_lowercase_letters_digits_dash_and_underscore(bad: object) -> None:
    with pytest.raises(ProductionFileProblems) as raised:
        parse_production(_with_bot(bad))
    [problem] = raised.value.problems
    assert problem.where == "production.telegram_bot"
    assert "is not a bot's name; use 1 to 32 lowercase letters, digits, '-' or '_'" in problem.problem


def test_production_load_checks_the_bot_against_the_settings(tmp_path, monkeypatch) -> None:
    file = tmp_path / "north.yaml"
    file.write_text(production_yaml(parse_production(_with_bot("north"))), encoding="utf-8")
    monkeypatch.setenv("GREENSLATE_DATABASE_URL", f"sqlite:///{tmp_path / 'g.sqlite3'}")
    monkeypatch.setenv("GREENSLATE_TELEGRAM_BOTS", "south=1:secret")
    refused = CliRunner().invoke(main, ["production", "load", str(file)])
    assert refused.exit_code == 1
    assert "production.telegram_bot: no Telegram bot is named 'north'; GREENSLATE_TELEGRAM_BOTS names south" \
        in refused.output
    assert "secret" not in refused.output
    monkeypatch.setenv("GREENSLATE_TELEGRAM_BOTS", "south=1:secret north=2:secret")
    loaded = CliRunner().invoke(main, ["production", "load", str(file)])
    assert loaded.exit_code == 0, loaded.output

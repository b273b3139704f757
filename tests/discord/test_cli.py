"""``greenslate discord ...``: link a production to a server, list links and captured practices."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from common.production_file import load_production_file
from domain.usecases import load_production
from greenslate.cli import main
from store import discord as store
from store.engine import make_engine
from store.uow import SqlUnitOfWork
from tests.discord.conftest import PRODUCTION, example_file


@pytest.fixture
def url(sqlite_db_url, monkeypatch):
    monkeypatch.setenv("GREENSLATE_DATABASE_URL", sqlite_db_url)
    engine = make_engine(sqlite_db_url)
    load_production(SqlUnitOfWork(engine), load_production_file(example_file()))
    engine.dispose()
    return sqlite_db_url


def run(*args: str):
    return CliRunner().invoke(main, ["discord", *args], catch_exceptions=False)


def links(url: str) -> list[store.GuildLink]:
    engine = make_engine(url)
    try:
        return store.all_links(engine)
    finally:
        engine.dispose()


def test_link_a_production_to_a_server(url):
    result = run("link", PRODUCTION, "--guild", "111", "--digest-channel", "222", "--practices-channel", "333",
                 "--role", "Éco-référent")
    assert result.exit_code == 0, result.output
    assert "feux-aube linked to server 111" in result.output
    assert links(url) == [store.GuildLink(PRODUCTION, 111, 222, 333, "Éco-référent")]
    listed = run("links")
    assert listed.output.split("\t")[:2] == ["feux-aube", "server 111"]


def test_link_from_the_production_files_discord_section(url, tmp_path):
    file = tmp_path / "prod.yaml"
    file.write_text(example_file().read_text(encoding="utf-8") + (
        "\ndiscord: {guild: 444, digest_channel: 555, practices_channel: 666, role: Eco}\n"
    ), encoding="utf-8")
    result = run("link", PRODUCTION, "--from-file", str(file))
    assert result.exit_code == 0, result.output
    assert links(url) == [store.GuildLink(PRODUCTION, 444, 555, 666, "Eco")]


YAML_11_SECTION = "\ndiscord: {guild: 0755, digest_channel: 0644, practices_channel: 333, role: yes}\n"


@pytest.mark.parametrize("command", ["discord link", "production load"])
def test_the_discord_section_is_linked_as_the_file_reader_validated_it(url, tmp_path, command):
    # A YAML 1.1 reader takes 0755 for octal 493 and yes for True; the production file reader
    # reads 0755 as 755 and yes as a word. Both commands link exactly what the reader validated.
    file = tmp_path / "prod.yaml"
    file.write_text(example_file().read_text(encoding="utf-8") + YAML_11_SECTION, encoding="utf-8")
    if command == "discord link":
        result = run("link", PRODUCTION, "--from-file", str(file))
    else:
        result = CliRunner().invoke(main, ["production", "load", str(file)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert links(url) == [store.GuildLink(PRODUCTION, 755, 644, 333, "yes")]


def test_a_bad_discord_section_is_refused_by_the_file_reader_and_links_nothing(url, tmp_path):
    file = tmp_path / "prod.yaml"
    file.write_text(example_file().read_text(encoding="utf-8") + (
        "\ndiscord: {guild: 1, digest_channel: 2, practices_channel: 3, role: [a, b]}\n"
    ), encoding="utf-8")
    result = run("link", PRODUCTION, "--from-file", str(file))
    assert result.exit_code != 0
    assert "discord.role: expected text" in result.output
    assert links(url) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "--guild", "1", "--digest-channel", "2", "--practices-channel", "3", "--role", "r"],
         "error: no production with id 'nope'"),
        ([PRODUCTION, "--guild", "abc", "--digest-channel", "2", "--practices-channel", "3", "--role", "r"],
         "error: --guild must be a Discord id (a number), not 'abc'"),
        ([PRODUCTION, "--guild", "1", "--digest-channel", "2", "--practices-channel", "3", "--role", "  "],
         "error: --role must name a role"),
    ],
)
def test_bad_link_input_is_one_clear_line_and_changes_nothing(url, args, message):
    result = CliRunner().invoke(main, ["discord", "link", *args])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == message
    assert links(url) == []


def test_missing_options_are_named(url):
    result = CliRunner().invoke(main, ["discord", "link", PRODUCTION, "--guild", "1"])
    assert result.exit_code == 2
    assert "missing --digest-channel, --practices-channel, --role (or --from-file)" in result.output


def test_unlink_and_list_practices(url):
    run("link", PRODUCTION, "--guild", "1", "--digest-channel", "2", "--practices-channel", "3", "--role", "r")
    engine = make_engine(url)
    store.add_practice(engine, production_id=PRODUCTION, message_id=9, channel_id=3, author_id=5,
                       author_name="Sam Okafor", text="Gourdes", link="https://discord.com/channels/1/3/9",
                       source="channel", posted_at=dt.datetime(2027, 3, 2, 10, tzinfo=dt.UTC))
    engine.dispose()
    listed = run("practices", PRODUCTION)
    assert listed.output.strip() == "0 vote(s)\t2027-03-02\tSam Okafor\tGourdes\thttps://discord.com/channels/1/3/9"
    assert run("unlink", PRODUCTION).exit_code == 0
    assert links(url) == []
    again = CliRunner().invoke(main, ["discord", "unlink", PRODUCTION])
    assert again.exit_code == 1 and "is not linked" in again.output

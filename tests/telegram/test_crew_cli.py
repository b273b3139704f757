"""`greenslate crew invite` and `greenslate crew forget`."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from PIL import Image

from common.app import App
from domain.usecases import load_production
from greenslate.cli import main
from store.telegram import TelegramStore
from tests.telegram.conftest import reference_production


@pytest.fixture
def cli_env(sqlite_db_url, monkeypatch):
    monkeypatch.setenv("GREENSLATE_DATABASE_URL", sqlite_db_url)
    monkeypatch.setenv("GREENSLATE_TELEGRAM_BOT_USERNAME", "feux_aube_bot")
    monkeypatch.delenv("GREENSLATE_TELEGRAM_TOKEN", raising=False)
    app = App.from_env(database_url=sqlite_db_url)
    load_production(app.uow(), reference_production())
    yield app
    app.engine.dispose()


def test_invite_prints_one_single_use_link_per_telegram_member(cli_env, tmp_path):
    result = CliRunner().invoke(main, ["crew", "invite", "feux-aube", "--qr", str(tmp_path / "qr")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == ["amina", "karim", "paul", "lea", "sam"]
    urls = [line.split("\t")[2] for line in lines]
    assert all(u.startswith("https://t.me/feux_aube_bot?start=") for u in urls)
    assert len(set(urls)) == 5
    png = tmp_path / "qr" / "feux-aube-amina.png"
    assert lines[0].endswith(str(png))
    with Image.open(png) as image:
        assert image.format == "PNG" and image.size[0] >= 200
    store = TelegramStore(cli_env.engine)
    invite = store.invite(urls[0].split("?start=")[1])
    assert invite is not None and invite.member_id == "amina"
    assert invite.expires_at - dt.datetime.now(dt.UTC) > dt.timedelta(days=13)


def test_invite_one_member_and_refusals(cli_env, monkeypatch):
    runner = CliRunner()
    result = runner.invoke(main, ["crew", "invite", "feux-aube", "--member", "sam", "--days", "2"])
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 1
    result = runner.invoke(main, ["crew", "invite", "feux-aube", "--member", "nobody"])
    assert result.exit_code == 1 and "nobody" in result.stderr
    result = runner.invoke(main, ["crew", "invite", "no-such-production"])
    assert result.exit_code == 1 and "no-such-production" in result.stderr
    monkeypatch.delenv("GREENSLATE_TELEGRAM_BOT_USERNAME")
    result = runner.invoke(main, ["crew", "invite", "feux-aube"])
    assert result.exit_code == 1 and "GREENSLATE_TELEGRAM_BOT_USERNAME" in result.stderr


async def test_invite_asks_telegram_for_the_username_with_the_token(sqlite_db_url):
    from bots.telegram.invites import _ask_username
    from tests.support.botapi import BotApiServer

    server = BotApiServer(username="asked_bot")
    await server.start()
    try:
        assert await _ask_username(server.token, server.base_url) == "asked_bot"
    finally:
        await server.stop()


def test_forget_erases_the_name_and_keeps_the_figures(cli_env):
    with cli_env.uow() as uow:
        uow.members.link_telegram("feux-aube", "amina", 1001, dt.datetime.now(dt.UTC))
        uow.commit()
    result = CliRunner().invoke(main, ["crew", "forget", "amina"])
    assert result.exit_code == 0, result.output
    with cli_env.uow() as uow:
        state = uow.members.state("feux-aube", "amina")
    assert state.forgotten and state.telegram_chat_id is None
    result = CliRunner().invoke(main, ["crew", "forget", "nobody"])
    assert result.exit_code == 1 and "nobody" in result.stderr


def test_bot_api_url_forms():
    from bots.telegram.app import bot_api_base

    assert bot_api_base("https://api.telegram.org/bot") == "https://api.telegram.org/bot"
    assert bot_api_base("http://localhost:8081/") == "http://localhost:8081/bot"
    assert bot_api_base("http://proxy/tg/bot{token}") == "http://proxy/tg/bot{token}"

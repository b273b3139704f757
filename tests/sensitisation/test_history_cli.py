"""``greenslate sensitisation``: the library, a voice note, and what campaigns sent to whom and when."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from base.voice import opus_info
from common.production_file import load_production_file
from domain.usecases import load_production
from greenslate.cli import main
from scheduler.runner import SchedulerContext, tick
from sensitisation.history import campaign_log
from store.uow import SqlUnitOfWork

EXAMPLE = Path(str(resources.files("config").joinpath("examples", "feature-film.yaml")))
PARIS_0831_ON_2_MARCH = dt.datetime(2027, 3, 2, 7, 31, tzinfo=dt.UTC)  # veggie-day, to everyone, 08:30


def load_example(uow_factory: Callable[[], SqlUnitOfWork], linked: dict[str, int]) -> None:
    load_production(uow_factory(), load_production_file(EXAMPLE))
    with uow_factory() as uow:
        for member_id, chat_id in linked.items():
            uow.members.link_telegram("feux-aube", member_id, chat_id, dt.datetime(2027, 2, 27, tzinfo=dt.UTC))
        uow.commit()


async def test_the_log_lists_each_campaign_message_with_its_member_status_and_time(
    engine: Engine, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    load_example(uow_factory, {"amina": 101, "sam": 105})
    # No chat notifier is running: Telegram rows wait, the dashboard member's row is done at once.
    await tick(SchedulerContext(engine=engine, uow_factory=uow_factory), PARIS_0831_ON_2_MARCH)

    lines = campaign_log(engine, "feux-aube")
    assert [(line.member_id, line.channel, line.status) for line in lines] == [
        ("amina", "telegram", "pending"),
        ("sam", "telegram", "pending"),
        ("chloe", "discord", "pending"),
        ("marc", "dashboard", "sent"),
    ]
    assert {line.message for line in lines} == {"veggie-day"}
    assert {line.theme for line in lines} == {"catering"}
    sam = lines[1]
    assert sam.name == "Sam Okafor" and sam.language == "en" and sam.day == dt.date(2027, 3, 2)
    assert sam.sent_at is None and "no notifier" in (sam.error or "")
    assert lines[3].sent_at == PARIS_0831_ON_2_MARCH
    assert campaign_log(engine, "another-production") == []


@pytest.fixture
def cli_env(sqlite_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("GREENSLATE_DATABASE_URL", sqlite_db_url)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return CliRunner()


def test_list_and_show_the_library(cli_env: CliRunner) -> None:
    listed = cli_env.invoke(main, ["sensitisation", "list", "--lang", "en"])
    assert listed.exit_code == 0, listed.output
    assert "engine-off" in listed.output and "Turn the engine off" in listed.output
    shown = cli_env.invoke(main, ["sensitisation", "show", "mains-hookup"])
    assert "fr: Branchez le matériel" in shown.output and "en: Plug the equipment" in shown.output
    unknown = cli_env.invoke(main, ["sensitisation", "show", "veggie-dya"])
    assert unknown.exit_code == 1 and "no sensitisation message 'veggie-dya'" in unknown.output


def test_check_reads_every_crew_text(cli_env: CliRunner) -> None:
    result = cli_env.invoke(main, ["sensitisation", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith("texts read, 0 problem(s)")
    read = int(result.output.splitlines()[-1].split()[0])
    assert read >= 2 * 21  # the library alone, in two languages


def test_voice_writes_a_note_then_finds_it_in_the_cache(cli_env: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "note.ogg"
    first = cli_env.invoke(main, ["sensitisation", "voice", "engine-off", "--lang", "en", "-o", str(out)])
    assert first.exit_code == 0, first.output
    assert "spoken now" in first.output
    assert 1 < opus_info(out.read_bytes()).duration < 30
    again = cli_env.invoke(main, ["sensitisation", "voice", "engine-off", "--lang", "en"])
    assert "from the cache" in again.output
    assert str(tmp_path / "data" / "greenslate" / "voice") in again.output
    assert cli_env.invoke(main, ["sensitisation", "voice"]).exit_code == 2  # a key, or --all


def test_voice_all_fills_the_cache_for_every_message_and_language(cli_env: CliRunner, tmp_path: Path) -> None:
    from sensitisation.library import keys

    result = cli_env.invoke(main, ["sensitisation", "voice", "--all"])
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 2 * len(keys())
    assert len(list((tmp_path / "data" / "greenslate" / "voice").glob("*.ogg"))) == 2 * len(keys())
    again = cli_env.invoke(main, ["sensitisation", "voice", "--all"])
    assert again.output.count("from the cache") == 2 * len(keys())


async def test_sent_shows_who_got_what_and_when(
    cli_env: CliRunner, sqlite_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.engine import make_engine

    engine = make_engine(sqlite_db_url)
    try:
        uow_factory = lambda: SqlUnitOfWork(engine)  # noqa: E731
        load_example(uow_factory, {"amina": 101})
        await tick(SchedulerContext(engine=engine, uow_factory=uow_factory), PARIS_0831_ON_2_MARCH)
    finally:
        engine.dispose()
    shown = cli_env.invoke(main, ["sensitisation", "sent", "feux-aube"])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert len(lines) == 3  # amina, chloe, marc
    assert lines[0].startswith("2027-03-02 veggie-day") and "amina" in lines[0] and "pending" in lines[0]
    assert "marc" in lines[2] and "sent" in lines[2] and "2027-03-02T07:31" in lines[2]
    as_json = [
        json.loads(x)
        for x in cli_env.invoke(main, ["sensitisation", "sent", "feux-aube", "--json"]).output.splitlines()
    ]
    assert [x["member_id"] for x in as_json] == ["amina", "chloe", "marc"]
    missing = cli_env.invoke(main, ["sensitisation", "sent", "nope"])
    assert missing.exit_code == 1 and "nope" in missing.output

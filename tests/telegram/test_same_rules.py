"""The crew's side of the rules every entry point follows: once per message, the vehicle's own scale,
the start odometer named as such, voice notes that fail said why; and the same balance by bot or CLI."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bots.telegram.services import say
from greenslate.cli import main
from tests.telegram.conftest import CHATS

MON, TUE = dt.date(2027, 3, 1), dt.date(2027, 3, 2)
EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "feature-film.yaml"


async def test_an_answer_delivered_twice_is_stored_and_answered_once(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    await rig.prompt("amina", "amina:mileage:mb1", MON)
    mark = rig.server.mark()
    update_id = rig.server.send(chat, "45 230")
    [recap] = await rig.server.replies(chat, since=mark)
    assert recap.plain.startswith("Compteur de Minibus MB-1 : 45 230 km.")
    await rig.server.acked(update_id)
    mark = rig.server.mark()
    rig.server.redeliver(update_id)  # Telegram had no confirmation: the same update again
    [help_text] = await rig.say(chat, "/help")  # the bot is still answering
    # Answers are stored in batches, so the redelivery may be handled after /help: give it time to speak.
    with pytest.raises(AssertionError, match="expected 2 message"):
        await rig.server.replies(chat, 2, since=mark, timeout=3)
    assert [s for s in rig.server.ledger[mark:] if s.chat_id == chat] == [help_text]  # no second recap
    assert len(rig.reports("amina")) == 1


async def test_a_first_reading_below_the_start_names_the_vehicles_starting_odometer(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("karim")
    prompt = await rig.prompt("karim", "karim:mileage:car2", MON)
    assert prompt.plain.endswith("Par exemple : 12 120")  # car 2 started at 12 000, not 45 230
    [refused] = await rig.say(chat, "11 500")
    assert refused.plain.startswith("Ce compteur est plus bas que le compteur de départ du véhicule : 12 000.")
    assert "dernier relevé" not in refused.plain
    assert rig.reports() == []


async def test_a_distance_for_a_vehicle_with_readings_is_refused_and_explained(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    await rig.prompt("amina", "amina:mileage:mb1", MON)
    await rig.say(chat, "45 230")
    await rig.prompt("amina", "amina:mileage:mb1", TUE)
    rig.set_now(rig.now + dt.timedelta(days=1))
    [refused] = await rig.say(chat, "+100")
    assert refused.plain == ("Les km de Minibus MB-1 viennent de son compteur.\nLe dernier relevé est 45 230.\n"
                             "Envoyez le compteur, pas une distance. Par exemple : 45 130")
    assert "100 km aujourd'hui" in (await rig.say(chat, "45 330"))[0].plain


async def test_a_voice_note_that_fails_is_logged_with_its_reason_and_the_text_still_goes(
    telegram_rig, caplog: pytest.LogCaptureFixture
):
    rig = telegram_rig
    chat = await rig.join("amina")
    mark = rig.server.mark()
    with caplog.at_level(logging.WARNING, logger="bots.telegram.services"):
        # Nothing to speak once the emoji is set aside: the real synthesiser refuses it.
        await say(rig.application.bot, rig.services, chat, "✅", lang="fr", voice=True)
    [text] = await rig.server.replies(chat, since=mark)
    assert text.plain == "✅"
    assert rig.server.sent_to(chat, "sendVoice") == []
    [warning] = [r.getMessage() for r in caplog.records if "voice note" in r.getMessage()]
    assert "VoiceError: nothing to say" in warning


class Cli:
    """``greenslate`` on a store of its own, as a coordinator types it."""

    def __init__(self, url: str) -> None:
        self.url = url

    def invoke(self, *args: str) -> Result:
        return CliRunner().invoke(main, list(args), env={"GREENSLATE_DATABASE_URL": self.url})

    def __call__(self, *args: str) -> str:
        result = self.invoke(*args)
        assert result.exit_code == 0, result.output
        return result.output


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    run = Cli(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    run("production", "load", str(EXAMPLE))
    return run


async def test_the_same_figures_by_bot_and_by_cli_give_the_same_balance(telegram_rig, cli):
    rig = telegram_rig
    amina, karim, paul, lea, sam = [await rig.join(m) for m in ("amina", "karim", "paul", "lea", "sam")]
    assert CHATS["amina"] == amina
    # What the crew types, and what a coordinator types from the paper sheets: the same figures.
    await rig.prompt("amina", "amina:mileage:mb1", MON)
    await rig.say(amina, "45 230")
    cli("report", "add", "feux-aube", "--member", "amina", "--kind", "mileage", "--vehicle", "mb1",
        "--odometer", "45 230", "--day", "2027-03-01")
    await rig.prompt("karim", "karim:mileage:car2", MON)
    await rig.say(karim, "12 080,5")
    cli("report", "add", "feux-aube", "--member", "karim", "--kind", "mileage", "--vehicle", "car2",
        "--odometer", "12 080,5", "--day", "2027-03-01")
    await rig.prompt("paul", "paul:meals", MON)
    await rig.say(paul, "végé 30 poulet 40")
    cli("report", "add", "feux-aube", "--member", "paul", "--kind", "meals", "--meal", "vegetarian=30",
        "--meal", "chicken=40", "--day", "2027-03-01")
    g1 = await rig.prompt("lea", "lea:generator_hours:g1", MON)
    await rig.say(lea, "6,5", reply_to=g1.message_id)
    cli("report", "add", "feux-aube", "--member", "lea", "--kind", "generator_hours", "--generator", "g1",
        "--hours", "6,5", "--day", "2027-03-01")
    await rig.prompt("sam", "sam:waste", MON)
    await rig.say(sam, "12,5 residuel 4 carton")
    cli("report", "add", "feux-aube", "--member", "sam", "--kind", "waste", "--waste", "residual=12,5",
        "--waste", "cardboard=4", "--day", "2027-03-01")
    # The next day, a distance after a reading: refused the same way by both.
    rig.set_now(rig.now + dt.timedelta(days=1))
    await rig.prompt("amina", "amina:mileage:mb1", TUE)
    [refused] = await rig.say(amina, "+100")
    assert refused.plain.startswith("Les km de Minibus MB-1 viennent de son compteur.")
    bad = cli.invoke("report", "add", "feux-aube", "--member", "amina", "--kind", "mileage", "--vehicle", "mb1",
                     "--km", "100", "--day", "2027-03-02")
    assert bad.exit_code == 1 and "counted by its odometer" in bad.output

    by_bot = rig.balance()
    by_cli = json.loads(cli("balance", "feux-aube", "--format", "json"))
    assert by_bot.total_kgco2e > 0
    assert by_cli["total"]["kgco2e"] == pytest.approx(float(by_bot.total_kgco2e), abs=0.001)
    assert {c["category"]: c["kgco2e"] for c in by_cli["categories"]} == pytest.approx(
        {c.category.value: float(c.kgco2e) for c in by_bot.categories}, abs=0.001)


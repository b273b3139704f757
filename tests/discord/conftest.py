"""A shoot on a migrated SQLite store, and the bot on a dpytest server linked to it.

The shoot is the reference example (config/examples/feature-film.yaml) with a few figures for
Monday 1 March 2027. The clock is the test's: ``clock.now`` can be moved.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext.test import backend

from base.settings import Settings
from bots.discord.bot import GreenslateBot, default_intents
from common.app import App
from common.production_file import load_production_file
from domain.model import Report, ReportKind
from domain.usecases import load_production, record_report
from store import discord as store

PARIS = ZoneInfo("Europe/Paris")
PRODUCTION = "feux-aube"
ROLE = "Éco-référent"
MONDAY = dt.date(2027, 3, 1)


def paris(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS).astimezone(dt.UTC)


@dataclass
class Clock:
    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now


# The reference file as it was before the whole footprint (four kinds, seven crew): these tests count its
# prompts, crew and forecast. tests/production_file/test_production_file_example.py reads today's file.
def example_file() -> Path:
    return Path(__file__).resolve().parents[1] / "fixtures" / "productions" / "feature-film-four-kinds.yaml"


def report(member: str, kind: ReportKind, values: dict[str, str], subject: str | None, ref: str,
           day: dt.date = MONDAY) -> Report:
    return Report(
        production_id=PRODUCTION, member_id=member, kind=kind, day=day,
        values={k: Decimal(v) for k, v in values.items()}, raw_text=" ".join(values.values()),
        source="test", source_ref=ref, received_at=paris(day, 20), subject=subject,
    )


@pytest.fixture
def app(sqlite_db_url: str) -> App:
    """The example shoot, Amina's and Paul's figures for Monday, and who pressed Start in Telegram."""
    application = App(Settings(database_url=sqlite_db_url, _env_file=None))  # type: ignore[call-arg]
    production = load_production_file(example_file())
    load_production(application.uow(), production)
    with application.uow() as uow:
        for member, chat in (("amina", 101), ("paul", 103), ("lea", 104), ("sam", 105)):
            uow.members.link_telegram(PRODUCTION, member, chat, paris(MONDAY, 8))
        uow.members.set_unreachable(PRODUCTION, "sam", True)  # blocked the bot
        uow.commit()  # karim never pressed Start
    catalogue = application.catalogue
    record_report(application.uow(), catalogue,
                  report("amina", ReportKind.MILEAGE, {"odometer": "45230"}, "mb1", "amina-1"))
    record_report(application.uow(), catalogue,
                  report("paul", ReportKind.MEALS, {"vegetarian": "30", "beef": "10"}, None, "paul-1"))
    yield application
    application.engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(paris(MONDAY, 21))  # after the evening prompts (19:30, 20:00), before midnight


@dataclass
class Server:
    guild: discord.Guild
    digest: discord.TextChannel
    practices: discord.TextChannel
    general: discord.TextChannel
    referent: discord.Member  # has the eco-referent role
    crew: discord.Member  # does not
    role: discord.Role


async def make_bot(app: App, clock: Clock) -> GreenslateBot:
    wanted = default_intents()
    wanted.members = True  # dpytest keeps its fake members in the member cache, which needs this intent
    bot = GreenslateBot(app, clock=clock, sync_commands=False, intents=wanted)
    await bot._async_setup_hook()  # dpytest needs the asyncio objects first (a private call)
    dpytest.configure(bot, guilds=["Tournage"], text_channels=["digest", "bonnes-pratiques", "general"],
                      members=["Chloe", "Sam"])
    # dpytest replaces the connection state after the command tree registered itself on the old one.
    bot._connection._command_tree = bot.tree
    await bot.setup_hook()  # what login() runs once, before the gateway connects
    return bot


async def stop_bot(bot: GreenslateBot) -> None:
    digest = bot.get_cog("Digest")
    if digest is not None:
        digest.loop.cancel()  # type: ignore[attr-defined]
    await dpytest.empty_queue()


@pytest.fixture
async def bot(app: App, clock: Clock) -> AsyncIterator[GreenslateBot]:
    b = await make_bot(app, clock)
    yield b
    await stop_bot(b)


@pytest.fixture
async def server(bot: GreenslateBot, app: App) -> Server:
    config = dpytest.get_config()
    guild = config.guilds[0]
    digest, practices, general = config.channels[:3]
    referent, crew = config.members[:2]
    role = backend.make_role(ROLE, guild)
    await dpytest.add_role(referent, role)
    referent = guild.get_member(referent.id)
    store.save_link(
        app.engine,
        store.GuildLink(PRODUCTION, guild.id, digest.id, practices.id, ROLE),
        now=paris(MONDAY, 8),
    )
    return Server(guild, digest, practices, general, referent, crew, role)


def sent_messages() -> list[discord.Message]:
    """Every message the bot sent since the last call, oldest first."""
    messages = []
    while not dpytest.sent_queue.empty():
        messages.append(dpytest.sent_queue.get_nowait())
    return messages


async def next_message(timeout: float = 10) -> discord.Message:
    """Wait for the next message the bot sends on its own (from a background task).

    Polls: awaiting dpytest's module-level queue would bind it to this test's event loop.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while dpytest.sent_queue.empty():
        if loop.time() > deadline:
            raise TimeoutError("the bot sent nothing")
        await asyncio.sleep(0.02)
    return dpytest.sent_queue.get_nowait()

"""``greenslate schedule`` as a coordinator types it."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from greenslate.cli import main
from scheduler.clock import ManualClock
from scheduler.runner import SchedulerContext, tick
from store.engine import make_engine
from store.uow import SqlUnitOfWork
from tests.scheduler.conftest import EXAMPLE
from tests.scheduler.support import RecordingNotifier

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def gs(sqlite_db_url: str):
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(main, list(args), env={"GREENSLATE_DATABASE_URL": sqlite_db_url},
                             catch_exceptions=False)

    return run


def test_schedule_show_lists_the_coming_prompts_and_who_will_not_get_one(gs, sqlite_db_url: str) -> None:
    assert gs("production", "load", str(EXAMPLE)).exit_code == 0
    engine = make_engine(sqlite_db_url)
    with SqlUnitOfWork(engine) as uow:
        uow.members.link_telegram("feux-aube", "paul", 1002, dt.datetime(2027, 2, 1, tzinfo=dt.UTC))
        uow.members.set_paused_until("feux-aube", "paul", dt.date(2027, 4, 6))
        uow.commit()
    engine.dispose()
    result = gs("schedule", "show", "feux-aube", "--from", "2027-04-02T16:00", "--days", "5")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Les Feux de l'Aube: prompts over 5 day(s), times in Europe/Paris"
    # Friday after 16:00, then nothing on the weekend or on Easter Monday, then Tuesday.
    assert lines[1].startswith("Fri 2027-04-02 18:00  sam") and lines[1].endswith("not sent: not linked yet")
    assert not any("2027-04-05" in line or "Sat" in line or "Sun" in line for line in lines)
    tuesday = [line for line in lines if "2027-04-06" in line]
    assert len(tuesday) == 5 and "paul:meals" in tuesday[0] and tuesday[0].endswith("not sent: paused")

    data = json.loads(gs("schedule", "show", "feux-aube", "--from", "2027-04-07T00:00", "--days", "1",
                         "--format", "json").output)
    assert {(d["member"], d["at"], d["sent"]) for d in data if d["member"] == "paul"} == {
        ("paul", "2027-04-07T15:00:00+02:00", True)
    }


async def test_schedule_sent_shows_what_became_of_each_message(gs, sqlite_db_url: str) -> None:
    assert gs("production", "load", str(EXAMPLE)).exit_code == 0
    engine = make_engine(sqlite_db_url)
    with SqlUnitOfWork(engine) as uow:
        uow.members.link_telegram("feux-aube", "paul", 1002, dt.datetime(2027, 2, 1, tzinfo=dt.UTC))
        uow.members.link_telegram("feux-aube", "karim", 1001, dt.datetime(2027, 2, 1, tzinfo=dt.UTC))
        uow.commit()
    clock = ManualClock(dt.datetime(2027, 3, 8, 19, 45, tzinfo=PARIS))
    ctx = SchedulerContext(engine=engine, uow_factory=lambda: SqlUnitOfWork(engine),
                           notifiers={"telegram": RecordingNotifier(blocked={"karim"})}, clock=clock)  # type: ignore[dict-item]
    await tick(ctx)
    engine.dispose()
    result = gs("schedule", "sent", "feux-aube")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "2027-03-08 19:45  prompt     paul         paul:meals                   sent",  # sent late, at 19:45
        "2027-03-08 19:30  prompt     karim        karim:mileage:car2           unreachable"
        "  (Forbidden: bot was blocked by the user)",
    ]


def test_schedule_show_of_an_unknown_production_is_one_clear_line(gs) -> None:
    result = gs("schedule", "show", "nope")
    assert result.exit_code == 1
    assert "no production with id 'nope'" in result.output

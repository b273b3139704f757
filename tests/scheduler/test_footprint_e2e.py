"""End to end with the whole footprint: the scheduler prompts a weekly travel assignment through the real
Telegram bot, with its mode buttons, and a leg by plane answered in time means no reminder."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from common.app import App
from domain.model import Report, ReportKind
from domain.usecases import record_report
from tests.scheduler.support import load_example
from tests.scheduler.test_footprint_prompts import with_footprint
from tests.scheduler.test_telegram_e2e import Harness, harness, paris, run_until

__all__ = ["harness"]  # the Telegram harness fixture, used here as is

FRIDAY = dt.date(2027, 3, 12)


def _travel_messages(h: Harness) -> list[tuple[bool, list[str]]]:
    """(is a reminder, button labels) of each travel prompt Karim received."""
    prompts = [(i, reminder) for i, m, key, _, reminder in h.prompts_in_store() if key == "karim:travel"]
    by_id = {s.message_id: s for s in h.server.sent_to(h.chat("karim"))}
    return [(reminder, [label for label, _ in by_id[i].buttons]) for i, reminder in sorted(prompts)]


def _leg_by_plane(app: App, production_id: str, now: dt.datetime) -> None:
    record_report(app.uow(), app.catalogue, Report(
        production_id=production_id, member_id="karim", kind=ReportKind.TRAVEL, day=FRIDAY,
        values={"km": Decimal(686), "passengers": Decimal(1)}, raw_text="avion 686 km", source="test",
        source_ref="karim:travel:leg", received_at=now, subject="plane"))


async def test_a_weekly_travel_prompt_with_its_buttons_then_a_reminder(harness: Harness) -> None:
    h = harness
    load_example(h.app.uow, with_footprint(h.production))
    h.clock.set(paris(2027, 3, 11, 17, 0))  # Thursday: nothing for travel until Friday 18:00
    await run_until(h, paris(2027, 3, 12, 21, 0), dt.timedelta(minutes=30))
    [(first, buttons), (reminder, _)] = _travel_messages(h)
    assert (first, reminder) == (False, True)
    assert buttons[:3] == ["Train grande vitesse", "Intercités", "Train régional"] and "Avion" in buttons
    prompt = next(s for s in h.server.sent_to(h.chat("karim")) if "trajets" in (s.text or ""))
    assert prompt.plain.startswith("Aujourd'hui, vendredi 12 mars, quels trajets depuis la dernière fois ?")


async def test_a_leg_by_plane_before_the_reminder_means_no_reminder(harness: Harness) -> None:
    h = harness
    load_example(h.app.uow, with_footprint(h.production))
    h.clock.set(paris(2027, 3, 12, 17, 30))

    def karim_flies(now: dt.datetime) -> None:
        if now == paris(2027, 3, 12, 18, 30):
            _leg_by_plane(h.app, h.production.id, now)

    await run_until(h, paris(2027, 3, 12, 22, 0), dt.timedelta(minutes=30), karim_flies)
    assert [reminder for reminder, _ in _travel_messages(h)] == [False]

"""Fuzzing the crew bot itself: hostile texts typed in every conversation state, through the real
python-telegram-bot application polling the local Bot API server.

States: a reply to a prompt of each kind (odometer, meals, generator hours, waste), a plain message
with no prompt in reply, the step-by-step entry of meals, a correction started with /correct, and
the question back about an ambiguous number (typing instead of tapping a choice). For each
generated text the bot must answer (never stay silent), with a message Telegram can send (at most
4,096 characters, every field filled in), without its error handler firing (no unhandled
exception), and the store must hold at most one active figure per prompt.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.harness import wait_for
from tests.reliability.evil import answers
from tests.reliability.sizes import FUZZ_BOT
from tests.telegram.conftest import FIRST_EVENING, make_telegram_rig, telegram_rig

pytestmark = pytest.mark.reliability

__all__ = ["make_telegram_rig", "telegram_rig"]

DAY = FIRST_EVENING.date()
PROMPTS = {
    "amina": "amina:mileage:mb1",
    "paul": "paul:meals",
    "lea": "lea:generator_hours:g1",
    "sam": "sam:waste",
}
STATES = ("reply", "plain", "steps", "correct", "ambiguous")


class Rig:
    """The telegram rig with the crew joined once, shared by every example."""

    def __init__(self, rig: Any) -> None:
        self.rig = rig
        self.chats: dict[str, int] = {}

    async def ready(self) -> None:
        if not self.chats:
            for member in PROMPTS:
                self.chats[member] = await self.rig.join(member, "en" if member == "sam" else "fr")

    async def exchange(self, chat: int, text: str, reply_to: int | None = None) -> list[Any]:
        """Send ``text`` and collect what the bot sent back once it has handled it."""
        server = self.rig.server
        mark = server.mark()
        update_id = server.send(chat, text, reply_to=reply_to)
        await server.acked(update_id, timeout=20)
        await wait_for(lambda: any(s.chat_id == chat for s in server.ledger[mark:]), 10, 0.01)
        await wait_for(lambda: False, 0.05)  # a second message (a voice note, a follow-up) lands now
        return [s for s in server.ledger[mark:] if s.chat_id == chat]


@pytest.fixture
def crew(telegram_rig: Any) -> Rig:
    return Rig(telegram_rig)


def _check(sent: list[Any], text: str) -> None:
    assert sent, f"the bot said nothing to {text[:60]!r}"
    for message in sent:
        body = message.text or ""
        if message.method != "sendMessage":
            continue
        assert body.strip(), "an empty message"
        assert len(body) <= 4096, f"a {len(body)}-character reply cannot be sent"
        assert not re.search(r"\{[a-z_]+\}", body.replace(text, "")), body


@settings(max_examples=FUZZ_BOT, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(text=answers, member=st.sampled_from(sorted(PROMPTS)), state=st.sampled_from(STATES))
async def test_any_text_in_any_conversation_state_gets_a_sendable_answer_and_no_crash(
    crew: Rig, caplog: pytest.LogCaptureFixture, text: str, member: str, state: str
) -> None:
    await crew.ready()
    rig, chat = crew.rig, crew.chats[member]
    caplog.set_level(logging.ERROR, logger="greenslate")
    caplog.clear()
    reply_to = None
    if state in ("reply", "steps"):
        prompt = await rig.prompt(member, PROMPTS[member], DAY)
        reply_to = prompt.message_id
        if state == "steps" and any(data == "s" for _label, data in prompt.buttons):
            mark = rig.server.mark()
            rig.server.press(chat, prompt.message_id, "s")
            await rig.server.replies(chat, since=mark)
    elif state == "correct":
        await crew.exchange(chat, "/correct")
    elif state == "ambiguous" and member == "amina":
        await crew.exchange(chat, "45.230")
    sent = await crew.exchange(chat, text, reply_to=reply_to)
    _check(sent, text)
    failures = [r.getMessage() for r in caplog.records if "handler failed" in r.getMessage()]
    assert not failures, failures
    reports = rig.reports(member)  # active figures only
    per_prompt = Counter((r.kind, r.subject, r.day) for r in reports)
    assert all(n == 1 for n in per_prompt.values()), per_prompt

"""The example production and member states, shared by the scheduler tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from common.production_file import load_production_file
from domain.model import Production
from domain.ports import MemberState

# The reference file as it was before the whole footprint (four kinds, seven crew): these tests count its
# prompts, crew and forecast. tests/production_file/test_production_file_example.py reads today's file.
EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "productions" / "feature-film-four-kinds.yaml"
PARIS = "Europe/Paris"


@pytest.fixture(scope="session")
def example() -> Production:
    return load_production_file(EXAMPLE)


def linked_states(production: Production, **changes: dict[str, object]) -> list[MemberState]:
    """Every member linked to Telegram (chat id = position + 1000), with per-member changes."""
    states = []
    for position, member in enumerate(production.crew):
        values: dict[str, object] = {
            "production_id": production.id,
            "member_id": member.id,
            "language": member.language.value,
            "voice": member.voice,
            "paused_until": None,
            "telegram_chat_id": 1000 + position if member.channel.value == "telegram" else None,
            "consent_at": dt.datetime(2027, 2, 20, tzinfo=dt.UTC),
            "unreachable": False,
            "forgotten": False,
        }
        values.update(changes.get(member.id, {}))
        states.append(MemberState(**values))  # type: ignore[arg-type]
    return states

"""What the core needs from storage, as protocols. The store package implements them.

A unit of work is a context manager: nothing it did is kept unless ``commit()`` is called.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, Self

from domain.carbon import EmissionLine
from domain.model import (
    ActionOutcome,
    ActionStatus,
    Language,
    Production,
    Report,
    ReportKind,
)


@dataclass(frozen=True)
class ProductionSummary:
    id: str
    title: str
    type: str
    start: dt.date
    end: dt.date
    crew_count: int
    report_count: int


@dataclass(frozen=True)
class MemberState:
    """What greenslate learns about a crew member while the shoot runs (not in the production file)."""

    production_id: str
    member_id: str
    language: str
    voice: bool
    paused_until: dt.date | None
    telegram_chat_id: int | None
    consent_at: dt.datetime | None
    unreachable: bool
    forgotten: bool  # unlinked with /stop or `crew forget`: name removed, figures kept
    telegram_bot: str = ""  # the bot the chat was linked through ("" is the default bot)


class ProductionRepository(Protocol):
    def get(self, production_id: str) -> Production: ...
    def find(self, production_id: str) -> Production | None: ...
    def list(self) -> list[ProductionSummary]: ...
    def save(self, production: Production) -> None:
        """Create or update from a production file; keeps reports and member state."""
        ...


class MemberRepository(Protocol):
    def state(self, production_id: str, member_id: str) -> MemberState: ...
    def states(self, production_id: str) -> list[MemberState]: ...
    def by_telegram_chat(self, chat_id: int) -> list[MemberState]: ...
    def set_language(self, production_id: str, member_id: str, language: Language) -> None: ...
    def set_voice(self, production_id: str, member_id: str, voice: bool) -> None: ...
    def set_paused_until(self, production_id: str, member_id: str, until: dt.date | None) -> None: ...
    def link_telegram(
        self, production_id: str, member_id: str, chat_id: int | None, consent_at: dt.datetime | None
    ) -> None: ...
    def set_unreachable(self, production_id: str, member_id: str, unreachable: bool) -> None: ...
    def forget(self, production_id: str, member_id: str) -> None: ...


class ReportRepository(Protocol):
    def add(self, report: Report) -> Report:
        """Store a new report and return it with its id.

        Raises ``DuplicateReport`` if its (source, source_ref) is stored already.
        """
        ...

    def get(self, report_id: int) -> Report: ...
    def by_source(self, source: str, source_ref: str) -> Report | None: ...
    def for_production(
        self,
        production_id: str,
        kind: Sequence[ReportKind] | None = None,
        subject: str | None = None,
        member_id: str | None = None,
    ) -> list[Report]:
        """Every report (active, corrected and undone), oldest first."""
        ...

    def corrector_of(self, report_id: int) -> Report | None: ...


class EmissionLineRepository(Protocol):
    def replace(
        self, report_ids: Sequence[int], lines: Sequence[EmissionLine], *, new: Sequence[int] = ()
    ) -> None:
        """Delete the lines of these reports, then store ``lines``.

        ``new``: those of ``report_ids`` stored in this transaction, which have no lines yet.
        """
        ...

    def for_production(self, production_id: str) -> list[EmissionLine]: ...


class ActionRepository(Protocol):
    def set_status(
        self,
        production_id: str,
        action_id: str,
        status: ActionStatus,
        outcome: ActionOutcome | None,
        note: str,
        by: str,
        at: dt.datetime,
    ) -> None: ...


class UnitOfWork(Protocol):
    productions: ProductionRepository
    members: MemberRepository
    reports: ReportRepository
    lines: EmissionLineRepository
    actions: ActionRepository

    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...

    def lock_chain(self, production_id: str, subject: str) -> None:
        """Hold one vehicle's or generator's readings until this unit of work ends.

        Called before a chain is read to be written: a second writer of the same chain waits, then
        reads what the first one committed, so no reading is measured against a stale previous one.
        """
        ...

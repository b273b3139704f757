"""A unit of work in memory, implementing the ``domain.ports`` protocols: the use cases' rules
tested in milliseconds, without SQL.

It keeps what the SQL store promises the core: nothing is kept unless ``commit()`` is called,
entering again inside an open unit reuses it, reports get increasing ids, a message is stored
once (``DuplicateReport``), lines are replaced by report, lists come oldest first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from domain.carbon import EmissionLine
from domain.errors import DuplicateReport, UnknownMember, UnknownProduction, UnknownReport
from domain.model import ActionOutcome, ActionStatus, Language, Production, Report, ReportKind
from domain.ports import MemberState, ProductionSummary


@dataclass
class Data:
    """Everything stored: what a commit keeps and a rollback restores."""

    productions: dict[str, Production] = field(default_factory=dict)
    states: dict[tuple[str, str], MemberState] = field(default_factory=dict)
    reports: list[Report] = field(default_factory=list)
    lines: list[EmissionLine] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)

    def copy(self) -> Data:
        """A copy to work on: the containers are new, the values are frozen and shared."""
        return Data(dict(self.productions), dict(self.states), list(self.reports), list(self.lines),
                    list(self.statuses))


class MemoryProductions:
    def __init__(self, data: Data) -> None:
        self.data = data

    def get(self, production_id: str) -> Production:
        found = self.find(production_id)
        if found is None:
            raise UnknownProduction(production_id)
        return found

    def find(self, production_id: str) -> Production | None:
        return self.data.productions.get(production_id)

    def list(self) -> list[ProductionSummary]:
        return [
            ProductionSummary(p.id, p.title, p.type.value, p.calendar.start, p.calendar.end, len(p.crew),
                              sum(1 for r in self.data.reports if r.production_id == p.id))
            for p in sorted(self.data.productions.values(), key=lambda p: (p.calendar.start, p.id))
        ]

    def save(self, production: Production) -> None:
        self.data.productions[production.id] = production
        for m in production.crew:
            self.data.states.setdefault((production.id, m.id), MemberState(
                production.id, m.id, m.language.value, m.voice, m.paused_until, None, None, False, False))


class MemoryMembers:
    def __init__(self, data: Data) -> None:
        self.data = data

    def state(self, production_id: str, member_id: str) -> MemberState:
        try:
            return self.data.states[production_id, member_id]
        except KeyError:
            raise UnknownMember(member_id, production_id) from None

    def states(self, production_id: str) -> list[MemberState]:
        return [s for (p, _), s in self.data.states.items() if p == production_id]

    def by_telegram_chat(self, chat_id: int) -> list[MemberState]:
        return [s for s in self.data.states.values() if s.telegram_chat_id == chat_id]

    def _set(self, production_id: str, member_id: str, **values: Any) -> None:
        self.data.states[production_id, member_id] = dataclasses.replace(
            self.state(production_id, member_id), **values)

    def set_language(self, production_id: str, member_id: str, language: Language) -> None:
        self._set(production_id, member_id, language=Language(language).value)

    def set_voice(self, production_id: str, member_id: str, voice: bool) -> None:
        self._set(production_id, member_id, voice=voice)

    def set_paused_until(self, production_id: str, member_id: str, until: dt.date | None) -> None:
        self._set(production_id, member_id, paused_until=until)

    def link_telegram(self, production_id: str, member_id: str, chat_id: int | None,
                      consent_at: dt.datetime | None) -> None:
        extra = {"unreachable": False, "forgotten": False} if chat_id is not None else {}
        self._set(production_id, member_id, telegram_chat_id=chat_id, consent_at=consent_at, **extra)

    def set_unreachable(self, production_id: str, member_id: str, unreachable: bool) -> None:
        self._set(production_id, member_id, unreachable=unreachable)

    def forget(self, production_id: str, member_id: str) -> None:
        self._set(production_id, member_id, telegram_chat_id=None, consent_at=None, forgotten=True)


class MemoryReports:
    def __init__(self, data: Data) -> None:
        self.data = data

    def add(self, report: Report) -> Report:
        existing = self.by_source(report.source, report.source_ref)
        if existing is not None:
            raise DuplicateReport(existing)
        stored = dataclasses.replace(report, id=max((r.id or 0 for r in self.data.reports), default=0) + 1)
        self.data.reports.append(stored)
        return stored

    def get(self, report_id: int) -> Report:
        for r in self.data.reports:
            if r.id == report_id:
                return r
        raise UnknownReport(f"no report {report_id}", report_id=report_id)

    def by_source(self, source: str, source_ref: str) -> Report | None:
        return next((r for r in self.data.reports if (r.source, r.source_ref) == (source, source_ref)), None)

    def for_production(self, production_id: str, kind: Sequence[ReportKind] | None = None,
                       subject: str | None = None, member_id: str | None = None) -> list[Report]:
        return [r for r in self.data.reports if r.production_id == production_id
                and (kind is None or r.kind in kind) and (subject is None or r.subject == subject)
                and (member_id is None or r.member_id == member_id)]

    def corrector_of(self, report_id: int) -> Report | None:
        found = [r for r in self.data.reports if r.corrects == report_id]
        return found[-1] if found else None


class MemoryLines:
    def __init__(self, data: Data) -> None:
        self.data = data

    def replace(self, report_ids: Sequence[int], lines: Sequence[EmissionLine], *, new: Sequence[int] = ()) -> None:
        gone = set(report_ids)
        self.data.lines = [ln for ln in self.data.lines if ln.report_id not in gone] + list(lines)

    def for_production(self, production_id: str) -> list[EmissionLine]:
        return sorted((ln for ln in self.data.lines if ln.production_id == production_id),
                      key=lambda ln: (ln.day, ln.category.value, ln.subject, ln.report_id or 0))


class MemoryActions:
    def __init__(self, data: Data) -> None:
        self.data = data

    def set_status(self, production_id: str, action_id: str, status: ActionStatus, outcome: ActionOutcome | None,
                   note: str, by: str, at: dt.datetime) -> None:
        self.data.statuses.append({"production_id": production_id, "action_id": action_id, "status": status,
                                   "outcome": outcome, "note": note, "by": by, "at": at})


class MemoryUnitOfWork:
    """One transaction over :class:`Data`: a copy is worked on, and kept only on ``commit()``."""

    def __init__(self, data: Data | None = None) -> None:
        self.committed = data if data is not None else Data()
        self._depth = 0
        self.commits = 0
        self.locked: list[tuple[str, str]] = []
        self._open(self.committed.copy())

    def _open(self, working: Data) -> None:
        self.working = working
        self.productions = MemoryProductions(working)
        self.members = MemoryMembers(working)
        self.reports = MemoryReports(working)
        self.lines = MemoryLines(working)
        self.actions = MemoryActions(working)

    def __enter__(self) -> Self:
        self._depth += 1
        if self._depth == 1:
            self._open(self.committed.copy())
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0:
            self.rollback()

    def commit(self) -> None:
        self.committed = self.working.copy()
        self.commits += 1

    def rollback(self) -> None:
        self._open(self.committed.copy())

    def lock_chain(self, production_id: str, subject: str) -> None:
        self.locked.append((production_id, subject))

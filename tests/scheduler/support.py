"""Test doubles at the scheduler's boundary (the notifier protocols) and a loaded example store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal

from config.factors import catalogue
from domain.model import Production, Report, ReportKind
from domain.ports import UnitOfWork
from domain.usecases import load_production, record_report
from scheduler.notify import Delivery, Outcome

UTC = dt.UTC


class RecordingNotifier:
    """A channel that records what it is asked to send; ``blocked`` members answer as Telegram's 403 does."""

    def __init__(self, blocked: Iterable[str] = (), ledger: bool = False) -> None:
        self.blocked = set(blocked)
        self.sent: list[tuple[str, str, str, str, dt.date]] = []  # (kind, production, member, what, day)
        self.campaigns: list[tuple[str, str, str]] = []
        self.ledger = ledger  # answer delivered_prompt from what was sent, as the Telegram bot's table does
        self.crash_after_send = False

    async def send_prompt(
        self, production_id: str, member_id: str, assignment_key: str, day: dt.date, *, reminder: bool = False
    ) -> Delivery:
        if member_id in self.blocked:
            return Delivery(Outcome.UNREACHABLE, detail="Forbidden: bot was blocked by the user")
        self.sent.append(("reminder" if reminder else "prompt", production_id, member_id, assignment_key, day))
        if self.crash_after_send:
            raise Crash("the process died after sending")
        return Delivery(Outcome.SENT, message_ref=str(len(self.sent)))

    async def send_campaign(self, production_id: str, member_id: str, message_key: str) -> Delivery:
        if member_id in self.blocked:
            return Delivery(Outcome.UNREACHABLE, detail="blocked")
        self.campaigns.append((production_id, member_id, message_key))
        return Delivery(Outcome.SENT, message_ref=f"c{len(self.campaigns)}")

    async def delivered_prompt(
        self, production_id: str, member_id: str, assignment_key: str, day: dt.date, *, reminder: bool = False
    ) -> Delivery | None:
        if not self.ledger:
            return None
        kind = "reminder" if reminder else "prompt"
        found = (kind, production_id, member_id, assignment_key, day) in self.sent
        return Delivery(Outcome.SENT, message_ref="from-ledger") if found else None

    def prompts(self, kind: str = "prompt") -> list[tuple[str, str, dt.date]]:
        return sorted((m, a, d) for k, _, m, a, d in self.sent if k == kind)


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing on the way catches it."""


class RecordingTeam:
    def __init__(self) -> None:
        self.escalations: list[tuple[str, str, int, str]] = []
        self.digests: list[tuple[str, dt.date, str]] = []
        self.campaigns: list[tuple[str, str, str]] = []

    async def escalate(self, production_id: str, member_id: str, missed: int, text: str) -> Delivery:
        self.escalations.append((production_id, member_id, missed, text))
        return Delivery(Outcome.SENT, message_ref=f"e{len(self.escalations)}")

    async def post_digest(self, production_id: str, day: dt.date, text: str) -> Delivery:
        self.digests.append((production_id, day, text))
        return Delivery(Outcome.SENT, message_ref=f"d{len(self.digests)}")

    async def send_campaign(self, production_id: str, member_id: str, message_key: str) -> Delivery:
        self.campaigns.append((production_id, member_id, message_key))
        return Delivery(Outcome.SENT, message_ref=f"c{len(self.campaigns)}")


def load_example(
    uow_factory: Callable[[], UnitOfWork], production: Production, *, paused: dict[str, dt.date] | None = None
) -> None:
    """Load the production and link every Telegram member (chat id 1000 + position)."""
    load_production(uow_factory(), production)
    with uow_factory() as uow:
        for position, member in enumerate(production.crew):
            if member.channel.value == "telegram":
                consent = dt.datetime(2027, 2, 1, tzinfo=UTC)
                uow.members.link_telegram(production.id, member.id, 1000 + position, consent)
        for member_id, until in (paused or {}).items():
            uow.members.set_paused_until(production.id, member_id, until)
        uow.commit()


_VALUES: dict[ReportKind, dict[str, Decimal]] = {
    ReportKind.MEALS: {"vegetarian": Decimal(12), "beef": Decimal(20)},
    ReportKind.WASTE: {"residual": Decimal(10), "cardboard": Decimal(5)},
    ReportKind.GENERATOR_HOURS: {"hours": Decimal(6)},
}


def answer(
    uow_factory: Callable[[], UnitOfWork],
    production: Production,
    member_id: str,
    assignment_key: str,
    day: dt.date,
    now: dt.datetime,
    values: dict[str, Decimal] | None = None,
) -> None:
    """Record the member's answer to one prompt, through the same use case as the bots."""
    assignment = next(a for a in production.assignments if a.key == assignment_key)
    report = Report(
        production_id=production.id, member_id=member_id, kind=assignment.report, day=day,
        values=values or _VALUES[assignment.report], raw_text="test", source="test",
        source_ref=f"{assignment_key}:{day}", received_at=now, subject=assignment.subject,
    )
    record_report(uow_factory(), catalogue(), report)

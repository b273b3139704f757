"""A production sized for the bot benchmarks: N crew members on Telegram, each linked and consenting,
each with one daily mileage assignment (distance mode, so any sane number is a valid answer)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from functools import cache

from sqlalchemy import Engine, false, func, insert, select, update

from common.production_file import load_production_file
from domain.model import (
    Assignment,
    Channel,
    CrewMember,
    Frequency,
    Language,
    MileageMode,
    Production,
    ReportKind,
    Role,
    ShootingCalendar,
    Vehicle,
)
from domain.usecases import load_production
from greenslate.demo import example_path
from store.engine import make_engine
from store.outbox import PENDING, PROMPT, SENT, outbox
from store.tables import members as members_table
from store.telegram_tables import telegram_prompts
from store.uow import SqlUnitOfWork

#: The due minute: Monday 4 January 2027, 19:30 in Paris.
FIRST_DAY = dt.date(2027, 1, 4)
DUE = dt.time(19, 30)


def due_instant(day: dt.date = FIRST_DAY) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, DUE, ZoneInfo("Europe/Paris")).astimezone(dt.UTC)


@cache
def _template() -> Production:
    return load_production_file(example_path())


def crew_production(production_id: str, members: int) -> Production:
    template = _template()
    crew = tuple(
        CrewMember(id=f"m{i:05d}", name=f"Membre {i}", role=Role.DRIVER, channel=Channel.TELEGRAM,
                   language=Language.EN if i % 5 == 0 else Language.FR)
        for i in range(members)
    )
    vehicles = tuple(
        Vehicle(id=f"v{i:05d}", label=f"Véhicule {i}", kind="van", fuel="diesel", factor="van_fr_impactco2",
                odometer_start=Decimal(10_000))
        for i in range(members)
    )
    assignments = tuple(
        Assignment(who=m.id, report=ReportKind.MILEAGE, frequency=Frequency.DAILY, at=DUE, vehicle=v.id,
                   mode=MileageMode.DISTANCE)
        for m, v in zip(crew, vehicles, strict=True)
    )
    owners = sorted({a.owner for a in template.action_plan})
    return replace(
        template,
        id=production_id,
        title=f"Benchmark {production_id}",
        calendar=ShootingCalendar(start=FIRST_DAY, end=FIRST_DAY + dt.timedelta(days=60),
                                  weekdays=frozenset(range(7))),
        crew=crew,
        vehicles=vehicles,
        generators=(),
        assignments=assignments,
        action_plan=tuple(replace(a, owner=crew[owners.index(a.owner) % members].id) for a in template.action_plan),
        sensitisation=(),
    )


def load_crew(engine: Engine, production_id: str, members: int, first_chat: int) -> dict[str, int]:
    """Load the production and link member i to chat ``first_chat + i``; returns member -> chat id."""
    production = crew_production(production_id, members)
    load_production(SqlUnitOfWork(engine), production)
    chats = {m.id: first_chat + i for i, m in enumerate(production.crew)}
    consent = due_instant() - dt.timedelta(days=3)
    with SqlUnitOfWork(engine) as uow:
        for member_id, chat_id in chats.items():
            uow.members.link_telegram(production_id, member_id, chat_id, consent)
        uow.commit()
    return chats


#: Members per production in the bot benchmarks: 3,000 members are 20 shoots of 150, as in the season.
PER_PRODUCTION = 150


def seed_crews(url: str, prefix: str, members: int, first_chat: int,
               per_production: int = PER_PRODUCTION) -> dict[tuple[str, str], int]:
    """:func:`load_crews` into the store at ``url``, through an engine of its own."""
    engine = make_engine(url)
    try:
        return load_crews(engine, prefix, members, first_chat, per_production)
    finally:
        engine.dispose()


def outbox_statuses(url: str) -> dict[str, int]:
    """How many outbox rows the store at ``url`` holds in each status, once the bots have stopped."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status)).tuples().all())
    finally:
        engine.dispose()


def load_crews(engine: Engine, prefix: str, members: int, first_chat: int,
               per_production: int = PER_PRODUCTION) -> dict[tuple[str, str], int]:
    """``members`` members over productions of ``per_production``; (production, member) -> chat id."""
    chats: dict[tuple[str, str], int] = {}
    done = 0
    index = 0
    while done < members:
        n = min(per_production, members - done)
        production_id = f"{prefix}-{index:02d}"
        for member_id, chat in load_crew(engine, production_id, n, first_chat + done).items():
            chats[(production_id, member_id)] = chat
        done += n
        index += 1
    return chats


#: Days of prompts already sent when a benchmark's day starts (what planning reads back).
HISTORY_DAYS = 14


def seed_history(engine: Engine, chats: dict[tuple[str, str], int], days: int) -> int:
    """``days`` days of prompts sent to every member, as the outbox holds them after that many days."""
    rows = []
    for day_index in range(days):
        day = FIRST_DAY + dt.timedelta(days=day_index)
        due = due_instant(day)
        for production_id, member_id in chats:
            rows.append({
                "key": f"history:{production_id}:{member_id}:{day.isoformat()}", "kind": PROMPT,
                "production_id": production_id, "member_id": member_id,
                "assignment_key": f"{member_id}:mileage:v{member_id[1:]}", "day": day,
                "payload": {"report": "mileage", "subject": f"v{member_id[1:]}", "channel": "telegram"},
                "status": SENT, "attempts": 1, "due_at": due, "not_after": due + dt.timedelta(hours=5),
                "sent_at": due + dt.timedelta(seconds=5), "message_ref": "1", "created_at": due,
            })
    with engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(outbox), rows[start:start + 5000])
    return len(rows)


def send_day(engine: Engine, day: dt.date, at: dt.datetime) -> int:
    """What the scheduler records at ``at`` on ``day`` (the day's prompts, the escalations, the digest), recorded
    and marked sent as if it had sent them; each prompt also as the bot records it, so an answer
    finds it in its chat. Returns the prompts sent."""
    from scheduler.planner import plan

    plan(lambda: SqlUnitOfWork(engine), at)
    with engine.begin() as conn:
        conn.execute(update(outbox).where(outbox.c.status == PENDING)
                     .values(status=SENT, attempts=1, sent_at=at, message_ref="1"))
        prompts = (
            select(members_table.c.telegram_chat_id, outbox.c.id, outbox.c.production_id, outbox.c.member_id,
                   outbox.c.assignment_key, outbox.c.day, outbox.c.sent_at, false())
            .select_from(outbox.join(members_table, (members_table.c.production_id == outbox.c.production_id)
                                     & (members_table.c.member_id == outbox.c.member_id)))
            .where(outbox.c.kind == PROMPT, outbox.c.day == day, members_table.c.telegram_chat_id.is_not(None))
        )
        conn.execute(insert(telegram_prompts).from_select(
            ["chat_id", "message_id", "production_id", "member_id", "assignment_key", "day", "sent_at", "reminder"],
            prompts))
        return conn.execute(select(func.count()).select_from(telegram_prompts)
                            .where(telegram_prompts.c.day == day)).scalar_one()

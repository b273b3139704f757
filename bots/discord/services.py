"""What the cogs and the team channel ask of the rest of greenslate, off the event loop.

Each function calls one use case or one store function in a worker thread, so a slow database
never stalls the gateway heartbeat. Cogs import these; they never touch SQL themselves.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING

from domain import usecases
from domain.carbon import Balance
from domain.indicators import ActionProgress
from domain.model import ActionOutcome, ActionStatus, Production
from domain.rollcall import RollCall, roll_call

if TYPE_CHECKING:
    from common.app import App


def _production(app: App, production_id: str) -> Production:
    with app.uow() as uow:
        return uow.productions.get(production_id)


async def production(app: App, production_id: str) -> Production:
    return await asyncio.to_thread(_production, app, production_id)


def _balance(app: App, production_id: str, as_of: dt.date | None) -> tuple[Production, Balance]:
    result = usecases.get_balance(app.uow(), app.factor_set_version, production_id, as_of)
    return _production(app, production_id), result


async def balance(app: App, production_id: str, as_of: dt.date | None = None) -> tuple[Production, Balance]:
    return await asyncio.to_thread(_balance, app, production_id, as_of)


def _plan(app: App, production_id: str) -> tuple[Production, list[ActionProgress]]:
    result = usecases.get_plan(app.uow(), production_id)
    return _production(app, production_id), result


async def plan(app: App, production_id: str) -> tuple[Production, list[ActionProgress]]:
    return await asyncio.to_thread(_plan, app, production_id)


def _roll_call(app: App, production_id: str, now: dt.datetime, day: dt.date | None) -> tuple[Production, RollCall]:
    with app.uow() as uow:
        prod = uow.productions.get(production_id)
        states = uow.members.states(production_id)
        reports = uow.reports.for_production(production_id)
    return prod, roll_call(prod, states, reports, now, day)


async def missing(
    app: App, production_id: str, now: dt.datetime, day: dt.date | None = None
) -> tuple[Production, RollCall]:
    """Today's roll call (or ``day``'s, as seen at ``now``)."""
    return await asyncio.to_thread(_roll_call, app, production_id, now, day)


async def set_action_status(
    app: App,
    production_id: str,
    action_id: str,
    status: ActionStatus,
    *,
    by: str,
    at: dt.datetime,
    outcome: ActionOutcome | None,
    note: str,
) -> None:
    await asyncio.to_thread(
        lambda: usecases.set_action_status(
            app.uow(), production_id, action_id, status, by=by, at=at, outcome=outcome, note=note
        )
    )

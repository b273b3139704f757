"""Lanes: sending through several senders at once, each at its own pace.

A notifier may send through several senders with limits of their own (several Telegram bots, each
with Telegram's 30 messages a second). It says so with two optional attributes:

- ``lanes``: how many senders it has;
- ``lane(production)``: which of them a production's messages go through.

With one lane (one bot, the usual case) a tick sends as it always has: a claimed batch is sent, one
message after the other, before the next batch is claimed. With several, the tick claims ahead (up
to :data:`AHEAD_PER_LANE` rows a lane not yet sent) and each lane sends its own rows one after the
other, in claim order, while the other lanes send theirs: a lane waiting for its limit does not hold
up the rest. Rows claimed ahead keep their lease: it lasts minutes, they wait seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Any

from domain.model import Channel
from store.outbox import CAMPAIGN, PROMPT, REMINDER, Claimed

#: Rows claimed ahead per lane: about five seconds of one Telegram bot's 30 a second, or a whole
#: production of a few hundred members when a claim brings one production's rows together.
AHEAD_PER_LANE = 160

Send = Callable[[list[Claimed]], Awaitable[None]]


def lane_count(notifiers: Mapping[Channel, Any]) -> int:
    """The most lanes any notifier has (1 when none says)."""
    return max((int(getattr(n, "lanes", 1)) for n in notifiers.values()), default=1)


def lane_of(item: Claimed, notifiers: Mapping[Channel, Any], production: Any) -> Hashable:
    """The lane of a claimed row: its channel's notifier says for messages to members; the rest share one."""
    row = item.row
    if row.kind not in (PROMPT, REMINDER, CAMPAIGN) or production is None:
        return ("team",)
    channel = Channel(row.payload.get("channel", Channel.TELEGRAM.value))
    lane = getattr(notifiers.get(channel), "lane", None)
    return (channel.value, lane(production) if lane is not None else "")


Audience = dict[str, tuple[Any, dict[str, Any]]]  # production id -> (production, member states by id)


async def by_lane(uow_factory: Callable[[], Any], notifiers: Mapping[Channel, Any], items: list[Claimed],
                  audience: Audience) -> dict[Hashable, list[Claimed]]:
    """The claimed rows by lane, each lane's in claim order; the productions read into ``audience``."""
    missing = {i.row.production_id for i in items if i.row.production_id not in audience}
    if missing:
        await asyncio.to_thread(_read_audience, uow_factory, missing, audience)
    groups: dict[Hashable, list[Claimed]] = {}
    for item in items:
        production = audience.get(item.row.production_id, (None, {}))[0]
        groups.setdefault(lane_of(item, notifiers, production), []).append(item)
    return groups


def _read_audience(uow_factory: Callable[[], Any], production_ids: set[str], audience: Audience) -> None:
    with uow_factory() as uow:
        for production_id in production_ids:
            production = uow.productions.find(production_id)
            if production is not None:
                audience[production_id] = (production, {s.member_id: s for s in uow.members.states(production_id)})


class Lanes:
    """Batches sent lane by lane: one after the other in a lane, lanes side by side."""

    def __init__(self, send: Send, lanes: int) -> None:
        self.send = send
        self.lanes = lanes
        self._tails: dict[Hashable, asyncio.Task[None]] = {}
        self._in_hand = 0  # rows claimed and not yet sent (or given up)
        self._changed = asyncio.Event()
        self._failed: BaseException | None = None  # the first error of a lane: the tick ends with it

    @property
    def ahead(self) -> int:
        return AHEAD_PER_LANE * self.lanes

    async def room(self) -> None:
        """Wait until another batch may be claimed: nothing in hand with one lane, else room ahead."""
        limit = 1 if self.lanes <= 1 else self.ahead
        while self._in_hand >= limit and self._failed is None:
            self._changed.clear()
            await self._changed.wait()
        if self._failed is not None:
            raise self._failed

    def add(self, groups: Mapping[Hashable, list[Claimed]]) -> None:
        """Queue each lane's rows behind what that lane has in hand."""
        for key, items in groups.items():
            self._in_hand += len(items)
            self._tails[key] = asyncio.create_task(self._after(self._tails.get(key), items))

    async def _after(self, previous: asyncio.Task[None] | None, items: list[Claimed]) -> None:
        try:
            if previous is not None:  # its error, if any, is kept once: these rows are still sent
                await asyncio.wait([previous])
            await self.send(items)
        except BaseException as exc:
            self._failed = self._failed or exc
        finally:
            self._in_hand -= len(items)
            self._changed.set()

    async def finish(self) -> None:
        """Wait for every lane to have sent what it holds, then raise the first error of any."""
        if self._tails:
            await asyncio.wait(list(self._tails.values()))
        if self._failed is not None:
            raise self._failed

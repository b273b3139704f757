"""Telegram's flood limits shared by every process sending with one bot: a window in Redis.

Telegram counts what a bot sends, whichever process sent it: the bot, and any number of
``greenslate run --scheduler`` processes, share its 30 messages a second and its one message a
second in a chat. With ``GREENSLATE_TELEGRAM_RATE_LIMIT_STORAGE=redis://host:6379`` they keep them
together in Redis, under keys named by the bot's id (the part of the token before the colon, which
Telegram shows to anyone; the token itself is never written).

The shared window lends its slots as :class:`bots.telegram.ratelimit.SlidingWindow` does in one
process. A sorted set holds the ``limit`` slots in use, each scored with the moment it comes back.
One Lua script, atomic in Redis, claims a slot if fewer than ``limit`` are in use (scored with a
lease while its request is in flight); a second one, run once the request's answer arrived, scores
it ``period`` later. Every moment is read from Redis's clock (``TIME``, ``PX``), never a process's:
a request that reuses a slot is claimed after the slot came back, so it reaches Telegram at least
``period`` after the answer to the request before it, and Telegram stamped that one before
answering. No ``limit + 1`` messages of the bot fall within one ``period`` on Telegram's side,
whichever processes sent them, as long as:

- no request stays in flight longer than the lease (:data:`LEASE_SECONDS`, well past the bot's
  own timeouts): a slot whose process died with it comes back after the lease;
- Redis's clock is not stepped forward while slots are out (an NTP step, a failover to a replica).

Why not the ``limits`` library's moving window, which the sign-in throttle uses: it counts a request
when it is let through, not when its answer came back, so a request held up on the way and the next
one can reach Telegram less than a second apart; and it says only "no" and a time to wait, where a
freed slot should go to a member's reply first.

Replies before bulk, across processes: each process hands its slots to its own replies first. A
process with a reply that found no slot says so in Redis for a period; while it does, no process
claims a slot for bulk, so the freed slot goes to a reply, wherever it waits. A burst of replies
thus takes every slot, as it does in one process.

One message a second in a chat: a key per chat, claimed (``SET NX``) for the request and set to
expire ``per_chat`` seconds after its answer, by Redis's clock again. A request claims its chat
once it holds a slot of the window, so the thousands of prompts of a fan-out waiting for theirs
claim nothing meanwhile; one that finds its chat taken by another process (a reply and a prompt to
one member within the second, which is rare) waits for it holding its slot, at most a second:
slower for once, never over a limit.

If Redis cannot be reached (a refused connection, a timeout): one error in the log, and this process
keeps on its own to ``fallback_limit`` messages a second (a share of the 30, for a bot and two
schedulers by default) and to one a second per chat, and tries Redis again every
:data:`RETRY_SECONDS`. Once Redis answers it says so, waits until every slot it lent on its own came
back, and shares again. The guarantee then rests on the fallback shares: it holds while every
process is on its own and their shares add up to 30 or less; a process cut off from a Redis the
others still reach adds its share to their 30 for as long as that lasts. Nothing is dropped either
way: a request waits for a slot, and a 429 that comes anyway is waited out and retried
(``AIORateLimiter``, then the scheduler's outbox).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from bots.telegram.ratelimit import OVERALL_LIMIT, OVERALL_PERIOD, REPLY, SlidingWindow

log = logging.getLogger("greenslate.telegram.ratelimit")

#: A slot or a chat claimed for a request in flight comes back after this long at most.
LEASE_SECONDS = 60.0
#: How often a process on its own tries Redis again.
RETRY_SECONDS = 5.0
#: What one process sends a second while Redis is out of reach (a third of the 30, by default).
FALLBACK_LIMIT = 10
#: How long Redis may take to answer before it counts as unreachable. Generous: a Redis that is only
#: slow (a loaded machine) keeps the limit shared, which going alone would not; a refused connection
#: is known at once anyway.
REDIS_TIMEOUT = 5.0

# Claim up to ARGV[4] slots for replies and ARGV[5] for bulk. KEYS: the slots (member -> when it
# comes back, ms) and the processes with a reply waiting (process -> until when). Returns
# {wait_ms, granted replies, granted bulk...}: granted slots' names, replies' first.
_CLAIM = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, period, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local want_r, want_b = tonumber(ARGV[4]), tonumber(ARGV[5])
local me, serial = ARGV[6], tonumber(ARGV[7])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local free = limit - redis.call('ZCARD', KEYS[1])
local r = math.min(free, want_r)
if r < want_r then
  redis.call('ZADD', KEYS[2], now + 2 * period, me)
else
  redis.call('ZREM', KEYS[2], me)
end
local b = 0
if redis.call('ZCARD', KEYS[2]) == 0 then b = math.max(0, math.min(free - r, want_b)) end
local out = {0}
for i = 1, r + b do
  local name = me .. ':' .. (serial + i)
  redis.call('ZADD', KEYS[1], now + lease, name)
  out[#out + 1] = name
end
redis.call('PEXPIRE', KEYS[1], lease + period)
redis.call('PEXPIRE', KEYS[2], 2 * period)
if r + b < want_r + want_b then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local wait = period
  if free - r - b > 0 then wait = 5 elseif first[2] then wait = math.min(period, tonumber(first[2]) - now) end
  out[1] = math.max(1, wait)
end
return out
"""

# The request is over: its slot comes back ARGV[2] ms from now (unused: at once).
_RELEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if tonumber(ARGV[2]) == 0 then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
"""

# A chat for one request: -1 if claimed, else the ms until it may be tried again.
_CHAT_CLAIM = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return -1 end
return redis.call('PTTL', KEYS[1])
"""

# The chat's request is over: the chat is free ARGV[2] ms from now.
_CHAT_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], 'sent', 'PX', ARGV[2]) end
return 0
"""


def bot_id_of(token: str) -> str:
    """The bot's id, the public part of its token: what the shared keys are named by."""
    head = token.partition(":")[0]
    if not head.isdigit():
        raise ValueError("a Telegram bot token starts with the bot's id and a colon")
    return head


class SharedWindow:
    """At most ``limit`` requests within any ``period`` seconds across every process on ``client``.

    The same use as :class:`SlidingWindow`: ``async with window.turn(priority):`` around one
    request, and ``chat_turn(chat_id, seconds)`` around a message to one chat.
    """

    def __init__(self, client: Any, bot_id: str, *, limit: int = OVERALL_LIMIT, period: float = OVERALL_PERIOD,
                 fallback_limit: int = FALLBACK_LIMIT, where: str = "Redis") -> None:
        self.client = client
        self.limit, self.period = limit, period
        self.where = where  # for log lines: the storage URL without its password
        prefix = f"greenslate:telegram:{{{bot_id}}}"  # braces: one Redis Cluster slot for the bot's keys
        self._slots_key, self._replies_key = f"{prefix}:slots", f"{prefix}:replies-waiting"
        self._chat_prefix = f"{prefix}:chat:"
        self._me = secrets.token_hex(6)
        self._serial = itertools.count()  # names this process's chat claims
        self._claims = itertools.count()  # names this process's slots: claim n gives n*1000+1, n*1000+2, ...
        self._probe = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._claim = client.register_script(_CLAIM)
        self._release = client.register_script(_RELEASE)
        self._chat_claim = client.register_script(_CHAT_CLAIM)
        self._chat_release = client.register_script(_CHAT_RELEASE)
        self.fallback = SlidingWindow(fallback_limit, period)
        self._waiting: tuple[deque[asyncio.Future[str | None]], ...] = (deque(), deque())
        self._pump: asyncio.Task[None] | None = None
        self._alone_until: float | None = None  # on our own (Redis unreachable) until this monotonic time
        self.taken = [0, 0]  # slots taken so far, by priority, shared or not
        self.alone_taken = 0  # of which taken on our own while Redis was out of reach

    @property
    def alone(self) -> bool:
        """True while this process keeps to its fallback share on its own."""
        return self._alone_until is not None

    def waiting(self, priority: int) -> int:
        return sum(1 for f in self._waiting[priority] if not f.done()) + self.fallback.waiting(priority)

    @contextlib.asynccontextmanager
    async def turn(self, priority: int = REPLY) -> AsyncIterator[None]:
        slot = None if await self._use_fallback() else await self._shared_slot(priority)
        if slot is None:
            async with self.fallback.turn(priority):
                self.alone_taken += 1
                self.taken[priority] += 1
                yield
            return
        self.taken[priority] += 1
        try:
            yield
        finally:  # given back in the background: the sender goes on, and a later release is only safer
            self._later(self._give_back(slot, self.period))

    @contextlib.asynccontextmanager
    async def chat_turn(self, chat_id: int, seconds: float) -> AsyncIterator[None]:
        """One request to ``chat_id`` at a time, ``seconds`` after the last one's answer, across processes."""
        key, mine = f"{self._chat_prefix}{chat_id}", f"{self._me}:{next(self._serial)}"
        claimed = False
        while not self.alone:
            try:
                wait = int(await self._chat_claim(keys=[key], args=[mine, int(LEASE_SECONDS * 1000)]))
            except Exception as exc:  # any failure of the store: on our own, said once
                self._unreachable(exc)
                break
            if wait < 0:
                claimed = True
                break
            await asyncio.sleep(min(max(wait, 1) / 1000, seconds))
        try:
            yield
        finally:
            if claimed:
                self._later(self._free_chat(key, mine, seconds))

    # -- the shared slots -------------------------------------------------------------------------

    async def _shared_slot(self, priority: int) -> str | None:
        """A slot's name in Redis, or None to use the fallback window (Redis out of reach)."""
        waiter: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._waiting[priority].append(waiter)
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._serve_safely(), name="telegram-shared-window")
        try:
            return await waiter
        except asyncio.CancelledError:
            granted = waiter.result() if waiter.done() and not waiter.cancelled() else None
            if granted is not None:  # granted as we were cancelled: back unused
                await asyncio.shield(self._give_back(granted, 0))
            with contextlib.suppress(ValueError):
                self._waiting[priority].remove(waiter)
            raise

    async def _serve_safely(self) -> None:
        try:
            await self._serve()
        except Exception:  # a bug here must not leave senders waiting for ever: they go on alone
            log.exception("the shared Telegram rate limit failed; this process goes on alone")
            self._alone_until = time.monotonic() + RETRY_SECONDS
            self._hand_out([None] * sum(len(q) for q in self._waiting))

    async def _serve(self) -> None:
        """Claim slots in Redis for the waiters of this process, replies first, until none waits."""
        while True:
            for queue in self._waiting:
                while queue and queue[0].done():
                    queue.popleft()
            replies, bulk_ = (sum(1 for f in q if not f.done()) for q in self._waiting)
            if not replies and not bulk_:
                return
            if self.alone:
                self._hand_out([None] * (replies + bulk_))
                continue
            serial = next(self._claims) * 1000
            try:
                wait_ms, *granted = await self._claim(
                    keys=[self._slots_key, self._replies_key],
                    args=[self.limit, int(self.period * 1000), int(LEASE_SECONDS * 1000), min(replies, self.limit),
                          min(bulk_, self.limit), self._me, serial])
            except Exception as exc:  # any failure of the store: on our own, said once
                self._unreachable(exc)
                continue
            self._hand_out([g.decode() if isinstance(g, bytes) else str(g) for g in granted])
            if int(wait_ms) > 0:
                await asyncio.sleep(int(wait_ms) / 1000)

    def _hand_out(self, slots: list[str | None]) -> None:
        """Each slot to the longest-waiting reply, else the longest-waiting bulk request."""
        for slot in slots:
            for queue in self._waiting:
                while queue and queue[0].done():
                    queue.popleft()
                if queue:
                    queue.popleft().set_result(slot)
                    break
            else:
                if slot is not None:  # nobody waits any more (cancelled): the slot goes back unused
                    self._later(self._give_back(slot, 0))

    def _later(self, release: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(release)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _free_chat(self, key: str, mine: str, seconds: float) -> None:
        try:
            await self._chat_release(keys=[key], args=[mine, max(1, int(seconds * 1000))])
        except Exception as exc:  # the claim's lease frees the chat in the end
            self._unreachable(exc)

    async def _give_back(self, slot: str, seconds: float) -> None:
        try:
            await self._release(keys=[self._slots_key], args=[slot, int(seconds * 1000)])
        except Exception as exc:  # the lease brings the slot back in the end
            self._unreachable(exc)

    # -- when Redis is out of reach ---------------------------------------------------------------

    def _unreachable(self, exc: BaseException) -> None:
        if self._alone_until is None:
            log.error("the shared Telegram rate limit (%s) is out of reach (%s): this process now sends at most "
                      "%d messages a second on its own, and tries again every %.0f s",
                      self.where, type(exc).__name__, self.fallback.limit, RETRY_SECONDS)
        self._alone_until = time.monotonic() + RETRY_SECONDS

    async def _use_fallback(self) -> bool:
        """True to use the fallback window now. Past the retry time, Redis is asked again; once it
        answers, every slot lent on our own must be back before the shared window counts alone."""
        if self._alone_until is None:
            return False
        if time.monotonic() < self._alone_until:
            return True
        async with self._probe:  # one probe at a time; the others then see its outcome
            if self._alone_until is None:
                return False
            if time.monotonic() < self._alone_until:
                return True
            try:
                await self.client.ping()
            except Exception as exc:  # still out of reach
                self._unreachable(exc)
                return True
            while self.fallback.free < self.fallback.limit:
                await asyncio.sleep(self.period / 10)
            self._alone_until = None
            log.warning("the shared Telegram rate limit (%s) answers again: this process shares it again",
                        self.where)
            return False

    async def close(self) -> None:
        """Give back what is being given back, then release the connection to Redis."""
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=REDIS_TIMEOUT)
        with contextlib.suppress(Exception):
            await self.client.aclose()


def shared_window(storage: str, token: str, fallback_limit: int = FALLBACK_LIMIT) -> SharedWindow | None:
    """The window for ``GREENSLATE_TELEGRAM_RATE_LIMIT_STORAGE``: None for ``memory://`` (this process only)."""
    if storage.strip() in ("", "memory://"):
        return None
    if not storage.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("GREENSLATE_TELEGRAM_RATE_LIMIT_STORAGE is memory:// or a redis:// URL")
    try:
        import redis.asyncio as aioredis
    except ImportError:
        raise ValueError("a redis:// rate limit storage needs the redis extra: pip install 'greenslate[redis]'") \
            from None
    client = aioredis.from_url(storage, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
    return SharedWindow(client, bot_id_of(token), fallback_limit=fallback_limit, where=_without_password(storage))


def _without_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = "…@" + rest.rsplit("@", 1)[1]
    return scheme + sep + rest

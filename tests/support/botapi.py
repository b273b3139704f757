"""A local Telegram Bot API server for tests: aiohttp, speaking the real Bot API over HTTP.

python-telegram-bot is pointed at it with ``base_url(server.base_url)`` and does everything it
does against Telegram: ``getMe``, long-polled ``getUpdates`` with ``offset`` and ``timeout``,
``sendMessage``, ``sendVoice`` (multipart), ``editMessageText``, ``answerCallbackQuery``, ...
The server keeps a ledger of everything the bot sent, and tests act as Telegram users::

    server = BotApiServer()
    await server.start()
    server.add_user(1001, "Amina", "fr")
    update_id = server.send(1001, "/start abc")      # the user types
    [reply] = await server.replies(1001)               # what the bot answered
    server.press(1001, reply.message_id, reply.buttons[0][1])   # the user taps a button
    await server.stop()

Telegram's rules that matter to a bot are enforced when asked: ``enforce_limits=True`` answers
429 with ``retry_after`` above 30 messages a second overall or 1 a second in one chat, and
``block(chat_id)`` makes a chat answer 403 as when the user blocked the bot.

Several bots on one server, as on Telegram: ``add_bot(token, ...)`` gives another bot's view,
reached at the same ``base_url`` with its own token. Each has its own updates, ledger, message ids
(they count per bot and chat) and flood limits; a private chat has the user's id with every bot.

Facts this server relies on (see TESTING-NOTES.md): PTB sends string parameters raw and every
other parameter JSON-encoded, so fields are decoded by name; a 404 would surface as InvalidToken,
so every method answers; pending long polls are released when the server stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

#: Parameters PTB sends as raw strings; every other parameter is JSON.
STRING_FIELDS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "language_code", "url", "secret_token",
    "inline_message_id", "description", "short_description", "name", "title", "emoji",
    "business_connection_id", "message_effect_id", "ip_address", "drop_pending_updates_str",
})

#: Methods that send a message, and count against Telegram's flood limits.
SENDING = frozenset({"sendMessage", "sendVoice", "sendPhoto", "sendDocument", "sendAudio"})


@dataclass
class Sent:
    """One call the bot made that shows something to a user."""

    method: str
    chat_id: int | None
    params: dict[str, Any]
    message_id: int | None = None
    text: str | None = None
    reply_markup: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    voice: bytes | None = None
    at: float = field(default_factory=time.monotonic)

    @property
    def plain(self) -> str:
        """The text with no-break and narrow no-break spaces (French number groups) as plain spaces."""
        return (self.text or "").replace("\u202f", " ").replace("\u00a0", " ")

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of every inline button, row by row."""
        if not self.reply_markup:
            return []
        return [
            (b["text"].replace("\u202f", " ").replace("\u00a0", " "), b.get("callback_data", b.get("url", "")))
            for row in self.reply_markup.get("inline_keyboard", [])
            for b in row
        ]

    def button(self, label_part: str) -> str:
        """The callback data of the button whose label contains ``label_part``."""
        for label, data in self.buttons:
            if label_part.casefold() in label.casefold():
                return data
        raise AssertionError(f"no button with {label_part!r} in {self.buttons}")


class BotApiServer:
    """The Bot API for one bot token, on 127.0.0.1 and a free port (more bots: :meth:`add_bot`)."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_id: int = 123456,
        username: str = "greenslate_test_bot",
        enforce_limits: bool = False,
        max_poll_seconds: float = 2.0,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.username = username
        self.enforce_limits = enforce_limits
        self.max_poll_seconds = max_poll_seconds
        self.ledger: list[Sent] = []  # sendMessage, sendVoice, editMessageText, ... in order
        self.callback_answers: list[dict[str, Any]] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []  # every method called, with its parameters
        self.commands: dict[str, list[dict[str, Any]]] = {}  # language code ("" = default) -> commands
        self.webhook_url = ""
        self.file_ids: set[str] = set()  # the voice notes' file_ids given out (clear it: Telegram forgot them)
        self.rejected: list[tuple[str, int]] = []  # (method, HTTP status) of every refused call
        self.users: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # (chat, message id) -> message
        self._updates: list[dict[str, Any]] = []  # not yet confirmed by the bot
        self._delivered: list[dict[str, Any]] = []  # confirmed (kept for ``redeliver``)
        self._redeliveries: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._callback_ids = itertools.count(1)
        self._acked = 0  # every update below this id was confirmed by the bot (getUpdates offset)
        self._blocked: set[int] = set()
        self._fail_next: dict[str, deque[tuple[int, int]]] = defaultdict(deque)
        self._chat_sent_at: dict[int, float] = {}
        self._recent_sends: deque[float] = deque()
        self._changed: asyncio.Condition | None = None
        self._closing = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._host: BotApiServer | None = None  # the server this bot's requests reach, when added to one
        self._bots: dict[str, BotApiServer] = {token: self}  # every bot this server answers for, by token

    # -- running --------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._host.port if self._host is not None else self._port

    @property
    def base_url(self) -> str:
        """What to give ``ApplicationBuilder.base_url``: the bot calls ``base_url + token + /method``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def bots(self) -> list[BotApiServer]:
        """Every bot this server answers for, this one first."""
        return list(self._bots.values())

    def add_bot(self, token: str, *, bot_id: int, username: str, enforce_limits: bool | None = None) -> BotApiServer:
        """Another bot on this server (same ``base_url``, its own token): its view, to act as its users."""
        if token in self._bots:
            raise ValueError("a bot with this token exists already")
        bot = BotApiServer(token, bot_id=bot_id, username=username, max_poll_seconds=self.max_poll_seconds,
                           enforce_limits=self.enforce_limits if enforce_limits is None else enforce_limits)
        bot._host = self
        bot._changed = asyncio.Condition() if self._changed is not None else None
        self._bots[token] = bot
        return bot

    async def start(self) -> None:
        assert self._host is None, "start the server the bot was added to"
        for bot in self._bots.values():
            bot._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        """Release every waiting long poll, then stop (stop the bot's updater first)."""
        for bot in self._bots.values():
            bot._closing = True
            await bot._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _notify(self) -> None:
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()

    def _notify_soon(self) -> None:
        with contextlib.suppress(RuntimeError):  # no running loop: nobody can be waiting
            task = asyncio.get_running_loop().create_task(self._notify())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    # -- what tests do as Telegram and its users ------------------------------------------------

    def add_user(self, user_id: int, first_name: str, language_code: str = "fr") -> dict[str, Any]:
        """A Telegram user; their private chat with the bot has the same id."""
        user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}
        self.users[user_id] = user
        return user

    def _user(self, chat_id: int) -> dict[str, Any]:
        return self.users.get(chat_id) or self.add_user(chat_id, f"User {chat_id}")

    def _chat(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "type": "private", "first_name": self._user(chat_id)["first_name"]}

    def _bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "greenslate", "username": self.username}

    def _queue(self, payload: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **payload})
        self._notify_soon()
        return update_id

    def user_message(self, chat_id: int, text: str, *, reply_to: int | None = None) -> dict[str, Any]:
        """A message as the user typed it (stored, not yet delivered)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self._user(chat_id),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to is not None:
            message["reply_to_message"] = self.messages[(chat_id, reply_to)]
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def send(self, chat_id: int, text: str, *, reply_to: int | None = None) -> int:
        """The user sends ``text`` (a reply to ``reply_to`` if given); returns the update id."""
        return self._queue({"message": self.user_message(chat_id, text, reply_to=reply_to)})

    def edit(self, chat_id: int, message_id: int, text: str) -> int:
        """The user edits one of their messages."""
        message = dict(self.messages[(chat_id, message_id)])
        message.update(text=text, edit_date=int(time.time()) + 1)
        self.messages[(chat_id, message_id)] = message
        return self._queue({"edited_message": message})

    def press(self, chat_id: int, message_id: int, data: str) -> int:
        """The user taps an inline button with ``data`` under the bot's message ``message_id``."""
        query = {
            "id": str(next(self._callback_ids)),
            "from": self._user(chat_id),
            "message": self.messages[(chat_id, message_id)],
            "chat_instance": str(chat_id),
            "data": data,
        }
        return self._queue({"callback_query": query})

    def redeliver(self, update_id: int) -> None:
        """Deliver an update again, with the same id, as Telegram does when it had no confirmation."""
        for update in self._delivered:
            if update["update_id"] == update_id:
                self._redeliveries.append(update)
                self._notify_soon()
                return
        raise KeyError(update_id)

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sending to them answers 403."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def fail_next(self, method: str, status: int = 429, retry_after: int = 1) -> None:
        """The next call of ``method`` is refused with ``status`` (429 carries ``retry_after``)."""
        self._fail_next[method].append((status, retry_after))

    # -- what tests read -----------------------------------------------------------------------

    def sent_to(self, chat_id: int, method: str | None = "sendMessage") -> list[Sent]:
        return [s for s in self.ledger if s.chat_id == chat_id and (method is None or s.method == method)]

    def last(self, chat_id: int) -> Sent:
        return self.sent_to(chat_id)[-1]

    async def replies(
        self, chat_id: int, count: int = 1, *, since: int | None = None, method: str | None = "sendMessage",
        timeout: float = 10.0,
    ) -> list[Sent]:
        """Wait until the bot sent ``count`` messages to ``chat_id`` after ledger position ``since``
        (default: now) and return them."""
        start = len(self.ledger) if since is None else since
        assert self._changed is not None, "start the server first"

        def ready() -> list[Sent]:
            return [s for s in self.ledger[start:]
                    if s.chat_id == chat_id and (method is None or s.method == method)]

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: len(ready()) >= count), timeout)
            except TimeoutError:
                got = [(s.method, s.text) for s in ready()]
                raise AssertionError(f"expected {count} message(s) to {chat_id}, got {got}") from None
        return ready()[:count]

    async def acked(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until the bot confirmed ``update_id`` (it asked for updates after it)."""
        assert self._changed is not None, "start the server first"
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: self._acked > update_id), timeout)

    def mark(self) -> int:
        """The ledger position now, for ``replies(since=...)``."""
        return len(self.ledger)

    # -- the Bot API ---------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                form = await request.post()
                for name, value in form.items():
                    if hasattr(value, "file"):  # an uploaded file (multipart)
                        params[name] = value.file.read()
                    elif name in STRING_FIELDS:
                        params[name] = value
                    else:
                        try:
                            params[name] = json.loads(value)
                        except (TypeError, ValueError):
                            params[name] = value
        for name, value in request.query.items():
            params.setdefault(name, value if name in STRING_FIELDS else _json_or_raw(value))
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        bot = self._bots.get(request.match_info["token"])
        if bot is None:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"},
                                     status=401)
        return await bot._answer(request)

    async def _answer(self, request: web.Request) -> web.Response:
        """One call of this bot's (its token matched)."""
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        refusal = self._refusal(method, params)
        if refusal is not None:
            return refusal
        handler = getattr(self, f"_api_{method}", None)
        result = await handler(params) if handler is not None else True
        if isinstance(result, web.Response):  # the method's own refusal
            return result
        return web.json_response({"ok": True, "result": result})

    def _refusal(self, method: str, params: dict[str, Any]) -> web.Response | None:
        chat_id = params.get("chat_id")
        if self._fail_next[method]:
            status, retry_after = self._fail_next[method].popleft()
            return self._error(method, status, retry_after)
        if method in SENDING and isinstance(chat_id, int):
            if chat_id in self._blocked:
                return self._error(method, 403)
            if self.enforce_limits:
                now = time.monotonic()
                while self._recent_sends and now - self._recent_sends[0] >= 1.0:
                    self._recent_sends.popleft()
                last = self._chat_sent_at.get(chat_id)
                if len(self._recent_sends) >= 30 or (last is not None and now - last < 1.0):
                    return self._error(method, 429, 1)
                self._recent_sends.append(now)
                self._chat_sent_at[chat_id] = now
        return None

    def _error(self, method: str, status: int, retry_after: int = 1) -> web.Response:
        self.rejected.append((method, status))
        if status == 429:
            body = {"ok": False, "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after}}
        elif status == 403:
            body = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
        else:
            body = {"ok": False, "error_code": status, "description": "Internal Server Error"}
        return web.json_response(body, status=status)

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {**self._bot_user(), "can_join_groups": False, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), self.max_poll_seconds)
        limit = int(params.get("limit") or 100)
        if offset:
            self._acked = max(self._acked, offset)
            self._delivered.extend(u for u in self._updates if u["update_id"] < offset)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            await self._notify()

        def available() -> bool:
            return self._closing or bool(self._updates) or bool(self._redeliveries)

        assert self._changed is not None
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(available), timeout)
        if self._closing:
            return []
        batch = (self._redeliveries + self._updates)[:limit]
        self._redeliveries = []
        return batch

    async def _send(self, method: str, params: dict[str, Any], **message: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        reply_to = params.get("reply_to_message_id")
        if reply_to is None and isinstance(params.get("reply_parameters"), dict):
            reply_to = params["reply_parameters"].get("message_id")
        sent = {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self._bot_user(),
            **message,
        }
        if params.get("reply_markup"):
            sent["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, sent["message_id"])] = sent
        self.ledger.append(Sent(method, chat_id, params, sent["message_id"], message.get("text") or
                                message.get("caption"), params.get("reply_markup"), reply_to,
                                params.get("voice") if isinstance(params.get("voice"), bytes) else None))
        await self._notify()
        return sent

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send("sendMessage", params, text=params.get("text", ""))

    async def _api_sendVoice(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        voice = params.get("voice", b"")
        if isinstance(voice, str) and voice not in self.file_ids:  # a file_id this server never gave
            self.rejected.append(("sendVoice", 400))
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": "Bad Request: wrong file identifier/HTTP URL specified"},
                                     status=400)
        size = len(voice) if isinstance(voice, bytes) else 0
        file_id = voice if isinstance(voice, str) else f"voice-{len(self.ledger)}"
        self.file_ids.add(file_id)
        return await self._send("sendVoice", params, voice={
            "file_id": file_id, "file_unique_id": f"v{len(self.ledger)}",
            "duration": max(1, size // 2000), "file_size": size, "mime_type": "audio/ogg",
        }, **({"caption": params["caption"]} if params.get("caption") else {}))

    async def _edit(self, method: str, params: dict[str, Any], **changes: Any) -> dict[str, Any]:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        message = dict(self.messages.get((chat_id, message_id)) or {
            "message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id),
            "from": self._bot_user()})
        message.update(changes, edit_date=int(time.time()))
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        else:  # Telegram removes the keyboard when an edit carries none
            message["reply_markup"] = {"inline_keyboard": []}
        self.messages[(chat_id, message_id)] = message
        self.ledger.append(Sent(method, chat_id, params, message_id, message.get("text"),
                                params.get("reply_markup")))
        await self._notify()
        return message

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._edit("editMessageText", params, text=params.get("text", ""))

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._edit("editMessageReplyMarkup", params)

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        self.callback_answers.append(params)
        await self._notify()
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands[params.get("language_code") or ""] = list(params.get("commands") or [])
        return True

    async def _api_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(params.get("language_code") or "", None)
        return True

    async def _api_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get(params.get("language_code") or "", [])

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = str(params.get("url") or "")
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook_url, "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}


def _json_or_raw(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value

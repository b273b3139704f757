"""Slash commands for real: a ``discord.Interaction`` built from a gateway payload, dispatched by the tree.

dpytest has no slash commands. Here a real INTERACTION_CREATE payload is parsed by the dpytest-configured
connection state (``parse_interaction_create``), which hands it to the bot's command tree as Discord's
gateway would. The interaction's HTTP goes through discord.py's webhook adapter, not the HTTP client
dpytest fakes: ``RecordingAdapter`` stands in for Discord's servers there and records every call.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import discord
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

EPHEMERAL = 64
_ids = itertools.count(900_000_000_000_000_000)


def snowflake() -> int:
    return next(_ids)


@dataclass
class Call:
    method: str
    path: str
    payload: dict[str, Any]
    files: list[discord.File] = field(default_factory=list)
    file_bytes: list[bytes] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        """The message part: the callback's ``data``, or the whole body of a follow-up or edit."""
        return self.payload.get("data", self.payload) if "/callback" in self.path else self.payload

    @property
    def content(self) -> str:
        return self.data.get("content") or ""

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & EPHEMERAL)


class RecordingAdapter(AsyncWebhookAdapter):
    """Answers as Discord does, and keeps every request the interaction made."""

    def __init__(self, bot: discord.Client) -> None:
        super().__init__()
        self.bot = bot
        self.calls: list[Call] = []

    async def request(self, route: Any, session: Any, *, payload: dict[str, Any] | None = None,
                      multipart: list[dict[str, Any]] | None = None, files: Any = None, **_: Any) -> Any:
        body = dict(payload or {})
        for part in multipart or []:
            if part.get("name") == "payload_json":
                body = json.loads(part["value"])
        call = Call(route.method, route.path, body, list(files or []))
        for f in call.files:  # read now: discord.py closes the files once the request is done
            call.file_bytes.append(f.fp.read())
            f.reset()
        self.calls.append(call)
        if route.path.endswith("/callback"):
            return {
                "interaction": {
                    "id": str(snowflake()),
                    "type": 2,
                    "response_message_id": str(snowflake()),
                    "response_message_loading": body.get("type") == 5,
                    "response_message_ephemeral": call.ephemeral,
                }
            }
        if route.method in ("POST", "PATCH"):
            return self._message(call)
        return None

    def _message(self, call: Call) -> dict[str, Any]:
        user = self.bot.user
        assert user is not None
        return {
            "id": str(snowflake()),
            "channel_id": str(snowflake()),
            "type": 0,
            "content": call.content,
            "author": {"id": str(user.id), "username": user.name, "discriminator": "0001", "avatar": None,
                       "bot": True},
            "timestamp": discord.utils.utcnow().isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [
                {"id": str(snowflake()), "filename": f.filename, "size": 1, "url": "https://cdn.invalid/x",
                 "proxy_url": "https://cdn.invalid/x", "description": f.description}
                for f in call.files
            ],
            "embeds": [],
            "pinned": False,
            "flags": int(call.data.get("flags") or 0),
        }

    @property
    def responses(self) -> list[Call]:
        """The calls that carried a message to the caller (callbacks with data, follow-ups, edits)."""
        return [c for c in self.calls if c.content or c.files]


def _user(member: discord.Member) -> dict[str, Any]:
    return {"id": str(member.id), "username": member.name, "discriminator": "0001", "avatar": None,
            "global_name": member.display_name}


def payload(
    bot: discord.Client,
    command: str,
    member: discord.Member,
    channel: discord.TextChannel,
    options: list[dict[str, Any]] | None = None,
    locale: str = "fr",
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload for the slash command ``command`` (its default name)."""
    assert bot.user is not None
    guild = member.guild
    return {
        "id": str(snowflake()),
        "application_id": str(bot.user.id),
        "type": 2,
        "token": "interaction-token",
        "version": 1,
        "guild_id": str(guild.id),
        "channel_id": str(channel.id),
        "channel": {"id": str(channel.id), "type": 0, "guild_id": str(guild.id), "name": channel.name,
                    "position": 0, "permission_overwrites": [], "nsfw": False, "parent_id": None},
        "member": {
            "user": _user(member),
            "roles": [str(r.id) for r in member.roles if r.id != guild.id],
            "joined_at": discord.utils.utcnow().isoformat(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": "0",
        },
        "data": {"id": str(snowflake()), "name": command, "type": 1, "options": options or []},
        "locale": locale,
        "guild_locale": "fr",
        "app_permissions": "0",
        "attachment_size_limit": 8 * 1024 * 1024,
        "entitlements": [],
        "authorizing_integration_owners": {},
        "context": 0,
    }


def string_option(name: str, value: str) -> dict[str, Any]:
    return {"name": name, "type": 3, "value": value}  # 3: string (discord.py trusts the type code)


async def run_command(bot: discord.Client, data: dict[str, Any]) -> RecordingAdapter:
    """Dispatch the interaction through the tree, wait for the command to finish, return what it sent."""
    adapter = RecordingAdapter(bot)
    token = async_context.set(adapter)  # the invoker task copies this context
    try:
        before = {t for t in asyncio.all_tasks() if t.get_name() == "CommandTree-invoker"}
        bot._connection.parse_interaction_create(data)
        tasks = [t for t in asyncio.all_tasks() if t.get_name() == "CommandTree-invoker" and t not in before]
        assert tasks, "the command tree did not take the interaction"
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)
    finally:
        async_context.reset(token)
    return adapter


async def react(user: discord.Member, message: discord.Message, emoji: str, *, add: bool = True) -> None:
    """A MESSAGE_REACTION_ADD (or _REMOVE) gateway event, parsed by the connection state as Discord sends it.

    dpytest's own ``add_reaction`` builds a payload without the ``type`` field discord.py 2.7 reads.
    """
    import discord.ext.test as dpytest

    data: dict[str, Any] = {
        "user_id": str(user.id),
        "channel_id": str(message.channel.id),
        "message_id": str(message.id),
        "guild_id": str(message.guild.id) if message.guild else None,
        "emoji": {"id": None, "name": emoji},
        "burst": False,
        "type": 0,
    }
    state = message._state
    if add:
        data["member"] = {**{"user": _user(user)}, "roles": [str(r.id) for r in user.roles[1:]],
                          "joined_at": discord.utils.utcnow().isoformat(), "deaf": False, "mute": False,
                          "flags": 0}
        data["message_author_id"] = str(message.author.id)
        state.parse_message_reaction_add(data)
    else:
        state.parse_message_reaction_remove(data)
    await dpytest.run_all_events()
